"""The Risks pane driven through Pilot: the form, status moves, delete, filters and the heat map."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Label, Select, Static, TabbedContent

from clientdesk.store.models import ClientRequest, Meeting, Project, Risk
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui.app import ClientDeskApp, create_app
from clientdesk.widgets.calendar_pane import CalendarPane
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from clientdesk.widgets.follow_up_dialog import FollowUpDialog
from clientdesk.widgets.reason_dialog import ReasonDialog
from clientdesk.widgets.record_table import RecordTable
from clientdesk.widgets.risk_form import RiskForm
from clientdesk.widgets.risks_pane import RisksPane
from tests.helpers.ui import FIXED_NOW, choose_option, move_cursor_to, screen_text, settle

pytestmark = pytest.mark.usefixtures("app_now")


def stored_risks(path: Path) -> list[Risk]:
    """The risks of the first demo project, as stored."""
    snapshot = TinyDBRepository(path).snapshot()
    project = snapshot.projects()[0]
    return snapshot.of_project(Risk, project.id)


def pane(app: ClientDeskApp) -> RisksPane:
    """The Risks pane."""
    return app.query_one(RisksPane)


def table(app: ClientDeskApp) -> RecordTable[Risk]:
    """The table of the Risks pane."""
    return app.query_one("#risk-table", RecordTable)


async def open_risks(pilot: Pilot[None]) -> None:
    """Wait for the data and show the Risks pane."""
    await settle(pilot)
    await pilot.press("3")
    await pilot.pause()


async def put_cursor_on(pilot: Pilot[None], key: str) -> Risk:
    """Move the table's cursor to the risk with ``key`` with the arrow keys."""
    assert isinstance(pilot.app, ClientDeskApp)
    return await move_cursor_to(pilot, table(pilot.app), key)


async def choose(pilot: Pilot[None], field: str, steps: int) -> None:
    """Open the Select of ``field`` and move ``steps`` options down (up when negative)."""
    await choose_option(pilot, field, steps)


