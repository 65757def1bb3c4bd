"""All-day meetings and the extra dates of a series, from the store to a client's calendar.

An all-day meeting is a day, not a time: it goes out as ``VALUE=DATE`` so that
a client in New York sees the same day as the team in Berlin, never 18:00 the
evening before. A series' extra dates (``RDATE``, as Zimbra writes them) are
occurrences like any other. Every export here is read back by ``icalendar``
and ``recurring_ical_events``, as a client's calendar would read it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from textual.widgets import Checkbox

from clientdesk.store import calendar
from clientdesk.store.enums import MeetingStatus
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.ics import meeting_invite, project_feed
from clientdesk.store.ics_import import apply_import, plan_import
from clientdesk.store.mail import invite_message
from clientdesk.store.models import Meeting, Project
from clientdesk.store.report_mail import minutes_document
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.snapshot import Snapshot, validate_record
from clientdesk.store.status_report import status_report
from clientdesk.tui.app import create_app
from clientdesk.tui.cli import main
from clientdesk.widgets.calendar_pane import CalendarPane
from clientdesk.widgets.meeting_detail import MeetingDetail
from clientdesk.widgets.meeting_form import MeetingForm
from clientdesk.widgets.record_table import RecordTable
from tests.helpers.ui import FIXED_NOW, fill_input, screen_text, settle

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
DAY = 24 * 60
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=BERLIN)
PROJECT = Project(
    name="Apollo",
    key="APOLLO",
    timezone="Europe/Berlin",
    organiser_name="Pat Lead",
    organiser_email="pat@agency.example",
)


def day(month: int, number: int, year: int = 2026) -> datetime:
    """The start of a day in Berlin."""
    return datetime(year, month, number, tzinfo=BERLIN)


def all_day(**fields: object) -> Meeting:
    """A one-day meeting on Tuesday 1 December 2026 in Berlin, validated as the store would."""
    data: dict[str, object] = {
        "project_id": PROJECT.id,
        "key": "MTG-1",
        "title": "Release freeze",
        "start": day(12, 1),
        "duration_minutes": DAY,
        "timezone": "Europe/Berlin",
        "all_day": True,
        "status": MeetingStatus.SCHEDULED,
    }
    data.update(fields)
    return Meeting.model_validate(data)


def read_back(payload: bytes, first: date, last: date) -> list[tuple[object, object]]:
    """(start, end) of every occurrence a client's calendar finds in ``[first, last)``."""
    found = recurring_ical_events.of(icalendar.Calendar.from_ical(payload)).between(first, last)
    return sorted(((e["DTSTART"].dt, e["DTEND"].dt) for e in found), key=lambda pair: pair[0])


def lines(payload: bytes) -> list[str]:
    return payload.decode("utf-8").replace("\r\n ", "").split("\r\n")


# -- an all-day meeting stays a day -----------------------------------------------------


def test_an_all_day_meeting_goes_out_as_dates_without_a_zone() -> None:
    payload = meeting_invite(all_day(duration_minutes=2 * DAY), PROJECT, now=NOW)
    written = lines(payload)
    assert "DTSTART;VALUE=DATE:20261201" in written
    assert "DTEND;VALUE=DATE:20261203" in written
    assert "BEGIN:VTIMEZONE" not in written  # a date needs no zone
    assert not any("TZID" in line for line in written)
    # A client anywhere sees the first and second of December, as dates.
    assert read_back(payload, date(2026, 11, 1), date(2027, 1, 1)) == [
        (date(2026, 12, 1), date(2026, 12, 3))
    ]


