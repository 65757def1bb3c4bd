"""E-mailing the status report and a meeting's minutes, checked against a real SMTP server.

Each test runs an aiosmtpd server on a free port of 127.0.0.1 (the ``inbox``
fixture) and reads what arrived the way a mail program would: the parts, the
attachment, the people it went to. Then it reads the data file: the sending
is recorded on the kept report or on the meeting, with the addresses the
server accepted; and the store still refuses every other change to a kept
report.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from clientdesk.store.calendar import split_series
from clientdesk.store.config import SmtpSettings
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.mail import MailError
from clientdesk.store.models import Contact, Meeting, Project, Sending, StatusReport
from clientdesk.store.report_mail import (
    send_minutes,
    send_report,
    text_from_html,
    unsent_report,
)
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.snapshot import dump_record, validate_record
from clientdesk.store.status_report import keep_report, status_report
from clientdesk.tui.app import create_app
from clientdesk.tui.cli import main
from clientdesk.tui.mail_commands import register
from clientdesk.widgets.meeting_detail import MeetingDetail
from clientdesk.widgets.recipients_dialog import RecipientsDialog
from tests.helpers.report_mail import (
    REPORT_AND_MINUTES_PARTS,
    attachment,
    body,
    mail_server_set_up,
    minuted,
    parts,
    sent_by,
)
from tests.helpers.smtp import Inbox
from tests.helpers.ui import FIXED_NOW, screen_text, settle
from tests.test_calendar_pane import cursor_to

BERLIN = ZoneInfo("Europe/Berlin")
SEND_THE_PO = {"text": "Send the PO", "owner": "Ada Client", "due": "2026-11-30"}
"""An action item with an owner and a due date, as the minutes form records it."""
HELD_AT = datetime(2026, 11, 19, 10, 0, tzinfo=BERLIN)
WEEKLY = datetime(2026, 11, 2, 10, 0, tzinfo=BERLIN)  # a Monday


# -- the data -----------------------------------------------------------------------------


@pytest.fixture
def project(repo: TinyDBRepository) -> Project:
    """A project for Client Co, with two client contacts and one of ours."""
    project = repo.add(
        Project(
            name="Web shop",
            key="SHOP",
            client="Client Co",
            timezone="Europe/Berlin",
            organiser_name="Pat PM",
            organiser_email="pat@agency.example",
        )
    )
    for name, email, organisation in (
        ("Ann Client", "ann@client.example", "Client Co"),
        ("Bob Buyer", "bob@client.example", "client co"),
        ("Tom Team", "tom@agency.example", "Agency"),
        ("Nomail Nora", "", "Client Co"),
    ):
        repo.add(Contact(project_id=project.id, name=name, email=email, organisation=organisation))
    return project


def add_held_meeting(repo: TinyDBRepository, project: Project, **fields: object) -> Meeting:
    """A held kick-off with Ann and Carl (an attendee who is no contact), minutes recorded."""
    data: dict[str, object] = {
        "project_id": project.id,
        "title": "Kick-off",
        "start": HELD_AT,
        "timezone": "Europe/Berlin",
        "location": "Room 4",
        "status": "held",
        "attendees": [
            {"email": "ann@client.example", "name": "Ann Client"},
            {"email": "carl@partner.example", "name": "Carl Partner"},
        ],
        "minutes": "Scope agreed.\n<script>alert(1)</script> stays text",
        "decisions": ["Go live on 1 March", "Weekly sync | Mondays"],
        "action_items": [
            {"text": "Send the test plan", "owner": "Ann Client", "due": "2026-11-27"},
            {"text": "Book the room", "owner": "", "due": None},
        ],
    }
    data.update(fields)
    return repo.add(validate_record(Meeting, data))


def add_weekly_series(
    repo: TinyDBRepository, project: Project, *minuted_occurrences: dict[str, object]
) -> Meeting:
    """The kick-off as a weekly Monday series from ``WEEKLY``, minuted only where given."""
    return add_held_meeting(
        repo,
        project,
        start=WEEKLY,
        rrule="FREQ=WEEKLY;BYDAY=MO",
        status="scheduled",
        minutes="",
        decisions=[],
        action_items=[],
        exceptions=list(minuted_occurrences),
    )


def stored(repo: TinyDBRepository, record: Meeting | StatusReport) -> Meeting | StatusReport:
    """The record as the data file holds it now."""
    found = repo.snapshot().get(type(record), record.id)
    assert found is not None
    return found


# -- the status report --------------------------------------------------------------------


def test_a_new_report_goes_to_the_client_side_as_html_with_text_and_markdown_attached(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    result = send_report(repo, "SHOP", **sent_by("tester", settings))

    message = server.message()
    assert parts(message) == REPORT_AND_MINUTES_PARTS
    # Contacts of the client's organisation: not ours, not one without an address.
    assert message["To"] == "Ann Client <ann@client.example>, Bob Buyer <bob@client.example>"
    assert message["From"] == "Pat PM <pat@agency.example>"
    assert server.envelopes[0].rcpt_tos == ["ann@client.example", "bob@client.example"]
    kept = result.record
    assert isinstance(kept, StatusReport) and kept.key == "RPT-1"
    assert message["Subject"] == kept.title
    assert body(message, "html") == kept.html
    text = body(message, "plain")
    assert "Status report: Web shop (SHOP)" in text and "<" not in text
    assert "Overall status: [GREEN]" in text
    name, markdown = attachment(message)
    assert (name, markdown) == ("SHOP-status-report.md", kept.markdown)
    # Kept as sent: the next report starts here, and the sending is on it.
    assert kept.period_end == FIXED_NOW
    assert kept.sent_to == ["ann@client.example", "bob@client.example"]
    assert kept.sendings == [
        Sending(
            sent_at=FIXED_NOW,
            sent_by="tester",
            recipients=["ann@client.example", "bob@client.example"],
        )
    ]
    assert result.line() == (
        "sent the status report RPT-1 (kept now) to ann@client.example, bob@client.example"
    )


def test_the_plain_text_keeps_a_decision_under_the_meeting_it_was_taken_in() -> None:
    """The text part is what many mail programs show: nesting must survive in it."""
    html = (
        "<p><strong>Meetings held</strong></p><ul>"
        "<li>Mon 2026-11-23 MTG-1 Weekly sync"
        "<ul><li>Decision: CSV export next sprint</li></ul></li>"
        "<li>Wed 2026-11-25 MTG-2 Workshop</li></ul>"
    )
    assert text_from_html(html).splitlines() == [
        "Meetings held",
        "- Mon 2026-11-23 MTG-1 Weekly sync",
        "  - Decision: CSV export next sprint",
        "- Wed 2026-11-25 MTG-2 Workshop",
    ]


def test_a_kept_report_is_sent_as_kept_and_each_sending_is_recorded(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    content = status_report(repo.snapshot(), project, FIXED_NOW - timedelta(days=1))
    kept = keep_report(repo, project, content)

    send_report(repo, "SHOP", "rpt-1", to=["TOM@agency.example"], **sent_by("tester", settings))
    later = FIXED_NOW + timedelta(hours=2)
    send_report(
        repo,
        "SHOP",
        "RPT-1",
        to=["ann@client.example", "tom@agency.example"],
        **sent_by("sam", settings, at=later),
    )

    again = stored(repo, kept)
    assert isinstance(again, StatusReport)
    assert [(s.sent_by, s.sent_at, s.recipients) for s in again.sendings] == [
        ("tester", FIXED_NOW, ["tom@agency.example"]),
        ("sam", later, ["ann@client.example", "tom@agency.example"]),
    ]
    assert again.sent_to == ["tom@agency.example", "ann@client.example"]
    # What was kept is what went out, both times; no new report was kept.
    assert (again.markdown, again.html, again.title) == (kept.markdown, kept.html, kept.title)
    assert [r.key for r in repo.snapshot().of_project(StatusReport, project.id)] == ["RPT-1"]
    first = server.envelopes[0].content
    assert isinstance(first, bytes) and b"SHOP-RPT-1-status-report.md" in first


def test_two_sendings_of_one_report_at_once_are_both_recorded(
    repo: TinyDBRepository, data_path: Path, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    _, settings = inbox
    kept = keep_report(repo, project, status_report(repo.snapshot(), project, FIXED_NOW))
    colleague = TinyDBRepository(data_path)
    theirs = Sending(sent_at=FIXED_NOW, sent_by="sam", recipients=["tom@agency.example"])

    def colleague_sends_meanwhile(line: str) -> None:
        if line.startswith("recording"):
            current = colleague.snapshot().find(StatusReport, "RPT-1", project.id)
            colleague.update(current.with_sending(theirs))

    send_report(
        repo,
        "SHOP",
        "RPT-1",
        **sent_by("tester", settings),
        progress=colleague_sends_meanwhile,
    )

    again = stored(repo, kept)
    assert isinstance(again, StatusReport)
    assert [s.sent_by for s in again.sendings] == ["sam", "tester"]
    assert again.sent_to == ["tom@agency.example", "ann@client.example", "bob@client.example"]


def test_the_app_offers_the_kept_report_until_it_was_sent_then_a_new_one(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    _, settings = inbox
    assert unsent_report(repo.snapshot(), project) is None
    kept = keep_report(repo, project, status_report(repo.snapshot(), project, FIXED_NOW))
    assert unsent_report(repo.snapshot(), project) == kept

    send_report(repo, "SHOP", kept.key, **sent_by("t", settings))

    assert unsent_report(repo.snapshot(), project) is None


def test_the_store_takes_a_recorded_sending_on_a_kept_report_and_nothing_else(
    repo: TinyDBRepository, project: Project
) -> None:
    kept = keep_report(repo, project, status_report(repo.snapshot(), project, FIXED_NOW))
    sending = Sending(sent_at=FIXED_NOW, sent_by="tester", recipients=["ann@client.example"])

    refused = {
        "a new title": kept.model_copy(update={"title": "Better news"}),
        "another text with a sending": kept.with_sending(sending).model_copy(
            update={"markdown": "All green!\n"}
        ),
        "two sendings at once": kept.with_sending(sending).with_sending(sending),
        "a sending without its address": kept.with_sending(sending).model_copy(
            update={"sent_to": []}
        ),
        "nothing recorded": kept.model_copy(update={"sent_to": ["ann@client.example"]}),
    }
    for what, changed in refused.items():
        with pytest.raises(ValidationFailed, match="kept as it was sent"):
            repo.update(changed)
        assert stored(repo, kept) == kept, what
    with pytest.raises(ValidationFailed, match="kept as it was sent"):
        repo.delete(kept)

    saved = repo.update(kept.with_sending(sending))
    assert isinstance(saved, StatusReport)
    assert (saved.revision, saved.sendings, saved.sent_to) == (
        kept.revision + 1,
        [sending],
        ["ann@client.example"],
    )
    # A sending recorded cannot be taken back or rewritten either.
    with pytest.raises(ValidationFailed, match="kept as it was sent"):
        repo.update(saved.model_copy(update={"sendings": [], "sent_to": []}))
    other = Sending(sent_at=FIXED_NOW, sent_by="mallory", recipients=["ann@client.example"])
    with pytest.raises(ValidationFailed, match="kept as it was sent"):
        repo.update(saved.model_copy(update={"sendings": [other, sending]}))


def test_a_report_is_refused_in_one_line_before_anything_is_kept_or_sent(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    with pytest.raises(MailError, match=r"^'eve@else.example' is not the e-mail address of a "):
        send_report(repo, "SHOP", to=["eve@else.example"], **sent_by("tester", settings))
    with pytest.raises(MailError, match=r"^no SMTP server is set: add host = .* under \[smtp\]"):
        send_report(repo, "SHOP", **sent_by("t", SmtpSettings()))
    server.refuse = {"ann@client.example", "bob@client.example"}
    with pytest.raises(MailError, match=r"refused every recipient.*nothing was sent"):
        send_report(repo, "SHOP", **sent_by("t", settings))
    # Nothing went out, so nothing was kept: the next report still covers the period.
    assert repo.snapshot().of_project(StatusReport, project.id) == []
    assert server.envelopes == []


def test_a_refused_address_is_reported_and_left_out_of_the_record(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    server.refuse = {"bob@client.example"}
    result = send_report(repo, "SHOP", **sent_by("t", settings))

    assert server.envelopes[0].rcpt_tos == ["ann@client.example"]
    assert result.refused_line() == (
        "the server refused bob@client.example (550 5.1.1 no such user here)"
    )
    kept = result.record
    assert isinstance(kept, StatusReport)
    assert kept.sent_to == ["ann@client.example"]
    assert kept.sendings[0].recipients == ["ann@client.example"]


# -- minutes ------------------------------------------------------------------------------


def test_minutes_go_to_the_attendees_with_decisions_and_action_items(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    meeting = add_held_meeting(repo, project)

    result = send_minutes(repo, "SHOP", "mtg-1", **sent_by("tester", settings))

    message = server.message()
    assert parts(message) == REPORT_AND_MINUTES_PARTS
    assert message["To"] == "Ann Client <ann@client.example>, Carl Partner <carl@partner.example>"
    assert message["Subject"] == "Minutes: Kick-off (MTG-1), 2026-11-19 10:00"
    text = body(message, "plain")
    assert "Scope agreed." in text
    assert "1. Go live on 1 March" in text
    assert "- Send the test plan (owner: Ann Client; due: 2026-11-27)" in text
    assert "- Book the room (owner: no owner yet; due: —)" in text
    html = body(message, "html")
    assert "<td>Send the test plan</td><td>Ann Client</td><td>2026-11-27</td>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    name, markdown = attachment(message)
    assert name == "SHOP-MTG-1-minutes-2026-11-19.md"
    assert "| Send the test plan | Ann Client | 2026-11-27 |" in markdown
    assert "2. Weekly sync \\| Mondays" in markdown
    saved = stored(repo, meeting)
    assert isinstance(saved, Meeting)
    assert saved.minutes_sent == [
        Sending(
            sent_at=FIXED_NOW,
            sent_by="tester",
            recipients=["ann@client.example", "carl@partner.example"],
        )
    ]
    # Minutes are no change the attendees' calendars must see.
    assert saved.sequence == meeting.sequence and saved.sent == []
    assert result.line() == "sent the minutes of MTG-1 to ann@client.example, carl@partner.example"


def test_a_series_sends_its_latest_minuted_occurrence_unless_told_which(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    first, second = WEEKLY, WEEKLY + timedelta(weeks=1)
    series = add_weekly_series(
        repo,
        project,
        {"original_start": first, "status": "minuted", "minutes": "First week."},
        {"original_start": second, "status": "held", "decisions": ["Second week"]},
    )

    latest = send_minutes(
        repo, "SHOP", "MTG-1", to=["tom@agency.example"], **sent_by("tester", settings)
    )
    chosen = send_minutes(
        repo,
        "SHOP",
        "MTG-1",
        occurrence=first,
        to=["tom@agency.example"],
        **sent_by("tester", settings),
    )

    assert latest.occurrence == second and chosen.occurrence == first
    assert latest.line() == "sent the minutes of MTG-1 on 2026-11-09 10:00 to tom@agency.example"
    saved = stored(repo, series)
    assert isinstance(saved, Meeting)
    assert [s.occurrence for s in saved.minutes_sent] == [second, first]
    subjects = [str(envelope.content).split("Subject: ")[1][:45] for envelope in server.envelopes]
    assert subjects[0].startswith("Minutes: Kick-off (MTG-1), 2026-11-09 10:00")
    assert subjects[1].startswith("Minutes: Kick-off (MTG-1), 2026-11-02 10:00")


def test_this_and_following_takes_the_minutes_sent_of_its_occurrences_along(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    _, settings = inbox
    first, third = WEEKLY, WEEKLY + timedelta(weeks=2)
    add_weekly_series(
        repo,
        project,
        {"original_start": first, "status": "minuted", "minutes": "First week."},
        {"original_start": third, "status": "minuted", "minutes": "Third week."},
    )
    for when in (first, third):
        send_minutes(repo, "SHOP", "MTG-1", occurrence=when, **sent_by("tester", settings))
    series = repo.snapshot().find(Meeting, "MTG-1", project.id)

    old, new = split_series(series, WEEKLY + timedelta(weeks=1))

    assert [s.occurrence for s in old.minutes_sent] == [first, third]  # its history stays
    assert [s.occurrence for s in new.minutes_sent] == [third]


def test_minutes_are_refused_in_one_line_when_there_are_none_or_nobody_fits(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    add_held_meeting(repo, project, minutes="", decisions=[], action_items=[])
    add_held_meeting(repo, project, title="Cancelled one", status="cancelled")
    held = add_held_meeting(repo, project, title="Review")

    def sending(key: str, **options: object) -> None:
        send_minutes(
            repo, "SHOP", key, settings=options.pop("settings", settings), password=None,
            now=FIXED_NOW, user="tester", **options,  # type: ignore[arg-type]
        )  # fmt: skip

    with pytest.raises(MailError, match=r"^MTG-1 has no minutes yet: record them first"):
        sending("MTG-1")
    with pytest.raises(MailError, match=r"^MTG-2 is cancelled: it has no minutes to send"):
        sending("MTG-2")
    with pytest.raises(MailError, match=r"^'eve@else.example' is not the e-mail address"):
        sending("MTG-3", to=["eve@else.example"])
    with pytest.raises(MailError, match=r"^MTG-3 is not a series"):
        sending("MTG-3", occurrence=HELD_AT)
    with pytest.raises(MailError, match=r"^no SMTP server is set"):
        sending("MTG-3", settings=SmtpSettings())
    assert server.envelopes == []
    again = stored(repo, held)
    assert isinstance(again, Meeting) and again.minutes_sent == []


def test_a_closed_project_sends_neither_report_nor_minutes(
    repo: TinyDBRepository, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server, settings = inbox
    add_held_meeting(repo, project)
    repo.update(project.model_copy(update={"closed_at": FIXED_NOW, "close_override_reason": "x"}))

    with pytest.raises(MailError, match=r"^SHOP is closed: reopen it to send minutes"):
        send_minutes(repo, "SHOP", "MTG-1", **sent_by("t", settings))
    with pytest.raises(MailError, match=r"^SHOP is closed: reopen it to send its status report"):
        send_report(repo, "SHOP", **sent_by("t", settings))
    assert server.envelopes == []


def test_a_colleagues_save_meanwhile_is_kept_beside_the_sending(
    repo: TinyDBRepository, data_path: Path, project: Project, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    _, settings = inbox
    meeting = add_held_meeting(repo, project)
    colleague = TinyDBRepository(data_path)

    def save_elsewhere_while_sending(line: str) -> None:
        if line.startswith("recording"):
            theirs = colleague.snapshot().find(Meeting, "MTG-1", project.id)
            colleague.update(
                validate_record(Meeting, {**dump_record(theirs), "location": "Room 9"})
            )

    send_minutes(
        repo,
        "SHOP",
        "MTG-1",
        **sent_by("tester", settings),
        progress=save_elsewhere_while_sending,
    )

    saved = stored(repo, meeting)
    assert isinstance(saved, Meeting)
    assert saved.location == "Room 9"
    assert len(saved.minutes_sent) == 1


# -- the command line ---------------------------------------------------------------------


def parse(*argv: str) -> argparse.Namespace:
    """Parse ``argv`` with a parser that only knows what :func:`register` adds."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", default=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="clientdesk")
    register(parser.add_subparsers(), common)
    return parser.parse_args(argv)


