"""The closing gates as a list: each gate passed or failed, its blockers one key away.

A failed gate reads ``✗ Requests closed or handed over — REQ-3, REQ-7, +4 more``.
``enter`` (or ``right``) on it unfolds its blockers one per line; ``enter`` on a
blocker asks to go to that record (:class:`ClosingGates.BlockerChosen`), which
the app does by showing its pane with the cursor on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from clientdesk.store.text import printable
from clientdesk.widgets.actions import bindings
from clientdesk.widgets.cells import ALERT_STYLE

if TYPE_CHECKING:
    from clientdesk.store.closing import Blocker, Gate

GATE_LABELS: dict[str, str] = {
    "requests": "Requests closed or handed over",
    "risks": "Risks closed or handed over",
    "meetings": "No meeting still planned",
    "checklist": "Checklist items done or waived",
}
"""The short title of each gate, by name (the store's titles are long for a pane)."""

KEYS_SHOWN = 3
"""How many blocker keys a folded gate names before "+N more"."""

PASSED_STYLE = "bold green"
"""Style of a passed gate's tick."""


def gate_label(gate: Gate) -> str:
    """The gate's short title (its own title for a gate this list does not know)."""
    return GATE_LABELS.get(gate.name, gate.title)


def blocker_keys(blockers: Sequence[Blocker], shown: int = KEYS_SHOWN) -> str:
    """The first ``shown`` keys and how many more: ``REQ-3, REQ-7, +4 more``."""
    keys = [blocker.key for blocker in blockers[:shown]]
    if len(blockers) > shown:
        keys.append(f"+{len(blockers) - shown} more")
    return printable(", ".join(keys))  # keys of a hand-edited file may hold anything


def _user_text(value: str) -> str:
    return value if value.isprintable() else printable(value)


class ClosingGates(OptionList):
    """The four gates, one line each; a failed gate unfolds into its blockers."""

    DEFAULT_CSS = """
    ClosingGates {
        height: auto;
        max-height: 12;
        border: none;
        padding: 0;
        background: transparent;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ClosingGates:focus {
        border: none;
        background-tint: $foreground 5%;
    }
    ClosingGates > .option-list--option {
        padding: 0 1;
    }
    """

    BINDINGS = bindings("gates")

    class BlockerChosen(Message):
        """The user asked to go to a blocker: ``enter`` on it."""

        def __init__(self, blocker: Blocker) -> None:
            """Say which blocker."""
            super().__init__()
            self.blocker = blocker
            """The record that keeps a gate from passing."""

    def __init__(self, *, id: str | None = None) -> None:
        """Create the empty list."""
        super().__init__(id=id)
        self._gates: list[Gate] = []
        self._unfolded: set[str] = set()

    @property
    def gates(self) -> list[Gate]:
        """The gates shown, in order."""
        return list(self._gates)

    @property
    def unfolded(self) -> frozenset[str]:
        """The names of the gates whose blockers are listed."""
        return frozenset(self._unfolded)

    def set_gates(self, gates: Sequence[Gate]) -> None:
        """Show ``gates``; the cursor stays on the same line when it is still there."""
        highlighted = self.highlighted_option
        keep = highlighted.id if highlighted is not None else None
        self._gates = list(gates)
        self._unfolded &= {gate.name for gate in gates if not gate.passed}
        self._rebuild(keep)

    # -- actions ---------------------------------------------------------------------

    def action_unfold(self) -> None:
        """List the blockers of the failed gate under the cursor."""
        gate = self._gate_at_cursor()
        if gate is not None and not gate.passed and gate.name not in self._unfolded:
            self._unfolded.add(gate.name)
            self._rebuild(f"gate:{gate.name}")

    def action_fold(self) -> None:
        """Hide the blockers of the gate under the cursor (or of the blocker's gate)."""
        gate = self._gate_at_cursor()
        if gate is not None and gate.name in self._unfolded:
            self._unfolded.discard(gate.name)
            self._rebuild(f"gate:{gate.name}")

    # -- internals -------------------------------------------------------------------

    def _gate_at_cursor(self) -> Gate | None:
        option = self.highlighted_option
        if option is None or option.id is None:
            return None
        name = option.id.split(":")[1]
        return next((gate for gate in self._gates if gate.name == name), None)

    def _rebuild(self, keep: str | None) -> None:
        options: list[Option] = []
        for gate in self._gates:
            options.append(Option(self._gate_line(gate), id=f"gate:{gate.name}"))
            if gate.name in self._unfolded:
                for index, blocker in enumerate(gate.blockers):
                    line = self._blocker_line(blocker)
                    options.append(Option(line, id=f"blocker:{gate.name}:{index}"))
        self.clear_options()
        self.add_options(options)
        if not options:
            return
        cursor: int | None = None
        if keep is not None:
            cursor = next((i for i, option in enumerate(options) if option.id == keep), None)
            if cursor is None and keep.startswith("blocker:"):
                # The blocker was settled: stay on its gate.
                gate_id = "gate:" + keep.split(":")[1]
                cursor = next((i for i, option in enumerate(options) if option.id == gate_id), None)
        self.highlighted = cursor if cursor is not None else 0

    def _gate_line(self, gate: Gate) -> Text:
        if gate.passed:
            return Text.assemble("  ", ("✓ ", PASSED_STYLE), gate_label(gate))
        fold = "▾ " if gate.name in self._unfolded else "▸ "
        return Text.assemble(
            fold,
            (f"✗ {gate_label(gate)}", ALERT_STYLE),
            " — ",
            blocker_keys(gate.blockers),
        )

    def _blocker_line(self, blocker: Blocker) -> Text:
        return Text.assemble(
            "      ",
            (blocker.key, "bold"),
            "  ",
            _user_text(blocker.title),
            (f" — {blocker.why}", "dim"),
        )

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        if option_id.startswith("gate:"):
            gate = self._gate_at_cursor()
            if gate is not None and gate.name in self._unfolded:
                self.action_fold()
            else:
                self.action_unfold()
            return
        _, name, index = option_id.split(":")
        gate = next((gate for gate in self._gates if gate.name == name), None)
        if gate is not None and int(index) < len(gate.blockers):
            self.post_message(self.BlockerChosen(gate.blockers[int(index)]))
