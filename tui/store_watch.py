"""Noticing another process's save: a thread of its own looks at the data file's signature.

The persistence contract asks an open app to show a colleague's save within
two seconds. A look is one ``stat`` of the data file, cheap enough to make
four times a second; started as a worker each time, it cost more than the
look itself (the worker's state messages are handled on the UI thread). So
one thread makes every look and tells the app only when the file is not the
one it read; the app then reads it in a worker, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from threading import Event, Thread


class StoreWatch:
    """Calls ``changed`` every ``every`` seconds in its own thread; ``notice`` when it says so.

    ``notice`` is called from the watching thread, so it must be thread-safe
    (posting a Textual message is). A look that raises is taken as a change:
    the app's reading worker then reads the file and says what is wrong.
    """

    def __init__(
        self, changed: Callable[[], bool], notice: Callable[[], None], every: float
    ) -> None:
        """Watch with ``changed`` every ``every`` seconds once started."""
        self._changed = changed
        self._notice = notice
        self._every = every
        self._stopped = Event()
        self._thread: Thread | None = None

    def start(self) -> None:
        """Begin watching (once)."""
        if self._thread is None:
            # A daemon: a look blocked on a dead network disk never keeps the app from ending.
            self._thread = Thread(target=self._watch, name="store-watch", daemon=True)
            self._thread.start()

    @property
    def watching(self) -> bool:
        """True while the watching thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        """Stop watching; a look under way ends without a notice."""
        self._stopped.set()

    def _watch(self) -> None:
        while not self._stopped.wait(self._every):
            try:
                changed = self._changed()
            except Exception:  # any failure: the reading worker words what is wrong
                changed = True
            if changed and not self._stopped.is_set():
                try:
                    self._notice()
                except RuntimeError:  # the app's event loop is closed: nobody is left to tell
                    return
