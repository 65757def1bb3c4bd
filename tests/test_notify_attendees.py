"""The attendees hear of changes: cancelling, moving, splitting and closing offer to tell them.

Driven through the real app against a real SMTP server on localhost
(aiosmtpd): what the server receives is what the attendees' calendars get.
The project is the small Berlin calendar of ``tests/helpers/calendar_data.py``:
MTG-1 meets on Mondays at 14:00 from the 23rd of November (today), MTG-2 is
a one-off call that afternoon, MTG-3 a draft. Ada is invited to both.
"""

from __future__ import annotations

import email
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from icalendar import Calendar
from textual.widgets import Checkbox, Static

from clientdesk.store.cancellations import cancel_from, still_scheduled
from clientdesk.store.config import SmtpSettings
from clientdesk.store.enums import ChecklistState, MeetingStatus
from clientdesk.store.models import ChecklistItem, Meeting, Project
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui.app import ClientDeskApp, create_app
from clientdesk.tui.cli import main
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from clientdesk.widgets.move_occurrence_dialog import MoveOccurrenceDialog
from tests.helpers.calendar_data import at
from tests.helpers.keys import press_at_once
from tests.helpers.smtp import Inbox, configure
from tests.helpers.ui import FIXED_NOW, fill_input, notices, screen_text, settle
from tests.test_calendar_pane import cursor_to

pytestmark = pytest.mark.usefixtures("app_now")


def stored(path: Path, key: str) -> Meeting:
    """The meeting ``key`` as stored."""
    return TinyDBRepository(path).snapshot().find(Meeting, key)


def received(inbox: Inbox) -> list[tuple[EmailMessage, Calendar]]:
    """Every message the server accepted, with the calendar it carries."""
    found = []
    for envelope in inbox.envelopes:
        assert isinstance(envelope.content, bytes)
        message = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
        found.append((message, Calendar.from_ical(part.get_content())))
    return found


def the_only_event(calendar: Calendar) -> tuple[str, dict[str, object]]:
    """The calendar's METHOD and its one event."""
    [event] = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


def dialog_text(app: ClientDeskApp) -> str:
    """The words of the dialog on screen: its texts and the label of its box, if any."""
    parts = [str(widget.render()) for widget in app.screen.query(Static)]
    parts += [str(box.label) for box in app.screen.query(Checkbox)]
    return " ".join(" ".join(parts).split())


def offered(app: ClientDeskApp) -> str:
    """The question on screen, which must be the offer to e-mail the attendees."""
    assert isinstance(app.screen, ConfirmDialog), screen_text(app)
    text = dialog_text(app)
    assert text.startswith("E-mail ") and "now?" in text, text
    return text


# -- cancelling ---------------------------------------------------------------------------


