"""The attendees of a meeting: picked from the project's contacts or typed as an e-mail.

Each is required or optional; their RSVP is shown, not edited.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static

from clientdesk.store.enums import AttendeeRole
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.models import Attendee, Contact
from clientdesk.store.text import printable
from clientdesk.widgets.field_input import FieldInput
from clientdesk.widgets.record_form import ControlPictures


def attendee_label(attendee: Attendee) -> str:
    """ "Ada Lovelace <ada@example.com>", or the e-mail alone when there is no name."""
    return f"{attendee.name} <{attendee.email}>" if attendee.name else attendee.email


class AttendeeRow(Horizontal):
    """One attendee: who, required or optional, their RSVP (read-only), and remove."""

    def __init__(self, attendee: Attendee) -> None:
        """Show ``attendee``."""
        super().__init__(classes="attendee-row")
        self.attendee = attendee
        """The attendee as the row started (the RSVP and contact are kept from it)."""

    def compose(self) -> ComposeResult:
        """The name, the role, the RSVP and the remove button."""
        yield Static(Text(printable(attendee_label(self.attendee))), classes="attendee-name")
        yield Select(
            [(role.value, role.value) for role in AttendeeRole],
            value=self.attendee.role.value,
            allow_blank=False,
            compact=True,
            classes="attendee-role",
        )
        yield Static(self.attendee.rsvp.value.replace("_", " "), classes="attendee-rsvp")
        yield Button("✕", compact=True, classes="attendee-remove", tooltip="remove attendee")

    def value(self) -> Attendee:
        """The attendee with the role as chosen."""
        role = self.query_one(".attendee-role", Select).value
        return self.attendee.model_copy(update={"role": AttendeeRole(str(role))})


class AttendeesEditor(Widget):
    """The attendees, a Select to add a contact, and an input to add any e-mail."""

    DEFAULT_CSS = """
    AttendeesEditor {
        height: auto;
    }
    AttendeesEditor #attendee-rows, AttendeesEditor .attendee-row, AttendeesEditor #attendee-add {
        height: auto;
    }
    AttendeesEditor .attendee-name {
        width: 1fr;
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    AttendeesEditor .attendee-remove {
        width: 3;
        min-width: 3;
    }
    AttendeesEditor .attendee-role {
        width: 12;
        margin-right: 1;
    }
    AttendeesEditor .attendee-rsvp {
        width: 12;
        color: $text-muted;
    }
    AttendeesEditor #attendee-pick {
        width: 1fr;
        margin-right: 1;
    }
    AttendeesEditor #attendee-email {
        width: 1fr;
        background: $surface-lighten-1;
        padding: 0 1;
    }
    AttendeesEditor #attendee-email:focus {
        background: $primary-muted;
    }
    AttendeesEditor .attendee-row > .attendee-role > SelectCurrent,
    AttendeesEditor #attendee-pick > SelectCurrent {
        background: $surface-lighten-1;
        padding: 0 1;
    }
    AttendeesEditor .attendee-row > .attendee-role:focus > SelectCurrent,
    AttendeesEditor #attendee-pick:focus > SelectCurrent {
        background: $primary-muted;
    }
    AttendeesEditor #attendee-problem {
        display: none;
        padding-left: 1;
        color: $text-error;
    }
    AttendeesEditor #attendee-problem.-shown {
        display: block;
    }
    """

    class Changed(Message):
        """An attendee was added, removed or given another role."""

    def __init__(
        self,
        attendees: Sequence[Attendee],
        contacts: Sequence[Contact],
        *,
        id: str | None = None,
    ) -> None:
        """Prepare the editor with the meeting's ``attendees`` and the project's ``contacts``."""
        super().__init__(id=id)
        self._attendees = list(attendees)
        self._contacts = sorted(
            (contact for contact in contacts if contact.email), key=lambda c: c.name.casefold()
        )

    def compose(self) -> ComposeResult:
        """The rows, then the two ways to add someone."""
        with Vertical(id="attendee-rows"):
            for attendee in self._attendees:
                yield AttendeeRow(attendee)
        with Horizontal(id="attendee-add"):
            yield Select(
                self._pick_options(self._attendees),
                prompt="+ a contact…",
                compact=True,
                id="attendee-pick",
            )
            yield FieldInput(
                placeholder="+ e-mail, enter",
                compact=True,
                id="attendee-email",
                highlighter=ControlPictures(),
            )
        yield Static(id="attendee-problem")

    def _pick_options(self, present: Sequence[Attendee]) -> list[tuple[Text, str]]:
        taken = {attendee.email.casefold() for attendee in present}
        return [
            (Text(printable(f"{contact.name} <{contact.email}>")), contact.id)
            for contact in self._contacts
            if contact.email.casefold() not in taken
        ]

    def attendees(self) -> list[Attendee]:
        """The attendees as chosen, with what is left in the e-mail input added.

        Raises:
            ValidationFailed: the e-mail input holds something that is no e-mail.
        """
        if not self.is_mounted:
            return list(self._attendees)
        chosen = [row.value() for row in self.query(AttendeeRow)]
        pending = self.query_one("#attendee-email", Input).value.strip()
        if pending and pending.casefold() not in {a.email.casefold() for a in chosen}:
            chosen.append(self._attendee_for(pending))
        return chosen

    @property
    def state(self) -> str:
        """Who attends in which role, as one text (to tell whether anything changed)."""
        if not self.is_mounted:
            return "\n".join(f"{a.email}\t{a.role}" for a in self._attendees)
        rows = [row.value() for row in self.query(AttendeeRow)]
        pending = self.query_one("#attendee-email", Input).value
        return "\n".join(f"{a.email}\t{a.role}" for a in rows) + f"\n{pending}"

    def _attendee_for(self, email: str) -> Attendee:
        for contact in self._contacts:
            if contact.email.casefold() == email.casefold():
                return Attendee(email=contact.email, name=contact.name, contact_id=contact.id)
        try:
            return Attendee(email=email)
        except ValueError:
            raise ValidationFailed(f"{email!r} is not an e-mail address") from None

    async def _add(self, attendee: Attendee) -> None:
        present = [row.value() for row in self.query(AttendeeRow)]
        if attendee.email.casefold() in {a.email.casefold() for a in present}:
            self._show_problem(f"{attendee.email} is already invited")
            return
        self._show_problem(None)
        await self.query_one("#attendee-rows").mount(AttendeeRow(attendee))
        self._refresh_pick()
        self.post_message(self.Changed())

    def _refresh_pick(self) -> None:
        present = [row.value() for row in self.query(AttendeeRow)]
        self.query_one("#attendee-pick", Select).set_options(self._pick_options(present))

    def _show_problem(self, problem: str | None) -> None:
        label = self.query_one("#attendee-problem", Static)
        label.set_class(problem is not None, "-shown")
        label.update(Text(f"✗ {problem}" if problem else ""))

    @on(Select.Changed, "#attendee-pick")
    async def _picked(self, event: Select.Changed) -> None:
        event.stop()
        if event.value is Select.NULL:
            return
        contact = next((c for c in self._contacts if c.id == event.value), None)
        if contact is not None:
            await self._add(Attendee(email=contact.email, name=contact.name, contact_id=contact.id))

    @on(Input.Submitted, "#attendee-email")
    async def _email_entered(self, event: Input.Submitted) -> None:
        event.stop()
        email = event.value.strip()
        if not email:
            return
        try:
            attendee = self._attendee_for(email)
        except ValidationFailed as error:
            self._show_problem(str(error))
            return
        event.input.value = ""
        await self._add(attendee)

    @on(Select.Changed, ".attendee-role")
    def _role_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.post_message(self.Changed())

    @on(Button.Pressed, ".attendee-remove")
    async def _remove(self, event: Button.Pressed) -> None:
        event.stop()
        row = event.button.parent
        if isinstance(row, AttendeeRow):
            await row.remove()
        self._refresh_pick()
        self.post_message(self.Changed())
