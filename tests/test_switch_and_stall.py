"""Opening another project and saving never freeze the screen, and nothing typed is misplaced.

A project picked in the picker has its records validated in a worker (about
a second at 50,000 records): keys typed right after the choice wait for it
and act on the new project. A project holding a record broken by hand is
refused, naming the record, and the one on show stays. The background check
of every record stands still while a save or a re-read runs; a save never
depends on it and refuses a broken record by itself.
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from clientdesk.store.demo import populate_demo
from clientdesk.store.models import ClientRequest
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.snapshot import Snapshot
from clientdesk.tui import app as app_module
from clientdesk.tui.app import create_app
from clientdesk.tui.store_waits import StoreWaits
from clientdesk.widgets.project_picker import ProjectPicker
from clientdesk.widgets.request_form import RequestForm
from tests.helpers.keys import keys_handled, type_at_once
from tests.helpers.two_projects import break_one, two_projects
from tests.helpers.ui import notices, screen_text, settle
from tests.helpers.waiting import HANG_SECONDS, pilot_wait_until, wait_until


def _titles(app: Any) -> list[str]:
    """The titles of the notifications up."""
    return [str(notification.title) for notification in app._notifications]


@pytest.fixture
def slow_to_open(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, list[str]]:
    """Opening a project waits until the test says, as a project of 50,000 records takes a while.

    Returns the gate to open and the projects whose records are held at it:
    put a project's id in the list to slow it down. The records are then
    validated as always.
    """
    gate = threading.Event()
    slowed: list[str] = []
    validate = Snapshot.prepare

    def prepare_when_let_through(snapshot: Snapshot, project_id: str) -> None:
        if project_id in slowed:
            gate.wait(HANG_SECONDS)
        validate(snapshot, project_id)

    monkeypatch.setattr(Snapshot, "prepare", prepare_when_let_through)
    return gate, slowed


# -- switching project -----------------------------------------------------------------


@pytest.mark.usefixtures("no_polling")
async def test_keys_typed_right_after_a_switch_act_on_the_new_project(
    data_path: Path, app_now: datetime, slow_to_open: tuple[threading.Event, list[str]]
) -> None:
    """The screen answers while the project is opened; the burst waits and lands in it."""
    repo = TinyDBRepository(data_path)
    populate_demo(repo, projects=3, seed=1, records=3000, now=app_now)
    projects = repo.snapshot().projects()
    first, chosen = projects[0], projects[1]
    gate, slowed = slow_to_open
    slowed.append(chosen.id)
    app = create_app(data_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.current_project == first
        await pilot.press("2", "p")
        await settle(pilot)
        assert isinstance(app.screen, ProjectPicker)
        await pilot.press(*chosen.key)
        await settle(pilot)
        type_at_once(app, "enter", "n", "tab", *"Asked in the burst", "ctrl+s")
        await pilot_wait_until(
            pilot, lambda: not isinstance(app.screen, ProjectPicker), "the picker to close"
        )
        assert app.current_project == first, "shown once its records are validated"
        assert app.keys_pending, "the keys typed after the choice wait for it"
        assert not isinstance(app.screen, RequestForm)
        gate.set()
        await keys_handled(pilot)
        assert app.current_project is not None and app.current_project.id == chosen.id
        assert chosen.key in screen_text(app)
        assert not isinstance(app.screen, RequestForm), "the form was saved and closed"
    saved = [
        request
        for request in TinyDBRepository(data_path).snapshot().all(ClientRequest)
        if request.title == "Asked in the burst"
    ]
    assert [request.project_id for request in saved] == [chosen.id]


@pytest.mark.usefixtures("no_polling")
async def test_a_project_with_a_broken_record_is_refused_and_the_keys_stay_with_the_one_shown(
    repo: TinyDBRepository, data_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refusal names the record; keys typed right after the choice act on the project shown."""
    # The background check would name the record first: it waits here, the switch finds it.
    monkeypatch.setattr(app_module, "CHECK_DELAY_SECONDS", 3600.0)
    alpha, _ = two_projects(repo)
    break_one(data_path, "Beta 1")
    broken = data_path.read_bytes()
    app = create_app(data_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.current_project == alpha
        await pilot.press("2")
        await settle(pilot)
        assert "Alpha 1" in screen_text(app)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"Beta")
        await settle(pilot)
        type_at_once(app, "enter", "3")
        await keys_handled(pilot)
        assert any("Cannot open BETA" in title for title in _titles(app))
        assert any("REQ-2 of project BETA is invalid" in notice for notice in notices(app))
        assert app.current_project == alpha, "the project on show stays, the app runs on"
        assert app.current_pane_id == "risks", "the key typed after the choice acted on it"
        assert "Alpha risk" in screen_text(app)
        # The picker still works: Alpha can be picked again, and is shown.
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"Alpha", "enter")
        await settle(pilot)
        assert app.current_project == alpha
    assert data_path.read_bytes() == broken


