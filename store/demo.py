"""A realistic demo data set, the same for the same seed and the same "now".

Several client projects with contacts in at least three time zones, a
communication plan, a weekly meeting series and one-off meetings, requests in
every status (some past their response time), a change request, risks spread
over the heat map and a half-done closing checklist. ``records=N`` adds bulk
requests, risks and meetings until the file holds about N records, which is
the large data set the benchmark uses.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from clientdesk.store import clock
from clientdesk.store.enums import (
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
from clientdesk.store.models import (
    ActionItem,
    AgendaItem,
    Attendee,
    ChecklistItem,
    ClientRequest,
    Comment,
    CommunicationPlanItem,
    Contact,
    Meeting,
    OccurrenceChange,
    Project,
    Record,
    Risk,
    StatusChange,
)
from clientdesk.store.repository import Repository
from clientdesk.store.write_rules import Change

_PROJECTS = [
    ("Customer portal relaunch", "Northwind Traders", "NWPORTAL", "Europe/Berlin"),
    ("ERP data migration", "Contoso Manufacturing", "CONTOSO", "America/New_York"),
    ("Mobile banking app", "Fabrikam Bank", "FABRIKAM", "Europe/London"),
    ("Warehouse scanning rollout", "Tailspin Logistics", "TAILSPIN", "Australia/Sydney"),
    ("Clinic booking system", "Litware Health", "LITWARE", "America/Los_Angeles"),
    ("Analytics dashboard", "Adventure Works", "ADVWORKS", "Asia/Tokyo"),
]
_PEOPLE = [
    ("Ann Richter", "Head of Digital", "Europe/Berlin"),
    ("Bob Okafor", "Product Owner", "America/New_York"),
    ("Chen Wei", "IT Architect", "Asia/Singapore"),
    ("Dana Kowalski", "Procurement", "Europe/Warsaw"),
    ("Eli Navarro", "QA Lead", "America/Los_Angeles"),
    ("Farah Haddad", "Sponsor", "Europe/London"),
]
_REQUESTS = [
    ("Export the monthly report as CSV", RequestType.REQUIREMENT),
    ("Single sign-on with the client's Azure AD", RequestType.REQUIREMENT),
    ("Login page is slow in the morning", RequestType.COMPLAINT),
    ("Change the colour of the call-to-action buttons", RequestType.FEEDBACK),
    ("What is the plan for the data migration dry run?", RequestType.QUESTION),
    ("Add German translations to the onboarding flow", RequestType.CHANGE_REQUEST),
    ("Invoice for October is missing the PO number", RequestType.COMPLAINT),
    ("Move the go-live by one week", RequestType.CHANGE_REQUEST),
    ("Search does not find customers by postcode", RequestType.FEEDBACK),
    ("Who signs off the user acceptance tests?", RequestType.QUESTION),
]
_RISK_TITLES = [
    ("Key client SME unavailable during UAT", "resource"),
    ("Legacy data quality worse than sampled", "technical"),
    ("Scope creep through informal requests", "scope"),
    ("Third-party payment API changes its contract", "technical"),
    ("Client reorganisation delays sign-off", "client"),
    ("Early delivery earns the bonus milestone", "schedule"),
    ("Reuse of the design system cuts UI effort", "cost"),
    ("Data protection review requires changes", "legal"),
]


def _ids(rng: random.Random) -> Iterator[str]:
    while True:
        yield uuid.UUID(int=rng.getrandbits(128), version=4).hex


def _email(name: str, client: str) -> str:
    domain = client.split()[0].lower()
    return f"{name.split()[0].lower()}@{domain}.example"


def build_demo(
    *, projects: int = 3, seed: int = 1, records: int | None = None, now: datetime
) -> list[Record]:
    """The demo records, in the order they must be added (projects first).

    Args:
        projects: how many client projects (1-6).
        seed: the same seed and ``now`` give the same records.
        records: when set, add bulk records until there are about this many.
        now: the moment the data is built around.
    """
    rng = random.Random(seed)
    ids = _ids(rng)
    out: list[Record] = []
    count = max(1, min(projects, len(_PROJECTS)))
    built: list[tuple[Project, list[Contact]]] = []
    for index, (name, client, key, tz) in enumerate(_PROJECTS[:count]):
        project = Project(
            id=next(ids),
            key=key,
            name=name,
            client=client,
            phase=[Phase.EXECUTION, Phase.PLANNING, Phase.CLOSING][index % 3],
            start=(now - timedelta(days=90 + 30 * index)).date(),
            target_end=(now + timedelta(days=60 + 45 * index)).date(),
            timezone=tz,
            organiser_name="Pat Morgan",
            organiser_email="pat.morgan@clientdesk.example",
        )
        out.append(project)
        contacts = [
            Contact(
                id=next(ids),
                project_id=project.id,
                name=person,
                email=_email(person, client),
                organisation=client,
                role=role,
                timezone=person_tz,
                preferred_channel=rng.choice([Channel.EMAIL, Channel.VIDEO, Channel.PHONE]),
            )
            for person, role, person_tz in rng.sample(_PEOPLE, 4)
        ]
        out.extend(contacts)
        built.append((project, contacts))
        plan = _plan_items(project, contacts, now, ids)
        meetings = _meetings(project, contacts, now, ids, rng, plan)
        requests = _requests(project, contacts, now, ids, rng, len(_REQUESTS))
        out.extend(plan)
        out.extend(_link_action_to_request([*meetings, *requests]))
        out.extend(_risks(project, now, ids, rng, len(_RISK_TITLES)))
    if records is not None:
        out.extend(_bulk(built, now, ids, rng, records - len(out) - 10 * count))
    return out


def _plan_items(
    project: Project, contacts: list[Contact], now: datetime, ids: Iterator[str]
) -> list[Record]:
    tz = ZoneInfo(project.timezone)
    monday = (now.astimezone(tz) - timedelta(days=now.astimezone(tz).weekday() + 21)).date()
    audience = [c.id for c in contacts[:2]]
    first = datetime.combine(monday, time(9, 0), tzinfo=tz)
    return [
        CommunicationPlanItem(
            id=next(ids),
            project_id=project.id,
            title="Weekly status report",
            purpose="Progress, risks and decisions needed",
            audience=audience,
            channel=Channel.REPORT,
            cadence="FREQ=WEEKLY;BYDAY=FR",
            first_due=first + timedelta(days=4, hours=7),
            owner="Pat Morgan",
            last_done=first + timedelta(days=11, hours=7),
        ),
        CommunicationPlanItem(
            id=next(ids),
            project_id=project.id,
            title="Steering committee",
            purpose="Budget, scope and escalations",
            audience=[c.id for c in contacts],
            channel=Channel.VIDEO,
            cadence="FREQ=MONTHLY;BYDAY=1TU",
            first_due=first + timedelta(days=1, hours=5),
            owner="Pat Morgan",
            # Sent round by hand an hour after it was due: covered without a meeting.
            last_done=first + timedelta(days=1, hours=6),
        ),
        CommunicationPlanItem(
            id=next(ids),
            project_id=project.id,
            title="Sprint demo",
            purpose="Show what was built, collect feedback",
            audience=audience,
            channel=Channel.VIDEO,
            cadence="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
            first_due=first + timedelta(days=3, hours=6),
            owner="Sam Lee",
        ),
        # Its id is derived, not drawn: drawing would change every later record of a seed.
        CommunicationPlanItem(
            id=_derived_id(project, "plan/weekly-sync"),
            project_id=project.id,
            title="Weekly client sync",
            purpose="Progress, open requests, decisions needed",
            audience=[c.id for c in contacts[:3]],
            channel=Channel.VIDEO,
            cadence="FREQ=WEEKLY;BYDAY=MO",
            first_due=_sync_start(project, now),
            owner="Pat Morgan",
        ),
    ]


def _derived_id(project: Project, name: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_OID, f"{project.id}/{name}").hex


def _sync_start(project: Project, now: datetime) -> datetime:
    """The first occurrence of the weekly client sync: Monday 10:00 four weeks back."""
    tz = ZoneInfo(project.timezone)
    local_now = now.astimezone(tz)
    monday = (local_now - timedelta(days=local_now.weekday())).date()
    return datetime.combine(monday - timedelta(days=28), time(10, 0), tzinfo=tz)


def _attendees(contacts: list[Contact], rng: random.Random) -> list[Attendee]:
    return [
        Attendee(
            email=contact.email,
            name=contact.name,
            contact_id=contact.id,
            role=AttendeeRole.REQUIRED if index < 2 else AttendeeRole.OPTIONAL,
            rsvp=rng.choice(list(RSVP)),
        )
        for index, contact in enumerate(contacts)
    ]


def _meetings(
    project: Project,
    contacts: list[Contact],
    now: datetime,
    ids: Iterator[str],
    rng: random.Random,
    plan: list[Record] | None = None,
) -> list[Record]:
    tz = ZoneInfo(project.timezone)
    local_now = now.astimezone(tz)
    monday = (local_now - timedelta(days=local_now.weekday())).date()
    common = {
        "project_id": project.id,
        "timezone": project.timezone,
        "organiser_name": project.organiser_name,
        "organiser_email": project.organiser_email,
    }
    plan_ids = [item.id for item in plan or []]
    sync_start = _sync_start(project, now)
    series = Meeting(
        id=next(ids),
        title="Weekly client sync",
        kind=MeetingKind.MEETING,
        start=sync_start,
        duration_minutes=45,
        video_link="https://meet.example/weekly-sync",
        attendees=_attendees(contacts[:3], rng),
        agenda=[
            AgendaItem(title="Progress since last week", presenter="Pat Morgan", minutes=15),
            AgendaItem(title="Open requests", presenter="Pat Morgan", minutes=15),
            AgendaItem(title="Risks and decisions", minutes=15),
        ],
        status=MeetingStatus.SCHEDULED,
        rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=26",
        plan_item_id=plan_ids[3] if len(plan_ids) > 3 else None,
        exceptions=_sync_exceptions(sync_start),
        **common,
    )
    held = Meeting(
        id=next(ids),
        title="Requirements workshop",
        kind=MeetingKind.WORKSHOP,
        start=datetime.combine(monday - timedelta(days=5), time(13, 30), tzinfo=tz),
        duration_minutes=120,
        location="Client office, room 4.12",
        attendees=_attendees(contacts, rng),
        agenda=[AgendaItem(title="Walk through the user journeys", minutes=90)],
        minutes="Walked through the booking and payment journeys.",
        decisions=["Payment provider stays as contracted", "Guest checkout is out of scope"],
        status=MeetingStatus.MINUTED,
        plan_item_id=plan_ids[2] if len(plan_ids) > 2 else None,  # the sprint demo, held
        **common,
    )
    review = Meeting(
        id=next(ids),
        title="Milestone 2 review",
        kind=MeetingKind.REVIEW,
        start=datetime.combine(monday + timedelta(days=9), time(15, 0), tzinfo=tz),
        duration_minutes=60,
        video_link="https://meet.example/m2-review",
        attendees=_attendees(contacts[:2], rng),
        status=MeetingStatus.DRAFT,
        **common,
    )
    steering = Meeting(
        id=next(ids),
        title="Steering committee",
        kind=MeetingKind.STEERING_COMMITTEE,
        start=datetime.combine(monday + timedelta(days=2), time(16, 0), tzinfo=tz),
        duration_minutes=60,
        location="Board room",
        attendees=_attendees(contacts, rng),
        status=MeetingStatus.SCHEDULED,
        plan_item_id=plan_ids[1] if len(plan_ids) > 1 else None,
        **common,
    )
    return [series, held, review, steering]


def _sync_exceptions(start: datetime) -> list[OccurrenceChange]:
    """The weekly sync's occurrences that differ: two held, one moved, one cancelled.

    ``start`` is four weeks before this week's Monday occurrence.
    """
    week = timedelta(days=7)
    return [
        OccurrenceChange(
            original_start=start + 2 * week,
            status=MeetingStatus.HELD,
            minutes="Short call: the client's product owner was travelling.",
        ),
        OccurrenceChange(
            original_start=start + 3 * week,
            status=MeetingStatus.MINUTED,
            minutes="Went through the open requests; the CSV export is wanted for month end.",
            decisions=["The CSV export goes into the next sprint"],
            action_items=[
                ActionItem(text=_REQUESTS[0][0], owner="Pat Morgan", due=(start + 4 * week).date()),
                ActionItem(
                    text="Send the UAT schedule to the client",
                    owner="Sam Lee",
                    due=(start + 5 * week).date(),
                ),
            ],
        ),
        OccurrenceChange(
            original_start=start + 5 * week,
            start=start + 5 * week + timedelta(days=1, hours=1),
            location="Client office",
        ),
        OccurrenceChange(original_start=start + 6 * week, cancelled=True),
    ]


def _link_action_to_request(records: list[Record]) -> list[Record]:
    """Link the weekly sync's first action item to the request it became (both ways).

    The request is one the demo has anyway: a new one would renumber the rest.
    """
    series = next(
        (r for r in records if isinstance(r, Meeting) and r.title == "Weekly client sync"), None
    )
    request = next(
        (r for r in records if isinstance(r, ClientRequest) and r.title == _REQUESTS[0][0]), None
    )
    if series is None or request is None:
        return records
    changes = []
    for change in series.exceptions:
        items = [
            item.model_copy(update={"request_id": request.id})
            if item.text == request.title
            else item
            for item in change.action_items
        ]
        changes.append(change.model_copy(update={"action_items": items}))
    linked_series = series.model_copy(update={"exceptions": changes})
    linked_request = request.model_copy(update={"meeting_ids": [series.id]})
    swap = {series.id: linked_series, request.id: linked_request}
    return [swap.get(record.id, record) for record in records]


_PATHS: dict[RequestStatus, tuple[RequestStatus, ...]] = {
    RequestStatus.NEW: (),
    RequestStatus.ACKNOWLEDGED: (RequestStatus.ACKNOWLEDGED,),
    RequestStatus.IN_PROGRESS: (RequestStatus.ACKNOWLEDGED, RequestStatus.IN_PROGRESS),
    RequestStatus.WAITING_ON_CLIENT: (
        RequestStatus.ACKNOWLEDGED,
        RequestStatus.IN_PROGRESS,
        RequestStatus.WAITING_ON_CLIENT,
    ),
    RequestStatus.RESOLVED: (
        RequestStatus.ACKNOWLEDGED,
        RequestStatus.IN_PROGRESS,
        RequestStatus.RESOLVED,
    ),
    RequestStatus.CLOSED: (
        RequestStatus.ACKNOWLEDGED,
        RequestStatus.IN_PROGRESS,
        RequestStatus.RESOLVED,
        RequestStatus.CLOSED,
    ),
    RequestStatus.REJECTED: (RequestStatus.REJECTED,),
}
"""The moves that bring a demo request from new to each status."""


def _history(
    status: RequestStatus, received: datetime, now: datetime, by: str
) -> list[StatusChange]:
    moves = _PATHS[status]
    span = (now - received).total_seconds()
    at, old, history = received, RequestStatus.NEW, []
    for step, new in enumerate(moves, start=1):
        # The first answer comes quickly, later moves spread over the request's life.
        share = 0.05 if step == 1 else step / (len(moves) + 1)
        at = max(at, received + timedelta(seconds=round(span * share)))
        history.append(StatusChange(at=at, by=by, old=old, new=new))
        old = new
    return history


def _change_control(index: int, owner: str, now: datetime) -> dict[str, object]:
    # In each project's first ten requests, one change is approved and one pending.
    decision = [ChangeDecision.DEFERRED, ChangeDecision.PENDING, ChangeDecision.APPROVED][index % 3]
    fields: dict[str, object] = {
        "impact_scope": "Adds the change to the next release; no feature is dropped.",
        "impact_days": 2 + index % 7,
        "impact_cost": Decimal(1200 + 350 * (index % 9)),
        "cost_currency": "EUR",
        "justification": "Asked for by the client's steering group.",
        "decision": decision,
    }
    if decision is not ChangeDecision.PENDING:
        fields.update(
            decided_by=owner,
            decided_at=now - timedelta(days=1),
            decision_reason="Agreed in the steering committee.",
        )
    return fields


def _requests(
    project: Project,
    contacts: list[Contact],
    now: datetime,
    ids: Iterator[str],
    rng: random.Random,
    how_many: int,
    first: int = 0,
) -> list[Record]:
    statuses = list(RequestStatus)
    out: list[Record] = []
    for index in range(first, first + how_many):
        title, kind = _REQUESTS[index % len(_REQUESTS)]
        age_days = 3 + index % len(_REQUESTS)
        status = statuses[index % len(statuses)]
        # Drawn in this order so that a seed gives the same data set as it always did.
        record_id = next(ids)
        channel = rng.choice([Channel.EMAIL, Channel.PHONE, Channel.CHAT])
        # The oldest few are past any response time.
        received = now - timedelta(hours=rng.randint(1, 24 * age_days))
        owner = rng.choice(["Pat Morgan", "Sam Lee", "Kim Park"])
        extra = _change_control(index, owner, now) if kind is RequestType.CHANGE_REQUEST else {}
        out.append(
            ClientRequest(
                id=record_id,
                project_id=project.id,
                type=kind,
                title=title,
                description=f"Raised by the client about: {title.lower()}.",
                requester_id=contacts[index % len(contacts)].id,
                channel=channel,
                received_at=received,
                priority=list(Priority)[index % 4],
                owner=owner,
                status=status,
                status_history=_history(status, received, now, owner),
                reject_reason="Out of the contract's scope." if status == "rejected" else "",
                comments=[Comment(at=received, by=owner, text="Logged from the client's e-mail.")],
                **extra,
            )
        )
    return out


def _risks(
    project: Project,
    now: datetime,
    ids: Iterator[str],
    rng: random.Random,
    how_many: int,
    first: int = 0,
) -> list[Record]:
    out: list[Record] = []
    for index in range(first, first + how_many):
        title, category = _RISK_TITLES[index % len(_RISK_TITLES)]
        opportunity = "earns" in title or "Reuse" in title
        kind = RiskKind.OPPORTUNITY if opportunity else RiskKind.THREAT
        probability, impact = rng.randint(1, 5), rng.randint(1, 5)
        response = RiskResponse.ENHANCE if opportunity else rng.choice(sorted(THREAT_RESPONSES))
        out.append(
            Risk(
                id=next(ids),
                project_id=project.id,
                kind=kind,
                title=title,
                cause="the current plan depends on it",
                event=title.lower(),
                effect="cost schedule or quality would change",
                category=category,
                probability=probability,
                impact=impact,
                response=response,
                mitigation="Agree a named backup and check weekly",
                contingency="Re-plan the affected sprint",
                contingency_trigger="Two missed check-ins in a row",
                owner=rng.choice(["Pat Morgan", "Sam Lee", "Kim Park"]),
                status=[RiskStatus.OPEN, RiskStatus.MONITORING, RiskStatus.OPEN][index % 3],
                next_review=(now + timedelta(days=rng.randint(-10, 20))).date(),
                residual_probability=max(1, probability - 1),
                residual_impact=max(1, impact - 1),
            )
        )
    return out


BULK_MEETING_DAYS = 3650
"""How far back bulk meetings are spread (about ten years)."""


def _bulk(
    built: list[tuple[Project, list[Contact]]],
    now: datetime,
    ids: Iterator[str],
    rng: random.Random,
    how_many: int,
) -> list[Record]:
    out: list[Record] = []
    for index in range(max(0, how_many)):
        project, contacts = built[index % len(built)]
        choice = index % 4
        if choice < 2:
            out.extend(_requests(project, contacts, now, ids, rng, 1, first=index))
        elif choice == 2:
            out.extend(_risks(project, now, ids, rng, 1, first=index))
        else:
            meeting = _meetings(project, contacts, now, ids, rng)[1]
            assert isinstance(meeting, Meeting)
            # Spread over the last ten years: a large data set (50,000 records)
            # would otherwise reach back before 1970, which the store refuses.
            back = timedelta(days=index % BULK_MEETING_DAYS)
            out.append(meeting.model_copy(update={"start": meeting.start - back}))
    return out


def populate_demo(
    repo: Repository,
    *,
    projects: int = 3,
    seed: int = 1,
    records: int | None = None,
    now: datetime | None = None,
    replace: bool = False,
) -> int:
    """Add the demo data set to ``repo`` in one atomic save; return the records it holds then.

    Half of each project's closing checklist is ticked. With ``replace``,
    every existing project (and its records) is removed in the same save; the
    replaced file stays available as the newest backup.
    """
    at = now or clock.now()
    with clock.frozen(at):
        demo = build_demo(projects=projects, seed=seed, records=records, now=at)
        removals = [Change.delete(p) for p in repo.snapshot().projects()] if replace else []
        saved = repo.apply([*removals, *(Change.add(record) for record in demo)])
        snapshot = repo.snapshot()
        ticks: list[Change] = []
        for project in (r for r in saved if isinstance(r, Project)):
            items = snapshot.of_project(ChecklistItem, project.id)
            for item in items[: len(items) // 2]:
                done = {
                    "state": ChecklistState.DONE,
                    "done_by": project.organiser_name,
                    "done_at": at - timedelta(days=2),
                    "evidence": "Signed PDF in the project share",
                }
                ticks.append(Change.update(item.model_copy(update=done)))
        repo.apply(ticks)
    return repo.snapshot().count()
