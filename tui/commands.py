"""The commands of ``clientdesk`` besides opening the app: demo, check, list, add, edit,
close-project and report.

The parser (:mod:`clientdesk.tui.cli_parser`) imports this module, and the
record models it imports, only when one of these commands runs, or when the
options of ``add KIND`` or ``edit KIND`` are needed (:func:`kind_options`).
The commands raise :class:`~clientdesk.tui.cli.UsageError` or a
``StoreError``; ``main`` turns either into one line on stderr and exit
status 2.

The options of ``add`` and ``edit`` that are not one field each are applied
in :mod:`clientdesk.tui.record_options`; what ``list reports`` shows of a
kept status report comes from :mod:`clientdesk.tui.kept_reports`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import orjson

from clientdesk.store import calendar, clock, fields, kinds, rules, sla
from clientdesk.store.backends import open_repository, refuse_visible_password
from clientdesk.store.closing import Gate, closing_gates
from clientdesk.store.enums import AttendeeRole, ChangeDecision
from clientdesk.store.errors import GatesFailed, NotFoundError, StoreError, ValidationFailed
from clientdesk.store.integrity import find_problems
from clientdesk.store.models import (
    IMPACT_FIELDS,
    Attendee,
    ChecklistItem,
    ClientRequest,
    CommunicationPlanItem,
    Contact,
    FollowOnAction,
    LessonLearned,
    Meeting,
    Project,
    ProjectRecord,
    Record,
    Risk,
    StatusReport,
)
from clientdesk.store.paths import is_database_url
from clientdesk.store.repository import Repository, TinyDBRepository
from clientdesk.store.snapshot import Snapshot, dump_record, validate_record
from clientdesk.store.storage import write_output
from clientdesk.store.text import printable
from clientdesk.store.write_rules import Change
from clientdesk.tui.cli import EXIT_USAGE, UsageError, data_location
from clientdesk.tui.cli_output import write_data

# The grammar moved to cli_parser, which imports no record model; its parser
# class and builder stay importable from here, where they were.
from clientdesk.tui.cli_parser import CommandParser as _Parser  # noqa: F401
from clientdesk.tui.cli_parser import build_parser  # noqa: F401
from clientdesk.tui.record_options import (
    CADENCE_PRESETS,
    apply_extras,
    noted,
    whole_number,
)

# -- field options -------------------------------------------------------------


@dataclass(frozen=True)
class FieldOption:
    """A command-line option that sets one field of a record."""

    flag: str
    field: str
    help: str
    convert: Callable[[str, Snapshot, Project | None, argparse.Namespace], Any] | None = None
    repeatable: bool = False
    switch: bool = False  # an on/off flag (``--all-day``/``--no-all-day``) taking no value


def _enum_value(text: str, *_: object) -> str:
    return text.strip().lower().replace("-", "_").replace(" ", "_")


def _rag_override(text: str, *_: object) -> str | None:
    value = _enum_value(text)
    return None if value in ("", "none", "derived") else value  # none: the dimensions decide


def _upper(text: str, *_: object) -> str:
    return text.strip().upper()


def _date(text: str, *_: object) -> str:
    return clock.parse_date(text).isoformat()


def _zone_for(args: argparse.Namespace, project: Project | None) -> str:
    explicit: str | None = getattr(args, "timezone", None)
    if explicit:
        return explicit
    return project.timezone if project else "UTC"


def _datetime(text: str, _s: Snapshot, project: Project | None, args: argparse.Namespace) -> str:
    return noted(clock.parse_datetime(text, _zone_for(args, project))).isoformat()


def _contact(text: str, snapshot: Snapshot, project: Project | None, _a: object) -> str:
    wanted = text.strip()
    for contact in snapshot.of_project(Contact, project.id if project else ""):
        if wanted.upper() == contact.key or wanted.casefold() == contact.email.casefold():
            return contact.id
    raise NotFoundError(
        f"no contact {wanted!r} in this project (give a key like CON-3 or an e-mail)"
    )


def _attendee(text: str, snapshot: Snapshot, project: Project | None, _a: object) -> dict[str, Any]:
    address, _, role = text.strip().partition(":")
    if role and role.lower() not in ("required", "optional"):
        raise ValidationFailed(f"attendee role {role!r}: use :required or :optional")
    for contact in snapshot.of_project(Contact, project.id if project else ""):
        if address.upper() == contact.key or address.casefold() == contact.email.casefold():
            attendee = Attendee(email=contact.email or address, name=contact.name)
            attendee.contact_id = contact.id
            break
    else:
        if "@" not in address:
            raise NotFoundError(f"no contact {address!r} in this project (give an e-mail)")
        attendee = Attendee.model_validate({"email": address})
    attendee.role = AttendeeRole(role.lower()) if role else AttendeeRole.REQUIRED
    return attendee.model_dump(mode="json")


def _linked(kind: type[Record]) -> Callable[[str, Snapshot, Project | None, object], str]:
    """A converter from a record key of ``kind`` in the project to that record's id."""

    def convert(text: str, snapshot: Snapshot, project: Project | None, _a: object) -> str:
        try:
            return snapshot.find(kind, text, project.id if project else None).id
        except NotFoundError:
            raise NotFoundError(
                f"no {kind.LABEL} {text.strip()!r} in this project "
                f"(give a key like {kind.PREFIX}-3)"
            ) from None

    return convert


