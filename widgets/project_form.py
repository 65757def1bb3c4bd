"""The form that creates or edits a project."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientdesk.store.enums import RAG, Phase
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.models import Project
from clientdesk.widgets.record_form import FormField, RecordForm, enum_options


class ProjectForm(RecordForm[Project]):
    """Name, key, client, phase, dates, time zone, organiser and RAG status of a project.

    The overall RAG is derived from the status report's dimensions; the form
    only lets the project manager set it by hand, with a reason, or hand it
    back to the dimensions.
    """

    RECORD_TYPE = Project
    NOUN = "project"
    FIELDS = (
        FormField("name", "Name", required=True, placeholder="e.g. Customer portal relaunch"),
        FormField("key", "Key", placeholder="blank: made from the name"),
        FormField("client", "Client", placeholder="the client organisation"),
        FormField("phase", "Phase", kind="select", options=enum_options(list(Phase))),
        FormField("start", "Start", kind="date"),
        FormField("target_end", "Target end", kind="date"),
        FormField(
            "timezone",
            "Time zone",
            kind="zone",
            required=True,
            placeholder="e.g. Europe/Berlin",
            default="UTC",
        ),
        FormField("organiser_name", "Organiser", placeholder="who sends the invites"),
        FormField("organiser_email", "Organiser e-mail", placeholder="name@example.com"),
        FormField(
            "rag_override",
            "Overall status",
            kind="select",
            options=(("from the dimensions (the worst)", ""), *enum_options(list(RAG))),
            blank_is_none=True,
        ),
        FormField(
            "rag_override_reason",
            "Why set by hand",
            placeholder="needed when the overall status is set by hand",
        ),
    )

    def changes(self, values: Mapping[str, str]) -> tuple[dict[str, Any], list[ValidationFailed]]:
        """As for any form, but a key blanked on an existing project stays what it was."""
        data, errors = super().changes(values)
        if self.record is not None and not data.get("key"):
            data["key"] = self.record.key
        return data, errors

    def error_field(self, error: ValidationFailed) -> str | None:
        """Place the "end before start" rule, which the model checks as a whole, on target end."""
        field = super().error_field(error)
        if field is None and "target end" in str(error):
            return "target_end"
        if field is None and "overall status" in str(error):
            return "rag_override_reason"
        return field
