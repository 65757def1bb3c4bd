"""The attendees hear of changes: cancelling, moving, splitting, restoring, deleting and closing.

Driven through the real app against a real SMTP server on localhost
(aiosmtpd): what the server receives is what the attendees' calendars get.
The project is the small Berlin calendar of ``tests/helpers/calendar_data.py``:
MTG-1 meets on Mondays at 14:00 from the 23rd of November (today), MTG-2 is
a one-off call that afternoon, MTG-3 a draft. Ada is invited to both.
The shared steps live in ``tests/helpers/attendee_mail.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clientdesk.store.cancellations import cancel_from, still_scheduled
from clientdesk.store.config import SmtpSettings
from clientdesk.store.enums import MeetingStatus
from clientdesk.store.models import Meeting, Project
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui.cli import main
from clientdesk.widgets.actions import BY_ID
from clientdesk.widgets.move_occurrence_dialog import MoveOccurrenceDialog
from tests.helpers.attendee_mail import (
    CLOSING_PANE,
    cancelled,
    e_mailed,
    events_received,
    is_stored,
    no_mail_server,
    open_calendar,
    received,
    stored,
    waive_the_checklist,
)
from tests.helpers.calendar_data import at
from tests.helpers.smtp import Inbox
from tests.helpers.ui import FIXED_NOW, fill_input

pytestmark = pytest.mark.usefixtures("app_now")

NOBODY_LISTENS = SmtpSettings(host="127.0.0.1", port=9, security="none")
"""A mail server that is set up but does not answer."""

ADA = "ada@client.example"


# -- cancelling ---------------------------------------------------------------------------


async def test_cancelling_one_occurrence_e_mails_its_cancellation_typed_in_one_burst(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    async with open_calendar(calendar_path, mail=settings, on=("MTG-1", "30 14:00")) as desk:
        # x asks, y cancels, y (typed before the offer is up) sends.
        await desk.type_at_once("x", "y", "y")
        said = desk.notices()
    [(message, _)] = received(handler)
    [(method, event)] = events_received(handler)
    assert method == "CANCEL"
    assert event["RECURRENCE-ID"].dt == at(30, 14)
    assert message["Subject"].startswith("Cancelled: Weekly sync")
    assert any(
        line.startswith("Sent the cancellation of MTG-1 on Mon 30 Nov 14:00 (SEQUENCE ")
        and line.endswith(f" to {ADA}.")
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
    async with open_calendar(calendar_path, mail=settings, on=("MTG-1", "23 14:00")) as desk:
        await desk.press("x")
        assert "The whole series" in desk.dialog()
        await desk.press("space", "y")  # the box has the focus: space ticks it
        assert "the cancellation of the whole series MTG-1" in desk.offer()
        await desk.press("enter")  # "Send" is the default
    [(method, event)] = events_received(handler)
    assert method == "CANCEL" and "RECURRENCE-ID" not in event
    assert str(event["STATUS"]) == "CANCELLED"
    assert cancelled(calendar_path, "MTG-1")


async def test_cancelling_from_a_later_occurrence_ends_the_series_and_sends_the_update(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    async with open_calendar(calendar_path, mail=settings, on=("MTG-1", "07 14:00")) as desk:
        await desk.type_at_once("x", "space", "y", "y")
    [(method, event)] = events_received(handler)
    assert method == "REQUEST" and "UNTIL=" in event["RRULE"].to_ical().decode()
    meeting = stored(calendar_path, "MTG-1")
    assert meeting.status is MeetingStatus.SCHEDULED and "UNTIL=" in (meeting.rrule or "")


async def test_declining_the_offer_sends_nothing_and_says_how_to_send_later(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    async with open_calendar(calendar_path, mail=settings, on=("MTG-2", "23 14:30")) as desk:
        await desk.press("x", "y")
        desk.offer()
        await desk.press("n")
        assert desk.said(
            "Nothing was sent to the attendees (you chose not to)",
            "clientdesk send-invite --project APOLLO --meeting MTG-2 --cancel",
        ), desk.notices()
    assert handler.envelopes == []
    meeting = stored(calendar_path, "MTG-2")
    assert meeting.status is MeetingStatus.CANCELLED and meeting.sent == []


async def test_without_a_mail_server_the_dialog_and_the_notice_say_nothing_was_sent(
    calendar_path: Path,
) -> None:
    async with open_calendar(calendar_path, on=("MTG-1", "30 14:00")) as desk:
        await desk.press("x")
        asked = desk.dialog()
        assert "No mail server is set up, so nothing is sent to the attendees" in asked
        assert "are told" not in asked
        await desk.press("y")
        assert desk.asks_nothing, "no offer without a mail server"
        said = desk.notices()
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
    async with open_calendar(calendar_path, mail=settings, on=("MTG-3", "24 10:00")) as desk:
        await desk.press("x")
        assert "e-mail" not in desk.dialog()
        await desk.press("y")
        assert desk.asks_nothing, "nobody has a draft: nothing to offer"
    assert handler.envelopes == []
    assert cancelled(calendar_path, "MTG-3")


async def test_a_mail_server_that_refuses_leaves_the_cancel_saved_and_says_why_in_one_line(
    calendar_path: Path,
) -> None:
    async with open_calendar(calendar_path, mail=NOBODY_LISTENS, on=("MTG-2", "23 14:30")) as desk:
        await desk.type_at_once("x", "y", "y")
        error = desk.the_error()
    assert error.startswith("the cancellation of MTG-2 was not sent: ")
    assert "the change itself is saved" in error
    meeting = stored(calendar_path, "MTG-2")
    assert meeting.status is MeetingStatus.CANCELLED and meeting.sent == []


async def test_undoing_a_cancellation_already_e_mailed_says_so_and_what_to_do_instead(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    async with open_calendar(calendar_path, mail=settings, on=("MTG-1", "30 14:00")) as desk:
        await desk.type_at_once("x", "y", "y")
        await desk.press("ctrl+z")
        error = desk.the_error()
    assert error.startswith("cannot undo MTG-1 ")
    assert (
        f"the cancellation of MTG-1 was already e-mailed to {ADA}, so undoing would not "
        "take it back" in error
    )
    assert error.endswith("(r in the Calendar restores it, then I sends the invite again)")
    assert "changed MTG-1 at" not in error
    assert len(handler.envelopes) == 1
    assert [change.cancelled for change in stored(calendar_path, "MTG-1").exceptions] == [True]


def test_the_cancel_key_says_its_dialog_can_cancel_the_whole_series_or_the_rest_of_it() -> None:
    for action_id in ("calendar.cancel", "detail.cancel_occurrence"):
        described = BY_ID[action_id].description
        assert "the whole series or the rest of it" in described, described


# -- restoring ----------------------------------------------------------------------------


async def test_restoring_an_occurrence_whose_cancellation_went_out_offers_the_invite_again(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    e_mailed(calendar_path, settings, "MTG-1", cancel_at=at(30, 14))
    async with open_calendar(calendar_path, mail=settings) as desk:
        await desk.press("a")  # cancelled occurrences are shown too
        await desk.cursor_on("MTG-1", "30 14:00")
        await desk.press("r")
        assert "the invite of MTG-1 on Mon 30 Nov 14:00 again" in desk.offer()
        await desk.press("enter")
        assert desk.said("Sent the invite of MTG-1 on Mon 30 Nov 14:00 again", ADA)
    invite, cancellation, again = events_received(handler)
    assert again[0] == "REQUEST" and again[1]["RECURRENCE-ID"].dt == at(30, 14)
    assert int(again[1]["SEQUENCE"]) > max(
        int(invite[1]["SEQUENCE"]), int(cancellation[1]["SEQUENCE"])
    )
    meeting = stored(calendar_path, "MTG-1")
    assert [change.cancelled for change in meeting.exceptions if change.cancelled] == []
    assert [sent.method for sent in meeting.sent] == ["REQUEST", "CANCEL", "REQUEST"]


async def test_undoing_a_restore_whose_invite_went_out_says_to_cancel_it_again(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    _, settings = inbox
    e_mailed(calendar_path, settings, "MTG-1", cancel_at=at(30, 14))
    async with open_calendar(calendar_path, mail=settings) as desk:
        await desk.press("a")
        await desk.cursor_on("MTG-1", "30 14:00")
        await desk.press("r", "enter")
        await desk.press("ctrl+z")
        error = desk.the_error()
    assert "MTG-1 was restored and its invite already e-mailed to" in error
    assert error.endswith("(x in the Calendar cancels it again, then I sends the cancellation)")
    assert [
        c.original_start for c in stored(calendar_path, "MTG-1").exceptions if c.cancelled
    ] == []


async def test_restoring_a_one_off_meeting_typed_in_one_burst_sends_its_invite_again(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    e_mailed(calendar_path, settings, "MTG-2", cancel_at=at(23, 14, 30))
    async with open_calendar(calendar_path, mail=settings) as desk:
        await desk.press("a")
        await desk.cursor_on("MTG-2", "23 14:30")
        await desk.type_at_once("r", "y")
        assert desk.said("MTG-2 on Mon 23 Nov 14:30 is scheduled again")
    *before, (method, event) = events_received(handler)
    assert method == "REQUEST" and "RECURRENCE-ID" not in event
    assert str(event["STATUS"]) == "CONFIRMED"
    assert int(event["SEQUENCE"]) > max(int(earlier["SEQUENCE"]) for _, earlier in before)
    assert stored(calendar_path, "MTG-2").status is MeetingStatus.SCHEDULED


async def test_restoring_without_a_mail_server_says_the_invite_was_not_sent_again(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    e_mailed(calendar_path, settings, "MTG-2", cancel_at=at(23, 14, 30))
    no_mail_server()
    async with open_calendar(calendar_path) as desk:
        await desk.press("a")
        await desk.cursor_on("MTG-2", "23 14:30")
        await desk.press("r")
        assert desk.asks_nothing
        assert desk.said(
            "MTG-2 on Mon 23 Nov 14:30 is scheduled again",
            "Nothing was sent to the attendees (no mail server is set up)",
            "clientdesk send-invite --project APOLLO --meeting MTG-2",
        ), desk.notices()
    assert len(handler.envelopes) == 2  # the invite and the cancellation, before
    assert stored(calendar_path, "MTG-2").status is MeetingStatus.SCHEDULED


# -- deleting -----------------------------------------------------------------------------


@pytest.fixture
def budget_call_sent(calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]) -> Inbox:
    """MTG-2's invite went to Ada in an earlier session; the server that took it."""
    handler, settings = inbox
    e_mailed(calendar_path, settings, "MTG-2")
    return handler


