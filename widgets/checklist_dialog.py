"""A modal dialog that ticks a closing checklist item: the evidence, and the score if asked.

The evidence note says what shows the item is done: a document link, a
signed-off name. An item that asks for a score (the satisfaction survey) is
not ticked without one, 0 to 10.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from clientdesk.store.fields import read_score
from clientdesk.store.text import printable
from clientdesk.widgets.actions import bindings, key_of
from clientdesk.widgets.field_input import FieldInput


@dataclass(frozen=True)
class Tick:
    """What the user gave to tick an item."""

    evidence: str
    """The evidence note ("" when none was given)."""
    score: int | None
    """The score, for an item that asks one; otherwise None."""


class ChecklistDialog(ModalScreen[Tick | None]):
    """Ask for the evidence of a ticked item (and its score); dismiss with a :class:`Tick`."""

    DEFAULT_CSS = """
    ChecklistDialog {
        align: center middle;
    }
    ChecklistDialog > #tick-box {
        width: 70;
        max-width: 100%;
        height: auto;
        border: thick $success;
        background: $surface;
        padding: 1 2;
    }
    ChecklistDialog #tick-question {
        margin-bottom: 1;
    }
    ChecklistDialog .tick-row {
        height: auto;
    }
    ChecklistDialog .tick-label {
        width: 10;
        padding: 0 1 0 0;
        text-align: right;
    }
    ChecklistDialog Input {
        width: 1fr;
        background: $surface-lighten-1;
        padding: 0 1;
    }
    ChecklistDialog Input:focus {
        background: $primary-muted;
    }
    ChecklistDialog #tick-score-row {
        margin-top: 1;
    }
    ChecklistDialog #tick-error {
        color: $text-error;
        display: none;
    }
    ChecklistDialog #tick-error.-shown {
        display: block;
    }
    ChecklistDialog #tick-help {
        color: $text-muted;
        margin-top: 1;
    }
    """

    BINDINGS = bindings("tick")

    def __init__(
        self, key: str, title: str, *, asks_score: bool = False, given: Tick | None = None
    ) -> None:
        """Prepare the dialog.

        Args:
            key: the item's key, e.g. ``CHK-6``.
            title: the item's title (plain text, shown as typed).
            asks_score: the item records a score, which is then required.
            given: what is already filled in (e.g. typed before a save failed).
        """
        super().__init__()
        self._key = key
        self._title = title
        self._asks_score = asks_score
        self._given = given

    def compose(self) -> ComposeResult:
        """The question, the evidence input, the score input when asked, and the keys."""
        with Vertical(id="tick-box"):
            yield Static(
                Text.assemble(
                    "Tick ", (printable(self._key), "bold"), f" {printable(self._title)}"
                ),
                id="tick-question",
            )
            with Horizontal(classes="tick-row"):
                yield Label("Evidence", classes="tick-label")
                yield FieldInput(
                    self._given.evidence if self._given else "",
                    placeholder="e.g. signed PDF in the share, or who signed off",
                    compact=True,
                    id="tick-evidence",
                )
            if self._asks_score:
                with Horizontal(classes="tick-row", id="tick-score-row"):
                    yield Label("Score *", classes="tick-label")
                    score = self._given.score if self._given else None
                    yield FieldInput(
                        "" if score is None else str(score),
                        placeholder="0-10, e.g. 8",
                        compact=True,
                        max_length=5,
                        id="tick-score",
                    )
            yield Static(id="tick-error")
            yield Static(f"enter: tick · {key_of('tick.cancel')}: cancel", id="tick-help")

    def action_tick(self) -> None:
        """Dismiss with the evidence and the score; a missing or wrong score is refused."""
        evidence = self.query_one("#tick-evidence", Input).value.strip()
        score = None
        if self._asks_score:
            score_input = self.query_one("#tick-score", Input)
            score = read_score(score_input.value)
            if score is None:
                error = self.query_one("#tick-error", Static)
                error.update(Text("✗ the score is a whole number from 0 to 10"))
                error.add_class("-shown")
                score_input.focus()
                return
        self.dismiss(Tick(evidence, score))

    def action_cancel(self) -> None:
        """Close without ticking."""
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "tick-evidence" and self._asks_score:
            self.query_one("#tick-score", Input).focus()  # enter moves on to the score
            return
        self.action_tick()
