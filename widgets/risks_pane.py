"""The Risks pane: the project's risk register, scored probability x impact.

The table lists the risks by score, highest first. Quick filters (threats,
opportunities, mine, review overdue) and a chosen heat map cell narrow it;
the heat map sits beside the table on a wide terminal and has its own view on
a narrow one. Status moves are asked of the app (:class:`RisksPane.MoveStatus`);
the pane never saves anything itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on
from textual.actions import parse
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive

from clientdesk.store.enums import RiskKind, RiskStatus
from clientdesk.store.paths import current_user
from clientdesk.store.risk_register import register_counts
from clientdesk.widgets.actions import Action, bindings, key_of
from clientdesk.widgets.cells import (
    ALERT_STYLE,
    BAND_STYLES,
    DATE_FIT,
    band_score,
    day,
    key_width,
    label_of,
    plain,
)
from clientdesk.widgets.record_table import (
    Column,
    PreparedRows,
    RecordTable,
    RowContext,
    TableState,
    prepare_rows,
)
from clientdesk.widgets.record_table_pane import (
    FillParts,
    FillSource,
    PreparedFill,
    RecordTablePane,
    counted,
)
from clientdesk.widgets.risk_heat_map import RiskHeatMap, every_view_counts, levels_of
from clientdesk.widgets.tab_titles import TitleDetail

if TYPE_CHECKING:
    from clientdesk.store.models import Project, Risk
    from clientdesk.store.snapshot import Snapshot


def _review(risk: Risk, context: RowContext) -> Text:
    overdue = risk.review_overdue(context.now.astimezone(context.zone).date())
    return day(risk.next_review, ALERT_STYLE if overdue else "")


def _status(risk: Risk, context: RowContext) -> Text:
    return label_of(risk.status, "dim" if risk.status is RiskStatus.CLOSED else "")


RISK_COLUMNS: list[Column[Risk]] = [
    Column("key", "Key", lambda r, c: plain(r.key), 5, fit_content=True, measure=key_width),
    Column(
        "kind",
        "Kind",
        lambda r, c: label_of(r.kind),
        11,
        drop_order=2,
        short=Column("kind_short", "T/O", lambda r, c: plain(str(r.kind)[0].upper()), 3),
    ),
    Column("title", "Title", lambda r, c: plain(r.title), 20, flex=True, ideal=32),
    Column("probability", "P", lambda r, c: plain(r.probability), 1),
    Column("impact", "I", lambda r, c: plain(r.impact), 1),
    Column("score", "Score", lambda r, c: band_score(r.score, r.band), 5),
    Column(
        "band", "Band", lambda r, c: plain(r.band, BAND_STYLES.get(r.band, "")), 8, drop_order=5
    ),
    Column("response", "Response", lambda r, c: label_of(r.response), 8),
    Column("owner", "Owner", lambda r, c: plain(r.owner), 14, drop_order=3),
    Column("status", "Status", _status, 10),
    Column("review", "Review", _review, 10, drop_order=4, **DATE_FIT),
]
"""The columns of the risk register."""


QUICK_FILTERS: dict[str, str] = {
    "all": "all risks",
    "threats": "threats",
    "opportunities": "opportunities",
    "mine": "mine",
    "overdue": "review overdue",
}
"""The quick filters in the order the cycle key steps through them, with their labels."""

WIDE_WIDTH = 110
"""From this width on, the heat map is shown beside the table; below it, on its own view."""


def _key_number(risk: Risk) -> int:
    _, _, number = risk.key.rpartition("-")
    return int(number) if number.isdigit() else 0


def by_score(risks: Iterable[Risk]) -> list[Risk]:
    """Risks by score, highest first; ties by key number."""
    return sorted(risks, key=lambda risk: (-risk.score, _key_number(risk)))


def risks_tab_title(title: str, top: int, overdue: int, detail: TitleDetail = "full") -> str:
    """The Risks tab's title with its counts of top risks and overdue reviews.

    "Risks · 4 top · 2 overdue" in full, "Risks · 4 top · 2!" short, "Risks
    4/2!" shortest (see :func:`~clientdesk.widgets.tab_titles.fit_tab_titles`).
    A count of 0 is left out, so a quiet register reads just ``title``.
    """
    if detail == "shortest":
        counts = "/".join([*([str(top)] if top else []), *([f"{overdue}!"] if overdue else [])])
        return f"{title} {counts}" if counts else title
    parts = [title]
    if top:
        parts.append(f"{top} top")
    if overdue:
        parts.append(f"{overdue} overdue" if detail == "full" else f"{overdue}!")
    return " · ".join(parts)


# -- the fill, made off the UI thread ---------------------------------------------------

Cell = tuple[str, bool, int, int]
"""A heat map cell the table is narrowed to: kind, residual, probability, impact."""


def risk_passes(risk: Risk, quick_filter: str, cell: Cell | None, me: str, today: date) -> bool:
    """True when ``risk`` passes ``quick_filter`` and the heat map ``cell``.

    Args:
        risk: the risk.
        quick_filter: a key of :data:`QUICK_FILTERS`.
        cell: the heat map cell chosen (None: none).
        me: the user's name, casefolded (what "mine" means).
        today: the date in the project's time zone (for "review overdue").
    """
    if quick_filter == "threats" and risk.kind != RiskKind.THREAT:
        return False
    if quick_filter == "opportunities" and risk.kind != RiskKind.OPPORTUNITY:
        return False
    if quick_filter == "mine" and risk.owner.casefold() != me:
        return False
    if quick_filter == "overdue" and not risk.review_overdue(today):
        return False
    if cell is not None:
        kind, residual, probability, impact = cell
        if risk.kind != kind or levels_of(risk, residual) != (probability, impact):
            return False
        if risk.status is RiskStatus.CLOSED:
            return False
    return True


@dataclass(frozen=True)
class RisksFillState:
    """What the Risks pane's rows depend on besides the data: its quick filter and map cell."""

    quick_filter: str
    """A key of :data:`QUICK_FILTERS`."""
    cell: Cell | None
    """The heat map cell the table is narrowed to (None: none)."""
    table: TableState[Risk]
    """The table's columns and text filter."""


