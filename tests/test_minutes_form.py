"""The minutes form and the move dialog of one occurrence, driven through Pilot in a small app."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea

from clientdesk.store.calendar import Occurrence
from clientdesk.store.enums import MeetingStatus
from clientdesk.store.models import ActionItem, AgendaItem, Meeting
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from clientdesk.widgets.minutes_form import MinutesForm, MinutesResult
from clientdesk.widgets.move_occurrence_dialog import MoveOccurrenceDialog, MoveResult
from tests.helpers.ui import FormApp, screen_text, settle

BERLIN = ZoneInfo("Europe/Berlin")
SIZES = [(120, 40), (80, 24)]
TEMPLATE = [AgendaItem(title="Status", minutes=20), AgendaItem(title="Risks", minutes=10)]
SERIES = Meeting(
    project_id="p1",
    key="MTG-2",
    title="Weekly status",
    start=datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN),
    duration_minutes=45,
    timezone="Europe/Berlin",
    location="Room 4",
    rrule="FREQ=WEEKLY;BYDAY=MO",
    agenda=TEMPLATE,
)


def occurrence(
    *,
    agenda: list[AgendaItem] = TEMPLATE,
    action_items: tuple[ActionItem, ...] = (),
    minutes: str = "",
) -> Occurrence:
    """The occurrence of 2026-11-30 10:00 Berlin of the weekly series."""
    start = datetime(2026, 11, 30, 10, 0, tzinfo=BERLIN)
    return Occurrence(
        meeting=SERIES,
        original_start=start,
        start=start,
        end=start + timedelta(minutes=45),
        cancelled=False,
        moved=False,
        location="Room 4",
        agenda=tuple(agenda),
        status=MeetingStatus.HELD,
        minutes=minutes,
        decisions=(),
        action_items=action_items,
    )


async def fill(pilot: Pilot[None], widget: Input, text: str) -> None:
    """Replace an input's text as a user would."""
    widget.focus()
    await pilot.pause()
    await pilot.press("end", "ctrl+u", *text)
    await pilot.pause()


async def type_lines(pilot: Pilot[None], area: TextArea, *lines: str) -> None:
    """Type ``lines`` into a text area, enter between them."""
    area.focus()
    await pilot.pause()
    for number, line in enumerate(lines):
        if number:
            await pilot.press("enter")
        await pilot.press(*line)
    await pilot.pause()


def error_under(dialog: Screen[object], name: str) -> str:
    return str(dialog.query_one(f"#move-{name}-error", Static).render())


def note(app: App[None]) -> str:
    return str(app.screen.query_one("#agenda-note", Static).render())


@pytest.mark.parametrize("size", SIZES)
async def test_minutes_decisions_and_actions_are_returned(size: tuple[int, int]) -> None:
    linked = ActionItem(text="Send the export", owner="Ada", request_id="req-1")
    app = FormApp(MinutesForm(occurrence(action_items=(linked,)), request_keys={"req-1": "REQ-7"}))
    async with app.run_test(size=size) as pilot:
        form = app.screen
        assert "REQ-7" in str(form.query_one(".action-request", Static).render())
        await type_lines(pilot, form.query_one("#minutes-text", TextArea), "Demo went well")
        await type_lines(
            pilot, form.query_one("#decisions", TextArea), "Ship on Friday", "", "Freeze scope"
        )
        form.query_one("#action-add").focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"Book the room", "tab", *"Pat", "tab", *"2026-12-04")
        await pilot.press("ctrl+s")
        await settle(pilot)

    [result] = app.results
    assert result == MinutesResult(
        agenda=None,
        minutes="Demo went well",
        decisions=["Ship on Friday", "Freeze scope"],
        action_items=[
            linked,
            ActionItem(text="Book the room", owner="Pat", due=date(2026, 12, 4)),
        ],
    )


