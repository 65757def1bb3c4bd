"""``clientdesk caldav publish|pull``: a project's calendar on a CalDAV server, and answers back.

:func:`register` adds the ``caldav`` command and its two subcommands to the
parser of :mod:`clientdesk.tui.cli_parser`. The work is
:mod:`clientdesk.store.caldav_publish`'s, imported (with the ``caldav``
package) only when a subcommand runs: every command line builds the parser.

- ``publish`` prints one line per conflict, then the summary (``published 5
  meetings: 2 new, 1 changed, 1 cancelled, 1 unchanged``); exit 0, or 2 when
  a meeting was in conflict.
- ``pull`` prints the preview of the answers (one line each, as ``import-ics``
  prints a reply's), then saves them all or nothing unless ``--dry-run``.

The login comes from the ``[caldav]`` table of the config file or the netrc
file, never from the command line. Any problem is one line and exit 2.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from clientdesk.store import clock
from clientdesk.store.text import counted
from clientdesk.tui.cli import UsageError

if TYPE_CHECKING:
    from clientdesk.store.caldav_publish import CaldavLogin


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    """Add ``caldav publish`` and ``caldav pull`` to ``sub``; ``common`` holds ``--data``."""
    caldav = sub.add_parser(
        "caldav",
        help="publish a project's meetings to a CalDAV calendar, or pull the answers back",
    )
    verbs = caldav.add_subparsers(title="subcommands", metavar="SUBCOMMAND")
    verbs.required = True
    url_help = (
        "the calendar collection, e.g. https://cloud.example.com/remote.php/dav/calendars/"
        "USER/CALENDAR/ (default: url in the [caldav] table of the config file)"
    )

    publish = verbs.add_parser(
        "publish",
        parents=[common],
        help="put every meeting of the project on the calendar; send only what changed",
    )
    publish.add_argument("--project", metavar="KEY", required=True, help="project key")
    publish.add_argument("--url", metavar="URL", help=url_help)
    publish.add_argument(
        "--overwrite",
        metavar="MEETING",
        action="append",
        default=[],
        help="replace the server's copy of this meeting although it changed there (repeatable)",
    )
    publish.set_defaults(handler=cmd_caldav_publish)

    pull = verbs.add_parser(
        "pull",
        parents=[common],
        help="take the attendees' answers from the calendar (shows what changes first)",
    )
    pull.add_argument("--project", metavar="KEY", required=True, help="project key")
    pull.add_argument("--url", metavar="URL", help=url_help)
    pull.add_argument(
        "--dry-run", action="store_true", help="show what would change; write nothing"
    )
    pull.set_defaults(handler=cmd_caldav_pull)


def _login(url: str | None) -> CaldavLogin:
    """The collection and login: ``--url`` or ``[caldav] url``; the config file or netrc.

    Raises:
        UsageError: the ``[caldav]`` table has a mistake (a password others may read).
        CaldavError: no URL or no password anywhere.
    """
    from clientdesk.store.caldav_publish import caldav_login
    from clientdesk.store.config import read_config

    loaded = read_config()
    problems = [problem for problem in loaded.problems if ": caldav" in problem]
    if problems:
        raise UsageError(problems[0])
    return caldav_login(url, loaded.config.caldav)


def cmd_caldav_publish(args: argparse.Namespace) -> int:
    """``clientdesk caldav publish --project KEY [--url URL] [--overwrite MEETING]``.

    Returns:
        0 when every meeting is on the server as the store holds it; 2 when
        one or more were in conflict (each printed on its own line).

    Raises:
        CaldavError: the server cannot be reached, refuses the login, or the URL
            is not a calendar (one line, saying what was changed).
        StoreError: no such project.
    """
    from clientdesk.store.caldav_publish import publish
    from clientdesk.store.models import Meeting
    from clientdesk.tui.commands import store_of

    snapshot = store_of(args).snapshot()
    project = snapshot.project(args.project)
    for key in args.overwrite:
        snapshot.find(Meeting, key, project.id)  # an unknown key is refused before any request
    login = _login(args.url)
    result = publish(login, project, snapshot, now=clock.now(), overwrite=args.overwrite)
    for conflict in result.conflicts:
        print(conflict.line())
    print(result.summary())
    return 2 if result.conflicts else 0


def cmd_caldav_pull(args: argparse.Namespace) -> int:
    """``clientdesk caldav pull --project KEY [--url URL] [--dry-run]``.

    Prints one line per answer taken or skipped, and per warning, then what
    was saved; nothing is saved with ``--dry-run``.

    Raises:
        CaldavError: the server cannot be reached, refuses the login, or the URL
            is not a calendar; nothing was changed.
        StoreError: no such project; the store refused the answers (nothing saved).
    """
    from clientdesk.store.caldav_publish import apply_pull, plan_pull
    from clientdesk.tui.commands import store_of

    repository = store_of(args)
    snapshot = repository.snapshot()
    project = snapshot.project(args.project)
    login = _login(args.url)
    pull = plan_pull(login, project, snapshot, now=clock.now())
    for line in pull.preview_lines():
        print(line)
    answers = counted(pull.count, "answer")
    if args.dry_run:
        print(f"dry run: would take {answers} from {login.url}; nothing was written")
        return 0
    apply_pull(repository, pull)
    if pull.count == 0:
        print(f"no new answers on {login.url}")
    else:
        print(f"took {answers} from {login.url} into {project.key}")
    return 0