def test_an_all_day_series_writes_its_exceptions_and_extra_dates_as_dates() -> None:
    series = all_day(
        rrule="FREQ=WEEKLY;UNTIL=20261229T235959Z", extra_dates=[day(12, 3), day(12, 31)]
    )
    series = calendar.cancel_occurrence(series, day(12, 15))
    series = calendar.move_occurrence(series, day(12, 22), day(12, 23))
    series = calendar.move_occurrence(series, day(12, 31), day(12, 30))  # an extra date moved
    payload = project_feed([series], PROJECT, now=NOW)
    written = lines(payload)
    assert "RRULE:FREQ=WEEKLY;UNTIL=20261229" in written  # UNTIL as a DATE, as DTSTART is
    assert "RDATE;VALUE=DATE:20261203" in written
    assert "RDATE;VALUE=DATE:20261231" in written  # one value per line (ical.js)
    assert "EXDATE;VALUE=DATE:20261215" in written
    assert "RECURRENCE-ID;VALUE=DATE:20261222" in written
    assert "RECURRENCE-ID;VALUE=DATE:20261231" in written
    assert "BEGIN:VTIMEZONE" not in written
    days = [start for start, _ in read_back(payload, date(2026, 11, 1), date(2027, 2, 1))]
    assert days == [
        date(2026, 12, 1),
        date(2026, 12, 3),
        date(2026, 12, 8),
        date(2026, 12, 23),
        date(2026, 12, 29),
        date(2026, 12, 30),
    ]


def test_the_invite_mail_says_the_days_not_a_time() -> None:
    meeting = all_day(duration_minutes=3 * DAY)
    payload = meeting_invite(meeting, PROJECT, now=NOW)
    message = invite_message(
        meeting,
        PROJECT.model_copy(update={"timezone": "America/New_York"}),  # the day stays the day
        payload,
        method="REQUEST",
        sender="pat@agency.example",
        recipients=["ann@client.example"],
        now=NOW,
    )
    plain = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    text = plain.get_content()
    assert "When:      Tue 2026-12-01 to Thu 2026-12-03, all day" in text
    assert "00:00" not in text and "18:00" not in text


def test_all_day_occurrences_are_whole_days_across_a_clock_change() -> None:
    # 28 March 2027: Berlin's clocks go forward, the day has 23 hours.
    meeting = all_day(start=day(3, 27, 2027), duration_minutes=2 * DAY)
    (only,) = calendar.occurrences(meeting, day(3, 1, 2027), day(4, 1, 2027))
    assert (only.start, only.end) == (day(3, 27, 2027), day(3, 29, 2027))
    assert only.end.astimezone(UTC) - only.start.astimezone(UTC) == timedelta(hours=47)


def test_an_all_day_meeting_holds_nobody_s_time_so_it_clashes_with_nothing() -> None:
    ann = {"attendees": [{"email": "ann@client.example", "name": "Ann"}]}
    release = all_day(**ann)
    review = Meeting.model_validate(
        {
            **all_day(**ann).model_dump(),
            "key": "MTG-2",
            "id": "review",
            "title": "Review",
            "all_day": False,
            "start": day(12, 1) + timedelta(hours=15),
            "duration_minutes": 60,
        }
    )
    clashing_review = review.model_copy(update={"key": "MTG-3", "id": "other"})
    found = calendar.conflicts(
        [
            occurrence
            for meeting in (release, review, clashing_review)
            for occurrence in calendar.occurrences(meeting, day(11, 30), day(12, 3))
        ]
    )
    # The two timed meetings clash with each other; the release day with neither.
    assert sorted(other.meeting.key for clashes in found.values() for other in clashes) == [
        "MTG-2",
        "MTG-3",
    ]


def test_the_store_keeps_all_day_meetings_whole() -> None:
    good = all_day().model_dump()
    refused = [
        ({"start": day(12, 1) + timedelta(hours=9)}, "starts at the start of its day"),
        ({"duration_minutes": DAY + 60}, "lasts whole days"),
        ({"all_day": False, "duration_minutes": 2 * DAY}, "between 1 minute and 24 hours"),
        ({"extra_dates": [day(12, 3)]}, "only a recurring meeting has extra dates"),
        (
            {"rrule": "FREQ=WEEKLY;COUNT=3", "extra_dates": [day(12, 8)]},
            "is an occurrence of the rule already",
        ),
        (
            {"rrule": "FREQ=WEEKLY;COUNT=3", "extra_dates": [day(12, 3) + timedelta(hours=10)]},
            "extra date is a whole day",
        ),
    ]
    for change, message in refused:
        with pytest.raises(ValidationFailed, match=message):
            validate_record(Meeting, {**good, **change})


