"""The form that records what one occurrence of a meeting had and produced.

Its agenda (which may differ from the series' template: the form says which
it is), its minutes, its decisions (one per line) and its action items (text,
owner, due date). An action item already turned into a client request shows
the request's key and keeps the link. The form returns a
:class:`MinutesResult`; the caller saves it through
:func:`~clientdesk.store.calendar.change_occurrence`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Static, TextArea

from clientdesk.store.calendar import Occurrence
from clientdesk.store.clock import parse_date, zone
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.models import ActionItem, AgendaItem
from clientdesk.store.text import printable
from clientdesk.widgets.cells import DATETIME_FORMAT
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from clientdesk.widgets.meeting_form import AgendaEditor
from clientdesk.widgets.record_form import ControlPictures


@dataclass(frozen=True)
class MinutesResult:
    """What the minutes form recorded for one occurrence.

    Attributes:
        agenda: the occurrence's agenda, or None when the user left it as it was
            (so a series occurrence keeps following the template).
        minutes: the minutes.
        decisions: the decisions, one per entry.
        action_items: the action items; linked ones keep their ``request_id``.
    """

    agenda: list[AgendaItem] | None
    minutes: str
    decisions: list[str]
    action_items: list[ActionItem]


def _input(value: str, placeholder: str, classes: str) -> Input:
    return Input(
        value, placeholder=placeholder, compact=True, classes=classes, highlighter=ControlPictures()
    )


class ActionRow(Vertical):
    """One action item: text, owner, due date, then its request's key or a remove button."""

    def __init__(self, item: ActionItem | None, request_key: str = "") -> None:
        """Show ``item`` (None: an empty row); ``request_key`` names its linked request."""
        super().__init__(classes="action-row")
        self.item = item
        """The action item the row started with (its ``request_id`` is kept)."""
        self._request_key = request_key

    def compose(self) -> ComposeResult:
        """The inputs on one line, the row's error under them."""
        item = self.item
        with Horizontal(classes="action-line"):
            yield _input(item.text if item else "", "what is to be done", "action-text")
            yield _input(item.owner if item else "", "owner", "action-owner")
            due = item.due.isoformat() if item and item.due else ""
            yield _input(due, "YYYY-MM-DD", "action-due")
            if item is not None and item.request_id is not None:
                key = self._request_key or "linked"
                yield Static(Text(printable(key)), classes="action-request")
            else:
                yield Button("✕", compact=True, classes="action-remove", tooltip="remove")
        yield Static(classes="action-error")

    def texts(self) -> tuple[str, str, str]:
        """The text, owner and due date as typed."""
        return (
            self.query_one(".action-text", Input).value,
            self.query_one(".action-owner", Input).value,
            self.query_one(".action-due", Input).value,
        )

    def value(self) -> ActionItem | None:
        """The action item as typed (None for a blank row that links nothing).

        Raises:
            ValidationFailed: no text, or a due date that is not a date; the
                error's field names the input (``text`` or ``due``).
        """
        text, owner, due = (part.strip() for part in self.texts())
        request_id = self.item.request_id if self.item is not None else None
        if not (text or owner or due) and request_id is None:
            return None
        if not text:
            raise ValidationFailed("an action item needs its text", "text")
        try:
            due_date = parse_date(due) if due else None
        except ValidationFailed as error:
            raise ValidationFailed(str(error), "due") from None
        return ActionItem(text=text, owner=owner, due=due_date, request_id=request_id)

    def show_error(self, error: ValidationFailed | None) -> None:
        """Show ``error`` under the row (None hides it); focus the input it is about."""
        label = self.query_one(".action-error", Static)
        label.set_class(error is not None, "-shown")
        label.update(Text(f"✗ {error}" if error else ""))
        if error is not None:
            control = self.query_one(f".action-{error.field or 'text'}", Input)
            control.focus()
            control.scroll_visible()


