"""Two people on one data file: the app shows who changed what, and a delete that meets a
colleague's newer version asks again."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Label

from clientdesk.store.models import Meeting
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui.app import create_app
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from tests.helpers.ui import screen_text, settle
from tests.helpers.waiting import pilot_wait_until
from tests.test_calendar_pane import cursor_to

pytestmark = pytest.mark.usefixtures("app_now")


def renamed(path: Path, key: str, title: str, user: str = "ann") -> Meeting:
    """Another process (``user``) renames the meeting ``key``."""
    other = TinyDBRepository(path, user=user)
    meeting = other.snapshot().find(Meeting, key)
    return other.update(meeting.model_copy(update={"title": title}))


async def test_a_colleagues_save_shows_within_two_seconds_with_who_and_what(
    calendar_path: Path,
) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        line = app.query_one("#change-line", Label)
        assert not line.display, "nothing to say before anyone else saved"
        saved = renamed(calendar_path, "MTG-3", "Design review (moved room)")
        await pilot_wait_until(
            pilot,
            lambda: "Design review (moved room)" in screen_text(app),
            "the colleague's save to show",
        )
        assert line.display
        assert f"ann changed MTG-3, {saved.updated_at.astimezone():%H:%M}" in str(line.render())


async def test_deleting_what_a_colleague_just_changed_asks_again(calendar_path: Path) -> None:
    app = create_app(calendar_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await cursor_to(pilot, app, "MTG-3", "24 10:00")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        renamed(calendar_path, "MTG-3", "Design review, agenda agreed")
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog), "asked again"
        assert "MTG-3 was changed by ann" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert TinyDBRepository(calendar_path).snapshot().find(Meeting, "MTG-3")

        await cursor_to(pilot, app, "MTG-3", "24 10:00")
        await pilot.press("d", "y")
        await settle(pilot)
    keys = {m.key for m in TinyDBRepository(calendar_path).snapshot().all(Meeting)}
    assert "MTG-3" not in keys


async def test_a_project_a_colleague_deletes_gives_way_to_another_with_a_notice(
    demo_path: Path,
) -> None:
    from clientdesk.store.models import Project

    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = app.current_project
        assert shown is not None
        other = TinyDBRepository(demo_path, user="ann")
        doomed = other.snapshot().get(Project, shown.id)
        assert doomed is not None
        other.delete(doomed)
        await pilot_wait_until(
            pilot,
            lambda: app.current_project is not None and app.current_project.id != shown.id,
            "the app to leave the deleted project",
        )
        await settle(pilot)
        assert app.current_project is not None and app.current_project.id != shown.id
        told = [n.message for n in app._notifications]
        assert f"Project {shown.key} was deleted by someone else." in told