async def test_deleting_a_meeting_sent_out_e_mails_its_cancellation_first(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings], budget_call_sent: Inbox
) -> None:
    async with open_calendar(calendar_path, mail=inbox[1], on=("MTG-2", "23 14:30")) as desk:
        await desk.press("d")
        assert f"Its invite went to {ADA}: next you can e-mail them its cancellation" in (
            desk.dialog()
        )
        await desk.press("y")
        assert "the cancellation of MTG-2" in desk.offer()
        await desk.press("enter")  # "Send, then delete" is the default
        assert desk.said("Sent the cancellation of MTG-2", "then deleted MTG-2"), desk.notices()
        assert not is_stored(calendar_path, "MTG-2")
        # Undone, it comes back as the attendees now have it: cancelled.
        await desk.press("ctrl+z")
        back = stored(calendar_path, "MTG-2")
        assert back.status is MeetingStatus.CANCELLED
        assert [sent.method for sent in back.sent] == ["REQUEST", "CANCEL"]
        # The cancelling before it cannot be undone: the attendees have it.
        await desk.press("ctrl+z")
        assert "the cancellation of MTG-2 was already e-mailed" in desk.the_error()
    invite, cancellation = events_received(budget_call_sent)
    assert cancellation[0] == "CANCEL" and str(cancellation[1]["UID"]) == str(invite[1]["UID"])
    assert int(cancellation[1]["SEQUENCE"]) > int(invite[1]["SEQUENCE"])
    assert cancelled(calendar_path, "MTG-2")


