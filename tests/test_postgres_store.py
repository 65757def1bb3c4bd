"""A team on PostgreSQL: moving the records there and back, checking them, and its security.

Run against a real server the tests start themselves (tests/helpers/postgres.py).
The shared contract (conflicts, undo, crashes, refresh) runs on both backends
in tests/test_store_backends.py and tests/test_store_concurrency.py; the app
over a database in tests/test_postgres_app.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import psycopg
import pytest

from clientdesk.store.backends import open_repository
from clientdesk.store.models import ClientRequest, Project
from tests.helpers.cli import run_cli
from tests.helpers.postgres import PASSWORD_ROLE, PostgresServer
from tests.helpers.store_worker import new_request

pytestmark = pytest.mark.slow


def documents_by_id(path: Path) -> dict[str, Any]:
    """Every table of a data file, its documents by id (the counters as they are)."""
    tables = json.loads(path.read_text("utf-8"))
    return {
        name: (documents if name == "_meta" else {d["id"]: d for d in documents.values()})
        for name, documents in tables.items()
    }


def url_with_password(server: PostgresServer, url: str) -> str:
    """The password role's URL to the database of ``url``, its password written into it."""
    return server.password_url(url).replace(
        f"{PASSWORD_ROLE}@", f"{PASSWORD_ROLE}:{server.password}@"
    )


def let_the_team_in(url: str) -> None:
    """Make clientdesk's tables as the database's owner, and let the password role use them.

    What a team's DBA does once (README: "A team on PostgreSQL").
    """
    open_repository(url).snapshot()
    with psycopg.connect(url, autocommit=True) as connection:
        for statement in (
            f"GRANT USAGE ON SCHEMA clientdesk TO {PASSWORD_ROLE}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA clientdesk"
            f" TO {PASSWORD_ROLE}",
            f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA clientdesk TO {PASSWORD_ROLE}",
        ):
            connection.execute(statement.encode())


def test_a_file_moved_to_the_database_and_back_keeps_every_record(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, postgres_url: str
) -> None:
    """migrate there and back: the same records, ids, keys, revisions, histories and key
    counters; `check` finds both sound."""
    first, back = tmp_path / "first.json", tmp_path / "back.json"
    assert run_cli(capsys, "demo", "--data", str(first), "--seed", "7")[0] == 0

    code, out, err = run_cli(capsys, "migrate", "--from", str(first), "--to", postgres_url)
    assert (code, err) == (0, "")
    assert out.strip().endswith("records copied")
    code, out, _ = run_cli(capsys, "check", "--data", postgres_url)
    assert code == 0 and ": sound (3 projects" in out
    assert run_cli(capsys, "migrate", "--from", postgres_url, "--to", str(back))[0] == 0

    assert documents_by_id(back) == documents_by_id(first)
    # Work goes on in the database where the file left off: the next key is new.
    code, out, _ = run_cli(
        capsys, "add", "request", "--data", postgres_url, "--project", "NWPORTAL",
        "--title", "After the move",
    )  # fmt: skip
    assert code == 0
    assert out.strip() == "REQ-11"


def test_migrate_never_writes_over_records(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, postgres_url: str
) -> None:
    first = tmp_path / "first.json"
    run_cli(capsys, "demo", "--data", str(first))
    assert run_cli(capsys, "migrate", "--from", str(first), "--to", postgres_url)[0] == 0
    before = open_repository(postgres_url).snapshot().count()

    code, out, err = run_cli(capsys, "migrate", "--from", str(first), "--to", postgres_url)

    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "already holds" in err and "nothing was written" in err
    assert open_repository(postgres_url).snapshot().count() == before
    code, _, err = run_cli(capsys, "migrate", "--from", postgres_url, "--to", str(first))
    assert code == 2 and "already holds" in err


def test_a_record_broken_by_hand_in_the_database_is_named_and_stops_saves(
    capsys: pytest.CaptureFixture[str], postgres_url: str
) -> None:
    repo = open_repository(postgres_url, user="ann")
    project = repo.add(Project(name="Hand edits"))
    request = repo.add(new_request(project.id, "fine"))
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(
            "UPDATE clientdesk.records SET document = jsonb_set(document, '{priority}', '\"P9\"'),"
            " saved_in = saved_in + 1 WHERE id = %s",
            (request.id,),
        )
        connection.execute("UPDATE clientdesk.state SET saved_in = saved_in + 1")

    code, _, err = run_cli(capsys, "check", "--data", postgres_url)
    assert code == 2
    assert err.count("\n") == 1 and request.id in err and "priority" in err
    code, _, err = run_cli(
        capsys, "add", "request", "--data", postgres_url, "--project", project.key, "--title", "x"
    )
    assert code == 2 and "nothing can be saved" in err
    assert "Traceback" not in err


def test_text_that_looks_like_sql_is_kept_as_text(postgres_url: str) -> None:
    """Every query is parameterised: a title written to break out of a string is a title."""
    repo = open_repository(postgres_url, user="ann")
    project = repo.add(Project(name="Quotes"))
    hostile = "x'); DROP TABLE clientdesk.records; -- \\' \" $$ \u202e"
    saved = repo.add(new_request(project.id, hostile))
    fresh = open_repository(postgres_url).snapshot()
    stored = fresh.get(ClientRequest, saved.id)
    assert stored is not None and stored.title == hostile
    assert fresh.count(Project) == 1


