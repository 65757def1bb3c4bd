"""iCalendar export: invites, cancellations, the feed, time zones and RFC 5545 text.

Every export is read back with ``icalendar`` (and expanded with
``recurring_ical_events``) as a client's calendar would read it; the
VTIMEZONE is also checked on its own, by computing the offsets its
DAYLIGHT/STANDARD parts give, because Outlook and ical.js trust the file's
zone rather than its name.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Component, Event

from clientdesk import __version__
from clientdesk.store import calendar
from clientdesk.store.enums import MeetingStatus
from clientdesk.store.errors import NotFoundError, StoreError, ValidationFailed
from clientdesk.store.ics import cancel_sequence, meeting_invite, project_feed, timezone_component
from clientdesk.store.models import STORED, InviteSent, Meeting, Project
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.snapshot import validate_record
from clientdesk.tui.cli import UsageError
from clientdesk.tui.commands import _Parser
from clientdesk.tui.ics_commands import cmd_export_ics, register

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2027, 2, 15, 8, 30, tzinfo=UTC)
START = datetime(2027, 3, 1, 10, 0, tzinfo=BERLIN)  # a Monday, winter time


def make_project(**fields: Any) -> Project:
    """A Berlin project with an organiser, ``fields`` changed."""
    data: dict[str, Any] = {
        "name": "Portal",
        "key": "PORTAL",
        "timezone": "Europe/Berlin",
        "organiser_name": "Pat PM",
        "organiser_email": "pat@agency.example",
    }
    data.update(fields)
    return validate_record(Project, data)


PROJECT = make_project()


def make_meeting(**fields: Any) -> Meeting:
    """A scheduled one-off Berlin meeting with two attendees and an agenda."""
    data: dict[str, Any] = {
        "title": "Sprint review",
        "start": START,
        "duration_minutes": 45,
        "timezone": "Europe/Berlin",
        "location": "Client office, room 4.12",
        "video_link": "https://meet.example/review",
        "status": "scheduled",
        "sequence": 3,
        "attendees": [
            {"email": "ann@client.example", "name": "Ann Lee, CTO", "rsvp": "accepted"},
            {"email": "bob@client.example", "role": "optional", "rsvp": "tentative"},
            {"email": "cy@client.example", "name": "Cy", "rsvp": "declined"},
            {"email": "di@client.example", "name": "Di"},
        ],
        "agenda": [
            {"title": "Demo", "presenter": "Pat", "minutes": 20},
            {"title": "Questions", "minutes": 15},
        ],
    }
    data.update(fields)
    return validate_record(Meeting, data)


def weekly(**fields: Any) -> Meeting:
    """A weekly Monday 10:00 Berlin series, 1 March to 8 November 2027 (36 Mondays)."""
    data: dict[str, Any] = {
        "title": "Weekly sync",
        "rrule": "FREQ=WEEKLY;BYDAY=MO;UNTIL=20271108T090000Z",
        "location": "Room 1",
        "sequence": 2,
    }
    data.update(fields)
    return make_meeting(**data)


def at(day: int, month: int, hour: int = 10) -> datetime:
    """``hour`` o'clock Berlin time on ``day``.``month``.2027."""
    return datetime(2027, month, day, hour, tzinfo=BERLIN)


def parsed(payload: bytes) -> Calendar:
    """The calendar a client reads from ``payload``."""
    return Calendar.from_ical(payload)


def events(payload: bytes) -> list[Event]:
    """The VEVENTs of ``payload``."""
    return list(parsed(payload).walk("VEVENT"))


def only_event(payload: bytes) -> Event:
    """The one VEVENT of ``payload``."""
    (event,) = events(payload)
    return event


def attendees(event: Event) -> dict[str, dict[str, str]]:
    """The event's attendees: e-mail address to parameters."""
    found = event.get("ATTENDEE", [])
    found = found if isinstance(found, list) else [found]
    return {str(a).removeprefix("mailto:"): dict(a.params) for a in found}


def tzid(event: Event, name: str) -> str:
    """The TZID parameter of the event's property ``name``."""
    return str(event[name].params["TZID"])


def assert_rfc5545_lines(payload: bytes) -> None:
    """Every line ends in CRLF, is at most 75 octets, and is whole UTF-8."""
    assert payload.endswith(b"\r\n")
    lines = payload.split(b"\r\n")[:-1]
    for line in lines:
        assert b"\n" not in line and b"\r" not in line
        assert len(line) <= 75, line
        line.decode("utf-8")  # a fold that split a character would not decode alone


# -- invites ---------------------------------------------------------------------------


