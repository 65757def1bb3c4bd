"""Importing a client's iCalendar file: new meetings, updates, answers, cancellations, refusals.

The files are what Outlook and Google Calendar send (``tests/data/ics/``) or
small hand-written ones for one rule each. Every refusal is checked to leave
the data file byte for byte as it was.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from clientdesk.store import calendar, ics_reading, ics_zones
from clientdesk.store.enums import RSVP, AttendeeRole, MeetingStatus
from clientdesk.store.errors import StoreError
from clientdesk.store.ics_import import (
    ImportPlan,
    apply_import,
    plan_import,
)
from clientdesk.store.ics_reading import (
    MAX_ATTENDEES,
    MAX_CALENDARS,
    MAX_DATES,
    MAX_EVENTS,
    MAX_IMPORT_BYTES,
    MAX_IMPORT_LINES,
    MAX_PROPERTIES,
    ImportCancelled,
    ImportRefused,
    read_import_file,
)
from clientdesk.store.models import AgendaItem, Attendee, Contact, Meeting, Project
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui.cli import main
from clientdesk.tui.commands import _Parser
from clientdesk.tui.import_commands import register
from tests.helpers.ui import FIXED_NOW

DATA = Path(__file__).parent / "data" / "ics"
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
OUTLOOK = (DATA / "outlook_weekly_request.ics").read_bytes()
GOOGLE = (DATA / "google_feed.ics").read_bytes()
OUTLOOK_UID = (
    "040000008200E00074C5B7101A82E00800000000A0B1C2D3E4F5A6010000000000000000"
    "10000000D1E2F3A4B5C6D7E8F9A0B1C2D3E4F5A6"
)
OWN_ID = "5f1c0ffee5f1c0ffee5f1c0ffee5f1c0"


@pytest.fixture
def project(repo: TinyDBRepository) -> Project:
    """PORTAL, a project in Berlin, with the client contact Ann."""
    project = repo.add(
        Project(name="Portal", key="PORTAL", timezone="Europe/Berlin", organiser_name="Pat PM")
    )
    repo.add(Contact(project_id=project.id, name="Ann Analyst", email="ann@client.example"))
    return project


def plan(repo: TinyDBRepository, data: bytes) -> ImportPlan:
    """The plan of importing ``data`` into PORTAL now."""
    snapshot = repo.snapshot()
    return plan_import(data, snapshot.project("PORTAL"), snapshot, now=FIXED_NOW)


def imported(repo: TinyDBRepository, data: bytes) -> ImportPlan:
    """Import ``data`` into PORTAL; return the plan that was applied."""
    made = plan(repo, data)
    apply_import(repo, made)
    return made


def meeting(repo: TinyDBRepository, key: str = "MTG-1") -> Meeting:
    """The stored meeting ``key`` of PORTAL."""
    snapshot = repo.snapshot()
    return snapshot.find(Meeting, key, snapshot.project("PORTAL").id)


def ics(*lines: str, method: str | None = "REQUEST") -> bytes:
    """A VCALENDAR around ``lines``, with CRLF line ends."""
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Client//Mail 1.0//EN"]
    if method:
        head.append(f"METHOD:{method}")
    return ("\r\n".join([*head, *lines, "END:VCALENDAR"]) + "\r\n").encode("utf-8")


def vevent(*lines: str, uid: str = "evt-1@client.example") -> list[str]:
    """A VEVENT with ``uid`` and ``lines``."""
    return ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261120T100000Z", *lines, "END:VEVENT"]


def at(day: int, hour: int = 10, minute: int = 0, month: int = 12) -> datetime:
    """``hour``:``minute`` Berlin time on ``day``.``month``.2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


# -- new events become meetings -------------------------------------------------------------


def test_an_outlook_series_becomes_one_meeting_with_its_exceptions(
    repo: TinyDBRepository, project: Project
) -> None:
    made = imported(repo, OUTLOOK)
    assert made.preview_lines() == [
        "new meeting 'Weekly portal sync' Tue 2026-12-01 10:00 Europe/Berlin (60 min; weekly "
        "Tue until 2027-03-02; 2 attendees; 2 occurrences cancelled; 1 occurrence moved)"
    ]
    assert made.count == 1
    series = meeting(repo)
    assert (series.title, series.ical_uid, series.uid) == (
        "Weekly portal sync",
        OUTLOOK_UID,
        OUTLOOK_UID,
    )
    assert (series.start, series.timezone, series.duration_minutes) == (
        at(1),
        "Europe/Berlin",
        60,
    )
    assert series.rrule == "FREQ=WEEKLY;UNTIL=20270302T090000Z;INTERVAL=1;BYDAY=TU;WKST=MO"
    assert (series.status, series.sequence) == (MeetingStatus.SCHEDULED, 0)
    assert (series.organiser_name, series.organiser_email) == (
        "Clara Client",
        "clara@client.example",
    )
    # The room is a resource, not someone to invite; Ann is linked to her contact.
    ann = repo.snapshot().of_project(Contact, project.id)[0]
    assert [(a.email, a.name, a.role, a.rsvp, a.contact_id) for a in series.attendees] == [
        ("pat@agency.example", "Pat PM", AttendeeRole.REQUIRED, RSVP.NEEDS_ACTION, None),
        ("ann@client.example", "Ann Analyst", AttendeeRole.OPTIONAL, RSVP.NEEDS_ACTION, ann.id),
    ]
    assert series.location == "Microsoft Teams Meeting"
    assert series.video_link == "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc"
    # The description up to Outlook's "join the call" block is the agenda.
    assert [item.title for item in series.agenda] == [
        "Status of the portal",
        "Open change requests",
        "Risks",
    ]
    december = calendar.occurrences(series, at(1, 0), at(31, 0), include_cancelled=True)
    assert [(o.start, o.cancelled, o.moved, o.duration_minutes, o.location) for o in december] == [
        (at(1), False, False, 60, "Microsoft Teams Meeting"),
        (at(8), False, False, 60, "Microsoft Teams Meeting"),
        (at(16, 14), False, True, 90, "Room Berlin 4.01"),
        (at(22), True, False, 60, "Microsoft Teams Meeting"),
        (at(29), True, False, 60, "Microsoft Teams Meeting"),
    ]