def test_a_password_on_the_command_line_is_refused(
    capsys: pytest.CaptureFixture[str], postgres_server: PostgresServer, postgres_url: str
) -> None:
    """Every user of the server sees a command line in `ps`: the password is refused
    there, and the message does not repeat it."""
    with_password = url_with_password(postgres_server, postgres_url)
    for argv in (
        ("list", "projects", "--data", with_password),
        ("migrate", "--from", with_password, "--to", "elsewhere.json"),
    ):
        code, out, err = run_cli(capsys, *argv)
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and "~/.pgpass" in err
        assert postgres_server.password not in err


def test_the_password_comes_from_the_password_file(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    postgres_server: PostgresServer,
    postgres_url: str,
) -> None:
    """libpq's password file serves the login over TCP; without it, one clear line."""
    url = postgres_server.password_url(postgres_url)
    let_the_team_in(postgres_url)
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "missing"))
    code, _, err = run_cli(capsys, "list", "projects", "--data", url)
    assert code == 2 and err.count("\n") == 1 and "cannot reach the database" in err
    assert "Traceback" not in err

    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{postgres_server.port}:*:{PASSWORD_ROLE}:"
                        f"{postgres_server.password}\n")  # fmt: skip
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    code, out, err = run_cli(capsys, "add", "project", "--data", url, "--name", "Over TCP")
    assert (code, err) == (0, "")
    assert out.strip() == "OVERTC"


def test_a_config_file_with_a_password_must_be_the_owners_alone(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    postgres_server: PostgresServer,
    postgres_url: str,
) -> None:
    """[store] url may carry the password only in a config file nobody else can read."""
    url = url_with_password(postgres_server, postgres_url)
    let_the_team_in(postgres_url)
    config = tmp_path / "config.toml"
    config.write_text(f'[store]\nurl = "{url}"\n')
    config.chmod(0o644)
    monkeypatch.setenv("CLIENTDESK_CONFIG", str(config))
    monkeypatch.delenv("CLIENTDESK_DATA", raising=False)

    code, _, err = run_cli(capsys, "list", "projects")
    assert code == 2 and err.count("\n") == 1
    assert "others may read this file" in err and "chmod 600" in err
    assert postgres_server.password not in err

    config.chmod(0o600)
    code, out, err = run_cli(capsys, "add", "project", "--name", "From config")
    assert (code, err) == (0, "")
    assert open_repository(postgres_url).snapshot().project(out.strip()).name == "From config"


def test_clientdesk_data_may_name_the_database(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, postgres_url: str
) -> None:
    monkeypatch.setenv("CLIENTDESK_DATA", postgres_url)
    assert run_cli(capsys, "add", "project", "--name", "By environment")[0] == 0
    code, out, _ = run_cli(capsys, "list", "projects", "--json")
    assert code == 0
    assert [p["name"] for p in json.loads(out)] == ["By environment"]


def test_tables_of_a_newer_clientdesk_are_refused(
    capsys: pytest.CaptureFixture[str], postgres_url: str
) -> None:
    open_repository(postgres_url).snapshot()  # makes the tables
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("INSERT INTO clientdesk.layout (version) VALUES (99)")
    code, _, err = run_cli(capsys, "check", "--data", postgres_url)
    assert code == 2 and err.count("\n") == 1 and "newer clientdesk" in err


def test_an_unreachable_database_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    socket_dir = "/nonexistent-clientdesk-socket"
    url = f"postgresql://nobody@/nowhere?host={socket_dir}"
    code, out, err = run_cli(capsys, "list", "projects", "--data", url)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "cannot reach the database" in err
    assert not os.path.exists(socket_dir)


def test_tls_is_asked_for_as_libpq_reads_it(
    capsys: pytest.CaptureFixture[str], postgres_server: PostgresServer, postgres_url: str
) -> None:
    """sslmode in the URL reaches libpq: the test server speaks no TLS, so a URL that
    requires it is refused, in one line, before any record is sent in clear."""
    url = postgres_server.password_url(postgres_url) + "?sslmode=require"
    code, out, err = run_cli(capsys, "list", "projects", "--data", url)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "SSL" in err


def test_tables_of_an_older_clientdesk_are_brought_up_to_date(postgres_url: str) -> None:
    """The schema is clientdesk's own: a database made by an earlier version (layout 1)
    is migrated when opened, its records kept."""
    repo = open_repository(postgres_url, user="ann")
    project = repo.add(Project(name="Older"))
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("DROP INDEX clientdesk.records_position")
        connection.execute("ALTER TABLE clientdesk.records DROP COLUMN document_text")
        connection.execute("DELETE FROM clientdesk.layout WHERE version > 1")

    reopened = open_repository(postgres_url, user="ann")
    assert reopened.snapshot().project(project.key).name == "Older"
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        versions = connection.execute("SELECT version FROM clientdesk.layout ORDER BY 1")
        assert [row[0] for row in versions] == [1, 2, 3]
        index = connection.execute("SELECT to_regclass('clientdesk.records_position')")
        assert index.fetchone() == ("clientdesk.records_position",)
        texts = connection.execute(
            "SELECT count(*) FROM clientdesk.records WHERE document_text = document::text"
        )
        assert texts.fetchone() == (reopened.snapshot().count(),), "every document's text made"
