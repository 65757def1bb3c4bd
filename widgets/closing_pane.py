"""The Closing pane: the project's closing checklist."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult

from clientdesk.store.enums import ChecklistState
from clientdesk.widgets.cells import label_of, plain, when
from clientdesk.widgets.record_table import Column, RecordTable, RowContext
from clientdesk.widgets.record_table_pane import RecordTablePane, counted

if TYPE_CHECKING:
    from clientdesk.store.models import ChecklistItem, Project
    from clientdesk.store.repository import Snapshot

STATE_STYLES: dict[ChecklistState, str] = {
    ChecklistState.OPEN: "bold yellow",
    ChecklistState.DONE: "bold green",
    ChecklistState.WAIVED: "dim",
}
"""Style of a checklist item's state."""


def _note(item: ChecklistItem, context: RowContext) -> Text:
    return plain(item.waive_reason if item.state is ChecklistState.WAIVED else item.evidence)


CHECKLIST_COLUMNS: list[Column[ChecklistItem]] = [
    Column("key", "Key", lambda r, c: plain(r.key), 5, fit_content=True),
    Column("title", "Item", lambda r, c: plain(r.title), 22, flex=True, ideal=36),
    Column("state", "State", lambda r, c: label_of(r.state, STATE_STYLES[r.state]), 6),
    Column("done_by", "Done by", lambda r, c: plain(r.done_by), 12),
    Column("done_at", "Done at", lambda r, c: when(r.done_at, c.zone), 16),
    Column("note", "Evidence / reason", _note, 24, drop_order=2),
]
"""The columns of the closing checklist."""


class ClosingPane(RecordTablePane):
    """The closing checklist: what must be done before the project can close."""

    NOUN = "checklist item"

    def compose_tables(self) -> ComposeResult:
        """One table of checklist items."""
        yield RecordTable(CHECKLIST_COLUMNS, id="checklist-table")

    def show(self, snapshot: Snapshot, project: Project, now: datetime) -> None:
        """Show the closing checklist of ``project`` in its own order."""
        # Imported here, not at the top: keeps pydantic out of start-up.
        from clientdesk.store.models import ChecklistItem

        context = RowContext(project, snapshot, now)
        items = sorted(snapshot.of_project(ChecklistItem, project.id), key=lambda i: i.position)
        self.fill("checklist-table", items, context)
        self.refresh_status()

    def status_text(self) -> str:
        """How many items are settled (done or waived), or how many match the filter."""
        if self.filter_text:
            return super().status_text()
        (table,) = self.tables
        settled = sum(1 for item in table.records if item.state is not ChecklistState.OPEN)
        return f"{settled} of {counted(table.total_count, self.NOUN)} done or waived"
