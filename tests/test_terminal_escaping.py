"""No string from the data file, a colleague or a pasted text reaches a terminal raw.

A colleague's user name (``updated_by``), a hand-edited record, an error that
quotes either: the app and the command line show them with their control
characters as visible escapes (``\\x1b``), and the bytes written to a real
terminal hold no escape sequence that is not the app's own. The last check,
:mod:`clientdesk.tui.output_guard`, has its own tests at the top.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.strip import Strip
from textual.widgets import Input, Label

from clientdesk.store.changes import SeenChange, changes_line
from clientdesk.store.config import read_config
from clientdesk.store.models import ClientRequest
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.text import TERMINAL_CONTROLS, printable
from clientdesk.tui.app import ClientDeskApp, create_app
from clientdesk.tui.cli import main
from clientdesk.tui.cli_output import escaped_output, write_data
from clientdesk.tui.crash_log import internal_error_line
from clientdesk.tui.output_guard import OUTPUT_GUARD, REPLACEMENT, safe_segments
from clientdesk.widgets.conflict_dialog import ConflictDialog
from clientdesk.widgets.request_form import RequestForm
from tests.helpers.terminal import Terminal
from tests.helpers.ui import FIXED_NOW, screen_text, settle
from tests.helpers.waiting import pilot_wait_until
from tests.test_undo_ui import acknowledge_a_new_request, told

pytestmark = pytest.mark.usefixtures("app_now")

HOSTILE_NAME = (
    "M\x1b[2J\x1b[HN"  # clear the screen, cursor home
    "\x1b]52;c;cm0gLXJmIH4=\x07"  # OSC 52: put a command on the clipboard
    "\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\"  # OSC 8: a hyperlink
    "\x1bP+q544e\x1b\\"  # DCS: a terminal query
    "\x9b31m"  # a one-byte CSI (C1)
    "\u202eeviL"  # a bidi override
)
"""A colleague's user name that would take over every terminal that showed it raw."""

SHOWN_NAME = printable(HOSTILE_NAME)
"""How the name shows: every control character as a visible escape."""

FOREIGN_SEQUENCES = [
    b"\x1b[2J",
    b"\x1b]52",
    b"\x1b]8",
    b"\x1bP",
    "\x9b".encode(),
    "\u202e".encode(),
]
"""What the hostile name would send, byte for byte; the app sends none of it itself."""

ESCAPED_START = SHOWN_NAME[:30].encode()
"""The start of the name as the terminal shows it (``M\\x1b[2J\\x1b[HN...``)."""

SGR = re.compile("\x1b\\[[0-9;]*m")


def terminal_output(segments: list[Segment]) -> str:
    """What a line of ``segments`` becomes on the terminal, with its colours taken out."""
    console = Console(file=io.StringIO(), color_system="truecolor", force_terminal=True)
    return SGR.sub("", Strip(segments).render(console))


# -- the output guard --------------------------------------------------------------------


def test_a_clean_line_passes_the_guard_untouched() -> None:
    line = [Segment("REQ-1 ", Style(bold=True)), Segment("Export as CSV · 👩‍💻 café")]
    assert safe_segments(line) is line


@settings(max_examples=40, deadline=None)
@given(
    before=st.text(alphabet="abc ", max_size=5),
    hostile=st.sampled_from([HOSTILE_NAME, "\x00\x07\x08\t\r\x7f", "\u2066\u200f\u2028", "\x85"]),
    after=st.text(alphabet="xyz", min_size=1, max_size=5),
)
def test_the_guard_lets_no_control_character_through_and_keeps_the_line_width(
    before: str, hostile: str, after: str
) -> None:
    line = [Segment(before, Style(color="red")), Segment(hostile), Segment(after, Style(bold=True))]
    width = sum(cell_len(segment.text) for segment in line)

    cleaned = safe_segments(line)

    shown = terminal_output(cleaned)
    assert not TERMINAL_CONTROLS.search(shown), repr(shown)
    assert REPLACEMENT in shown, "what was there can be seen"
    assert shown.startswith(before)
    assert cell_len(shown) == width, "the line keeps the width the layout gave it"


def test_a_hyperlink_whose_address_holds_a_control_character_loses_the_address() -> None:
    planted = Style(link="https://e.example/\x1b]52;c;cm0=\x07")
    fine = Style(link="https://e.example/minutes")

    shown = terminal_output(safe_segments([Segment("minutes", planted), Segment(" ok", fine)]))

    assert "\x1b]52" not in shown and "\x07" not in shown
    assert shown.count("\x1b]8;") == 2, "the sound link keeps its address (open and close)"


