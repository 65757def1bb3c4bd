"""The Requests pane: the client's requests with their response clocks and change control.

The table lists the open requests, most urgent first: the running clock's
time left (or how far it is over) is a column of its own. Quick filters
(mine, breached, waiting on client, change requests), a toggle that shows
closed and rejected requests too, and a choice of sort narrow it down. Every
workflow move has its own key, offered only when the store's rules allow the
move; the pane asks the app for it (:class:`RequestsPane.MoveStatus`,
:class:`RequestsPane.AddComment`) and never saves anything itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.actions import parse
from textual.app import ComposeResult
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Label

from clientdesk.store.enums import ChangeDecision, Priority, RequestStatus, RequestType
from clientdesk.store.paths import current_user
from clientdesk.store.sla import format_duration, is_breached, read_clocks
from clientdesk.widgets.actions import Action, bindings
from clientdesk.widgets.cells import ALERT_STYLE, DATE_FIT, key_width, label_of, plain, when
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
from clientdesk.widgets.tab_titles import TitleDetail

if TYPE_CHECKING:
    from clientdesk.store.models import ClientRequest, Project, RequestClocks
    from clientdesk.store.sla import ClockReading
    from clientdesk.store.snapshot import Snapshot

PRIORITY_STYLES: dict[Priority, str] = {
    Priority.P1: "bold red",
    Priority.P2: "bold dark_orange",
    Priority.P3: "",
    Priority.P4: "dim",
}
"""Style of a request's priority."""

TYPE_LABELS: dict[RequestType, str] = {RequestType.CHANGE_REQUEST: "change req."}
"""Shorter labels for request types whose value is long."""

SHORT_TYPE_LABELS: dict[RequestType, str] = {
    RequestType.REQUIREMENT: "reqmt",
    RequestType.FEEDBACK: "feedbk",
    RequestType.CHANGE_REQUEST: "change",
    RequestType.QUESTION: "quest.",
    RequestType.COMPLAINT: "compl.",
}
"""Request types in six cells, for a narrow terminal."""

STATUS_LABELS: dict[RequestStatus, str] = {RequestStatus.WAITING_ON_CLIENT: "waiting"}
"""Shorter labels for statuses in the table (the clock column shows the pause as well)."""

CLOCK_NAMES: dict[str, str] = {"response": "resp", "resolution": "res"}
"""How the clock column names the first-response and the resolution clock."""

PAUSED_MARK = "⏸"
"""Put before a paused clock (the request waits on the client)."""

QUICK_FILTERS: dict[str, str] = {
    "open": "open",
    "mine": "mine",
    "breached": "breached",
    "waiting": "waiting on client",
    "changes": "changes",
}
"""The quick filters in the order the cycle key steps through them, with their labels."""

SORT_ORDERS: dict[str, str] = {
    "urgency": "sorted by urgency",
    "priority": "sorted by priority",
    "newest": "newest first",
    "key": "sorted by key",
}
"""The sort orders in the order the sort key steps through them, with their labels."""


# -- the tab title ----------------------------------------------------------------------


def requests_tab_title(title: str, breached: int, detail: TitleDetail = "full") -> str:
    """The Requests tab's title with its count (just ``title`` at 0).

    "Requests · 3 breached" in full, "Requests · 3!" short, "Requests 3!"
    shortest (see :func:`~clientdesk.widgets.tab_titles.fit_tab_titles`).
    """
    if not breached:
        return title
    return {
        "full": f"{title} · {breached} breached",
        "short": f"{title} · {breached}!",
        "shortest": f"{title} {breached}!",
    }[detail]


def clock_text(clocks: RequestClocks | None) -> Text:
    """The clock the table shows as a cell: "resp 2h 15m", "⏸ res 1d 2h", "res over 3h" (red).

    Which clock that is, is the store's rule (:attr:`RequestClocks.shown`), the
    same one the urgency sort reads. Blank when both clocks stopped (resolved)
    or the request is closed.
    """
    words, breached = _clock_words(clocks)
    return plain(words, ALERT_STYLE if breached else "")


