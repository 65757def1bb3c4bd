"""What the user waits for from the store, so that the background check can step aside.

The app checks every record it has not shown in a background thread (a
record broken by hand is reported before anything is saved). That check is
pure Python: while it runs, every other thread, the UI's included, gets the
GIL only in turns. During a save, the read after it, or a project being
opened, those turns are what the user feels as a stalled screen. So the
check rests while any of them is under way: :class:`StoreWaits` names each
wait as it begins and ends, and the check's thread waits, between two of
its batches, until none is left.

Correctness never depends on the check: the repository validates every
record not yet validated before it writes, and opening a project validates
that project's records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from threading import Event, Lock

WAKE_SECONDS = 0.25
"""How often a resting check looks whether it was cancelled (a newer snapshot, the app stopping)."""


class StoreWaits:
    """The waits under way (a save, a re-read, a project opening), by name; thread-safe.

    The UI thread and workers call :meth:`begin` and :meth:`end`; the
    background check calls :meth:`rest` between its batches.
    """

    def __init__(self) -> None:
        """Nothing is waited for yet."""
        self._lock = Lock()
        self._waits: set[str] = set()
        self._none_left = Event()
        self._none_left.set()

    @property
    def waiting(self) -> bool:
        """True while something is waited for."""
        return not self._none_left.is_set()

    def begin(self, name: str) -> None:
        """Something called ``name`` is waited for from now on (beginning it twice is once)."""
        with self._lock:
            self._waits.add(name)
            self._none_left.clear()

    def end(self, name: str) -> None:
        """``name`` is no longer waited for (ending what never began does nothing)."""
        with self._lock:
            self._waits.discard(name)
            if not self._waits:
                self._none_left.set()

    @contextmanager
    def during(self, name: str) -> Iterator[None]:
        """Wait for ``name`` for the length of a ``with`` block (in a worker thread)."""
        self.begin(name)
        try:
            yield
        finally:
            self.end(name)

    def rest(self, cancelled: Callable[[], bool]) -> bool:
        """Block until nothing is waited for; False as soon as ``cancelled()`` says so.

        Called by the background check's thread between two of its batches:
        it then goes on (True) or stops (False).
        """
        while not self._none_left.wait(WAKE_SECONDS):
            if cancelled():
                return False
        return not cancelled()