async def test_deleting_only_sends_nothing_and_says_it_stays_in_their_calendars(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings], budget_call_sent: Inbox
) -> None:
    async with open_calendar(calendar_path, mail=inbox[1], on=("MTG-2", "23 14:30")) as desk:
        await desk.press("d", "y", "n")  # delete, and delete only
        assert desk.said(
            "Deleted MTG-2", "Nothing was sent to the attendees (you chose not to)", ADA
        ), desk.notices()
    assert [method for method, _ in events_received(budget_call_sent)] == ["REQUEST"]
    assert not is_stored(calendar_path, "MTG-2")


async def test_deleting_without_a_mail_server_says_plainly_that_nothing_was_sent(
    calendar_path: Path, budget_call_sent: Inbox
) -> None:
    no_mail_server()
    async with open_calendar(calendar_path, on=("MTG-2", "23 14:30")) as desk:
        await desk.press("d")
        asked = desk.dialog()
        assert "no mail server is set up, so no cancellation is sent" in asked
        assert "clientdesk send-invite --project APOLLO --meeting MTG-2 --cancel" in asked
        await desk.press("y")
        assert desk.asks_nothing
        assert desk.said(
            "Deleted MTG-2",
            f"Nothing was sent to the attendees (no mail server is set up): it stays in the "
            f"calendars of {ADA}",
        ), desk.notices()
    assert len(budget_call_sent.envelopes) == 1, "the invite, before: no cancellation"
    assert not is_stored(calendar_path, "MTG-2")


