"""The week view of the Calendar pane: seven day columns by working hours, meetings as blocks.

The owner hands the view one week's occurrences with :meth:`WeekView.show_week`;
the view lays them out (a day per column, a slot of half an hour per line,
occurrences that share a slot side by side) and draws only the lines on
screen. All-day meetings have no hours: they are listed in a strip under the
day names, which stays in view while the hours scroll. A cursor walks the
occurrences in time order; ``enter`` reports the one under it with
:class:`WeekView.OccurrenceChosen`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from clientdesk.store.meeting_dates import all_day_dates
from clientdesk.store.text import printable
from clientdesk.widgets.actions import bindings

# Occurrences arrive from the pane; the calendar rules (and dateutil) they come
# from are not needed for the app's first paint.
if TYPE_CHECKING:
    from clientdesk.store.calendar import Occurrence

GUTTER_WIDTH = 6
"""Cells left of the day columns: the time of each line (``08:00``)."""

HEADER_HEIGHT = 1
"""Lines of day names above the grid; they stay put while the grid scrolls."""

ALL_DAY_LINES = 3
"""The most lines the all-day strip takes; a day with more ends on ``+N more``."""

ALL_DAY_LABEL = ("all", "day")
"""The gutter's words beside the all-day strip (first line, and the rule under it)."""

CONTINUED_MARK = "…"
"""Leads an all-day meeting on the days after its first."""

SLOT_MINUTES = 30
"""The minutes one line of the grid stands for."""

WORKING_HOURS = (time(8), time(18))
"""The hours always shown; the grid grows to take in meetings outside them."""

CONFLICT_MARK = "⚠"
"""Marks an occurrence that clashes with another for a shared attendee."""

TIME_DASH = "\u2013"
"""The en dash between a start and an end time."""

_DAY_MINUTES = 24 * 60
_HEADER_ROW = -1  # the day names in the line cache; the all-day strip takes -2, -3, ...
_TEXT_ONLY_PARTS = frozenset({"week-view--cancelled"})


@dataclass(frozen=True)
class _Block:
    """The part of one occurrence that falls on one day of the week, placed on the grid."""

    occurrence: Occurrence
    day: int
    first_row: int
    last_row: int
    lane: int = 0
    lanes: int = 1
    from_day_before: bool = False

    @property
    def height(self) -> int:
        return self.last_row - self.first_row + 1


@dataclass(frozen=True)
class _Piece:
    """An occurrence's time on one day, in minutes after that day's midnight."""

    occurrence: Occurrence
    day: int
    start_minute: int
    end_minute: int
    from_day_before: bool


