"""The Requests pane: the client's open and past requests."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult

from clientdesk.store.enums import Priority, RequestType
from clientdesk.widgets.cells import label_of, plain, when
from clientdesk.widgets.record_table import Column, RecordTable, RowContext
from clientdesk.widgets.record_table_pane import RecordTablePane

if TYPE_CHECKING:
    from clientdesk.store.models import ClientRequest, Project
    from clientdesk.store.repository import Snapshot

PRIORITY_STYLES: dict[Priority, str] = {
    Priority.P1: "bold red",
    Priority.P2: "bold dark_orange",
    Priority.P3: "",
    Priority.P4: "dim",
}
"""Style of a request's priority."""

TYPE_LABELS: dict[RequestType, str] = {RequestType.CHANGE_REQUEST: "change req."}
"""Shorter labels for request types whose value is long."""


def _type(request: ClientRequest, context: RowContext) -> Text:
    return plain(TYPE_LABELS.get(request.type, str(request.type).replace("_", " ")))


def _requester(request: ClientRequest, context: RowContext) -> Text:
    # Imported here, not at the top: keeps pydantic out of start-up.
    from clientdesk.store.models import Contact

    if request.requester_id is None:
        return plain("")
    contact = context.snapshot.get(Contact, request.requester_id)
    return plain(contact.name if contact else "?")


def _status(request: ClientRequest, context: RowContext) -> Text:
    return label_of(request.status, "" if request.is_open else "dim")


REQUEST_COLUMNS: list[Column[ClientRequest]] = [
    Column("key", "Key", lambda r, c: plain(r.key), 5, fit_content=True),
    Column("type", "Type", _type, 11),
    Column("title", "Title", lambda r, c: plain(r.title), 22, flex=True, ideal=36),
    Column("priority", "Pri", lambda r, c: plain(r.priority, PRIORITY_STYLES[r.priority]), 3),
    Column("requester", "Requester", _requester, 16, drop_order=4),
    Column("owner", "Owner", lambda r, c: plain(r.owner), 14, drop_order=2),
    Column("status", "Status", _status, 17),
    Column("received", "Received", lambda r, c: when(r.received_at, c.zone), 16, drop_order=3),
]
"""The columns of the requests table."""


class RequestsPane(RecordTablePane):
    """The client's requests: requirements, feedback, changes, questions, complaints."""

    NOUN = "request"

    def compose_tables(self) -> ComposeResult:
        """One table of requests."""
        yield RecordTable(REQUEST_COLUMNS, id="request-table")

    def show(self, snapshot: Snapshot, project: Project, now: datetime) -> None:
        """Show the requests of ``project``."""
        # Imported here, not at the top: keeps pydantic out of start-up.
        from clientdesk.store.models import ClientRequest

        context = RowContext(project, snapshot, now)
        self.fill("request-table", snapshot.of_project(ClientRequest, project.id), context)
        self.refresh_status()