def _clock_words(clocks: RequestClocks | None) -> tuple[str, bool]:
    """The words of :func:`clock_text`, and whether the clock shown is breached."""
    shown = clocks.shown if clocks is not None else None
    if shown is None:
        return "", False
    name, reading = shown
    label = CLOCK_NAMES.get(name, name)
    if reading.breached:
        text = f"{label} over {format_duration(reading.over_seconds)}"
    else:
        text = f"{label} {format_duration(reading.left_seconds)}"
    if reading.paused:
        text = f"{PAUSED_MARK} {text}"
    return text, reading.breached


def approved_totals(requests: Iterable[ClientRequest]) -> tuple[int, float, dict[str, Decimal]]:
    """What the approved change requests add up to.

    Returns:
        ``(count, days, costs)``: how many approved changes, their schedule
        impact in days, and their cost impact per currency.
    """
    count, days, costs = 0, 0.0, dict[str, Decimal]()
    for request in requests:
        if not request.is_change or request.decision is not ChangeDecision.APPROVED:
            continue
        count += 1
        days += request.impact_days or 0.0
        if request.impact_cost is not None:
            currency = request.cost_currency
            costs[currency] = costs.get(currency, Decimal(0)) + request.impact_cost
    return count, days, costs


def approved_totals_text(requests: Iterable[ClientRequest]) -> str:
    """The approved changes in one line: "approved changes: +9 days, EUR 4,250.00"."""
    count, days, costs = approved_totals(requests)
    if not count:
        return "approved changes: none yet"
    number = f"{days:+g}"
    parts = [f"{number} {'day' if abs(days) == 1 else 'days'}"]
    parts.extend(f"{currency} {amount:,.2f}" for currency, amount in sorted(costs.items()))
    return f"approved changes: {', '.join(parts)}"


def _key_number(request: ClientRequest) -> int:
    _, _, number = request.key.rpartition("-")
    return int(number) if number.isdigit() else 0


def _urgency(request: ClientRequest, clocks: RequestClocks | None) -> tuple[int, float]:
    # Breached first (most overdue first), then running clocks by time left,
    # then paused ones (the client has the ball), then those with no clock.
    # The clock read is the one the table shows (RequestClocks.shown).
    shown = clocks.shown if clocks is not None else None
    if shown is None:
        return 3, 0.0
    reading: ClockReading = shown[1]
    if reading.breached:
        group = 0
    elif reading.paused:
        group = 2
    else:
        group = 1
    return group, reading.left_seconds


def sort_requests(
    requests: Iterable[ClientRequest], clocks: Mapping[str, RequestClocks], order: str
) -> list[ClientRequest]:
    """``requests`` in ``order`` (a key of :data:`SORT_ORDERS`); ties by key number.

    Args:
        requests: the requests to sort.
        clocks: the clocks of the open ones, by id (see :func:`read_clocks`).
        order: ``urgency``, ``priority``, ``newest`` or ``key``.
    """
    if order == "key":
        return sorted(requests, key=_key_number)
    if order == "newest":
        return sorted(requests, key=lambda r: (-r.received_at.timestamp(), _key_number(r)))
    if order == "priority":
        return sorted(
            requests,
            key=lambda r: (str(r.priority), _urgency(r, clocks.get(r.id)), _key_number(r)),
        )
    return sorted(requests, key=lambda r: (_urgency(r, clocks.get(r.id)), _key_number(r)))


# -- the columns -----------------------------------------------------------------------


@dataclass(frozen=True)
class RequestRowContext(RowContext):
    """A row context that carries the clocks read once for the fill, by request id."""

    clocks: Mapping[str, RequestClocks] = field(default_factory=dict)


def _clocks_of(request: ClientRequest, context: RowContext) -> RequestClocks | None:
    if isinstance(context, RequestRowContext):
        return context.clocks.get(request.id)
    if not request.is_open:
        return None
    return request.clocks_in(context.project, context.now)


def _type(request: ClientRequest, context: RowContext) -> Text:
    return plain(TYPE_LABELS.get(request.type, str(request.type).replace("_", " ")))


def _short_type(request: ClientRequest, context: RowContext) -> Text:
    return plain(SHORT_TYPE_LABELS.get(request.type, str(request.type)[:6]))


