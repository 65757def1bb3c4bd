"""The cadence editor: a recurrence picked from presets or typed as a raw RRULE.

The presets name the weekday or day of the month of the first occurrence
("weekly on Monday", "monthly on day 23"), so the editor is told that
occurrence (:meth:`CadenceEditor.set_first`) whenever the form's start
changes. The rule a preset produces is shown as plain text, which the focus
passes by (so typing on from the field before never replaces it); picking
"custom RRULE" turns that line into an input, starting from the rule shown,
to type a rule by hand. Every keystroke is checked with the store's rules
and the line under the editor says either what is wrong ("✗ ...") or how
the rule reads ("weekly Mon until 2027-03-31").
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from clientdesk.store.calendar import (
    CadencePreset,
    cadence_rule,
    describe_rule,
    rule_end,
    rule_problem,
)
from clientdesk.store.clock import parse_date
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.text import printable
from clientdesk.widgets.field_input import FieldInput
from clientdesk.widgets.record_form import ControlPictures

NO_REPEAT = "none"
"""The preset value of a one-off (no rule)."""

CUSTOM = "custom"
"""The preset value of a rule typed by hand."""

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def preset_options(first: datetime | None) -> list[tuple[str, str]]:
    """The presets as ``(label, value)`` pairs, worded after the first occurrence."""
    weekday = WEEKDAYS[first.weekday()] if first is not None else "its weekday"
    day = str(first.day) if first is not None else "its date"
    return [
        ("none (one-off)", NO_REPEAT),
        (f"weekly on {weekday}", CadencePreset.WEEKLY.value),
        (f"every second week on {weekday}", CadencePreset.FORTNIGHTLY.value),
        (f"monthly on the first {weekday}", CadencePreset.MONTHLY_FIRST_WEEKDAY.value),
        (f"monthly on the last {weekday}", CadencePreset.MONTHLY_LAST_WEEKDAY.value),
        (f"monthly on day {day}", CadencePreset.MONTHLY_DATE.value),
        (f"quarterly on day {day}", CadencePreset.QUARTERLY.value),
        ("custom RRULE", CUSTOM),
    ]


def parse_end(text: str) -> tuple[date | None, int | None]:
    """Read the end of a series: a date (``YYYY-MM-DD``), a count, or blank for none.

    Raises:
        ValidationFailed: the text is neither.
    """
    cleaned = text.strip()
    if not cleaned:
        return None, None
    if re.fullmatch(r"\d{1,4}", cleaned):
        return None, int(cleaned)
    if re.fullmatch(r"\d{4}-.*", cleaned):
        return parse_date(cleaned), None
    raise ValidationFailed(f"the end {cleaned!r} is neither a date (YYYY-MM-DD) nor a count")


def _same_rule(one: str, other: str) -> bool:
    return one.strip().upper().removeprefix("RRULE:") == other.strip().upper().removeprefix(
        "RRULE:"
    )


def _zone_of(moment: datetime | None) -> str | None:
    """The name of ``moment``'s zone (None without one that has a name)."""
    where = moment.tzinfo if moment is not None else None
    return where.key if isinstance(where, ZoneInfo) else None


