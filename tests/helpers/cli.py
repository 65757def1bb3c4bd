"""One way for tests to run the ``clientdesk`` command line in-process."""

from __future__ import annotations

import pytest

from clientdesk.tui.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``clientdesk ARGV...`` as a user would; return its exit status, stdout and stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
