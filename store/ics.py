"""iCalendar export: invites, cancellations and the project feed (RFC 5545 / RFC 5546).

Everything is built with the ``icalendar`` library, which escapes text
(``,`` ``;`` ``\\`` and line breaks), folds lines at 75 octets without
splitting a UTF-8 sequence and ends every line with CRLF. This module decides
what goes into the objects:

- **UID** is :attr:`Meeting.uid`; a series and its overrides share it.
- **SEQUENCE** (see :func:`outgoing_sequence`): every message for a UID
  carries a SEQUENCE above every one sent before it (RFC 5546, MS-OXOCAL),
  whatever it is about (the series, one occurrence, an invite or a
  cancellation). It starts from the meeting's own (the repository raises it
  on every change the attendees must see); a cancellation the store already
  holds was counted by its saving, one written ahead of saving it takes
  ``sequence + 1``, the number the store gives it when the cancel is saved.
  When that is not above the highest SEQUENCE in :attr:`Meeting.sent`, the
  message gets one more than the highest, except an exact repeat of the
  last message sent (same method, same occurrence, nothing the attendees see
  changed since), which keeps its number: it says nothing new.
- **STATUS**: ``TENTATIVE`` for a draft (not yet confirmed to the client),
  ``CONFIRMED`` for scheduled, held and minuted, ``CANCELLED`` for a
  cancelled meeting or occurrence.
- **Feed** (``METHOD:PUBLISH``): every meeting of the project, cancelled ones
  kept with ``STATUS:CANCELLED`` so that a subscriber who saw them learns
  they are off. It has no ``ATTENDEE`` lines: RFC 5546 (3.2.1) does not allow
  them in PUBLISH, and a feed is often shared further than the invitees.
- **VTIMEZONE** in the form Outlook and Google write (see
  :func:`timezone_component`), never ``icalendar``'s ``add_missing_timezones()``.

No Textual here.
"""

from __future__ import annotations

import calendar as monthdays
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import (
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vRecur,
    vUri,
)

from clientdesk import __version__
from clientdesk.store import calendar, meeting_dates
from clientdesk.store.calendar import Occurrence
from clientdesk.store.clock import zone
from clientdesk.store.enums import RSVP, AttendeeRole, MeetingStatus
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.models import AgendaItem, Meeting, Project, video_link_problem

PRODID = f"-//clientdesk//clientdesk {__version__}//EN"
"""The PRODID of every calendar clientdesk writes."""

OPEN_SERIES_YEARS = 10
"""How many years of an endless series the time-zone rules are checked for."""

_PARTSTAT = {
    RSVP.NEEDS_ACTION: "NEEDS-ACTION",
    RSVP.ACCEPTED: "ACCEPTED",
    RSVP.TENTATIVE: "TENTATIVE",
    RSVP.DECLINED: "DECLINED",
}
_ROLE = {AttendeeRole.REQUIRED: "REQ-PARTICIPANT", AttendeeRole.OPTIONAL: "OPT-PARTICIPANT"}
_STATUS = calendar.INVITE_STATUS  # the store counts SEQUENCE by the same table
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s\"<>\\^`{|}]+")
_TIME_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE")


# -- text ------------------------------------------------------------------------------


def ics_text(text: str) -> str:
    """``text`` as iCalendar TEXT can carry it.

    RFC 5545 allows no control characters in a value except tab: line breaks
    become ``\\n`` (which icalendar escapes), any other control character,
    and lone surrogates, are left out.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        char for char in text if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cs")
    )


def agenda_text(agenda: Sequence[AgendaItem], video_link: str = "") -> str:
    """The agenda as numbered lines (presenter and minutes), then the video link.

    This is the DESCRIPTION of an invite, and reads as plain text in an e-mail.
    """
    lines: list[str] = []
    if agenda:
        lines.append("Agenda:")
        for number, item in enumerate(agenda, start=1):
            presenter = f" - {item.presenter}" if item.presenter else ""
            lines.append(f"{number}. {item.title}{presenter} ({item.minutes} min)")
    if video_link:
        if lines:
            lines.append("")
        lines.append(f"Join online: {video_link}")
    return "\n".join(lines)


# -- time zones ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Transition:
    """One change of a zone's UTC offset."""

    at: datetime  # the instant, in UTC
    before: timedelta
    after: timedelta
    name: str  # the abbreviation after it (TZNAME)

    @property
    def onset(self) -> datetime:
        """The wall-clock time it happens at, read in the offset before it (naive)."""
        return (self.at + self.before).replace(tzinfo=None)

    @property
    def into_daylight(self) -> bool:
        """True when the clocks go forward (the larger offset is the daylight one)."""
        return self.after > self.before


