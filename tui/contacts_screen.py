"""The contacts of the open project, in a modal screen: list, filter, add and edit."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from clientdesk.widgets.actions import bindings, key_of
from clientdesk.widgets.cells import plain
from clientdesk.widgets.contacts_pane import ContactsPane
from clientdesk.widgets.key_footer import KeyFooter
from clientdesk.widgets.record_table_pane import RecordTablePane

# The app imports this screen at start-up, before the models (pydantic) are
# loaded: they are imported here for annotations, and where used, in methods.
if TYPE_CHECKING:
    from clientdesk.store.models import Contact, Project
    from clientdesk.store.snapshot import Snapshot


class ContactsScreen(ModalScreen[None]):
    """A project's contacts; asks the app to add or edit one with messages.

    The app keeps the screen up to date: it calls :meth:`show` with every
    new snapshot while the screen is open.
    """

    BINDINGS = bindings("contacts")

    class NewContact(Message):
        """The user wants to add a contact to the project."""

        def __init__(self, project: Project) -> None:
            """Say which project."""
            super().__init__()
            self.project = project
            """The project the contact joins."""

    class EditContact(Message):
        """The user wants to edit a contact."""

        def __init__(self, project: Project, contact: Contact) -> None:
            """Say which contact."""
            super().__init__()
            self.project = project
            """The project the contact belongs to."""
            self.contact = contact
            """The contact to edit, as the screen shows it."""

    def __init__(self, snapshot: Snapshot, project: Project, now: datetime) -> None:
        """Prepare the screen for ``project`` as of ``snapshot``."""
        super().__init__()
        self.project = project
        """The project whose contacts are shown."""
        self._snapshot = snapshot
        self._now = now

    def compose(self) -> ComposeResult:
        """A title, the contacts pane and the keys."""
        with Vertical(id="contacts-box"):
            yield Static(id="contacts-title")
            yield ContactsPane(id="contacts-pane")
        yield KeyFooter()

    def on_mount(self) -> None:
        """Fill the table and focus it."""
        self.show(self._snapshot, self.project, self._now)
        self.query_one(ContactsPane).focus_table()

    def show(self, snapshot: Snapshot, project: Project, now: datetime) -> None:
        """Show ``project``'s contacts as of ``snapshot``."""
        self.project = project
        title = Text.assemble(("Contacts", "bold"), " · ", plain(f"{project.key} {project.name}"))
        self.query_one("#contacts-title", Static).update(title)
        self.query_one(ContactsPane).show(snapshot, project, now)

    def select_contact(self, contact_id: str) -> None:
        """Put the cursor on the contact with id ``contact_id``."""
        for table in self.query_one(ContactsPane).tables:
            table.select_record(contact_id)

    def action_new_contact(self) -> None:
        """Ask the app for a new contact."""
        self.post_message(self.NewContact(self.project))

    def action_edit_contact(self) -> None:
        """Ask the app to edit the contact under the cursor."""
        from clientdesk.store.models import Contact

        contact = self.query_one(ContactsPane).selected_record
        if isinstance(contact, Contact):
            self.post_message(self.EditContact(self.project, contact))
        else:
            self.notify(
                f"No contact to edit: press {key_of('contacts.add')} to add one.", markup=False
            )

    async def action_filter(self) -> None:
        """Filter the contacts."""
        await self.query_one(ContactsPane).start_filter()

    def action_close(self) -> None:
        """Close the screen."""
        self.dismiss(None)

    @on(RecordTablePane.OpenRecord)
    def _open_record(self, event: RecordTablePane.OpenRecord) -> None:
        from clientdesk.store.models import Contact

        event.stop()
        if isinstance(event.record, Contact):
            self.post_message(self.EditContact(self.project, event.record))
