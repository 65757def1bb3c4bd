"""The form that creates or edits a client request, with its clocks, status history and comments.

The requester is picked from the project's contacts; the received time is
typed in the project's time zone; each priority shows its targets; links to
meetings and risks are typed as keys (``MTG-3, MTG-5``). A change request
also has its change control: impact, justification and decision; the block
follows the type as it is picked. The status is not edited here (each move
is a key of the Requests pane), and neither are the status history and the
comment log: the store writes them. The form shows them read-only at its
foot, with the two response clocks as they stand.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Input, Select, Static, TextArea

from clientdesk.store import rules, sla
from clientdesk.store.clock import parse_datetime, zone
from clientdesk.store.enums import ChangeDecision, Channel, Priority, RequestStatus, RequestType
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.fields import parse_amount, parse_days
from clientdesk.store.models import (
    IMPACT_FIELDS,
    ClientRequest,
    Contact,
    Meeting,
    Project,
    ProjectRecord,
    Risk,
    ServiceLevelPolicy,
)
from clientdesk.store.snapshot import Snapshot
from clientdesk.store.text import printable
from clientdesk.widgets.cells import ALERT_STYLE, DATETIME_FORMAT
from clientdesk.widgets.record_form import FormField, RecordForm, enum_options
from clientdesk.widgets.service_level_form import target_label

CHANGE_FIELDS: frozenset[str] = frozenset(
    {*IMPACT_FIELDS, "justification", "decision", "decision_reason"}
)
"""The fields of the change-control block, shown only for a change request."""

LINK_KINDS: dict[str, type[Meeting] | type[Risk]] = {"meeting_ids": Meeting, "risk_ids": Risk}
"""The link fields, typed as keys, and the kind of record each links to."""

NO_REQUESTER = ""
"""The requester Select's value for "none"."""


def priority_options(policy: ServiceLevelPolicy) -> tuple[tuple[str, str], ...]:
    """P1 to P4 as Select options that show their targets: "P2 · 4h / 16h working hours"."""
    return tuple(
        (f"{priority.value} · {target_label(policy.target(priority))}", priority.value)
        for priority in Priority
    )


def requester_options(contacts: list[Contact], current: str | None) -> tuple[tuple[str, str], ...]:
    """ "none", then the contacts by name; a requester no longer in the list is kept."""
    options = [("none", NO_REQUESTER)]
    options += [(contact.name, contact.id) for contact in sorted(contacts, key=_by_name)]
    if current and current not in {contact.id for contact in contacts}:
        options.append(("(removed contact)", current))
    return tuple(options)


def _by_name(contact: Contact) -> str:
    return contact.name.casefold()


class RequestLog(Static, can_focus=True):
    """The read-only clocks, status history and comments; focusable so tab scrolls to it."""

    def on_focus(self) -> None:
        """Bring the whole log into view."""
        self.scroll_visible(animate=False)


