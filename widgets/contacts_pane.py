"""The contacts of a project (its stakeholders) as a filterable table."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult

from clientdesk.widgets.cells import key_width, label_of, plain
from clientdesk.widgets.record_table import Column, RecordTable, RowContext
from clientdesk.widgets.record_table_pane import RecordTablePane

if TYPE_CHECKING:
    from clientdesk.store.models import Contact, Project
    from clientdesk.store.snapshot import Snapshot

CONTACT_COLUMNS: list[Column[Contact]] = [
    Column("key", "Key", lambda r, c: plain(r.key), 5, fit_content=True, measure=key_width),
    Column("name", "Name", lambda r, c: plain(r.name), 18),
    Column("email", "E-mail", lambda r, c: plain(r.email), 22, flex=True, ideal=26),
    Column("organisation", "Organisation", lambda r, c: plain(r.organisation), 18, drop_order=2),
    Column("role", "Role", lambda r, c: plain(r.role), 14, drop_order=1),
    Column("timezone", "Time zone", lambda r, c: plain(r.timezone or ""), 16, drop_order=3),
    Column("channel", "Prefers", lambda r, c: label_of(r.preferred_channel), 9, drop_order=4),
]
"""The columns of the contacts table."""


class ContactsPane(RecordTablePane):
    """A project's contacts: who they are, where they work and how to reach them."""

    NOUN = "contact"

    def compose_tables(self) -> ComposeResult:
        """One table of contacts."""
        yield RecordTable(CONTACT_COLUMNS, id="contact-table")

    def show(self, snapshot: Snapshot, project: Project, now: datetime) -> None:
        """Show the contacts of ``project``."""
        # Imported here, not at the top: keeps pydantic out of start-up.
        from clientdesk.store.models import Contact

        context = RowContext(project, snapshot, now)
        self.fill("contact-table", snapshot.of_project(Contact, project.id), context)
        self.refresh_status()
