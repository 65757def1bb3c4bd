"""The rules of the communication calendar: series, occurrences, cadences and the plan.

A recurring meeting is one :class:`~clientdesk.store.models.Meeting` with a
recurrence rule and a list of occurrences that differ from the rule
(:class:`~clientdesk.store.models.OccurrenceChange`). This module expands a
series into the occurrences of a time window, changes one occurrence (cancel,
move, its own agenda, its minutes), splits a series for "this and all
following", says which changes an attendee must see (they raise the invite's
SEQUENCE), finds meetings that clash for a shared attendee, and computes when
a communication plan item is next due and whether it is overdue.

Recurrence is expanded with python-dateutil in the meeting's own time zone,
so a weekly 10:00 meeting in Europe/Berlin stays at 10:00 local time across
both daylight-saving changes. All-day meetings and extra dates (RDATE) have
their own rules in :mod:`clientdesk.store.meeting_dates`. No Textual here.
"""

from __future__ import annotations

import calendar as calendar_module
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from clientdesk.store.clock import zone
from clientdesk.store.enums import Channel, MeetingKind, MeetingStatus, RequestType
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.meeting_dates import (
    DAY_MINUTES,
    MAX_ALL_DAY_DAYS,
    day_of,
    extra_starts,
    occurrence_end,
    whole_days,
)

if TYPE_CHECKING:
    from dateutil.rrule import rrule

    from clientdesk.store.models import (
        ActionItem,
        AgendaItem,
        ClientRequest,
        CommunicationPlanItem,
        Contact,
        Meeting,
        OccurrenceChange,
        Project,
    )


# -- rules ------------------------------------------------------------------------------

_UTC_UNTIL = "%Y%m%dT%H%M%SZ"
MIN_YEAR, MAX_YEAR = 1970, 2200
"""The years a meeting or plan item may fall in (far-off dates are typing slips)."""
_SEARCH_SPANS = (timedelta(weeks=8), timedelta(days=366), timedelta(days=3660))
"""How far ahead :func:`next_occurrence` looks, widening until it finds one."""


def normalise_rule(text: str) -> str:
    """A rule as it is stored: no ``RRULE:`` prefix, upper case, a bare-date UNTIL made UTC.

    RFC 5545 wants UNTIL in UTC when the start has a time zone, which is what
    dateutil enforces; people write ``UNTIL=20270331`` and mean "until that
    day", so a bare date becomes the end of that day (UTC).
    """
    cleaned = text.strip().upper()
    cleaned = cleaned.removeprefix("RRULE:")
    return re.sub(r"UNTIL=(\d{8})(?=;|$)", r"UNTIL=\1T235959Z", cleaned)


