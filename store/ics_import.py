"""Reading a client's iCalendar file into a project's meetings: plan, preview, apply.

A client sends an invite (``METHOD:REQUEST``), an answer to ours (``REPLY``),
a cancellation (``CANCEL``) or a whole calendar (``PUBLISH``, or no METHOD).
:func:`plan_import` parses the file with icalendar and works out what would
change, one line per change for the preview, without writing anything;
:func:`apply_import` then saves the whole plan in one atomic batch.

The rules:

- Events are matched to meetings by UID (:attr:`Meeting.uid`: ours are
  ``<id>@clientdesk``, imported ones keep the client's in ``ical_uid``).
- A new UID becomes a new meeting: times in the zone of its TZID (IANA names,
  Windows ids and display names as Outlook and OWA write them, or a zone
  defined only by the file's VTIMEZONE, matched to the IANA zone with the same
  offsets: see :mod:`~clientdesk.store.ics_zones`), attendees with
  their role and answer, the organiser, RRULE (UNTIL made UTC), EXDATEs as
  cancelled occurrences and RECURRENCE-ID overrides as moved ones.
- A known UID changes its meeting only for a newer version: a SEQUENCE higher
  than the stored one; for a meeting imported from the client, also one
  higher than the client's version last imported (:attr:`Meeting.ical_sequence`;
  our own edits raise the stored one), or that version's SEQUENCE with a later
  DTSTAMP (:attr:`Meeting.ical_dtstamp`): RFC 5546 orders equal SEQUENCEs by
  DTSTAMP, and Thunderbird sends a change it deems minor so (the preview says
  "same SEQUENCE 0, later DTSTAMP …"). The meeting then keeps at least the
  client's SEQUENCE (see :meth:`Change.update`). What the team recorded stays:
  the agenda, the minutes and whatever an occurrence produced.
- ``REPLY`` sets the replying attendee's RSVP when it answers the time as it
  is: its SEQUENCE is at least the one at which the time (start, length, zone,
  recurrence) last changed (:attr:`Meeting.time_sequence`, kept by the
  store); an answer to an invite that only renamed the meeting or invited
  someone else still holds. ``CANCEL`` (or ``STATUS:CANCELLED``) cancels the
  meeting, or with a RECURRENCE-ID that one occurrence.

Choices a reader may look for:

- DESCRIPTION becomes a new meeting's agenda, one item per line (list markers
  stripped, no time allotted), up to the first separator line (the dashes or
  underscores before the "join the call" block Outlook and Google append, or
  the first line with a call's link); an update never replaces the team's
  agenda. A DESCRIPTION in HTML (Google's, Outlook's) is read as text first:
  a line per ``<br>``, paragraph or list item, entities read.
- An all-day event (a DATE value) becomes an all-day meeting
  (:attr:`Meeting.all_day`) of its days, kept in the project's zone, and goes
  out again as VALUE=DATE. A RECURRENCE-ID or EXDATE of an all-day series is
  matched by its date, whatever its time and zone (Exchange writes local
  midnight with a TZID of its own).
- Extra dates of a series (RDATE) are kept as occurrences of it
  (:attr:`Meeting.extra_dates`); an event with RDATEs and no RRULE becomes a
  series of one rule occurrence (``FREQ=DAILY;COUNT=1``) and its extra dates.
- A second RRULE (deprecated by RFC 5545, written by Zimbra) gives extra
  dates too: all of its occurrences when it ends, two years of them when it
  does not; the first RRULE stays the series' rule, and a preview line says
  what was kept.
- An occurrence of a timed series made all day (Thunderbird) is kept as the
  hours of that day in the series' zone, 24 at most, and said in the preview:
  a meeting is all day or not as a whole.
- A floating time (no zone) is read in the project's zone; a UTC time in the
  project's zone too, except for a series, which repeats in UTC as the client's
  calendar repeats it.
- Text is data: it is stored as it came (titles folded to one line by the
  model) and shown through :func:`~clientdesk.store.text.printable`, so the
  preview never carries markup effects or control characters to a terminal.
- The video link is, in this order: Teams' or Google's property; a Teams,
  Zoom, Google Meet or Webex link in the LOCATION (taken out of it), then in
  the DESCRIPTION (an ``<a href>`` too); the URL property; a LOCATION that is
  a link and nothing else (found in :mod:`~clientdesk.store.ics_text`, which
  also reads HTML descriptions and takes the agenda from them). It is kept
  only when it is a web address the model takes
  (:func:`~clientdesk.store.models.video_link_problem`); any other is
  left out of the meeting with a warning, as an attendee who is no e-mail
  address is.

A file from someone else's server is hostile ground: its limits, its shape
and its parsing are :mod:`~clientdesk.store.ics_reading`'s, and a zone that
only the file defines is matched in :mod:`~clientdesk.store.ics_zones`.

Malformed input (empty, not iCalendar, broken lines, cut short, too big, an
unknown time zone, an event without DTSTART or with a negative SEQUENCE,
binary data, no events) raises :class:`ImportRefused` before anything is
written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component, vRecur

from clientdesk.store import calendar, meeting_dates
from clientdesk.store.enums import RSVP, AttendeeRole, MeetingKind, MeetingStatus
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.ics_reading import (
    ImportRefused,
    ImportWatch,
    OutOfTime,
    components,
    one,
    out_of_time,
    parse_calendars,
    short,
    text_of,
    uid_hint,
)
from clientdesk.store.ics_text import agenda_titles, description_text, place_and_video_link
from clientdesk.store.ics_zones import FileZones, ZoneBudget
from clientdesk.store.models import (
    AgendaItem,
    Attendee,
    Contact,
    Meeting,
    Project,
    Record,
)
from clientdesk.store.repository import Repository
from clientdesk.store.snapshot import Snapshot, dump_record, validate_record
from clientdesk.store.text import printable
from clientdesk.store.write_rules import Change

MAX_AGENDA_ITEMS = 20
"""How many lines of a DESCRIPTION become agenda items at most."""

_TITLE_LIMIT = 200  # Meeting.title's max_length
_SHOWN_TITLE = 60  # how much of a title a preview line shows
_DEFAULT_MINUTES = 60
_YEARS = (1900, 2200)  # a meeting outside these years is a typo or a hostile file
_MAX_EXCEPTIONS = 1000  # per series; real ones have a few dozen
_DAY_MINUTES = 24 * 60
_METHODS = ("PUBLISH", "REQUEST", "REPLY", "CANCEL")
_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_ANSWERS = {
    "NEEDS-ACTION": RSVP.NEEDS_ACTION,
    "ACCEPTED": RSVP.ACCEPTED,
    "TENTATIVE": RSVP.TENTATIVE,
    "DECLINED": RSVP.DECLINED,
}
_ANSWER_TEXT = {
    RSVP.NEEDS_ACTION: "has not answered yet",
    RSVP.ACCEPTED: "accepted",
    RSVP.TENTATIVE: "accepted tentatively",
    RSVP.DECLINED: "declined",
}
_OPTIONAL_ROLES = ("OPT-PARTICIPANT", "NON-PARTICIPANT")
_NOT_PEOPLE = ("ROOM", "RESOURCE")
_KEPT_IN_OCCURRENCES = ("agenda", "status", "minutes", "decisions", "action_items")


@dataclass(frozen=True)
class PlannedChange:
    """One line of the preview: a change the import makes, or an event it skips.

    Attributes:
        description: what happens, one line, safe to print on a terminal.
        uid: the UID of the event it comes from.
        skipped: True when nothing is changed for it (``description`` says why).
    """

    description: str
    uid: str
    skipped: bool = False


@dataclass(frozen=True)
class ImportPlan:
    """What an import would change, before anything is written.

    Attributes:
        project: the project the meetings go to.
        entries: one per change or skipped event, in the file's order.
        changes: the records to save, one change per meeting (see :func:`apply_import`).
        warnings: what was read in a way worth knowing, or left out; one line each.
    """

    project: Project
    entries: tuple[PlannedChange, ...]
    changes: tuple[Change, ...]
    warnings: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        """How many changes the import makes (skipped events not counted)."""
        return sum(1 for entry in self.entries if not entry.skipped)

    def nothing_reason(self, shown: int = 3) -> str:
        """Why the import changes nothing, in one line: the first ``shown`` skips or warnings."""
        reasons = [e.description for e in self.entries if e.skipped] or list(self.warnings)
        if not reasons:
            return "nothing to import: the file changes nothing in this project"
        listed = reasons[:shown]
        if len(reasons) > shown:
            listed.append(f"and {len(reasons) - shown} more")
        return "nothing to import: " + " | ".join(listed)

    def preview_lines(self) -> list[str]:
        """The preview: one line per change or skipped event, then one per warning."""
        lines = [entry.description for entry in self.entries]
        return lines + [f"warning: {warning}" for warning in self.warnings]


_UNREADABLE = (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError)
"""What reading a hostile value can raise inside icalendar or dateutil (a value of the
wrong type, e.g. an UNTIL that is a time of day): the event is refused, never the app."""


def plan_import(
    data: bytes,
    project: Project,
    snapshot: Snapshot,
    *,
    now: datetime,
    should_stop: Callable[[], bool] | None = None,
) -> ImportPlan:
    """Work out what importing ``data`` into ``project`` would change; write nothing.

    Args:
        data: the file's bytes.
        project: the project the meetings go to.
        snapshot: the store as it is now (meetings are matched by UID).
        now: the current time (a zone defined only by the file is matched
            against the IANA zones over the years around it).
        should_stop: asked now and then while the plan is made (another
            thread's "cancel"); when it answers True the work stops.

    Returns:
        The plan: preview lines, the records to save, warnings.

    Raises:
        ImportRefused: the file cannot be imported (the message says why).
        ImportCancelled: ``should_stop`` answered True.
    """
    if project.is_closed:
        raise ImportRefused(f"project {project.key} is closed: reopen it to import meetings")
    calendars = parse_calendars(data)
    watch = ImportWatch(should_stop or (lambda: False))
    try:
        return _plan(calendars, project, snapshot, now, watch)
    except OutOfTime:
        raise out_of_time() from None


def _plan(
    calendars: list[Calendar],
    project: Project,
    snapshot: Snapshot,
    now: datetime,
    watch: ImportWatch,
) -> ImportPlan:
    watch.check()
    events: list[_Event] = []
    warnings: list[str] = []
    budget = ZoneBudget(watch)
    for vcalendar in calendars:
        method = str(vcalendar.get("METHOD", "") or "PUBLISH").strip().upper()
        if method not in _METHODS:
            raise ImportRefused(
                f"METHOD:{method} is not imported (only {', '.join(_METHODS)}); "
                "answer it in your mail program"
            )
        zones = FileZones(vcalendar, project.timezone, now, warnings, budget)
        reader = _EventReader(method, zones, project.timezone, warnings, now)
        for vevent in components(vcalendar, "VEVENT"):
            watch.check()
            try:
                events.append(reader.read(vevent))
            except _UNREADABLE as error:
                # ImportRefused is a StoreError, not a ValueError: it passes through.
                where = f"the event {uid_hint(vevent)}".rstrip()
                raise ImportRefused(f"{where} cannot be read: {short(error)}") from None
    if not events:
        names = {str(c.name) for cal in calendars for c in cal.subcomponents}
        others = sorted(names - {"VTIMEZONE"})
        holds = f" (only {', '.join(others)})" if others else ""
        raise ImportRefused(f"nothing to import: the file holds no events{holds}")
    planner = _Planner(project, snapshot, warnings, watch)
    for group in _by_uid(events):
        watch.check()
        planner.plan(group)
    return planner.result()


def apply_import(repository: Repository, plan: ImportPlan) -> list[Record]:
    """Save every change of ``plan`` in one batch: all of it or, on any error, nothing.

    Returns:
        The saved meetings (new ones with their keys).

    Raises:
        ConflictError: a meeting changed since the plan was made; nothing is written.
        StoreError: the store refused a change; nothing is written.
    """
    if not plan.changes:
        return []
    saved = repository.apply(plan.changes)
    return [record for record in saved if record is not None]


# -- events -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Guest:
    email: str
    name: str
    role: AttendeeRole
    answer: RSVP | None
    answer_text: str


@dataclass(frozen=True)
class _Event:
    """One VEVENT as read: times made aware, text taken as data."""

    method: str
    uid: str
    sequence: int
    title: str
    start: datetime | None
    timezone: str
    all_day: bool
    duration_minutes: int | None
    problem: str  # why it cannot become a meeting ("" when it can)
    end_given: bool  # False: no DTEND or DURATION (an hour is assumed)
    location: str
    video_link: str
    description: str
    guests: tuple[_Guest, ...]
    organiser_name: str
    organiser_email: str
    rrule: str | None
    exdates: tuple[datetime, ...]
    recurrence_id: datetime | None
    cancelled: bool
    extra_dates: tuple[datetime, ...] = ()  # RDATE: occurrences besides the rule's
    dtstamp: datetime | None = None  # orders two versions of one SEQUENCE (RFC 5546)

    @property
    def label(self) -> str:
        """The event's title, quoted and shortened, for a preview line."""
        return _quoted(self.title)


def _quoted(title: str) -> str:
    shown = " ".join(title.split())
    if len(shown) > _SHOWN_TITLE:
        shown = shown[: _SHOWN_TITLE - 1] + "…"
    return f"'{shown}'"


class _EventReader:
    """Reads the VEVENTs of one VCALENDAR."""

    def __init__(
        self,
        method: str,
        zones: FileZones,
        project_zone: str,
        warnings: list[str],
        now: datetime,
    ):
        self.method = method
        self.zones = zones
        self.project_zone = project_zone
        self.warnings = warnings
        self.now = now

    def read(self, vevent: Component) -> _Event:
        uid = text_of(vevent, "UID")
        title = " ".join(text_of(vevent, "SUMMARY").split()) or "(no title)"
        recurrence_id = self._moment(vevent, "RECURRENCE-ID")
        if recurrence_id is not None:
            rid_prop = one(vevent, "RECURRENCE-ID")
            if str(rid_prop.params.get("RANGE", "")).upper() == "THISANDFUTURE":
                self.warnings.append(
                    f"{_quoted(title)}: a change to 'this and all following' occurrences "
                    "was read as a change to that one occurrence"
                )
        start_prop = one(vevent, "DTSTART")
        needs_start = self.method in ("REQUEST", "PUBLISH")
        if start_prop is None and needs_start:
            raise ImportRefused(f"the event {_quoted(title)} has no start (DTSTART)")
        start, timezone, all_day = (None, self.project_zone, False)
        if start_prop is not None:
            start, timezone, all_day = self._when(start_prop, title)
        duration, problem = (None, "")
        if start is not None and not _YEARS[0] <= start.year <= _YEARS[1]:
            problem = f"it starts in the year {start.year}"
        elif start is not None:
            duration, problem = self._duration(vevent, start, all_day, title)
        exdates = self._exdates(vevent)
        if len(exdates) > _MAX_EXCEPTIONS:
            problem = f"it has more than {_MAX_EXCEPTIONS} excluded dates"
        rrule, rule_problem = (None, "")
        if start is not None and not problem:
            rrule, rule_problem = self._rule(vevent, start, timezone)
        if rrule is not None and start is not None and start.tzinfo is UTC:
            timezone = "UTC"  # a UTC series repeats at the same UTC time, as the client's does
        description, links = description_text(text_of(vevent, "DESCRIPTION"))
        location, video = place_and_video_link(vevent, _quoted(title), links, self.warnings)
        organiser = one(vevent, "ORGANIZER")
        organiser_name, organiser_email = "", ""
        if organiser is not None:
            organiser_email = _address(organiser)
            organiser_name = " ".join(str(organiser.params.get("CN", "")).split())
        extra_dates: list[datetime] = []
        if start is not None and not problem:
            if vevent.get("RDATE") is not None:
                extra_dates = self._extra_dates(vevent, start, timezone, all_day, title)
            if rrule is not None:
                # A second RRULE (Zimbra's) gives extra dates too.
                more, rule_problem = self._later_rules(
                    vevent, start, timezone, all_day, rrule, title
                )
                extra_dates = sorted({*extra_dates, *more})
            if len(extra_dates) > meeting_dates.MAX_EXTRA_DATES:
                problem = f"it has more than {meeting_dates.MAX_EXTRA_DATES} extra dates"
            elif extra_dates and rrule is None and not rule_problem:
                rrule = _ONE_OCCURRENCE  # its DTSTART, then its extra dates
            if extra_dates and rrule is not None:
                extra_dates = _not_in_rule(extra_dates, start, rrule, timezone)
        status = text_of(vevent, "STATUS").upper()
        return _Event(
            method=self.method,
            uid=uid,
            sequence=self._sequence(vevent, title),
            title=title,
            start=start,
            timezone=timezone,
            all_day=all_day,
            duration_minutes=duration,
            problem=problem or rule_problem,
            end_given=all_day or "DTEND" in vevent or "DURATION" in vevent,
            location=location,
            video_link=video,
            description=description,
            guests=tuple(self._guests(vevent, title)),
            organiser_name=organiser_name,
            organiser_email=organiser_email,
            rrule=rrule,
            exdates=tuple(exdates),
            recurrence_id=recurrence_id,
            cancelled=self.method == "CANCEL" or status == "CANCELLED",
            extra_dates=tuple(extra_dates),
            dtstamp=self._dtstamp(vevent),
        )

    def _sequence(self, vevent: Component, title: str) -> int:
        value = one(vevent, "SEQUENCE")
        try:
            sequence = int(value) if value is not None else 0
        except (TypeError, ValueError):
            return 0
        if sequence < 0:
            # Updates are ordered by SEQUENCE: a negative one is no version of anything.
            raise ImportRefused(
                f"the event {_quoted(title)} has SEQUENCE {sequence}; a SEQUENCE is a whole "
                "number, 0 or more"
            )
        return sequence

    def _when(self, prop: Any, title: str) -> tuple[datetime, str, bool]:
        """A DTSTART-like value as an aware time, the zone it is in, and whether it is a date."""
        value = getattr(prop, "dt", None)
        tzid = prop.params.get("TZID")
        if isinstance(value, datetime):
            if tzid:
                name = self.zones.name(str(tzid))
                return value.replace(tzinfo=ZoneInfo(name)), name, False
            if value.tzinfo is not None:
                return value.astimezone(UTC), self.project_zone, False
            return value.replace(tzinfo=ZoneInfo(self.project_zone)), self.project_zone, False
        if isinstance(value, date):
            # All day: the day in the project's zone, and an all-day meeting goes out
            # again as a DATE, without a zone.
            return meeting_dates.day_start(value, self.project_zone), self.project_zone, True
        raise ImportRefused(f"the event {_quoted(title)} has a start that is no date or time")

    def _moment(self, vevent: Component, name: str) -> datetime | None:
        prop = one(vevent, name)
        if prop is None:
            return None
        moment, _, _ = self._when(prop, text_of(vevent, "SUMMARY"))
        return moment

    def _duration(
        self, vevent: Component, start: datetime, all_day: bool, title: str
    ) -> tuple[int | None, str]:
        end = self._moment(vevent, "DTEND")
        length: timedelta | None = None
        if end is not None and all_day:
            # Counted in days: a day on which the clocks change is still one day.
            days = (end.date() - start.date()).days
            length = timedelta(days=days) if days >= 1 else end - start
        elif end is not None:
            length = end - start
        elif vevent.get("DURATION") is not None:
            length = getattr(one(vevent, "DURATION"), "dt", None)
            if not isinstance(length, timedelta):
                length = None
        if length is None:
            if all_day:
                return _DAY_MINUTES, ""
            return _DEFAULT_MINUTES, ""  # said in the preview when it becomes a meeting
        minutes = int(length.total_seconds() // 60)
        if minutes < 1:
            return None, "it ends at or before its start"
        if all_day:
            days = meeting_dates.whole_days(minutes)
            if days > meeting_dates.MAX_ALL_DAY_DAYS:
                most = meeting_dates.MAX_ALL_DAY_DAYS
                return None, f"it spans {days} days; an all-day meeting spans {most} at most"
            return days * _DAY_MINUTES, ""
        if minutes > _DAY_MINUTES:
            hours = minutes / 60
            return None, f"it lasts {hours:.0f} hours; a meeting lasts 24 hours at most"
        return minutes, ""

    def _rule(self, vevent: Component, start: datetime, timezone: str) -> tuple[str | None, str]:
        """The (first) RRULE as stored (UNTIL in UTC), or why it is refused."""
        rules = _listed(vevent.get("RRULE"))
        if not rules:
            return None, ""
        return _stored_rule(rules[0], start, timezone)

    def _later_rules(
        self,
        vevent: Component,
        start: datetime,
        timezone: str,
        all_day: bool,
        rrule: str,
        title: str,
    ) -> tuple[list[datetime], str]:
        """The occurrences of the RRULEs after the first, as extra dates; or why they are refused.

        RFC 5545 deprecates a second RRULE, but Zimbra writes one. A meeting has
        one rule and extra dates: the first rule stays the rule, and each other
        one gives extra dates (those the first rule does not give already). A
        rule that ends (COUNT or UNTIL) gives all of its occurrences; one that
        does not, those up to :data:`_LATER_RULE_YEARS` years from now (or from
        the start of a series that begins later). One preview line says which.
        """
        found: list[datetime] = []
        local_zone = ZoneInfo(timezone) if start.tzinfo is not UTC else UTC
        local_start = start.astimezone(local_zone)
        for number, value in enumerate(_listed(vevent.get("RRULE"))[1:], start=2):
            text, problem = _stored_rule(value, start, timezone, anchored=False)
            if text is None:
                return [], f"its {_ordinal(number)} RRULE: {problem}"
            ends = any(part.startswith(("COUNT=", "UNTIL=")) for part in text.split(";"))
            horizon = None if ends else _later_rule_horizon(max(local_start, self.now))
            dates: list[datetime] = []
            for moment in calendar.series_rule(text, local_start):
                if horizon is not None and moment > horizon:
                    break
                if len(dates) == meeting_dates.MAX_EXTRA_DATES:
                    return [], (
                        f"its {_ordinal(number)} RRULE gives more than "
                        f"{meeting_dates.MAX_EXTRA_DATES} occurrences, the most a series keeps "
                        "as extra dates"
                    )
                day = meeting_dates.day_start(moment.date(), timezone) if all_day else moment
                dates.append(day)
            dates = _not_in_rule(dates, start, rrule, timezone)
            found += dates
            how = calendar.describe_rule(text, timezone=timezone)
            kept = f"{len(dates)} extra date{'s' if len(dates) != 1 else ''}"
            if horizon is None:
                self.warnings.append(
                    f"{_quoted(title)}: its {_ordinal(number)} RRULE ({how}) is kept as {kept}; "
                    "a meeting repeats by one rule"
                )
            else:
                until = horizon.astimezone(local_zone)
                self.warnings.append(
                    f"{_quoted(title)}: its {_ordinal(number)} RRULE ({how}) repeats without end; "
                    f"its occurrences up to {until:%Y-%m-%d} are kept as {kept}"
                )
        return found, ""

    def _exdates(self, vevent: Component) -> list[datetime]:
        value = vevent.get("EXDATE")
        if value is None:
            return []
        found: list[datetime] = []
        for group in value if isinstance(value, list) else [value]:
            tzid = group.params.get("TZID")
            for item in getattr(group, "dts", []):
                moment = item.dt
                if isinstance(moment, datetime):
                    if tzid:
                        found.append(moment.replace(tzinfo=ZoneInfo(self.zones.name(str(tzid)))))
                    elif moment.tzinfo is not None:
                        found.append(moment.astimezone(UTC))
                    else:
                        found.append(moment.replace(tzinfo=ZoneInfo(self.project_zone)))
                elif isinstance(moment, date):
                    found.append(datetime.combine(moment, time(0), ZoneInfo(self.project_zone)))
        return found

    def _extra_dates(
        self, vevent: Component, start: datetime, timezone: str, all_day: bool, title: str
    ) -> list[datetime]:
        """The RDATEs of a series as starts in its zone (a period's start; its length is the
        series'). An all-day series takes each one's date; a timed one refuses a bare date."""
        value = vevent.get("RDATE")
        found: set[datetime] = set()
        refused = 0
        for group in value if isinstance(value, list) else [value]:
            tzid = group.params.get("TZID")
            for item in getattr(group, "dts", []):
                moment = item.dt
                if isinstance(moment, tuple):  # VALUE=PERIOD: a start and an end or length
                    moment = moment[0]
                if isinstance(moment, datetime):
                    if tzid:
                        moment = moment.replace(tzinfo=ZoneInfo(self.zones.name(str(tzid))))
                    elif moment.tzinfo is None:
                        moment = moment.replace(tzinfo=ZoneInfo(self.project_zone))
                    if all_day:
                        moment = meeting_dates.day_start(moment.date(), timezone)
                elif isinstance(moment, date) and all_day:
                    moment = meeting_dates.day_start(moment, timezone)
                else:
                    refused += 1
                    continue
                if not _YEARS[0] <= moment.year <= _YEARS[1]:
                    refused += 1
                    continue
                found.add(moment.astimezone(ZoneInfo(timezone)))
        if refused:
            self.warnings.append(
                f"{_quoted(title)}: {refused} extra date{'s' if refused != 1 else ''} (RDATE) "
                "left out (a date without a time for a timed meeting, or out of range)"
            )
        return sorted(found)

    def _dtstamp(self, vevent: Component) -> datetime | None:
        """When the sender made this version (DTSTAMP, in UTC); None when absent or no time."""
        value = getattr(one(vevent, "DTSTAMP"), "dt", None)
        if not isinstance(value, datetime):
            return None
        return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)

    def _guests(self, vevent: Component, title: str) -> Iterable[_Guest]:
        value = vevent.get("ATTENDEE")
        seen: set[str] = set()
        for address in value if isinstance(value, list) else [value] if value else []:
            params = address.params
            if str(params.get("CUTYPE", "")).upper() in _NOT_PEOPLE:
                continue  # a room or a projector: not someone to invite
            email = _address(address)
            try:
                Attendee(email=email)
            except ValueError:
                self.warnings.append(
                    f"{_quoted(title)}: attendee {short(email, 60)!r} left out "
                    "(not an e-mail address)"
                )
                continue
            if email.casefold() in seen:
                continue
            seen.add(email.casefold())
            answer_text = str(params.get("PARTSTAT", "")).upper()
            role = str(params.get("ROLE", "")).upper()
            yield _Guest(
                email=email,
                name=" ".join(str(params.get("CN", "")).split()),
                role=AttendeeRole.OPTIONAL if role in _OPTIONAL_ROLES else AttendeeRole.REQUIRED,
                answer=_ANSWERS.get(answer_text),
                answer_text=answer_text,
            )


def _stored_rule(
    value: Any, start: datetime, timezone: str, *, anchored: bool = True
) -> tuple[str | None, str]:
    """One RRULE value as stored (UNTIL in UTC), or why it is refused.

    ``anchored``: ``start`` must be an occurrence of it (of the first rule, not
    of a later one: DTSTART is an occurrence of the series once).
    """
    parts = {name: list(values) for name, values in dict(value).items()}
    if not parts.get("FREQ") or str(parts["FREQ"][0]).upper() not in _FREQUENCIES:
        return None, "it repeats more often than daily; a meeting repeats daily at most"
    local_zone = ZoneInfo(timezone) if start.tzinfo is not UTC else UTC
    until = parts.get("UNTIL")
    if until:
        end = until[0]
        if isinstance(end, datetime):
            end = end if end.tzinfo is not None else end.replace(tzinfo=local_zone)
        elif isinstance(end, date):
            end = datetime.combine(end, time(23, 59, 59), local_zone)
        else:
            return None, "not a valid RRULE: UNTIL is not a date"
        parts["UNTIL"] = [end.astimezone(UTC)]
    written = vRecur(parts).to_ical()  # type: ignore[no-untyped-call]
    text = calendar.normalise_rule(written.decode("utf-8"))
    if any(int(n) < 1 for n in parts.get("INTERVAL", [1])):
        return None, "not a valid RRULE: INTERVAL must be 1 or more"
    local_start = start.astimezone(local_zone)
    problem = calendar.rule_problem(text, local_start, anchored=anchored)
    if problem:
        return None, problem
    try:
        # dateutil takes some rules it cannot expand (BYDAY=+9MO): try the first one.
        first = calendar.series_rule(text, local_start).after(local_start, inc=True)
    except (ValueError, IndexError, OverflowError) as error:
        return None, f"not a valid RRULE: {short(error)}"
    if first is None:
        return None, "its RRULE gives no occurrence"
    return text, ""


def _listed(value: Any) -> list[Any]:
    """A property's values as a list: none, the one given, or every one given."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _ordinal(number: int) -> str:
    """``second``, ``third``, then ``4th``: which RRULE of an event a preview line means."""
    return {2: "second", 3: "third"}.get(number, f"{number}th")


_LATER_RULE_YEARS = 2
"""How many years of an endless RRULE after the first become extra dates."""


def _later_rule_horizon(since: datetime) -> datetime:
    """When the extra dates of an endless later RRULE stop: two years after ``since``."""
    try:
        return since.replace(year=since.year + _LATER_RULE_YEARS)
    except ValueError:  # 29 February
        return since.replace(year=since.year + _LATER_RULE_YEARS, day=28)


_ONE_OCCURRENCE = "FREQ=DAILY;COUNT=1"
"""The rule of an event that has extra dates (RDATE) but no RRULE: its DTSTART alone."""


def _not_in_rule(
    extra_dates: list[datetime], start: datetime, rrule: str, timezone: str
) -> list[datetime]:
    """The extra dates the rule does not give already (RFC 5545 counts such a date once)."""
    local = start.astimezone(ZoneInfo(timezone))
    rule = calendar.series_rule(rrule, local)
    return [moment for moment in extra_dates if rule.after(moment, inc=True) != moment]


def _address(value: object) -> str:
    text = str(value).strip()
    return text[len("mailto:") :].strip() if text.lower().startswith("mailto:") else text


def _by_uid(events: Iterable[_Event]) -> list[list[_Event]]:
    """The events grouped by UID, in the order their UIDs first appear."""
    groups: dict[str, list[_Event]] = {}
    loose: list[list[_Event]] = []
    for event in events:
        if not event.uid:
            loose.append([event])
        else:
            groups.setdefault(event.uid, []).append(event)
    return [*groups.values(), *loose]


# -- planning -----------------------------------------------------------------------------


@dataclass
class _Planner:
    """Turns groups of events into planned changes, one record per meeting."""

    project: Project
    snapshot: Snapshot
    warnings: list[str]
    watch: ImportWatch
    entries: list[PlannedChange] = field(default_factory=list)
    added: list[Meeting] = field(default_factory=list)
    updated: dict[str, Meeting] = field(default_factory=dict)
    new_uids: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.meetings = self.snapshot.of_project(Meeting, self.project.id)
        self.by_uid = {meeting.uid: meeting for meeting in self.meetings}
        self.contacts = {
            contact.email.casefold(): contact
            for contact in self.snapshot.of_project(Contact, self.project.id)
            if contact.email
        }

    def result(self) -> ImportPlan:
        changes = [Change.add(meeting) for meeting in self.added]
        changes += [
            Change.update(meeting, client_sequence=True) for meeting in self.updated.values()
        ]
        return ImportPlan(
            project=self.project,
            entries=tuple(self.entries),
            changes=tuple(changes),
            warnings=tuple(printable(w) for w in self.warnings),
        )

    # -- bookkeeping

    def _change(self, description: str, uid: str) -> None:
        self.entries.append(PlannedChange(printable(description), uid))

    def _skip(self, description: str, uid: str) -> None:
        self.entries.append(PlannedChange(printable(description), uid, skipped=True))

    def _find(self, uid: str) -> Meeting | None:
        """The meeting of ``uid`` as planned so far; None when the project has none."""
        meeting = self.by_uid.get(uid)
        if meeting is None:
            return None
        return self.updated.get(meeting.id, meeting)

    def _other_project(self, uid: str) -> str | None:
        """The key of another project whose meeting this UID is (ours: ``<id>@clientdesk``)."""
        meeting_id, _, domain = uid.partition("@")
        if domain != "clientdesk":
            return None
        meeting = self.snapshot.get(Meeting, meeting_id)
        if meeting is None or meeting.project_id == self.project.id:
            return None
        owner = self.snapshot.get(Project, meeting.project_id)
        return owner.key if owner else None

    def _not_here(self, event: _Event, what: str) -> None:
        other = self._other_project(event.uid)
        where = f"it is {other}'s meeting" if other else "no meeting in this project has its UID"
        self._skip(f"skipped {what} {event.label}: {where}".replace("  ", " "), event.uid)

    def _keep(self, meeting: Meeting) -> None:
        self.updated[meeting.id] = meeting

    # -- the methods

    def plan(self, group: list[_Event]) -> None:
        """Plan what one UID's events (a series and its overrides) change."""
        try:
            self._plan(group)
        except _UNREADABLE as error:
            # A last guard against dates and rules no calendar could hold (year 1,
            # year 9999): the event is skipped with the reason, the file still imports.
            self._skip(f"skipped {group[0].label}: it could not be read ({short(error)})", "")

    def _plan(self, group: list[_Event]) -> None:
        first = group[0]
        if not first.uid:
            self._skip(f"skipped {first.label}: it has no UID", "")
            return
        if first.uid in self.new_uids:
            # A second VCALENDAR in the file about an event the first one adds.
            self._skip(f"skipped {first.label}: its UID appears twice in the file", first.uid)
            return
        if first.method == "REPLY":
            for event in group:
                self._reply(event)
            return
        masters = [e for e in group if e.recurrence_id is None]
        overrides = [e for e in group if e.recurrence_id is not None]
        if len(overrides) > _MAX_EXCEPTIONS:
            self._skip(
                f"skipped {first.label}: more than {_MAX_EXCEPTIONS} changed occurrences",
                first.uid,
            )
            return
        if len(masters) > 1:
            masters.sort(key=lambda e: (e.sequence, e.dtstamp or _NO_DTSTAMP))
            self.warnings.append(
                f"{masters[-1].label}: the file holds {len(masters)} versions; "
                f"read the one of SEQUENCE {masters[-1].sequence}"
            )
        master = masters[-1] if masters else None
        if self._find(first.uid) is None and self._other_project(first.uid):
            self._not_here(first, "")  # our own invite of another project: not a new meeting
            return
        if first.method == "CANCEL":
            for event in [master] if master is not None else overrides:
                self._cancel(event)
            return
        if master is None:
            for event in overrides:
                self._occurrence(event)
        elif self._find(master.uid) is None:
            self._new(master, overrides)
        else:
            self._update(master, overrides)

    def _reply(self, event: _Event) -> None:
        meeting = self._find(event.uid)
        if meeting is None:
            self._not_here(event, "a reply to")
            return
        if not event.guests:
            self.warnings.append(f"{meeting.key}: a reply without an attendee; nothing to read")
            return
        timed_at = min(
            meeting.sequence,
            meeting.time_sequence if meeting.time_sequence is not None else meeting.sequence,
        )
        if event.sequence < timed_at:
            # An answer to a version of the invite at another time: it says nothing
            # about the meeting as it is now. One to an older invite whose time is
            # still the meeting's (only the title or the attendees changed since)
            # still holds.
            since = (
                f"the invite is at {meeting.sequence}"
                if timed_at == meeting.sequence
                else f"the time changed at SEQUENCE {timed_at}"
            )
            self._skip(
                f"skipped a reply to {meeting.key}: it answers SEQUENCE {event.sequence}, {since}",
                event.uid,
            )
            return
        attendees = list(meeting.attendees)
        answered = False
        for guest in event.guests:
            index = next(
                (
                    i
                    for i, a in enumerate(attendees)
                    if a.email.casefold() == guest.email.casefold()
                ),
                None,
            )
            if index is None:
                self.warnings.append(
                    f"{meeting.key}: a reply from {guest.email}, who is not invited; ignored"
                )
                continue
            attendee = attendees[index]
            who = attendee.name or guest.name or attendee.email
            if guest.answer is None:
                self.warnings.append(
                    f"{meeting.key}: {who} answered {guest.answer_text or 'nothing'}; "
                    "not an answer clientdesk keeps"
                )
                continue
            answer = _ANSWER_TEXT[guest.answer]
            if event.recurrence_id is not None:
                self.warnings.append(
                    f"{meeting.key}: {who} {answer} for {_when_text(event.recurrence_id, meeting)} "
                    "only; an answer per occurrence is not kept"
                )
                continue
            if attendee.rsvp is guest.answer:
                self._skip(f"skipped {meeting.key}: {who} {answer} already", event.uid)
                continue
            attendees[index] = attendee.model_copy(update={"rsvp": guest.answer})
            answered = True
            self._change(f"{meeting.key}: {who} {answer}", event.uid)
        if answered:
            self._keep(meeting.model_copy(update={"attendees": attendees}))

    def _cancel(self, event: _Event) -> None:
        meeting = self._find(event.uid)
        if meeting is None:
            self._not_here(event, "the cancellation of")
            return
        if event.sequence < meeting.sequence:
            self._skip(
                f"skipped the cancellation of {meeting.key}: SEQUENCE {event.sequence} is "
                f"older than {meeting.sequence}",
                event.uid,
            )
            return
        sequence = max(meeting.sequence, event.sequence)
        if event.recurrence_id is None:
            if meeting.status is MeetingStatus.CANCELLED:
                self._skip(f"skipped {meeting.key}: it is cancelled already", event.uid)
                return
            problem = calendar.meeting_move_problem(meeting.status, MeetingStatus.CANCELLED)
            if problem:
                self._skip(
                    f"skipped the cancellation of {meeting.key}: it was {meeting.status} already",
                    event.uid,
                )
                return
            update = {"status": MeetingStatus.CANCELLED, **_version_fields(event, sequence)}
            self._keep(meeting.model_copy(update=update))
            self._change(f"{meeting.key}: cancelled by the organiser", event.uid)
            return
        occurrence = calendar.occurrence_at(meeting, event.recurrence_id)
        when = _when_text(event.recurrence_id, meeting)
        if occurrence is None:
            self._skip(
                f"skipped the cancellation of {meeting.key} on {when}: no such occurrence",
                event.uid,
            )
            return
        if occurrence.cancelled:
            self._skip(f"skipped {meeting.key} on {when}: it is cancelled already", event.uid)
            return
        cancelled = calendar.cancel_occurrence(meeting, event.recurrence_id)
        self._keep(cancelled.model_copy(update=_version_fields(event, sequence)))
        self._change(f"{meeting.key}: {when} cancelled by the organiser", event.uid)

    def _not_newer(self, meeting: Meeting, event: _Event) -> bool:
        """True (and the event skipped, saying why) when ``event`` is no newer version.

        A version is newer than the meeting with a higher SEQUENCE than it. Of a
        meeting that is the client's (imported: ``ical_uid``), also with a
        higher SEQUENCE than the client's version last imported (our own edits
        raise the meeting's), or with that version's SEQUENCE and a later
        DTSTAMP: RFC 5546 orders equal SEQUENCEs by DTSTAMP, and Thunderbird
        sends a change it deems minor with the SEQUENCE unchanged.
        """
        if _newness(meeting, event):
            return False
        taken = meeting.ical_sequence if meeting.ical_sequence is not None else meeting.sequence
        taken = taken if meeting.ical_uid is not None else meeting.sequence
        self._skip(
            f"skipped {event.label}: SEQUENCE {event.sequence} is not newer than "
            f"{taken} ({meeting.key})",
            event.uid,
        )
        return True

    def _occurrence(self, event: _Event) -> None:
        """A REQUEST or PUBLISH of one occurrence of a series (a RECURRENCE-ID, no series)."""
        assert event.recurrence_id is not None
        meeting = self._find(event.uid)
        if meeting is None:
            self._not_here(event, "one occurrence")
            return
        if self._not_newer(meeting, event):
            return
        when = _when_text(event.recurrence_id, meeting)
        try:
            if event.cancelled:
                changed = calendar.cancel_occurrence(meeting, event.recurrence_id)
                what = "cancelled by the organiser"
            else:
                if event.start is None or event.problem:
                    raise ValidationFailed(event.problem or "it has no start")
                start, minutes = self._moved_to(event, meeting)
                changed = calendar.move_occurrence(
                    meeting, event.recurrence_id, start, minutes, event.location or None
                )
                what = f"moved to {_when_text(event.start, meeting)}"
            changed = validate_record(Meeting, {**dump_record(changed), **_version_fields(event)})
        except ValidationFailed as refused:
            self._skip(f"skipped {meeting.key} on {when}: {refused}", event.uid)
            return
        self._keep(changed)
        self._change(f"{meeting.key}: {when} {what}, {_newness(meeting, event)}", event.uid)

    def _new(self, event: _Event, overrides: list[_Event]) -> None:
        if event.cancelled:
            self._skip(f"skipped {event.label}: it is cancelled", event.uid)
            return
        try:
            meeting = self._series(event, overrides, None)
        except ValidationFailed as refused:
            self._skip(f"skipped {event.label}: {refused}", event.uid)
            return
        self.added.append(meeting)
        self.new_uids.add(event.uid)
        self._change(f"new meeting {event.label} {_summary(meeting)}", event.uid)

    def _update(self, event: _Event, overrides: list[_Event]) -> None:
        stored = self._find(event.uid)
        assert stored is not None
        if self._not_newer(stored, event):
            return
        try:
            meeting = self._series(event, overrides, stored)
        except ValidationFailed as refused:
            self._skip(f"skipped {stored.key}: {refused}", event.uid)
            return
        self._keep(meeting)
        changes = "; ".join(_differences(stored, meeting)) or "updated"
        self._change(f"{stored.key}: {changes}, {_newness(stored, event)}", event.uid)

    # -- building a meeting

    def _series(self, event: _Event, overrides: list[_Event], stored: Meeting | None) -> Meeting:
        """The meeting ``event`` describes: new, or ``stored`` with the client's changes.

        Raises:
            ValidationFailed: it cannot be a meeting (the message says why).
        """
        if event.problem:
            raise ValidationFailed(event.problem)
        assert event.start is not None and event.duration_minutes is not None
        title = event.title
        if not event.end_given:
            self.warnings.append(f"{event.label} has no end: {_DEFAULT_MINUTES} minutes assumed")
        if len(title) > _TITLE_LIMIT:
            title = title[: _TITLE_LIMIT - 1] + "…"
            self.warnings.append(f"{event.label}: the title was shortened to 200 characters")
        fields: dict[str, Any] = {
            "title": title,
            "start": event.start.astimezone(ZoneInfo(event.timezone)),
            "duration_minutes": event.duration_minutes,
            "timezone": event.timezone,
            # An absent LOCATION or URL is not a removal: the stored one stays.
            "location": event.location or (stored.location if stored else ""),
            "video_link": event.video_link or (stored.video_link if stored else ""),
            "rrule": event.rrule,
            "all_day": event.all_day,
            "extra_dates": list(event.extra_dates),
            "attendees": self._attendees(event, stored),
            **_version_fields(event),
            "exceptions": [],
        }
        if event.organiser_email or stored is None:
            organiser_ok = _is_email(event.organiser_email)
            fields["organiser_email"] = event.organiser_email if organiser_ok else ""
            fields["organiser_name"] = event.organiser_name
        if stored is None:
            draft = validate_record(
                Meeting,
                {
                    "project_id": self.project.id,
                    "kind": MeetingKind.MEETING,
                    "status": MeetingStatus.SCHEDULED,
                    "ical_uid": event.uid,
                    "agenda": [item.model_dump() for item in self._agenda(event)],
                    **{name: value for name, value in fields.items() if name != "attendees"},
                    "attendees": [a.model_dump() for a in fields["attendees"]],
                },
            )
        else:
            status = stored.status
            if status is MeetingStatus.CANCELLED and not event.cancelled:
                status = MeetingStatus.SCHEDULED  # the organiser put it back on
            elif event.cancelled:
                problem = calendar.meeting_move_problem(status, MeetingStatus.CANCELLED)
                if problem:
                    raise ValidationFailed(f"it is cancelled, but was {status} already")
                status = MeetingStatus.CANCELLED
            draft = stored.model_copy(update={**fields, "status": status})
            draft = self._kept_occurrences(draft, stored)
        draft = self._exceptions(draft, event, overrides)
        return validate_record(Meeting, dump_record(draft))

    def _kept_occurrences(self, draft: Meeting, stored: Meeting) -> Meeting:
        """``draft`` with what the team recorded at ``stored``'s occurrences, made to fit.

        Cancellations and moves come from the file alone; agendas, minutes and
        the like stay. An update that would drop an occurrence holding minutes
        is refused rather than losing them.
        """
        recorded = []
        for change in stored.exceptions:
            kept = {name: getattr(change, name) for name in _KEPT_IN_OCCURRENCES}
            if kept["status"] is MeetingStatus.CANCELLED:
                kept["status"] = None
            if any(kept.values()):
                plain = {"cancelled": False, "start": None, "duration_minutes": None}
                recorded.append(change.model_copy(update={**plain, "location": None, **kept}))
        previous = stored.model_copy(update={"exceptions": recorded})
        fitted = calendar.fit_exceptions(draft, previous)
        lost = len(recorded) - len(fitted.exceptions)
        if lost:
            raise ValidationFailed(
                f"the new schedule drops {lost} occurrence{'s' if lost != 1 else ''} holding "
                "minutes or an agenda; change this meeting by hand"
            )
        return fitted

    def _exceptions(self, draft: Meeting, event: _Event, overrides: list[_Event]) -> Meeting:
        label = event.label
        if draft.rrule is None:
            if event.exdates or overrides:
                self.warnings.append(
                    f"{label}: exceptions to a meeting that does not repeat were ignored"
                )
            return draft
        # Each change walks the series from its start: the watch keeps a file with
        # hundreds of changes far into a long series from taking minutes.
        for moment in event.exdates:
            self.watch.check()
            try:
                draft = calendar.cancel_occurrence(draft, moment)
            except ValidationFailed:
                self.warnings.append(
                    f"{label}: EXDATE {_when_text(moment, draft)} is no occurrence; ignored"
                )
        for override in overrides:
            self.watch.check()
            assert override.recurrence_id is not None
            when = _when_text(override.recurrence_id, draft)
            try:
                if override.cancelled:
                    draft = calendar.cancel_occurrence(draft, override.recurrence_id)
                elif override.start is None or override.problem:
                    raise ValidationFailed(override.problem or "it has no start")
                else:
                    location = override.location if override.location != draft.location else None
                    start, minutes = self._moved_to(override, draft)
                    draft = calendar.move_occurrence(
                        draft, override.recurrence_id, start, minutes, location
                    )
            except ValidationFailed as refused:
                self.warnings.append(f"{label}: the change on {when} was ignored ({refused})")
        return draft

    def _moved_to(self, override: _Event, meeting: Meeting) -> tuple[datetime, int | None]:
        """Where ``override`` moves its occurrence of ``meeting``: the start and the length
        (None: the length stays).

        An occurrence of a timed series made all day (Thunderbird writes one so)
        cannot be all day on its own: a meeting is all day or not as a whole. It
        is kept as the hours of that day in the series' zone (24 at most, so the
        first day of several), and a preview line says so.
        """
        assert override.start is not None and override.recurrence_id is not None
        if not override.all_day or meeting.all_day or override.duration_minutes is None:
            return override.start, override.duration_minutes if override.end_given else None
        day = override.start.astimezone(ZoneInfo(override.timezone)).date()
        start = meeting_dates.day_start(day, meeting.timezone)
        days = meeting_dates.whole_days(override.duration_minutes)
        end = meeting_dates.day_start(day + timedelta(days=1), meeting.timezone)
        minutes = min(int((end - start).total_seconds() // 60), _DAY_MINUTES)
        span = "that day" if days == 1 else f"the first of its {days} days"
        self.warnings.append(
            f"{override.label}: the occurrence of {_when_text(override.recurrence_id, meeting)} "
            f"was made all day; it is kept as the hours of {span} ({_when_text(start, meeting)}, "
            f"{minutes // 60} hours): one occurrence of a timed meeting cannot be all day"
        )
        return start, minutes

    def _attendees(self, event: _Event, stored: Meeting | None) -> list[Attendee]:
        if stored is not None and not event.guests:
            # A feed (PUBLISH) carries no attendees, and many programs leave them
            # out of an update: no ATTENDEE line means "not said", not "nobody".
            return list(stored.attendees)
        known = {a.email.casefold(): a for a in stored.attendees} if stored else {}
        attendees = []
        for guest in event.guests:
            before = known.get(guest.email.casefold())
            contact = self.contacts.get(guest.email.casefold())
            name = (
                guest.name or (before.name if before else "") or (contact.name if contact else "")
            )
            attendees.append(
                Attendee(
                    email=guest.email,
                    name=name,
                    contact_id=(before.contact_id if before else None)
                    or (contact.id if contact else None),
                    role=guest.role,
                    rsvp=guest.answer or (before.rsvp if before else RSVP.NEEDS_ACTION),
                )
            )
        return attendees

    def _agenda(self, event: _Event) -> list[AgendaItem]:
        titles, left_out = agenda_titles(event.description, MAX_AGENDA_ITEMS)
        if left_out:
            self.warnings.append(
                f"{event.label}: the agenda took the first {MAX_AGENDA_ITEMS} lines of the "
                f"description; {left_out} more were left out"
            )
        return [AgendaItem(title=title[:_TITLE_LIMIT], minutes=0) for title in titles]


_NO_DTSTAMP = datetime.min.replace(tzinfo=UTC)  # sorts a version without DTSTAMP first


def _newness(meeting: Meeting, event: _Event) -> str:
    """How ``event`` is a newer version than ``meeting`` (see ``_Planner._not_newer``), for the
    preview line ("SEQUENCE 1 → 2"); "" when it is not newer."""
    taken = meeting.ical_sequence if meeting.ical_sequence is not None else meeting.sequence
    if event.sequence > meeting.sequence:
        return f"SEQUENCE {meeting.sequence} → {event.sequence}"
    if meeting.ical_uid is None:
        return ""  # our own meeting: only our SEQUENCE orders its versions
    if event.sequence > taken:
        return f"SEQUENCE {taken} → {event.sequence} (the client's)"
    stamped = meeting.ical_dtstamp
    if event.sequence == taken and event.dtstamp and stamped and event.dtstamp > stamped:
        return f"same SEQUENCE {event.sequence}, later DTSTAMP {event.dtstamp:%Y-%m-%d %H:%M:%S}Z"
    return ""


def _version_fields(event: _Event, sequence: int | None = None) -> dict[str, Any]:
    """The fields of a meeting that tell which version of the client's it was last made from."""
    return {
        "sequence": event.sequence if sequence is None else sequence,
        "ical_sequence": event.sequence,
        "ical_dtstamp": event.dtstamp,
    }


def _is_email(text: str) -> bool:
    try:
        Attendee(email=text)
    except ValueError:
        return False
    return True


# -- preview text -------------------------------------------------------------------------


def _when_text(moment: datetime, meeting: Meeting) -> str:
    """``Tue 2026-12-01 10:00 Europe/Berlin``: a time in the meeting's zone."""
    local = moment.astimezone(ZoneInfo(meeting.timezone))
    return f"{local:%a %Y-%m-%d %H:%M} {meeting.timezone}"


def _summary(meeting: Meeting) -> str:
    """When a new meeting is, then its length, recurrence, attendees and exceptions."""
    local = meeting.start.astimezone(ZoneInfo(meeting.timezone))
    whole_day = meeting.all_day
    when = (
        f"{local:%a %Y-%m-%d} all day {meeting.timezone}"
        if whole_day
        else _when_text(meeting.start, meeting)
    )
    days = meeting_dates.whole_days(meeting.duration_minutes)
    details = [f"{days} days"] if whole_day and days > 1 else []
    if not whole_day:
        details.append(f"{meeting.duration_minutes} min")
    if meeting.rrule:
        details.append(calendar.describe_rule(meeting.rrule, timezone=meeting.timezone))
    if meeting.attendees:
        count = len(meeting.attendees)
        details.append(f"{count} attendee{'s' if count != 1 else ''}")
    details += _exception_counts(meeting)
    if meeting.extra_dates:
        count = len(meeting.extra_dates)
        details.append(f"{count} extra date{'s' if count != 1 else ''}")
    return f"{when} ({'; '.join(details)})" if details else when


def _exception_counts(meeting: Meeting) -> list[str]:
    cancelled = sum(1 for change in meeting.exceptions if change.cancelled)
    moved = sum(1 for change in meeting.exceptions if change.start is not None)
    counts = []
    if cancelled:
        counts.append(f"{cancelled} occurrence{'s' if cancelled != 1 else ''} cancelled")
    if moved:
        counts.append(f"{moved} occurrence{'s' if moved != 1 else ''} moved")
    return counts


def _differences(before: Meeting, after: Meeting) -> list[str]:
    """What an attendee sees change, in short phrases for one preview line."""
    found: list[str] = []
    if after.status is MeetingStatus.CANCELLED and before.status is not MeetingStatus.CANCELLED:
        found.append("cancelled by the organiser")
    elif before.status is MeetingStatus.CANCELLED and after.status is not MeetingStatus.CANCELLED:
        found.append("back on")
    if after.title != before.title:
        found.append(f"renamed {_quoted(after.title)}")
    if after.start != before.start or after.timezone != before.timezone:
        found.append(f"moved to {_when_text(after.start, after)}")
    if after.duration_minutes != before.duration_minutes:
        found.append(f"{after.duration_minutes} min")
    if after.location != before.location:
        found.append(f"location {_quoted(after.location)}" if after.location else "no location")
    if after.video_link != before.video_link:
        found.append("new video link" if after.video_link else "no video link")
    if after.rrule != before.rrule:
        found.append(
            f"repeats {calendar.describe_rule(after.rrule, timezone=after.timezone)}"
            if after.rrule
            else "no longer repeats"
        )
    old = {a.email.casefold(): a.email for a in before.attendees}
    new = {a.email.casefold(): a.email for a in after.attendees}
    invited = [new[k] for k in new if k not in old] + [f"-{old[k]}" for k in old if k not in new]
    if invited:
        found.append("attendees " + ", ".join(a if a.startswith("-") else f"+{a}" for a in invited))
    if _exception_counts(before) != _exception_counts(after):
        found += _exception_counts(after) or ["every occurrence as planned"]
    return found
