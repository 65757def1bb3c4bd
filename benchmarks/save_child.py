"""One save, or one project switch, through the app, measured from inside.

``save_child.py FILE`` runs clientdesk headless on FILE, opens the first
request of the Requests pane, changes its title and saves with ctrl+s, and prints:

- ``save_ms``: ctrl+s to the saved request's new title in the table;
- ``store_ms``: the repository's write itself;
- ``store_on_ui_thread``: 1 when the write ran on the event loop's thread;
- ``max_stall_ms``: the longest the event loop was kept from running during
  the save (a 1 ms ticker's worst lateness): what a user would feel as a freeze;
- ``idle_stall_ms``: the same ticker's worst lateness over as long a time with
  the form open and nothing happening just before: its floor on this machine.

``save_child.py FILE switch`` shows the Requests pane, picks the next project
in the project picker (one not opened yet, so its records are validated now)
and prints:

- ``switch_ms``: the picker's enter to the new project in the pane (its rows
  are filled in the same step as the project changes);
- ``switch_stall_ms``: the event loop's worst stall meanwhile (the same ticker).
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

IDLE_SECONDS = 0.5
"""How long the idle app's ticker runs for the stall's floor (about a save's length)."""


class Ticker:
    """A 1 ms sleep in a loop on the event loop; its worst lateness is the loop's worst stall."""

    def __init__(self) -> None:
        self.stall_ms = 0.0
        self._ticking = True
        self._task = asyncio.create_task(self._tick())

    async def _tick(self) -> None:
        while self._ticking:
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            self.stall_ms = max(self.stall_ms, (time.perf_counter() - before) * 1000 - 1)

    async def stop(self) -> float:
        """Stop ticking; the worst stall seen, in ms."""
        self._ticking = False
        await self._task
        return self.stall_ms


async def show_requests(pilot: Pilot[None]) -> None:
    """Wait for the data on screen, then show the Requests pane and let it settle."""
    while not any(table.row_count for table in pilot.app.query("RecordTable")):
        await asyncio.sleep(0.01)
    await pilot.press("2")
    await pilot.pause(0.3)


async def measure_switch(pilot: Pilot[None]) -> None:
    from clientdesk.widgets.project_picker import ProjectPicker

    app = pilot.app
    await show_requests(pilot)
    shown = app.project_id  # type: ignore[attr-defined]
    await pilot.press("p")
    while not isinstance(app.screen, ProjectPicker):
        await asyncio.sleep(0.01)
    await pilot.press("down")  # the next project: never opened in this run
    await pilot.pause()
    ticker = Ticker()
    started = time.perf_counter()
    app.simulate_key("enter")  # not pilot.press: it would wait for the ticker to stop
    while app.project_id == shown:  # type: ignore[attr-defined]
        await asyncio.sleep(0.001)
    switched = (time.perf_counter() - started) * 1000
    stall = await ticker.stop()
    print(f"switch_ms={switched:.1f}", flush=True)
    print(f"switch_stall_ms={stall:.1f}", flush=True)
    app.exit()


async def measure(pilot: Pilot[None]) -> None:
    app = pilot.app
    await show_requests(pilot)
    repository = app.repository  # type: ignore[attr-defined]
    inner = repository.inner
    writes: list[tuple[float, bool]] = []
    original = inner.apply

    def timed_apply(*args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            on_ui = threading.current_thread() is threading.main_thread()
            writes.append(((time.perf_counter() - started) * 1000, on_ui))

    inner.apply = timed_apply
    await pilot.press("e")
    while not app.screen.query("#field-title"):  # the form opens (keys are handled in order)
        await asyncio.sleep(0.01)
    title = app.screen.query_one("#field-title", Input)
    title.focus()
    await pilot.press("end", "!")
    await pilot.pause()  # the typed keys are handled, the app is idle
    ticker = Ticker()
    await asyncio.sleep(IDLE_SECONDS)
    idle_stall = await ticker.stop()
    ticker = Ticker()
    form = app.screen
    edited = form.record.id  # type: ignore[attr-defined]
    wanted = title.value
    table = app.query_one("#requests-pane RecordTable")
    started = time.perf_counter()
    # Not pilot.press: it waits for the process to be idle, which the ticker
    # keeps it from being; the save is done when the table shows the new title.
    app.simulate_key("ctrl+s")

    def shown() -> bool:  # the cursor stays on the saved request
        record = table.selected_record  # type: ignore[attr-defined]
        return record is not None and record.id == edited and record.title == wanted

    while not shown():
        await asyncio.sleep(0.001)
    saved = (time.perf_counter() - started) * 1000
    stall = await ticker.stop()
    store_ms, on_ui = writes[0]
    print(f"save_ms={saved:.1f}", flush=True)
    print(f"store_ms={store_ms:.1f}", flush=True)
    print(f"store_on_ui_thread={int(on_ui)}", flush=True)
    print(f"max_stall_ms={stall:.1f}", flush=True)
    print(f"idle_stall_ms={idle_stall:.1f}", flush=True)
    app.exit()


def store_location(argument: str) -> Path | str:
    """A data file's path, or a ``postgresql://`` URL as given (a Path folds its ``//``)."""
    from clientdesk.store.paths import is_database_url

    return argument if is_database_url(argument) else Path(argument)


def main() -> None:
    from clientdesk.tui.app import create_app

    what = measure_switch if sys.argv[2:] == ["switch"] else measure
    create_app(store_location(sys.argv[1])).run(headless=True, size=(120, 40), auto_pilot=what)


if __name__ == "__main__":
    main()
