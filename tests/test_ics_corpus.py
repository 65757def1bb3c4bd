"""Real invites from public calendar projects, imported and sent back out (issue 20).

``tests/data/ics/corpus/`` holds files that Outlook, Exchange, Google, Apple,
Thunderbird, Zimbra, Lotus Notes, Evolution, KOrganizer, GroupWise, SOGo and
Nextcloud wrote, taken from the test suites of calendar projects
(``SOURCES.md`` there names each file's origin and licence). For each one:

- the real import path (:func:`plan_import`) gives a plan or refuses in one
  line; nothing else escapes, not even a library's warning;
- where the result is known, the meetings imported meet at the instants that
  ``recurring_ical_events`` computes from the same file, and our own export of
  them is read by ``recurring_ical_events`` at those instants again;
- the invites we send about an imported meeting follow the rules of items 11
  to 13: a cancellation only for what the store holds as cancelled, every new
  message above every SEQUENCE sent before.

Every file whose events are all imported is compared, none marked as failing:
what the model cannot hold as the file writes it (a second RRULE, one
occurrence made all day) is imported in a stated way, checked here too.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar

from clientdesk.store import calendar
from clientdesk.store.ics import meeting_invite, project_feed
from clientdesk.store.ics_import import ImportPlan, apply_import, plan_import
from clientdesk.store.ics_reading import ImportRefused
from clientdesk.store.mail import NotSendable, checked_recurrence_id, record_sent
from clientdesk.store.models import Meeting, Project
from clientdesk.store.repository import TinyDBRepository
from tests.helpers.ui import FIXED_NOW

CORPUS = Path(__file__).parent / "data" / "ics" / "corpus"
FILES = sorted(path.name for path in CORPUS.glob("*.ics"))
HOME = "Europe/Berlin"
"""The project's zone: floating times in a file are read in it, by us and by the reference."""

Instant = datetime | date
"""A start as the tests compare it: a UTC instant, or the day of an all-day event."""

KNOWN_INSTANTS = {
    "apple_ical2_exdate.ics",
    "apple_ical3_allday_weekly.ics",
    "apple_iphone_structured_location.ics",
    "cdo_pacific_tijuana.ics",
    "evolution_arabian_allday_html.ics",
    "exchange2010_eastern_standard_time.ics",
    "exchange2010_pacific_request.ics",
    "exchange2010_w_europe_daily.ics",
    "google_allday_weekdays.ics",
    "google_birthday_rdate_date.ics",
    "google_daily.ics",
    "google_feed_dst_moves.ics",
    "google_lisbon_html_video_link.ics",
    "groupwise7.ics",
    "khal_allday_rdate.ics",
    "korganizer_yearly_allday.ics",
    "lotus_notes6_eastern_2005.ics",
    "nextcloud_yearly_allday.ics",
    "outlook2003_standup_sydney.ics",
    "outlook2007_holidays_allday.ics",
    "outlook2007_html_description.ics",
    "outlook2007_kuala_lumpur_weekly.ics",
    "radicale_rrule_rdate.ics",
    "sogo3_geo.ics",
    "teams_weekly_w_europe.ics",
    "thunderbird_allday_override.ics",
    "thunderbird_london_historic_zone.ics",
    "thunderbird_moved.ics",
    "thunderbird_occurrence_made_allday.ics",
    "zimbra_monthly_rdate_override.ics",
    "zimbra_two_rrules.ics",
}
"""Files whose every event we import: their occurrences must be the reference's.

Left out, each for a reason: ``cdo_rrule_spaces.ics`` (the reference cannot
read its RRULE: that is item 5), ``exchange2010_allday_moved.ics`` (the
reference ends an all-day series at a UTC UNTIL read in UTC, one occurrence
early for London; its moves are checked below), ``groupwise_german_zone_name.ics``
(a zone that matches no real one) and ``lotus_notes6_rdate_period_update.ics``
(an update for a series not in the project).
"""

# -- reading the files ---------------------------------------------------------------------