def _minutes(text: str, *_: object) -> int:
    return fields.parse_minutes(text)  # as the meeting form reads it: 90, 1h30, 1:30


def _score(text: str, *_: object) -> int | None:
    return fields.parse_score(text) if text.strip() else None  # an empty value clears the field


def _days(text: str, *_: object) -> float | None:
    return fields.parse_days(text)  # an empty value clears the field


def _amount(text: str, *_: object) -> str | None:
    amount = fields.parse_amount(text)  # an empty value clears the field
    return str(amount) if amount is not None else None


def _agenda_item(text: str, *_: object) -> dict[str, Any]:
    """``TITLE[:PRESENTER[:MINUTES]]``; a title may hold colons when both others are given."""
    pieces = text.split(":")
    presenter, minutes = "", 10
    if len(pieces) >= 3 and pieces[-1].strip().isdigit():
        minutes = int(pieces.pop().strip())
        presenter = pieces.pop()
    elif len(pieces) == 2:
        presenter = pieces.pop()
    title = ":".join(pieces).strip()
    if not title:
        raise ValidationFailed(f"{text!r}: expected TITLE[:PRESENTER[:MINUTES]]")
    return {"title": title, "presenter": presenter.strip(), "minutes": minutes}


def _rule_text(text: str, *_: object) -> str | None:
    problem = calendar.rule_problem(text)
    if problem:
        raise ValidationFailed(problem)
    return calendar.normalise_rule(text) if text.strip() else None  # empty: no longer repeats


_COMMON_TZ = FieldOption("--tz", "timezone", "IANA time zone, e.g. Europe/Berlin")

