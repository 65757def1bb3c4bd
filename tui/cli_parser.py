"""The grammar of ``clientdesk``: every command, its options and its help.

Building the parser imports no record model, no iCalendar, no e-mail and no
import code: every command line is parsed with it, and a command such as
``list requests --json`` must not wait for what only another command uses.
Each command's handler imports its module when it runs
(:func:`command_handler`), and the options of ``add KIND`` and ``edit KIND``,
which name the record models, are added the first time that kind's parser
is used (:class:`CommandParser`'s ``fill``).
"""

from __future__ import annotations

import argparse
import importlib
import os
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, NoReturn

from clientdesk import __version__
from clientdesk.store import kinds, paths
from clientdesk.tui.cli import EXIT_USAGE, UsageError, cmd_open

Handler = Callable[[argparse.Namespace], int]
"""What runs a command: it takes the parsed command line and returns the exit status."""


class CommandParser(argparse.ArgumentParser):
    """argparse with one-line errors (the usage is one ``--help`` away).

    A parser may be given a ``fill`` that adds its arguments the first time
    it parses, or formats its usage or help: the parsers of commands that are
    not run are then never filled.
    """

    def __init__(
        self, *args: Any, fill: Callable[[CommandParser], None] | None = None, **kwargs: Any
    ) -> None:
        """Take argparse's arguments, and ``fill`` (see the class)."""
        super().__init__(*args, **kwargs)
        self._fill = fill

    def _filled(self) -> None:
        """Add the arguments ``fill`` adds, once."""
        fill, self._fill = self._fill, None
        if fill is not None:
            fill(self)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """Fill this parser, then parse ``args`` as argparse does."""
        self._filled()
        return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        """Fill this parser, then format its usage."""
        self._filled()
        return super().format_usage()

    def format_help(self) -> str:
        """Fill this parser, then format its help."""
        self._filled()
        return super().format_help()

    def error(self, message: str) -> NoReturn:
        """Exit 2 with one line naming the mistake and where the usage is."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> Any:
        # Python reads the bytes of an argument that are not UTF-8 as lone
        # surrogates, which no record can hold. A path may have them: it goes
        # back to the file system as the same bytes.
        is_path = action.metavar in ("FILE", "FILE|URL")
        if not is_path and action.nargs not in (argparse.PARSER, argparse.REMAINDER):
            for text in arg_strings:
                if not _is_utf8(text):
                    flag = max(action.option_strings, key=len, default=None)
                    self.error(
                        f"{flag or action.metavar or action.dest.upper()} is not valid UTF-8 text"
                    )
        return super()._get_values(action, arg_strings)


def _is_utf8(text: str) -> bool:
    """False for text holding the lone surrogates that stand for undecodable bytes."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def command_handler(name: str, module: str = "clientdesk.tui.commands") -> Handler:
    """The handler ``name`` of ``module``, which is imported only when the command runs.

    The handler is looked up at that moment, not when the parser is built, so
    the function the module holds then is the one that runs.
    """

    def run(args: argparse.Namespace) -> int:
        try:
            loaded = importlib.import_module(module)
        except ImportError as missing:
            if missing.name is not None:  # a module of clientdesk itself: a real bug
                raise
            raise UsageError(str(missing)) from None  # an optional extra, said how to install
        handler: Handler = getattr(loaded, name)
        return handler(args)

    run.__name__ = run.__qualname__ = name
    run.__doc__ = f"Run :func:`{module}.{name}`, importing its module first."
    return run


def _port(text: str) -> int:
    value = int(text) if text.isdigit() else 0
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"expected a port number 1-65535, not {text!r}")
    return value


def _positive(text: str) -> int:
    value = int(text) if text.isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, not {text!r}")
    return value