def test_a_data_file_from_before_all_day_meetings_still_opens(data_path: Path) -> None:
    repo = TinyDBRepository(data_path)
    project = repo.add(PROJECT.model_copy())
    saved = repo.add(
        Meeting(project_id=project.id, title="Sync", start=day(12, 1) + timedelta(hours=10))
    )
    stored = json.loads(data_path.read_text())
    (row,) = [row for row in stored["meetings"].values() if row.get("id") == saved.id]
    del row["all_day"], row["extra_dates"]  # as a file written before them holds it
    data_path.write_text(json.dumps(stored))
    reopened = TinyDBRepository(data_path).snapshot().get(Meeting, saved.id)
    assert reopened is not None
    assert (reopened.all_day, reopened.extra_dates) == (False, [])


# -- extra dates ---------------------------------------------------------------------------


def test_a_series_with_extra_dates_gives_every_occurrence_to_a_client() -> None:
    series = Meeting(
        project_id=PROJECT.id,
        key="MTG-2",
        title="Sync",
        start=day(12, 1) + timedelta(hours=10),
        timezone="Europe/Berlin",
        rrule="FREQ=WEEKLY;COUNT=3",
        extra_dates=[day(12, 3) + timedelta(hours=15), day(1, 5, 2027) + timedelta(hours=9)],
    )
    payload = meeting_invite(series, PROJECT, now=NOW)
    written = lines(payload)
    assert "RDATE;TZID=Europe/Berlin:20261203T150000" in written
    assert "RDATE;TZID=Europe/Berlin:20270105T090000" in written
    assert "BEGIN:VTIMEZONE" in written and "TZID:Europe/Berlin" in written
    starts = [start for start, _ in read_back(payload, date(2026, 11, 1), date(2027, 2, 1))]
    assert starts == [
        datetime(2026, 12, 1, 10, tzinfo=BERLIN),
        datetime(2026, 12, 3, 15, tzinfo=BERLIN),
        datetime(2026, 12, 8, 10, tzinfo=BERLIN),
        datetime(2026, 12, 15, 10, tzinfo=BERLIN),
        datetime(2027, 1, 5, 9, tzinfo=BERLIN),
    ]
    # In the app too, where an extra date can be cancelled like any occurrence.
    ours = calendar.occurrences(series, day(11, 1), day(2, 1, 2027))
    assert [o.start for o in ours] == starts
    cancelled = calendar.cancel_occurrence(series, starts[1])
    assert len(calendar.occurrences(cancelled, day(11, 1), day(2, 1, 2027))) == 4
    assert "EXDATE;TZID=Europe/Berlin:20261203T150000" in lines(
        meeting_invite(cancelled, PROJECT, now=NOW)
    )


# -- importing -----------------------------------------------------------------------------


def _calendar_file(*events: list[str], zone_block: tuple[str, ...] = ()) -> bytes:
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Test//EN", "METHOD:PUBLISH"]
    body += list(zone_block)
    for event in events:
        body += ["BEGIN:VEVENT", "DTSTAMP:20261120T100000Z", *event, "END:VEVENT"]
    return ("\r\n".join([*body, "END:VCALENDAR"]) + "\r\n").encode()


W_EUROPE = (
    "BEGIN:VTIMEZONE",
    "TZID:W. Europe Standard Time",
    "BEGIN:STANDARD",
    "DTSTART:16010101T030000",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
    "END:STANDARD",
    "BEGIN:DAYLIGHT",
    "DTSTART:16010101T020000",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
    "END:DAYLIGHT",
    "END:VTIMEZONE",
)


def _import(repo: TinyDBRepository, key: str, payload: bytes) -> list[Meeting]:
    snapshot = repo.snapshot()
    project = snapshot.project(key)
    plan = plan_import(payload, project, snapshot, now=FIXED_NOW)
    apply_import(repo, plan)
    return repo.snapshot().of_project(Meeting, project.id)


