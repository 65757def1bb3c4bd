"""One start-up measurement, run as its own process by ``benchmarks/run.py``.

``startup_child.py bare`` runs a bare Textual app with the same widgets as
clientdesk's shell and no data; ``startup_child.py clientdesk FILE`` runs
clientdesk on FILE. Both run headless and print, in milliseconds since the
parent's ``BENCH_T0``:

- ``first_paint_ms``: the first frame is painted (Textual's Ready event);
- ``data_painted_ms`` (clientdesk only): the first frame with rows in a table;
- ``peak_mib``: the process's peak memory by then.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from textual.app import App
from textual.pilot import Pilot

T0 = float(os.environ["BENCH_T0"])


def elapsed_ms() -> float:
    return (time.time() - T0) * 1000


async def measure(pilot: Pilot[None]) -> None:
    """Runs once the first frame is painted (Textual's auto-pilot starts on Ready)."""
    print(f"first_paint_ms={elapsed_ms():.1f}", flush=True)
    if sys.argv[1] != "bare":
        deadline = time.monotonic() + 60
        while not any(table.row_count for table in pilot.app.query("RecordTable")):
            if time.monotonic() > deadline:
                raise SystemExit("no data appeared within 60 s")
            await asyncio.sleep(0.002)
        await pilot.pause()  # let the frame with the rows be painted
        print(f"data_painted_ms={elapsed_ms():.1f}", flush=True)
    print(f"peak_mib={peak_mib():.1f}", flush=True)
    pilot.app.exit()


def peak_mib() -> float:
    """This process's peak resident memory since it started this program (VmHWM).

    Not ``ru_maxrss``: a child started with vfork inherits the parent's peak,
    which would put the benchmark's own memory into every figure.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def store_location(argument: str) -> Path | str:
    """A data file's path, or a ``postgresql://`` URL as given (a Path folds its ``//``)."""
    from clientdesk.store.paths import is_database_url

    return argument if is_database_url(argument) else Path(argument)


def main() -> None:
    if sys.argv[1] == "bare":
        from bare_app import BareApp

        app: App[None] = BareApp()
    else:
        from clientdesk.tui.app import create_app

        app = create_app(store_location(sys.argv[2]))
    app.run(headless=True, auto_pilot=measure)


if __name__ == "__main__":
    main()
