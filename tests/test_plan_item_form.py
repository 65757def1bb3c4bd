"""The communication plan item form, driven through Pilot in a small app that records the answer."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import Input, Select, SelectionList, Static

from clientdesk.store.enums import Channel
from clientdesk.store.models import CommunicationPlanItem, Contact, Project
from clientdesk.store.snapshot import Snapshot
from clientdesk.widgets.cadence_editor import CadenceEditor
from clientdesk.widgets.plan_item_form import PlanItemForm
from tests.helpers.ui import FIXED_NOW, FormApp, saved_as_is, screen_text, settle
from tests.helpers.ui import fill_input as fill
from tests.helpers.ui import pick_option as choose

BERLIN = ZoneInfo("Europe/Berlin")
SIZES = [(120, 40), (80, 24)]

PROJECT = Project(name="Apollo", timezone="Europe/Berlin")
ADA = Contact(project_id=PROJECT.id, name="Ada Client", email="ada@client.example")
BOB = Contact(project_id=PROJECT.id, name="Bob Sponsor", email="bob@client.example")


def plan_form(record: CommunicationPlanItem | None = None) -> PlanItemForm:
    snapshot = Snapshot.of_records({Contact: [ADA, BOB]})
    return PlanItemForm(record, saved_as_is, project=PROJECT, snapshot=snapshot, now=FIXED_NOW)


@pytest.mark.parametrize("size", SIZES)
async def test_a_plan_item_is_saved_with_its_audience_and_cadence(size: tuple[int, int]) -> None:
    app = FormApp(plan_form())
    async with app.run_test(size=size) as pilot:
        form = app.screen
        await fill(pilot, "#field-title", "Status report")
        await fill(pilot, "#field-purpose", "keep the sponsor informed")
        form.query_one("#field-audience", SelectionList).focus()
        await pilot.press("down", "space")  # the second contact: Bob
        await choose(pilot, form.query_one("#field-channel", Select), "report")
        await fill(pilot, "#field-owner", "Pat")
        await fill(pilot, "#field-first_due", "2026-12-04 16:00")  # a Friday
        editor = form.query_one(CadenceEditor)
        await choose(
            pilot, editor.query_one("#cadence-preset", Select), "monthly on the last Friday"
        )
        await fill(pilot, "#cadence-end", "6")
        assert str(editor.query_one("#cadence-reading", Static).render()).startswith(
            "monthly last Fri"
        )
        await pilot.press("ctrl+s")
        await settle(pilot)

    [item] = app.results
    assert isinstance(item, CommunicationPlanItem)
    assert item.title == "Status report"
    assert item.purpose == "keep the sponsor informed"
    assert item.audience == [BOB.id]
    assert item.channel is Channel.REPORT
    assert item.owner == "Pat"
    assert item.first_due == datetime(2026, 12, 4, 16, 0, tzinfo=BERLIN)
    assert item.cadence is not None
    assert set(item.cadence.split(";")) == {"FREQ=MONTHLY", "BYDAY=-1FR", "COUNT=6"}
    assert item.project_id == PROJECT.id


@pytest.mark.parametrize("size", SIZES)
async def test_a_bad_first_due_and_a_broken_cadence_save_nothing(size: tuple[int, int]) -> None:
    app = FormApp(plan_form())
    async with app.run_test(size=size) as pilot:
        await fill(pilot, "#field-title", "Status report")
        preset = app.screen.query_one("#cadence-preset", Select)
        await choose(pilot, preset, "custom RRULE")
        await fill(pilot, "#cadence-rule", "FREQ=FORTNIGHTLY")
        assert "✗ not a valid RRULE" in str(app.screen.query_one("#cadence-reading").render())
        await fill(pilot, "#field-first_due", "2026-12-40 16:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.results == []
        error = app.screen.query_one("#error-first_due", Static)
        assert (
            str(error.render())
            == "✗ malformed date and time '2026-12-40 16:00' (expected YYYY-MM-DD HH:MM)"
        )
        assert "malformed date and time '2026-12-40 16:00'" in screen_text(app)


async def test_editing_keeps_the_audience_and_recognises_the_preset() -> None:
    item = CommunicationPlanItem(
        project_id=PROJECT.id,
        key="PLN-1",
        title="Weekly call",
        audience=[ADA.id],
        channel=Channel.VIDEO,
        first_due=datetime(2026, 11, 26, 10, 0, tzinfo=BERLIN),
        cadence="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
    )
    app = FormApp(plan_form(item))
    async with app.run_test(size=(120, 40)) as pilot:
        form = app.screen
        assert form.query_one("#field-first_due", Input).value == "2026-11-26 10:00"
        assert form.query_one(CadenceEditor).preset == "fortnightly"
        assert "every second week on Thursday" in screen_text(app)
        await pilot.press("escape")  # nothing changed: closes without asking
        await pilot.pause()

    assert app.results == [None]
