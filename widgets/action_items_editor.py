"""The action items of a meeting occurrence as rows to edit: text, owner and due date.

An item already turned into a client request shows the request's key and keeps the link.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from clientdesk.store.clock import parse_date
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.models import ActionItem
from clientdesk.store.text import printable
from clientdesk.widgets.record_form import compact_input


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
            yield compact_input(item.text if item else "", "what is to be done", "action-text")
            yield compact_input(item.owner if item else "", "owner", "action-owner")
            due = item.due.isoformat() if item and item.due else ""
            yield compact_input(due, "YYYY-MM-DD", "action-due")
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