@dataclass(frozen=True, eq=False)
class PreparedRisks(PreparedFill):
    """The Risks pane's fill, made in a worker thread (see :func:`prepare_risks`)."""

    state: RisksFillState
    """The filters the rows were made for."""
    risks: list[Risk]
    """Every risk of the project, highest score first."""
    me: str
    """The user's name, casefolded, as "mine" was read."""
    rows: PreparedRows[Risk]
    """The table's rows: those that pass the filters."""
    counts: tuple[int, int]
    """Top risks and overdue reviews (see :func:`register_counts`)."""
    map_counts: dict[tuple[str, bool], Counter[tuple[int, int]]]
    """The heat map's counts per cell, for each kind, inherent and residual."""


def prepare_risks(
    source: FillSource, state: RisksFillState, *, risks: list[Risk] | None = None
) -> PreparedRisks:
    """The Risks pane's rows for ``source`` in ``state`` (any thread).

    Args:
        source: the snapshot, project and moment to show.
        state: the pane's filters, read on the UI thread.
        risks: the project's risks by score, when already read (a filter key).
    """
    # Imported here, not at the top: keeps pydantic out of start-up.
    from clientdesk.store.models import Risk

    snapshot, project, now = source.snapshot, source.project, source.now
    context = RowContext(project, snapshot, now)
    if risks is None:
        risks = by_score(snapshot.of_project(Risk, project.id))
    today = now.astimezone(context.zone).date()
    # Who "mine" means is read once per fill, not once per row: it asks the OS.
    me = current_user().casefold()
    passing = [r for r in risks if risk_passes(r, state.quick_filter, state.cell, me, today)]
    rows = prepare_rows(passing, context, state.table)
    counts = register_counts(risks, today)
    return PreparedRisks(state, source, risks, me, rows, counts, every_view_counts(risks))


