"""SIGHUP and SIGTERM: the open form's typing is kept and offered back on the next start.

One test runs the real ``clientdesk`` in a pseudo-terminal and hangs it up, as a
dropped SSH connection does; the others drive the app under Pilot.
"""

from __future__ import annotations

import json
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.widgets import Input

from clientdesk.store.drafts import Draft, draft_path, keep_draft, read_draft
from clientdesk.store.models import ClientRequest
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.snapshot import dump_record
from clientdesk.tui.app import create_app
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from clientdesk.widgets.conflict_dialog import ConflictDialog
from clientdesk.widgets.request_form import RequestForm
from tests.helpers.terminal import Terminal, check_data_file, crash_log_text
from tests.helpers.ui import screen_text, settle

pytestmark = pytest.mark.usefixtures("app_now")

STOPPED_AT = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)


def first_request(path: Path) -> ClientRequest:
    """REQ-1 of the first demo project, as stored."""
    snapshot = TinyDBRepository(path).snapshot()
    project = snapshot.projects()[0]
    return snapshot.find(ClientRequest, "REQ-1", project.id)


def draft_of(request: ClientRequest, title: str) -> Draft:
    """A draft of the request form on ``request`` with the title changed to ``title``."""
    values = {
        "type": str(request.type),
        "title": title,
        "description": request.description,
        "received_at": "2026-11-23 07:30",
    }
    return Draft(
        user="tester",
        form="RequestForm",
        kind="requests",
        project_id=request.project_id,
        record=dump_record(request),
        key=request.key,
        values=values,
        stopped_at=STOPPED_AT,
        signal="SIGHUP",
    )


async def test_a_stop_signal_keeps_the_typing_of_the_open_form(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, RequestForm)
        title = app.screen.query_one("#field-title", Input)
        title.focus()
        await pilot.press("end", *" (typed, not saved)")
        before = demo_path.read_bytes()
        app.stop_on_signal("SIGTERM")
        await pilot.pause()
    assert app.return_code == 128 + signal.SIGTERM
    assert demo_path.read_bytes() == before, "nothing unsaved is written to the data file"
    draft = read_draft(demo_path)
    assert draft is not None
    assert (draft.form, draft.key, draft.signal) == ("RequestForm", "REQ-1", "SIGTERM")
    assert draft.values["title"].endswith(" (typed, not saved)")
    assert oct(draft_path(demo_path).stat().st_mode & 0o777) == "0o600"


async def test_no_form_open_leaves_no_draft(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.stop_on_signal("SIGHUP")
        await pilot.pause()
    assert app.return_code == 128 + signal.SIGHUP
    assert read_draft(demo_path) is None


async def test_the_next_start_offers_the_form_back_with_what_was_typed(demo_path: Path) -> None:
    request = first_request(demo_path)
    keep_draft(demo_path, draft_of(request, "Export as CSV, typed before the hang-up"))
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "before your edit of REQ-1 was saved" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, RequestForm)
        assert app.current_pane_id == "requests"
        title = app.screen.query_one("#field-title", Input)
        assert title.value == "Export as CSV, typed before the hang-up"
        assert not draft_path(demo_path).exists(), "offered once it is open again"
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert first_request(demo_path).title == "Export as CSV, typed before the hang-up"


async def test_later_keeps_the_draft_for_the_next_start(demo_path: Path) -> None:
    keep_draft(demo_path, draft_of(first_request(demo_path), "typed"))
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
    assert read_draft(demo_path) is not None


async def test_a_draft_of_a_record_changed_since_meets_the_change_as_a_conflict(
    demo_path: Path,
) -> None:
    request = first_request(demo_path)
    keep_draft(demo_path, draft_of(request, "mine, typed before the hang-up"))
    colleague = TinyDBRepository(demo_path, user="ann")
    colleague.update(request.model_copy(update={"owner": "ann"}))
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        assert "ann" in screen_text(app)
    assert first_request(demo_path).owner == "ann", "theirs stands until the user chooses"


def test_a_draft_is_offered_only_to_who_typed_it(
    demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keep_draft(demo_path, draft_of(first_request(demo_path), "ann's typing"))
    assert read_draft(demo_path) is not None
    monkeypatch.setenv("CLIENTDESK_USER", "bob")
    assert read_draft(demo_path) is None, "bob shares the OS account, not ann's draft"


async def test_what_a_form_cannot_show_again_is_kept_aside_and_named(demo_path: Path) -> None:
    request = first_request(demo_path)
    draft = draft_of(request, "typed")
    draft.values["type"] = "a type this version no longer has"
    keep_draft(demo_path, draft)
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, RequestForm)
        assert app.screen.query_one("#field-title", Input).value == "typed"
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert any(w.startswith("Not put back: type. What you typed") for w in warnings), warnings
    assert read_draft(demo_path) is None, "not offered again"
    kept = list(draft_path(demo_path).parent.glob("*-not-opened-*.json"))
    assert len(kept) == 1
    assert json.loads(kept[0].read_text("utf-8"))["values"]["type"] == draft.values["type"]


async def test_an_unreadable_draft_is_not_offered(demo_path: Path) -> None:
    path = draft_path(demo_path)
    path.parent.mkdir(parents=True)
    path.write_text("{not json", "utf-8")
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
    assert path.read_text("utf-8") == "{not json", "left as it was"


@pytest.mark.slow  # a real app in a pseudo-terminal
@pytest.mark.parametrize("terminal_gone", [False, True], ids=["terminal-open", "terminal-gone"])
def test_hanging_up_the_terminal_keeps_the_form_and_a_sound_file(
    demo_path: Path, terminal_gone: bool
) -> None:
    terminal = Terminal(demo_path, controlling=False)
    try:
        assert terminal.read_until(b"breached"), "hung: the app never showed its data"
        # Each step waits for what the app draws after the keys, never for a time.
        for keys, wanted in [(b"2", b"REQ-"), (b"e", b"Edit request")]:
            assert terminal.type_and_read_until(keys, wanted), (
                f"hung: {keys!r} never drew {wanted!r}"
            )
        assert terminal.type_and_read_until(b"\tHung up mid-edit", b"Hung up mid-edit"), (
            "hung: the typing never showed in the form"
        )
        if terminal_gone:
            # What a dropped SSH connection does: the terminal goes, then the signal.
            terminal.hang_up()
        terminal.process.send_signal(signal.SIGHUP)
        code = terminal.end_status()  # reading as the app restores the terminal
    finally:
        terminal.close()
    seen = terminal.seen
    assert code == 128 + signal.SIGHUP
    assert b"Traceback" not in seen
    assert crash_log_text() == "", "no traceback anywhere"
    draft = read_draft(demo_path)
    assert draft is not None and draft.values["title"] == "Hung up mid-edit"
    check = check_data_file(demo_path)
    assert check.returncode == 0, check.stderr
    assert json.loads(demo_path.read_text("utf-8"))


async def test_nohup_stays_in_force_and_every_signal_gets_its_handling_back(
    demo_path: Path,
) -> None:
    before_term = signal.getsignal(signal.SIGTERM)
    before_hup = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        app = create_app(demo_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN, "nohup is respected"
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
        assert signal.getsignal(signal.SIGTERM) == before_term
    finally:
        signal.signal(signal.SIGHUP, before_hup)