def _offset_at(tz: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(tz).utcoffset()
    assert offset is not None  # a ZoneInfo always knows its offset
    return offset


def _transitions(tz: ZoneInfo, year: int) -> list[_Transition]:
    """Every offset change of ``tz`` in ``year`` (UTC), found by scanning day by day."""
    found: list[_Transition] = []
    day = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    offset = _offset_at(tz, day)
    while day < end:
        following = day + timedelta(days=1)
        next_offset = _offset_at(tz, following)
        if next_offset != offset:
            # Bisect the day down to the second the offset changes.
            low, high = 0, 86_400
            while high - low > 1:
                middle = (low + high) // 2
                if _offset_at(tz, day + timedelta(seconds=middle)) == offset:
                    low = middle
                else:
                    high = middle
            at = day + timedelta(seconds=high)
            name = at.astimezone(tz).tzname() or ""
            found.append(_Transition(at, offset, next_offset, name))
            offset = next_offset
        day = following
    return found


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> int:
    """The day of the month of the ``nth`` ``weekday`` (-1: the last one)."""
    first_weekday, days = monthdays.monthrange(year, month)
    first = 1 + (weekday - first_weekday) % 7
    if nth > 0:
        return first + 7 * (nth - 1)
    return first + 7 * ((days - first) // 7)


def _yearly_rule(onsets: Sequence[_Transition]) -> dict[str, object] | None:
    """The yearly RRULE giving every one of ``onsets`` (one per year), or None.

    The day is tried as "last weekday of the month" and as "nth weekday"; the
    one that gives the right day in every year wins.
    """
    first = onsets[0].onset
    days_in_month = monthdays.monthrange(first.year, first.month)[1]
    nth = (first.day - 1) // 7 + 1
    candidates = ([-1] if first.day + 7 > days_in_month else []) + ([nth] if nth < 5 else [])
    same_shape = all(
        t.onset.month == first.month
        and t.onset.time() == first.time()
        and t.onset.weekday() == first.weekday()
        and (t.before, t.after, t.name) == (onsets[0].before, onsets[0].after, onsets[0].name)
        for t in onsets
    )
    if not same_shape:
        return None
    for candidate in candidates:
        if all(
            t.onset.day == _nth_weekday(t.onset.year, t.onset.month, t.onset.weekday(), candidate)
            for t in onsets
        ):
            return {
                "FREQ": "YEARLY",
                "BYMONTH": first.month,
                "BYDAY": f"{candidate}{_WEEKDAYS[first.weekday()]}",
            }
    return None


def _observance(
    kind: type[TimezoneStandard] | type[TimezoneDaylight],
    start: datetime,
    before: timedelta,
    after: timedelta,
    name: str,
) -> TimezoneStandard | TimezoneDaylight:
    part = kind()
    part.add("DTSTART", start)
    part.add("TZOFFSETFROM", before)
    part.add("TZOFFSETTO", after)
    if name:
        part.add("TZNAME", name)
    return part


def timezone_component(name: str, first_year: int, last_year: int) -> Timezone:
    """The VTIMEZONE of zone ``name`` for times from ``first_year`` to ``last_year``.

    Written the way Outlook and Google Calendar write it, because Outlook and
    ical.js read the offsets from the file, not from the zone's name: a zone
    whose rules repeat every year gets one DAYLIGHT and one STANDARD part, each
    with a DTSTART (the change in the year before ``first_year``, so that the
    parts are in force before the first meeting) and a yearly RRULE
    (``FREQ=YEARLY;BYMONTH=..;BYDAY=..``); a zone without daylight time gets
    one STANDARD part. The rule is derived from the zone's own transitions
    and checked against every year of the span.

    When the transitions do not follow one yearly rule over the span (the zone
    changed its rules, or has more than two changes a year), the parts list
    every change of the span as RDATEs instead: correct for the years covered,
    which is all a file about these meetings needs.
    """
    tz = zone(name)
    years = range(first_year - 1, last_year + 1)
    per_year = {year: _transitions(tz, year) for year in years}
    component = Timezone()
    component.add("TZID", name)
    everything = [t for year in years for t in per_year[year]]
    if not everything:
        start = datetime(years[0], 1, 1)
        offset = _offset_at(tz, start.replace(tzinfo=UTC))
        label = start.replace(tzinfo=UTC).astimezone(tz).tzname() or ""
        component.add_component(_observance(TimezoneStandard, start, offset, offset, label))
        return component
    if all(
        len(found) == 2 and found[0].into_daylight != found[1].into_daylight
        for found in per_year.values()
    ):
        daylight = [t for t in everything if t.into_daylight]
        standard = [t for t in everything if not t.into_daylight]
        daylight_rule, standard_rule = _yearly_rule(daylight), _yearly_rule(standard)
        if daylight_rule is not None and standard_rule is not None:
            for kind, onsets, rule in (
                (TimezoneDaylight, daylight, daylight_rule),
                (TimezoneStandard, standard, standard_rule),
            ):
                first = onsets[0]
                part = _observance(kind, first.onset, first.before, first.after, first.name)
                part.add("RRULE", vRecur(rule))
                component.add_component(part)
            return component
    return _listed_timezone(component, tz, years[0], everything)


def _listed_timezone(
    component: Timezone, tz: ZoneInfo, first_year: int, transitions: Sequence[_Transition]
) -> Timezone:
    # The rare zone without one yearly rule over the span: the offset in force
    # at the span's start, then every change as an RDATE of a part per kind.
    span_start = datetime(first_year, 1, 1, tzinfo=UTC)
    local = span_start.astimezone(tz)
    offset = _offset_at(tz, span_start)
    kind = TimezoneDaylight if local.dst() else TimezoneStandard
    component.add_component(
        _observance(kind, local.replace(tzinfo=None), offset, offset, local.tzname() or "")
    )
    groups: dict[tuple[bool, timedelta, timedelta, str], list[_Transition]] = {}
    for transition in transitions:
        key = (transition.into_daylight, transition.before, transition.after, transition.name)
        groups.setdefault(key, []).append(transition)
    for (daylight, before, after, name), found in groups.items():
        part = _observance(
            TimezoneDaylight if daylight else TimezoneStandard, found[0].onset, before, after, name
        )
        # One date per RDATE line: Mozilla's ical.js (Thunderbird) reads only
        # the first value of a line, and misplaces by an hour every occurrence
        # after a change it did not read.
        for transition in found[1:]:
            part.add("RDATE", transition.onset)
        component.add_component(part)
    return component


def _years(meeting: Meeting) -> tuple[int, int]:
    """The first and last year ``meeting`` has an occurrence in (endless: a decade on)."""
    local = meeting.start.astimezone(zone(meeting.timezone))
    first = last = local.year
    if meeting.rrule is not None:
        until, count = calendar.rule_end(meeting.rrule, timezone=meeting.timezone)
        if until is not None:
            last = until.year
        elif count is not None:
            last = list(calendar.series_rule(meeting.rrule, local))[-1].year
        else:
            last = first + OPEN_SERIES_YEARS
    moved = [c.start.astimezone(local.tzinfo).year for c in meeting.exceptions if c.start]
    moved += [extra.astimezone(local.tzinfo).year for extra in meeting.extra_dates]
    return min([first, *moved]), max([last, *moved])


def _timezones(calendar_object: Calendar, meetings: Iterable[Meeting]) -> list[Timezone]:
    """A VTIMEZONE for every TZID the events of ``calendar_object`` use."""
    used: set[str] = set()
    for event in calendar_object.walk("VEVENT"):
        for name in _TIME_PROPERTIES:
            values = event.get(name)
            for value in values if isinstance(values, list) else [values]:
                tzid = getattr(value, "params", {}).get("TZID") if value is not None else None
                if tzid:
                    used.add(str(tzid))
    spans: dict[str, tuple[int, int]] = {}
    for meeting in meetings:
        first, last = _years(meeting)
        low, high = spans.get(meeting.timezone, (first, last))
        spans[meeting.timezone] = (min(low, first), max(high, last))
    return [timezone_component(name, *spans[name]) for name in sorted(used)]


# -- events ----------------------------------------------------------------------------


def _organiser(meeting: Meeting, project: Project) -> tuple[str, str]:
    if meeting.organiser_email:
        return meeting.organiser_name, meeting.organiser_email
    return project.organiser_name, project.organiser_email


def _address(email: str, name: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = ics_text(name)
    return address


def _add_text(event: Event, name: str, text: str) -> None:
    cleaned = ics_text(text)
    if cleaned:
        event.add(name, cleaned)


def _base_event(
    meeting: Meeting,
    project: Project,
    *,
    now: datetime,
    sequence: int,
    invitees: bool,
) -> Event:
    """A VEVENT with what the series and its overrides share (UID, people, title)."""
    event = Event()
    event.add("UID", meeting.uid)
    event.add("DTSTAMP", now.astimezone(UTC))
    event.add("SEQUENCE", sequence)
    event.add("SUMMARY", ics_text(meeting.title))
    if _URI.fullmatch(meeting.video_link) and not video_link_problem(meeting.video_link):
        # A URI value is not escaped: only a link that is one goes here, and only a web
        # address (a file from before that rule may hold a javascript: link).
        event.add("URL", vUri(meeting.video_link))
    organiser_name, organiser_email = _organiser(meeting, project)
    if organiser_email:
        event.add("ORGANIZER", _address(organiser_email, organiser_name))
    if invitees:
        for attendee in meeting.attendees:
            address = _address(attendee.email, attendee.name)
            address.params["ROLE"] = _ROLE[attendee.role]
            address.params["PARTSTAT"] = _PARTSTAT[attendee.rsvp]
            address.params["RSVP"] = "TRUE"
            event.add("ATTENDEE", address)
    return event


def _moment(meeting: Meeting, moment: datetime) -> datetime | date:
    """A time as a VEVENT carries it: the date alone for an all-day meeting (VALUE=DATE).

    An all-day date has no TZID, so a calendar in any zone shows the same day:
    a time at 00:00 in the meeting's zone would be 18:00 the day before in New York.
    """
    if meeting.all_day:
        return moment.astimezone(zone(meeting.timezone)).date()
    return moment


def _add_when_and_where(
    event: Event,
    meeting: Meeting,
    start: datetime,
    end: datetime,
    location: str,
    agenda: Sequence[AgendaItem],
) -> None:
    event.add("DTSTART", _moment(meeting, start))
    event.add("DTEND", _moment(meeting, end))
    _add_text(event, "LOCATION", location or meeting.video_link)
    _add_text(event, "DESCRIPTION", agenda_text(agenda, meeting.video_link))


def _series_event(
    meeting: Meeting, project: Project, *, now: datetime, sequence: int, status: str, invitees: bool
) -> Event:
    """The VEVENT of the whole meeting: its first occurrence, RRULE and EXDATEs."""
    local = meeting.start.astimezone(zone(meeting.timezone))
    event = _base_event(meeting, project, now=now, sequence=sequence, invitees=invitees)
    if meeting.all_day:
        end = meeting_dates.all_day_end(
            local, meeting_dates.whole_days(meeting.duration_minutes), meeting.timezone
        )
    else:
        end = local + timedelta(minutes=meeting.duration_minutes)
    _add_when_and_where(event, meeting, local, end, meeting.location, meeting.agenda)
    event.add("STATUS", status)
    if meeting.rrule is not None:
        event.add("RRULE", _series_rule(meeting, local))
        # One date per RDATE line, as in VTIMEZONE: ical.js reads only a line's first value.
        for extra in meeting.extra_dates:
            event.add("RDATE", _moment(meeting, extra.astimezone(local.tzinfo)))
        cancelled = sorted(
            occurrence.original_start
            for occurrence in _changed_occurrences(meeting)
            if occurrence.cancelled
        )
        if cancelled:
            event.add("EXDATE", [_moment(meeting, moment) for moment in cancelled])
    return event


def _series_rule(meeting: Meeting, local_start: datetime) -> vRecur:
    """The RRULE as written: an all-day series' UNTIL is a DATE, as RFC 5545 wants.

    The store keeps UNTIL as a UTC time; for an all-day series that becomes the
    day of the last occurrence it allows, so no reader's zone adds or drops one.
    """
    assert meeting.rrule is not None
    rule: vRecur = vRecur.from_ical(calendar.normalise_rule(meeting.rrule))
    if meeting.all_day and rule.get("UNTIL"):
        until = rule["UNTIL"][0]
        if isinstance(until, datetime):
            last = calendar.series_rule(meeting.rrule, local_start).before(until, inc=True)
            rule["UNTIL"] = [(last or local_start).date()]
    return rule


def _changed_occurrences(meeting: Meeting) -> list[Occurrence]:
    """The occurrences of a series that differ from it (skipping entries it no longer has)."""
    found = (calendar.occurrence_at(meeting, c.original_start) for c in meeting.exceptions)
    return sorted(
        (occurrence for occurrence in found if occurrence is not None),
        key=lambda occurrence: occurrence.original_start,
    )


def _override_event(
    meeting: Meeting,
    project: Project,
    occurrence: Occurrence,
    *,
    now: datetime,
    sequence: int,
    status: str,
    invitees: bool,
) -> Event:
    """The VEVENT of one occurrence of a series (RECURRENCE-ID: where the series puts it)."""
    event = _base_event(meeting, project, now=now, sequence=sequence, invitees=invitees)
    event.add("RECURRENCE-ID", _moment(meeting, occurrence.original_start))
    _add_when_and_where(
        event, meeting, occurrence.start, occurrence.end, occurrence.location, occurrence.agenda
    )
    event.add("STATUS", status)
    return event


def _is_override(meeting: Meeting, occurrence: Occurrence) -> bool:
    # Only what a calendar shows differently needs an override: time, length,
    # place or agenda. Minutes and a held/minuted status are ours alone.
    series_length = timedelta(minutes=meeting.duration_minutes)
    if meeting.all_day:
        # Days of 23 or 25 hours are still one day each.
        same_length = occurrence.end == meeting_dates.all_day_end(
            occurrence.start, meeting_dates.whole_days(meeting.duration_minutes), meeting.timezone
        )
    else:
        same_length = occurrence.end - occurrence.start == series_length
    return not occurrence.cancelled and (
        occurrence.moved
        or not same_length
        or occurrence.location != meeting.location
        or occurrence.agenda != tuple(meeting.agenda)
    )


def _meeting_events(
    meeting: Meeting, project: Project, *, now: datetime, invitees: bool, sequence: int
) -> list[Event]:
    status = _STATUS[meeting.status]
    events = [
        _series_event(
            meeting, project, now=now, sequence=sequence, status=status, invitees=invitees
        )
    ]
    if meeting.rrule is not None:
        events += [
            _override_event(
                meeting,
                project,
                occurrence,
                now=now,
                sequence=sequence,
                status=_STATUS[occurrence.status],
                invitees=invitees,
            )
            for occurrence in _changed_occurrences(meeting)
            if _is_override(meeting, occurrence)
        ]
    return events


def _calendar(method: str, events: Sequence[Event], meetings: Sequence[Meeting]) -> Calendar:
    result = Calendar()
    result.add("PRODID", PRODID)
    result.add("VERSION", "2.0")
    result.add("CALSCALE", "GREGORIAN")
    result.add("METHOD", method)
    holder = Calendar()
    for event in events:
        holder.add_component(event)
    for timezone in _timezones(holder, meetings):
        result.add_component(timezone)
    for event in events:
        result.add_component(event)
    return result


def highest_sent_sequence(meeting: Meeting) -> int | None:
    """The highest SEQUENCE e-mailed for the meeting's UID (None: nothing sent yet).

    Kept in :attr:`Meeting.sent`, one entry per message the server took; that
    list already travels through conflicts, undo and "this and following",
    so the highest is read from it rather than kept twice.
    """
    return max((sent.sequence for sent in meeting.sent), default=None)


def _repeats_last_sending(
    meeting: Meeting, method: str, recurrence_id: datetime | None, highest: int
) -> bool:
    """True when a message would say again exactly what the last one sent said.

    Same method, same occurrence, and the meeting's SEQUENCE unchanged since
    (so nothing the attendees see has changed): sending the same file again,
    to an attendee whose server refused it or who lost it, is not news.
    A sending kept before ``meeting_sequence`` was recorded never counts as
    a repeat: a number too high is harmless, one too low is ignored.
    """
    if not meeting.sent:
        return False
    last = meeting.sent[-1]
    return (
        last.sequence == highest
        and last.method == method
        and last.recurrence_id == recurrence_id
        and last.meeting_sequence == meeting.sequence
    )


def outgoing_sequence(
    meeting: Meeting, *, cancel: bool = False, recurrence_id: datetime | None = None
) -> int:
    """The SEQUENCE of the next message for ``meeting`` (or one occurrence of it).

    The meeting's own SEQUENCE for an invite; for a cancellation the
    meeting's when the store already holds the cancellation (its saving
    raised it), one more when it does not yet. Then, so that every message
    for the UID is newer than every one before it: when that is not above
    the highest SEQUENCE already sent, one more than the highest, except for
    an exact repeat of the last message sent, which keeps its number.
    """
    if not cancel:
        start = meeting.sequence
    else:
        if recurrence_id is None:
            saved = meeting.status is MeetingStatus.CANCELLED
        else:
            occurrence = calendar.occurrence_at(meeting, recurrence_id)
            saved = occurrence is not None and occurrence.cancelled
        start = meeting.sequence if saved else meeting.sequence + 1
    highest = highest_sent_sequence(meeting)
    if highest is None or start > highest:
        return start
    method = "CANCEL" if cancel else "REQUEST"
    if _repeats_last_sending(meeting, method, recurrence_id, highest):
        return highest
    return highest + 1


def cancel_sequence(meeting: Meeting, recurrence_id: datetime | None = None) -> int:
    """The SEQUENCE a cancellation of ``meeting`` (or of one occurrence) carries.

    See :func:`outgoing_sequence`: the meeting's when the store already holds
    the cancellation (its saving raised the SEQUENCE), one more when it does
    not yet; and always above every message already sent, unless it repeats
    the last one.
    """
    return outgoing_sequence(meeting, cancel=True, recurrence_id=recurrence_id)


def is_cancellation(
    meeting: Meeting, *, cancel: bool = False, recurrence_id: datetime | None = None
) -> bool:
    """True when :func:`meeting_invite` writes a cancellation for these arguments.

    It does when asked to (``cancel``) and whenever the meeting, or the one
    occurrence asked for, is cancelled in the store: an invite for something
    cancelled would bring it back into the attendees' calendars.
    """
    if cancel or meeting.status is MeetingStatus.CANCELLED:
        return True
    if recurrence_id is None:
        return False
    return _one_occurrence(meeting, recurrence_id).cancelled


def _one_occurrence(meeting: Meeting, recurrence_id: datetime) -> Occurrence:
    if meeting.rrule is None:
        raise ValidationFailed(
            f"{meeting.key or meeting.title} is not a recurring meeting; leave out the occurrence",
            "recurrence_id",
        )
    occurrence = calendar.occurrence_at(meeting, recurrence_id)
    if occurrence is None:
        local = recurrence_id.astimezone(zone(meeting.timezone))
        raise ValidationFailed(
            f"{meeting.key or meeting.title} has no occurrence on {local:%Y-%m-%d %H:%M} "
            f"({meeting.timezone})",
            "recurrence_id",
        )
    return occurrence


def meeting_invite(
    meeting: Meeting,
    project: Project,
    *,
    now: datetime,
    cancel: bool = False,
    recurrence_id: datetime | None = None,
) -> bytes:
    """One meeting as an invite (``METHOD:REQUEST``) or a cancellation (``METHOD:CANCEL``).

    Args:
        meeting: the meeting (a one-off meeting or a whole series).
        project: its project (its organiser stands in when the meeting names none).
        now: the DTSTAMP.
        cancel: write a cancellation; a cancelled meeting (or occurrence) always
            gets one.
        recurrence_id: only this occurrence of a series (its original start):
            an override VEVENT with RECURRENCE-ID, or its cancellation.

    Returns:
        The ``.ics`` file's bytes (CRLF lines folded at 75 octets).

    Raises:
        ValidationFailed: no organiser e-mail on the meeting or the project, or
            ``recurrence_id`` is not an occurrence of the meeting.
    """
    if not _organiser(meeting, project)[1]:
        raise ValidationFailed(
            f"{meeting.key or meeting.title} has no organiser e-mail; "
            "set one on the meeting or the project",
            "organiser_email",
        )
    cancelling = is_cancellation(meeting, cancel=cancel, recurrence_id=recurrence_id)
    if recurrence_id is None:
        if cancelling:
            event = _series_event(
                meeting,
                project,
                now=now,
                sequence=cancel_sequence(meeting),
                status="CANCELLED",
                invitees=True,
            )
            events = [event]
        else:
            events = _meeting_events(
                meeting, project, now=now, invitees=True, sequence=outgoing_sequence(meeting)
            )
    else:
        occurrence = _one_occurrence(meeting, recurrence_id)
        sequence = outgoing_sequence(meeting, cancel=cancelling, recurrence_id=recurrence_id)
        status = "CANCELLED" if cancelling else _STATUS[occurrence.status]
        events = [
            _override_event(
                meeting,
                project,
                occurrence,
                now=now,
                sequence=sequence,
                status=status,
                invitees=True,
            )
        ]
    method = "CANCEL" if cancelling else "REQUEST"
    return bytes(_calendar(method, events, [meeting]).to_ical())


def _published_sequence(meeting: Meeting) -> int:
    """The SEQUENCE of a meeting in the feed: never below what its attendees were sent.

    A subscriber who also got the invites would take a feed entry numbered
    below the last invite for an old one, and ignore it.
    """
    return max(meeting.sequence, highest_sent_sequence(meeting) or 0)


def project_feed(meetings: Iterable[Meeting], project: Project, *, now: datetime) -> bytes:
    """Every meeting of ``project`` as one calendar to publish (``METHOD:PUBLISH``).

    Cancelled meetings stay in, with ``STATUS:CANCELLED``; attendees are left
    out (RFC 5546 allows none in PUBLISH). Meetings are in order of their (first) start.

    Args:
        meetings: the project's meetings.
        project: the project (its name is the calendar's name).
        now: the DTSTAMP.
    """
    chosen = sorted(meetings, key=lambda meeting: (meeting.start, meeting.key))
    events = [
        event
        for meeting in chosen
        for event in _meeting_events(
            meeting, project, now=now, invitees=False, sequence=_published_sequence(meeting)
        )
    ]
    feed = _calendar("PUBLISH", events, chosen)
    feed.add("X-WR-CALNAME", ics_text(f"{project.name} ({project.key})"))
    return bytes(feed.to_ical())


def calendar_resource(meeting: Meeting, project: Project, *, now: datetime) -> bytes:
    """One meeting as a CalDAV calendar object resource (RFC 4791 4.1): no METHOD.

    The VEVENTs and VTIMEZONEs an invite carries: the series with its RRULE,
    EXDATEs and overrides (one resource per UID), attendees with their answers,
    and a cancelled meeting with ``STATUS:CANCELLED``. Each ATTENDEE says
    ``SCHEDULE-AGENT=CLIENT`` (RFC 6638 7.1): clientdesk e-mails its invites
    itself, so a server that schedules (Nextcloud, Fastmail) must not send them
    again. The SEQUENCE is the feed's: never below what the attendees were sent.
    """
    events = _meeting_events(
        meeting, project, now=now, invitees=True, sequence=_published_sequence(meeting)
    )
    if meeting.status is MeetingStatus.CANCELLED:
        # The overrides of a series go with it: only the series says it is off.
        events = events[:1]
    for event in events:
        for address in _listed_values(event.get("ATTENDEE")):
            address.params["SCHEDULE-AGENT"] = "CLIENT"
    resource = _calendar("PUBLISH", events, [meeting])
    del resource["METHOD"]  # RFC 4791 4.1: a calendar object resource has none
    return bytes(resource.to_ical())


def _listed_values(value: object) -> list[vCalAddress]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]  # type: ignore[list-item]
