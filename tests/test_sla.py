"""Response clocks without a terminal: working-hours arithmetic, pauses, priority, reopen.

The property tests draw working weeks from realistic shapes (a plain office
week, split days, a long Monday-Thursday with a short Friday, a Saturday
morning), zones on both hemispheres, holidays, start times and targets. The
worked examples spell out every expected due time as a literal, so that a
reader can check them against a calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from clientdesk.store import sla
from clientdesk.store.enums import Priority, RequestStatus
from clientdesk.store.models import (
    ClientRequest,
    ServiceLevelPolicy,
    ServiceLevelTarget,
    StatusChange,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")

WEEK_SHAPES = (
    "mon-fri 09:00-17:00",
    "mon-fri 09:00-12:30,13:30-17:00",
    "mon-thu 08:00-18:00; fri 08:00-12:00",
    "mon-fri 09:00-17:00; sat 10:00-14:00",
    "mon-thu,sun 07:30-15:30",
)
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney")

# 2026 and 2027 hold every DST change of these zones, both directions.
starts = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
holiday_sets = st.frozensets(
    st.dates(min_value=date(2025, 12, 25), max_value=date(2028, 1, 31)), max_size=40
)
# Up to 200 working hours: several weeks, so that targets cross weekends and holidays.
targets = st.integers(min_value=1, max_value=200 * 3600)


@st.composite
def weeks(draw: st.DrawFn) -> sla.WorkingWeek:
    """A working week of one of the realistic shapes, in one of the zones, with holidays."""
    text = draw(st.sampled_from(WEEK_SHAPES))
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    return sla.WorkingWeek(sla.parse_working_week(text), zone, draw(holiday_sets))


def inside_working_time(week: sla.WorkingWeek, moment: datetime) -> bool:
    """True when ``moment`` lies in a span of ``week``: after its start, at most at its end.

    Checked on the local wall clock, independently of ``WorkingWeek.day_spans``.
    """
    local = moment.astimezone(week.zone)
    minute = local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60
    for day, at in ((local.date(), minute), (local.date() - timedelta(days=1), minute + 1440)):
        if day in week.holidays:
            continue
        for weekday, start, end in week.spans:
            if weekday == day.weekday() and start < at <= end:
                return True
    return False


# -- properties ------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(weeks(), starts, targets)
def test_a_due_time_always_lies_inside_working_hours(
    week: sla.WorkingWeek, start: datetime, seconds: int
) -> None:
    due = sla.add_working_seconds(week, start, seconds)
    assert due > start
    assert inside_working_time(week, due), due.astimezone(week.zone)


@settings(max_examples=300, deadline=None)
@given(weeks(), starts, targets)
def test_the_working_time_up_to_a_due_time_is_the_target(
    week: sla.WorkingWeek, start: datetime, seconds: int
) -> None:
    due = sla.add_working_seconds(week, start, seconds)
    assert sla.working_seconds(week, start, due) == pytest.approx(seconds, abs=1)


@st.composite
def lives(draw: st.DrawFn) -> tuple[datetime, list[tuple[datetime, str]], datetime, datetime]:
    """A request's life without a pause: received, moves, and a window for a pause, and now.

    Returns ``(received, moves, pause_window_end, now)``: a pause may be
    inserted anywhere between received and ``pause_window_end`` (the request
    is open there: new, acknowledged or in progress).
    """
    received = draw(starts)
    hours = st.floats(min_value=0, max_value=300)
    offsets = sorted(draw(st.lists(hours, min_size=3, max_size=3)))
    acknowledged, resolved, now = (received + timedelta(hours=h) for h in offsets)
    moves = []
    if draw(st.booleans()):
        moves.append((acknowledged, "acknowledged"))
    window_end = now
    if draw(st.booleans()):
        moves.append((resolved, "resolved"))
        window_end = resolved
    return received, moves, window_end, now


def _clocks(
    week: sla.WorkingWeek | None,
    received: datetime,
    moves: list[tuple[datetime, str]],
    now: datetime,
    target: int,
) -> tuple[sla.ClockReading, sla.ClockReading]:
    status = sorted(moves, key=lambda move: move[0])[-1][1] if moves else "new"
    segments = sla.status_segments(received, moves, status, now)
    return (
        sla.first_response_clock(segments, target, week, now),
        sla.resolution_clock(segments, target, week, now),
    )


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.none(), weeks()),
    lives(),
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=1),
    targets,
)
def test_pausing_never_shortens_a_clock(
    week: sla.WorkingWeek | None,
    life: tuple[datetime, list[tuple[datetime, str]], datetime, datetime],
    where: float,
    length: float,
    target: int,
) -> None:
    received, moves, window_end, now = life
    pause_start = received + (window_end - received) * where
    pause_end = pause_start + (window_end - pause_start) * length
    # The request waits between two of its moves (another move would end the wait).
    assume(not any(pause_start <= moment <= pause_end for moment, _ in moves))
    # Back to where the request was before it waited (in progress from any open state).
    paused_moves = [
        *moves,
        (pause_start, "waiting_on_client"),
        (pause_end, "in_progress"),
    ]
    if pause_end == window_end and window_end == now:
        paused_moves.pop()  # still waiting now
    plain = _clocks(week, received, moves, now, target)
    paused = _clocks(week, received, paused_moves, now, target)
    for without, with_pause in zip(plain, paused, strict=True):
        assert with_pause.due_at >= without.due_at
        assert with_pause.counted_seconds <= without.counted_seconds + 1e-6
    # The resolution clock loses exactly the counted time inside the pause, and
    # paused_seconds is the pause's wall-clock length.
    waited = sla.working_seconds(week, pause_start, pause_end)
    assert plain[1].counted_seconds - paused[1].counted_seconds == pytest.approx(waited, abs=1e-3)
    assert paused[1].paused_seconds == pytest.approx((pause_end - pause_start).total_seconds())


# -- worked examples -------------------------------------------------------------------

OFFICE = ServiceLevelPolicy()
"""The default policy: Monday-Friday 09:00-17:00, P1 around the clock."""


def request(
    received: datetime,
    moves: Sequence[tuple[datetime, RequestStatus]] = (),
    priority: Priority = Priority.P3,
) -> ClientRequest:
    """A request received at ``received`` that made ``moves``, as the store records them."""
    history = []
    old: RequestStatus | None = RequestStatus.NEW
    for at, new in moves:
        history.append(StatusChange(at=at, by="pat", old=old, new=new))
        old = new
    return ClientRequest(
        title="Export as CSV",
        received_at=received,
        priority=priority,
        status=old or RequestStatus.NEW,
        status_history=history,
        reject_reason="out of scope" if old is RequestStatus.REJECTED else "",
    )


def berlin(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """A wall-clock time in Berlin."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def test_a_friday_afternoon_request_is_due_on_monday() -> None:
    # Friday 16:00-17:00 counts one hour; the other seven are Monday 09:00-16:00.
    received = berlin(2026, 11, 20, 16, 0)
    clocks = request(received).clocks(OFFICE, "Europe/Berlin", berlin(2026, 11, 20, 16, 30))
    assert clocks.first_response.due_at == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    assert clocks.first_response.due_at.astimezone(BERLIN) == berlin(2026, 11, 23, 16, 0)
    # 40 h: 1 (Fri) + 8 x 4 (Mon-Thu) + 7 on the next Friday.
    assert clocks.resolution.due_at == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    assert clocks.first_response.left_seconds == 7.5 * 3600
    assert clocks.shown is not None and clocks.shown[0] == "response"


