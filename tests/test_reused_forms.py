"""A form screen is built once per kind and filled again on the next open: nothing carries over.

Each test opens a record's form with the keys, leaves traces in it (typing,
a validation message, a kind switched), closes it, opens another record's
form, and checks that the app showed the same screen again and that it looks
exactly as a form built from nothing for that record looks: every value,
option, message, row shown, log, focus and scroll position.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Button, Select, Static

from clientdesk.store.models import ClientRequest, Meeting, Project, Risk
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui.app import ClientDeskApp, create_app
from clientdesk.tui.draft_recovery import open_form_draft
from clientdesk.widgets.action_items_editor import ActionItemsEditor
from clientdesk.widgets.agenda_editor import AgendaEditor
from clientdesk.widgets.attendees_editor import AttendeeRow, AttendeesEditor
from clientdesk.widgets.calendar_pane import CalendarPane
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from clientdesk.widgets.conflict_dialog import ConflictDialog
from clientdesk.widgets.meeting_form import MeetingForm
from clientdesk.widgets.minutes_form import MinutesForm
from clientdesk.widgets.record_form import RecordForm
from clientdesk.widgets.record_table import RecordTable
from clientdesk.widgets.request_form import RequestForm
from clientdesk.widgets.risk_form import RiskForm
from tests.helpers.ui import FIXED_NOW, choose_option, fill_input, move_cursor_to, notices, settle

pytestmark = pytest.mark.usefixtures("app_now")


# -- reading the app and the store ------------------------------------------------------


def project_of(app: ClientDeskApp) -> Project:
    """The project open in the app."""
    project = app.current_project
    assert project is not None
    return project


def stored(path: Path, kind: type[ClientRequest] | type[Risk], key: str) -> Any:
    """The record of ``kind`` with ``key`` as the data file holds it now."""
    snapshot = TinyDBRepository(path).snapshot()
    return next(record for record in snapshot.all(kind) if record.key == key)


def table_keys(app: ClientDeskApp, table_id: str) -> list[str]:
    """The keys of the rows of the table ``table_id``, top to bottom."""
    return [record.key for record in app.query_one(table_id, RecordTable).records]


def shown(widget: Widget) -> bool:
    """True when neither the widget nor a container of it is hidden."""
    return all(node.display for node in widget.ancestors_with_self if isinstance(node, Widget))


def appearance(form: RecordForm[Any]) -> dict[str, object]:
    """Everything of ``form`` a user can see or meets on the next key."""
    fields = form.query_one("#form-fields")
    return {
        "title": str(form.query_one("#form-title", Static).render()),
        "values": form.values(),
        "messages": [
            str(widget.render())
            for widget in form.query(".form-field-error.-shown, #form-error.-shown")
        ],
        "options": {
            select.id: [str(prompt) for prompt, _ in select._options]
            for select in form.query(Select)
        },
        # What is shown below the fields, in order: rows, the change control, logs.
        "shown": [
            (type(widget).__name__, widget.id)
            for widget in fields.query("*")
            if shown(widget) and widget.parent is not None
        ],
        "texts": {
            widget.id: str(widget.render())
            for widget in fields.query("#request-log, #risk-history, #approval-note, .form-hint")
            if shown(widget)
        },
        "focused": form.focused.id if form.focused is not None else None,
        "scrolled": fields.scroll_y,
        "save enabled": not form.query_one("#save", Button).disabled,
        "unsaved": form.has_changes,
    }


async def as_built_anew(pilot: Pilot[None], form: RecordForm[Any]) -> dict[str, object]:
    """The appearance of ``form``, a form built from nothing, shown over the app and closed."""
    pilot.app.push_screen(form)
    await settle(pilot)
    seen = appearance(form)
    form.dismiss(None)
    await settle(pilot)
    return seen


def new_request_form(app: ClientDeskApp, record: ClientRequest | None) -> RequestForm:
    """A request form built as the Requests pane builds one (not reused)."""
    project = project_of(app)
    snapshot = app.snapshot
    assert snapshot is not None
    save = app.repository.update if record is not None else app.repository.add
    return RequestForm(
        record,
        save,
        project=project,
        snapshot=snapshot,
        now=FIXED_NOW,
        subtitle=f"{project.key} {project.name}",
    )


# -- driving the app ----------------------------------------------------------------------


async def open_pane(pilot: Pilot[None], key: str) -> None:
    """Wait for the data and show the pane on ``key``."""
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)


async def edit(pilot: Pilot[None], table_id: str, key: str) -> RecordForm[Any]:
    """Put the cursor on ``key`` in ``table_id`` and open its form with ``e``."""
    assert isinstance(pilot.app, ClientDeskApp)
    await move_cursor_to(pilot, pilot.app.query_one(table_id, RecordTable), key)
    await pilot.press("e")
    await settle(pilot)
    form = pilot.app.screen
    assert isinstance(form, RecordForm)
    return form


async def cancel_discarding(pilot: Pilot[None]) -> None:
    """Close the form with escape and discard what was typed."""
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ConfirmDialog), "unsaved changes: it asks first"
    await pilot.press("y")
    await settle(pilot)
    assert not isinstance(pilot.app.screen, RecordForm)


async def leave_traces(pilot: Pilot[None]) -> None:
    """Type into the request form, switch it to a change request and scroll to its foot."""
    await fill_input(pilot, "#field-title", "Half-typed title")
    await fill_input(pilot, "#field-description", "Half-typed\ndescription")
    await fill_input(pilot, "#field-owner", "Someone else")
    select = pilot.app.screen.query_one("#field-type", Select)
    values = [value for _, value in select._options]
    steps = values.index("change_request") - values.index(select.value)
    if steps:
        await choose_option(pilot, "type", steps)
    await fill_input(pilot, "#field-justification", "Half-typed reason")
    await pilot.press(*["tab"] * 4)
    await settle(pilot)


# -- the request form --------------------------------------------------------------------


async def test_request_b_shows_nothing_typed_into_request_a_before_cancel(
    demo_path: Path,
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(pilot, "2")
        first, second = table_keys(app, "#request-table")[:2]
        form = await edit(pilot, "#request-table", first)
        await leave_traces(pilot)
        assert form.values()["title"] == "Half-typed title"
        await cancel_discarding(pilot)

        again = await edit(pilot, "#request-table", second)
        assert again is form, "the form built for the first request is shown again"
        record = stored(demo_path, ClientRequest, second)
        assert again.record == record
        values = again.values()
        assert values["title"] == record.title
        assert values["description"] == record.description
        assert values["owner"] == record.owner
        assert values["type"] == record.type.value
        assert "Half-typed" not in str(values)
        assert not again.has_changes
        assert appearance(again) == await as_built_anew(pilot, new_request_form(app, record))
        assert app.screen is again


async def test_a_validation_message_does_not_carry_over(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(pilot, "2")
        first, second = table_keys(app, "#request-table")[:2]
        form = await edit(pilot, "#request-table", first)
        await fill_input(pilot, "#field-title", "")
        await fill_input(pilot, "#field-received_at", "not a time")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form, "refused: the form stays open"
        assert form.query_one("#error-title", Static).has_class("-shown")
        assert form.query_one("#error-received_at", Static).has_class("-shown")
        await cancel_discarding(pilot)

        again = await edit(pilot, "#request-table", second)
        assert again is form
        assert not again.query(".form-field-error.-shown, #form-error.-shown")
        record = stored(demo_path, ClientRequest, second)
        assert appearance(again) == await as_built_anew(pilot, new_request_form(app, record))


async def test_a_new_request_after_an_edit_is_empty_and_defaulted(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(pilot, "2")
        first = table_keys(app, "#request-table")[0]
        form = await edit(pilot, "#request-table", first)
        await leave_traces(pilot)
        await cancel_discarding(pilot)

        await pilot.press("n")
        await settle(pilot)
        new = app.screen
        assert new is form
        assert isinstance(new, RequestForm) and new.record is None
        assert str(new.query_one("#form-title", Static).render()).startswith("New request")
        assert new.values()["title"] == "" and new.values()["owner"] == ""
        assert not any(shown(log) for log in new.query("#request-log")), "a new one has no log"
        assert appearance(new) == await as_built_anew(pilot, new_request_form(app, None))

        await fill_input(pilot, "#field-title", "Typed into the reused form")
        await pilot.press("ctrl+s")
        await settle(pilot)
    requests = TinyDBRepository(demo_path).snapshot().all(ClientRequest)
    (added,) = [request for request in requests if request.title == "Typed into the reused form"]
    assert added.key != first, "a new request was added, the edited one left alone"
    assert stored(demo_path, ClientRequest, first).title != "Typed into the reused form"


async def test_a_reused_form_saves_the_record_it_shows(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(pilot, "2")
        first, second = table_keys(app, "#request-table")[:2]
        before = stored(demo_path, ClientRequest, first)
        second_before = stored(demo_path, ClientRequest, second)
        await edit(pilot, "#request-table", first)
        await fill_input(pilot, "#field-owner", "Not saved")
        await cancel_discarding(pilot)

        form = await edit(pilot, "#request-table", second)
        await fill_input(pilot, "#field-owner", "Saved once")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert f"Saved request {second} (ctrl+z undoes)." in notices(app)
        # The same request again, as saved: a second save meets no conflict.
        again = await edit(pilot, "#request-table", second)
        assert again is form, "a form that saved is shown again too"
        assert again.values()["owner"] == "Saved once"
        assert again.record == stored(demo_path, ClientRequest, second)
        await fill_input(pilot, "#field-owner", "Saved twice")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, (RecordForm, ConflictDialog))
    assert stored(demo_path, ClientRequest, first) == before
    saved = stored(demo_path, ClientRequest, second)
    assert (saved.owner, saved.revision) == ("Saved twice", second_before.revision + 2)


async def test_keep_mine_and_take_theirs_work_in_a_reused_form(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(pilot, "2")
        first, second, third = table_keys(app, "#request-table")[:3]
        form = await edit(pilot, "#request-table", first)
        await fill_input(pilot, "#field-owner", "Not saved")
        await cancel_discarding(pilot)

        colleague = TinyDBRepository(demo_path, user="colleague")
        again = await edit(pilot, "#request-table", second)
        assert again is form
        theirs = stored(demo_path, ClientRequest, second)
        colleague.update(theirs.model_copy(update={"title": "Their title"}))
        await fill_input(pilot, "#field-owner", "My owner")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        await pilot.press("m")  # keep mine
        await settle(pilot)
        assert not isinstance(app.screen, (RecordForm, ConflictDialog))
        merged = stored(demo_path, ClientRequest, second)
        assert (merged.title, merged.owner) == ("Their title", "My owner")

        third_form = await edit(pilot, "#request-table", third)
        assert third_form is form
        theirs = stored(demo_path, ClientRequest, third)
        colleague.update(theirs.model_copy(update={"owner": "Their owner"}))
        await fill_input(pilot, "#field-owner", "Mine, dropped")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        await pilot.press("t")  # take theirs: nothing saved, the form closes
        await settle(pilot)
        assert not isinstance(app.screen, RecordForm)
        assert stored(demo_path, ClientRequest, third).owner == "Their owner"

        # No note of either conflict is left in the form for the next request.
        last = await edit(pilot, "#request-table", first)
        assert last is form
        assert not last.query(".form-field-error.-shown, #form-error.-shown")
        record = stored(demo_path, ClientRequest, first)
        assert appearance(last) == await as_built_anew(pilot, new_request_form(app, record))


async def test_a_draft_of_a_reused_form_is_of_the_record_it_shows(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(pilot, "2")
        first, second = table_keys(app, "#request-table")[:2]
        await edit(pilot, "#request-table", first)
        await fill_input(pilot, "#field-title", "Typed for the first")
        await cancel_discarding(pilot)
        assert open_form_draft(app, "SIGHUP") is None, "no form open, no draft"

        await edit(pilot, "#request-table", second)
        assert open_form_draft(app, "SIGHUP") is None, "nothing typed yet, no draft"
        await fill_input(pilot, "#field-title", "Typed for the second")
        draft = open_form_draft(app, "SIGHUP")
        assert draft is not None
        record = stored(demo_path, ClientRequest, second)
        assert (draft.form, draft.key) == ("RequestForm", second)
        assert draft.record is not None and draft.record["id"] == record.id
        assert draft.values["title"] == "Typed for the second"
        assert draft.values["owner"] == record.owner


# -- the risk form ----------------------------------------------------------------------


async def test_a_kind_switched_in_risk_a_leaves_risk_b_its_own_responses(
    demo_path: Path,
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(pilot, "3")
        keys = table_keys(app, "#risk-table")
        risks = [stored(demo_path, Risk, key) for key in keys]
        threats = [risk for risk in risks if risk.kind == "threat"]
        assert len(threats) >= 2, "the demo data has two threats"
        form = await edit(pilot, "#risk-table", threats[0].key)
        await choose_option(pilot, "kind", 1)  # threat -> opportunity: its responses
        response = form.query_one("#field-response", Select)
        assert "exploit" in [value for _, value in response._options]
        await fill_input(pilot, "#field-cause", "Half-typed cause")
        await choose_option(pilot, "probability", 1)
        await cancel_discarding(pilot)

        again = await edit(pilot, "#risk-table", threats[1].key)
        assert again is form
        response = again.query_one("#field-response", Select)
        assert [value for _, value in response._options] == [
            "avoid",
            "mitigate",
            "transfer",
            "accept",
            "escalate",
        ]
        assert again.values()["kind"] == "threat"
        assert again.values()["response"] == threats[1].response.value
        assert again.values()["probability"] == str(threats[1].probability)
        fresh = RiskForm(
            threats[1],
            app.repository.update,
            fixed={"project_id": project_of(app).id},
            subtitle=f"{project_of(app).key} {project_of(app).name}",
        )
        assert appearance(again) == await as_built_anew(pilot, fresh)

        await pilot.press("escape")  # nothing changed: closes at once
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        new = app.screen
        assert new is form and isinstance(new, RiskForm) and new.record is None
        fresh_new = RiskForm(
            None,
            app.repository.add,
            fixed={"project_id": project_of(app).id},
            subtitle=f"{project_of(app).key} {project_of(app).name}",
        )
        assert appearance(new) == await as_built_anew(pilot, fresh_new)


# -- forms with compound editors: built anew on each open, so nothing carries over -------


async def agenda_cursor_to(pilot: Pilot[None], index: int) -> Any:
    """Put the Calendar agenda's cursor on row ``index``; return its occurrence."""
    assert isinstance(pilot.app, ClientDeskApp)
    calendar = pilot.app.query_one(CalendarPane)
    table = pilot.app.query_one("#agenda-table", RecordTable)
    table.focus()
    await pilot.press(*["up"] * len(calendar.agenda), *["down"] * index)
    await settle(pilot)
    entry = calendar.selected_entry
    assert entry is not None and entry.occurrence is not None
    return entry.occurrence


