"""Waiting for a condition, never for a number of seconds: the suite is steady on a busy machine.

A test that sleeps "long enough" or gives up after a few seconds fails when the
machine is loaded (a CI runner, a laptop compiling beside it). Tests here wait
for the condition they need; the only limit is :data:`HANG_SECONDS`, a ceiling
that stops a test that would otherwise wait forever and says that it hung.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot

HANG_SECONDS = 120.0
"""How long a wait may take before the test calls it a hang (never reached when sound)."""

POLL_SECONDS = 0.02
"""How often a condition is looked at again."""


class Hung(AssertionError):
    """A condition a test waited for did not come within :data:`HANG_SECONDS`."""


def hung(what: str, ceiling: float) -> Hung:
    """The failure of a wait for ``what`` that reached its ceiling."""
    return Hung(f"hung: waited {ceiling:.0f} s for {what}")


def wait_until(
    condition: Callable[[], bool],
    what: str,
    *,
    ceiling: float = HANG_SECONDS,
    poll: Callable[[], None] | None = None,
) -> None:
    """Wait until ``condition()`` holds; raise :class:`Hung` naming ``what`` at the ceiling.

    Args:
        condition: looked at until it returns true.
        what: the condition in words, for the failure message.
        ceiling: seconds after which the wait is a hang.
        poll: called between looks instead of a short sleep (e.g. to read a terminal).
    """
    deadline = time.monotonic() + ceiling
    while not condition():
        if time.monotonic() > deadline:
            raise hung(what, ceiling)
        if poll is None:
            time.sleep(POLL_SECONDS)
        else:
            poll()


async def pilot_wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], what: str, *, ceiling: float = HANG_SECONDS
) -> None:
    """Let the app run until ``condition()`` holds; raise :class:`Hung` at the ceiling."""
    deadline = time.monotonic() + ceiling
    while True:
        await pilot.pause()
        if condition():
            return
        if time.monotonic() > deadline:
            raise hung(what, ceiling)
        await pilot.pause(POLL_SECONDS)
