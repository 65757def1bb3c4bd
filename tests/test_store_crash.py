"""A clientdesk process killed in the middle of saving never damages the data file.

The guarantee (SPEC, "Persistence contract"): a crash at any moment leaves
either the old or the new file, never a torn one, and whatever a crashed save
left behind does not get in the way of the next one.

A writer process is SIGKILLed at random moments while it adds requests and
acknowledges each committed save on stdout; then the file must load and hold
exactly the acknowledged saves, or one more (the save that had committed but
was not acknowledged yet). Writers are forked from a "zygote" process that
imported ``clientdesk.store`` once (``tests/helpers/store_worker.py serve``),
so a hundred kills take seconds, not minutes.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import random
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clientdesk.store.models import ClientRequest, Project
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.storage import BACKUP_COUNT, backup_path, decode, new_file_mode
from tests.helpers.waiting import HANG_SECONDS

pytestmark = pytest.mark.slow

WORKER = Path(__file__).parent / "helpers" / "store_worker.py"
KILLS = 100
"""Writers killed at the least; more while the kills have not yet landed where they must."""
MAX_KILLS = 2000
"""A ceiling for the runs, only against a hang (a quiet machine needs about ``KILLS``)."""
MAX_KILL_DELAY = 0.06
"""Seconds a writer runs, at most, before it is killed (uniformly random, seeded), in the
first ``KILLS`` runs; each further ``KILLS`` runs allow it as much again (a busy machine)."""
SEED = 20261125
LINE_TIMEOUT = HANG_SECONDS
RECEIVED = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
TEMP_GLOB = ".clientdesk.json.*.tmp"


class Zygote:
    """The pre-imported process that forks one writer per command and reports on it."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER), "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
            env=env,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.child: int | None = None
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def line(self) -> str:
        """The next line the zygote or its child printed."""
        try:
            line = self.lines.get(timeout=LINE_TIMEOUT)
        except queue.Empty:
            raise AssertionError("the writer process went silent") from None
        if line is None:
            err = self.proc.stderr.read() if self.proc.stderr else ""
            raise AssertionError(f"the zygote died:\n{err}")
        if line.startswith("error "):
            raise AssertionError(f"the writer failed: {line}")
        return line

    def start(self, **command: str) -> None:
        """Fork a writer running ``command`` (see store_worker.serve)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()

    def kill_child(self) -> None:
        """SIGKILL the writer this test started, if it still runs."""
        if self.child is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.child, signal.SIGKILL)

    def close(self) -> None:
        """Stop the zygote (and a writer left running by a failed test)."""
        self.kill_child()
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=HANG_SECONDS)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def zygote(data_path: Path) -> Iterator[Zygote]:
    """A zygote whose writers use this test's isolated environment."""
    process = Zygote({**os.environ, "CLIENTDESK_USER": "crasher"})
    try:
        assert process.line() == "hello textual=0", "the writer must not import Textual"
        yield process
    finally:
        process.close()


@pytest.fixture
def project(data_path: Path) -> Project:
    """The project the writers add requests to."""
    return TinyDBRepository(data_path).add(Project(name="Crash test"))


def request_keys(path: Path) -> list[str]:
    """Keys of the requests in data file ``path``, after full validation of the file."""
    return [r.key for r in TinyDBRepository(path).snapshot().all(ClientRequest)]


def assert_loads_as_a_copy(path: Path, scratch: Path) -> int:
    """Validate a file (e.g. a backup) like a data file, without writing beside it."""
    scratch.mkdir(parents=True, exist_ok=True)
    copy = scratch / "clientdesk.json"
    shutil.copyfile(path, copy)
    decode(copy, copy.read_bytes())
    return TinyDBRepository(copy).snapshot().count(ClientRequest)