def test_send_report_command_keeps_and_sends_then_sends_a_kept_one_to_whom_it_is_told(
    repo: TinyDBRepository,
    project: Project,
    inbox: tuple[Inbox, SmtpSettings],
    capsys: pytest.CaptureFixture[str],
    app_now: datetime,
) -> None:
    server = mail_server_set_up(inbox)

    assert main(["send-report", "--project", "shop"]) == 0
    assert capsys.readouterr().out == (
        "sent the status report RPT-1 (kept now) to ann@client.example, bob@client.example\n"
    )
    assert main(["send-report", "--project", "SHOP", "--report", "RPT-1", "--to",
                 "tom@agency.example", "--to", "ann@client.example"]) == 0  # fmt: skip
    assert capsys.readouterr().out == (
        "sent the status report RPT-1 to tom@agency.example, ann@client.example\n"
    )
    [kept] = repo.snapshot().of_project(StatusReport, project.id)
    assert [s.sent_at for s in kept.sendings] == [app_now, app_now]
    assert len(server.envelopes) == 2


def test_send_minutes_command_names_who_got_them(
    repo: TinyDBRepository,
    project: Project,
    inbox: tuple[Inbox, SmtpSettings],
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = mail_server_set_up(inbox)
    add_held_meeting(repo, project)
    server.refuse = {"carl@partner.example"}

    args = parse("send-minutes", "--project", "SHOP", "--meeting", "MTG-1")
    assert args.handler(args) == 0

    captured = capsys.readouterr()
    assert captured.out == "sent the minutes of MTG-1 to ann@client.example\n"
    assert captured.err == (
        "clientdesk: the server refused carl@partner.example (550 5.1.1 no such user here)\n"
    )


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["send-minutes", "--project", "SHOP", "--meeting", "MTG-1", "--to", "eve@x.example"],
            "clientdesk: 'eve@x.example' is not the e-mail address of a contact of SHOP",
        ),
        (
            ["send-minutes", "--project", "SHOP", "--meeting", "MTG-2"],
            "clientdesk: MTG-2 has no minutes yet: record them first",
        ),
        (
            ["send-minutes", "--project", "SHOP", "--meeting", "MTG-1", "--occurrence", "soon"],
            "clientdesk: --occurrence: malformed date and time 'soon'",
        ),
        (
            ["send-report", "--project", "SHOP", "--report", "RPT-9"],
            "clientdesk: ",
        ),
        (
            ["send-report", "--project", "SHOP"],
            "clientdesk: no SMTP server is set: add host",
        ),
    ],
    ids=["unknown-address", "no-minutes", "bad-occurrence", "unknown-report", "no-smtp"],
)
def test_send_commands_refuse_in_one_line_with_exit_2(
    repo: TinyDBRepository,
    project: Project,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    expected: str,
) -> None:
    add_held_meeting(repo, project)
    add_held_meeting(repo, project, minutes="", decisions=[], action_items=[])

    assert main(argv) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(expected) and captured.err.count("\n") == 1
    assert repo.snapshot().of_project(StatusReport, project.id) == []


