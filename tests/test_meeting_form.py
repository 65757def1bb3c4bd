"""The meeting form and its cadence editor, driven through Pilot in a small app."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from clientdesk.store.enums import AttendeeRole
from clientdesk.store.models import Contact, Meeting, Project
from clientdesk.store.snapshot import Snapshot
from clientdesk.widgets.cadence_editor import CadenceEditor
from clientdesk.widgets.meeting_form import MeetingForm
from tests.helpers.ui import FIXED_NOW, FormApp, saved_as_is, screen_text, settle
from tests.helpers.ui import fill_input as fill
from tests.helpers.ui import pick_option as choose

BERLIN = ZoneInfo("Europe/Berlin")
SIZES = [(120, 40), (80, 24)]

PROJECT = Project(
    name="Apollo",
    timezone="Europe/Berlin",
    organiser_name="Pat Lead",
    organiser_email="pat@agency.example",
)
ADA = Contact(project_id=PROJECT.id, name="Ada Client", email="ada@client.example")
BOB = Contact(project_id=PROJECT.id, name="Bob Sponsor", email="bob@client.example")


def meeting_form(record: Meeting | None = None) -> MeetingForm:
    snapshot = Snapshot.of_records({Contact: [ADA, BOB]})
    return MeetingForm(record, saved_as_is, project=PROJECT, snapshot=snapshot, now=FIXED_NOW)


async def add_agenda_item(pilot: Pilot[None]) -> None:
    """Press the "+ agenda item" button from the keyboard; the new row's title has focus."""
    pilot.app.screen.query_one("#agenda-add").focus()
    await pilot.press("enter")
    await pilot.pause()


def agenda_total(app: App[None]) -> str:
    return str(app.screen.query_one("#agenda-total", Static).render())


def reading(app: App[None]) -> str:
    return str(app.screen.query_one("#cadence-reading", Static).render())


@pytest.mark.parametrize("size", SIZES)
async def test_a_weekly_preset_gives_its_rule_and_reading(size: tuple[int, int]) -> None:
    app = FormApp(meeting_form())
    async with app.run_test(size=size) as pilot:
        await fill(pilot, "#field-start", "2026-11-30 10:00")  # a Monday
        editor = app.screen.query_one(CadenceEditor)
        await choose(pilot, editor.query_one("#cadence-preset", Select), "weekly on Monday")
        assert app.screen.query_one("#cadence-rule", Input).value == "FREQ=WEEKLY;BYDAY=MO"
        assert reading(app) == "weekly Mon"
        assert editor.rule == "FREQ=WEEKLY;BYDAY=MO"

        await fill(pilot, "#cadence-end", "2027-03-31")
        assert reading(app) == "weekly Mon until 2027-03-31"
        assert "weekly Mon until 2027-03-31" in screen_text(app)

        # Moving the start to a Thursday moves the preset with it.
        await fill(pilot, "#field-start", "2026-12-03 10:00")
        assert str(editor.query_one("#cadence-preset", Select).selection) == "weekly"
        assert editor.rule is not None and editor.rule.startswith("FREQ=WEEKLY;BYDAY=TH")


async def test_a_broken_raw_rule_is_reported_while_typing() -> None:
    app = FormApp(meeting_form())
    async with app.run_test(size=(120, 40)) as pilot:
        editor = app.screen.query_one(CadenceEditor)
        await choose(pilot, editor.query_one("#cadence-preset", Select), "custom RRULE")
        await fill(pilot, "#cadence-rule", "FREQ=WEEKLX")
        assert editor.preset == "custom"
        assert reading(app).startswith("✗ not a valid RRULE")
        assert editor.rule is None

        await pilot.press("backspace", "Y", ";", "B", "Y", "D", "A", "Y", "=", "F", "R")
        await pilot.pause()
        # The start, Tuesday 24 November, must be a meeting of the series itself.
        assert reading(app) == (
            "✗ the first meeting (Tue 24 Nov 2026) is not one the rule gives: weekly Fri"
        )
        assert editor.rule is None
        await pilot.press("backspace", "backspace", "T", "U")
        await pilot.pause()
        assert editor.problem is None
        assert reading(app) == "weekly Tue"


class EditorApp(App[None]):
    """Just a cadence editor."""

    def __init__(self, editor: CadenceEditor) -> None:
        super().__init__()
        self.editor = editor

    def compose(self) -> ComposeResult:
        yield self.editor


async def test_the_end_date_reads_in_the_meetings_zone() -> None:
    # 31 December ends at 23:59:59 in New York: 04:59:59 on 1 January in UTC.
    first = datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("America/New_York"))
    app = EditorApp(CadenceEditor("FREQ=WEEKLY;BYDAY=TU;UNTIL=20270101T045959Z", first))
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        assert reading(app) == "weekly Tue until 2026-12-31"
        assert app.editor.preset == "weekly"
        assert app.editor.query_one("#cadence-end", Input).value == "2026-12-31"