def _requester(request: ClientRequest, context: RowContext) -> Text:
    # Imported here, not at the top: keeps pydantic out of start-up.
    from clientdesk.store.models import Contact

    if request.requester_id is None:
        return plain("")
    contact = context.snapshot.get(Contact, request.requester_id)
    return plain(contact.name if contact else "?")


def _status(request: ClientRequest, context: RowContext) -> Text:
    text = STATUS_LABELS.get(request.status, str(request.status).replace("_", " "))
    return label_of(text, "" if request.is_open else "dim")


def _clock(request: ClientRequest, context: RowContext) -> Text:
    return clock_text(_clocks_of(request, context))


def _clock_width(request: ClientRequest, context: RowContext) -> int:
    return cell_len(_clock_words(_clocks_of(request, context))[0])


REQUEST_COLUMNS: list[Column[ClientRequest]] = [
    Column("key", "Key", lambda r, c: plain(r.key), 5, fit_content=True, measure=key_width),
    Column(
        "type",
        "Type",
        _type,
        11,
        drop_order=2,
        short=Column("type_short", "Type", _short_type, 6),
    ),
    Column("title", "Title", lambda r, c: plain(r.title), 20, flex=True, ideal=36),
    Column("requester", "Requester", _requester, 16, drop_order=4),
    Column("owner", "Owner", lambda r, c: plain(r.owner), 14, drop_order=3),
    Column("priority", "Pri", lambda r, c: plain(r.priority, PRIORITY_STYLES[r.priority]), 3),
    Column("status", "Status", _status, 12),
    Column("clock", "Time left", _clock, 10, fit_content=True, max_width=17, measure=_clock_width),
    Column(
        "received",
        "Received",
        lambda r, c: when(r.received_at, c.zone),
        16,
        drop_order=5,
        **DATE_FIT,
    ),
]
"""The columns of the requests table; received, requester and owner go first when narrow."""


# -- the keys ---------------------------------------------------------------------------


def _label(status: str) -> str:
    return str(status).replace("_", " ")


def move_refusal(request: ClientRequest, target: RequestStatus, *, reopen: bool = False) -> str:
    """Why ``request`` cannot be moved to ``target`` by its key ("" when it can).

    Args:
        request: the request under the cursor.
        target: the status the key moves it to.
        reopen: the key is the reopen key (in progress, from resolved only).
    """
    # Imported here: the rules module loads dateutil, not needed to start.
    from clientdesk.store.rules import REQUEST_MOVES

    status = RequestStatus(request.status)
    allowed = REQUEST_MOVES[status]
    if status is target:
        return f"{request.key} is {_label(status)} already."
    if not allowed:
        return f"{request.key} is {_label(status)}: that is final."
    if reopen and status is not RequestStatus.RESOLVED:
        return f"{request.key} is {_label(status)}: only a resolved request is reopened."
    if target in allowed:
        return ""
    if target is RequestStatus.CLOSED:
        return f"{request.key} is {_label(status)}: resolve it first, then close it."
    names = ", ".join(_label(choice) for choice in allowed)
    return f"{request.key} is {_label(status)}: it can move to {names}."


# -- the fill, made off the UI thread ---------------------------------------------------


def request_passes(
    request: ClientRequest,
    quick_filter: str,
    show_closed: bool,
    me: str,
    clocks: Mapping[str, RequestClocks],
) -> bool:
    """True when ``request`` passes ``quick_filter`` and the closed toggle.

    Args:
        request: the request.
        quick_filter: a key of :data:`QUICK_FILTERS`.
        show_closed: closed and rejected requests are shown too.
        me: the user's name, casefolded (what "mine" means).
        clocks: the clocks of the open requests, by id.
    """
    if not request.is_open and not show_closed:
        return False
    if quick_filter == "mine":
        return request.owner.casefold() == me
    if quick_filter == "breached":
        found = clocks.get(request.id)
        return found is not None and is_breached(found)
    if quick_filter == "waiting":
        return request.status is RequestStatus.WAITING_ON_CLIENT
    if quick_filter == "changes":
        return request.is_change
    return True