def test_an_invite_round_trips_times_people_and_text() -> None:
    meeting = make_meeting()
    payload = meeting_invite(meeting, PROJECT, now=NOW)
    cal = parsed(payload)
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]) == f"-//clientdesk//clientdesk {__version__}//EN"
    event = only_event(payload)
    assert str(event["UID"]) == meeting.uid == f"{meeting.id}@clientdesk"
    assert event["SEQUENCE"] == 3
    assert event["DTSTAMP"].dt == NOW
    assert event["DTSTART"].dt == START and event["DTSTART"].dt.utcoffset() == timedelta(hours=1)
    assert event["DTEND"].dt == START + timedelta(minutes=45)
    assert (tzid(event, "DTSTART"), tzid(event, "DTEND")) == ("Europe/Berlin", "Europe/Berlin")
    assert str(event["SUMMARY"]) == "Sprint review"
    assert str(event["LOCATION"]) == "Client office, room 4.12"
    assert str(event["URL"]) == "https://meet.example/review"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["DESCRIPTION"]) == (
        "Agenda:\n1. Demo - Pat (20 min)\n2. Questions (15 min)\n\n"
        "Join online: https://meet.example/review"
    )
    assert str(event["ORGANIZER"]) == "mailto:pat@agency.example"
    assert event["ORGANIZER"].params["CN"] == "Pat PM"
    assert attendees(event) == {
        "ann@client.example": {
            "CN": "Ann Lee, CTO",
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "ACCEPTED",
            "RSVP": "TRUE",
        },
        "bob@client.example": {"ROLE": "OPT-PARTICIPANT", "PARTSTAT": "TENTATIVE", "RSVP": "TRUE"},
        "cy@client.example": {
            "CN": "Cy",
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "DECLINED",
            "RSVP": "TRUE",
        },
        "di@client.example": {
            "CN": "Di",
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "NEEDS-ACTION",
            "RSVP": "TRUE",
        },
    }
    assert_rfc5545_lines(payload)


def test_the_meetings_own_organiser_wins_over_the_projects() -> None:
    meeting = make_meeting(organiser_name="Quinn", organiser_email="quinn@agency.example")
    event = only_event(meeting_invite(meeting, PROJECT, now=NOW))
    assert str(event["ORGANIZER"]) == "mailto:quinn@agency.example"
    assert event["ORGANIZER"].params["CN"] == "Quinn"


def test_an_invite_without_any_organiser_email_is_refused() -> None:
    project = make_project(organiser_email="")
    with pytest.raises(ValidationFailed, match="no organiser e-mail"):
        meeting_invite(make_meeting(), project, now=NOW)


def test_a_draft_is_tentative_and_held_or_minuted_stay_confirmed() -> None:
    statuses = {
        status: str(
            only_event(meeting_invite(make_meeting(status=status), PROJECT, now=NOW))["STATUS"]
        )
        for status in ("draft", "scheduled", "held", "minuted")
    }
    assert statuses == {
        "draft": "TENTATIVE",
        "scheduled": "CONFIRMED",
        "held": "CONFIRMED",
        "minuted": "CONFIRMED",
    }


def test_without_a_room_the_video_link_is_the_location() -> None:
    event = only_event(meeting_invite(make_meeting(location=""), PROJECT, now=NOW))
    assert str(event["LOCATION"]) == "https://meet.example/review"


@pytest.mark.parametrize("link", ["Teams, ask Pat; id 12\\34", "javascript:alert(1)"])
def test_a_stored_video_link_that_is_no_web_address_stays_text_and_out_of_url(link: str) -> None:
    # A data file from before video links had to be web addresses may hold any text.
    data = {**make_meeting(location="").model_dump(), "video_link": link}
    meeting = Meeting.model_validate(data, context=STORED)
    event = only_event(meeting_invite(meeting, PROJECT, now=NOW))
    assert "URL" not in event
    assert str(event["LOCATION"]) == link
    assert str(event["DESCRIPTION"]).endswith(f"Join online: {link}")


def test_a_utc_meeting_is_written_in_utc_without_a_vtimezone() -> None:
    meeting = make_meeting(timezone="UTC", start=datetime(2027, 3, 1, 9, tzinfo=UTC))
    payload = meeting_invite(meeting, PROJECT, now=NOW)
    assert b"DTSTART:20270301T090000Z\r\n" in payload
    assert not list(parsed(payload).walk("VTIMEZONE"))


# -- text ------------------------------------------------------------------------------

HOSTILE = 'Review, phase 2; [bold]red[/bold] C:\\path\\n "quoted" \u202eevil'


def test_hostile_text_round_trips_exactly() -> None:
    location = "Floor 3,\nroom 4; ask at [reception]\\desk"
    meeting = make_meeting(
        title=HOSTILE, location=location, agenda=[{"title": HOSTILE, "presenter": "Ann; Bo"}]
    )
    payload = meeting_invite(meeting, PROJECT, now=NOW)
    event = only_event(payload)
    assert str(event["SUMMARY"]) == HOSTILE
    assert str(event["LOCATION"]) == location
    assert f"1. {HOSTILE} - Ann; Bo (10 min)" in str(event["DESCRIPTION"]).split("\n")
    # Escaped on the wire, not merely read back well.
    assert b"LOCATION:Floor 3\\,\\nroom 4\\; ask at [reception]\\\\desk" in payload
    assert_rfc5545_lines(payload)


def test_control_characters_are_left_out_and_crlf_becomes_one_line_break() -> None:
    meeting = make_meeting(location="Room\x1b[31m 4\x00\r\nsecond\tline\x07")
    payload = meeting_invite(meeting, PROJECT, now=NOW)
    assert str(only_event(payload)["LOCATION"]) == "Room[31m 4\nsecond\tline"
    assert not any(byte < 0x20 and byte not in b"\t\r\n" for byte in payload)


