"""Importing what calendar programs really send: each quirk reproduced with a small file.

Thunderbird's minor updates (one SEQUENCE, a later DTSTAMP), answers to an
invite whose title changed since, zones of 2005 (Lotus Notes, Exchange 2003),
CDO's loose RRULEs, Windows zone names as OWA writes them, the names zones
matched by offsets get, icalendar's warnings, and video links and HTML in
descriptions as Google, Teams and Zoom write them.
"""

from __future__ import annotations

import subprocess
import threading
import warnings
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar

from clientdesk.store import calendar
from clientdesk.store.enums import RSVP
from clientdesk.store.ics_import import plan_import
from clientdesk.store.ics_reading import ImportRefused
from clientdesk.store.models import Attendee, Meeting
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui.cli import main
from tests.helpers.terminal import CLIENTDESK
from tests.helpers.ui import FIXED_NOW
from tests.test_ics_import import (
    OWN_ID,
    ics,
    imported,
    meeting,
    plan,
    project,  # noqa: F401 (the fixture every test here uses: PORTAL, a project in Berlin)
    reply,
    vevent,
)

pytestmark = pytest.mark.usefixtures("project")

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def series_version(stamp: str, *lines: str, sequence: int = 0) -> bytes:
    """Version ``sequence`` of the client's weekly review, made at ``stamp`` (DTSTAMP)."""
    return ics(
        "BEGIN:VEVENT",
        "UID:review-1@client.example",
        f"DTSTAMP:{stamp}",
        f"SEQUENCE:{sequence}",
        "DTSTART;TZID=Europe/Berlin:20261207T100000",
        "DURATION:PT1H",
        "RRULE:FREQ=WEEKLY;BYDAY=MO",
        *lines,
        "END:VEVENT",
    )


# -- 2: one SEQUENCE, a later DTSTAMP -------------------------------------------------------


def test_an_update_with_the_same_sequence_and_a_later_dtstamp_is_taken(
    repo: TinyDBRepository,
) -> None:
    imported(repo, series_version("20261120T100000Z", "SUMMARY:Review", "LOCATION:Room 1"))
    # Thunderbird's "minor" change: the room, SEQUENCE unchanged, a later DTSTAMP.
    minor = series_version("20261121T080000Z", "SUMMARY:Review", "LOCATION:Room 2")
    made = imported(repo, minor)
    assert made.preview_lines() == [
        "MTG-1: location 'Room 2', same SEQUENCE 0, later DTSTAMP 2026-11-21 08:00:00Z"
    ]
    stored = meeting(repo)
    assert stored.location == "Room 2"
    assert (stored.ical_sequence, stored.ical_dtstamp) == (0, datetime(2026, 11, 21, 8, tzinfo=UTC))
    # The same file again, or an older one, is no newer.
    for again in (minor, series_version("20261120T120000Z", "SUMMARY:Review")):
        assert plan(repo, again).preview_lines() == [
            "skipped 'Review': SEQUENCE 0 is not newer than 0 (MTG-1)"
        ]
    # A second minor change is taken too, though ours counted on after the first.
    second = series_version("20261122T080000Z", "SUMMARY:Review (moved room)", "LOCATION:Room 3")
    imported(repo, second)
    assert (meeting(repo).title, meeting(repo).location) == ("Review (moved room)", "Room 3")


def test_the_clients_next_version_is_taken_though_our_own_edit_raised_the_sequence(
    repo: TinyDBRepository,
) -> None:
    imported(repo, series_version("20261120T100000Z", "SUMMARY:Review"))
    ours = repo.update(meeting(repo).model_copy(update={"location": "Our room"}))
    assert ours.sequence == 1  # our edit is news to the attendees
    made = imported(repo, series_version("20261121T100000Z", "SUMMARY:Renamed", sequence=1))
    assert made.preview_lines() == ["MTG-1: renamed 'Renamed', SEQUENCE 0 → 1 (the client's)"]
    assert meeting(repo).title == "Renamed"


def test_our_own_meeting_changes_only_with_a_higher_sequence_whatever_the_dtstamp(
    repo: TinyDBRepository, own_meeting: Meeting
) -> None:
    copy = vevent(
        "SUMMARY:Renamed elsewhere",
        "DTSTART;TZID=Europe/Berlin:20261207T100000",
        "SEQUENCE:2",
        uid=f"{OWN_ID}@clientdesk",
    )
    copy[2] = "DTSTAMP:20271231T000000Z"
    assert plan(repo, ics(*copy)).preview_lines() == [
        "skipped 'Renamed elsewhere': SEQUENCE 2 is not newer than 2 (MTG-1)"
    ]


