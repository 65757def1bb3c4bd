"""What the app does for the contacts: their screen and the contact form.

:class:`ContactsActions` opens the project's contacts
(:class:`~clientdesk.tui.contacts_screen.ContactsScreen`) and the form that
adds or edits one, as that screen asks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clientdesk.store import clock
from clientdesk.tui.contacts_screen import ContactsScreen
from clientdesk.widgets.actions import key_of

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
        """Open the contact form on ``contact`` (None: a new one in ``project``).

        A closed project's contacts are read-only until it is reopened: the
        form is not opened only to fail when saved.
        """
        from clientdesk.widgets.contact_form import ContactForm

        if project.is_closed:
            reopen = key_of("closing.reopen_project")
            self.host.notify(
                f"{project.key} is closed: reopen it (Closing pane, {reopen}) to change it",
                severity="warning",
                markup=False,
            )
            return
        repository = self.host.repository
        save = repository.update if contact is not None else repository.add
        form = ContactForm(
            contact,
            save,
            fixed={"project_id": project.id},
            subtitle=f"{project.key} {project.name}",
        )
        self.host.push_screen(form.reused(), self._saved)

    def _saved(self, contact: Contact | None) -> None:
        if contact is None:
            return
        self.host.notify(
            f"Saved contact {contact.key} ({contact.name}) ({self.host.undo_key} undoes).",
            markup=False,
        )
        self.host.reload(select_contact=contact.id)
