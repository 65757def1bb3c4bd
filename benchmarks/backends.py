"""clientdesk on its two stores side by side: the JSON data file and PostgreSQL.

Usage::

    python benchmarks/backends.py [--sizes 1000,10000,50000] [--repeat 3] [--no-fsync]

Starts a PostgreSQL server of its own for the run (the tests' server, see
``tests/helpers/postgres.py``: a fresh cluster in a folder under ``/tmp``, run
as an unprivileged user when run as root), and stops it at the end.

For each size, makes a data file with ``clientdesk demo --records N``, copies
it into a fresh database with ``clientdesk migrate --from FILE --to URL``, then
measures, for the file and for the database, with the code paths of
``benchmarks/run.py``:

- process start to the first screen with the data on it (headless), and the
  process's peak memory by then;
- per key, in a real 120x40 pseudo-terminal: switch pane, cursor one row down,
  page down, one character in the filter, open a record's form, save it
  (ctrl+s until refreshed); each in ms and in bytes written;
- a colleague's save (``clientdesk edit`` in another process) until the app
  shows it: the database tells the app by LISTEN/NOTIFY, the file is looked at
  every 0.25 s;
- a save through the app (ctrl+s to refreshed, the store's part, the event
  loop's worst stall) and a switch to a project not opened yet;
- the store's own update and add (``Repository.update`` / ``add`` through
  ``open_repository``), loading it (a snapshot), validating every record;
- ``clientdesk list requests --project KEY --json``;

and prints one table per size (figure | file | postgresql | pg/file), then
the same figures across sizes.

Left out for the database, as they are about a file: the peak memory as a
multiple of the file's size and the floors of ``run.py`` (Python reading the
file with orjson, an orjson rewrite of the file); the file's are printed for
reference. The response clocks and the agenda are computed on a snapshot the
same way whatever the store, so they are not measured here (``run.py`` has them).

The tests' server trades durability for speed (``fsync=off``,
``synchronous_commit=off``); the file store fsyncs every save. So that saves
compare like with like, this turns ``fsync``, ``synchronous_commit`` and
``full_page_writes`` back on (ALTER SYSTEM, reload) unless ``--no-fsync``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # tests.helpers.postgres: the tests' own server
    sys.path.append(str(REPO_ROOT))

from keys import clientdesk_keys  # noqa: E402
from run import (  # noqa: E402
    KEY_NAMES,
    ORJSON_READ,
    _clientdesk,
    bench_app_save,
    bench_app_switch,
    bench_rewrite,
    bench_save,
    bench_startup,
    compile_bytecode,
    first_project_key,
)

from tests.helpers.postgres import PostgresServer, PostgresUnavailable  # noqa: E402

DURABLE_SETTINGS = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
"""The server settings a real server keeps, which the tests' server turns off."""


def bench_store(location: Path | str, repeat: int) -> dict[str, float]:
    """``run.py``'s store figures (update, add, load, check), the load timed ``repeat`` times."""
    figures = bench_save(location, repeat, loads=repeat)
    return {f"repo.{name}": value for name, value in figures.items()}


def timed_command(command: list[str], repeat: int) -> float:
    """Median wall time of running ``command`` (its output thrown away), in ms."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def list_command(location: Path | str, project: str) -> list[str]:
    """``run.py``'s ``clientdesk list requests --project KEY --json --data LOCATION``."""
    return [
        *(_clientdesk(), "list", "requests", "--project", project, "--json"),
        *("--data", str(location)),
    ]


def measure_store(location: Path | str, project: str, repeat: int) -> dict[str, float]:
    """Every figure of clientdesk over the store at ``location``, in run.py's order."""
    figures = bench_startup(location, repeat)
    figures.update(bench_store(location, repeat))
    figures.update({f"app.{key}": value for key, value in bench_app_save(location, 3).items()})
    figures.update({f"app.{key}": value for key, value in bench_app_switch(location, 3).items()})
    figures["list_json_ms"] = timed_command(list_command(location, project), repeat)
    for name, answer in clientdesk_keys(_clientdesk(), location, project, repeat).items():
        figures[f"key.{name}.ms"] = answer.ms
        figures[f"key.{name}.bytes"] = answer.bytes
    return figures


def database_mib(url: str) -> float:
    """The database's size on disk (``pg_database_size``), in MiB."""
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT pg_database_size(current_database())").fetchone()
    return float(row[0]) / 2**20 if row else 0.0


