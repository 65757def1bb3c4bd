"""The form that creates or edits a meeting (or a meeting series).

Title, kind, start and duration in the meeting's time zone, place, organiser,
the attendees (picked from the project's contacts or typed as an e-mail, each
required or optional, their RSVP shown), the agenda template with its total
against the duration, and the recurrence (:class:`CadenceEditor`). The status
is not edited here (the calendar pane's keys move it), nor are the minutes
(the minutes form records them per occurrence).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, time, timedelta
from typing import Any

from textual import on
from textual.widget import Widget
from textual.widgets import Input

from clientdesk.store.clock import parse_datetime, zone
from clientdesk.store.enums import MeetingKind
from clientdesk.store.errors import StoreError, ValidationFailed
from clientdesk.store.fields import parse_minutes
from clientdesk.store.models import Contact, Meeting, Project
from clientdesk.store.repository import Snapshot
from clientdesk.widgets.agenda_editor import AgendaEditor
from clientdesk.widgets.attendees_editor import AttendeesEditor
from clientdesk.widgets.cadence_editor import CadenceEditor
from clientdesk.widgets.cells import DATETIME_FORMAT
from clientdesk.widgets.record_form import FormField, RecordForm, enum_options


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