class RequestForm(RecordForm[ClientRequest]):
    """Type, title, requester, channel, received time, priority, owner, links, change control."""

    # Taller than most terminals, like the risk form: the box takes the full
    # height and the fields scroll inside it.
    DEFAULT_CSS = """
    RequestForm > #form-box {
        height: 100%;
    }
    RequestForm #form-fields {
        height: 1fr;
    }
    RequestForm .form-hint {
        color: $text-muted;
        padding: 0 1;
    }
    RequestForm #change-control {
        height: auto;
    }
    RequestForm #change-control-head {
        text-style: bold;
        padding: 0 1;
    }
    RequestForm #approval-note {
        color: $text-muted;
        padding: 0 1;
        margin-bottom: 1;
    }
    RequestForm #approval-note.-warning {
        color: $text-warning;
        text-style: bold;
    }
    RequestForm #request-log {
        height: auto;
        margin-bottom: 1;
        padding: 0 1;
    }
    RequestForm #request-log:focus {
        background: $primary-muted;
    }
    """

    RECORD_TYPE = ClientRequest
    NOUN = "request"
    FIELDS = (
        FormField(
            "type",
            "Type",
            kind="select",
            options=enum_options(list(RequestType)),
            default=RequestType.QUESTION.value,
        ),
        FormField("title", "Title", required=True, placeholder="e.g. Export the report as PDF"),
        FormField("description", "Description", kind="long", placeholder="details"),
        # The options of these two depend on the project (see _control).
        FormField("requester_id", "Requester", kind="select", blank_is_none=True),
        FormField(
            "channel",
            "Channel",
            kind="select",
            options=enum_options(list(Channel)),
            default=Channel.EMAIL.value,
        ),
        FormField("received_at", "Received at", required=True, placeholder="YYYY-MM-DD HH:MM"),
        FormField("priority", "Priority", kind="select", default=Priority.P3.value),
        FormField("owner", "Owner", placeholder="who answers it"),
        FormField(
            "handed_over_to",
            "Handed over to",
            placeholder="who carries it on after the project closes",
        ),
        FormField("meeting_ids", "Meetings", placeholder="keys, e.g. MTG-3, MTG-5"),
        FormField("risk_ids", "Risks", placeholder="keys, e.g. RSK-2"),
        FormField("reject_reason", "Reject reason", placeholder="why it was rejected"),
        FormField(
            "impact_scope", "Scope impact", kind="long", placeholder="what changes in the scope"
        ),
        FormField("impact_days", "Schedule (days)", placeholder="e.g. 3, or -2 if it saves days"),
        FormField("impact_cost", "Cost", placeholder="e.g. 1200.00, or -300 if it saves"),
        FormField("cost_currency", "Currency", default="EUR", placeholder="e.g. EUR"),
        FormField(
            "justification", "Justification", kind="long", placeholder="why the change is worth it"
        ),
        FormField(
            "decision",
            "Decision",
            kind="select",
            options=enum_options(list(ChangeDecision)),
            default=ChangeDecision.PENDING.value,
        ),
        FormField("decision_reason", "Decision reason", placeholder="why it was decided so"),
    )

    def __init__(
        self,
        record: ClientRequest | None,
        save: Callable[[ClientRequest], ClientRequest],
        *,
        project: Project,
        snapshot: Snapshot,
        now: datetime,
        subtitle: str = "",
    ) -> None:
        """Prepare the form.

        Args:
            record: the request to edit, or None for a new one.
            save: stores the request and returns it as saved; called in a
                thread worker (e.g. the repository's ``add`` or ``update``).
            project: the project the request belongs to (its zone, service
                levels, contacts, meetings and risks).
            snapshot: the records the links and the requester are picked from.
            now: the current time: the default received time and the time
                the clocks are read at.
            subtitle: shown after the title.
        """
        self.project = project
        """The project the request belongs to."""
        self._snapshot: Snapshot | None = snapshot
        self._now = now
        self._zone: ZoneInfo = zone(project.timezone)
        super().__init__(
            record,
            save,
            # The received time stands in for an unreadable one, so that only the
            # form's own message is shown beside that field (not "field required").
            fixed={"project_id": project.id, "received_at": now},
            defaults={"received_at": self._local(now)},
            subtitle=subtitle,
        )

    @property
    def _records(self) -> Snapshot:
        """The records the requester and the links are picked from (while the form is open)."""
        assert self._snapshot is not None, "a closed form reads no records"
        return self._snapshot

    def _local(self, moment: datetime) -> str:
        return moment.astimezone(self._zone).strftime(DATETIME_FORMAT)

    # -- layout ------------------------------------------------------------------

    def field_options(self, field: FormField) -> tuple[tuple[str, str], ...]:
        """The priorities with the project's targets, the project's contacts as requesters."""
        if field.name == "priority":
            return priority_options(self.project.service_levels)
        if field.name == "requester_id":
            contacts = self._records.of_project(Contact, self.project.id)
            current = self.record.requester_id if self.record is not None else None
            return requester_options(contacts, current)
        return super().field_options(field)

    def _field_row(self, field: FormField) -> Widget:
        row = super()._field_row(field)
        if field.name == "reject_reason":
            row.id = "reject-reason-row"
            row.display = self._is_rejected
        if field.name not in CHANGE_FIELDS:
            return row
        row.add_class("change-control")
        if field.name != "impact_scope":
            return row
        # The block opens with a heading and the note about a standing approval.
        head = Static(Text("Change control"), id="change-control-head")
        note = Static(id="approval-note")
        return Vertical(head, note, row, id="change-control", classes="change-control")

    @property
    def _is_rejected(self) -> bool:
        return self.record is not None and self.record.status is RequestStatus.REJECTED

    def on_mount(self) -> None:
        """Show the change control for a change request and, for a saved request, its log."""
        super().on_mount()  # first: the approval note compares with the starting values
        self._show_change_control()
        self._show_log()

    def refill(self) -> None:
        """As for any form, plus the reject reason's row, the change control and the log."""
        super().refill()
        self.query_one("#reject-reason-row").display = self._is_rejected
        self._show_change_control()
        self._show_log()

    def let_go(self) -> None:
        """Let go of the snapshot (every record of the file) until the next opening."""
        self._snapshot = None

    def _show_log(self) -> None:
        """The saved request's log at the foot of the form (none for a new request)."""
        found = self.query("#request-log")
        if self.record is None:
            found.set(display=False)
            return
        log_text = self._log(self.record)
        if found:
            log = found.first(RequestLog)
            log.update(log_text)
            log.display = True
        else:
            self.query_one("#form-fields").mount(RequestLog(log_text, id="request-log"))

    # -- values ------------------------------------------------------------------

    def _initial_text(self, field: FormField) -> str:
        if self.record is None:
            return super()._initial_text(field)
        if field.name == "received_at":
            return self._local(self.record.received_at)
        if field.name in LINK_KINDS:
            ids: list[str] = getattr(self.record, field.name)
            return ", ".join(self._key_of(LINK_KINDS[field.name], record_id) for record_id in ids)
        if field.name == "impact_days" and self.record.impact_days is not None:
            return f"{self.record.impact_days:g}"
        return super()._initial_text(field)

    def _key_of(self, kind: type[ProjectRecord], record_id: str) -> str:
        record = self._records.get(kind, record_id)
        return record.key if record is not None else record_id

    def changes(self, values: Mapping[str, str]) -> tuple[dict[str, Any], list[ValidationFailed]]:
        """As for any form, plus the received time, the links and the change control read.

        The received time is read in the project's zone, as the command line
        does; link keys must name meetings and risks of the project. Fields the
        form does not show (the change control of another type, the reject
        reason of a request that is not rejected) keep what the request had.
        """
        data, errors = super().changes(values)
        readers: dict[str, Callable[[str], Any]] = {
            "received_at": self._received_at,
            "meeting_ids": lambda text: self._link_ids("meeting_ids", text),
            "risk_ids": lambda text: self._link_ids("risk_ids", text),
            "impact_days": parse_days,
            "impact_cost": parse_amount,
        }
        for name, read in readers.items():
            text = values.get(name, "")
            if self.record is not None and text == self._initial.get(name):
                # Unchanged: keep the stored value (seconds of a time, a link to
                # a record deleted since) rather than what the text reads as.
                data[name] = getattr(self.record, name)
                continue
            try:
                data[name] = read(text.strip())
            except ValidationFailed as error:
                errors.append(ValidationFailed(str(error), name))
                data.pop(name, None)
        hidden = set() if self._is_change(values) else set(CHANGE_FIELDS)
        if self.record is None or self.record.status is not RequestStatus.REJECTED:
            hidden.add("reject_reason")
        errors = [error for error in errors if error.field not in hidden]
        return {name: value for name, value in data.items() if name not in hidden}, errors

    def _received_at(self, text: str) -> datetime:
        if not text:
            raise ValidationFailed("when the request arrived is needed (YYYY-MM-DD HH:MM)")
        return parse_datetime(text, self.project.timezone)

    def _link_ids(self, name: str, text: str) -> list[str]:
        kind = LINK_KINDS[name]
        by_key = {
            record.key: record.id for record in self._records.of_project(kind, self.project.id)
        }
        keys = [key.upper() for key in re.split(r"[,;\s]+", text) if key]
        unknown = [key for key in keys if key not in by_key]
        if unknown:
            known = ", ".join(list(by_key)[:6]) + (", …" if len(by_key) > 6 else "")
            raise ValidationFailed(
                f"no {kind.LABEL} {', '.join(unknown)} in this project"
                + (f" (known: {known})" if known else f" (it has no {kind.LABEL}s)")
            )
        return list(dict.fromkeys(by_key[key] for key in keys))

    def _is_change(self, values: Mapping[str, str]) -> bool:
        return values.get("type") == RequestType.CHANGE_REQUEST.value

    def error_field(self, error: ValidationFailed) -> str | None:
        """Place the "rejecting needs a reason" rule, which the model checks as a whole."""
        field = super().error_field(error)
        if field is None and "reject_reason" in str(error):
            return "reject_reason"
        return field

    # -- reacting to the user ------------------------------------------------------

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        if event.select.id in ("field-type", "field-decision"):
            self._show_change_control()

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        if event.input.id in {f"field-{name}" for name in IMPACT_FIELDS}:
            self._show_approval_note()

    @on(TextArea.Changed, "#field-impact_scope")
    def _scope_changed(self) -> None:
        self._show_approval_note()

    def _show_change_control(self) -> None:
        shown = self._is_change(self.values())
        for widget in self.query(".change-control"):
            widget.display = shown
        self._show_approval_note()

    def _show_approval_note(self) -> None:
        note = self.query_one("#approval-note", Static)
        record = self.record
        values = self.values()
        standing = (
            record is not None
            and record.decision is ChangeDecision.APPROVED
            and values.get("decision") == ChangeDecision.APPROVED.value
        )
        note.display = standing
        if record is None or not standing:
            return
        # The same comparison the store makes when it clears an approval.
        before, after = _impact(self._initial), _impact(values)
        if rules.impact_changes(before, after, IMPACT_FIELDS):
            by = record.decided_by or "someone"
            note.update(Text(f"⚠ Saving will clear the approval by {by}"))
            note.add_class("-warning")
        else:
            note.update(Text("Editing scope, days or cost clears this approval"))
            note.remove_class("-warning")

    # -- the read-only log -----------------------------------------------------------

    def _log(self, record: ClientRequest) -> Text:
        text = Text("Status ", style="bold")
        text.append(str(record.status).replace("_", " "))
        text.append(f"\n\nClocks now ({self.project.timezone})", style="bold")
        clocks = record.clocks_in(self.project, self._now)
        text.append_text(self._clock_line("First response", clocks.first_response))
        text.append_text(self._clock_line("Resolution", clocks.resolution))
        text.append("\n\nStatus history", style="bold")
        if not record.status_history:
            text.append("\n  no move yet", style="dim")
        for change in reversed(record.status_history):
            old = str(change.old).replace("_", " ") if change.old is not None else "—"
            new = str(change.new).replace("_", " ")
            text.append(f"\n  {self._local(change.at)} ")
            text.append(printable(change.by))
            text.append(f": {old} → {new}")
        text.append("\n\nComments", style="bold")
        if not record.comments:
            text.append("\n  no comment yet", style="dim")
        for comment in reversed(record.comments):
            at = self._local(comment.at) if comment.at is not None else "?"
            text.append(f"\n  {at} ")
            text.append(printable(comment.by))
            text.append(": ")
            text.append(printable(comment.text))
        return text

    def _clock_line(self, name: str, reading: sla.ClockReading) -> Text:
        line = Text(f"\n  {name:<15}")
        if reading.stopped_at is not None:
            stopped = "answered" if name == "First response" else "stopped"
            line.append(f"{stopped} {self._local(reading.stopped_at)}")
        else:
            line.append(f"due {self._local(reading.due_at)}")
        if reading.breached:
            line.append(f" · {sla.format_duration(reading.over_seconds)} over", ALERT_STYLE)
        elif reading.stopped_at is None:
            line.append(f" · {sla.format_duration(reading.left_seconds)} left")
        else:
            line.append(" · in time", "green")
        if reading.paused:
            line.append(" · paused", "yellow")
        return line


def _impact(values: Mapping[str, str]) -> dict[str, object]:
    """The impact fields' texts, as the store would compare them."""
    impact: dict[str, object] = {name: values.get(name, "").strip() for name in IMPACT_FIELDS}
    # Currency codes are stored upper case: "eur" is no change from "EUR".
    impact["cost_currency"] = str(impact["cost_currency"]).upper()
    return impact
