"""clientdesk benchmark: start-up, save, list and memory on a generated data set.

Usage::

    python benchmarks/run.py [--records 10000] [--repeat 5]

Makes a data set with ``clientdesk demo --records N`` in a temporary directory
and prints, measured side by side in one run:

- process start to the first painted screen, for clientdesk on that file and
  for a bare Textual app with the same widgets and no data, and their ratio;
  for clientdesk also the time until the first screen *with its data* is painted;
- the time of one record save (update and add) through the repository;
- the time of ``clientdesk list requests --json``;
- the time to read both response clocks of every request of the largest
  project (what the Requests pane computes when it is filled), per request;
- the time to compute the Calendar agenda of the project with the most
  meetings (four weeks of occurrences, their clashes, the plan's due dates);
- peak memory (max RSS) of each app process, against the bare app's.

Each figure is the median of ``--repeat`` runs. The apps run headless (no
terminal output), so the figures are the app's own work, not the terminal's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = Path(__file__).with_name("startup_child.py")


def _clientdesk() -> str:
    found = shutil.which("clientdesk") or str(Path(sys.executable).with_name("clientdesk"))
    return found


def run_child(args: list[str]) -> tuple[dict[str, float], float]:
    """Run a start-up child; return its printed figures and its peak RSS in MiB."""
    env = {**os.environ, "BENCH_T0": repr(time.time())}
    process = subprocess.Popen(
        [sys.executable, str(CHILD), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    _, status, usage = os.wait4(process.pid, 0)
    out = process.stdout.read() if process.stdout else ""
    err = process.stderr.read() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"start-up child failed ({process.returncode}): {err.strip()[-500:]}")
    figures = {}
    for line in out.splitlines():
        name, _, value = line.partition("=")
        figures[name.strip()] = float(value)
    return figures, usage.ru_maxrss / 1024


def median(values: list[float]) -> float:
    return statistics.median(values)


def bench_startup(data: Path, repeat: int) -> dict[str, float]:
    """Start-up and peak memory of clientdesk and of the bare app."""
    results: dict[str, list[float]] = {}
    for _ in range(repeat):
        for name, args in (("bare", ["bare"]), ("clientdesk", ["clientdesk", str(data)])):
            figures, rss = run_child(args)
            for key, value in figures.items():
                results.setdefault(f"{name}.{key}", []).append(value)
            results.setdefault(f"{name}.rss_mib", []).append(rss)
    return {key: median(values) for key, values in results.items()}


def bench_save(data: Path, repeat: int) -> dict[str, float]:
    """Time of one update and one add through the repository on the big file."""
    from clientdesk.store.models import ClientRequest
    from clientdesk.store.repository import TinyDBRepository

    repo = TinyDBRepository(data)
    snapshot = repo.snapshot()
    project = snapshot.projects()[0]
    request = snapshot.of_project(ClientRequest, project.id)[0]
    updates, adds = [], []
    for index in range(max(repeat, 10)):
        request = request.model_copy(update={"title": f"Benchmark edit {index}"})
        started = time.perf_counter()
        request = repo.update(request)
        updates.append(time.perf_counter() - started)
        new = ClientRequest(
            project_id=project.id, title="Benchmark add", received_at=request.received_at
        )
        started = time.perf_counter()
        repo.add(new)
        adds.append(time.perf_counter() - started)
    started = time.perf_counter()
    TinyDBRepository(data).snapshot()
    load = time.perf_counter() - started
    return {
        "update_ms": median(updates) * 1000,
        "add_ms": median(adds) * 1000,
        "load_ms": load * 1000,
    }


def bench_clocks(data: Path, repeat: int) -> dict[str, float]:
    """Time to read the two response clocks of every request of the largest project."""
    from clientdesk.store import clock
    from clientdesk.store.models import ClientRequest
    from clientdesk.store.repository import TinyDBRepository

    snapshot = TinyDBRepository(data).snapshot()
    now = clock.now()
    project = max(snapshot.projects(), key=lambda p: len(snapshot.of_project(ClientRequest, p.id)))
    requests = snapshot.of_project(ClientRequest, project.id)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        for request in requests:
            request.clocks(project.service_levels, project.timezone, now)
        times.append(time.perf_counter() - started)
    total = median(times)
    return {"count": len(requests), "ms": total * 1000, "us_each": total / len(requests) * 1e6}


def bench_calendar(data: Path, repeat: int) -> dict[str, float]:
    """Time to compute the Calendar agenda of the project with the most meetings.

    What the pane computes when it is filled: four weeks of occurrences of
    every meeting and series, the clashes among them, and where each plan item
    stands.
    """
    from datetime import timedelta

    from clientdesk.store import clock
    from clientdesk.store.calendar import conflicts, plan_due, project_occurrences
    from clientdesk.store.models import CommunicationPlanItem, Meeting
    from clientdesk.store.repository import TinyDBRepository

    snapshot = TinyDBRepository(data).snapshot()
    now = clock.now()
    project = max(snapshot.projects(), key=lambda p: len(snapshot.of_project(Meeting, p.id)))
    meetings = snapshot.of_project(Meeting, project.id)
    items = snapshot.of_project(CommunicationPlanItem, project.id)
    times = []
    found = 0
    for _ in range(repeat):
        started = time.perf_counter()
        listed = project_occurrences(meetings, now, now + timedelta(days=28))
        conflicts(listed)
        for item in items:
            plan_due(item, [m for m in meetings if m.plan_item_id == item.id], now)
        times.append(time.perf_counter() - started)
        found = len(listed)
    return {"meetings": len(meetings), "occurrences": found, "ms": median(times) * 1000}


def bench_list(data: Path, repeat: int) -> float:
    """Wall time of ``clientdesk list requests --json`` in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(
            [_clientdesk(), "list", "requests", "--json", "--data", str(data)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - started)
    return median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="clientdesk-bench-") as tmp:
        data = Path(tmp) / "bench.json"
        started = time.perf_counter()
        subprocess.run(
            [_clientdesk(), "demo", "--records", str(options.records), "--data", str(data)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        generated = time.perf_counter() - started
        size_mib = data.stat().st_size / 2**20
        print(f"data set: {options.records} records, {size_mib:.1f} MiB, made in {generated:.1f} s")
        print(f"(median of {options.repeat} runs each)\n")
        startup = bench_startup(data, options.repeat)
        save = bench_save(data, options.repeat)
        listing = bench_list(data, options.repeat)
        clocks = bench_clocks(data, options.repeat)
        agenda = bench_calendar(data, options.repeat)

    bare_paint = startup["bare.first_paint_ms"]
    ours_paint = startup["clientdesk.first_paint_ms"]
    ours_data = startup["clientdesk.data_painted_ms"]
    rows = [
        ("start-up, bare Textual app (same widgets)", f"{bare_paint:.0f} ms", ""),
        (
            "start-up, clientdesk: first paint",
            f"{ours_paint:.0f} ms",
            f"{ours_paint / bare_paint:.2f}x bare",
        ),
        (
            "start-up, clientdesk: data on screen",
            f"{ours_data:.0f} ms",
            f"{ours_data / bare_paint:.2f}x bare",
        ),
        ("save: update one record", f"{save['update_ms']:.1f} ms", "goal < 50 ms"),
        ("save: add one record", f"{save['add_ms']:.1f} ms", "goal < 50 ms"),
        ("load and validate the whole file", f"{save['load_ms']:.0f} ms", ""),
        ("clientdesk list requests --json", f"{listing:.0f} ms", ""),
        (
            f"response clocks of one project's {clocks['count']:.0f} requests",
            f"{clocks['ms']:.0f} ms",
            f"{clocks['us_each']:.0f} us per request",
        ),
        (
            f"calendar agenda of one project's {agenda['meetings']:.0f} meetings "
            f"({agenda['occurrences']:.0f} occurrences in 4 weeks)",
            f"{agenda['ms']:.0f} ms",
            "",
        ),
        ("peak memory, bare app", f"{startup['bare.rss_mib']:.0f} MiB", ""),
        (
            "peak memory, clientdesk",
            f"{startup['clientdesk.rss_mib']:.0f} MiB",
            f"bare + {startup['clientdesk.rss_mib'] - startup['bare.rss_mib']:.0f} MiB "
            f"({(startup['clientdesk.rss_mib'] - startup['bare.rss_mib']) / size_mib:.1f}x file)",
        ),
    ]
    width = max(len(row[0]) for row in rows)
    for name, value, ratio in rows:
        print(f"{name.ljust(width)}  {value:>10}  {ratio}")


if __name__ == "__main__":
    main()
