"""Files in folders others can write to: links, backups, locks and temp files, in one process.

The attacks by real separate users are in ``test_shared_server.py``; here the
same rules are driven deterministically: a link "made by someone else" is one
whose owner the test changes with ``lchown`` (as root) or that sits in a
folder others can write to, and each race is won by the attacker on purpose.
"""

from __future__ import annotations

import fcntl
import os
import stat
import time
from pathlib import Path

import pytest

from clientdesk.store.errors import StoreBusyError, UntrustedPathError
from clientdesk.store.file_lock import DataFileLock
from clientdesk.store.models import ClientRequest, Project
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.safe_files import Folder, open_parent, trusted_real_path
from clientdesk.store.storage import (
    STALE_TEMP_SECONDS,
    encode,
    kept_mode,
    remove_stale_temp_files,
    save_atomically,
    write_new_file,
    write_output,
)
from tests.helpers.store_worker import new_request

STRANGER = 54321
"""A uid that is neither this process's user nor root: 'someone else'."""

as_root = pytest.mark.skipif(os.geteuid() != 0, reason="giving a link another owner needs root")


def assert_held(data: Path) -> None:
    """The lock of ``data`` is held: another writer cannot take it."""
    with pytest.raises(StoreBusyError):
        DataFileLock(data, timeout=0.05, new_file_mode=0o600).acquire()


def folder(path: Path, mode: int) -> Path:
    path.mkdir()
    path.chmod(mode)
    return path


def planted(link: Path, target: Path, owner: int | None = None) -> Path:
    os.symlink(target, link)
    if owner is not None:
        os.lchown(link, owner, owner)
    return link


def victim(tmp_path: Path) -> Path:
    path = tmp_path / "victim.sh"
    path.write_text("echo untouched\n")
    return path


# -- which links are followed -----------------------------------------------------------------


@as_root
def test_a_link_someone_else_made_is_refused_with_who_and_where(tmp_path: Path) -> None:
    link = planted(tmp_path / "team.json", victim(tmp_path), owner=STRANGER)
    with pytest.raises(UntrustedPathError) as refused:
        trusted_real_path(link)
    assert str(refused.value) == (
        f"{link} is a link that uid {STRANGER} made, pointing to {tmp_path / 'victim.sh'}: "
        "clientdesk does not follow it; name the file itself if that is the one you mean"
    )


def test_even_an_own_link_in_a_folder_others_can_write_to_is_refused(tmp_path: Path) -> None:
    """A colleague could swap it between any two uses: only its folder's rights count."""
    shared = folder(tmp_path / "shared", 0o2775)
    link = planted(shared / "team.json", victim(tmp_path))
    with pytest.raises(UntrustedPathError, match="a folder others can write to"):
        trusted_real_path(link)
    with pytest.raises(UntrustedPathError):
        write_output(link, b"report")
    assert (tmp_path / "victim.sh").read_text() == "echo untouched\n"