def test_a_google_feed_gives_series_one_offs_and_whole_days(
    repo: TinyDBRepository, project: Project
) -> None:
    made = imported(repo, GOOGLE)
    assert made.preview_lines() == [
        "new meeting 'Stand-up (US team)' Thu 2026-12-03 09:00 America/New_York "
        "(30 min; weekly Thu, 20 times; 2 attendees; 1 occurrence cancelled)",
        "new meeting 'Design review' Mon 2026-12-07 15:00 Europe/Berlin (60 min)",
        "new meeting 'Go-live' Fri 2026-12-18 all day Europe/Berlin",
        "new meeting 'Office closed' Mon 2026-12-28 all day Europe/Berlin (5 days)",
    ]
    assert made.count == 4
    standup, review, golive = (meeting(repo, f"MTG-{n}") for n in (1, 2, 3))
    # The series repeats in New York time: 09:00 there before and after 14 March 2027.
    series = calendar.occurrences(standup, at(1, 0), at(1, 0, month=12) + timedelta(days=150))
    assert len(series) == 19  # 20 times, one cancelled (Christmas Eve)
    assert {o.start.astimezone(NEW_YORK).hour for o in series} == {9}
    assert {o.start.astimezone(UTC).hour for o in series} == {13, 14}
    assert standup.video_link == "https://meet.google.com/abc-defg-hij"
    assert [item.title for item in standup.agenda] == ["Daily blockers only."]
    assert [(a.email, a.rsvp) for a in standup.attendees] == [
        ("dan@client.example", RSVP.ACCEPTED),
        ("pat@agency.example", RSVP.TENTATIVE),
    ]
    assert standup.sequence == 2
    # A UTC time is shown in the project's zone; the text unescaped.
    assert (review.start, review.timezone) == (at(7, 15), "Europe/Berlin")
    assert review.location == "Client HQ, Room 2"
    assert [item.title for item in review.agenda] == ["Wireframes", "Colour palette"]
    # An all-day event is a whole day in the project's zone.
    assert (golive.start, golive.duration_minutes, golive.all_day) == (at(18, 0), 24 * 60, True)
    assert meeting(repo, "MTG-4").duration_minutes == 5 * 24 * 60  # several days stay all-day


def test_an_outlook_windows_zone_name_without_vtimezone_is_read_as_its_iana_zone(
    repo: TinyDBRepository, project: Project
) -> None:
    data = ics(
        *vevent(
            "SUMMARY:Steering committee",
            "DTSTART;TZID=Eastern Standard Time:20261202T110000",
            "DTEND;TZID=Eastern Standard Time:20261202T120000",
        )
    )
    made = imported(repo, data)
    assert made.preview_lines() == [
        "new meeting 'Steering committee' Wed 2026-12-02 11:00 America/New_York (60 min)"
    ]
    stored = meeting(repo)
    assert stored.timezone == "America/New_York"
    assert stored.start == datetime(2026, 12, 2, 16, 0, tzinfo=UTC)


def test_a_zone_defined_only_by_the_file_is_matched_to_the_iana_zone_with_its_offsets(
    repo: TinyDBRepository, project: Project
) -> None:
    custom = [
        "BEGIN:VTIMEZONE",
        "TZID:Customized Time Zone",
        "BEGIN:STANDARD",
        "DTSTART:16010101T020000",
        "TZOFFSETFROM:-0400",
        "TZOFFSETTO:-0500",
        "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11",
        "END:STANDARD",
        "BEGIN:DAYLIGHT",
        "DTSTART:16010101T020000",
        "TZOFFSETFROM:-0500",
        "TZOFFSETTO:-0400",
        "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3",
        "END:DAYLIGHT",
        "END:VTIMEZONE",
    ]
    data = ics(
        *custom,
        *vevent(
            "SUMMARY:Budget review",
            "DTSTART;TZID=Customized Time Zone:20270315T090000",
            "DTEND;TZID=Customized Time Zone:20270315T100000",
        ),
    )
    made = imported(repo, data)
    stored = meeting(repo)
    # 15 March is summer time in New York (since the 14th), not yet in Berlin.
    assert stored.start == datetime(2027, 3, 15, 13, 0, tzinfo=UTC)
    assert stored.start.astimezone(ZoneInfo(stored.timezone)).hour == 9
    assert stored.timezone == "America/New_York"  # the Windows zones come first
    assert made.warnings == (f"time zone 'Customized Time Zone' read as {stored.timezone} "
                             "(the same offsets)",)  # fmt: skip


def test_a_floating_time_is_read_in_the_projects_zone_and_a_missing_end_is_an_hour(
    repo: TinyDBRepository, project: Project
) -> None:
    made = imported(repo, ics(*vevent("SUMMARY:Call", "DTSTART:20261204T143000")))
    stored = meeting(repo)
    assert (stored.start, stored.duration_minutes) == (at(4, 14, 30), 60)
    assert made.warnings == ("'Call' has no end: 60 minutes assumed",)


# -- known events change only with a higher SEQUENCE ---------------------------------------


def moved_an_hour_later(data: bytes, sequence: int) -> bytes:
    """The Outlook series moved from 10:00 to 11:00 (every date in it), with ``sequence``."""
    text = data.decode("utf-8")
    text = text.replace("T110000", "T120000").replace("T100000", "T110000")
    text = text.replace("SEQUENCE:0", f"SEQUENCE:{sequence}")
    return text.encode("utf-8")