def test_of_two_versions_with_one_sequence_in_a_file_the_later_dtstamp_is_read(
    repo: TinyDBRepository,
) -> None:
    later = vevent("SUMMARY:Later", "DTSTART:20261207T090000Z", uid="twice@client.example")
    earlier = vevent("SUMMARY:Earlier", "DTSTART:20261207T090000Z", uid="twice@client.example")
    later[2] = "DTSTAMP:20261121T100000Z"
    imported(repo, ics(*later, *earlier))
    assert meeting(repo).title == "Later"


# -- 14: an answer to an invite whose time is unchanged since ----------------------------------


@pytest.fixture
def own_meeting(repo: TinyDBRepository) -> Meeting:
    """MTG-1, our weekly Monday series with Ann, invited with SEQUENCE 2."""
    return repo.add(
        Meeting(
            id=OWN_ID,
            project_id=repo.snapshot().project("PORTAL").id,
            title="Weekly",
            start=datetime(2026, 12, 7, 10, tzinfo=BERLIN),
            timezone="Europe/Berlin",
            rrule="FREQ=WEEKLY;BYDAY=MO",
            attendees=[Attendee(email="ann@client.example", name="Ann Analyst")],
            sequence=2,
        )
    )


def test_a_reply_to_an_older_invite_is_taken_when_only_the_title_or_attendees_changed(
    repo: TinyDBRepository, own_meeting: Meeting
) -> None:
    renamed = repo.update(own_meeting.model_copy(update={"title": "Weekly sync"}))
    assert (renamed.sequence, renamed.time_sequence) == (3, 2)
    bob = Attendee(email="bob@client.example", name="Bob")
    invited = repo.update(renamed.model_copy(update={"attendees": [*renamed.attendees, bob]}))
    assert (invited.sequence, invited.time_sequence) == (4, 2)
    made = imported(repo, reply("ACCEPTED", sequence=2))
    assert made.preview_lines() == ["MTG-1: Ann Analyst accepted"]
    assert meeting(repo).attendees[0].rsvp is RSVP.ACCEPTED


def test_a_reply_to_an_invite_before_the_time_changed_is_skipped(
    repo: TinyDBRepository, own_meeting: Meeting
) -> None:
    later = own_meeting.start + timedelta(hours=1)
    moved = repo.update(own_meeting.model_copy(update={"start": later}))
    renamed = repo.update(moved.model_copy(update={"title": "Weekly sync"}))
    assert (renamed.sequence, renamed.time_sequence) == (4, 3)
    made = imported(repo, reply("ACCEPTED", sequence=2))
    assert made.preview_lines() == [
        "skipped a reply to MTG-1: it answers SEQUENCE 2, the time changed at SEQUENCE 3"
    ]
    assert meeting(repo).attendees[0].rsvp is RSVP.NEEDS_ACTION
    assert imported(repo, reply("ACCEPTED", sequence=3)).preview_lines() == [
        "MTG-1: Ann Analyst accepted"
    ]


def test_an_imported_update_that_moves_the_time_is_where_answers_start(
    repo: TinyDBRepository,
) -> None:
    imported(repo, series_version("20261120T100000Z", "SUMMARY:Review"))
    assert meeting(repo).time_sequence is None  # as it was made: no answer is older
    moved = series_version("20261121T100000Z", "SUMMARY:Review", sequence=2)
    imported(repo, moved.replace(b"T100000\r\nDURATION", b"T113000\r\nDURATION"))
    assert (meeting(repo).sequence, meeting(repo).time_sequence) == (2, 2)


# -- 4: zones as Lotus Notes and Exchange 2003 wrote them (US rules before 2007) --------------

US_RULES_BEFORE_2007 = [
    "BEGIN:STANDARD",
    "DTSTART:19501029T020000",
    "TZOFFSETFROM:-0400",
    "TZOFFSETTO:-0500",
    "RRULE:FREQ=YEARLY;BYMINUTE=0;BYHOUR=2;BYDAY=-1SU;BYMONTH=10",
    "END:STANDARD",
    "BEGIN:DAYLIGHT",
    "DTSTART:19500402T020000",
    "TZOFFSETFROM:-0500",
    "TZOFFSETTO:-0400",
    "RRULE:FREQ=YEARLY;BYMINUTE=0;BYHOUR=2;BYDAY=1SU;BYMONTH=4",
    "END:DAYLIGHT",
]


