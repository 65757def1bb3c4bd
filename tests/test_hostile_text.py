"""Hostile user text through every pane and form: it shows literally and breaks nothing.

Titles, names, comments and evidence may hold Rich markup, control characters,
escape sequences, bidi marks, emoji sequences and very long lines. Hypothesis
builds such strings from a sampled alphabet, the store keeps them, and the real
app shows them at 80x24 and 120x40 without markup taking effect, without a raw control
character reaching the terminal, without a line wider than the screen and
without rewriting the data file.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import Input

from clientdesk.store.demo import populate_demo
from clientdesk.store.models import (
    ChecklistItem,
    ClientRequest,
    Comment,
    CommunicationPlanItem,
    Contact,
    Meeting,
    Record,
    Risk,
)
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui.app import ClientDeskApp, create_app
from clientdesk.tui.cli import main
from clientdesk.tui.output_guard import OUTPUT_GUARD
from clientdesk.widgets.calendar_pane import CalendarPane
from clientdesk.widgets.checklist_dialog import ChecklistDialog
from clientdesk.widgets.meeting_detail import MeetingDetail
from clientdesk.widgets.meeting_form import MeetingForm
from clientdesk.widgets.minutes_form import MinutesForm
from clientdesk.widgets.plan_item_form import PlanItemForm
from clientdesk.widgets.record_table import RecordTable
from clientdesk.widgets.request_form import RequestForm
from clientdesk.widgets.risk_form import RiskForm
from tests.helpers.ui import FIXED_NOW, screen_text, settle

pytestmark = pytest.mark.usefixtures("app_now")

PIECES = [
    "plain text",
    " ",
    "[bold red]x[/]",
    "[/]",
    "[link=http://e.example]x[/link]",
    "[@click=app.quit]x[/]",
    *(chr(code) for code in range(0x20)),
    "\x7f",
    "\x1b[31m",
    "\x1b]8;;http://e\x07",
    "\u202e",
    "\u200f",
    "\u200d",
    "\u200b",
    "👩\u200d💻",
    "🇩🇪",
    "e\u0301\u0301",
    "W" * 2000,
]
"""The alphabet of hostile strings: markup, C0 controls, escapes, bidi, emoji, a long line."""

hostile = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join)

PROJECT_NAME = "[bold red]Portal[/]"
"""Short enough to show whole in the header, so its brackets must show as text."""

_files = itertools.count()


def revised(record: Record, **fields: Any) -> Record:
    """``record`` with ``fields`` changed, validated as the store would (one-line folding)."""
    kept = record.model_dump(exclude=set(type(record).model_computed_fields))
    return type(record).model_validate({**kept, **fields})


def title(text: str) -> str:
    """A hostile title that fits the 200-character limit and folds to something."""
    return ("T" + text)[:200]


def write_hostile_project(folder: Path, text: str) -> Path:
    """A demo data file whose texts on show are ``text``; the records at the top hold it."""
    path = folder / f"hostile-{next(_files)}.json"
    repo = TinyDBRepository(path)
    populate_demo(repo, projects=1, seed=1, now=FIXED_NOW)
    snapshot = repo.snapshot()
    project = snapshot.projects()[0]
    repo.update(revised(project, name=PROJECT_NAME, client=title(text), organiser_name=title(text)))
    contact = snapshot.of_project(Contact, project.id)[0]
    repo.update(revised(contact, name=title(text), role=title(text)))
    request = snapshot.find(ClientRequest, "REQ-1", project.id)
    comments = [*request.comments, Comment(text=text[:10_000])]
    repo.update(
        revised(
            request,
            title=title(text),
            description=text,
            owner=title(text),
            requester_id=contact.id,
            comments=comments,
        )
    )
    risk = snapshot.find(Risk, "RSK-5", project.id)
    repo.update(revised(risk, title=title(text), cause=text, mitigation=text, owner=title(text)))
    done = snapshot.find(ChecklistItem, "CHK-1", project.id)
    repo.update(revised(done, title=title(text), evidence=text))
    still_open = snapshot.find(ChecklistItem, "CHK-7", project.id)
    repo.update(revised(still_open, title=title(text)))
    meeting = snapshot.find(Meeting, "MTG-1", project.id)
    agenda = [item.model_copy(update={"presenter": title(text)}) for item in meeting.agenda]
    agenda[0] = agenda[0].model_copy(update={"title": title(text)})
    attendees = [a.model_copy(update={"name": title(text)}) for a in meeting.attendees]
    repo.update(
        revised(
            meeting,
            title=title(text),
            location=text,
            agenda=[item.model_dump() for item in agenda],
            attendees=[a.model_dump() for a in attendees],
        )
    )
    plan_item = snapshot.find(CommunicationPlanItem, "PLN-1", project.id)
    repo.update(revised(plan_item, title=title(text), purpose=text, owner=title(text)))
    return path


def assert_screen_is_sound(app: ClientDeskApp, where: str) -> str:
    """The screen renders, holds no control character and no line wider than the terminal."""
    text = screen_text(app)
    width = app.size.width
    for line in text.split("\n"):
        bad = [char for char in line if ord(char) < 0x20 or ord(char) == 0x7F]
        assert not bad, f"{where}: raw control characters {bad!r} reach the terminal: {line!r}"
        assert cell_len(line) <= width, f"{where}: a line is {cell_len(line)} cells wide"
    return text


async def open_the_calendar_screens(pilot: Pilot[None], app: ClientDeskApp) -> None:
    """The plan item form, the series' detail, minutes form and meeting form, and the views."""
    await pilot.press("1")
    await settle(pilot)
    calendar = app.query_one(CalendarPane)
    assert calendar.selected_plan_item is not None, "the overdue plan item is on top"
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, PlanItemForm)
    assert_screen_is_sound(app, "plan item form")
    await pilot.press("escape")
    await settle(pilot)
    series = next(
        entry.id
        for entry in calendar.agenda
        if entry.occurrence is not None and entry.occurrence.key == "MTG-1"
    )
    calendar.select_occurrence(series)
    await pilot.pause()
    assert_screen_is_sound(app, "agenda")
    for key, screen in (("enter", MeetingDetail), ("m", MinutesForm), ("e", MeetingForm)):
        await pilot.press(key)
        await settle(pilot)
        assert isinstance(app.screen, screen), key
        assert_screen_is_sound(app, screen.__name__)
        await pilot.press("escape")
        await settle(pilot)
    for _ in range(3):  # the views in turn (no week view at 80 columns)
        await pilot.press("v")
        await settle(pilot)
        assert_screen_is_sound(app, f"calendar view {calendar.view}")


