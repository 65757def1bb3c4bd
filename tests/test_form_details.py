"""The details of forms and dialogs a user meets on every visit.

The rule a cadence preset wrote is text the focus passes by; fields show
their start once left; a ticked option reads differently from an unticked
one without colour; the tab bar fits 80 columns whatever the counts; toasts
cover neither the status line nor a dialog; long text keeps its lines.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual import events
from textual.screen import Screen
from textual.widgets import Input, Select, TabbedContent, TextArea

from clientdesk.store.enums import Priority, RiskKind
from clientdesk.store.models import ClientRequest, CommunicationPlanItem, Contact, Project, Risk
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.snapshot import Snapshot
from clientdesk.store.write_rules import Change
from clientdesk.tui.app import create_app
from clientdesk.widgets.cadence_editor import CadenceEditor
from clientdesk.widgets.help_screen import HelpScreen
from clientdesk.widgets.meeting_form import MeetingForm
from clientdesk.widgets.plan_item_form import PlanItemForm
from clientdesk.widgets.request_form import RequestForm
from clientdesk.widgets.tab_titles import fit_tab_titles, tab_bar_width
from tests.helpers.ui import (
    FIXED_NOW,
    FormApp,
    fill_input,
    pick_option,
    saved_as_is,
    screen_text,
    settle,
)

PROJECT = Project(name="Apollo", timezone="Europe/Berlin", organiser_name="Pat Lead")
ADA = Contact(project_id=PROJECT.id, name="Ada Client", email="ada@client.example")
BOB = Contact(project_id=PROJECT.id, name="Bob Sponsor", email="bob@client.example")
SNAPSHOT = Snapshot.of_records({Contact: [ADA, BOB]})
LONG = "The client's DBA needs read access to the staging database before the demo"


def meeting_form() -> MeetingForm:
    return MeetingForm(None, saved_as_is, project=PROJECT, snapshot=SNAPSHOT, now=FIXED_NOW)


def request_form(record: ClientRequest | None = None) -> RequestForm:
    return RequestForm(record, saved_as_is, project=PROJECT, snapshot=SNAPSHOT, now=FIXED_NOW)


# -- the rule line ----------------------------------------------------------------------


async def test_tabbing_past_a_presets_rule_and_typing_a_location_keeps_the_rule() -> None:
    app = FormApp(meeting_form())
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.screen.query_one(CadenceEditor)
        preset = editor.query_one("#cadence-preset", Select)
        await pick_option(pilot, preset, "weekly on Tuesday")  # the start is Tue 24 Nov
        assert "FREQ=WEEKLY;BYDAY=TU" in screen_text(app), "the rule shows, as text"

        await pilot.press("tab", "tab")  # past the end of the series: the next field
        assert app.focused is app.screen.query_one("#field-location")
        await pilot.press(*"Room 4")
        await pilot.pause()
        assert editor.rule == "FREQ=WEEKLY;BYDAY=TU"
        assert app.screen.query_one("#field-location", Input).value == "Room 4"
        assert "FREQ=WEEKLY;BYDAY=TU" in screen_text(app)


async def test_custom_turns_the_rule_into_an_input_that_starts_from_the_presets_rule() -> None:
    app = FormApp(meeting_form())
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.screen.query_one(CadenceEditor)
        preset = editor.query_one("#cadence-preset", Select)
        rule = editor.query_one("#cadence-rule", Input)
        await pick_option(pilot, preset, "weekly on Tuesday")
        assert not rule.display and rule not in app.screen.focus_chain

        await pick_option(pilot, preset, "custom RRULE")
        assert rule.display and rule.value == "FREQ=WEEKLY;BYDAY=TU"
        await pilot.press("tab")
        assert app.focused is rule
        await pilot.press("end", *";INTERVAL=2")
        await pilot.pause()
        assert editor.rule == "FREQ=WEEKLY;BYDAY=TU;INTERVAL=2"
        assert "every 2 weeks" in str(editor.query_one("#cadence-reading").render())


# -- fields from their start -------------------------------------------------------------


@pytest.mark.parametrize("field", ["#field-location", ".agenda-title"])
async def test_a_long_value_shows_from_its_start_once_the_field_is_left(field: str) -> None:
    app = FormApp(meeting_form())
    async with app.run_test(size=(80, 24)) as pilot:
        if field == ".agenda-title":  # a row of the agenda editor: a compact input
            app.screen.query_one("#agenda-add").focus()
            await pilot.press("enter")
            await pilot.pause()
        box = app.screen.query_one(field, Input)
        box.focus()
        await pilot.pause()
        box.post_message(events.Paste(LONG[:-1]))  # pasted, then its last letter typed
        await pilot.press(LONG[-1])
        await pilot.pause()
        assert box.scroll_offset.x > 0, "while typing, the end of the value shows"

        await pilot.press("tab")
        await pilot.pause()
        assert not box.has_focus
        assert box.scroll_offset.x == 0
        assert "The client's DBA needs" in screen_text(app)
        assert box.value == LONG


# -- tick marks --------------------------------------------------------------------------


async def test_ticked_and_unticked_audience_read_differently_without_colour() -> None:
    item = CommunicationPlanItem(
        project_id=PROJECT.id, title="Status report", audience=[ADA.id], first_due=FIXED_NOW
    )
    form = PlanItemForm(item, saved_as_is, project=PROJECT, snapshot=SNAPSHOT, now=FIXED_NOW)
    app = FormApp(form)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "[x] Ada Client" in text and "[ ] Bob Sponsor" in text
        assert "▐X▌" not in text

        app.screen.query_one("#field-audience").focus()
        await pilot.press("down", "space")  # Bob
        await pilot.pause()
        assert "[x] Bob Sponsor" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
    [saved] = app.results
    assert isinstance(saved, CommunicationPlanItem)
    assert set(saved.audience) == {ADA.id, BOB.id}


# -- the tab bar -------------------------------------------------------------------------


def test_the_titles_shorten_all_alike_and_only_as_far_as_needed() -> None:
    variants = {
        "calendar": ("Calendar",),
        "requests": ("Requests · 120 breached", "Requests · 120!", "Requests 120!"),
        "risks": ("Risks · 130 top · 140 overdue", "Risks · 130 top · 140!", "Risks 130/140!"),
    }
    assert fit_tab_titles(variants, 200)["requests"] == "Requests · 120 breached"
    narrow = fit_tab_titles(variants, 60)
    assert narrow == {
        "calendar": "Calendar",
        "requests": "Requests · 120!",
        "risks": "Risks · 130 top · 140!",
    }
    assert tab_bar_width(narrow) <= 60
    assert fit_tab_titles(variants, 10)["risks"] == "Risks 130/140!", "the shortest at worst"


def add_many_alerts(path: Path) -> Project:
    """Add 120 breached requests and 110 top risks overdue for review to the first project."""
    repo = TinyDBRepository(path)
    project = repo.snapshot().projects()[0]
    long_ago = FIXED_NOW - timedelta(days=30)
    requests = [
        ClientRequest(
            project_id=project.id, title=f"Urgent {n}", priority=Priority.P1, received_at=long_ago
        )
        for n in range(120)
    ]
    risks = [
        Risk(
            project_id=project.id,
            title=f"Risk {n}",
            kind=RiskKind.THREAT,
            probability=5,
            impact=5,
            next_review=long_ago.date(),
        )
        for n in range(110)
    ]
    repo.apply([Change.add(record) for record in [*requests, *risks]])
    return project


def tab_bar(app_text: str) -> str:
    return next(line for line in app_text.splitlines() if "Calendar" in line)


@pytest.mark.usefixtures("app_now")
async def test_every_tab_shows_whole_at_80_columns_with_counts_in_the_hundreds(
    demo_path: Path,
) -> None:
    add_many_alerts(demo_path)
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        tabs = app.query_one("#panes", TabbedContent)
        titles = [tabs.get_tab(pane).label_text for pane in ("calendar", "requests", "risks")]
        assert titles == ["Calendar", "Requests · 123!", "Risks · 114 top · 112!"]
        bar = tab_bar(screen_text(app))
        for title in [*titles, tabs.get_tab("closing").label_text]:
            assert title in bar, f"{title!r} cut in {bar!r}"

        await pilot.resize_terminal(120, 30)
        await pilot.pause()
        assert tabs.get_tab("requests").label_text == "Requests · 123 breached"
        assert "Risks · 114 top · 112 overdue" in tab_bar(screen_text(app))

        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert tabs.get_tab("requests").label_text == "Requests · 123!"
        assert "Closing · " in tab_bar(screen_text(app))


# -- toasts ------------------------------------------------------------------------------


@pytest.mark.usefixtures("app_now")
async def test_toasts_cover_neither_the_status_line_nor_the_help(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        status = app.query_one("#calendar-pane").query_one("#pane-status")
        app.notify("A message long enough to take two lines of a toast at 80 columns")
        await pilot.pause()
        [toast] = app.screen.query("Toast")
        assert toast.region.height > 0
        assert not toast.region.overlaps(status.region)
        assert not toast.region.overlaps(app.query_one("KeyFooter").region)

        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        app.notify("Another message")
        await pilot.pause()
        help_box = app.screen.query_one("#help-box")
        toasts = list(app.screen.query("Toast"))
        assert toasts and all(t.region.height > 0 for t in toasts)
        assert not any(t.region.overlaps(help_box.region) for t in toasts)
        assert "Another message" in screen_text(app)


@pytest.mark.usefixtures("app_now")
async def test_a_toast_up_when_a_dialog_opens_is_drawn_once(demo_path: Path) -> None:
    """The screen under a dialog shows through it: its copy of a toast must not."""
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        main_screen = app.screen
        app.notify("Cancelled MTG-1 on Mon 07 Dec 10:00")
        await pilot.pause()
        assert _toasts_shown(main_screen) == 1

        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "Cancelled MTG-1" in screen_text(app)
        assert _toasts_shown(main_screen) == 0

        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is main_screen
        assert _toasts_shown(main_screen) == 1


def _toasts_shown(screen: Screen[object]) -> int:
    return sum(1 for holder in screen.query("ToastHolder") if holder.display)


# -- text of several lines ---------------------------------------------------------------


async def test_a_description_keeps_its_lines_and_tab_moves_on() -> None:
    app = FormApp(request_form())
    async with app.run_test(size=(80, 24)) as pilot:
        await fill_input(pilot, "#field-title", "Export as PDF")
        await fill_input(pilot, "#field-description", "Steps:\n1. open the report\n2. export")
        description = app.screen.query_one("#field-description", TextArea)
        assert description.document.line_count == 3
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#field-requester_id"), "tab is not trapped"
        await pilot.press("ctrl+s")
        await settle(pilot)
    [saved] = app.results
    assert isinstance(saved, ClientRequest)
    assert saved.description == "Steps:\n1. open the report\n2. export"

    again = FormApp(request_form(saved))
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = again.screen.query_one("#field-description", TextArea)
        assert shown.text == saved.description
        assert "1. open the report" in screen_text(again)
        assert isinstance(again.screen, RequestForm) and not again.screen.has_changes
