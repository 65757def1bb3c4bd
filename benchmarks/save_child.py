"""One save through the app, measured from inside: ``save_child.py FILE``.

Runs clientdesk headless on FILE, opens the first request of the Requests
pane, changes its title and saves with ctrl+s, and prints:

- ``save_ms``: ctrl+s to the saved request's new title in the table;
- ``store_ms``: the repository's write itself;
- ``store_on_ui_thread``: 1 when the write ran on the event loop's thread;
- ``max_stall_ms``: the longest the event loop was kept from running during
  the save (a 1 ms ticker's worst lateness): what a user would feel as a freeze;
- ``idle_stall_ms``: the same ticker's worst lateness over as long a time with
  the form open and nothing happening just before: its floor on this machine.
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


async def measure(pilot: Pilot[None]) -> None:
    app = pilot.app
    while not any(table.row_count for table in app.query("RecordTable")):
        await asyncio.sleep(0.01)
    await pilot.press("2")
    await pilot.pause(0.3)
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
    stall = 0.0
    ticking = True

    async def ticker() -> None:
        nonlocal stall
        while ticking:
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            stall = max(stall, (time.perf_counter() - before) * 1000 - 1)

    await pilot.pause()  # the typed keys are handled, the app is idle
    tick = asyncio.create_task(ticker())
    await asyncio.sleep(IDLE_SECONDS)
    ticking = False
    await tick
    idle_stall, stall, ticking = stall, 0.0, True
    tick = asyncio.create_task(ticker())
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
    ticking = False
    await tick
    store_ms, on_ui = writes[0]
    print(f"save_ms={saved:.1f}", flush=True)
    print(f"store_ms={store_ms:.1f}", flush=True)
    print(f"store_on_ui_thread={int(on_ui)}", flush=True)
    print(f"max_stall_ms={stall:.1f}", flush=True)
    print(f"idle_stall_ms={idle_stall:.1f}", flush=True)
    app.exit()


def main() -> None:
    from clientdesk.tui.app import create_app

    create_app(Path(sys.argv[1])).run(headless=True, size=(120, 40), auto_pilot=measure)


if __name__ == "__main__":
    main()
