"""The PostgreSQL server the tests start for themselves gives what the backend's tests need.

A real server, not run by root, a fresh database per test that no other test
sees, and a password role that gets in over TCP with a ``PGPASSFILE`` and is
refused without one (tests/helpers/postgres.py).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import psycopg
import pytest

from tests.helpers.postgres import (
    ADMIN_ROLE,
    PASSWORD_ROLE,
    REQUIRE_VARIABLE,
    PostgresServer,
    database_name,
    unavailable,
)


def process_uid(pid: int) -> int:
    """The real uid of process ``pid``, as the kernel has it."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^Uid:\s+(\d+)", status, re.MULTILINE)
    assert match is not None, status
    return int(match.group(1))


def write_passfile(folder: Path, server: PostgresServer, url: str) -> Path:
    """A libpq password file for the password role on ``url``'s database, readable by us only."""
    fields = ["127.0.0.1", str(server.port), database_name(url), PASSWORD_ROLE, server.password]
    line = ":".join(field.replace("\\", "\\\\").replace(":", "\\:") for field in fields)
    passfile = folder / "pgpass"
    descriptor = os.open(passfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as stream:
        stream.write(line + "\n")
    return passfile


def test_the_socket_url_reaches_a_server_that_does_not_run_as_root(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    assert re.fullmatch(
        rf"postgresql://{ADMIN_ROLE}@/\w+\?host={re.escape(str(postgres_server.socket_dir))}"
        rf"&port={postgres_server.port}",
        postgres_url,
    )

    with psycopg.connect(postgres_url) as connection:
        user, backend_pid, superuser = connection.execute(
            "SELECT current_user, pg_backend_pid(), current_setting('is_superuser')"
        ).fetchone() or (None, None, None)
        assert isinstance(backend_pid, int)
        # Looked up while connected: the backend process ends with its connection.
        server_uid = process_uid(backend_pid)

    assert (user, superuser) == (ADMIN_ROLE, "on")
    assert server_uid != 0
    assert postgres_server.data_dir.stat().st_uid == server_uid


def test_each_new_database_is_a_separate_one(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    other_url = postgres_server.new_database()
    try:
        with psycopg.connect(postgres_url) as connection:
            connection.execute("CREATE TABLE notes (body text)")
            connection.execute("INSERT INTO notes VALUES ('only here')")

        with psycopg.connect(other_url) as connection:
            tables = connection.execute("SELECT to_regclass('notes')").fetchone()
        with psycopg.connect(postgres_url) as connection:
            rows = connection.execute("SELECT body FROM notes").fetchall()
    finally:
        postgres_server.drop_database(other_url)

    assert database_name(other_url) != database_name(postgres_url)
    assert tables == (None,)
    assert rows == [("only here",)]


def test_the_password_role_gets_in_over_tcp_with_a_passfile(
    postgres_server: PostgresServer,
    postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with psycopg.connect(postgres_url) as connection:
        connection.execute("CREATE TABLE requests (title text)")
    passfile = write_passfile(tmp_path, postgres_server, postgres_url)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    password_url = postgres_server.password_url(postgres_url)

    with psycopg.connect(password_url) as connection:
        user, address, superuser = connection.execute(
            "SELECT current_user, host(inet_server_addr()), current_setting('is_superuser')"
        ).fetchone() or (None, None, None)
        # The tables the superuser made are the password role's to use too.
        connection.execute("INSERT INTO requests VALUES ('Send the minutes')")

    assert password_url == (
        f"postgresql://{PASSWORD_ROLE}@127.0.0.1:{postgres_server.port}/"
        f"{database_name(postgres_url)}"
    )
    assert postgres_server.password not in password_url
    assert passfile.stat().st_mode & 0o777 == 0o600
    assert (user, address, superuser) == (PASSWORD_ROLE, "127.0.0.1", "off")


def test_the_password_role_is_refused_without_its_password(
    postgres_server: PostgresServer,
    postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-such-pgpass"))
    monkeypatch.delenv("PGPASSWORD", raising=False)

    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(postgres_server.password_url(postgres_url)).close()
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(postgres_server.password_url(postgres_url), password="guess").close()


def test_an_unavailable_server_skips_but_fails_where_ci_requires_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(REQUIRE_VARIABLE, raising=False)
    with pytest.raises(pytest.skip.Exception, match="initdb is missing"):
        unavailable("initdb is missing")

    monkeypatch.setenv(REQUIRE_VARIABLE, "1")
    with pytest.raises(pytest.fail.Exception, match="initdb is missing"):
        unavailable("initdb is missing")