@pytest.mark.parametrize("size", SIZES)
async def test_a_bad_due_date_is_shown_at_its_row(size: tuple[int, int]) -> None:
    app = FormApp(MinutesForm(occurrence()))
    async with app.run_test(size=size) as pilot:
        form = app.screen
        form.query_one("#action-add").focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"Call back", "tab", "tab", *"next week")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.results == []
        error = form.query_one(".action-error", Static)
        assert str(error.render()) == "✗ malformed date 'next week' (expected YYYY-MM-DD)"
        assert "✗ malformed date 'next week'" in screen_text(app)
        assert app.focused is form.query_one(".action-due", Input)


async def test_the_agenda_says_whether_it_is_the_series_template() -> None:
    app = FormApp(MinutesForm(occurrence()))
    async with app.run_test(size=(120, 40)) as pilot:
        assert note(app).startswith("the series' template")
        await fill(pilot, app.screen.query(".agenda-minutes").results(Input).__next__(), "30")
        assert note(app) == "this occurrence's agenda differs from the series' template"
        await pilot.press("ctrl+s")
        await settle(pilot)

    [result] = app.results
    assert isinstance(result, MinutesResult)
    assert result.agenda == [AgendaItem(title="Status", minutes=30), TEMPLATE[1]]


async def test_an_occurrence_with_its_own_agenda_says_so() -> None:
    app = FormApp(MinutesForm(occurrence(agenda=[AgendaItem(title="Retro", minutes=45)])))
    async with app.run_test(size=(120, 40)):
        assert note(app) == "this occurrence's agenda differs from the series' template"
        assert "agenda 45 of 45 min" in screen_text(app)


async def test_escape_asks_before_dropping_typed_minutes() -> None:
    app = FormApp(MinutesForm(occurrence(minutes="Old notes")))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape")  # nothing changed: closes at once
        await pilot.pause()
        assert app.results == [None]

        form = MinutesForm(occurrence(minutes="Old notes"))
        app.push_screen(form, app.results.append)
        await pilot.pause()
        await pilot.press(*" and more")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # keep editing
        await pilot.pause()
        assert app.screen is form
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.results[-1], MinutesResult)
        assert app.results[-1].minutes == "Old notes and more"


@pytest.mark.parametrize("size", SIZES)
async def test_the_move_dialog_returns_the_new_start_in_the_meeting_zone(
    size: tuple[int, int],
) -> None:
    app = FormApp(MoveOccurrenceDialog(occurrence()))
    async with app.run_test(size=size) as pilot:
        dialog = app.screen
        assert dialog.query_one("#move-start", Input).value == "2026-11-30 10:00"
        assert dialog.query_one("#move-duration", Input).value == "45"
        await fill(pilot, dialog.query_one("#move-start", Input), "2026-12-01 14:30")
        await fill(pilot, dialog.query_one("#move-duration", Input), "1h")
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert app.results == [
        MoveResult(
            start=datetime(2026, 12, 1, 14, 30, tzinfo=BERLIN), duration_minutes=60, location=None
        )
    ]


async def test_the_move_dialog_shows_bad_input_and_moves_nothing() -> None:
    app = FormApp(MoveOccurrenceDialog(occurrence()))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.screen
        await fill(pilot, dialog.query_one("#move-start", Input), "tomorrow")
        await fill(pilot, dialog.query_one("#move-duration", Input), "0")
        await fill(pilot, dialog.query_one("#move-location", Input), "Room 7")
        await pilot.press("enter")
        await settle(pilot)
        assert app.results == []
        assert error_under(dialog, "start") == (
            "✗ malformed date and time 'tomorrow' (expected YYYY-MM-DD HH:MM)"
        )
        assert error_under(dialog, "duration") == "✗ the duration must be more than 0 minutes"
        assert "✗ the duration must be more than 0 minutes" in screen_text(app)
        assert app.focused is dialog.query_one("#move-start", Input)

        await fill(pilot, dialog.query_one("#move-start", Input), "2026-12-02 09:00")
        await fill(pilot, dialog.query_one("#move-duration", Input), "30")
        await pilot.press("enter")
        await settle(pilot)

    assert app.results == [
        MoveResult(
            start=datetime(2026, 12, 2, 9, 0, tzinfo=BERLIN), duration_minutes=30, location="Room 7"
        )
    ]
