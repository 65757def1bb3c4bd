"""The dialog shown when a project cannot close: its failing gates and what blocks each.

It returns True when the user chooses to override (the caller then asks for
the reason that is recorded), False when they cancel. It may carry one
option to tick (cancelling the meetings still scheduled), read from
:attr:`CloseBlockedDialog.option_chosen` once answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Static

from clientdesk.widgets.actions import bindings, key_of
from clientdesk.widgets.cells import ALERT_STYLE
from clientdesk.widgets.closing_gates import blocker_keys, gate_label

if TYPE_CHECKING:
    from clientdesk.store.closing import Gate

KEYS_LISTED = 12
"""How many blocker keys of one gate the dialog names before "+N more"."""


def blockers_text(gates: Sequence[Gate], listed: int = KEYS_LISTED) -> Text:
    """The failing gates, each followed by the keys of its blockers on an indented line.

    Compact, so that the dialog fits an 80x24 terminal; the Closing pane lists
    each blocker with its title and state (``enter`` on a gate).
    """
    text = Text()
    for gate in gates:
        if gate.passed:
            continue
        if text:
            text.append("\n")
        text.append(f"✗ {gate_label(gate)}", style=ALERT_STYLE)
        text.append(f" ({len(gate.blockers)})", style="dim")
        text.append("\n    ")
        text.append(blocker_keys(gate.blockers, listed), style="bold")
    return text


class CloseBlockedDialog(ModalScreen[bool]):
    """Say why a project cannot close; dismiss True to override with a reason, else False."""

    DEFAULT_CSS = """
    CloseBlockedDialog {
        align: center middle;
    }
    CloseBlockedDialog > #close-box {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $error;
        background: $surface;
        padding: 1 2;
    }
    CloseBlockedDialog #close-question {
        margin-bottom: 1;
    }
    CloseBlockedDialog #close-blockers {
        height: auto;
        max-height: 14;
    }
    CloseBlockedDialog #close-option {
        margin-top: 1;
    }
    CloseBlockedDialog #close-option-note {
        padding-left: 2;
        color: $text-muted;
    }
    CloseBlockedDialog #close-buttons {
        height: auto;
        align-horizontal: right;
        margin-top: 1;
    }
    CloseBlockedDialog Button {
        margin-left: 2;
    }
    """

    BINDINGS = bindings("close_blocked")

    def __init__(
        self, project_key: str, gates: Sequence[Gate], *, option: str = "", option_note: str = ""
    ) -> None:
        """Prepare the dialog.

        Args:
            project_key: the project's key, e.g. ``ACME``.
            gates: every gate of the project (only the failing ones are listed).
            option: the label of a checkbox under the gates, unticked at
                first ("": none).
            option_note: a line under the checkbox on what ticking it does.
        """
        super().__init__()
        self._project_key = project_key
        self._gates = list(gates)
        self._option = option
        self._option_note = option_note
        self.option_chosen = False
        """True when the option's checkbox was ticked as the dialog was answered."""

    def compose(self) -> ComposeResult:
        """The question, the failing gates with their blockers, and the two buttons."""
        failing = sum(1 for gate in self._gates if not gate.passed)
        gates = "gate fails" if failing == 1 else "gates fail"
        with Vertical(id="close-box"):
            yield Static(
                Text(
                    f"{self._project_key} cannot close yet: {failing} {gates}. Settle what "
                    "blocks them, or close anyway with a reason that is recorded."
                ),
                id="close-question",
            )
            with VerticalScroll(id="close-blockers"):
                yield Static(blockers_text(self._gates), id="close-blocker-list")
            if self._option:
                yield Checkbox(Text(self._option), compact=True, id="close-option")
                if self._option_note:
                    yield Static(Text(self._option_note), id="close-option-note")
            with Horizontal(id="close-buttons"):
                yield Button(f"Cancel ({key_of('close.cancel')})", id="cancel")
                yield Button(
                    f"Override with a reason… ({key_of('close.override')})",
                    variant="error",
                    id="override",
                )

    def on_mount(self) -> None:
        """Start on the option when there is one (space ticks it), else on "cancel"."""
        if self._option:
            self.query_one("#close-option", Checkbox).focus()
        else:
            self.query_one("#cancel", Button).focus()

    def action_answer(self, override: bool) -> None:
        """Close the dialog: True to go on to the override reason."""
        self._answer(override)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._answer(event.button.id == "override")

    def _answer(self, override: bool) -> None:
        if self._option:
            self.option_chosen = self.query_one("#close-option", Checkbox).value
        self.dismiss(override)
