"""The action registry: every key, footer entry, help line and palette entry comes from it.

Also the promises it keeps for the user: the same letter means the same kind of
act in every pane, vim's movement keys never change data, a key that does not
apply says why, and README's key table is the registry's.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.dom import DOMNode

import clientdesk.tui
import clientdesk.widgets
from clientdesk.tui.app import create_app
from clientdesk.tui.keys import help_entries, palette_commands
from clientdesk.widgets.actions import (
    ACTIONS,
    BY_ID,
    PANE_SCOPES,
    ExplainedActions,
    key_table_markdown,
)
from tests.helpers.ui import search_the_palette, settle

pytestmark = pytest.mark.usefixtures("app_now")

README = Path(__file__).parent.parent / "README.md"


def ui_classes() -> list[type[DOMNode]]:
    """Every class of clientdesk's UI that declares bindings of its own."""
    found = []
    for package in (clientdesk.widgets, clientdesk.tui):
        for module_info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{module_info.name}")
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == module.__name__ and "BINDINGS" in vars(cls):
                    found.append(cls)
    return found


def test_every_binding_of_the_ui_is_a_registered_action() -> None:
    classes = ui_classes()
    assert len(classes) >= 20  # the panes, screens and dialogs are all found
    for cls in classes:
        for binding in vars(cls)["BINDINGS"]:
            assert isinstance(binding, Binding), f"{cls.__name__}: {binding!r}"
            action = BY_ID.get(binding.id or "")
            assert action is not None, f"{cls.__name__} binds {binding.key} outside the registry"
            assert binding.key == action.keys
            assert binding.action in (action.run, f"act('{action.id}')")
            if issubclass(cls, ExplainedActions):
                assert action.scope == cls.ACTION_SCOPE or cls.ACTION_SCOPE == ""


def test_ids_are_unique_and_every_key_is_bound_once_per_scope() -> None:
    assert len(BY_ID) == len(ACTIONS)
    seen: dict[tuple[str, str], str] = {}
    for action in ACTIONS:
        for key in filter(None, action.keys.split(",")):
            assert (action.scope, key) not in seen, f"{key} twice in {action.scope}"
            seen[action.scope, key] = action.id


def test_movement_keys_never_change_data() -> None:
    for action in ACTIONS:
        keys = set(action.keys.split(","))
        if keys & {"j", "k", "g", "G"}:
            assert not action.writes, action.id
            assert action.scope not in PANE_SCOPES, action.id  # they belong to tables and lists


def test_the_same_letter_means_the_same_kind_of_act_in_every_pane() -> None:
    kinds = {
        "s": {"calendar.status", "request.next", "risk.next", "closing.tick"},
        "x": {"calendar.cancel", "request.close", "risk.close"},
        "r": {"calendar.restore", "request.reopen", "risk.reopen", "closing.open"},
    }
    for key, ids in kinds.items():
        bound = {
            action.id
            for action in ACTIONS
            if action.scope in PANE_SCOPES and key in action.keys.split(",")
        }
        assert bound == ids
    assert BY_ID["detail.cancel_occurrence"].keys == BY_ID["calendar.cancel"].keys


def test_readme_key_table_is_the_registrys() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- keys:start")
    table = text[text.index("\n", start) + 1 : text.index("<!-- keys:end -->")]
    assert table == key_table_markdown()


@pytest.mark.parametrize(
    ("pane", "wanted"),
    [
        ("1", {"Undo", "Redo", "Send invite", "Export the calendar", "Next status"}),
        ("2", {"Acknowledge", "Resolve", "Reopen", "Reject", "Service levels"}),
        ("3", {"Heat map", "Occurred", "Monitoring", "Close"}),
        ("4", {"Tick", "Close project", "Closing report", "Waive"}),
    ],
    ids=["calendar", "requests", "risks", "closing"],
)
async def test_the_palette_finds_the_panes_actions_and_the_apps(
    demo_path: Path, pane: str, wanted: set[str]
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(pane)
        await settle(pilot)
        names = {command.title for command in palette_commands(app.screen)}
        assert wanted <= names
        assert {"Quit", "Help", "Switch project", "Status report"} <= names
        registered = {action.name for action in ACTIONS}
        assert names <= registered  # nothing in the palette outside the registry


async def test_typing_a_name_in_the_palette_runs_the_action(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3", "ctrl+p")
        await search_the_palette(pilot, "heat map")
        await pilot.press("enter")
        await settle(pilot)
        pane = app.query_one("#risks-pane")
        assert pane.heat_map.has_focus or pane.map_only


async def test_help_lists_the_panes_keys_first_and_only_registered_ones(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        entries = help_entries(app.screen)
        assert entries[0].section == "Requests pane"
        assert all(entry.binding_id in BY_ID for entry in entries)
        sections = list(dict.fromkeys(entry.section for entry in entries))
        assert sections[-1] == "Everywhere"
        await pilot.press("question_mark")
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        body = app.screen.query_one("#help-body")
        assert body.scroll_y == body.max_scroll_y > 0
        await pilot.press("home")
        await pilot.pause()
        assert body.scroll_y == 0