async def test_the_table_is_sorted_by_score_highest_first(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_risks(pilot)
        shown = [(risk.score, int(risk.key.split("-")[1])) for risk in table(app).records]
        assert shown == sorted(shown, key=lambda pair: (-pair[0], pair[1]))
        assert len(shown) == len(stored_risks(demo_path))


async def test_new_risk_typed_with_the_keys_is_stored_and_shown(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_risks(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, RiskForm)
        assert "Because of" in screen_text(app) and "may happen," in screen_text(app)
        assert "possible: 30-50 % likely" in screen_text(app), "level meanings are shown"
        await pilot.press("tab", *"Vendor [b]goes[/b] bust", "tab", *"one supplier")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RiskForm)
        assert "Vendor [b]goes[/b] bust" in screen_text(app)
        assert table(app).selected_record is not None
        assert table(app).selected_record.title == "Vendor [b]goes[/b] bust"
    (risk,) = [r for r in stored_risks(demo_path) if r.title.startswith("Vendor")]
    assert (risk.cause, risk.probability, risk.impact, risk.response) == (
        "one supplier",
        3,
        3,
        "mitigate",
    )
    assert risk.updated_by == "tester" and risk.history == []


async def test_changing_the_impact_changes_band_heat_map_and_history(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_risks(pilot)
        heat_map = pane(app).heat_map
        assert heat_map.display, "the map is beside the table at 120 columns"
        before = heat_map.counts()
        risk = await put_cursor_on(pilot, "RSK-3")
        assert (risk.probability, risk.impact, risk.band) == (4, 1, "low")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, RiskForm)
        history = app.screen.query_one("#risk-history", Static)
        assert "no change of probability or impact yet" in str(history.render())
        await choose(pilot, "impact", 4)  # 1 very low -> 5 very high
        assert "severe" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        saved = next(r for r in table(app).records if r.key == "RSK-3")
        assert (saved.impact, saved.score, saved.band) == (5, 20, "critical")
        assert table(app).records[0].score >= 20, "it moved up the table"
        after = heat_map.counts()
        assert after[(4, 1)] == before[(4, 1)] - 1
        assert after[(4, 5)] == before[(4, 5)] + 1
        await put_cursor_on(pilot, "RSK-3")
        await pilot.press("e")
        await pilot.pause()
        history = str(app.screen.query_one("#risk-history", Static).render())
        assert "tester" in history and "P4 I1" in history and "P4 I5" in history
    (stored,) = [r for r in stored_risks(demo_path) if r.key == "RSK-3"]
    assert [(h.old_impact, h.impact, h.score) for h in stored.history] == [(1, 5, 20)]


async def test_delete_asks_first(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_risks(pilot)
        await put_cursor_on(pilot, "RSK-2")
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert "RSK-2" in {r.key for r in stored_risks(demo_path)}
        await pilot.press("d", "y")
        await settle(pilot)
        assert "RSK-2" not in {r.key for r in table(app).records}
    assert "RSK-2" not in {r.key for r in stored_risks(demo_path)}


async def test_status_moves_and_closing_needs_a_reason(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_risks(pilot)
        risk = await put_cursor_on(pilot, "RSK-1")
        assert risk.status == "open"
        await pilot.press("s")  # the next status: open → monitoring
        await settle(pilot)
        assert table(app).selected_record is not None
        assert table(app).selected_record.status == "monitoring"
        assert "RSK-1: open → monitoring (ctrl+z undoes)." in [
            str(n.message) for n in app._notifications
        ]
        await pilot.press("O")
        await settle(pilot)
        assert isinstance(app.screen, FollowUpDialog), "occurred: a linked request is offered"
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press("enter")  # no reason: refused, the dialog stays
        await pilot.pause()
        assert isinstance(app.screen, ReasonDialog)
        assert "a reason is needed" in screen_text(app)
        await pilot.press(*"Workshop moved", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, ReasonDialog)
        (stored,) = [r for r in stored_risks(demo_path) if r.key == "RSK-1"]
        assert (stored.status, stored.close_reason) == ("closed", "Workshop moved")
        await pilot.press("r")
        await settle(pilot)
    (stored,) = [r for r in stored_risks(demo_path) if r.key == "RSK-1"]
    assert stored.status == "open" and stored.revision == 5


async def test_escape_in_the_reason_dialog_closes_nothing(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_risks(pilot)
        await put_cursor_on(pilot, "RSK-1")
        await pilot.press("x", *"half", "escape")
        await settle(pilot)
    (stored,) = [r for r in stored_risks(demo_path) if r.key == "RSK-1"]
    assert stored.status == "open" and stored.revision == 1


async def test_the_response_list_follows_the_kind(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_risks(pilot)
        await pilot.press("n")
        await pilot.pause()
        response = app.screen.query_one("#field-response", Select)
        threat_options = [value for _, value in response._options]
        assert threat_options == ["avoid", "mitigate", "transfer", "accept", "escalate"]
        await choose(pilot, "kind", 1)  # threat -> opportunity
        options = [value for _, value in response._options]
        assert options == ["exploit", "enhance", "share", "accept", "escalate"]
        assert response.value == "exploit", "mitigate does not fit an opportunity"
        await choose(pilot, "response", 3)  # accept
        await choose(pilot, "kind", -1)  # back to threat: accept fits both, so it stays
        assert response.value == "accept"


async def test_residual_above_inherent_is_refused_beside_the_reason(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_risks(pilot)
        before = len(stored_risks(demo_path))
        await pilot.press("n", "tab", *"Residual test")
        await choose(pilot, "residual_probability", 5)  # not set -> 5
        await choose(pilot, "residual_impact", 5)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RiskForm), "refused: the form stays open"
        error = app.screen.query_one("#error-residual_reason", Static)
        assert error.has_class("-shown")
        assert "above the inherent score 9" in str(error.render())
        assert len(stored_risks(demo_path)) == before
        app.screen.query_one("#field-residual_reason", Input).focus()
        await pilot.press(*"the fix adds a supplier", "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RiskForm)
    (risk,) = [r for r in stored_risks(demo_path) if r.title == "Residual test"]
    assert (risk.residual_score, risk.residual_reason) == (25, "the fix adds a supplier")


async def test_quick_filters(demo_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENTDESK_USER", "Sam Lee")
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_risks(pilot)
        every = table(app).records
        status = pane(app).query_one("#pane-status", Label)
        assert "high or critical" in str(status.render()) and "overdue" in str(status.render())
        await pilot.press("f")
        assert {r.kind for r in table(app).records} == {"threat"}
        assert "showing threats" in str(status.render())
        await pilot.press("f")
        assert {r.kind for r in table(app).records} == {"opportunity"}
        assert pane(app).heat_map.kind == "opportunity", "the map follows the kind filter"
        await pilot.press("f")
        mine = table(app).records
        assert mine == [r for r in every if r.owner == "Sam Lee"]
        await pilot.press("f")
        overdue = table(app).records
        assert overdue
        assert overdue == [r for r in every if r.review_overdue(FIXED_NOW.date())]
        await pilot.press("f")
        assert table(app).records == every


async def test_heat_map_cell_filters_the_table_at_80x24(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_risks(pilot)
        heat_map = pane(app).heat_map
        assert not heat_map.display, "no room beside the table at 80 columns"
        await pilot.press("h")
        await pilot.pause()
        assert heat_map.display and heat_map.has_focus
        assert not table(app).display
        assert "Threats · inherent" in screen_text(app)
        counts = heat_map.counts()
        cell = max(counts, key=lambda c: (counts[c], c))
        probability, impact = heat_map.cursor
        await pilot.press(*(["up"] * (cell[0] - probability) or ["down"] * (probability - cell[0])))
        await pilot.press(*(["right"] * (cell[1] - impact) or ["left"] * (impact - cell[1])))
        assert heat_map.cursor == cell
        await pilot.press("enter")
        await pilot.pause()
        assert table(app).display, "the table comes back, showing the cell's risks"
        shown = table(app).records
        assert len(shown) == counts[cell]
        assert all((r.probability, r.impact) == cell and r.kind == "threat" for r in shown)
        await pilot.press("escape")
        await pilot.pause()
        assert len(table(app).records) == len(stored_risks(demo_path))


async def test_heat_map_toggles_residual_and_kind(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_risks(pilot)
        heat_map = pane(app).heat_map
        risks = [r for r in stored_risks(demo_path) if r.status != "closed"]
        assert sum(heat_map.counts().values()) == sum(r.kind == "threat" for r in risks)
        await pilot.press("v")
        assert heat_map.residual and "Threats · residual" in screen_text(app)
        assert set(heat_map.counts()) == {
            (r.residual_probability, r.residual_impact) for r in risks if r.kind == "threat"
        }
        await pilot.press("t")
        assert "Opportunities · residual" in screen_text(app)
        assert sum(heat_map.counts().values()) == sum(r.kind == "opportunity" for r in risks)


@pytest.mark.usefixtures("no_polling")
async def test_a_status_move_on_a_stale_risk_is_made_to_the_new_version(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_risks(pilot)
        risk = await put_cursor_on(pilot, "RSK-1")
        other = TinyDBRepository(demo_path, user="colleague")
        theirs = other.snapshot().get(Risk, risk.id)
        assert theirs is not None
        other.update(theirs.model_copy(update={"owner": "Someone else"}))
        await pilot.press("s")
        await settle(pilot)
        messages = [(n.severity, str(n.message)) for n in app._notifications]
        assert (
            "information",
            "RSK-1 was changed by colleague meanwhile; "
            "your change was made to the new version (ctrl+z undoes).",
        ) in messages
    (stored,) = [r for r in stored_risks(demo_path) if r.key == "RSK-1"]
    assert (stored.status, stored.owner) == ("monitoring", "Someone else")


async def test_an_occurred_risk_offers_a_linked_request(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_risks(pilot)
        risk = await put_cursor_on(pilot, "RSK-4")
        await pilot.press("O")
        await settle(pilot)
        assert isinstance(app.screen, FollowUpDialog)
        assert "RSK-4 occurred" in screen_text(app)
        await pilot.press("r")
        await settle(pilot)
        assert table(app).selected_record is not None
        assert table(app).selected_record.key == "RSK-4", "the cursor stays on the risk"
    snapshot = TinyDBRepository(demo_path).snapshot()
    project = snapshot.projects()[0]
    (raised,) = [r for r in snapshot.of_project(ClientRequest, project.id) if r.risk_ids]
    assert raised.risk_ids == [risk.id]
    assert raised.title == f"Risk occurred: {risk.title}"
    assert raised.type == "change_request" and raised.priority == "P2"
    assert raised.owner == risk.owner and "RSK-4 occurred." in raised.description


def stored(path: Path, kind: type[Meeting] | type[ClientRequest]) -> list[Meeting | ClientRequest]:
    """The records of ``kind`` of the first demo project, as stored."""
    snapshot = TinyDBRepository(path).snapshot()
    return list(snapshot.of_project(kind, snapshot.projects()[0].id))


async def test_an_occurred_risk_offers_a_linked_meeting(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_risks(pilot)
        requests_before = stored(demo_path, ClientRequest)
        risk = await put_cursor_on(pilot, "RSK-4")
        await pilot.press("O")
        await settle(pilot)
        assert isinstance(app.screen, FollowUpDialog)
        text = screen_text(app)
        assert "Request (r)" in text and "Meeting (m)" in text and "Neither (n)" in text
        await pilot.press("m")
        await settle(pilot)
        assert not isinstance(app.screen, FollowUpDialog)
        (raised,) = [m for m in stored(demo_path, Meeting) if m.risk_ids]
        assert isinstance(raised, Meeting)
        assert any(
            f"Raised {raised.key} (Calendar pane)" in str(n.message) for n in app._notifications
        )
        assert table(app).selected_record is not None
        assert table(app).selected_record.key == "RSK-4", "the cursor stays on the risk"
        await pilot.press("1")
        await pilot.pause()
        calendar = app.query_one(CalendarPane)
        meetings = calendar.query_one("#meeting-table", RecordTable)
        assert raised.id in {m.id for m in meetings.records}
        # A draft on the next working day: on the agenda of the weeks ahead.
        assert any(
            entry.occurrence is not None and entry.occurrence.meeting.id == raised.id
            for entry in calendar.agenda
        )
    assert stored(demo_path, ClientRequest) == requests_before, "no request as well"
    snapshot = TinyDBRepository(demo_path).snapshot()
    project = snapshot.get(Project, risk.project_id)
    assert project is not None
    assert raised.risk_ids == [risk.id] and raised.project_id == risk.project_id
    assert raised.title == f"Risk occurred: {risk.title}"
    assert (raised.kind, raised.status, raised.duration_minutes) == ("review", "draft", 60)
    assert raised.timezone == project.timezone
    assert (raised.organiser_name, raised.organiser_email) == (
        project.organiser_name,
        project.organiser_email,
    )
    # FIXED_NOW is a Monday: the next working day is Tuesday, at 10:00 where the project is.
    local_start = raised.start.astimezone(ZoneInfo(project.timezone))
    assert (local_start.date(), local_start.hour, local_start.minute) == (
        (FIXED_NOW + timedelta(days=1)).date(),
        10,
        0,
    )


@pytest.mark.parametrize("answer", ["n", "escape"])
async def test_neither_raises_nothing_for_an_occurred_risk(demo_path: Path, answer: str) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_risks(pilot)
        meetings, requests = stored(demo_path, Meeting), stored(demo_path, ClientRequest)
        await put_cursor_on(pilot, "RSK-4")
        await pilot.press("O")
        await settle(pilot)
        assert isinstance(app.screen, FollowUpDialog)
        await pilot.press(answer)
        await settle(pilot)
        assert not isinstance(app.screen, FollowUpDialog)
    assert stored(demo_path, Meeting) == meetings
    assert stored(demo_path, ClientRequest) == requests
    (risk,) = [r for r in stored_risks(demo_path) if r.key == "RSK-4"]
    assert risk.status == "occurred"


def risks_tab(app: ClientDeskApp) -> str:
    """The title of the Risks tab, as shown."""
    return app.query_one("#panes", TabbedContent).get_tab("risks").label_text


async def test_the_risks_tab_counts_top_risks_and_overdue_reviews(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)  # the Calendar pane is on show: the Risks tab counts anyway
        live = [r for r in stored_risks(demo_path) if r.status != "closed"]
        top = sum(r.band in ("high", "critical") for r in live)
        overdue = sum(r.review_overdue(FIXED_NOW.date()) for r in live)
        assert top and overdue, "the demo data has both"
        assert risks_tab(app) == f"Risks · {top} top · {overdue} overdue"
        (tab_bar,) = [line for line in screen_text(app).splitlines() if "Calendar" in line]
        for title in ("Requests", risks_tab(app), "Closing"):
            assert title in tab_bar, "all four titles on one line at 80 columns"
        await pilot.click("#--content-tab-risks")
        await pilot.pause()
        assert app.current_pane_id == "risks", "the tab still opens with the mouse"
        risk = await put_cursor_on(pilot, "RSK-3")
        assert risk.band == "low"
        await pilot.press("e")
        await pilot.pause()
        await choose(pilot, "impact", 4)  # 1 very low -> 5 very high: critical
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert risks_tab(app) == f"Risks · {top + 1} top · {overdue} overdue"
        await pilot.press("1", "3")  # and key 3 still shows the pane
        await pilot.pause()
        assert app.current_pane_id == "risks"


async def test_a_quiet_register_reads_just_risks(demo_path: Path) -> None:
    repository = TinyDBRepository(demo_path)
    snapshot = repository.snapshot()
    project = snapshot.projects()[0]
    for risk in snapshot.of_project(Risk, project.id):
        repository.delete(risk)
    repository.add(Risk(project_id=project.id, title="Small", probability=1, impact=1))
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert risks_tab(app) == "Risks"
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("down", "enter")  # the next demo project has top risks
        await settle(pilot)
        assert app.project_id != project.id
        assert risks_tab(app).startswith("Risks · ")