# -- escaping where the text is shown ----------------------------------------------------


def test_the_change_line_shows_a_hostile_name_and_key_escaped() -> None:
    change = SeenChange(HOSTILE_NAME, "REQ-1\x1b[2J", "changed", FIXED_NOW)
    line = changes_line([change])
    assert line.startswith(f"{SHOWN_NAME} changed REQ-1\\x1b[2J, ")
    assert not TERMINAL_CONTROLS.search(line)


def test_the_internal_error_line_quotes_the_error_escaped() -> None:
    line = internal_error_line(ValueError(f"title {HOSTILE_NAME!s}"))
    assert SHOWN_NAME in line
    assert not TERMINAL_CONTROLS.search(line)


def test_a_key_with_a_control_character_in_the_config_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keys]\n"pane.requests" = "f2\\u001b[2J"\n', "utf-8")
    loaded = read_config(config)
    assert "pane.requests" not in loaded.config.keys
    assert any("pane.requests" in problem for problem in loaded.problems), loaded.problems


async def test_a_colleagues_hostile_name_shows_escaped_in_the_change_line_undo_and_conflict(
    demo_path: Path,
) -> None:
    """A colleague whose clientdesk did not refuse the name (an older one) saves meanwhile."""
    cleaned_before = OUTPUT_GUARD.lines_cleaned
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        _requests, request = await acknowledge_a_new_request(pilot, app)
        colleague = TinyDBRepository(demo_path, user=HOSTILE_NAME)
        theirs = colleague.snapshot().get(ClientRequest, request.id)
        assert theirs is not None
        colleague.update(theirs.model_copy(update={"owner": "Kim"}))

        line = app.query_one("#change-line", Label)
        await pilot_wait_until(  # the app looks for other saves every second or so
            pilot, lambda: line.display, "the change line to show"
        )
        assert str(line.render()).startswith(f"{SHOWN_NAME} changed {request.key}, ")

        await pilot.press("ctrl+z")
        await settle(pilot)
        refusal = f"cannot undo {request.key} status new → acknowledged: {SHOWN_NAME} changed"
        assert any(refusal in text for text in told(app)), told(app)

        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, RequestForm)
        latest = colleague.snapshot().get(ClientRequest, request.id)
        assert latest is not None
        colleague.update(latest.model_copy(update={"owner": "Lee"}))
        title = app.screen.query_one("#field-title", Input)
        title.focus()
        await pilot.press("end", *" (mine)", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        shown = screen_text(app)  # the long name wraps in the dialog
        assert "\\u202eeviL (kept either way)" in shown and "M\\x1b[2J\\x1b[HN" in shown, shown

        for text in told(app):
            assert not TERMINAL_CONTROLS.search(text), repr(text)
    assert OUTPUT_GUARD.lines_cleaned == cleaned_before, "each place escaped the name itself"


async def test_notifications_are_plain_text_with_their_control_characters_escaped(
    demo_path: Path,
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        app.notify(f"[bold]Saved[/] by {HOSTILE_NAME}\nsecond line", title=HOSTILE_NAME)
        await pilot.pause()
        shown = [n for n in app._notifications if n.title == SHOWN_NAME]
        assert [n.message for n in shown] == [f"[bold]Saved[/] by {SHOWN_NAME}\nsecond line"]
        assert not shown[0].markup, "a message quoting user text is never markup"
        await pilot_wait_until(
            pilot, lambda: "[bold]Saved[/]" in screen_text(app), "the toast to show"
        )
        toast = screen_text(app)  # the toast wraps the long name
        assert "[bold]Saved[/] by" in toast and "M\\x1b[2J\\x1b[HN" in toast, toast


async def test_a_paste_into_a_form_leaves_control_characters_out(demo_path: Path) -> None:
    app: ClientDeskApp = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, RequestForm)
        assert app.screen.record is not None
        edited = app.screen.record
        title = app.screen.query_one("#field-title", Input)
        title.focus()
        title.value = ""
        app.post_message(events.Paste("Invoice\u202e fdp.exe\x1b[2J\x1b]52;c;eA==\x07 copy"))
        await pilot.pause()
        assert title.value == "Invoice fdp.exe[2J]52;c;eA== copy"
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert any("held 4 control characters" in w for w in warnings), warnings
        await pilot.press("ctrl+s")
        await settle(pilot)
    saved = TinyDBRepository(demo_path).snapshot().get(ClientRequest, edited.id)
    assert saved is not None
    assert saved.title == "Invoice fdp.exe[2J]52;c;eA== copy", "saved as it showed"


@pytest.mark.slow  # a real app in a pseudo-terminal
def test_the_app_writes_no_foreign_escape_sequence_to_a_real_terminal(demo_path: Path) -> None:
    """The decisive check: the bytes a terminal receives while a hostile save comes in."""
    terminal = Terminal(demo_path, controlling=False, size=(120, 40))
    try:
        assert terminal.read_until(b"breached"), "hung: the app never showed its data"
        assert terminal.type_and_read_until(b"2", b"REQ-"), "hung: no Requests pane"
        # A colleague hand-edits the shared file: their name and a title of their own.
        shown = TinyDBRepository(demo_path).snapshot().projects()[0]
        data = json.loads(demo_path.read_text("utf-8"))
        request = next(
            r
            for r in data["requests"].values()
            if (r["key"], r["project_id"]) == ("REQ-1", shown.id)
        )
        request.update(
            updated_by=HOSTILE_NAME, revision=request["revision"] + 1, title=f"T{HOSTILE_NAME}"
        )
        edited = demo_path.with_suffix(".edited")
        edited.write_text(json.dumps(data), "utf-8")
        os.replace(edited, demo_path)
        # The change line starts with the name (escaped), longer than the screen is wide.
        assert terminal.read_until(ESCAPED_START), "hung: the change line never came"
        terminal.read_for(0.5)
        terminal.type(b"q")
        assert terminal.end_status() == 0
        terminal.read_for(0.2)
    finally:
        terminal.close()
    seen = bytes(terminal.seen)

    for sequence in FOREIGN_SEQUENCES:
        assert sequence not in seen, f"{sequence!r} reached the terminal"
    assert ESCAPED_START in seen, "the name shows, escaped"
    own = re.sub(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\]22;[a-z-]+\x07", b"", seen)
    assert b"\x1b" not in own, "every escape sequence is a cursor, colour or mode of the app's"


# -- the command line --------------------------------------------------------------------


def test_a_clientdesk_user_with_control_characters_is_refused_at_start(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = TinyDBRepository(demo_path).snapshot().projects()[0]
    before = demo_path.read_bytes()
    monkeypatch.setenv("CLIENTDESK_USER", HOSTILE_NAME)
    for argv in (
        ["add", "request", "--project", project.key, "--title", "From the shell"],
        ["--data", str(demo_path)],  # opening the app
    ):
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2, argv
        assert err == (
            f"clientdesk: CLIENTDESK_USER holds control characters ({SHOWN_NAME}): "
            "set it to a plain name\n"
        )
    assert demo_path.read_bytes() == before


def test_what_a_command_prints_for_people_is_escaped_and_json_stays_exact(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    colleague = TinyDBRepository(demo_path, user=HOSTILE_NAME)
    snapshot = colleague.snapshot()
    project = snapshot.projects()[0]
    request = snapshot.find(ClientRequest, "REQ-1", project.id)
    colleague.update(request.model_copy(update={"title": f"T{HOSTILE_NAME}"}))
    named = "team\x1b]52;c;cm0=\x07\x1b[2J\x9b31m\u202enosj"
    planted = tmp_path / f"{named}.json"  # a data file someone named so
    planted.write_bytes(demo_path.read_bytes())

    assert main(["check", "--data", str(planted)]) == 0
    out = capsys.readouterr().out
    assert f"{printable(named)}.json: sound" in out
    assert not TERMINAL_CONTROLS.search(out.replace("\n", ""))

    assert main(["list", "requests", "--project", project.key, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {r["key"]: r["updated_by"] for r in listed}["REQ-1"] == HOSTILE_NAME, "data is exact"


def test_the_escaping_writer_keeps_line_breaks_and_lets_data_through_exact(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with escaped_output():
        print(f"one {HOSTILE_NAME}\ntwo")
        print("tab\there", file=sys.stderr)
        write_data('{"t": "\u202e"}')
        sys.stdout.flush()
        sys.stdout.buffer.write("\u202e".encode())
    captured = capsys.readouterr()
    assert captured.out == f"one {SHOWN_NAME}\ntwo\n" + '{"t": "\u202e"}' + "\u202e"
    assert captured.err == "tab here\n"