@pytest.fixture
def new_york(repo: TinyDBRepository) -> Project:
    """A project kept in New York: Berlin's midnight is 18:00 the day before there."""
    return repo.add(Project(name="Harbour", key="HARBOUR", timezone="America/New_York"))


@pytest.mark.parametrize(
    "recurrence_id",
    [
        "RECURRENCE-ID;TZID=W. Europe Standard Time:20261208T000000",  # Exchange
        "RECURRENCE-ID:20261208T000000",  # floating
        "RECURRENCE-ID;VALUE=DATE:20261208",  # as RFC 5545 wants
    ],
    ids=["exchange-tzid-midnight", "floating-midnight", "date"],
)
def test_an_exchange_all_day_series_keeps_its_moved_occurrence(
    repo: TinyDBRepository, new_york: Project, recurrence_id: str
) -> None:
    series = [
        "UID:freeze@exchange.example",
        "SUMMARY:Release freeze",
        "DTSTART;VALUE=DATE:20261201",
        "DTEND;VALUE=DATE:20261202",
        "RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=TU",
        "EXDATE;TZID=W. Europe Standard Time:20261215T000000",
        "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE",
    ]
    moved = [
        "UID:freeze@exchange.example",
        recurrence_id,
        "SUMMARY:Release freeze",
        "DTSTART;VALUE=DATE:20261209",
        "DTEND;VALUE=DATE:20261210",
    ]
    (meeting,) = _import(repo, "HARBOUR", _calendar_file(series, moved, zone_block=W_EUROPE))
    assert meeting.all_day and meeting.timezone == "America/New_York"
    found = calendar.occurrences(
        meeting, datetime(2026, 11, 1, tzinfo=NEW_YORK), datetime(2027, 1, 1, tzinfo=NEW_YORK)
    )
    assert [(o.start.date(), o.moved) for o in found] == [
        (date(2026, 12, 1), False),
        (date(2026, 12, 9), True),  # moved from the 8th, not lost
        (date(2026, 12, 22), False),  # the 15th is cancelled
    ]


def test_zimbra_extra_dates_are_kept_as_occurrences(repo: TinyDBRepository) -> None:
    repo.add(PROJECT.model_copy())
    zimbra = [
        "UID:review@zimbra.example",
        "SUMMARY:Design review",
        'DTSTART;TZID="Europe/Berlin":20261202T140000',
        'DTEND;TZID="Europe/Berlin":20261202T150000',
        "RRULE:FREQ=WEEKLY;COUNT=24;BYDAY=WE",
        'RDATE;TZID="Europe/Berlin":20261204T140000,20261218T090000',
        'RDATE;TZID="Europe/Berlin":20270108T140000',
        'RDATE;TZID="Europe/Berlin":20261209T140000',  # the rule gives it already
    ]
    (meeting,) = _import(repo, "APOLLO", _calendar_file(zimbra))
    assert meeting.extra_dates == [
        datetime(2026, 12, 4, 14, tzinfo=BERLIN),
        datetime(2026, 12, 18, 9, tzinfo=BERLIN),
        datetime(2027, 1, 8, 14, tzinfo=BERLIN),
    ]
    every = calendar.occurrences(meeting, day(11, 1), day(1, 1, 2028))
    assert len(every) == 27


def test_export_then_import_keeps_all_day_and_extra_dates(tmp_path: Path) -> None:
    timed = Meeting(
        project_id=PROJECT.id,
        key="MTG-2",
        title="Sync",
        start=day(12, 1) + timedelta(hours=10),
        timezone="Europe/Berlin",
        rrule="FREQ=WEEKLY;COUNT=3",
        extra_dates=[day(12, 3) + timedelta(hours=15)],
    )
    whole = all_day(rrule="FREQ=WEEKLY;COUNT=4", extra_dates=[day(12, 5)], duration_minutes=2 * DAY)
    whole = calendar.move_occurrence(whole, day(12, 15), day(12, 16))
    payload = project_feed([whole, timed], PROJECT, now=NOW)

    other = TinyDBRepository(tmp_path / "client.json")  # the client's own clientdesk
    other.add(Project(name="Mirror", key="MIRROR", timezone="Europe/Berlin"))
    by_title = {m.title: m for m in _import(other, "MIRROR", payload)}
    back = by_title["Release freeze"]
    assert (back.all_day, back.start, back.duration_minutes) == (True, day(12, 1), 2 * DAY)
    assert back.extra_dates == [day(12, 5)]
    assert [(c.original_start, c.start) for c in back.exceptions] == [(day(12, 15), day(12, 16))]
    assert by_title["Sync"].all_day is False
    assert by_title["Sync"].extra_dates == [day(12, 3) + timedelta(hours=15)]


