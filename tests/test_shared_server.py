"""A shared server is hostile ground: attacks by real, separate Unix users.

alice, bob and carol work in group ``pm`` in a set-group-ID team folder;
mallory is another user of the same server. Each acts in a process of their
own, with their own uid, as on a real server (see ``tests/helpers/unix_users.py``;
without root the tests skip and say why).

What must hold: nobody can make alice's save, report or invite write into a
file of their choosing; her records never become readable by people she did
not share them with; the team can always take the lock; and no acknowledged
save is lost, even while someone deletes the lock file in a loop.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.unix_users import (
    GROUP,
    User,
    make_folder,
    require_users,
    shared_place,
    user,
)

pytestmark = pytest.mark.slow

WORKER = str(Path(__file__).parent / "helpers" / "store_worker.py")

PLANTER = """
import contextlib, os, sys
names, target = sys.argv[1:-1], sys.argv[-1]
print("planting", flush=True)
while True:
    for name in names:
        with contextlib.suppress(OSError):
            os.unlink(name)
        with contextlib.suppress(OSError):
            os.symlink(target, name)
"""
"""Replace each name with a link to the target, again and again, until killed."""

UNLINKER = """
import contextlib, os, sys, time
print("unlinking", flush=True)
while True:
    with contextlib.suppress(OSError):
        os.unlink(sys.argv[1])
    time.sleep(0.001)
"""
"""Delete the lock file every millisecond, until killed."""


@pytest.fixture
def place() -> Iterator[Path]:
    """A folder every test user can reach."""
    require_users()
    with shared_place() as place:
        yield place


@pytest.fixture
def team_folder(place: Path) -> Path:
    """The team's folder, as an admin makes one: group pm, set-group-ID, 2775."""
    return make_folder(place / "pm", mode=0o2775, group=GROUP)


@pytest.fixture
def sticky_folder(place: Path) -> Path:
    """A folder like /tmp: everybody may create names, only owners may remove them."""
    return make_folder(place / "tmp", mode=0o1777)


@pytest.fixture
def alice() -> User:
    return user("alice")


@pytest.fixture
def alice_home(alice: User) -> Iterator[Path]:
    """A fresh private folder in alice's home (homes outlive the tests)."""
    folder = Path(tempfile.mkdtemp(prefix="clientdesk-test-", dir=alice.home))
    os.chown(folder, alice.uid, alice.gid)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def bob() -> User:
    return user("bob")


@pytest.fixture
def carol() -> User:
    return user("carol")


@pytest.fixture
def mallory() -> User:
    return user("mallory")


def ok(result: subprocess.CompletedProcess[str]) -> str:
    """The output of a command that must have succeeded."""
    assert result.returncode == 0, result.stderr
    return result.stdout


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """The one line of a command that must have been refused with exit 2."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def personal_file(owner: User, folder: Path, name: str, content: str) -> Path:
    """A file of ``owner``'s in their ``folder``, such as the one an attacker aims at."""
    path = folder / name
    path.write_text(content)
    os.chown(path, owner.uid, owner.gid)
    path.chmod(0o644)
    return path


def start_project(who: User, data: Path) -> None:
    """``who`` creates the data file with the project PORTAL in it."""
    ok(who.clientdesk("add", "project", "--name", "Portal", "--key", "PORTAL", "--data", str(data)))


def add_risk(
    who: User, data: Path, title: str, umask: int = 0o002
) -> subprocess.CompletedProcess[str]:
    """``who`` adds a risk to PORTAL."""
    return who.clientdesk(
        "add", "risk", "--project", "PORTAL", "--title", title,
        "--probability", "2", "--impact", "2", "--data", str(data), umask=umask,
    )  # fmt: skip


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def titles(who: User, data: Path) -> list[str]:
    """The request titles of PORTAL, as ``who`` lists them."""
    listing = ok(
        who.clientdesk("list", "requests", "--project", "PORTAL", "--json", "--data", str(data))
    )
    return sorted(record["title"] for record in json.loads(listing))


class Running:
    """A process started as a test user, stopped at the end of the ``with`` block."""

    def __init__(self, process: subprocess.Popen[str], first_line: str) -> None:
        self.process = process
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line == first_line, (line, process.stderr.read() if process.stderr else "")

    def __enter__(self) -> Running:
        return self

    def __exit__(self, *_: object) -> None:
        self.process.kill()
        self.process.communicate(timeout=30)


def acked_adds(who: User, data: Path, count: int, tag: str) -> subprocess.Popen[str]:
    """``who`` adds ``count`` requests to PORTAL, printing ``ack TITLE`` for each save."""
    return who.popen([sys.executable, WORKER, "add-acked", str(data), "PORTAL", str(count), tag])