def lotus_notes(tzid: str, start: str = "20050405T100000") -> bytes:
    """An invite of ``start`` (local) in a zone ``tzid`` the file defines with 2005's US rules."""
    return ics(
        "BEGIN:VTIMEZONE",
        f"TZID:{tzid}",
        *US_RULES_BEFORE_2007,
        "END:VTIMEZONE",
        *vevent(
            "SUMMARY:Contract review",
            f'DTSTART;TZID="{tzid}":{start}',
            "DURATION:PT1H",
            uid="notes-1@client.example",
        ),
    )


@pytest.mark.parametrize(
    ("start", "utc_hour"), [("20050405T100000", 14), ("20051101T100000", 15)], ids=["EDT", "EST"]
)
def test_a_zone_with_the_us_rules_of_2005_is_matched_around_the_events_dates(
    repo: TinyDBRepository, start: str, utc_hour: int
) -> None:
    made = imported(repo, lotus_notes("Eastern", start))
    assert made.warnings == ("time zone 'Eastern' read as America/New_York (the same offsets)",)
    stored = meeting(repo)
    assert stored.timezone == "America/New_York"
    assert stored.start.astimezone(UTC).hour == utc_hour


def test_a_zone_whose_rules_no_zone_kept_in_the_events_years_is_refused_in_one_line(
    repo: TinyDBRepository,
) -> None:
    # The same rules in 2027: no zone of a real place changes on those days then.
    with pytest.raises(ImportRefused) as refused:
        plan(repo, lotus_notes("Eastern", "20270405T100000"))
    assert str(refused.value) == (
        "the time zone 'Eastern' in the file matches no known zone (its offsets in 2027 to "
        "2028 differ from every IANA zone)"
    )


# -- 5: an RRULE with spaces, as CDO writes it --------------------------------------------------


def test_an_rrule_with_spaces_is_read_and_a_broken_one_refused_in_one_line(
    repo: TinyDBRepository,
) -> None:
    loose = ics(
        *vevent(
            "SUMMARY:Stand-up",
            "DTSTART;TZID=Europe/Berlin:20261207T090000",
            "DURATION:PT15M",
            "RRULE:FREQ=WEEKLY; BYDAY=MO, TU,\tTH ;COUNT=6",
        )
    )
    imported(repo, loose)
    assert meeting(repo).rrule == "FREQ=WEEKLY;COUNT=6;BYDAY=MO,TU,TH"
    broken = loose.replace(b"TU,\tTH", b"TU, XX")
    with pytest.raises(ImportRefused) as refused:
        plan(repo, broken.replace(b"evt-1@", b"evt-2@"))
    message = str(refused.value)
    assert message.startswith("a broken line in VEVENT 'evt-2@client.example': RRULE: ")
    assert "\n" not in message


# -- 6: Windows zone names without a VTIMEZONE, as OWA writes them ---------------------------


@pytest.mark.parametrize(
    ("tzid", "zone"),
    [
        ("(UTC-05:00) Eastern Time (US & Canada)", "America/New_York"),
        ("(GMT-05:00) Eastern Time (US & Canada)", "America/New_York"),
        ("FLE Standard Time", "Europe/Kyiv"),
        ("India Standard Time", "Asia/Kolkata"),
        ("(UTC+07:00) Bangkok, Hanoi, Jakarta", "Asia/Bangkok"),
        ("(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi", "Asia/Kolkata"),
        ("(UTC-08:00) Pacific Time (US & Canada)", "America/Los_Angeles"),
        ("(UTC) Coordinated Universal Time", "Etc/UTC"),
    ],
)
def test_a_windows_zone_name_without_vtimezone_is_read_with_cldrs_table(
    repo: TinyDBRepository, tzid: str, zone: str
) -> None:
    data = ics(*vevent("SUMMARY:Sync", f'DTSTART;TZID="{tzid}":20261207T100000', "DURATION:PT1H"))
    imported(repo, data)
    stored = meeting(repo)
    assert stored.timezone == zone
    assert stored.start == datetime(2026, 12, 7, 10, tzinfo=ZoneInfo(zone))