def test_a_closed_project_is_refused_by_the_command_in_one_line(
    repo: TinyDBRepository,
    project: Project,
    inbox: tuple[Inbox, SmtpSettings],
    capsys: pytest.CaptureFixture[str],
) -> None:
    mail_server_set_up(inbox)
    repo.update(project.model_copy(update={"closed_at": FIXED_NOW, "close_override_reason": "x"}))

    assert main(["send-report", "--project", "SHOP"]) == 2
    assert capsys.readouterr().err == (
        "clientdesk: SHOP is closed: reopen it to send its status report\n"
    )


# -- the app ------------------------------------------------------------------------------


pytestmark_app = pytest.mark.usefixtures("app_now")


@pytestmark_app
async def test_u_e_mails_the_minutes_to_the_ticked_people_and_records_it(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server = mail_server_set_up(inbox)
    minuted(calendar_path, "MTG-2", decisions=["Budget approved"], action_items=[SEND_THE_PO])
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-2", "23 14:30")
        await pilot.press("U")
        await pilot.pause()
        assert isinstance(app.screen, RecipientsDialog)
        # Ada (the attendee) is ticked; Bob (a contact) is offered: tick him too.
        assert app.screen.ticked == ["ada@client.example"]
        await pilot.press("j", "space", "ctrl+s")
        await settle(pilot)
        messages = [str(n.message) for n in app._notifications]
        # What went out stays recorded: undo takes back edits, not the mail the client has.
        await pilot.press("ctrl+z")
        await settle(pilot)

    message = server.message()
    assert message["To"] == "Ada Client <ada@client.example>, Bob Sponsor <bob@client.example>"
    assert "Send the PO (owner: Ada Client; due: 2026-11-30)" in body(message, "plain")
    assert any(
        m.startswith("Sent the minutes of MTG-2 to ada@client.example, bob@client.example.")
        for m in messages
    )
    [sending] = TinyDBRepository(calendar_path).snapshot().find(Meeting, "MTG-2").minutes_sent
    assert (sending.sent_by, sending.recipients) == (
        "tester",
        ["ada@client.example", "bob@client.example"],
    )


@pytestmark_app
async def test_the_detail_says_who_sent_the_minutes_when_and_to_whom(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    mail_server_set_up(inbox)
    minuted(calendar_path, "MTG-2", decisions=["Budget approved"], action_items=[SEND_THE_PO])
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-2", "23 14:30")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MeetingDetail)
        assert "Minutes sent" not in screen_text(app)  # nothing went out yet
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("U")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()

        assert isinstance(app.screen, MeetingDetail)
        text = screen_text(app)
    assert "Minutes sent" in text
    assert f"{FIXED_NOW.astimezone(BERLIN):%Y-%m-%d %H:%M} by tester to ada@client.example" in text


@pytestmark_app
async def test_a_series_shows_the_minutes_sent_on_the_occurrence_they_are_of(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    _, settings = inbox
    first = datetime(2026, 11, 23, 14, 0, tzinfo=BERLIN)
    minuted(calendar_path, "MTG-1", first, decisions=["Demo on Friday"])
    send_minutes(
        TinyDBRepository(calendar_path),
        "APOLLO",
        "MTG-1",
        occurrence=first,
        **sent_by("pat", settings),
    )
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        seen = {}
        for when in ("23 14:00", "30 14:00"):
            await cursor_to(pilot, app, "MTG-1", when)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, MeetingDetail)
            seen[when] = screen_text(app)
            await pilot.press("escape")
            await pilot.pause()

    assert "Minutes sent" in seen["23 14:00"]
    assert "by pat to ada@client.example" in seen["23 14:00"]
    assert "Minutes sent" not in seen["30 14:00"]  # the next week's minutes were not sent


@pytestmark_app
async def test_ctrl_e_e_mails_the_status_report_kept_as_sent(
    calendar_path: Path, inbox: tuple[Inbox, SmtpSettings]
) -> None:
    server = mail_server_set_up(inbox)
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, RecipientsDialog)
        await pilot.press("ctrl+s")
        await settle(pilot)

    message = server.message()
    assert message["To"] == "Ada Client <ada@client.example>, Bob Sponsor <bob@client.example>"
    [kept] = TinyDBRepository(calendar_path).snapshot().all(StatusReport)
    assert body(message, "html") == kept.html
    assert kept.sendings[0].recipients == ["ada@client.example", "bob@client.example"]


@pytestmark_app
async def test_without_a_mail_server_the_keys_say_nothing_was_sent_and_where_to_set_one(
    calendar_path: Path,
) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert not isinstance(app.screen, RecipientsDialog)
        [warning] = [str(n.message) for n in app._notifications]
    assert warning.startswith("Nothing was sent: no mail server is set up.")
    assert str(app.config_location) in warning and "[smtp]" in warning
