"""A real PostgreSQL server for the tests, started by the tests on a temporary data directory.

Each pytest process (each xdist worker) starts its own server the first time a
test asks for one: a fresh ``initdb`` in a folder of its own under ``/tmp``, a
Unix socket in that folder and a free port on 127.0.0.1, so that workers never
share a socket, a port or a file. The server stops (``pg_ctl stop -m
immediate``) and its folder goes when the session ends.

PostgreSQL refuses to run as root, and CI runs as root: then the server runs as
the unprivileged system user :data:`SERVER_USER`, created with ``useradd`` when
missing. Run as anyone else, the server runs as that user.

Two roles are there for the tests:

- :data:`ADMIN_ROLE`, the superuser, trusted over the Unix socket;
  :meth:`PostgresServer.new_database` gives URLs that connect as it:
  ``postgresql://clientdesk_admin@/DBNAME?host=/SOCKET/DIR&port=PORT``.
- :data:`PASSWORD_ROLE`, an ordinary login role with a random password
  (:attr:`PostgresServer.password`), which has to give it over TCP:
  :meth:`PostgresServer.password_url` gives ``postgresql://pm_pw@127.0.0.1:PORT/DBNAME``
  (no password in it: tests hand it over by ``PGPASSFILE``).

When the server cannot be started, tests that need it skip saying why in one
line, unless ``CLIENTDESK_REQUIRE_POSTGRES=1`` (CI sets it): then they fail
with that line, so that CI never passes without them.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import pwd
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

from tests.helpers.smtp import free_port
from tests.helpers.waiting import HANG_SECONDS

SERVER_USER = "pgtest"
"""The system user the server runs as when the tests run as root."""

ADMIN_ROLE = "clientdesk_admin"
"""The superuser of the test server, trusted over its Unix socket."""

PASSWORD_ROLE = "pm_pw"
"""A login role that must give its password, over TCP only."""

REQUIRE_VARIABLE = "CLIENTDESK_REQUIRE_POSTGRES"
"""Set to ``1`` (CI does) to make an unavailable server fail the tests instead of skipping them."""

START_ATTEMPTS = 3
"""Starts tried, each on a new free port: another process may take the port in between."""

_BIN_ROOT = Path("/usr/lib/postgresql")


class PostgresUnavailable(Exception):
    """The test server cannot be started here; the message says why in one line."""


def find_bindir() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl``.

    Debian's newest version under ``/usr/lib/postgresql/*/bin`` first, then
    ``pg_config --bindir``, then whatever ``PATH`` finds.

    Raises:
        PostgresUnavailable: none of them has both programs.
    """
    candidates: list[Path] = []
    if _BIN_ROOT.is_dir():
        versions = [entry for entry in _BIN_ROOT.iterdir() if (entry / "bin").is_dir()]
        versions.sort(key=_version_key, reverse=True)
        candidates += [entry / "bin" for entry in versions]
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            answer = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=30, check=True
            )
            candidates.append(Path(answer.stdout.strip()))
    initdb = shutil.which("initdb")
    if initdb is not None:
        candidates.append(Path(initdb).resolve().parent)
    for bindir in candidates:
        if all(os.access(bindir / program, os.X_OK) for program in ("initdb", "pg_ctl")):
            return bindir
    raise PostgresUnavailable(
        "PostgreSQL's initdb and pg_ctl are not installed (Debian: apt-get install postgresql)"
    )


def _version_key(folder: Path) -> tuple[int, ...]:
    """``/usr/lib/postgresql/15`` -> ``(15,)``, so that 15 sorts after 9.6."""
    return tuple(int(part) for part in re.findall(r"\d+", folder.name)) or (-1,)


@dataclass(frozen=True)
class ServerUser:
    """Whom the server runs as: their uid and gid, or None to run as this process does."""

    name: str
    uid: int | None
    gid: int | None


def server_user() -> ServerUser:
    """:data:`SERVER_USER` when this process is root (created if missing); else ourselves.

    Raises:
        PostgresUnavailable: root, but the system user cannot be created.
    """
    if os.geteuid() != 0:
        return ServerUser(pwd.getpwuid(os.geteuid()).pw_name, None, None)
    with _user_database_lock():
        # Several xdist workers may get here at once: the lock makes one of them
        # create the user and the others find it.
        try:
            entry = pwd.getpwnam(SERVER_USER)
        except KeyError:
            entry = _create_server_user()
    return ServerUser(entry.pw_name, entry.pw_uid, entry.pw_gid)


def _create_server_user() -> pwd.struct_passwd:
    if shutil.which("useradd") is None:
        raise PostgresUnavailable(
            f"running as root, and useradd is missing to create the user {SERVER_USER} "
            "(PostgreSQL refuses to run as root)"
        )
    command = [
        "useradd",
        "--system",
        "--user-group",
        "--no-create-home",
        "--home-dir",
        "/nonexistent",
        "--shell",
        "/usr/sbin/nologin",
        SERVER_USER,
    ]
    made = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        return pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"cannot create the system user {SERVER_USER}: {made.stderr.strip()}"
        ) from None