def test_holidays_do_not_count() -> None:
    policy = ServiceLevelPolicy(holidays=[date(2026, 12, 24), date(2026, 12, 25)])
    received = berlin(2026, 12, 23, 15, 0)  # Wednesday: two hours left that day
    clocks = request(received, priority=Priority.P2).clocks(policy, "Europe/Berlin", received)
    # Thursday and Friday are holidays, then the weekend: Monday 09:00 + 2 h.
    assert clocks.first_response.due_at == datetime(2026, 12, 28, 10, 0, tzinfo=UTC)
    without_holidays = request(received, priority=Priority.P2).clocks(
        OFFICE, "Europe/Berlin", received
    )
    assert without_holidays.first_response.due_at == datetime(2026, 12, 24, 10, 0, tzinfo=UTC)


def test_the_end_of_summer_time_in_berlin() -> None:
    # Clocks go back on Sunday 2026-10-25: Friday is UTC+2, Monday UTC+1.
    received = berlin(2026, 10, 23, 16, 0)
    assert received.utcoffset() == timedelta(hours=2)
    clocks = request(received).clocks(OFFICE, "Europe/Berlin", received)
    assert clocks.first_response.due_at == datetime(2026, 10, 26, 15, 0, tzinfo=UTC)
    assert clocks.first_response.due_at.astimezone(BERLIN) == berlin(2026, 10, 26, 16, 0)
    week = OFFICE.week("Europe/Berlin")
    # 73 wall-clock hours lie between, of which exactly 8 are working hours.
    assert sla.working_seconds(week, received, clocks.first_response.due_at) == 8 * 3600


