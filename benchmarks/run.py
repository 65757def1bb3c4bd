"""clientdesk benchmark: start-up, every key, saves, refresh and memory, at several sizes.

Usage::

    python benchmarks/run.py [--sizes 1000,10000,50000] [--repeat 5]

For each size, makes a data set with ``clientdesk demo --records N`` in a
temporary directory and prints, measured side by side in one run, first issue
21's figures, each against its floor measured in the same run and its goal:

- data on screen: process start to the first screen with the user's data,
  against a bare Textual app's first paint (goal <= 1.5x at 10k, <= 2x above);
- peak memory: (clientdesk's peak - the bare app's) / the data file's size
  (goal <= 3x, set for 10k and up);
- ``clientdesk list requests --project KEY --json`` against Python starting
  and reading the same file with orjson (goal <= 2x);
- the event loop's worst stall during a save in the app (goal <= 16 ms), beside
  the same ticker's worst with the app idle;
- the store's save of an update (goal <= 30 ms), beside an orjson rewrite of
  the whole file with fsync and rename (a whole-file save's floor);
- opening a record's form against a bare form of the same shape (goal <= 0.5x);

then every figure:

- process start to the first painted screen, for clientdesk and for a bare
  Textual app with the same widgets and no data (headless), and their ratio;
  for clientdesk also the time until the first screen *with its data* is painted;
- per key, in a real 120x40 pseudo-terminal: switch pane, cursor one row down,
  page down, one character typed in the filter, open a record's form, save it.
  Each is timed from the key written to the screen quiet again, with the bytes
  the app wrote in answer (what crosses an SSH link); the keys the bare app
  has are measured on it too, as the baseline;
- a colleague's save (``clientdesk edit`` in another process) until it is on screen;
- a save through the app: ctrl+s to refreshed, the store's write, whether it
  ran on the UI thread, and the event loop's worst stall meanwhile;
- a switch to a project not opened yet, in the app: the picker's enter to the
  new project in the pane, and the event loop's worst stall meanwhile;
- the store's own save (update and add), loading the file, ``list requests --json``,
  the response clocks of the largest project, its four-week agenda;
- peak memory (VmHWM) of the app against the bare app's, per size of file;
- at the end, how each figure grows from the smallest data set to the largest,
  and a summary of issue 21's figures at every size: figure | size | now |
  floor | ratio | goal | met? (a miss says how far: the value over the goal's).

Before measuring, it compiles clientdesk's modules to bytecode, as ``pip install``
does: Textual's own modules come compiled, and a start-up that compiled ours on
every run (an editable install under ``PYTHONDONTWRITEBYTECODE``) would measure a
cost no installed copy pays.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from keys import bare_keys, clientdesk_keys

CHILD = Path(__file__).with_name("startup_child.py")
SAVE_CHILD = Path(__file__).with_name("save_child.py")


def _clientdesk() -> str:
    found = shutil.which("clientdesk") or str(Path(sys.executable).with_name("clientdesk"))
    return found


def run_child(args: list[str], child: Path = CHILD) -> tuple[dict[str, float], float]:
    """Run a measuring child; return its printed figures and its peak RSS in MiB."""
    env = {**os.environ, "BENCH_T0": repr(time.time())}
    process = subprocess.Popen(
        [sys.executable, str(child), *args],
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


def compile_bytecode() -> None:
    """Compile clientdesk's modules to bytecode, following its symlinked packages."""
    spec = importlib.util.find_spec("clientdesk")
    if spec is None or spec.origin is None:
        raise SystemExit("clientdesk is not installed in this Python")
    package = Path(spec.origin).parent
    for directory in (package, *(child for child in package.iterdir() if child.is_dir())):
        if directory.name != "__pycache__":
            compileall.compile_dir(directory.resolve(), quiet=1)


def median(values: list[float]) -> float:
    return statistics.median(values)


def bench_startup(data: Path | str, repeat: int) -> dict[str, float]:
    """Start-up and peak memory of clientdesk and of the bare app."""
    results: dict[str, list[float]] = {}
    for _ in range(repeat):
        for name, args in (("bare", ["bare"]), ("clientdesk", ["clientdesk", str(data)])):
            figures, _ = run_child(args)
            for key, value in figures.items():
                results.setdefault(f"{name}.{key}", []).append(value)
            results.setdefault(f"{name}.rss_mib", []).append(figures["peak_mib"])
    return {key: median(values) for key, values in results.items()}