# -- the command line ------------------------------------------------------------------------


def test_the_command_line_adds_an_all_day_meeting(
    data_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    TinyDBRepository(data_path).add(PROJECT.model_copy())
    data = ["--data", str(data_path)]
    assert main(["add", "meeting", "--project", "APOLLO", "--title", "Offsite", *data,
                 "--all-day", "--start", "2026-12-01", "--days", "3",
                 "--rrule", "FREQ=WEEKLY;COUNT=3"]) == 0  # fmt: skip
    (meeting,) = TinyDBRepository(data_path).snapshot().of_project(Meeting, PROJECT.id)
    assert (meeting.all_day, meeting.start, meeting.duration_minutes) == (True, day(12, 1), 3 * DAY)
    # An occurrence of an all-day series is named by its day.
    assert main(["edit", "meeting", meeting.key, "--project", "APOLLO", *data,
                 "--cancel-occurrence", "2026-12-08"]) == 0  # fmt: skip
    (meeting,) = TinyDBRepository(data_path).snapshot().of_project(Meeting, PROJECT.id)
    assert [(c.original_start, c.cancelled) for c in meeting.exceptions] == [(day(12, 8), True)]
    capsys.readouterr()
    assert main(["add", "meeting", "--project", "APOLLO", "--title", "Bad", *data,
                 "--start", "2026-12-01", "--days", "3"]) == 2  # fmt: skip
    assert capsys.readouterr().err.strip() == (
        "clientdesk: --days is the length of an all-day meeting: give --all-day too"
    )


# -- the app -----------------------------------------------------------------------------


async def test_an_all_day_meeting_made_in_the_form_shows_all_day_in_the_pane(
    calendar_path: Path, app_now: datetime
) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("1")  # the Calendar pane
        await settle(pilot)
        await pilot.press("n")  # a new meeting
        await settle(pilot)
        form = app.screen
        assert isinstance(form, MeetingForm)
        await fill_input(pilot, "#field-title", "Go-live")
        box = form.query_one("#field-all_day", Checkbox)
        box.focus()
        await pilot.press("space")
        await settle(pilot)
        assert box.value
        assert not form.query_one("#field-duration_minutes").parent.parent.display  # type: ignore[union-attr]
        await fill_input(pilot, "#field-start", "2026-11-25")
        await fill_input(pilot, "#field-days", "2")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, MeetingForm)
        (saved,) = [
            m
            for m in TinyDBRepository(calendar_path).snapshot().all(Meeting)
            if m.title == "Go-live"
        ]
        assert (saved.all_day, saved.start, saved.duration_minutes) == (True, day(11, 25), 2 * DAY)
        shown = screen_text(app)
        row = next(line for line in shown.splitlines() if "Go-live" in line)
        assert "all day 2d" in row
        assert "00:00" not in row

        # Its detail says the days, not a time.
        table = app.query_one("#agenda-table", RecordTable)
        table.focus()
        entries = app.query_one(CalendarPane).agenda
        wanted = next(
            i for i, e in enumerate(entries) if e.occurrence and e.occurrence.key == saved.key
        )
        await pilot.press(*["up"] * len(entries), *["down"] * wanted, "enter")
        await settle(pilot)
        assert isinstance(app.screen, MeetingDetail)
        assert "Wed 2026-11-25\N{EN DASH}Thu 2026-11-26, all day (2 days)" in screen_text(app)


