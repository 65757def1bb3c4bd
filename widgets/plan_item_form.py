"""The form that creates or edits a communication plan item.

What is communicated, why, to whom (picked from the project's contacts),
through which channel, who owns it, when it is first due (in the project's
time zone) and how often (:class:`CadenceEditor`). When it is next due and
whether it is overdue are computed by the store, not typed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from rich.text import Text
from textual import on
from textual.widget import Widget
from textual.widgets import Input, SelectionList

from clientdesk.store.clock import parse_datetime, zone
from clientdesk.store.enums import Channel
from clientdesk.store.errors import StoreError, ValidationFailed
from clientdesk.store.models import CommunicationPlanItem, Contact, Project
from clientdesk.store.snapshot import Snapshot
from clientdesk.store.text import printable
from clientdesk.widgets.cadence_editor import CadenceEditor
from clientdesk.widgets.cells import DATETIME_FORMAT
from clientdesk.widgets.meeting_form import default_start
from clientdesk.widgets.record_form import FormField, RecordForm, enum_options
from clientdesk.widgets.tick_list import TickList


class PlanItemForm(RecordForm[CommunicationPlanItem]):
    """What, purpose, audience, channel, owner, first due time and cadence."""

    DEFAULT_CSS = """
    PlanItemForm > #form-box {
        height: 100%;
    }
    PlanItemForm #form-fields {
        height: 1fr;
    }
    PlanItemForm #field-audience {
        height: auto;
        max-height: 6;
        border: none;
        padding: 0;
        background: $surface-lighten-1;
    }
    PlanItemForm #field-audience:focus {
        background: $primary-muted;
    }
    """

    RECORD_TYPE = CommunicationPlanItem
    NOUN = "plan item"
    REUSABLE = False  # its compound editors are built anew on each open
    FIELDS = (
        FormField("title", "What", required=True, placeholder="e.g. Weekly status report"),
        FormField("purpose", "Purpose", placeholder="why it is sent or held"),
        FormField("audience", "Audience"),
        FormField(
            "channel",
            "Channel",
            kind="select",
            options=enum_options(list(Channel)),
            default=Channel.EMAIL.value,
        ),
        FormField("owner", "Owner", placeholder="who sends or holds it"),
        FormField("first_due", "First due", required=True, placeholder="YYYY-MM-DD HH:MM"),
        FormField("cadence", "Cadence"),
    )

    def __init__(
        self,
        record: CommunicationPlanItem | None,
        save: Callable[[CommunicationPlanItem], CommunicationPlanItem],
        *,
        project: Project,
        snapshot: Snapshot,
        now: datetime,
        subtitle: str = "",
    ) -> None:
        """Prepare the form.

        Args:
            record: the plan item to edit, or None for a new one.
            save: stores the item and returns it as saved; called in a thread
                worker (e.g. the repository's ``add`` or ``update``).
            project: the project the item belongs to (its zone and contacts).
            snapshot: the records the audience is picked from.
            now: the current time (a new item is first due tomorrow at 10:00).
            subtitle: shown after the title.
        """
        self.project = project
        """The project the plan item belongs to."""
        self._snapshot = snapshot
        first_due = default_start(now, project.timezone)
        super().__init__(
            record,
            save,
            # Stands in for an unreadable time, so only the form's own message shows.
            fixed={"project_id": project.id, "first_due": first_due},
            defaults={"first_due": first_due.strftime(DATETIME_FORMAT)},
            subtitle=subtitle,
        )

    # -- layout ------------------------------------------------------------------

    def _control(self, field: FormField) -> Widget:
        widget_id = f"field-{field.name}"
        if field.name == "cadence":
            first = self._first_due(self._initial_text(self._field("first_due")))
            cadence = self.record.cadence if self.record else None
            return CadenceEditor(cadence, first, anchored=False, id=widget_id)
        if field.name == "audience":
            return self._audience(widget_id)
        return super()._control(field)

    def _audience(self, widget_id: str) -> TickList[str]:
        contacts = sorted(
            self._snapshot.of_project(Contact, self.project.id), key=lambda c: c.name.casefold()
        )
        chosen = set(self.record.audience) if self.record else set()
        options = [
            (Text(printable(contact.name)), contact.id, contact.id in chosen)
            for contact in contacts
        ]
        # A contact deleted since stays in the audience until unticked.
        known = {contact.id for contact in contacts}
        options += [(Text("(removed contact)"), contact_id, True) for contact_id in chosen - known]
        return TickList[str](*options, compact=True, id=widget_id)

    def _field(self, name: str) -> FormField:
        return next(field for field in self.FIELDS if field.name == name)

    # -- values ------------------------------------------------------------------

    def _initial_text(self, field: FormField) -> str:
        if self.record is not None and field.name == "first_due":
            local = self.record.first_due.astimezone(zone(self.project.timezone))
            return local.strftime(DATETIME_FORMAT)
        return super()._initial_text(field)

    def values(self) -> dict[str, str]:
        """The text of every field, the audience and cadence as a text of their state."""
        result = super().values()
        result["audience"] = ",".join(self._audience_ids())
        result["cadence"] = self.query_one("#field-cadence", CadenceEditor).state
        return result

    def _audience_ids(self) -> list[str]:
        audience: SelectionList[str] = self.query_one("#field-audience", SelectionList)
        return list(audience.selected)

    def changes(self, values: Mapping[str, str]) -> tuple[dict[str, Any], list[ValidationFailed]]:
        """As for any form, plus the first due time, the audience and the cadence read."""
        data, errors = super().changes(values)
        for name in ("first_due", "audience", "cadence"):
            data.pop(name, None)
        data["audience"] = self._audience_ids()
        text = values.get("first_due", "")
        try:
            if self.record is not None and text == self._initial.get("first_due"):
                data["first_due"] = self.record.first_due  # keeps what the text does not show
            elif not text.strip():
                raise ValidationFailed("when it is first due is needed (YYYY-MM-DD HH:MM)")
            else:
                data["first_due"] = parse_datetime(text, self.project.timezone)
        except ValidationFailed as error:
            errors.append(ValidationFailed(str(error), "first_due"))
        editor = self.query_one("#field-cadence", CadenceEditor)
        if editor.problem is not None:
            errors.append(ValidationFailed(editor.problem, "cadence"))
        else:
            data["cadence"] = editor.rule
        return data, errors

    def _first_due(self, text: str) -> datetime | None:
        try:
            return parse_datetime(text, self.project.timezone) if text.strip() else None
        except ValidationFailed:
            return None

    def show_error(self, error: StoreError | OSError) -> None:
        """As for any form; the cadence's own line already says what is wrong with it."""
        field = self.error_field(error) if isinstance(error, ValidationFailed) else None
        if field == "cadence":
            self.query_one("#field-cadence").query_one("#cadence-preset").focus()
            return
        super().show_error(error)

    @on(Input.Changed, "#field-first_due")
    def _first_due_changed(self, event: Input.Changed) -> None:
        editor = self.query_one("#field-cadence", CadenceEditor)
        editor.set_first(self._first_due(event.value))
