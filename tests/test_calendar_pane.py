"""The Calendar pane driven through Pilot: agenda and week views, series and their
occurrences, minutes and action items, the communication plan."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Label, Select, TabbedContent, TextArea

from clientdesk.store import ics_reading
from clientdesk.store.models import (
    ClientRequest,
    CommunicationPlanItem,
    Meeting,
)
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui.app import ClientDeskApp, create_app
from clientdesk.widgets.actions import BY_ID
from clientdesk.widgets.busy_dialog import BusyDialog
from clientdesk.widgets.calendar_pane import AgendaEntry, CalendarPane
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from clientdesk.widgets.meeting_detail import MeetingDetail
from clientdesk.widgets.meeting_form import MeetingForm
from clientdesk.widgets.minutes_form import MinutesForm
from clientdesk.widgets.move_occurrence_dialog import MoveOccurrenceDialog
from clientdesk.widgets.plan_item_form import PlanItemForm
from clientdesk.widgets.reason_dialog import ReasonDialog
from clientdesk.widgets.record_table import RecordTable
from clientdesk.widgets.week_view import WeekView
from tests.helpers.calendar_data import BERLIN, at
from tests.helpers.ui import fill_input as fill
from tests.helpers.ui import notices, screen_text, settle
from tests.helpers.ui import pick_option as choose
from tests.helpers.waiting import HANG_SECONDS, pilot_wait_until

pytestmark = pytest.mark.usefixtures("app_now")


def stored(path: Path, key: str) -> Meeting:
    """The meeting with ``key``, as stored."""
    return TinyDBRepository(path).snapshot().find(Meeting, key)


def pane(app: ClientDeskApp) -> CalendarPane:
    """The Calendar pane."""
    return app.query_one(CalendarPane)


def agenda(app: ClientDeskApp) -> list[AgendaEntry]:
    """The agenda's rows, top to bottom."""
    return pane(app).agenda


def rows(app: ClientDeskApp) -> list[tuple[str, str]]:
    """The agenda's rows as (key, local start "DD HH:MM" or "plan")."""
    found = []
    for entry in agenda(app):
        if entry.occurrence is None:
            assert entry.plan_item is not None
            found.append((entry.plan_item.key, "plan"))
        else:
            local = entry.occurrence.start.astimezone(BERLIN)
            found.append((entry.occurrence.key, f"{local:%d %H:%M}"))
    return found


async def cursor_to(pilot: Pilot[None], app: ClientDeskApp, key: str, when: str) -> None:
    """Put the agenda's cursor on the occurrence of ``key`` at ``when`` ("DD HH:MM")."""
    table = app.query_one("#agenda-table", RecordTable)
    table.focus()
    listed = rows(app)
    await pilot.press(*["up"] * len(listed), *["down"] * listed.index((key, when)))
    await pilot.pause()
    entry = pane(app).selected_entry
    assert entry is not None and entry.occurrence is not None
    assert (entry.occurrence.key, f"{entry.occurrence.start.astimezone(BERLIN):%d %H:%M}") == (
        key,
        when,
    )


def status_line(app: ClientDeskApp) -> str:
    return str(pane(app).query_one("#pane-status", Label).render())


async def test_the_agenda_lists_the_weeks_by_day_with_overdue_plan_items_on_top(
    calendar_path: Path,
) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.query_one("#panes", TabbedContent).active == "calendar"
        assert rows(app)[:5] == [
            ("PLN-1", "plan"),
            ("MTG-1", "23 14:00"),
            ("MTG-2", "23 14:30"),
            ("MTG-3", "24 10:00"),
            ("MTG-1", "30 14:00"),
        ]
        # Four weeks from today: the series' Mondays up to 14 December.
        assert [when for key, when in rows(app) if key == "MTG-1"] == [
            "23 14:00",
            "30 14:00",
            "07 14:00",
            "14 14:00",
        ]
        text = screen_text(app)
        assert "Agenda Mon 23 Nov" in text
        assert "Mon 23 Nov" in text and "Tue 24 Nov" in text
        # The viewer is in UTC (the tests' TZ), the project in Berlin: both times show.
        assert "14:00\u201315:00" in text and "13:00\u201314:00" in text
        assert "yours in UTC" in text
        assert "overdue" in text and "due 20 Nov" in text
        # The day is written once, on its first row.
        first_rows = [entry.first_of_day for entry in agenda(app)[1:4]]
        assert first_rows == [True, False, True]