def test_long_multibyte_text_is_folded_at_75_octets_between_characters() -> None:
    title = " ".join(["Überprüfung der Änderungswünsche 😀 日本語の会議"] * 4)
    meeting = make_meeting(title=title, location="Café " * 40)
    payload = meeting_invite(meeting, PROJECT, now=NOW)
    assert_rfc5545_lines(payload)
    assert payload.count(b"\r\n ") >= 4  # the long lines were folded
    event = only_event(payload)
    assert str(event["SUMMARY"]) == title
    assert str(event["LOCATION"]) == "Café " * 40


# Text without the control characters iCalendar cannot carry (tab and line feed can).
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\r")
    | st.sampled_from(',;\\\n\t:"[]^'),
    max_size=120,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_TEXT, location=_TEXT, item=_TEXT)
def test_any_text_round_trips_and_every_line_folds_well(
    title: str, location: str, item: str
) -> None:
    fields: dict[str, Any] = {"location": location}
    if " ".join(title.split()):
        fields["title"] = title
    fields["agenda"] = [{"title": item if " ".join(item.split()) else f"x{item}"}]
    meeting = make_meeting(**fields)
    payload = meeting_invite(meeting, PROJECT, now=NOW)
    assert_rfc5545_lines(payload)
    event = only_event(payload)
    assert str(event["SUMMARY"]) == meeting.title
    assert str(event.get("LOCATION", "")) == (meeting.location or meeting.video_link)
    agenda = f"Agenda:\n1. {meeting.agenda[0].title} (10 min)\n"
    assert str(event["DESCRIPTION"]).startswith(agenda)


# -- series ----------------------------------------------------------------------------


def exceptional_series() -> Meeting:
    """The weekly series with 15 March cancelled, 22 March moved, 29 March in another room."""
    meeting = weekly()
    meeting = calendar.cancel_occurrence(meeting, at(15, 3))
    meeting = calendar.move_occurrence(meeting, at(22, 3), at(23, 3, 14))
    meeting = calendar.move_occurrence(meeting, at(29, 3), at(29, 3), location="Board room")
    # Minutes alone change nothing a calendar shows: no override for 5 April.
    return calendar.change_occurrence(meeting, at(5, 4), minutes="went well")


def test_a_series_round_trips_rule_cancellations_and_moves() -> None:
    meeting = exceptional_series()
    payload = meeting_invite(meeting, PROJECT, now=NOW)
    series, moved, other_room = events(payload)
    assert {str(e["UID"]) for e in (series, moved, other_room)} == {meeting.uid}
    assert series["RRULE"].to_ical() == b"FREQ=WEEKLY;UNTIL=20271108T090000Z;BYDAY=MO"
    assert "RECURRENCE-ID" not in series
    assert [d.dt for d in series["EXDATE"].dts] == [at(15, 3)]
    assert series["EXDATE"].params["TZID"] == "Europe/Berlin"
    assert moved["RECURRENCE-ID"].dt == at(22, 3)
    assert tzid(moved, "RECURRENCE-ID") == "Europe/Berlin"
    assert (moved["DTSTART"].dt, moved["DTEND"].dt) == (
        at(23, 3, 14),
        at(23, 3, 14) + timedelta(minutes=45),
    )
    assert str(moved["LOCATION"]) == "Room 1"
    assert other_room["RECURRENCE-ID"].dt == at(29, 3) == other_room["DTSTART"].dt
    assert str(other_room["LOCATION"]) == "Board room"
    assert {e["SEQUENCE"] for e in (series, moved, other_room)} == {2}
    assert attendees(moved) == attendees(series) and len(attendees(series)) == 4
    assert_rfc5545_lines(payload)


def test_a_berlin_series_expands_to_ten_local_across_both_dst_changes() -> None:
    meeting = exceptional_series()
    cal = parsed(meeting_invite(meeting, PROJECT, now=NOW))
    found = recurring_ical_events.of(cal).between(date(2027, 1, 1), date(2028, 1, 1))
    starts = sorted(event["DTSTART"].dt for event in found)
    assert len(starts) == 37 - 1  # 1 March to 8 November, but for 15 March
    assert at(15, 3) not in starts and at(22, 3) not in starts and at(23, 3, 14) in starts
    regular = [s for s in starts if s != at(23, 3, 14)]
    assert {s.astimezone(BERLIN).time().hour for s in regular} == {10}
    assert {s.astimezone(BERLIN).weekday() for s in regular} == {0}
    # The same wall-clock time is 9:00 UTC in winter and 8:00 UTC in summer.
    utc_hours = {s.astimezone(UTC).hour for s in regular}
    assert utc_hours == {8, 9}
    assert [s for s in regular if s < at(28, 3)] == [at(1, 3), at(8, 3)]