def test_around_the_clock_counts_the_repeated_hour() -> None:
    # P1 counts real elapsed time: the hour 02:00-03:00 happens twice that night.
    received = berlin(2026, 10, 24, 23, 0)  # Saturday, UTC+2
    clocks = request(received, priority=Priority.P1).clocks(OFFICE, "Europe/Berlin", received)
    assert clocks.first_response.due_at == datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    assert clocks.resolution.due_at == datetime(2026, 10, 25, 5, 0, tzinfo=UTC)
    assert clocks.resolution.due_at.astimezone(BERLIN) == berlin(2026, 10, 25, 6, 0)


def test_the_start_of_daylight_time_in_new_york() -> None:
    # Clocks go forward on Sunday 2026-03-08: Friday is UTC-5, Monday UTC-4.
    received = datetime(2026, 3, 6, 15, 0, tzinfo=NEW_YORK)
    clocks = request(received, priority=Priority.P2).clocks(OFFICE, "America/New_York", received)
    # Friday 15:00-17:00 is two hours; Monday 09:00-11:00 EDT the other two.
    assert clocks.first_response.due_at == datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
    assert clocks.first_response.due_at.astimezone(NEW_YORK).hour == 11


PAUSED_MOVES = [
    (berlin(2026, 11, 23, 10, 0), RequestStatus.ACKNOWLEDGED),
    (berlin(2026, 11, 23, 10, 30), RequestStatus.IN_PROGRESS),
    (berlin(2026, 11, 23, 16, 0), RequestStatus.WAITING_ON_CLIENT),
    (berlin(2026, 11, 24, 10, 0), RequestStatus.IN_PROGRESS),
]
"""Received Monday 09:00 Berlin; waits on the client from Monday 16:00 to Tuesday 10:00."""


def test_a_pause_pushes_the_due_time_by_the_working_time_it_lasted() -> None:
    received, now = berlin(2026, 11, 23, 9, 0), berlin(2026, 11, 24, 12, 0)
    unpaused = request(received, PAUSED_MOVES[:2]).clocks(OFFICE, "Europe/Berlin", now)
    paused = request(received, PAUSED_MOVES).clocks(OFFICE, "Europe/Berlin", now)
    # Without the pause: 40 working hours from Monday 09:00 end on Friday 17:00.
    assert unpaused.resolution.due_at == datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    # The wait covered two working hours (Mon 16-17, Tue 09-10): due Monday 11:00.
    assert paused.resolution.due_at == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    # paused_seconds is the wall-clock wait, evening and night included: 18 hours.
    assert paused.resolution.paused_seconds == 18 * 3600
    assert paused.resolution.counted_seconds == (7 + 2) * 3600
    # The first response (acknowledged at 10:00) is unaffected by the later wait.
    assert paused.first_response.stopped_at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert paused.first_response.counted_seconds == 3600
    assert not paused.first_response.breached


