"""What a pane's controller may use of the app: the :class:`Host` interface.

A controller (the Calendar's, the Requests', the Risks', the Closing pane's,
the contacts') opens forms and dialogs and saves through the store; it sees
the app only through this interface, so that it depends on what it needs
and on nothing else of the app. :class:`~clientdesk.tui.app.ClientDeskApp`
is the one host.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from textual.message import Message
    from textual.notifications import SeverityLevel
    from textual.screen import Screen
    from textual.widget import Widget
    from textual.worker import Worker

    from clientdesk.store.config import Config
    from clientdesk.store.models import Project
    from clientdesk.store.snapshot import Snapshot
    from clientdesk.store.undo import UndoableRepository
    from clientdesk.widgets.record_table_pane import RecordTablePane

ResultT = TypeVar("ResultT")


class Host(Protocol):
    """The app as a controller sees it."""

    snapshot: Snapshot | None
    """The records on screen (None before the first read)."""

    config: Config
    """The settings of the config file."""

    project_id: str | None
    """The id of the open project."""

    @property
    def focused(self) -> Widget | None:
        """The widget with the focus."""
        ...

    @property
    def current_pane_id(self) -> str:
        """The id of the pane on show."""
        ...

    @property
    def current_pane(self) -> RecordTablePane:
        """The pane on show."""
        ...

    def open_project(self, project_id: str | None) -> None:
        """Show the project ``project_id`` of the snapshot on screen (if it is there)."""
        ...

    def switch_to_project(self, project_id: str | None) -> None:
        """Show the project ``project_id`` once a worker has made it ready (keys wait)."""
        ...

    def action_show_pane(self, pane_id: str) -> None:
        """Show the pane ``pane_id`` and focus its table."""
        ...

    @property
    def repository(self) -> UndoableRepository:
        """Where the records live; only worker threads call its methods."""
        ...

    @property
    def current_project(self) -> Project | None:
        """The open project, as of the snapshot on screen."""
        ...

    @property
    def undo_key(self) -> str:
        """The key that undoes, as the config file may have remapped it."""
        ...

    @property
    def config_location(self) -> Path:
        """The config file the app reads (it may not exist)."""
        ...

    def reload(
        self,
        *,
        select_record: str | None = None,
        select_contact: str | None = None,
        select_project: str | None = None,
        reveal: tuple[str, str, str] | None = None,
    ) -> None:
        """Read the store again and show it, the cursor on the record or contact given.

        ``select_project`` opens that project; ``reveal`` (pane id, record id,
        key) shows that record in its pane, the pane's filters reset.
        """
        ...

    def pane(self, pane_id: str) -> RecordTablePane:
        """The pane ``pane_id`` (``calendar``, ``requests``, ``risks``, ``closing``)."""
        ...

    def push_screen(
        self,
        screen: Screen[ResultT],
        callback: Callable[[ResultT | None], None] | None = None,
    ) -> object:
        """Show ``screen`` over the others; ``callback`` gets what it is dismissed with."""
        ...

    def hold_keys_for_write(self) -> str:
        """Hold typed keys until the write about to start has reported back."""
        ...

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a toast."""
        ...

    def run_worker(
        self,
        work: Callable[[], None],
        *,
        group: str = "default",
        exclusive: bool = False,
        thread: bool = False,
    ) -> Worker[None]:
        """Run ``work`` in a worker (with ``thread``: in a thread, off the UI)."""
        ...

    def post_message(self, message: Message) -> bool:
        """Queue ``message`` for the app (safe from a worker thread)."""
        ...

    def call_from_thread(self, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``callback`` on the UI thread and wait for it (from a worker thread)."""
        ...
