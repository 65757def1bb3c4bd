"""The ``clientdesk`` command: opens the app, or runs one command on the data file.

Every command shares the app's data file safely (the store's lock and
revision checks apply). Bad input prints one line on stderr and exits 2; no
traceback reaches the user and nothing is half-written.

Opening the app is the common case and must start fast, so this module holds
only what that needs. The parser that knows every command is in
:mod:`clientdesk.tui.cli_parser`, loaded only for a command line that asks
for more; each command imports what it needs (the record models, iCalendar,
e-mail) only when it runs.

A command runs for a moment and exits: Python's cyclic garbage collector is
paused while it does. A command keeps what it read until it exits, so the
collector's passes over those objects, which grow with the file, freed
nothing: they were a tenth to a fifth of ``list requests --json`` at 10,000
to 50,000 records, and a third of ``check``. The app, which runs for hours,
pauses it only while a worker validates a project.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from clientdesk.store import paths
from clientdesk.store.errors import StoreError
from clientdesk.store.text import printable
from clientdesk.tui.collector import COLLECTOR

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad command-line input; the message is one line."""


def data_path(args: argparse.Namespace, *, starts: bool = False) -> Path:
    """The data file a command works on, refused when it is not there to work on.

    Only what may start a data file (the app's welcome, ``demo``, ``add
    project``) goes on without one, and then into a folder that exists: a
    mistyped ``--data`` makes no folders. The user data directory, or the
    folder ``$CLIENTDESK_DATA`` names, is made on first use.

    Args:
        args: the parsed command line (``--data``, if given).
        starts: the command may create the data file.

    Raises:
        UsageError: no such data file (``starts`` False), or no such folder.
    """
    named = getattr(args, "data", None)
    path = paths.resolve_data_path(named)
    if path.exists():
        return path
    if not starts:
        raise UsageError(f"no such data file: {path} (clientdesk demo or the app creates one)")
    if named and not path.parent.is_dir():
        raise UsageError(f"no such folder: {path.parent} (for the data file {path.name})")
    return path


def data_location(args: argparse.Namespace, *, starts: bool = False) -> Path | str:
    """Where a command's records live: a database URL, or the data file (see :func:`data_path`).

    ``--data`` wins, then ``$CLIENTDESK_DATA``, then ``[store] url`` in the
    config file, then the default data file. A URL on the command line may
    not carry a password: every user of the server sees it in ``ps``.

    Raises:
        UsageError: a password in a ``--data`` URL, a ``[store] url`` that
            the config file refuses, or no data file (see :func:`data_path`).
    """
    named = getattr(args, "data", None)
    if paths.is_database_url(named):
        from clientdesk.store.backends import refuse_visible_password

        try:
            refuse_visible_password(str(named), "command line")
        except StoreError as error:
            raise UsageError(str(error)) from None
        return str(named)
    if not named:
        chosen = os.environ.get(paths.DATA_ENV, "")
        if paths.is_database_url(chosen):
            return chosen
        if not chosen:
            configured = _configured_store_url()
            if configured:
                return configured
    return data_path(args, starts=starts)


def _configured_store_url() -> str | None:
    """``[store] url`` of the config file (None when it sets none)."""
    config_path = paths.default_config_path()
    if not config_path.is_file():
        return None
    from clientdesk.store.config import read_config

    loaded = read_config(config_path)
    if loaded.config.store_url:
        return loaded.config.store_url
    for problem in loaded.problems:
        if ": store" in problem:
            # Falling back to the data file would show the team's records missing.
            raise UsageError(problem)
    return None


def cmd_open(args: argparse.Namespace) -> int:
    """``clientdesk``: open the full-screen app."""
    from clientdesk.tui.typeahead import keys_typed_ahead

    with keys_typed_ahead():
        return _open_app(args)


def _open_app(args: argparse.Namespace) -> int:
    from clientdesk.tui.app import create_app

    app = create_app(data_location(args, starts=True))
    try:
        app.run()
    except OSError:
        # The terminal went away (a dropped SSH connection) while the app was
        # saying goodbye on it: the app has stopped as it meant to.
        if app.return_code is None:
            raise
    return app.return_code or 0


def _opens_the_app(argv: Sequence[str]) -> argparse.Namespace | None:
    """The arguments of ``clientdesk`` or ``clientdesk --data FILE``; None for any other.

    These only open the app, so they are read here, without the full parser,
    which needs every record model. Anything else (a command, ``--help``, a
    mistake) goes to the full parser.
    """
    match list(argv):
        case []:
            return argparse.Namespace(handler=cmd_open)
        case ["--data", str(path)] if not path.startswith("-"):
            return argparse.Namespace(handler=cmd_open, data=path)
        case [str(option)] if option.startswith("--data="):
            return argparse.Namespace(handler=cmd_open, data=option.removeprefix("--data="))
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    args = _opens_the_app(arguments)
    if args is not None:
        return _run(args)
    from clientdesk.tui.cli_output import escaped_output
    from clientdesk.tui.cli_parser import build_parser

    # A command's messages quote records, names and file text: they reach the
    # terminal escaped (the app escapes what it draws itself).
    with escaped_output(), COLLECTOR.paused():
        return _run(build_parser().parse_args(arguments))


def _run(args: argparse.Namespace) -> int:
    """Run the command ``args`` name; one line on stderr for anything that goes wrong."""
    try:
        paths.current_user()  # a name every colleague's screen shows: refused at once if unfit
        return int(args.handler(args))
    except (StoreError, UsageError) as error:
        print(f"clientdesk: {printable(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader (e.g. ``| head``) went away: stop quietly, like other tools.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:
        where = printable(str(error.filename or ""))
        print(f"clientdesk: {where}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the last line of defence: never a traceback
        from clientdesk.tui.crash_log import internal_error_line

        print(internal_error_line(error), file=sys.stderr)
        return 1