def make_durable(server: PostgresServer) -> None:
    """Turn the tests' server's fsync, synchronous commit and full page writes back on."""
    from psycopg import sql

    with server.admin_connection() as connection:
        for name, value in DURABLE_SETTINGS.items():
            connection.execute(
                sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(value))
            )
        connection.execute("SELECT pg_reload_conf()")
    deadline = time.monotonic() + 30
    while True:  # the reload reaches new sessions shortly after the signal
        with server.admin_connection() as connection:
            shown = {
                name: connection.execute(f"SHOW {name}").fetchone() for name in DURABLE_SETTINGS
            }
        if all(
            row and row[0] == value
            for row, value in zip(shown.values(), DURABLE_SETTINGS.values(), strict=True)
        ):
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"the server did not take the durable settings: {shown}")
        time.sleep(0.1)


def measure_size(
    records: int, repeat: int, tmp: Path, server: PostgresServer
) -> dict[str, dict[str, float]]:
    """Both stores' figures on a data set of ``records`` records: ``{"file": ..., "pg": ...}``."""
    data = tmp / f"bench-{records}.json"
    started = time.perf_counter()
    subprocess.run(
        [_clientdesk(), "demo", "--data", str(data), "--records", str(records), "--force"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    generated = time.perf_counter() - started
    url: str = server.new_database()
    started = time.perf_counter()
    subprocess.run(
        [_clientdesk(), "migrate", "--from", str(data), "--to", url],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    migrated = time.perf_counter() - started
    file_mib = data.stat().st_size / 2**20
    print(
        f"  {records:>6} records: {file_mib:.1f} MiB file made in {generated:.1f} s, "
        f"copied into the database in {migrated:.1f} s; measuring...",
        flush=True,
    )
    project = first_project_key(data)
    if first_project_key(url) != project:
        raise SystemExit(f"the database's first project is not the file's ({project})")
    measured = {"file": measure_store(data, project, repeat)}
    print("    file measured; measuring the database...", flush=True)
    measured["pg"] = measure_store(url, project, repeat)
    measured["file"].update(
        size_mib=file_mib,
        made_s=generated,
        orjson_read_ms=timed_command([sys.executable, "-c", ORJSON_READ, str(data)], repeat),
        rewrite_ms=bench_rewrite(data, repeat),
    )
    measured["pg"].update(size_mib=database_mib(url), made_s=migrated)
    server.drop_database(url)
    return measured


@dataclass(frozen=True)
class Row:
    """One figure of the side-by-side table.

    Attributes:
        label: what is measured.
        key: its name in the figures of a store.
        unit: ``ms``, ``MiB``, ``B`` (bytes, shown in KiB), ``s`` or ``yes/no``.
        both: measured on both stores; False for the file-only floors (``-`` for the database).
    """

    label: str
    key: str
    unit: str = "ms"
    both: bool = True

    def shown(self, figures: dict[str, float]) -> str:
        """The value in ``figures``, with its unit; ``-`` when it is not there."""
        value = figures.get(self.key)
        if value is None:
            return "-"
        if self.unit == "yes/no":
            return "yes" if value else "no"
        if self.unit == "B":
            return f"{value / 1024:.1f} KiB"
        if self.unit == "ms" and value < 10:
            return f"{value:.2f} ms"
        return f"{value:.1f} {self.unit}" if self.unit != "ms" else f"{value:.0f} ms"


COLLEAGUE = "key.a colleague's save on screen.ms"

ROWS = (
    Row("start-up: data on screen", "clientdesk.data_painted_ms"),
    Row("start-up: first paint", "clientdesk.first_paint_ms"),
    Row("start-up, bare Textual app (reference)", "bare.first_paint_ms"),
    Row("peak memory at data on screen", "clientdesk.rss_mib", "MiB"),
    *(Row(f"key: {name}", f"key.{name}.ms") for name in KEY_NAMES),
    *(Row(f"key: {name}: written", f"key.{name}.bytes", "B") for name in KEY_NAMES),
    Row("a colleague's save: on screen after", COLLEAGUE),
    Row("save in the app: ctrl+s to refreshed", "app.save_ms"),
    Row("save in the app: the store's write", "app.store_ms"),
    Row("save in the app: store ran on the UI thread", "app.store_on_ui_thread", "yes/no"),
    Row("save in the app: event loop's worst stall", "app.max_stall_ms"),
    Row("  the same ticker, app idle", "app.idle_stall_ms"),
    Row("switch project in the app: enter to shown", "app.switch_ms"),
    Row("switch project in the app: worst stall", "app.switch_stall_ms"),
    Row("store: update (Repository.update)", "repo.update_ms"),
    Row("store: add (Repository.add)", "repo.add_ms"),
    Row("store: load (open + snapshot)", "repo.load_ms"),
    Row("store: validate every record", "repo.check_ms"),
    Row("list requests --project KEY --json", "list_json_ms"),
    Row("size on disk (file / pg_database_size)", "size_mib", "MiB"),
    Row("made: demo (file) / migrate (database)", "made_s", "s"),
    Row("floor: python start + orjson read (file)", "orjson_read_ms", both=False),
    Row("floor: orjson rewrite + fsync (file)", "rewrite_ms", both=False),
)
"""The figures printed, in order."""


def ratio(file: float | None, database: float | None) -> str:
    """``pg / file`` as ``1.23x``; blank where either is missing or the file's is zero."""
    if file is None or database is None or not file:
        return ""
    return f"{database / file:.2f}x"


def print_columns(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    """An aligned table; the first column left-aligned, the others right-aligned."""
    widths = [max(len(row[column]) for row in (header, *rows)) for column in range(len(header))]
    for row in (header, *rows):
        cells = [
            cell.ljust(width) if column == 0 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        print("  " + " | ".join(cells).rstrip())


def size_table(measured: dict[str, dict[str, float]]) -> None:
    """figure | file | postgresql | ratio (pg/file) for one size."""
    file, database = measured["file"], measured["pg"]
    rows = []
    for row in ROWS:
        if row.unit == "yes/no":
            rows.append((row.label, row.shown(file), row.shown(database), ""))
            continue
        rows.append(
            (
                row.label,
                row.shown(file),
                row.shown(database),
                ratio(file.get(row.key), database.get(row.key)),
            )
        )
    print_columns(("figure", "file", "postgresql", "ratio (pg/file)"), rows)


SUMMARY = (
    "clientdesk.data_painted_ms",
    "key.cursor one row down.ms",
    "key.switch pane.ms",
    "key.open a record's form.ms",
    "key.save it (ctrl+s, until refreshed).ms",
    COLLEAGUE,
    "app.save_ms",
    "app.max_stall_ms",
    "app.switch_ms",
    "repo.update_ms",
    "repo.add_ms",
    "repo.load_ms",
    "list_json_ms",
    "clientdesk.rss_mib",
)
"""The figures of the summary across sizes (issue 22's list first)."""


def size_label(records: int) -> str:
    """``10k`` for 10000 records, the number itself when it is not whole thousands."""
    return f"{records // 1000}k" if records % 1000 == 0 else str(records)


def summary_table(sizes: list[int], measured: dict[int, dict[str, dict[str, float]]]) -> None:
    """For each figure, at each size: file, postgresql and their ratio."""
    labels = {row.key: row for row in ROWS}
    header = (
        "figure",
        *(f"{label} {size_label(size)}" for size in sizes for label in ("file", "pg", "x")),
    )
    rows: list[tuple[str, ...]] = []
    for key in SUMMARY:
        row = labels[key]
        cells: list[str] = [row.label]
        for size in sizes:
            file, database = measured[size]["file"], measured[size]["pg"]
            cells += [
                row.shown(file),
                row.shown(database),
                ratio(file.get(key), database.get(key)),
            ]
        rows.append(tuple(cells))
    print_columns(header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        default="1000,10000,50000",
        help="comma-separated record counts (default: 1000,10000,50000)",
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--no-fsync",
        action="store_true",
        help="keep the tests' server settings (fsync and synchronous commit off)",
    )
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",") if size.strip()]
    compile_bytecode()
    began = time.monotonic()
    server = PostgresServer()
    try:
        try:
            server.start()
        except PostgresUnavailable as error:
            raise SystemExit(f"cannot start PostgreSQL: {error}") from None
        if not options.no_fsync:
            make_durable(server)
        version = server.bindir.parent.name
        durability = "fsync and synchronous commit off" if options.no_fsync else "fsync on"
        print(
            f"clientdesk on the JSON file and on PostgreSQL {version} (a local server over its "
            f"Unix socket, {durability}, started in {server.startup_seconds:.1f} s);\n"
            f"median of {options.repeat} runs each (app saves and switches: 3), "
            f"in a 120x40 terminal\n",
            flush=True,
        )
        measured: dict[int, dict[str, dict[str, float]]] = {}
        with tempfile.TemporaryDirectory(prefix="clientdesk-backends-") as tmp:
            for records in sizes:
                measured[records] = measure_size(records, options.repeat, Path(tmp), server)
                print(f"\n{records} records:")
                size_table(measured[records])
                print(flush=True)
    finally:
        server.stop()
    print("summary across sizes (ratio x = pg / file):")
    summary_table(sizes, measured)
    print(
        "\nleft out for the database: peak memory as a multiple of the file's size and the "
        "orjson floors (they are about a file);\nresponse clocks and agenda: computed on a "
        "snapshot the same way on both stores (see run.py)."
    )
    print(f"\nwall time: {time.monotonic() - began:.0f} s")


if __name__ == "__main__":
    main()
