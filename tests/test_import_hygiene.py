"""The store never imports the UI: each module, imported alone, leaves Textual out."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import clientdesk.store

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