def build_parser() -> CommandParser:
    """The full command-line grammar."""
    chosen = os.environ.get(paths.DATA_ENV, "")
    default = (
        paths.shown_url(chosen) if paths.is_database_url(chosen) else paths.default_data_path()
    )
    data_help = (
        "the data file, or a postgresql:// URL (default: $CLIENTDESK_DATA, "
        f"[store] url in the config file, or {default})"
    )
    common = CommandParser(add_help=False)
    common.add_argument("--data", metavar="FILE|URL", default=argparse.SUPPRESS, help=data_help)
    parser = CommandParser(
        prog="clientdesk",
        description="The client side of a project: calendar, requests, risks, closing.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"clientdesk {__version__}")
    parser.set_defaults(handler=cmd_open)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=CommandParser)

    demo = sub.add_parser("demo", parents=[common], help="write a demo data set")
    demo.add_argument("--projects", type=_positive, default=3, help="how many projects (1-6)")
    demo.add_argument("--seed", type=int, default=1, help="the same seed gives the same data")
    demo.add_argument("--records", type=_positive, help="make about this many records")
    demo.add_argument("--force", action="store_true", help="replace a non-empty data file")
    demo.set_defaults(handler=command_handler("cmd_demo"))

    check = sub.add_parser("check", parents=[common], help="validate the data file or database")
    check.set_defaults(handler=command_handler("cmd_check"))

    serve = sub.add_parser(
        "serve", parents=[common], help="the app in a browser (textual-serve), behind a token"
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default 127.0.0.1: reach it through an SSH tunnel)",
    )
    serve.add_argument("--port", type=_port, default=8000, help="the port (default 8000)")
    serve.set_defaults(handler=command_handler("cmd_serve", "clientdesk.tui.serve"))

    migrate = sub.add_parser(
        "migrate",
        help="copy every record from one store into a new or empty one (file or database)",
    )
    migrate.add_argument(
        "--from", dest="source", required=True, metavar="FILE|URL", help="the store to copy"
    )
    migrate.add_argument(
        "--to", dest="target", required=True, metavar="FILE|URL", help="a new or empty store"
    )
    migrate.set_defaults(handler=command_handler("cmd_migrate"))

    listing = sub.add_parser("list", parents=[common], help="print records")
    listing.add_argument("kind", choices=sorted(kinds.LIST_NAMES))
    listing.add_argument("--project", metavar="KEY", help="only this project")
    listing.add_argument("--json", action="store_true", help="a JSON array of full records")
    listing.set_defaults(handler=command_handler("cmd_list"))

    close = sub.add_parser(
        "close-project",
        parents=[common],
        help="close a project (refused while a closing gate fails)",
    )
    close.add_argument("--project", metavar="KEY", required=True, help="project key")
    how = close.add_mutually_exclusive_group()
    how.add_argument(
        "--override", metavar="REASON", help="close although gates fail; the reason is recorded"
    )
    how.add_argument("--reopen", action="store_true", help="reopen a closed project")
    close.set_defaults(handler=command_handler("cmd_close_project"))

    report = sub.add_parser("report", parents=[common], help="write a project report")
    report.add_argument("--project", metavar="KEY", required=True, help="project key")
    report.add_argument("--closing", action="store_true", help="the closing report")
    report.add_argument("--format", choices=("md", "html"), default="md", help="md or html")
    report.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")
    report.add_argument(
        "--keep", action="store_true", help="keep the status report as issued (next one follows it)"
    )
    report.add_argument("--reopen", metavar="RPT-N", help="print a kept status report as it was")
    report.set_defaults(handler=command_handler("cmd_report"))

    for verb in ("add", "edit"):
        sub.add_parser(
            verb,
            parents=[common],
            help=f"{verb} one record",
            fill=partial(_add_record_kinds, verb, common),
        )

    # What clients receive: invites and feeds, imports, e-mail (each in its own module).
    from clientdesk.tui import ics_commands, import_commands, mail_commands

    for module in (ics_commands, import_commands, mail_commands):
        module.register(sub, common)

    # The project's calendar on a CalDAV server (the caldav package loads when it runs).
    from clientdesk.tui import caldav_commands

    caldav_commands.register(sub, common)
    return parser


def _add_record_kinds(verb: str, common: CommandParser, command: CommandParser) -> None:
    """Give ``add`` or ``edit`` (``command``) a subcommand for each kind of record.

    Their help names each kind's label, which the record models hold: this
    runs only for a command line (or help) that reaches ``add`` or ``edit``.
    """
    by_kind = command.add_subparsers(title="kinds", metavar="KIND", parser_class=CommandParser)
    by_kind.required = True
    for name in kinds.EDIT_NAMES:
        label = kinds.kind_named(name).model.LABEL
        by_kind.add_parser(
            name,
            parents=[common],
            help=f"{verb} a {label}",
            fill=partial(_add_record_options, verb, name),
        )


def _add_record_options(verb: str, name: str, one: CommandParser) -> None:
    """The arguments of ``add NAME`` or ``edit NAME`` (``one``): a key, a project, its fields."""
    from clientdesk.tui.commands import kind_options

    kind = kinds.kind_named(name).model
    if verb == "edit":
        one.add_argument("key", metavar="KEY", help=f"the {kind.LABEL}'s key")
        one.add_argument("--revision", type=int, help="refuse unless at this revision")
    if name != "project":
        one.add_argument("--project", metavar="KEY", required=True, help="project key")
    for option in kind_options(kind, verb):
        if option.switch:
            one.add_argument(
                option.flag,
                dest=option.field,
                help=option.help,
                action=argparse.BooleanOptionalAction,
                default=None,
            )
            continue
        one.add_argument(
            option.flag,
            dest=option.field,
            # Named after the flag, not the field: "--meeting MEETING", not MEETING_IDS.
            metavar=option.flag.removeprefix("--").replace("-", "_").upper(),
            help=option.help,
            action="append" if option.repeatable else "store",
        )
    one.set_defaults(handler=command_handler(f"cmd_{verb}"), record_kind=name)
