"""``clientdesk send-invite``: e-mail a meeting's invite or cancellation to its attendees.

The SMTP server comes from the ``[smtp]`` table of the config file, the
password from ``$CLIENTDESK_SMTP_PASSWORD``. :func:`register` adds the
command to the parser :func:`clientdesk.tui.commands.build_parser` builds.
"""

from __future__ import annotations

import argparse
import os
import sys

from clientdesk.store import clock, paths
from clientdesk.store.config import SmtpSettings, read_config
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.mail import PASSWORD_ENV, InviteResult, send_invite
from clientdesk.store.models import Meeting
from clientdesk.store.text import printable
from clientdesk.tui.cli import UsageError
from clientdesk.tui.commands import _repository


def smtp_settings() -> SmtpSettings:
    """The ``[smtp]`` settings of the config file.

    Raises:
        UsageError: the ``[smtp]`` table has a mistake, or the file could not
            be read and so no server is known (sending with a half-read
            setting, e.g. the default port, would fail in a stranger way).
    """
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


def cmd_send_invite(args: argparse.Namespace) -> int:
    """``clientdesk send-invite --project KEY --meeting KEY [--cancel] [--occurrence WHEN]``.

    Prints who the server accepted it for; a recipient the server refused is
    named on stderr (the others got it, and the sending is recorded).
    """
    repository = _repository(args)
    snapshot = repository.snapshot()
    project = snapshot.project(args.project)
    meeting = snapshot.find(Meeting, args.meeting, project.id)
    occurrence = None
    if args.occurrence is not None:
        try:
            occurrence = clock.parse_datetime(args.occurrence, meeting.timezone)
        except ValidationFailed as error:
            raise UsageError(f"--occurrence: {error}") from None
    settings = smtp_settings()
    interactive = sys.stderr.isatty()

    def progress(line: str) -> None:
        if interactive:
            print(printable(line), file=sys.stderr)

    result = send_invite(
        repository,
        project.key,
        meeting.key,
        cancel=args.cancel,
        occurrence=occurrence,
        settings=settings,
        password=os.environ.get(PASSWORD_ENV) or None,
        now=clock.now(),
        user=paths.current_user(),
        progress=progress,
    )
    print(sent_line(result))
    for address, reply in result.refused.items():
        print(printable(f"clientdesk: the server refused {address}: {reply}"), file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    """Add ``send-invite`` to the subcommands ``sub``; ``common`` holds the shared ``--data``."""
    command = sub.add_parser(
        "send-invite",
        parents=[common],
        help="e-mail a meeting's invite (or cancellation) to its attendees over SMTP",
        description=(
            "E-mail the invite to every attendee: the SMTP server is [smtp] in the config "
            f"file, the password ${PASSWORD_ENV}."
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