@pytest.mark.parametrize(
    "tzid", ["(UTC+03:00) Bangkok", "(UTC-05:00) Nowhere Time", "Middle Earth Standard Time"]
)
def test_a_windows_name_whose_offset_or_city_fits_no_zone_is_refused_in_one_line(
    repo: TinyDBRepository, tzid: str
) -> None:
    data = ics(*vevent("SUMMARY:Sync", f'DTSTART;TZID="{tzid}":20261207T100000'))
    with pytest.raises(ImportRefused) as refused:
        plan(repo, data)
    assert str(refused.value).startswith(f"unknown time zone {tzid!r}: not defined in the file")


# -- 7: the names zones matched by their offsets get ----------------------------------------


def fixed_zone(tzid: str, offset: str, *extra: str) -> bytes:
    """An invite in a zone ``tzid`` the file defines as ``offset`` all year."""
    return ics(
        "BEGIN:VTIMEZONE",
        f"TZID:{tzid}",
        *extra,
        "BEGIN:STANDARD",
        "DTSTART:16010101T000000",
        f"TZOFFSETFROM:{offset}",
        f"TZOFFSETTO:{offset}",
        "END:STANDARD",
        "END:VTIMEZONE",
        *vevent("SUMMARY:Sync", f'DTSTART;TZID="{tzid}":20261207T100000', "DURATION:PT1H"),
    )


@pytest.mark.parametrize(
    ("data", "zone"),
    [
        (fixed_zone("Kuala Lumpur, Singapore", "+0800"), "Asia/Singapore"),
        (fixed_zone("(UTC+07:00) Bangkok", "+0700"), "Asia/Bangkok"),
        (fixed_zone("Customized Time Zone", "+0800"), "Asia/Shanghai"),
        (fixed_zone("Customized Time Zone", "+0530"), "Asia/Kolkata"),
        (
            fixed_zone("Customized Time Zone", "+0800", "X-LIC-LOCATION:Australia/Perth"),
            "Australia/Perth",
        ),
        (
            fixed_zone(
                "Customized Time Zone", "+0700", "TZURL:http://tzurl.org/zoneinfo/Asia/Jakarta"
            ),
            "Asia/Jakarta",
        ),
    ],
    ids=["cities", "display-name", "windows-main-zone", "renamed", "x-lic-location", "tzurl"],
)
def test_a_zone_matched_by_offsets_takes_the_name_the_file_gives_or_the_main_one(
    repo: TinyDBRepository, data: bytes, zone: str
) -> None:
    imported(repo, data)
    stored = meeting(repo)
    assert stored.timezone == zone
    assert stored.start == datetime(2026, 12, 7, 10, tzinfo=ZoneInfo(zone))


def summer_time_zone(
    tzid: str, standard: tuple[str, str, str], daylight: tuple[str, str, str]
) -> bytes:
    """An invite on 7 December 2026 at 10:00 in a zone ``tzid`` with summer time.

    Each part is (its first onset, its TZOFFSETTO, its yearly rule's BYMONTH;BYDAY).
    """
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tzid}"]
    for kind, (onset, offset, rule), (_, before, _) in (
        ("STANDARD", standard, daylight),
        ("DAYLIGHT", daylight, standard),
    ):
        lines += [f"BEGIN:{kind}", f"DTSTART:{onset}", f"TZOFFSETFROM:{before}"]
        lines += [f"TZOFFSETTO:{offset}", f"RRULE:FREQ=YEARLY;{rule}", f"END:{kind}"]
    when = f'DTSTART;TZID="{tzid}":20261207T100000'
    return ics(*lines, "END:VTIMEZONE", *vevent("SUMMARY:Sync", when, "DURATION:PT1H"))


