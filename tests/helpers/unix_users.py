"""Real, separate Unix users for the tests of a shared server.

A shared server is attacked by people, each with their own uid: the tests
run clientdesk as ``alice``, ``bob`` and ``carol`` (members of group ``pm``)
and as ``mallory`` (no member), each in a process of their own. Run as root
(as CI runs) the helpers create the users with ``useradd`` when they are
missing; otherwise the tests skip, saying why.

Every user runs this checkout's interpreter, so its folders must be open to
them for search (``o+x``); ``.ci/run`` sees to that on CI.
"""

from __future__ import annotations

import functools
import grp
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

GROUP = "pm"
"""The team's group."""

TEAM = ("alice", "bob", "carol")
"""Members of :data:`GROUP`."""

OUTSIDER = "mallory"
"""A user of the same server who is not in the team."""

REPOSITORY = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class User:
    """A Unix user the tests act as."""

    name: str
    uid: int
    gid: int
    home: Path

    def env(self, **extra: str) -> dict[str, str]:
        """A login-like environment: their home, their user name, nothing of root's."""
        env = {
            "HOME": str(self.home),
            "USER": self.name,
            "LOGNAME": self.name,
            "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "TZ": "UTC",
            "PYTHONDONTWRITEBYTECODE": "1",
            "XDG_DATA_HOME": str(self.home / ".local/share"),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_STATE_HOME": str(self.home / ".local/state"),
            "CLIENTDESK_CONFIG": str(self.home / ".config/clientdesk/config.toml"),
        }
        for name in ("CLIENTDESK_NOW", "CLIENTDESK_BACKUP_SPACING"):
            if name in os.environ:
                env[name] = os.environ[name]
        env.update(extra)
        return env

    def run(
        self,
        args: Sequence[str],
        *,
        umask: int = 0o002,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``args`` as this user (their groups, their ``umask``) and wait for it."""
        return subprocess.run(
            list(args),
            user=self.uid,
            group=self.gid,
            extra_groups=self.groups(),
            umask=umask,
            cwd=cwd or self.home,
            env=env or self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def popen(
        self, args: Sequence[str], *, umask: int = 0o002, env: dict[str, str] | None = None
    ) -> subprocess.Popen[str]:
        """Start ``args`` as this user, with pipes for stdin and stdout."""
        return subprocess.Popen(
            list(args),
            user=self.uid,
            group=self.gid,
            extra_groups=self.groups(),
            umask=umask,
            cwd=self.home,
            env=env or self.env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def clientdesk(
        self, *args: str, umask: int = 0o002, cwd: Path | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        """Run the ``clientdesk`` command as this user."""
        return self.run(
            [sys.executable, "-m", "clientdesk", *args],
            umask=umask,
            cwd=cwd,
            env=self.env(**env),
        )

    def python(self, code: str, *args: str, umask: int = 0o002) -> subprocess.Popen[str]:
        """Start ``python -c code args`` as this user (stdin and stdout are pipes)."""
        return self.popen([sys.executable, "-c", code, *args], umask=umask)

    def groups(self) -> list[int]:
        """The supplementary groups of this user, as ``/etc/group`` has them."""
        return [group.gr_gid for group in grp.getgrall() if self.name in group.gr_mem]


def _make_users() -> None:
    if not _group_exists(GROUP):
        subprocess.run(["groupadd", GROUP], check=True, capture_output=True)
    for name in (*TEAM, OUTSIDER):
        try:
            pwd.getpwnam(name)
        except KeyError:
            command = ["useradd", "--create-home", "--user-group", "--shell", "/bin/sh"]
            if name in TEAM:
                command += ["--groups", GROUP]
            subprocess.run([*command, name], check=True, capture_output=True)


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


@functools.cache
def why_not_available() -> str | None:
    """None when the test users are there and can run clientdesk; else why not."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root to act as separate Unix users (CI runs as root)"
    if shutil.which("useradd") is None or shutil.which("groupadd") is None:
        return "useradd and groupadd are not installed"
    try:
        _make_users()
    except subprocess.CalledProcessError as error:
        return f"cannot create the test users: {error.stderr.strip()}"
    try:
        probe = user(OUTSIDER).run(
            [sys.executable, "-c", "import clientdesk.tui.cli"], cwd=Path("/")
        )
        last = (probe.stderr.strip().splitlines() or ["?"])[-1]
    except OSError as error:
        probe, last = None, str(error)
    if probe is None or probe.returncode != 0:
        return (
            f"the test users cannot run {sys.executable} ({last}): open its folders for "
            "search, e.g. chmod o+x on each (.ci/run does)"
        )
    return None


def user(name: str) -> User:
    """The test user ``name``."""
    entry = pwd.getpwnam(name)
    return User(entry.pw_name, entry.pw_uid, entry.pw_gid, Path(entry.pw_dir))


def require_users() -> None:
    """Skip the calling test, saying why, when the test users are not available."""
    reason = why_not_available()
    if reason is not None:
        pytest.skip(reason)


@contextmanager
def shared_place() -> Iterator[Path]:
    """A folder under ``/tmp`` that every test user can reach; removed afterwards.

    pytest's own ``tmp_path`` is closed to other users (0700 under root).
    """
    place = Path(tempfile.mkdtemp(prefix="clientdesk-shared-", dir="/tmp"))
    try:
        place.chmod(0o755)
        yield place
    finally:
        shutil.rmtree(place, ignore_errors=True)


def make_folder(path: Path, *, mode: int, owner: str = "root", group: str = "root") -> Path:
    """Create the folder ``path`` with exactly ``mode``, owned by ``owner:group``."""
    path.mkdir()
    shutil.chown(path, owner, group)
    path.chmod(mode)  # after the chown, which may clear the set-group-ID bit
    return path