def test_an_own_link_in_an_own_folder_or_a_sticky_one_is_followed(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    own = planted(tmp_path / "own.json", real)
    assert trusted_real_path(own) == real
    sticky = folder(tmp_path / "sticky", 0o1777)
    in_sticky = planted(sticky / "mine.json", real)
    assert trusted_real_path(in_sticky) == real
    assert write_output(in_sticky, b"report") == real
    assert real.read_bytes() == b"report"


@as_root
def test_a_link_on_the_way_to_the_folder_is_checked_too(tmp_path: Path) -> None:
    elsewhere = folder(tmp_path / "elsewhere", 0o755)
    planted(tmp_path / "reports", elsewhere, owner=STRANGER)
    with pytest.raises(UntrustedPathError, match=f"{tmp_path / 'reports'} is a link that uid"):
        write_output(tmp_path / "reports" / "status.md", b"report")
    assert list(elsewhere.iterdir()) == []


def test_a_link_followed_by_dot_dot_means_its_targets_parent(tmp_path: Path) -> None:
    deep = folder(tmp_path / "a", 0o755)
    folder(deep / "b", 0o755)
    planted(tmp_path / "to-b", deep / "b")
    parent, name = open_parent(tmp_path / "to-b" / ".." / "file.json")
    with parent:
        assert (parent.path, name) == (deep, "file.json")


# -- saves and backups --------------------------------------------------------------------------


def test_a_link_planted_at_every_backup_name_mid_save_is_replaced_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attacker wins every race: a link waits at each backup name whenever one is used."""
    target = victim(tmp_path)
    data = tmp_path / "data" / "team.json"
    data.parent.mkdir()
    save_atomically(data, b"first")
    save_atomically(data, b"second")
    real_replace, real_link = Folder.replace, Folder.link

    def plant_everywhere(folder: Folder) -> None:
        for number in range(1, 6):
            name = folder.path / f"team.json.bak.{number}"
            if name.is_symlink() or not name.exists():
                name.unlink(missing_ok=True)
                os.symlink(target, name)

    def replace(self: Folder, source: str, dest: str) -> None:
        plant_everywhere(self)
        real_replace(self, source, dest)

    def link(self: Folder, source: str, dest: str) -> None:
        plant_everywhere(self)
        real_link(self, source, dest)

    monkeypatch.setattr(Folder, "replace", replace)
    monkeypatch.setattr(Folder, "link", link)
    save_atomically(data, b"third")
    assert target.read_text() == "echo untouched\n"
    assert data.read_bytes() == b"third"
    newest = data.with_name("team.json.bak.1")
    assert not newest.is_symlink() and newest.read_bytes() == b"second"


def test_without_hard_links_the_backup_is_a_fresh_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(self: Folder, source: str, dest: str) -> None:
        raise OSError(1, "Operation not permitted")

    data = tmp_path / "team.json"
    save_atomically(data, b"first")
    data.chmod(0o640)
    monkeypatch.setattr(Folder, "link", no_links)
    save_atomically(data, b"second")
    backup = data.with_name("team.json.bak.1")
    assert backup.read_bytes() == b"first"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_save_keeps_the_mode_but_never_opens_the_file_to_others(tmp_path: Path) -> None:
    data = tmp_path / "team.json"
    save_atomically(data, b"first")
    data.chmod(0o666)
    save_atomically(data, b"second")
    assert stat.S_IMODE(data.stat().st_mode) == 0o664
    data.chmod(0o4660)
    save_atomically(data, b"third")
    assert stat.S_IMODE(data.stat().st_mode) == 0o660


@as_root
def test_read_access_for_others_is_kept_only_by_the_files_owner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "team.json"
    data.write_text("x")
    os.chown(data, STRANGER, STRANGER)
    data.chmod(0o664)
    assert kept_mode(data.stat()) == 0o664, "root keeps the owner, so the owner's choice stands"
    monkeypatch.setattr(os, "geteuid", lambda: STRANGER + 1)
    assert kept_mode(data.stat()) == 0o660


def test_a_program_that_saves_without_the_lock_during_a_save_loses_nothing(
    data_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its version lands between our read and our rename: ours is made again on top of it."""
    repo = TinyDBRepository(data_path)
    alpha = repo.add(Project(name="Alpha"))
    repo.add(new_request(alpha.id, "first"))
    before = data_path.read_bytes()
    TinyDBRepository(data_path).add(new_request(alpha.id, "theirs"))
    theirs = data_path.read_bytes()
    data_path.write_bytes(before)
    data_path.chmod(0o640)

    real_create = Folder.create
    interfered: list[bool] = []

    def create(self: Folder, prefix: str, suffix: str, mode: int = 0o600) -> tuple[int, str]:
        if prefix == f".{data_path.name}." and not interfered:
            interfered.append(True)
            staged = data_path.with_name("staged")
            staged.write_bytes(theirs)
            os.replace(staged, data_path)
        return real_create(self, prefix, suffix, mode)

    monkeypatch.setattr(Folder, "create", create)
    repo.add(new_request(alpha.id, "mine"))
    assert interfered
    on_disk = TinyDBRepository(data_path).snapshot().all(ClientRequest)
    assert sorted(r.title for r in on_disk) == ["first", "mine", "theirs"]


def test_stale_temp_files_of_this_user_are_removed_and_no_others(tmp_path: Path) -> None:
    data = tmp_path / "team.json"
    old_enough = time.time() - STALE_TEMP_SECONDS - 5
    stale = tmp_path / ".team.json.abc123.tmp"
    fresh = tmp_path / ".team.json.def456.tmp"
    other_file = tmp_path / ".other.json.abc123.tmp"
    for path in (stale, fresh, other_file):
        path.write_bytes(b"x" * 100)
    os.utime(stale, (old_enough, old_enough))
    os.utime(other_file, (old_enough, old_enough))
    assert remove_stale_temp_files(data) == 1
    assert not stale.exists() and fresh.exists() and other_file.exists()


@as_root
def test_a_colleagues_temp_file_is_left_to_them(tmp_path: Path) -> None:
    theirs = tmp_path / ".team.json.abc123.tmp"
    theirs.write_bytes(b"x")
    os.chown(theirs, STRANGER, STRANGER)
    old_enough = time.time() - STALE_TEMP_SECONDS - 5
    os.utime(theirs, (old_enough, old_enough))
    assert remove_stale_temp_files(tmp_path / "team.json") == 0
    assert theirs.exists()


def test_a_repository_clears_its_crash_debris_under_the_lock(data_path: Path) -> None:
    repo = TinyDBRepository(data_path)
    repo.add(Project(name="Alpha"))
    debris = data_path.with_name(f".{data_path.name}.dead01.tmp")
    debris.write_bytes(encode({}))
    old_enough = time.time() - STALE_TEMP_SECONDS - 5
    os.utime(debris, (old_enough, old_enough))
    TinyDBRepository(data_path).add(Project(name="Beta"))
    assert not debris.exists()


# -- new files never replace anything -----------------------------------------------------------


def test_a_new_report_takes_the_next_free_name_past_a_planted_dangling_link(
    tmp_path: Path,
) -> None:
    aimed = tmp_path / "aimed.md"
    planted(tmp_path / "PORTAL-status.md", aimed)
    (tmp_path / "PORTAL-status-2.md").write_text("an earlier report")
    written = write_new_file(tmp_path, "PORTAL-status", ".md", b"# report")
    assert written == tmp_path / "PORTAL-status-3.md"
    assert written.read_bytes() == b"# report"
    assert not aimed.exists()
    assert (tmp_path / "PORTAL-status-2.md").read_text() == "an earlier report"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


# -- the lock -----------------------------------------------------------------------------------


def test_a_lock_file_deleted_while_held_still_keeps_the_next_writer_out(data_path: Path) -> None:
    data_path.parent.mkdir(parents=True, exist_ok=True)
    holder = DataFileLock(data_path, timeout=1, new_file_mode=0o660)
    holder.acquire()
    try:
        data_path.with_name(f"{data_path.name}.lock").unlink()
        comer = DataFileLock(data_path, timeout=0.3, new_file_mode=0o660)
        with pytest.raises(StoreBusyError, match="folder is locked by another process"):
            comer.acquire()
    finally:
        holder.release()
    with DataFileLock(data_path, timeout=1, new_file_mode=0o660):
        assert_held(data_path)


def test_a_lock_file_planted_as_a_link_is_not_followed(tmp_path: Path) -> None:
    target = victim(tmp_path)
    data = tmp_path / "team.json"
    planted(tmp_path / "team.json.lock", target)
    with DataFileLock(data, timeout=1, new_file_mode=0o660):
        assert_held(data)  # the folder's lock serves
    assert target.read_text() == "echo untouched\n"


def test_a_pipe_as_lock_file_does_not_hang_the_save(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "team.json.lock")
    with DataFileLock(tmp_path / "team.json", timeout=1, new_file_mode=0o660):
        assert_held(tmp_path / "team.json")


def test_the_lock_file_takes_the_data_files_group_bits(tmp_path: Path) -> None:
    data = tmp_path / "team.json"
    data.write_text("{}")
    data.chmod(0o660)
    old = os.umask(0o077)
    try:
        with DataFileLock(data, timeout=1, new_file_mode=0o600):
            assert_held(data)
    finally:
        os.umask(old)
    lock = tmp_path / "team.json.lock"
    assert stat.S_IMODE(lock.stat().st_mode) == 0o660
    assert lock.stat().st_gid == data.stat().st_gid


def test_a_writer_waiting_for_the_lock_gets_it_when_it_is_let_go(tmp_path: Path) -> None:
    lock_file = tmp_path / "team.json.lock"
    lock_file.touch()
    with open(lock_file) as other:
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(StoreBusyError, match="data file is locked by another process"):
            DataFileLock(tmp_path / "team.json", timeout=0.2, new_file_mode=0o600).acquire()
    with DataFileLock(tmp_path / "team.json", timeout=1, new_file_mode=0o600):
        assert_held(tmp_path / "team.json")
