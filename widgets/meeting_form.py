"""The form that creates or edits a meeting (or a meeting series).

Title, kind, start and duration in the meeting's time zone, place, organiser,
the attendees (picked from the project's contacts or typed as an e-mail, each
required or optional, their RSVP shown), the agenda template with its total
against the duration, and the recurrence (:class:`CadenceEditor`). The status
is not edited here (the calendar pane's keys move it), nor are the minutes
(the minutes form records them per occurrence).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import Any, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static

from clientdesk.store.clock import parse_datetime, zone
from clientdesk.store.enums import AttendeeRole, MeetingKind
from clientdesk.store.errors import StoreError, ValidationFailed
from clientdesk.store.models import AgendaItem, Attendee, Contact, Meeting, Project
from clientdesk.store.repository import Snapshot
from clientdesk.store.text import printable
from clientdesk.widgets.cadence_editor import CadenceEditor
from clientdesk.widgets.cells import DATETIME_FORMAT
from clientdesk.widgets.record_form import ControlPictures, FormField, RecordForm, enum_options

_DURATION = re.compile(r"(?:(?P<hours>\d+)\s*h)?\s*(?:(?P<minutes>\d+)\s*(?:m|min)?)?")


def parse_minutes(text: str) -> int:
    """Read a duration a person typed: ``90``, ``1h30``, ``1h 30m``, ``2h``, ``1:30``.

    Raises:
        ValidationFailed: the text is not a duration, or is zero or less.
    """
    cleaned = text.strip().lower()
    clock = re.fullmatch(r"(\d+):(\d{2})", cleaned)
    match = _DURATION.fullmatch(cleaned)
    if clock is not None:
        minutes = int(clock[1]) * 60 + int(clock[2])
    elif cleaned and match is not None and (match["hours"] or match["minutes"]):
        minutes = int(match["hours"] or 0) * 60 + int(match["minutes"] or 0)
    else:
        raise ValidationFailed(f"{text.strip()!r} is not a duration (e.g. 60, 90 or 1h30)")
    if minutes <= 0:
        raise ValidationFailed("the duration must be more than 0 minutes")
    return minutes


def _input(value: str, placeholder: str, classes: str) -> Input:
    return Input(
        value, placeholder=placeholder, compact=True, classes=classes, highlighter=ControlPictures()
    )


# -- the agenda ---------------------------------------------------------------------------


class AgendaRow(Horizontal):
    """One agenda point: title, presenter, minutes, and a button that removes it."""

    def __init__(self, item: AgendaItem | None) -> None:
        """Show ``item`` (None: an empty row)."""
        super().__init__(classes="agenda-row")
        self.item = item
        """The point the row started with."""

    def compose(self) -> ComposeResult:
        """Three inputs and the remove button."""
        item = self.item
        yield _input(item.title if item else "", "title", "agenda-title")
        yield _input(item.presenter if item else "", "presenter", "agenda-presenter")
        yield _input(str(item.minutes) if item else "", "min", "agenda-minutes")
        yield Button("✕", compact=True, classes="agenda-remove", tooltip="remove this item")

    def texts(self) -> tuple[str, str, str]:
        """The title, presenter and minutes as typed."""
        return cast(
            tuple[str, str, str],
            tuple(
                self.query_one(f".agenda-{name}", Input).value
                for name in ("title", "presenter", "minutes")
            ),
        )


class AgendaEditor(Widget):
    """Rows of agenda points, a button to add one, and the total against the duration."""

    DEFAULT_CSS = """
    AgendaEditor {
        height: auto;
    }
    AgendaEditor #agenda-rows, AgendaEditor .agenda-row, AgendaEditor #agenda-foot {
        height: auto;
    }
    AgendaEditor .agenda-row > Input {
        background: $surface-lighten-1;
        padding: 0 1;
        margin-right: 1;
    }
    AgendaEditor .agenda-row > Input:focus {
        background: $primary-muted;
    }
    AgendaEditor .agenda-title {
        width: 1fr;
    }
    AgendaEditor .agenda-presenter {
        width: 14;
    }
    AgendaEditor .agenda-minutes {
        width: 6;
    }
    AgendaEditor .agenda-remove {
        width: 3;
        min-width: 3;
    }
    AgendaEditor #agenda-total {
        width: 1fr;
        padding-left: 2;
        color: $text-muted;
    }
    AgendaEditor #agenda-total.-over {
        color: $text-warning;
        text-style: bold;
    }
    """

    duration: reactive[int | None] = reactive(None)
    """The meeting's length in minutes, which the total is shown against (None: unknown)."""

    class Changed(Message):
        """A point was added, removed or edited."""

    def __init__(
        self, items: Sequence[AgendaItem], *, duration: int | None, id: str | None = None
    ) -> None:
        """Prepare the editor with ``items`` and the meeting's ``duration``."""
        super().__init__(id=id)
        self._items = list(items)
        self.set_reactive(AgendaEditor.duration, duration)

    def compose(self) -> ComposeResult:
        """The rows, then the add button and the total."""
        with Vertical(id="agenda-rows"):
            for item in self._items:
                yield AgendaRow(item)
        with Horizontal(id="agenda-foot"):
            yield Button("+ agenda item", compact=True, id="agenda-add")
            yield Static(id="agenda-total")

    def on_mount(self) -> None:
        """Show the total."""
        self._show_total()

    def rows(self) -> list[AgendaRow]:
        """The rows, top to bottom."""
        return list(self.query(AgendaRow))

    @property
    def state(self) -> str:
        """Every row's texts as one text (to tell whether anything changed)."""
        if not self.is_mounted:
            return "\n".join(f"{i.title}\t{i.presenter}\t{i.minutes}" for i in self._items)
        return "\n".join("\t".join(row.texts()) for row in self.rows())

    def total_minutes(self) -> int:
        """The minutes the readable rows allot."""
        total = 0
        for row in self.rows():
            minutes = row.texts()[2].strip()
            if minutes.isdigit():
                total += int(minutes)
        return total

    def items(self) -> list[AgendaItem]:
        """The agenda as typed; rows left wholly blank are dropped.

        Raises:
            ValidationFailed: a row has no title, or minutes that are not a number.
        """
        items = []
        for number, row in enumerate(self.rows(), start=1):
            title, presenter, minutes = (text.strip() for text in row.texts())
            if not (title or presenter or minutes):
                continue
            if not title:
                raise ValidationFailed(f"agenda item {number} needs a title")
            if minutes and not minutes.isdigit():
                raise ValidationFailed(
                    f"agenda item {number}: {minutes!r} is not a number of minutes"
                )
            items.append(AgendaItem(title=title, presenter=presenter, minutes=int(minutes or 0)))
        return items

    def watch_duration(self) -> None:
        """Compare the total with the new duration."""
        if self.is_mounted:
            self._show_total()

    def _show_total(self) -> None:
        total = self.total_minutes()
        label = self.query_one("#agenda-total", Static)
        over = self.duration is not None and total > self.duration
        label.set_class(over, "-over")
        if self.duration is None:
            label.update(Text(f"agenda {total} min"))
        elif over:
            label.update(Text(f"⚠ agenda {total} of {self.duration} min: too long"))
        else:
            label.update(Text(f"agenda {total} of {self.duration} min"))

    @on(Input.Changed)
    def _row_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._show_total()
        self.post_message(self.Changed())

    @on(Button.Pressed, "#agenda-add")
    async def _add(self, event: Button.Pressed) -> None:
        event.stop()
        row = AgendaRow(None)
        await self.query_one("#agenda-rows").mount(row)
        row.query_one(".agenda-title", Input).focus()
        self.post_message(self.Changed())

    @on(Button.Pressed, ".agenda-remove")
    async def _remove(self, event: Button.Pressed) -> None:
        event.stop()
        row = event.button.parent
        if isinstance(row, AgendaRow):
            await row.remove()
        self._show_total()
        self.post_message(self.Changed())


