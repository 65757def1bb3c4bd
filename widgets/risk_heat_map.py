"""The 5x5 risk heat map: probability up, impact across, a count of risks in each cell.

The map shows one kind at a time (threats or opportunities are never mixed)
and either the inherent or the residual levels; closed risks are left out.
The owner sets what it shows (:meth:`RiskHeatMap.set_risks` and the
reactives); the map reports a chosen cell with :class:`RiskHeatMap.CellSelected`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from clientdesk.store.enums import RiskKind, RiskStatus
from clientdesk.widgets.actions import bindings

if TYPE_CHECKING:
    from clientdesk.store.models import Risk

CELL_WIDTH = 6
"""Cells per heat map column."""

LEFT_MARGIN = 4
"""Cells left of the grid: the probability labels."""

TOP_MARGIN = 2
"""Lines above the grid: the title and the axis name."""

CELL_STYLES: dict[str, str] = {
    "low": "black on green3",
    "medium": "black on gold3",
    "high": "black on dark_orange",
    "critical": "white on red3",
}
"""Style of a heat map cell by the band of its score."""


def levels_of(risk: Risk, residual: bool) -> tuple[int, int] | None:
    """A risk's ``(probability, impact)``, inherent or residual (None when residual is unset)."""
    if not residual:
        return risk.probability, risk.impact
    if risk.residual_probability is None or risk.residual_impact is None:
        return None
    return risk.residual_probability, risk.residual_impact


def cell_counts(risks: Iterable[Risk], kind: str, residual: bool) -> Counter[tuple[int, int]]:
    """How many of ``risks`` of ``kind`` sit in each cell, inherent or ``residual`` (not closed)."""
    counted: Counter[tuple[int, int]] = Counter()
    for risk in risks:
        if risk.kind != kind or risk.status is RiskStatus.CLOSED:
            continue
        levels = levels_of(risk, residual)
        if levels is not None:
            counted[levels] += 1
    return counted


def every_view_counts(risks: Sequence[Risk]) -> dict[tuple[str, bool], Counter[tuple[int, int]]]:
    """:func:`cell_counts` for both kinds, inherent and residual (made off the UI thread)."""
    return {
        (str(kind.value), residual): cell_counts(risks, kind.value, residual)
        for kind in RiskKind
        for residual in (False, True)
    }


class RiskHeatMap(Widget, can_focus=True):
    """Counts of risks per probability x impact cell, coloured by band."""

    DEFAULT_CSS = """
    RiskHeatMap {
        width: 40;
        height: auto;
        min-height: 10;
        padding: 0 1;
    }
    RiskHeatMap:focus {
        background: $boost;
    }
    """

    BINDINGS = bindings("heat_map")

    residual: reactive[bool] = reactive(False)
    """Show residual levels instead of inherent ones."""

    kind: reactive[str] = reactive(RiskKind.THREAT.value)
    """Which risks the map counts: ``threat`` or ``opportunity``."""

    cursor: reactive[tuple[int, int]] = reactive((3, 3))
    """The cell under the cursor, ``(probability, impact)``."""

    selected: reactive[tuple[int, int] | None] = reactive(None)
    """The cell the table is filtered to, if any."""

    class CellSelected(Message):
        """The user chose a cell (or chose the selected one again, to clear it)."""

        def __init__(self, cell: tuple[int, int] | None) -> None:
            """Carry the cell: ``(probability, impact)``, or None for "all cells"."""
            super().__init__()
            self.cell = cell
            """The chosen cell, or None."""

    def __init__(self, *, id: str | None = None) -> None:
        """Create an empty map."""
        super().__init__(id=id)
        self._risks: list[Risk] = []
        self._counts: dict[tuple[str, bool], Counter[tuple[int, int]]] = {}

    def set_risks(
        self,
        risks: Iterable[Risk],
        counts: Mapping[tuple[str, bool], Counter[tuple[int, int]]] | None = None,
    ) -> None:
        """Count ``risks`` (of every kind; the map picks its own).

        Args:
            risks: the risks of the project.
            counts: the counts per cell already made for each kind and level
                (see :func:`every_view_counts`); made when first drawn otherwise.
        """
        self._risks = list(risks)
        self._counts = dict(counts) if counts is not None else {}
        self.refresh(layout=True)

    def counts(self) -> Counter[tuple[int, int]]:
        """How many risks of the map's kind sit in each cell (closed ones left out)."""
        view = (str(self.kind), self.residual)
        found = self._counts.get(view)
        if found is None:
            found = self._counts[view] = cell_counts(self._risks, *view)
        return Counter(found)

    def title(self) -> str:
        """What the map shows, e.g. "Threats · inherent"."""
        kind = "Threats" if self.kind == RiskKind.THREAT else "Opportunities"
        return f"{kind} · {'residual' if self.residual else 'inherent'}"

    def render(self) -> Text:
        """The title, the grid with probability 5 at the top, and the impact axis."""
        # Imported here: the rules module loads dateutil, which start-up does without.
        from clientdesk.store.rules import risk_band

        counts = self.counts()
        text = Text(no_wrap=True, end="")
        text.append(self.title(), style="bold")
        text.append("\n  P\n")
        for probability in range(5, 0, -1):
            text.append(f"{probability:>2} │")
            for impact in range(1, 6):
                count = counts.get((probability, impact), 0)
                style = CELL_STYLES[risk_band(probability * impact)]
                if (probability, impact) == self.selected:
                    style += " underline"
                label = str(count) if count else "·"
                if (probability, impact) == self.cursor and self.has_focus:
                    cell = f"[{label:^{CELL_WIDTH - 2}}]"
                    style += " bold reverse"
                else:
                    cell = f"{label:^{CELL_WIDTH}}"
                text.append(cell, style=style + (" bold" if count else " dim"))
            text.append("\n")
        text.append("   └" + "─" * (CELL_WIDTH * 5) + "\n")
        text.append("    " + "".join(f"{i:^{CELL_WIDTH}}" for i in range(1, 6)) + " I\n")
        total = sum(counts.values())
        text.append(f"{total} open {'risk' if total == 1 else 'risks'} on the map", style="dim")
        if self.selected is not None:
            text.append(f"\ntable: P{self.selected[0]} I{self.selected[1]}", style="bold")
        return text

    # -- keys and mouse ------------------------------------------------------------

    def action_move(self, probability_step: int, impact_step: int) -> None:
        """Move the cursor one cell, staying on the grid."""
        probability, impact = self.cursor
        self.cursor = (
            min(5, max(1, probability + probability_step)),
            min(5, max(1, impact + impact_step)),
        )

    def action_select_cell(self) -> None:
        """Filter the table to the cell under the cursor (again: clear the filter)."""
        self.post_message(self.CellSelected(None if self.selected == self.cursor else self.cursor))

    def on_click(self, event: events.Click) -> None:
        """Choose the cell clicked on."""
        row = event.y - TOP_MARGIN
        column = event.x - LEFT_MARGIN - 1  # padding
        if 0 <= row < 5 and 0 <= column < CELL_WIDTH * 5:
            self.cursor = (5 - row, column // CELL_WIDTH + 1)
            self.action_select_cell()

    def on_focus(self) -> None:
        """Show the cursor."""
        self.refresh()

    def on_blur(self) -> None:
        """Hide the cursor."""
        self.refresh()
