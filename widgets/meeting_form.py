"""The form that creates or edits a meeting (or a meeting series).

Title, kind, start and duration in the meeting's time zone (or, for an
all-day meeting, its first day and how many days it spans), place, organiser,
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
from textual.widgets import Checkbox, Input

from clientdesk.store import meeting_dates
from clientdesk.store.clock import parse_date, parse_datetime, zone
from clientdesk.store.enums import MeetingKind
from clientdesk.store.errors import StoreError, ValidationFailed
from clientdesk.store.fields import parse_minutes
from clientdesk.store.models import Contact, Meeting, Project
from clientdesk.store.snapshot import Snapshot
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

DATE_FORMAT = "%Y-%m-%d"
"""How the start of an all-day meeting is shown: its day alone."""

CHECKED = "yes"
"""The text of the "All day" box when it is ticked (as :meth:`MeetingForm.values` gives it)."""


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
    REUSABLE = False  # its compound editors are built anew on each open
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
        FormField("all_day", "All day"),
        FormField("duration_minutes", "Duration", default="60", placeholder="minutes, or 1h30"),
        FormField("days", "Days", default="1", placeholder="how many days, e.g. 1 or 3"),
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
        if field.name == "all_day":
            ticked = record.all_day if record else False
            return Checkbox("whole days, no time", ticked, compact=True, id=widget_id)
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
        record = self.record
        if record is not None and field.name == "start":
            shown = DATE_FORMAT if record.all_day else DATETIME_FORMAT
            return record.start.astimezone(zone(record.timezone)).strftime(shown)
        if field.name == "days":
            if record is not None and record.all_day:
                return str(meeting_dates.whole_days(record.duration_minutes))
            return field.default
        if field.name == "duration_minutes" and record is not None and record.all_day:
            return field.default  # the length of the meeting if it stops being all-day
        return super()._initial_text(field)

    def on_mount(self) -> None:
        """Hide the row that does not apply: days for a timed meeting, or the duration.

        (Textual calls the form's own ``on_mount`` too, after this one.)
        """
        self._show_rows(self._all_day)

    @property
    def _all_day(self) -> bool:
        return self.query_one("#field-all_day", Checkbox).value

    def _show_rows(self, all_day: bool) -> None:
        """Days for an all-day meeting, the duration for a timed one."""
        for name, shown in (("days", all_day), ("duration_minutes", not all_day)):
            row = self.query_one(f"#field-{name}").parent
            if row is not None and row.parent is not None:
                row.parent.display = shown

    def fill(self, values: Mapping[str, str]) -> list[str]:
        """As for any form, the "All day" box too."""
        if "all_day" in values:
            self.query_one("#field-all_day", Checkbox).value = values["all_day"] == CHECKED
        return super().fill(values)

    def values(self) -> dict[str, str]:
        """The text of every field, the compound ones as a text of their state."""
        result = super().values()
        result["all_day"] = CHECKED if self._all_day else ""
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
        all_day = values.get("all_day") == CHECKED
        data.pop("days", None)
        data["all_day"] = all_day
        readers: dict[str, Callable[[], Any]] = {
            "start": lambda: self._read_start(values.get("start", ""), zone_name, all_day),
            "duration_minutes": (
                (lambda: _read_days(values.get("days", "")))
                if all_day
                else (lambda: parse_minutes(values.get("duration_minutes", "")))
            ),
            "rrule": self._read_rule,
            "attendees": self.query_one("#field-attendees", AttendeesEditor).attendees,
            "agenda": self.query_one("#field-agenda", AgendaEditor).items,
        }
        for name, read in readers.items():
            data.pop(name, None)
            try:
                data[name] = read()
            except ValidationFailed as error:
                shown = "days" if all_day and name == "duration_minutes" else name
                errors.append(ValidationFailed(str(error), shown))
        record = self.record
        if record is not None and record.exceptions and not errors:
            # The series' cancelled and moved occurrences follow a new start or
            # rule; those the new rule no longer gives are dropped.
            from clientdesk.store.calendar import fit_exceptions

            timing: dict[str, Any] = {
                name: data[name]
                for name in ("start", "timezone", "rrule", "all_day")
                if name in data
            }
            try:
                fitted = fit_exceptions(record.model_copy(update=timing), record)
            except ValidationFailed as error:
                return data, [error]  # occurrences with minutes would be lost
            data["exceptions"] = [change.model_dump(mode="json") for change in fitted.exceptions]
        return data, errors

    def _read_start(self, text: str, zone_name: str, all_day: bool = False) -> datetime:
        record = self.record
        unchanged = text == self._initial.get("start") and zone_name == self._zone_name()
        if record is not None and unchanged and record.all_day == all_day:
            return record.start  # keeps the seconds the text does not show
        if all_day:
            if not text.strip():
                raise ValidationFailed("the day the meeting is on is needed (YYYY-MM-DD)")
            # The day alone; a time typed after it is not what an all-day meeting has.
            day = parse_date(text.strip()[:10])
            return meeting_dates.day_start(day, zone_name)
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

    @on(Checkbox.Changed, "#field-all_day")
    def _all_day_changed(self, event: Checkbox.Changed) -> None:
        # The start shows the day alone, or the day at the time a new meeting takes.
        start = self.query_one("#field-start", Input)
        day = start.value.strip()[:10]
        if event.value:
            start.value = day
            start.placeholder = "YYYY-MM-DD"
        else:
            start.value = f"{day} 10:00" if day else ""  # the hour a new meeting starts at
            start.placeholder = "YYYY-MM-DD HH:MM"
        self._show_rows(event.value)

    @on(Input.Changed, "#field-duration_minutes")
    def _duration_changed(self, event: Input.Changed) -> None:
        try:
            duration: int | None = parse_minutes(event.value)
        except ValidationFailed:
            duration = None
        self.query_one("#field-agenda", AgendaEditor).duration = duration


def _read_days(text: str) -> int:
    """The length of an all-day meeting in minutes, from the number of days typed."""
    cleaned = text.strip()
    most = meeting_dates.MAX_ALL_DAY_DAYS
    if not cleaned.isdigit() or not 1 <= int(cleaned) <= most:
        raise ValidationFailed(f"{cleaned or 'nothing'!r} is not a number of days (1 to {most})")
    return int(cleaned) * meeting_dates.DAY_MINUTES