def _parts(text: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for part in normalise_rule(text).split(";"):
        name, _, value = part.partition("=")
        if name:
            parts[name] = value
    return parts


def _joined(parts: dict[str, str]) -> str:
    return ";".join(f"{name}={value}" for name, value in parts.items())


@lru_cache(maxsize=512)
def _cached_rule(text: str, wall: datetime, where: tzinfo | None) -> rrule:
    # dateutil is imported when a series is first expanded: reading requests,
    # risks or one-off meetings does not wait for it.
    from dateutil.rrule import rrulestr

    return rrulestr(text, dtstart=wall.replace(tzinfo=where))


def _rule(text: str, start: datetime) -> rrule:
    # Cached: the agenda and week views expand the same series on every redraw.
    # Keyed on the wall-clock start and its zone, not the instant: 09:00 UTC and
    # 10:00 Berlin are equal datetimes but repeat differently across DST.
    return _cached_rule(text, start.replace(tzinfo=None), start.tzinfo)


def series_rule(text: str, start: datetime) -> rrule:
    """The dateutil rule of ``text`` from ``start`` (give ``start`` in the series' zone).

    Raises:
        ValueError: ``text`` is not a valid RRULE.
    """
    return _rule(normalise_rule(text), start)


def _local_start(meeting: Meeting) -> datetime:
    # DTSTART in the meeting's own zone: dateutil then keeps the wall-clock
    # time of every occurrence, across daylight-saving changes.
    return meeting.start.astimezone(zone(meeting.timezone))


def _series_rule(meeting: Meeting) -> rrule | None:
    if meeting.rrule is None:
        return None
    return _rule(meeting.rrule, _local_start(meeting))


def _is_occurrence(meeting: Meeting, original_start: datetime) -> bool:
    rule = _series_rule(meeting)
    if rule is None:
        return original_start == meeting.start
    if original_start in meeting.extra_dates:
        return True
    found = rule.after(original_start, inc=True)
    return found is not None and found == original_start


# -- occurrences -----------------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a meeting (a one-off meeting has exactly one).

    Attributes:
        meeting: the meeting (series) it belongs to.
        original_start: the start the series gives it (RECURRENCE-ID); the
            meeting's own start for a one-off meeting.
        start: when it starts (differs from ``original_start`` when moved).
        end: when it ends.
        cancelled: this occurrence was cancelled (or the whole meeting was).
        moved: this occurrence was moved away from ``original_start``.
        location: where it takes place (the series' unless changed here).
        agenda: its agenda (the series' template unless changed here).
        status: its status (the series' unless recorded here: held, minuted).
        minutes: its minutes.
        decisions: its decisions.
        action_items: its action items.
    """

    meeting: Meeting
    original_start: datetime
    start: datetime
    end: datetime
    cancelled: bool
    moved: bool
    location: str
    agenda: tuple[AgendaItem, ...]
    status: MeetingStatus
    minutes: str
    decisions: tuple[str, ...]
    action_items: tuple[ActionItem, ...]

    @property
    def id(self) -> str:
        """A stable id for a table row: the meeting's id and the original start."""
        return f"{self.meeting.id}@{self.original_start.isoformat()}"

    @property
    def key(self) -> str:
        """The meeting's key (``MTG-4``)."""
        return self.meeting.key

    @property
    def is_recurring(self) -> bool:
        """True when the meeting is a series."""
        return self.meeting.rrule is not None

    @property
    def agenda_minutes(self) -> int:
        """The minutes the agenda allots in total."""
        return sum(item.minutes for item in self.agenda)

    @property
    def duration_minutes(self) -> int:
        """How long it lasts."""
        return int((self.end - self.start).total_seconds() // 60)


def _exception(meeting: Meeting, original_start: datetime) -> OccurrenceChange | None:
    for change in meeting.exceptions:
        if change.original_start == original_start:
            return change
    return None


def _occurrence(meeting: Meeting, original_start: datetime) -> Occurrence:
    local = original_start.astimezone(zone(meeting.timezone))
    change = _exception(meeting, original_start) if meeting.rrule is not None else None
    if change is None:
        # A one-off meeting keeps what happened at it in its own fields; a
        # series' occurrence without an entry had nothing recorded yet.
        own = meeting.rrule is None
        return Occurrence(
            meeting=meeting,
            original_start=local,
            start=local,
            end=occurrence_end(meeting, local, meeting.duration_minutes),
            cancelled=meeting.status is MeetingStatus.CANCELLED,
            moved=False,
            location=meeting.location,
            agenda=tuple(meeting.agenda),
            status=meeting.status,
            minutes=meeting.minutes if own else "",
            decisions=tuple(meeting.decisions) if own else (),
            action_items=tuple(meeting.action_items) if own else (),
        )
    start = change.start.astimezone(local.tzinfo) if change.start is not None else local
    duration = change.duration_minutes or meeting.duration_minutes
    status = change.status or meeting.status
    cancelled = (
        change.cancelled
        or status is MeetingStatus.CANCELLED
        or meeting.status is MeetingStatus.CANCELLED
    )
    return Occurrence(
        meeting=meeting,
        original_start=local,
        start=start,
        end=occurrence_end(meeting, start, duration),
        cancelled=cancelled,
        moved=start != local,
        location=change.location if change.location is not None else meeting.location,
        agenda=tuple(change.agenda if change.agenda is not None else meeting.agenda),
        status=MeetingStatus.CANCELLED if cancelled else status,
        minutes=change.minutes,
        decisions=tuple(change.decisions),
        action_items=tuple(change.action_items),
    )


def _no_occurrence(meeting: Meeting, original_start: datetime) -> ValidationFailed:
    local = original_start.astimezone(zone(meeting.timezone))
    when = f"{local:%Y-%m-%d}" if meeting.all_day else f"{local:%Y-%m-%d %H:%M}"
    return ValidationFailed(
        f"{meeting.key or meeting.title} has no occurrence on {when} ({meeting.timezone})",
        "original_start",
    )


def occurrences(
    meeting: Meeting,
    window_start: datetime,
    window_end: datetime,
    *,
    include_cancelled: bool = False,
) -> list[Occurrence]:
    """The occurrences of ``meeting`` that overlap ``[window_start, window_end)``, by start.

    A moved occurrence appears once, at its new time (and only when that time
    overlaps the window); a cancelled one is left out unless
    ``include_cancelled``. A cancelled meeting's occurrences are all cancelled.
    """
    rule = _series_rule(meeting)
    if rule is None:
        found = [_occurrence(meeting, meeting.start)]
    else:
        longest = max(
            [meeting.duration_minutes]
            + [c.duration_minutes for c in meeting.exceptions if c.duration_minutes]
        )
        # An occurrence that began before the window may still run into it (a day
        # more for an all-day one, whose days may be 25 hours long).
        reach = timedelta(minutes=longest) + (timedelta(days=1) if meeting.all_day else timedelta())
        originals = rule.between(window_start - reach, window_end)
        originals += extra_starts(meeting, window_start - reach, window_end)
        moved = {c.original_start for c in meeting.exceptions if c.start is not None}
        found = [_occurrence(meeting, start) for start in originals if start not in moved]
        # A moved occurrence shows where it went, wherever it came from.
        found += [
            _occurrence(meeting, change.original_start)
            for change in meeting.exceptions
            if change.start is not None and _is_occurrence(meeting, change.original_start)
        ]
    return sorted(
        (
            occurrence
            for occurrence in found
            if occurrence.start < window_end
            and occurrence.end > window_start
            and (include_cancelled or not occurrence.cancelled)
        ),
        key=lambda occurrence: occurrence.start,
    )


def project_occurrences(
    meetings: Iterable[Meeting],
    window_start: datetime,
    window_end: datetime,
    *,
    include_cancelled: bool = False,
) -> list[Occurrence]:
    """The occurrences of every meeting in the window, sorted by start, then key."""
    found = [
        occurrence
        for meeting in meetings
        for occurrence in occurrences(
            meeting, window_start, window_end, include_cancelled=include_cancelled
        )
    ]
    return sorted(found, key=lambda o: (o.start, _key_order(o.key), o.original_start))


def occurrence_at(meeting: Meeting, original_start: datetime) -> Occurrence | None:
    """The occurrence the series gives ``original_start`` (None when it gives none).

    For an all-day meeting ``original_start`` is matched by its day (see :func:`day_of`).
    """
    original_start = day_of(meeting, original_start)
    if not _is_occurrence(meeting, original_start):
        return None
    return _occurrence(meeting, original_start)


def next_occurrence(meeting: Meeting, now: datetime) -> Occurrence | None:
    """The first occurrence not cancelled that ends after ``now`` (None when none is left)."""
    if meeting.status is MeetingStatus.CANCELLED:
        return None
    if meeting.rrule is None:
        only = _occurrence(meeting, meeting.start)
        return only if only.end > now else None
    begin = now
    for span in _SEARCH_SPANS:
        upcoming = [o for o in occurrences(meeting, begin, now + span) if o.end > now]
        if upcoming:
            return upcoming[0]
        rule = _series_rule(meeting)
        later_extra = any(moment > now + span for moment in meeting.extra_dates)
        if rule is None or (
            rule.after(now + span) is None and not _moved_after(meeting, now) and not later_extra
        ):
            return None
        begin = now + span - timedelta(days=1)
    return None


def _key_order(key: str) -> tuple[str, int]:
    prefix, _, number = key.rpartition("-")
    return (prefix, int(number)) if number.isdigit() else (key, 0)


def _moved_after(meeting: Meeting, now: datetime) -> bool:
    return any(c.start is not None and c.start > now for c in meeting.exceptions)


# -- changing one occurrence or the rest of a series ------------------------------------


_SHOWN_DEFAULTS: dict[str, Any] = {
    "cancelled": False,
    "start": None,
    "duration_minutes": None,
    "location": None,
    "agenda": None,
    "status": None,
    "minutes": "",
    "decisions": [],
    "action_items": [],
}


def _with_change(meeting: Meeting, original_start: datetime, **fields: Any) -> Meeting:
    """The series with its exception at ``original_start`` updated by ``fields``.

    An exception left with nothing that differs from the series is dropped, so
    that cancelling and then restoring an occurrence gives the meeting back.
    """
    from clientdesk.store.models import OccurrenceChange

    original_start = day_of(meeting, original_start)
    if not _is_occurrence(meeting, original_start):
        raise _no_occurrence(meeting, original_start)
    current = _exception(meeting, original_start)
    data = current.model_dump() if current is not None else {"original_start": original_start}
    data.update(fields)
    others = [c for c in meeting.exceptions if c.original_start != original_start]
    if any(data.get(name, default) != default for name, default in _SHOWN_DEFAULTS.items()):
        others.append(OccurrenceChange.model_validate(data))
    others.sort(key=lambda change: change.original_start)
    return meeting.model_copy(update={"exceptions": others})


def cancel_occurrence(meeting: Meeting, original_start: datetime) -> Meeting:
    """The meeting with one occurrence cancelled (a one-off meeting: the meeting cancelled).

    Raises:
        ValidationFailed: the series has no occurrence at ``original_start``,
            or it was held or minuted (it took place).
    """
    original_start = day_of(meeting, original_start)
    _refuse_if_recorded(meeting, original_start, "cancelled")
    if meeting.rrule is None:
        return meeting.model_copy(update={"status": MeetingStatus.CANCELLED})
    return _with_change(meeting, original_start, cancelled=True)


RECORDED = (MeetingStatus.HELD, MeetingStatus.MINUTED)
"""The statuses of an occurrence that took place: it can no longer be cancelled or moved."""


def _refuse_if_recorded(meeting: Meeting, original_start: datetime, done: str) -> None:
    """Refuse to cancel or move an occurrence that was held (it took place)."""
    current = occurrence_at(meeting, original_start)
    if current is None:
        raise _no_occurrence(meeting, original_start)
    if current.status in RECORDED:
        raise ValidationFailed(
            f"the occurrence on {current.start:%a %d %b %Y} was {current.status}: "
            f"it cannot be {done}",
            "status",
        )


def restore_occurrence(meeting: Meeting, original_start: datetime) -> Meeting:
    """The meeting with a cancelled occurrence back in the series."""
    original_start = day_of(meeting, original_start)
    if meeting.rrule is None:
        if original_start != meeting.start:
            raise _no_occurrence(meeting, original_start)
        if meeting.status is not MeetingStatus.CANCELLED:
            return meeting
        return meeting.model_copy(update={"status": MeetingStatus.SCHEDULED})
    change = _exception(meeting, original_start)
    if change is None:
        return meeting
    status = None if change.status is MeetingStatus.CANCELLED else change.status
    return _with_change(meeting, original_start, cancelled=False, status=status)


def move_occurrence(
    meeting: Meeting,
    original_start: datetime,
    start: datetime,
    duration_minutes: int | None = None,
    location: str | None = None,
) -> Meeting:
    """The meeting with one occurrence moved (a one-off meeting: its start changed).

    ``duration_minutes`` and ``location`` left None keep what the occurrence
    has now (an earlier move's length or place stays).

    An all-day meeting's occurrence moves to the start of ``start``'s day and
    lasts whole days.

    Raises:
        ValidationFailed: no such occurrence, a duration of zero or less, or
            the occurrence was held or minuted.
    """
    original_start = day_of(meeting, original_start)
    if meeting.all_day:
        start = day_of(meeting, start)
        if duration_minutes is not None:
            duration_minutes = whole_days(duration_minutes) * DAY_MINUTES
            if duration_minutes > MAX_ALL_DAY_DAYS * DAY_MINUTES:
                raise ValidationFailed(
                    f"an all-day meeting lasts 1 to {MAX_ALL_DAY_DAYS} days", "duration_minutes"
                )
    elif duration_minutes is not None and not 1 <= duration_minutes <= 24 * 60:
        raise ValidationFailed("a meeting lasts between 1 minute and 24 hours", "duration_minutes")
    _refuse_if_recorded(meeting, original_start, "moved")
    if meeting.rrule is None:
        update: dict[str, Any] = {"start": start}
        if duration_minutes is not None:
            update["duration_minutes"] = duration_minutes
        if location is not None:
            update["location"] = location
        return meeting.model_copy(update=update)
    fields: dict[str, Any] = {"start": None if start == original_start else start}
    # None leaves what an earlier move set; the series' own value needs no entry.
    if duration_minutes is not None:
        same = duration_minutes == meeting.duration_minutes
        fields["duration_minutes"] = None if same else duration_minutes
    if location is not None:
        fields["location"] = None if location == meeting.location else location
    return _with_change(meeting, original_start, **fields)


def change_occurrence(
    meeting: Meeting,
    original_start: datetime,
    *,
    agenda: Sequence[AgendaItem] | None = None,
    status: MeetingStatus | None = None,
    minutes: str | None = None,
    decisions: Sequence[str] | None = None,
    action_items: Sequence[ActionItem] | None = None,
) -> Meeting:
    """The meeting with what one occurrence had or produced changed.

    Arguments left None stay as they are. For a one-off meeting the meeting's
    own fields change; for a series, the occurrence's entry in ``exceptions``.
    """
    original_start = day_of(meeting, original_start)
    current = occurrence_at(meeting, original_start)
    if current is None:
        raise _no_occurrence(meeting, original_start)
    if status is not None:
        problem = meeting_move_problem(current.status, status)
        if problem:
            raise ValidationFailed(problem, "status")
    fields: dict[str, Any] = {}
    if agenda is not None:
        fields["agenda"] = list(agenda)
    if status is not None:
        fields["status"] = status
    if minutes is not None:
        fields["minutes"] = minutes
    if decisions is not None:
        fields["decisions"] = list(decisions)
    if action_items is not None:
        fields["action_items"] = list(action_items)
    if meeting.rrule is None:
        return meeting.model_copy(update=fields)
    if status is not None and status is meeting.status:
        fields["status"] = None  # the series' own status: nothing to keep here
    if "agenda" in fields and fields["agenda"] == list(meeting.agenda):
        fields["agenda"] = None
    if "agenda" in fields and fields["agenda"] is not None:
        fields["agenda"] = [item.model_dump() for item in fields["agenda"]]
    if "action_items" in fields:
        fields["action_items"] = [item.model_dump() for item in fields["action_items"]]
    return _with_change(meeting, original_start, **fields)


def split_series(meeting: Meeting, original_start: datetime) -> tuple[Meeting, Meeting]:
    """Split a series for "this and all following occurrences".

    Returns:
        The old series, ended the occurrence before ``original_start`` (its
        rule gets an UNTIL; a COUNT is shortened), and a new series (a new
        record: no id, key or revision yet; ``split_from`` names the old one)
        starting at ``original_start`` with the rest of the rule and the
        exceptions at or after that point. The caller edits the new series and
        saves both in one ``apply``.

    Raises:
        ValidationFailed: the meeting is not a series, or ``original_start`` is
            its first occurrence (then the whole series is edited instead).
    """
    from clientdesk.store.models import _new_id

    rule = _series_rule(meeting)
    if rule is None or meeting.rrule is None:
        raise ValidationFailed(f"{meeting.key or meeting.title} is not a series", "rrule")
    original_start = day_of(meeting, original_start)
    if not _is_occurrence(meeting, original_start):
        raise _no_occurrence(meeting, original_start)
    if original_start in meeting.extra_dates:
        # The rest of the series starts on its DTSTART, which must be one the rule gives.
        raise ValidationFailed(
            "that is an extra date of the series: split it at an occurrence the rule gives",
            "original_start",
        )
    before = rule.before(original_start)
    if before is None:
        raise ValidationFailed(
            "that is the first occurrence: change the whole series instead", "original_start"
        )
    parts = _parts(meeting.rrule)
    old_parts, new_parts = dict(parts), dict(parts)
    if "COUNT" in parts:
        done = len(rule.between(_local_start(meeting), original_start, inc=True)) - 1
        old_parts["COUNT"] = str(done)
        new_parts["COUNT"] = str(int(parts["COUNT"]) - done)
    else:
        old_parts["UNTIL"] = before.astimezone(UTC).strftime(_UTC_UNTIL)
    old = meeting.model_copy(
        update={
            "rrule": _joined(old_parts),
            "extra_dates": [d for d in meeting.extra_dates if d < original_start],
            "exceptions": [c for c in meeting.exceptions if c.original_start < original_start],
        }
    )
    new = meeting.model_copy(
        update={
            "id": _new_id(),
            "key": "",
            "created_at": None,
            "updated_at": None,
            "updated_by": "",
            "revision": 0,
            "sequence": 0,
            "split_from": meeting.id,
            # A series of its own: its own UID and invites (the old one keeps its).
            "ical_uid": None,
            "ical_sequence": None,
            "ical_dtstamp": None,
            "time_sequence": None,
            "sent": [],
            # Minutes sent for its occurrences go with them (the old series keeps its history).
            "minutes_sent": [
                s for s in meeting.minutes_sent if s.occurrence and s.occurrence >= original_start
            ],
            "start": original_start.astimezone(zone(meeting.timezone)),
            "rrule": _joined(new_parts),
            "extra_dates": [d for d in meeting.extra_dates if d > original_start],
            "exceptions": [c for c in meeting.exceptions if c.original_start >= original_start],
        }
    )
    return old, new


def holds_record(change: OccurrenceChange) -> bool:
    """True when an occurrence's entry records what happened at it (held, minutes...)."""
    return (
        change.status in RECORDED
        or bool(change.minutes.strip())
        or bool(change.decisions)
        or bool(change.action_items)
    )


def _weekly_day(rule: str, local_start: datetime) -> int | None:
    """The one weekday a weekly rule repeats on (None for other rules)."""
    parts = _parts(rule)
    if parts.get("FREQ") != "WEEKLY":
        return None
    days = parts.get("BYDAY", _DAY_CODES[local_start.weekday()])
    return _DAY_CODES.index(days) if days in _DAY_CODES else None


def _shift(meeting: Meeting, previous: Meeting) -> timedelta:
    """How far the series' occurrences move: the change of time of day, and of
    weekday when a weekly series moves from one day to another."""
    old, new = _local_start(previous), _local_start(meeting)
    shift = datetime.combine(old.date(), new.time()) - datetime.combine(old.date(), old.time())
    if previous.rrule is not None and meeting.rrule is not None:
        old_day = _weekly_day(previous.rrule, old)
        new_day = _weekly_day(meeting.rrule, new)
        if (old_day, new_day) == (old.weekday(), new.weekday()):
            shift += timedelta(days=new.weekday() - old.weekday())
    return shift


def fit_exceptions(meeting: Meeting, previous: Meeting) -> Meeting:
    """``meeting`` (the whole series edited) with the exceptions of ``previous`` made to fit.

    Each exception follows the series by the change of its time of day (10:00
    becomes 11:00), and by the change of weekday when a weekly series moves
    from one day to another within the week (Monday becomes Tuesday); a
    different first date moves no occurrence. An exception the new schedule
    no longer gives is dropped when it only cancelled, moved or re-planned
    its occurrence; one that records what happened (held, minutes, decisions,
    action items) is never dropped nor carried to another date: the edit is
    refused. A moved occurrence keeps the time it was moved to. Call it
    before saving an edit of the whole series.

    Raises:
        ValidationFailed: the new schedule no longer gives an occurrence that
            holds a record (including turning the series into a one-off).
    """
    field = "rrule" if meeting.rrule != previous.rrule else "start"
    if meeting.rrule is None:
        lost = [c for c in previous.exceptions if holds_record(c)]
        if lost:
            raise _records_lost(lost, previous, "rrule")
        return meeting.model_copy(update={"exceptions": [], "extra_dates": []})
    old_zone, new_zone = zone(previous.timezone), zone(meeting.timezone)
    shift = _shift(meeting, previous)
    if meeting.extra_dates == previous.extra_dates and meeting.extra_dates:
        # The extra dates follow the series' time of day as the rule's occurrences do.
        moved = [
            (d.astimezone(old_zone).replace(tzinfo=None) + shift).replace(tzinfo=new_zone)
            for d in previous.extra_dates
        ]
        meeting = meeting.model_copy(update={"extra_dates": sorted(moved)})
    fitted, lost = [], []
    for change in previous.exceptions:
        wall = change.original_start.astimezone(old_zone).replace(tzinfo=None) + shift
        original = wall.replace(tzinfo=new_zone)
        if _is_occurrence(meeting, original):
            fitted.append(change.model_copy(update={"original_start": original}))
        elif holds_record(change):
            lost.append(change)
    if lost:
        raise _records_lost(lost, previous, field)
    return meeting.model_copy(update={"exceptions": fitted})


def _records_lost(lost: list[OccurrenceChange], meeting: Meeting, field: str) -> ValidationFailed:
    first = min(change.original_start for change in lost).astimezone(zone(meeting.timezone))
    count = f"{len(lost)} occurrence{'s' if len(lost) != 1 else ''}"
    return ValidationFailed(
        f"{count} with minutes or a record (the first on {first:%d %b %Y}) would no longer "
        "be part of the series: use 'this and following' (F) instead",
        field,
    )


ATTENDEE_VISIBLE_FIELDS = (
    "title",
    "start",
    "duration_minutes",
    "timezone",
    "all_day",
    "extra_dates",
    "location",
    "video_link",
    "rrule",
    "status",  # only a change of the STATUS an invite says counts, see INVITE_STATUS
    "attendees",  # who and their role; an RSVP is their own answer and does not count
    "exceptions",  # a cancelled or moved occurrence; minutes and agenda do not count
)
"""The fields of a meeting whose change the attendees must see (in a new invite)."""


def _visible_changes(meeting: Meeting) -> frozenset[tuple[object, ...]]:
    return frozenset(
        (
            change.original_start,
            change.cancelled or change.status is MeetingStatus.CANCELLED,
            change.start,
            change.duration_minutes,
            change.location,
        )
        for change in meeting.exceptions
        if change.cancelled
        or change.status is MeetingStatus.CANCELLED
        or change.start is not None
        or change.duration_minutes is not None
        or change.location is not None
    )


def _invited(meeting: Meeting) -> frozenset[tuple[str, str]]:
    return frozenset((a.email.casefold(), str(a.role)) for a in meeting.attendees)


def moves_the_time(before: Meeting, after: Meeting) -> bool:
    """True when the meeting (or its series) now meets at another time or for another length.

    An attendee's answer was to the old time: it no longer holds.
    """
    return (
        before.start != after.start
        or before.duration_minutes != after.duration_minutes
        or before.timezone != after.timezone
        or before.rrule != after.rrule
        or before.all_day != after.all_day
        or before.extra_dates != after.extra_dates
    )


INVITE_STATUS: dict[MeetingStatus, str] = {
    MeetingStatus.DRAFT: "TENTATIVE",
    MeetingStatus.SCHEDULED: "CONFIRMED",
    MeetingStatus.HELD: "CONFIRMED",
    MeetingStatus.MINUTED: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}
"""The iCalendar STATUS an invite gives a meeting in each status (draft: not yet confirmed)."""


def raises_sequence(before: Meeting, after: Meeting) -> bool:
    """True when ``after`` differs from ``before`` in something the attendees must see.

    Time, place, title, recurrence, attendees (and their roles), cancellations
    and a status the invite states differently (draft to scheduled: TENTATIVE
    to CONFIRMED) count; the agenda, minutes, decisions, action items, an
    attendee's RSVP and held or minuted (still CONFIRMED) do not.
    """
    plain = (
        "title",
        "start",
        "duration_minutes",
        "timezone",
        "location",
        "video_link",
        "rrule",
        "all_day",
        "extra_dates",
    )
    if any(getattr(before, name) != getattr(after, name) for name in plain):
        return True
    if INVITE_STATUS[before.status] != INVITE_STATUS[after.status]:
        return True
    if _invited(before) != _invited(after):
        return True
    return _visible_changes(before) != _visible_changes(after)


# -- meeting workflow -------------------------------------------------------------------

MEETING_MOVES: dict[MeetingStatus, tuple[MeetingStatus, ...]] = {
    MeetingStatus.DRAFT: (MeetingStatus.SCHEDULED, MeetingStatus.CANCELLED),
    MeetingStatus.SCHEDULED: (MeetingStatus.HELD, MeetingStatus.CANCELLED, MeetingStatus.DRAFT),
    MeetingStatus.HELD: (MeetingStatus.MINUTED, MeetingStatus.SCHEDULED),
    MeetingStatus.MINUTED: (MeetingStatus.HELD,),
    MeetingStatus.CANCELLED: (MeetingStatus.DRAFT, MeetingStatus.SCHEDULED),
}
"""The statuses a meeting (or an occurrence) may move to from each status."""


def meeting_move_problem(old: MeetingStatus, new: MeetingStatus) -> str | None:
    """Why a meeting may not move from ``old`` to ``new`` (None when it may)."""
    if old is new:
        return None
    allowed = MEETING_MOVES[old]
    if new in allowed:
        return None
    names = ", ".join(str(status) for status in allowed)
    return f"a meeting cannot move from {old} to {new} (from {old}: {names})"


# -- conflicts --------------------------------------------------------------------------


def conflicts(occurrences: Sequence[Occurrence]) -> dict[str, list[Occurrence]]:
    """Occurrences that overlap another one sharing an attendee (by e-mail, case-insensitive).

    Cancelled occurrences never clash, nor do all-day ones: a release day or a
    holiday marks the date, it does not hold the attendees' time (calendar
    programs show an all-day event as free unless told otherwise).

    Returns:
        For each clashing occurrence's :attr:`Occurrence.id`, the occurrences
        it clashes with.
    """
    emails = {
        id(occurrence.meeting): {a.email.casefold() for a in occurrence.meeting.attendees}
        for occurrence in occurrences
    }
    found: dict[str, list[Occurrence]] = {}
    running: list[Occurrence] = []
    # A sweep by start time: only the occurrences still running when the next
    # one starts can clash with it.
    for occurrence in sorted(
        (o for o in occurrences if not o.cancelled and not o.meeting.all_day),
        key=lambda o: (o.start, o.end),
    ):
        running = [other for other in running if other.end > occurrence.start]
        mine = emails[id(occurrence.meeting)]
        for other in running:
            if other.id != occurrence.id and mine & emails[id(other.meeting)]:
                found.setdefault(occurrence.id, []).append(other)
                found.setdefault(other.id, []).append(occurrence)
        running.append(occurrence)
    return found


# -- the communication plan -------------------------------------------------------------


@dataclass(frozen=True)
class PlanDue:
    """Where a plan item stands at one moment.

    Attributes:
        next_due: the first occurrence after now (None when the cadence ended).
        last_due: the latest occurrence at or before now (None before the first).
        done_at: when the last due occurrence was covered: a linked meeting
            held, or the item marked done (None when it was not).
        overdue: the last due occurrence has nothing held or sent behind it.
    """

    next_due: datetime | None
    last_due: datetime | None
    done_at: datetime | None
    overdue: bool


def plan_due(
    item: CommunicationPlanItem,
    meetings: Iterable[Meeting],
    now: datetime,
    *,
    timezone: str | None = None,
) -> PlanDue:
    """When ``item`` is next due and whether its last due occurrence is overdue.

    An occurrence counts as covered when, nearer to it than to the occurrence
    before, a meeting linked to the item (``plan_item_id``) was held or
    minuted, or the item was marked done (``last_done``). Concretely: from
    half the gap to the occurrence before (for the first occurrence, half the
    gap to the next one; a day for a one-off) up to ``now``. An occurrence
    not covered is overdue once its day is over (in ``timezone``).

    Args:
        item: the plan item.
        meetings: the project's meetings (those linked to the item count).
        now: the moment to judge at.
        timezone: the project's zone: the cadence keeps its wall-clock time
            there across daylight-saving changes (else the offset ``first_due``
            carries is kept).
    """
    start = item.first_due.astimezone(zone(timezone)) if timezone else item.first_due
    rule = _rule(item.cadence, start) if item.cadence else None
    if rule is None:
        last_due = start if start <= now else None
        next_due = start if start > now else None
        previous = following = None
    else:
        last_due = rule.before(now, inc=True)
        next_due = rule.after(now)
        previous = rule.before(last_due) if last_due is not None else None
        following = rule.after(last_due) if last_due is not None else None
    if last_due is None:
        return PlanDue(next_due=next_due, last_due=None, done_at=None, overdue=False)
    if previous is not None:
        gap = last_due - previous
    elif following is not None:
        gap = following - last_due
    else:
        gap = timedelta(days=2)  # a one-off: a day either side counts
    since = last_due - gap / 2
    held = (MeetingStatus.HELD, MeetingStatus.MINUTED)
    covered = [
        occurrence.start
        for meeting in meetings
        if meeting.plan_item_id == item.id
        for occurrence in occurrences(meeting, since, now)
        if occurrence.status in held and since <= occurrence.start <= now
    ]
    if item.last_done is not None and since <= item.last_done <= now:
        covered.append(item.last_done)
    done_at = max(covered) if covered else None
    # Due on a day means due by its end: a report due at 16:00 or a meeting
    # still running is not overdue until the day is over.
    day_over = datetime.combine(last_due.date() + timedelta(days=1), time(0), last_due.tzinfo)
    overdue = done_at is None and now >= day_over
    return PlanDue(next_due=next_due, last_due=last_due, done_at=done_at, overdue=overdue)


def series_for_plan(
    item: CommunicationPlanItem, project: Project, contacts: Sequence[Contact], now: datetime
) -> Meeting:
    """A draft meeting series for a plan item: its cadence, its audience as attendees.

    The first occurrence is the item's next due one (its first due when the
    cadence ended); the new meeting links back through ``plan_item_id``.
    """
    from clientdesk.store.models import Attendee, Meeting

    home = zone(project.timezone)
    first = item.first_due.astimezone(home)
    rule = _rule(item.cadence, first) if item.cadence else None
    upcoming = rule.after(now, inc=True) if rule is not None else None
    start = upcoming or first
    cadence = item.cadence
    if cadence is not None and rule is not None and "COUNT" in _parts(cadence):
        parts = _parts(cadence)
        done = len(rule.between(first, start, inc=True)) - 1
        parts["COUNT"] = str(int(parts["COUNT"]) - done)
        cadence = _joined(parts)
    audience = set(item.audience)
    attendees = [
        Attendee(email=contact.email, name=contact.name, contact_id=contact.id)
        for contact in contacts
        if contact.id in audience and contact.email
    ]
    return Meeting(
        project_id=item.project_id,
        title=item.title,
        kind=MeetingKind.STATUS_REPORT if item.channel is Channel.REPORT else MeetingKind.MEETING,
        start=start,
        timezone=project.timezone,
        organiser_name=project.organiser_name,
        organiser_email=project.organiser_email,
        attendees=attendees,
        status=MeetingStatus.DRAFT,
        rrule=cadence,
        plan_item_id=item.id,
    )


_TITLE_LIMIT = 200
"""The longest title a request takes."""


def request_for_action(
    meeting: Meeting, original_start: datetime, index: int, project: Project, now: datetime
) -> tuple[ClientRequest, Meeting]:
    """A client request for one action item, linked both ways.

    Returns:
        The new request (linking the meeting in ``meeting_ids``) and the
        meeting with the action item's ``request_id`` set; save both in one
        ``apply``.

    Raises:
        ValidationFailed: no such action item, or it already has a request.
    """
    from clientdesk.store.models import ClientRequest

    occurrence = occurrence_at(meeting, original_start)
    if occurrence is None:
        raise _no_occurrence(meeting, original_start)
    actions = list(occurrence.action_items)
    if not 0 <= index < len(actions):
        raise ValidationFailed("no such action item", "action_items")
    action = actions[index]
    if action.request_id is not None:
        raise ValidationFailed("that action item already has a request", "action_items")
    lines = [line.strip() for line in action.text.splitlines() if line.strip()]
    title = " ".join(lines[0].split())[:_TITLE_LIMIT] if lines else meeting.title
    held_on = occurrence.start.astimezone(zone(project.timezone))
    request = ClientRequest(
        project_id=meeting.project_id,
        type=RequestType.REQUIREMENT,
        title=title,
        description=(
            f"Action item from {meeting.key or 'meeting'} {meeting.title} "
            f"on {held_on:%Y-%m-%d}:\n{action.text}"
        ),
        channel=Channel.VIDEO if meeting.video_link else Channel.IN_PERSON,
        owner=action.owner,
        received_at=now,
        meeting_ids=[meeting.id],
    )
    actions[index] = action.model_copy(update={"request_id": request.id})
    return request, change_occurrence(meeting, original_start, action_items=actions)


# -- cadences ---------------------------------------------------------------------------


class CadencePreset(StrEnum):
    """The cadences a plan item or series is usually given."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY_FIRST_WEEKDAY = "monthly_first_weekday"
    MONTHLY_LAST_WEEKDAY = "monthly_last_weekday"
    MONTHLY_DATE = "monthly_date"
    QUARTERLY = "quarterly"


_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = dict(zip(_DAY_CODES, ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True))
_ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", -1: "last", -2: "2nd last"}


def cadence_rule(
    preset: CadencePreset,
    first: datetime,
    *,
    until: date | None = None,
    count: int | None = None,
) -> str:
    """The RRULE of a preset, anchored on the first occurrence.

    "Weekly" repeats on ``first``'s weekday; "monthly on the first weekday"
    means the first such weekday of each month (``BYDAY=1TU``), the last
    (``-1TU``) likewise; "monthly on a date" repeats ``first``'s day of the
    month; "quarterly" every three months on that date. ``until`` (a date in
    ``first``'s zone, inclusive) or ``count`` ends the series.

    Raises:
        ValidationFailed: both ``until`` and ``count``, ``until`` before the
            first occurrence, or a count below 1.
    """
    day = _DAY_CODES[first.weekday()]
    rules = {
        CadencePreset.WEEKLY: f"FREQ=WEEKLY;BYDAY={day}",
        CadencePreset.FORTNIGHTLY: f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day}",
        CadencePreset.MONTHLY_FIRST_WEEKDAY: f"FREQ=MONTHLY;BYDAY=1{day}",
        CadencePreset.MONTHLY_LAST_WEEKDAY: f"FREQ=MONTHLY;BYDAY=-1{day}",
        CadencePreset.MONTHLY_DATE: f"FREQ=MONTHLY;{_month_day(first)}",
        CadencePreset.QUARTERLY: f"FREQ=MONTHLY;INTERVAL=3;{_month_day(first)}",
    }
    return rule_with_end(rules[preset], first, until=until, count=count)


def _month_day(first: datetime) -> str:
    """The day of the month of ``first`` as RFC 5545 parts, for months too short for it.

    A plain BYMONTHDAY=31 skips every month without a 31st. The last day of
    a month becomes "the last day" (-1); the 29th or 30th becomes "that day,
    or the month's last when it is shorter": the latest of the days from the
    28th up to it that the month has (BYSETPOS=-1).
    """
    last = calendar_module.monthrange(first.year, first.month)[1]
    if first.day >= 29 and first.day == last:
        return "BYMONTHDAY=-1"
    if first.day >= 29:
        days = ",".join(str(day) for day in range(28, first.day + 1))
        return f"BYMONTHDAY={days};BYSETPOS=-1"
    return f"BYMONTHDAY={first.day}"


def rule_with_end(
    text: str, first: datetime, *, until: date | None = None, count: int | None = None
) -> str:
    """``text`` with its end replaced by ``until`` or ``count`` (with neither: no end).

    ``until`` is a date in ``first``'s zone and inclusive; it is stored as
    the end of that day in UTC, as RFC 5545 wants for a zoned start.

    Raises:
        ValidationFailed: both given, ``until`` before ``first``, or a count below 1.
    """
    if until is not None and count is not None:
        raise ValidationFailed("end the series by a date or by a count, not both", "rrule")
    if count is not None and count < 1:
        raise ValidationFailed("a series has at least one occurrence", "rrule")
    parts = {k: v for k, v in _parts(text).items() if k not in ("UNTIL", "COUNT")}
    if until is not None:
        if until < first.date():
            raise ValidationFailed("the series ends before it starts", "rrule")
        end = datetime.combine(until, time(23, 59, 59), tzinfo=first.tzinfo)
        parts["UNTIL"] = end.astimezone(UTC).strftime(_UTC_UNTIL)
    if count is not None:
        parts["COUNT"] = str(count)
    return _joined(parts)


_FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_NUMBER = re.compile(r"[+-]?\d{1,4}")
_WEEKDAY = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_NUMBER_PARTS = {
    # name: (lowest, highest, may be negative)
    "BYMONTH": (1, 12, False),
    "BYMONTHDAY": (1, 31, True),
    "BYSETPOS": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYYEARDAY": (1, 366, True),
}
_REFUSED_PARTS = {
    "BYHOUR": "a meeting keeps its start's time (BYHOUR is not allowed)",
    "BYMINUTE": "a meeting keeps its start's time (BYMINUTE is not allowed)",
    "BYSECOND": "a meeting keeps its start's time (BYSECOND is not allowed)",
    "DTSTART": "the series starts at the meeting's start: leave DTSTART out of the rule",
    "BYEASTER": "not a valid RRULE: BYEASTER is not part of RFC 5545",
}
_ORDINAL_LIMIT = {"DAILY": 0, "WEEKLY": 0, "MONTHLY": 5, "YEARLY": 53}
_CHECK_YEARS = 10
"""How far ahead a rule must give an occurrence (longer gaps are a typing slip)."""


def _numbers(name: str, value: str) -> list[int] | str:
    """The numbers of a list part, or why they are refused."""
    low, high, negative = _NUMBER_PARTS[name]
    numbers = []
    for item in value.split(","):
        if not _NUMBER.fullmatch(item):
            return f"not a valid RRULE: {name}={value}"
        number = int(item)
        if not low <= abs(number) <= high or (number < 0 and not negative):
            span = f"{low} to {high}" + (f" or -{high} to -{low}" if negative else "")
            return f"not a valid RRULE: {name} takes {span} ({name}={value})"
        numbers.append(number)
    return numbers


def _part_problem(name: str, value: str, freq: str) -> str | None:
    """Why one part of a rule (other than FREQ) is refused (None when it is fine)."""
    if name in _REFUSED_PARTS:
        return _REFUSED_PARTS[name]
    if name in ("INTERVAL", "COUNT"):
        high = 366 if name == "INTERVAL" else 5000
        if not value.isdigit() or not 1 <= int(value) <= high:
            return f"not a valid RRULE: {name} takes 1 to {high} ({name}={value})"
    elif name == "UNTIL":
        try:
            until = datetime.strptime(value, _UTC_UNTIL)
        except ValueError:
            return f"not a valid RRULE: UNTIL is a date (UNTIL=20270331) or UTC time ({value})"
        if not MIN_YEAR <= until.year <= MAX_YEAR:
            return f"a series ends between {MIN_YEAR} and {MAX_YEAR} (UNTIL={value})"
    elif name == "WKST":
        if value not in _DAY_CODES:
            return f"not a valid RRULE: WKST is one of {', '.join(_DAY_CODES)} (WKST={value})"
    elif name == "BYDAY":
        for item in value.split(","):
            match = _WEEKDAY.fullmatch(item)
            if match is None:
                return f"not a valid RRULE: BYDAY takes days like MO or 1TU (BYDAY={value})"
            limit = _ORDINAL_LIMIT[freq]
            if match.group(1) is not None and not 1 <= abs(int(match.group(1))) <= limit:
                if limit == 0:
                    return f"not a valid RRULE: a {freq.lower()} rule takes plain days ({item})"
                return f"not a valid RRULE: a {freq.lower()} rule counts days 1 to {limit} ({item})"
    elif name in _NUMBER_PARTS:
        numbers = _numbers(name, value)
        if isinstance(numbers, str):
            return numbers
        if name == "BYWEEKNO" and freq != "YEARLY":
            return "not a valid RRULE: BYWEEKNO belongs to a yearly rule"
        if name == "BYYEARDAY" and freq != "YEARLY":
            return "not a valid RRULE: BYYEARDAY belongs to a yearly rule"
        if name == "BYMONTHDAY" and freq == "WEEKLY":
            return "not a valid RRULE: a weekly rule takes no BYMONTHDAY"
    else:
        return f"not a valid RRULE: {name} is not supported"
    return None


def _syntax_problem(text: str) -> str | None:
    """Why ``text`` is not a rule a meeting can follow, without expanding it."""
    if "\n" in text or "\r" in text:
        return "not a valid RRULE: a rule is one line"
    rule = normalise_rule(text)
    if ":" in rule:
        return "not a valid RRULE: give only the rule, e.g. FREQ=WEEKLY;BYDAY=MO"
    names = [part.partition("=")[0] for part in rule.split(";") if part]
    if len(names) != len(set(names)):
        return "not a valid RRULE: a part is given twice"
    parts = _parts(rule)
    freq = parts.get("FREQ")
    if not freq:
        return "not a valid RRULE: FREQ is missing (e.g. FREQ=WEEKLY;BYDAY=MO)"
    if freq in ("HOURLY", "MINUTELY", "SECONDLY"):
        return f"a meeting repeats at most daily (FREQ={freq})"
    if freq not in _FREQS:
        return f"not a valid RRULE: FREQ is one of {', '.join(_FREQS)} (FREQ={freq})"
    if "UNTIL" in parts and "COUNT" in parts:
        return "not a valid RRULE: give UNTIL or COUNT, not both"
    for name, value in parts.items():
        if name == "FREQ":
            continue
        problem = _part_problem(name, value, freq)
        if problem:
            return problem
    if "BYSETPOS" in parts:
        if not any(name.startswith("BY") and name != "BYSETPOS" for name in parts):
            return "not a valid RRULE: BYSETPOS needs another BY... part"
        most = _days_per_period(parts)
        if any(abs(int(n)) > most for n in parts["BYSETPOS"].split(",")):
            # It would never match, and dateutil would search to the year 9999.
            return f"not a valid RRULE: BYSETPOS picks among at most {most} days here"
    from dateutil.rrule import rrulestr

    try:
        rrulestr(rule, dtstart=datetime(2026, 1, 1, tzinfo=UTC))
    except (ValueError, TypeError) as error:
        return f"not a valid RRULE: {error}"
    return None


def _signed_in(number: int, numbers: set[int], size: int) -> bool:
    return number in numbers or number - size - 1 in numbers


_Filters = dict[str, set[int]]


def _filters(parts: dict[str, str]) -> _Filters:
    """The day filters of a rule as number sets (BYDAY as weekday numbers, ordinals left aside)."""
    found: _Filters = {
        name: {int(n) for n in parts[name].split(",")}
        for name in ("BYMONTH", "BYMONTHDAY", "BYYEARDAY")
        if name in parts
    }
    if "BYDAY" in parts:
        found["BYDAY"] = {_DAY_CODES.index(item[-2:]) for item in parts["BYDAY"].split(",")}
    return found


def _day_may_match(filters: _Filters, day: date) -> bool:
    """True when ``day`` passes the rule's filters, ordinals and BYSETPOS left aside."""
    if "BYMONTH" in filters and day.month not in filters["BYMONTH"]:
        return False
    if "BYDAY" in filters and day.weekday() not in filters["BYDAY"]:
        return False
    if "BYMONTHDAY" in filters:
        month_days = calendar_module.monthrange(day.year, day.month)[1]
        if not _signed_in(day.day, filters["BYMONTHDAY"], month_days):
            return False
    if "BYYEARDAY" in filters:
        year_days = 366 if calendar_module.isleap(day.year) else 365
        if not _signed_in(day.timetuple().tm_yday, filters["BYYEARDAY"], year_days):
            return False
    return True


def _may_match_soon(filters: _Filters, first: date) -> bool:
    # dateutil searches up to the year 9999 for a rule that never matches
    # (30 February), seconds on end; a day-by-day look at the filters is cheap.
    if not filters.keys() & {"BYMONTH", "BYMONTHDAY", "BYYEARDAY"}:
        return True
    day, last = first, first + timedelta(days=366 * _CHECK_YEARS)
    while day <= last:
        if _day_may_match(filters, day):
            return True
        day += timedelta(days=1)
    return False


def _days_per_period(parts: dict[str, str]) -> int:
    """The most days one period of the rule (its week, month, year) can give."""
    freq = parts["FREQ"]
    most = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}[freq]
    per_day = {"WEEKLY": 1, "MONTHLY": 5, "YEARLY": 53}
    if "BYDAY" in parts and freq in per_day:
        days = parts["BYDAY"].split(",")
        most = min(most, sum(1 if len(d) > 2 else per_day[freq] for d in days))
    months = len(parts["BYMONTH"].split(",")) if "BYMONTH" in parts else 12
    if "BYMONTHDAY" in parts:
        in_month = len(parts["BYMONTHDAY"].split(","))
        most = min(most, in_month * (months if freq == "YEARLY" else 1))
    if "BYYEARDAY" in parts:
        most = min(most, len(parts["BYYEARDAY"].split(",")))
    return most


def rule_problem(
    text: str,
    first: datetime | None = None,
    *,
    anchored: bool = True,
) -> str | None:
    """Why ``text`` is not a usable RRULE (None when it is), for checking as the user types.

    Checks the syntax and the RFC 5545 ranges of every part (a meeting
    repeats at most daily and keeps its start's time), and with ``first``
    (in the series' zone) that the rule does not end before it starts and
    that ``first`` is an occurrence of the rule, as RFC 5545 clients count
    DTSTART as one. Never expands a rule far: an answer is quick.

    Args:
        text: the rule.
        first: the series' start (None: the syntax only).
        anchored: ``first`` must be an occurrence (a meeting's start is one
            in every calendar; a plan item's first due date need not be).
    """
    if not text.strip():
        return None
    problem = _syntax_problem(text)
    if problem or first is None:
        return problem
    parts = _parts(text)
    if "UNTIL" in parts:
        until = datetime.strptime(parts["UNTIL"], _UTC_UNTIL).replace(tzinfo=UTC)
        if until < first:
            return "the series ends before it starts"
    shown = f"the first meeting ({first:%a %d %b %Y})"
    filters = _filters(parts)
    if not _may_match_soon(filters, first.date()):
        return f"the rule gives no occurrence in the {_CHECK_YEARS} years from {shown}"
    if not anchored:
        return None
    if not _day_may_match(filters, first.date()):
        return f"{shown} is not one the rule gives: {describe_rule(text)}"
    given = next(iter(_rule(normalise_rule(text), first)), None)
    if given != first:
        return f"{shown} is not one the rule gives: {describe_rule(text)}"
    return None


def describe_rule(rrule: str | None, *, timezone: str = "UTC") -> str:
    """A short reading of a rule: "weekly Mon", "every 2 weeks Thu", "monthly 1st Tue".

    Also "monthly last Fri", "monthly on the 15th", "every 3 months on the
    15th", with " until 2027-03-31" (the date in ``timezone``) or ", 10 times"
    when the rule ends. An empty string for no rule.
    """
    if not rrule:
        return ""
    parts = _parts(rrule)
    interval = int(parts.get("INTERVAL", "1") or "1")
    freq = parts.get("FREQ", "")
    unit = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}.get(freq)
    if unit is None:
        text = freq.lower() or rrule
    elif interval == 1:
        text = {"day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"}[unit]
    else:
        text = f"every {interval} {unit}s"
    days = [_day_text(day) for day in parts.get("BYDAY", "").split(",") if day]
    if days:
        text += " " + ", ".join(days)
    month_days = parts.get("BYMONTHDAY", "").split(",")
    if parts.get("BYSETPOS") == "-1" and len(month_days) > 1 and month_days[0] == "28":
        text += f" on the {_date_text(month_days[-1])} (or the month's last day)"
    elif parts.get("BYMONTHDAY"):
        text += f" on the {', '.join(_date_text(day) for day in month_days)}"
    until, count = rule_end(rrule, timezone=timezone)
    if until is not None:
        text += f" until {until.isoformat()}"
    if count is not None:
        text += f", {count} times" if count != 1 else ", once"
    return text


def rule_end(rrule: str | None, *, timezone: str = "UTC") -> tuple[date | None, int | None]:
    """The UNTIL date (in ``timezone``, UTC by default) and the COUNT of a rule.

    Either is None when not given.
    """
    if not rrule:
        return None, None
    parts = _parts(rrule)
    until: date | None = None
    if parts.get("UNTIL"):
        try:
            moment = datetime.strptime(parts["UNTIL"], _UTC_UNTIL).replace(tzinfo=UTC)
        except ValueError:
            moment = None
        if moment is not None:
            until = moment.astimezone(zone(timezone)).date()
    count = int(parts["COUNT"]) if parts.get("COUNT", "").isdigit() else None
    return until, count


def _day_text(code: str) -> str:
    match = re.fullmatch(r"([+-]?\d*)([A-Z]{2})", code)
    if match is None or match.group(2) not in _DAY_NAMES:
        return code
    name = _DAY_NAMES[match.group(2)]
    if not match.group(1):
        return name
    nth = int(match.group(1))
    return f"{_ORDINALS.get(nth, f'{nth}th')} {name}"


def _date_text(day: str) -> str:
    if not day.lstrip("-").isdigit():
        return day
    number = int(day)
    if number == -1:
        return "last day"
    if number < 0:
        return f"{-number}th last day"
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


NEXT_STATUS: dict[MeetingStatus, MeetingStatus] = {
    MeetingStatus.DRAFT: MeetingStatus.SCHEDULED,
    MeetingStatus.SCHEDULED: MeetingStatus.HELD,
    MeetingStatus.HELD: MeetingStatus.MINUTED,
}
"""The status the status key moves an occurrence to, along draft → scheduled → held → minuted."""


def occurrence_action_allowed(occurrence: Occurrence, action: str) -> bool:
    """True when ``action`` makes sense for ``occurrence``.

    Args:
        occurrence: the occurrence as shown.
        action: ``detail``, ``export``, ``send``, ``status``, ``minutes``,
            ``cancel``, ``restore``, ``move`` or ``split``.
    """
    if action == "restore":
        # A cancelled series comes back as a whole (by editing it), not one
        # occurrence at a time; a cancelled one-off meeting is its occurrence.
        whole_cancelled = occurrence.meeting.status is MeetingStatus.CANCELLED
        return occurrence.cancelled and (not occurrence.is_recurring or not whole_cancelled)
    if action in ("detail", "export", "send"):
        return True  # a cancelled occurrence gives its cancellation
    if action == "send_minutes":
        return True  # whether there are minutes to send is told when asked to send them
    if occurrence.cancelled:
        return False
    if action == "status":
        return occurrence.status in NEXT_STATUS
    if action == "split":
        return occurrence.is_recurring and occurrence.original_start != occurrence.meeting.start
    if action in ("cancel", "move"):
        return occurrence.status not in RECORDED  # it took place: it stays as it was
    return action in ("detail", "minutes")