def test_a_known_uid_is_skipped_unless_its_sequence_is_higher(
    repo: TinyDBRepository, project: Project, data_path: Path
) -> None:
    imported(repo, OUTLOOK)
    before = data_path.read_bytes()
    again = plan(repo, OUTLOOK)
    assert again.preview_lines() == [
        "skipped 'Weekly portal sync': SEQUENCE 0 is not newer than 0 (MTG-1)"
    ]
    assert (again.count, again.changes) == (0, ())
    apply_import(repo, again)
    assert data_path.read_bytes() == before


def test_a_higher_sequence_updates_the_meeting_and_keeps_what_the_team_recorded(
    repo: TinyDBRepository, project: Project
) -> None:
    imported(repo, OUTLOOK)
    stored = meeting(repo)
    noted = calendar.change_occurrence(stored, at(8), minutes="Portal is on track")
    noted = noted.model_copy(update={"agenda": [AgendaItem(title="Our own agenda", minutes=15)]})
    repo.update(noted)
    made = imported(repo, moved_an_hour_later(OUTLOOK, 3))
    assert made.preview_lines() == [
        "MTG-1: moved to Tue 2026-12-01 11:00 Europe/Berlin, SEQUENCE 0 → 3"
    ]
    updated = meeting(repo)
    # The client's SEQUENCE is kept, so our next invite is newer than theirs.
    assert (updated.start, updated.sequence, updated.ical_uid) == (at(1, 11), 3, OUTLOOK_UID)
    assert [item.title for item in updated.agenda] == ["Our own agenda"]
    week_two = calendar.occurrence_at(updated, at(8, 11))
    assert week_two is not None and week_two.minutes == "Portal is on track"
    cancelled = calendar.occurrence_at(updated, at(22, 11))
    assert cancelled is not None and cancelled.cancelled


def test_an_update_that_would_drop_minutes_is_skipped(
    repo: TinyDBRepository, project: Project
) -> None:
    imported(repo, OUTLOOK)
    repo.update(calendar.change_occurrence(meeting(repo), at(8), minutes="Decided: go"))
    shorter = OUTLOOK.replace(b"UNTIL=20270302T090000Z", b"UNTIL=20261202T090000Z")
    shorter = shorter.replace(b"SEQUENCE:0", b"SEQUENCE:1")
    made = plan(repo, shorter)
    assert made.preview_lines()[0].startswith(
        "skipped MTG-1: 1 occurrence with minutes or a record (the first on 08 Dec 2026) "
        "would no longer be part of the series"
    )
    assert made.changes == ()


# -- replies and cancellations --------------------------------------------------------------


@pytest.fixture
def own_meeting(repo: TinyDBRepository, project: Project) -> Meeting:
    """MTG-1, our weekly Monday series with Ann, invited with SEQUENCE 2."""
    made = repo.add(
        Meeting(
            id=OWN_ID,
            project_id=project.id,
            title="Weekly",
            start=at(7),
            timezone="Europe/Berlin",
            rrule="FREQ=WEEKLY;BYDAY=MO",
            attendees=[Attendee(email="ann@client.example", name="Ann Analyst")],
            status=MeetingStatus.SCHEDULED,
            sequence=2,
        )
    )
    return made


def reply(
    partstat: str, email: str = "ann@client.example", *extra: str, sequence: int = 2
) -> bytes:
    """Ann's (or ``email``'s) answer to our meeting, as Outlook sends it.

    A reply carries the SEQUENCE of the invite it answers (2: the current one).
    """
    return ics(
        *vevent(
            f"ATTENDEE;PARTSTAT={partstat};CN=Ann A.:mailto:{email}",
            "ORGANIZER:mailto:pat@agency.example",
            "SUMMARY:Accepted: Weekly",
            f"SEQUENCE:{sequence}",
            *extra,
            uid=f"{OWN_ID}@clientdesk",
        ),
        method="REPLY",
    )


def test_a_reply_sets_the_attendees_answer_and_not_the_sequence(
    repo: TinyDBRepository, own_meeting: Meeting
) -> None:
    made = imported(repo, reply("ACCEPTED"))
    assert made.preview_lines() == ["MTG-1: Ann Analyst accepted"]
    stored = meeting(repo)
    assert [(a.email, a.rsvp) for a in stored.attendees] == [("ann@client.example", RSVP.ACCEPTED)]
    assert stored.sequence == 2  # an answer is no news for the attendees
    assert imported(repo, reply("DECLINED")).preview_lines() == ["MTG-1: Ann Analyst declined"]
    assert meeting(repo).attendees[0].rsvp is RSVP.DECLINED


def test_a_reply_from_someone_not_invited_is_a_warning_and_changes_nothing(
    repo: TinyDBRepository, own_meeting: Meeting, data_path: Path
) -> None:
    before = data_path.read_bytes()
    made = imported(repo, reply("ACCEPTED", "mallory@elsewhere.example"))
    assert made.preview_lines() == [
        "warning: MTG-1: a reply from mallory@elsewhere.example, who is not invited; ignored"
    ]
    assert made.count == 0
    assert meeting(repo).attendees[0].rsvp is RSVP.NEEDS_ACTION
    assert meeting(repo).revision == own_meeting.revision
    assert data_path.read_bytes() == before


def test_a_reply_for_one_occurrence_is_not_taken_for_the_series(
    repo: TinyDBRepository, own_meeting: Meeting
) -> None:
    made = plan(repo, reply("DECLINED", "ann@client.example", "RECURRENCE-ID:20261214T090000Z"))
    assert made.count == 0
    assert made.warnings == (
        "MTG-1: Ann Analyst declined for Mon 2026-12-14 10:00 Europe/Berlin only; "
        "an answer per occurrence is not kept",
    )