def vtimezone_onsets(
    vtimezone: Component, until: datetime, *, first_value_only: bool = False
) -> list[tuple[datetime, timedelta]]:
    """Every change the VTIMEZONE's own parts make up to ``until``: (UTC, naive; new offset).

    Each part's onsets (DTSTART, RRULE, RDATE) are wall-clock times in the
    offset before them (TZOFFSETFROM). ``first_value_only`` reads an RDATE
    line as Mozilla's ical.js does: its first value only.
    """
    onsets: list[tuple[datetime, timedelta]] = []
    for part in vtimezone.subcomponents:
        first = part["DTSTART"].dt
        before, after = part["TZOFFSETFROM"].td, part["TZOFFSETTO"].td
        local_onsets = [first]
        if "RRULE" in part:
            rule = rrulestr(part["RRULE"].to_ical().decode(), dtstart=first)
            local_onsets = rule.between(first, until, inc=True)
        rdates = part.get("RDATE", [])
        for listed in rdates if isinstance(rdates, list) else [rdates]:
            values = listed.dts[:1] if first_value_only else listed.dts
            local_onsets += [value.dt for value in values]
        onsets += [(onset - before, after) for onset in local_onsets]
    return sorted(onsets)


def offset_by_vtimezone(
    vtimezone: Component, local: datetime, *, first_value_only: bool = False
) -> timedelta:
    """The UTC offset the VTIMEZONE's own parts give the wall-clock time ``local`` (naive).

    The part in force at an instant is the one with the latest onset at or
    before it; the offset of ``local`` is the one that, taken back to UTC,
    finds itself in force.
    """
    onsets = vtimezone_onsets(
        vtimezone, local + timedelta(days=2), first_value_only=first_value_only
    )
    for offset in sorted({after for _, after in onsets}):
        instant = local - offset
        in_force = [after for at, after in onsets if at <= instant]
        if in_force and in_force[-1] == offset:
            return offset
    raise AssertionError(f"the VTIMEZONE gives {local} no offset")


@pytest.mark.parametrize(
    ("zone_name", "yearly"),
    [
        ("Europe/Berlin", True),
        ("America/New_York", True),
        ("Australia/Sydney", True),
        ("Australia/Lord_Howe", True),  # a 30-minute daylight saving
        ("Asia/Kolkata", False),  # +05:30, no daylight time
        ("Europe/London", True),
        ("America/Santiago", False),  # "first Sunday on or after the 2nd": listed as RDATEs
    ],
)
def test_the_files_own_vtimezone_gives_every_occurrence_its_real_offset(
    zone_name: str, yearly: bool
) -> None:
    tz = ZoneInfo(zone_name)
    start = datetime(2027, 1, 4, 10, 0, tzinfo=tz)
    # Every day for two years: every transition day is hit, in both directions.
    meeting = make_meeting(
        start=start, timezone=zone_name, rrule="FREQ=DAILY;UNTIL=20290101T000000Z"
    )
    cal = parsed(meeting_invite(meeting, PROJECT, now=NOW))
    (vtimezone,) = cal.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == zone_name
    kinds = sorted(part.name for part in vtimezone.subcomponents)
    if yearly:
        assert kinds == ["DAYLIGHT", "STANDARD"]
        for part in vtimezone.subcomponents:
            rule = part["RRULE"]
            assert rule["FREQ"] == ["YEARLY"] and len(rule["BYMONTH"]) == 1
            assert "RDATE" not in part
    elif zone_name == "Asia/Kolkata":
        assert kinds == ["STANDARD"]
    (series,) = cal.walk("VEVENT")
    assert series["DTSTART"].dt == start
    # dateutil keeps the wall-clock time of an aware DTSTART: these are the local times.
    wall_times = [
        moment.replace(tzinfo=None)
        for moment in rrulestr(series["RRULE"].to_ical().decode(), dtstart=start)
    ]
    assert len(wall_times) >= (date(2029, 1, 1) - date(2027, 1, 4)).days
    for local in wall_times:
        assert offset_by_vtimezone(vtimezone, local) == local.replace(tzinfo=tz).utcoffset(), local


@pytest.mark.parametrize(
    ("zone_name", "first"),
    [
        ("Africa/Casablanca", datetime(2027, 1, 4, 10)),  # Ramadan changes every year
        ("America/Sao_Paulo", datetime(2018, 10, 1, 10)),  # daylight time ended in 2019
        ("Asia/Tehran", datetime(2021, 9, 6, 10)),  # daylight time ended in 2022
    ],
)
def test_a_reader_of_one_date_per_rdate_line_places_every_occurrence(
    zone_name: str, first: datetime
) -> None:
    # A zone whose rules change during the series is written as listed changes;
    # ical.js (Thunderbird) reads one value per RDATE line, so each has one.
    tz = ZoneInfo(zone_name)
    start = first.replace(tzinfo=tz)
    meeting = make_meeting(start=start, timezone=zone_name, rrule="FREQ=WEEKLY;COUNT=60")
    cal = parsed(meeting_invite(meeting, PROJECT, now=NOW))
    rdate_lines = [line for line in unfolded_lines(cal) if line.startswith("RDATE")]
    assert rdate_lines and all("," not in line for line in rdate_lines)
    (vtimezone,) = cal.walk("VTIMEZONE")
    (series,) = cal.walk("VEVENT")
    rule = rrulestr(series["RRULE"].to_ical().decode(), dtstart=start)
    wall_times = [moment.replace(tzinfo=None) for moment in rule]
    assert len(wall_times) == 60
    for local in wall_times:
        by_file = offset_by_vtimezone(vtimezone, local, first_value_only=True)
        assert by_file == local.replace(tzinfo=tz).utcoffset(), local


