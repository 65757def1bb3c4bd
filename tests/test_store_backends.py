"""The store's contract on both backends: the JSON file and a real PostgreSQL database.

Each test runs once per backend (the ``store_location`` fixture): a writer
that dies mid-save loses only its own save, another process's save is heard
by a waiting reader, undo and its refusals work alike, and a key is never
handed out twice. The database is a real server the tests start themselves
(``tests/helpers/postgres.py``). The many-writers story is in
``tests/test_store_concurrency.py``, on both backends too.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from clientdesk.store.backends import open_repository
from clientdesk.store.errors import ConflictError
from clientdesk.store.models import ClientRequest, Project, Risk
from clientdesk.store.undo import UndoableRepository, UndoRefused
from tests.helpers.store_worker import RECEIVED, new_request
from tests.helpers.waiting import HANG_SECONDS, wait_until

pytestmark = pytest.mark.slow

WORKER = Path(__file__).parent / "helpers" / "store_worker.py"


def run_worker(*command: str, user: str = "ben") -> subprocess.CompletedProcess[str]:
    """Run the store worker (a separate process) to its end."""
    return subprocess.run(
        [sys.executable, str(WORKER), *command],
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
        env=_env(user),
    )


def _env(user: str) -> dict[str, str]:
    import os

    return {**os.environ, "CLIENTDESK_USER": user}


def test_a_writer_killed_mid_save_leaves_nothing_half_written(store_location: str) -> None:
    """A writer dies after writing its rows and before committing: its request is not
    there, the store reads as sound, and the next writer saves at once (the lock went
    with the dead process)."""
    repo = open_repository(store_location, user="ann")
    project = repo.add(Project(name="Crash test"))
    repo.add(new_request(project.id, "kept"))

    crashed = run_worker("crash-in-save", store_location, project.id)

    assert crashed.returncode == -9, crashed.stderr
    assert crashed.stdout.strip() == "writing", "the writer died inside its save"
    fresh = open_repository(store_location, user="ann")
    snapshot = fresh.snapshot()
    snapshot.check()
    assert [r.title for r in snapshot.of_project(ClientRequest, project.id)] == ["kept"]
    saved = fresh.add(new_request(project.id, "after the crash"))
    assert saved.key == "REQ-2", "the dead writer's key was never handed out"


def test_a_waiting_reader_hears_another_processs_save(store_location: str) -> None:
    """An open app waits for a change (LISTEN on the database, a look at the file): a
    save by another process ends the wait, and the next snapshot holds it."""
    repo = open_repository(store_location, user="ann")
    project = repo.add(Project(name="Live refresh"))
    assert repo.wait_for_change(0.05) is False, "nothing changed yet"
    heard = threading.Event()

    def listen() -> None:
        while not heard.is_set():
            if repo.wait_for_change(0.25):
                heard.set()

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    try:
        saved = run_worker("add-acked", store_location, project.key, "1", "ben")
        assert saved.returncode == 0, saved.stderr
        wait_until(heard.is_set, "the reader to hear ben's save")
    finally:
        heard.set()
        listener.join(timeout=HANG_SECONDS)
    titles = [r.title for r in repo.snapshot().of_project(ClientRequest, project.id)]
    assert titles == ["ben-0"]
    assert repo.snapshot().of_project(ClientRequest, project.id)[0].updated_by == "ben"
    repo.close()


def test_own_saves_do_not_wake_the_reader(store_location: str) -> None:
    """The app's own save is on screen already: waiting after it hears nothing new."""
    repo = open_repository(store_location, user="ann")
    repo.wait_for_change(0.01)  # the database's listener is connected from here on
    project = repo.add(Project(name="Own saves"))
    repo.add(new_request(project.id, "mine"))
    assert repo.wait_for_change(0.3) is False
    repo.close()


def test_undo_and_its_refusal_over_a_colleagues_change(store_location: str) -> None:
    """ctrl+z takes back my save; it refuses, naming who, once a colleague changed the
    record since, and their change stays."""
    mine = UndoableRepository(open_repository(store_location, user="ann"))
    project = mine.add(Project(name="Undo"))
    request = mine.add(new_request(project.id, "first"))
    mine.update(request.model_copy(update={"title": "second"}))

    mine.undo()
    assert mine.snapshot().get(ClientRequest, request.id).title == "first"  # type: ignore[union-attr]

    colleague = open_repository(store_location, user="ben")
    current = colleague.snapshot().get(ClientRequest, request.id)
    assert current is not None
    colleague.update(current.model_copy(update={"title": "ben's"}))
    with pytest.raises(UndoRefused, match="ben"):
        mine.undo()
    stored = open_repository(store_location).snapshot().get(ClientRequest, request.id)
    assert stored is not None and (stored.title, stored.updated_by) == ("ben's", "ben")


def test_a_stale_save_is_a_conflict_naming_who_and_when(store_location: str) -> None:
    ann = open_repository(store_location, user="ann")
    project = ann.add(Project(name="Conflicts"))
    risk = ann.add(Risk(project_id=project.id, title="Vendor late", probability=3, impact=4))
    ben = open_repository(store_location, user="ben")
    theirs = ben.snapshot().get(Risk, risk.id)
    assert theirs is not None
    ben.update(theirs.model_copy(update={"probability": 5}))

    with pytest.raises(ConflictError) as refused:
        ann.update(risk.model_copy(update={"impact": 5}))

    assert str(refused.value).startswith(f"{risk.key} was changed by ben at ")
    stored = open_repository(store_location).snapshot().get(Risk, risk.id)
    assert stored is not None
    assert (stored.probability, stored.impact, stored.revision) == (5, 4, 2)
    # The store wrote the score history, whoever saved: P went 3 -> 5.
    assert [(h.probability, h.by) for h in stored.history][-1:] == [(5, "ben")]


def test_keys_of_a_deleted_project_come_back_with_its_undo(store_location: str) -> None:
    """A project deleted and brought back by ctrl+z numbers on from where it was."""
    repo = UndoableRepository(open_repository(store_location, user="ann"))
    project = repo.add(Project(name="Comeback"))
    for title in ("one", "two"):
        repo.add(ClientRequest(project_id=project.id, title=title, received_at=RECEIVED))
    repo.delete(repo.snapshot().get(Project, project.id))  # type: ignore[arg-type]
    repo.undo()
    added = repo.add(ClientRequest(project_id=project.id, title="three", received_at=RECEIVED))
    assert added.key == "REQ-3"
