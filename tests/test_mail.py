"""E-mailing invites over SMTP, checked against a real SMTP server on localhost.

Each test runs an aiosmtpd server on a free port of 127.0.0.1 whose handler
keeps every message it accepts (and refuses the recipients a test names),
then reads what arrived the way a mail program would. Nothing leaves the
machine.
"""

from __future__ import annotations

import argparse
import email
import os
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar, Event

from clientdesk.store import calendar
from clientdesk.store.config import SmtpSettings
from clientdesk.store.mail import (
    MailError,
    invite_message,
    send,
    send_invite,
)
from clientdesk.store.models import Attendee, Meeting, Project
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.snapshot import dump_record, validate_record
from clientdesk.tui.cli import UsageError
from clientdesk.tui.mail_commands import register
from tests.helpers.smtp import Inbox, configure, free_port, password_is_secret
from tests.helpers.ui import FIXED_NOW

BERLIN = ZoneInfo("Europe/Berlin")
KICK_OFF = datetime(2026, 12, 1, 10, 0, tzinfo=BERLIN)
WEEKLY = datetime(2026, 11, 30, 10, 0, tzinfo=BERLIN)  # a Monday


# -- the server ---------------------------------------------------------------------------


# aiosmtpd warns about a login over a plain connection: here it is localhost, on purpose.
_PLAIN_LOGIN = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture
def guarded_inbox() -> Iterator[tuple[Inbox, SmtpSettings]]:
    """A server that wants a login (user pat, password secret), over a plain connection."""
    handler = Inbox()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=password_is_secret,
        auth_require_tls=False,
        auth_required=True,
    )
    controller.start()
    try:
        yield (
            handler,
            SmtpSettings(host="127.0.0.1", port=controller.port, security="none", user="pat"),
        )
    finally:
        controller.stop()


# -- the data -----------------------------------------------------------------------------


@pytest.fixture
def project(repo: TinyDBRepository) -> Project:
    """A project in Berlin whose organiser sends the invites."""
    return repo.add(
        Project(
            name="Web shop",
            key="SHOP",
            timezone="Europe/Berlin",
            organiser_name="Pat PM",
            organiser_email="pat@agency.example",
        )
    )


def add_meeting(repo: TinyDBRepository, project: Project, **fields: object) -> Meeting:
    """Store a scheduled kick-off with two client attendees, ``fields`` changed."""
    data: dict[str, object] = {
        "project_id": project.id,
        "title": "Kick-off",
        "start": KICK_OFF,
        "duration_minutes": 90,
        "timezone": "Europe/Berlin",
        "location": "Room 4, Main St. 1",
        "video_link": "https://meet.example/kick-off",
        "status": "scheduled",
        "attendees": [
            {"email": "ann@client.example", "name": "Ann Client"},
            {"email": "bob@client.example", "name": "Bob, Buyer", "role": "optional"},
        ],
        "agenda": [{"title": "Scope", "presenter": "Pat", "minutes": 30}, {"title": "Plan"}],
    }
    data.update(fields)
    return repo.add(validate_record(Meeting, data))


def edit(repo: TinyDBRepository, meeting: Meeting, **fields: object) -> Meeting:
    """Save ``meeting`` with ``fields`` changed (the store raises SEQUENCE as it sees fit)."""
    return repo.update(validate_record(Meeting, {**dump_record(meeting), **fields}))


def stored(repo: TinyDBRepository, meeting: Meeting) -> Meeting:
    """The meeting as the data file holds it now."""
    found = repo.snapshot().get(Meeting, meeting.id)
    assert found is not None
    return found


def send_it(
    repo: TinyDBRepository, meeting: Meeting, settings: SmtpSettings, **options: Any
) -> Any:
    """Send ``meeting``'s invite as the user "tester" at the fixed time."""
    return send_invite(
        repo,
        "SHOP",
        meeting.key,
        settings=settings,
        password=options.pop("password", None),
        now=FIXED_NOW,
        user="tester",
        **options,
    )


def calendar_of(message: EmailMessage) -> tuple[EmailMessage, EmailMessage, Calendar]:
    """The calendar part, the attachment and the parsed calendar of an invite."""
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    text, calendar_part = alternative.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert calendar_part.get_content_type() == "text/calendar"
    return calendar_part, attachment, Calendar.from_ical(calendar_part.get_content())


