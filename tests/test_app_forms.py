"""The project and contact forms, driven through Pilot: typing, saving, validation, cancelling."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from clientdesk.store.models import RAG, Contact, Project
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui.app import ClientDeskApp, create_app
from clientdesk.tui.contacts_screen import ContactsScreen
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from clientdesk.widgets.conflict_dialog import ConflictDialog
from clientdesk.widgets.contact_form import ContactForm
from clientdesk.widgets.contacts_pane import ContactsPane
from clientdesk.widgets.project_form import ProjectForm
from clientdesk.widgets.record_form import RecordForm
from tests.helpers.ui import FIXED_NOW, screen_text, settle

NOW = FIXED_NOW


pytestmark = pytest.mark.usefixtures("app_now")


async def fill(pilot: Pilot[None], field: str, text: str) -> None:
    """Replace the text of a form field as a user would: focus it, clear it, type."""
    form = pilot.app.screen
    assert isinstance(form, RecordForm)
    form.query_one(f"#field-{field}", Input).focus()
    await pilot.pause()
    await pilot.press("ctrl+u", "end", "ctrl+u", *text)  # ctrl+u: delete to the start


def field_error(app: ClientDeskApp, field: str) -> str:
    """The error shown beside ``field`` ("" when none is shown)."""
    label = app.screen.query_one(f"#error-{field}", Static)
    return str(label.render()) if label.has_class("-shown") else ""


async def test_new_project_through_the_form_is_stored_and_shown(data_path: Path) -> None:
    app = create_app(data_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.mode == "welcome"
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ProjectForm)
        await pilot.press(*"Website relaunch")  # the name field has the focus
        await pilot.press("tab", *"WEB", "tab", *"Acme Corp")
        await fill(pilot, "timezone", "Europe/Berlin")
        await fill(pilot, "start", "2026-12-01")
        await fill(pilot, "target_end", "2027-03-31")
        await fill(pilot, "organiser_email", "pm@example.com")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ProjectForm)
        assert app.mode == "panes"
        header = screen_text(app).splitlines()[0]
        assert "WEB" in header and "Website relaunch" in header and "Acme Corp" in header
    (project,) = TinyDBRepository(data_path).snapshot().projects()
    assert (project.key, project.name, project.client) == ("WEB", "Website relaunch", "Acme Corp")
    assert project.timezone == "Europe/Berlin"
    assert project.start is not None and project.start.isoformat() == "2026-12-01"
    assert project.organiser_email == "pm@example.com"
    assert project.updated_by == "tester"


async def test_blank_project_key_is_made_from_the_name(data_path: Path) -> None:
    app = create_app(data_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n", *"Mobile app", "ctrl+s")
        await settle(pilot)
    (project,) = TinyDBRepository(data_path).snapshot().projects()
    assert project.key == "MOBILE"


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("organiser_email", "not-an-address", "is not an e-mail address"),
        ("timezone", "Mars/Olympus", "unknown time zone"),
        ("start", "2026-13-45", "malformed date"),
        ("target_end", "1999-01-01", "target end is before the start"),
        ("key", "1-bad", "a project key is"),
    ],
)
async def test_project_validation_error_is_shown_beside_the_field_and_nothing_saved(
    data_path: Path, field: str, text: str, message: str
) -> None:
    app = create_app(data_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n", *"Website relaunch")
        await fill(pilot, "start", "2026-12-01")
        await fill(pilot, field, text)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ProjectForm), "the form must stay open"
        assert message in field_error(app, field)
        assert app.screen.focused is app.screen.query_one(f"#field-{field}")
    assert not data_path.exists() or not TinyDBRepository(data_path).snapshot().projects()


async def test_several_errors_are_shown_at_once(data_path: Path) -> None:
    app = create_app(data_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await fill(pilot, "organiser_email", "nope")
        await fill(pilot, "timezone", "Nowhere/City")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "at least 1 character" in field_error(app, "name")
        assert "e-mail" in field_error(app, "organiser_email")
        assert "unknown time zone" in field_error(app, "timezone")
        # Fixing them clears the errors and saves.
        await fill(pilot, "name", "Fixed")
        await fill(pilot, "organiser_email", "ok@example.com")
        await fill(pilot, "timezone", "UTC")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ProjectForm)
    assert [p.name for p in TinyDBRepository(data_path).snapshot().projects()] == ["Fixed"]


async def test_a_taken_key_is_reported_by_the_store_beside_the_key(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("N", *"Another")
        await fill(pilot, "key", "CONTOSO")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ProjectForm)
        assert "already taken" in field_error(app, "key")
    assert len(TinyDBRepository(demo_path).snapshot().projects()) == 3


async def test_edit_project_saves_a_new_revision(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        project_id = app.project_id
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, ProjectForm)
        await fill(pilot, "name", "Portal relaunch, phase 2")
        app.screen.query_one("#field-rag_override").focus()
        # Open the list, pick amber (after "from the dimensions" and green), say why.
        await pilot.press("enter", "down", "down", "enter")
        await fill(pilot, "rag_override_reason", "Sponsor accepts the risk")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Portal relaunch, phase 2" in screen_text(app).splitlines()[0]
        assert app.project_id == project_id
    project = TinyDBRepository(demo_path).snapshot().get(Project, project_id or "")
    assert project is not None
    assert project.name == "Portal relaunch, phase 2"
    assert project.revision == 2
    assert (project.rag_override, project.rag_override_reason) == (
        RAG.AMBER,
        "Sponsor accepts the risk",
    )


async def test_conflicting_edit_is_shown_and_nothing_overwritten(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("P")
        await pilot.pause()
        other = TinyDBRepository(demo_path, user="colleague")
        theirs = other.snapshot().get(Project, app.project_id or "")
        assert theirs is not None
        other.update(theirs.model_copy(update={"client": "Changed elsewhere"}))
        await fill(pilot, "client", "Mine")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog), "both versions are set side by side"
        text = screen_text(app)
        assert "changed by colleague" in text
        assert "Mine" in text and "Changed elsewhere" in text
        await pilot.press("b")  # back to editing
        await pilot.pause()
        assert isinstance(app.screen, ProjectForm), "the form stays open with my values"
        assert app.screen.values()["client"] == "Mine"
    stored = TinyDBRepository(demo_path).snapshot().get(Project, theirs.id)
    assert stored is not None and stored.client == "Changed elsewhere"


async def test_escape_with_unsaved_changes_asks_first(data_path: Path) -> None:
    app = create_app(data_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n", "escape")  # nothing typed: closes at once
        await pilot.pause()
        assert not isinstance(app.screen, ProjectForm)
        await pilot.press("n", *"Half typed", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # keep editing
        await pilot.pause()
        assert isinstance(app.screen, ProjectForm)
        assert app.screen.values()["name"] == "Half typed"
        await pilot.press("escape", "y")  # discard
        await pilot.pause()
        assert not isinstance(app.screen, (ProjectForm, ConfirmDialog))
        assert app.mode == "welcome"
    assert not data_path.exists() or not TinyDBRepository(data_path).snapshot().projects()


async def test_new_contact_through_the_contacts_screen(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        project_id = app.project_id
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ContactsScreen)
        before = app.screen.query_one(ContactsPane).tables[0].total_count
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ContactForm)
        await pilot.press(*"Zoe [bold]Quinn[/]", "tab", *"zoe@client.example", "tab", *"Client")
        await fill(pilot, "timezone", "Asia/Tokyo")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
        table = app.screen.query_one(ContactsPane).tables[0]
        assert table.total_count == before + 1
        selected = table.selected_record
        assert selected is not None and selected.name == "Zoe [bold]Quinn[/]"
        assert "Zoe [bold]Quinn[/]" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ContactsScreen)
    contacts = TinyDBRepository(demo_path).snapshot().of_project(Contact, project_id or "")
    (zoe,) = [c for c in contacts if c.email == "zoe@client.example"]
    assert (zoe.name, zoe.organisation, zoe.timezone) == (
        "Zoe [bold]Quinn[/]",
        "Client",
        "Asia/Tokyo",
    )


async def test_edit_contact_with_e_and_bad_email_is_refused(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c", "e")
        await pilot.pause()
        assert isinstance(app.screen, ContactForm)
        contact = app.screen.record
        assert contact is not None
        await fill(pilot, "email", "broken@")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "is not an e-mail address" in field_error(app, "email")
        await fill(pilot, "role", "Steering sponsor")
        await fill(pilot, "email", "fixed@client.example")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ContactsScreen)
    saved = TinyDBRepository(demo_path).snapshot().get(Contact, contact.id)
    assert saved is not None
    assert (saved.email, saved.role, saved.revision) == (
        "fixed@client.example",
        "Steering sponsor",
        2,
    )


async def test_contact_time_zone_must_exist(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("c", "n", *"Someone")
        await fill(pilot, "timezone", "Europe/Atlantis")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "unknown time zone" in field_error(app, "timezone")
        assert isinstance(app.screen, ContactForm)


async def test_blanking_the_key_of_an_existing_project_keeps_it(demo_path: Path) -> None:
    app = create_app(demo_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        project_id = app.project_id
        await pilot.press("P")
        await fill(pilot, "key", "")
        await fill(pilot, "client", "Northwind Traders Ltd")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ProjectForm)
    project = TinyDBRepository(demo_path).snapshot().get(Project, project_id or "")
    assert project is not None
    assert (project.key, project.client) == ("NWPORTAL", "Northwind Traders Ltd")