def unfolded_lines(cal: Component) -> list[str]:
    """The calendar's content lines, unfolded."""
    return cal.to_ical().decode().replace("\r\n ", "").split("\r\n")


@pytest.mark.parametrize(
    "zone_name",
    [
        "Europe/Berlin",
        "America/New_York",
        "Australia/Sydney",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
    ],
)
def test_the_vtimezone_changes_the_offset_at_the_very_instants_zoneinfo_does(
    zone_name: str,
) -> None:
    tz = ZoneInfo(zone_name)
    (vtimezone,) = parsed(
        meeting_invite(
            make_meeting(start=datetime(2027, 6, 1, 10, tzinfo=tz), timezone=zone_name),
            PROJECT,
            now=NOW,
        )
    ).walk("VTIMEZONE")
    onsets = vtimezone_onsets(vtimezone, datetime(2031, 1, 1))
    # Every quarter of an hour from 2027 to 2030 (a 30-minute zone changes on the half hour).
    instant = datetime(2027, 1, 1)
    while instant < datetime(2030, 1, 1):
        in_force = [after for at, after in onsets if at <= instant][-1]
        assert in_force == instant.replace(tzinfo=UTC).astimezone(tz).utcoffset(), instant
        instant += timedelta(minutes=15)


def test_a_weekly_series_across_dst_matches_zoneinfo_by_the_files_own_zone() -> None:
    # The SPEC's own case: weekly, 10:00 Berlin, read by the file's VTIMEZONE only.
    cal = parsed(meeting_invite(weekly(), PROJECT, now=NOW))
    (vtimezone,) = cal.walk("VTIMEZONE")
    offsets = [
        offset_by_vtimezone(vtimezone, o.start.replace(tzinfo=None))
        for o in calendar.occurrences(weekly(), at(1, 1), at(31, 12))
    ]
    assert len(offsets) == 37
    assert offsets[:4] == [timedelta(hours=1)] * 4  # March, before the 28th
    assert offsets[4:35] == [timedelta(hours=2)] * 31  # 29 March to 25 October
    assert offsets[35:] == [timedelta(hours=1)] * 2  # November


def test_timezone_parts_start_before_the_first_meeting_year() -> None:
    component = timezone_component("America/New_York", 2027, 2030)
    starts = {part.name: part["DTSTART"].dt for part in component.subcomponents}
    assert starts == {
        "DAYLIGHT": datetime(2026, 3, 8, 2, 0),
        "STANDARD": datetime(2026, 11, 1, 2, 0),
    }
    rules = {part.name: part["RRULE"].to_ical() for part in component.subcomponents}
    assert rules == {
        "DAYLIGHT": b"FREQ=YEARLY;BYDAY=2SU;BYMONTH=3",
        "STANDARD": b"FREQ=YEARLY;BYDAY=1SU;BYMONTH=11",
    }


# -- cancellations and single occurrences ---------------------------------------------


def test_cancelling_a_meeting_sends_cancel_with_a_higher_sequence() -> None:
    meeting = make_meeting()
    invite = parsed(meeting_invite(meeting, PROJECT, now=NOW))
    cancel = parsed(meeting_invite(meeting, PROJECT, now=NOW, cancel=True))
    assert (str(invite["METHOD"]), str(cancel["METHOD"])) == ("REQUEST", "CANCEL")
    (sent,) = cancel.walk("VEVENT")
    assert str(sent["STATUS"]) == "CANCELLED"
    assert sent["SEQUENCE"] == 4 > invite.walk("VEVENT")[0]["SEQUENCE"]
    assert str(sent["UID"]) == meeting.uid
    assert len(attendees(sent)) == 4


def test_a_meeting_cancelled_in_the_store_exports_as_cancel_with_its_saved_sequence(
    repo: TinyDBRepository,
) -> None:
    project = repo.add(make_project())
    meeting = repo.add(make_meeting(project_id=project.id))
    invite_sequence = meeting.sequence
    sent_before_saving = meeting_invite(meeting, project, now=NOW, cancel=True)
    saved = repo.update(meeting.model_copy(update={"status": MeetingStatus.CANCELLED}))
    assert saved.sequence == invite_sequence + 1
    after_saving = only_event(meeting_invite(saved, project, now=NOW))
    assert str(parsed(meeting_invite(saved, project, now=NOW))["METHOD"]) == "CANCEL"
    assert str(after_saving["STATUS"]) == "CANCELLED"
    # The same SEQUENCE whether the cancellation went out before or after saving it.
    assert after_saving["SEQUENCE"] == only_event(sent_before_saving)["SEQUENCE"] == saved.sequence


def test_a_cancellation_is_always_above_every_invite_already_sent() -> None:
    sent = InviteSent(sent_at=NOW, method="REQUEST", sequence=7, recipients=["ann@client.example"])
    meeting = make_meeting(sequence=3, sent=[sent])
    assert cancel_sequence(meeting) == 8
    event = only_event(meeting_invite(meeting, PROJECT, now=NOW, cancel=True))
    assert event["SEQUENCE"] == 8