def test_a_clock_waiting_on_the_client_is_paused() -> None:
    received, now = berlin(2026, 11, 23, 9, 0), berlin(2026, 11, 24, 9, 30)
    clocks = request(received, PAUSED_MOVES[:3]).clocks(OFFICE, "Europe/Berlin", now)
    assert clocks.resolution.paused and not clocks.resolution.running
    assert clocks.resolution.paused_seconds == 17.5 * 3600
    assert clocks.resolution.counted_seconds == 7 * 3600
    later = request(received, PAUSED_MOVES[:3]).clocks(
        OFFICE, "Europe/Berlin", berlin(2026, 11, 24, 16, 0)
    )
    assert later.resolution.counted_seconds == 7 * 3600  # nothing counted while waiting
    assert later.as_json()["paused"] is True


def test_a_priority_change_recomputes_from_the_received_time_keeping_the_pause() -> None:
    received, now = berlin(2026, 11, 23, 9, 0), berlin(2026, 11, 24, 12, 0)
    p3 = request(received, PAUSED_MOVES)
    p2 = p3.model_copy(update={"priority": Priority.P2})
    clocks = p2.clocks(OFFICE, "Europe/Berlin", now)
    # P2 answers within 4 h: received 09:00, so due at 13:00 (answered at 10:00).
    assert clocks.first_response.due_at == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    # 16 h: Mon 09-16 (7), pause, Tue 10-17 (7), Wed 09-11 (2).
    assert clocks.resolution.due_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert clocks.resolution.paused_seconds == 18 * 3600
    back = p2.model_copy(update={"priority": Priority.P3}).clocks(OFFICE, "Europe/Berlin", now)
    assert back == p3.clocks(OFFICE, "Europe/Berlin", now)


def test_reopening_runs_the_resolution_clock_again_counting_only_running_time() -> None:
    received = berlin(2026, 11, 23, 9, 0)
    moves = [
        (berlin(2026, 11, 23, 9, 30), RequestStatus.ACKNOWLEDGED),
        (berlin(2026, 11, 23, 13, 0), RequestStatus.RESOLVED),
        (berlin(2026, 11, 25, 9, 0), RequestStatus.IN_PROGRESS),  # reopened on Wednesday
    ]
    resolved = request(received, moves[:2], priority=Priority.P2).clocks(
        OFFICE, "Europe/Berlin", berlin(2026, 11, 24, 12, 0)
    )
    assert resolved.resolution.stopped_at == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert resolved.resolution.counted_seconds == 4 * 3600
    assert resolved.shown is None  # both clocks stopped
    reopened = request(received, moves, priority=Priority.P2).clocks(
        OFFICE, "Europe/Berlin", berlin(2026, 11, 25, 12, 0)
    )
    # Monday 09-13 (4 h) and Wednesday 09-12 (3 h); Monday afternoon and Tuesday do not count.
    assert reopened.resolution.counted_seconds == 7 * 3600
    assert reopened.resolution.running and reopened.resolution.stopped_at is None
    # 16 h in all: 12 left after Monday, Wednesday gives 8, Thursday 09-13 the rest.
    assert reopened.resolution.due_at == datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert reopened.shown is not None and reopened.shown[0] == "resolution"
    again = [*moves, (berlin(2026, 11, 25, 15, 0), RequestStatus.RESOLVED)]
    resolved_again = request(received, again, priority=Priority.P2).clocks(
        OFFICE, "Europe/Berlin", berlin(2026, 11, 26, 12, 0)
    )
    assert resolved_again.resolution.stopped_at == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    assert resolved_again.resolution.counted_seconds == 10 * 3600


