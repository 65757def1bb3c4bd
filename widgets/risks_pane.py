"""The Risks pane: the project's risk register, scored probability x impact."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult

from clientdesk.store.enums import RiskStatus
from clientdesk.widgets.cells import ALERT_STYLE, BAND_STYLES, band_score, day, label_of, plain
from clientdesk.widgets.record_table import Column, RecordTable, RowContext
from clientdesk.widgets.record_table_pane import RecordTablePane

if TYPE_CHECKING:
    from clientdesk.store.models import Project, Risk
    from clientdesk.store.repository import Snapshot


def _review(risk: Risk, context: RowContext) -> Text:
    overdue = risk.review_overdue(context.now.astimezone(context.zone).date())
    return day(risk.next_review, ALERT_STYLE if overdue else "")


def _status(risk: Risk, context: RowContext) -> Text:
    return label_of(risk.status, "dim" if risk.status is RiskStatus.CLOSED else "")


RISK_COLUMNS: list[Column[Risk]] = [
    Column("key", "Key", lambda r, c: plain(r.key), 5, fit_content=True),
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
    Column("review", "Review", _review, 10, drop_order=4),
]
"""The columns of the risk register."""


class RisksPane(RecordTablePane):
    """The risk register: threats and opportunities with their score and response."""

    NOUN = "risk"

    def compose_tables(self) -> ComposeResult:
        """One table of risks."""
        yield RecordTable(RISK_COLUMNS, id="risk-table")

    def show(self, snapshot: Snapshot, project: Project, now: datetime) -> None:
        """Show the risks of ``project``."""
        # Imported here, not at the top: keeps pydantic out of start-up.
        from clientdesk.store.models import Risk

        context = RowContext(project, snapshot, now)
        self.fill("risk-table", snapshot.of_project(Risk, project.id), context)
        self.refresh_status()
