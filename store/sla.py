"""Response clocks (service levels): working-time arithmetic and the two clocks of a request.

A clock counts time towards a target: around the clock, or only inside a
:class:`WorkingWeek` (weekly spans of local wall-clock time in the project's
zone, minus holidays). A request has two clocks, both started at its received
time:

- the **first-response** clock stops at the first move out of ``new``
  (acknowledged, or answered by any later state);
- the **resolution** clock stops at resolved (and at closed or rejected) and
  runs again when a resolved request is reopened.

Both pause while the request waits on the client. A clock's due time is
where the counted time reaches the target; it is recomputed from the
received time whenever it is asked for, so a priority change (new targets)
keeps every pause. Pure functions over plain values: no pydantic, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clientdesk.store.models import ClientRequest, Project, RequestClocks

MINUTES_PER_DAY = 24 * 60

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday names as the working-week text uses them, Monday first (``date.weekday()``)."""

MAX_DAYS = 3 * 366
"""How far ahead a due time is looked for before the clock is called unreachable."""

UNREACHABLE = datetime(9999, 12, 30, tzinfo=UTC)
"""The due time of a clock whose target no working time reaches (see ``ClockReading.reachable``).

Far enough in the future never to be breached, and a day short of
``datetime.max`` so that it still converts to any time zone for display.
"""

NEW = "new"
WAITING = "waiting_on_client"
STOPPING = frozenset({"resolved", "closed", "rejected"})
"""Statuses in which the resolution clock does not run."""


class WorkingWeekError(ValueError):
    """A working-week or duration text cannot be read; the message says why in one line."""