@pytest.fixture
def project(repo: TinyDBRepository) -> Project:
    """PORTAL, a project in Berlin whose organiser sends the invites."""
    return repo.add(
        Project(
            name="Portal",
            key="PORTAL",
            timezone=HOME,
            organiser_name="Pat PM",
            organiser_email="pat@agency.example",
        )
    )


def corpus_file(name: str) -> bytes:
    """The bytes of one corpus file, as a client's mail would hand them over."""
    return (CORPUS / name).read_bytes()


def plan(repo: TinyDBRepository, data: bytes) -> ImportPlan:
    """The plan of importing ``data`` into PORTAL, at the tests' fixed time."""
    snapshot = repo.snapshot()
    return plan_import(data, snapshot.project("PORTAL"), snapshot, now=FIXED_NOW)


def imported(repo: TinyDBRepository, name: str) -> list[Meeting]:
    """Import corpus file ``name`` into PORTAL; the meetings saved."""
    saved = apply_import(repo, plan(repo, corpus_file(name)))
    return [record for record in saved if isinstance(record, Meeting)]


def instant(start: datetime | date) -> Instant:
    """A DTSTART as compared here: a UTC instant (floating times in the home zone), or a day."""
    if not isinstance(start, datetime):
        return start
    if start.tzinfo is None:
        start = start.replace(tzinfo=ZoneInfo(HOME))
    return start.astimezone(UTC)


def as_moment(value: Instant) -> datetime:
    """A day as its UTC midnight, so days and instants can be put in one window."""
    if isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


_ZONED_DATE = re.compile(rb"^(RDATE|EXDATE):(\d{8})Z(\r?)$", re.MULTILINE)


def as_the_import_reads(data: bytes) -> bytes:
    """``data`` as clientdesk reads it, for the reference, which refuses what clientdesk allows.

    An extra or excluded date written with a stray UTC mark (``RDATE:20131210Z``,
    as Google writes birthdays) is the date.
    """
    return _ZONED_DATE.sub(rb"\1;VALUE=DATE:\2\3", data)


def reference_starts(data: bytes, begin: datetime, end: datetime) -> set[Instant]:
    """The starts ``recurring_ical_events`` finds in ``data`` between ``begin`` and ``end``.

    Cancelled events are left out: a calendar does not show them. An occurrence
    of a timed series made all day (a DATE start, a RECURRENCE-ID with a time)
    starts at the start of its day in the series' zone: a meeting's occurrence
    cannot be all day on its own, so clientdesk keeps it as that day's 24 hours.
    """
    found: set[Instant] = set()
    for parsed in Calendar.from_ical(as_the_import_reads(data), multiple=True):
        for event in recurring_ical_events.of(parsed).between(begin, end):
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            start = event["DTSTART"].dt
            series_time = getattr(event.get("RECURRENCE-ID"), "dt", None)
            if not isinstance(start, datetime) and isinstance(series_time, datetime):
                where = series_time.tzinfo or ZoneInfo(HOME)
                start = datetime.combine(start, time(0), where)
            found.add(instant(start))
    return found


def our_starts(meetings: Iterable[Meeting], begin: datetime, end: datetime) -> set[Instant]:
    """The starts of the imported meetings' occurrences between ``begin`` and ``end``."""
    found: set[Instant] = set()
    for meeting in meetings:
        for occurrence in calendar.occurrences(meeting, begin, end):
            if meeting.all_day:
                found.add(occurrence.start.astimezone(ZoneInfo(meeting.timezone)).date())
            else:
                found.add(occurrence.start.astimezone(UTC))
    return found


def first_start(data: bytes) -> datetime:
    """The earliest DTSTART of the file's events."""
    starts = [
        as_moment(instant(event["DTSTART"].dt))
        for parsed in Calendar.from_ical(data, multiple=True)
        for event in parsed.walk("VEVENT")
        if "DTSTART" in event
    ]
    return min(starts)


def inside(starts: set[Instant], begin: datetime, end: datetime) -> set[Instant]:
    """The starts from ``begin`` (inclusive) to ``end`` (exclusive)."""
    return {start for start in starts if begin <= as_moment(start) < end}


# -- every file: a plan or one line --------------------------------------------------------


