"""What the app does for the contacts: their screen and the contact form.

:class:`ContactsActions` opens the project's contacts
(:class:`~clientdesk.tui.contacts_screen.ContactsScreen`) and the form that
adds or edits one, as that screen asks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clientdesk.store import clock
from clientdesk.tui.contacts_screen import ContactsScreen

if TYPE_CHECKING:
    from clientdesk.store.models import Contact, Project
    from clientdesk.tui.host import Host


class ContactsActions:
    """The contacts' side of the app: one per app."""

    def __init__(self, host: Host) -> None:
        """Act for ``host``: its repository, snapshot and screens."""
        self.host = host
        """The app whose screens are used."""

    def show(self, project: Project) -> None:
        """Show ``project``'s contacts."""
        snapshot = self.host.snapshot
        if snapshot is not None:
            self.host.push_screen(ContactsScreen(snapshot, project, clock.now()))

    def edit(self, project: Project, contact: Contact | None) -> None:
        """Open the contact form on ``contact`` (None: a new one in ``project``)."""
        from clientdesk.widgets.contact_form import ContactForm

        repository = self.host.repository
        save = repository.update if contact is not None else repository.add
        form = ContactForm(
            contact,
            save,
            fixed={"project_id": project.id},
            subtitle=f"{project.key} {project.name}",
        )
        self.host.push_screen(form, self._saved)

    def _saved(self, contact: Contact | None) -> None:
        if contact is None:
            return
        self.host.notify(
            f"Saved contact {contact.key} ({contact.name}) ({self.host.undo_key} undoes).",
            markup=False,
        )
        self.host.reload(select_contact=contact.id)