@pytest.mark.parametrize(
    ("data", "zone", "how"),
    [
        (
            summer_time_zone(
                "Canberra, Melbourne, Sydney",
                ("16010401T030000", "+1000", "BYMONTH=4;BYDAY=1SU"),
                ("16011007T020000", "+1100", "BYMONTH=10;BYDAY=1SU"),
            ),
            "Australia/Sydney",
            "the same offsets",
        ),
        (
            summer_time_zone(
                "Pacific Time (US & Canada); Tijuana",
                ("16011104T020000", "-0800", "BYMONTH=11;BYDAY=1SU"),
                ("16010311T020000", "-0700", "BYMONTH=3;BYDAY=2SU"),
            ),
            "America/Los_Angeles",
            "the same offsets",
        ),
        (
            # GroupWise: Central European time, its clocks changed at 01:00 and 02:00
            # local time where the EU changes them at 01:00 UTC.
            summer_time_zone(
                "Mitteleuropäische Zeit",
                ("20001025T020000", "+0100", "BYMONTH=10;BYDAY=-1SU"),
                ("20000329T010000", "+0200", "BYMONTH=3;BYDAY=-1SU"),
            ),
            "Europe/Berlin",
            "the same offsets; its clocks change on the same days, at another hour",
        ),
    ],
    ids=["cities-of-one-windows-zone", "windows-xp-name", "groupwise-hours"],
)
def test_a_zone_with_summer_time_is_named_after_the_windows_zone_its_name_gives(
    repo: TinyDBRepository, data: bytes, zone: str, how: str
) -> None:
    tzid = data.decode("utf-8").split("TZID:", 1)[1].split("\r\n", 1)[0]
    made = imported(repo, data)
    assert made.warnings == (f"time zone {tzid!r} read as {zone} ({how})",)
    assert meeting(repo).start == datetime(2026, 12, 7, 10, tzinfo=ZoneInfo(zone))


def test_a_display_name_with_a_vtimezone_of_old_rules_is_read_by_its_name(
    repo: TinyDBRepository,
) -> None:
    # Exchange 2003 (CDO) in 2026, its zone still with the US rules before 2007.
    made = imported(repo, lotus_notes("(GMT-05:00) Eastern Time (US & Canada)", "20261207T100000"))
    assert made.warnings == ()
    assert meeting(repo).start == datetime(2026, 12, 7, 10, tzinfo=NEW_YORK)


# -- 8: icalendar's warnings stay off the terminal -------------------------------------------


