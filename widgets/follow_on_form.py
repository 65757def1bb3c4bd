"""The form that hands over a follow-on action: what carries on after the project, and who."""

from __future__ import annotations

from clientdesk.store.models import FollowOnAction
from clientdesk.widgets.record_form import FormField, RecordForm


class FollowOnForm(RecordForm[FollowOnAction]):
    """A follow-on action's title, its owner (required), due date and notes."""

    RECORD_TYPE = FollowOnAction
    NOUN = "follow-on action"
    FIELDS = (
        FormField("title", "Action", required=True, placeholder="e.g. Quarterly security patching"),
        FormField("owner", "Owner", required=True, placeholder="who carries it on"),
        FormField("due", "Due", kind="date"),
        FormField(
            "notes", "Notes", kind="long", placeholder="e.g. contract AMS-2027, see hand-over doc"
        ),
    )