def two_meetings(app: ClientDeskApp) -> tuple[int, int]:
    """The agenda rows of two different meetings, the first with attendees."""
    entries = app.query_one(CalendarPane).agenda
    meetings = [
        (index, entry.occurrence.meeting)
        for index, entry in enumerate(entries)
        if entry.occurrence is not None
    ]
    first = next(index for index, meeting in meetings if meeting.attendees)
    first_key = entries[first].occurrence.meeting.key  # type: ignore[union-attr]
    second = next(index for index, meeting in meetings if meeting.key != first_key)
    return first, second


async def close_asking(pilot: Pilot[None]) -> None:
    """Close the form on top with escape, discarding what was typed if it asks."""
    await pilot.press("escape")
    await settle(pilot)
    if isinstance(pilot.app.screen, ConfirmDialog):
        await pilot.press("y")
        await settle(pilot)


async def test_meeting_b_shows_its_own_agenda_and_attendees_after_meeting_a(
    demo_path: Path,
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(pilot, "1")
        first, second = two_meetings(app)
        await agenda_cursor_to(pilot, first)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, MeetingForm)
        form.query_one("#agenda-add").focus()
        await pilot.press("enter")
        await pilot.press(*"Half-typed point", "tab", *"Someone", "tab", "9")
        await fill_input(pilot, "#attendee-email", "half.typed@example.com")
        await pilot.press("enter")
        await settle(pilot)
        assert "half.typed@example.com" in form.values()["attendees"]
        assert "Half-typed point" in form.values()["agenda"]
        await close_asking(pilot)
        assert not isinstance(app.screen, MeetingForm)

        occurrence = await agenda_cursor_to(pilot, second)
        await pilot.press("e")
        await settle(pilot)
        again = app.screen
        assert isinstance(again, MeetingForm)
        meeting = TinyDBRepository(demo_path).snapshot().find(Meeting, occurrence.meeting.key)
        assert again.record == meeting
        attendees = again.query_one(AttendeesEditor)
        assert [row.value() for row in attendees.query(AttendeeRow)] == meeting.attendees
        assert again.query_one(AgendaEditor).items() == meeting.agenda
        assert "half.typed" not in str(again.values())
        assert "Half-typed" not in str(again.values())
        assert not again.has_changes