async def test_a_preset_that_does_not_fit_the_start_says_so() -> None:
    app = FormApp(meeting_form())  # starts on Tuesday 24 November, not the month's first
    async with app.run_test(size=(120, 40)) as pilot:
        editor = app.screen.query_one(CadenceEditor)
        select = editor.query_one("#cadence-preset", Select)
        await choose(pilot, select, "monthly on the first Tuesday")
        assert editor.rule is None
        assert "is not one the rule gives: monthly 1st Tue" in reading(app)
        await choose(pilot, select, "monthly on the last Tuesday")
        assert editor.rule == "FREQ=MONTHLY;BYDAY=-1TU"


@pytest.mark.parametrize("size", SIZES)
async def test_an_end_before_the_start_is_refused(size: tuple[int, int]) -> None:
    app = FormApp(meeting_form())
    async with app.run_test(size=size) as pilot:
        await fill(pilot, "#field-title", "Weekly status")
        editor = app.screen.query_one(CadenceEditor)
        await choose(pilot, editor.query_one("#cadence-preset", Select), "weekly on Tuesday")
        await fill(pilot, "#cadence-end", "2026-11-01")
        assert reading(app) == "✗ the series ends before it starts"

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.results == []
        assert isinstance(app.screen, MeetingForm)
        assert "✗ the series ends before it starts" in screen_text(app)


@pytest.mark.parametrize("size", SIZES)
async def test_a_weekly_meeting_is_saved_with_attendees_and_agenda(size: tuple[int, int]) -> None:
    app = FormApp(meeting_form())
    async with app.run_test(size=size) as pilot:
        form = app.screen
        await fill(pilot, "#field-title", "Weekly status")
        await fill(pilot, "#field-start", "2026-11-30 10:00")
        await fill(pilot, "#field-duration_minutes", "1h")
        editor = form.query_one(CadenceEditor)
        await choose(pilot, editor.query_one("#cadence-preset", Select), "weekly on Monday")

        await choose(
            pilot, form.query_one("#attendee-pick", Select), "Ada Client <ada@client.example>"
        )
        await fill(pilot, "#attendee-email", "carol@partner.example")
        await pilot.press("enter")
        await pilot.pause()
        roles = list(form.query(".attendee-role").results(Select))
        assert len(roles) == 2
        await choose(pilot, roles[1], "optional")

        await add_agenda_item(pilot)
        await pilot.press(*"Demo", "tab", *"Ada", "tab", *"30")
        await add_agenda_item(pilot)
        await pilot.press(*"Risks", "tab", "tab", *"20")
        await pilot.pause()
        assert agenda_total(app) == "agenda 50 of 60 min"

        await pilot.press("ctrl+s")
        await settle(pilot)

    [meeting] = app.results
    assert isinstance(meeting, Meeting)
    assert meeting.title == "Weekly status"
    assert meeting.rrule == "FREQ=WEEKLY;BYDAY=MO"
    assert meeting.start == datetime(2026, 11, 30, 10, 0, tzinfo=BERLIN)
    assert meeting.timezone == "Europe/Berlin"
    assert meeting.duration_minutes == 60
    assert [(a.email, a.role, a.contact_id) for a in meeting.attendees] == [
        ("ada@client.example", AttendeeRole.REQUIRED, ADA.id),
        ("carol@partner.example", AttendeeRole.OPTIONAL, None),
    ]
    assert [(item.title, item.presenter, item.minutes) for item in meeting.agenda] == [
        ("Demo", "Ada", 30),
        ("Risks", "", 20),
    ]
    assert (meeting.organiser_name, meeting.organiser_email) == ("Pat Lead", "pat@agency.example")
    assert meeting.project_id == PROJECT.id


async def test_an_agenda_longer_than_the_meeting_is_flagged() -> None:
    app = FormApp(meeting_form())
    async with app.run_test(size=(120, 40)) as pilot:
        await add_agenda_item(pilot)
        await pilot.press(*"Everything", "tab", "tab", *"50")
        await pilot.pause()
        assert agenda_total(app) == "agenda 50 of 60 min"
        await fill(pilot, "#field-duration_minutes", "45")
        assert agenda_total(app) == "⚠ agenda 50 of 45 min: too long"


@pytest.mark.parametrize("size", SIZES)
async def test_a_bad_zone_is_shown_at_the_field_and_nothing_is_saved(size: tuple[int, int]) -> None:
    app = FormApp(meeting_form())
    async with app.run_test(size=size) as pilot:
        await fill(pilot, "#field-title", "Kick-off")
        await fill(pilot, "#field-timezone", "Mars/Olympus")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.results == []
        error = app.screen.query_one("#error-timezone", Static)
        assert (
            str(error.render())
            == "✗ unknown time zone 'Mars/Olympus' (expected e.g. Europe/Berlin)"
        )
        assert "unknown time zone 'Mars/Olympus'" in screen_text(app)
        assert app.focused is app.screen.query_one("#field-timezone")