def cancellation(*extra: str, sequence: int = 3) -> bytes:
    """The organiser's CANCEL of our weekly meeting (or, with a RECURRENCE-ID, one occurrence)."""
    return ics(
        *vevent(
            "SUMMARY:Weekly",
            "DTSTART;TZID=Europe/Berlin:20261207T100000",
            "STATUS:CANCELLED",
            f"SEQUENCE:{sequence}",
            *extra,
            uid=f"{OWN_ID}@clientdesk",
        ),
        method="CANCEL",
    )


def test_a_cancel_cancels_the_whole_meeting(repo: TinyDBRepository, own_meeting: Meeting) -> None:
    made = imported(repo, cancellation())
    assert made.preview_lines() == ["MTG-1: cancelled by the organiser"]
    stored = meeting(repo)
    assert (stored.status, stored.sequence) == (MeetingStatus.CANCELLED, 3)
    assert plan(repo, cancellation()).preview_lines() == ["skipped MTG-1: it is cancelled already"]


def test_a_cancel_with_a_recurrence_id_cancels_that_occurrence_only(
    repo: TinyDBRepository, own_meeting: Meeting
) -> None:
    made = imported(repo, cancellation("RECURRENCE-ID;TZID=Europe/Berlin:20261214T100000"))
    assert made.preview_lines() == [
        "MTG-1: Mon 2026-12-14 10:00 Europe/Berlin cancelled by the organiser"
    ]
    stored = meeting(repo)
    assert stored.status is MeetingStatus.SCHEDULED
    shown = calendar.occurrences(stored, at(7, 0), at(22, 0))
    assert [o.start for o in shown] == [at(7), at(21)]
    assert stored.sequence == 3
    missing = plan(repo, cancellation("RECURRENCE-ID;TZID=Europe/Berlin:20261215T100000"))
    assert missing.preview_lines() == [
        "skipped the cancellation of MTG-1 on Tue 2026-12-15 10:00 Europe/Berlin: "
        "no such occurrence"
    ]


def test_an_older_cancellation_and_an_unknown_uid_are_skipped(
    repo: TinyDBRepository, own_meeting: Meeting
) -> None:
    assert plan(repo, cancellation(sequence=1)).preview_lines() == [
        "skipped the cancellation of MTG-1: SEQUENCE 1 is older than 2"
    ]
    stranger = ics(*vevent("SUMMARY:Someone else's", uid="x@else"), method="CANCEL")
    assert plan(repo, stranger).preview_lines() == [
        "skipped the cancellation of 'Someone else's': no meeting in this project has its UID"
    ]


# -- hostile text is data -------------------------------------------------------------------


def test_markup_escapes_and_control_characters_are_imported_as_data(
    repo: TinyDBRepository, project: Project
) -> None:
    data = ics(
        *vevent(
            "SUMMARY:[bold red]Pay now[/] \\, \\; \\\\ \\nsecond line \x1b[2J\x1b]0;owned\x07",
            "LOCATION:Room 1\\nBuilding [link=http://evil.example]B[/link]",
            "DTSTART:20261204T090000Z",
            "DURATION:PT45M",
        )
    )
    made = imported(repo, data)
    stored = meeting(repo)
    assert stored.title == "[bold red]Pay now[/] , ; \\ second line \x1b[2J\x1b]0;owned\x07"
    assert stored.location == "Room 1\nBuilding [link=http://evil.example]B[/link]"
    (line,) = made.preview_lines()
    assert "\x1b" not in line and "\x07" not in line
    assert line.startswith("new meeting '[bold red]Pay now[/] , ; \\ second line \\x1b[2J")


# -- bad files change nothing ---------------------------------------------------------------


ODD_ZONE = ics(
    "BEGIN:VTIMEZONE", "TZID:Odd", "BEGIN:STANDARD", "DTSTART:16010101T000000",
    "TZOFFSETFROM:+0017", "TZOFFSETTO:+0017", "END:STANDARD", "END:VTIMEZONE",
    *vevent("DTSTART;TZID=Odd:20261201T100000"),
)  # fmt: skip
"""A zone 17 minutes east of UTC: the file defines it, no IANA zone matches it."""

BAD_FILES: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "the file is empty"),
    "blank": (b"  \r\n\r\n", "the file is empty"),
    "text": (b"Dear Pat,\nsee you Tuesday.\n", "not an iCalendar file: no BEGIN:VCALENDAR"),
    "event only": (
        b"BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20261201T100000Z\r\nEND:VEVENT\r\n",
        "not an iCalendar file: no BEGIN:VCALENDAR",
    ),
    "html": (b"<html><body>BEGIN:VCALENDAR</body></html>", "no BEGIN:VCALENDAR"),
    "binary": (bytes(range(256)) * 8, "not an iCalendar file: it holds binary data"),
    "latin-1": (ics(*vevent("SUMMARY:Caf\u00e9")).decode().encode("latin-1"), "not UTF-8"),
    "broken line": (
        ics(*vevent("DTSTART:20261201T100000Z", "this line has no colon")),
        "a broken line in VEVENT 'evt-1@client.example'",
    ),
    "broken date": (ics(*vevent("DTSTART:2026120")), "a broken line in VEVENT"),
    "cut short": (
        ics(*vevent("DTSTART:20261201T100000Z")).replace(b"END:VCALENDAR\r\n", b""),
        "the file is cut short",
    ),
    "END without BEGIN": (b"BEGIN:VCALENDAR\r\nEND:VEVENT\r\nEND:VCALENDAR\r\nEND:X\r\n", "valid"),
    "unknown zone": (
        ics(*vevent("DTSTART;TZID=Mars/Olympus_Mons:20261201T100000")),
        "unknown time zone 'Mars/Olympus_Mons'",
    ),
    "zone like none": (ODD_ZONE, "the time zone 'Odd' in the file matches no known zone"),
    "no start": (ics(*vevent("SUMMARY:Kick-off")), "the event 'Kick-off' has no start"),
    "only to-dos": (
        ics("BEGIN:VTODO", "UID:t1", "DTSTAMP:20261120T100000Z", "SUMMARY:Do", "END:VTODO"),
        "nothing to import: the file holds no events (only VTODO)",
    ),
    "empty calendar": (ics(), "nothing to import: the file holds no events"),
    "counter": (
        ics(*vevent("DTSTART:20261201T100000Z"), method="COUNTER"),
        "METHOD:COUNTER is not imported",
    ),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_a_bad_file_is_refused_with_one_line_and_changes_nothing(
    name: str, repo: TinyDBRepository, own_meeting: Meeting, data_path: Path, tmp_path: Path
) -> None:
    data, message = BAD_FILES[name]
    before = data_path.read_bytes()
    with pytest.raises(ImportRefused) as refused:
        plan(repo, data)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    source = tmp_path / "invite.ics"
    source.write_bytes(data)
    with pytest.raises(StoreError):
        run_command("import-ics", str(source), "--project", "PORTAL")
    assert data_path.read_bytes() == before


