"""Noticing another process's save: a thread of its own waits for the store to change.

The persistence contract asks an open app to show a colleague's save within
two seconds. For the data file a look is one ``stat``, cheap enough to make
four times a second; started as a worker each time, it cost more than the
look itself (the worker's state messages are handled on the UI thread). A
database tells of each save (LISTEN/NOTIFY) and the wait ends when it does.
So one thread does every wait and tells the app only when the store is not
the one it read; the app then reads it in a worker, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from threading import Event, Thread


class StoreWatch:
    """Calls ``changed(every)`` over and over in its own thread; ``notice`` when it says so.

    ``changed`` waits up to ``every`` seconds for a change and says whether
    one came. ``notice`` is called from the watching thread, so it must be
    thread-safe (posting a Textual message is). A wait that raises is taken
    as a change: the app's reading worker then reads the store and says what
    is wrong.
    """

    def __init__(
        self, changed: Callable[[float], bool], notice: Callable[[], None], every: float
    ) -> None:
        """Watch with ``changed``, waiting ``every`` seconds at most each time, once started."""
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
        while not self._stopped.is_set():
            try:
                changed = self._changed(self._every)
            except Exception:  # any failure: the reading worker words what is wrong
                changed = True
            if changed and not self._stopped.is_set():
                try:
                    self._notice()
                except RuntimeError:  # the app's event loop is closed: nobody is left to tell
                    return
                # A failing store fails at once: give the reading worker a moment.
                self._stopped.wait(self._every)
