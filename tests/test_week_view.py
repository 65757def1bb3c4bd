"""The week view: blocks on their day and hours, today, the cursor, clicks, hostile titles."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from clientdesk.store.calendar import Occurrence
from clientdesk.store.enums import MeetingStatus
from clientdesk.store.meeting_dates import DAY_MINUTES, day_start
from clientdesk.store.models import Meeting
from clientdesk.widgets.week_view import GUTTER_WIDTH, HEADER_HEIGHT, TIME_DASH, WeekView
from tests.helpers.ui import screen_text

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 11, 23)
TUESDAY = MONDAY + timedelta(days=1)


def occurrence(
    title: str,
    day: date,
    hour: int,
    minute: int = 0,
    *,
    minutes: int = 60,
    key: str = "MTG-1",
    cancelled: bool = False,
) -> Occurrence:
    """A one-off meeting's occurrence at ``day`` ``hour``:``minute`` Berlin time."""
    start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)
    meeting = Meeting(
        title=title, start=start, duration_minutes=minutes, timezone="Europe/Berlin", key=key
    )
    return _taking_place(meeting, start, start + timedelta(minutes=minutes), cancelled=cancelled)


def _taking_place(
    meeting: Meeting, start: datetime, end: datetime, *, cancelled: bool = False
) -> Occurrence:
    """``meeting``'s one occurrence, as scheduled (or cancelled), from ``start`` to ``end``."""
    return Occurrence(
        meeting=meeting,
        original_start=start,
        start=start,
        end=end,
        cancelled=cancelled,
        moved=False,
        location="",
        agenda=(),
        status=MeetingStatus.SCHEDULED,
        minutes="",
        decisions=(),
        action_items=(),
    )


def all_day(title: str, day: date, *, days: int = 1, key: str = "MTG-9") -> Occurrence:
    """An all-day one-off meeting's occurrence from ``day``, ``days`` long, kept in Berlin."""
    start = day_start(day, "Europe/Berlin")
    meeting = Meeting(
        title=title,
        start=start,
        duration_minutes=days * DAY_MINUTES,
        timezone="Europe/Berlin",
        all_day=True,
        key=key,
    )
    return _taking_place(meeting, start, meeting.end)


class WeekApp(App[None]):
    """A bare app holding one focused week view of the week of 2026-11-23."""

    def __init__(
        self,
        occurrences: Sequence[Occurrence],
        *,
        today: date = TUESDAY,
        conflict_ids: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__()
        self.occurrences = list(occurrences)
        self.today = today
        self.conflict_ids = conflict_ids
        self.chosen: list[Occurrence] = []

    def compose(self) -> ComposeResult:
        yield WeekView()

    def on_mount(self) -> None:
        view = self.query_one(WeekView)
        view.show_week(MONDAY, self.occurrences, BERLIN, self.today, set(self.conflict_ids))
        view.focus()

    def on_week_view_occurrence_chosen(self, event: WeekView.OccurrenceChosen) -> None:
        self.chosen.append(event.occurrence)


def view_of(pilot: Pilot[None]) -> WeekView:
    """The week view of the test app."""
    return pilot.app.query_one(WeekView)


def column_width(view: WeekView) -> int:
    """The cells of one day column (its rule included)."""
    return (view.scrollable_content_region.width - GUTTER_WIDTH) // 7


def cell(pilot: Pilot[None], time_label: str, day: int, lines_below: int = 0) -> str:
    """The text of ``day``'s column (0 = Monday) on the grid line labelled ``time_label``."""
    lines = screen_text(pilot.app).splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith(time_label))
    width = column_width(view_of(pilot))
    left = GUTTER_WIDTH + day * width + 1
    return lines[row + lines_below][left : left + width - 1].rstrip()


def all_day_cell(pilot: Pilot[None], line: int, day: int) -> str:
    """The text of ``day``'s column (0 = Monday) on ``line`` of the all-day strip (0 = top)."""
    lines = screen_text(pilot.app).splitlines()
    width = column_width(view_of(pilot))
    left = GUTTER_WIDTH + day * width + 1
    return lines[HEADER_HEIGHT + line][left : left + width - 1].rstrip()


def style_at(view: WeekView, y: int, x: int) -> Style:
    """The style the view draws cell ``x`` of its line ``y`` with."""
    position = 0
    for segment in view.render_line(y):
        if position <= x < position + len(segment.text):
            return segment.style or Style()
        position += len(segment.text)
    raise AssertionError(f"no cell {x} on line {y}")