async def test_meetings_that_overlap_for_a_shared_attendee_are_flagged(
    calendar_path: Path,
) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        clashing = {
            (e.occurrence.key, e.day.day) for e in agenda(app) if e.clashes and e.occurrence
        }
        assert clashing == {("MTG-1", 23), ("MTG-2", 23)}
        assert "2 clashing" in status_line(app)
        lines = screen_text(app).splitlines()
        budget = next(line for line in lines if "Budget call" in line)
        review = next(line for line in lines if "Design review" in line)
        assert "clash" in budget and "⚠" in budget
        assert "clash" not in review and "⚠" not in review


async def test_a_weekly_meeting_created_through_the_keys_fills_the_agenda(
    calendar_path: Path,
) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, MeetingForm)
        await fill(pilot, "#field-title", "Sprint demo")
        await fill(pilot, "#field-start", "2026-11-25 09:00")
        await choose(pilot, form.query_one("#cadence-preset", Select), "weekly on Wednesday")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, MeetingForm)
        meeting = stored(calendar_path, "MTG-4")
        assert meeting.rrule == "FREQ=WEEKLY;BYDAY=WE"
        assert meeting.start == at(25, 9)
        assert [when for key, when in rows(app) if key == "MTG-4"] == [
            "25 09:00",
            "02 09:00",
            "09 09:00",
            "16 09:00",
        ]


async def test_cancelling_one_occurrence_takes_it_off_the_agenda_and_raises_the_sequence(
    calendar_path: Path,
) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-1", "30 14:00")
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert ("MTG-1", "30 14:00") not in rows(app)
        assert ("MTG-1", "07 14:00") in rows(app)
        meeting = stored(calendar_path, "MTG-1")
        assert meeting.sequence == 1
        assert [change.cancelled for change in meeting.exceptions] == [True]

        # Shown struck through on request, and restored with r.
        await pilot.press("a")
        await pilot.pause()
        assert ("MTG-1", "30 14:00") in rows(app)
        await cursor_to(pilot, app, "MTG-1", "30 14:00")
        await pilot.press("r")
        await settle(pilot)
        assert stored(calendar_path, "MTG-1").sequence == 2
        assert not any(c.cancelled for c in stored(calendar_path, "MTG-1").exceptions)


async def test_moving_one_occurrence_shows_it_once_at_its_new_time(calendar_path: Path) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-1", "07 14:00")
        await pilot.press("M")
        await pilot.pause()
        assert isinstance(app.screen, MoveOccurrenceDialog)
        await fill(pilot, "#move-start", "2026-12-08 16:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        series = [when for key, when in rows(app) if key == "MTG-1"]
        assert series == ["23 14:00", "30 14:00", "08 16:00", "14 14:00"]
        moved = next(e for e in agenda(app) if e.occurrence and e.occurrence.moved)
        assert moved.occurrence is not None and moved.occurrence.key == "MTG-1"
        assert stored(calendar_path, "MTG-1").sequence == 1


async def test_this_and_following_splits_the_series(calendar_path: Path) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-1", "07 14:00")
        await pilot.press("F")
        await pilot.pause()
        assert isinstance(app.screen, MeetingForm)
        await fill(pilot, "#field-start", "2026-12-07 15:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        old, new = stored(calendar_path, "MTG-1"), stored(calendar_path, "MTG-4")
        assert "UNTIL=" in (old.rrule or "")
        assert new.split_from == old.id
        assert new.start == at(7, 15, month=12)
        assert [(k, w) for k, w in rows(app) if k in ("MTG-1", "MTG-4")] == [
            ("MTG-1", "23 14:00"),
            ("MTG-1", "30 14:00"),
            ("MTG-4", "07 15:00"),
            ("MTG-4", "14 15:00"),
        ]


async def test_minutes_with_an_action_item_turn_into_a_linked_request(
    calendar_path: Path,
) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-1", "23 14:00")
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MinutesForm)
        app.screen.query_one("#minutes-text").focus()
        await pilot.press(*"Demo went well")
        app.screen.query_one("#action-add").focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"Send the CSV sample", "tab", *"Pat Lead", "tab", *"2026-11-27")
        await pilot.press("ctrl+s")
        await settle(pilot)
        meeting = stored(calendar_path, "MTG-1")
        [occurrence] = meeting.exceptions
        assert occurrence.minutes == "Demo went well"
        assert [a.text for a in occurrence.action_items] == ["Send the CSV sample"]
        assert meeting.sequence == 0, "minutes are not something attendees are re-invited for"

        # enter opens the detail; a turns the action item into a request.
        await cursor_to(pilot, app, "MTG-1", "23 14:00")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MeetingDetail)
        assert "Send the CSV sample" in screen_text(app)
        await pilot.press("a")
        await settle(pilot)
        snapshot = TinyDBRepository(calendar_path).snapshot()
        [request] = snapshot.all(ClientRequest)
        meeting = snapshot.find(Meeting, "MTG-1")
        assert request.meeting_ids == [meeting.id]
        assert meeting.exceptions[0].action_items[0].request_id == request.id
        await pilot.press("2")
        await settle(pilot)
        assert "Send the CSV sample" in screen_text(app)