FIELD_OPTIONS: dict[type[Record], tuple[FieldOption, ...]] = {
    Project: (
        FieldOption("--name", "name", "project name"),
        FieldOption("--key", "key", "project key, e.g. ACME (default: from the name)", _upper),
        FieldOption("--client", "client", "client organisation"),
        FieldOption("--phase", "phase", "initiation, planning, execution, closing", _enum_value),
        FieldOption("--start", "start", "start date YYYY-MM-DD", _date),
        FieldOption("--target-end", "target_end", "target end date YYYY-MM-DD", _date),
        _COMMON_TZ,
        FieldOption("--organiser-name", "organiser_name", "who sends the invites"),
        FieldOption("--organiser-email", "organiser_email", "the organiser's e-mail"),
        FieldOption(
            "--rag-override",
            "rag_override",
            "set the overall status by hand: green, amber or red (none: derive it again)",
            _rag_override,
        ),
        FieldOption("--rag-reason", "rag_override_reason", "why the overall status is set by hand"),
    ),
    Contact: (
        FieldOption("--name", "name", "full name"),
        FieldOption("--email", "email", "e-mail address"),
        FieldOption("--organisation", "organisation", "organisation"),
        FieldOption("--role", "role", "role in the project"),
        _COMMON_TZ,
        FieldOption("--channel", "preferred_channel", "preferred channel", _enum_value),
    ),
    ClientRequest: (
        FieldOption("--type", "type", "requirement, feedback, change-request, ...", _enum_value),
        FieldOption("--title", "title", "one-line title"),
        FieldOption("--description", "description", "details"),
        FieldOption("--requester", "requester_id", "contact key or e-mail", _contact),
        FieldOption("--channel", "channel", "email, phone, chat, video, ...", _enum_value),
        FieldOption("--received-at", "received_at", "when it arrived (default: now)", _datetime),
        FieldOption("--priority", "priority", "P1 (urgent) to P4", _upper),
        FieldOption("--owner", "owner", "who answers it"),
        FieldOption("--tz", "timezone", "zone of --received-at (default: the project's)", None),
        FieldOption("--reject-reason", "reject_reason", "why it is rejected (with --status)"),
        FieldOption(
            "--handed-over-to", "handed_over_to", "who carries it on after the project closes"
        ),
        FieldOption(
            "--meeting", "meeting_ids", "linked meeting key (repeatable)", _linked(Meeting), True
        ),
        FieldOption("--risk", "risk_ids", "linked risk key (repeatable)", _linked(Risk), True),
        FieldOption("--impact-scope", "impact_scope", "change request: impact on scope"),
        FieldOption(
            "--impact-days",
            "impact_days",
            "change request: days it adds to the schedule (negative: days it saves)",
            _days,
        ),
        FieldOption(
            "--impact-cost",
            "impact_cost",
            "change request: what it adds to the cost (negative: what it saves)",
            _amount,
        ),
        FieldOption("--currency", "cost_currency", "currency of the cost, e.g. EUR", _upper),
        FieldOption("--justification", "justification", "change request: why it is needed"),
        FieldOption(
            "--decision", "decision", "pending, approved, rejected or deferred", _enum_value
        ),
        FieldOption("--decision-reason", "decision_reason", "why it was decided so"),
    ),
    Risk: (
        FieldOption("--kind", "kind", "threat or opportunity", _enum_value),
        FieldOption("--title", "title", "one-line title"),
        FieldOption("--cause", "cause", "because of ..."),
        FieldOption("--event", "event", "... this may happen ..."),
        FieldOption("--effect", "effect", "... which would ..."),
        FieldOption("--category", "category", "scope, schedule, cost, technical, ..."),
        FieldOption("--probability", "probability", "1-5", whole_number),
        FieldOption("--impact", "impact", "1-5", whole_number),
        FieldOption(
            "--response", "response", "avoid, mitigate, transfer, accept, ...", _enum_value
        ),
        FieldOption("--mitigation", "mitigation", "mitigation plan"),
        FieldOption("--contingency", "contingency", "contingency plan"),
        FieldOption("--trigger", "contingency_trigger", "when the contingency starts"),
        FieldOption("--owner", "owner", "who watches it"),
        FieldOption("--review", "next_review", "next review date YYYY-MM-DD", _date),
        FieldOption("--residual-probability", "residual_probability", "1-5", whole_number),
        FieldOption("--residual-impact", "residual_impact", "1-5", whole_number),
        FieldOption(
            "--residual-reason", "residual_reason", "why the residual score exceeds the inherent"
        ),
        FieldOption("--close-reason", "close_reason", "why the risk is closed (with --status)"),
        FieldOption(
            "--handed-over-to", "handed_over_to", "who watches it after the project closes"
        ),
    ),
    Meeting: (
        FieldOption("--title", "title", "one-line title"),
        FieldOption("--kind", "kind", "meeting, status-report, review, workshop, ...", _enum_value),
        FieldOption("--start", "start", "YYYY-MM-DD HH:MM in --tz (default: project's)", _datetime),
        FieldOption("--duration", "duration_minutes", "minutes, or e.g. 1h30", _minutes),
        _COMMON_TZ,
        FieldOption("--location", "location", "room or address"),
        FieldOption("--video-link", "video_link", "video call link"),
        FieldOption(
            "--attendee",
            "attendees",
            "e-mail or contact key, optionally :optional (repeatable)",
            _attendee,
            repeatable=True,
        ),
        FieldOption("--rrule", "rrule", 'RFC 5545 rule, e.g. "FREQ=WEEKLY;BYDAY=MO"', _rule_text),
        FieldOption(
            "--agenda",
            "agenda",
            'agenda item "TITLE:PRESENTER:MINUTES" (repeatable; replaces the agenda)',
            _agenda_item,
            repeatable=True,
        ),
        FieldOption(
            "--plan",
            "plan_item_id",
            "the plan item it serves, e.g. PLN-1",
            _linked(CommunicationPlanItem),
        ),
    ),
    CommunicationPlanItem: (
        FieldOption("--title", "title", "what is communicated"),
        FieldOption("--purpose", "purpose", "why"),
        FieldOption(
            "--audience",
            "audience",
            "contact key or e-mail (repeatable; replaces the audience)",
            _contact,
            repeatable=True,
        ),
        FieldOption(
            "--channel", "channel", "video, phone, email, chat, in-person, report", _enum_value
        ),
        FieldOption(
            "--first-due", "first_due", "YYYY-MM-DD HH:MM in the project's zone", _datetime
        ),
        FieldOption(
            "--cadence", "cadence", 'RFC 5545 rule, e.g. "FREQ=WEEKLY;BYDAY=MO"', _rule_text
        ),
        FieldOption("--owner", "owner", "who sends it or runs it"),
        FieldOption(
            "--last-done", "last_done", "when it was last done (default zone: project's)", _datetime
        ),
    ),
    ChecklistItem: (
        FieldOption("--title", "title", "what must be done before the close"),
        FieldOption("--position", "position", "place in the list (1 = first)", whole_number),
        FieldOption("--state", "state", "open, done or waived", _enum_value),
        FieldOption("--evidence", "evidence", "a document link or who signed it off"),
        FieldOption("--waive-reason", "waive_reason", "why it is waived (with --state waived)"),
        FieldOption("--score", "score", "the score it got, 0-10 (the survey item)", _score),
        FieldOption("--done-by", "done_by", "who did it (default: you, when ticked)"),
        FieldOption("--done-at", "done_at", "when it was done (default: now)", _datetime),
    ),
    LessonLearned: (
        FieldOption("--title", "title", "what happened, in short"),
        FieldOption("--what-happened", "what_happened", "what happened"),
        FieldOption("--learned", "learned", "what we learned"),
        FieldOption("--next-time", "next_time", "what to do next time"),
        FieldOption("--category", "category", "process, planning, technical, client, ..."),
    ),
    FollowOnAction: (
        FieldOption("--title", "title", "what carries on after the project"),
        FieldOption("--owner", "owner", "who carries it on (required)"),
        FieldOption("--due", "due", "due date YYYY-MM-DD", _date),
        FieldOption("--notes", "notes", "notes for the owner"),
    ),
}