def test_the_corpus_is_there_with_its_sources() -> None:
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    assert 20 <= len(FILES) <= 40
    for name in FILES:
        assert f"| `{name}` |" in sources, f"{name} has no line in SOURCES.md"


@pytest.mark.parametrize("name", FILES)
def test_every_file_imports_or_is_refused_in_one_line(
    repo: TinyDBRepository, project: Project, name: str
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            made = plan(repo, corpus_file(name))
        except ImportRefused as refused:
            line = str(refused)
            assert line and "\n" not in line and "Traceback" not in line
            return
    assert [str(warning.message) for warning in caught] == []
    for line in made.preview_lines():
        assert line and "\n" not in line
    apply_import(repo, made)


# -- the instants -------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(KNOWN_INSTANTS))
def test_imported_occurrences_meet_when_the_reference_says_and_so_does_our_export(
    repo: TinyDBRepository, project: Project, name: str
) -> None:
    data = corpus_file(name)
    first = first_start(data)
    # A year from the first event; the window is wider than the years compared,
    # so that an event running over its edge counts the same on both sides.
    begin, end = first - timedelta(days=1), first + timedelta(days=366)
    wide_begin, wide_end = begin - timedelta(days=3), end + timedelta(days=3)
    expected = inside(reference_starts(data, wide_begin, wide_end), begin, end)

    meetings = imported(repo, name)
    ours = inside(our_starts(meetings, wide_begin, wide_end), begin, end)
    assert expected, "the reference finds no event: the window is wrong"
    assert sorted(ours, key=as_moment) == sorted(expected, key=as_moment)

    feed = project_feed(meetings, repo.snapshot().project("PORTAL"), now=FIXED_NOW)
    read_back = inside(reference_starts(feed, wide_begin, wide_end), begin, end)
    assert sorted(read_back, key=as_moment) == sorted(expected, key=as_moment)


def test_an_exchange_all_day_series_keeps_its_moves_at_local_midnight(
    repo: TinyDBRepository, project: Project
) -> None:
    # Item 3: the RECURRENCE-IDs are local midnight in "GMT Standard Time".
    meetings = imported(repo, "exchange2010_allday_moved.ics")
    black_bin = next(m for m in meetings if m.title == "Refuse black bin")
    assert black_bin.all_day
    moved = {
        change.original_start.astimezone(ZoneInfo(black_bin.timezone)).date(): (
            change.start.astimezone(ZoneInfo(black_bin.timezone)).date() if change.start else None
        )
        for change in black_bin.exceptions
    }
    assert moved == {
        date(2020, 4, 16): date(2020, 4, 17),
        date(2020, 5, 28): date(2020, 5, 29),
        date(2020, 9, 3): date(2020, 9, 4),
    }


def test_what_the_model_cannot_hold_as_written_is_said_in_one_preview_line(
    repo: TinyDBRepository, project: Project
) -> None:
    # Zimbra's second RRULE becomes extra dates; Thunderbird's occurrence made all day
    # becomes that day's hours. Their instants are checked against the reference above.
    zimbra = plan(repo, corpus_file("zimbra_two_rrules.ics")).preview_lines()
    thunderbird = plan(repo, corpus_file("thunderbird_occurrence_made_allday.ics")).preview_lines()
    assert zimbra[-1] == (
        "warning: 'sahaja <> frashed': its second RRULE (monthly Sun until 2012-07-29) is kept "
        "as 18 extra dates; a meeting repeats by one rule"
    )
    assert thunderbird[-1] == (
        "warning: 'New Event': the occurrence of Sun 2019-03-10 02:00 Europe/Berlin was made "
        "all day; it is kept as the hours of that day (Sun 2019-03-10 00:00 Europe/Berlin, "
        "24 hours): one occurrence of a timed meeting cannot be all day"
    )


# -- what goes back out about an imported meeting (items 11 to 13) -----------------------------


def test_invites_about_an_imported_series_follow_the_store_and_never_go_back_in_sequence(
    repo: TinyDBRepository, project: Project
) -> None:
    (series,) = imported(repo, "outlook2007_kuala_lumpur_weekly.ics")
    first = calendar.occurrences(series, series.start, series.start + timedelta(days=60))
    second, third = first[1].original_start, first[2].original_start

    # Item 11: no cancellation for an occurrence the store still holds.
    with pytest.raises(NotSendable, match="is not cancelled: cancel it first"):
        checked_recurrence_id(series, second, cancel=True)

    def sent_out(meeting: Meeting, *, cancel: bool = False, at: datetime | None = None) -> int:
        payload = meeting_invite(meeting, project, now=FIXED_NOW, cancel=cancel, recurrence_id=at)
        (number,) = {int(event["SEQUENCE"]) for event in Calendar.from_ical(payload).walk("VEVENT")}
        saved = repo.update(
            record_sent(
                meeting,
                method="CANCEL" if cancel else "REQUEST",
                sequence=number,
                recipients=["ann@client.example"],
                now=FIXED_NOW,
                user="tester",
                recurrence_id=at,
            )
        )
        assert isinstance(saved, Meeting)
        return number

    numbers = [sent_out(series)]
    cancelled = repo.update(calendar.cancel_occurrence(repo_meeting(repo, series), second))
    assert isinstance(cancelled, Meeting)
    assert checked_recurrence_id(cancelled, second, cancel=True) == second
    numbers.append(sent_out(cancelled, cancel=True, at=second))
    numbers.append(sent_out(repo_meeting(repo, series)))
    numbers.append(sent_out(repo_meeting(repo, series), at=third))
    # Item 12: every message newer than every one before it.
    assert numbers == sorted(set(numbers)) and len(numbers) == 4

    # The last series invite, read by the reference: the cancelled occurrence is gone.
    latest = meeting_invite(repo_meeting(repo, series), project, now=FIXED_NOW)
    window = (series.start - timedelta(days=1), series.start + timedelta(days=60))
    expected = {occurrence.start.astimezone(UTC) for occurrence in first}
    expected.discard(second.astimezone(UTC))
    assert inside(reference_starts(latest, *window), *window) == {
        start for start in expected if start < window[1]
    }


def repo_meeting(repo: TinyDBRepository, meeting: Meeting) -> Meeting:
    """``meeting`` as the data file holds it now."""
    found = repo.snapshot().get(Meeting, meeting.id)
    assert found is not None
    return found


# -- what the import makes of the vendors' quirks (items 7 and 10) -------------------------


@pytest.mark.parametrize(
    ("name", "zones"),
    [
        ("outlook2003_standup_sydney.ics", {"Australia/Sydney", "Australia/Canberra"}),
        ("outlook2007_kuala_lumpur_weekly.ics", {"Asia/Kuala_Lumpur", "Asia/Singapore"}),
        ("cdo_pacific_tijuana.ics", {"America/Los_Angeles", "America/Tijuana"}),
        ("exchange2010_eastern_standard_time.ics", {"America/New_York"}),
        ("exchange2010_pacific_request.ics", {"America/Los_Angeles"}),
        ("exchange2010_w_europe_daily.ics", {"Europe/Berlin"}),
        ("evolution_arabian_allday_html.ics", {"Asia/Dubai"}),
        ("lotus_notes6_eastern_2005.ics", {"America/New_York"}),
    ],
)
def test_a_vendor_zone_name_becomes_the_zone_it_names(
    repo: TinyDBRepository, project: Project, name: str, zones: set[str]
) -> None:
    # Item 7: the zone goes out again in every invite we send about the meeting,
    # so it must be the one the client meant, not any zone with the same offsets.
    (meeting,) = imported(repo, name)
    assert meeting.timezone in zones


def test_a_video_link_only_in_an_html_description_becomes_the_meetings_link(
    repo: TinyDBRepository, project: Project
) -> None:
    # Item 10: Google wrote the conference link as HTML in DESCRIPTION.
    (meeting,) = imported(repo, "google_lisbon_html_video_link.ics")
    assert meeting.video_link.startswith("https://videoconf-colibri.zoom.us/j/93800310242")
    texts = [item.title for item in meeting.agenda] + [meeting.location]
    assert not any("<" in text or "&nbsp;" in text for text in texts)
