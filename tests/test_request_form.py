"""The request form and the service-level form, driven through Pilot on the real app."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from clientdesk.store.enums import ChangeDecision, Priority, RequestType
from clientdesk.store.models import ClientRequest, Comment, Contact, Meeting, Project
from clientdesk.store.snapshot import Snapshot
from clientdesk.tui.app import ClientDeskApp, create_app
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from clientdesk.widgets.conflict_dialog import ConflictDialog
from clientdesk.widgets.request_form import RequestForm
from clientdesk.widgets.service_level_form import ServiceLevelForm
from tests.helpers.ui import FIXED_NOW, fill_input, screen_text, settle

pytestmark = pytest.mark.usefixtures("app_now")

Results = list[object]


def project_of(app: ClientDeskApp) -> Project:
    """The project open in the app."""
    project = app.current_project
    assert project is not None
    return project


def stored(app: ClientDeskApp) -> Snapshot:
    """What the data file holds now."""
    return app.repository.snapshot()


def requests_of(app: ClientDeskApp) -> list[ClientRequest]:
    """The stored requests of the open project."""
    return stored(app).of_project(ClientRequest, project_of(app).id)


async def open_request_form(
    pilot: Pilot[None], record: ClientRequest | None = None
) -> tuple[RequestForm, Results]:
    """Push the request form for ``record`` (a new one when None); results collect its answer."""
    app = pilot.app
    assert isinstance(app, ClientDeskApp)
    results: Results = []
    save = app.repository.add if record is None else app.repository.update
    form = RequestForm(record, save, project=project_of(app), snapshot=stored(app), now=FIXED_NOW)
    app.push_screen(form, results.append)
    await settle(pilot)
    return form, results


async def fill(pilot: Pilot[None], field: str, text: str) -> None:
    """Replace the text of a field as a user would: focus it, clear it, type."""
    await fill_input(pilot, f"#field-{field}", text)


async def choose(pilot: Pilot[None], field: str, label: str) -> None:
    """Pick the option called ``label`` of a Select with the arrow keys."""
    select = pilot.app.screen.query_one(f"#field-{field}", Select)
    options = [(str(prompt), value) for prompt, value in select._options]
    wanted = next(index for index, (prompt, _) in enumerate(options) if prompt == label)
    current = next(index for index, (_, value) in enumerate(options) if value == select.value)
    steps = wanted - current
    select.focus()
    await pilot.pause()
    await pilot.press("enter", *(["down"] * steps if steps > 0 else ["up"] * -steps), "enter")
    await pilot.pause()


def shown(widget: Widget) -> bool:
    """True when neither the widget nor a container of it is hidden."""
    return all(node.display for node in widget.ancestors_with_self if isinstance(node, Widget))


def field_error(pilot: Pilot[None], field: str) -> str:
    """The error shown beside ``field`` ("" when none is shown)."""
    label = pilot.app.screen.query_one(f"#error-{field}", Static)
    return str(label.render()) if label.has_class("-shown") else ""


async def test_a_new_request_is_stored_with_requester_priority_and_meeting_link(
    demo_path: Path,
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = len(requests_of(app))
        form, results = await open_request_form(pilot)
        await fill(pilot, "title", "Export the report as PDF")
        await choose(pilot, "requester_id", "Chen Wei")
        await choose(pilot, "priority", "P2 · 4h / 16h working hours")
        await fill(pilot, "received_at", "2026-11-20 14:30")
        await fill(pilot, "meeting_ids", "mtg-3, MTG-1")
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert app.screen is not form
        requests = requests_of(app)
        assert len(requests) == before + 1
        request = requests[-1]
        assert results == [request]
        snapshot = stored(app)
        chen = next(
            c for c in snapshot.of_project(Contact, request.project_id) if c.name == "Chen Wei"
        )
        meetings = {m.key: m.id for m in snapshot.of_project(Meeting, request.project_id)}
        assert request.title == "Export the report as PDF"
        assert request.requester_id == chen.id
        assert request.priority is Priority.P2
        assert request.meeting_ids == [meetings["MTG-3"], meetings["MTG-1"]]
        # Typed in the project's zone (Europe/Berlin, UTC+1 in November).
        assert request.received_at == datetime(2026, 11, 20, 13, 30, tzinfo=UTC)

        # Opened again, the links and the time read as typed.
        form, _ = await open_request_form(pilot, request)
        assert form.query_one("#field-meeting_ids", Input).value == "MTG-3, MTG-1"
        assert form.query_one("#field-received_at", Input).value == "2026-11-20 14:30"


async def test_the_received_time_defaults_to_now_in_the_projects_zone(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        form, _ = await open_request_form(pilot)
        # 09:00 UTC is 10:00 in Berlin.
        assert form.query_one("#field-received_at", Input).value == "2026-11-23 10:00"
        await fill(pilot, "title", "Question about the invoice")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert requests_of(app)[-1].received_at == FIXED_NOW


async def test_a_malformed_time_and_an_unknown_risk_are_shown_beside_them_and_nothing_saved(
    demo_path: Path,
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = requests_of(app)
        form, results = await open_request_form(pilot)
        await fill(pilot, "title", "Export the report as PDF")
        await fill(pilot, "received_at", "20.11.2026 14:30")
        await fill(pilot, "risk_ids", "RSK-2, RSK-99")
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert app.screen is form
        assert "malformed date and time" in field_error(pilot, "received_at")
        assert "RSK-99" in field_error(pilot, "risk_ids")
        assert "RSK-2 " not in field_error(pilot, "risk_ids")  # the known key is not blamed
        assert field_error(pilot, "title") == ""
        assert requests_of(app) == before
        assert results == []


async def test_a_received_time_in_the_future_is_refused_by_the_store_beside_the_field(
    demo_path: Path,
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = requests_of(app)
        form, _ = await open_request_form(pilot)
        await fill(pilot, "title", "From tomorrow")
        await fill(pilot, "received_at", "2026-11-24 10:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "in the future" in field_error(pilot, "received_at")
        assert requests_of(app) == before


async def test_the_change_control_follows_the_type(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        form, _ = await open_request_form(pilot)
        assert "Change control" not in screen_text(app)
        assert not shown(form.query_one("#field-impact_cost"))

        await choose(pilot, "type", "change request")
        assert "Change control" in screen_text(app)
        assert shown(form.query_one("#field-impact_cost"))
        await fill(pilot, "title", "Add a dark theme")
        await fill(pilot, "impact_scope", "a second colour scheme")
        await fill(pilot, "impact_days", "4")
        await fill(pilot, "impact_cost", "2400.50")
        await pilot.press("ctrl+s")
        await settle(pilot)

        request = requests_of(app)[-1]
        assert request.type is RequestType.CHANGE_REQUEST
        assert request.impact_scope == "a second colour scheme"
        assert request.impact_days == 4
        assert request.impact_cost == Decimal("2400.50")
        assert request.decision is ChangeDecision.PENDING


async def test_change_control_typed_before_switching_back_to_a_question_is_not_saved(
    demo_path: Path,
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        form, _ = await open_request_form(pilot)
        await choose(pilot, "type", "change request")
        await fill(pilot, "impact_cost", "not money")
        await choose(pilot, "type", "question")
        assert not shown(form.query_one("#field-impact_cost"))
        await fill(pilot, "title", "Who signs the acceptance?")
        await pilot.press("ctrl+s")
        await settle(pilot)
        request = requests_of(app)[-1]
        assert request.type is RequestType.QUESTION
        assert request.impact_cost is None


async def test_approving_a_change_then_editing_its_cost_warns_and_clears_the_approval(
    demo_path: Path,
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        change = next(r for r in requests_of(app) if r.key == "REQ-8")
        assert change.is_change and change.decision is ChangeDecision.PENDING

        await open_request_form(pilot, change)
        await choose(pilot, "decision", "approved")
        await fill(pilot, "decision_reason", "Steering committee agreed")
        await pilot.press("ctrl+s")
        await settle(pilot)
        approved = next(r for r in requests_of(app) if r.key == "REQ-8")
        assert approved.decision is ChangeDecision.APPROVED
        assert approved.decided_by == "tester"

        form, _ = await open_request_form(pilot, approved)
        note = form.query_one("#approval-note", Static)
        assert str(note.render()) == "Editing scope, days or cost clears this approval"
        await fill(pilot, "impact_cost", "4100")
        assert str(note.render()) == "⚠ Saving will clear the approval by tester"
        await pilot.press("ctrl+s")
        await settle(pilot)

        cleared = next(r for r in requests_of(app) if r.key == "REQ-8")
        assert cleared.impact_cost == Decimal("4100")
        assert cleared.decision is ChangeDecision.PENDING
        assert cleared.decided_by == ""
        assert cleared.comments[-1].text.startswith("Approval by tester cleared")


async def test_an_unchanged_cost_keeps_the_note_a_hint(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        change = next(r for r in requests_of(app) if r.key == "REQ-8")
        approved = app.repository.update(
            change.model_copy(update={"decision": ChangeDecision.APPROVED})
        )
        form, _ = await open_request_form(pilot, approved)
        note = form.query_one("#approval-note", Static)
        await fill(pilot, "impact_cost", f"{approved.impact_cost}.00")  # the same amount
        assert not note.has_class("-warning")
        await fill(pilot, "impact_cost", "1")
        assert note.has_class("-warning")


async def test_an_existing_request_shows_its_clocks_history_and_comments_as_plain_text(
    demo_path: Path,
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        waiting = next(r for r in requests_of(app) if r.key == "REQ-4")
        comment = Comment(text="Asked for [bold]the logo[/bold] again")
        waiting = app.repository.update(
            waiting.model_copy(update={"comments": [*waiting.comments, comment]})
        )
        form, _ = await open_request_form(pilot, waiting)
        assert not form.query("#field-status")  # moves are keys of the pane
        assert not shown(form.query_one("#field-reject_reason"))
        log = form.query_one("#request-log", Static)
        # The block as rendered (read from the widget: on screen it may still be
        # scrolling into view on a busy machine).
        text = str(log.render())
        assert "Status waiting on client" in text
        assert "paused" in text
        assert "in progress → waiting on client" in text
        assert "tester: Asked for [bold]the logo[/bold] again" in text


async def test_a_rejected_request_keeps_a_reject_reason(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rejected = next(r for r in requests_of(app) if r.key == "REQ-7")
        form, _ = await open_request_form(pilot, rejected)
        reason = form.query_one("#field-reject_reason", Input)
        assert shown(reason)
        assert reason.value == rejected.reject_reason != ""
        await fill(pilot, "reject_reason", "")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "needs a reason" in field_error(pilot, "reject_reason")
        assert next(r for r in requests_of(app) if r.key == "REQ-7") == rejected


async def test_the_service_level_form_changes_p2_and_the_working_week(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        project = project_of(app)
        results: Results = []
        app.push_screen(ServiceLevelForm(project, app.repository.update), results.append)
        await settle(pilot)
        await fill(pilot, "p2_first_response", "2h")
        await fill(pilot, "p2_resolution", "8h")
        await choose(pilot, "p3_counting", "around the clock")
        await fill(pilot, "working_week", "mon-thu 08:00-16:00; fri 08:00-12:00")
        await fill(pilot, "holidays", "2026-12-25, 2026-12-24")
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert not isinstance(app.screen, ServiceLevelForm)
        saved = stored(app).project(project.key)
        assert results == [saved]
        policy = saved.service_levels
        p2 = policy.target(Priority.P2)
        assert (p2.first_response_minutes, p2.resolution_minutes, p2.working_hours) == (
            120,
            480,
            True,
        )
        assert policy.target(Priority.P3).working_hours is False
        assert policy.target(Priority.P1) == project.service_levels.target(Priority.P1)
        assert policy.working_week == "mon-thu 08:00-16:00; fri 08:00-12:00"
        assert [str(day) for day in policy.holidays] == ["2026-12-24", "2026-12-25"]


async def test_bad_service_levels_are_shown_beside_their_fields_and_nothing_saved(
    demo_path: Path,
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        project = project_of(app)
        form = ServiceLevelForm(project, app.repository.update)
        app.push_screen(form)
        await settle(pilot)
        await fill(pilot, "p2_first_response", "4x")
        await fill(pilot, "working_week", "mon 17:00-09:00")
        await fill(pilot, "holidays", "2026-12-32")
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert app.screen is form
        assert "cannot read the duration" in field_error(pilot, "p2_first_response")
        assert "the end is not after the start" in field_error(pilot, "working_week")
        assert "malformed date" in field_error(pilot, "holidays")
        assert field_error(pilot, "p2_resolution") == ""
        assert stored(app).project(project.key).revision == project.revision


async def test_escape_on_a_changed_service_level_form_asks_before_discarding(
    demo_path: Path,
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        project = project_of(app)
        results: Results = []
        form = ServiceLevelForm(project, app.repository.update)
        app.push_screen(form, results.append)
        await settle(pilot)
        await fill(pilot, "p4_resolution", "100h")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Discard your changes to this service-level policy?" in screen_text(app)
        await pilot.press("n")  # keep editing
        await pilot.pause()
        assert app.screen is form
        assert form.values()["p4_resolution"] == "100h"
        await pilot.press("escape", "y")  # discard
        await settle(pilot)
        assert app.screen is not form
        assert results == [None]
        assert stored(app).project(project.key).revision == project.revision


async def test_a_project_changed_meanwhile_is_reported_at_the_top_and_not_overwritten(
    demo_path: Path,
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        project = project_of(app)
        form = ServiceLevelForm(project, app.repository.update)
        app.push_screen(form)
        await settle(pilot)
        elsewhere = app.repository.update(project.model_copy(update={"client": "Someone else"}))
        await fill(pilot, "p2_first_response", "2h")
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert isinstance(app.screen, ConflictDialog)
        text = screen_text(app)
        assert "was changed by tester" in text
        # The nested service levels are compared leaf by leaf: my 2 h against the stored 4 h.
        assert "Targets / P2 /" in text
        assert "120" in text and "240" in text
        await pilot.press("b")  # back to editing
        await pilot.pause()
        assert app.screen is form
        top = form.query_one("#form-error", Static)
        assert top.has_class("-shown")
        assert "Saved by tester at" in str(top.render())
        assert stored(app).project(project.key) == elsewhere