async def test_minutes_of_b_show_its_own_action_items_after_minutes_of_a(
    demo_path: Path,
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(pilot, "1")
        first, second = two_meetings(app)
        await agenda_cursor_to(pilot, first)
        await pilot.press("m")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, MinutesForm)
        form.query_one("#action-add").focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press(*"Half-typed action", "tab", *"Someone")
        await settle(pilot)
        assert "Half-typed action" in form.query_one(ActionItemsEditor).state
        await close_asking(pilot)
        assert not isinstance(app.screen, MinutesForm)

        occurrence = await agenda_cursor_to(pilot, second)
        await pilot.press("m")
        await settle(pilot)
        again = app.screen
        assert isinstance(again, MinutesForm)
        editor = again.query_one(ActionItemsEditor)
        assert "Half-typed" not in editor.state
        assert [item.text for item in editor.items()] == [
            item.text for item in occurrence.action_items
        ]


async def test_a_theme_changed_while_the_form_was_kept_is_applied_to_it(
    demo_path: Path,
) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_pane(pilot, "2")
        first, second = table_keys(app, "#request-table")[:2]
        form = await edit(pilot, "#request-table", first)
        dark_box = form.query_one("#form-box").styles.background
        await pilot.press("escape")
        await settle(pilot)
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await settle(pilot)

        again = await edit(pilot, "#request-table", second)
        assert again is form
        record = stored(demo_path, ClientRequest, second)
        fresh = new_request_form(app, record)
        kept_box = again.query_one("#form-box").styles.background
        pilot.app.push_screen(fresh)
        await settle(pilot)
        assert kept_box == fresh.query_one("#form-box").styles.background != dark_box
