"""Shared fixtures: every test runs with its data, config and user in a temporary place.

The autouse fixture redirects every location clientdesk resolves (data file,
config, logs) into ``tmp_path``, so no test ever touches a developer's data.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from clientdesk.store import clock
from clientdesk.store.config import SmtpSettings
from clientdesk.store.demo import populate_demo
from clientdesk.store.repository import TinyDBRepository
from tests.helpers.calendar_data import write_calendar_project
from tests.helpers.postgres import PostgresServer, running_postgres
from tests.helpers.smtp import Inbox, running_inbox
from tests.helpers.ui import FIXED_NOW

# Hypothesis fails an example that takes over 200 ms, and a strategy that draws slowly:
# on a busy machine both say nothing about clientdesk. A hang still ends the test run.
settings.register_profile("clientdesk", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("clientdesk")

PROCESSES_GROUP = "processes"
"""The xdist group of the ``slow`` tests: they run one after another on one worker."""


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put every ``slow`` test (several processes, crashes, a real terminal) in one group.

    With ``--dist loadgroup`` (pyproject's addopts) ``pytest -n 4`` runs them all,
    one at a time on one worker, beside the other tests: they never starve each
    other of the machine's cores (a lock wait, a kill that lands before any save).
    """
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(pytest.mark.xdist_group(PROCESSES_GROUP))


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point data, config and user at ``tmp_path``; return the data file path."""
    data = tmp_path / "data" / "clientdesk.json"
    monkeypatch.setenv("CLIENTDESK_DATA", str(data))
    monkeypatch.setenv("CLIENTDESK_CONFIG", str(tmp_path / "config" / "config.toml"))
    monkeypatch.setenv("CLIENTDESK_USER", "tester")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    monkeypatch.delenv("CLIENTDESK_NOW", raising=False)
    # Every save rotates the backups (unspaced), so tests can count them save by save;
    # the spacing itself has its own test.
    monkeypatch.setenv("CLIENTDESK_BACKUP_SPACING", "0")
    # Times shown to people are in the machine's zone: make it the same everywhere.
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    return data


@pytest.fixture
def no_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app does not look for other processes' saves (its poll comes once an hour).

    A test that saves as a colleague just before a key then meets the
    conflict path every time, never a refresh that happened to come first.
    """
    from clientdesk.tui import app as app_module

    monkeypatch.setattr(app_module, "POLL_SECONDS", 3600.0)


@pytest.fixture
def data_path(isolated_environment: Path) -> Path:
    """The (not yet existing) data file of this test."""
    return isolated_environment


@pytest.fixture
def repo(data_path: Path) -> TinyDBRepository:
    """A repository on an empty data file."""
    return TinyDBRepository(data_path)


@pytest.fixture
def app_now(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Fix the clock of every app and subprocess started by the test (``CLIENTDESK_NOW``)."""
    monkeypatch.setenv("CLIENTDESK_NOW", FIXED_NOW.isoformat())
    return FIXED_NOW


@pytest.fixture
def demo_path(data_path: Path, app_now: datetime) -> Path:
    """A data file holding the demo data set (3 projects, seed 1, at the fixed time)."""
    populate_demo(TinyDBRepository(data_path), projects=3, seed=1, now=app_now)
    return data_path


@pytest.fixture
def fixed_clock() -> Iterator[datetime]:
    """Freeze ``clock.now()`` at :data:`FIXED_NOW`."""
    with clock.frozen(FIXED_NOW):
        yield FIXED_NOW


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, SmtpSettings]]:
    """A plain SMTP server on localhost that keeps what it accepts, and the settings to reach it."""
    yield from running_inbox()


@pytest.fixture
def calendar_path(data_path: Path) -> Path:
    """One project in Berlin and its calendar (see tests/helpers/calendar_data.py)."""
    write_calendar_project(data_path)
    return data_path


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """This worker's own PostgreSQL server (tests/helpers/postgres.py), started on first use.

    Skips, saying why, where PostgreSQL cannot be started; fails instead under
    ``CLIENTDESK_REQUIRE_POSTGRES=1`` (CI).
    """
    yield from running_postgres()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database of this test, as a superuser URL over the Unix socket.

    ``postgresql://clientdesk_admin@/DBNAME?host=/SOCKET/DIR&port=PORT``; the same
    database over TCP with a password is ``postgres_server.password_url(postgres_url)``.
    The database is dropped after the test, connections left open or not.
    """
    url = postgres_server.new_database()
    yield url
    postgres_server.drop_database(url)


@pytest.fixture(params=["file", "postgresql"])
def store_location(request: pytest.FixtureRequest, data_path: Path) -> str:
    """An empty store of each backend in turn: the data file's path, then a database's URL.

    The same contract tests run on both: whatever a file store promises
    (revisions, conflicts, keys, undo, refresh), the database promises too.
    """
    if request.param == "file":
        return str(data_path)
    return str(request.getfixturevalue("postgres_url"))