async def test_blocks_sit_on_their_day_and_hours() -> None:
    app = WeekApp(
        [
            occurrence("Kick-off", MONDAY, 10, key="MTG-1"),
            occurrence("Review", MONDAY + timedelta(days=2), 14, minutes=30, key="MTG-2"),
        ]
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert cell(pilot, "10:00", 0) == "Kick-off"
        assert cell(pilot, "10:00", 0, lines_below=1) == f"10:00{TIME_DASH}11:00"
        assert cell(pilot, "10:00", 0, lines_below=2) == ""  # 11:00: the meeting is over
        assert cell(pilot, "10:00", 1) == ""  # Tuesday is free
        assert cell(pilot, "14:00", 2) == "14:00 Review"  # half an hour: one line
        header = screen_text(app).splitlines()[0]
        assert [day.strip() for day in header.split("│")[1:4]] == ["Mon 23", "Tue 24", "Wed 25"]


async def test_the_grid_grows_to_take_in_early_late_and_overnight_meetings() -> None:
    early = occurrence("Early", MONDAY + timedelta(days=4), 6, 15, minutes=45, key="MTG-4")
    late = occurrence("Late call", MONDAY + timedelta(days=2), 23, minutes=120, key="MTG-3")
    app = WeekApp([early, late], today=MONDAY)
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.pause()
        assert cell(pilot, "06:00", 4) == "Early"
        assert cell(pilot, "06:00", 4, lines_below=1) == f"06:15{TIME_DASH}07:00"
        assert cell(pilot, "23:00", 2) == "Late call"
        # After midnight the rest of the call sits on Thursday morning.
        assert cell(pilot, "00:00", 3) == "Late call"
        assert cell(pilot, "00:00", 3, lines_below=1) == f"…{TIME_DASH}01:00"
        assert cell(pilot, "00:00", 2) == ""


async def test_the_view_scrolls_to_working_hours_and_follows_the_cursor() -> None:
    morning = occurrence("Stand-up", MONDAY, 9, key="MTG-1")
    night = occurrence("Night deploy", MONDAY, 22, key="MTG-2")
    app = WeekApp([morning, night], today=MONDAY)
    async with app.run_test(size=(100, 15)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Stand-up" in text
        assert "Night deploy" not in text
        assert text.splitlines()[1].startswith("08:00")  # the working day starts on top
        await pilot.press("down")
        await pilot.pause()
        assert view_of(pilot).selected_occurrence == night
        assert "Night deploy" in screen_text(app)


async def test_today_is_highlighted() -> None:
    app = WeekApp([], today=TUESDAY)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        view = view_of(pilot)
        width = column_width(view)
        monday_x, tuesday_x = GUTTER_WIDTH + 2, GUTTER_WIDTH + width + 2
        assert style_at(view, 0, tuesday_x) != style_at(view, 0, monday_x)
        grid_line = HEADER_HEIGHT + 3
        today_background = view.get_component_rich_style("week-view--today").bgcolor
        assert style_at(view, grid_line, tuesday_x).bgcolor == today_background
        assert style_at(view, grid_line, monday_x).bgcolor != today_background
        assert "no meetings this week" in screen_text(app)


async def test_the_cursor_walks_the_week_in_time_order_and_enter_chooses() -> None:
    monday = occurrence("Kick-off", MONDAY, 10, key="MTG-1")
    tuesday = occurrence("Design", TUESDAY, 11, key="MTG-2")
    tuesday_late = occurrence("Retro", TUESDAY, 16, key="MTG-3")
    thursday = occurrence("Demo", MONDAY + timedelta(days=3), 15, key="MTG-4")
    app = WeekApp([thursday, tuesday_late, monday, tuesday], today=MONDAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = view_of(pilot)
        assert view.occurrences == [monday, tuesday, tuesday_late, thursday]
        assert view.selected_occurrence == monday
        await pilot.press("down", "down")
        assert view.selected_occurrence == tuesday_late
        await pilot.press("right")  # to Thursday: Wednesday has nothing
        assert view.selected_occurrence == thursday
        await pilot.press("left")  # Tuesday's meeting nearest to 15:00
        assert view.selected_occurrence == tuesday_late
        await pilot.press("up", "up", "up")  # stops at the first
        assert view.selected_occurrence == monday
        await pilot.press("enter")
        await pilot.pause()
        assert app.chosen == [monday]


async def test_the_selected_block_is_drawn_apart() -> None:
    first = occurrence("Kick-off", MONDAY, 10, key="MTG-1")
    second = occurrence("Design", TUESDAY, 10, key="MTG-2")
    app = WeekApp([first, second], today=MONDAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = view_of(pilot)
        lines = screen_text(app).splitlines()
        y = next(i for i, line in enumerate(lines) if line.startswith("10:00"))
        width = column_width(view)
        monday_x, tuesday_x = GUTTER_WIDTH + 2, GUTTER_WIDTH + width + 2
        assert style_at(view, y, monday_x) != style_at(view, y, tuesday_x)
        before = style_at(view, y, monday_x)
        await pilot.press("down")
        await pilot.pause()
        assert style_at(view, y, tuesday_x) == before


async def test_a_refresh_keeps_the_cursor_on_the_same_occurrence() -> None:
    first = occurrence("Kick-off", MONDAY, 10, key="MTG-1")
    second = occurrence("Design", TUESDAY, 10, key="MTG-2")
    app = WeekApp([first, second], today=MONDAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = view_of(pilot)
        await pilot.press("down")
        assert view.selected_occurrence == second
        # The store hands out new objects on every refresh; the id stays.
        refreshed = replace(second, location="Room 5")
        view.show_week(MONDAY, [first, refreshed], BERLIN, MONDAY, set())
        assert view.selected_occurrence is refreshed
        assert view.select(first.id)
        assert view.selected_occurrence == first
        assert not view.select("no-such-id")
        assert view.selected_occurrence == first
        # The selected occurrence gone: the cursor goes to the first from today.
        view.show_week(MONDAY, [second], BERLIN, MONDAY, set())
        assert view.selected_occurrence == second


async def test_meetings_sharing_hours_sit_side_by_side_with_the_conflict_mark() -> None:
    steering = occurrence("Steering", MONDAY, 10, key="MTG-1")
    budget = occurrence("Budget", MONDAY, 10, 30, minutes=30, key="MTG-2")
    lunch = occurrence("Lunch", MONDAY, 12, key="MTG-3")
    conflicts = frozenset({steering.id, budget.id})
    app = WeekApp([steering, budget, lunch], today=MONDAY, conflict_ids=conflicts)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        assert cell(pilot, "10:00", 0).startswith("⚠Steering")
        half_past = cell(pilot, "10:00", 0, lines_below=1)
        assert half_past.startswith("10:00 ")  # too narrow for the end as well
        assert "⚠10:30 Bud" in half_past
        assert cell(pilot, "12:00", 0) == "Lunch"


async def test_a_cancelled_occurrence_is_struck_through() -> None:
    cancelled = occurrence("Dropped", MONDAY, 10, key="MTG-1", cancelled=True)
    kept = occurrence("Kept", TUESDAY, 10, key="MTG-2")
    app = WeekApp([cancelled, kept], today=TUESDAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = view_of(pilot)
        assert view.selected_occurrence == kept
        lines = screen_text(app).splitlines()
        y = next(i for i, line in enumerate(lines) if line.startswith("10:00"))
        assert cell(pilot, "10:00", 0) == "Dropped"
        assert style_at(view, y, GUTTER_WIDTH + 2).strike
        assert not style_at(view, y, GUTTER_WIDTH + column_width(view) + 2).strike


async def test_hostile_titles_are_shown_as_typed() -> None:
    markup = occurrence("[bold red]x[/]", MONDAY, 10, key="MTG-1")
    escape = occurrence("\x1b[31mred\x07", TUESDAY, 10, key="MTG-2")
    app = WeekApp([markup, escape], today=MONDAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert cell(pilot, "10:00", 0) == "[bold red]x[/]"
        assert cell(pilot, "10:00", 1) == "\\x1b[31mred\\x07"


async def test_a_click_selects_a_block_and_a_second_click_opens_it() -> None:
    first = occurrence("Kick-off", MONDAY, 10, key="MTG-1")
    second = occurrence("Design", TUESDAY, 10, key="MTG-2")
    app = WeekApp([first, second], today=MONDAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = view_of(pilot)
        lines = screen_text(app).splitlines()
        y = next(i for i, line in enumerate(lines) if line.startswith("10:00"))
        x = GUTTER_WIDTH + column_width(view) + 3
        await pilot.click(WeekView, offset=(x, y))
        assert view.selected_occurrence == second
        assert app.chosen == []
        await pilot.click(WeekView, offset=(x, y))
        await pilot.pause()
        assert app.chosen == [second]


# -- all-day meetings ----------------------------------------------------------------------

SnapCompare = Callable[..., bool]

FREEZE = all_day("Release freeze", MONDAY, days=3, key="MTG-7")
OFFSITE = all_day("Client offsite", MONDAY + timedelta(days=3), key="MTG-8")
EARLY = occurrence("Ops handover", MONDAY, 1, key="MTG-1")
STAND_UP = occurrence("Stand-up", TUESDAY, 9, key="MTG-2")
NIGHT = occurrence("Night deploy", TUESDAY, 23, key="MTG-3")


def an_all_day_week() -> WeekApp:
    """A week with a three-day and a one-day all-day meeting and hours from 01:00 to 24:00."""
    return WeekApp([EARLY, STAND_UP, NIGHT, FREEZE, OFFSITE], today=TUESDAY)


async def test_all_day_meetings_sit_in_a_strip_above_the_hours_at_120x40() -> None:
    app = an_all_day_week()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert lines[1].startswith("all")
        assert all_day_cell(pilot, 0, 0) == "Release freeze"
        assert all_day_cell(pilot, 0, 1) == "…Release freeze"  # its second and third day
        assert all_day_cell(pilot, 0, 2) == "…Release freeze"
        assert all_day_cell(pilot, 0, 3) == "Client offsite"
        assert all_day_cell(pilot, 0, 4) == ""
        assert lines[2].startswith("day")  # the rule under the strip
        # No all-day meeting is drawn among the hours (it used to be a block from 00:00).
        assert cell(pilot, "09:00", 1) == "Stand-up"
        grid = "\n".join(lines[3:])
        assert "Release freeze" not in grid
        assert "Client offsite" not in grid


async def test_all_day_titles_are_cut_to_fit_at_80x24() -> None:
    app = an_all_day_week()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Release freeze" not in text  # nine cells a day: cut, with an ellipsis
        assert all_day_cell(pilot, 0, 0) == "Release …"
        assert all_day_cell(pilot, 0, 1) == "…Release…"
        assert all_day_cell(pilot, 0, 3) == "Client o…"
        assert text.splitlines()[3].startswith("08:00")  # the hours open at the working day


async def test_the_all_day_strip_stays_in_view_while_the_hours_scroll() -> None:
    app = an_all_day_week()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = view_of(pilot)
        assert view.selected_occurrence == STAND_UP  # the first from today
        assert "Night deploy" not in screen_text(app)
        await pilot.press("down")
        await pilot.pause()
        assert view.selected_occurrence == NIGHT
        assert view.scroll_offset.y > 0
        assert cell(pilot, "23:00", 1) == "Night de…"
        assert all_day_cell(pilot, 0, 0) == "Release …"
        assert screen_text(app).splitlines()[2].startswith("day")


async def test_the_cursor_and_a_click_reach_all_day_meetings() -> None:
    app = an_all_day_week()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        view = view_of(pilot)
        # In time order an all-day meeting comes first on its day (it starts at 00:00).
        assert view.occurrences == [FREEZE, EARLY, STAND_UP, NIGHT, OFFSITE]
        await pilot.press("up")
        await pilot.pause()
        assert view.selected_occurrence == EARLY
        # The hours start at the earliest timed meeting, not at an all-day one's 00:00.
        assert screen_text(app).splitlines()[3].startswith("01:00")
        assert cell(pilot, "01:00", 0) == "Ops handover"
        await pilot.press("down", "down", "down")
        assert view.selected_occurrence == OFFSITE
        x = GUTTER_WIDTH + 3
        await pilot.click(WeekView, offset=(x, HEADER_HEIGHT))
        assert view.selected_occurrence == FREEZE
        assert app.chosen == []
        await pilot.click(WeekView, offset=(x, HEADER_HEIGHT))
        await pilot.pause()
        assert app.chosen == [FREEZE]


async def test_a_crowded_all_day_strip_ends_on_how_many_more() -> None:
    friday = MONDAY + timedelta(days=4)
    crowd = [all_day(f"Holiday {n}", friday, key=f"MTG-{n}") for n in range(1, 5)]
    app = WeekApp([*crowd, STAND_UP], today=TUESDAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert [all_day_cell(pilot, line, 4) for line in range(3)] == [
            "Holiday 1",
            "Holiday 2",
            "+2 more",
        ]
        assert screen_text(app).splitlines()[4].startswith("day")


async def test_hostile_all_day_titles_are_shown_as_typed() -> None:
    markup = all_day("[bold red]x[/]", MONDAY, key="MTG-1")
    escape = all_day("\x1b[31mred\x07", TUESDAY, key="MTG-2")
    app = WeekApp([markup, escape], today=MONDAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert all_day_cell(pilot, 0, 0) == "[bold red]x[/]"
        assert all_day_cell(pilot, 0, 1) == "\\x1b[31mred\\x07"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_week_view_all_day_strip(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    """The week with all-day meetings: the strip under the day names, the hours below."""
    assert snap_compare(an_all_day_week(), terminal_size=size)