def test_a_huge_file_is_refused_before_it_is_read(
    repo: TinyDBRepository, project: Project, data_path: Path, tmp_path: Path
) -> None:
    before = data_path.read_bytes()
    huge = tmp_path / "huge.ics"
    with huge.open("wb") as out:
        out.write(b"BEGIN:VCALENDAR\r\n")
        out.write(b"X-FILLER:" + b"x" * MAX_IMPORT_BYTES + b"\r\n")
    with pytest.raises(ImportRefused, match="larger than 5 MB"):
        read_import_file(huge)
    with pytest.raises(ImportRefused, match="larger than 5 MB"):
        plan(repo, huge.read_bytes())
    assert data_path.read_bytes() == before


def test_a_closed_project_takes_no_import(repo: TinyDBRepository, project: Project) -> None:
    closed = project.model_copy(update={"closed_at": FIXED_NOW, "close_override_reason": "test"})
    repo.update(closed)
    with pytest.raises(ImportRefused, match="PORTAL is closed"):
        plan(repo, OUTLOOK)


# -- the command line -----------------------------------------------------------------------


def run_command(*argv: str) -> int:
    """Parse ``argv`` with the ``import-ics`` grammar and run its handler."""
    common = _Parser(add_help=False)
    common.add_argument("--data", metavar="FILE", default=argparse.SUPPRESS)
    parser = _Parser(prog="clientdesk")
    register(parser.add_subparsers(parser_class=_Parser), common)
    args = parser.parse_args(list(argv))
    return int(args.handler(args))


