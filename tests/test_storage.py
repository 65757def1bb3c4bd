"""The persistence contract of the JSON file store, checked without a terminal.

Each test names one guarantee a user relies on: saves are atomic and leave no
debris, permissions follow the umask and survive saves, earlier versions are
kept as rolling backups, a broken file is reported clearly and never
overwritten, concurrent edits are detected, and keys behave like keys.

The shared ``conftest.py`` points every location at ``tmp_path`` and sets
``CLIENTDESK_USER=tester``.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientdesk.store import clock, schema
from clientdesk.store import storage as storage_module
from clientdesk.store.errors import (
    ConflictError,
    DataFileError,
    DiskFullError,
    NotFoundError,
    ValidationFailed,
)
from clientdesk.store.models import (
    Attendee,
    AttendeeRole,
    ChecklistItem,
    ClientRequest,
    CommunicationPlanItem,
    Contact,
    Meeting,
    Priority,
    Project,
    RequestStatus,
    Risk,
)
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.safe_files import Folder
from clientdesk.store.storage import (
    BACKUP_COUNT,
    AtomicJSONStorage,
    backup_path,
    decode,
    encode,
    new_file_mode,
    save_atomically,
    thawed,
)
from clientdesk.store.write_rules import Change, load_checklist_template
from tests.helpers.waiting import HANG_SECONDS

RECEIVED = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
PAST_MTIME_NS = 1_700_000_000_123_456_789
"""A distinctive mtime stamped on files whose mtime must not change."""


# -- helpers -------------------------------------------------------------------


def request(project: Project, title: str = "Export to CSV", **fields: object) -> ClientRequest:
    """A new client request in ``project`` (not yet saved)."""
    return ClientRequest(project_id=project.id, title=title, received_at=RECEIVED, **fields)


def temp_files(directory: Path) -> list[str]:
    """Names of leftover save temp files (``.clientdesk.json.*.tmp``) in ``directory``."""
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def file_state(path: Path) -> tuple[bytes, int]:
    """The bytes and mtime of ``path``: together they show whether anything wrote to it."""
    return path.read_bytes(), path.stat().st_mtime_ns


@contextmanager
def umask(mask: int) -> Iterator[None]:
    """Run the block with the process umask set to ``mask``, then restore it."""
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def project(repo: TinyDBRepository) -> Project:
    """A saved project called Alpha."""
    return repo.add(Project(name="Alpha", client="ACME"))


# -- atomic saves --------------------------------------------------------------


def test_save_renames_a_temp_file_from_the_same_directory_over_the_data_file(
    repo: TinyDBRepository, data_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save never writes into the data file: it renames a finished temp file over it.

    The temp file must live in the same directory (a rename across file
    systems is not atomic) and be a hidden ``.clientdesk.json.*.tmp``.
    """
    renames: list[tuple[Path, Path]] = []
    real_replace = Folder.replace

    def spy(folder: Folder, src: str, dst: str) -> None:
        renames.append((folder.path / src, folder.path / dst))
        real_replace(folder, src, dst)

    monkeypatch.setattr(Folder, "replace", spy)
    repo.add(Project(name="Alpha"))

    onto_data_file = [(src, dst) for src, dst in renames if dst == data_path]
    assert len(onto_data_file) == 1, renames
    src, _ = onto_data_file[0]
    assert src.parent == data_path.parent
    assert src.name.startswith(".clientdesk.json.") and src.name.endswith(".tmp")


def test_saved_file_holds_exactly_the_encoded_tables(
    repo: TinyDBRepository, project: Project, data_path: Path
) -> None:
    """The file on disk is the JSON of the tables, one document per line, nothing more or less."""
    repo.add(request(project, title="Umlaute: Grüße, naïve café"))
    raw = data_path.read_bytes()
    tables = decode(data_path, raw)
    assert raw == encode(tables)
    assert raw == encode(json.loads(raw.decode("utf-8")))
    assert tables[schema.META_TABLE][schema.META_DOC_ID]["schema_version"] == (
        schema.SCHEMA_VERSION
    )
    stored_titles = [thawed(doc)["title"] for doc in tables[ClientRequest.TABLE].values()]
    assert stored_titles == ["Umlaute: Grüße, naïve café"]
    request_lines = [line for line in raw.splitlines() if b"Umlaute" in line]
    assert len(request_lines) == 1 and request_lines[0].startswith(b'"1":{"id":')


def test_save_atomically_writes_the_payload_and_returns_the_new_signature(
    tmp_path: Path,
) -> None:
    """The low-level save writes exactly the payload and reports the file as written."""
    path = tmp_path / "clientdesk.json"
    payload = encode(schema.empty_tables())
    signature = save_atomically(path, payload)
    assert path.read_bytes() == payload
    assert signature == storage_module.signature_of(path)
    assert temp_files(tmp_path) == []


def test_many_saves_leave_no_temp_files_behind(
    repo: TinyDBRepository, project: Project, data_path: Path
) -> None:
    """After any number of successful saves the directory holds no ``.tmp`` debris."""
    for number in range(12):
        repo.add(request(project, title=f"request {number}"))
    assert temp_files(data_path.parent) == []
    unexpected = {
        p.name
        for p in data_path.parent.iterdir()
        if p.name not in {"clientdesk.json", "clientdesk.json.lock"}
        and not p.name.startswith("clientdesk.json.bak.")
    }
    assert unexpected == set()