def event_of(parsed: Calendar) -> Event:
    """The one event of a calendar."""
    (event,) = parsed.walk("VEVENT")
    return event


# -- the invite that arrives --------------------------------------------------------------


def test_invite_arrives_with_calendar_part_and_the_same_ics_attached(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    meeting = add_meeting(repo, project)

    send_it(repo, meeting, settings)

    envelope = server.envelopes[0]
    assert envelope.mail_from == "pat@agency.example"
    assert envelope.rcpt_tos == ["ann@client.example", "bob@client.example"]
    message = server.message()
    assert message["From"] == "Pat PM <pat@agency.example>"
    assert [address.addr_spec for address in message["To"].addresses] == [
        "ann@client.example",
        "bob@client.example",
    ]
    assert [address.display_name for address in message["To"].addresses] == [
        "Ann Client",
        "Bob, Buyer",
    ]
    assert message["Subject"] == "Invitation: Kick-off 2026-12-01 10:00 (Europe/Berlin)"
    calendar_part, attachment, parsed = calendar_of(message)
    # On the wire exactly as the contract spells it (the parser would re-quote it).
    content = envelope.content
    assert isinstance(content, bytes)
    assert b"\r\nContent-Type: text/calendar; method=REQUEST; charset=UTF-8\r\n" in content
    assert calendar_part.get_params() == [
        ("text/calendar", ""),
        ("method", "REQUEST"),
        ("charset", "UTF-8"),
    ]
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "invite.ics"
    ics = calendar_part.get_payload(decode=True)
    assert attachment.get_payload(decode=True) == ics
    assert isinstance(ics, bytes) and b"\r\n" in ics and b"\n" not in ics.replace(b"\r\n", b"")
    assert parsed["METHOD"] == "REQUEST"
    event = event_of(parsed)
    assert str(event["UID"]) == meeting.uid
    assert int(event["SEQUENCE"]) == meeting.sequence == 0
    assert event.decoded("DTSTART") == KICK_OFF
    assert sorted(str(attendee) for attendee in event["ATTENDEE"]) == [
        "mailto:ann@client.example",
        "mailto:bob@client.example",
    ]


def test_plain_text_part_tells_what_when_where_agenda_and_organiser(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    # The meeting runs on New York time; the summary leads with the project's zone.
    start = datetime(2026, 12, 1, 4, 0, tzinfo=ZoneInfo("America/New_York"))
    add_meeting(repo, project, start=start, timezone="America/New_York")
    meeting = repo.snapshot().find(Meeting, "MTG-1")

    send_it(repo, meeting, settings)

    alternative, _ = server.message().iter_parts()
    text = next(alternative.iter_parts()).get_content()
    assert "Kick-off" in text
    assert "When:      Tue 2026-12-01 10:00-11:30 (Europe/Berlin)" in text
    assert "Tue 2026-12-01 04:00-05:30 (America/New_York)" in text
    assert "Where:     Room 4, Main St. 1" in text
    assert "Video:     https://meet.example/kick-off" in text
    assert "Organiser: Pat PM <pat@agency.example>" in text
    assert "Ann Client (required), Bob, Buyer (optional)" in text
    assert "1. Scope (Pat, 30 min)" in text
    assert "2. Plan (10 min)" in text


def test_the_sending_is_kept_on_the_meeting_with_sequence_recipients_and_sender(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    _, settings = inbox
    meeting = add_meeting(repo, project)

    result = send_it(repo, meeting, settings)

    assert result.recipients == ["ann@client.example", "bob@client.example"]
    assert (result.method, result.sequence, result.refused) == ("REQUEST", 0, {})
    (sent,) = stored(repo, meeting).sent
    assert (sent.method, sent.sequence, sent.sent_at, sent.sent_by) == (
        "REQUEST",
        0,
        FIXED_NOW,
        "tester",
    )
    assert sent.recipients == ["ann@client.example", "bob@client.example"]
    assert sent.recurrence_id is None
    # Recording the sending is no change the attendees must see.
    assert stored(repo, meeting).sequence == 0
    assert result.meeting == stored(repo, meeting)


def test_a_moved_meeting_goes_out_as_an_updated_invite_with_a_higher_sequence(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    meeting = add_meeting(repo, project)
    send_it(repo, meeting, settings)
    moved = edit(repo, stored(repo, meeting), start=KICK_OFF + timedelta(hours=2))
    server.envelopes.clear()

    result = send_it(repo, moved, settings)

    message = server.message()
    assert message["Subject"] == "Updated invitation: Kick-off 2026-12-01 12:00 (Europe/Berlin)"
    event = event_of(calendar_of(message)[2])
    assert int(event["SEQUENCE"]) == result.sequence == 1
    assert [sent.sequence for sent in stored(repo, meeting).sent] == [0, 1]


def test_cancellation_arrives_as_method_cancel_above_every_invite_sent(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    meeting = add_meeting(repo, project)
    send_it(repo, meeting, settings)
    cancelled = edit(repo, stored(repo, meeting), status="cancelled")
    server.envelopes.clear()

    result = send_it(repo, cancelled, settings, cancel=True)

    message = server.message()
    assert message["Subject"] == "Cancelled: Kick-off 2026-12-01 10:00 (Europe/Berlin)"
    calendar_part, attachment, parsed = calendar_of(message)
    assert calendar_part.get_param("method") == "CANCEL"
    assert attachment.get_payload(decode=True) == calendar_part.get_payload(decode=True)
    assert parsed["METHOD"] == "CANCEL"
    event = event_of(parsed)
    assert (str(event["UID"]), event["STATUS"]) == (meeting.uid, "CANCELLED")
    assert int(event["SEQUENCE"]) == result.sequence == 1
    alternative, _ = message.iter_parts()
    assert "This meeting is cancelled." in next(alternative.iter_parts()).get_content()
    assert [(s.method, s.sequence) for s in stored(repo, meeting).sent] == [
        ("REQUEST", 0),
        ("CANCEL", 1),
    ]


def test_one_cancelled_occurrence_of_a_series_goes_out_with_its_recurrence_id(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    series = add_meeting(repo, project, title="Weekly", start=WEEKLY, rrule="FREQ=WEEKLY;BYDAY=MO")
    second = WEEKLY + timedelta(weeks=1)
    edit(repo, series, **dump_record(calendar.cancel_occurrence(series, second)))

    result = send_it(repo, series, settings, cancel=True, occurrence=second)

    message = server.message()
    assert message["Subject"] == "Cancelled: Weekly 2026-12-07 10:00 (Europe/Berlin)"
    event = event_of(calendar_of(message)[2])
    assert event.decoded("RECURRENCE-ID") == second
    assert event["STATUS"] == "CANCELLED"
    (sent,) = stored(repo, series).sent
    assert (sent.method, sent.recurrence_id) == ("CANCEL", second)
    assert result.recurrence_id == second


# -- what is refused before anything is sent ----------------------------------------------


@pytest.mark.parametrize(
    ("status", "cancel", "expected"),
    [
        ("scheduled", True, "MTG-1 is not cancelled: cancel it first"),
        ("cancelled", False, "MTG-1 is cancelled: send the cancellation instead"),
    ],
)
def test_invite_and_cancellation_must_match_the_meeting_as_stored(
    repo: TinyDBRepository,
    project: Project,
    inbox: tuple[Inbox, SmtpSettings],
    status: str,
    cancel: bool,
    expected: str,
) -> None:
    server, settings = inbox
    meeting = add_meeting(repo, project, status=status)

    with pytest.raises(MailError, match=expected):
        send_it(repo, meeting, settings, cancel=cancel)

    assert server.envelopes == []
    assert stored(repo, meeting).sent == []


def test_an_occurrence_the_series_does_not_have_is_refused(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    series = add_meeting(repo, project, start=WEEKLY, rrule="FREQ=WEEKLY;BYDAY=MO")

    with pytest.raises(MailError, match=r"MTG-1 has no occurrence on 2026-12-08 10:00"):
        send_it(repo, series, settings, occurrence=WEEKLY + timedelta(days=8))

    assert server.envelopes == []


def test_a_meeting_without_attendees_or_organiser_address_is_refused(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    alone = add_meeting(repo, project, attendees=[])
    with pytest.raises(MailError, match="MTG-1 has no attendees to send to"):
        send_it(repo, alone, settings)
    repo.update(project.model_copy(update={"organiser_email": ""}))
    anonymous = add_meeting(repo, stored_project(repo))
    with pytest.raises(MailError, match="MTG-2 has no organiser e-mail"):
        send_it(repo, anonymous, settings)
    assert server.envelopes == []


def test_a_closed_project_sends_nothing(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    meeting = add_meeting(repo, project)
    closing = {"closed_at": FIXED_NOW, "close_override_reason": "client went quiet"}
    repo.update(project.model_copy(update=closing))

    with pytest.raises(MailError, match="SHOP is closed: reopen it to send invites"):
        send_it(repo, meeting, settings)

    assert server.envelopes == []


def stored_project(repo: TinyDBRepository) -> Project:
    """Project SHOP as stored now."""
    return repo.snapshot().project("SHOP")


# -- what the server refuses --------------------------------------------------------------


def test_a_refused_recipient_is_reported_and_left_out_of_the_record(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    server.refuse = {"bob@client.example"}
    meeting = add_meeting(repo, project)

    result = send_it(repo, meeting, settings)

    assert server.envelopes[0].rcpt_tos == ["ann@client.example"]
    assert result.recipients == ["ann@client.example"]
    assert result.refused == {"bob@client.example": "550 5.1.1 no such user here"}
    (sent,) = stored(repo, meeting).sent
    assert sent.recipients == ["ann@client.example"]


def test_every_recipient_refused_is_one_line_and_nothing_is_recorded(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    server.refuse = {"ann@client.example", "bob@client.example"}
    meeting = add_meeting(repo, project)

    with pytest.raises(MailError) as refused:
        send_it(repo, meeting, settings)

    assert str(refused.value) == (
        f"127.0.0.1:{settings.port} refused every recipient: "
        "ann@client.example (550 5.1.1 no such user here); "
        "bob@client.example (550 5.1.1 no such user here); nothing was sent"
    )
    assert server.envelopes == []
    assert stored(repo, meeting).sent == []
    assert stored(repo, meeting).revision == meeting.revision


def test_a_server_that_is_not_there_is_one_line_and_nothing_is_recorded(
    repo: TinyDBRepository, project: Project
) -> None:
    meeting = add_meeting(repo, project)
    port = free_port()
    settings = SmtpSettings(host="127.0.0.1", port=port, security="none")

    with pytest.raises(MailError) as unreachable:
        send_it(repo, meeting, settings)

    assert str(unreachable.value) == (
        f"127.0.0.1:{port} refused the connection (is the server running, is smtp.port right?)"
    )
    assert stored(repo, meeting).sent == []


def test_a_server_that_never_answers_times_out_in_one_line(
    repo: TinyDBRepository, project: Project
) -> None:
    meeting = add_meeting(repo, project)
    with socket.socket() as silent:
        # It takes the connection (the kernel's backlog) but never says hello.
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        settings = SmtpSettings(host="127.0.0.1", port=port, security="none")
        with pytest.raises(MailError, match=r"did not answer within 0\.5 s during connect"):
            send_it(repo, meeting, settings, timeout=0.5)
    assert stored(repo, meeting).sent == []


def test_starttls_asked_of_a_server_without_it_is_explained(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    meeting = add_meeting(repo, project)

    with pytest.raises(MailError, match=r"does not offer STARTTLS; set smtp.security to \"tls\""):
        send_it(repo, meeting, SmtpSettings(host="127.0.0.1", port=settings.port))

    assert server.envelopes == []


def test_tls_from_the_start_against_a_plain_server_says_tls_failed(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    meeting = add_meeting(repo, project)
    tls = SmtpSettings(host="127.0.0.1", port=settings.port, security="tls")

    with pytest.raises(MailError) as failed:
        send_it(repo, meeting, tls, timeout=60)  # fails at once; the ceiling is for a hang

    assert f"127.0.0.1:{settings.port}: TLS failed" in str(failed.value)
    assert "smtp.security" in str(failed.value)
    assert "\n" not in str(failed.value)
    assert server.envelopes == []


@_PLAIN_LOGIN
def test_a_wrong_password_is_refused_in_one_line_and_the_right_one_sends(
    repo: TinyDBRepository, project: Project, guarded_inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = guarded_inbox
    meeting = add_meeting(repo, project)

    with pytest.raises(MailError, match=r"refused the login of 'pat' \(535 .*CLIENTDESK_SMTP"):
        send_it(repo, meeting, settings, password="guess")
    with pytest.raises(MailError, match=r"CLIENTDESK_SMTP_PASSWORD is not set"):
        send_it(repo, meeting, settings, password=None)
    assert (server.envelopes, stored(repo, meeting).sent) == ([], [])

    send_it(repo, meeting, settings, password="secret")

    assert len(server.envelopes) == 1
    assert len(stored(repo, meeting).sent) == 1


def test_a_meeting_saved_elsewhere_meanwhile_keeps_both_changes(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    _, settings = inbox
    meeting = add_meeting(repo, project)
    colleague = TinyDBRepository(repo.path, user="colleague")

    def while_sending(line: str) -> None:
        if line.startswith("recording"):
            # Another process adds an agenda item between our read and our save.
            current = colleague.snapshot().find(Meeting, "MTG-1")
            edit(colleague, current, agenda=[*dump_record(current)["agenda"], {"title": "AOB"}])

    result = send_it(repo, meeting, settings, progress=while_sending)

    saved = stored(repo, meeting)
    assert [item.title for item in saved.agenda] == ["Scope", "Plan", "AOB"]
    assert len(saved.sent) == 1
    assert result.meeting == saved


# -- the message itself -------------------------------------------------------------------


def small_invite(uid: str, method: str = "REQUEST") -> bytes:
    """A minimal calendar, as a client's program might write one."""
    cal = Calendar()
    cal.add("prodid", "-//test//EN")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", FIXED_NOW)
    event.add("dtstart", KICK_OFF)
    event.add("sequence", 4)
    cal.add_component(event)
    return bytes(cal.to_ical())


def test_a_title_with_line_breaks_cannot_add_headers(
    project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    # A record that bypassed validation (the models fold line breaks themselves).
    meeting = Meeting.model_construct(
        **{
            **add_defaults(project),
            "title": "Sync\r\nBcc: eve@evil.example\r\n\r\nbody",
            "attendees": [Attendee(email="ann@client.example", name="Ann\nCc: x@evil.example")],
        }
    )

    message = invite_message(
        meeting,
        project,
        small_invite(meeting.uid),
        method="REQUEST",
        sender="pat@agency.example",
        recipients=["ann@client.example"],
    )
    delivery = send(message, settings, None)

    arrived = server.message()
    assert arrived["Bcc"] is None and arrived["Cc"] is None
    # A long subject may be folded right after "Subject:"; readers drop that space.
    assert arrived["Subject"].strip().startswith("Invitation: Sync Bcc: eve@evil.example body ")
    assert server.envelopes[0].rcpt_tos == ["ann@client.example"] == delivery.accepted


def add_defaults(project: Project) -> dict[str, Any]:
    """The fields of a stored meeting, for building one past validation."""
    valid = validate_record(
        Meeting, {"project_id": project.id, "title": "x", "start": KICK_OFF, "key": "MTG-9"}
    )
    return dict(valid)


def test_the_message_refuses_a_method_the_file_does_not_have(project: Project) -> None:
    meeting = validate_record(Meeting, {"project_id": project.id, "title": "x", "start": KICK_OFF})
    with pytest.raises(ValueError, match="METHOD is CANCEL, not REQUEST"):
        invite_message(
            meeting,
            project,
            small_invite(meeting.uid, "CANCEL"),
            method="REQUEST",
            sender="pat@agency.example",
            recipients=["ann@client.example"],
        )


# -- the command line ---------------------------------------------------------------------


def parse(*argv: str) -> argparse.Namespace:
    """Parse ``argv`` with a parser that only knows what :func:`register` adds."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", default=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="clientdesk")
    register(parser.add_subparsers(), common)
    return parser.parse_args(argv)


@_PLAIN_LOGIN
def test_send_invite_command_prints_the_sequence_and_who_got_it(
    repo: TinyDBRepository,
    project: Project,
    guarded_inbox: tuple[Inbox, SmtpSettings],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    app_now: datetime,
) -> None:
    server, settings = guarded_inbox
    configure(settings)
    monkeypatch.setenv("CLIENTDESK_SMTP_PASSWORD", "secret")
    meeting = add_meeting(repo, project)

    args = parse("send-invite", "--project", "SHOP", "--meeting", "MTG-1")
    assert args.handler(args) == 0

    assert capsys.readouterr().out == (
        "sent MTG-1 (SEQUENCE 0) to ann@client.example, bob@client.example\n"
    )
    (sent,) = stored(repo, meeting).sent
    assert (sent.sent_at, sent.sent_by) == (app_now, "tester")
    assert len(server.envelopes) == 1


def test_send_invite_command_cancels_one_occurrence_given_in_the_meetings_zone(
    repo: TinyDBRepository,
    project: Project,
    inbox: tuple[Inbox, SmtpSettings],
    capsys: pytest.CaptureFixture[str],
) -> None:
    server, settings = inbox
    configure(settings)
    series = add_meeting(repo, project, start=WEEKLY, rrule="FREQ=WEEKLY;BYDAY=MO")
    second = WEEKLY + timedelta(weeks=1)
    edit(repo, series, **dump_record(calendar.cancel_occurrence(series, second)))

    args = parse(
        "send-invite", "--project", "SHOP", "--meeting", "mtg-1",
        "--cancel", "--occurrence", "2026-12-07 10:00",
    )  # fmt: skip
    args.handler(args)

    out = capsys.readouterr().out
    assert out.startswith("sent the cancellation of MTG-1 on 2026-12-07 10:00 (SEQUENCE ")
    assert stored(repo, series).sent[0].recurrence_id == second
    assert calendar_of(server.message())[2]["METHOD"] == "CANCEL"


def test_send_invite_command_names_a_bad_smtp_setting_and_a_bad_occurrence(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    add_meeting(repo, project, start=WEEKLY, rrule="FREQ=WEEKLY;BYDAY=MO")
    configure(settings, extra="")
    bad_occurrence = parse(
        "send-invite", "--project", "SHOP", "--meeting", "MTG-1", "--occurrence", "next monday"
    )
    with pytest.raises(UsageError, match=r"^--occurrence: malformed date and time 'next monday'"):
        bad_occurrence.handler(bad_occurrence)

    configure(SmtpSettings(host="127.0.0.1", port=settings.port, security="none"))
    path = Path(os.environ["CLIENTDESK_CONFIG"])
    path.write_text(path.read_text().replace('"none"', '"ssl"'), encoding="utf-8")
    args = parse("send-invite", "--project", "SHOP", "--meeting", "MTG-1")
    with pytest.raises(UsageError, match=r"smtp\.security: expected one of .* got 'ssl'"):
        args.handler(args)
    assert server.envelopes == []


def test_send_invite_without_smtp_settings_says_where_to_set_them(
    repo: TinyDBRepository, project: Project
) -> None:
    meeting = add_meeting(repo, project)
    args = parse("send-invite", "--project", "SHOP", "--meeting", "MTG-1")

    with pytest.raises(MailError, match=r"^no SMTP server is set: add host = .* under \[smtp\]"):
        args.handler(args)

    assert stored(repo, meeting).sent == []


def test_a_password_is_not_sent_in_the_clear_to_another_machine(
    repo: TinyDBRepository, project: Project
) -> None:
    meeting = add_meeting(repo, project)
    settings = SmtpSettings(host="mail.example.com", port=25, security="none", user="pat")
    with pytest.raises(MailError, match="will not send the SMTP password unencrypted"):
        send_it(repo, meeting, settings, password="secret")
    assert stored(repo, meeting).sent == []


# -- SEQUENCE and subjects of what goes out, one message after another (issue 20) ---------


def sequences_arrived(server: Inbox) -> list[tuple[str, int]]:
    """The METHOD and SEQUENCE of every message the inbox took, in order of arrival."""
    found: list[tuple[str, int]] = []
    for envelope in server.envelopes:
        content = envelope.content
        assert isinstance(content, bytes)
        parsed = email.message_from_bytes(content, policy=default)
        assert isinstance(parsed, EmailMessage)
        cal = calendar_of(parsed)[2]
        found.append((str(cal["METHOD"]), int(event_of(cal)["SEQUENCE"])))
    return found


def subjects_arrived(server: Inbox) -> list[str]:
    """The Subject of every message the inbox took, in order of arrival."""
    found: list[str] = []
    for envelope in server.envelopes:
        content = envelope.content
        assert isinstance(content, bytes)
        found.append(str(email.message_from_bytes(content, policy=default)["Subject"]))
    return found


def test_every_new_message_for_a_uid_goes_out_above_every_one_sent_before(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    # The story: REQUEST 5, one occurrence cancelled (CANCEL 6), then a
    # REQUEST for the series and one for another occurrence must be newer than 6.
    server, settings = inbox
    series = add_meeting(
        repo, project, title="Weekly", start=WEEKLY, rrule="FREQ=WEEKLY;BYDAY=MO", sequence=5
    )
    assert stored(repo, series).sequence == 5
    second, third = WEEKLY + timedelta(weeks=1), WEEKLY + timedelta(weeks=2)

    send_it(repo, series, settings)
    repo.update(calendar.cancel_occurrence(stored(repo, series), second))
    send_it(repo, series, settings, cancel=True, occurrence=second)
    send_it(repo, series, settings)
    send_it(repo, series, settings, occurrence=third)

    arrived = sequences_arrived(server)
    assert arrived[:2] == [("REQUEST", 5), ("CANCEL", 6)]
    assert [number for _, number in arrived] == [5, 6, 7, 8]
    sent = stored(repo, series).sent
    assert [(s.method, s.sequence, s.recurrence_id) for s in sent] == [
        ("REQUEST", 5, None),
        ("CANCEL", 6, second),
        ("REQUEST", 7, None),
        ("REQUEST", 8, third),
    ]


def test_the_same_invite_sent_again_unchanged_keeps_its_sequence_and_news_raise_it(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    # An exact repeat (to someone whose server lost it) says nothing new: same
    # number, newer DTSTAMP. Anything else the attendees would see is news.
    server, settings = inbox
    meeting = add_meeting(repo, project)
    send_it(repo, meeting, settings)
    send_it(repo, meeting, settings)
    # An agenda change does not raise the meeting's SEQUENCE: still a repeat of the invite.
    edit(repo, stored(repo, meeting), agenda=[{"title": "Scope only", "minutes": 20}])
    send_it(repo, meeting, settings)
    edit(repo, stored(repo, meeting), location="Room 5")
    send_it(repo, meeting, settings)
    send_it(repo, meeting, settings)

    assert [number for _, number in sequences_arrived(server)] == [0, 0, 0, 1, 1]


def test_a_schedule_after_a_draft_invite_goes_out_confirmed_with_a_higher_sequence(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    draft = add_meeting(repo, project, status="draft")
    send_it(repo, draft, settings)
    scheduled = edit(repo, stored(repo, draft), status="scheduled")
    assert scheduled.sequence == 1
    held = edit(repo, scheduled, status="held")
    assert held.sequence == 1  # still CONFIRMED: nothing new for the attendees
    send_it(repo, held, settings)

    statuses = []
    for envelope in server.envelopes:
        content = envelope.content
        assert isinstance(content, bytes)
        parsed = email.message_from_bytes(content, policy=default)
        assert isinstance(parsed, EmailMessage)
        event = event_of(calendar_of(parsed)[2])
        statuses.append((str(event["STATUS"]), int(event["SEQUENCE"])))
    assert statuses == [("TENTATIVE", 0), ("CONFIRMED", 1)]


def test_a_moved_occurrence_after_the_series_invite_is_titled_updated_invitation(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    series = add_meeting(repo, project, title="Weekly", start=WEEKLY, rrule="FREQ=WEEKLY;BYDAY=MO")
    send_it(repo, series, settings)
    second = WEEKLY + timedelta(weeks=1)
    repo.update(calendar.move_occurrence(stored(repo, series), second, second + timedelta(hours=3)))
    send_it(repo, series, settings, occurrence=second)

    assert subjects_arrived(server) == [
        "Invitation: Weekly 2026-11-30 10:00 (Europe/Berlin)",
        "Updated invitation: Weekly 2026-12-07 13:00 (Europe/Berlin)",
    ]
    assert [number for _, number in sequences_arrived(server)] == [0, 1]