def test_a_breached_clock_says_by_how_much() -> None:
    received = berlin(2026, 11, 20, 16, 0)  # P3, first response due Monday 16:00
    clocks = request(received).clocks(OFFICE, "Europe/Berlin", berlin(2026, 11, 24, 10, 0))
    assert clocks.first_response.breached
    # Monday 16:00-17:00 and Tuesday 09:00-10:00: two working hours late.
    assert clocks.first_response.left_seconds == -2 * 3600
    fields = clocks.as_json()
    assert fields["first_response_breached"] is True
    assert fields["first_response_left_seconds"] == -7200
    assert fields["first_response_due_at"] == "2026-11-23T15:00:00+00:00"
    # Due Monday 16:00, read Tuesday 10:00: 18 hours ago on the wall clock.
    assert clocks.first_response.over_seconds == 18 * 3600
    assert fields["first_response_over_seconds"] == 18 * 3600


def test_a_clock_is_breached_the_evening_its_due_time_passed() -> None:
    # Received Monday 09:00, P3: the first response is due at 17:00, the end of the
    # working day. Read at 19:00, no working time was counted after 17:00, yet the
    # client was promised an answer by then.
    received = berlin(2026, 11, 23, 9, 0)
    clocks = request(received).clocks(OFFICE, "Europe/Berlin", berlin(2026, 11, 23, 19, 0))
    assert clocks.first_response.due_at.astimezone(BERLIN) == berlin(2026, 11, 23, 17, 0)
    assert clocks.first_response.left_seconds == 0
    assert clocks.first_response.breached
    assert clocks.first_response.over_seconds == 2 * 3600
    # One minute before the due time it is not.
    early = request(received).clocks(OFFICE, "Europe/Berlin", berlin(2026, 11, 23, 16, 59))
    assert not early.first_response.breached and early.first_response.over_seconds == 0


def test_a_target_counted_around_the_clock_ignores_the_working_week() -> None:
    policy = ServiceLevelPolicy(
        targets={
            **OFFICE.targets,
            Priority.P2: ServiceLevelTarget(
                first_response_minutes=120, resolution_minutes=600, working_hours=False
            ),
        }
    )
    received = berlin(2026, 11, 21, 22, 0)  # Saturday night
    clocks = request(received, priority=Priority.P2).clocks(policy, "Europe/Berlin", received)
    assert clocks.first_response.due_at == datetime(2026, 11, 21, 23, 0, tzinfo=UTC)
    assert clocks.resolution.due_at == datetime(2026, 11, 22, 7, 0, tzinfo=UTC)


# -- reading and writing the policy as text -----------------------------------------


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        ("mon-fri 09:00-17:00", tuple((day, 540, 1020) for day in range(5))),
        ("Mon-Tue  09:00-12:00,13:00-17:00", ((0, 540, 720), (0, 780, 1020), (1, 540, 720),
                                             (1, 780, 1020))),
        ("mon,wed 08:30-16:00; sat 10:00-14:00", ((0, 510, 960), (2, 510, 960), (5, 600, 840))),
        ("sun 00:00-24:00", ((6, 0, 1440),)),
    ],
)  # fmt: skip
def test_parse_working_week(text: str, spans: tuple[tuple[int, int, int], ...]) -> None:
    assert sla.parse_working_week(text) == spans
    assert sla.parse_working_week(sla.format_working_week(spans)) == spans


