"""A data file that is slow to read: the app stays in its loading state until the test says."""

from __future__ import annotations

import threading
from pathlib import Path

from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.snapshot import Snapshot
from tests.helpers.waiting import HANG_SECONDS


class SlowRepository(TinyDBRepository):
    """A file store whose reads wait until the test lets them go (a large file, a slow disk)."""

    def __init__(self, path: Path, gate: threading.Event) -> None:
        super().__init__(path)
        self.gate = gate

    def snapshot(self) -> Snapshot:
        # Until the test opens the gate, however long it takes on a busy machine;
        # a test that never opens it only hangs this reader until the ceiling.
        self.gate.wait(HANG_SECONDS)
        return super().snapshot()
