"""A one-shot command runs with Python's cyclic garbage collector paused, and gives it back.

A command keeps what it read until it exits: the collector's passes over
those objects freed nothing and were a fifth of ``list --json`` at 50,000
records. An error must not leave the collector off for the caller.
"""

from __future__ import annotations

import argparse
import gc
import json
from pathlib import Path

import pytest

from clientdesk.tui import commands
from clientdesk.tui.cli import main


def test_a_command_runs_with_the_collector_paused_and_gives_it_back(
    demo_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The cyclic collector is off while a command runs, on again after, even after an error."""
    assert gc.isenabled()
    main(["list", "projects", "--json"])
    assert gc.isenabled()
    assert json.loads(capsys.readouterr().out)

    seen: list[bool] = []

    def failing(args: argparse.Namespace) -> int:
        seen.append(gc.isenabled())
        raise KeyError("surprise")

    monkeypatch.setattr(commands, "cmd_list", failing)
    assert main(["list", "projects"]) == 1
    assert seen == [False]
    assert gc.isenabled()
    assert "surprise" in capsys.readouterr().err
