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
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea

from clientdesk.store.calendar import Occurrence
from clientdesk.store.clock import zone
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.models import ActionItem, AgendaItem
from clientdesk.store.text import printable
from clientdesk.widgets.action_items_editor import ActionItemsEditor
from clientdesk.widgets.actions import bindings, key_of
from clientdesk.widgets.agenda_editor import AgendaEditor
from clientdesk.widgets.cells import DATETIME_FORMAT
from clientdesk.widgets.confirm_dialog import ConfirmDialog


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

    BINDINGS = bindings("minutes")

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
                yield Button(f"Cancel ({key_of('minutes.cancel')})", compact=True, id="cancel")
                yield Button(
                    f"Save ({key_of('minutes.save')})", variant="primary", compact=True, id="save"
                )

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