@dataclass(frozen=True)
class WorkingWeek:
    """When working-hours clocks run: weekly spans in a time zone, minus holidays.

    Attributes:
        spans: ``(weekday, start_minute, end_minute)``; weekday 0 is Monday;
            minutes count from local midnight, the end up to 1440 (midnight after).
        zone: the time zone the spans are wall-clock times of.
        holidays: local dates on which nothing counts.
    """

    spans: tuple[tuple[int, int, int], ...]
    zone: tzinfo
    holidays: frozenset[date] = frozenset()
    _days: dict[date, tuple[tuple[datetime, datetime], ...]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )
    _weeks: dict[date, tuple[datetime, datetime, float] | None] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def __post_init__(self) -> None:
        if not self.spans:
            raise WorkingWeekError("a working week needs at least one working span")
        for weekday, start, end in self.spans:
            if not (0 <= weekday <= 6 and 0 <= start < end <= MINUTES_PER_DAY):
                raise WorkingWeekError(f"not a working span: {weekday} {start}-{end}")

    def day_spans(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The working spans of local date ``day`` as UTC ``(start, end)`` pairs."""
        cached = self._days.get(day)
        if cached is not None:
            return cached
        spans: list[tuple[datetime, datetime]] = []
        if day not in self.holidays:
            weekday = day.weekday()
            for span_day, start, end in sorted(self.spans):
                if span_day != weekday:
                    continue
                begin = _local(day, start, self.zone)
                finish = _local(day, end, self.zone)
                if finish > begin:  # a span inside a skipped DST hour has no length
                    spans.append((begin, finish))
        result = tuple(spans)
        if len(self._days) > 20_000:
            self._days.clear()
        self._days[day] = result
        return result

    def week_seconds(self, monday: date) -> float | None:
        """The working seconds of the week starting on local Monday ``monday`` (None on other days).

        None when the zone's offset changes during that week (a DST change):
        then the spans' UTC lengths may differ from their wall-clock lengths,
        and a caller walks that week day by day. Holidays are subtracted.
        """
        whole = self._whole_week(monday)
        return whole[2] if whole is not None else None

    def _whole_week(self, day: date) -> tuple[datetime, datetime, float] | None:
        # ``(start, end, seconds)`` of the week starting at ``day`` (UTC bounds that
        # hold all its spans), or None unless ``day`` is a Monday and the offset
        # stays the same all week.
        if day.weekday() != 0:
            return None
        if day in self._weeks:
            return self._weeks[day]
        whole: tuple[datetime, datetime, float] | None = None
        # Local midnights from Monday to the next Monday 24 hours apart in UTC: the
        # offset is the same at each, so wall-clock time maps to UTC by one shift
        # all week (the zone database has no change undone within the same day).
        midnights = [_local(day + timedelta(days=n), 0, self.zone) for n in range(8)]
        if all(b - a == timedelta(days=1) for a, b in pairwise(midnights)):
            minutes = sum(
                end - start
                for weekday, start, end in self.spans
                if day + timedelta(days=weekday) not in self.holidays
            )
            whole = midnights[0], midnights[-1], minutes * 60.0
        if len(self._weeks) > 5_000:
            self._weeks.clear()
        self._weeks[day] = whole
        return whole


def _local(day: date, minute: int, zone: tzinfo) -> datetime:
    """Local wall-clock ``minute`` of ``day`` in ``zone``, as UTC."""
    if minute >= MINUTES_PER_DAY:
        day, minute = day + timedelta(days=1), minute - MINUTES_PER_DAY
    wall = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)
    return wall.astimezone(UTC)


def _utc(moment: datetime) -> datetime:
    # Aware datetimes sharing one tzinfo subtract as wall-clock times, which is
    # wrong across a DST change: every sum and difference here is done in UTC.
    if moment.tzinfo is None:
        raise ValueError("clock arithmetic needs timezone-aware times")
    return moment.astimezone(UTC)


def working_seconds(week: WorkingWeek | None, start: datetime, end: datetime) -> float:
    """How much counted time lies between ``start`` and ``end`` (0 when end <= start).

    Whole weeks without a clock change count in one step, so the cost grows
    with the number of weeks, not days.

    Args:
        week: the working week, or None for a clock that runs around the clock.
        start: the beginning, timezone-aware.
        end: the end, timezone-aware.
    """
    begin, finish = _utc(start), _utc(end)
    if finish <= begin:
        return 0.0
    if week is None:
        return (finish - begin).total_seconds()
    total = 0.0
    day = begin.astimezone(week.zone).date() - timedelta(days=1)
    last = finish.astimezone(week.zone).date()
    while day <= last:
        whole = week._whole_week(day)
        if whole is not None and begin <= whole[0] and whole[1] <= finish:
            total += whole[2]
            day += timedelta(days=7)
            continue
        for span_start, span_end in week.day_spans(day):
            low, high = max(span_start, begin), min(span_end, finish)
            if high > low:
                total += (high - low).total_seconds()
        day += timedelta(days=1)
    return total


def add_working_seconds(week: WorkingWeek | None, start: datetime, seconds: float) -> datetime:
    """The moment at which ``seconds`` of counted time have passed since ``start`` (UTC).

    With a working week the result always lies inside a working span (at most
    at its end), never in the evening, on a weekend or on a holiday. Whole
    weeks without a clock change are skipped in one step.

    Raises:
        WorkingWeekError: no working time within :data:`MAX_DAYS` (e.g. every day a holiday).
    """
    begin = _utc(start)
    if week is None:
        return begin + timedelta(seconds=seconds)
    # A target already met is met at the first counted instant from ``start`` on.
    remaining = max(seconds, 0.0)
    day = begin.astimezone(week.zone).date() - timedelta(days=1)
    give_up = day + timedelta(days=MAX_DAYS)
    while day < give_up:
        whole = week._whole_week(day)
        # Skip a week only when the due time lies beyond it (the day walk finds it
        # inside, at the end of a span when the week holds exactly what is left).
        if (
            whole is not None
            and begin <= whole[0]
            and day + timedelta(days=7) <= give_up
            and remaining > whole[2]
        ):
            remaining -= whole[2]
            day += timedelta(days=7)
            continue
        for span_start, span_end in week.day_spans(day):
            low = max(span_start, begin)
            if span_end <= low:
                continue
            available = (span_end - low).total_seconds()
            if remaining <= available:
                return low + timedelta(seconds=remaining)
            remaining -= available
        day += timedelta(days=1)
    raise WorkingWeekError(f"no working time within {MAX_DAYS} days of {begin:%Y-%m-%d}")


# -- the clocks of a request ---------------------------------------------------------


@dataclass(frozen=True)
class ClockReading:
    """One clock of a request at one moment.

    Attributes:
        target_seconds: the target, in counted time.
        counted_seconds: counted time so far (up to the stop, or up to now).
        due_at: when the target is (or was) reached; for a paused clock,
            projected as if it ran again from now.
        stopped_at: when the clock stopped (None while it runs or is paused).
        paused: True while the request waits on the client.
        paused_seconds: wall-clock time spent waiting on the client, up to
            the stop (or now).
        read_at: the moment the clock was read ("now").
        reachable: False when no working time within :data:`MAX_DAYS` reaches
            the target (e.g. holidays cover every working day): ``due_at`` is
            then :data:`UNREACHABLE` and the clock is never breached.
    """

    target_seconds: float
    counted_seconds: float
    due_at: datetime
    stopped_at: datetime | None
    paused: bool
    paused_seconds: float
    read_at: datetime
    reachable: bool = True

    @property
    def left_seconds(self) -> float:
        """Counted time left before the target (negative once more was counted)."""
        return self.target_seconds - self.counted_seconds

    @property
    def breached(self) -> bool:
        """True when the clock stopped, or still runs, after its due time.

        A request due at 17:00 and still open at 20:00 is breached, although
        no working time was counted after 17:00.
        """
        return (self.stopped_at or _utc(self.read_at)) > self.due_at

    @property
    def over_seconds(self) -> float:
        """How long ago the due time passed when the clock stopped, or now (0 when not breached).

        Wall-clock time: "due 3 hours ago" reads as a person expects, where
        working time would say "over 0m" all evening.
        """
        end = self.stopped_at or _utc(self.read_at)
        return max((end - self.due_at).total_seconds(), 0.0)

    @property
    def running(self) -> bool:
        """True while the clock counts (neither stopped nor paused)."""
        return self.stopped_at is None and not self.paused


def status_segments(
    received_at: datetime, moves: Iterable[tuple[datetime, str]], status: str, now: datetime
) -> list[tuple[datetime, datetime, str]]:
    """The request's life as ``(start, end, status)`` pieces from received to now.

    Args:
        received_at: when the request arrived (the first piece starts here, as ``new``).
        moves: ``(at, new_status)`` for every status change, in any order.
        status: the current status (used when no move is recorded for it).
        now: the end of the last piece.

    A move recorded before the received time (a received time set later,
    back-dated) counts from the received time.
    """
    start = _utc(received_at)
    end_of_life = max(_utc(now), start)
    pieces: list[tuple[datetime, datetime, str]] = []
    current_status, current_start = NEW, start
    for at, new_status in sorted(moves, key=lambda move: _utc(move[0])):
        moment = min(max(_utc(at), start), end_of_life)
        if moment > current_start:
            pieces.append((current_start, moment, current_status))
            current_start = moment
        current_status = new_status
    if current_status != status:
        # The record's status disagrees with its recorded moves (an older file, an
        # import): trust the status from the last move on.
        current_status = status
    pieces.append((current_start, end_of_life, current_status))
    return pieces


def first_response_clock(
    segments: Sequence[tuple[datetime, datetime, str]],
    target_seconds: float,
    week: WorkingWeek | None,
    now: datetime,
) -> ClockReading:
    """The first-response clock: runs while the request is ``new``, stops at the first move."""
    return _clock(segments, target_seconds, week, now, _first_response_state(segments))


def resolution_clock(
    segments: Sequence[tuple[datetime, datetime, str]],
    target_seconds: float,
    week: WorkingWeek | None,
    now: datetime,
) -> ClockReading:
    """The resolution clock: stops at resolved, closed or rejected; runs again on reopen."""
    states = [
        "stop" if status in STOPPING else "pause" if status == WAITING else "run"
        for _, _, status in segments
    ]
    return _clock(segments, target_seconds, week, now, states)


def _first_response_state(segments: Sequence[tuple[datetime, datetime, str]]) -> list[str]:
    states: list[str] = []
    responded = False
    for _, _, status in segments:
        responded = responded or status != NEW
        states.append("stop" if responded else "run")
    return states


def _clock(
    segments: Sequence[tuple[datetime, datetime, str]],
    target: float,
    week: WorkingWeek | None,
    now: datetime,
    states: Sequence[str],
) -> ClockReading:
    # Never raises: a clock is read for every row of a table and every JSON
    # record, and one unreachable target must not take the app down.
    counted = paused = 0.0
    due: datetime | None = None
    for (start, end, _), state in zip(segments, states, strict=True):
        if state == "pause":
            paused += (end - start).total_seconds()
        elif state == "run":
            piece = working_seconds(week, start, end)
            if due is None and counted + piece >= target:
                due = _due_or_unreachable(week, start, target - counted)
            counted += piece
    last_state = states[-1]
    stopped_at = _last_stop(segments, states) if last_state == "stop" else None
    if due is None:
        resume = stopped_at or _utc(now)
        due = _due_or_unreachable(week, resume, target - counted)
    return ClockReading(
        target_seconds=target,
        counted_seconds=counted,
        due_at=due,
        stopped_at=stopped_at,
        paused=last_state == "pause",
        paused_seconds=paused,
        read_at=_utc(now),
        reachable=due != UNREACHABLE,
    )


def _due_or_unreachable(week: WorkingWeek | None, start: datetime, seconds: float) -> datetime:
    try:
        return add_working_seconds(week, start, seconds)
    except (WorkingWeekError, OverflowError):
        # OverflowError: around the clock from a start near the end of the calendar.
        return UNREACHABLE


def _last_stop(
    segments: Sequence[tuple[datetime, datetime, str]], states: Sequence[str]
) -> datetime:
    # A clock that stopped, ran again (reopened) and stopped again: the last stop counts.
    index = len(states) - 1
    while index > 0 and states[index - 1] == "stop":
        index -= 1
    return segments[index][0]


# -- reading and writing the policy as text ------------------------------------------

_SPAN = re.compile(
    r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?(?:,[a-z]{3}(?:-[a-z]{3})?)*)\s+"
    r"(?P<times>\d{1,2}:\d{2}-\d{1,2}:\d{2}(?:,\d{1,2}:\d{2}-\d{1,2}:\d{2})*)$"
)


def parse_working_week(text: str) -> tuple[tuple[int, int, int], ...]:
    """Read a working week such as ``mon-fri 09:00-17:00; sat 10:00-12:00``.

    Parts are separated by ``;``; each names days (ranges and lists:
    ``mon-thu,sat``) and one or more time ranges (``09:00-12:00,13:00-17:00``).
    ``24:00`` is the midnight at the end of the day.

    Raises:
        WorkingWeekError: the text cannot be read.
    """
    spans: set[tuple[int, int, int]] = set()
    for part in (p.strip().lower() for p in text.split(";")):
        if not part:
            continue
        # People type "09:00-12:00, 13:00-17:00" and "mon - fri": spaces around a
        # comma or a dash are not a separator between days and times.
        match = _SPAN.match(re.sub(r"\s*([,-])\s*", r"\1", " ".join(part.split())))
        if match is None:
            raise WorkingWeekError(
                f"cannot read {part!r} (expected e.g. 'mon-fri 09:00-17:00; sat 10:00-12:00')"
            )
        days = _days(match["days"])
        for times in match["times"].split(","):
            first, second = times.split("-")
            start, end = _minute(first), _minute(second)
            if end <= start:
                raise WorkingWeekError(f"{times}: the end is not after the start")
            spans.update((day, start, end) for day in days)
    if not spans:
        raise WorkingWeekError("a working week needs at least one working span")
    ordered = sorted(spans)
    for (day_a, _, end_a), (day_b, start_b, _) in pairwise(ordered):
        if day_a == day_b and start_b < end_a:
            raise WorkingWeekError(f"{WEEKDAY_NAMES[day_a]}: working spans overlap")
    return tuple(ordered)


def _days(text: str) -> list[int]:
    days: list[int] = []
    for piece in text.split(","):
        first, _, last = piece.partition("-")
        try:
            low = WEEKDAY_NAMES.index(first)
            high = WEEKDAY_NAMES.index(last) if last else low
        except ValueError:
            raise WorkingWeekError(
                f"unknown day in {piece!r} (days are {', '.join(WEEKDAY_NAMES)})"
            ) from None
        if high < low:
            raise WorkingWeekError(f"{piece}: a day range runs from Monday towards Sunday")
        days.extend(range(low, high + 1))
    return days


def _minute(text: str) -> int:
    hours, _, minutes = text.partition(":")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or value > MINUTES_PER_DAY:
        raise WorkingWeekError(f"{text} is not a time of day")
    return value


def format_working_week(spans: Iterable[tuple[int, int, int]]) -> str:
    """The text :func:`parse_working_week` reads, days with equal hours grouped."""
    by_day: dict[int, list[tuple[int, int]]] = {}
    for day, start, end in sorted(spans):
        by_day.setdefault(day, []).append((start, end))
    groups: list[tuple[list[int], tuple[tuple[int, int], ...]]] = []
    for day in sorted(by_day):
        hours = tuple(by_day[day])
        if groups and groups[-1][1] == hours and groups[-1][0][-1] == day - 1:
            groups[-1][0].append(day)
        else:
            groups.append(([day], hours))
    parts = []
    for days, hours in groups:
        names = WEEKDAY_NAMES[days[0]]
        if len(days) > 1:
            names += "-" + WEEKDAY_NAMES[days[-1]]
        times = ",".join(f"{_hhmm(start)}-{_hhmm(end)}" for start, end in hours)
        parts.append(f"{names} {times}")
    return "; ".join(parts)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([dhm])")


def parse_duration(text: str) -> int:
    """Read a target such as ``4h``, ``1d 4h``, ``90m`` or a plain number of hours; minutes.

    A day (``d``) of a target is 24 hours of counted time.

    Raises:
        WorkingWeekError: the text is not a positive duration.
    """
    cleaned = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", cleaned):
        cleaned += "h"
    pieces = _DURATION.findall(cleaned)
    if not pieces or _DURATION.sub("", cleaned).strip():
        raise WorkingWeekError(f"cannot read the duration {text!r} (expected e.g. 4h, 1d 4h, 90m)")
    factor = {"d": 24 * 60, "h": 60, "m": 1}
    minutes = round(sum(float(amount) * factor[unit] for amount, unit in pieces))
    if minutes <= 0:
        raise WorkingWeekError(f"the duration {text!r} is not positive")
    return minutes


def format_duration(seconds: float) -> str:
    """A span of time for a table cell: ``45m``, ``3h 20m``, ``2d 4h`` (rounded down)."""
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, MINUTES_PER_DAY)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {mins:02d}m" if mins else f"{hours}h"
    return f"{mins}m"


# -- the clocks of a project's requests ------------------------------------------------------


def is_breached(clocks: RequestClocks) -> bool:
    """True when a clock that has not stopped is over its target.

    A first response that came late is history once it is given; a breached
    clock counts only while it still runs (or is paused).
    """
    return any(
        clock.breached and clock.stopped_at is None
        for clock in (clocks.first_response, clocks.resolution)
    )


def read_clocks(
    requests: Iterable[ClientRequest], project: Project, now: datetime
) -> dict[str, RequestClocks]:
    """Both clocks of every open request of ``project`` at ``now``, by request id.

    Closed and rejected requests have no clock left to read and are left out.
    """
    return {request.id: request.clocks_in(project, now) for request in requests if request.is_open}


def breached_count(clocks: Mapping[str, RequestClocks]) -> int:
    """How many of the requests whose ``clocks`` were read have a breached clock."""
    return sum(is_breached(reading) for reading in clocks.values())


# -- breaches within a period (the status report's SLA record) --------------------------


@dataclass(frozen=True)
class PeriodBreach:
    """One clock of a request that was past its due time within a period.

    Attributes:
        clock: ``first response`` or ``resolution``.
        due_at: when the clock was due.
        over_seconds: how late: from the due time to the stop, or to the
            period's end for a clock still running (wall-clock time, as
            :attr:`ClockReading.over_seconds`).
        stopped_at: when the clock stopped within the period (answered,
            resolved, closed or rejected); None while it still ran or was
            paused at the period's end.
        paused: True when the clock was paused (waiting on the client) at
            the period's end.
    """

    clock: str
    due_at: datetime
    over_seconds: float
    stopped_at: datetime | None
    paused: bool = False


def period_breach(reading: ClockReading, start: datetime, end: datetime) -> float | None:
    """How late ``reading`` was within ``[start, end)``; None when it was not late there.

    ``reading`` must be read at ``end`` from the moves made before ``end``. A
    clock that stopped within the period after its due time was late by the
    gap, however long ago it was due; one that still runs (or is paused)
    past its due time at ``end`` is late by ``end - due``. A clock that
    stopped before the period belongs to an earlier period.
    """
    if not reading.reachable:
        return None
    if reading.stopped_at is not None:
        stopped = _utc(reading.stopped_at)
        if _utc(start) <= stopped < _utc(end) and stopped > reading.due_at:
            return (stopped - reading.due_at).total_seconds()
        return None
    late = (_utc(end) - reading.due_at).total_seconds()
    return late if late > 0 else None


def breaches_in_period(
    request: ClientRequest, project: Project, start: datetime, end: datetime
) -> list[PeriodBreach]:
    """Which clocks of ``request`` were past their due within ``[start, end)``, and by how much.

    Answered or not: a first response given 6 hours late in the period is a
    breach of that period even though the clock is stopped now. The clocks
    are read as they stood at ``end`` (moves after it are left out), under
    the project's service levels; a closed project's clocks stand still at
    its close. Pauses while waiting on the client are kept, as everywhere.

    Args:
        request: the request.
        project: its project (service levels and zone).
        start: the period's start.
        end: the period's end (exclusive).

    Returns:
        The breached clocks, first response before resolution; empty when
        none was late within the period.
    """
    read_at = end
    if project.closed_at is not None and project.closed_at < read_at:
        read_at = project.closed_at
    if _utc(request.received_at) >= _utc(read_at):
        return []
    moves = sorted(
        ((change.at, str(change.new)) for change in request.status_history),
        key=lambda move: _utc(move[0]),
    )
    before = [move for move in moves if _utc(move[0]) < _utc(read_at)]
    # The status at the end of the period: the last move before it; a request
    # with no recorded move (an older file, an import) is taken as it is now.
    status = before[-1][1] if before else NEW if moves else str(request.status)
    segments = status_segments(request.received_at, before, status, read_at)
    target = project.service_levels.target(request.priority)
    week = project.service_levels.week(project.timezone) if target.working_hours else None
    readings = (
        (
            "first response",
            first_response_clock(segments, target.first_response_minutes * 60, week, read_at),
        ),
        ("resolution", resolution_clock(segments, target.resolution_minutes * 60, week, read_at)),
    )
    breaches = []
    for name, reading in readings:
        over = period_breach(reading, start, read_at)
        if over is not None:
            breaches.append(
                PeriodBreach(name, reading.due_at, over, reading.stopped_at, reading.paused)
            )
    return breaches
