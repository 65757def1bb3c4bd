"""A broken environment under a save: each fault gets one clear line and never harms the file.

The faults of issue 9: the data file's folder read-only (or on a read-only
file system), a full disk, a lock another process does not let go of, and the
data file deleted, moved or replaced while clientdesk has it open. For each,
a store test (no terminal) checks the message and that the file on disk is
exactly as before, with no temporary file left; an app test types a new risk,
presses ctrl+s, and checks that the form stays open with what was typed and
the cause on screen, and that ctrl+s saves once the fault is gone.

Running as root, chmod cannot make a folder read-only (root writes anyway):
the read-only tests then make the save's temporary file fail the way the OS
would.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from clientdesk.store.errors import (
    CannotSaveError,
    ConflictError,
    DataFileMissingError,
    DiskFullError,
    ReadOnlyError,
    StoreBusyError,
    describe_error,
)
from clientdesk.store.file_lock import DataFileLock
from clientdesk.store.models import ClientRequest, Project, Risk
from clientdesk.store.repository import (
    LOCK_TIMEOUT_ENV,
    LOCK_TIMEOUT_SECONDS,
    TinyDBRepository,
    lock_timeout,
)
from clientdesk.store.safe_files import Folder
from clientdesk.store.storage import backup_path, lock_path
from clientdesk.tui.app import ClientDeskApp, create_app
from clientdesk.widgets.record_table import RecordTable
from clientdesk.widgets.risk_form import RiskForm
from tests.helpers.ui import move_cursor_to, screen_text, settle
from tests.helpers.waiting import HANG_SECONDS, pilot_wait_until

RECEIVED = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
SHORT_LOCK_TIMEOUT = 0.3
"""Seconds a save waits for the lock in these tests (the default is ten)."""


# -- helpers -------------------------------------------------------------------


def request(project: Project, title: str) -> ClientRequest:
    """A new client request in ``project`` (not yet saved)."""
    return ClientRequest(project_id=project.id, title=title, received_at=RECEIVED)


def file_state(path: Path) -> tuple[bytes, int, int]:
    """The bytes, inode and mtime of ``path``: together they show whether anything wrote it."""
    info = path.stat()
    return path.read_bytes(), info.st_ino, info.st_mtime_ns


def temp_files(directory: Path) -> list[str]:
    """Leftover save temp files (``.clientdesk.json.*.tmp``) in ``directory``."""
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def titles(path: Path) -> list[str]:
    """The titles of the requests in data file ``path``, read by a fresh repository."""
    return [r.title for r in TinyDBRepository(path).snapshot().all(ClientRequest)]


@pytest.fixture
def project(repo: TinyDBRepository) -> Project:
    """A saved project called Alpha, with one saved request ("kept")."""
    alpha = repo.add(Project(name="Alpha", client="ACME"))
    repo.add(request(alpha, "kept"))
    return alpha


_real_create = Folder.create


def _unwritable_folder(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """From now on, creating the save's temp file fails with ``code``.

    This is where a save into a read-only folder fails first (the lock file
    already exists and can be opened), with the errno the OS would give.
    """

    def create(folder: Folder, prefix: str, suffix: str, mode: int = 0o600) -> tuple[int, str]:
        temp_name = str(folder.path / f"{prefix}x8k2p{suffix}")
        raise OSError(code, os.strerror(code), temp_name)

    monkeypatch.setattr(Folder, "create", create)


@dataclass
class ReadOnlyFolder:
    """Makes the data file's folder read-only, and writable again.

    With ``simulated`` (for root, whom permissions do not stop) the temp
    file's creation fails with EACCES instead of the folder being chmodded.
    """

    folder: Path
    simulated: bool
    monkeypatch: pytest.MonkeyPatch

    def make_read_only(self) -> None:
        """From now on, nothing can be created in the folder."""
        if self.simulated:
            _unwritable_folder(self.monkeypatch, errno.EACCES)
        else:
            self.folder.chmod(0o555)

    def make_writable(self) -> None:
        """Undo :meth:`make_read_only`."""
        if self.simulated:
            self.monkeypatch.setattr(Folder, "create", _real_create)
        else:
            self.folder.chmod(0o755)


@pytest.fixture(params=["chmod", "simulated"])
def read_only_folder(
    request: pytest.FixtureRequest, data_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ReadOnlyFolder]:
    """The data file's folder, to make read-only (really, or simulated when root)."""
    if request.param == "chmod" and os.geteuid() == 0:
        pytest.skip("root writes into read-only folders: see the simulated variant")
    data_path.parent.mkdir(parents=True, exist_ok=True)
    folder = ReadOnlyFolder(data_path.parent, request.param == "simulated", monkeypatch)
    yield folder
    folder.make_writable()


