"""The form that edits a project's service levels: response times per priority and the working week.

Each priority, P1 to P4, has one row: the time to first response, the time to
resolution (durations such as ``4h``, ``1d 4h`` or ``90m``) and whether they
count in working hours or around the clock. Below them, the working week
(``mon-fri 09:00-17:00``) in the project's time zone and the holidays.

The policy is nested in the project, so this form is a
:class:`~clientdesk.widgets.record_form.RecordForm` of the project with its
own layout and its own :meth:`~ServiceLevelForm.build`: it reads the texts
with the store's parsers (:mod:`clientdesk.store.sla`) and returns the
project with the new policy. Saving, errors and cancelling are the base's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Label, Static

from clientdesk.store import sla
from clientdesk.store.clock import parse_date
from clientdesk.store.enums import Priority
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.models import Project, ServiceLevelTarget
from clientdesk.store.snapshot import dump_record, validate_record
from clientdesk.widgets.actions import key_of
from clientdesk.widgets.record_form import FormField, FormInvalid, RecordForm

COUNTING_OPTIONS: tuple[tuple[str, str], ...] = (
    ("working hours", "working"),
    ("around the clock", "always"),
)
"""How a priority's clocks count, as Select options."""

MAX_TARGET_MINUTES = 366 * 24 * 60
"""The longest target the store accepts (a year of counted time)."""

PARTS: tuple[tuple[str, str], ...] = (
    ("first_response", "first response"),
    ("resolution", "resolution"),
)
"""The two targets of a priority: field suffix and how an error names it."""


def duration_text(minutes: int) -> str:
    """A target as the text :func:`~clientdesk.store.sla.parse_duration` reads back.

    Hours rather than days (``40h``, not ``1d 16h``): a target counted in
    working hours reads wrongly in 24-hour days.
    """
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h {rest}m" if rest else f"{hours}h"


def target_label(target: ServiceLevelTarget) -> str:
    """A priority's targets in a few words: ``4h / 16h working hours``."""
    counting = "working hours" if target.working_hours else "around the clock"
    first = duration_text(target.first_response_minutes)
    return f"{first} / {duration_text(target.resolution_minutes)} {counting}"


def _name(priority: Priority, part: str) -> str:
    return f"{priority.value.lower()}_{part}"


def _priority_fields(priority: Priority) -> tuple[FormField, ...]:
    return (
        FormField(_name(priority, "first_response"), "First response", placeholder="e.g. 4h"),
        FormField(_name(priority, "resolution"), "Resolution", placeholder="e.g. 16h"),
        FormField(
            _name(priority, "counting"), "Counted in", kind="select", options=COUNTING_OPTIONS
        ),
    )


WORKING_WEEK = FormField(
    "working_week", "Working week", required=True, placeholder="e.g. mon-fri 09:00-17:00"
)
HOLIDAYS = FormField("holidays", "Holidays", placeholder="YYYY-MM-DD, YYYY-MM-DD, …")