@contextlib.contextmanager
def _user_database_lock() -> Iterator[None]:
    """Hold an exclusive lock shared by every test process of this machine."""
    path = Path(tempfile.gettempdir()) / "clientdesk-pgtest-user.lock"
    # O_NOFOLLOW: root opening a file in a world-writable folder follows no one's link.
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


class PostgresServer:
    """A PostgreSQL server of this test process, on a temporary data directory.

    Use :func:`running_postgres` (or the ``postgres_server`` fixture) rather
    than starting one by hand: it stops the server and removes its folder.

    Attributes:
        bindir: where ``initdb`` and ``pg_ctl`` were found.
        user: whom the server runs as.
        base: the temporary folder holding everything of this server.
        data_dir: the data directory (``initdb``'s).
        socket_dir: where the Unix socket lives; the ``host`` of socket URLs.
        port: the TCP port on 127.0.0.1 (also the number in the socket's name).
        password: the password of :data:`PASSWORD_ROLE`.
        startup_seconds: how long ``initdb``, start and role set-up took.
    """

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.user = server_user()
        self.password = secrets.token_urlsafe(24)
        self.base = Path(tempfile.mkdtemp(prefix="clientdesk-pg-", dir=_short_temp_root()))
        self.data_dir = self.base / "data"
        self.socket_dir = self.base / "socket"
        self.log_file = self.base / "server.log"
        self.port = 0
        self.startup_seconds = 0.0
        self._running = False
        self._database_count = 0

    def start(self) -> None:
        """Create the cluster, start the server, wait until it accepts, create the roles.

        Raises:
            PostgresUnavailable: any step failed; the message has the server's last words.
        """
        began = time.monotonic()
        atexit.register(self.stop)
        self._prepare_folders()
        self._initdb()
        for attempt in range(1, START_ATTEMPTS + 1):
            self.port = free_port()
            self._write_settings()
            started = self._run([self._program("pg_ctl"), *self._pg_ctl_start_arguments()])
            if started.returncode == 0:
                break
            log = self._log_tail()
            if attempt == START_ATTEMPTS or "could not bind" not in log:
                raise PostgresUnavailable(f"pg_ctl start failed: {_one_line(log or started)}")
        self._running = True
        self._create_roles()
        self.startup_seconds = time.monotonic() - began

    def stop(self) -> None:
        """Stop the server at once (its data is thrown away) and remove its folder."""
        if self._running:
            self._run(
                [self._program("pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "immediate"]
            )
            self._running = False
        shutil.rmtree(self.base, ignore_errors=True)
        atexit.unregister(self.stop)

    def new_database(self) -> str:
        """Create a fresh, empty database; return its URL over the Unix socket as the superuser.

        The URL reads ``postgresql://clientdesk_admin@/DBNAME?host=/SOCKET/DIR&port=PORT``.
        :data:`PASSWORD_ROLE` may use the database too: it may create tables
        in ``public`` and use every table the superuser creates there.
        """
        self._database_count += 1
        name = f"clientdesk_test_{os.getpid()}_{self._database_count}"
        with self.admin_connection() as connection:
            connection.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name))
            )
            connection.execute(
                sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(
                    sql.Identifier(name), sql.Identifier(PASSWORD_ROLE)
                )
            )
        url = self.socket_url(name)
        with psycopg.connect(url, autocommit=True) as connection:
            for statement in (
                "GRANT USAGE, CREATE ON SCHEMA public TO {role}",
                "ALTER DEFAULT PRIVILEGES FOR ROLE {admin} IN SCHEMA public "
                "GRANT ALL ON TABLES TO {role}",
                "ALTER DEFAULT PRIVILEGES FOR ROLE {admin} IN SCHEMA public "
                "GRANT ALL ON SEQUENCES TO {role}",
            ):
                connection.execute(
                    sql.SQL(statement).format(
                        role=sql.Identifier(PASSWORD_ROLE), admin=sql.Identifier(ADMIN_ROLE)
                    )
                )
        return url

    def drop_database(self, url: str) -> None:
        """Drop the database of ``url`` (from :meth:`new_database`), closing its connections."""
        with self.admin_connection() as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(database_name(url))
                )
            )

    def socket_url(self, database: str, role: str = ADMIN_ROLE) -> str:
        """``postgresql://ROLE@/DATABASE?host=/SOCKET/DIR&port=PORT``: trusted, no password.

        The port is in the URL because the socket's file name carries it
        (``.s.PGSQL.PORT``), and the port is a free one, not libpq's default.
        """
        socket_dir = quote(str(self.socket_dir))
        return f"postgresql://{quote(role)}@/{quote(database)}?host={socket_dir}&port={self.port}"

    def password_url(self, url_or_database: str) -> str:
        """The same database over TCP as :data:`PASSWORD_ROLE`, without its password.

        Args:
            url_or_database: a URL from :meth:`new_database`, or a database name.

        Returns:
            ``postgresql://pm_pw@127.0.0.1:PORT/DBNAME``.
        """
        database = database_name(url_or_database) if "://" in url_or_database else url_or_database
        return f"postgresql://{quote(PASSWORD_ROLE)}@127.0.0.1:{self.port}/{quote(database)}"

    def admin_connection(self) -> psycopg.Connection[tuple[object, ...]]:
        """An autocommit connection to the ``postgres`` database as the superuser."""
        return psycopg.connect(self.socket_url("postgres"), autocommit=True)

    def _prepare_folders(self) -> None:
        self.socket_dir.mkdir(mode=0o700)
        for folder in (self.base, self.socket_dir):
            if self.user.uid is not None:
                os.chown(folder, self.user.uid, -1 if self.user.gid is None else self.user.gid)
            folder.chmod(0o700)  # the server's own; root gets in anyway, nobody else does

    def _initdb(self) -> None:
        made = self._run(
            [
                self._program("initdb"),
                "--pgdata",
                str(self.data_dir),
                "--username",
                ADMIN_ROLE,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C.UTF-8",
                # A test server: its data is thrown away, so nothing needs to reach the disk.
                "--no-sync",
            ]
        )
        if made.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {_one_line(made)}")
        # Trust on the socket (only this user and root reach its folder); a password over TCP.
        (self.data_dir / "pg_hba.conf").write_text(
            "# clientdesk test server (tests/helpers/postgres.py)\n"
            "local all all trust\n"
            "host all all 127.0.0.1/32 scram-sha-256\n"
        )

    def _write_settings(self) -> None:
        # A throw-away test server: durability is traded for speed, which a real
        # server must never do (fsync=off loses data on a crash of the machine).
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": _quoted(str(self.socket_dir)),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "wal_level": "minimal",
            "max_wal_senders": "0",
            "shared_buffers": "32MB",
            "huge_pages": "off",
            # Parallel workers want /dev/shm, which containers keep small.
            "max_parallel_workers_per_gather": "0",
            "timezone": "'UTC'",
            "log_timezone": "'UTC'",
        }
        lines = [f"{name} = {value}" for name, value in settings.items()]
        (self.data_dir / "postgresql.auto.conf").write_text(
            "# clientdesk test server settings (tests/helpers/postgres.py)\n"
            + "\n".join(lines)
            + "\n"
        )

    def _pg_ctl_start_arguments(self) -> list[str]:
        return [
            "start",
            "--pgdata",
            str(self.data_dir),
            "--log",
            str(self.log_file),
            # -w: return once the server accepts connections, or fail at the ceiling.
            "--wait",
            "--timeout",
            str(int(HANG_SECONDS)),
        ]

    def _create_roles(self) -> None:
        with self.admin_connection() as connection:
            connection.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(PASSWORD_ROLE), sql.Literal(self.password)
                )
            )

    def _program(self, name: str) -> str:
        return str(self.bindir / name)

    def _run(self, command: list[str]) -> subprocess.CompletedProcess[str]:
        """Run ``command`` as the server's user, in its folder, with none of our PG* settings."""
        environment = {
            "PATH": f"{self.bindir}:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": str(self.base),
        }
        return subprocess.run(
            command,
            user=self.user.uid,
            group=self.user.gid,
            extra_groups=[] if self.user.uid is not None else None,
            cwd=self.base,
            env=environment,
            capture_output=True,
            text=True,
            timeout=HANG_SECONDS + 30,
            check=False,
        )

    def _log_tail(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-2000:]
        except OSError:
            return ""


