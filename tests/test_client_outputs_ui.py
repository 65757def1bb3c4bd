"""What clients receive, from the app: invites written and e-mailed from the Calendar pane,
the project's calendar feed, and the status report."""

from __future__ import annotations

from pathlib import Path

import pytest
from icalendar import Calendar

from clientdesk.store.calendar import cancel_occurrence, move_occurrence
from clientdesk.store.config import SmtpSettings
from clientdesk.store.models import Meeting, StatusReport
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui.app import create_app
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from tests.helpers.attendee_mail import open_calendar, received
from tests.helpers.calendar_data import at
from tests.helpers.smtp import Inbox, configure
from tests.helpers.ui import screen_text, settle
from tests.test_calendar_pane import cursor_to

pytestmark = pytest.mark.usefixtures("app_now")


def parsed(path: Path) -> Calendar:
    """The calendar in ``path``, read as a calendar program would."""
    return Calendar.from_ical(path.read_bytes())


async def test_e_writes_the_invite_and_a_cancelled_occurrence_gives_its_cancellation(
    calendar_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-1", "30 14:00")
        await pilot.press("E")
        await settle(pilot)
        invite = parsed(out / "APOLLO-MTG-1.ics")
        assert invite["METHOD"] == "REQUEST"
        [event] = invite.walk("VEVENT")
        assert "RRULE" in event and str(event["SUMMARY"]) == "Weekly sync"

        await pilot.press("x", "y")
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        await cursor_to(pilot, app, "MTG-1", "30 14:00")
        await pilot.press("E")
        await settle(pilot)
        messages = [str(n.message) for n in app._notifications]
    cancel = parsed(out / "APOLLO-MTG-1-cancel.ics")
    assert cancel["METHOD"] == "CANCEL"
    [event] = cancel.walk("VEVENT")
    assert event["RECURRENCE-ID"].dt == at(30, 14)
    assert any("Wrote the cancellation of MTG-1" in message for message in messages)


async def test_i_e_mails_the_invite_and_records_the_sending(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    configure(settings)
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-2", "23 14:30")
        await pilot.press("I")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        messages = [str(n.message) for n in app._notifications]
    message = handler.message()
    assert message["To"] == "Ada Client <ada@client.example>"
    [sent_line] = [m for m in messages if "Sent MTG-2" in m]
    assert sent_line.startswith("Sent MTG-2 (SEQUENCE 0) to ada@client.example")
    assert "undoes" not in sent_line, "a sending is a fact: the undo key cannot take it back"
    meeting = TinyDBRepository(calendar_path).snapshot().find(Meeting, "MTG-2")
    [sent] = meeting.sent
    assert (sent.method, sent.recipients) == ("REQUEST", ["ada@client.example"])


async def test_a_moved_occurrence_of_a_series_never_sent_goes_out_with_its_series(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    """The attendees cannot place a lone occurrence of a series they never had."""
    handler, settings = inbox
    repo = TinyDBRepository(calendar_path)
    weekly = repo.snapshot().find(Meeting, "MTG-1")
    repo.update(move_occurrence(weekly, at(30, 14), at(1, 9, month=12)))
    async with open_calendar(calendar_path, mail=settings, on=("MTG-1", "01 09:00")) as desk:
        await desk.press("I")
        assert desk.offer().startswith("E-mail the invite of MTG-1 to")
        await desk.press("y")

        # Once the series went out, the same row sends that occurrence alone,
        # named where the agenda shows it.
        await desk.cursor_on("MTG-1", "01 09:00")
        await desk.press("I")
        assert "invite of Tue 01 Dec 09:00 (moved from Mon 30 Nov 14:00) of MTG-1" in desk.offer()
        await desk.press("y")
    (_, series), (_, occurrence) = received(handler)
    events = series.walk("VEVENT")
    assert [("RRULE" in event, "RECURRENCE-ID" in event) for event in events] == [
        (True, False),
        (False, True),
    ]
    [alone] = occurrence.walk("VEVENT")
    assert alone["RECURRENCE-ID"].dt == at(30, 14) and alone["DTSTART"].dt == at(1, 9, month=12)


async def test_a_cancelled_occurrence_of_a_series_never_sent_sends_the_series_without_it(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    handler, settings = inbox
    repo = TinyDBRepository(calendar_path)
    weekly = repo.snapshot().find(Meeting, "MTG-1")
    repo.update(cancel_occurrence(weekly, at(30, 14)))
    async with open_calendar(calendar_path, mail=settings) as desk:
        await desk.press("a")  # cancelled occurrences are listed too
        await desk.cursor_on("MTG-1", "30 14:00")
        await desk.press("I")
        assert desk.offer().startswith("E-mail the invite of MTG-1 to")
        await desk.press("y")
    [(_, series)] = received(handler)
    assert series["METHOD"] == "REQUEST"
    [event] = series.walk("VEVENT")
    assert [when.dt for exdate in [event["EXDATE"]] for when in exdate.dts] == [at(30, 14)]


async def test_a_refused_sending_says_why_and_records_nothing(calendar_path: Path) -> None:
    configure(SmtpSettings(host="127.0.0.1", port=9, security="none"))  # nothing listens
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-2", "23 14:30")
        await pilot.press("I", "y")
        await settle(pilot)
        errors = [str(n.message) for n in app._notifications if n.severity == "error"]
    assert len(errors) == 1 and errors[0].startswith("not sent: ")
    assert "\n" not in errors[0]
    assert TinyDBRepository(calendar_path).snapshot().find(Meeting, "MTG-2").sent == []


async def test_the_calendar_feed_is_written_from_the_command_palette_action(
    calendar_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.run_action("export_calendar")
        await settle(pilot)
    feed = parsed(tmp_path / "APOLLO-calendar.ics")
    assert feed["METHOD"] == "PUBLISH"
    assert {str(event["SUMMARY"]) for event in feed.walk("VEVENT")} == {
        "Weekly sync",
        "Budget call",
        "Design review",
    }


async def test_ctrl_r_writes_the_status_report_and_keeps_it_when_asked(
    calendar_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
    markdown = (tmp_path / "APOLLO-status-report.md").read_text(encoding="utf-8")
    html = (tmp_path / "APOLLO-status-report.html").read_text(encoding="utf-8")
    assert "Apollo" in markdown and "<html" in html.lower()
    [kept] = TinyDBRepository(calendar_path).snapshot().all(StatusReport)
    assert kept.markdown == markdown


async def test_the_detail_lists_the_invites_sent(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    _, settings = inbox
    configure(settings)
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-2", "23 14:30")
        await pilot.press("I", "y")
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-2", "23 14:30")
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
    assert "Invites sent" in text
    assert "2026-11-23 10:00 invite · sequence 0" in text
    assert "tester to ada@client.example" in text


async def test_sending_without_a_mail_server_says_where_to_set_one(calendar_path: Path) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-2", "23 14:30")
        await pilot.press("I")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog), "nothing to confirm: nowhere to send"
        [warning] = [str(n.message) for n in app._notifications]
    assert "No mail server is set up" in warning and "[smtp]" in warning
    assert str(app.config_location) in warning