async def test_a_video_link_that_is_no_web_address_is_shown_at_its_field() -> None:
    app = FormApp(meeting_form())
    async with app.run_test(size=(120, 40)) as pilot:
        await fill(pilot, "#field-title", "Kick-off")
        await fill(pilot, "#field-video_link", "javascript:alert(1)")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.results == []
        error = str(app.screen.query_one("#error-video_link", Static).render())
        assert error == (
            "✗ a video link is a web address starting with https:// or http://, "
            "not 'javascript:alert(1)'"
        )


async def test_a_zero_duration_and_a_bad_start_are_shown_at_their_fields() -> None:
    app = FormApp(meeting_form())
    async with app.run_test(size=(120, 40)) as pilot:
        await fill(pilot, "#field-title", "Kick-off")
        await fill(pilot, "#field-start", "2026-13-01 10:00")
        await fill(pilot, "#field-duration_minutes", "0")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.results == []
        text = screen_text(app)
        assert "✗ malformed date and time '2026-13-01 10:00'" in text
        assert "✗ the duration must be more than 0 minutes" in text


async def test_editing_keeps_the_series_and_shows_the_start_in_its_zone() -> None:
    meeting = Meeting(
        project_id=PROJECT.id,
        key="MTG-3",
        title="Steering",
        start=datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("America/New_York")),
        timezone="America/New_York",
        rrule="FREQ=MONTHLY;BYDAY=1TU",
        attendees=[{"email": "ada@client.example", "name": "Ada Client", "rsvp": "accepted"}],
        sequence=4,
    )
    app = FormApp(meeting_form(meeting))
    async with app.run_test(size=(120, 40)) as pilot:
        form = app.screen
        assert form.query_one("#field-start", Input).value == "2026-12-01 09:00"
        assert form.query_one(CadenceEditor).preset == "monthly_first_weekday"
        assert "accepted" in screen_text(app)
        await fill(pilot, "#field-title", "Steering committee")
        await pilot.press("ctrl+s")
        await settle(pilot)

    [saved] = app.results
    assert isinstance(saved, Meeting)
    assert saved.title == "Steering committee"
    assert saved.start == meeting.start
    assert saved.rrule == "FREQ=MONTHLY;BYDAY=1TU"
    assert saved.attendees == meeting.attendees
    assert saved.sequence == 4


async def test_a_new_start_that_would_lose_minutes_is_refused_at_the_start() -> None:
    from clientdesk.store import calendar

    series = Meeting(
        project_id=PROJECT.id,
        key="MTG-3",
        title="Weekly",
        start=datetime(2026, 11, 24, 10, tzinfo=BERLIN),
        timezone="Europe/Berlin",
        rrule="FREQ=WEEKLY;BYDAY=TU",
        status="scheduled",
    )
    held_on = datetime(2026, 12, 8, 10, tzinfo=BERLIN)
    series = calendar.change_occurrence(series, held_on, status="held", minutes="Scope agreed")
    app = FormApp(meeting_form(series))
    async with app.run_test(size=(120, 40)) as pilot:
        await fill(pilot, "#field-start", "2026-12-15 10:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.results == []
        assert isinstance(app.screen, MeetingForm)
        error = str(app.screen.query_one("#error-start", Static).render())
        assert "1 occurrence with minutes or a record (the first on 08 Dec 2026)" in error


async def test_a_start_the_clocks_skip_is_refused_and_one_they_show_twice_is_the_first() -> None:
    app = FormApp(meeting_form())
    async with app.run_test(size=(120, 40)) as pilot:
        await fill(pilot, "#field-title", "Night release")
        await fill(pilot, "#field-start", "2027-03-28 02:30")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.results == []
        error = str(app.screen.query_one("#error-start", Static).render())
        assert error == (
            "✗ 2027-03-28 02:30 does not exist in Europe/Berlin (the clocks go forward at 02:00)"
        )

        await fill(pilot, "#field-start", "2027-10-31 02:30")
        await pilot.press("ctrl+s")
        await settle(pilot)
        notes = [str(n.message) for n in app._notifications if n.severity == "warning"]

    [meeting] = app.results
    assert isinstance(meeting, Meeting)
    assert meeting.start.utcoffset() == timedelta(hours=2)  # summer time: the first 02:30
    assert notes == [
        "2027-10-31 02:30 comes twice in Europe/Berlin (the clocks go back): taken as the "
        "first, at UTC+02:00; give 2027-10-31 02:30+01:00 for the second"
    ]