def test_format_working_week_groups_days_with_equal_hours() -> None:
    spans = sla.parse_working_week("mon-thu 08:00-18:00; fri 08:00-12:00; sat 08:00-12:00")
    assert sla.format_working_week(spans) == "mon-thu 08:00-18:00; fri-sat 08:00-12:00"
    assert sla.format_working_week(sla.parse_working_week("tue,mon 9:00-17:00")) == (
        "mon-tue 09:00-17:00"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mon 17:00-09:00", "17:00-09:00: the end is not after the start"),
        ("xyz 09:00-17:00", "unknown day in 'xyz'"),
        ("fri-mon 09:00-17:00", "fri-mon: a day range runs from Monday towards Sunday"),
        ("mon 09:00-25:00", "25:00 is not a time of day"),
        ("mon 09:60-10:00", "09:60 is not a time of day"),
        ("mon 09:00-12:00,11:00-13:00", "mon: working spans overlap"),
        ("", "needs at least one working span"),
        ("weekdays nine to five", "cannot read 'weekdays nine to five'"),
    ],
)
def test_bad_working_weeks_say_why(text: str, message: str) -> None:
    with pytest.raises(sla.WorkingWeekError) as refused:
        sla.parse_working_week(text)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("4h", 240), ("1d 4h", 1680), ("90m", 90), ("8", 480), ("1.5h", 90), (" 2H30M ", 150)],
)
def test_parse_duration(text: str, minutes: int) -> None:
    assert sla.parse_duration(text) == minutes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("soon", "cannot read the duration 'soon'"),
        ("4h later", "cannot read the duration '4h later'"),
        ("0h", "the duration '0h' is not positive"),
        ("", "cannot read the duration ''"),
    ],
)
def test_bad_durations_say_why(text: str, message: str) -> None:
    with pytest.raises(sla.WorkingWeekError, match="^" + message.replace("(", r"\(")):
        sla.parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0m"), (45 * 60, "45m"), (3 * 3600, "3h"), (3 * 3600 + 20 * 60, "3h 20m"),
     (2 * 86400 + 4 * 3600, "2d 4h"), (86400, "1d"), (-3 * 3600 - 59, "3h")],
)  # fmt: skip
def test_format_duration(seconds: float, text: str) -> None:
    assert sla.format_duration(seconds) == text


def test_a_week_without_any_working_day_is_refused() -> None:
    with pytest.raises(sla.WorkingWeekError, match="at least one working span"):
        sla.WorkingWeek((), UTC)
    every_day = frozenset(date(2026, 1, 1) + timedelta(days=n) for n in range(5 * 366))
    week = sla.WorkingWeek(sla.parse_working_week("mon-fri 09:00-17:00"), UTC, every_day)
    with pytest.raises(sla.WorkingWeekError, match="no working time within"):
        sla.add_working_seconds(week, datetime(2026, 1, 1, tzinfo=UTC), 60)


# -- whole weeks in one step -------------------------------------------------------------


def reference_working_seconds(week: sla.WorkingWeek, start: datetime, end: datetime) -> float:
    """:func:`sla.working_seconds` the plain way: every day's spans, one day after another."""
    total = 0.0
    day = start.astimezone(week.zone).date() - timedelta(days=1)
    while day <= end.astimezone(week.zone).date():
        for span_start, span_end in week.day_spans(day):
            low, high = max(span_start, start), min(span_end, end)
            if high > low:
                total += (high - low).total_seconds()
        day += timedelta(days=1)
    return total


def reference_add_working_seconds(
    week: sla.WorkingWeek, start: datetime, seconds: float
) -> datetime:
    """:func:`sla.add_working_seconds` the plain way, one day after another."""
    remaining = seconds
    day = start.astimezone(week.zone).date() - timedelta(days=1)
    while True:
        for span_start, span_end in week.day_spans(day):
            low = max(span_start, start)
            if span_end > low:
                available = (span_end - low).total_seconds()
                if remaining <= available:
                    return low + timedelta(seconds=remaining)
                remaining -= available
        day += timedelta(days=1)


# Zones whose clocks change at midnight (Havana, Santiago), by half an hour
# (Lord Howe), or not at all; spans that a change falls inside (01:00-04:00)
# and spans up to midnight.
DST_ZONES = (*ZONES, "America/Havana", "America/Santiago", "Australia/Lord_Howe", "Asia/Kolkata")
DST_WEEK_SHAPES = (*WEEK_SHAPES, "mon-sun 01:00-04:00", "fri-sun 00:00-24:00", "sun 23:00-24:00")
wide_starts = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
wide_holidays = st.frozensets(
    st.dates(min_value=date(2023, 12, 1), max_value=date(2032, 1, 31)), max_size=60
)


@st.composite
def any_weeks(draw: st.DrawFn) -> sla.WorkingWeek:
    """A working week of any test shape, in a zone with or without DST changes, with holidays."""
    text = draw(st.sampled_from(DST_WEEK_SHAPES))
    zone = ZoneInfo(draw(st.sampled_from(DST_ZONES)))
    return sla.WorkingWeek(sla.parse_working_week(text), zone, draw(wide_holidays))


