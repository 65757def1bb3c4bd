"""``clientdesk export-ics``: a meeting's invite or cancellation, or the project's calendar.

:func:`register` adds the subcommand to the parser of
:mod:`clientdesk.tui.commands`; :func:`cmd_export_ics` runs it. The file is
built by :mod:`clientdesk.store.ics`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from clientdesk.store import clock
from clientdesk.store.ics import is_cancellation, meeting_invite, project_feed
from clientdesk.store.models import Meeting
from clientdesk.store.storage import write_output
from clientdesk.tui.cli import UsageError


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

    With ``--meeting``: that meeting's invite (``METHOD:REQUEST``) or, with
    ``--cancel`` or when it is cancelled, its cancellation; ``--occurrence``
    narrows either to one occurrence of a series. Without: every meeting of
    the project as a feed (``METHOD:PUBLISH``). Nothing in the data file
    changes: a cancellation written here is the one the store's saved
    cancel will match (see :mod:`clientdesk.store.ics`).
    """
    # Imported here: commands.py imports this module to build its parser.
    from clientdesk.tui.commands import _repository

    if args.meeting is None and (args.cancel or args.occurrence):
        flag = "--cancel" if args.cancel else "--occurrence"
        raise UsageError(f"{flag} needs --meeting KEY (which meeting?)")
    snapshot = _repository(args).snapshot()
    project = snapshot.project(args.project)
    now = clock.now()
    if args.meeting is None:
        meetings = snapshot.of_project(Meeting, project.id)
        payload = project_feed(meetings, project, now=now)
        what = f"the calendar of {project.key} ({len(meetings)} meetings)"
    else:
        meeting = snapshot.find(Meeting, args.meeting, project.id)
        occurrence = (
            clock.parse_datetime(args.occurrence, meeting.timezone) if args.occurrence else None
        )
        payload = meeting_invite(
            meeting, project, now=now, cancel=args.cancel, recurrence_id=occurrence
        )
        cancelling = is_cancellation(meeting, cancel=args.cancel, recurrence_id=occurrence)
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
