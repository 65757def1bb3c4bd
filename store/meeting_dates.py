"""When a meeting falls beyond its clock time: all-day meetings and extra dates.

An all-day meeting starts at the start of a day in its own zone and lasts whole
days; its occurrences are known by their dates, however a calendar program
wrote them. A series may also have extra dates (iCalendar RDATE) besides the
ones its rule gives. This module holds those rules, and the words a report
uses for an all-day occurrence instead of a clock time. No Textual here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from clientdesk.store.clock import zone

if TYPE_CHECKING:
    from clientdesk.store.models import Meeting

DAY_MINUTES = 24 * 60
"""The minutes of one day of an all-day meeting (its length is whole days)."""
MAX_ALL_DAY_DAYS = 366
"""How many days an all-day meeting may span (a conference, a holiday, a phase)."""
MAX_EXTRA_DATES = 1000
"""How many extra dates (iCalendar RDATE) a series may have; real ones have a few."""


def day_start(day: date, timezone: str) -> datetime:
    """The first instant of ``day`` in ``timezone``: 00:00, or the hour the clocks skip to.

    A few zones move their clocks at midnight (America/Havana, Asia/Beirut, and
    Sao Paulo until 2019): there the day starts at 01:00.
    """
    place = zone(timezone)
    midnight = datetime.combine(day, time(0), place)
    return midnight.astimezone(UTC).astimezone(place)


def whole_days_problem(
    start: datetime, duration_minutes: int, timezone: str, *, all_day: bool
) -> str | None:
    """Why a meeting's start and length do not fit its kind (None when they do).

    A timed meeting lasts 24 hours at most; an all-day meeting starts at the
    start of a day in its zone and lasts whole days.
    """
    if not all_day:
        if duration_minutes > DAY_MINUTES:
            return "a meeting lasts between 1 minute and 24 hours (an all-day one may last days)"
        return None
    if duration_minutes % DAY_MINUTES:
        return "an all-day meeting lasts whole days"
    if not 1 <= duration_minutes // DAY_MINUTES <= MAX_ALL_DAY_DAYS:
        return f"an all-day meeting lasts 1 to {MAX_ALL_DAY_DAYS} days"
    local = start.astimezone(zone(timezone))
    if start != day_start(local.date(), timezone):
        return f"an all-day meeting starts at the start of its day (not {local:%H:%M})"
    return None


def day_of(meeting: Meeting, moment: datetime) -> datetime:
    """``moment`` as the all-day ``meeting`` knows its occurrences: the start of its day.

    A time that is already the start of a day in the meeting's zone stays. Any
    other is read by its own calendar date: Exchange writes the RECURRENCE-ID of
    an all-day series as local midnight with a TZID of its own (or floating),
    and that midnight is the occurrence's date wherever the series is kept. A
    timed meeting's moments are returned as given.
    """
    if not meeting.all_day:
        return moment
    local = moment.astimezone(zone(meeting.timezone))
    if moment == day_start(local.date(), meeting.timezone):
        return local
    return day_start(moment.date(), meeting.timezone)


def all_day_end(start: datetime, days: int, timezone: str) -> datetime:
    """The end of an all-day span: the start of the day ``days`` after ``start``'s day."""
    local = start.astimezone(zone(timezone))
    return day_start(local.date() + timedelta(days=days), timezone)


def whole_days(minutes: int) -> int:
    """The number of days ``minutes`` of an all-day meeting span (at least one)."""
    return max(1, minutes // DAY_MINUTES)


def extra_dates_problem(
    extra_dates: Sequence[datetime], start: datetime, rrule: str, timezone: str, *, all_day: bool
) -> str | None:
    """Why extra dates of a series are refused (None when they are fine).

    An all-day series' extra dates are starts of days; none may fall on an
    occurrence the rule gives already (it would be there twice).
    """
    # The rule's expansion lives in calendar, which imports this module for
    # whole days: importing it here, when the check runs, keeps the two apart.
    from clientdesk.store.calendar import MAX_YEAR, MIN_YEAR, series_rule

    for moment in extra_dates:
        if not MIN_YEAR <= moment.year <= MAX_YEAR:
            return f"the extra date {moment.date().isoformat()} is out of range"
        local = moment.astimezone(zone(timezone))
        if all_day and moment != day_start(local.date(), timezone):
            return f"an all-day series' extra date is a whole day (not {local:%Y-%m-%d %H:%M})"
    rule = series_rule(rrule, start.astimezone(zone(timezone)))
    for moment in extra_dates:
        if rule.after(moment, inc=True) == moment:
            local = moment.astimezone(zone(timezone))
            return f"the extra date {local:%Y-%m-%d %H:%M} is an occurrence of the rule already"
    return None


def extra_starts(meeting: Meeting, begin: datetime, end: datetime) -> list[datetime]:
    """The extra dates of ``meeting`` in ``[begin, end]``, in the meeting's zone."""
    place = zone(meeting.timezone)
    return [moment.astimezone(place) for moment in meeting.extra_dates if begin <= moment <= end]


def occurrence_end(meeting: Meeting, start: datetime, minutes: int) -> datetime:
    """The end of an occurrence of ``meeting`` that starts at ``start`` and lasts ``minutes``."""
    # An all-day occurrence ends at the start of the day after its last one, which
    # is 23 or 25 hours on in a zone whose clocks change that day.
    if meeting.all_day:
        return all_day_end(start, whole_days(minutes), meeting.timezone)
    return start + timedelta(minutes=minutes)


def all_day_dates(start: datetime, end: datetime, timezone: str) -> tuple[date, date]:
    """The first and the last day of an all-day span from ``start`` to ``end`` in ``timezone``.

    ``end`` is the start of the day after the last one, as an all-day
    occurrence's end is.
    """
    place = zone(timezone)
    first = start.astimezone(place).date()
    last = end.astimezone(place).date() - timedelta(days=1)
    return first, max(first, last)


def all_day_text(start: datetime, end: datetime, timezone: str, *, weekday: bool = False) -> str:
    """How a report says when an all-day occurrence is, in place of a clock time.

    ``2026-12-07, all day`` for one day, ``2026-12-07 to 2026-12-09, all day``
    for several; with ``weekday``, each date leads with its day's name
    (``Mon 2026-12-07, all day``).
    """
    shape = "%a %Y-%m-%d" if weekday else "%Y-%m-%d"
    first, last = all_day_dates(start, end, timezone)
    if first == last:
        return f"{first:{shape}}, all day"
    return f"{first:{shape}} to {last:{shape}}, all day"