class CadenceEditor(Widget):
    """A preset, an optional end (date or count), the raw rule, and a line that checks it.

    The raw rule is text unless the preset is "custom RRULE": only then is it an
    input, so the focus never lands on a rule a preset wrote.
    """

    DEFAULT_CSS = """
    CadenceEditor {
        height: auto;
    }
    CadenceEditor > Horizontal {
        height: auto;
    }
    CadenceEditor #cadence-preset {
        width: 1fr;
    }
    CadenceEditor #cadence-end {
        width: 22;
        margin-left: 1;
    }
    CadenceEditor #cadence-end, CadenceEditor #cadence-rule {
        background: $surface-lighten-1;
        padding: 0 1;
    }
    CadenceEditor #cadence-end:focus, CadenceEditor #cadence-rule:focus {
        background: $primary-muted;
    }
    CadenceEditor #cadence-preset > SelectCurrent {
        background: $surface-lighten-1;
        padding: 0 1;
    }
    CadenceEditor #cadence-preset:focus > SelectCurrent {
        background: $primary-muted;
    }
    CadenceEditor #cadence-rule-text {
        padding-left: 1;
    }
    CadenceEditor #cadence-reading {
        padding-left: 1;
        color: $text-muted;
    }
    CadenceEditor #cadence-reading.-problem {
        color: $text-error;
    }
    """

    class Changed(Message):
        """The cadence changed (its rule, or what is wrong with it)."""

        def __init__(self, editor: CadenceEditor) -> None:
            """Carry the editor; read ``rule`` and ``problem`` from it."""
            super().__init__()
            self.editor = editor
            """The editor whose cadence changed."""

        @property
        def control(self) -> CadenceEditor:
            """The editor (for ``@on(CadenceEditor.Changed, "#id")``)."""
            return self.editor

    def __init__(
        self,
        rule: str | None,
        first: datetime | None,
        *,
        timezone: str | None = None,
        anchored: bool = True,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """Prepare the editor.

        Args:
            rule: the rule it starts with (None: a one-off).
            first: the first occurrence, which the presets are anchored on
                (None while the form's start cannot be read).
            timezone: the zone the end date is shown in (None: ``first``'s
                zone, or UTC while there is no ``first``).
            anchored: the first occurrence must be one the rule gives (a
                meeting's start; a plan item's first due date need not be).
            id: the widget's id.
            classes: the widget's classes.
        """
        super().__init__(id=id, classes=classes)
        self._first = first
        self.timezone = timezone or _zone_of(first)
        """The zone the reading shows the end date in (the form's zone)."""
        self._anchored = anchored
        self._preset, self._end = self._recognise(rule)
        self._raw = rule or ""
        self._produced = self._raw

    def _recognise(self, rule: str | None) -> tuple[str, str]:
        """The preset and end text that produce ``rule`` (custom when none does)."""
        if not rule:
            return NO_REPEAT, ""
        if self._first is None:
            return CUSTOM, ""
        until, count = rule_end(rule)
        ends: list[tuple[date | None, int | None, str]] = [(None, count, str(count or ""))]
        if until is not None:
            # UNTIL is kept in UTC: the local last day may be that date or the one before.
            ends = [
                (day, None, day.isoformat())
                for day in (until, date.fromordinal(until.toordinal() - 1))
            ]
        for preset in CadencePreset:
            for end_date, end_count, end_text in ends:
                try:
                    made = cadence_rule(preset, self._first, until=end_date, count=end_count)
                except ValidationFailed:
                    continue
                if _same_rule(made, rule):
                    return preset.value, end_text
        return CUSTOM, ""

    def compose(self) -> ComposeResult:
        """The preset and end on one line, the raw rule below, then the reading."""
        with Horizontal():
            yield Select(
                [(Text(label), value) for label, value in preset_options(self._first)],
                value=self._preset,
                allow_blank=False,
                compact=True,
                id="cadence-preset",
            )
            yield FieldInput(
                self._end,
                placeholder="ends: date / count",
                compact=True,
                id="cadence-end",
                highlighter=ControlPictures(),
            )
        yield FieldInput(
            self._raw,
            placeholder="RRULE, e.g. FREQ=WEEKLY;BYDAY=MO",
            compact=True,
            id="cadence-rule",
            highlighter=ControlPictures(),
        )
        yield Static(id="cadence-rule-text")
        yield Static(id="cadence-reading")

    def on_mount(self) -> None:
        """Show the reading of the starting rule."""
        self._refresh()

    # -- the value ---------------------------------------------------------------

    @property
    def preset(self) -> str:
        """The chosen preset's value (``none``, a :class:`CadencePreset`, or ``custom``)."""
        if not self.is_mounted:
            return self._preset
        value = self.query_one("#cadence-preset", Select).value
        return NO_REPEAT if value is Select.NULL else str(value)

    @property
    def rule(self) -> str | None:
        """The rule as it stands (None for a one-off, or while it has a problem)."""
        return self._evaluate()[0]

    @property
    def problem(self) -> str | None:
        """What is wrong with the cadence (None when nothing is)."""
        return self._evaluate()[1]

    @property
    def state(self) -> str:
        """Everything the user set, as one text (to tell whether anything changed)."""
        if not self.is_mounted:
            return f"{self._preset}\n{self._end}\n{self._raw}"
        end = self.query_one("#cadence-end", Input).value
        raw = self.query_one("#cadence-rule", Input).value
        return f"{self.preset}\n{end}\n{raw}"

    def set_first(self, first: datetime | None) -> None:
        """Anchor the presets on a new first occurrence (None: the start is unreadable)."""
        if first == self._first:
            return
        old_labels = preset_options(self._first)
        self._first = first
        self.timezone = _zone_of(first) or self.timezone
        new_labels = preset_options(first)
        if self.is_mounted:
            if new_labels != old_labels:
                select = self.query_one("#cadence-preset", Select)
                chosen = select.value
                select.set_options([(Text(label), value) for label, value in new_labels])
                select.value = chosen
            self._refresh()

    def _evaluate(self) -> tuple[str | None, str | None]:
        if not self.is_mounted:
            return (self._raw or None), None
        preset = self.preset
        if preset == NO_REPEAT:
            return None, None
        if preset == CUSTOM:
            text = self.query_one("#cadence-rule", Input).value.strip()
            if not text:
                return None, "type a rule, e.g. FREQ=WEEKLY;BYDAY=MO, or pick a preset"
            problem = rule_problem(text, self._first, anchored=self._anchored)
            return (None, problem) if problem else (text, None)
        if self._first is None:
            return None, "the cadence needs a valid start"
        try:
            until, count = parse_end(self.query_one("#cadence-end", Input).value)
            made = cadence_rule(CadencePreset(preset), self._first, until=until, count=count)
        except ValidationFailed as error:
            return None, str(error)
        # "Monthly on the last Friday" from a Friday that is not the last one.
        problem = rule_problem(made, self._first, anchored=self._anchored)
        return (None, problem) if problem else (made, None)

    # -- reacting to the user ----------------------------------------------------

    def _refresh(self) -> None:
        preset = self.preset
        self.query_one("#cadence-end").display = preset not in (NO_REPEAT, CUSTOM)
        rule, problem = self._evaluate()
        raw = self.query_one("#cadence-rule", Input)
        if preset != CUSTOM:
            self._produced = rule or ""
            if rule is not None or preset == NO_REPEAT:
                # Kept in the input too: "custom RRULE" starts from the preset's rule.
                raw.value = self._produced
        # Only a custom rule is typed; a preset's shows as text the focus passes by.
        raw.display = preset == CUSTOM
        shown = self.query_one("#cadence-rule-text", Static)
        shown.display = preset != CUSTOM and bool(self._produced)
        shown.update(Text(printable(self._produced)))
        reading = self.query_one("#cadence-reading", Static)
        reading.set_class(problem is not None, "-problem")
        # The rule may be as a colleague or an imported invite wrote it.
        if problem is not None:
            reading.update(Text(printable(f"✗ {problem}")))
        elif rule is None:
            reading.update(Text("one-off: no repeats"))
        else:
            reading.update(Text(printable(describe_rule(rule, timezone=self.timezone or "UTC"))))
        self.post_message(self.Changed(self))

    @on(Select.Changed, "#cadence-preset")
    def _preset_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._refresh()

    @on(Input.Changed, "#cadence-end")
    def _end_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._refresh()

    @on(Input.Changed, "#cadence-rule")
    def _rule_changed(self, event: Input.Changed) -> None:
        event.stop()
        # Only a custom rule is typed; otherwise a preset wrote it and has refreshed.
        if self.preset == CUSTOM:
            self._refresh()