_STATUS_OPTION = FieldOption("--status", "status", "the record's new status", _enum_value)
_STATUS_KINDS = (ClientRequest, Risk, Meeting)

_COMMENT_OPTION = FieldOption("--comment", "comment", "append one comment to the log")
_POLICY_OPTIONS = (
    FieldOption("--working-hours", "working_hours", 'working week, e.g. "mon-fri 09:00-17:00"'),
    FieldOption("--holidays", "holidays", "holidays YYYY-MM-DD,YYYY-MM-DD (replaces the list)"),
    FieldOption(
        "--sla",
        "sla",
        "targets of a priority, e.g. P2=4h/16h or P1=1h/8h/24x7 (repeatable)",
        repeatable=True,
    ),
)
"""Options that edit a project's service levels rather than one field."""

_END_OPTIONS = (
    FieldOption("--until", "until", "the series ends on this date YYYY-MM-DD (inclusive)"),
    FieldOption("--count", "count", "the series ends after this many occurrences"),
)
_EVERY_OPTION = FieldOption(
    "--every", "every", f"a cadence preset instead of --cadence: {', '.join(CADENCE_PRESETS)}"
)
_OCCURRENCE_OPTIONS = (
    FieldOption(
        "--cancel-occurrence",
        "cancel_occurrence",
        "cancel the occurrence at YYYY-MM-DD HH:MM (the meeting's zone)",
    ),
    FieldOption("--restore-occurrence", "restore_occurrence", "bring a cancelled occurrence back"),
    FieldOption(
        "--move-occurrence",
        "move_occurrence",
        "move the occurrence at YYYY-MM-DD HH:MM to --to "
        "(--duration and --location then apply to it alone)",
    ),
    FieldOption("--to", "move_to", "where --move-occurrence moves it: YYYY-MM-DD HH:MM"),
)
"""Options of ``edit meeting`` that change one occurrence of a series."""

_ALL_DAY_OPTIONS = (
    FieldOption(
        "--all-day",
        "all_day",
        "a whole-day meeting: --start is a date YYYY-MM-DD (--no-all-day: a timed one)",
        switch=True,
    ),
    FieldOption("--days", "days", "how many days an --all-day meeting spans (default 1)"),
)
"""Options of ``add``/``edit meeting`` for an all-day meeting."""

_EXTRA_OPTIONS: dict[type[Record], tuple[FieldOption, ...]] = {
    Project: _POLICY_OPTIONS,
    ClientRequest: (_COMMENT_OPTION,),
    Meeting: (*_END_OPTIONS, *_ALL_DAY_OPTIONS),
    CommunicationPlanItem: (_EVERY_OPTION, *_END_OPTIONS),
}
"""Options parsed like field options, applied by :mod:`~clientdesk.tui.record_options`."""

_EDIT_EXTRA_OPTIONS: dict[type[Record], tuple[FieldOption, ...]] = {
    Meeting: _OCCURRENCE_OPTIONS,
}
"""Extra options only ``edit`` takes."""


def kind_options(kind: type[Record], verb: str) -> tuple[FieldOption, ...]:
    """The options ``add`` or ``edit`` (``verb``) takes for a ``kind`` record, in help order."""
    options = FIELD_OPTIONS[kind] + _EXTRA_OPTIONS.get(kind, ())
    if verb == "edit":
        options += _EDIT_EXTRA_OPTIONS.get(kind, ())
        if kind in _STATUS_KINDS:
            options += (_STATUS_OPTION,)
    return options


