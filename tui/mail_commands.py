"""The e-mail commands: ``send-invite``, ``send-report`` and ``send-minutes``.

``send-invite`` e-mails a meeting's invite or cancellation to its attendees;
``send-report`` the client status report, ``send-minutes`` a meeting's
minutes, each to chosen contacts (:mod:`clientdesk.store.report_mail`). The
SMTP server comes from the ``[smtp]`` table of the config file, the
password from ``$CLIENTDESK_SMTP_PASSWORD``. :func:`register` adds the
commands to the parser :func:`clientdesk.tui.cli_parser.build_parser` builds;
the e-mail code (``smtplib``, ``email``, iCalendar) and the record models are
imported only when a command runs, since every command line builds the parser.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from clientdesk.store import clock, paths
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.text import printable
from clientdesk.tui.cli import UsageError

if TYPE_CHECKING:
    from clientdesk.store.config import SmtpSettings
    from clientdesk.store.mail import InviteResult
    from clientdesk.store.models import Meeting
    from clientdesk.store.report_mail import MailResult


def smtp_settings() -> SmtpSettings:
    """The ``[smtp]`` settings of the config file.

    Raises:
        UsageError: the ``[smtp]`` table has a mistake, or the file could not
            be read and so no server is known (sending with a half-read
            setting, e.g. the default port, would fail in a stranger way).
    """
    from clientdesk.store.config import read_config

    loaded = read_config()
    smtp_problems = [problem for problem in loaded.problems if ": smtp" in problem]
    if smtp_problems:
        raise UsageError(smtp_problems[0])
    if not loaded.config.smtp.host and loaded.problems:
        raise UsageError(loaded.problems[0])
    return loaded.config.smtp


def sent_line(result: InviteResult) -> str:
    """``sent MTG-3 (SEQUENCE 2) to ann@client.example, bob@client.example``."""
    what = result.meeting.key
    if result.recurrence_id is not None:
        local = result.recurrence_id.astimezone(clock.zone(result.meeting.timezone))
        what += f" on {local:%Y-%m-%d %H:%M}"
    if result.method == "CANCEL":
        what = f"the cancellation of {what}"
    to = ", ".join(result.recipients)
    return printable(f"sent {what} (SEQUENCE {result.sequence}) to {to}")


def _occurrence(args: argparse.Namespace, meeting: Meeting) -> datetime | None:
    """``--occurrence`` read in the meeting's zone (None when not given).

    Raises:
        UsageError: it is no date and time.
    """
    if args.occurrence is None:
        return None
    try:
        return clock.parse_datetime(args.occurrence, meeting.timezone)
    except ValidationFailed as error:
        raise UsageError(f"--occurrence: {error}") from None


def _progress_printer() -> Callable[[str], None]:
    """Progress lines on stderr when a person watches it (a terminal), else nothing."""
    interactive = sys.stderr.isatty()

    def progress(line: str) -> None:
        if interactive:
            print(printable(line), file=sys.stderr)

    return progress


def _sending(settings: SmtpSettings) -> dict[str, Any]:
    """What every sending function takes besides what is sent: server, password, now, user."""
    return {
        "settings": settings,
        "password": os.environ.get(paths.PASSWORD_ENV) or None,
        "now": clock.now(),
        "user": paths.current_user(),
        "progress": _progress_printer(),
    }


def cmd_send_invite(args: argparse.Namespace) -> int:
    """``clientdesk send-invite --project KEY --meeting KEY [--cancel] [--occurrence WHEN]``.

    Prints who the server accepted it for; a recipient the server refused is
    named on stderr (the others got it, and the sending is recorded).
    """
    from clientdesk.store.mail import send_invite
    from clientdesk.store.models import Meeting
    from clientdesk.tui.commands import store_of

    repository = store_of(args)
    snapshot = repository.snapshot()
    project = snapshot.project(args.project)
    meeting = snapshot.find(Meeting, args.meeting, project.id)
    occurrence = _occurrence(args, meeting)
    result = send_invite(
        repository,
        project.key,
        meeting.key,
        cancel=args.cancel,
        occurrence=occurrence,
        **_sending(smtp_settings()),
    )
    print(sent_line(result))
    for address, reply in result.refused.items():
        print(printable(f"clientdesk: the server refused {address}: {reply}"), file=sys.stderr)
    return 0


def _send_and_print(send: Callable[..., MailResult], *what: object, **options: object) -> int:
    """Run ``send(*what, **options)`` with the config's server; print who got it.

    Who got it goes to stdout; the addresses the server refused in one line
    on stderr (the others got it, and the sending is recorded).
    """
    result = send(*what, **options, **_sending(smtp_settings()))
    print(result.line())
    if result.refused:
        print(f"clientdesk: {result.refused_line()}", file=sys.stderr)
    return 0


def cmd_send_report(args: argparse.Namespace) -> int:
    """``clientdesk send-report --project KEY [--report RPT-N] [--to EMAIL ...]``.

    Without ``--report`` the report for the period up to now is sent and kept
    (as ``report --keep`` keeps it); nothing is kept when it could not be sent.
    """
    from clientdesk.store.report_mail import send_report
    from clientdesk.tui.commands import store_of
    from clientdesk.tui.commands import top_risks_from as configured_top_risks

    # Only a new report is built here: a kept one goes out as it was kept.
    top_risks_from = None if args.report else configured_top_risks()
    return _send_and_print(
        send_report,
        store_of(args),
        args.project,
        args.report,
        to=args.to,
        top_risks_from=top_risks_from,
    )


def cmd_send_minutes(args: argparse.Namespace) -> int:
    """``clientdesk send-minutes --project KEY --meeting MTG-N [--occurrence WHEN] [--to EMAIL]``.

    Without ``--occurrence`` a series sends its latest occurrence with minutes.
    """
    from clientdesk.store.models import Meeting
    from clientdesk.store.report_mail import send_minutes
    from clientdesk.tui.commands import store_of

    repository = store_of(args)
    snapshot = repository.snapshot()
    project = snapshot.project(args.project)
    meeting = snapshot.find(Meeting, args.meeting.strip().upper(), project.id)
    occurrence = _occurrence(args, meeting)
    return _send_and_print(
        send_minutes, repository, project.key, meeting.key, occurrence=occurrence, to=args.to
    )


def _add_mail_command(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
    name: str,
    *,
    help: str,
    description: str,
    what_is_sent: Callable[[argparse.ArgumentParser], None],
    to_help: str,
    handler: Callable[[argparse.Namespace], int],
) -> None:
    """Add a command that e-mails something of a project to chosen contacts.

    It takes ``--project``, then the options ``what_is_sent`` adds (which
    report, which meeting), then ``--to`` (repeatable). The description ends
    with where the server and password come from.
    """
    command = sub.add_parser(
        name,
        parents=[common],
        help=help,
        description=(
            f"{description} The SMTP server is [smtp] in the config file, the password "
            f"${paths.PASSWORD_ENV}."
        ),
    )
    command.add_argument("--project", metavar="KEY", required=True, help="project key")
    what_is_sent(command)
    command.add_argument("--to", metavar="EMAIL", action="extend", nargs="+", help=to_help)
    command.set_defaults(handler=handler)


def _report_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--report", metavar="RPT-N", help="a kept report (default: a new one, kept as sent)"
    )


def _minutes_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--meeting", metavar="KEY", required=True, help="meeting key (MTG-3)")
    command.add_argument(
        "--occurrence",
        metavar="WHEN",
        help='one occurrence of a series at "YYYY-MM-DD HH:MM" (the meeting\'s zone; '
        "default: the latest with minutes)",
    )


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    """Add the e-mail commands to the subcommands ``sub``; ``common`` holds ``--data``."""
    command = sub.add_parser(
        "send-invite",
        parents=[common],
        help="e-mail a meeting's invite (or cancellation) to its attendees over SMTP",
        description=(
            "E-mail the invite to every attendee: the SMTP server is [smtp] in the config "
            f"file, the password ${paths.PASSWORD_ENV}."
        ),
    )
    command.add_argument("--project", metavar="KEY", required=True, help="project key")
    command.add_argument("--meeting", metavar="KEY", required=True, help="meeting key (MTG-3)")
    command.add_argument(
        "--cancel", action="store_true", help="send the cancellation (cancel the meeting first)"
    )
    command.add_argument(
        "--occurrence",
        metavar="WHEN",
        help='only the occurrence of a series at "YYYY-MM-DD HH:MM" (the meeting\'s zone)',
    )
    command.set_defaults(handler=cmd_send_invite)
    _add_mail_command(
        sub,
        common,
        "send-report",
        help="e-mail the client status report to chosen contacts over SMTP",
        description=(
            "E-mail the status report (HTML with a plain-text alternative, the Markdown "
            "attached) to the client's contacts, or to the contacts --to names. Without "
            "--report the report for the period up to now is sent and kept as sent."
        ),
        what_is_sent=_report_options,
        to_help="a contact's address (repeatable; default: the client's contacts)",
        handler=cmd_send_report,
    )
    _add_mail_command(
        sub,
        common,
        "send-minutes",
        help="e-mail a meeting's minutes, decisions and action items over SMTP",
        description=(
            "E-mail the minutes, decisions and action items (with owners and due dates) of a "
            "meeting (HTML with a plain-text alternative, the Markdown attached) to its "
            "attendees, or to the contacts --to names."
        ),
        what_is_sent=_minutes_options,
        to_help="an attendee's or contact's address (repeatable; default: the attendees)",
        handler=cmd_send_minutes,
    )
