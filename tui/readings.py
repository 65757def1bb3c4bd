"""What the tab titles and the panes both show of a project, read once per refresh.

A refresh runs on every save, every poll that sees another process's save,
and every minute. Its dearest parts, the clocks of the open requests, the
closing gates, the tab titles' counts and the rows of the pane on show
(:class:`PaneFill`), are made here, in the worker that read the snapshot; the
UI thread only shows the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from clientdesk.store.sla import breached_count, read_clocks

if TYPE_CHECKING:
    from clientdesk.store.closing import Gate
    from clientdesk.store.models import Project, RequestClocks
    from clientdesk.store.snapshot import Snapshot
    from clientdesk.store.status_report import OverallStatus
    from clientdesk.widgets.record_table_pane import PreparedFill, RecordTablePane


@dataclass(frozen=True)
class Readings:
    """What the tab titles and the panes both show, computed once per refresh.

    The app computes them once for the tab titles (which must be right while
    their pane is hidden) and hands the same values to the pane when it is
    filled, now or when it is next shown.
    """

    snapshot: Snapshot
    """Every record at one moment."""
    project: Project
    """The open project, as of ``snapshot``."""
    now: datetime
    """The moment the clocks and gates were computed for."""
    clocks: Mapping[str, RequestClocks]
    """The clocks of the project's open requests, by request id."""
    gates: list[Gate]
    """The project's closing gates."""
    overall: OverallStatus
    """The project's overall RAG, as the status report gives it (the header shows it)."""
    breached: int = 0
    """How many of the project's requests have a breached clock (the Requests tab's count)."""
    risk_counts: tuple[int, int] = (0, 0)
    """The project's top risks and overdue reviews (the Risks tab's counts)."""


@dataclass(frozen=True, eq=False)
class PaneFill:
    """The pane on show's rows, made in the worker that read the snapshot.

    The UI thread only swaps them in (see
    :meth:`~clientdesk.widgets.record_table_pane.RecordTablePane.show_prepared`);
    made for other readings, or for filters the pane no longer has, they are dropped.
    """

    pane_id: str
    """The pane they were made for."""
    readings: Readings
    """The readings they were made from."""
    prepared: PreparedFill
    """The pane's rows and what else it shows."""


def prepare_pane_fill(
    readings: Readings | None, pane_id: str, pane_class: type[RecordTablePane], state: object
) -> PaneFill | None:
    """The rows of the pane ``pane_id`` for ``readings``, in ``state`` (in a worker thread).

    Args:
        readings: what the refresh read (None: there is no project to show).
        pane_id: the pane on show when the read was asked for.
        pane_class: its class.
        state: its filters and sort then (None: it is filled on the UI thread).
    """
    if readings is None or state is None:
        return None
    return PaneFill(pane_id, readings, pane_class.prepare_fill(readings, state))


def read_readings(snapshot: Snapshot, project: Project, now: datetime) -> Readings:
    """The clocks of ``project``'s open requests, its closing gates and overall RAG at ``now``."""
    from clientdesk.store import clock
    from clientdesk.store.closing import closing_gates
    from clientdesk.store.models import ClientRequest, Risk
    from clientdesk.store.risk_register import register_counts
    from clientdesk.store.status_report import overall_status

    requests = snapshot.of_project(ClientRequest, project.id)
    clocks = read_clocks(requests, project, now)
    gates = closing_gates(snapshot, project, now)
    overall = overall_status(snapshot, project, now)
    today = now.astimezone(clock.zone(project.timezone)).date()
    risk_counts = register_counts(snapshot.of_project(Risk, project.id), today)
    return Readings(
        snapshot, project, now, clocks, gates, overall, breached_count(clocks), risk_counts
    )