def _fields_from(
    args: argparse.Namespace, kind: type[Record], snapshot: Snapshot, project: Project | None
) -> dict[str, Any]:
    options = FIELD_OPTIONS[kind] + ((_STATUS_OPTION,) if kind in _STATUS_KINDS else ())
    data: dict[str, Any] = {}
    for option in options:
        value = getattr(args, option.field, None)
        if value is None or (option.field == "timezone" and kind is ClientRequest):
            continue
        try:
            if option.repeatable and option.convert is not None:
                data[option.field] = [option.convert(v, snapshot, project, args) for v in value]
            elif option.convert is not None:
                data[option.field] = option.convert(value, snapshot, project, args)
            else:
                data[option.field] = value
        except ValidationFailed as error:
            raise ValidationFailed(f"{option.flag}: {error}", option.field) from None
    return data


# -- commands ------------------------------------------------------------------


def store_of(args: argparse.Namespace, *, starts: bool = False) -> Repository:
    """The store a command works on (see :func:`~clientdesk.tui.cli.data_location`)."""
    return open_repository(data_location(args, starts=starts))


def _project_for(args: argparse.Namespace, snapshot: Snapshot, required: bool) -> Project | None:
    key = getattr(args, "project", None)
    if not key:
        if required:
            raise UsageError("--project KEY is required for this kind of record")
        return None
    return snapshot.project(key)


def cmd_add(args: argparse.Namespace) -> int:
    """``clientdesk add KIND [options]``: add one record, print its key."""
    kind = kinds.kind_named(args.record_kind).model
    # A first project is how a data file is started from the shell.
    repo = store_of(args, starts=kind is Project)
    snapshot = repo.snapshot()
    project = None if kind is Project else _project_for(args, snapshot, required=True)
    data = _fields_from(args, kind, snapshot, project)
    apply_extras(args, kind, data, None, project)
    if project is not None:
        data["project_id"] = project.id
        if kind is Meeting:
            data.setdefault("timezone", project.timezone)
            data.setdefault("organiser_name", project.organiser_name)
            data.setdefault("organiser_email", project.organiser_email)
        if kind is ClientRequest:
            data.setdefault("received_at", clock.now().isoformat())
        if kind is ChecklistItem:
            # A new item goes to the end of the list unless placed.
            items = snapshot.of_project(ChecklistItem, project.id)
            data.setdefault("position", max((i.position for i in items), default=0) + 1)
    saved = repo.add(validate_record(kind, data))
    print(saved.key)
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    """``clientdesk edit KIND KEY [options]``: change one record, honouring revisions."""
    kind = kinds.kind_named(args.record_kind).model
    repo = store_of(args)
    snapshot = repo.snapshot()
    if kind is Project:
        record: Record = snapshot.project(args.key)
        project: Project | None = snapshot.project(args.key)
    else:
        project = _project_for(args, snapshot, required=True)
        assert project is not None
        record = snapshot.find(kind, args.key, project.id)
    if args.revision is not None and args.revision != record.revision:
        raise StoreError(
            f"{record.key} is at revision {record.revision}, not {args.revision}: "
            f"changed by {record.updated_by} since; nothing was written"
        )
    changes = _fields_from(args, kind, snapshot, project)

    def edit(current: Record) -> Record:
        nonlocal record
        record = current
        fields = dict(changes)
        apply_extras(args, kind, fields, current, project)
        if not fields:
            raise UsageError("nothing to change: give at least one field option")
        return validate_record(kind, {**dump_record(current), **fields})

    # Without --revision the edit is made to the newest version, whoever saved
    # since it was read (appending a comment, say, while others do too).
    change = (
        Change.update(edit(record)) if args.revision is not None else Change.to_newest(record, edit)
    )
    saved = cast(Record, repo.apply([change])[0])
    print(f"{saved.key} revision {saved.revision}")
    if (
        isinstance(record, ClientRequest)
        and isinstance(saved, ClientRequest)
        and record.decision is ChangeDecision.APPROVED
        and saved.decision is ChangeDecision.PENDING
        and "decision" not in changes
    ):
        # The store cleared the approval: say so, the user did not ask for it.
        why = rules.impact_changes(dump_record(record), dump_record(saved), IMPACT_FIELDS)
        print(f"{saved.key}: the approval was cleared because {why}", file=sys.stderr)
    return 0


def _print_json(data: object) -> None:
    """Print ``data`` as indented JSON and a line end (orjson: a tenth of the json module's time).

    JSON is data for a script: its UTF-8 bytes are written exactly, past the
    escaping of what commands print for people.
    """
    write_data(orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))


