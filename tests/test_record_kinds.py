"""Each kind of record is declared once; the command line, panes and forms agree with it."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest
from textual.widgets import Input

from clientdesk.store import kinds, models
from clientdesk.store.closing import closing_gates
from clientdesk.store.drafts import Draft, keep_draft
from clientdesk.store.models import ChecklistItem, FollowOnAction, LessonLearned, Project, Record
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui import record_kinds
from clientdesk.tui.app import create_app
from clientdesk.tui.cli import main
from clientdesk.widgets import calendar_pane, closing_pane
from clientdesk.widgets.lesson_form import LessonForm
from tests.helpers.ui import FIXED_NOW, settle

README = Path(__file__).parent.parent / "README.md"


def stored_models() -> list[type[Record]]:
    """Every class in the models module that is stored in a table of its own."""
    return [
        cls
        for _, cls in inspect.getmembers(models, inspect.isclass)
        if issubclass(cls, Record) and cls.TABLE
    ]


def test_every_stored_model_is_one_kind() -> None:
    declared = [kind.model for kind in kinds.KINDS]
    for model in stored_models():
        assert declared.count(model) == 1, f"{model.__name__} is declared {declared.count(model)}x"
    assert len(declared) == len(stored_models())
    assert set(models.RECORD_TYPES) == set(declared), "the store reads every kind's table"
    names = [kind.name for kind in kinds.KINDS]
    assert len(set(names)) == len(names)


def test_readme_names_the_kinds_the_command_line_takes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = " ".join(README.read_text("utf-8").split())
    said = re.search(r"`list` takes ([a-z, -]+); `add` and `edit` take ([a-z, -]+)\.", text)
    assert said is not None, "the README lists the kinds of list, add and edit"
    listed, added = (tuple(part.split(", ")) for part in said.groups())
    assert listed == kinds.LIST_NAMES
    assert added == kinds.EDIT_NAMES
    examples = re.findall(r"^clientdesk (list|add|edit) ([a-z-]+)", README.read_text("utf-8"), re.M)
    assert examples, "the README shows list, add and edit"
    for verb, name in examples:
        assert name in (listed if verb == "list" else added), f"clientdesk {verb} {name}"

    with pytest.raises(SystemExit):
        main(["list", "--help"])
    usage = capsys.readouterr().out
    choices = re.search(r"\{([a-z,-]+)\}", usage)
    assert choices is not None
    assert sorted(choices.group(1).split(",")) == sorted(kinds.LIST_NAMES)
    for verb in ("add", "edit"):
        with pytest.raises(SystemExit):
            main([verb, "--help"])
        offered = re.findall(rf"^ {{4}}(\S+) +{verb} an? ", capsys.readouterr().out, re.M)
        assert tuple(offered) == kinds.EDIT_NAMES


def test_each_form_edits_its_own_kind() -> None:
    assert {ui.kind for ui in record_kinds.UI_KINDS} == set(kinds.EDIT_NAMES)
    for ui in record_kinds.UI_KINDS:
        form = record_kinds.form_class(ui)
        assert form.__name__ == ui.form_name
        assert form.RECORD_TYPE is kinds.kind_named(ui.kind).model
        for ref, _ in ui.more_forms:
            module, _, name = ref.partition(":")
            other = getattr(importlib.import_module(module), name)
            assert other.RECORD_TYPE is form.RECORD_TYPE
            assert record_kinds.opener_of_form(name) is not None
        assert record_kinds.opener_of_form(ui.form_name) == (ui, ui.open)
    assert record_kinds.opener_of_form("NoSuchForm") is None


def test_each_kind_is_listed_where_its_pane_has_a_view_for_it() -> None:
    views = {"calendar": set(calendar_pane.VIEWS), "closing": set(closing_pane.VIEWS)}
    for ui in record_kinds.UI_KINDS:
        if ui.pane is None:
            assert not ui.views
            continue
        assert ui.pane in record_kinds.PANES
        assert set(ui.views) <= views.get(ui.pane, set())
    # Every view of a pane with views adds exactly one kind with n.
    for pane_id, pane_views in views.items():
        for view in pane_views:
            new = record_kinds.kind_for_new(pane_id, view)
            assert new is not None and view in new.views, (pane_id, view)
    assert record_kinds.kind_for_new("calendar", "plan") == record_kinds.ui_of("plan")
    assert record_kinds.kind_for_new("calendar", "week") == record_kinds.ui_of("meeting")
    assert record_kinds.kind_for_new("closing", "follow_ons") == record_kinds.ui_of("follow-on")
    assert record_kinds.kind_for_new("requests") == record_kinds.ui_of("request")
    assert record_kinds.kind_for_new("risks") == record_kinds.ui_of("risk")


def test_records_and_blockers_lead_to_the_pane_that_lists_them(demo_path: Path) -> None:
    repository = TinyDBRepository(demo_path)
    project_id = repository.snapshot().projects()[0].id
    # The demo has no lessons or follow-on actions yet.
    repository.add(LessonLearned(project_id=project_id, title="Test data came late"))
    repository.add(FollowOnAction(project_id=project_id, title="Hand over", owner="Pat"))
    snapshot = repository.snapshot()
    expected = {
        "project": None,
        "contact": None,
        "plan": "calendar",
        "meeting": "calendar",
        "request": "requests",
        "risk": "risks",
        "checklist": "closing",
        "lesson": "closing",
        "follow-on": "closing",
    }
    seen: dict[str, str | None] = {}
    for project in snapshot.projects():
        seen["project"] = record_kinds.pane_of(project)
        for kind in kinds.KINDS[1:]:
            for record in snapshot.of_project(kind.model, project.id):
                seen[kind.name] = record_kinds.pane_of(record)
    assert seen == expected
    blockers = [
        blocker
        for project in snapshot.projects()
        for gate in closing_gates(snapshot, project, FIXED_NOW)
        for blocker in gate.blockers
    ]
    assert {blocker.kind for blocker in blockers} >= {"request", "risk", "checklist"}
    for blocker in blockers:
        model = kinds.kind_named(blocker.kind).model
        found = snapshot.get(model, blocker.record_id)
        assert found is not None
        place = record_kinds.place_of_kind(blocker.kind)
        assert place is not None and place[0] == record_kinds.pane_of(found)
        assert record_kinds.BLOCKER_PANES[blocker.kind] == place[0]


def test_a_new_checklist_item_goes_to_the_end(demo_path: Path) -> None:
    snapshot = TinyDBRepository(demo_path).snapshot()
    project = snapshot.projects()[0]
    last = max(item.position for item in snapshot.of_project(ChecklistItem, project.id))
    checklist = record_kinds.ui_of("checklist")
    lesson = record_kinds.ui_of("lesson")
    assert checklist is not None and lesson is not None
    fixed = record_kinds.fixed_for_new(checklist, project, snapshot)
    assert fixed == {"project_id": project.id, "position": last + 1}
    assert record_kinds.fixed_for_new(lesson, project, snapshot) == {"project_id": project.id}


async def test_a_draft_of_a_new_lesson_opens_in_the_closing_pane(demo_path: Path) -> None:
    project: Project = TinyDBRepository(demo_path).snapshot().projects()[0]
    keep_draft(
        demo_path,
        Draft(
            user="tester",
            form="LessonForm",
            kind=LessonLearned.TABLE,
            project_id=project.id,
            record=None,
            key="",
            values={"title": "Test data came late"},
            stopped_at=FIXED_NOW,
            signal="SIGHUP",
        ),
    )
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, LessonForm)
        assert app.current_pane_id == "closing"
        assert app.screen.query_one("#field-title", Input).value == "Test data came late"
