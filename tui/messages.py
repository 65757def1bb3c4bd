"""What the app's reading workers post back to it.

Every read of the store runs in a thread worker; the worker posts one of
these messages to the app, whose handler only updates widgets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from clientdesk.store.snapshot import Snapshot
    from clientdesk.tui.readings import PaneFill, Readings


class SnapshotLoaded(Message):
    """A worker read the store."""

    def __init__(
        self,
        snapshot: Snapshot,
        ticket: int,
        seen: str = "",
        readings: Readings | None = None,
        fill: PaneFill | None = None,
    ) -> None:
        """Carry the snapshot and the number of the load that read it."""
        super().__init__()
        self.snapshot = snapshot
        """Every record at one moment."""
        self.ticket = ticket
        """Loads are numbered; an older load finishing late is ignored."""
        self.seen = seen
        """What other people changed since the last read ("" when nothing, or unknown)."""
        self.readings = readings
        """The clocks and gates of the project to be shown, read in the worker too."""
        self.fill = fill
        """The rows of the pane on show, made from ``readings`` in the worker too."""


class ReadingsReady(Message):
    """A worker computed the clocks and gates again (the minute's refresh)."""

    def __init__(self, readings: Readings, fill: PaneFill | None = None) -> None:
        """Carry the readings, and the rows of the pane on show made from them."""
        super().__init__()
        self.readings = readings
        """The clocks and gates, and the snapshot and project they are of."""
        self.fill = fill
        """The rows of the pane on show, made from ``readings`` in the worker too."""


class StoreChanged(Message):
    """The data file is not the one the app read: another process saved it (or it is gone)."""


class LoadFailed(Message):
    """A worker could not read the store."""

    def __init__(
        self,
        message: str,
        ticket: int,
        *,
        linked: bool = False,
        title: str = "Cannot refresh",
        unreachable: bool = False,
    ) -> None:
        """Carry the one-line message."""
        super().__init__()
        self.unreachable = unreachable
        """The store (a database) cannot be reached just now; it is tried again."""
        self.message = message
        """What went wrong, for the user."""
        self.ticket = ticket
        """The number of the load that failed."""
        self.linked = linked
        """The data file's path leads through a link clientdesk does not follow."""
        self.title = title
        """The notice's title when data is already on screen."""
