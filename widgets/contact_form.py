"""The form that creates or edits a contact (a stakeholder of a project)."""

from __future__ import annotations

from clientdesk.store.enums import Channel
from clientdesk.store.models import Contact
from clientdesk.widgets.record_form import FormField, RecordForm, enum_options


class ContactForm(RecordForm[Contact]):
    """Name, e-mail, organisation, role, time zone and preferred channel of a contact."""

    RECORD_TYPE = Contact
    NOUN = "contact"
    FIELDS = (
        FormField("name", "Name", required=True, placeholder="e.g. Ann Richter"),
        FormField("email", "E-mail", placeholder="name@client.example"),
        FormField("organisation", "Organisation", placeholder="e.g. the client's name"),
        FormField("role", "Role", placeholder="e.g. Sponsor, Product Owner"),
        FormField(
            "timezone",
            "Time zone",
            kind="zone",
            blank_is_none=True,
            placeholder="blank: the project's",
        ),
        FormField(
            "preferred_channel",
            "Preferred channel",
            kind="select",
            options=enum_options(list(Channel)),
            default=Channel.EMAIL.value,
        ),
    )