@dataclass(frozen=True)
class RequestsFillState:
    """What the Requests pane's rows depend on besides the data: its filters and sort."""

    quick_filter: str
    """A key of :data:`QUICK_FILTERS`."""
    show_closed: bool
    """Closed and rejected requests are shown too."""
    sort_by: str
    """A key of :data:`SORT_ORDERS`."""
    table: TableState[ClientRequest]
    """The table's columns and text filter."""


@dataclass(frozen=True, eq=False)
class PreparedRequests(PreparedFill):
    """The Requests pane's fill, made in a worker thread (see :func:`prepare_requests`)."""

    state: RequestsFillState
    """The filters and sort the rows were made for."""
    requests: list[ClientRequest]
    """Every request of the project."""
    clocks: dict[str, RequestClocks]
    """The clocks of the open ones, by id."""
    me: str
    """The user's name, casefolded, as "mine" was read."""
    rows: PreparedRows[ClientRequest]
    """The table's rows: those that pass the filters, sorted."""
    breached: int
    """How many requests have a breached clock."""
    changes_line: str | None
    """The line summing up the approved changes (None: it is not shown)."""


def prepare_requests(
    source: FillSource,
    state: RequestsFillState,
    *,
    clocks: Mapping[str, RequestClocks] | None = None,
) -> PreparedRequests:
    """The Requests pane's rows for ``source`` in ``state``: filtered, sorted (any thread).

    Args:
        source: the snapshot, project and moment to show.
        state: the pane's filters and sort, read on the UI thread.
        clocks: the clocks already read for this snapshot, project and moment
            (default: ``source.clocks``).
    """
    # Imported here, not at the top: keeps pydantic out of start-up.
    from clientdesk.store.models import ClientRequest

    snapshot, project, now = source.snapshot, source.project, source.now
    requests = snapshot.of_project(ClientRequest, project.id)
    read = dict(source.clocks if clocks is None else clocks)
    # Who "mine" means is read once per fill, not once per row: it asks the OS.
    me = current_user().casefold()
    passing = [
        request
        for request in requests
        if request_passes(request, state.quick_filter, state.show_closed, me, read)
    ]
    context = RequestRowContext(project, snapshot, now, read)
    rows = prepare_rows(sort_requests(passing, read, state.sort_by), context, state.table)
    # The approved changes are summed up while change requests are shown,
    # and whenever one is approved: they move the project's end and budget.
    count, _, _ = approved_totals(requests)
    changes = approved_totals_text(requests) if count or state.quick_filter == "changes" else None
    breached = sum(map(is_breached, read.values()))
    return PreparedRequests(state, source, requests, read, me, rows, breached, changes)


# -- the pane --------------------------------------------------------------------------