def test_the_command_previews_then_imports(
    repo: TinyDBRepository,
    project: Project,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_command("import-ics", str(DATA / "google_feed.ics"), "--project", "portal") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("new meeting 'Stand-up (US team)' Thu 2026-12-03 09:00")
    assert out[3] == "new meeting 'Office closed' Mon 2026-12-28 all day Europe/Berlin (5 days)"
    assert out[-1] == "imported 4 changes into PORTAL (new: MTG-1, MTG-2, MTG-3, MTG-4)"
    assert len(repo.snapshot().of_project(Meeting, project.id)) == 4


def test_a_dry_run_previews_and_writes_nothing(
    repo: TinyDBRepository,
    project: Project,
    data_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = data_path.read_bytes()
    source = str(DATA / "outlook_weekly_request.ics")
    assert run_command("import-ics", source, "--project", "PORTAL", "--dry-run") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("new meeting 'Weekly portal sync' Tue 2026-12-01 10:00")
    assert out[-1] == "dry run: would import 1 change; nothing was written"
    assert data_path.read_bytes() == before


def test_an_outlook_update_of_one_occurrence_moves_it_when_its_sequence_is_higher(
    repo: TinyDBRepository, project: Project
) -> None:
    imported(repo, OUTLOOK)
    one = [
        "BEGIN:VEVENT",
        f"UID:{OUTLOOK_UID}",
        "RECURRENCE-ID;TZID=W. Europe Standard Time:20261208T100000",
        "DTSTART;TZID=W. Europe Standard Time:20261208T153000",
        "DTEND;TZID=W. Europe Standard Time:20261208T163000",
        "SUMMARY:Weekly portal sync",
        "DTSTAMP:20261121T080000Z",
        "SEQUENCE:1",
        "END:VEVENT",
    ]
    made = imported(repo, ics(*one))
    assert made.preview_lines() == [
        "MTG-1: Tue 2026-12-08 10:00 Europe/Berlin moved to Tue 2026-12-08 15:30 "
        "Europe/Berlin, SEQUENCE 0 → 1"
    ]
    stored = meeting(repo)
    moved = calendar.occurrence_at(stored, at(8))
    assert moved is not None and (moved.start, moved.duration_minutes) == (at(8, 15, 30), 60)
    assert stored.sequence == 1
    assert plan(repo, ics(*one)).preview_lines() == [
        "skipped 'Weekly portal sync': SEQUENCE 1 is not newer than 1 (MTG-1)"
    ]


def test_a_request_with_status_cancelled_and_a_higher_sequence_cancels(
    repo: TinyDBRepository, project: Project
) -> None:
    imported(repo, OUTLOOK)
    called_off = OUTLOOK.replace(b"STATUS:CONFIRMED", b"STATUS:CANCELLED", 1)
    made = imported(repo, called_off.replace(b"SEQUENCE:0", b"SEQUENCE:1"))
    assert made.preview_lines() == ["MTG-1: cancelled by the organiser, SEQUENCE 0 → 1"]
    assert meeting(repo).status is MeetingStatus.CANCELLED


def test_events_no_calendar_can_hold_are_skipped_and_the_rest_imported(
    repo: TinyDBRepository, project: Project
) -> None:
    data = ics(
        *vevent(
            "SUMMARY:Ninth Monday", "DTSTART:20261207T090000Z", "RRULE:FREQ=MONTHLY;BYDAY=+9MO"
        ),
        *vevent("SUMMARY:Year one", "DTSTART:00010101T000000Z", uid="old@client.example"),
        *vevent("SUMMARY:Hourly", "DTSTART:20261207T090000Z", "RRULE:FREQ=HOURLY", uid="h@c.e"),
        *vevent("SUMMARY:Fine", "DTSTART:20261207T090000Z", "DURATION:PT30M", uid="ok@c.e"),
    )
    made = imported(repo, data)
    assert made.preview_lines() == [
        "skipped 'Ninth Monday': not a valid RRULE: a monthly rule counts days 1 to 5 (+9MO)",
        "skipped 'Year one': it starts in the year 1",
        "skipped 'Hourly': it repeats more often than daily; a meeting repeats daily at most",
        "new meeting 'Fine' Mon 2026-12-07 10:00 Europe/Berlin (30 min)",
    ]
    assert [m.title for m in repo.snapshot().of_project(Meeting, project.id)] == ["Fine"]


def test_our_own_invite_of_another_project_is_not_made_a_meeting_here(
    repo: TinyDBRepository, own_meeting: Meeting
) -> None:
    other = repo.add(Project(name="Shop", key="SHOP", timezone="Europe/Berlin"))
    invite = ics(
        *vevent(
            "SUMMARY:Weekly",
            "DTSTART;TZID=Europe/Berlin:20261207T100000",
            "SEQUENCE:5",
            uid=f"{OWN_ID}@clientdesk",
        )
    )
    snapshot = repo.snapshot()
    made = plan_import(invite, other, snapshot, now=FIXED_NOW)
    assert made.preview_lines() == ["skipped 'Weekly': it is PORTAL's meeting"]
    assert made.changes == ()


def test_a_reply_to_an_older_invite_is_skipped_and_the_answer_kept(
    repo: TinyDBRepository, own_meeting: Meeting
) -> None:
    made = imported(repo, reply("DECLINED", sequence=0))
    assert made.preview_lines() == [
        "skipped a reply to MTG-1: it answers SEQUENCE 0, the invite is at 2"
    ]
    assert [a.rsvp for a in meeting(repo).attendees] == [a.rsvp for a in own_meeting.attendees]


def test_an_update_without_attendees_or_location_keeps_the_stored_ones(
    repo: TinyDBRepository, project: Project
) -> None:
    when = ("DTSTART:20261201T090000Z", "DTEND:20261201T100000Z")
    first = ics(
        *vevent(
            *when,
            "SUMMARY:Kick-off",
            "ATTENDEE;CN=Ann:mailto:ann@client.example",
            "LOCATION:Room 1",
            "SEQUENCE:0",
            uid="feed-1@client.example",
        )
    )
    imported(repo, first)
    feed = ics(
        *vevent(*when, "SEQUENCE:1", "SUMMARY:Renamed", uid="feed-1@client.example"),
        method="PUBLISH",
    )
    imported(repo, feed)
    stored = meeting(repo)
    assert [a.email for a in stored.attendees] == ["ann@client.example"]
    assert stored.location == "Room 1"


def test_an_until_that_is_no_date_is_skipped_not_a_crash(
    repo: TinyDBRepository, project: Project
) -> None:
    odd = ics(
        *vevent(
            "DTSTART:20261201T090000Z",
            "DTEND:20261201T100000Z",
            "SUMMARY:Odd",
            "RRULE:FREQ=WEEKLY;UNTIL=100000",
            uid="odd-1@client.example",
        )
    )
    made = plan(repo, odd)
    assert made.count == 0
    assert "UNTIL is not a date" in made.preview_lines()[0]


# -- nothing imported is an error for scripts -----------------------------------------------


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
def test_a_file_that_imports_nothing_exits_2_saying_why(
    repo: TinyDBRepository,
    project: Project,
    data_path: Path,
    capsys: pytest.CaptureFixture[str],
    dry_run: bool,
) -> None:
    imported(repo, GOOGLE)
    before = data_path.read_bytes()
    argv = ["import-ics", str(DATA / "google_feed.ics"), "--project", "PORTAL"]
    assert main([*argv, "--dry-run"] if dry_run else argv) == 2
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 4, "the preview still lists every skipped event"
    assert err == (
        "clientdesk: nothing to import: skipped 'Stand-up (US team)': SEQUENCE 2 is not newer "
        "than 2 (MTG-1) | skipped 'Design review': SEQUENCE 0 is not newer than 0 (MTG-2) | "
        "skipped 'Go-live': SEQUENCE 0 is not newer than 0 (MTG-3) | and 1 more\n"
    )
    assert data_path.read_bytes() == before


# -- hostile files: limits, shape, zones --------------------------------------------------


def crowd(count: int) -> bytes:
    """An invite to a meeting with ``count`` attendees."""
    guests = [f"ATTENDEE:mailto:guest{n}@client.example" for n in range(count)]
    return ics(*vevent("SUMMARY:All hands", "DTSTART:20261201T090000Z", *guests))


def many_events(count: int) -> bytes:
    """A feed of ``count`` one-off events."""
    lines = [line for n in range(count) for line in vevent("DTSTART:20261201T090000Z", uid=f"{n}")]
    return ics(*lines, method="PUBLISH")


OVER_LIMITS: dict[str, tuple[Callable[[], bytes], str]] = {
    "attendees": (
        lambda: crowd(10_001),
        "the event at line 5 has 10,001 attendees; clientdesk reads at most 1,000 on one event",
    ),
    "events": (
        lambda: many_events(MAX_EVENTS + 1),
        "the file holds 2,001 events; clientdesk reads at most 2,000 in one file",
    ),
    "calendars": (
        lambda: ics(*vevent("DTSTART:20261201T090000Z")) * (MAX_CALENDARS + 1),
        "the file holds 101 calendars (VCALENDAR); clientdesk reads at most 100 in one file",
    ),
    "dates": (
        lambda: ics(*vevent("DTSTART:20261201T090000Z", "RRULE:FREQ=DAILY",
                            *["RDATE:20270101T090000Z,20280101T090000Z"] * (MAX_DATES // 2 + 1))),
        "the event at line 5 has 5,002 RDATE and EXDATE values; clientdesk reads at most 5,000",
    ),
    "properties": (
        lambda: ics(*vevent("DTSTART:20261201T090000Z",
                            *[f"X-FILLER-{n}:x" for n in range(MAX_PROPERTIES)])),
        "the event at line 5 has 10,003 properties; clientdesk reads at most 10,000",
    ),
    "lines": (
        lambda: ics(*["X-FILLER:x"] * MAX_IMPORT_LINES),
        "the file has 200,006 lines; clientdesk reads at most 200,000",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", list(OVER_LIMITS))
def test_a_file_over_a_limit_is_refused_whole_before_it_is_parsed(
    name: str,
    repo: TinyDBRepository,
    project: Project,
    data_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    build, message = OVER_LIMITS[name]
    source = tmp_path / "hostile.ics"
    source.write_bytes(build())
    before = data_path.read_bytes()

    def no_parse(*_: object, **__: object) -> None:
        raise AssertionError("the limit is checked before the iCalendar parser runs")

    monkeypatch.setattr(ics_reading.Calendar, "from_ical", no_parse)
    assert main(["import-ics", str(source), "--project", "PORTAL"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"clientdesk: {message}") and err.count("\n") == 1
    assert data_path.read_bytes() == before


def test_an_event_at_the_attendee_limit_is_imported(
    repo: TinyDBRepository, project: Project
) -> None:
    imported(repo, crowd(MAX_ATTENDEES))
    assert len(meeting(repo).attendees) == MAX_ATTENDEES


def zone(*parts: tuple[str, str, str, str, str], tzid: str = "Custom") -> list[str]:
    """A VTIMEZONE of ``parts`` (kind, DTSTART, TZOFFSETFROM, TZOFFSETTO, RRULE or "")."""
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tzid}"]
    for kind, start, before, after, rule in parts:
        lines += [f"BEGIN:{kind}", f"DTSTART:{start}", f"TZOFFSETFROM:{before}"]
        lines += [f"TZOFFSETTO:{after}", *([f"RRULE:{rule}"] if rule else []), f"END:{kind}"]
    return [*lines, "END:VTIMEZONE"]


IN_CUSTOM = vevent(
    "SUMMARY:Budget review",
    "DTSTART;TZID=Custom:20270315T090000",
    "DTEND;TZID=Custom:20270315T100000",
)
DAILY_ZONE = ics(
    *zone(
        ("STANDARD", "16010101T000000", "+0200", "+0100", "FREQ=DAILY"),
        ("DAYLIGHT", "16010101T060000", "+0100", "+0200", "FREQ=DAILY"),
    ),
    *IN_CUSTOM,
)
"""A zone whose clocks change twice a day: it once cost minutes and was read as Kaliningrad."""


def test_a_zone_that_changes_daily_is_refused_as_unreadable_not_read_wrongly(
    repo: TinyDBRepository, project: Project
) -> None:
    with pytest.raises(ImportRefused) as refused:
        plan(repo, DAILY_ZONE)
    assert str(refused.value) == (
        "the time zone 'Custom' in the file cannot be read: its STANDARD part repeats "
        "FREQ=DAILY, and the zone of a real place changes by a yearly rule"
    )


def test_a_zone_part_with_too_many_changes_is_refused(
    repo: TinyDBRepository, project: Project
) -> None:
    every_other_day = "FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYMONTHDAY=1,3,5,7,9"
    data = ics(
        *zone(
            ("STANDARD", "19700101T000000", "+0200", "+0100", every_other_day),
            ("DAYLIGHT", "19700102T000000", "+0100", "+0200", "FREQ=YEARLY;BYMONTH=3"),
        ),
        *IN_CUSTOM,
    )
    with pytest.raises(ImportRefused, match=(
        "changes its offset more than 1,000 times in one STANDARD part; clientdesk reads at "
        "most 1,000"
    )):  # fmt: skip
        plan(repo, data)


BERLIN_AS_WRITTEN = zone(
    ("DAYLIGHT", "19810329T020000", "+0100", "+0200", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"),
    ("STANDARD", "19810927T030000", "+0200", "+0100",
     "FREQ=YEARLY;UNTIL=19950924T010000Z;BYMONTH=9;BYDAY=-1SU"),
    ("STANDARD", "19961027T030000", "+0200", "+0100", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"),
)  # fmt: skip
"""Berlin as zone services write it: a part that ended in 1995 (UNTIL in UTC), then today's."""


def test_a_zone_with_an_ended_part_is_matched_by_its_changes_around_now(
    repo: TinyDBRepository, project: Project
) -> None:
    made = imported(repo, ics(*BERLIN_AS_WRITTEN, *IN_CUSTOM))
    assert made.warnings == ("time zone 'Custom' read as Europe/Berlin (the same offsets)",)
    assert meeting(repo).start == datetime(2027, 3, 15, 9, 0, tzinfo=BERLIN)


def test_zone_matching_that_runs_out_of_time_refuses_the_file(
    repo: TinyDBRepository, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ics_zones, "ZONE_MATCH_SECONDS", 0.0)
    with pytest.raises(ImportRefused) as refused:
        plan(repo, ics(*BERLIN_AS_WRITTEN, *IN_CUSTOM))
    assert str(refused.value) == (
        "the time zone 'Custom' in the file could not be matched to a known zone within 0 "
        "seconds, the most clientdesk spends on the zones of a file"
    )


def test_an_import_that_runs_out_of_time_is_refused(
    repo: TinyDBRepository, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ics_reading, "IMPORT_SECONDS", 0.0)
    with pytest.raises(ImportRefused, match="the file takes more than 0 seconds to read"):
        plan(repo, OUTLOOK)


def test_a_cancelled_import_stops_and_plans_nothing(
    repo: TinyDBRepository, project: Project
) -> None:
    snapshot = repo.snapshot()
    with pytest.raises(ImportCancelled):
        plan_import(OUTLOOK, project, snapshot, now=FIXED_NOW, should_stop=lambda: True)


SMUGGLED = ics(*vevent("DTSTART:20261201T090000Z", "SUMMARY:Sync\nATTENDEE:mailto:x@evil.example"))
"""A SUMMARY holding a bare LF: the parser would read an extra ATTENDEE line after it."""


def test_a_bare_line_feed_inside_a_line_of_a_crlf_file_is_refused(
    repo: TinyDBRepository, project: Project
) -> None:
    with pytest.raises(ImportRefused) as refused:
        plan(repo, SMUGGLED)
    assert str(refused.value) == (
        "not a valid iCalendar file: line 9 holds a line feed without a carriage return, in a "
        "file whose lines end with both; what follows it would pass for a line of its own"
    )


@pytest.mark.parametrize("source", [OUTLOOK, GOOGLE], ids=["outlook", "google"])
def test_a_file_whose_lines_end_in_lf_alone_reads_as_with_crlf(
    repo: TinyDBRepository, project: Project, source: bytes
) -> None:
    lf_only = source.replace(b"\r\n", b"\n")
    assert b"\r" not in lf_only and lf_only.count(b"\n") > 50
    assert plan(repo, lf_only).preview_lines() == plan(repo, source).preview_lines()


def test_a_crlf_file_keeps_reading_a_lf_fold_and_a_trailing_blank_line(
    repo: TinyDBRepository, project: Project
) -> None:
    data = ics(*vevent("DTSTART:20261201T090000Z", "SUMMARY:Weekly\n  sync")) + b"\n"
    assert plan(repo, data).preview_lines()[0].startswith("new meeting 'Weekly sync'")


HOSTILE_SHAPES: dict[str, tuple[bytes, str]] = {
    "END:VTODO closes a VEVENT": (
        ics("BEGIN:VEVENT", "UID:t", "DTSTART:20261201T090000Z", "SUMMARY:T", "END:VTODO"),
        "not a valid iCalendar file: END:VTODO at line 9 closes the VEVENT begun at line 5",
    ),
    "negative SEQUENCE": (
        ics(*vevent("DTSTART:20261201T090000Z", "SUMMARY:Sync", "SEQUENCE:-5")),
        "the event 'Sync' has SEQUENCE -5; a SEQUENCE is a whole number, 0 or more",
    ),
    "bare LF": (SMUGGLED, "line 9 holds a line feed without a carriage return"),
    "daily zone": (DAILY_ZONE, "its STANDARD part repeats FREQ=DAILY"),
}


@pytest.mark.parametrize("name", list(HOSTILE_SHAPES))
def test_a_malformed_file_is_refused_with_one_line_and_changes_nothing(
    name: str, repo: TinyDBRepository, project: Project, data_path: Path, tmp_path: Path
) -> None:
    data, message = HOSTILE_SHAPES[name]
    before = data_path.read_bytes()
    source = tmp_path / "invite.ics"
    source.write_bytes(data)
    with pytest.raises(ImportRefused) as refused:
        run_command("import-ics", str(source), "--project", "PORTAL")
    assert message in str(refused.value) and "\n" not in str(refused.value)
    assert data_path.read_bytes() == before


# -- video links ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "why"),
    [
        ("javascript:alert(1)", "a video link is a web address starting with https:// or http://"),
        ("https://meet.example/a\x1b]0;owned\x07", "has the character \\x1b at position 23"),
    ],
    ids=["javascript", "control"],
)
def test_an_imported_video_link_that_is_no_web_address_is_left_out_and_said(
    repo: TinyDBRepository, project: Project, link: str, why: str
) -> None:
    data = ics(
        *vevent(
            "DTSTART:20261201T090000Z",
            "DURATION:PT30M",
            "SUMMARY:Sync",
            f"X-GOOGLE-CONFERENCE:{link}",
        )
    )
    made = imported(repo, data)
    assert made.count == 1
    assert meeting(repo).video_link == ""
    (warning,) = made.warnings
    assert warning.startswith("'Sync': the video link in X-GOOGLE-CONFERENCE left out (")
    assert why in warning and "\x1b" not in warning


def test_a_web_address_after_a_bad_video_link_is_still_taken(
    repo: TinyDBRepository, project: Project
) -> None:
    data = ics(
        *vevent(
            "DTSTART:20261201T090000Z",
            "X-MICROSOFT-SKYPETEAMSMEETINGURL:javascript:alert(1)",
            "LOCATION:https://meet.example/sync",
        )
    )
    imported(repo, data)
    stored = meeting(repo)
    assert (stored.video_link, stored.location) == ("https://meet.example/sync", "")
