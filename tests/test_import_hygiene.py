"""The store never imports the UI: each module, imported alone, leaves Textual out.

And each command imports what it needs when it runs: the parser, which every
command line builds, imports no command's heavy modules.
"""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import clientdesk.store
from clientdesk.store.repository import TinyDBRepository

STORE_MODULES = sorted(
    f"clientdesk.store.{info.name}" for info in pkgutil.iter_modules(clientdesk.store.__path__)
)


def test_store_has_modules() -> None:
    """Guard against the parametrisation below silently checking nothing."""
    assert "clientdesk.store.repository" in STORE_MODULES
    assert len(STORE_MODULES) >= 8


@pytest.mark.parametrize("module", STORE_MODULES)
def test_store_module_does_not_import_the_ui(module: str) -> None:
    """Imported in a fresh interpreter, no store module pulls in textual, rich or the UI."""
    probe = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich') "
        "or m.startswith(('clientdesk.tui', 'clientdesk.widgets')))\n"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_layers_are_not_top_level_modules() -> None:
    """store, widgets and tui are importable only under the clientdesk package."""
    probe = (
        "import importlib.util, sys\n"
        "sys.path = [p for p in sys.path if p not in ('', '.')]\n"
        "print([n for n in ('store', 'widgets', 'tui') if importlib.util.find_spec(n)])"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd="/"
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("module", ["clientdesk.tui.cli", "clientdesk.tui.app"])
def test_starting_the_app_leaves_pydantic_and_tinydb_out(module: str) -> None:
    """Start-up time: the first screen does not wait for the store's heavy imports.

    ``clientdesk`` imports the CLI and the app before its first paint; pydantic
    (with the record models) and TinyDB cost about 100 ms more, so the app
    imports them in the worker that reads the data file, after that paint. A
    widget or app module that imports the models or the repository at its top
    (rather than under ``TYPE_CHECKING``, or in the method that needs them)
    would bring that cost back.
    """
    probe = (
        f"import sys, {module}\n"
        "print(','.join(sorted(m for m in ('pydantic', 'tinydb', 'dateutil') if m in sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_opening_the_app_from_the_command_line_skips_the_other_commands() -> None:
    """``clientdesk --data FILE`` reaches the app without loading the full parser (pydantic)."""
    probe = (
        "import sys\n"
        "from clientdesk.tui import cli\n"
        "cli.cmd_open = lambda args: 0  # stand-in for the app, which needs a terminal\n"
        "status = cli.main(['--data', 'clientdesk.json'])\n"
        "print(status, 'pydantic' in sys.modules, 'clientdesk.tui.commands' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["0", "False", "False"]


OTHER_COMMANDS_IMPORTS = (
    "icalendar",
    "smtplib",
    "textual",
    "rich",
    "clientdesk.store.ics",
    "clientdesk.store.ics_import",
    "clientdesk.store.ics_reading",
    "clientdesk.store.mail",
    "clientdesk.store.report_mail",
)
"""What only other commands use (invites, imports, e-mail) or the app (Textual, Rich)."""

RUN_AND_NAME_MODULES = (
    "import json, sys\n"
    "from clientdesk.tui.cli import main\n"
    "try:\n"
    "    status = main(sys.argv[1:])\n"
    "except SystemExit as stop:  # --help and --version exit from the parser\n"
    "    status = stop.code\n"
    "print(json.dumps({'status': status, 'modules': sorted(sys.modules)}), file=sys.stderr)\n"
)
"""Run ``clientdesk ARGV`` as the console script does; the last line of stderr names every
module imported by the end."""


def run_and_name_modules(*argv: str) -> tuple[int, str, set[str]]:
    """Run ``clientdesk ARGV`` in a fresh interpreter: its status, stdout and imported modules."""
    result = subprocess.run(
        [sys.executable, "-c", RUN_AND_NAME_MODULES, *argv],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stderr.strip().splitlines()[-1])
    return int(report["status"]), result.stdout, set(report["modules"])


def imported_of(modules: set[str], wanted: tuple[str, ...]) -> list[str]:
    """The modules of ``wanted`` (or inside one of those packages) that were imported."""
    return sorted(m for m in modules if m in wanted or m.startswith(tuple(f"{w}." for w in wanted)))


def test_listing_requests_as_json_imports_no_other_commands_code(demo_path: Path) -> None:
    """``list requests --project KEY --json`` runs without what only other commands need.

    Every command line builds the parser, which knows every command: a
    command that imported its iCalendar, e-mail or import code when it was
    registered would make every other command wait for it (about 100 ms).
    """
    project = TinyDBRepository(demo_path).snapshot().projects()[0]

    status, out, modules = run_and_name_modules(
        "list", "requests", "--project", project.key, "--json"
    )

    assert status == 0
    listed = json.loads(out)
    assert listed and {record["project_key"] for record in listed} == {project.key}
    assert imported_of(modules, OTHER_COMMANDS_IMPORTS) == []
    # Recurrence rules are read when a series is expanded, and no request is one.
    assert "dateutil" not in modules


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["--version"],
        ["list", "--help"],
        ["export-ics", "--help"],
        ["send-report", "-h"],
    ],
)
def test_the_parser_alone_imports_no_record_model(argv: list[str]) -> None:
    """Help, and the parser every command line goes through, need no model, file or e-mail code.

    Only ``add KIND`` and ``edit KIND``, whose options name the models'
    fields, import the models to build their part of the grammar.
    """
    status, out, modules = run_and_name_modules(*argv)

    assert status == 0 and out.startswith(("usage: clientdesk", "clientdesk "))
    heavy = ("pydantic", "tinydb", "dateutil", "email", "clientdesk.store.models")
    assert imported_of(modules, OTHER_COMMANDS_IMPORTS + heavy) == []