class ActionItemsEditor(Widget):
    """Rows of action items and a button to add one."""

    DEFAULT_CSS = """
    ActionItemsEditor, ActionItemsEditor #action-rows, ActionItemsEditor .action-row,
    ActionItemsEditor .action-line {
        height: auto;
    }
    ActionItemsEditor .action-line > Input {
        background: $surface-lighten-1;
        padding: 0 1;
        margin-right: 1;
    }
    ActionItemsEditor .action-line > Input:focus {
        background: $primary-muted;
    }
    ActionItemsEditor .action-text {
        width: 1fr;
    }
    ActionItemsEditor .action-owner {
        width: 14;
    }
    ActionItemsEditor .action-due {
        width: 12;
    }
    ActionItemsEditor .action-request {
        width: 9;
        color: $text-muted;
    }
    ActionItemsEditor .action-remove {
        width: 3;
        min-width: 3;
    }
    ActionItemsEditor .action-error {
        display: none;
        color: $text-error;
        padding-left: 1;
    }
    ActionItemsEditor .action-error.-shown {
        display: block;
    }
    """

    class Changed(Message):
        """An action item was added or removed."""

    def __init__(
        self,
        items: list[ActionItem],
        request_keys: Mapping[str, str],
        *,
        id: str | None = None,
    ) -> None:
        """Prepare the editor; ``request_keys`` maps a request id to its key (``REQ-7``)."""
        super().__init__(id=id)
        self._items = items
        self._request_keys = request_keys

    def compose(self) -> ComposeResult:
        """The rows, then the add button."""
        with Vertical(id="action-rows"):
            for item in self._items:
                yield ActionRow(item, self._request_keys.get(item.request_id or "", ""))
        yield Button("+ action item", compact=True, id="action-add")

    def rows(self) -> list[ActionRow]:
        """The rows, top to bottom."""
        return list(self.query(ActionRow))

    @property
    def state(self) -> str:
        """Every row's texts as one text (to tell whether anything changed)."""
        return "\n".join("\t".join(row.texts()) for row in self.rows())

    def items(self) -> list[ActionItem]:
        """The action items; each broken row shows its error.

        Raises:
            ValidationFailed: a row breaks a rule (the first one is raised).
        """
        items: list[ActionItem] = []
        first: ValidationFailed | None = None
        for row in reversed(self.rows()):  # reversed: the first broken row ends up focused
            try:
                item = row.value()
            except ValidationFailed as error:
                row.show_error(error)
                first = error
                continue
            row.show_error(None)
            if item is not None:
                items.insert(0, item)
        if first is not None:
            raise first
        return items

    @on(Button.Pressed, "#action-add")
    async def _add(self, event: Button.Pressed) -> None:
        event.stop()
        row = ActionRow(None)
        await self.query_one("#action-rows").mount(row)
        row.query_one(".action-text", Input).focus()
        self.post_message(self.Changed())

    @on(Button.Pressed, ".action-remove")
    async def _remove(self, event: Button.Pressed) -> None:
        event.stop()
        row = next((node for node in event.button.ancestors if isinstance(node, ActionRow)), None)
        if row is not None:
            await row.remove()
        self.post_message(self.Changed())