async def test_a_cancellation_that_cannot_be_sent_keeps_the_meeting_to_send_it_later(
    calendar_path: Path, budget_call_sent: Inbox
) -> None:
    async with open_calendar(calendar_path, mail=NOBODY_LISTENS, on=("MTG-2", "23 14:30")) as desk:
        await desk.type_at_once("d", "y", "y")
        error = desk.the_error()
    assert error.startswith("the cancellation of MTG-2 was not sent: ")
    assert error.endswith(
        "MTG-2 is cancelled but not deleted, so that the cancellation can still go out "
        "(d deletes it then)"
    )
    assert cancelled(calendar_path, "MTG-2")


async def test_a_meeting_a_colleague_changed_meanwhile_is_neither_cancelled_nor_deleted(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings], budget_call_sent: Inbox
) -> None:
    async with open_calendar(calendar_path, mail=inbox[1], on=("MTG-2", "23 14:30")) as desk:
        await desk.press("d", "y")
        colleague = TinyDBRepository(calendar_path, user="ann")
        theirs = colleague.snapshot().find(Meeting, "MTG-2")
        colleague.update(theirs.model_copy(update={"location": "Room 2"}))
        await desk.press("enter")
        error = desk.the_error()
    assert error == "MTG-2 was changed by ann meanwhile: nothing was sent or deleted (d asks again)"
    assert len(budget_call_sent.envelopes) == 1
    assert stored(calendar_path, "MTG-2").status is MeetingStatus.SCHEDULED