async def test_the_meetings_list_gives_an_all_day_meeting_its_date_and_days_at_80x24(
    calendar_path: Path, app_now: datetime
) -> None:
    repo = TinyDBRepository(calendar_path)
    project = repo.snapshot().all(Project)[0]
    repo.add(all_day(project_id=project.id, key="", title="Go-live", duration_minutes=2 * DAY))
    app = create_app(calendar_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("v", "v")  # agenda, plan, meetings (no week view at 80 columns)
        await settle(pilot)
        row = next(line for line in screen_text(app).splitlines() if "Go-live" in line)
    assert "2026-12-01" in row and "2 days" in row
    assert "…" not in row


# -- what a report and the minutes say about an all-day meeting ---------------------------

HARBOUR = Project(name="Harbour", key="HARBOUR", timezone="America/New_York")


def _harbour_snapshot(repo: TinyDBRepository, *meetings: Meeting) -> Snapshot:
    """A project kept in New York holding ``meetings`` (kept in Berlin)."""
    project = repo.add(HARBOUR.model_copy())
    for meeting in meetings:
        repo.add(meeting.model_copy(update={"project_id": project.id}))
    return repo.snapshot()


def test_the_status_report_lists_an_all_day_meeting_by_its_days(repo: TinyDBRepository) -> None:
    snapshot = _harbour_snapshot(
        repo,
        all_day(key="MTG-1", title="Release freeze", start=day(11, 24)),
        all_day(key="MTG-2", title="Offsite", start=day(11, 25), duration_minutes=3 * DAY),
        all_day(
            key="MTG-3",
            title="Go-live call",
            start=day(11, 30, 2026).replace(hour=16),
            all_day=False,
            duration_minutes=60,
        ),
    )
    report = status_report(snapshot, snapshot.project("HARBOUR"), NOW)
    upcoming = report.markdown.split("## Next 14 days")[1].split("\n## ")[0]
    # Berlin's 24 November stays the 24th in a report kept in New York.
    assert "| 2026-11-24, all day | MTG-1 | Release freeze |" in upcoming
    assert "| 2026-11-25 to 2026-11-27, all day | MTG-2 | Offsite |" in upcoming
    assert "| 2026-11-30 10:00 EST | MTG-3 | Go-live call |" in upcoming
    assert "18:00" not in upcoming and "00:00" not in upcoming
    assert "<td>2026-11-25 to 2026-11-27, all day</td>" in report.html
    assert "18:00" not in report.html and "00:00" not in report.html


def test_the_status_report_names_the_days_of_an_all_day_meeting_held(
    repo: TinyDBRepository,
) -> None:
    workshop = all_day(
        key="MTG-1",
        title="Discovery workshop",
        start=day(11, 16),
        duration_minutes=2 * DAY,
        status=MeetingStatus.HELD,
    )
    snapshot = _harbour_snapshot(repo, workshop)
    report = status_report(snapshot, snapshot.project("HARBOUR"), NOW, since=day(11, 9))
    assert "Mon 2026-11-16 to Tue 2026-11-17, all day MTG-1 Discovery workshop" in report.markdown
    assert "Sun 2026-11-15" not in report.markdown  # Berlin's midnight, read in New York


def test_the_minutes_of_an_all_day_meeting_say_its_day(repo: TinyDBRepository) -> None:
    workshop = all_day(
        key="MTG-1",
        title="Discovery workshop",
        start=day(11, 16),
        status=MeetingStatus.MINUTED,
        minutes="Scope agreed.",
    )
    snapshot = _harbour_snapshot(repo, workshop)
    meeting = snapshot.of_project(Meeting, snapshot.project("HARBOUR").id)[0]
    found = calendar.occurrence_at(meeting, meeting.start)
    assert found is not None
    document = minutes_document(found, snapshot.project("HARBOUR"))
    assert document.title == "Minutes: Discovery workshop (MTG-1), Mon 2026-11-16, all day"
    assert "Mon 2026-11-16, all day" in document.markdown
    assert "18:00" not in document.markdown and "00:00" not in document.markdown
