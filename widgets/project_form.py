"""The form that creates or edits a project."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientdesk.store.enums import RAG, Phase
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.models import Project
from clientdesk.widgets.record_form import FormField, RecordForm, enum_options


class ProjectForm(RecordForm[Project]):
    """Name, key, client, phase, dates, time zone, organiser and RAG status of a project."""

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
        FormField("rag", "RAG status", kind="select", options=enum_options(list(RAG))),
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
        return field
