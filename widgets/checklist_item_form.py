"""The form that adds or renames a closing checklist item."""

from __future__ import annotations

from clientdesk.store.models import ChecklistItem
from clientdesk.widgets.record_form import FormField, RecordForm

YES_NO: tuple[tuple[str, str], ...] = (("no", "False"), ("yes: 0-10 when ticked", "True"))
"""Whether ticking the item asks for a score (values as the model reads them)."""


class ChecklistItemForm(RecordForm[ChecklistItem]):
    """The item's title, and whether ticking it records a score (a survey)."""

    RECORD_TYPE = ChecklistItem
    NOUN = "checklist item"
    FIELDS = (
        FormField("title", "Item", required=True, placeholder="e.g. Source code escrow deposited"),
        FormField("asks_score", "Asks a score", kind="select", options=YES_NO, default="False"),
    )