def _minute_of_day(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def _pieces(occurrence: Occurrence, midnights: Sequence[datetime], zone: ZoneInfo) -> list[_Piece]:
    """Cut an occurrence at midnight into the days of the week it touches."""
    pieces: list[_Piece] = []
    if occurrence.meeting.all_day:
        return pieces  # it has no hours: the all-day strip lists it
    for day in range(7):
        day_start, day_end = midnights[day], midnights[day + 1]
        touches = occurrence.start < day_end and (
            occurrence.end > day_start or occurrence.start >= day_start
        )
        if not touches:
            continue
        start = max(occurrence.start, day_start).astimezone(zone)
        end = min(occurrence.end, day_end).astimezone(zone)
        start_minute = 0 if start <= day_start else _minute_of_day(start)
        end_minute = _DAY_MINUTES if end >= day_end else _minute_of_day(end)
        if end.second or end.microsecond:
            end_minute += 1
        pieces.append(
            _Piece(
                occurrence,
                day,
                start_minute,
                max(end_minute, start_minute),
                from_day_before=occurrence.start < day_start,
            )
        )
    return pieces


def _all_day_by_day(occurrences: Sequence[Occurrence], monday: date) -> list[list[Occurrence]]:
    """The all-day occurrences on each day of the week starting ``monday``, in start order.

    The days are the meeting's own dates (in its zone): an all-day meeting is
    on its date wherever the grid's hours are kept.
    """
    days: list[list[Occurrence]] = [[] for _ in range(7)]
    for occurrence in sorted(occurrences, key=lambda o: (o.start, o.key, o.id)):
        if not occurrence.meeting.all_day:
            continue
        first, last = all_day_dates(occurrence.start, occurrence.end, occurrence.meeting.timezone)
        for day in range(7):
            if first <= monday + timedelta(days=day) <= last:
                days[day].append(occurrence)
    return days


def _hour_floor(minute: int) -> int:
    return minute - minute % 60


def _hour_ceiling(minute: int) -> int:
    return -(-minute // 60) * 60


def _in_lanes(blocks: list[_Block]) -> list[_Block]:
    """Blocks of one day with a lane each, so that blocks sharing a line sit side by side."""
    placed: list[_Block] = []
    group: list[_Block] = []
    lane_ends: list[int] = []

    def close_group() -> None:
        placed.extend(
            _Block(
                b.occurrence,
                b.day,
                b.first_row,
                b.last_row,
                b.lane,
                len(lane_ends),
                b.from_day_before,
            )
            for b in group
        )

    for block in sorted(blocks, key=lambda b: (b.first_row, b.occurrence.start, b.occurrence.key)):
        if group and all(end < block.first_row for end in lane_ends):
            close_group()
            group, lane_ends = [], []
        lane = next((i for i, end in enumerate(lane_ends) if end < block.first_row), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(block.last_row)
        else:
            lane_ends[lane] = block.last_row
        group.append(
            _Block(
                block.occurrence,
                block.day,
                block.first_row,
                block.last_row,
                lane,
                1,
                block.from_day_before,
            )
        )
    if group:
        close_group()
    return placed


class WeekView(ScrollView, can_focus=True):
    """One week, Monday to Sunday, as day columns by hours; meetings are blocks.

    Only for terminals at least 100 columns wide (the pane decides); the grid
    scrolls vertically when the day does not fit.
    """

    COMPONENT_CLASSES = {
        "week-view--header",
        "week-view--today",
        "week-view--today-header",
        "week-view--time",
        "week-view--rule",
        "week-view--block",
        "week-view--conflict",
        "week-view--cancelled",
        "week-view--selected",
        "week-view--empty",
        "week-view--all-day",
    }
    """Styles of the parts of the grid (themable in ``.tcss``)."""

    DEFAULT_CSS = """
    WeekView {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        height: 1fr;
        min-height: 15;
    }
    WeekView > .week-view--header { text-style: bold; }
    WeekView > .week-view--today { background: $accent 10%; }
    WeekView > .week-view--today-header { text-style: bold reverse; color: $accent; }
    WeekView > .week-view--time { color: $text-muted; }
    WeekView > .week-view--rule { color: $text-disabled; }
    WeekView > .week-view--block { background: $primary 35%; color: $text; }
    WeekView > .week-view--conflict { background: $error 40%; color: $text; }
    WeekView > .week-view--cancelled { text-style: strike dim; }
    WeekView > .week-view--selected { background: $secondary 50%; text-style: bold; }
    WeekView:focus > .week-view--selected { background: $accent; color: $text; text-style: bold; }
    WeekView > .week-view--empty { color: $text-muted; text-style: italic; }
    WeekView > .week-view--all-day { background: $primary 20%; color: $text; }
    """

    BINDINGS = bindings("week")

    class OccurrenceHighlighted(Message):
        """The cursor moved to another occurrence (or off every occurrence)."""

        def __init__(self, occurrence: Occurrence | None) -> None:
            """Carry the occurrence now under the cursor."""
            super().__init__()
            self.occurrence = occurrence
            """The occurrence under the cursor, or None when the week has none."""

    class OccurrenceChosen(Message):
        """The user chose an occurrence (``enter``, or a click on the selected block)."""

        def __init__(self, occurrence: Occurrence) -> None:
            """Carry the chosen occurrence."""
            super().__init__()
            self.occurrence = occurrence
            """The chosen occurrence."""

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """Create an empty week (the current one is set by :meth:`show_week`)."""
        super().__init__(name=name, id=id, classes=classes)
        self.week_start: date = date.today() - timedelta(days=date.today().weekday())
        """The Monday of the week shown."""
        self.zone: ZoneInfo = ZoneInfo("UTC")
        """The zone the grid's hours are in (the project's)."""
        self.today: date = date.today()
        """The day whose column is highlighted."""
        self._order: list[Occurrence] = []
        self._conflict_ids: frozenset[str] = frozenset()
        self._blocks_by_day: list[list[_Block]] = [[] for _ in range(7)]
        self._all_day_by_day: list[list[Occurrence]] = [[] for _ in range(7)]
        self._all_day_lines = 0
        self._first_minute = WORKING_HOURS[0].hour * 60
        self._rows = 0
        self._selected: Occurrence | None = None
        self._lines: dict[int, Strip] = {}
        self._lines_width = 0
        self._scroll_home_pending = True
        self._layout_rows()

    # -- what the owner sets -----------------------------------------------------------

    def show_week(
        self,
        week_start: date,
        occurrences: Sequence[Occurrence],
        zone: ZoneInfo,
        today: date,
        conflict_ids: set[str] | frozenset[str] = frozenset(),
    ) -> None:
        """Show one week's occurrences; the cursor stays on the same occurrence if it is there.

        Args:
            week_start: the Monday of the week (any other day is taken back to its Monday).
            occurrences: the occurrences to draw; those outside the week are left out.
            zone: the zone the grid's hours are in (the project's home zone).
            today: the day to highlight (in ``zone``).
            conflict_ids: the :attr:`Occurrence.id` of every occurrence that clashes.
        """
        monday = week_start - timedelta(days=week_start.weekday())
        # A new week starts at the working day's start; a refresh keeps the scroll.
        self._scroll_home_pending |= monday != self.week_start or not self._order
        self.week_start = monday
        self.zone = zone
        self.today = today
        self._conflict_ids = frozenset(conflict_ids)
        midnights = [
            datetime.combine(self.week_start + timedelta(days=i), time(), zone) for i in range(8)
        ]
        pieces = [
            piece for occurrence in occurrences for piece in _pieces(occurrence, midnights, zone)
        ]
        self._all_day_by_day = _all_day_by_day(occurrences, monday)
        most = max(len(day) for day in self._all_day_by_day)
        self._all_day_lines = min(most, ALL_DAY_LINES)
        shown = {piece.occurrence.id: piece.occurrence for piece in pieces}
        shown |= {o.id: o for day in self._all_day_by_day for o in day}
        self._order = sorted(shown.values(), key=lambda o: (o.start, o.key, o.id))
        start_minute = min(
            [WORKING_HOURS[0].hour * 60] + [_hour_floor(p.start_minute) for p in pieces]
        )
        end_minute = max(
            [WORKING_HOURS[1].hour * 60] + [_hour_ceiling(p.end_minute) for p in pieces]
        )
        self._first_minute = start_minute
        self._rows = (end_minute - start_minute) // SLOT_MINUTES
        by_day: list[list[_Block]] = [[] for _ in range(7)]
        for piece in pieces:
            first_row = (piece.start_minute - start_minute) // SLOT_MINUTES
            last_row = -(-(piece.end_minute - start_minute) // SLOT_MINUTES) - 1
            by_day[piece.day].append(
                _Block(
                    piece.occurrence,
                    piece.day,
                    first_row,
                    max(first_row, last_row),
                    from_day_before=piece.from_day_before,
                )
            )
        self._blocks_by_day = [_in_lanes(blocks) for blocks in by_day]
        previous = self._selected
        kept = previous is not None and self.select(previous.id)
        if not kept:
            self._selected = self._first_from(today)
            self.post_message(self.OccurrenceHighlighted(self._selected))
        self._layout_rows()
        self._settle_scroll()

    @property
    def occurrences(self) -> list[Occurrence]:
        """The week's occurrences, in the order the cursor walks them (by start)."""
        return list(self._order)

    @property
    def selected_occurrence(self) -> Occurrence | None:
        """The occurrence under the cursor (None when the week has none)."""
        return self._selected

    def select(self, occurrence_id: str) -> bool:
        """Put the cursor on the occurrence with ``occurrence_id``.

        Returns:
            False (and the cursor stays where it was) when the week does not show it.
        """
        found = next((o for o in self._order if o.id == occurrence_id), None)
        if found is None:
            return False
        self._move_to(found)
        return True

    # -- keys and mouse ------------------------------------------------------------------

    def action_step(self, step: int) -> None:
        """Move the cursor to the previous or next occurrence in time order."""
        if not self._order:
            return
        if self._selected is None:
            self._move_to(self._order[0])
            return
        index = self._order.index(self._selected) + step
        self._move_to(self._order[max(0, min(len(self._order) - 1, index))])

    def action_day(self, step: int) -> None:
        """Move the cursor to the nearest-in-time occurrence of the next day that has one."""
        if self._selected is None:
            self.action_step(1)
            return
        day = self._day_of(self._selected) + step
        minute = self._local_minute(self._selected)
        while 0 <= day < 7:
            starting = [o for o in self._order if self._day_of(o) == day]
            if starting:
                self._move_to(min(starting, key=lambda o: abs(self._local_minute(o) - minute)))
                return
            day += step

    def action_choose(self) -> None:
        """Report the occurrence under the cursor as chosen."""
        if self._selected is not None:
            self.post_message(self.OccurrenceChosen(self._selected))

    def on_click(self, event: events.Click) -> None:
        """Select the block (or all-day entry) clicked on; a second click chooses it."""
        clicked = self._occurrence_at(event.x, event.y)
        if clicked is None:
            return
        if self._selected is not None and clicked.id == self._selected.id:
            self.action_choose()
        else:
            self._move_to(clicked)

    def on_focus(self) -> None:
        """The selected block is drawn brighter while the view has focus."""
        self._redraw()

    def on_blur(self) -> None:
        """Draw the selected block plainer again."""
        self._redraw()

    def on_resize(self) -> None:
        """Lay the columns out again for the new width."""
        self._layout_rows()
        self._settle_scroll()

    # -- drawing ---------------------------------------------------------------------------

    @property
    def fixed_lines(self) -> int:
        """The lines above the hours that stay put while they scroll.

        The day names, then (when the week has all-day meetings) their strip
        and the rule under it.
        """
        return HEADER_HEIGHT + (self._all_day_lines + 1 if self._all_day_lines else 0)

    def render_line(self, y: int) -> Strip:
        """One line of the view: the day names and all-day strip on top, then the hours.

        The hours are scrolled to ``scroll_y``; the lines above them never scroll.
        """
        if y < HEADER_HEIGHT:
            row = _HEADER_ROW
        elif y < self.fixed_lines:
            row = _HEADER_ROW - 1 - (y - HEADER_HEIGHT)
        else:
            row = y - self.fixed_lines + self.scroll_offset.y
        if row >= self._rows:
            return Strip.blank(self.scrollable_content_region.width, self.rich_style)
        width = self.scrollable_content_region.width
        if width != self._lines_width:  # e.g. the scrollbar came or went: no resize event
            self._lines.clear()
            self._lines_width = width
        strip = self._lines.get(row)
        if strip is None:
            if row == _HEADER_ROW:
                text = self._header()
            elif row < _HEADER_ROW:
                text = self._all_day_line(_HEADER_ROW - 1 - row)
            else:
                text = self._grid_line(row)
            segments = list(text.render(self.app.console))
            strip = Strip(segments).adjust_cell_length(width, self.rich_style)
            self._lines[row] = strip
        return strip

    def _column_width(self) -> int:
        return max(4, (self.scrollable_content_region.width - GUTTER_WIDTH) // 7)

    def _style(self, name: str) -> Style:
        # Full styles blend a translucent background (``$accent 12%``) with the
        # widget's; text-only parts stay partial so that they sit on any background.
        return self.get_component_rich_style(name, partial=name in _TEXT_ONLY_PARTS)

    def _header(self) -> Text:
        width = self._column_width()
        line = Text(style=self.rich_style, no_wrap=True, end="")
        week = self.week_start.isocalendar().week
        line.append(f"W{week:<{GUTTER_WIDTH - 1}}", self._style("week-view--time"))
        for offset in range(7):
            day = self.week_start + timedelta(days=offset)
            label = Text(f"{day:%a} {day.day}", no_wrap=True, end="")
            label.truncate(width - 1, overflow="ellipsis", pad=True)
            line.append("│", self._style("week-view--rule"))
            name = "week-view--today-header" if day == self.today else "week-view--header"
            line.append_text(label.copy())
            line.stylize(self._style(name), len(line) - len(label), len(line))
        return line

    def _all_day_line(self, line: int) -> Text:
        """A line of the all-day strip: each day's ``line``-th all-day meeting, or the rule."""
        width = self._column_width()
        text = Text(style=self.rich_style, no_wrap=True, end="")
        rule = line == self._all_day_lines
        label = {0: ALL_DAY_LABEL[0], self._all_day_lines: ALL_DAY_LABEL[1]}.get(line, "")
        text.append(f"{label:<{GUTTER_WIDTH}}", self._style("week-view--time"))
        for day in range(7):
            if rule:  # under the strip, so that the hours read as a grid of their own
                text.append("┴" + "─" * (width - 1), self._style("week-view--rule"))
            else:
                text.append("│", self._style("week-view--rule"))
                text.append_text(self._all_day_cell(day, line, width - 1))
        return text

    def _all_day_cell(self, day: int, line: int, width: int) -> Text:
        """One day's entry on one line of the all-day strip (blank when it has none)."""
        meetings = self._all_day_by_day[day]
        is_today = self.week_start + timedelta(days=day) == self.today
        background = self._style("week-view--today") if is_today else Style()
        hidden = len(meetings) - ALL_DAY_LINES + 1
        if line >= len(meetings):
            return Text(" " * width, style=background, no_wrap=True, end="")
        if line == ALL_DAY_LINES - 1 and hidden > 1:
            more = Text(f"+{hidden} more", self._style("week-view--time"), no_wrap=True, end="")
            more.truncate(width, overflow="ellipsis", pad=True)
            return more
        occurrence = meetings[line]
        first, _ = all_day_dates(occurrence.start, occurrence.end, occurrence.meeting.timezone)
        continued = CONTINUED_MARK if first < self.week_start + timedelta(days=day) else ""
        mark = CONFLICT_MARK if occurrence.id in self._conflict_ids else ""
        # Text(), not markup: a title reading "[bold]" is shown as typed.
        entry = Text(
            f"{mark}{continued}{printable(occurrence.meeting.title)}", no_wrap=True, end=""
        )
        entry.truncate(width, overflow="ellipsis", pad=True)
        entry.stylize(self._occurrence_style(occurrence, "week-view--all-day"))
        return entry

    def _grid_line(self, row: int) -> Text:
        width = self._column_width()
        line = Text(style=self.rich_style, no_wrap=True, end="")
        minute = self._first_minute + row * SLOT_MINUTES
        label = f"{minute // 60 % 24:02d}:00" if minute % 60 == 0 else "  :30"
        line.append(f"{label:<{GUTTER_WIDTH}}", self._style("week-view--time"))
        for day in range(7):
            line.append("│", self._style("week-view--rule"))
            line.append_text(self._day_cell(day, row, width - 1))
        if not self._order and row == 0:
            notice = Text(" no meetings this week ", self._style("week-view--empty"))
            line = line[: GUTTER_WIDTH + 1] + notice + line[GUTTER_WIDTH + 1 + len(notice) :]
        return line

    def _day_cell(self, day: int, row: int, width: int) -> Text:
        is_today = self.week_start + timedelta(days=day) == self.today
        background = self._style("week-view--today") if is_today else Style()
        cell = Text(" " * width, style=background, no_wrap=True, end="")
        for block in self._blocks_by_day[day]:
            if not block.first_row <= row <= block.last_row:
                continue
            lane_width = max(1, width // block.lanes)
            left = block.lane * lane_width
            # A blank cell between lanes keeps neighbouring blocks apart.
            right = width if block.lane == block.lanes - 1 else left + lane_width - 1
            if left >= width:
                continue
            piece = self._block_text(block, row - block.first_row, right - left)
            cell = cell[:left] + piece + cell[right:]
        return cell

    def _block_text(self, block: _Block, line: int, width: int) -> Text:
        """One line of a block: the title first (it says most), then the time, then the key."""
        occurrence = block.occurrence
        mark = CONFLICT_MARK if occurrence.id in self._conflict_ids else ""
        start = occurrence.start.astimezone(self.zone)
        end = occurrence.end.astimezone(self.zone)
        title = printable(occurrence.meeting.title)
        if block.from_day_before:
            times = f"…{TIME_DASH}{end:%H:%M}"
        else:
            times = f"{start:%H:%M}{TIME_DASH}{end:%H:%M}"
        if block.height == 1:
            content = f"{mark}{times.split(TIME_DASH)[0]} {title}"
        elif line == 0:
            content = f"{mark}{title}"
        elif line == 1:
            # A narrow block (side by side with another) keeps the start whole.
            if len(times) <= width:
                content = times
            elif block.from_day_before:
                content = f"{TIME_DASH}{end:%H:%M}"
            else:
                content = f"{start:%H:%M}"
        elif line == 2:
            content = printable(f"{occurrence.key} {occurrence.location}".strip())
        else:
            content = ""
        text = Text(content, no_wrap=True, end="")
        text.truncate(width, overflow="ellipsis", pad=True)
        text.stylize(self._occurrence_style(occurrence, "week-view--block"))
        return text

    def _occurrence_style(self, occurrence: Occurrence, base: str) -> Style:
        """The style of an occurrence's block or strip entry: clash, cancelled, selected."""
        style = self._style(base)
        if occurrence.id in self._conflict_ids:
            style += self._style("week-view--conflict")
        if occurrence.cancelled:
            style += self._style("week-view--cancelled")
        if self._selected is not None and occurrence.id == self._selected.id:
            style += self._style("week-view--selected")
        return style

    # -- the cursor and the layout -----------------------------------------------------

    def _first_from(self, today: date) -> Occurrence | None:
        """The first occurrence starting on or after ``today`` (else the week's first)."""
        upcoming = (o for o in self._order if o.start.astimezone(self.zone).date() >= today)
        return next(upcoming, self._order[0] if self._order else None)

    def _move_to(self, occurrence: Occurrence) -> None:
        if self._selected is not None and occurrence.id == self._selected.id:
            self._selected = occurrence  # the same occurrence, perhaps refreshed
            return
        self._selected = occurrence
        self.post_message(self.OccurrenceHighlighted(occurrence))
        self._redraw()
        self._scroll_to_selected()

    def _day_of(self, occurrence: Occurrence) -> int:
        if occurrence.meeting.all_day:
            first, _ = all_day_dates(occurrence.start, occurrence.end, occurrence.meeting.timezone)
        else:
            first = occurrence.start.astimezone(self.zone).date()
        days = (first - self.week_start).days
        return max(0, min(6, days))

    def _local_minute(self, occurrence: Occurrence) -> int:
        return _minute_of_day(occurrence.start.astimezone(self.zone))

    def _row_of_minute(self, minute: int) -> int:
        return max(0, (minute - self._first_minute) // SLOT_MINUTES)

    def _blocks_of(self, occurrence: Occurrence) -> list[_Block]:
        return [b for day in self._blocks_by_day for b in day if b.occurrence.id == occurrence.id]

    def _occurrence_at(self, x: int, y: int) -> Occurrence | None:
        """The occurrence drawn at cell ``x`` of line ``y`` (a block or an all-day entry)."""
        if y < HEADER_HEIGHT or x < GUTTER_WIDTH:
            return None
        width = self._column_width()
        day, offset = divmod(x - GUTTER_WIDTH, width)
        offset -= 1  # the rule left of each column
        if day > 6 or offset < 0:
            return None
        if y < self.fixed_lines:
            line = y - HEADER_HEIGHT
            meetings = self._all_day_by_day[day]
            shown = len(meetings) if len(meetings) <= ALL_DAY_LINES else ALL_DAY_LINES - 1
            return meetings[line] if line < shown else None
        row = y - self.fixed_lines + self.scroll_offset.y
        for block in self._blocks_by_day[day]:
            lane_width = max(1, (width - 1) // block.lanes)
            lane = min(block.lanes - 1, offset // lane_width)
            if block.first_row <= row <= block.last_row and block.lane == lane:
                return block.occurrence
        return None

    def _settle_scroll(self) -> None:
        """Scroll a new week to the working day's start, then to the selected block."""
        if not self.scrollable_content_region.height:
            return  # not laid out yet: on_resize comes back here
        if self._scroll_home_pending:
            self._scroll_home_pending = False
            home = self._row_of_minute(WORKING_HOURS[0].hour * 60)
            self.scroll_to(y=home, animate=False, immediate=True)
        self._scroll_to_selected()

    def _scroll_to_selected(self) -> None:
        """Scroll the fewest lines that bring the selected block's first day into view."""
        if self._selected is None:
            return
        blocks = self._blocks_of(self._selected)
        if not blocks:
            return
        first, last = blocks[0].first_row, blocks[0].last_row
        visible = max(1, self.scrollable_content_region.height - self.fixed_lines)
        top = self.scroll_offset.y
        if first < top:
            self.scroll_to(y=first, animate=False, immediate=True)
        elif last >= top + visible:
            self.scroll_to(y=min(first, last - visible + 1), animate=False, immediate=True)

    def _layout_rows(self) -> None:
        width = self.scrollable_content_region.width or GUTTER_WIDTH + 7 * 4
        self.virtual_size = Size(width, self._rows + self.fixed_lines)
        self._redraw()

    def _redraw(self) -> None:
        self._lines.clear()
        self.refresh()
