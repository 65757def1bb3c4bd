"""Snapshot tests: the look of each pane on the demo data at 80x24 and 120x40.

The data (demo seed 1) and the clock (``CLIENTDESK_NOW``) are fixed, and no
widget with a blinking cursor has the focus, so the pictures are the same on
every run. Regenerate with ``pytest tests/test_snapshots.py --snapshot-update``
after a deliberate change of the look, and review the new SVGs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from clientdesk.tui.app import create_app
from clientdesk.widgets.calendar_pane import CalendarPane
from tests.helpers.ui import search_the_palette, settle

SnapCompare = Callable[..., bool]


def show_pane(key: str) -> Callable[[Pilot[None]], Awaitable[None]]:
    """A ``run_before`` that waits for the data, then presses the pane's key."""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize(
    "key", ["1", "2", "3", "4"], ids=["calendar", "requests", "risks", "closing"]
)
def test_pane(snap_compare: SnapCompare, demo_path: Path, key: str, size: tuple[int, int]) -> None:
    """Each of the four panes of the first demo project."""
    app = create_app(demo_path)
    assert snap_compare(app, terminal_size=size, run_before=show_pane(key))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_welcome(snap_compare: SnapCompare, data_path: Path, size: tuple[int, int]) -> None:
    """The welcome panel of an empty data file."""
    app = create_app(data_path)
    assert snap_compare(app, terminal_size=size, run_before=show_pane("_"))


def test_project_form(snap_compare: SnapCompare, demo_path: Path) -> None:
    """The project form at 80x24, scrolled as it opens."""
    app = create_app(demo_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("P")
        await pilot.pause()
        # The focused input blinks its cursor: stop it for a stable picture.
        focused = pilot.app.focused
        if focused is not None and hasattr(focused, "cursor_blink"):
            focused.cursor_blink = False

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_risk_heat_map(snap_compare: SnapCompare, demo_path: Path, size: tuple[int, int]) -> None:
    """The Risks pane after ``h``: the heat map on its own at 80x24, focused beside the table
    at 120x40, its cursor moved to probability 4, impact 4."""
    app = create_app(demo_path)
    show = show_pane("3")

    async def run_before(pilot: Pilot[None]) -> None:
        await show(pilot)
        await pilot.press("h", "up", "right")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_risk_form(snap_compare: SnapCompare, demo_path: Path) -> None:
    """The risk form at 80x24, editing the top risk: the cause-event-effect sentence and
    the named levels with their meanings."""
    app = create_app(demo_path)
    show = show_pane("3")

    async def run_before(pilot: Pilot[None]) -> None:
        await show(pilot)
        await pilot.press("e")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_close_dialog(snap_compare: SnapCompare, demo_path: Path) -> None:
    """The dialog of ``C`` in the Closing pane at 80x24 while gates fail: each failing
    gate with the keys of its blockers, and the override."""
    app = create_app(demo_path)
    show = show_pane("4")

    async def run_before(pilot: Pilot[None]) -> None:
        await show(pilot)
        await pilot.press("C")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_calendar_week_view(snap_compare: SnapCompare, demo_path: Path) -> None:
    """The Calendar pane's week view (120x40: seven days need at least 100 columns)."""
    app = create_app(demo_path)
    show = show_pane("1")

    async def run_before(pilot: Pilot[None]) -> None:
        await show(pilot)
        await pilot.press("v")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_meeting_detail(snap_compare: SnapCompare, demo_path: Path, size: tuple[int, int]) -> None:
    """The detail of the first occurrence on the agenda (enter on its row)."""
    app = create_app(demo_path)
    show = show_pane("1")

    async def run_before(pilot: Pilot[None]) -> None:
        await show(pilot)
        pane = pilot.app.query_one(CalendarPane)
        first = next(entry for entry in pane.agenda if entry.occurrence is not None)
        pane.select_occurrence(first.id)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_help_lists_the_panes_keys_first(
    snap_compare: SnapCompare, demo_path: Path, size: tuple[int, int]
) -> None:
    """``?`` in the Requests pane: its keys first, headings whole, descriptions wrapped."""
    app = create_app(demo_path)
    show = show_pane("2")

    async def run_before(pilot: Pilot[None]) -> None:
        await show(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_palette_finds_a_pane_action(snap_compare: SnapCompare, demo_path: Path) -> None:
    """``ctrl+p`` in the Requests pane, "ackn" typed: the pane's Acknowledge is found."""
    app = create_app(demo_path)
    show = show_pane("2")

    async def run_before(pilot: Pilot[None]) -> None:
        await show(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await search_the_palette(pilot, "ackn")  # it searches in the background
        focused = pilot.app.focused
        if focused is not None and hasattr(focused, "cursor_blink"):
            focused.cursor_blink = False
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
