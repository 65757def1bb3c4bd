"""Several clientdesk processes writing one store at the same moment, on both backends.

The guarantee: writers serialise on the store's lock (the file's, or the
database's advisory lock) and catch up with what the others saved, so no save
is lost, no key is handed out twice, and a stale edit is a conflict instead of
silently overwriting someone else's.

The writers are separate Python processes (``tests/helpers/store_worker.py``)
that import only ``clientdesk.store``; they wait for a start file so that all
of them really write at the same time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from clientdesk.store.backends import open_repository
from clientdesk.store.models import ChecklistItem, ClientRequest, Project
from clientdesk.store.paths import is_database_url
from clientdesk.store.repository import LOCK_TIMEOUT_ENV
from clientdesk.store.storage import decode
from clientdesk.store.write_rules import load_checklist_template
from tests.helpers.waiting import HANG_SECONDS

pytestmark = pytest.mark.slow

WORKER = Path(__file__).parent / "helpers" / "store_worker.py"
WRITERS = 4
ADDS_PER_WRITER = 200
START_TIMEOUT = HANG_SECONDS
RUN_TIMEOUT = 180.0
RECEIVED = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)


def start_workers(
    tmp_path: Path, commands: list[list[str]], users: list[str]
) -> tuple[list[subprocess.Popen[str]], Path]:
    """Start one worker per command, wait until each is ready, and return them with the
    GO file that releases them all at once (not yet created)."""
    go = tmp_path / "go"
    procs: list[subprocess.Popen[str]] = []
    for command, user in zip(commands, users, strict=True):
        # Four writers taking turns 800 times: on a busy machine one of them may wait
        # longer than a person ever would (10 s) for its turn. Waiting is what this
        # test asks of them; only a hang ends it.
        env = {**os.environ, "CLIENTDESK_USER": user, LOCK_TIMEOUT_ENV: str(RUN_TIMEOUT)}
        procs.append(
            subprocess.Popen(
                [sys.executable, str(WORKER), *command, str(go)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
        )
    deadline = time.monotonic() + START_TIMEOUT
    ready = [Path(command[-1]) for command in commands]
    try:
        while not all(path.exists() for path in ready):
            failed = [p for p in procs if p.poll() is not None]
            if failed:
                _, err = failed[0].communicate()
                raise AssertionError(f"a worker died before it was ready:\n{err}")
            assert time.monotonic() < deadline, "hung: the workers never got ready"
            time.sleep(0.01)
    except BaseException:
        for proc in procs:
            proc.kill()
            proc.wait()
        raise
    return procs, go


def finish(procs: list[subprocess.Popen[str]]) -> list[dict[str, Any]]:
    """Wait for every worker; return the JSON line each printed."""
    results = []
    try:
        for proc in procs:
            try:
                out, err = proc.communicate(timeout=RUN_TIMEOUT)
            except subprocess.TimeoutExpired:
                raise AssertionError(
                    f"hung: a writer still ran after {RUN_TIMEOUT:.0f} s"
                ) from None
            assert proc.returncode == 0, err
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return results


def test_parallel_writers_lose_no_request_and_share_no_key(
    tmp_path: Path, store_location: str
) -> None:
    """Four processes adding 200 requests each at the same time end with exactly 800
    requests keyed REQ-1 ... REQ-800, every title present once, and a valid store."""
    repo = open_repository(store_location)
    project = repo.add(Project(name="Load test"))
    checklist_before = repo.snapshot().count(ChecklistItem)
    commands = [
        [
            "add-many",
            store_location,
            project.id,
            str(ADDS_PER_WRITER),
            f"w{number}",
            str(tmp_path / f"ready-{number}"),
        ]
        for number in range(WRITERS)
    ]
    procs, go = start_workers(tmp_path, commands, [f"writer-{n}" for n in range(WRITERS)])
    go.touch()
    results = finish(procs)

    total = WRITERS * ADDS_PER_WRITER
    handed_out = [key for result in results for key in result["keys"]]
    assert len(handed_out) == total
    assert sorted(handed_out, key=lambda k: int(k.split("-")[1])) == [
        f"REQ-{n}" for n in range(1, total + 1)
    ]
    for result in results:  # each writer saw its keys grow: no one went back in time
        numbers = [int(key.split("-")[1]) for key in result["keys"]]
        assert numbers == sorted(numbers)
    # the writers really overlapped: all were writing before the first one was done
    assert max(r["started"] for r in results) < min(r["last"] for r in results)

    snapshot = open_repository(store_location).snapshot()
    snapshot.check()  # full validation of every record
    requests = snapshot.all(ClientRequest)
    assert [r.key for r in requests] == [f"REQ-{n}" for n in range(1, total + 1)]
    assert len({r.id for r in requests}) == total
    assert sorted(r.title for r in requests) == sorted(
        f"w{w}-{n}" for w in range(WRITERS) for n in range(ADDS_PER_WRITER)
    )
    by_writer = {f"writer-{n}": 0 for n in range(WRITERS)}
    for r in requests:
        by_writer[r.updated_by] += 1
    assert set(by_writer.values()) == {ADDS_PER_WRITER}
    assert all(r.revision == 1 for r in requests)
    assert snapshot.count(ChecklistItem) == checklist_before == len(load_checklist_template())
    if not is_database_url(store_location):
        data_path = Path(store_location)
        decode(data_path, data_path.read_bytes())
        assert not list(data_path.parent.glob(".clientdesk.json.*.tmp"))


@pytest.mark.parametrize("round_", range(3))
def test_two_processes_saving_the_same_revision_one_wins_one_gets_a_conflict(
    tmp_path: Path, store_location: str, round_: int
) -> None:
    """Two people save the same request, both based on revision 1, at the same moment:
    exactly one save wins, the other is told who changed it, and nothing is merged."""
    repo = open_repository(store_location)
    project = repo.add(Project(name="Race"))
    base = repo.add(ClientRequest(project_id=project.id, title="original", received_at=RECEIVED))
    users = ["ann", "ben"]
    commands = [
        ["update", store_location, base.key, f"{user}'s title", str(tmp_path / f"ready-{user}")]
        for user in users
    ]
    procs, go = start_workers(tmp_path, commands, users)
    go.touch()
    results = dict(zip(users, finish(procs), strict=True))

    outcomes = sorted(result["outcome"] for result in results.values())
    assert outcomes == ["conflict", "saved"], results
    winner = next(user for user, result in results.items() if result["outcome"] == "saved")
    loser = next(user for user in users if user != winner)
    assert results[winner] == {"outcome": "saved", "revision": 2, "by": winner}
    conflict = results[loser]
    assert conflict["changed_by"] == winner
    assert conflict["message"].startswith(f"{base.key} was changed by {winner} at ")
    assert conflict["current_title"] == f"{winner}'s title"

    stored = open_repository(store_location).snapshot().get(ClientRequest, base.id)
    assert stored is not None
    assert (stored.title, stored.revision, stored.updated_by) == (f"{winner}'s title", 2, winner)
