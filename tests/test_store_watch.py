"""The thread that looks for another process's save: it tells the app, and only then.

The app's own story (a colleague's save on screen within two seconds) is in
tests/test_app_shell.py and tests/test_prepared_fills.py; here the watcher
alone, with a look that the test controls.
"""

from __future__ import annotations

import threading
import time

from clientdesk.tui.store_watch import StoreWatch
from tests.helpers.waiting import wait_until


class Looks:
    """A wait for a change that says "changed" when the test says so, counting every wait."""

    def __init__(self) -> None:
        self.changed = False
        self.failing = False
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, timeout: float) -> bool:
        time.sleep(timeout)  # as the file store waits before it looks
        with self.lock:
            self.count += 1
            if self.failing:
                raise OSError("the disk went away")
            return self.changed


def test_a_change_is_told_and_an_unchanged_file_never_is() -> None:
    looks, notices = Looks(), []
    watch = StoreWatch(looks, lambda: notices.append("changed"), every=0.01)
    watch.start()
    try:
        wait_until(lambda: looks.count >= 5, "five looks at an unchanged file")
        assert notices == [], "an unchanged file is never reported"
        looks.changed = True
        wait_until(lambda: notices, "the change to be told")
    finally:
        watch.stop()


def test_a_look_that_fails_is_told_as_a_change() -> None:
    looks, notices = Looks(), []
    looks.failing = True
    watch = StoreWatch(looks, lambda: notices.append("changed"), every=0.01)
    watch.start()
    try:
        wait_until(lambda: notices, "the failed look to be told (the reader words it)")
    finally:
        watch.stop()


def test_stop_ends_the_watching_thread() -> None:
    looks, notices = Looks(), []
    looks.changed = True
    watch = StoreWatch(looks, lambda: notices.append("changed"), every=0.01)
    watch.start()
    wait_until(lambda: notices, "a first notice")
    watch.stop()
    # The thread ends: nothing can look or tell any more (a stopped app is never told).
    wait_until(lambda: not watch.watching, "the watching thread to end")


def test_a_closed_event_loop_ends_the_watch() -> None:
    looks = Looks()
    looks.changed = True

    def closed_loop() -> None:
        raise RuntimeError("Event loop is closed")

    watch = StoreWatch(looks, closed_loop, every=0.01)
    watch.start()
    wait_until(lambda: not watch.watching, "the watch to end once nobody is left to tell")
