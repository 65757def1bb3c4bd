"""What clientdesk relies on of Textual's private API behaves as it expects.

:mod:`clientdesk.tui.textual_internals` is the one module that uses it: an
unexpected error ends the app with one line, exit status 1, and no
traceback. A Textual upgrade that renames or changes what it uses fails here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from textual.app import App

from clientdesk.tui.textual_internals import EndsWithOneLine

FAILING_APP = """
import sys
from textual.app import App
from clientdesk.tui.textual_internals import EndsWithOneLine

class Failing(EndsWithOneLine, App[None]):
    def on_mount(self) -> None:
        self.set_timer(0.05, self.fail)

    def fail(self) -> None:
        raise KeyError("surprise")

app = Failing()
app.run(headless=True)
sys.exit(app.return_code)
"""


def test_an_unexpected_error_ends_the_app_with_one_line_and_exit_status_1(
    isolated_environment: Path,
) -> None:
    """Run for real (not under Pilot, which re-raises): what the user's terminal gets."""
    result = subprocess.run(
        [sys.executable, "-c", FAILING_APP], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    printed = "".join(result.stderr.splitlines())  # Rich wraps a long line
    assert printed.startswith("clientdesk: internal error (KeyError: 'surprise'); details in ")
    assert "Traceback" not in result.stderr + result.stdout
    log = Path(printed.rsplit("details in ", 1)[1].strip())
    assert "Traceback" in log.read_text() and "surprise" in log.read_text()


class OwnLine(EndsWithOneLine, App[None]):
    """An app that says its own line."""

    def fatal_error_line(self, error: BaseException) -> str:
        return f"own line: {error}"

    def on_mount(self) -> None:
        raise RuntimeError("boom")


async def test_the_line_is_the_apps_own_and_the_exit_status_is_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = OwnLine()
    with pytest.raises(RuntimeError, match="boom"):  # Pilot re-raises it for tests
        async with app.run_test() as pilot:
            await pilot.pause()
    assert capsys.readouterr().err.strip() == "own line: boom"
    assert app.return_code == 1


def test_a_text_area_is_known_where_textual_defines_it() -> None:
    from textual.widgets import Input, TextArea

    from clientdesk.tui.textual_internals import TEXT_AREA_MODULE, is_text_area

    assert TextArea.__module__ == TEXT_AREA_MODULE
    assert is_text_area(TextArea())
    assert not is_text_area(Input())
