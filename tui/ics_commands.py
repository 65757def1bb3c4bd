"""``clientdesk export-ics``: a meeting's invite or cancellation, or the project's calendar.

:func:`register` adds the subcommand to the parser of
:mod:`clientdesk.tui.commands`; :func:`cmd_export_ics` runs it. The file is
built by :mod:`clientdesk.store.ics`, which (with iCalendar) is imported only
when the command runs: every command line builds the parser.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from clientdesk.store import clock
from clientdesk.store.enums import MeetingStatus
from clientdesk.store.text import counted
from clientdesk.tui.cli import UsageError

if TYPE_CHECKING:
    from clientdesk.store.models import Meeting


def register(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    common: argparse.ArgumentParser,
) -> None:
    """Add the ``export-ics`` subcommand to ``sub`` (``common`` holds ``--data``)."""
    export = sub.add_parser(
        "export-ics",
        parents=[common],
        help="write a meeting's invite (or cancellation), or the project's calendar, as .ics",
    )
    export.add_argument("--project", metavar="KEY", required=True, help="project key")
    export.add_argument(
        "--meeting", metavar="KEY", help="only this meeting, as an invite (default: every meeting)"
    )
    export.add_argument(
        "--cancel", action="store_true", help="a cancellation of the meeting (needs --meeting)"
    )
    export.add_argument(
        "--occurrence",
        metavar="'YYYY-MM-DD HH:MM'",
        help="only this occurrence of a series (its time in the meeting's zone; needs --meeting)",
    )
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")
    export.set_defaults(handler=cmd_export_ics)


def cmd_export_ics(args: argparse.Namespace) -> int:
    """``clientdesk export-ics --project KEY [--meeting KEY] [--cancel] [-o FILE]``.

    With ``--meeting``: that meeting's invite (``METHOD:REQUEST``) or, when
    it is cancelled, its cancellation; ``--occurrence`` narrows either to one
    occurrence of a series. ``--cancel`` asks for the cancellation and is
    refused, with the line ``send-invite`` gives, while the meeting (or the
    occurrence) is not cancelled in the store: a file written to send by hand
    must tell the client what the store holds. Without ``--meeting``: every
    meeting of the project as a feed (``METHOD:PUBLISH``). Nothing in the
    data file changes.
    """
    # Imported here, not at the top: the parser imports this module for every
    # command line, and iCalendar, the models and SMTP are for this one alone.
    from clientdesk.store.ics import meeting_invite, project_feed
    from clientdesk.store.mail import checked_recurrence_id
    from clientdesk.store.models import Meeting
    from clientdesk.store.storage import write_output
    from clientdesk.tui.commands import store_of

    if args.meeting is None and (args.cancel or args.occurrence):
        flag = "--cancel" if args.cancel else "--occurrence"
        raise UsageError(f"{flag} needs --meeting KEY (which meeting?)")
    snapshot = store_of(args).snapshot()
    project = snapshot.project(args.project)
    now = clock.now()
    if args.meeting is None:
        meetings = snapshot.of_project(Meeting, project.id)
        payload = project_feed(meetings, project, now=now)
        what = f"the calendar of {project.key} ({counted(len(meetings), 'meeting')})"
    else:
        meeting = snapshot.find(Meeting, args.meeting, project.id)
        occurrence = (
            clock.parse_datetime(args.occurrence, meeting.timezone) if args.occurrence else None
        )
        cancelling = args.cancel or _cancelled_in_store(meeting, occurrence)
        # The check send-invite makes, so both refuse alike (one line, exit 2).
        recurrence_id = checked_recurrence_id(meeting, occurrence, cancelling)
        payload = meeting_invite(
            meeting, project, now=now, cancel=cancelling, recurrence_id=recurrence_id
        )
        kind = "cancellation" if cancelling else "invite"
        when = f" on {occurrence:%Y-%m-%d %H:%M}" if occurrence else ""
        what = f"the {kind} of {meeting.key}{when}"
    if args.output is None:
        # Bytes, not text: the CRLF line ends must reach the reader unchanged.
        sys.stdout.flush()
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
        return 0
    target = Path(args.output).expanduser()
    if not target.parent.is_dir():
        raise UsageError(f"{target.parent}: no such directory")
    if target.is_dir():
        raise UsageError(f"{target}: is a directory; give a file name")
    # Temp file and rename: a calendar never reads half an invite.
    write_output(target, payload)
    print(f"wrote {what} to {target}")
    return 0


def _cancelled_in_store(meeting: Meeting, occurrence: datetime | None) -> bool:
    """True when the store holds the meeting, or the occurrence asked for, as cancelled.

    Then the file to write is its cancellation, asked for or not (an invite
    would bring it back into the attendees' calendars).
    """
    from clientdesk.store import calendar

    if meeting.status is MeetingStatus.CANCELLED:
        return True
    if occurrence is None or meeting.rrule is None:
        return False
    found = calendar.occurrence_at(meeting, occurrence)
    return found is not None and found.cancelled
