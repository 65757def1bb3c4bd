"""The dialog that moves one occurrence of a meeting: new start, duration and place.

The start is typed in the meeting's own time zone (the one its invite is in)
and prefilled with where the occurrence is now; a line above the buttons
says what the attendees will get (the caller words it). It returns a
:class:`MoveResult`; the caller saves it through
:func:`~clientdesk.store.calendar.move_occurrence`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from clientdesk.store.calendar import Occurrence
from clientdesk.store.clock import parse_datetime, twice_note, zone
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.fields import parse_minutes
from clientdesk.store.text import printable
from clientdesk.widgets.actions import bindings, key_of
from clientdesk.widgets.cells import DATETIME_FORMAT
from clientdesk.widgets.field_input import FieldInput
from clientdesk.widgets.record_form import ControlPictures


@dataclass(frozen=True)
class MoveResult:
    """Where and when the occurrence is to take place.

    Attributes:
        start: the new start (aware, in the meeting's zone).
        duration_minutes: the new length.
        location: the new place, or None when it was left as it was.
    """

    start: datetime
    duration_minutes: int
    location: str | None


class MoveOccurrenceDialog(ModalScreen[MoveResult | None]):
    """Start, duration and location of one occurrence; errors under their inputs."""

    DEFAULT_CSS = """
    MoveOccurrenceDialog {
        align: center middle;
    }
    MoveOccurrenceDialog > #move-box {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    MoveOccurrenceDialog #move-title {
        text-style: bold;
        padding: 0 1;
        margin-bottom: 1;
    }
    MoveOccurrenceDialog .move-row {
        height: auto;
    }
    MoveOccurrenceDialog .move-row > Label {
        width: 10;
        padding-right: 1;
        text-align: right;
    }
    MoveOccurrenceDialog .move-row > Input {
        width: 1fr;
        background: $surface-lighten-1;
        padding: 0 1;
    }
    MoveOccurrenceDialog .move-row > Input:focus {
        background: $primary-muted;
    }
    MoveOccurrenceDialog .move-error {
        height: auto;
        padding-left: 11;
        color: $text-error;
    }
    MoveOccurrenceDialog #move-note {
        padding: 0 1;
        margin-top: 1;
        color: $text-muted;
    }
    MoveOccurrenceDialog #move-buttons {
        height: auto;
        align-horizontal: right;
    }
    MoveOccurrenceDialog #move-buttons Button {
        margin-left: 2;
    }
    """

    BINDINGS = bindings("move")

    def __init__(self, occurrence: Occurrence, *, note: str = "") -> None:
        """Prepare the dialog for ``occurrence`` (prefilled with its time and place).

        Args:
            occurrence: the occurrence to move.
            note: one plain-text line on what the attendees get ("": none).
        """
        super().__init__()
        self.occurrence = occurrence
        """The occurrence to move."""
        self._note = note
        self._zone_name = occurrence.meeting.timezone

    def compose(self) -> ComposeResult:
        """The title, three inputs with an error line each, and the buttons."""
        occurrence = self.occurrence
        local = occurrence.start.astimezone(zone(self._zone_name))
        with Vertical(id="move-box"):
            title = Text("Move ")
            title.append(occurrence.meeting.key or "meeting", "bold")
            title.append(f" {printable(occurrence.meeting.title)}")
            title.append(f" · times in {self._zone_name}", "dim")
            yield Static(title, id="move-title")
            yield from self._row("start", "Start", local.strftime(DATETIME_FORMAT))
            yield from self._row("duration", "Duration", str(occurrence.duration_minutes))
            yield from self._row("location", "Location", occurrence.location)
            if self._note:
                yield Static(Text(printable(self._note)), id="move-note")
            with Horizontal(id="move-buttons"):
                yield Button(f"Cancel ({key_of('move.cancel')})", compact=True, id="cancel")
                yield Button(
                    f"Move ({key_of('move.save')})", variant="primary", compact=True, id="move"
                )

    def _row(self, name: str, label: str, value: str) -> ComposeResult:
        yield Horizontal(
            Label(Text(label)),
            FieldInput(value, compact=True, id=f"move-{name}", highlighter=ControlPictures()),
            classes="move-row",
        )
        yield Static(id=f"move-{name}-error", classes="move-error")

    def on_mount(self) -> None:
        """Start in the start input."""
        self.query_one("#move-start", Input).focus()

    def result(self) -> MoveResult | None:
        """What the inputs say, or None after showing an error under each bad one."""
        start: datetime | None = None
        duration: int | None = None
        errors: dict[str, ValidationFailed | None] = {"start": None, "duration": None}
        try:
            start = parse_datetime(self.query_one("#move-start", Input).value, self._zone_name)
        except ValidationFailed as error:
            errors["start"] = error
        try:
            duration = parse_minutes(self.query_one("#move-duration", Input).value)
        except ValidationFailed as error:
            errors["duration"] = error
        for name, problem in reversed(errors.items()):  # reversed: the first bad one has focus
            self._show_error(name, problem)
        if start is None or duration is None:
            return None
        location = self.query_one("#move-location", Input).value.strip()
        unchanged = location == self.occurrence.location
        return MoveResult(start, duration, None if unchanged else location)

    def _show_error(self, name: str, error: ValidationFailed | None) -> None:
        self.query_one(f"#move-{name}-error", Static).update(Text(f"✗ {error}" if error else ""))
        if error is not None:
            self.query_one(f"#move-{name}", Input).focus()

    def action_move(self) -> None:
        """Return the new time and place, unless an input is wrong."""
        result = self.result()
        if result is not None:
            note = twice_note(result.start)
            if note is not None:
                self.app.notify(
                    note, title="Time taken as the first", severity="warning", markup=False
                )
            self.dismiss(result)

    def action_cancel(self) -> None:
        """Close without moving."""
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_move()

    @on(Button.Pressed, "#move")
    def _move_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_move()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()