class RequestsPane(RecordTablePane):
    """The client's requests: requirements, feedback, changes, questions, complaints."""

    DEFAULT_CSS = """
    RequestsPane > #request-changes {
        height: 1;
        width: 1fr;
        padding: 0 1;
        display: none;
    }
    RequestsPane.-changes > #request-changes {
        display: block;
    }
    """

    ACTION_SCOPE = "requests"
    BINDINGS = bindings("requests", explained=True)

    NOUN = "request"

    quick_filter: reactive[str] = reactive("open", init=False)
    """Which quick filter is on: a key of :data:`QUICK_FILTERS`."""

    show_closed: reactive[bool] = reactive(False, init=False)
    """Closed and rejected requests are shown too."""

    sort_by: reactive[str] = reactive("urgency", init=False)
    """How the table is sorted: a key of :data:`SORT_ORDERS`."""

    class MoveStatus(Message):
        """The user asked to move a request to another status."""

        def __init__(self, request: ClientRequest, status: str) -> None:
            """Say which request and where to."""
            super().__init__()
            self.request = request
            """The request, as shown (its revision is the one the move is based on)."""
            self.status = status
            """The new status, a value of ``RequestStatus``."""

    class AddComment(Message):
        """The user asked to add a comment to a request's log."""

        def __init__(self, request: ClientRequest) -> None:
            """Say which request."""
            super().__init__()
            self.request = request
            """The request, as shown."""

    def __init__(self, *, id: str | None = None) -> None:
        """Create the empty pane."""
        super().__init__(id=id)
        self._requests: list[ClientRequest] = []
        self._clocks: dict[str, RequestClocks] = {}
        self._row_context: RequestRowContext | None = None
        self._me = ""  # the user's name, casefolded; read once per fill (see prepare_requests)
        self._breached = 0

    def compose_tables(self) -> ComposeResult:
        """The table of requests, and the line that sums up approved changes."""
        yield RecordTable(REQUEST_COLUMNS, id="request-table")
        yield Label(id="request-changes", markup=False)

    def show(
        self,
        snapshot: Snapshot,
        project: Project,
        now: datetime,
        *,
        clocks: Mapping[str, RequestClocks] | None = None,
    ) -> None:
        """Show the requests of ``project``, reading every open one's clocks once.

        Args:
            snapshot: every record at one moment.
            project: the project whose requests to show.
            now: the current time, for the clocks.
            clocks: the clocks already read for this snapshot, project and
                ``now`` (see :func:`read_clocks`): the app reads them once for
                the tab title and hands them down, so that a refresh reads each
                clock once. Read here when not given.
        """
        if clocks is None:
            from clientdesk.store.models import ClientRequest

            clocks = read_clocks(snapshot.of_project(ClientRequest, project.id), project, now)
        source = FillParts(snapshot, project, now, clocks)
        self.show_prepared(prepare_requests(source, self.fill_state(search_ready=False)))

    def fill_state(self, *, search_ready: bool | None = None) -> RequestsFillState:
        """The quick filter, closed toggle, sort and text filter the rows depend on (see base)."""
        table = self.query_one("#request-table", RecordTable)
        return RequestsFillState(
            self.quick_filter,
            self.show_closed,
            self.sort_by,
            table.fill_state(search_ready=search_ready),
        )

    @classmethod
    def prepare_fill(cls, source: FillSource, state: object) -> PreparedRequests:
        """The rows for ``source`` in ``state``, filtered and sorted (in a worker thread)."""
        assert isinstance(state, RequestsFillState)
        return prepare_requests(source, state)

    def show_prepared(self, prepared: PreparedFill) -> bool:
        """Swap in rows made by :func:`prepare_requests` (False: made for other filters)."""
        if not isinstance(prepared, PreparedRequests):
            return False
        state, table = prepared.state, self.query_one("#request-table", RecordTable)
        if (state.quick_filter, state.show_closed, state.sort_by) != (
            self.quick_filter,
            self.show_closed,
            self.sort_by,
        ) or not table.can_swap_in(prepared.rows):
            return False
        self._requests = prepared.requests
        self._clocks = prepared.clocks
        self._me = prepared.me
        self._breached = prepared.breached
        context = prepared.rows.context
        assert isinstance(context, RequestRowContext)
        self._row_context = context
        table.swap_in(prepared.rows)
        self._show_changes(prepared.changes_line)
        self.refresh_status()
        self.refresh_bindings()
        return True

    # -- what the app and the tests read -------------------------------------------

    @property
    def is_closed(self) -> bool:
        """True when the project shown is closed: its requests cannot change."""
        return self._row_context is not None and self._row_context.project.is_closed

    def reveal(self, record_id: str) -> bool:
        """Put the cursor on the request, first resetting a quick filter that hides it."""
        request = next((r for r in self._requests if r.id == record_id), None)
        if request is not None and not self.passes(request):
            self.quick_filter = "open"
            if not request.is_open:
                self.show_closed = True
        return super().reveal(record_id)

    def clocks_of(self, request: ClientRequest) -> RequestClocks | None:
        """The clocks of ``request`` as shown (None for a closed or rejected one)."""
        return self._clocks.get(request.id)

    def passes(self, request: ClientRequest) -> bool:
        """True when ``request`` passes the quick filter and the closed toggle."""
        return request_passes(request, self.quick_filter, self.show_closed, self._me, self._clocks)

    def status_text(self) -> str:
        """How many requests are shown of how many, how many breached, what filter and sort."""
        if not self._requests:
            return super().status_text()
        shown = sum(table.shown_count for table in self.tables)
        parts = [f"{shown} of {counted(len(self._requests), self.NOUN)}"]
        if self.filter_text:
            parts[0] += " match"
        parts.append(f"{self._breached} breached")
        if self.quick_filter == "open":
            if self.show_closed:
                parts.append("showing all")
        elif self.show_closed and self.quick_filter in ("mine", "changes"):
            # Only these two can list closed requests (a closed one has no clock, waits on no one).
            parts.append(f"showing {QUICK_FILTERS[self.quick_filter]} + closed")
        else:
            parts.append(f"showing {QUICK_FILTERS[self.quick_filter]}")
        parts.append(SORT_ORDERS[self.sort_by])
        return " · ".join(parts)

    @property
    def changes_text(self) -> str:
        """The line summing up the approved changes ("" when it is not shown)."""
        label = self.query_one("#request-changes", Label)
        return str(label.render()) if self.has_class("-changes") else ""

    # -- actions ---------------------------------------------------------------------

    @property
    def shown_project(self) -> Project | None:
        """The project whose requests are shown."""
        return self._row_context.project if self._row_context is not None else None

    def refusal(self, action: Action) -> str:
        """Why ``action`` cannot act on the request under the cursor ("" when it can)."""
        if action.scope != "requests" or not action.writes:
            return ""
        request = self._selected_request()
        if request is None:
            return self.nothing_selected()
        from clientdesk.store.rules import NEXT_REQUEST_STATUS

        if action.id == "request.next" and request.status not in NEXT_REQUEST_STATUS:
            return f"{request.key} is {_label(request.status)}: that is final."
        if action.id == "request.next":
            return ""
        if action.id == "request.comment":
            return ""
        _, _, parameters = parse(action.run)
        return move_refusal(request, RequestStatus(str(parameters[0])), reopen=len(parameters) > 1)

    def action_next_status(self) -> None:
        """Ask the app to move the request under the cursor to its next status."""
        from clientdesk.store.rules import NEXT_REQUEST_STATUS

        request = self._selected_request()
        if request is not None and request.status in NEXT_REQUEST_STATUS:
            self.post_message(self.MoveStatus(request, NEXT_REQUEST_STATUS[request.status].value))

    def action_move(self, status: str, reopen: bool = False) -> None:
        """Ask the app to move the request under the cursor to ``status``.

        ``reopen`` marks the reopen key's move; it only matters to :meth:`refusal`.
        """
        request = self._selected_request()
        if request is not None and request.status != status:
            self.post_message(self.MoveStatus(request, status))

    def action_comment(self) -> None:
        """Ask the app to add a comment to the request under the cursor."""
        request = self._selected_request()
        if request is not None:
            self.post_message(self.AddComment(request))

    def action_cycle_filter(self) -> None:
        """Step to the next quick filter."""
        names = list(QUICK_FILTERS)
        self.quick_filter = names[(names.index(self.quick_filter) + 1) % len(names)]

    def action_toggle_closed(self) -> None:
        """Show closed and rejected requests too, or hide them again."""
        self.show_closed = not self.show_closed

    def action_cycle_sort(self) -> None:
        """Step to the next sort order."""
        names = list(SORT_ORDERS)
        self.sort_by = names[(names.index(self.sort_by) + 1) % len(names)]

    # -- internals -------------------------------------------------------------------

    def _selected_request(self) -> ClientRequest | None:
        from clientdesk.store.models import ClientRequest

        request = self.selected_record
        return request if isinstance(request, ClientRequest) else None

    def _refill(self) -> None:
        context = self._row_context
        if context is None:
            return
        source = FillParts(context.snapshot, context.project, context.now, self._clocks)
        self.show_prepared(prepare_requests(source, self.fill_state(search_ready=False)))

    def _show_changes(self, line: str | None) -> None:
        self.set_class(line is not None, "-changes")
        if line is not None:
            self.query_one("#request-changes", Label).update(Text(line))

    def watch_quick_filter(self) -> None:
        """Apply the quick filter."""
        self._refill()

    def watch_show_closed(self) -> None:
        """Show or hide closed and rejected requests."""
        self._refill()

    def watch_sort_by(self) -> None:
        """Sort again."""
        self._refill()
