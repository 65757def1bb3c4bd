"""The base of every record form: labelled fields, validation beside the field, save and cancel.

A form is a ``ModalScreen`` that returns the saved record (or None when the
user cancels). It validates with the store's own rules
(:func:`~clientdesk.store.repository.validate_record`), then saves through a
function the caller passes in, run in a thread worker so the UI never waits
on the disk. A rule broken on save (a taken key, say) is shown beside its
field like any other; other store errors are shown at the top and notified.
A save that meets a newer version saved by someone else opens the
:class:`~clientdesk.widgets.conflict_dialog.ConflictDialog` (keep mine, take
theirs, or back to editing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from typing import Any, ClassVar, Generic, Literal, Self, TypeVar, cast
from zoneinfo import available_timezones

from pydantic import ValidationError
from rich.highlighter import Highlighter
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from clientdesk.store.clock import parse_date, twice_note, zone
from clientdesk.store.errors import ConflictError, StoreError, ValidationFailed, describe_error
from clientdesk.store.models import Record
from clientdesk.store.snapshot import dump_record, validate_record
from clientdesk.store.text import TERMINAL_CONTROLS, printable
from clientdesk.widgets.actions import bindings, key_of
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from clientdesk.widgets.conflict_dialog import (
    ConflictChoice,
    ConflictDialog,
    merge_onto,
    when_changed,
    who_changed,
)
from clientdesk.widgets.field_input import FieldInput

R = TypeVar("R", bound=Record)


@cache
def time_zone_names() -> tuple[str, ...]:
    """Every IANA time zone name, sorted (read once, then cached)."""
    return tuple(sorted(available_timezones()))


@cache
def screen_attributes() -> frozenset[str]:
    """The instance attributes Textual itself gives a screen (read once from a bare one).

    What a form sets beyond these is its opening: the record, the save, the
    project... (see :meth:`RecordForm.reused`).
    """
    return frozenset(vars(ModalScreen[None]()))


def enum_options(values: Sequence[StrEnum]) -> tuple[tuple[str, str], ...]:
    """Select options from enumeration members: ``in_person`` reads "in person"."""
    return tuple((str(value).replace("_", " "), str(value)) for value in values)


_CONTROL_PICTURES = (
    {code: 0x2400 + code for code in range(0x20)}
    | {0x7F: 0x2421}
    | {ord(char): 0xFFFD for char in map(chr, range(0x80, 0x2070)) if TERMINAL_CONTROLS.match(char)}
)
"""C0 controls and DEL mapped to their visible pictures (U+2400 block), one for one;
C1 controls, line separators and bidi controls, which have no picture, to U+FFFD."""


class ControlPictures(Highlighter):
    """Shows control characters in an Input as their pictures (ESC reads "␛", U+202E "�").

    The Input keeps the real value; only what reaches the terminal changes, one
    character for one so the cursor stays where it was.
    """

    def highlight(self, text: Text) -> None:
        """Replace the control characters of ``text`` in place."""
        text.plain = text.plain.translate(_CONTROL_PICTURES)


def compact_input(value: str, placeholder: str, classes: str) -> Input:
    """A one-line input for a row of a compound editor (agenda, attendees, action items).

    Stored text may hold escape sequences: they show as control pictures.
    """
    return FieldInput(
        value, placeholder=placeholder, compact=True, classes=classes, highlighter=ControlPictures()
    )


class LongText(TextArea):
    """A field of several lines (a description, a plan): the text keeps its line breaks.

    Tab moves on to the next field, as in every other field, so the keyboard is
    never trapped; enter starts a new line. Stored text may hold escape
    sequences: they show as control pictures, as in the one-line inputs.
    """

    DEFAULT_CSS = """
    LongText {
        height: auto;
        min-height: 2;
        max-height: 8;
    }
    """

    def __init__(self, text: str, *, placeholder: str = "", id: str | None = None) -> None:
        """Hold ``text``; ``placeholder`` shows while it is empty."""
        super().__init__(
            text,
            soft_wrap=True,
            tab_behavior="focus",
            compact=True,
            highlight_cursor_line=False,
            placeholder=placeholder,
            id=id,
        )

    def get_line(self, line_index: int) -> Text:
        """The line as it is drawn, its control characters as pictures."""
        line = super().get_line(line_index)
        ControlPictures().highlight(line)
        return line

    def on_blur(self, event: events.Blur) -> None:
        """Show the text from its first line once the user leaves it."""
        self.move_cursor((0, 0))
        self.scroll_home(animate=False)


@dataclass(frozen=True)
class FormField:
    """One field of a form.

    Attributes:
        name: the model field it edits.
        label: the text beside the input.
        kind: ``text``, ``long`` (text of several lines), ``date``
            (``YYYY-MM-DD``), ``zone`` (a time zone name, with completion) or
            ``select``.
        options: ``(label, value)`` pairs of a ``select`` field.
        placeholder: the hint shown in an empty input.
        required: the label is marked with ``*``.
        blank_is_none: an empty input means None rather than "".
        default: the initial text of the field on a new record.
    """

    name: str
    label: str
    kind: Literal["text", "long", "date", "zone", "select"] = "text"
    options: tuple[tuple[str, str], ...] = ()
    placeholder: str = ""
    required: bool = False
    blank_is_none: bool = False
    default: str = ""


class FormInvalid(Exception):
    """One or more fields of a form break a rule."""

    def __init__(self, errors: Sequence[ValidationFailed]) -> None:
        """Carry every broken rule."""
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = list(errors)
        """The broken rules, each naming its field where known."""


def text_of(value: object) -> str:
    """A field value as the text an input shows."""
    if value is None:
        return ""
    if isinstance(value, StrEnum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


_KEPT_ACROSS_OPENINGS = frozenset({"_shown_options", "_styled_in_theme", "_refilled"})
"""Attributes of a kept form that describe its widgets, not an opening: kept on reuse."""


def _select_options(options: Sequence[tuple[str, str]]) -> list[tuple[Text, str]]:
    # Labels may be user text (contact names): never markup, no raw controls.
    return [(Text(printable(label)), value) for label, value in options]


class RecordForm(ModalScreen[R | None], Generic[R]):
    """Base class of the forms; subclasses set ``RECORD_TYPE``, ``NOUN`` and ``FIELDS``."""

    AUTO_FOCUS = ".form-control > *"
    """The first field has the focus as the form opens. (Textual's default would
    focus the scrolling field list first and restyle every field twice over.)"""

    DEFAULT_CSS = """
    RecordForm {
        align: center middle;
    }
    RecordForm > #form-box {
        width: 84;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    RecordForm #form-head {
        dock: top;
        height: auto;
    }
    RecordForm #form-title {
        text-style: bold;
        padding: 0 1;
        margin-bottom: 1;
    }
    RecordForm #form-error {
        display: none;
        color: $text-error;
        background: $error-muted;
        padding: 0 1;
        margin-bottom: 1;
    }
    RecordForm #form-error.-shown {
        display: block;
    }
    RecordForm #form-fields {
        height: auto;
    }
    RecordForm .form-row {
        height: auto;
        margin-bottom: 1;
    }
    RecordForm .form-label {
        width: 18;
        padding: 0 1 0 0;
        text-align: right;
    }
    RecordForm .form-control {
        width: 1fr;
        height: auto;
    }
    RecordForm .form-control > Input {
        background: $surface-lighten-1;
        padding: 0 1;
    }
    RecordForm .form-control > Input:focus {
        background: $primary-muted;
    }
    RecordForm .form-control > LongText {
        background: $surface-lighten-1;
        padding: 0 1;
    }
    RecordForm .form-control > LongText:focus {
        background: $primary-muted;
    }
    RecordForm .form-control > Select > SelectCurrent {
        background: $surface-lighten-1;
        padding: 0 1;
    }
    RecordForm .form-control > Select:focus > SelectCurrent {
        background: $primary-muted;
    }
    RecordForm .form-field-error {
        display: none;
        color: $text-error;
    }
    RecordForm .form-field-error.-shown {
        display: block;
    }
    RecordForm #form-buttons {
        dock: bottom;
        height: auto;
        align-horizontal: right;
        margin: 1 0 0 0;
    }
    RecordForm #form-buttons Button {
        margin-left: 2;
    }
    """

    BINDINGS = bindings("form")

    RECORD_TYPE: ClassVar[type[Record]]
    """The kind of record the form edits."""

    NOUN: ClassVar[str] = "record"
    """What the record is called in the title ("New project")."""

    FIELDS: ClassVar[tuple[FormField, ...]] = ()
    """The fields, top to bottom."""

    REUSABLE: ClassVar[bool] = True
    """The form, once built, is kept and filled again on the next open of its kind.

    Composing a form builds about a hundred widgets and restyles each; refilling
    one sets some twenty values. A form whose parts cannot all be put back to a
    record's values (see :meth:`refill`) sets this to False and is built anew.
    """

    class Saved(Message):
        """The save worker stored the record."""

        def __init__(self, record: Record) -> None:
            """Carry the record as saved."""
            super().__init__()
            self.record = record
            """The record as stored (key, revision and timestamps filled in)."""

    class SaveFailed(Message):
        """The save worker could not store the record."""

        def __init__(self, error: StoreError | OSError) -> None:
            """Carry the error."""
            super().__init__()
            self.error = error
            """What went wrong; ``str(error)`` is one line for the user."""

    def __init__(
        self,
        record: R | None,
        save: Callable[[R], R],
        *,
        fixed: Mapping[str, Any] | None = None,
        defaults: Mapping[str, str] | None = None,
        subtitle: str = "",
    ) -> None:
        """Prepare the form.

        Args:
            record: the record to edit, or None for a new one.
            save: stores the record and returns it as saved; called in a thread
                worker, so it may block. It raises ``StoreError`` on failure.
            fixed: values set on a new record that the user does not edit
                (e.g. ``project_id``).
            defaults: the initial text of fields of a new record.
            subtitle: shown after the title, e.g. the project a contact joins.
        """
        super().__init__()
        self.record = record
        """The record being edited (None for a new one)."""
        self._save = save
        self._fixed = dict(fixed or {})
        self._defaults = dict(defaults or {})
        self._subtitle = subtitle
        self._saving = False
        self._key_hold = ""
        self._initial: dict[str, str] = {}
        self._mine: R | None = None
        self._notes: list[str] = []
        self._shown_options: dict[str, tuple[tuple[str, str], ...]] = {}
        self._styled_in_theme: str | None = None
        self._refilled = False

    # -- layout ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """The title, a place for errors, the fields and the buttons."""
        with Vertical(id="form-box"):
            with Vertical(id="form-head"):
                yield Static(self._title(), id="form-title")
                yield Static(id="form-error")
            with VerticalScroll(id="form-fields"):
                for field in self.FIELDS:
                    yield self._field_row(field)
            with Horizontal(id="form-buttons"):
                yield Button(f"Cancel ({key_of('form.cancel')})", compact=True, id="cancel")
                yield Button(
                    f"Save ({key_of('form.save')})", variant="primary", compact=True, id="save"
                )

    def _title(self) -> Text:
        if self.record is None:
            title = Text(f"New {self.NOUN}")
        else:
            title = Text.assemble(f"Edit {self.NOUN} ", (printable(self.record.key), "bold"))
        if self._subtitle:
            title.append_text(Text(f" · {printable(self._subtitle)}", style="dim"))
        return title

    def _field_row(self, field: FormField) -> Widget:
        label = Label(field.label + (" *" if field.required else ""), classes="form-label")
        error = Static(id=f"error-{field.name}", classes="form-field-error")
        return Horizontal(
            label, Vertical(self._control(field), error, classes="form-control"), classes="form-row"
        )

    def _control(self, field: FormField) -> Widget:
        initial = self._initial_text(field)
        widget_id = f"field-{field.name}"
        if field.kind == "select":
            options = self.field_options(field)
            self._shown_options[field.name] = options
            values = [value for _, value in options]
            return Select(
                _select_options(options),
                value=initial if initial in values else values[0],
                allow_blank=False,
                compact=True,
                id=widget_id,
            )
        if field.kind == "long":
            return LongText(initial, placeholder=field.placeholder, id=widget_id)
        suggester = None
        if field.kind == "zone":
            suggester = SuggestFromList(time_zone_names(), case_sensitive=False)
        placeholder = field.placeholder or ("YYYY-MM-DD" if field.kind == "date" else "")
        return FieldInput(
            initial,
            placeholder=placeholder,
            compact=True,
            id=widget_id,
            suggester=suggester,
            # Stored text may hold escape sequences: they must not reach the terminal.
            highlighter=ControlPictures(),
        )

    def field_options(self, field: FormField) -> tuple[tuple[str, str], ...]:
        """The ``(label, value)`` options a ``select`` field offers on this opening.

        A form whose options depend on the record or the project (the
        project's contacts, say) gives them here: a reused form offers them anew.
        """
        return field.options

    def show_options(self, name: str, options: tuple[tuple[str, str], ...]) -> None:
        """Offer ``options`` in the select of the field ``name`` (its value is then to be set)."""
        self.query_one(f"#field-{name}", Select).set_options(_select_options(options))
        self._shown_options[name] = options

    def on_mount(self) -> None:
        """Remember the starting values (to know about unsaved changes) and focus field one.

        A reusable form is kept by the app from now on (see :meth:`reused`).
        """
        self._initial = self.values()
        first = self.query(".form-control > *").first()
        first.focus()
        if self.REUSABLE and not self.app.is_screen_installed(self.kept_name()):
            self.app.install_screen(self, self.kept_name())

    # -- reuse -------------------------------------------------------------------

    @classmethod
    def kept_name(cls) -> str:
        """The name under which the app keeps the built form of this class."""
        return f"record-form:{cls.__module__}.{cls.__qualname__}"

    def reused(self) -> Self:
        """The form to show for this opening: the app's kept form of the kind, refilled.

        Call it on a form just made (not yet shown); it may be returned as it is:
        when the kind's form was never built, is not reusable, is on screen now
        or still saving (a second one is built then). The kept form takes this form's
        opening (record, save function, project, time...) and shows it as a
        newly built form would: every field, option, message, focus and scroll
        position as for a first open, nothing left of the last one.
        """
        if not self.REUSABLE:
            return self
        app = self.app
        name = self.kept_name()
        if not app.is_screen_installed(name):
            return self
        kept = app.get_screen(name)
        if type(kept) is not type(self) or not kept.is_mounted or kept in app.screen_stack:
            return self
        if kept._saving:  # a save still under way reports to the form that started it
            return self
        kept.take_opening(self)
        return kept

    def take_opening(self, fresh: RecordForm[Any]) -> None:
        """Show ``fresh``'s opening in this (built, not shown) form: see :meth:`reused`."""
        # Every attribute a form's __init__ sets (its own and its subclass's) is
        # the opening; copying them all also resets the save state, the notes
        # and the starting values, as a new form would have them.
        opening = vars(fresh)
        for name in opening.keys() - screen_attributes() - _KEPT_ACROSS_OPENINGS:
            if not name.startswith("_reactive_"):  # Textual's, should a form add a reactive
                setattr(self, name, opening[name])
        self.refill()
        self._refilled = True

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Skip restyling every widget when a refilled form is shown again in the same theme.

        Textual restyles a whole screen each time it is shown, in case the
        styles changed while it was hidden: for a form, about as long as
        building it. A refill's own changes (a message hidden, a row shown, the
        focus) restyle what they touch as they are made; only a theme changed
        since the form was last styled restyles everything. (Shown again from
        under a dialog, the form is restyled as Textual does.) This handler
        runs before the screen's own, which reads the flag.
        """
        theme = self.app.theme
        if self._refilled and self._styled_in_theme == theme:
            event.refresh_styles = False
        self._refilled = False
        self._styled_in_theme = theme

    def dismiss(self, result: R | None = None) -> AwaitComplete:
        """Close the form with ``result``; a kept form then lets go of what its opening brought."""
        closing = super().dismiss(result)
        if self.REUSABLE:
            self.let_go()
        return closing

    def let_go(self) -> None:
        """Drop what a closed, kept form need not hold until its next opening.

        A form that holds the records it picks from (a whole snapshot) lets go
        of them here, so that a kept form never keeps an old data set alive.
        """

    def refill(self) -> None:
        """Put the opening's values back in every part of the form.

        Subclasses with parts of their own (a read-only log, rows shown for
        some records only) extend it and call it first.
        """
        self.query_one("#form-title", Static).update(self._title())
        self.clear_errors()
        self.query_one("#form-error", Static).update("")
        for field in self.FIELDS:
            self.refill_field(field)
        self.query_one("#save", Button).disabled = False
        self.query_one("#form-fields", VerticalScroll).scroll_home(animate=False)
        self._initial = self.values()
        first = self.query(".form-control > *").first()
        self.set_focus(first, scroll_visible=False)

    def refill_field(self, field: FormField) -> None:
        """Put ``field``'s starting text (and, for a select, its options) back in its control."""
        widget = self.query_one(f"#field-{field.name}")
        initial = self._initial_text(field)
        if isinstance(widget, Select):
            options = self.field_options(field)
            if options != self._shown_options.get(field.name):
                self.show_options(field.name, options)
            values = [value for _, value in options]
            widget.expanded = False
            widget.value = initial if initial in values else values[0]
        elif isinstance(widget, Input):
            widget.value = initial
            widget.cursor_position = len(initial)
            widget.scroll_home(animate=False)
        elif isinstance(widget, TextArea):
            widget.load_text(initial)

    # -- values ------------------------------------------------------------------

    def _initial_text(self, field: FormField) -> str:
        if self.record is not None:
            return text_of(getattr(self.record, field.name, None))
        return self._defaults.get(field.name, field.default)

    def values(self) -> dict[str, str]:
        """The text of every field as the user has it now."""
        result: dict[str, str] = {}
        for field in self.FIELDS:
            widget = self.query_one(f"#field-{field.name}")
            if isinstance(widget, Select):
                value = widget.value
                result[field.name] = "" if value is Select.NULL else str(value)
            elif isinstance(widget, Input):
                result[field.name] = widget.value
            elif isinstance(widget, TextArea):
                result[field.name] = widget.text
        return result

    @property
    def fixed(self) -> Mapping[str, Any]:
        """The values a new record gets that the user does not edit (``project_id``)."""
        return self._fixed

    def fill(self, values: Mapping[str, str]) -> list[str]:
        """Put ``values`` (field texts, as :meth:`values` gives them) into the fields.

        Used to give back what was typed before the app was stopped.

        Returns:
            The names of the values that could not be put back: an option a
            select no longer offers, or a compound editor's state (attendees,
            agenda, cadence, audience) that differs from what the form shows.
        """
        for field in self.FIELDS:
            text = values.get(field.name)
            widget = self.query_one(f"#field-{field.name}")
            if text is None:
                continue
            if isinstance(widget, Select):
                if any(value == text for _, value in field.options):
                    widget.value = text
            elif isinstance(widget, Input):
                widget.value = text
            elif isinstance(widget, TextArea):
                widget.load_text(text)
        shown = self.values()
        return [name for name, text in values.items() if shown.get(name) != text]

    @property
    def has_changes(self) -> bool:
        """True when a field differs from what the form started with."""
        return self.values() != self._initial

    def changes(self, values: Mapping[str, str]) -> tuple[dict[str, Any], list[ValidationFailed]]:
        """Turn the texts into model values: dates parsed, zones checked, blanks to None.

        Returns:
            The values that could be read, and an error for each field that could not.
        """
        data: dict[str, Any] = {}
        errors: list[ValidationFailed] = []
        for field in self.FIELDS:
            text = values.get(field.name, "").strip()
            try:
                if field.kind == "date":
                    data[field.name] = parse_date(text) if text else None
                elif field.blank_is_none and not text:
                    data[field.name] = None
                else:
                    if field.kind == "zone":
                        zone(text)
                    data[field.name] = text
            except ValidationFailed as error:
                errors.append(ValidationFailed(str(error), field.name))
        return data, errors

    def build(self) -> R:
        """The record the form describes, checked against the store's rules.

        Every broken rule is reported at once, not only the first.

        Raises:
            FormInvalid: one or more fields break a rule.
        """
        base = dump_record(self.record) if self.record is not None else dict(self._fixed)
        typed = self.values()
        data, errors = self.changes(typed)
        try:
            record = validate_record(self.RECORD_TYPE, {**base, **data})
        except ValidationFailed as first:
            errors.extend(self._every_error({**base, **data}, first))
        if errors:
            raise FormInvalid(errors)
        # A local time the clocks show twice was taken as the first: said once saved.
        self._notes = [
            note
            for name, value in data.items()
            if isinstance(value, datetime)
            and typed.get(name) != self._initial.get(name)
            and (note := twice_note(value)) is not None
        ]
        return cast(R, record)

    def _every_error(self, data: dict[str, Any], first: ValidationFailed) -> list[ValidationFailed]:
        # validate_record names the first broken rule; pydantic knows them all.
        try:
            self.RECORD_TYPE.model_validate(data)
        except ValidationError as error:
            found = []
            for detail in error.errors():
                location = detail["loc"]
                message = detail["msg"].removeprefix("Value error, ")
                field = str(location[0]) if location else None
                found.append(ValidationFailed(message, field))
            return found
        except ValidationFailed as error:
            return [error]
        return [first]

    # -- errors ------------------------------------------------------------------

    def error_field(self, error: ValidationFailed) -> str | None:
        """The form field an error is about (None when it is about no single field)."""
        names = {field.name for field in self.FIELDS}
        return error.field if error.field in names else None

    def clear_errors(self) -> None:
        """Hide every error message."""
        for widget in self.query(".form-field-error.-shown, #form-error.-shown"):
            widget.remove_class("-shown")

    def show_error(self, error: StoreError | OSError) -> None:
        """Show ``error`` beside its field, or at the top of the form."""
        field = self.error_field(error) if isinstance(error, ValidationFailed) else None
        message = printable(describe_error(error))  # it may quote what was typed
        if field is None:
            box = self.query_one("#form-error", Static)
            box.update(Text(message))
            box.add_class("-shown")
            return
        message = message.removeprefix(f"{field}: ")
        label = self.query_one(f"#error-{field}", Static)
        label.update(Text(f"✗ {message}"))
        label.add_class("-shown")
        control = self.query_one(f"#field-{field}")
        control.focus()
        control.scroll_visible()

    # -- actions -----------------------------------------------------------------

    def action_save(self) -> None:
        """Validate, then save in the background; errors are shown beside their fields."""
        if self._saving:
            return
        self.clear_errors()
        try:
            record = self.build()
        except FormInvalid as invalid:
            for error in reversed(invalid.errors):
                self.show_error(error)  # reversed: the first field ends up focused
            return
        self._mine = record
        self._start_saving(record)

    def _start_saving(self, record: R) -> None:
        self._saving = True
        self.query_one("#save", Button).disabled = True
        # Keys typed after ctrl+s wait until the form has closed (or shown why
        # not): typed slowly, they would meet the pane, not this form.
        hold_keys = getattr(self.app, "hold_keys_for_write", None)
        self._key_hold = hold_keys() if callable(hold_keys) else ""
        self._save_in_background(record)

    def _free_keys(self) -> None:
        """Let the keys typed during the save go on (after what the save brought)."""
        hold, self._key_hold = self._key_hold, ""
        take_keys = getattr(self.app, "take_keys", None)
        if hold and callable(take_keys):
            self.app.call_later(take_keys, hold)

    @work(thread=True, group="store", exclusive=True)
    def _save_in_background(self, record: R) -> None:
        try:
            saved = self._save(record)
        except (StoreError, OSError) as error:
            self.post_message(self.SaveFailed(error))
        else:
            self.post_message(self.Saved(saved))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self._saving = False
        for note in self._notes:
            self.app.notify(note, title="Time taken as the first", severity="warning", markup=False)
        self.dismiss(cast(R, message.record))
        self._free_keys()

    @on(SaveFailed)
    def _save_failed(self, message: SaveFailed) -> None:
        self._saving = False
        self.query_one("#save", Button).disabled = False
        self._free_keys()
        error = message.error
        if isinstance(error, ConflictError) and self._is_conflict_of_this_record(error):
            self._show_conflict(error)
            return
        self.show_error(error)
        if not isinstance(error, ValidationFailed):
            self.notify(describe_error(error), severity="error", markup=False)

    # -- conflicts ---------------------------------------------------------------

    def _is_conflict_of_this_record(self, conflict: ConflictError) -> bool:
        # A save function may store more than the form's record: a conflict on
        # another record is only an error to show.
        if self.record is None or self._mine is None:
            return False
        current = conflict.current
        if current is None:
            return conflict.key == self.record.key
        return isinstance(current, self.RECORD_TYPE) and current.id == self.record.id

    def _show_conflict(self, conflict: ConflictError) -> None:
        """Set the user's version beside the stored one and act on the answer."""
        original, mine = self.record, self._mine
        assert original is not None and mine is not None  # see _is_conflict_of_this_record
        labels = {field.name: field.label for field in self.FIELDS if field.label}

        def answered(choice: ConflictChoice | None) -> None:
            current = conflict.current
            if choice == "mine" and isinstance(current, self.RECORD_TYPE):
                self._keep_mine(original, mine, cast(R, current))
            elif choice == "theirs" and isinstance(current, self.RECORD_TYPE):
                # Nothing is saved: the form closes as a cancel does, and says so.
                self.app.notify(
                    f"Kept {current.key} as {who_changed(conflict)} saved it; "
                    "your changes were dropped.",
                    markup=False,
                )
                self.dismiss(None)
            elif choice == "discard":
                self.dismiss(None)
            else:
                self._show_still_here(conflict)

        self.app.push_screen(
            ConflictDialog(conflict, original=original, mine=mine, labels=labels), answered
        )

    def _keep_mine(self, original: R, mine: R, current: R) -> None:
        try:
            merged = merge_onto(original, mine, current)
        except ValidationFailed as error:
            # Their changes and mine do not fit together (a response that no longer
            # fits the kind they chose, say): the user sorts it out in the form.
            self.show_error(error)
            self._show_note(f"Your changes do not fit with the newer version: {error}")
            return
        # Through the same save function: the store checks its rules and the
        # revision again, and a still newer version brings the dialog back.
        self._start_saving(merged)

    def _show_still_here(self, conflict: ConflictError) -> None:
        if conflict.current is None:
            note = f"Deleted by {who_changed(conflict)} meanwhile: your version is still here."
        else:
            note = (
                f"Saved by {who_changed(conflict)} at {when_changed(conflict)} meanwhile: "
                "your version is still here (ctrl+s compares them again)."
            )
        self._show_note(note)

    def _show_note(self, note: str) -> None:
        box = self.query_one("#form-error", Static)
        box.update(Text(printable(note)))
        box.add_class("-shown")

    def action_cancel(self) -> None:
        """Close without saving; asks first when there are unsaved changes."""
        if not self.has_changes:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmDialog(
                f"Discard your changes to this {self.NOUN}?", yes="Discard", no="Keep editing"
            ),
            answered,
        )

    @on(Button.Pressed, "#save")
    def _save_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()