async def open_each_pane_and_form(
    app: ClientDeskApp, stored: ClientRequest, risk: Risk, size: tuple[int, int]
) -> None:
    """Show panes 1-4 and the request, risk and tick forms, checking the screen each time."""
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        header = assert_screen_is_sound(app, "start").split("\n")[0]
        assert PROJECT_NAME in header, "markup in the project name shows as text"
        for pane in "1234":
            await pilot.press(pane)
            await settle(pilot)
            assert_screen_is_sound(app, f"pane {pane}")

        await open_the_calendar_screens(pilot, app)

        await pilot.press("2")
        await settle(pilot)
        requests = app.query_one("#request-table", RecordTable)
        assert requests.selected_record is not None
        assert requests.selected_record.key == "REQ-1", "the hostile request is the most urgent"
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, RequestForm)
        assert app.screen.query_one("#field-title", Input).value == stored.title
        assert_screen_is_sound(app, "request form")
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("3")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, RiskForm)
        assert app.screen.query_one("#field-title", Input).value == risk.title
        assert_screen_is_sound(app, "risk form")
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("4")
        await settle(pilot)
        await pilot.press("down", "down", "down", "down", "down", "down", "s")  # CHK-7, open
        await settle(pilot)
        assert isinstance(app.screen, ChecklistDialog)
        assert_screen_is_sound(app, "tick dialog")
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("2", "down", "up", "3", "1")
        await settle(pilot)
        assert_screen_is_sound(app, "after the keys")
        assert app.is_running


# Three examples at each size: the two sizes run side by side on two test workers.
@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@settings(
    max_examples=3,
    deadline=None,
    # Each example writes its own data file, so the function-scoped fixtures are shared safely.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=hostile)
async def test_hostile_text_shows_literally_in_every_pane_and_form(
    text: str, size: tuple[int, int], tmp_path: Path
) -> None:
    path = write_hostile_project(tmp_path, text)
    before = path.read_bytes()
    snapshot = TinyDBRepository(path).snapshot()
    project = snapshot.projects()[0]
    request = snapshot.find(ClientRequest, "REQ-1", project.id)
    risk = snapshot.find(Risk, "RSK-5", project.id)
    assert request.description == text, "the store keeps multi-line text as typed"
    cleaned_before = OUTPUT_GUARD.lines_cleaned

    await open_each_pane_and_form(create_app(path), request, risk, size)

    # The output guard had nothing to do: each place showed the text escaped itself.
    assert OUTPUT_GUARD.lines_cleaned == cleaned_before

    assert path.read_bytes() == before, "looking at the records rewrote the data file"
    after = TinyDBRepository(path).snapshot()
    assert after.find(ClientRequest, "REQ-1", project.id) == request


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=hostile)
def test_list_requests_prints_one_clean_line_per_record(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_hostile_project(tmp_path, text)
    monkeypatch.setenv("CLIENTDESK_DATA", str(path))
    project = TinyDBRepository(path).snapshot().projects()[0]
    capsys.readouterr()

    code = main(["list", "requests", "--project", project.key])

    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    bad = [char for char in out if char not in "\n" and (ord(char) < 0x20 or ord(char) == 0x7F)]
    assert not bad, f"raw control characters {bad!r} reach the terminal"
    assert len([line for line in lines if line.startswith("REQ-")]) == 10, out