def database_name(url: str) -> str:
    """The database a URL names."""
    return str(psycopg.conninfo.conninfo_to_dict(url)["dbname"])


def _short_temp_root() -> str:
    """``/tmp`` where there is one: a socket's path must stay under 108 bytes."""
    return "/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir()


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _one_line(output: str | subprocess.CompletedProcess[str]) -> str:
    """The last non-empty line of a program's output or of a log: the reason, mostly."""
    if isinstance(output, subprocess.CompletedProcess):
        output = f"{output.stdout}\n{output.stderr}"
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def unavailable(reason: str) -> NoReturn:
    """Skip the test for ``reason``; fail it instead when ``CLIENTDESK_REQUIRE_POSTGRES=1``."""
    message = f"PostgreSQL test server unavailable: {reason}"
    if os.environ.get(REQUIRE_VARIABLE) == "1":
        pytest.fail(f"{message} ({REQUIRE_VARIABLE}=1)", pytrace=False)
    pytest.skip(message)


def running_postgres() -> Iterator[PostgresServer]:
    """Start a :class:`PostgresServer`, yield it, stop it; skip or fail when it cannot start."""
    server: PostgresServer | None = None
    try:
        server = PostgresServer()
        server.start()
    except (PostgresUnavailable, OSError, subprocess.SubprocessError, psycopg.Error) as error:
        reason = _one_line(str(error))
        if server is not None:
            server.stop()
    else:
        try:
            yield server
        finally:
            server.stop()
        return
    # Outside the except block: the one-line reason, with no chained traceback under it.
    unavailable(reason)