def record_json(record: Record, snapshot: Snapshot, now: datetime) -> dict[str, Any]:
    """A record as ``list --json`` prints it: every field, computed ones included."""
    data = record.model_dump(mode="json")
    owner = snapshot.get(Project, record.project_id) if isinstance(record, ProjectRecord) else None
    computed = getattr(record, "computed", None)
    if isinstance(record, CommunicationPlanItem):
        # Held meetings linked to the item cover its due occurrences.
        meetings = snapshot.of_project(Meeting, record.project_id)
        data.update(record.computed(now, owner, meetings))
    elif callable(computed):
        # The project's service levels and zone drive a request's clocks.
        data.update(computed(now, owner))
    if isinstance(record, ProjectRecord):
        data["project_key"] = owner.key if owner else None
    if isinstance(record, Project):
        from clientdesk.store.status_report import overall_status

        overall = overall_status(snapshot, record, now)
        data.update(overall_rag=str(overall.rag), derived_rag=str(overall.derived))
    if isinstance(record, StatusReport):
        from clientdesk.tui.kept_reports import report_json

        data.update(report_json(record))  # what the client was told, read from the kept text
    return data


def _clock_cell(request: ClientRequest, project: Project | None, now: datetime) -> str:
    """The time left on a request's running clock, ``over 3h`` once it is breached."""
    if project is None:
        return ""
    shown = request.clocks_in(project, now).shown
    if shown is None:
        return ""  # both clocks stopped
    _, reading = shown
    if reading.breached:
        text = f"over {sla.format_duration(reading.over_seconds)}"
    else:
        text = sla.format_duration(reading.left_seconds)
    return f"{text} (paused)" if reading.paused else text


