"""The form that creates or edits a risk (a threat or an opportunity), with its score history.

The cause, event and effect read as one sentence ("Because of <cause>,
<event> may happen, which would <effect>"); probability and impact are picked
by their named levels, each with a one-line meaning; the response list offers
only the strategies that fit the kind, and follows the kind when it changes.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Label, Select, Static

from clientdesk.store.enums import (
    OPPORTUNITY_RESPONSES,
    THREAT_RESPONSES,
    RiskKind,
    RiskResponse,
)
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.models import Risk
from clientdesk.store.rules import (
    IMPACT_MEANINGS,
    LEVEL_NAMES,
    PROBABILITY_MEANINGS,
    risk_band,
)
from clientdesk.widgets.cells import band_score, datetime_text
from clientdesk.widgets.record_form import FormField, RecordForm, enum_options

LEVEL_OPTIONS: tuple[tuple[str, str], ...] = tuple(
    (f"{level} {name}", str(level)) for level, name in LEVEL_NAMES.items()
)
"""The five named levels as Select options."""

RESIDUAL_OPTIONS: tuple[tuple[str, str], ...] = (("not set", ""), *LEVEL_OPTIONS)
"""The residual levels: the five, or none yet."""

RESPONSE_ORDER: tuple[RiskResponse, ...] = tuple(RiskResponse)
"""Response strategies in the order the enumeration lists them."""

SENTENCE_PARTS: dict[str, tuple[str, str]] = {
    "cause": ("Because of", ","),
    "event": ("", "may happen,"),
    "effect": ("which would", ""),
}
"""The words around the cause, event and effect inputs, so the three read as one sentence."""

MEANINGS: dict[str, dict[int, str]] = {
    "probability": PROBABILITY_MEANINGS,
    "impact": IMPACT_MEANINGS,
    "residual_probability": PROBABILITY_MEANINGS,
    "residual_impact": IMPACT_MEANINGS,
}
"""Which fields show the meaning of their level under them."""


class ScoreHistory(Static, can_focus=True):
    """The read-only score history at the foot of the form; focusable so tab scrolls to it."""

    def on_focus(self) -> None:
        """Bring the whole history into view."""
        self.scroll_visible(animate=False)


def response_options(kind: RiskKind | str) -> tuple[tuple[str, str], ...]:
    """The response strategies that fit ``kind``, as Select options."""
    allowed = OPPORTUNITY_RESPONSES if kind == RiskKind.OPPORTUNITY else THREAT_RESPONSES
    return enum_options([response for response in RESPONSE_ORDER if response in allowed])


class RiskForm(RecordForm[Risk]):
    """Kind, title, cause/event/effect, scores, response, plans, owner, review and residual."""

    # The risk form is taller than most terminals: the box takes the full
    # height and the fields scroll inside it (tab scrolls the focused one into view).
    DEFAULT_CSS = """
    RiskForm > #form-box {
        height: 100%;
    }
    RiskForm #form-fields {
        height: 1fr;
    }
    RiskForm .sentence-word {
        width: auto;
        padding: 0 0 0 1;
        color: $text-muted;
    }
    RiskForm .form-hint {
        color: $text-muted;
        padding: 0 1;
    }
    RiskForm #risk-history {
        height: auto;
        margin-bottom: 1;
        padding: 0 1;
    }
    RiskForm #risk-history:focus {
        background: $primary-muted;
    }
    """

    RECORD_TYPE = Risk
    NOUN = "risk"
    FIELDS = (
        FormField(
            "kind", "Kind", kind="select", options=enum_options(list(RiskKind)), default="threat"
        ),
        FormField("title", "Title", required=True, placeholder="e.g. Key developer leaves"),
        FormField(
            "cause", "Because of", kind="long", placeholder="the cause, e.g. a single expert"
        ),
        FormField("event", "", kind="long", placeholder="the event, e.g. the expert leaving"),
        FormField(
            "effect", "which would", kind="long", placeholder="the effect, e.g. delay the release"
        ),
        FormField("category", "Category", default="scope", placeholder="scope, schedule, cost…"),
        FormField("probability", "Probability", kind="select", options=LEVEL_OPTIONS, default="3"),
        FormField("impact", "Impact", kind="select", options=LEVEL_OPTIONS, default="3"),
        FormField(
            "response",
            "Response",
            kind="select",
            options=response_options(RiskKind.THREAT),
            default="mitigate",
        ),
        FormField("mitigation", "Mitigation plan", kind="long", placeholder="what we do now"),
        FormField(
            "contingency", "Contingency plan", kind="long", placeholder="what we do if it happens"
        ),
        FormField("contingency_trigger", "Trigger", placeholder="when the contingency starts"),
        FormField("owner", "Owner", placeholder="who watches it"),
        FormField(
            "handed_over_to",
            "Handed over to",
            placeholder="who carries it on after the project closes",
        ),
        FormField("next_review", "Next review", kind="date"),
        FormField(
            "residual_probability",
            "Residual P",
            kind="select",
            options=RESIDUAL_OPTIONS,
            blank_is_none=True,
        ),
        FormField(
            "residual_impact",
            "Residual I",
            kind="select",
            options=RESIDUAL_OPTIONS,
            blank_is_none=True,
        ),
        FormField(
            "residual_reason",
            "Residual reason",
            placeholder="needed when the residual exceeds the score",
        ),
    )

    def error_field(self, error: ValidationFailed) -> str | None:
        """Place the residual rule, which the model checks as a whole, on the residual reason."""
        field = super().error_field(error)
        if field is None and "residual score" in str(error):
            return "residual_reason"
        return field

    # -- layout ------------------------------------------------------------------

    def _field_row(self, field: FormField) -> Widget:
        words = SENTENCE_PARTS.get(field.name)
        if words is None and field.name not in MEANINGS:
            return super()._field_row(field)
        label = Label(field.label + (" *" if field.required else ""), classes="form-label")
        parts: list[Widget] = [self._control(field)]
        if field.name in MEANINGS:
            parts.append(Static(id=f"hint-{field.name}", classes="form-hint"))
        parts.append(Static(id=f"error-{field.name}", classes="form-field-error"))
        row: list[Widget] = [label, Vertical(*parts, classes="form-control")]
        if words is not None and words[1]:
            row.append(Label(words[1], classes="sentence-word"))
        return Horizontal(*row, classes="form-row")

    def field_options(self, field: FormField) -> tuple[tuple[str, str], ...]:
        """The responses that fit the risk's kind (a threat's for a new risk)."""
        if field.name == "response":
            kind = self.record.kind if self.record is not None else RiskKind.THREAT
            return response_options(kind)
        return super().field_options(field)

    def on_mount(self) -> None:
        """Show the level meanings and, for an existing risk, its score history."""
        self._show_meanings()
        self._show_history()
        super().on_mount()

    def refill(self) -> None:
        """As for any form, plus the level meanings and the score history."""
        super().refill()
        self._show_meanings()
        self._show_history()

    def _show_history(self) -> None:
        """The saved risk's score history at the foot of the form (none for a new risk)."""
        found = self.query("#risk-history")
        if self.record is None:
            found.set(display=False)
            return
        if found:
            history = found.first(ScoreHistory)
            history.update(self._history())
            history.display = True
        else:
            self.query_one("#form-fields").mount(ScoreHistory(self._history(), id="risk-history"))

    def _history(self) -> Text:
        assert self.record is not None
        text = Text("Score history", style="bold")
        if not self.record.history:
            text.append("\n  no change of probability or impact yet", style="dim")
        for change in reversed(self.record.history):
            text.append(f"\n  {datetime_text(change.at)} {change.by}: ")
            if change.old_score is not None:
                text.append(f"P{change.old_probability} I{change.old_impact} ")
                text.append_text(band_score(change.old_score, risk_band(change.old_score)))
                text.append(" → ")
            text.append(f"P{change.probability} I{change.impact} ")
            text.append_text(band_score(change.score, risk_band(change.score)))
        return text

    def _show_meanings(self) -> None:
        values = self.values()
        for name, meanings in MEANINGS.items():
            level = values.get(name, "")
            meaning = meanings.get(int(level), "") if level.isdigit() else ""
            self.query_one(f"#hint-{name}", Static).update(Text(meaning))

    # -- reacting to the choices ---------------------------------------------------

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        kind = self.query_one("#field-kind", Select).value
        if event.select.id == "field-kind" and kind is not Select.NULL:
            # The kind as it is now: a refill or a draft may have set it again since.
            response = self.query_one("#field-response", Select)
            options = response_options(str(kind))
            values = [value for _, value in options]
            current = response.value
            self.show_options("response", options)
            response.value = current if current in values else values[0]
        self._show_meanings()
