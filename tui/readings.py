"""What the tab titles and the panes both show of a project, read once per refresh.

A refresh runs on every save, every poll that sees another process's save,
and every minute. Its dearest part, the clocks of the open requests and the
closing gates, is read here, in the worker that read the snapshot; the UI
thread only shows the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from clientdesk.store.sla import read_clocks

if TYPE_CHECKING:
    from clientdesk.store.closing import Gate
    from clientdesk.store.models import Project, RequestClocks
    from clientdesk.store.repository import Snapshot
    from clientdesk.store.status_report import OverallStatus


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


def read_readings(snapshot: Snapshot, project: Project, now: datetime) -> Readings:
    """The clocks of ``project``'s open requests, its closing gates and overall RAG at ``now``."""
    from clientdesk.store.closing import closing_gates
    from clientdesk.store.models import ClientRequest
    from clientdesk.store.status_report import overall_status

    requests = snapshot.of_project(ClientRequest, project.id)
    clocks = read_clocks(requests, project, now)
    gates = closing_gates(snapshot, project, now)
    return Readings(snapshot, project, now, clocks, gates, overall_status(snapshot, project, now))