def _cell(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    text = printable("" if value is None else str(value))
    return text if len(text) <= 48 else text[:47] + "…"


def cmd_list(args: argparse.Namespace) -> int:
    """``clientdesk list KIND [--project KEY] [--json]``."""
    listed = kinds.kind_listed_as(args.kind)
    kind = listed.model
    snapshot = store_of(args).snapshot()
    project = _project_for(args, snapshot, required=False)
    if kind is Project:
        records: list[Record] = list(snapshot.projects())
    elif project is not None:
        records = list(snapshot.of_project(kind, project.id))
    else:
        records = [r for p in snapshot.projects() for r in snapshot.of_project(kind, p.id)]
    now = clock.now()
    if kind is ChecklistItem:
        # The checklist reads in its own order, not in key order.
        records.sort(key=lambda item: getattr(item, "position", 0))
        if args.json:
            return _list_checklist_json(snapshot, project, now)
    if args.json:
        _print_json([record_json(r, snapshot, now) for r in records])
        return 0
    columns = listed.columns
    if kind is not Project and project is None:
        columns = ("project", *columns)
    projects = {p.id: p for p in snapshot.projects()}

    def cell(record: Record, name: str) -> str:
        owner = projects.get(getattr(record, "project_id", ""))
        if name == "project":
            return _cell(owner.key if owner else None)
        if name == "left" and isinstance(record, ClientRequest):
            return _clock_cell(record, owner, now)
        if name == "rag" and isinstance(record, Project):
            from clientdesk.store.status_report import overall_status

            overall = overall_status(snapshot, record, now)
            return str(overall.rag) + (" (set by hand)" if overall.overridden else "")
        if isinstance(record, (Meeting, CommunicationPlanItem)) and owner is not None:
            return _calendar_cell(record, name, owner, snapshot, now)
        if isinstance(record, StatusReport):
            from clientdesk.tui.kept_reports import report_cell

            return report_cell(record, name, owner)
        return _cell(getattr(record, name))

    rows = [[cell(r, name) for name in columns] for r in records]
    titles = [name.replace("_", " ").upper() for name in columns]
    widths = [max([len(t), *(len(row[i]) for row in rows)]) for i, t in enumerate(titles)]
    print("  ".join(t.ljust(w) for t, w in zip(titles, widths, strict=True)).rstrip())
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if not rows:
        print(f"(no {args.kind})")
    if kind is ChecklistItem and project is not None:
        print()
        for gate in closing_gates(snapshot, project, now):
            print(_gate_line(gate))
    return 0


def _calendar_cell(
    record: Meeting | CommunicationPlanItem,
    name: str,
    project: Project,
    snapshot: Snapshot,
    now: datetime,
) -> str:
    """The computed columns of meetings and plan items, read in the project's zone."""
    from clientdesk.store.calendar import describe_rule, next_occurrence, plan_due

    tz = clock.zone(project.timezone)
    if isinstance(record, Meeting):
        if name == "repeats":
            return _cell(describe_rule(record.rrule, timezone=project.timezone))
        if name == "next":
            upcoming = next_occurrence(record, now)
            if upcoming is not None and record.all_day:
                return f"{upcoming.start:%Y-%m-%d} all day"  # its day in its own zone
            return _cell(upcoming.start.astimezone(tz) if upcoming is not None else None)
        return _cell(getattr(record, name))
    if name == "repeats":
        return _cell(describe_rule(record.cadence, timezone=project.timezone))
    if name in ("next_due", "overdue"):
        linked = [
            meeting
            for meeting in snapshot.of_project(Meeting, project.id)
            if meeting.plan_item_id == record.id
        ]
        due = plan_due(record, linked, now, timezone=project.timezone)
        if name == "overdue":
            return "overdue" if due.overdue else ""
        return _cell(due.next_due.astimezone(tz) if due.next_due is not None else None)
    return _cell(getattr(record, name))


def _gate_line(gate: Gate) -> str:
    """One gate on one line: ``requests: passed`` or ``requests: failed: REQ-3 (new), ...``."""
    if gate.passed:
        return f"{gate.name}: passed"
    blockers = ", ".join(f"{b.key} ({b.why})" for b in gate.blockers)
    return printable(f"{gate.name}: failed: {blockers}")


def _list_checklist_json(snapshot: Snapshot, project: Project | None, now: datetime) -> int:
    """``list checklist --json``: each project's items in order and its closing gates.

    One object with ``--project``; an array of them, one per project, without.
    """

    def one(of: Project) -> dict[str, Any]:
        items = sorted(snapshot.of_project(ChecklistItem, of.id), key=lambda i: i.position)
        return {
            "project": of.key,
            "closed": of.is_closed,
            "items": [record_json(item, snapshot, now) for item in items],
            "gates": [gate.as_json() for gate in closing_gates(snapshot, of, now)],
        }

    payload: Any = one(project) if project else [one(p) for p in snapshot.projects()]
    _print_json(payload)
    return 0


def cmd_close_project(args: argparse.Namespace) -> int:
    """``clientdesk close-project --project KEY [--override REASON | --reopen]``.

    Exit 0 once closed (or reopened); exit 2 listing every failing gate and its
    blockers when the gates refuse and no override reason is given.
    """
    repo = store_of(args)
    project = repo.snapshot().project(args.project)
    stored = dump_record(project)
    if args.reopen:
        if not project.is_closed:
            raise UsageError(f"{project.key} is not closed: there is nothing to reopen")
        saved = repo.update(validate_record(Project, {**stored, "closed_at": None}))
        print(f"{saved.key} reopened")
        return 0
    if project.is_closed:
        raise UsageError(
            f"{project.key} is already closed (by {project.closed_by} on "
            f"{project.closed_at:%Y-%m-%d %H:%M %Z}); use --reopen to reopen it"
        )
    reason = (args.override or "").strip()
    if args.override is not None and not reason:
        raise UsageError("--override needs a reason: why close although a gate fails?")
    closing = {**stored, "closed_at": clock.now().isoformat(), "close_override_reason": reason}
    try:
        saved = repo.update(validate_record(Project, closing))
    except GatesFailed as refused:
        failing = [gate for gate in refused.gates if isinstance(gate, Gate) and not gate.passed]
        lines = [
            f"clientdesk: {project.key} cannot close: {len(failing)} of "
            f"{len(refused.gates)} gates fail (settle the blockers, or give --override REASON); "
            "nothing was written"
        ]
        lines += [f"  {_gate_line(gate)}" for gate in failing]
        print("\n".join(lines), file=sys.stderr)
        return EXIT_USAGE
    print(f"{saved.key} closed")
    event = saved.closing_log[-1] if saved.closing_log else None
    if event is not None and event.override_reason:
        print(printable(f"overridden: {event.overridden} (reason: {event.override_reason})"))
    print_still_scheduled(repo.snapshot(), saved)
    return 0


def print_still_scheduled(snapshot: Snapshot, project: Project) -> None:
    """One line when meetings of the closed ``project`` are still to take place (else nothing)."""
    from clientdesk.store.cancellations import still_scheduled

    left = still_scheduled(snapshot.of_project(Meeting, project.id), clock.now())
    if left:
        keys = ", ".join(item.meeting.key for item in left)
        count = f"{len(left)} meeting{'s stay' if len(left) > 1 else ' stays'}"
        print(
            f"note: {count} planned ({keys}); to cancel them and e-mail the attendees, reopen "
            f"{project.key} (--reopen) and close it from the app's Closing pane, which offers to"
        )


def cmd_report(args: argparse.Namespace) -> int:
    """``clientdesk report --project KEY [--format md|html] [-o FILE] [--keep] [--reopen RPT-N]``.

    Without ``--closing``: the client-facing status report for the period since
    the last kept one; ``--keep`` keeps it as issued (its key goes to stderr),
    ``--reopen`` prints a kept report exactly as it was. ``--closing``: the
    closing report, in Markdown.
    """
    if args.closing and (args.keep or args.reopen):
        raise UsageError("--keep and --reopen are for the status report, not with --closing")
    if args.keep and args.reopen:
        raise UsageError("--reopen prints a kept report; it cannot be kept again (drop --keep)")
    if args.closing and args.format != "md":
        raise UsageError("the closing report is written in Markdown only (--format md)")
    target = _report_target(args.output)
    snapshot = store_of(args).snapshot()
    project = snapshot.project(args.project)
    if args.closing:
        from clientdesk.store.report import closing_report

        _write_report(closing_report(snapshot, project, clock.now()), target)
        if target is not None:
            print(f"wrote the closing report of {project.key} to {target}")
        return 0
    from clientdesk.store.status_report import keep_report, status_report

    if args.reopen:
        kept = snapshot.find(StatusReport, args.reopen.strip().upper(), project.id)
        text = kept.markdown if args.format == "md" else kept.html
        if not text:
            raise UsageError(f"{kept.key} was kept without an HTML version; use --format md")
        _write_report(text, target)
        if target is not None:
            print(f"wrote {kept.key} of {project.key} to {target}")
        return 0
    content = status_report(snapshot, project, clock.now(), top_risks_from=top_risks_from())
    if args.keep:
        # Kept before it is written: a report the store refused is not handed out.
        saved = keep_report(store_of(args), project, content)
        print(f"kept the status report as {saved.key}", file=sys.stderr)
    _write_report(content.markdown if args.format == "md" else content.html, target)
    if target is not None:
        print(f"wrote the status report of {project.key} to {target}")
    return 0


def top_risks_from() -> str:
    """The config file's ``[report] top_risks_from``; a mistake in ``[report]`` is refused."""
    from clientdesk.store.config import read_config

    loaded = read_config()
    problems = [problem for problem in loaded.problems if ": report" in problem]
    if problems:
        # A report goes to the client: not with a setting other than the one meant.
        raise UsageError(problems[0])
    return loaded.config.report.top_risks_from


def _report_target(output: str | None) -> Path | None:
    if output is None:
        return None
    target = Path(output).expanduser()
    if not target.parent.is_dir():
        raise UsageError(f"{target.parent}: no such directory")
    if target.is_dir():
        raise UsageError(f"{target}: is a directory; give a file name")
    return target


def _write_report(text: str, target: Path | None) -> None:
    if target is None:
        sys.stdout.write(text)
        return
    # Temp file and rename: a reader never sees half a report, a crash leaves the old one.
    write_output(target, text.encode("utf-8"))


def cmd_check(args: argparse.Namespace) -> int:
    """``clientdesk check``: validate the store; 0 when sound, 2 with the problem."""
    repository = store_of(args)
    where = repository.location
    snapshot = repository.snapshot()
    problems = find_problems(snapshot)
    if problems:
        raise StoreError(
            f"{where}: {problems[0]}"
            + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
        )
    print(f"{where}: sound ({len(snapshot.projects())} projects, {snapshot.count()} records)")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """``clientdesk migrate --from A --to B``: copy every record into a new or empty store.

    Ids, keys, revisions and histories come over as they are, so a round
    trip gives the same records. The source is checked first; a target that
    already holds records is refused, so nothing is ever overwritten.
    """
    source_location = _migrate_location(args.source, "--from")
    target_location = _migrate_location(args.target, "--to", starts=True)
    if str(source_location) == str(target_location):
        raise UsageError("--from and --to name the same store")
    source = open_repository(source_location)
    target = open_repository(target_location)
    try:
        contents = source.contents()
        target.load(contents)
        moved = target.contents()
    finally:
        source.close()
        target.close()
    if moved.count() != contents.count():
        raise StoreError(
            f"{target.location}: holds {moved.count()} records after the copy, "
            f"not {contents.count()}; check it before use"
        )
    print(f"{source.location} -> {target.location}: {contents.count()} records copied")
    return 0


def _migrate_location(value: str, option: str, *, starts: bool = False) -> Path | str:
    if is_database_url(value):
        try:
            refuse_visible_password(value, "command line")
        except StoreError as error:
            raise UsageError(str(error)) from None
        return value
    path = Path(value).expanduser()
    if not starts and not path.exists():
        raise UsageError(f"{option}: no such data file: {path}")
    if starts and not path.parent.is_dir():
        raise UsageError(f"{option}: no such folder: {path.parent}")
    return path


def cmd_demo(args: argparse.Namespace) -> int:
    """``clientdesk demo``: write the demo data set (refuses a non-empty file without --force)."""
    from clientdesk.store.demo import populate_demo

    repo = store_of(args, starts=True)
    new_file = isinstance(repo, TinyDBRepository) and not repo.path.exists()
    existing = 0 if new_file else repo.snapshot().count()
    if existing and not args.force:
        raise StoreError(
            f"{repo.location} already holds {existing} records; use --force to replace them"
            + (" (the old file is kept as a backup)" if isinstance(repo, TinyDBRepository) else "")
        )
    total = populate_demo(
        repo, projects=args.projects, seed=args.seed, records=args.records, replace=bool(existing)
    )
    print(f"{repo.location}: wrote the demo data set ({total} records)")
    return 0