def test_one_occurrence_can_be_invited_or_cancelled_alone() -> None:
    meeting = exceptional_series()
    invite = meeting_invite(meeting, PROJECT, now=NOW, recurrence_id=at(22, 3))
    assert str(parsed(invite)["METHOD"]) == "REQUEST"
    event = only_event(invite)
    assert (event["RECURRENCE-ID"].dt, event["DTSTART"].dt) == (at(22, 3), at(23, 3, 14))
    assert (event["SEQUENCE"], str(event["STATUS"])) == (2, "CONFIRMED")
    assert "RRULE" not in event

    cancel = meeting_invite(meeting, PROJECT, now=NOW, cancel=True, recurrence_id=at(12, 4))
    assert str(parsed(cancel)["METHOD"]) == "CANCEL"
    event = only_event(cancel)
    assert event["RECURRENCE-ID"].dt == at(12, 4)
    assert tzid(event, "RECURRENCE-ID") == "Europe/Berlin"
    assert (str(event["STATUS"]), event["SEQUENCE"]) == ("CANCELLED", 3)
    assert str(event["UID"]) == meeting.uid


def test_an_occurrence_cancelled_in_the_store_exports_as_its_cancellation() -> None:
    meeting = exceptional_series()  # 15 March is cancelled (its saving raised SEQUENCE)
    payload = meeting_invite(meeting, PROJECT, now=NOW, recurrence_id=at(15, 3))
    assert str(parsed(payload)["METHOD"]) == "CANCEL"
    event = only_event(payload)
    assert (event["RECURRENCE-ID"].dt, str(event["STATUS"]), event["SEQUENCE"]) == (
        at(15, 3),
        "CANCELLED",
        meeting.sequence,
    )


def test_an_occurrence_the_series_does_not_have_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="no occurrence on 2027-03-02 10:00"):
        meeting_invite(weekly(), PROJECT, now=NOW, recurrence_id=at(2, 3))
    with pytest.raises(ValidationFailed, match="not a recurring meeting"):
        meeting_invite(make_meeting(), PROJECT, now=NOW, recurrence_id=START)


# -- SEQUENCE and UID through the repository -------------------------------------------


def test_sequence_rises_on_a_time_change_not_on_minutes_and_the_uid_stays(
    repo: TinyDBRepository,
) -> None:
    project = repo.add(make_project())
    meeting = repo.add(make_meeting(project_id=project.id, sequence=0))
    first = only_event(meeting_invite(meeting, project, now=NOW))

    minuted = repo.update(
        meeting.model_copy(update={"minutes": "All agreed.", "status": MeetingStatus.HELD})
    )
    after_minutes = only_event(meeting_invite(minuted, project, now=NOW))
    moved = repo.update(minuted.model_copy(update={"start": START + timedelta(hours=2)}))
    after_move = only_event(meeting_invite(moved, project, now=NOW))

    assert (first["SEQUENCE"], after_minutes["SEQUENCE"], after_move["SEQUENCE"]) == (0, 0, 1)
    assert after_move["SEQUENCE"] == moved.sequence
    assert after_move["DTSTART"].dt == START + timedelta(hours=2)
    assert {str(e["UID"]) for e in (first, after_minutes, after_move)} == {meeting.uid}


def test_an_imported_meeting_keeps_the_clients_uid() -> None:
    meeting = make_meeting(ical_uid="040000008200E00074C5B7101A82E008@client.example")
    event = only_event(meeting_invite(meeting, PROJECT, now=NOW))
    assert str(event["UID"]) == "040000008200E00074C5B7101A82E008@client.example"


# -- feed ------------------------------------------------------------------------------


def test_the_feed_publishes_every_meeting_with_a_zone_for_each() -> None:
    cancelled = make_meeting(title="Kick-off", status="cancelled", start=at(1, 2))
    new_york = make_meeting(
        title="US sync",
        timezone="America/New_York",
        start=datetime(2027, 4, 1, 9, tzinfo=ZoneInfo("America/New_York")),
    )
    series = exceptional_series()
    payload = project_feed([series, new_york, cancelled], PROJECT, now=NOW)
    cal = parsed(payload)
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["X-WR-CALNAME"]) == "Portal (PORTAL)"
    assert sorted(str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")) == [
        "America/New_York",
        "Europe/Berlin",
    ]
    found = cal.walk("VEVENT")
    # Ordered by start: the cancelled kick-off, the series (and its two overrides), New York.
    assert [str(e["SUMMARY"]) for e in found] == ["Kick-off"] + ["Weekly sync"] * 3 + ["US sync"]
    assert [str(e["STATUS"]) for e in found][:2] == ["CANCELLED", "CONFIRMED"]
    assert {str(e["UID"]) for e in found} == {cancelled.uid, series.uid, new_york.uid}
    assert all("ATTENDEE" not in e and "ORGANIZER" in e and "DTSTAMP" in e for e in found)
    assert_rfc5545_lines(payload)


def test_an_empty_project_gives_an_empty_but_valid_feed() -> None:
    cal = parsed(project_feed([], PROJECT, now=NOW))
    assert str(cal["METHOD"]) == "PUBLISH" and not cal.walk("VEVENT")


# -- command line ----------------------------------------------------------------------