class MinutesForm(ModalScreen[MinutesResult | None]):
    """Agenda, minutes, decisions and action items of one occurrence."""

    DEFAULT_CSS = """
    MinutesForm {
        align: center middle;
    }
    MinutesForm > #minutes-box {
        width: 84;
        max-width: 100%;
        height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    MinutesForm #minutes-title {
        text-style: bold;
        padding: 0 1;
        margin-bottom: 1;
    }
    MinutesForm #minutes-fields {
        height: 1fr;
    }
    MinutesForm .minutes-head {
        text-style: bold;
        padding: 0 1;
    }
    MinutesForm #agenda-note {
        color: $text-muted;
        padding: 0 1;
    }
    MinutesForm #agenda-note.-own {
        color: $text-warning;
    }
    MinutesForm AgendaEditor, MinutesForm ActionItemsEditor {
        margin-bottom: 1;
    }
    MinutesForm TextArea {
        height: 5;
        margin: 0 1 1 1;
        background: $surface-lighten-1;
    }
    MinutesForm TextArea:focus {
        background: $primary-muted;
    }
    MinutesForm #decisions {
        height: 3;
    }
    MinutesForm #minutes-buttons {
        dock: bottom;
        height: auto;
        align-horizontal: right;
        margin: 1 0 0 0;
    }
    MinutesForm #minutes-buttons Button {
        margin-left: 2;
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="minutes.save"),
        Binding("escape", "cancel", "Cancel", id="minutes.cancel"),
    ]

    def __init__(
        self, occurrence: Occurrence, *, request_keys: Mapping[str, str] | None = None
    ) -> None:
        """Prepare the form.

        Args:
            occurrence: the occurrence whose minutes are recorded.
            request_keys: the keys of the requests action items link to, by id
                (a linked item whose request is not found reads "linked").
        """
        super().__init__()
        self.occurrence = occurrence
        """The occurrence being minuted."""
        self._request_keys = dict(request_keys or {})
        self._initial = ""

    def compose(self) -> ComposeResult:
        """The title, the four sections and the buttons."""
        occurrence = self.occurrence
        with Vertical(id="minutes-box"):
            yield Static(self._title(), id="minutes-title")
            with VerticalScroll(id="minutes-fields"):
                yield Static(Text("Agenda"), classes="minutes-head")
                yield Static(id="agenda-note")
                yield AgendaEditor(
                    occurrence.agenda, duration=occurrence.duration_minutes, id="minutes-agenda"
                )
                yield Static(Text("Minutes"), classes="minutes-head")
                yield TextArea(occurrence.minutes, compact=True, id="minutes-text")
                yield Static(Text("Decisions (one per line)"), classes="minutes-head")
                yield TextArea("\n".join(occurrence.decisions), compact=True, id="decisions")
                yield Static(Text("Action items"), classes="minutes-head")
                yield ActionItemsEditor(
                    list(occurrence.action_items), self._request_keys, id="action-items"
                )
            with Horizontal(id="minutes-buttons"):
                yield Button("Cancel (esc)", compact=True, id="cancel")
                yield Button("Save (ctrl+s)", variant="primary", compact=True, id="save")

    def _title(self) -> Text:
        meeting = self.occurrence.meeting
        when = self.occurrence.start.astimezone(zone(meeting.timezone)).strftime(DATETIME_FORMAT)
        title = Text("Minutes ")
        title.append(meeting.key or "new meeting", "bold")
        title.append(" ")
        title.append(printable(meeting.title))
        title.append(f" · {when} {meeting.timezone}", "dim")
        return title

    def on_mount(self) -> None:
        """Say whose agenda it is, remember the starting state, focus the minutes."""
        self._show_agenda_note()
        self._initial = self._state()
        minutes = self.query_one("#minutes-text", TextArea)
        minutes.move_cursor(minutes.document.end)  # to go on where the notes end
        minutes.focus()

    # -- values ------------------------------------------------------------------

    def _state(self) -> str:
        parts = (
            self.query_one(AgendaEditor).state,
            self.query_one("#minutes-text", TextArea).text,
            self.query_one("#decisions", TextArea).text,
            self.query_one(ActionItemsEditor).state,
        )
        return "\x00".join(parts)

    @property
    def has_changes(self) -> bool:
        """True when anything differs from what the form started with."""
        return self._state() != self._initial

    def result(self) -> MinutesResult:
        """What the form holds now.

        Raises:
            ValidationFailed: an agenda or action item row breaks a rule (it is
                shown at that row).
        """
        agenda_editor = self.query_one(AgendaEditor)
        initial_agenda = self._initial.split("\x00", 1)[0]
        agenda = None if agenda_editor.state == initial_agenda else agenda_editor.items()
        actions = self.query_one(ActionItemsEditor).items()
        decisions = self.query_one("#decisions", TextArea).text.splitlines()
        return MinutesResult(
            agenda=agenda,
            minutes=self.query_one("#minutes-text", TextArea).text.strip(),
            decisions=[line.strip() for line in decisions if line.strip()],
            action_items=actions,
        )

    def _show_agenda_note(self) -> None:
        occurrence = self.occurrence
        note = self.query_one("#agenda-note", Static)
        if not occurrence.is_recurring:
            note.update(Text("the meeting's agenda"))
            return
        try:
            agenda = self.query_one(AgendaEditor).items()
        except ValidationFailed:
            return
        own = agenda != list(occurrence.meeting.agenda)
        note.set_class(own, "-own")
        if own:
            note.update(Text("this occurrence's agenda differs from the series' template"))
        else:
            note.update(Text("the series' template (a change here is for this occurrence only)"))

    # -- actions -----------------------------------------------------------------

    @on(AgendaEditor.Changed)
    def _agenda_changed(self) -> None:
        self._show_agenda_note()

    def action_save(self) -> None:
        """Check the rows and return what the form holds; errors are shown at their rows."""
        error_box = self.query_one("#agenda-note", Static)
        try:
            result = self.result()
        except ValidationFailed as error:
            if "agenda" in str(error):
                error_box.update(Text(f"✗ {error}"))
                self.query_one(AgendaEditor).query("Input").first().focus()
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        """Close without saving; asks first when there are unsaved changes."""
        if not self.has_changes:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmDialog(
                "Discard your changes to these minutes?", yes="Discard", no="Keep editing"
            ),
            answered,
        )

    @on(Button.Pressed, "#save")
    def _save_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()