class ServiceLevelForm(RecordForm[Project]):
    """Response times per priority, the working week and the holidays of a project."""

    DEFAULT_CSS = """
    ServiceLevelForm .service-level-head {
        height: 1;
        color: $text-muted;
        text-style: bold;
    }
    ServiceLevelForm .service-level-cell {
        width: 18;
        height: auto;
        padding: 0 2 0 0;
    }
    ServiceLevelForm .service-level-cell.-counting {
        width: 1fr;
        padding: 0;
    }
    ServiceLevelForm .form-hint {
        color: $text-muted;
        padding: 0 1;
    }
    """

    RECORD_TYPE = Project
    NOUN = "service-level policy"
    REUSABLE = False  # its compound editors are built anew on each open
    FIELDS = (
        *(field for priority in Priority for field in _priority_fields(priority)),
        WORKING_WEEK,
        HOLIDAYS,
    )

    def __init__(self, project: Project, save: Callable[[Project], Project]) -> None:
        """Prepare the form.

        Args:
            project: the project whose service levels are edited.
            save: stores the project and returns it as saved (e.g. the
                repository's ``update``); called in a thread worker.
        """
        super().__init__(project, save)
        self.project = project
        """The project as it was when the form opened."""

    # -- layout ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """The title, a place for errors, one row per priority, the week and the buttons."""
        # The box, head and buttons are the base's, so the look is the same; the
        # fields are laid out as a table of priorities rather than one per row.
        with Vertical(id="form-box"):
            with Vertical(id="form-head"):
                yield Static(self._title(), id="form-title")
                yield Static(id="form-error")
            with VerticalScroll(id="form-fields"):
                yield self._head_row()
                for priority in Priority:
                    yield self._priority_row(priority)
                yield self._field_row(WORKING_WEEK)
                yield self._field_row(HOLIDAYS)
            with Horizontal(id="form-buttons"):
                yield Button(f"Cancel ({key_of('form.cancel')})", compact=True, id="cancel")
                yield Button(
                    f"Save ({key_of('form.save')})", variant="primary", compact=True, id="save"
                )

    def _title(self) -> Text:
        return Text.assemble(
            "Service levels ",
            (self.project.key, "bold"),
            (f" · {self.project.name}", "dim"),
        )

    def _head_row(self) -> Widget:
        cells = [Label("", classes="form-label")]
        for heading in ("First response", "Resolution"):
            cells.append(Label(heading, classes="service-level-head service-level-cell"))
        cells.append(Label("Counted in", classes="service-level-head service-level-cell -counting"))
        return Horizontal(*cells, classes="form-row")

    def _field_row(self, field: FormField) -> Widget:
        if field is not WORKING_WEEK:
            return super()._field_row(field)
        # Which zone the hours are in is easy to forget: say it under the field.
        hint = Text(f"in {self.project.timezone}; e.g. mon-thu 08:00-16:00; fri 08:00-12:00")
        control = Vertical(
            self._control(field),
            Static(hint, classes="form-hint"),
            Static(id=f"error-{field.name}", classes="form-field-error"),
            classes="form-control",
        )
        label = Label(f"{field.label} *", classes="form-label")
        return Horizontal(label, control, classes="form-row")

    def _priority_row(self, priority: Priority) -> Widget:
        cells: list[Widget] = [Label(priority.value, classes="form-label")]
        for field in _priority_fields(priority):
            error = Static(id=f"error-{field.name}", classes="form-field-error")
            classes = "form-control service-level-cell"
            if field.kind == "select":
                classes += " -counting"
            cells.append(Vertical(self._control(field), error, classes=classes))
        return Horizontal(*cells, classes="form-row")

    # -- values ------------------------------------------------------------------

    def _initial_text(self, field: FormField) -> str:
        policy = self.project.service_levels
        if field is WORKING_WEEK:
            return policy.working_week
        if field is HOLIDAYS:
            return ", ".join(day.isoformat() for day in sorted(policy.holidays))
        name, _, part = field.name.partition("_")
        target = policy.target(Priority(name.upper()))
        if part == "counting":
            return "working" if target.working_hours else "always"
        if part == "first_response":
            return duration_text(target.first_response_minutes)
        return duration_text(target.resolution_minutes)

    def build(self) -> Project:
        """The project with the service levels the form describes.

        Every field that cannot be read is reported at once, beside itself.

        Raises:
            FormInvalid: one or more fields cannot be read.
        """
        values = self.values()
        errors: list[ValidationFailed] = []
        targets: dict[str, dict[str, object]] = {}
        for priority in Priority:
            target: dict[str, object] = {
                "working_hours": values[_name(priority, "counting")] == "working"
            }
            for part, words in PARTS:
                name = _name(priority, part)
                try:
                    target[f"{part}_minutes"] = _target_minutes(values[name], words)
                except ValidationFailed as error:
                    errors.append(ValidationFailed(str(error), name))
            targets[priority.value] = target
        week = ""
        try:
            week = sla.format_working_week(sla.parse_working_week(values[WORKING_WEEK.name]))
        except sla.WorkingWeekError as error:
            errors.append(ValidationFailed(str(error), WORKING_WEEK.name))
        holidays: list[date] = []
        try:
            holidays = _holidays(values[HOLIDAYS.name])
        except ValidationFailed as error:
            errors.append(ValidationFailed(str(error), HOLIDAYS.name))
        if errors:
            raise FormInvalid(errors)
        data = dump_record(self.project)
        data["service_levels"] = {
            "targets": targets,
            "working_week": week,
            "holidays": [day.isoformat() for day in holidays],
        }
        try:
            return validate_record(Project, data)
        except ValidationFailed as error:
            raise FormInvalid([error]) from None


def _target_minutes(text: str, words: str) -> int:
    """A target's text in minutes, within what the store accepts."""
    if not text.strip():
        raise ValidationFailed(f"a {words} target is needed (e.g. 4h)")
    try:
        minutes = sla.parse_duration(text)
    except sla.WorkingWeekError as error:
        raise ValidationFailed(str(error)) from None
    if minutes > MAX_TARGET_MINUTES:
        raise ValidationFailed(f"the {words} target is longer than a year")
    return minutes


def _holidays(text: str) -> list[date]:
    """Comma-separated dates, sorted, each once."""
    pieces = [piece for piece in text.replace(";", ",").split(",") if piece.strip()]
    return sorted({parse_date(piece) for piece in pieces})