def acknowledged(process: subprocess.Popen[str]) -> list[str]:
    """Wait for an ``acked_adds`` process; the titles it saw saved."""
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    lines = out.splitlines()
    assert lines[0] == "ready", out
    assert not [line for line in lines if line.startswith("error")], out
    return [line.removeprefix("ack ") for line in lines if line.startswith("ack ")]


# -- never write through a link someone else planted ----------------------------------------


def test_links_planted_at_the_backups_during_saves_are_never_written_through(
    team_folder: Path, alice: User, alice_home: Path, bob: User
) -> None:
    """bob keeps replacing every backup name with a link to a file of alice's while she saves.

    A save that followed one of those links would write the data file into
    her file with her rights (and a shell script of hers would then run
    record text). Her file stays as it was, and every save she was told of is kept.
    """
    data = team_folder / "team.json"
    start_project(alice, data)
    target = personal_file(alice, alice_home, "target.sh", "echo untouched\n")
    backups = [str(data.with_name(f"team.json.bak.{n}")) for n in range(1, 6)]
    planter = bob.python(PLANTER, *backups, str(target))
    with Running(planter, "planting"):
        saved = acknowledged(acked_adds(alice, data, 150, "alice"))
    assert target.read_text() == "echo untouched\n"
    assert mode_of(target) == 0o644
    assert len(saved) == 150
    assert titles(alice, data) == sorted(saved)
    ok(alice.clientdesk("check", "--data", str(data)))


def test_a_report_is_never_written_through_a_colleagues_link(
    team_folder: Path, alice: User, alice_home: Path, bob: User
) -> None:
    data = team_folder / "team.json"
    start_project(alice, data)
    aliases = personal_file(alice, alice_home, ".bash_aliases", "alias ll='ls -l'\n")
    planted = team_folder / "PORTAL-status.md"
    os.symlink(aliases, planted)
    os.lchown(planted, bob.uid, bob.gid)

    line = refused(
        alice.clientdesk("report", "--project", "PORTAL", "-o", str(planted), "--data", str(data))
    )
    assert line == (
        f"clientdesk: {planted} is a link that bob made, pointing to {aliases}: clientdesk "
        "does not follow it; name the file itself if that is the one you mean"
    )
    assert aliases.read_text() == "alias ll='ls -l'\n"
    assert planted.is_symlink()

    # Her own link, in her own folder, is hers to use; and so is the real file, named.
    own_link = alice_home / "latest-report.md"
    os.symlink(alice_home / "reports.md", own_link)
    os.lchown(own_link, alice.uid, alice.gid)
    ok(alice.clientdesk("report", "--project", "PORTAL", "-o", str(own_link), "--data", str(data)))
    assert "Portal" in (alice_home / "reports.md").read_text()
    named = alice_home / "named.md"
    ok(alice.clientdesk("report", "--project", "PORTAL", "-o", str(named), "--data", str(data)))
    assert named.stat().st_uid == alice.uid


def test_an_outsiders_links_and_pipes_in_a_sticky_folder_are_refused(
    team_folder: Path, sticky_folder: Path, alice: User, alice_home: Path, mallory: User
) -> None:
    """In /tmp an outsider plants a dangling link into alice's home, and a pipe of her own."""
    data = team_folder / "team.json"
    start_project(alice, data)
    aimed = alice_home / "new.ics"
    planted = sticky_folder / "invite.ics"
    ok(mallory.run(["ln", "-s", str(aimed), str(planted)]))
    line = refused(
        alice.clientdesk(
            "export-ics", "--project", "PORTAL", "-o", str(planted), "--data", str(data)
        )
    )
    assert line.startswith(
        f"clientdesk: {planted} is a link that mallory made, pointing to {aimed}"
    )
    assert not aimed.exists()

    pipe = sticky_folder / "report.md"
    ok(mallory.run(["mkfifo", "-m", "666", str(pipe)]))
    line = refused(
        alice.clientdesk("report", "--project", "PORTAL", "-o", str(pipe), "--data", str(data))
    )
    assert line == (
        f"clientdesk: {pipe} is a named pipe of mallory: clientdesk writes only into pipes "
        "and devices of yours"
    )


def test_a_data_file_linked_by_an_outsider_is_neither_read_nor_written(
    place: Path, sticky_folder: Path, alice: User, mallory: User
) -> None:
    """mallory links /tmp/t3.json to an open file of hers, hoping alice keeps records in it."""
    bait = make_folder(place / "mallory", mode=0o755, owner="mallory") / "open.json"
    ok(mallory.run(["sh", "-c", f"echo '{{}}' > {bait} && chmod 666 {bait}"]))
    link = sticky_folder / "t3.json"
    ok(mallory.run(["ln", "-s", str(bait), str(link)]))

    line = refused(
        alice.clientdesk("add", "project", "--name", "Confidential", "--data", str(link))
    )
    assert line == (
        f"clientdesk: {link} is a link that mallory made, pointing to {bait}: clientdesk "
        "does not follow it; name the file itself if that is the one you mean"
    )
    assert bait.read_text() == "{}\n"
    assert mode_of(bait) == 0o666