async def test_cancelling_one_occurrence_e_mails_its_cancellation_typed_in_one_burst(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    configure(settings)
    app = create_app(calendar_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-1", "30 14:00")
        # x asks, y cancels, y (typed before the offer is up) sends.
        await press_at_once(pilot, "x", "y", "y")
        await settle(pilot)
        said = notices(app)
    [(message, calendar)] = received(handler)
    method, event = the_only_event(calendar)
    assert method == "CANCEL"
    assert event["RECURRENCE-ID"].dt == at(30, 14)
    assert message["Subject"].startswith("Cancelled: Weekly sync")
    assert any(
        line.startswith("Sent the cancellation of MTG-1 on Mon 30 Nov 14:00 (SEQUENCE ")
        and line.endswith(" to ada@client.example.")
        for line in said
    ), said
    meeting = stored(calendar_path, "MTG-1")
    assert [change.cancelled for change in meeting.exceptions] == [True]
    [sent] = meeting.sent
    assert (sent.method, sent.recurrence_id) == ("CANCEL", at(30, 14))


async def test_ticking_the_box_cancels_the_whole_series(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    configure(settings)
    app = create_app(calendar_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-1", "23 14:00")
        await pilot.press("x")
        await settle(pilot)
        assert "The whole series" in dialog_text(app)
        await pilot.press("space", "y")  # the box has the focus: space ticks it
        await settle(pilot)
        assert "the cancellation of the whole series MTG-1" in offered(app)
        await pilot.press("enter")  # "Send" is the default
        await settle(pilot)
    [(_, calendar)] = received(handler)
    method, event = the_only_event(calendar)
    assert method == "CANCEL" and "RECURRENCE-ID" not in event
    assert str(event["STATUS"]) == "CANCELLED"
    assert stored(calendar_path, "MTG-1").status is MeetingStatus.CANCELLED


async def test_cancelling_from_a_later_occurrence_ends_the_series_and_sends_the_update(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    configure(settings)
    app = create_app(calendar_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-1", "07 14:00")
        await press_at_once(pilot, "x", "space", "y", "y")
        await settle(pilot)
    [(_, calendar)] = received(handler)
    method, event = the_only_event(calendar)
    assert method == "REQUEST" and "UNTIL=" in event["RRULE"].to_ical().decode()
    meeting = stored(calendar_path, "MTG-1")
    assert meeting.status is MeetingStatus.SCHEDULED and "UNTIL=" in (meeting.rrule or "")


async def test_declining_the_offer_sends_nothing_and_says_how_to_send_later(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    configure(settings)
    app = create_app(calendar_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-2", "23 14:30")
        await pilot.press("x", "y")
        await settle(pilot)
        offered(app)
        await pilot.press("n")
        await settle(pilot)
        said = notices(app)
    assert handler.envelopes == []
    assert any(
        "Nothing was sent to the attendees (you chose not to)" in line
        and "clientdesk send-invite --project APOLLO --meeting MTG-2 --cancel" in line
        for line in said
    ), said
    meeting = stored(calendar_path, "MTG-2")
    assert meeting.status is MeetingStatus.CANCELLED and meeting.sent == []


async def test_without_a_mail_server_the_dialog_and_the_notice_say_nothing_was_sent(
    calendar_path: Path,
) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-1", "30 14:00")
        await pilot.press("x")
        await settle(pilot)
        asked = dialog_text(app)
        assert "No mail server is set up, so nothing is sent to the attendees" in asked
        assert "are told" not in asked
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is app.screen_stack[0], "no offer without a mail server"
        said = notices(app)
    assert any(
        line.startswith("Cancelled MTG-1 on Mon 30 Nov 14:00")
        and "Nothing was sent to the attendees (no mail server is set up)" in line
        and 'send-invite --project APOLLO --meeting MTG-1 --cancel --occurrence "2026-11-30 14:00"'
        in line
        for line in said
    ), said


async def test_a_draft_never_sent_is_cancelled_without_an_offer(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    configure(settings)
    app = create_app(calendar_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-3", "24 10:00")
        await pilot.press("x")
        await settle(pilot)
        assert "e-mail" not in dialog_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is app.screen_stack[0], "nobody has a draft: nothing to offer"
    assert handler.envelopes == []
    assert stored(calendar_path, "MTG-3").status is MeetingStatus.CANCELLED


async def test_a_mail_server_that_refuses_leaves_the_cancel_saved_and_says_why_in_one_line(
    calendar_path: Path,
) -> None:
    configure(SmtpSettings(host="127.0.0.1", port=9, security="none"))  # nothing listens
    app = create_app(calendar_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-2", "23 14:30")
        await press_at_once(pilot, "x", "y", "y")
        await settle(pilot)
        errors = [str(n.message) for n in app._notifications if n.severity == "error"]
    assert len(errors) == 1 and "\n" not in errors[0]
    assert errors[0].startswith("the cancellation of MTG-2 was not sent: ")
    assert "the change itself is saved" in errors[0]
    meeting = stored(calendar_path, "MTG-2")
    assert meeting.status is MeetingStatus.CANCELLED and meeting.sent == []


# -- moving and splitting -----------------------------------------------------------------


async def test_moving_an_occurrence_e_mails_its_update(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    configure(settings)
    app = create_app(calendar_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-1", "07 14:00")
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, MoveOccurrenceDialog)
        assert "Next you can e-mail the update to the attendees" in dialog_text(app)
        await fill_input(pilot, "#move-start", "2026-12-08 16:00")
        await press_at_once(pilot, "ctrl+s", "y")  # the save, then the offer
        await settle(pilot)
    [(_, calendar)] = received(handler)
    method, event = the_only_event(calendar)
    assert method == "REQUEST"
    assert event["RECURRENCE-ID"].dt == at(7, 14, month=12)
    assert event["DTSTART"].dt == at(8, 16, month=12)


async def test_this_and_following_e_mails_the_old_series_end_and_the_new_series(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    configure(settings)
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-1", "07 14:00")
        await pilot.press("F")
        await pilot.pause()
        await fill_input(pilot, "#field-start", "2026-12-07 15:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        question = offered(app)
        assert "the update of MTG-1" in question and "the invite of MTG-4" in question
        await pilot.press("y")
        await settle(pilot)
        said = notices(app)
    old, new = stored(calendar_path, "MTG-1"), stored(calendar_path, "MTG-4")
    messages = received(handler)
    assert len(messages) == 2
    events = {
        str(event["UID"]): (method, event)
        for method, event in map(the_only_event, [c for _, c in messages])
    }
    old_method, old_event = events[old.uid]
    new_method, new_event = events[new.uid]
    assert old_method == new_method == "REQUEST"
    assert "UNTIL=" in old_event["RRULE"].to_ical().decode()
    assert new_event["DTSTART"].dt == at(7, 15, month=12)
    assert any(line.startswith("Sent the update of MTG-1") and "MTG-4" in line for line in said)
    assert len(old.sent) == len(new.sent) == 1


# -- closing the project ------------------------------------------------------------------


def waive_the_checklist(path: Path) -> None:
    """Waive every closing checklist item, so that only the meetings keep the project open."""
    repo = TinyDBRepository(path)
    for item in repo.snapshot().all(ChecklistItem):
        waived = {"state": ChecklistState.WAIVED, "waive_reason": "not needed"}
        repo.update(item.model_copy(update=waived))


async def test_closing_with_meetings_planned_cancels_them_and_tells_the_attendees(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    configure(settings)
    waive_the_checklist(calendar_path)
    app = create_app(calendar_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        asked = dialog_text(app)
        assert "APOLLO still has 3 meetings planned (MTG-1, MTG-2, MTG-3)" in asked
        assert "The attendees are e-mailed the cancellations first" in asked
        await pilot.press("y")
        await settle(pilot)
        said = notices(app)
    methods = sorted(the_only_event(calendar)[0] for _, calendar in received(handler))
    assert methods == ["CANCEL", "CANCEL"]  # MTG-3 is a draft nobody was sent
    snapshot = TinyDBRepository(calendar_path).snapshot()
    project = snapshot.projects()[0]
    assert project.is_closed and project.close_override_reason == ""
    for key in ("MTG-1", "MTG-2"):
        meeting = snapshot.find(Meeting, key)
        assert meeting.status is MeetingStatus.CANCELLED and len(meeting.sent) == 1, key
    draft = snapshot.find(Meeting, "MTG-3")
    assert draft.status is MeetingStatus.CANCELLED and draft.sent == []
    assert any(line.startswith("Closed APOLLO and cancelled MTG-1, MTG-2, MTG-3") for line in said)


async def test_without_a_mail_server_the_cancellations_are_one_change_undone_at_once(
    calendar_path: Path,
) -> None:
    waive_the_checklist(calendar_path)
    app = create_app(calendar_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await press_at_once(pilot, "C", "y")
        await settle(pilot)
        said = notices(app)
        assert TinyDBRepository(calendar_path).snapshot().projects()[0].is_closed
        await pilot.press("ctrl+z")  # reopens
        await settle(pilot)
        await pilot.press("ctrl+z")  # the three meetings come back, in one step
        await settle(pilot)
    assert any(
        line.startswith("Closed APOLLO and cancelled MTG-1, MTG-2, MTG-3 (ctrl+z reopens it, then")
        and "Nothing was sent to the attendees (no mail server is set up)" in line
        for line in said
    ), said
    snapshot = TinyDBRepository(calendar_path).snapshot()
    assert not snapshot.projects()[0].is_closed
    statuses = [snapshot.find(Meeting, key).status for key in ("MTG-1", "MTG-2", "MTG-3")]
    assert statuses == [MeetingStatus.SCHEDULED, MeetingStatus.SCHEDULED, MeetingStatus.DRAFT]


async def test_when_the_mail_fails_the_meetings_stay_cancelled_and_the_project_open(
    calendar_path: Path,
) -> None:
    configure(SmtpSettings(host="127.0.0.1", port=9, security="none"))  # nothing listens
    waive_the_checklist(calendar_path)
    app = create_app(calendar_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await press_at_once(pilot, "C", "y")
        await settle(pilot)
        errors = [str(n.message) for n in app._notifications if n.severity == "error"]
    assert len(errors) == 1 and "\n" not in errors[0]
    assert errors[0].startswith("Cancelled MTG-1, MTG-2, MTG-3 (ctrl+z brings them back)")
    assert "APOLLO stays open so that they can be sent" in errors[0]
    snapshot = TinyDBRepository(calendar_path).snapshot()
    assert not snapshot.projects()[0].is_closed
    assert snapshot.find(Meeting, "MTG-2").status is MeetingStatus.CANCELLED


async def test_ticking_the_box_before_an_override_cancels_the_meetings_typed_in_one_burst(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    configure(settings)
    app = create_app(calendar_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        # C opens the blocked dialog on its box: space ticks it, o asks why, the reason.
        await press_at_once(pilot, "C", "space", "o", *"Client signed off", "enter")
        await settle(pilot)
    assert len(received(handler)) == 2
    snapshot = TinyDBRepository(calendar_path).snapshot()
    project = snapshot.projects()[0]
    assert project.is_closed and project.close_override_reason == "Client signed off"
    assert snapshot.find(Meeting, "MTG-2").status is MeetingStatus.CANCELLED


async def test_closing_without_ticking_keeps_the_meetings_and_says_so(calendar_path: Path) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("C")
        await settle(pilot)
        asked = dialog_text(app)
        assert "Cancel the 3 meetings still planned" in asked
        assert "no mail server is set up, so nothing is sent to the attendees" in asked
        await pilot.press("o", *"Budget ended", "enter")
        await settle(pilot)
        said = notices(app)
    assert any("3 meetings stay planned (MTG-1, MTG-2, MTG-3)" in line for line in said), said
    assert stored(calendar_path, "MTG-2").status is MeetingStatus.SCHEDULED


def test_close_project_on_the_command_line_says_which_meetings_stay_planned(
    calendar_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["close-project", "--data", str(calendar_path), "--project", "APOLLO", "--override", "done"]
    )
    out = capsys.readouterr().out.splitlines()
    assert code == 0 and out[0] == "APOLLO closed"
    assert out[-1].startswith("note: 3 meetings stay planned (MTG-1, MTG-2, MTG-3); to cancel")


# -- the store's part ---------------------------------------------------------------------


def test_a_series_that_already_met_ends_rather_than_being_cancelled(calendar_path: Path) -> None:
    snapshot = TinyDBRepository(calendar_path).snapshot()
    project = snapshot.projects()[0]
    assert isinstance(project, Project)
    later = FIXED_NOW.replace(day=25)  # Wednesday: the series met on Monday
    [series_left, *_] = still_scheduled(snapshot.of_project(Meeting, project.id), later)
    assert series_left.meeting.key == "MTG-1" and series_left.ends_series
    ended = series_left.called_off()
    assert ended.status is MeetingStatus.SCHEDULED and "UNTIL=" in (ended.rrule or "")
    whole = cancel_from(series_left.meeting, at(23, 14))
    assert whole.status is MeetingStatus.CANCELLED