def export(*argv: str) -> int:
    """Run ``clientdesk export-ics ARGV`` through a parser built by :func:`register`."""
    common = _Parser(add_help=False)
    common.add_argument("--data", metavar="FILE", default=argparse.SUPPRESS)
    parser = _Parser(prog="clientdesk", parents=[common])
    register(parser.add_subparsers(parser_class=_Parser), common)
    args = parser.parse_args(["export-ics", *argv])
    assert args.handler is cmd_export_ics
    return int(args.handler(args))


@pytest.fixture
def stored(repo: TinyDBRepository) -> tuple[Project, Meeting]:
    """PORTAL in the data file with the exceptional weekly series (MTG-1) and a one-off (MTG-2)."""
    project = repo.add(make_project())
    series = repo.add(exceptional_series().model_copy(update={"project_id": project.id}))
    repo.add(make_meeting(project_id=project.id, title="Review"))
    return project, series


def test_cli_writes_the_feed_to_stdout_as_crlf_bytes(
    stored: tuple[Project, Meeting], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert export("--project", "portal") == 0
    out = capsysbinary.readouterr().out
    assert_rfc5545_lines(out)
    cal = parsed(out)
    assert str(cal["METHOD"]) == "PUBLISH"
    assert {str(e["SUMMARY"]) for e in cal.walk("VEVENT")} == {"Weekly sync", "Review"}


def test_cli_writes_an_invite_and_a_cancellation_to_files(
    stored: tuple[Project, Meeting],
    repo: TinyDBRepository,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "invite.ics"
    assert export("--project", "PORTAL", "--meeting", "MTG-1", "-o", str(target)) == 0
    assert capsys.readouterr().out == f"wrote the invite of MTG-1 to {target}\n"
    assert str(parsed(target.read_bytes())["METHOD"]) == "REQUEST"
    # The cancellation is written once the store holds it (issue 20, item 11).
    repo.update(stored[1].model_copy(update={"status": MeetingStatus.CANCELLED}))
    # -o replaces the file the user named.
    assert export("--project", "PORTAL", "--meeting", "MTG-1", "--cancel", "-o", str(target)) == 0
    assert capsys.readouterr().out == f"wrote the cancellation of MTG-1 to {target}\n"
    assert str(parsed(target.read_bytes())["METHOD"]) == "CANCEL"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("invite")] == ["invite.ics"]


def test_cli_cancels_one_occurrence_given_in_the_meetings_zone(
    stored: tuple[Project, Meeting],
    repo: TinyDBRepository,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    repo.update(calendar.cancel_occurrence(stored[1], at(12, 4)))
    argv = (
        "--project",
        "PORTAL",
        "--meeting",
        "MTG-1",
        "--cancel",
        "--occurrence",
        "2027-04-12 10:00",
    )
    assert export(*argv) == 0
    event = only_event(capsysbinary.readouterr().out)
    assert (event["RECURRENCE-ID"].dt, str(event["STATUS"])) == (at(12, 4), "CANCELLED")


@pytest.mark.parametrize(
    ("argv", "error", "message"),
    [
        (("--project", "PORTAL", "--cancel"), UsageError, "--cancel needs --meeting"),
        (
            ("--project", "PORTAL", "--occurrence", "2027-04-12 10:00"),
            UsageError,
            "needs --meeting",
        ),
        (("--project", "NOPE"), NotFoundError, "unknown project key 'NOPE'"),
        (("--project", "PORTAL", "--meeting", "MTG-9"), NotFoundError, "no meeting with key"),
        (
            ("--project", "PORTAL", "--meeting", "MTG-1", "--occurrence", "2027-04-13 10:00"),
            ValidationFailed,
            "no occurrence on 2027-04-13 10:00",
        ),
        (
            ("--project", "PORTAL", "--meeting", "MTG-1", "--occurrence", "next tuesday"),
            ValidationFailed,
            "malformed date and time",
        ),
        (("--project", "PORTAL", "-o", "/no/such/dir/x.ics"), UsageError, "no such directory"),
    ],
)
def test_cli_refuses_bad_input_with_one_line_and_writes_nothing(
    stored: tuple[Project, Meeting],
    capsys: pytest.CaptureFixture[str],
    argv: tuple[str, ...],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message) as raised:
        export(*argv)
    assert isinstance(raised.value, UsageError | StoreError)  # main: one line, exit 2
    assert "\n" not in str(raised.value)
    assert capsys.readouterr().out == ""


# -- what export-ics writes to send by hand, and its SEQUENCE (issue 20) -----------------


def refusal_of_send_invite(repo: TinyDBRepository, *, cancel: bool, occurrence: datetime) -> str:
    """The line ``send-invite`` refuses the same request with (nothing is sent: the check
    comes before the server is reached)."""
    from clientdesk.store.config import SmtpSettings
    from clientdesk.store.mail import MailError, send_invite

    with pytest.raises(MailError) as refused:
        send_invite(
            repo,
            "PORTAL",
            "MTG-1",
            cancel=cancel,
            occurrence=occurrence,
            settings=SmtpSettings(host="127.0.0.1", port=9, security="none"),
            password=None,
            now=NOW,
            user="tester",
        )
    return str(refused.value)


@pytest.mark.parametrize(
    ("argv", "occurrence"),
    [
        (("--cancel", "--occurrence", "2027-04-12 10:00"), at(12, 4)),
        (("--cancel",), None),
    ],
    ids=["occurrence", "whole meeting"],
)
def test_cli_refuses_a_cancellation_the_store_does_not_hold_as_send_invite_does(
    stored: tuple[Project, Meeting],
    repo: TinyDBRepository,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: tuple[str, ...],
    occurrence: datetime | None,
) -> None:
    target = tmp_path / "cancel.ics"
    with pytest.raises(ValidationFailed) as refused:
        export("--project", "PORTAL", "--meeting", "MTG-1", *argv, "-o", str(target))

    assert "is not cancelled: cancel it first" in str(refused.value)
    assert "\n" not in str(refused.value)
    assert str(refused.value) == refusal_of_send_invite(repo, cancel=True, occurrence=occurrence)
    assert not target.exists()
    assert capsys.readouterr().out == ""


def test_cli_writes_a_stored_cancellation_even_unasked_and_never_an_invite_for_it(
    stored: tuple[Project, Meeting], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    # 15 March is cancelled in the store: asked for its invite, the file cancels it.
    argv = ("--project", "PORTAL", "--meeting", "MTG-1", "--occurrence", "2027-03-15 10:00")
    assert export(*argv) == 0
    payload = capsysbinary.readouterr().out
    assert str(parsed(payload)["METHOD"]) == "CANCEL"
    event = only_event(payload)
    assert (event["RECURRENCE-ID"].dt, str(event["STATUS"])) == (at(15, 3), "CANCELLED")


def test_cli_counts_the_meetings_of_the_feed_in_words(
    repo: TinyDBRepository, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = repo.add(make_project())
    repo.add(make_meeting(project_id=project.id, title="Review"))
    target = tmp_path / "feed.ics"
    assert export("--project", "PORTAL", "-o", str(target)) == 0
    assert capsys.readouterr().out == f"wrote the calendar of PORTAL (1 meeting) to {target}\n"
    repo.add(make_meeting(project_id=project.id, title="Demo"))
    assert export("--project", "PORTAL", "-o", str(target)) == 0
    assert capsys.readouterr().out == f"wrote the calendar of PORTAL (2 meetings) to {target}\n"


def sending(method: str, sequence: int, **fields: Any) -> InviteSent:
    """One sending kept on a meeting (to Ann, at NOW)."""
    return InviteSent(
        sent_at=NOW,
        method=method,
        sequence=sequence,
        recipients=["ann@client.example"],
        **fields,
    )


def test_no_exported_message_falls_below_one_already_sent_for_the_uid() -> None:
    # Series invite at 5, then occurrence 12 April cancelled (SEQUENCE 6 when saved)
    # and its cancellation sent at 6: an invite of the series or of one
    # occurrence written now must be newer than 6.
    cancelled = calendar.cancel_occurrence(weekly(sequence=6), at(12, 4))
    meeting = cancelled.model_copy(
        update={
            "sent": [
                sending("REQUEST", 5, meeting_sequence=5),
                sending("CANCEL", 6, meeting_sequence=6, recurrence_id=at(12, 4)),
            ]
        }
    )
    series_invite = events(meeting_invite(meeting, PROJECT, now=NOW))
    occurrence_invite = only_event(
        meeting_invite(meeting, PROJECT, now=NOW, recurrence_id=at(19, 4))
    )
    assert {event["SEQUENCE"] for event in series_invite} == {7}
    assert occurrence_invite["SEQUENCE"] == 7
    # The feed is never below what the attendees were sent either.
    feed = only_event(project_feed([meeting], PROJECT, now=NOW))
    assert feed["SEQUENCE"] == 6


def test_an_exact_repeat_of_the_last_message_keeps_its_sequence() -> None:
    meeting = weekly(sequence=3, sent=[sending("REQUEST", 4, meeting_sequence=3)])
    # Sent at 4 (above an earlier 3) and nothing changed since: the same message again.
    assert only_event(meeting_invite(meeting, PROJECT, now=NOW))["SEQUENCE"] == 4
    # Another message (one occurrence) is news: above it.
    one = meeting_invite(meeting, PROJECT, now=NOW, recurrence_id=at(8, 3))
    assert only_event(one)["SEQUENCE"] == 5
    # A sending kept before the meeting's SEQUENCE was recorded is never taken as a repeat.
    older = weekly(sequence=4, sent=[sending("REQUEST", 4)])
    assert only_event(meeting_invite(older, PROJECT, now=NOW))["SEQUENCE"] == 5


def test_draft_to_scheduled_raises_the_sequence_as_the_status_says_confirmed(
    repo: TinyDBRepository,
) -> None:
    project = repo.add(make_project())
    draft = repo.add(make_meeting(project_id=project.id, status="draft", sequence=0))
    before = only_event(meeting_invite(draft, project, now=NOW))
    scheduled = repo.update(draft.model_copy(update={"status": MeetingStatus.SCHEDULED}))
    after = only_event(meeting_invite(scheduled, project, now=NOW))
    held = repo.update(scheduled.model_copy(update={"status": MeetingStatus.HELD}))

    assert (str(before["STATUS"]), before["SEQUENCE"]) == ("TENTATIVE", 0)
    assert (str(after["STATUS"]), after["SEQUENCE"]) == ("CONFIRMED", 1)
    assert held.sequence == 1  # held: still CONFIRMED, nothing new for the attendees