async def test_the_status_key_moves_a_draft_along(calendar_path: Path) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-3", "24 10:00")
        for wanted in ("scheduled", "held", "minuted"):
            await pilot.press("s")
            await settle(pilot)
            assert stored(calendar_path, "MTG-3").status == wanted
        # Minuted is the end of the road: the key changes nothing and says why.
        minuted = stored(calendar_path, "MTG-3")
        reason = "MTG-3 is minuted: that is its last status."
        assert pane(app).why_not(BY_ID["calendar.status"]) == reason
        await pilot.press("s")
        await settle(pilot)
        assert stored(calendar_path, "MTG-3") == minuted
        assert reason in notices(app)


async def test_held_is_kept_per_occurrence_of_a_series(calendar_path: Path) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-1", "23 14:00")
        await pilot.press("s")
        await settle(pilot)
        meeting = stored(calendar_path, "MTG-1")
        assert meeting.status == "scheduled"
        assert [(c.original_start, c.status) for c in meeting.exceptions] == [(at(23, 14), "held")]


async def test_the_week_view_is_offered_only_where_seven_days_fit(calendar_path: Path) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await pilot.pause()
        assert pane(app).view == "week"
        assert isinstance(app.focused, WeekView)
        assert {o.key for o in pane(app).week_occurrences} == {"MTG-1", "MTG-2", "MTG-3"}
        assert "Week of Mon 23 Nov 2026" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MeetingDetail)
    app = create_app(calendar_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await pilot.pause()
        assert pane(app).view == "plan"


async def test_brackets_step_a_week_and_t_comes_back(calendar_path: Path) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert "Agenda Mon 30 Nov" in screen_text(app)
        assert ("MTG-1", "23 14:00") not in rows(app)
        assert ("MTG-1", "21 14:00") in rows(app)
        await pilot.press("left_square_bracket", "left_square_bracket")
        await pilot.pause()
        assert "Agenda Mon 16 Nov" in screen_text(app)
        await pilot.press("t")
        await pilot.pause()
        assert "Agenda Mon 23 Nov" in screen_text(app)


async def test_the_filter_finds_meetings_by_attendee_and_keeps_the_days(
    calendar_path: Path,
) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"ada@client")
        await pilot.pause()
        keys = {key for key, _ in rows(app)}
        assert keys == {"MTG-1", "MTG-2"}
        assert agenda(app)[0].first_of_day
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert {key for key, _ in rows(app)} == {"PLN-1", "MTG-1", "MTG-2", "MTG-3"}