def test_a_writer_killed_at_random_moments_never_tears_the_file(
    zygote: Zygote, project: Project, data_path: Path, tmp_path: Path
) -> None:
    """100 SIGKILLs (or more) at random moments of a write loop: after each one the file
    loads and holds every acknowledged save, plus at most the one in flight.

    The kills go on until they have landed where they must (KILLS // 2 saves done,
    one kill inside a save): on a busy machine a writer gets less done before its
    kill, so that takes more runs, each let live a little longer, never a failure.
    """
    rng = random.Random(SEED)
    in_file = 0
    mode = stat.S_IMODE(data_path.stat().st_mode)
    kills_mid_save = 0
    unacked_commits = 0
    iteration = 0

    def kills_landed() -> bool:
        return in_file >= KILLS // 2 and kills_mid_save > 0

    while iteration < KILLS or not kills_landed():
        # the kills did land inside the write loop, also inside saves
        assert iteration < MAX_KILLS, (
            f"hung: {in_file} saves and {kills_mid_save} kills inside a save in "
            f"{iteration} runs: the writers were stuck"
        )
        temps_before = set(data_path.parent.glob(TEMP_GLOB))
        zygote.start(mode="loop", data=str(data_path), project_id=project.id)
        pid = ready = None
        while pid is None or ready is None:
            kind, value = zygote.line().split(" ", 1)
            if kind == "pid":
                pid = zygote.child = int(value)
            elif kind == "ready":
                ready = int(value)
        assert ready == in_file, "the writer must start from the file as last verified"

        time.sleep(rng.uniform(0, MAX_KILL_DELAY * (1 + iteration // KILLS)))
        os.kill(pid, signal.SIGKILL)

        acked = ready
        while True:
            kind, value = zygote.line().split(" ", 1)
            if kind == "ack":
                acked = int(value)
            elif kind == "exit":
                exited_pid, code = map(int, value.split())
                if exited_pid == pid:
                    assert code == -signal.SIGKILL
                    break
        zygote.child = None

        keys = request_keys(data_path)  # raises if the file is torn or invalid
        n = len(keys)
        assert acked <= n <= acked + 1, (iteration, acked, n)
        assert keys == [f"REQ-{k}" for k in range(1, n + 1)]
        assert stat.S_IMODE(data_path.stat().st_mode) == mode
        new_temps = set(data_path.parent.glob(TEMP_GLOB)) - temps_before
        assert len(new_temps) <= 1, "one killed save leaves at most one temp file"
        kills_mid_save += len(new_temps)
        unacked_commits += n - acked
        in_file = n
        iteration += 1

    print(
        f"\n{iteration} kills: {in_file} saves, {kills_mid_save} kills between temp file and "
        f"rename, {unacked_commits} saves committed but not yet acknowledged"
    )
    # every backup the killed writers left is a complete, valid data file (a kill in
    # the middle of the rotation may leave gaps in the numbers, nothing worse)
    backups = [backup_path(data_path, n) for n in range(1, BACKUP_COUNT + 2)]
    assert not backups[-1].exists()
    assert any(backup.exists() for backup in backups)
    for number, backup in enumerate(backups, start=1):
        if backup.exists():
            assert assert_loads_as_a_copy(backup, tmp_path / f"verify-{number}") <= in_file
    # a later writer works with all the debris around, and refills every backup slot
    repo = TinyDBRepository(data_path)
    for number in range(BACKUP_COUNT + 1):
        repo.add(
            ClientRequest(project_id=project.id, title=f"after {number}", received_at=RECEIVED)
        )
    assert len(request_keys(data_path)) == in_file + BACKUP_COUNT + 1
    for number, backup in enumerate(backups[:-1], start=1):
        count = assert_loads_as_a_copy(backup, tmp_path / f"verify-after-{number}")
        assert count == in_file + BACKUP_COUNT + 1 - number
    for leftover in data_path.parent.glob(TEMP_GLOB):
        leftover.unlink()  # they can be large; don't keep them in pytest's tmp dirs


# Where a kill lands inside one save, and whether the file then holds the old version.
CRASH_POINTS = {
    "mid-write": "old",  # half the payload in the temp file
    "before-file-fsync": "old",  # whole payload written, not yet synced or renamed
    "mid-rotation": "old",  # backups shifted, backup 1 not yet linked
    "before-rename": "old",  # backups rotated, temp file complete
    "after-rename": "new",  # renamed, directory not yet synced
}


@pytest.mark.parametrize("point", sorted(CRASH_POINTS))
def test_a_kill_at_each_step_of_a_save_leaves_the_old_or_the_new_file(
    zygote: Zygote, project: Project, data_path: Path, point: str
) -> None:
    """SIGKILL at each step of save_atomically: the file is the old version up to the
    rename and the new one after it; debris is harmless and the next save works."""
    seed_repo = TinyDBRepository(data_path)
    for number in range(3):
        seed_repo.add(
            ClientRequest(project_id=project.id, title=f"r{number}", received_at=RECEIVED)
        )
    old = data_path.read_bytes()

    zygote.start(mode="crash", data=str(data_path), project_id=project.id, point=point)
    seen: list[str] = []
    while True:
        line = zygote.line()
        seen.append(line)
        if line.startswith("pid "):
            zygote.child = int(line.split()[1])
        if line.startswith("exit "):
            break
    zygote.child = None
    assert "armed 3" in seen and "survived" not in seen, seen
    assert seen[-1].endswith(f" {-signal.SIGKILL}"), seen

    keys = request_keys(data_path)
    if CRASH_POINTS[point] == "old":
        assert data_path.read_bytes() == old
        assert keys == ["REQ-1", "REQ-2", "REQ-3"]
        leftovers = list(data_path.parent.glob(TEMP_GLOB))
        assert len(leftovers) == 1, leftovers
    else:
        assert keys == ["REQ-1", "REQ-2", "REQ-3", "REQ-4"]
        assert backup_path(data_path, 1).read_bytes() == old
        leftovers = []
    debris = {p: p.read_bytes() for p in leftovers}

    after = TinyDBRepository(data_path, user="next")
    saved = after.add(ClientRequest(project_id=project.id, title="next", received_at=RECEIVED))
    assert saved.key == f"REQ-{len(keys) + 1}"
    assert request_keys(data_path) == [*keys, saved.key]
    # the debris is neither read, nor removed, nor joined by new debris
    assert {p: p.read_bytes() for p in data_path.parent.glob(TEMP_GLOB)} == debris
    assert backup_path(data_path, 1).exists()
    assert stat.S_IMODE(data_path.stat().st_mode) == new_file_mode()


def test_stale_temp_files_from_old_crashes_are_ignored(
    project: Project, data_path: Path, tmp_path: Path
) -> None:
    """Temp files a crash left behind -- garbage, half a file, or a complete newer-looking
    version -- are never read as data and never stop a save."""
    repo = TinyDBRepository(data_path)
    repo.add(ClientRequest(project_id=project.id, title="real", received_at=RECEIVED))
    good = data_path.read_bytes()
    other = TinyDBRepository(tmp_path / "elsewhere" / "clientdesk.json")
    other_project = other.add(Project(name="Decoy"))
    for number in range(5):
        other.add(
            ClientRequest(project_id=other_project.id, title=f"d{number}", received_at=RECEIVED)
        )
    decoy = (tmp_path / "elsewhere" / "clientdesk.json").read_bytes()
    stale = {
        data_path.parent / ".clientdesk.json.k2j3h4g5.tmp": b"\x00\xffgarbage",
        data_path.parent / ".clientdesk.json.a1b2c3d4.tmp": good[: len(good) // 2],
        data_path.parent / ".clientdesk.json.zzzzzzzz.tmp": decoy,
        data_path.parent / ".clientdesk.json.empty000.tmp": b"",
    }
    future = time.time() + 3600
    for path, content in stale.items():
        path.write_bytes(content)
        os.utime(path, (future, future))  # newer than the data file

    fresh = TinyDBRepository(data_path)
    assert [r.title for r in fresh.snapshot().all(ClientRequest)] == ["real"]
    for number in range(3):
        fresh.add(ClientRequest(project_id=project.id, title=f"new {number}", received_at=RECEIVED))
    assert [r.title for r in TinyDBRepository(data_path).snapshot().all(ClientRequest)] == [
        "real",
        "new 0",
        "new 1",
        "new 2",
    ]
    assert {p: p.read_bytes() for p in data_path.parent.glob(TEMP_GLOB)} == stale