class RisksPane(RecordTablePane):
    """The risk register: threats and opportunities by score, with quick filters and a heat map."""

    DEFAULT_CSS = """
    RisksPane #risk-body {
        height: 1fr;
    }
    RisksPane RiskHeatMap {
        display: none;
    }
    RisksPane.-wide RiskHeatMap {
        display: block;
        border-left: vkey $foreground 20%;
    }
    RisksPane.-map-only RiskHeatMap {
        display: block;
        width: 1fr;
    }
    RisksPane.-map-only #risk-table {
        display: none;
    }
    """

    ACTION_SCOPE = "risks"
    BINDINGS = bindings("risks", explained=True)

    NOUN = "risk"

    quick_filter: reactive[str] = reactive("all", init=False)
    """Which quick filter is on: a key of :data:`QUICK_FILTERS`."""

    map_only: reactive[bool] = reactive(False, init=False)
    """On a narrow terminal: the heat map is shown instead of the table."""

    class MoveStatus(Message):
        """The user asked to move a risk to another status."""

        def __init__(self, risk: Risk, status: str) -> None:
            """Say which risk and where to."""
            super().__init__()
            self.risk = risk
            """The risk, as shown (its revision is the one the move is based on)."""
            self.status = status
            """The new status: ``open``, ``monitoring``, ``occurred`` or ``closed``."""

    def __init__(self, *, id: str | None = None) -> None:
        """Create the empty pane."""
        super().__init__(id=id)
        self._risks: list[Risk] = []
        self._row_context: RowContext | None = None
        self._cell: Cell | None = None
        self._me = ""  # the user's name, casefolded; read once per fill (see prepare_risks)
        self._counts = (0, 0)

    def compose_tables(self) -> ComposeResult:
        """The table of risks with the heat map beside it."""
        with Horizontal(id="risk-body"):
            yield RecordTable(RISK_COLUMNS, id="risk-table")
            yield RiskHeatMap(id="risk-map")

    def show(self, snapshot: Snapshot, project: Project, now: datetime) -> None:
        """Show the risks of ``project``, highest score first."""
        if self._row_context is not None and self._row_context.project.id != project.id:
            self._cell = None
        state = self.fill_state(search_ready=False)
        self.show_prepared(prepare_risks(FillParts(snapshot, project, now), state))

    def fill_state(self, *, search_ready: bool | None = None) -> RisksFillState:
        """The quick filter, map cell and text filter the rows depend on (see the base)."""
        table = self.query_one("#risk-table", RecordTable)
        return RisksFillState(
            self.quick_filter, self._cell, table.fill_state(search_ready=search_ready)
        )

    @classmethod
    def prepare_fill(cls, source: FillSource, state: object) -> PreparedRisks:
        """The rows for ``source`` in ``state``, filtered (in a worker thread)."""
        assert isinstance(state, RisksFillState)
        return prepare_risks(source, state)

    def show_prepared(self, prepared: PreparedFill) -> bool:
        """Swap in rows made by :func:`prepare_risks` (False: made for other filters)."""
        if not isinstance(prepared, PreparedRisks):
            return False
        state, table = prepared.state, self.query_one("#risk-table", RecordTable)
        shown = self._row_context
        if shown is not None and shown.project.id != prepared.source.project.id and self._cell:
            return False  # another project: the map cell is dropped first (see show)
        if (state.quick_filter, state.cell) != (self.quick_filter, self._cell):
            return False
        if not table.can_swap_in(prepared.rows):
            return False
        self._row_context = prepared.rows.context
        self._risks = prepared.risks
        self._me = prepared.me
        self._counts = prepared.counts
        table.swap_in(prepared.rows)
        self.heat_map.set_risks(prepared.risks, prepared.map_counts)
        self.refresh_status()
        self.refresh_bindings()
        return True

    # -- what the app and the tests read -------------------------------------------

    @property
    def heat_map(self) -> RiskHeatMap:
        """The heat map."""
        return self.query_one(RiskHeatMap)

    @property
    def is_closed(self) -> bool:
        """True when the project shown is closed: its risks cannot change."""
        return self._row_context is not None and self._row_context.project.is_closed

    def reveal(self, record_id: str) -> bool:
        """Put the cursor on the risk, first dropping a quick filter or map cell that hides it."""
        risk = next((r for r in self._risks if r.id == record_id), None)
        if risk is not None and not self.passes(risk):
            self._drop_cell()
            self.quick_filter = "all"
        return super().reveal(record_id)

    def passes(self, risk: Risk) -> bool:
        """True when ``risk`` passes the quick filter and the heat map cell."""
        if self._row_context is None:
            return risk_passes(risk, self.quick_filter, self._cell, self._me, date.min)
        return risk_passes(risk, self.quick_filter, self._cell, self._me, self._today())

    def status_text(self) -> str:
        """How many risks, how many are top risks and overdue, and what filters are on."""
        text = super().status_text()
        if not self._risks:
            return text
        if self.quick_filter != "all" or self._cell is not None:
            shown = sum(table.shown_count for table in self.tables)
            text = f"{shown} of {counted(len(self._risks), self.NOUN)}"
        top, overdue = self._counts
        parts = [text, f"{top} high or critical", counted(overdue, "review") + " overdue"]
        if self.quick_filter != "all":
            parts.append(f"showing {QUICK_FILTERS[self.quick_filter]}")
        if self._cell is not None:
            kind, residual, probability, impact = self._cell
            kinds = "threats" if kind == RiskKind.THREAT else "opportunities"
            where = f"{'residual ' if residual else ''}P{probability} I{impact}"
            parts.append(f"{kinds} at {where}")
        return " · ".join(parts)

    def focus_table(self) -> None:
        """Focus the table, or the heat map when it is shown on its own."""
        if self.map_only:
            self.heat_map.focus()
        else:
            super().focus_table()

    # -- actions ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Escape clears a heat map cell too."""
        if action == "clear_filter":
            return super().check_action(action, parameters) or self._cell is not None
        return super().check_action(action, parameters)

    @property
    def shown_project(self) -> Project | None:
        """The project whose risks are shown."""
        return self._row_context.project if self._row_context is not None else None

    def refusal(self, action: Action) -> str:
        """Why ``action`` cannot act on the risk under the cursor ("" when it can)."""
        if action.scope != "risks" or not action.writes:
            return ""
        risk = self._selected_risk()
        if risk is None:
            return self.nothing_selected()
        from clientdesk.store.rules import NEXT_RISK_STATUS

        status = RiskStatus(risk.status)
        if action.id == "risk.next":
            if status in NEXT_RISK_STATUS:
                return ""
            if status is RiskStatus.CLOSED:
                return f"{risk.key} is closed: {key_of('risk.reopen')} reopens it."
            occurred, close = key_of("risk.occurred"), key_of("risk.close")
            return f"{risk.key} is {status.value}: {occurred} marks it occurred, {close} closes it."
        _, _, parameters = parse(action.run)
        if status.value == parameters[0]:
            return f"{risk.key} is {status.value} already."
        return ""

    def action_next_status(self) -> None:
        """Ask the app to move the risk under the cursor to its next status."""
        from clientdesk.store.rules import NEXT_RISK_STATUS

        risk = self._selected_risk()
        if risk is not None and RiskStatus(risk.status) in NEXT_RISK_STATUS:
            self.post_message(self.MoveStatus(risk, NEXT_RISK_STATUS[RiskStatus(risk.status)]))

    def action_move(self, status: str) -> None:
        """Ask the app to move the risk under the cursor to ``status``."""
        risk = self._selected_risk()
        if risk is not None and risk.status != status:
            self.post_message(self.MoveStatus(risk, status))

    def _selected_risk(self) -> Risk | None:
        from clientdesk.store.models import Risk

        risk = self.selected_record
        return risk if isinstance(risk, Risk) else None

    def action_cycle_filter(self) -> None:
        """Step to the next quick filter."""
        names = list(QUICK_FILTERS)
        self.quick_filter = names[(names.index(self.quick_filter) + 1) % len(names)]

    def action_heat_map(self) -> None:
        """Narrow: switch between the table and the map. Wide: move between them."""
        if self.has_class("-wide"):
            if self.heat_map.has_focus:
                super().focus_table()
            else:
                self.heat_map.focus()
            return
        self.map_only = not self.map_only

    def action_toggle_residual(self) -> None:
        """Show residual or inherent levels on the map."""
        self.heat_map.residual = not self.heat_map.residual
        self._drop_cell()

    def action_toggle_map_kind(self) -> None:
        """Show the other kind (threats or opportunities) on the map."""
        heat_map = self.heat_map
        heat_map.kind = (
            RiskKind.OPPORTUNITY.value
            if heat_map.kind == RiskKind.THREAT
            else RiskKind.THREAT.value
        )
        self._drop_cell()

    def action_clear_filter(self) -> None:
        """Clear the text filter and the heat map cell."""
        self._cell = None
        self.heat_map.selected = None
        super().action_clear_filter()
        self._refill()

    # -- internals -------------------------------------------------------------------

    def _today(self) -> date:
        context = self._row_context
        assert context is not None
        return context.now.astimezone(context.zone).date()

    def _refill(self) -> None:
        if self._row_context is None:
            return
        context = self._row_context
        source = FillParts(context.snapshot, context.project, context.now)
        state = self.fill_state(search_ready=False)
        self.show_prepared(prepare_risks(source, state, risks=self._risks))

    def _drop_cell(self) -> None:
        if self._cell is not None:
            self._cell = None
            self.heat_map.selected = None
            self._refill()

    def watch_quick_filter(self) -> None:
        """Apply the quick filter; a kind filter also turns the map to that kind."""
        if self.quick_filter == "threats":
            self.heat_map.kind = RiskKind.THREAT.value
        elif self.quick_filter == "opportunities":
            self.heat_map.kind = RiskKind.OPPORTUNITY.value
        self._refill()

    def watch_map_only(self, map_only: bool) -> None:
        """Show the map on its own (or the table again) and focus what is shown."""
        self.set_class(map_only, "-map-only")
        self.focus_table()

    def on_resize(self, event: events.Resize) -> None:
        """Show the map beside the table when the pane is wide enough."""
        wide = event.size.width >= WIDE_WIDTH
        self.set_class(wide, "-wide")
        if wide and self.map_only:
            self.map_only = False

    @on(RiskHeatMap.CellSelected)
    def _cell_selected(self, event: RiskHeatMap.CellSelected) -> None:
        event.stop()
        heat_map = self.heat_map
        heat_map.selected = event.cell
        if event.cell is None:
            self._cell = None
        else:
            self._cell = (heat_map.kind, heat_map.residual, *event.cell)
        self._refill()
        if self.map_only and event.cell is not None:
            self.map_only = False  # on a narrow terminal: show the risks of the cell