def test_a_vendor_prefixed_tzid_imports_without_a_word_on_stderr(
    repo: TinyDBRepository, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "mozilla.ics"
    source.write_bytes(
        ics(
            *vevent(
                "SUMMARY:Planning",
                "DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20261207T100000",
                "DURATION:PT1H",
            )
        )
    )
    with warnings.catch_warnings(record=True) as caught:
        # Python's own filters, which show a UserWarning once: what a user's process has,
        # whatever filters the test runner set or restored before.
        warnings.resetwarnings()
        assert main(["import-ics", str(source), "--project", "PORTAL"]) == 0
    out, err = capfd.readouterr()
    assert (err, [str(w.message) for w in caught]) == ("", [])
    assert out.splitlines()[-1] == "imported 1 change into PORTAL (new: MTG-1)"
    assert meeting(repo).start == datetime(2026, 12, 7, 10, tzinfo=BERLIN)
    # And in a process of its own, where no test runner records warnings.
    again = [*CLIENTDESK, "import-ics", str(source), "--project", "PORTAL", "--dry-run"]
    run = subprocess.run(again, capture_output=True, text=True, check=False)
    assert (run.returncode, run.stderr) == (
        2,
        "clientdesk: nothing to import: skipped "
        "'Planning': SEQUENCE 0 is not newer than 0 (MTG-1)\n",
    )


def test_imports_in_worker_threads_leave_every_other_threads_warning_filters_alone(
    repo: TinyDBRepository,
) -> None:
    # An import runs in a worker thread while the app's other threads go on. Silencing
    # the parser's notes by saving and restoring the process's filters around each parse
    # (warnings.catch_warnings) throws away a filter another thread adds meanwhile.
    events = [
        line
        for number in range(300)
        for line in vevent(
            "SUMMARY:Planning",
            f"DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:2026120{1 + number % 9}T100000",
            "DURATION:PT1H",
            uid=f"evt-{number}@client.example",
        )
    ]
    data = ics(*events)
    snapshot = repo.snapshot()
    portal = snapshot.project("PORTAL")
    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()
        done = threading.Event()
        failures: list[BaseException] = []

        def import_twice() -> None:
            try:
                for _ in range(2):
                    made = plan_import(data, portal, snapshot, now=FIXED_NOW)
                    assert made.count == 300
            except BaseException as error:  # reported by the main thread
                failures.append(error)
            finally:
                done.set()

        worker = threading.Thread(target=import_twice)
        worker.start()
        added = []
        while not done.wait(0.001):  # a filter added now and then while the imports run
            marker = f"clientdesk test marker {len(added)}"
            warnings.filterwarnings("ignore", message=marker)
            added.append(marker)
        worker.join()
        kept = {f[1].pattern for f in warnings.filters if f[1] is not None}
        lost = [marker for marker in added if marker not in kept]
        shown = [str(w.message) for w in caught]
    assert failures == []
    assert (len(lost), shown) == (0, [])


# -- 10: video links and HTML in descriptions -------------------------------------------------


def described(*lines: str, uid: str = "evt-1@client.example") -> bytes:
    return ics(
        *vevent("SUMMARY:Sync", "DTSTART:20261207T090000Z", "DURATION:PT1H", *lines, uid=uid)
    )


def test_a_google_meet_link_only_in_the_description_is_the_video_link(
    repo: TinyDBRepository,
) -> None:
    google = (
        "DESCRIPTION:<b>Agenda</b><br>1. Budget&nbsp;&amp; scope<br><ul><li>Risks</li>"
        '<li>Next steps</li></ul>-::~:~::~:~::-<br>Join with Google Meet: <a href="https:'
        '//meet.google.com/abc-defg-hij">meet.google.com/abc-defg-hij</a>'
    )
    imported(repo, described(google))
    stored = meeting(repo)
    assert stored.video_link == "https://meet.google.com/abc-defg-hij"
    assert [item.title for item in stored.agenda] == ["Budget & scope", "Risks", "Next steps"]


def test_teams_and_zoom_links_in_the_location_or_description_become_the_video_link(
    repo: TinyDBRepository,
) -> None:
    teams = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=x"
    zoom = "https://us02web.zoom.us/j/123456789?pwd=abc"
    imported(repo, described(f"LOCATION:Microsoft Teams Meeting; {teams}"))
    imported(
        repo,
        described(
            "DESCRIPTION:Quarterly plan\\nRoadmap\\n\\nJoin Zoom Meeting\\n"
            f"{zoom}\\n\\nMeeting ID: 123 456 789",
            "LOCATION:Room 4",
            uid="zoom-1@client.example",
        ),
    )
    webex = "https://acme.webex.com/acme/j.php?MTID=m1"
    imported(repo, described(f"DESCRIPTION:Join: <{webex}>", uid="webex-1@client.example"))
    first, second, third = (meeting(repo, f"MTG-{n}") for n in (1, 2, 3))
    assert (first.video_link, first.location) == (teams, "Microsoft Teams Meeting")
    assert (second.video_link, second.location) == (zoom, "Room 4")
    assert [item.title for item in second.agenda] == ["Quarterly plan", "Roadmap"]
    assert third.video_link == webex


def test_a_plain_description_with_angle_brackets_stays_as_written(repo: TinyDBRepository) -> None:
    imported(repo, described("DESCRIPTION:Budget < 5k?\\nSee https://wiki.example/page"))
    stored = meeting(repo)
    assert [item.title for item in stored.agenda] == [
        "Budget < 5k?",
        "See https://wiki.example/page",
    ]
    assert stored.video_link == ""


# -- what Google, Zimbra and Thunderbird write besides (the corpus's last refusals) -----------


def occurrence_starts(stored: Meeting, begin: datetime, end: datetime) -> list[datetime]:
    """The starts of ``stored``'s occurrences not cancelled from ``begin`` to ``end``, in UTC."""
    return [
        occurrence.start.astimezone(UTC)
        for occurrence in calendar.occurrences(stored, begin, end)
        if not occurrence.cancelled
    ]


def reference(data: bytes, begin: datetime, end: datetime) -> list[datetime]:
    """The starts recurring-ical-events reads in ``data`` from ``begin`` to ``end``, in UTC."""
    events = recurring_ical_events.of(Calendar.from_ical(data)).between(begin, end)
    return sorted(event["DTSTART"].dt.astimezone(UTC) for event in events)


def test_extra_and_excluded_dates_written_with_a_utc_mark_are_read_as_the_dates(
    repo: TinyDBRepository,
) -> None:
    # Google writes its birthdays' extra dates so: RDATE:20131210Z.
    imported(
        repo,
        ics(
            *vevent(
                "SUMMARY:Launch anniversary",
                "DTSTART;VALUE=DATE:20261210",
                "DTEND;VALUE=DATE:20261211",
                "RRULE:FREQ=YEARLY;COUNT=2",
                "RDATE:20261224Z,20261231Z",
                "EXDATE:20271210Z",
            )
        ),
    )
    stored = meeting(repo)
    begin = datetime(2026, 12, 1, tzinfo=UTC)
    days = [
        start.astimezone(BERLIN).date()
        for start in occurrence_starts(stored, begin, begin + timedelta(days=800))
    ]
    assert stored.all_day
    assert days == [date(2026, 12, 10), date(2026, 12, 24), date(2026, 12, 31)]


def two_rules(second: str, *lines: str) -> bytes:
    """Zimbra's weekly one-to-one in New York with a second RRULE, ``second``."""
    return ics(
        *vevent(
            "SUMMARY:One to one",
            "DTSTART;TZID=America/New_York:20261207T110000",
            "DTEND;TZID=America/New_York:20261207T113000",
            "RRULE:FREQ=WEEKLY;UNTIL=20270301T000000Z",
            second,
            *lines,
        )
    )


def test_a_second_rule_that_ends_becomes_extra_dates_of_the_series(
    repo: TinyDBRepository,
) -> None:
    cancelled = "EXDATE;TZID=America/New_York:20270204T110000"
    data = two_rules("RRULE:FREQ=MONTHLY;BYDAY=1TH;COUNT=3", cancelled)
    made = imported(repo, data)
    stored = meeting(repo)
    assert stored.rrule == "FREQ=WEEKLY;UNTIL=20270301T000000Z"
    assert [start.astimezone(NEW_YORK).date() for start in stored.extra_dates] == [
        date(2027, 1, 7),
        date(2027, 2, 4),
        date(2027, 3, 4),
    ]
    assert [change.original_start.date() for change in stored.exceptions] == [date(2027, 2, 4)]
    assert made.warnings == (
        "'One to one': its second RRULE (monthly 1st Thu, 3 times) is kept as 3 extra "
        "dates; a meeting repeats by one rule",
    )
    begin, end = datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 6, 1, tzinfo=UTC)
    assert occurrence_starts(stored, begin, end) == reference(data, begin, end)


