"""The agenda of a meeting as rows to edit: title, presenter and minutes per point.

Used by the meeting form (the series' template) and the minutes form (what one
occurrence had); it shows the total against the meeting's length.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from clientdesk.store.errors import ValidationFailed
from clientdesk.store.models import AgendaItem
from clientdesk.widgets.record_form import compact_input


class AgendaRow(Horizontal):
    """One agenda point: title, presenter, minutes, and a button that removes it."""

    def __init__(self, item: AgendaItem | None) -> None:
        """Show ``item`` (None: an empty row)."""
        super().__init__(classes="agenda-row")
        self.item = item
        """The point the row started with."""

    def compose(self) -> ComposeResult:
        """Three inputs and the remove button."""
        item = self.item
        yield compact_input(item.title if item else "", "title", "agenda-title")
        yield compact_input(item.presenter if item else "", "presenter", "agenda-presenter")
        yield compact_input(str(item.minutes) if item else "", "min", "agenda-minutes")
        yield Button("✕", compact=True, classes="agenda-remove", tooltip="remove this item")

    def texts(self) -> tuple[str, str, str]:
        """The title, presenter and minutes as typed."""
        return cast(
            tuple[str, str, str],
            tuple(
                self.query_one(f".agenda-{name}", Input).value
                for name in ("title", "presenter", "minutes")
            ),
        )


class AgendaEditor(Widget):
    """Rows of agenda points, a button to add one, and the total against the duration."""

    DEFAULT_CSS = """
    AgendaEditor {
        height: auto;
    }
    AgendaEditor #agenda-rows, AgendaEditor .agenda-row, AgendaEditor #agenda-foot {
        height: auto;
    }
    AgendaEditor .agenda-row > Input {
        background: $surface-lighten-1;
        padding: 0 1;
        margin-right: 1;
    }
    AgendaEditor .agenda-row > Input:focus {
        background: $primary-muted;
    }
    AgendaEditor .agenda-title {
        width: 1fr;
    }
    AgendaEditor .agenda-presenter {
        width: 14;
    }
    AgendaEditor .agenda-minutes {
        width: 6;
    }
    AgendaEditor .agenda-remove {
        width: 3;
        min-width: 3;
    }
    AgendaEditor #agenda-total {
        width: 1fr;
        padding-left: 2;
        color: $text-muted;
    }
    AgendaEditor #agenda-total.-over {
        color: $text-warning;
        text-style: bold;
    }
    """

    duration: reactive[int | None] = reactive(None)
    """The meeting's length in minutes, which the total is shown against (None: unknown)."""

    class Changed(Message):
        """A point was added, removed or edited."""

    def __init__(
        self, items: Sequence[AgendaItem], *, duration: int | None, id: str | None = None
    ) -> None:
        """Prepare the editor with ``items`` and the meeting's ``duration``."""
        super().__init__(id=id)
        self._items = list(items)
        self.set_reactive(AgendaEditor.duration, duration)

    def compose(self) -> ComposeResult:
        """The rows, then the add button and the total."""
        with Vertical(id="agenda-rows"):
            for item in self._items:
                yield AgendaRow(item)
        with Horizontal(id="agenda-foot"):
            yield Button("+ agenda item", compact=True, id="agenda-add")
            yield Static(id="agenda-total")

    def on_mount(self) -> None:
        """Show the total."""
        self._show_total()

    def rows(self) -> list[AgendaRow]:
        """The rows, top to bottom."""
        return list(self.query(AgendaRow))

    @property
    def state(self) -> str:
        """Every row's texts as one text (to tell whether anything changed)."""
        if not self.is_mounted:
            return "\n".join(f"{i.title}\t{i.presenter}\t{i.minutes}" for i in self._items)
        return "\n".join("\t".join(row.texts()) for row in self.rows())

    def total_minutes(self) -> int:
        """The minutes the readable rows allot."""
        total = 0
        for row in self.rows():
            minutes = row.texts()[2].strip()
            if minutes.isdigit():
                total += int(minutes)
        return total

    def items(self) -> list[AgendaItem]:
        """The agenda as typed; rows left wholly blank are dropped.

        Raises:
            ValidationFailed: a row has no title, or minutes that are not a number.
        """
        items = []
        for number, row in enumerate(self.rows(), start=1):
            title, presenter, minutes = (text.strip() for text in row.texts())
            if not (title or presenter or minutes):
                continue
            if not title:
                raise ValidationFailed(f"agenda item {number} needs a title")
            if minutes and not minutes.isdigit():
                raise ValidationFailed(
                    f"agenda item {number}: {minutes!r} is not a number of minutes"
                )
            items.append(AgendaItem(title=title, presenter=presenter, minutes=int(minutes or 0)))
        return items

    def watch_duration(self) -> None:
        """Compare the total with the new duration."""
        if self.is_mounted:
            self._show_total()

    def _show_total(self) -> None:
        total = self.total_minutes()
        label = self.query_one("#agenda-total", Static)
        over = self.duration is not None and total > self.duration
        label.set_class(over, "-over")
        if self.duration is None:
            label.update(Text(f"agenda {total} min"))
        elif over:
            label.update(Text(f"⚠ agenda {total} of {self.duration} min: too long"))
        else:
            label.update(Text(f"agenda {total} of {self.duration} min"))

    @on(Input.Changed)
    def _row_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._show_total()
        self.post_message(self.Changed())

    @on(Button.Pressed, "#agenda-add")
    async def _add(self, event: Button.Pressed) -> None:
        event.stop()
        row = AgendaRow(None)
        await self.query_one("#agenda-rows").mount(row)
        row.query_one(".agenda-title", Input).focus()
        self.post_message(self.Changed())

    @on(Button.Pressed, ".agenda-remove")
    async def _remove(self, event: Button.Pressed) -> None:
        event.stop()
        row = event.button.parent
        if isinstance(row, AgendaRow):
            await row.remove()
        self._show_total()
        self.post_message(self.Changed())
