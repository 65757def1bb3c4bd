"""The app on a team's PostgreSQL database: the same panes, a colleague's save heard at once,
and a database out of reach leaves the screen as it was, read-only, until it is back.

The database is a real server the tests start (tests/helpers/postgres.py). An
outage is made the way one looks to the app: the database stops taking
connections and the server ends the ones it has.
"""

from __future__ import annotations

import psycopg
import pytest
from textual.pilot import Pilot

from clientdesk.store.backends import open_repository
from clientdesk.store.models import ClientRequest
from clientdesk.tui.app import create_app
from clientdesk.widgets.request_form import RequestForm
from tests.helpers.postgres import database_name
from tests.helpers.two_projects import two_projects
from tests.helpers.ui import notices, screen_text, settle
from tests.helpers.waiting import HANG_SECONDS, pilot_wait_until

pytestmark = pytest.mark.slow


def cut_off(admin_url: str, database: str, *, reachable: bool) -> None:
    """Let ``database`` take connections or not; when not, end the ones it has."""
    with psycopg.connect(admin_url, autocommit=True) as connection:
        allow = "true" if reachable else "false"
        connection.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {allow}'.encode())
        if not reachable:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            )


async def show_the_requests(pilot: Pilot[None]) -> None:
    """Wait for the app to open, then show the Requests pane of the first project, Alpha."""
    await settle(pilot)
    await pilot.press("2")
    await pilot_wait_until(pilot, lambda: "Alpha 0" in screen_text(pilot.app), "Alpha's requests")


async def test_the_app_shows_the_database_and_a_colleagues_save(postgres_url: str) -> None:
    """The panes fill from the database; a colleague's save is on screen without a key,
    with the line that says who changed what."""
    alpha, _ = two_projects(open_repository(postgres_url, user="ann"))
    app = create_app(postgres_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await show_the_requests(pilot)

        colleague = open_repository(postgres_url, user="ben")
        request = next(
            r
            for r in colleague.snapshot().of_project(ClientRequest, alpha.id)
            if r.title == "Alpha 0"
        )
        colleague.update(request.model_copy(update={"title": "Alpha 0, as ben put it"}))

        await pilot_wait_until(
            pilot, lambda: "Alpha 0, as ben put it" in screen_text(app), "ben's save on screen"
        )
        assert f"ben changed {request.key}" in screen_text(app)


async def test_a_database_out_of_reach_leaves_the_screen_read_only_until_it_is_back(
    postgres_url: str, postgres_server: object
) -> None:
    two_projects(open_repository(postgres_url, user="ann"))
    admin = postgres_url.replace(f"/{database_name(postgres_url)}?", "/postgres?")
    app = create_app(postgres_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await show_the_requests(pilot)

        cut_off(admin, database_name(postgres_url), reachable=False)
        try:
            await pilot_wait_until(
                pilot,
                lambda: any("cannot reach the database" in n for n in notices(app)),
                "the notice that the database is out of reach",
            )
            assert "Alpha 0" in screen_text(app), "what was on screen stays"
            await pilot.press("n")
            await pilot.pause()
            assert not isinstance(app.screen, RequestForm), "no form opens while nothing saves"
            assert any("read-only until it is back" in n for n in notices(app))
        finally:
            cut_off(admin, database_name(postgres_url), reachable=True)

        await pilot_wait_until(
            pilot,
            lambda: any("can be reached again" in n for n in notices(app)),
            "the notice that the database is back",
        )
        await pilot.press("n")
        await pilot_wait_until(
            pilot, lambda: isinstance(app.screen, RequestForm), "the new request's form"
        )


async def test_a_save_told_while_a_read_is_under_way_is_read_after_it(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database tells of each save once: one told while the app reads the one
    before is not lost, it is read as soon as that read is done."""
    import threading

    from clientdesk.store.postgres import PostgresRepository

    alpha, _ = two_projects(open_repository(postgres_url, user="ann"))
    app = create_app(postgres_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await show_the_requests(pilot)

        reading, go_on = threading.Event(), threading.Event()
        read = PostgresRepository.snapshot

        def slow_read(repository: PostgresRepository) -> object:
            # What was read is on its way to the screen when the next save is told.
            snapshot = read(repository)
            reading.set()
            go_on.wait(HANG_SECONDS)
            return snapshot

        colleague = open_repository(postgres_url, user="ben")
        requests = {r.title: r for r in colleague.snapshot().of_project(ClientRequest, alpha.id)}
        monkeypatch.setattr(PostgresRepository, "snapshot", slow_read)
        colleague.update(requests["Alpha 0"].model_copy(update={"title": "First of ben's"}))
        await pilot_wait_until(pilot, reading.is_set, "the app reading ben's first save")
        colleague.update(requests["Alpha 1"].model_copy(update={"title": "Second of ben's"}))
        await pilot.pause(0.3)  # the second save's notice reaches the app meanwhile
        monkeypatch.setattr(PostgresRepository, "snapshot", read)
        go_on.set()

        await pilot_wait_until(
            pilot,
            lambda: "First of ben's" in screen_text(app) and "Second of ben's" in screen_text(app),
            "both of ben's saves on screen",
        )