def test_a_save_never_leaves_the_file_open_to_others(
    team_folder: Path, alice: User, alice_home: Path, bob: User
) -> None:
    """Write access for others is never kept; read access only when the owner saves."""
    own = alice_home / "own.json"
    start_project(alice, own)
    own.chmod(0o666)
    ok(add_risk(alice, own, "r"))
    assert mode_of(own) == 0o664, "her own o+r is kept, o+w never"

    team = team_folder / "team.json"
    start_project(bob, team)
    team.chmod(0o664)
    ok(add_risk(alice, team, "r"))
    assert mode_of(team) == 0o660, "bob's o+r does not extend to alice's version"
    assert team.stat().st_gid == __import__("grp").getgrnam(GROUP).gr_gid


def test_a_read_only_data_file_is_respected(team_folder: Path, alice: User) -> None:
    data = team_folder / "team.json"
    start_project(alice, data)
    data.chmod(0o440)
    before = data.read_bytes()
    line = refused(alice.clientdesk("add", "project", "--name", "Other", "--data", str(data)))
    assert (
        line
        == f"clientdesk: cannot save: {data} is read-only for you (mode 0440) — nothing was changed"
    )
    assert data.read_bytes() == before
    assert mode_of(data) == 0o440


# -- the lock ---------------------------------------------------------------------------------


def test_the_team_can_save_to_a_file_root_prepared(
    team_folder: Path, alice: User, bob: User, carol: User
) -> None:
    """root writes the file (umask 022, so its lock is closed to the group), then shares it."""
    data = team_folder / "team.json"
    root = subprocess.run(
        [
            sys.executable,
            "-m",
            "clientdesk",
            "add",
            "project",
            "--name",
            "Portal",
            "--key",
            "PORTAL",
            "--data",
            str(data),
        ],
        capture_output=True,
        text=True,
        check=False,
        umask=0o022,
        env={**os.environ, "CLIENTDESK_USER": "root"},
    )
    assert root.returncode == 0, root.stderr
    os.chown(data, 0, __import__("grp").getgrnam(GROUP).gr_gid)
    data.chmod(0o660)
    # As an earlier version with root's umask left it: closed to the group.
    lock = data.with_name("team.json.lock")
    lock.chmod(0o600)

    for who in (alice, bob, carol):
        for n in range(3):
            ok(add_risk(who, data, f"{who.name}-{n}"))
    listing = json.loads(
        ok(alice.clientdesk("list", "risks", "--project", "PORTAL", "--json", "--data", str(data)))
    )
    assert len(listing) == 9


def test_the_lock_file_takes_the_data_files_group_and_group_bits(
    place: Path, alice: User, bob: User
) -> None:
    """In a team folder without the set-group-ID bit, with a private umask."""
    folder = make_folder(place / "plain", mode=0o2770, group=GROUP)
    folder.chmod(0o770)  # no set-group-ID: new files get their creator's primary group
    data = folder / "team.json"
    start_project(bob, data)
    os.chown(data, bob.uid, __import__("grp").getgrnam(GROUP).gr_gid)
    data.chmod(0o660)
    data.with_name("team.json.lock").unlink()

    ok(add_risk(alice, data, "first", umask=0o077))
    lock = data.with_name("team.json.lock")
    assert mode_of(lock) == 0o660
    assert lock.stat().st_gid == __import__("grp").getgrnam(GROUP).gr_gid
    ok(add_risk(bob, data, "second"))


def test_deleting_the_lock_file_while_the_team_saves_loses_nothing(
    team_folder: Path, alice: User, bob: User, carol: User
) -> None:
    """carol deletes the lock file every millisecond while alice and bob add requests."""
    data = team_folder / "team.json"
    start_project(alice, data)
    lock = data.with_name("team.json.lock")
    with Running(carol.python(UNLINKER, str(lock)), "unlinking"):
        writers = [acked_adds(who, data, 60, who.name) for who in (alice, bob)]
        saved = [title for writer in writers for title in acknowledged(writer)]
    assert len(saved) == 120
    assert titles(alice, data) == sorted(saved)
    ok(alice.clientdesk("check", "--data", str(data)))


def test_sharing_a_file_in_a_sticky_folder_says_what_is_wrong(
    sticky_folder: Path, alice: User, bob: User
) -> None:
    data = sticky_folder / "team.json"
    start_project(bob, data)
    data.chmod(0o666)
    line = refused(alice.clientdesk("add", "project", "--name", "Other", "--data", str(data)))
    assert line == (
        f"clientdesk: cannot save: {data} belongs to bob, and in its folder ({sticky_folder}, "
        "which has the sticky bit) only bob may replace it — nothing was changed; share a "
        "data file through a set-group-ID group folder instead"
    )