@settings(max_examples=300, deadline=None)
@given(
    any_weeks(),
    wide_starts,
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3 * 366)),
)
def test_counting_whole_weeks_at_once_counts_what_the_days_hold(
    week: sla.WorkingWeek, start: datetime, length: timedelta
) -> None:
    end = start + length
    assert sla.working_seconds(week, start, end) == pytest.approx(
        reference_working_seconds(week, start, end), abs=1e-6
    )


@settings(max_examples=300, deadline=None)
@given(any_weeks(), wide_starts, st.floats(min_value=0, max_value=1))
def test_skipping_whole_weeks_finds_the_due_time_the_days_give(
    week: sla.WorkingWeek, start: datetime, share: float
) -> None:
    # Up to a year of the week's working time, the longest target a policy accepts.
    seconds = share * 52 * sum(high - low for _, low, high in week.spans) * 60
    fast = sla.add_working_seconds(week, start, seconds)
    plain = reference_add_working_seconds(week, start, seconds)
    assert abs(fast - plain) <= timedelta(microseconds=1)


def test_a_week_with_the_clock_change_inside_a_span_counts_its_real_length() -> None:
    # Berlin, Sunday 29 March 2026: 02:00 becomes 03:00, inside the night span.
    week = sla.WorkingWeek(sla.parse_working_week("mon-sun 01:00-04:00"), BERLIN)
    monday = datetime(2026, 3, 23, tzinfo=BERLIN)
    assert week.week_seconds(monday.date()) is None  # walked day by day
    hours = sla.working_seconds(week, monday, monday + timedelta(days=7)) / 3600
    assert hours == 7 * 3 - 1
    # Two weeks later nothing changes: 21 hours, counted at once.
    assert week.week_seconds(date(2026, 4, 6)) == 21 * 3600


# -- a target no working time reaches ------------------------------------------------------


def test_a_clock_whose_target_cannot_be_reached_reads_as_unreachable() -> None:
    every_day = frozenset(date(2026, 1, 1) + timedelta(days=n) for n in range(5 * 366))
    week = sla.WorkingWeek(sla.parse_working_week("mon-fri 09:00-17:00"), UTC, every_day)
    received = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    now = received + timedelta(days=400)
    segments = sla.status_segments(received, [], "new", now)
    reading = sla.resolution_clock(segments, 3600, week, now)
    assert not reading.reachable
    assert reading.due_at == sla.UNREACHABLE
    assert not reading.breached and reading.over_seconds == 0
    assert reading.counted_seconds == 0 and reading.left_seconds == 3600
    # The sentinel still converts to any zone, so a form can show it.
    assert sla.UNREACHABLE.astimezone(ZoneInfo("Pacific/Kiritimati")).year == 9999


def test_a_stored_policy_with_a_target_beyond_reach_still_reads_its_clocks() -> None:
    # Written before targets were checked against the working week: 300 days of
    # office time are more than the search looks ahead. The clocks must read, not raise.
    policy = ServiceLevelPolicy.model_validate(
        {"targets": {**_targets_of(OFFICE), "P3": {"first_response_minutes": 480,
                                                    "resolution_minutes": 300 * 24 * 60}}},
        context={"stored": True},
    )  # fmt: skip
    received = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    clocks = request(received).clocks(policy, "UTC", received + timedelta(days=30))
    assert not clocks.resolution.reachable
    fields = clocks.as_json()
    assert fields["resolution_due_at"] is None
    assert fields["resolution_breached"] is False
    assert fields["first_response_due_at"] == "2026-11-23T17:00:00+00:00"
    assert fields["first_response_breached"] is True


def _targets_of(policy: ServiceLevelPolicy) -> dict[str, object]:
    return {str(p): t.model_dump() for p, t in policy.targets.items()}


# -- the policy refuses targets that make no sense -----------------------------------------