async def test_a_plan_item_is_added_and_turned_into_a_series(calendar_path: Path) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("v", "v")
        await pilot.pause()
        assert pane(app).view == "plan"
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PlanItemForm)
        await fill(pilot, "#field-title", "Steering update")
        await fill(pilot, "#field-first_due", "2026-12-01 11:00")
        await choose(
            pilot, app.screen.query_one("#cadence-preset", Select), "monthly on the first Tuesday"
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        item = TinyDBRepository(calendar_path).snapshot().find(CommunicationPlanItem, "PLN-2")
        assert item.cadence == "FREQ=MONTHLY;BYDAY=1TU"

        table = app.query_one("#plan-table", RecordTable)
        assert table.selected_record is not None and table.selected_record.key == "PLN-2"
        await pilot.press("plus")
        await pilot.pause()
        assert isinstance(app.screen, MeetingForm)
        assert app.screen.query_one("#field-title", Input).value == "Steering update"
        await pilot.press("ctrl+s")
        await settle(pilot)
        series = stored(calendar_path, "MTG-4")
        assert series.plan_item_id == item.id
        assert series.rrule == "FREQ=MONTHLY;BYDAY=1TU"


async def test_deleting_a_series_asks_and_names_it_a_series(calendar_path: Path) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-1", "30 14:00")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "the whole series MTG-1" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert stored(calendar_path, "MTG-1").rrule is not None


async def test_a_colleagues_save_refreshes_the_agenda_without_losing_the_cursor(
    calendar_path: Path,
) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-3", "24 10:00")
        TinyDBRepository(calendar_path).update(
            stored(calendar_path, "MTG-3").model_copy(update={"title": "Design review v2"})
        )
        await pilot_wait_until(
            pilot, lambda: "Design review v2" in screen_text(app), "the colleague's save to show"
        )
        entry = pane(app).selected_entry
        assert entry is not None and entry.occurrence is not None
        assert entry.occurrence.key == "MTG-3"


async def test_moving_the_whole_series_keeps_its_cancelled_occurrence(
    calendar_path: Path,
) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-1", "30 14:00")
        await pilot.press("x", "y")
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-1", "23 14:00")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, MeetingForm)
        await fill(pilot, "#field-start", "2026-11-23 15:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, MeetingForm), screen_text(app)
        assert [when for key, when in rows(app) if key == "MTG-1"] == [
            "23 15:00",
            "07 15:00",
            "14 15:00",
        ]
        meeting = stored(calendar_path, "MTG-1")
        assert [(c.original_start, c.cancelled) for c in meeting.exceptions] == [(at(30, 15), True)]


async def test_d_marks_an_overdue_plan_item_done(calendar_path: Path) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert rows(app)[0] == ("PLN-1", "plan")
        app.query_one("#agenda-table", RecordTable).focus()
        await pilot.press("up", "D")
        await settle(pilot)
        assert ("PLN-1", "plan") not in rows(app)
    item = TinyDBRepository(calendar_path).snapshot().find(CommunicationPlanItem, "PLN-1")
    assert item.last_done is not None


async def test_minutes_a_colleague_wrote_meanwhile_are_not_overwritten(
    calendar_path: Path,
) -> None:
    from clientdesk.store.calendar import change_occurrence

    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-1", "23 14:00")
        await pilot.press("m")
        await pilot.pause()
        colleague = TinyDBRepository(calendar_path, user="ann")
        series = colleague.snapshot().find(Meeting, "MTG-1")
        colleague.update(change_occurrence(series, at(23, 14), minutes="Ann's notes"))
        app.screen.query_one("#minutes-text").focus()
        await pilot.press(*"My notes", "ctrl+s")
        await settle(pilot)
        await settle(pilot)
        errors = [str(n.message) for n in app._notifications if n.severity == "error"]
        assert any("changed by ann meanwhile" in error for error in errors)
        assert isinstance(app.screen, MinutesForm), "the form is back with what was typed"
        assert "My notes" in app.screen.query_one("#minutes-text", TextArea).text
    [change] = stored(calendar_path, "MTG-1").exceptions
    assert change.minutes == "Ann's notes"


INVITE = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Client//EN\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:kickoff-42@client.example\r\nSEQUENCE:0\r\n"
    "DTSTAMP:20261120T090000Z\r\nDTSTART:20261126T130000Z\r\nDTEND:20261126T140000Z\r\n"
    "SUMMARY:Client kick-off\r\nORGANIZER;CN=Ada Client:mailto:ada@client.example\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


async def test_ctrl_o_imports_an_invite_after_a_preview(
    calendar_path: Path, tmp_path: Path
) -> None:
    invite = tmp_path / "kickoff.ics"
    invite.write_text(INVITE, encoding="utf-8")
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press(*str(invite), "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        text = screen_text(app)
        assert "Import 1 change from kickoff.ics into APOLLO?" in text
        assert "Client kick-off" in text
        await pilot.press("y")
        await settle(pilot)
        assert ("MTG-4", "26 14:00") in rows(app)
    imported = stored(calendar_path, "MTG-4")
    assert imported.ical_uid == "kickoff-42@client.example"


async def test_a_file_that_is_no_calendar_is_refused_and_asked_again(
    calendar_path: Path, tmp_path: Path
) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("just some notes\n", encoding="utf-8")
    before = calendar_path.read_bytes()
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press(*str(junk), "enter")
        await settle(pilot)
        errors = [str(n.message) for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1 and "not an iCalendar file" in errors[0]
        assert "\n" not in errors[0]
        assert isinstance(app.screen, ReasonDialog), "the path is asked again"
    assert calendar_path.read_bytes() == before


async def test_escape_cancels_an_import_still_being_read_and_nothing_is_written(
    calendar_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    invite = tmp_path / "kickoff.ics"
    invite.write_text(INVITE, encoding="utf-8")
    reading, release = threading.Event(), threading.Event()
    real_read = ics_reading.read_import_file

    def slow_read(path: Path) -> bytes:
        """The file as read from a slow disk: only once the test lets it through."""
        reading.set()
        release.wait(timeout=HANG_SECONDS)
        return real_read(path)

    monkeypatch.setattr(ics_reading, "read_import_file", slow_read)
    before = calendar_path.read_bytes()
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await pilot.pause()
        await pilot.press(*str(invite), "enter")
        await pilot_wait_until(
            pilot,
            lambda: reading.is_set() and isinstance(app.screen, BusyDialog),
            "the read to start behind a notice",
        )
        assert isinstance(app.screen, BusyDialog), "a notice shows while the file is read"
        assert "escape cancels" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, BusyDialog)
        notices = [str(n.message) for n in app._notifications]
        assert "Import of kickoff.ics cancelled: nothing was written." in notices
        release.set()  # the read ends after all; what it found must not show
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        assert "MTG-4" not in [key for key, _ in rows(app)]
    assert calendar_path.read_bytes() == before


@pytest.mark.parametrize("filtered_before", [False, True], ids=["first-filter", "again"])
async def test_a_burst_split_over_two_reads_keeps_every_character(
    calendar_path: Path, filtered_before: bool
) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        if filtered_before:
            await pilot.press("slash", "escape")
            await settle(pilot)
        for key, character in (("slash", "/"), ("s", "s"), ("y", "y")):
            app.post_message(events.Key(key, character))
        for _ in range(8):  # the terminal's next read comes a moment later
            await asyncio.sleep(0)
        for key in ("n", "c"):
            app.post_message(events.Key(key, key))
        await settle(pilot)
        assert isinstance(app.focused, Input) and app.focused.value == "sync"


async def test_keys_typed_right_after_slash_do_not_act_on_the_pane(calendar_path: Path) -> None:
    """Typed in one go (a fast typist, a paste): "n" must not open a form behind the filter."""
    app = create_app(calendar_path)
    before = calendar_path.read_bytes()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # Queued all at once, as a terminal delivers a paste or a burst of typing.
        for key, character in (("slash", "/"), ("s", "s"), ("y", "y"), ("n", "n"), ("c", "c")):
            app.post_message(events.Key(key, character))
        await settle(pilot)
        assert not isinstance(app.screen, MeetingForm), "n opened a form instead of filtering"
        assert isinstance(app.focused, Input) and app.focused.id == "filter-input"
        assert app.focused.value == "sync", "the keys typed after / went into the filter"
    assert calendar_path.read_bytes() == before, "no key acted on a record"
