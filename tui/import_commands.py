"""``clientdesk import-ics FILE --project KEY [--dry-run]``: a client's ``.ics`` into a project.

:func:`register` adds the command to the parser that
:func:`clientdesk.tui.commands.build_parser` builds. The command prints the
preview (one line per change, skipped event and warning), then saves it all
in one batch unless ``--dry-run``. A file that cannot be imported, or that
would import nothing (every event skipped), raises
:class:`~clientdesk.store.ics_import.ImportRefused`, which ``main`` prints as
one line with exit status 2; nothing is written then.

The import code (and iCalendar) is imported when the command runs, not when
the parser registers it: every command line builds the parser.
"""

from __future__ import annotations

import argparse
import sys

from clientdesk.store import clock


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:  # type: ignore[type-arg]
    """Add ``import-ics`` to the subcommands ``sub``; ``common`` holds ``--data``."""
    command = sub.add_parser(
        "import-ics",
        parents=[common],
        help="import events from a client's .ics file (shows what changes first)",
    )
    command.add_argument("file", metavar="FILE", help="the .ics file (- reads stdin)")
    command.add_argument("--project", metavar="KEY", required=True, help="project key")
    command.add_argument(
        "--dry-run", action="store_true", help="show what would change; write nothing"
    )
    command.set_defaults(handler=cmd_import_ics)


def _changes(count: int) -> str:
    return f"{count} change{'s' if count != 1 else ''}"


def _read(name: str) -> bytes:
    from clientdesk.store.ics_reading import MAX_IMPORT_BYTES, ImportRefused, read_import_file

    if name != "-":
        return read_import_file(name)
    data = sys.stdin.buffer.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused("stdin: more than 5 MB; an invite or a calendar is far smaller")
    return data


def cmd_import_ics(args: argparse.Namespace) -> int:
    """Preview the import of ``args.file`` into ``args.project``, then apply it.

    Prints one line per change, skipped event and warning, then ``imported N
    changes`` (or what a dry run would have imported).

    Raises:
        ImportRefused: the file cannot be imported, or it would change nothing
            (every event skipped: a script must notice); nothing was written.
        StoreError: no such project, or the store refused the batch.
        OSError: the file cannot be read.
    """
    from clientdesk.store.ics_import import apply_import, plan_import
    from clientdesk.store.ics_reading import ImportRefused
    from clientdesk.store.models import Meeting
    from clientdesk.tui.commands import store_of

    repository = store_of(args)
    snapshot = repository.snapshot()
    project = snapshot.project(args.project)
    data = _read(args.file)
    plan = plan_import(data, project, snapshot, now=clock.now())
    for line in plan.preview_lines():
        print(line)
    if plan.count == 0:
        raise ImportRefused(plan.nothing_reason())
    if args.dry_run:
        print(f"dry run: would import {_changes(plan.count)}; nothing was written")
        return 0
    saved = apply_import(repository, plan)
    new = [record.key for record in saved if isinstance(record, Meeting) and record.revision == 1]
    added = f" (new: {', '.join(new)})" if new else ""
    print(f"imported {_changes(plan.count)} into {project.key}{added}")
    return 0