def test_a_second_rule_without_end_becomes_two_years_of_extra_dates_and_says_so(
    repo: TinyDBRepository,
) -> None:
    data = two_rules("RRULE:FREQ=MONTHLY;BYMONTHDAY=15")
    made = imported(repo, data)
    # 23 of the 24 from 2026-12-15 on: the weekly rule gives Monday 2027-02-15 already.
    stored = meeting(repo)
    assert made.warnings == (
        "'One to one': its second RRULE (monthly on the 15th) repeats without end; its "
        "occurrences up to 2028-12-07 are kept as 23 extra dates",
    )
    begin, end = datetime(2026, 12, 1, tzinfo=UTC), datetime(2028, 12, 1, tzinfo=UTC)
    assert occurrence_starts(stored, begin, end) == reference(data, begin, end)


def test_a_second_rule_with_more_occurrences_than_a_series_keeps_is_refused_in_one_line(
    repo: TinyDBRepository,
) -> None:
    made = plan(repo, two_rules("RRULE:FREQ=DAILY;COUNT=5000"))
    assert made.count == 0
    assert made.preview_lines() == [
        "skipped 'One to one': its second RRULE gives more than 1000 occurrences, the most a "
        "series keeps as extra dates"
    ]


def test_an_occurrence_made_all_day_is_kept_as_the_hours_of_that_day_in_the_series_zone(
    repo: TinyDBRepository,
) -> None:
    # Thunderbird: one occurrence of a timed series turned into an all-day event.
    data = ics(
        *vevent(
            "SUMMARY:Stand-up",
            "DTSTART;TZID=America/New_York:20261207T090000",
            "DURATION:PT15M",
            "RRULE:FREQ=DAILY;COUNT=5",
        ),
        *vevent(
            "SUMMARY:Stand-up",
            "RECURRENCE-ID;TZID=America/New_York:20261209T090000",
            "DTSTART;VALUE=DATE:20261209",
            "DTEND;VALUE=DATE:20261210",
        ),
    )
    made = imported(repo, data)
    stored = meeting(repo)
    (change,) = stored.exceptions
    assert change.start == datetime(2026, 12, 9, 0, 0, tzinfo=NEW_YORK)
    assert change.duration_minutes == 24 * 60
    assert made.warnings == (
        "'Stand-up': the occurrence of Wed 2026-12-09 09:00 America/New_York was made all "
        "day; it is kept as the hours of that day (Wed 2026-12-09 00:00 America/New_York, 24 "
        "hours): one occurrence of a timed meeting cannot be all day",
    )