async def test_a_meeting_never_sent_is_deleted_without_a_word_of_e_mail(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    async with open_calendar(calendar_path, mail=settings, on=("MTG-2", "23 14:30")) as desk:
        await desk.press("d")
        assert desk.dialog().startswith("Delete meeting MTG-2 (Budget call)?")
        assert "e-mail" not in desk.dialog()
        await desk.press("y")
        assert desk.asks_nothing
    assert handler.envelopes == []
    assert not is_stored(calendar_path, "MTG-2")


# -- moving and splitting -----------------------------------------------------------------


async def test_moving_an_occurrence_e_mails_its_update(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    async with open_calendar(calendar_path, mail=settings, on=("MTG-1", "07 14:00")) as desk:
        await desk.press("M")
        assert isinstance(desk.app.screen, MoveOccurrenceDialog)
        assert "Next you can e-mail the update to the attendees" in desk.dialog()
        await fill_input(desk.pilot, "#move-start", "2026-12-08 16:00")
        await desk.type_at_once("ctrl+s", "y")  # the save, then the offer
    [(method, event)] = events_received(handler)
    assert method == "REQUEST"
    assert event["RECURRENCE-ID"].dt == at(7, 14, month=12)
    assert event["DTSTART"].dt == at(8, 16, month=12)


async def test_this_and_following_e_mails_the_old_series_end_and_the_new_series(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    async with open_calendar(
        calendar_path, mail=settings, on=("MTG-1", "07 14:00"), size=(120, 40)
    ) as desk:
        await desk.press("F")
        await fill_input(desk.pilot, "#field-start", "2026-12-07 15:00")
        await desk.press("ctrl+s")
        question = desk.offer()
        assert "the update of MTG-1" in question and "the invite of MTG-4" in question
        await desk.press("y")
        said = desk.notices()
    old, new = stored(calendar_path, "MTG-1"), stored(calendar_path, "MTG-4")
    events = {str(event["UID"]): (method, event) for method, event in events_received(handler)}
    assert len(events) == 2
    old_method, old_event = events[old.uid]
    new_method, new_event = events[new.uid]
    assert old_method == new_method == "REQUEST"
    assert "UNTIL=" in old_event["RRULE"].to_ical().decode()
    assert new_event["DTSTART"].dt == at(7, 15, month=12)
    assert any(line.startswith("Sent the update of MTG-1") and "MTG-4" in line for line in said)
    assert len(old.sent) == len(new.sent) == 1


# -- closing the project ------------------------------------------------------------------


async def test_closing_with_meetings_planned_cancels_them_and_tells_the_attendees(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    waive_the_checklist(calendar_path)
    async with open_calendar(calendar_path, mail=settings) as desk:
        await desk.press(CLOSING_PANE, "C")
        asked = desk.dialog()
        assert "APOLLO still has 3 meetings planned (MTG-1, MTG-2, MTG-3)" in asked
        assert "The attendees are e-mailed the cancellations first" in asked
        await desk.press("y")
        said = desk.notices()
    assert sorted(method for method, _ in events_received(handler)) == ["CANCEL", "CANCEL"]
    # MTG-3 is a draft nobody was sent.
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
    async with open_calendar(calendar_path) as desk:
        await desk.press(CLOSING_PANE)
        await desk.type_at_once("C", "y")
        said = desk.notices()
        assert TinyDBRepository(calendar_path).snapshot().projects()[0].is_closed
        await desk.press("ctrl+z")  # reopens
        await desk.press("ctrl+z")  # the three meetings come back, in one step
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
    waive_the_checklist(calendar_path)
    async with open_calendar(calendar_path, mail=NOBODY_LISTENS) as desk:
        await desk.press(CLOSING_PANE)
        await desk.type_at_once("C", "y")
        error = desk.the_error()
    assert error.startswith("Cancelled MTG-1, MTG-2, MTG-3 (ctrl+z brings them back)")
    assert "APOLLO stays open so that they can be sent" in error
    assert not TinyDBRepository(calendar_path).snapshot().projects()[0].is_closed
    assert cancelled(calendar_path, "MTG-2")


async def test_ticking_the_box_before_an_override_cancels_the_meetings_typed_in_one_burst(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    async with open_calendar(calendar_path, mail=settings) as desk:
        await desk.press(CLOSING_PANE)
        # C opens the blocked dialog on its box: space ticks it, o asks why, the reason.
        await desk.type_at_once("C", "space", "o", *"Client signed off", "enter")
    assert len(received(handler)) == 2
    project = TinyDBRepository(calendar_path).snapshot().projects()[0]
    assert project.is_closed and project.close_override_reason == "Client signed off"
    assert cancelled(calendar_path, "MTG-2")


async def test_closing_without_ticking_keeps_the_meetings_and_says_so(calendar_path: Path) -> None:
    async with open_calendar(calendar_path) as desk:
        await desk.press(CLOSING_PANE, "C")
        asked = desk.dialog()
        assert "Cancel the 3 meetings still planned" in asked
        assert "no mail server is set up, so nothing is sent to the attendees" in asked
        await desk.press("o", *"Budget ended", "enter")
        assert desk.said("3 meetings stay planned (MTG-1, MTG-2, MTG-3)"), desk.notices()
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