@pytest.mark.parametrize(
    ("week", "minutes", "message"),
    [
        ("mon-fri 09:00-17:00", 300 * 24 * 60,
         "P3 resolution 300d is more working time than a year of this working week holds (2080h)"),
        ("mon 09:00-10:00", 200 * 60,
         "P3 resolution 8d 8h is more working time than a year of this working week holds (52h)"),
    ],
)  # fmt: skip
def test_a_target_longer_than_a_year_of_working_time_is_refused(
    week: str, minutes: int, message: str
) -> None:
    targets = {**_targets_of(OFFICE), "P3": {"first_response_minutes": 60,
                                             "resolution_minutes": minutes}}  # fmt: skip
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ServiceLevelPolicy.model_validate({"targets": targets, "working_week": week})


def test_a_year_of_working_time_or_days_around_the_clock_are_accepted() -> None:
    a_year = {"first_response_minutes": 60, "resolution_minutes": 2080 * 60}
    policy = ServiceLevelPolicy.model_validate({"targets": {**_targets_of(OFFICE), "P4": a_year}})
    assert policy.target(Priority.P4).resolution_minutes == 2080 * 60
    around = {**a_year, "resolution_minutes": 300 * 24 * 60, "working_hours": False}
    ServiceLevelPolicy.model_validate({"targets": {**_targets_of(OFFICE), "P4": around}})


def test_a_resolution_target_shorter_than_the_first_response_is_refused() -> None:
    targets = {**_targets_of(OFFICE), "P2": {"first_response_minutes": 240,
                                             "resolution_minutes": 120}}  # fmt: skip
    with pytest.raises(ValueError, match="P2 resolution 2h is shorter than its first response 4h"):
        ServiceLevelPolicy.model_validate({"targets": targets})


# -- which clock a table shows ---------------------------------------------------------------


def test_a_breached_resolution_clock_is_shown_before_a_first_response_in_time() -> None:
    # A file from before resolution targets had to be at least the first-response
    # target: P1 answers within 8 h but resolves within 1 h, around the clock.
    short = {"first_response_minutes": 480, "resolution_minutes": 60, "working_hours": False}
    policy = ServiceLevelPolicy.model_validate(
        {"targets": {**_targets_of(OFFICE), "P1": short}}, context={"stored": True}
    )
    received = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    urgent = request(received, priority=Priority.P1)
    early = urgent.clocks(policy, "UTC", received + timedelta(minutes=30)).shown
    assert early is not None and early[0] == "response"
    late = urgent.clocks(policy, "UTC", received + timedelta(hours=2)).shown
    assert late is not None and late[0] == "resolution" and late[1].breached
    answered = request(
        received, [(received + timedelta(minutes=10), RequestStatus.ACKNOWLEDGED)], Priority.P1
    )
    shown = answered.clocks(policy, "UTC", received + timedelta(hours=2)).shown
    assert shown is not None and shown[0] == "resolution"


def test_a_working_week_of_every_hour_counts_like_around_the_clock_but_holidays() -> None:
    """``mon-sun 00:00-24:00`` is a desk that never closes: the same as 24x7 across both
    DST changes (23- and 25-hour days), except that its holidays do not count."""
    spans = sla.parse_working_week("mon-sun 00:00-24:00")
    week = sla.WorkingWeek(spans, BERLIN)
    for start in (
        datetime(2026, 3, 28, 20, tzinfo=UTC),
        datetime(2026, 10, 24, 20, tzinfo=UTC),
    ):
        for hours in (1, 16, 80):
            due = sla.add_working_seconds(week, start, hours * 3600)
            assert due == sla.add_working_seconds(None, start, hours * 3600)
            assert sla.working_seconds(week, start, due) == hours * 3600
    closed = sla.WorkingWeek(spans, BERLIN, frozenset({date(2026, 12, 25)}))
    eve = datetime(2026, 12, 24, 22, tzinfo=UTC)  # 23:00 in Berlin
    # One hour before midnight on the 24th, none on the 25th, the second from 00:00 on the 26th.
    assert sla.add_working_seconds(closed, eve, 2 * 3600) == datetime(
        2026, 12, 26, 1, 0, tzinfo=BERLIN
    )