# -- the attendees ------------------------------------------------------------------------


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
            yield Input(
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


# -- the form -----------------------------------------------------------------------------


def default_start(now: datetime, timezone: str) -> datetime:
    """Tomorrow at 10:00 in ``timezone``: where a new meeting starts until the user says."""
    local = now.astimezone(zone(timezone))
    return datetime.combine(local.date() + timedelta(days=1), time(10, 0), tzinfo=local.tzinfo)


CUSTOM_CONTROLS = ("rrule", "attendees", "agenda")
"""The fields edited by a compound widget rather than an input or a Select."""


class MeetingForm(RecordForm[Meeting]):
    """Title, kind, start, duration, zone, recurrence, place, organiser, attendees, agenda."""

    DEFAULT_CSS = """
    MeetingForm > #form-box {
        height: 100%;
    }
    MeetingForm #form-fields {
        height: 1fr;
    }
    """

    RECORD_TYPE = Meeting
    NOUN = "meeting"
    FIELDS = (
        FormField("title", "Title", required=True, placeholder="e.g. Weekly status"),
        FormField(
            "kind",
            "Kind",
            kind="select",
            options=enum_options(list(MeetingKind)),
            default=MeetingKind.MEETING.value,
        ),
        FormField("start", "Start", required=True, placeholder="YYYY-MM-DD HH:MM"),
        FormField("duration_minutes", "Duration", default="60", placeholder="minutes, or 1h30"),
        FormField("timezone", "Time zone", kind="zone", placeholder="e.g. Europe/Berlin"),
        FormField("rrule", "Repeats"),
        FormField("location", "Location", placeholder="room or address"),
        FormField("video_link", "Video link", placeholder="https://…"),
        FormField("organiser_name", "Organiser"),
        FormField("organiser_email", "Organiser e-mail"),
        FormField("attendees", "Attendees"),
        FormField("agenda", "Agenda"),
    )

    def __init__(
        self,
        record: Meeting | None,
        save: Callable[[Meeting], Meeting],
        *,
        project: Project,
        snapshot: Snapshot,
        now: datetime,
        subtitle: str = "",
    ) -> None:
        """Prepare the form.

        Args:
            record: the meeting to edit, or None for a new one.
            save: stores the meeting and returns it as saved; called in a
                thread worker (e.g. the repository's ``add`` or ``update``).
            project: the project the meeting belongs to (its zone, organiser
                and contacts).
            snapshot: the records the attendees are picked from.
            now: the current time (a new meeting starts tomorrow at 10:00).
            subtitle: shown after the title.
        """
        self.project = project
        """The project the meeting belongs to."""
        self._snapshot = snapshot
        start = default_start(now, project.timezone)
        super().__init__(
            record,
            save,
            # The start stands in for an unreadable one, so that only the form's
            # own message is shown beside that field (not "field required").
            fixed={"project_id": project.id, "start": start, "timezone": project.timezone},
            defaults={
                "start": start.strftime(DATETIME_FORMAT),
                "timezone": project.timezone,
                "organiser_name": project.organiser_name,
                "organiser_email": project.organiser_email,
            },
            subtitle=subtitle,
        )

    # -- layout ------------------------------------------------------------------

    def _control(self, field: FormField) -> Widget:
        record = self.record
        widget_id = f"field-{field.name}"
        if field.name == "rrule":
            first = self._start_of(self._initial_text(self._field("start")), self._zone_name())
            return CadenceEditor(record.rrule if record else None, first, id=widget_id)
        if field.name == "attendees":
            contacts = self._snapshot.of_project(Contact, self.project.id)
            return AttendeesEditor(record.attendees if record else [], contacts, id=widget_id)
        if field.name == "agenda":
            duration = record.duration_minutes if record else 60
            return AgendaEditor(record.agenda if record else [], duration=duration, id=widget_id)
        return super()._control(field)

    def _field(self, name: str) -> FormField:
        return next(field for field in self.FIELDS if field.name == name)

    def _zone_name(self) -> str:
        return self.record.timezone if self.record else self.project.timezone

    # -- values ------------------------------------------------------------------

    def _initial_text(self, field: FormField) -> str:
        if self.record is not None and field.name == "start":
            return self.record.start.astimezone(zone(self.record.timezone)).strftime(
                DATETIME_FORMAT
            )
        return super()._initial_text(field)

    def values(self) -> dict[str, str]:
        """The text of every field, the compound ones as a text of their state."""
        result = super().values()
        result["rrule"] = self.query_one("#field-rrule", CadenceEditor).state
        result["attendees"] = self.query_one("#field-attendees", AttendeesEditor).state
        result["agenda"] = self.query_one("#field-agenda", AgendaEditor).state
        return result

    def changes(self, values: Mapping[str, str]) -> tuple[dict[str, Any], list[ValidationFailed]]:
        """As for any form, plus the start read in the chosen zone, the duration and the editors."""
        data, errors = super().changes(values)
        zone_name = values.get("timezone", "").strip()
        if any(error.field == "timezone" for error in errors):
            zone_name = self.project.timezone  # the zone's own error says what is wrong
        readers: dict[str, Callable[[], Any]] = {
            "start": lambda: self._read_start(values.get("start", ""), zone_name),
            "duration_minutes": lambda: parse_minutes(values.get("duration_minutes", "")),
            "rrule": self._read_rule,
            "attendees": self.query_one("#field-attendees", AttendeesEditor).attendees,
            "agenda": self.query_one("#field-agenda", AgendaEditor).items,
        }
        for name, read in readers.items():
            data.pop(name, None)
            try:
                data[name] = read()
            except ValidationFailed as error:
                errors.append(ValidationFailed(str(error), name))
        record = self.record
        if record is not None and record.exceptions and not errors:
            # The series' cancelled and moved occurrences follow a new start or
            # rule; those the new rule no longer gives are dropped.
            from clientdesk.store.calendar import fit_exceptions

            timing: dict[str, Any] = {
                name: data[name] for name in ("start", "timezone", "rrule") if name in data
            }
            try:
                fitted = fit_exceptions(record.model_copy(update=timing), record)
            except ValidationFailed as error:
                return data, [error]  # occurrences with minutes would be lost
            data["exceptions"] = [change.model_dump(mode="json") for change in fitted.exceptions]
        return data, errors

    def _read_start(self, text: str, zone_name: str) -> datetime:
        record = self.record
        unchanged = text == self._initial.get("start") and zone_name == self._zone_name()
        if record is not None and unchanged:
            return record.start  # keeps the seconds the text does not show
        if not text.strip():
            raise ValidationFailed("when the meeting starts is needed (YYYY-MM-DD HH:MM)")
        return parse_datetime(text, zone_name)

    def _read_rule(self) -> str | None:
        editor = self.query_one("#field-rrule", CadenceEditor)
        if editor.problem is not None:
            raise ValidationFailed(editor.problem)
        return editor.rule

    @staticmethod
    def _start_of(text: str, zone_name: str) -> datetime | None:
        try:
            return parse_datetime(text, zone_name) if text.strip() else None
        except ValidationFailed:
            return None

    def show_error(self, error: StoreError | OSError) -> None:
        """As for any form; a compound field's error focuses its first control."""
        field = self.error_field(error) if isinstance(error, ValidationFailed) else None
        if field == "rrule":
            # The editor already says what is wrong, right under the rule.
            self.query_one("#field-rrule").query_one("#cadence-preset").focus()
            return
        super().show_error(error)
        if field in CUSTOM_CONTROLS:
            first = self.query_one(f"#field-{field}").query("Input, Select, Button").first()
            first.focus()
            first.scroll_visible()

    # -- reacting to the user ----------------------------------------------------

    @on(Input.Changed, "#field-start, #field-timezone")
    def _start_changed(self) -> None:
        values = super().values()
        zone_name = values["timezone"].strip()
        try:
            zone(zone_name)
        except ValidationFailed:
            zone_name = self.project.timezone
        first = self._start_of(values["start"], zone_name)
        self.query_one("#field-rrule", CadenceEditor).set_first(first)

    @on(Input.Changed, "#field-duration_minutes")
    def _duration_changed(self, event: Input.Changed) -> None:
        try:
            duration: int | None = parse_minutes(event.value)
        except ValidationFailed:
            duration = None
        self.query_one("#field-agenda", AgendaEditor).duration = duration