# -- saves and the background check ------------------------------------------------------


@pytest.mark.usefixtures("no_polling")
async def test_a_save_refuses_a_record_broken_elsewhere_before_the_background_check_finds_it(
    repo: TinyDBRepository, data_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check of every record is the save's own: the background check only reports early."""
    monkeypatch.setattr(app_module, "CHECK_DELAY_SECONDS", 3600.0)  # it has not got there
    two_projects(repo)
    break_one(data_path, "Beta 1")
    broken = data_path.read_bytes()
    app = create_app(data_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert not any("nothing can be saved" in title for title in _titles(app))
        await pilot.press("2", "n")
        await settle(pilot)
        await pilot.press("tab", *"Asked today", "ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RequestForm), "the form stays open with what was typed"
        assert form.values()["title"] == "Asked today"
        assert "REQ-2 of project BETA is invalid" in screen_text(app)
    assert data_path.read_bytes() == broken


@pytest.mark.usefixtures("no_polling")
async def test_the_background_check_goes_on_after_the_saves_it_waited_for(
    repo: TinyDBRepository, data_path: Path
) -> None:
    """Saves made while it runs leave it to name a broken record in another project at the end."""
    alpha, _ = two_projects(repo)
    break_one(data_path, "Beta 1")
    app = create_app(data_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2", "n")
        await settle(pilot)
        await pilot.press("tab", *"Asked today", "ctrl+s")
        await pilot_wait_until(
            pilot,
            lambda: any("nothing can be saved" in title for title in _titles(app)),
            "the background check's notice",
        )
        assert any("REQ-2 of project BETA is invalid" in notice for notice in notices(app))
        assert not app.store_waits.waiting, "nothing is waited for once the save has answered"
        assert app.current_project == alpha


# -- what the background check waits for ---------------------------------------------------


def test_the_check_rests_while_anything_is_waited_for_and_goes_on_after() -> None:
    waits = StoreWaits()
    waits.begin("save")
    waits.begin("re-read")
    went_on = threading.Event()
    answers: list[bool] = []

    def check_between_batches() -> None:
        answers.append(waits.rest(lambda: False))
        went_on.set()

    checker = threading.Thread(target=check_between_batches)
    checker.start()
    waits.end("save")
    assert waits.waiting and not answers, "the re-read is still under way"
    waits.end("re-read")
    wait_until(went_on.is_set, "the check to go on")
    checker.join()
    assert answers == [True]
    assert not waits.waiting


def test_a_resting_check_that_is_cancelled_stops() -> None:
    waits = StoreWaits()
    cancelled = threading.Event()
    answers: list[bool] = []
    with waits.during("save"):
        checker = threading.Thread(target=lambda: answers.append(waits.rest(cancelled.is_set)))
        checker.start()
        cancelled.set()  # a newer snapshot's check replaces it, or the app stops
        wait_until(lambda: bool(answers), "the check to stop")
        checker.join()
    assert answers == [False]
    assert not waits.waiting