def read_only_message(data_path: Path) -> str:
    """What a save into the read-only folder of ``data_path`` says."""
    return (
        f"cannot save: the data file's folder is read-only for you ({data_path.parent})"
        " — nothing was changed"
    )


@contextmanager
def lock_held_elsewhere(data_path: Path) -> Iterator[None]:
    """Hold the data file's lock in another process (a stuck colleague) during the block."""
    script = (
        "import fcntl, sys\n"
        "lock = open(sys.argv[1], 'a')\n"
        "fcntl.flock(lock, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "sys.stdin.read()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, str(lock_path(data_path))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.stdin.close()  # the holder exits, and the OS drops its lock
        holder.wait(timeout=HANG_SECONDS)


def _full_disk_fsync(fd: int) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class _FileOnAFullDisk:
    """Stands in for the temp file's handle: the disk fills up part way through the write."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __enter__(self) -> _FileOnAFullDisk:
        return self

    def __exit__(self, *_: object) -> None:
        os.close(self.fd)

    def write(self, data: bytes) -> int:
        os.write(self.fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def flush(self) -> None:
        """Nothing is buffered."""


def _full_disk_fdopen(fd: int, *_: object, **__: object) -> _FileOnAFullDisk:
    return _FileOnAFullDisk(fd)


# -- the store: a read-only folder -----------------------------------------------


def test_a_save_into_a_read_only_folder_changes_nothing_and_says_why(
    repo: TinyDBRepository, project: Project, data_path: Path, read_only_folder: ReadOnlyFolder
) -> None:
    before = file_state(data_path)
    read_only_folder.make_read_only()
    with pytest.raises(ReadOnlyError) as refused:
        repo.add(request(project, "lost"))
    assert describe_error(refused.value) == read_only_message(data_path)
    assert file_state(data_path) == before
    assert temp_files(data_path.parent) == []
    assert [r.title for r in repo.snapshot().all(ClientRequest)] == ["kept"]

    read_only_folder.make_writable()
    again = repo.add(request(project, "second try"))
    assert again.key == "REQ-2", "the refused save used up no key"
    assert titles(data_path) == ["kept", "second try"]


@pytest.mark.parametrize(
    ("code", "kind", "cause"),
    [
        (errno.EROFS, ReadOnlyError, "the data file's folder is on a read-only file system"),
        (errno.EACCES, ReadOnlyError, "the data file's folder is read-only for you"),
        (errno.ENOSPC, DiskFullError, "the disk is full"),
        (errno.EDQUOT, DiskFullError, "your disk quota is used up"),
    ],
)
def test_each_write_fault_names_its_cause_and_the_folder(
    repo: TinyDBRepository,
    project: Project,
    data_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    code: int,
    kind: type[CannotSaveError],
    cause: str,
) -> None:
    before = file_state(data_path)
    _unwritable_folder(monkeypatch, code)
    with pytest.raises(kind) as refused:
        repo.add(request(project, "lost"))
    assert str(refused.value) == f"cannot save: {cause} ({data_path.parent}) — nothing was changed"
    assert file_state(data_path) == before


def test_an_unexpected_write_error_still_says_nothing_was_changed(
    repo: TinyDBRepository, project: Project, data_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = file_state(data_path)
    _unwritable_folder(monkeypatch, errno.EIO)
    with pytest.raises(CannotSaveError) as refused:
        repo.add(request(project, "lost"))
    assert str(refused.value) == (
        f"cannot save {data_path}: Input/output error — nothing was changed"
    )
    assert file_state(data_path) == before


def test_an_unreadable_lock_file_does_not_stop_a_save(
    repo: TinyDBRepository, project: Project, data_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lock file that a colleague's umask left unreadable: the folder's lock serves alone."""

    def refuse(self: object, *_: object, **__: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(lock_path(data_path)))

    monkeypatch.setattr(DataFileLock, "_open", refuse)
    repo.add(request(project, "saved"))
    assert titles(data_path) == ["kept", "saved"]


def test_a_lock_file_that_cannot_be_read_is_named_where_no_folder_lock_serves(
    repo: TinyDBRepository, project: Project, data_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the folder cannot be locked either, the lock file is the thing to fix."""

    def refuse(self: object, *_: object, **__: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(lock_path(data_path)))

    before = file_state(data_path)
    monkeypatch.setattr(DataFileLock, "_open", refuse)
    monkeypatch.setattr(DataFileLock, "_lock_folder", lambda *_: None)
    with pytest.raises(ReadOnlyError) as refused:
        repo.add(request(project, "lost"))
    assert str(refused.value) == (
        f"cannot save: the lock file is not readable for you ({lock_path(data_path)})"
        " — nothing was changed"
    )
    assert file_state(data_path) == before


# -- the store: a full disk ----------------------------------------------------------


@pytest.mark.parametrize("where", ["write", "fsync"])
def test_a_full_disk_keeps_the_old_file_byte_for_byte_and_no_temp_file(
    repo: TinyDBRepository,
    project: Project,
    data_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    before = file_state(data_path)
    backups_before = backup_path(data_path, 1).read_bytes()
    with monkeypatch.context() as patch:
        if where == "write":
            patch.setattr(os, "fdopen", _full_disk_fdopen)
        else:
            patch.setattr(os, "fsync", _full_disk_fsync)
        with pytest.raises(DiskFullError) as refused:
            repo.add(request(project, "lost"))
    assert str(refused.value) == (
        f"cannot save: the disk is full ({data_path.parent}) — nothing was changed"
    )
    assert file_state(data_path) == before
    assert backup_path(data_path, 1).read_bytes() == backups_before
    assert temp_files(data_path.parent) == []
    assert [r.title for r in repo.snapshot().all(ClientRequest)] == ["kept"]
    assert repo.add(request(project, "room again")).key == "REQ-2"
    assert titles(data_path) == ["kept", "room again"]


def test_an_export_on_a_full_disk_says_so_in_words(tmp_path: Path) -> None:
    """Files written outside the store (reports, invites) get the same plain words."""
    error = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "report.md"))
    assert describe_error(error) == f"{tmp_path / 'report.md'}: the disk is full"


# -- the store: a lock held elsewhere ------------------------------------------------------


def test_a_lock_held_by_another_process_gives_up_after_the_timeout(
    data_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, str(SHORT_LOCK_TIMEOUT))
    repo = TinyDBRepository(data_path)
    alpha = repo.add(Project(name="Alpha"))
    before = file_state(data_path)
    with lock_held_elsewhere(data_path):
        started = time.monotonic()
        with pytest.raises(StoreBusyError) as refused:
            repo.add(request(alpha, "lost"))
        waited = time.monotonic() - started
        assert file_state(data_path) == before
    # It gave up after the configured wait, not the default one (the message names it);
    # how much longer it took depends on the machine's load, so no upper bound.
    assert waited >= SHORT_LOCK_TIMEOUT
    assert str(refused.value) == (
        f"cannot save: the data file is locked by another process ({data_path}, "
        f"waited {SHORT_LOCK_TIMEOUT:g} s) — nothing was changed; try again"
    )
    assert repo.add(request(alpha, "after the lock")).key == "REQ-1"
    assert titles(data_path) == ["after the lock"]


@pytest.mark.parametrize(
    ("value", "expected"), [("2.5", 2.5), ("soon", LOCK_TIMEOUT_SECONDS), ("-1", 0.0)]
)
def test_the_lock_timeout_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: float
) -> None:
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, value)
    assert lock_timeout() == expected


# -- the store: the data file deleted or moved -----------------------------------------------


def missing_message(data_path: Path, restore: str = "") -> str:
    """What the store says once ``data_path`` is gone."""
    return (
        f"the data file was deleted or moved ({data_path}): nothing was saved; put it back"
        f"{restore} or restart clientdesk to begin a new file"
    )


def test_a_deleted_data_file_is_never_started_afresh(
    repo: TinyDBRepository, project: Project, data_path: Path
) -> None:
    """Saving now would make a file with only the new record: everyone's data would be gone."""
    repo.snapshot()
    data_path.rename(data_path.with_name("moved.json"))
    newest = backup_path(data_path, 1)
    expected = missing_message(data_path, f", restore the backup {newest}")

    assert repo.has_changed(), "the poll notices"
    with pytest.raises(DataFileMissingError) as unreadable:
        repo.snapshot()
    assert str(unreadable.value) == expected
    for attempt in (Project(name="Beta"), request(project, "lost")):
        with pytest.raises(DataFileMissingError) as refused:
            repo.add(attempt)
        assert str(refused.value) == expected
    assert not data_path.exists()
    assert temp_files(data_path.parent) == []

    data_path.with_name("moved.json").rename(data_path)
    assert [r.title for r in repo.snapshot().all(ClientRequest)] == ["kept"]
    repo.add(request(project, "after it came back"))
    assert titles(data_path) == ["kept", "after it came back"]


def test_a_moved_away_folder_is_not_made_again(
    repo: TinyDBRepository, project: Project, data_path: Path, tmp_path: Path
) -> None:
    repo.snapshot()
    elsewhere = tmp_path / "archive"
    data_path.parent.rename(elsewhere)
    with pytest.raises(DataFileMissingError) as refused:
        repo.add(request(project, "lost"))
    assert str(refused.value) == missing_message(data_path)
    assert not data_path.parent.exists(), "no empty folder (and lock file) left behind"


def test_a_restart_after_the_file_was_deleted_begins_a_new_file(
    repo: TinyDBRepository, project: Project, data_path: Path
) -> None:
    """Deleting the file on purpose and opening the store again is how to start over."""
    repo.snapshot()
    data_path.unlink()
    fresh = TinyDBRepository(data_path)
    assert fresh.snapshot().count() == 0
    fresh.add(Project(name="Gamma"))
    assert [p.name for p in TinyDBRepository(data_path).snapshot().projects()] == ["Gamma"]


# -- the store: the data file replaced ---------------------------------------------------------


def replace_with_edited_copy(data_path: Path, tmp_path: Path, key: str, title: str) -> None:
    """Put a copy of the file in its place (a new inode) in which ann retitled request ``key``."""
    copy = tmp_path / "copy.json"
    shutil.copy2(data_path, copy)
    theirs = TinyDBRepository(copy, user="ann")
    record = theirs.snapshot().find(ClientRequest, key)
    theirs.update(record.model_copy(update={"title": title}))
    os.replace(copy, data_path)


def test_a_replaced_file_is_read_again_and_a_stale_save_is_a_conflict(
    repo: TinyDBRepository, project: Project, data_path: Path, tmp_path: Path
) -> None:
    mine = repo.snapshot().find(ClientRequest, "REQ-1")
    replace_with_edited_copy(data_path, tmp_path, "REQ-1", "kept, retitled by ann")
    assert repo.has_changed()
    assert [r.title for r in repo.snapshot().all(ClientRequest)] == ["kept, retitled by ann"]

    before = file_state(data_path)
    with pytest.raises(ConflictError) as conflict:
        repo.update(mine.model_copy(update={"title": "kept, retitled by me"}))
    assert conflict.value.changed_by == "ann"
    assert file_state(data_path) == before


def test_a_file_replaced_by_another_teams_file_is_never_written_with_stale_records(
    repo: TinyDBRepository, project: Project, data_path: Path, tmp_path: Path
) -> None:
    mine = repo.snapshot().find(ClientRequest, "REQ-1")
    other = TinyDBRepository(tmp_path / "other.json", user="bob")
    other.add(Project(name="Other team"))
    os.replace(tmp_path / "other.json", data_path)

    assert [p.name for p in repo.snapshot().projects()] == ["Other team"]
    before = file_state(data_path)
    with pytest.raises(ConflictError, match="REQ-1 was deleted by someone else"):
        repo.update(mine.model_copy(update={"title": "edited"}))
    assert file_state(data_path) == before


# -- the app -------------------------------------------------------------------------------


def form_error(app: ClientDeskApp) -> str:
    """The error line at the top of the open form."""
    return str(app.screen.query_one("#form-error", Static).render())


def typed_title(app: ClientDeskApp) -> str:
    """What the open form's title field holds."""
    return app.screen.query_one("#field-title", Input).value


def stored_risk_titles(path: Path) -> list[str]:
    """The titles of every stored risk."""
    return [r.title for r in TinyDBRepository(path).snapshot().all(Risk)]


async def type_a_new_risk(pilot: Pilot[None], title: str) -> None:
    """Show the Risks pane, open the new-risk form with n and type ``title``."""
    await settle(pilot)
    await pilot.press("3")
    await pilot.pause()
    await pilot.press("n")
    await pilot.pause()
    assert isinstance(pilot.app.screen, RiskForm)
    await pilot.press("tab", *title)


async def save_and_expect_the_form_back(pilot: Pilot[None], title: str, cause: str) -> None:
    """Press ctrl+s and check that the form is still open, with ``title`` and ``cause``."""
    app = pilot.app
    assert isinstance(app, ClientDeskApp)
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert isinstance(app.screen, RiskForm), "the form stays open"
    assert typed_title(app) == title, "what was typed is still there"
    shown = form_error(app)
    assert cause in shown and "\n" not in shown.strip()
    errors = [str(n.message) for n in app._notifications if n.severity == "error"]
    assert any(cause in message for message in errors)
    assert "Traceback" not in screen_text(app)


async def save_and_expect_it_stored(pilot: Pilot[None], title: str, path: Path) -> None:
    """Press ctrl+s and check that the form closed and the risk is in the file."""
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert not isinstance(pilot.app.screen, RiskForm)
    assert title in stored_risk_titles(path)


@pytest.mark.usefixtures("app_now")
async def test_app_keeps_the_risk_typed_into_a_read_only_folder(
    demo_path: Path, read_only_folder: ReadOnlyFolder
) -> None:
    title = "Vendor goes bust"
    before = file_state(demo_path)
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_a_new_risk(pilot, title)
        read_only_folder.make_read_only()
        await save_and_expect_the_form_back(pilot, title, "read-only")
        assert form_error(app) == read_only_message(demo_path)
        assert file_state(demo_path) == before

        read_only_folder.make_writable()
        await save_and_expect_it_stored(pilot, title, demo_path)


@pytest.mark.usefixtures("app_now")
async def test_app_keeps_the_risk_typed_onto_a_full_disk(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    title = "Server room floods"
    before = file_state(demo_path)
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_a_new_risk(pilot, title)
        with monkeypatch.context() as patch:
            patch.setattr(os, "fsync", _full_disk_fsync)
            await save_and_expect_the_form_back(pilot, title, "the disk is full")
        assert file_state(demo_path) == before
        assert temp_files(demo_path.parent) == []

        await save_and_expect_it_stored(pilot, title, demo_path)


@pytest.mark.usefixtures("app_now")
async def test_app_keeps_the_risk_typed_while_another_process_holds_the_lock(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(LOCK_TIMEOUT_ENV, str(SHORT_LOCK_TIMEOUT))
    title = "Key developer leaves"
    before = file_state(demo_path)
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_a_new_risk(pilot, title)
        with lock_held_elsewhere(demo_path):
            await save_and_expect_the_form_back(pilot, title, "locked by another process")
            assert "try again" in form_error(app)
            assert file_state(demo_path) == before

        await save_and_expect_it_stored(pilot, title, demo_path)


@pytest.mark.usefixtures("app_now")
async def test_app_refuses_to_save_into_a_deleted_file_and_says_so(
    demo_path: Path, tmp_path: Path
) -> None:
    title = "Budget cut"
    risks_before = stored_risk_titles(demo_path)
    moved = tmp_path / "moved-away.json"
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_a_new_risk(pilot, title)
        demo_path.rename(moved)
        await pilot_wait_until(  # the poll runs every second
            pilot,
            lambda: any("deleted or moved" in str(n.message) for n in app._notifications),
            "the poll to notice the file is gone",
        )
        refresh_errors = [str(n.message) for n in app._notifications if n.severity == "error"]
        assert any("deleted or moved" in message for message in refresh_errors), (
            "the poll tells the user at once"
        )

        await save_and_expect_the_form_back(pilot, title, "deleted or moved")
        assert "nothing was saved" in form_error(app)
        assert not demo_path.exists(), "no new file holding only this risk"

        moved.rename(demo_path)
        await save_and_expect_it_stored(pilot, title, demo_path)
    assert stored_risk_titles(demo_path) == [*risks_before, title], "everyone's risks are kept"


@pytest.mark.usefixtures("app_now")
async def test_app_shows_a_replaced_file_and_does_not_overwrite_it_with_a_stale_edit(
    demo_path: Path, tmp_path: Path
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await pilot.pause()
        table: RecordTable[Risk] = app.query_one("#risk-table", RecordTable)
        risk = await move_cursor_to(pilot, table, "RSK-3")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, RiskForm)
        app.screen.query_one("#field-title", Input).focus()
        await pilot.press("end", *" (mine)")

        copy = tmp_path / "copy.json"
        shutil.copy2(demo_path, copy)
        theirs = TinyDBRepository(copy, user="ann")
        stored = theirs.snapshot().get(Risk, risk.id)
        assert stored is not None
        theirs.update(stored.model_copy(update={"title": "Retitled by ann"}))
        os.replace(copy, demo_path)
        await pilot_wait_until(  # the poll runs every second
            pilot,
            lambda: "Retitled by ann" in [r.title for r in table.records],
            "the pane to show the replaced file",
        )
        assert "Retitled by ann" in [r.title for r in table.records], "the pane was refreshed"

        before = file_state(demo_path)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert file_state(demo_path) == before, "the stale edit did not overwrite ann's"
        assert any(isinstance(screen, RiskForm) for screen in app.screen_stack)
        form = next(s for s in app.screen_stack if isinstance(s, RiskForm))
        assert form.query_one("#field-title", Input).value == f"{risk.title} (mine)"
        assert "ann" in screen_text(app), "who changed it is shown"


async def test_the_app_does_not_open_a_data_file_through_a_link_others_could_swap(
    tmp_path: Path,
) -> None:
    """A link in a folder the group can write to may be replaced between any two saves."""
    real = tmp_path / "real.json"
    TinyDBRepository(real).add(Project(name="Alpha"))
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o2775)
    link = shared / "team.json"
    link.symlink_to(real)
    before = real.read_bytes()
    app = create_app(link)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.mode == "error"
        # Long paths wrap anywhere in the panel: compare without the layout.
        shown = "".join(screen_text(app).replace("│", "").split())
        for said in (
            f"{link} is a link in {shared}, a folder others can write to",
            "Open the file by its own path (clientdesk --data FILE); q quits.",
        ):
            assert "".join(said.split()) in shown
    assert real.read_bytes() == before
