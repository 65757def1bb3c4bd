"""The domain records of clientdesk as pydantic v2 models.

Every record carries the same bookkeeping (:class:`Record`): a stable ``id``,
a human ``key`` such as ``REQ-34`` that is unique per kind and project, when
it was created and last changed, by whom, and a ``revision`` that grows on
every change. The repository fills these in; callers set the domain fields.

The enumerations live in :mod:`clientdesk.store.enums` (no pydantic there);
this module re-exports them, so either import works.

The annotations are evaluated as the classes are defined (no ``from
__future__ import annotations``): pydantic then reads each field's type as
it is instead of compiling its text, which was a tenth of the time the
classes take to define. A method naming a class defined later quotes it.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache, lru_cache
from typing import Annotated, ClassVar, Literal, Self
from urllib.parse import urlsplit
from uuid import uuid4

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    computed_field,
    field_validator,
    model_validator,
)

from clientdesk.store import calendar, meeting_dates, rules, sla
from clientdesk.store.clock import zone
from clientdesk.store.enums import (
    OPPORTUNITY_RESPONSES,
    RAG,
    RSVP,
    THREAT_RESPONSES,
    AttendeeRole,
    ChangeDecision,
    Channel,
    ChecklistState,
    MeetingKind,
    MeetingStatus,
    Phase,
    Priority,
    RequestStatus,
    RequestType,
    RiskKind,
    RiskResponse,
    RiskStatus,
)
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.text import printable

# -- field types ---------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
_PROJECT_KEY = re.compile(r"^[A-Z][A-Z0-9]{1,11}$")


def _check_email(value: str) -> str:
    value = value.strip()
    if value and not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an e-mail address")
    return value


def _check_zone(value: str) -> str:
    try:
        zone(value)
    except ValidationFailed as error:  # pydantic reports ValueErrors with the field name
        raise ValueError(str(error)) from None
    return value


def _check_one_line(value: str) -> str:
    # Titles and names are shown in one table cell and in .ics summaries:
    # line breaks there would break both, so they are folded into spaces.
    return " ".join(value.split())


def _check_rrule(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    problem = calendar.rule_problem(value)
    if problem:
        raise ValueError(problem)
    return calendar.normalise_rule(value)


def _series_problem(
    rrule: str | None, start: datetime | None, timezone: str | None, *, anchored: bool
) -> str:
    """Why a series of ``rrule`` from ``start`` is refused ("" when it is fine)."""
    if rrule is None or start is None:
        return ""
    local = start.astimezone(zone(timezone)) if timezone else start
    return calendar.rule_problem(rrule, local, anchored=anchored) or ""


def _check_year(value: datetime) -> datetime:
    # Dates far off are typing slips, and near the ends of what datetime
    # holds, expanding a series or moving to another zone overflows.
    if not calendar.MIN_YEAR <= value.year <= calendar.MAX_YEAR:
        raise ValueError(
            f"{value.date().isoformat()} is out of range: give a date between "
            f"{calendar.MIN_YEAR} and {calendar.MAX_YEAR}"
        )
    return value


def _check_working_week(value: str) -> str:
    try:
        return sla.format_working_week(sla.parse_working_week(value))
    except sla.WorkingWeekError as error:
        raise ValueError(str(error)) from None


def _check_currency(value: str) -> str:
    cleaned = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", cleaned):
        raise ValueError(f"{value!r} is not a currency code (three letters, e.g. EUR)")
    return cleaned


def video_link_problem(link: str) -> str:
    """Why ``link`` cannot be a meeting's video link ("" when it can, or is empty).

    A video link is opened by a click in the invite and shown on terminals:
    only a web address (``http://`` or ``https://`` with a host) qualifies, and
    none with spaces or control characters, which could hide what follows.
    """
    if not link:
        return ""
    shown = printable(link if len(link) <= 60 else link[:59] + "…")
    for position, char in enumerate(link, start=1):
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            code = ord(char)
            escaped = f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
            what = "a space" if char == " " else f"the character {escaped}"
            return (
                "a video link holds no spaces or control characters; "
                f"'{shown}' has {what} at position {position}"
            )
    try:
        parts = urlsplit(link)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return f"a video link is a web address starting with https:// or http://, not '{shown}'"
    return ""


Email = Annotated[str, AfterValidator(_check_email)]
TimeZoneName = Annotated[str, AfterValidator(_check_zone)]
OneLine = Annotated[str, AfterValidator(_check_one_line)]
RecurrenceRule = Annotated[str | None, AfterValidator(_check_rrule)]
CalendarDatetime = Annotated[AwareDatetime, AfterValidator(_check_year)]
Level = Annotated[int, Field(ge=1, le=5)]
WorkingWeekText = Annotated[str, AfterValidator(_check_working_week)]
Currency = Annotated[str, AfterValidator(_check_currency)]


STORED: dict[str, bool] = {"stored": True}
"""Validation context of records read back from the data file (see :func:`is_stored`)."""


def is_stored(info: ValidationInfo) -> bool:
    """True when a record is being read back from the data file rather than written.

    Rules added after records were first stored (a closed risk needs a reason,
    a residual score above the inherent one needs a reason) are checked on every
    write, but not on reading: a file written before them must still open.
    """
    return isinstance(info.context, dict) and bool(info.context.get("stored"))


# -- records -------------------------------------------------------------------


def _new_id() -> str:
    return uuid4().hex


@cache
def _field_names(kind: type[BaseModel]) -> set[str]:
    return set(kind.model_fields)


class StoreModel(BaseModel):
    """The base of every stored model: its instances share one set of field names.

    Pydantic gives each instance its own set of the fields that were set
    (``model_fields_set``). At 10,000 records and their attendees, log
    entries and score changes, those sets were half the memory the models
    took (27 of 56 MiB). Nothing in clientdesk reads them (no
    ``exclude_unset``): every instance of a class shares one set holding all
    its field names instead. Assigning a field of a mutable model adds a
    name the set already holds, so the shared set never changes.
    """

    # defer_build, as for every model here: this base is never validated
    # itself, and building its validator at import loaded pydantic's plugin
    # machinery (importlib.metadata, 15-20 ms). It now loads with the first
    # validator built, and never for what validates nothing (``add --help``).
    model_config = ConfigDict(defer_build=True)

    @model_validator(mode="after")
    def _share_field_names(self) -> Self:
        object.__setattr__(self, "__pydantic_fields_set__", _field_names(type(self)))
        return self


class Record(StoreModel):
    """What every stored record has.

    Subclasses name their table and key prefix in ``TABLE`` and ``PREFIX``.
    """

    # Frozen: records in a snapshot are shared between threads and views; a
    # change is always a new record (model_copy or validate_record).
    # defer_build: validators are built on first use (in the app, in the
    # worker that loads the file) instead of at import, which is start-up time.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    TABLE: ClassVar[str] = ""
    PREFIX: ClassVar[str] = ""
    LABEL: ClassVar[str] = ""

    id: str = Field(default_factory=_new_id, description="stable id, never reused")
    key: str = Field(default="", description="human key, e.g. REQ-34")
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None
    updated_by: str = ""
    revision: int = Field(default=0, ge=0)


class ProjectRecord(Record):
    """A record that belongs to one project."""

    project_id: str = ""


class ServiceLevelTarget(StoreModel):
    """The response times of one priority, in minutes of counted time."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    first_response_minutes: int = Field(ge=1, le=366 * 24 * 60)
    resolution_minutes: int = Field(ge=1, le=366 * 24 * 60)
    working_hours: bool = Field(
        default=True, description="count only the working week (False: around the clock)"
    )


def _default_targets() -> dict[Priority, ServiceLevelTarget]:
    return {
        Priority.P1: ServiceLevelTarget(
            first_response_minutes=60, resolution_minutes=8 * 60, working_hours=False
        ),
        Priority.P2: ServiceLevelTarget(first_response_minutes=4 * 60, resolution_minutes=16 * 60),
        Priority.P3: ServiceLevelTarget(first_response_minutes=8 * 60, resolution_minutes=40 * 60),
        Priority.P4: ServiceLevelTarget(first_response_minutes=16 * 60, resolution_minutes=80 * 60),
    }


DEFAULT_WORKING_WEEK = "mon-fri 09:00-17:00"
"""The working week of a new project's service levels."""


class ServiceLevelPolicy(StoreModel):
    """A project's response times per priority, and the working week they count in."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    targets: dict[Priority, ServiceLevelTarget] = Field(default_factory=_default_targets)
    working_week: WorkingWeekText = DEFAULT_WORKING_WEEK
    holidays: list[date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _every_priority(self) -> "ServiceLevelPolicy":
        missing = [str(p) for p in Priority if p not in self.targets]
        if missing:
            raise ValueError(f"service levels lack targets for {', '.join(missing)}")
        return self

    @model_validator(mode="after")
    def _targets_fit(self, info: ValidationInfo) -> "ServiceLevelPolicy":
        # Checked on writing only: a file saved before these rules must still open
        # (its clocks then read as unreachable rather than failing).
        if is_stored(info):
            return self
        spans = sla.parse_working_week(self.working_week)
        year_minutes = 52 * sum(end - start for _, start, end in spans)
        for priority, target in sorted(self.targets.items()):
            first, resolution = target.first_response_minutes, target.resolution_minutes
            if resolution < first:
                raise ValueError(
                    f"{priority} resolution {_minutes_text(resolution)} is shorter than "
                    f"its first response {_minutes_text(first)}"
                )
            if target.working_hours and resolution > year_minutes:
                # A due time further away than a year is no service level, and finding
                # it would walk the calendar for years.
                raise ValueError(
                    f"{priority} resolution {_minutes_text(resolution)} is more working time "
                    f"than a year of this working week holds ({_hours_text(year_minutes)})"
                )
        return self

    def target(self, priority: Priority) -> ServiceLevelTarget:
        """The targets of ``priority``."""
        return self.targets[priority]

    def week(self, timezone: str) -> sla.WorkingWeek:
        """The working week in ``timezone`` (built once per policy and zone, then shared)."""
        return _working_week(self.working_week, tuple(sorted(self.holidays)), timezone)


def _minutes_text(minutes: int) -> str:
    return sla.format_duration(minutes * 60)


def _hours_text(minutes: int) -> str:
    # A year of working time in hours ("2080h"), as people plan working time.
    hours, rest = divmod(minutes, 60)
    return f"{hours}h {rest}m" if rest else f"{hours}h"


@lru_cache(maxsize=64)
def _working_week(text: str, holidays: tuple[date, ...], timezone: str) -> sla.WorkingWeek:
    return sla.WorkingWeek(sla.parse_working_week(text), zone(timezone), frozenset(holidays))


class ClosingEvent(StoreModel):
    """One close or reopen of a project: who, when, and the override reason if gates failed."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    at: AwareDatetime
    by: str
    action: Literal["closed", "reopened"]
    override_reason: str = ""
    overridden: str = Field(default="", description="the blockers the override closed over")


class Project(Record):
    """A client project: the unit everything else hangs off.

    The project's overall RAG status is not stored: it is the worst of the
    status report's dimensions (scope, schedule, cost, risk), computed by
    :func:`clientdesk.store.status_report.overall_status`. The project
    manager may set it by hand over that (``rag_override``), but only with a
    reason (``rag_override_reason``); the report then shows both.
    """

    TABLE: ClassVar[str] = "projects"
    LABEL: ClassVar[str] = "project"

    name: OneLine = Field(min_length=1, max_length=200)
    client: OneLine = Field(default="", max_length=200, description="client organisation")
    phase: Phase = Phase.INITIATION
    start: date | None = None
    target_end: date | None = None
    timezone: TimeZoneName = "UTC"
    organiser_name: OneLine = ""
    organiser_email: Email = ""
    rag_override: RAG | None = Field(
        default=None,
        description="the overall status set by the project manager over the derived one",
    )
    rag_override_reason: OneLine = Field(
        default="", max_length=300, description="why the overall status was set by hand"
    )
    service_levels: ServiceLevelPolicy = Field(default_factory=ServiceLevelPolicy)
    closed_at: AwareDatetime | None = None
    closed_by: str = ""
    close_override_reason: str = ""
    closing_log: list[ClosingEvent] = Field(default_factory=list)

    @property
    def is_closed(self) -> bool:
        """True while the project is closed (its records are read-only)."""
        return self.closed_at is not None

    @field_validator("key")
    @classmethod
    def _project_key_shape(cls, value: str) -> str:
        value = value.strip().upper()
        if value and not _PROJECT_KEY.match(value):
            raise ValueError(
                "a project key is 2-12 capital letters or digits, starting with a letter"
            )
        return value

    @model_validator(mode="after")
    def _end_after_start(self) -> "Project":
        if self.start and self.target_end and self.target_end < self.start:
            raise ValueError("target end is before the start")
        return self

    @model_validator(mode="before")
    @classmethod
    def _reason_goes_with_its_override(cls, data: object) -> object:
        # A reason left behind when the override is cleared would explain
        # nothing: it goes with it.
        if isinstance(data, dict) and data.get("rag_override") in (None, ""):
            data = {**data, "rag_override": None, "rag_override_reason": ""}
        return data

    @model_validator(mode="after")
    def _override_has_reason(self) -> "Project":
        if self.rag_override is not None and not self.rag_override_reason.strip():
            raise ValueError(
                "setting the overall status by hand needs a reason (rag_override_reason)"
            )
        return self


class Contact(ProjectRecord):
    """A stakeholder: someone on the client's or our side of a project."""

    TABLE: ClassVar[str] = "contacts"
    PREFIX: ClassVar[str] = "CON"
    LABEL: ClassVar[str] = "contact"

    name: OneLine = Field(min_length=1, max_length=200)
    email: Email = ""
    organisation: OneLine = ""
    role: OneLine = ""
    timezone: TimeZoneName | None = None
    preferred_channel: Channel = Channel.EMAIL


class CommunicationPlanItem(ProjectRecord):
    """One line of the communication plan: what goes to whom, how and how often."""

    TABLE: ClassVar[str] = "plan_items"
    PREFIX: ClassVar[str] = "PLN"
    LABEL: ClassVar[str] = "plan item"

    title: OneLine = Field(min_length=1, max_length=200, description="what is communicated")
    purpose: str = ""
    audience: list[str] = Field(default_factory=list, description="contact ids")
    channel: Channel = Channel.EMAIL
    first_due: CalendarDatetime  # before the cadence: the cadence is checked against it
    cadence: RecurrenceRule = None
    owner: OneLine = ""
    last_done: AwareDatetime | None = None

    @field_validator("cadence")
    @classmethod
    def _cadence_ends_after_first_due(cls, value: str | None, info: ValidationInfo) -> str | None:
        if is_stored(info):
            return value
        problem = _series_problem(value, info.data.get("first_due"), None, anchored=False)
        if problem:
            raise ValueError(problem)
        return value

    def due(
        self, now: datetime, meetings: Iterable["Meeting"] = (), timezone: str | None = None
    ) -> calendar.PlanDue:
        """Where the item stands at ``now`` (see :func:`clientdesk.store.calendar.plan_due`).

        Args:
            now: the moment to judge at.
            meetings: the project's meetings; held ones linked to the item cover it.
            timezone: the project's zone, which the cadence keeps its clock time in.
        """
        return calendar.plan_due(self, meetings, now, timezone=timezone)

    def next_due(self, now: datetime) -> datetime | None:
        """The first occurrence after ``now`` (None when the cadence ended)."""
        return self.due(now).next_due

    def is_overdue(self, now: datetime, meetings: Iterable["Meeting"] = ()) -> bool:
        """True when the last due occurrence has nothing held or done behind it."""
        return self.due(now, meetings).overdue

    def computed(
        self, now: datetime, project: Project | None = None, meetings: Iterable["Meeting"] = ()
    ) -> dict[str, object]:
        """Fields that depend on the current time, for ``list --json``.

        Without ``meetings`` only ``last_done`` can cover a due occurrence; the
        command line passes the project's meetings.
        """
        due = self.due(now, meetings, project.timezone if project else None)
        return {
            "next_due": due.next_due.isoformat() if due.next_due else None,
            "last_due": due.last_due.isoformat() if due.last_due else None,
            "done_at": due.done_at.isoformat() if due.done_at else None,
            "overdue": due.overdue,
        }


class Attendee(StoreModel):
    """Someone invited to a meeting."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    email: Email = Field(min_length=3)
    name: OneLine = ""
    contact_id: str | None = None
    role: AttendeeRole = AttendeeRole.REQUIRED
    rsvp: RSVP = RSVP.NEEDS_ACTION


class AgendaItem(StoreModel):
    """One point of a meeting's agenda."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    title: OneLine = Field(min_length=1)
    presenter: OneLine = ""
    minutes: int = Field(default=10, ge=0, le=24 * 60)


class ActionItem(StoreModel):
    """Something a meeting decided someone should do."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    text: str = Field(min_length=1)
    owner: OneLine = ""
    due: date | None = None
    request_id: str | None = None


class OccurrenceChange(StoreModel):
    """One occurrence of a recurring series that differs from the series.

    It is found by the start the series gives it (``original_start``, the
    iCalendar RECURRENCE-ID), which never changes even when the occurrence is
    moved. It may be cancelled (an EXDATE), moved (``start`` and perhaps
    ``duration_minutes`` or ``location``), have an agenda of its own instead of
    the series' template, and record what happened at it: its status, minutes,
    decisions and action items.
    """

    model_config = ConfigDict(extra="forbid", defer_build=True)

    original_start: CalendarDatetime
    cancelled: bool = False
    start: CalendarDatetime | None = Field(default=None, description="moved to")
    duration_minutes: int | None = Field(
        default=None, ge=1, le=meeting_dates.MAX_ALL_DAY_DAYS * meeting_dates.DAY_MINUTES
    )
    location: str | None = None
    agenda: list[AgendaItem] | None = Field(default=None, description="None: the series' agenda")
    status: MeetingStatus | None = Field(default=None, description="None: the series' status")
    minutes: str = ""
    decisions: list[str] = Field(default_factory=list)
    action_items: list[ActionItem] = Field(default_factory=list)


class InviteSent(StoreModel):
    """One invite or cancellation e-mailed to a meeting's attendees, as the server accepted it."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    sent_at: AwareDatetime
    sent_by: OneLine = ""
    method: Literal["REQUEST", "CANCEL"] = "REQUEST"
    sequence: int = Field(ge=0)
    recipients: list[str] = Field(default_factory=list, description="e-mail addresses")
    recurrence_id: AwareDatetime | None = Field(
        default=None, description="the occurrence it was about (None: the whole meeting)"
    )
    meeting_sequence: int | None = Field(
        default=None,
        ge=0,
        description="the meeting's SEQUENCE it was built from (None: sent before this was kept)",
    )


class Sending(StoreModel):
    """One e-mailing of a status report or of a meeting's minutes, as the server accepted it.

    Only the addresses the server took are kept: a refused one never got it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    sent_at: AwareDatetime
    sent_by: OneLine = ""
    recipients: list[str] = Field(default_factory=list, description="e-mail addresses")
    occurrence: AwareDatetime | None = Field(
        default=None,
        description="minutes of a series: the occurrence they are of (its original start)",
    )


class Meeting(ProjectRecord):
    """A meeting, status report or review, possibly a recurring series.

    A recurring meeting is one record: the first occurrence's ``start``, a
    recurrence rule, and the occurrences that differ (``exceptions``). Its
    ``agenda`` is the template every occurrence starts from; its ``minutes``,
    ``decisions`` and ``action_items`` belong to a one-off meeting (a series
    keeps them per occurrence, in ``exceptions``).
    """

    TABLE: ClassVar[str] = "meetings"
    PREFIX: ClassVar[str] = "MTG"
    LABEL: ClassVar[str] = "meeting"

    title: OneLine = Field(min_length=1, max_length=200)
    kind: MeetingKind = MeetingKind.MEETING
    start: CalendarDatetime
    duration_minutes: int = Field(
        default=60,
        ge=1,
        le=meeting_dates.MAX_ALL_DAY_DAYS * meeting_dates.DAY_MINUTES,
        description="up to 24 hours; an all-day meeting: whole days (1440 a day)",
    )
    timezone: TimeZoneName = "UTC"
    all_day: bool = Field(
        default=False,
        description="whole days (iCalendar VALUE=DATE): start is the day at 00:00 in timezone",
    )
    location: str = ""
    video_link: str = ""
    organiser_name: OneLine = ""
    organiser_email: Email = ""
    attendees: list[Attendee] = Field(default_factory=list)
    agenda: list[AgendaItem] = Field(default_factory=list)
    minutes: str = ""
    decisions: list[str] = Field(default_factory=list)
    action_items: list[ActionItem] = Field(default_factory=list)
    status: MeetingStatus = MeetingStatus.DRAFT
    rrule: RecurrenceRule = None
    extra_dates: list[CalendarDatetime] = Field(
        default_factory=list,
        description="occurrences of the series besides the rule's (iCalendar RDATE), in order",
    )
    sequence: int = Field(default=0, ge=0, description="iCalendar SEQUENCE")
    plan_item_id: str | None = None
    risk_ids: list[str] = Field(default_factory=list, description="risks it was raised for")
    exceptions: list[OccurrenceChange] = Field(default_factory=list)
    split_from: str | None = Field(
        default=None, description="id of the series this one continues ('this and following')"
    )
    ical_uid: str | None = Field(
        default=None,
        description="the iCalendar UID of an imported meeting (None: made here, see uid)",
    )
    ical_sequence: int | None = Field(
        default=None,
        ge=0,
        description="the SEQUENCE of the client's version last imported (None: none imported)",
    )
    ical_dtstamp: AwareDatetime | None = Field(
        default=None,
        description="the DTSTAMP of the client's version last imported: of two versions with "
        "one SEQUENCE, the later DTSTAMP is the newer (RFC 5546)",
    )
    time_sequence: int | None = Field(
        default=None,
        ge=0,
        description="the SEQUENCE at which the time (start, length, zone, recurrence) last "
        "changed; an answer to it or later answers the time as it is (None: not known)",
    )
    sent: list[InviteSent] = Field(
        default_factory=list, description="invites and cancellations e-mailed, oldest first"
    )
    minutes_sent: list[Sending] = Field(
        default_factory=list, description="minutes e-mailed, oldest first"
    )

    @property
    def uid(self) -> str:
        """The iCalendar UID: the same across edits (an imported meeting keeps the client's)."""
        return self.ical_uid or f"{self.id}@clientdesk"

    @property
    def end(self) -> datetime:
        """When the (first occurrence of the) meeting ends (all day: at the start of a day)."""
        if self.all_day:
            days = meeting_dates.whole_days(self.duration_minutes)
            return meeting_dates.all_day_end(self.start, days, self.timezone)
        return self.start + timedelta(minutes=self.duration_minutes)

    @field_validator("duration_minutes", mode="before")
    @classmethod
    def _lasts_a_while(cls, value: object) -> object:
        if isinstance(value, int | float) and value < 1:
            raise ValueError("a meeting lasts at least a minute (1 to 1440 minutes)")
        return value

    @field_validator("rrule")
    @classmethod
    def _series_ends_after_start(cls, value: str | None, info: ValidationInfo) -> str | None:
        if is_stored(info):
            return value
        problem = _series_problem(
            value, info.data.get("start"), info.data.get("timezone"), anchored=True
        )
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("extra_dates")
    @classmethod
    def _extra_dates_belong_to_the_series(
        cls, value: list[datetime], info: ValidationInfo
    ) -> list[datetime]:
        if not value:
            return value
        ordered = sorted(set(value))
        if is_stored(info):
            return ordered
        start, rrule, timezone = (info.data.get(name) for name in ("start", "rrule", "timezone"))
        if start is None or timezone is None:
            return ordered  # their own errors are reported
        if rrule is None:
            raise ValueError("only a recurring meeting has extra dates")
        if len(ordered) > meeting_dates.MAX_EXTRA_DATES:
            raise ValueError(f"a series has at most {meeting_dates.MAX_EXTRA_DATES} extra dates")
        problem = meeting_dates.extra_dates_problem(
            ordered, start, rrule, timezone, all_day=bool(info.data.get("all_day"))
        )
        if problem:
            raise ValueError(problem)
        return ordered

    @model_validator(mode="after")
    def _all_day_is_whole_days(self, info: ValidationInfo) -> "Meeting":
        # Checked on writing only: a file saved before all-day meetings must still open
        # (its meetings had 24 hours at most, which reads as before).
        if is_stored(info):
            return self
        problem = meeting_dates.whole_days_problem(
            self.start, self.duration_minutes, self.timezone, all_day=self.all_day
        )
        if problem:
            raise ValueError(problem)
        return self

    @field_validator("video_link")
    @classmethod
    def _video_link_is_a_web_address(cls, value: str, info: ValidationInfo) -> str:
        # Checked on writing only: a file that holds a looser link from before must still open.
        if is_stored(info):
            return value
        link = value.strip()
        problem = video_link_problem(link)
        if problem:
            raise ValueError(problem)
        return link

    @field_validator("exceptions")
    @classmethod
    def _exceptions_are_occurrences(
        cls, value: list[OccurrenceChange], info: ValidationInfo
    ) -> list[OccurrenceChange]:
        # Checked on writing only: a file whose rule was edited by hand must still open.
        if is_stored(info) or not value:
            return value
        start, rrule, timezone = (info.data.get(name) for name in ("start", "rrule", "timezone"))
        if start is None or timezone is None:
            return value  # their own errors are reported
        if rrule is None:
            raise ValueError("only a recurring meeting has occurrences that differ")
        local = start.astimezone(zone(timezone))
        series = calendar.series_rule(rrule, local)
        extra = set(info.data.get("extra_dates") or ())
        seen: set[datetime] = set()
        for change in value:
            when = change.original_start
            if when in seen:
                raise ValueError(f"the occurrence on {_local_text(when, timezone)} is listed twice")
            seen.add(when)
        # One walk through the series up to its last change, not one per change: each
        # walk starts at the series' start, and a series may change hundreds of times.
        last = max(seen)
        found: set[datetime] = set()
        for occurrence in series:
            if occurrence > last:
                break
            if occurrence in seen:
                found.add(occurrence)
        for change in value:
            when = change.original_start
            if when not in found and when not in extra:
                raise ValueError(
                    f"the series has no occurrence on {_local_text(when, timezone)} ({timezone})"
                )
        return value

    def next_occurrence(self, now: datetime) -> datetime | None:
        """The start of the first occurrence not cancelled that ends after ``now``."""
        upcoming = calendar.next_occurrence(self, now)
        return upcoming.start if upcoming else None

    def computed(self, now: datetime, project: Project | None = None) -> dict[str, object]:
        """Fields that depend on the current time, for ``list --json``."""
        upcoming = self.next_occurrence(now)
        return {
            "next_occurrence": upcoming.isoformat() if upcoming else None,
            "recurrence": calendar.describe_rule(self.rrule, timezone=self.timezone),
        }


def _local_text(moment: datetime, timezone: str) -> str:
    return f"{moment.astimezone(zone(timezone)):%Y-%m-%d %H:%M}"


class StatusChange(StoreModel):
    """One move of a request's workflow: who moved it, when, from what to what.

    The repository appends one whenever a saved request's status differs from
    the stored one; the response clocks are computed from these.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    at: AwareDatetime
    by: str
    old: RequestStatus | None = None
    new: RequestStatus


class Comment(StoreModel):
    """One entry of a request's comment log; the store stamps who and when."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    at: AwareDatetime | None = None
    by: str = ""
    text: str = Field(min_length=1, max_length=10_000)


IMPACT_FIELDS: tuple[str, ...] = ("impact_scope", "impact_days", "impact_cost", "cost_currency")
"""The fields of a change request whose change clears an approval."""

FUTURE_TOLERANCE = timedelta(minutes=5)
"""How far a received time may lie ahead of the clock (clocks of two machines differ)."""

RECEIVED_HORIZON_YEARS = 10
"""How many years back a received time may lie (further back is taken for a typo)."""


def received_horizon(now: datetime) -> datetime:
    """The earliest received time the store accepts at ``now``."""
    try:
        return now.replace(year=now.year - RECEIVED_HORIZON_YEARS)
    except ValueError:  # 29 February, ten years before a year without one
        return now.replace(year=now.year - RECEIVED_HORIZON_YEARS, day=28)


@dataclass(frozen=True)
class RequestClocks:
    """The two response clocks of a request at one moment (see :mod:`clientdesk.store.sla`)."""

    first_response: sla.ClockReading
    resolution: sla.ClockReading

    @property
    def shown(self) -> tuple[str, sla.ClockReading] | None:
        """The clock a table shows, with its name: ``response`` or ``resolution``.

        The first-response clock until the request is answered, then the
        resolution clock while it is open; None once both stopped. A
        resolution clock that still runs (or is paused) and is breached wins
        over a first-response clock within its target: with a short
        resolution target (e.g. P1) the breach is what needs saying.
        """
        first, resolution = self.first_response, self.resolution
        if first.stopped_at is None:
            if not first.breached and resolution.breached and resolution.stopped_at is None:
                return "resolution", resolution
            return "response", first
        if resolution.stopped_at is None:
            return "resolution", resolution
        return None

    def as_json(self) -> dict[str, object]:
        """The fields ``list requests --json`` adds; a due time no working time reaches is null."""
        first, resolution = self.first_response, self.resolution
        return {
            "first_response_due_at": _due_text(first),
            "first_response_at": first.stopped_at.isoformat() if first.stopped_at else None,
            "first_response_breached": first.breached,
            "first_response_left_seconds": round(first.left_seconds),
            "first_response_over_seconds": round(first.over_seconds),
            "resolution_due_at": _due_text(resolution),
            "resolution_breached": resolution.breached,
            "resolution_left_seconds": round(resolution.left_seconds),
            "resolution_over_seconds": round(resolution.over_seconds),
            "paused": resolution.paused,
            "paused_seconds": round(resolution.paused_seconds),
        }


def _due_text(reading: sla.ClockReading) -> str | None:
    return reading.due_at.isoformat() if reading.reachable else None


class ClientRequest(ProjectRecord):
    """A requirement, feedback, change request, question or complaint from the client."""

    TABLE: ClassVar[str] = "requests"
    PREFIX: ClassVar[str] = "REQ"
    LABEL: ClassVar[str] = "request"

    type: RequestType = RequestType.QUESTION
    title: OneLine = Field(min_length=1, max_length=200)
    description: str = ""
    requester_id: str | None = Field(default=None, description="contact id")
    channel: Channel = Channel.EMAIL
    received_at: AwareDatetime
    priority: Priority = Priority.P3
    owner: OneLine = ""
    status: RequestStatus = RequestStatus.NEW
    reject_reason: str = ""
    handed_over_to: OneLine = Field(
        default="", description="who carries an open request on after the project closes"
    )
    status_history: list[StatusChange] = Field(default_factory=list)
    comments: list[Comment] = Field(default_factory=list)
    meeting_ids: list[str] = Field(default_factory=list)
    risk_ids: list[str] = Field(default_factory=list)
    # Change control (change requests)
    impact_scope: str = ""
    impact_days: float | None = Field(default=None, ge=-3650, le=3650)
    impact_cost: Decimal | None = Field(default=None, ge=-(10**12), le=10**12, decimal_places=2)
    cost_currency: Currency = "EUR"
    justification: str = ""
    decision: ChangeDecision = ChangeDecision.PENDING
    decided_by: str = ""
    decided_at: AwareDatetime | None = None
    decision_reason: str = ""

    @model_validator(mode="after")
    def _rejection_has_reason(self, info: ValidationInfo) -> "ClientRequest":
        if is_stored(info):
            return self
        if self.status is RequestStatus.REJECTED and not self.reject_reason.strip():
            raise ValueError("rejecting a request needs a reason (reject_reason)")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def is_open(self) -> bool:
        """True until the request is closed or rejected."""
        return self.status not in (RequestStatus.CLOSED, RequestStatus.REJECTED)

    @property
    def is_change(self) -> bool:
        """True for a change request (it has an impact and a decision)."""
        return self.type is RequestType.CHANGE_REQUEST

    def clocks(self, policy: ServiceLevelPolicy, timezone: str, now: datetime) -> RequestClocks:
        """The first-response and resolution clocks at ``now`` under ``policy``.

        Args:
            policy: the project's service levels.
            timezone: the project's time zone (the working week's).
            now: the moment to read the clocks at.
        """
        target = policy.target(self.priority)
        week = policy.week(timezone)
        segments = sla.status_segments(
            self.received_at,
            [(change.at, str(change.new)) for change in self.status_history],
            str(self.status),
            now,
        )
        return RequestClocks(
            first_response=sla.first_response_clock(
                segments,
                target.first_response_minutes * 60,
                week if target.working_hours else None,
                now,
            ),
            resolution=sla.resolution_clock(
                segments,
                target.resolution_minutes * 60,
                week if target.working_hours else None,
                now,
            ),
        )

    def clocks_in(self, project: Project, now: datetime) -> RequestClocks:
        """The clocks under ``project``'s service levels, read at ``now``.

        A closed project's clocks stand still at its close: nothing is due
        from a project that has ended (and a report on it reads the same
        every day).
        """
        if project.closed_at is not None and project.closed_at < now:
            now = project.closed_at
        return self.clocks(project.service_levels, project.timezone, now)

    def computed(self, now: datetime, project: Project | None = None) -> dict[str, object]:
        """Fields that depend on the current time and the project's service levels."""
        if project is None:
            return {}
        return self.clocks_in(project, now).as_json()


class ScoreChange(StoreModel):
    """One entry of a risk's score history: who changed P or I, when, from what to what.

    The repository appends one whenever a saved risk's probability or impact
    differs from the stored one (see :func:`clientdesk.store.rules.score_changed`).
    The old values are None on entries written before they were recorded.
    """

    model_config = ConfigDict(extra="forbid", defer_build=True)

    at: AwareDatetime
    by: str
    probability: Level
    impact: Level
    score: int
    old_probability: Level | None = None
    old_impact: Level | None = None
    old_score: int | None = None


class Risk(ProjectRecord):
    """A threat or an opportunity, scored probability x impact."""

    TABLE: ClassVar[str] = "risks"
    PREFIX: ClassVar[str] = "RSK"
    LABEL: ClassVar[str] = "risk"

    kind: RiskKind = RiskKind.THREAT
    title: OneLine = Field(min_length=1, max_length=200)
    cause: str = ""
    event: str = ""
    effect: str = ""
    category: OneLine = "scope"
    probability: Level = 3
    impact: Level = 3
    response: RiskResponse = RiskResponse.MITIGATE
    mitigation: str = ""
    contingency: str = ""
    contingency_trigger: str = ""
    owner: OneLine = ""
    status: RiskStatus = RiskStatus.OPEN
    close_reason: str = ""
    handed_over_to: OneLine = Field(
        default="", description="who watches an open risk after the project closes"
    )
    next_review: date | None = None
    residual_probability: Level | None = None
    residual_impact: Level | None = None
    residual_reason: str = Field(
        default="", description="why the residual score may exceed the inherent one"
    )
    history: list[ScoreChange] = Field(default_factory=list)

    @model_validator(mode="after")
    def _response_fits_kind(self) -> "Risk":
        allowed = THREAT_RESPONSES if self.kind is RiskKind.THREAT else OPPORTUNITY_RESPONSES
        if self.response not in allowed:
            names = ", ".join(sorted(str(r) for r in allowed))
            article = "an" if self.kind is RiskKind.OPPORTUNITY else "a"
            raise ValueError(f"{article} {self.kind} takes one of these responses: {names}")
        return self

    @model_validator(mode="after")
    def _residual_not_above_inherent(self, info: ValidationInfo) -> "Risk":
        if is_stored(info):
            return self
        problem = rules.residual_problem(
            self.probability,
            self.impact,
            self.residual_probability,
            self.residual_impact,
            self.residual_reason,
        )
        if problem:
            raise ValueError(problem)
        return self

    @model_validator(mode="after")
    def _closing_has_reason(self, info: ValidationInfo) -> "Risk":
        if is_stored(info):
            return self
        if self.status is RiskStatus.CLOSED and not self.close_reason.strip():
            raise ValueError("closing a risk needs a reason (close_reason)")
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def score(self) -> int:
        """Probability x impact, 1-25."""
        return rules.risk_score(self.probability, self.impact)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def band(self) -> str:
        """low, medium, high or critical."""
        return rules.risk_band(self.score)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def residual_score(self) -> int | None:
        """The score once the response has worked, when residual levels are set."""
        if self.residual_probability is None or self.residual_impact is None:
            return None
        return rules.risk_score(self.residual_probability, self.residual_impact)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def residual_band(self) -> str | None:
        """The band of the residual score."""
        residual = self.residual_score
        return None if residual is None else rules.risk_band(residual)

    def review_overdue(self, today: date) -> bool:
        """True when the next review date has passed on a risk that is not closed."""
        return (
            self.status is not RiskStatus.CLOSED
            and self.next_review is not None
            and self.next_review < today
        )

    def computed(self, now: datetime, project: Project | None = None) -> dict[str, object]:
        """Fields that depend on the current time, for ``list --json``."""
        return {"review_overdue": self.review_overdue(now.date())}


class ChecklistItem(ProjectRecord):
    """One item of a project's closing checklist."""

    TABLE: ClassVar[str] = "checklist"
    PREFIX: ClassVar[str] = "CHK"
    LABEL: ClassVar[str] = "checklist item"

    title: OneLine = Field(min_length=1, max_length=200)
    position: int = 0
    state: ChecklistState = ChecklistState.OPEN
    done_by: str = ""
    done_at: AwareDatetime | None = None
    evidence: str = ""
    waive_reason: str = ""
    asks_score: bool = Field(default=False, description="ticking it records a score (a survey)")
    score: int | None = Field(default=None, ge=0, le=10, description="e.g. satisfaction 0-10")

    @model_validator(mode="after")
    def _waiver_has_reason(self) -> "ChecklistItem":
        if self.state is ChecklistState.WAIVED and not self.waive_reason.strip():
            raise ValueError("waiving an item needs a reason")
        return self

    @model_validator(mode="after")
    def _survey_has_score(self, info: ValidationInfo) -> "ChecklistItem":
        if is_stored(info):
            return self
        if self.asks_score and self.state is ChecklistState.DONE and self.score is None:
            raise ValueError("score: ticking this item needs the score it got (0-10)")
        return self


class LessonLearned(ProjectRecord):
    """One lesson learned: what happened, what we learned, what to do next time."""

    TABLE: ClassVar[str] = "lessons"
    PREFIX: ClassVar[str] = "LSN"
    LABEL: ClassVar[str] = "lesson"

    title: OneLine = Field(min_length=1, max_length=200, description="what happened, in short")
    what_happened: str = ""
    learned: str = ""
    next_time: str = Field(default="", description="what to do next time")
    category: OneLine = "process"


class FollowOnAction(ProjectRecord):
    """Something that carries on after the project, handed over to a named owner."""

    TABLE: ClassVar[str] = "follow_ons"
    PREFIX: ClassVar[str] = "FOA"
    LABEL: ClassVar[str] = "follow-on action"

    title: OneLine = Field(min_length=1, max_length=200)
    owner: OneLine = Field(min_length=1, description="who carries it on")
    due: date | None = None
    notes: str = ""


class StatusReport(ProjectRecord):
    """A client-facing status report as it was sent: kept as it was, never edited.

    The store refuses to change one; a new report is a new record.
    """

    TABLE: ClassVar[str] = "status_reports"
    PREFIX: ClassVar[str] = "RPT"
    LABEL: ClassVar[str] = "status report"

    period_start: AwareDatetime | None = Field(
        default=None, description="end of the previous report's period (None: project start)"
    )
    period_end: AwareDatetime
    title: OneLine = Field(min_length=1, max_length=200)
    markdown: str
    html: str = ""
    sent_to: list[str] = Field(
        default_factory=list, description="every address it was sent to, each once"
    )
    sendings: list[Sending] = Field(
        default_factory=list, description="each e-mailing: who, when, to whom; oldest first"
    )

    def with_sending(self, sending: Sending) -> "StatusReport":
        """This report with ``sending`` recorded: the one change the store allows a kept report."""
        known = {address.casefold() for address in self.sent_to}
        added: list[str] = []
        for address in sending.recipients:
            if address.casefold() not in known:
                known.add(address.casefold())
                added.append(address)
        return self.model_copy(
            update={"sendings": [*self.sendings, sending], "sent_to": [*self.sent_to, *added]}
        )

    def adds_one_sending_to(self, stored: "StatusReport") -> bool:
        """True when this report is ``stored`` with one sending recorded, and nothing else changed.

        What the client was sent is a record of fact: its text, title and
        period never change, and the sendings only grow, one at a time.
        """
        if len(self.sendings) != len(stored.sendings) + 1:
            return False
        expected = stored.with_sending(self.sendings[-1])
        bookkeeping = {"id", "key", "created_at", "updated_at", "updated_by", "revision"}
        return self.model_dump(exclude=bookkeeping) == expected.model_dump(exclude=bookkeeping)


RECORD_TYPES: tuple[type[Record], ...] = (
    Project,
    Contact,
    CommunicationPlanItem,
    Meeting,
    ClientRequest,
    Risk,
    ChecklistItem,
    LessonLearned,
    FollowOnAction,
    StatusReport,
)
"""Every stored record type, projects first (:mod:`clientdesk.store.kinds` names each)."""

OPEN_REQUEST_STATES = frozenset(
    s for s in RequestStatus if s not in (RequestStatus.CLOSED, RequestStatus.REJECTED)
)
