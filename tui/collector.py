"""A pause of Python's cyclic garbage collector while a worker makes many models.

Validating a large project makes some 100,000 objects. A full collection set
off meanwhile walks every one of them made so far, holding the GIL: ~60 ms at
50,000 records, a frozen screen. The models hold no reference cycles and are
frozen out of the collector's watch once made (``gc.freeze``), so nothing is
lost by not collecting while they are made.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from threading import Lock


class CollectorPauses:
    """Keeps Python's cyclic garbage collector from running while a worker makes many models.

    Validating a large project makes ~100,000 objects; a full collection set
    off meanwhile walks every one made so far, holding the GIL ~60 ms at
    50,000 records: the UI froze that long. They are frozen out of the
    collector's watch once made (see :func:`_read`), so nothing is lost by
    not walking them; what other threads make meanwhile is collected after.
    Pauses nest, from any number of threads: the collector runs again once
    the last is over (if it ran before the first).
    """

    def __init__(self) -> None:
        self._lock = Lock()
        self._count = 0
        self._was_enabled = True

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No automatic collection for the length of the ``with`` block."""
        with self._lock:
            if self._count == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._count += 1
        try:
            yield
        finally:
            with self._lock:
                self._count -= 1
                if self._count == 0 and self._was_enabled:
                    gc.enable()


COLLECTOR = CollectorPauses()
"""The one collector pause of the process (the collector is the process's)."""