def test_a_failed_save_changes_nothing_and_removes_its_temp_file(
    repo: TinyDBRepository,
    project: Project,
    data_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When the final rename fails, the old file stays, no temp file is left, and the
    repository neither shows the lost record nor burns its key."""
    repo.add(request(project, title="kept"))
    before = file_state(data_path)

    def failing_replace(folder: Folder, src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(Folder, "replace", failing_replace)
        with pytest.raises(DiskFullError, match="the disk is full"):
            repo.add(request(project, title="lost"))

    assert file_state(data_path) == before
    assert temp_files(data_path.parent) == []
    assert [r.title for r in repo.snapshot().all(ClientRequest)] == ["kept"]
    again = repo.add(request(project, title="second try"))
    assert again.key == "REQ-2"
    on_disk = TinyDBRepository(data_path).snapshot().all(ClientRequest)
    assert [(r.key, r.title) for r in on_disk] == [("REQ-1", "kept"), ("REQ-2", "second try")]


def test_a_failed_batch_writes_nothing(
    repo: TinyDBRepository, project: Project, data_path: Path
) -> None:
    """A batch whose second change is stale is refused whole: the add in it is not saved."""
    first = repo.add(request(project, title="first"))
    repo.update(first.model_copy(update={"title": "first, edited"}))
    before = file_state(data_path)
    with pytest.raises(ConflictError):
        repo.apply([Change.add(request(project, title="new")), Change.update(first)])
    assert file_state(data_path) == before
    assert [r.title for r in repo.snapshot().all(ClientRequest)] == ["first, edited"]
    assert repo.add(request(project, title="new")).key == "REQ-2"


# -- permissions ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("mask", "expected"),
    [(0o002, 0o660), (0o022, 0o640), (0o077, 0o600), (0o000, 0o660), (0o027, 0o640)],
)
def test_a_new_data_file_gets_umask_owner_and_group_bits_and_nothing_for_others(
    data_path: Path, mask: int, expected: int
) -> None:
    """A new data file is never world-readable; the umask decides owner and group bits
    (so ``umask 002`` lets a team share it through a group). Its backups match."""
    with umask(mask):
        assert new_file_mode() == 0o666 & ~mask & ~0o007 == expected
        repo = TinyDBRepository(data_path)
        prj = repo.add(Project(name="Shared"))
        repo.add(request(prj))
    assert stat.S_IMODE(data_path.stat().st_mode) == expected
    assert stat.S_IMODE(backup_path(data_path, 1).stat().st_mode) == expected


def _foreign_group() -> int | None:
    """A group id other than our primary one that we may give a file, if there is one."""
    if os.geteuid() == 0:
        return 4242
    others = [gid for gid in os.getgroups() if gid != os.getegid()]
    return others[0] if others else None


@pytest.mark.parametrize("mode", [0o664, 0o640, 0o600, 0o644])
def test_a_save_keeps_the_existing_file_mode_and_group(data_path: Path, mode: int) -> None:
    """Whatever mode and group the user gave the data file survive every later save,
    even though each save writes a new file."""
    repo = TinyDBRepository(data_path)
    prj = repo.add(Project(name="Shared"))
    group = _foreign_group()
    if group is None:
        pytest.skip("needs a second group to show that the group is kept")
    os.chown(data_path, -1, group)
    os.chmod(data_path, mode)
    with umask(0o077):  # a save must not fall back to the umask for an existing file
        for number in range(3):
            repo.add(request(prj, title=f"request {number}"))
            info = data_path.stat()
            assert stat.S_IMODE(info.st_mode) == mode
            assert info.st_gid == group


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_save_by_root_keeps_the_file_owner(data_path: Path) -> None:
    """An administrator who edits a user's data file must not take it over."""
    repo = TinyDBRepository(data_path)
    prj = repo.add(Project(name="Owned"))
    os.chown(data_path, 4243, 4242)
    repo.add(request(prj))
    info = data_path.stat()
    assert (info.st_uid, info.st_gid) == (4243, 4242)


# -- rolling backups -----------------------------------------------------------


def test_backups_rotate_and_backup_one_holds_the_previous_version(
    repo: TinyDBRepository, data_path: Path
) -> None:
    """``clientdesk.json.bak.1`` is always the version before the last save, ``.bak.N``
    the one N saves back, and no more than five are kept."""
    prj = repo.add(Project(name="Alpha"))
    versions = [data_path.read_bytes()]
    assert not backup_path(data_path, 1).exists()
    for number in range(BACKUP_COUNT + 3):
        repo.add(request(prj, title=f"request {number}"))
        versions.append(data_path.read_bytes())
        kept = min(len(versions) - 1, BACKUP_COUNT)
        for back in range(1, kept + 1):
            assert backup_path(data_path, back).read_bytes() == versions[-1 - back], back
        for missing in range(kept + 1, BACKUP_COUNT + 2):
            assert not backup_path(data_path, missing).exists()
    assert not backup_path(data_path, BACKUP_COUNT + 1).exists()


def test_older_backups_stay_spaced_through_a_burst_of_saves(
    repo: TinyDBRepository, data_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the default spacing, a burst of saves keeps replacing ``.bak.1`` (the
    previous version) but cannot push out ``.bak.2``: a bad edit noticed late still
    finds a version from before the burst. Once ``.bak.1`` is ten minutes newer than
    ``.bak.2``, the backups shift up."""
    monkeypatch.delenv("CLIENTDESK_BACKUP_SPACING")
    prj = repo.add(Project(name="Alpha"))
    versions = [data_path.read_bytes()]
    for number in range(6):
        repo.add(request(prj, title=f"request {number}"))
        versions.append(data_path.read_bytes())
    assert backup_path(data_path, 1).read_bytes() == versions[-2]
    assert backup_path(data_path, 2).read_bytes() == versions[0]
    assert not backup_path(data_path, 3).exists()
    # Ten minutes and a bit pass between the oldest backup and the next save.
    second = backup_path(data_path, 2)
    aged = second.stat().st_mtime - 601
    os.utime(second, (aged, aged))
    repo.add(request(prj, title="after a pause"))
    assert backup_path(data_path, 1).read_bytes() == versions[-1]
    assert backup_path(data_path, 2).read_bytes() == versions[-2]
    assert backup_path(data_path, 3).read_bytes() == versions[0]


def test_backups_are_separate_files_that_later_saves_do_not_change(
    repo: TinyDBRepository, data_path: Path
) -> None:
    """A backup is a snapshot in time: saving again never rewrites an existing backup."""
    prj = repo.add(Project(name="Alpha"))
    repo.add(request(prj))
    backup = backup_path(data_path, 1)
    content, inode = backup.read_bytes(), backup.stat().st_ino
    assert inode != data_path.stat().st_ino
    repo.add(request(prj, title="another"))
    moved = backup_path(data_path, 2)
    assert (moved.read_bytes(), moved.stat().st_ino) == (content, inode)


def test_a_no_op_update_neither_saves_nor_rotates_backups(
    repo: TinyDBRepository, project: Project, data_path: Path
) -> None:
    """Saving a record unchanged does not bump its revision and does not touch the file."""
    saved = repo.add(request(project))
    before = file_state(data_path)
    backups_before = backup_path(data_path, 1).read_bytes()
    same = repo.update(saved.model_copy())
    assert same.revision == 1
    assert same.updated_at == saved.updated_at
    assert file_state(data_path) == before
    assert backup_path(data_path, 1).read_bytes() == backups_before
    changed = repo.update(saved.model_copy(update={"priority": Priority.P1}))
    assert changed.revision == 2


def test_a_save_after_opening_the_file_keeps_every_record_it_did_not_touch_as_it_was(
    repo: TinyDBRepository, project: Project, data_path: Path
) -> None:
    """Records kept as their JSON text between saves come back out unchanged."""
    first, second, third = (repo.add(request(project, f"Request {n}")) for n in (1, 2, 3))
    risk = repo.add(Risk(project_id=project.id, title="Supplier late", probability=3, impact=4))
    before = json.loads(data_path.read_bytes())
    reopened = TinyDBRepository(data_path)
    reopened.snapshot()  # reads the file: its documents are kept as text from here
    edited = reopened.update(second.model_copy(update={"title": "Request 2, reworded"}))
    reopened.delete(third)
    after = json.loads(data_path.read_bytes())
    requests_before, requests_after = before[ClientRequest.TABLE], after[ClientRequest.TABLE]
    untouched = next(d for d, doc in requests_before.items() if doc["id"] == first.id)
    assert requests_after[untouched] == requests_before[untouched]
    assert after[Risk.TABLE] == before[Risk.TABLE]
    assert [doc["id"] for doc in requests_after.values()] == [first.id, second.id]
    reworded = next(doc for doc in requests_after.values() if doc["id"] == second.id)
    original = next(doc for doc in requests_before.values() if doc["id"] == second.id)
    assert reworded["title"] == "Request 2, reworded" and reworded["revision"] == 2
    assert {k: v for k, v in reworded.items() if k not in ("title", "revision", "updated_at")} == {
        k: v for k, v in original.items() if k not in ("title", "revision", "updated_at")
    }
    again = reopened.update(edited.model_copy(update={"priority": Priority.P1}))
    assert TinyDBRepository(data_path).snapshot().get(ClientRequest, second.id) == again
    assert repo.snapshot().get(Risk, risk.id) == risk


def test_reading_a_colleagues_save_validates_only_what_changed(
    repo: TinyDBRepository, project: Project, data_path: Path
) -> None:
    """Records the other save left as they were are taken over, not validated again."""
    first, second = (repo.add(request(project, f"Request {n}")) for n in (1, 2))
    mine = TinyDBRepository(data_path)
    before = mine.snapshot()
    before.of_project(ClientRequest, project.id)  # shown: made into models
    before.get(Project, project.id)
    repo.update(second.model_copy(update={"title": "Reworded by a colleague"}))
    after = mine.snapshot()
    assert after is not before
    assert after.get(ClientRequest, first.id) is before.get(ClientRequest, first.id)
    changed = after.get(ClientRequest, second.id)
    assert changed is not None and changed.title == "Reworded by a colleague"
    assert after.get(Project, project.id) is before.get(Project, project.id)


def test_a_hand_edit_that_breaks_a_record_is_found_after_an_earlier_good_reading(
    repo: TinyDBRepository, project: Project, data_path: Path
) -> None:
    """Taking over unchanged records never hides a changed one from validation."""
    repo.add(request(project))
    mine = TinyDBRepository(data_path)
    mine.snapshot()
    data_path.write_bytes(_rewrite(data_path.read_bytes(), _bad_priority))
    with pytest.raises(DataFileError, match="is invalid"):
        read_everything(mine)


def test_records_read_back_keep_every_field_and_their_own_values(
    repo: TinyDBRepository, project: Project, data_path: Path
) -> None:
    """Models that share their set of field names still hold and dump their own values."""
    meeting = repo.add(
        Meeting(
            project_id=project.id,
            title="Kick-off",
            start=datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
            attendees=[
                {"email": "ann@client.example", "name": "Ann"},
                {"email": "bo@client.example", "name": "Bo", "role": AttendeeRole.OPTIONAL},
            ],
        )
    )
    stored = TinyDBRepository(data_path).snapshot().get(Meeting, meeting.id)
    assert stored is not None
    ann, bo = stored.attendees
    ann.name = "Ann Lee"  # attendees are mutable models: a change stays with its own
    assert (ann.name, bo.name) == ("Ann Lee", "Bo")
    assert ann.model_dump()["name"] == "Ann Lee"
    assert (ann.role, bo.role) == (AttendeeRole.REQUIRED, AttendeeRole.OPTIONAL)
    assert set(bo.model_dump()) == set(Attendee.model_fields)
    assert set(stored.model_dump()) == set(Meeting.model_fields) | set(
        Meeting.model_computed_fields
    )


# -- broken files ----------------------------------------------------------------


def _rewrite(raw: bytes, edit: Callable[[dict[str, dict[str, dict[str, object]]]], None]) -> bytes:
    tables = json.loads(raw)
    edit(tables)
    return json.dumps(tables).encode("utf-8")


def _bad_priority(tables: dict[str, dict[str, dict[str, object]]]) -> None:
    for doc in tables[ClientRequest.TABLE].values():
        doc["priority"] = "P9"


def _no_schema_version(tables: dict[str, dict[str, dict[str, object]]]) -> None:
    del tables[schema.META_TABLE][schema.META_DOC_ID]["schema_version"]


def _future_version(tables: dict[str, dict[str, dict[str, object]]]) -> None:
    tables[schema.META_TABLE][schema.META_DOC_ID]["schema_version"] = 99


CORRUPTIONS: dict[str, tuple[Callable[[bytes], bytes], tuple[str, ...]]] = {
    # name: (turn a good file's bytes into the broken ones, words the message must contain)
    "not-json": (lambda raw: b"clientdesk? { this is not JSON", ("not valid JSON",)),
    "truncated": (lambda raw: raw[: len(raw) // 2], ("not valid JSON",)),
    "empty": (lambda raw: b"", ("empty",)),
    "json-list": (lambda raw: b'[{"name": "Alpha"}]', ("not a clientdesk data file",)),
    "not-utf8": (lambda raw: raw.replace(b"Alpha", b"Alph\xe9"), ("not UTF-8",)),
    "invalid-record": (lambda raw: _rewrite(raw, _bad_priority), ("REQ-1", "priority")),
    "no-schema-version": (
        lambda raw: _rewrite(raw, _no_schema_version),
        ("no schema version",),
    ),
    "future-version": (lambda raw: _rewrite(raw, _future_version), ("newer clientdesk", "99")),
}


@pytest.fixture
def good_file(repo: TinyDBRepository, data_path: Path) -> bytes:
    """A data file with a project and a request, saved twice so a backup exists."""
    prj = repo.add(Project(name="Alpha"))
    repo.add(request(prj))
    return data_path.read_bytes()


def read_everything(repo: TinyDBRepository) -> None:
    """Read the file and validate every record in it, as a save does before writing."""
    repo.snapshot().check()


def _break(data_path: Path, good: bytes, name: str) -> bytes:
    """Overwrite the data file with a broken version and stamp a known mtime."""
    corrupt, _ = CORRUPTIONS[name]
    broken = corrupt(good)
    data_path.write_bytes(broken)
    os.utime(data_path, ns=(PAST_MTIME_NS, PAST_MTIME_NS))
    return broken


def _assert_refusal(error: pytest.ExceptionInfo[DataFileError], data_path: Path, name: str) -> None:
    message = str(error.value)
    assert "\n" not in message, "the message must be one line"
    assert str(data_path) in message
    for word in CORRUPTIONS[name][1]:
        assert word in message, (word, message)
    assert "backup" in message
    assert str(backup_path(data_path, 1)) in message, "it must say where the last backup is"


def _directory_listing(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir() if not p.name.endswith(".lock")}


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_a_broken_file_is_reported_clearly_and_never_written(
    good_file: bytes, data_path: Path, name: str
) -> None:
    """A file that does not parse, is truncated, empty, the wrong shape, holds an invalid
    record or comes from a newer clientdesk makes reads and writes fail with one line
    that names the file, the problem and the backup -- and the file is left as it was."""
    broken = _break(data_path, good_file, name)
    listing = _directory_listing(data_path.parent)
    repo = TinyDBRepository(data_path)
    with pytest.raises(DataFileError) as on_read:
        read_everything(repo)
    _assert_refusal(on_read, data_path, name)
    with pytest.raises(DataFileError) as on_write:
        repo.add(Project(name="Beta"))
    _assert_refusal(on_write, data_path, name)
    assert file_state(data_path) == (broken, PAST_MTIME_NS)
    assert _directory_listing(data_path.parent) == listing, "no backup rotation, no temp files"


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_an_open_repository_refuses_writes_once_the_file_breaks(
    good_file: bytes, data_path: Path, name: str
) -> None:
    """The app has the file open when someone breaks it by hand: its next read reports
    the problem, and no add, update or delete may overwrite the broken file."""
    repo = TinyDBRepository(data_path)
    existing = repo.snapshot().find(ClientRequest, "REQ-1")
    project_id = existing.project_id
    broken = _break(data_path, good_file, name)
    with pytest.raises(DataFileError) as on_read:
        read_everything(repo)
    _assert_refusal(on_read, data_path, name)
    attempts: list[Callable[[], object]] = [
        lambda: repo.add(ClientRequest(project_id=project_id, title="x", received_at=RECEIVED)),
        lambda: repo.update(existing.model_copy(update={"title": "edited"})),
        lambda: repo.delete(existing),
    ]
    for attempt in attempts:
        with pytest.raises(DataFileError) as on_write:
            attempt()
        _assert_refusal(on_write, data_path, name)
    assert file_state(data_path) == (broken, PAST_MTIME_NS)


def test_a_broken_file_without_backups_says_there_is_none(data_path: Path) -> None:
    """With no backup yet, the message says so instead of pointing nowhere."""
    data_path.parent.mkdir(parents=True, exist_ok=True)
    data_path.write_bytes(b"{broken")
    with pytest.raises(DataFileError, match="no backup exists yet"):
        TinyDBRepository(data_path).snapshot()
    assert data_path.read_bytes() == b"{broken"


def test_the_storage_refuses_writes_after_reading_a_broken_file(
    good_file: bytes, data_path: Path
) -> None:
    """Once the storage has seen a broken file it will not start a write, and it
    recovers by itself when the file is repaired."""
    storage = AtomicJSONStorage(data_path)
    _break(data_path, good_file, "truncated")
    with pytest.raises(DataFileError):
        storage.read()
    with pytest.raises(DataFileError):
        storage.begin()
    data_path.write_bytes(good_file)  # the user restores the file
    storage.begin()
    storage.write(storage.read() or {})
    assert storage.commit() is True
    assert decode(data_path, data_path.read_bytes()) == decode(data_path, good_file)


def test_a_repository_that_found_an_invalid_record_refuses_writes_until_it_is_fixed(
    good_file: bytes, data_path: Path
) -> None:
    """A record failing validation blocks every write; fixing the file unblocks them."""
    repo = TinyDBRepository(data_path)
    _break(data_path, good_file, "invalid-record")
    with pytest.raises(DataFileError):
        read_everything(repo)
    with pytest.raises(DataFileError):
        repo.add(Project(name="Beta"))
    data_path.write_bytes(good_file)
    assert repo.add(Project(name="Beta")).key == "BETA"
    assert repo.snapshot().count(ClientRequest) == 1


def test_writes_outside_a_transaction_are_rejected(data_path: Path) -> None:
    """The storage only saves inside begin()/commit(), so every save holds the lock."""
    storage = AtomicJSONStorage(data_path)
    with pytest.raises(RuntimeError):
        storage.write(schema.empty_tables())
    assert not data_path.exists()


# -- other writers ---------------------------------------------------------------


def test_a_snapshot_shows_what_another_repository_saved(
    repo: TinyDBRepository, project: Project, data_path: Path
) -> None:
    """Another process's save is noticed (has_changed) and read by the next snapshot()."""
    other = TinyDBRepository(data_path, user="bob")
    assert repo.snapshot().count(ClientRequest) == 0
    assert not repo.has_changed()
    other.add(request(project, title="from bob"))
    assert repo.has_changed()
    assert [r.title for r in repo.snapshot().all(ClientRequest)] == ["from bob"]
    assert not repo.has_changed()


def test_a_hand_edit_of_the_same_size_is_noticed(
    repo: TinyDBRepository, project: Project, data_path: Path
) -> None:
    """An in-place edit that keeps the size (P3 -> P2) is still seen, through the mtime."""
    saved = repo.add(request(project))
    assert repo.snapshot().find(ClientRequest, saved.key).priority is Priority.P3
    raw = data_path.read_bytes()
    later = data_path.stat().st_mtime_ns + 1_000_000_000
    with open(data_path, "r+b") as handle:  # same inode, same size
        handle.write(raw.replace(b'"priority":"P3"', b'"priority":"P2"'))
    os.utime(data_path, ns=(later, later))
    assert repo.has_changed()
    assert repo.snapshot().find(ClientRequest, saved.key).priority is Priority.P2


def test_a_stale_revision_is_a_conflict_naming_who_changed_it_and_when(
    project: Project, data_path: Path
) -> None:
    """Two people edit the same request: the second save is refused with who saved
    first and when, carries their version, and writes nothing."""
    alice = TinyDBRepository(data_path, user="alice")
    bob = TinyDBRepository(data_path, user="bob")
    original = alice.add(request(project))
    mine = alice.snapshot().get(ClientRequest, original.id)
    theirs = bob.snapshot().get(ClientRequest, original.id)
    assert mine is not None and theirs is not None
    when = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
    with clock.frozen(when):
        bob.update(theirs.model_copy(update={"title": "bob's title"}))
    before = file_state(data_path)
    with pytest.raises(ConflictError) as conflict:
        alice.update(mine.model_copy(update={"title": "alice's title"}))
    assert conflict.value.key == "REQ-1"
    assert conflict.value.changed_by == "bob"
    assert conflict.value.changed_at == when
    assert isinstance(conflict.value.current, ClientRequest)
    assert conflict.value.current.title == "bob's title"
    assert conflict.value.current.revision == 2
    assert (
        str(conflict.value)
        == "REQ-1 was changed by bob at 2026-03-04 09:30 UTC since you opened it"
    )
    assert file_state(data_path) == before
    # "take theirs, then edit" works: the current revision is accepted
    fresh = alice.update(conflict.value.current.model_copy(update={"title": "merged"}))
    assert (fresh.revision, fresh.updated_by) == (3, "alice")


def test_editing_a_record_someone_deleted_is_a_conflict(project: Project, data_path: Path) -> None:
    """Saving a record that another user deleted says so, and does not resurrect it."""
    alice = TinyDBRepository(data_path, user="alice")
    bob = TinyDBRepository(data_path, user="bob")
    saved = alice.add(request(project))
    bob.delete(saved)
    with pytest.raises(ConflictError, match="REQ-1 was deleted by someone else") as conflict:
        alice.update(saved.model_copy(update={"title": "still mine"}))
    assert conflict.value.current is None
    with pytest.raises(ConflictError):
        alice.delete(saved)
    assert TinyDBRepository(data_path).snapshot().count(ClientRequest) == 0


def test_a_stale_delete_is_a_conflict(project: Project, data_path: Path) -> None:
    """Deleting a record based on an old revision is refused: it changed meanwhile."""
    alice = TinyDBRepository(data_path, user="alice")
    bob = TinyDBRepository(data_path, user="bob")
    saved = alice.add(request(project))
    bob.update(saved.model_copy(update={"status": RequestStatus.ACKNOWLEDGED}))
    with pytest.raises(ConflictError, match="changed by bob"):
        alice.delete(saved)
    assert alice.snapshot().count(ClientRequest) == 1


def test_revisions_grow_by_one_per_real_change(repo: TinyDBRepository, project: Project) -> None:
    """Every saved change bumps the revision by one; unchanged saves do not."""
    record = repo.add(request(project))
    assert record.revision == 1
    for number, title in enumerate(["a", "a", "b", "b", "c"]):
        record = repo.update(record.model_copy(update={"title": title}))
        assert record.revision == {0: 2, 1: 2, 2: 3, 3: 3, 4: 4}[number]


# -- keys ------------------------------------------------------------------------


def test_keys_are_numbered_per_kind_and_project(repo: TinyDBRepository) -> None:
    """REQ-1, REQ-2 ... count separately in each project and for each kind."""
    alpha = repo.add(Project(name="Alpha"))
    beta = repo.add(Project(name="Beta"))
    keys = [repo.add(request(alpha)).key for _ in range(3)]
    keys += [repo.add(request(beta)).key for _ in range(2)]
    keys.append(repo.add(Risk(project_id=alpha.id, title="Vendor late")).key)
    keys.append(repo.add(Contact(project_id=beta.id, name="Dana")).key)
    assert keys == ["REQ-1", "REQ-2", "REQ-3", "REQ-1", "REQ-2", "RSK-1", "CON-1"]
    template = len(load_checklist_template())
    for prj in (alpha, beta):
        items = repo.snapshot().of_project(ChecklistItem, prj.id)
        assert [i.key for i in items] == [f"CHK-{n}" for n in range(1, template + 1)]


def test_a_deleted_key_is_never_given_out_again(repo: TinyDBRepository, data_path: Path) -> None:
    """After REQ-3 is deleted the next request is REQ-4, also after a restart, so that
    a key in an old e-mail never points at a different request."""
    prj = repo.add(Project(name="Alpha"))
    saved = [repo.add(request(prj)) for _ in range(3)]
    repo.delete(saved[2])
    assert repo.add(request(prj)).key == "REQ-4"
    newest = repo.snapshot().find(ClientRequest, "REQ-4")
    repo.delete(newest)
    repo.delete(saved[0])
    restarted = TinyDBRepository(data_path)
    assert restarted.add(request(prj)).key == "REQ-5"
    assert [r.key for r in restarted.snapshot().all(ClientRequest)] == ["REQ-2", "REQ-5"]


def test_a_batch_of_adds_gets_distinct_consecutive_keys(
    repo: TinyDBRepository, project: Project
) -> None:
    """Several adds saved together each get their own key."""
    saved = repo.apply([Change.add(request(project, title=f"r{n}")) for n in range(4)])
    assert [r.key for r in saved if r is not None] == ["REQ-1", "REQ-2", "REQ-3", "REQ-4"]


def test_a_record_needs_a_known_project(repo: TinyDBRepository) -> None:
    """A record pointing at no project is refused rather than orphaned."""
    with pytest.raises(ValidationFailed, match="no known project"):
        repo.add(ClientRequest(project_id="nope", title="x", received_at=RECEIVED))


def test_project_keys_are_unique(repo: TinyDBRepository) -> None:
    """Two projects never share a key: a taken key is refused, a derived one is varied."""
    acme = repo.add(Project(name="Acme rollout", key="ACME"))
    with pytest.raises(ValidationFailed, match="ACME is already taken") as taken:
        repo.add(Project(name="Other", key="acme"))
    assert taken.value.field == "key"
    first = repo.add(Project(name="Alpha"))
    second = repo.add(Project(name="Alpha"))
    assert (first.key, second.key) == ("ALPHA", "ALPHA2")
    with pytest.raises(ValidationFailed, match="already taken"):
        repo.update(second.model_copy(update={"key": "ACME"}))
    keys = [p.key for p in repo.snapshot().projects()]
    assert sorted(keys) == sorted({acme.key, first.key, second.key})
    with pytest.raises(NotFoundError, match="unknown project key"):
        repo.snapshot().project("NOPE")


def test_deleting_a_project_removes_all_its_records(
    repo: TinyDBRepository, data_path: Path
) -> None:
    """A deleted project leaves nothing behind; the other project is untouched."""
    doomed = repo.add(Project(name="Doomed"))
    kept = repo.add(Project(name="Kept"))
    for prj in (doomed, kept):
        repo.add(request(prj))
        repo.add(Risk(project_id=prj.id, title="Risk"))
        repo.add(Contact(project_id=prj.id, name="Dana", email="dana@example.com"))
        repo.add(
            Meeting(project_id=prj.id, title="Kick-off", start=datetime(2026, 12, 1, 9, tzinfo=UTC))
        )
        repo.add(CommunicationPlanItem(project_id=prj.id, title="Status", first_due=RECEIVED))
    repo.delete(repo.snapshot().get(Project, doomed.id) or doomed)

    for reader in (repo, TinyDBRepository(data_path)):
        snapshot = reader.snapshot()
        assert [p.key for p in snapshot.projects()] == ["KEPT"]
        for kind in (ClientRequest, Risk, Contact, Meeting, CommunicationPlanItem, ChecklistItem):
            assert snapshot.of_project(kind, doomed.id) == []
            assert len(snapshot.of_project(kind, kept.id)) >= 1
    # Nothing of the project stays, not even its key counters: made again with the
    # same id (a re-made demo data set), it numbers its records from 1.
    assert doomed.id not in data_path.read_text()
    again = repo.add(Project(id=doomed.id, name="Doomed"))
    assert repo.add(request(again)).key == "REQ-1"
    assert repo.add(request(kept)).key == "REQ-2"


# -- who changed it ----------------------------------------------------------------


def test_the_user_from_clientdesk_user_is_recorded_in_updated_by(
    data_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every saved record says who saved it last: ``$CLIENTDESK_USER`` of that process."""
    monkeypatch.setenv("CLIENTDESK_USER", "carol")
    carol = TinyDBRepository(data_path)
    prj = carol.add(Project(name="Alpha"))
    saved = carol.add(request(prj))
    assert (prj.updated_by, saved.updated_by) == ("carol", "carol")
    monkeypatch.setenv("CLIENTDESK_USER", "  dave  ")
    dave = TinyDBRepository(data_path)
    edited = dave.update(saved.model_copy(update={"title": "edited by dave"}))
    assert edited.updated_by == "dave"
    assert edited.created_at == saved.created_at
    stored = json.loads(data_path.read_bytes())[ClientRequest.TABLE]
    assert [doc["updated_by"] for doc in stored.values()] == ["dave"]


def test_bookkeeping_fields_cannot_be_forged_by_the_caller(
    repo: TinyDBRepository, project: Project
) -> None:
    """The store, not the caller, sets key, created_at, updated_by and revision."""
    forged = request(project).model_copy(
        update={"key": "REQ-99", "updated_by": "mallory", "revision": 7}
    )
    saved = repo.add(forged)
    assert (saved.key, saved.updated_by, saved.revision) == ("REQ-1", "tester", 1)
    moved = repo.update(
        saved.model_copy(update={"key": "REQ-50", "project_id": "elsewhere", "title": "t2"})
    )
    assert (moved.key, moved.project_id, moved.revision) == ("REQ-1", project.id, 2)


# -- property: keys under any sequence of adds and deletes -------------------------------

operations = st.lists(
    st.tuples(st.sampled_from(["add", "delete"]), st.integers(0, 1), st.integers(0, 50)),
    min_size=1,
    max_size=12,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=operations)
def test_keys_stay_unique_and_are_never_reused_under_any_adds_and_deletes(
    ops: list[tuple[str, int, int]],
) -> None:
    """Whatever mix of adds and deletes happens in two projects, a new request's key is
    one more than the highest ever given out in its project, also across restarts."""
    with tempfile.TemporaryDirectory(prefix="clientdesk-keys-") as directory:
        path = Path(directory) / "clientdesk.json"
        repo = TinyDBRepository(path, user="prop")
        projects = [repo.add(Project(name=name)) for name in ("Alpha", "Beta")]
        highest = [0, 0]
        for op, which, pick in ops:
            prj = projects[which]
            existing = repo.snapshot().of_project(ClientRequest, prj.id)
            if op == "delete" and existing:
                repo.delete(existing[pick % len(existing)])
                continue
            highest[which] += 1
            assert repo.add(request(prj)).key == f"REQ-{highest[which]}"
            repo = TinyDBRepository(path, user="prop") if pick % 5 == 0 else repo
        for which, prj in enumerate(projects):
            keys = [r.key for r in repo.snapshot().of_project(ClientRequest, prj.id)]
            assert len(keys) == len(set(keys))
            assert TinyDBRepository(path).add(request(prj)).key == f"REQ-{highest[which] + 1}"


# -- regressions: hand edits, symlinks, shared records --


def test_a_record_from_a_snapshot_cannot_be_changed_in_place(
    repo: TinyDBRepository, project: Project, data_path: Path
) -> None:
    """Snapshot records are shared by every view: an in-place change is refused, so an
    edit can only go through a new record (model_copy) that the store compares with
    what is stored; nothing is silently dropped."""
    repo.add(request(project))
    record = repo.snapshot().find(ClientRequest, "REQ-1")
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        record.priority = Priority.P1  # type: ignore[misc]
    saved = repo.update(record.model_copy(update={"priority": Priority.P1}))
    assert saved.revision == 2
    on_disk = TinyDBRepository(data_path).snapshot().find(ClientRequest, "REQ-1")
    assert on_disk.priority is Priority.P1


def test_an_open_repository_keeps_reporting_a_broken_file(
    good_file: bytes, data_path: Path
) -> None:
    """The second snapshot() after a hand-edit broke the file must fail too; before the fix it
    returns the stale pre-edit snapshot and has_changed() says False."""
    repo = TinyDBRepository(data_path)
    repo.snapshot()
    _break(data_path, good_file, "not-json")
    with pytest.raises(DataFileError):
        repo.snapshot()
    with pytest.raises(DataFileError):
        repo.snapshot()


def test_a_file_with_a_non_numeric_document_id_is_a_data_file_error(
    good_file: bytes, data_path: Path
) -> None:
    """A hand-edited table key like ``"abc"`` must give the clear DataFileError, not a
    ValueError traceback."""
    tables = json.loads(good_file)
    table = tables[ClientRequest.TABLE]
    table["abc"] = table.pop(next(iter(table)))
    data_path.write_text(json.dumps(tables), "utf-8")
    with pytest.raises(DataFileError):
        TinyDBRepository(data_path).snapshot()


def test_a_project_named_with_accents_gets_a_key(repo: TinyDBRepository) -> None:
    """Adding a project called "Überweisung" without a key works: the derived key drops
    the accent instead of failing the A-Z rule on a field the user never filled in."""
    assert repo.add(Project(name="Überweisung", start=date(2026, 1, 1))).key.isascii()


def test_a_symlinked_data_file_stays_a_symlink_and_its_target_is_saved(
    data_path: Path, tmp_path: Path
) -> None:
    """Keeping clientdesk.json as a symlink into a synced folder is common: a save must
    update the target (and lock it), not replace the link with a private copy."""
    target = tmp_path / "synced" / "clientdesk.json"
    TinyDBRepository(target).add(Project(name="Alpha"))
    data_path.parent.mkdir(parents=True, exist_ok=True)
    data_path.symlink_to(target)
    TinyDBRepository(data_path).add(Project(name="Beta"))
    assert data_path.is_symlink()
    assert [p.key for p in TinyDBRepository(target).snapshot().projects()] == ["ALPHA", "BETA"]


def test_an_output_through_a_link_replaces_the_file_it_points_to(tmp_path: Path) -> None:
    from clientdesk.store.storage import write_output

    real = tmp_path / "synced" / "calendar.ics"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "calendar.ics"
    link.symlink_to(real)
    assert write_output(link, b"new") == real
    assert link.is_symlink(), "the link still points where it did"
    assert real.read_bytes() == b"new"


def test_an_output_to_a_pipe_is_written_into_it_not_replaced(tmp_path: Path) -> None:
    import threading

    from clientdesk.store.storage import write_output

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    write_output(pipe, b"BEGIN:VCALENDAR")
    reader.join(timeout=HANG_SECONDS)
    assert received == [b"BEGIN:VCALENDAR"]
    assert stat.S_ISFIFO(os.stat(pipe).st_mode), "still a pipe"