def bench_save(location: Path | str, repeat: int, loads: int = 1) -> dict[str, float]:
    """Time of one update and one add through the store, a fresh load and a full check.

    ``location`` is the data file or a database's URL. The load and the check
    are the medians of ``loads`` freshly opened stores (for a database, each
    load includes connecting).
    """
    from clientdesk.store.backends import open_repository
    from clientdesk.store.models import ClientRequest

    repo = open_repository(location)
    try:
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
    finally:
        repo.close()
    load_times, check_times = [], []
    for _ in range(loads):
        fresh = open_repository(location)
        try:
            started = time.perf_counter()
            loaded = fresh.snapshot()
            load_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            loaded.check()
            check_times.append(time.perf_counter() - started)
        finally:
            fresh.close()
    return {
        "update_ms": median(updates) * 1000,
        "add_ms": median(adds) * 1000,
        "load_ms": median(load_times) * 1000,
        "check_ms": median(check_times) * 1000,
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


ORJSON_READ = "import sys, orjson; orjson.loads(open(sys.argv[1], 'rb').read())"
"""The floor of ``list --json``: a Python process that starts and parses the file with orjson."""


def bench_list(data: Path, project: str, repeat: int) -> dict[str, float]:
    """Wall time of ``clientdesk list requests --project KEY --json`` and of its floor, in ms.

    The floor is this Python starting and reading the same file with orjson;
    the two are run in turn so that both see the same machine.
    """
    commands = {
        "list_json_ms": [
            *(_clientdesk(), "list", "requests", "--project", project, "--json"),
            *("--data", str(data)),
        ],
        "orjson_read_ms": [sys.executable, "-c", ORJSON_READ, str(data)],
    }
    times: dict[str, list[float]] = {}
    for _ in range(repeat):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
            times.setdefault(name, []).append(time.perf_counter() - started)
    return {name: median(values) * 1000 for name, values in times.items()}


def bench_rewrite(data: Path, repeat: int) -> float:
    """The floor of a store save that rewrites the file, in ms: no validation, no lock.

    Serialises the file's parsed content with orjson, writes it to a fresh file
    beside a copy of it, fsyncs, renames it over the copy and fsyncs the
    directory: the bytes and syncs of an atomic whole-file save, nothing else.
    """
    import orjson

    content = orjson.loads(data.read_bytes())
    target = data.with_name(f"{data.stem}-rewrite.json")
    shutil.copyfile(data, target)
    times = []
    for index in range(max(repeat, 10)):
        started = time.perf_counter()
        fresh = target.with_name(f"{target.name}.{index}.tmp")
        with open(fresh, "xb") as file:
            file.write(orjson.dumps(content))
            file.flush()
            os.fsync(file.fileno())
        os.replace(fresh, target)
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        times.append(time.perf_counter() - started)
    target.unlink()
    return median(times) * 1000


def bench_app_save(data: Path | str, repeat: int) -> dict[str, float]:
    """A save through the app: time, the store's part, and the event loop's worst stall."""
    results: dict[str, list[float]] = {}
    for _ in range(repeat):
        figures, _ = run_child([str(data)], child=SAVE_CHILD)
        for key, value in figures.items():
            results.setdefault(key, []).append(value)
    summary = {key: median(values) for key, values in results.items()}
    summary["store_on_ui_thread"] = max(results["store_on_ui_thread"])
    return summary


def bench_app_switch(data: Path | str, repeat: int) -> dict[str, float]:
    """A project switch through the app: enter to the new project shown, and the worst stall."""
    results: dict[str, list[float]] = {}
    for _ in range(repeat):
        figures, _ = run_child([str(data), "switch"], child=SAVE_CHILD)
        for key, value in figures.items():
            results.setdefault(key, []).append(value)
    return {key: median(values) for key, values in results.items()}


def first_project_key(data: Path | str) -> str:
    """The key of the data set's first project."""
    listed = subprocess.run(
        [_clientdesk(), "list", "projects", "--json", "--data", str(data)],
        check=True,
        capture_output=True,
        text=True,
    )
    return str(json.loads(listed.stdout)[0]["key"])


def measure_size(records: int, repeat: int, tmp: Path) -> dict[str, float]:
    """Every figure of clientdesk on a data set of ``records`` records."""
    data = tmp / f"bench-{records}.json"
    started = time.perf_counter()
    subprocess.run(
        [_clientdesk(), "demo", "--records", str(records), "--data", str(data)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    figures: dict[str, float] = {
        "generated_s": time.perf_counter() - started,
        "size_mib": data.stat().st_size / 2**20,
    }
    print(
        f"  {records:>6} records: {figures['size_mib']:.1f} MiB, "
        f"made in {figures['generated_s']:.1f} s; measuring...",
        flush=True,
    )
    startup = bench_startup(data, repeat)
    figures.update(startup)
    save = bench_save(data, repeat)
    figures.update({f"repo.{key}": value for key, value in save.items()})
    figures["rewrite_ms"] = bench_rewrite(data, repeat)
    figures.update({f"app.{key}": value for key, value in bench_app_save(data, 3).items()})
    figures.update({f"app.{key}": value for key, value in bench_app_switch(data, 3).items()})
    project = first_project_key(data)
    figures.update(bench_list(data, project, repeat))
    clocks = bench_clocks(data, repeat)
    figures.update({f"clocks.{key}": value for key, value in clocks.items()})
    agenda = bench_calendar(data, repeat)
    figures.update({f"agenda.{key}": value for key, value in agenda.items()})
    answers = clientdesk_keys(_clientdesk(), data, project, repeat)
    for name, answer in answers.items():
        figures[f"key.{name}.ms"] = answer.ms
        figures[f"key.{name}.bytes"] = answer.bytes
    return figures


def print_table(rows: list[tuple[str, str, str]]) -> None:
    """Rows of name, value and comment, aligned."""
    width = max(len(row[0]) for row in rows)
    for name, value, comment in rows:
        print(f"  {name.ljust(width)}  {value:>10}  {comment}")


def size_rows(figures: dict[str, float], bare: dict[str, float]) -> list[tuple[str, str, str]]:
    """The table of one data set, each figure against the bare app's where it has one."""
    paint, data_on, bare_paint = (
        figures["clientdesk.first_paint_ms"],
        figures["clientdesk.data_painted_ms"],
        figures["bare.first_paint_ms"],
    )
    grown = figures["clientdesk.rss_mib"] - figures["bare.rss_mib"]
    rows = [
        ("start-up: data on screen", f"{data_on:.0f} ms", f"{data_on / bare_paint:.2f}x bare"),
        ("start-up: first paint", f"{paint:.0f} ms", f"{paint / bare_paint:.2f}x bare (goal 1.3x)"),
        ("start-up, bare Textual app (same widgets)", f"{bare_paint:.0f} ms", ""),
    ]
    for name in KEY_NAMES:
        ms, size = figures.get(f"key.{name}.ms"), figures.get(f"key.{name}.bytes")
        if ms is None or size is None:
            continue
        base = bare.get(f"key.{name}.ms")
        comment = f"{size / 1024:.1f} KiB written"
        if base:
            base_kib = bare[f"key.{name}.bytes"] / 1024
            comment += f"; {ms / base:.1f}x bare ({base:.0f} ms, {base_kib:.1f} KiB)"
        rows.append((f"key: {name}", f"{ms:.0f} ms", comment))
    rows += [
        (
            "a colleague's save: on screen after",
            f"{figures['key.a colleague' + chr(39) + 's save on screen.ms']:.0f} ms",
            "goal < 2000 ms (1 s poll)",
        ),
        (
            "save in the app: ctrl+s to refreshed",
            f"{figures['app.save_ms']:.0f} ms",
            f"store {figures['app.store_ms']:.1f} ms, "
            f"{'ON the UI thread' if figures['app.store_on_ui_thread'] else 'in a worker thread'}",
        ),
        (
            "save in the app: event loop's worst stall",
            f"{figures['app.max_stall_ms']:.0f} ms",
            f"goal < 16 ms; {figures['app.idle_stall_ms']:.0f} ms with the app idle",
        ),
        (
            "switch project in the app: enter to shown",
            f"{figures['app.switch_ms']:.0f} ms",
            "a project not opened yet: its records validated then",
        ),
        (
            "switch project in the app: worst stall",
            f"{figures['app.switch_stall_ms']:.0f} ms",
            "the event loop's, meanwhile (goal < 16 ms, as for a save)",
        ),
        ("save through the store: update", f"{figures['repo.update_ms']:.1f} ms", "goal < 30 ms"),
        (
            "rewrite the file: orjson, fsync, rename",
            f"{figures['rewrite_ms']:.1f} ms",
            "no validation or lock: a whole-file save's floor",
        ),
        ("save through the store: add", f"{figures['repo.add_ms']:.1f} ms", "goal < 30 ms"),
        (
            "load the file (records validated when used)",
            f"{figures['repo.load_ms']:.0f} ms",
            "its index: id, key, project",
        ),
        (
            "validate every record (before a first save)",
            f"{figures['repo.check_ms']:.0f} ms",
            "the app does it in the background",
        ),
        (
            "clientdesk list requests --project KEY --json",
            f"{figures['list_json_ms']:.0f} ms",
            f"{figures['list_json_ms'] / figures['orjson_read_ms']:.2f}x its floor",
        ),
        (
            "python start + orjson read of the file",
            f"{figures['orjson_read_ms']:.0f} ms",
            "the floor of list --json",
        ),
        (
            f"response clocks of one project's {figures['clocks.count']:.0f} requests",
            f"{figures['clocks.ms']:.0f} ms",
            f"{figures['clocks.us_each']:.0f} us per request",
        ),
        (
            f"agenda of {figures['agenda.meetings']:.0f} meetings "
            f"({figures['agenda.occurrences']:.0f} occurrences in 4 weeks)",
            f"{figures['agenda.ms']:.0f} ms",
            "",
        ),
        ("peak memory, bare app", f"{figures['bare.rss_mib']:.0f} MiB", ""),
        (
            "peak memory, clientdesk",
            f"{figures['clientdesk.rss_mib']:.0f} MiB",
            f"bare + {grown:.0f} MiB = {grown / figures['size_mib']:.1f}x file (goal 3x)",
        ),
    ]
    return rows


@dataclass(frozen=True)
class Figure:
    """One of issue 21's figures at one size: measured, against its floor, and its goal.

    Attributes:
        name: what is measured, and against what.
        now: clientdesk's measured value, in ``unit``.
        floor: the floor measured in the same run, in ``unit``.
        ratio: what the goal is about: ``now / floor``, or for memory the
            multiple of the data file that clientdesk holds above the bare app.
        goal: the goal's limit, on ``ratio`` or (``absolute``) on ``now``;
            None where the issue sets none at this size.
        absolute: the goal limits ``now`` itself (milliseconds), not the ratio.
        unit: ``now`` and ``floor``'s unit.
    """

    name: str
    now: float
    floor: float
    ratio: float
    goal: float | None
    absolute: bool = False
    unit: str = "ms"

    @property
    def goal_text(self) -> str:
        if self.goal is None:
            return "-"
        return f"<= {self.goal:g} {self.unit}" if self.absolute else f"<= {self.goal:g}x"

    @property
    def met_text(self) -> str:
        """``yes``, or ``NO`` with how far off: the measured value over the goal's."""
        if self.goal is None:
            return "n/a"
        value = self.now if self.absolute else self.ratio
        return "yes" if value <= self.goal else f"NO, {value / self.goal:.1f}x the goal"


def issue_figures(records: int, figures: dict[str, float], bare: dict[str, float]) -> list[Figure]:
    """Issue 21's figures at one size, data on screen first."""
    form = "key.open a record's form.ms"
    above_bare = figures["clientdesk.rss_mib"] - figures["bare.rss_mib"]
    return [
        Figure(
            "data on screen / bare app first paint",
            figures["clientdesk.data_painted_ms"],
            figures["bare.first_paint_ms"],
            figures["clientdesk.data_painted_ms"] / figures["bare.first_paint_ms"],
            1.5 if records <= 10_000 else 2.0,
        ),
        Figure(
            "peak memory: (app - bare) / file size",
            figures["clientdesk.rss_mib"],
            figures["bare.rss_mib"],
            above_bare / figures["size_mib"],
            3.0 if records >= 10_000 else None,  # set for 10k and 50k: at 1k fixed costs rule
            unit="MiB",
        ),
        Figure(
            "list requests --project --json / orjson read",
            figures["list_json_ms"],
            figures["orjson_read_ms"],
            figures["list_json_ms"] / figures["orjson_read_ms"],
            2.0,
        ),
        Figure(
            "event loop's worst stall, app save / idle",
            figures["app.max_stall_ms"],
            figures["app.idle_stall_ms"],
            figures["app.max_stall_ms"] / max(figures["app.idle_stall_ms"], 0.1),
            16.0,
            absolute=True,
        ),
        Figure(
            "store save, update / orjson rewrite",
            figures["repo.update_ms"],
            figures["rewrite_ms"],
            figures["repo.update_ms"] / figures["rewrite_ms"],
            30.0,
            absolute=True,
        ),
        Figure(
            "open a record's form / bare form",
            figures[form],
            bare[form],
            figures[form] / bare[form],
            0.5,
        ),
    ]


def print_figures(table: list[tuple[int, Figure]]) -> None:
    """The compact table: figure | size | now | floor | ratio | goal | met?."""
    header = ("figure", "size", "now", "floor", "ratio", "goal", "met?")
    rows = [
        (
            figure.name,
            f"{records // 1000}k" if records % 1000 == 0 else str(records),
            f"{figure.now:.1f} {figure.unit}",
            f"{figure.floor:.1f} {figure.unit}",
            f"{figure.ratio:.2f}x",
            figure.goal_text,
            figure.met_text,
        )
        for records, figure in table
    ]
    widths = [max(len(row[column]) for row in (header, *rows)) for column in range(len(header))]
    for row in (header, *rows):
        cells = [
            cell.ljust(width) if column in (0, 5, 6) else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        print("  " + " | ".join(cells).rstrip())


KEY_NAMES = (
    "switch pane",
    "cursor one row down",
    "page down",
    "one character in the filter",
    "open a record's form",
    "save it (ctrl+s, until refreshed)",
)
"""The keys measured in the terminal, in the order they are reported."""

GROWTH = (
    ("start-up: data on screen (ms)", "clientdesk.data_painted_ms"),
    *((f"key: {name} (ms)", f"key.{name}.ms") for name in KEY_NAMES),
    ("save in the app (ms)", "app.save_ms"),
    ("save in the app: worst stall (ms)", "app.max_stall_ms"),
    ("switch project in the app (ms)", "app.switch_ms"),
    ("switch project in the app: worst stall (ms)", "app.switch_stall_ms"),
    ("save through the store: update (ms)", "repo.update_ms"),
    ("peak memory above bare (MiB)", "memory_above_bare"),
)
"""The figures whose growth with the data set is shown side by side."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        default="1000,10000,50000",
        help="comma-separated record counts (default: 1000,10000,50000)",
    )
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",") if size.strip()]
    compile_bytecode()
    print(f"clientdesk benchmark: median of {options.repeat} runs each, in a 120x40 terminal\n")
    bare = {
        f"key.{name}.{unit}": getattr(answer, unit)
        for name, answer in bare_keys(40, options.repeat).items()
        for unit in ("ms", "bytes")
    }
    measured: dict[int, dict[str, float]] = {}
    goals: dict[int, list[Figure]] = {}
    with tempfile.TemporaryDirectory(prefix="clientdesk-bench-") as tmp:
        for records in sizes:
            # Printed as soon as measured: a larger size that fails loses no figures.
            measured[records] = figures = measure_size(records, options.repeat, Path(tmp))
            goals[records] = issue_figures(records, figures, bare)
            figures["memory_above_bare"] = figures["clientdesk.rss_mib"] - figures["bare.rss_mib"]
            print(f"\n{records} records ({figures['size_mib']:.1f} MiB):")
            print("issue 21's figures against their floor, measured in this run:")
            print_figures([(records, figure) for figure in goals[records]])
            print("every figure:")
            print_table(size_rows(figures, bare))
            print(flush=True)
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        print(f"\ngrowth from {first} to {last} records ({last / first:.0f}x the data):")
        rows = []
        for label, key in GROWTH:
            values = [measured[size].get(key) for size in sizes]
            if any(value is None for value in values):
                continue
            shown = "  ".join(f"{value:>8.1f}" for value in values if value is not None)
            low, high = values[0] or 0.0, values[-1] or 0.0
            rows.append((label, shown, f"{high / low:.1f}x" if low else ""))
        header = "  ".join(f"{size:>8}" for size in sizes)
        print(f"  {'records'.ljust(max(len(r[0]) for r in rows))}  {header}")
        width = max(len(r[0]) for r in rows)
        for label, shown, ratio in rows:
            print(f"  {label.ljust(width)}  {shown}  {ratio}")
        print(f"\ngrowth of issue 21's figures from {first} to {last} records:")
        growth = [
            (
                low.name,
                f"{low.now:.1f} -> {high.now:.1f} {low.unit}"
                + (f" ({high.now / low.now:.1f}x)" if low.now else ""),
                f"ratio {low.ratio:.2f}x -> {high.ratio:.2f}x",
            )
            for low, high in zip(goals[first], goals[last], strict=True)
        ]
        print_table(growth)
    print("\nsummary: issue 21's figures (ratio = now / floor; memory: (now - floor) / file size)")
    print_figures(
        [
            (records, figure)
            for index in range(len(goals[sizes[0]]))
            for records, figure in ((size, goals[size][index]) for size in sizes)
        ]
    )


if __name__ == "__main__":
    main()
