"""Client requests through the real file store: workflow, logs, change control, old files.

Every save runs at a time fixed with ``clock.frozen``, so that the stamps the
store writes (who and when) can be compared with literal values.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from clientdesk.store import clock, rules
from clientdesk.store.enums import ChangeDecision, Priority, RequestStatus, RequestType
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.models import (
    ClientRequest,
    Project,
    ServiceLevelPolicy,
    ServiceLevelTarget,
)
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.snapshot import dump_record, validate_record

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
"""When the test requests arrive (a Monday, 10:00 in Berlin)."""

S = RequestStatus


@pytest.fixture
def project(repo: TinyDBRepository) -> Project:
    """An empty project in Berlin with the default service levels."""
    with clock.frozen(MONDAY):
        return repo.add(Project(name="Portal", key="PORTAL", timezone="Europe/Berlin"))


def new_request(project: Project, **fields: object) -> ClientRequest:
    """A valid request of ``project`` received on Monday, with ``fields`` changed."""
    data: dict[str, object] = {
        "project_id": project.id,
        "title": "Export the report as CSV",
        "received_at": MONDAY,
    }
    data.update(fields)
    return validate_record(ClientRequest, data)


def edited(request: ClientRequest, **fields: object) -> ClientRequest:
    """``request`` with ``fields`` changed, validated as the form and the CLI validate it."""
    return validate_record(ClientRequest, {**dump_record(request), **fields})


def save(repo: TinyDBRepository, request: ClientRequest, at: datetime) -> ClientRequest:
    """Save an edit of ``request`` at time ``at``."""
    with clock.frozen(at):
        return repo.update(request)


def add(repo: TinyDBRepository, request: ClientRequest, at: datetime = MONDAY) -> ClientRequest:
    """Add ``request`` at time ``at``."""
    with clock.frozen(at):
        return repo.add(request)


# -- the workflow ----------------------------------------------------------------------

LEGAL_MOVES = {
    (S.NEW, S.ACKNOWLEDGED), (S.NEW, S.IN_PROGRESS), (S.NEW, S.WAITING_ON_CLIENT),
    (S.NEW, S.RESOLVED), (S.NEW, S.REJECTED),
    (S.ACKNOWLEDGED, S.IN_PROGRESS), (S.ACKNOWLEDGED, S.WAITING_ON_CLIENT),
    (S.ACKNOWLEDGED, S.RESOLVED), (S.ACKNOWLEDGED, S.REJECTED),
    (S.IN_PROGRESS, S.WAITING_ON_CLIENT), (S.IN_PROGRESS, S.RESOLVED),
    (S.IN_PROGRESS, S.REJECTED),
    (S.WAITING_ON_CLIENT, S.IN_PROGRESS), (S.WAITING_ON_CLIENT, S.RESOLVED),
    (S.WAITING_ON_CLIENT, S.REJECTED),
    (S.RESOLVED, S.CLOSED), (S.RESOLVED, S.IN_PROGRESS),
}  # fmt: skip
"""Every move the workflow allows, written out: the rest are refused."""

PATH_TO = {
    S.NEW: [],
    S.ACKNOWLEDGED: [S.ACKNOWLEDGED],
    S.IN_PROGRESS: [S.IN_PROGRESS],
    S.WAITING_ON_CLIENT: [S.WAITING_ON_CLIENT],
    S.RESOLVED: [S.IN_PROGRESS, S.RESOLVED],
    S.CLOSED: [S.IN_PROGRESS, S.RESOLVED, S.CLOSED],
    S.REJECTED: [S.REJECTED],
}


def moved(repo: TinyDBRepository, request: ClientRequest, status: S, at: datetime) -> ClientRequest:
    """``request`` moved to ``status`` and saved at ``at`` (a reason given for a rejection)."""
    reason = "duplicate of REQ-1" if status is S.REJECTED else request.reject_reason
    return save(repo, edited(request, status=status, reject_reason=reason), at)


def reach(repo: TinyDBRepository, project: Project, status: S) -> ClientRequest:
    """A stored request that went from new to ``status`` one hour per move."""
    request = add(repo, new_request(project))
    for step, next_status in enumerate(PATH_TO[status], start=1):
        request = moved(repo, request, next_status, MONDAY + timedelta(hours=step))
    return request


def test_the_allowed_moves_are_the_documented_ones() -> None:
    table = {(old, new) for old, targets in rules.REQUEST_MOVES.items() for new in targets}
    assert table == LEGAL_MOVES


@pytest.mark.parametrize(("old", "new"), sorted(LEGAL_MOVES))
def test_every_legal_move_is_saved_with_who_and_when(
    repo: TinyDBRepository, project: Project, old: S, new: S
) -> None:
    request = reach(repo, project, old)
    before = len(request.status_history)
    when = MONDAY + timedelta(days=1)
    saved = moved(TinyDBRepository(repo.path, user="kim"), request, new, when)
    assert saved.status is new
    assert len(saved.status_history) == before + 1
    last = saved.status_history[-1]
    assert (last.old, last.new, last.by, last.at) == (old, new, "kim", when)
    stored = TinyDBRepository(repo.path).snapshot().get(ClientRequest, request.id)
    assert stored is not None and stored.status_history == saved.status_history


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (S.NEW, S.CLOSED, "a request cannot move from new to closed (from new: acknowledged, "
                          "in progress, waiting on client, resolved, rejected)"),
        (S.IN_PROGRESS, S.ACKNOWLEDGED, "cannot move from in progress to acknowledged"),
        (S.IN_PROGRESS, S.NEW, "cannot move from in progress to new"),
        (S.RESOLVED, S.WAITING_ON_CLIENT, "cannot move from resolved to waiting on client "
                                          "(from resolved: closed, in progress)"),
        (S.CLOSED, S.IN_PROGRESS, "a closed request cannot change status any more"),
        (S.REJECTED, S.NEW, "a rejected request cannot change status any more"),
    ],
)  # fmt: skip
def test_an_illegal_move_is_refused_and_nothing_is_written(
    repo: TinyDBRepository, project: Project, old: S, new: S, message: str
) -> None:
    request = reach(repo, project, old)
    before = repo.path.read_bytes()
    with pytest.raises(ValidationFailed) as refused:
        moved(repo, request, new, MONDAY + timedelta(days=1))
    assert refused.value.field == "status"
    assert message in str(refused.value)
    assert repo.path.read_bytes() == before


def test_rejecting_needs_a_reason(repo: TinyDBRepository, project: Project) -> None:
    request = add(repo, new_request(project))
    with pytest.raises(ValidationFailed, match="rejecting a request needs a reason"):
        edited(request, status=S.REJECTED)
    with pytest.raises(ValidationFailed, match="needs a reason"):
        edited(request, status=S.REJECTED, reject_reason="   ")
    saved = save(repo, edited(request, status=S.REJECTED, reject_reason="out of scope"), MONDAY)
    assert (saved.status, saved.reject_reason) == (S.REJECTED, "out of scope")


def test_a_request_added_in_a_later_state_records_the_move(
    repo: TinyDBRepository, project: Project
) -> None:
    saved = add(repo, new_request(project, status=S.IN_PROGRESS), MONDAY + timedelta(hours=2))
    assert [(c.old, c.new, c.at) for c in saved.status_history] == [
        (S.NEW, S.IN_PROGRESS, MONDAY + timedelta(hours=2))
    ]


def test_a_caller_cannot_rewrite_the_status_history(
    repo: TinyDBRepository, project: Project
) -> None:
    request = reach(repo, project, S.IN_PROGRESS)
    kept = request.status_history
    rewritten = save(repo, edited(request, status_history=[], owner="Kim"), MONDAY)
    assert rewritten.status_history == kept and rewritten.owner == "Kim"


# -- received time -------------------------------------------------------------------


def test_a_received_time_in_the_future_is_refused(repo: TinyDBRepository, project: Project) -> None:
    before = repo.path.read_bytes()
    with pytest.raises(ValidationFailed, match="cannot be received in the future"):
        add(repo, new_request(project, received_at=MONDAY + timedelta(hours=1)))
    assert repo.path.read_bytes() == before
    # Clocks of two machines differ by a little: a few minutes ahead is accepted.
    request = add(repo, new_request(project, received_at=MONDAY + timedelta(minutes=4)))
    with pytest.raises(ValidationFailed, match="in the future") as refused:
        save(repo, edited(request, received_at=MONDAY + timedelta(days=1)), MONDAY)
    assert refused.value.field == "received_at"
    past = save(repo, edited(request, received_at=MONDAY - timedelta(days=30)), MONDAY)
    assert past.received_at == MONDAY - timedelta(days=30)


def test_a_received_time_more_than_ten_years_ago_is_refused(
    repo: TinyDBRepository, project: Project
) -> None:
    before = repo.path.read_bytes()
    typo = datetime(1025, 11, 20, 9, 0, tzinfo=UTC)  # 2025 with one wrong digit
    with pytest.raises(
        ValidationFailed, match=r"^received_at: 1025-11-20 is more than 10 years ago"
    ):
        add(repo, new_request(project, received_at=typo))
    assert repo.path.read_bytes() == before
    nine_years = add(repo, new_request(project, received_at=MONDAY - timedelta(days=9 * 365)))
    with pytest.raises(ValidationFailed, match="more than 10 years ago") as refused:
        save(repo, edited(nine_years, received_at=MONDAY - timedelta(days=11 * 365)), MONDAY)
    assert refused.value.field == "received_at"
    # An old request edited otherwise years later keeps its received time.
    later = MONDAY + timedelta(days=2 * 365)
    renamed = save(repo, edited(nine_years, title="Export as CSV"), later)
    assert renamed.received_at == MONDAY - timedelta(days=9 * 365)


# -- comments ------------------------------------------------------------------------


def test_comments_are_appended_and_stamped(repo: TinyDBRepository, project: Project) -> None:
    request = add(repo, new_request(project, comments=[{"text": "From the e-mail of Monday."}]))
    assert [(c.text, c.by, c.at) for c in request.comments] == [
        ("From the e-mail of Monday.", "tester", MONDAY)
    ]
    later = MONDAY + timedelta(hours=3)
    kim = TinyDBRepository(repo.path, user="kim")
    comments = [*dump_record(request)["comments"], {"text": "Called the client back."}]
    saved = save(kim, edited(request, comments=comments), later)
    assert [(c.text, c.by, c.at) for c in saved.comments] == [
        ("From the e-mail of Monday.", "tester", MONDAY),
        ("Called the client back.", "kim", later),
    ]
    assert saved.revision == request.revision + 1


def test_a_caller_cannot_rewrite_or_drop_an_old_comment(
    repo: TinyDBRepository, project: Project
) -> None:
    request = add(repo, new_request(project, comments=[{"text": "The original words."}]))
    forged = {"text": "Words nobody wrote.", "by": "mallory", "at": MONDAY.isoformat()}
    saved = save(repo, edited(request, comments=[forged]), MONDAY + timedelta(hours=1))
    assert [c.text for c in saved.comments] == ["The original words."]
    assert saved.revision == request.revision, "nothing changed, so nothing was saved"
    dropped = save(repo, edited(request, comments=[], owner="Kim"), MONDAY + timedelta(hours=1))
    assert [c.text for c in dropped.comments] == ["The original words."]
    with pytest.raises(ValidationFailed, match="comments"):
        edited(request, comments=[{"text": ""}])


# -- change control ------------------------------------------------------------------


def change_request(project: Project, **fields: object) -> ClientRequest:
    """A change request with its impact assessed."""
    assessed: dict[str, object] = {
        "type": RequestType.CHANGE_REQUEST,
        "impact_scope": "Adds a CSV export to the reports page.",
        "impact_days": 3,
        "impact_cost": Decimal("1200"),
        "justification": "The finance team needs it for the audit.",
    }
    return new_request(project, **{**assessed, **fields})


def test_a_decision_is_stamped_with_who_and_when(repo: TinyDBRepository, project: Project) -> None:
    request = add(repo, change_request(project))
    assert (request.decision, request.decided_by, request.decided_at) == (
        ChangeDecision.PENDING, "", None,
    )  # fmt: skip
    when = MONDAY + timedelta(hours=5)
    approved = save(
        TinyDBRepository(repo.path, user="kim"),
        edited(request, decision="approved", decision_reason="steering group, 23 Nov"),
        when,
    )
    assert (approved.decided_by, approved.decided_at) == ("kim", when)
    # A caller cannot forge the stamps.
    forged = save(repo, edited(approved, decided_by="mallory", owner="Sam"), when)
    assert (forged.decided_by, forged.decided_at) == ("kim", when)
    added = add(repo, change_request(project, decision="deferred"))
    assert (added.decided_by, added.decided_at) == ("tester", MONDAY)


def test_a_decision_set_back_to_pending_has_no_decider(
    repo: TinyDBRepository, project: Project
) -> None:
    approved = add(repo, change_request(project, decision="approved"))
    assert approved.decided_by == "tester"
    pending = save(repo, edited(approved, decision="pending"), MONDAY + timedelta(hours=1))
    assert (pending.decision, pending.decided_by, pending.decided_at) == (
        ChangeDecision.PENDING, "", None,
    )  # fmt: skip
    # Nor can a caller add a pending request with somebody's name on the decision.
    forged = add(repo, change_request(project, decided_by="mallory", decided_at=MONDAY))
    assert (forged.decided_by, forged.decided_at) == ("", None)


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"impact_cost": Decimal("1500")}, "cost 1200 -> 1500"),
        ({"impact_days": 5}, "days 3 -> 5"),
        ({"impact_scope": "Adds CSV and Excel exports."}, "scope"),
        ({"cost_currency": "USD"}, "cost currency EUR -> USD"),
        ({"impact_cost": None}, "cost 1200 -> none"),
    ],
)
def test_editing_the_impact_of_an_approved_change_clears_the_approval(
    repo: TinyDBRepository, project: Project, change: dict[str, object], detail: str
) -> None:
    approved = add(repo, change_request(project, decision="approved", decision_reason="ok"))
    later = MONDAY + timedelta(days=1)
    saved = save(TinyDBRepository(repo.path, user="kim"), edited(approved, **change), later)
    assert (saved.decision, saved.decided_by, saved.decided_at, saved.decision_reason) == (
        ChangeDecision.PENDING, "", None, "",
    )  # fmt: skip
    note = saved.comments[-1]
    assert note.text == f"Approval by tester cleared: the impact changed ({detail})."
    assert (note.by, note.at) == ("kim", later)


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Export the report as CSV and XLSX"},
        {"priority": Priority.P1},
        {"impact_cost": Decimal("1200.00")},  # the same amount, written differently
        {"justification": "Asked for by the auditors."},
    ],
)
def test_other_edits_keep_the_approval(
    repo: TinyDBRepository, project: Project, change: dict[str, object]
) -> None:
    approved = add(repo, change_request(project, decision="approved"))
    saved = save(repo, edited(approved, **change), MONDAY + timedelta(days=1))
    assert (saved.decision, saved.decided_by, saved.decided_at) == (
        ChangeDecision.APPROVED, "tester", MONDAY,
    )  # fmt: skip
    assert saved.comments == []


def test_changing_the_impact_together_with_a_new_decision_keeps_that_decision(
    repo: TinyDBRepository, project: Project
) -> None:
    approved = add(repo, change_request(project, decision="approved"))
    later = MONDAY + timedelta(days=1)
    saved = save(repo, edited(approved, impact_days=10, decision="rejected"), later)
    assert (saved.decision, saved.decided_at) == (ChangeDecision.REJECTED, later)
    assert saved.comments == []


def test_bad_change_control_values_are_refused(project: Project) -> None:
    with pytest.raises(ValidationFailed, match="is not a currency code"):
        change_request(project, cost_currency="euro")
    with pytest.raises(ValidationFailed, match="impact_cost"):
        change_request(project, impact_cost=Decimal("10.001"))
    with pytest.raises(ValidationFailed, match="decision"):
        change_request(project, decision="maybe")


# -- revisions -----------------------------------------------------------------------


def test_a_save_without_a_change_keeps_the_revision(
    repo: TinyDBRepository, project: Project
) -> None:
    request = reach(repo, project, S.IN_PROGRESS)
    before = repo.path.read_bytes()
    again = save(repo, edited(request), MONDAY + timedelta(days=2))
    assert (again.revision, again.updated_at) == (request.revision, request.updated_at)
    assert repo.path.read_bytes() == before
    changed = save(repo, edited(request, owner="Kim"), MONDAY + timedelta(days=2))
    assert changed.revision == request.revision + 1
    assert changed.status_history == request.status_history


# -- clocks and service levels -------------------------------------------------------


def test_computed_adds_the_clock_fields_of_the_projects_policy(
    repo: TinyDBRepository, project: Project
) -> None:
    request = add(repo, new_request(project, priority=Priority.P2))
    now = MONDAY + timedelta(hours=1)
    assert request.computed(now) == {}  # without the project there is no policy
    fields = request.computed(now, project)
    # P2 from Monday 10:00 Berlin: 4 working hours to answer (14:00 Berlin); 16 to
    # resolve: Monday 10-17 (7), Tuesday (8), Wednesday 09:00-10:00 (1).
    assert fields == {
        "first_response_due_at": "2026-11-23T13:00:00+00:00",
        "first_response_at": None,
        "first_response_breached": False,
        "first_response_left_seconds": 3 * 3600,
        "first_response_over_seconds": 0,
        "resolution_due_at": "2026-11-25T09:00:00+00:00",
        "resolution_breached": False,
        "resolution_left_seconds": 15 * 3600,
        "resolution_over_seconds": 0,
        "paused": False,
        "paused_seconds": 0,
    }
    json.dumps(fields)  # plain JSON values only


def test_a_priority_change_through_the_store_recomputes_the_due_times(
    repo: TinyDBRepository, project: Project
) -> None:
    request = reach(repo, project, S.WAITING_ON_CLIENT)  # waiting since Monday 11:00 Berlin
    request = moved(repo, request, S.IN_PROGRESS, MONDAY + timedelta(days=1))
    now = MONDAY + timedelta(days=1, hours=1)
    p3 = request.computed(now, project)
    p1 = save(repo, edited(request, priority=Priority.P1), now).computed(now, project)
    assert p1["paused_seconds"] == p3["paused_seconds"] == 23 * 3600
    # P1 counts around the clock: 8 h from Monday 09:00 UTC, plus the 23 h pause.
    assert p1["resolution_due_at"] == "2026-11-24T16:00:00+00:00"
    # P3 counts 40 working hours in Berlin: Monday 10-11, Tuesday 10-17, Wednesday to
    # Friday, and Monday 09:00-17:00 (16:00 UTC) the last eight.
    assert p3["resolution_due_at"] == "2026-11-30T16:00:00+00:00"


def test_a_projects_service_levels_survive_the_file(
    repo: TinyDBRepository, data_path: Path
) -> None:
    policy = ServiceLevelPolicy(
        targets={
            Priority.P1: ServiceLevelTarget(
                first_response_minutes=30, resolution_minutes=240, working_hours=False
            ),
            Priority.P2: ServiceLevelTarget(first_response_minutes=120, resolution_minutes=960),
            Priority.P3: ServiceLevelTarget(first_response_minutes=480, resolution_minutes=2400),
            Priority.P4: ServiceLevelTarget(first_response_minutes=1, resolution_minutes=9999),
        },
        working_week="Mon-Thu 08:00-12:00, 13:00-18:00; fri 08:00-14:00",
        holidays=[date(2026, 12, 25), date(2026, 12, 24)],
    )
    assert policy.working_week == "mon-thu 08:00-12:00,13:00-18:00; fri 08:00-14:00"
    saved = repo.add(Project(name="Shop", key="SHOP", service_levels=policy))
    stored = TinyDBRepository(data_path).snapshot().project("SHOP")
    assert stored.service_levels == policy == saved.service_levels
    week = stored.service_levels.week("UTC")
    assert week.holidays == {date(2026, 12, 24), date(2026, 12, 25)}
    with pytest.raises(ValidationFailed, match="service levels lack targets for P4"):
        validate_record(
            Project,
            {
                "name": "Shop",
                "service_levels": {"targets": {p: {"first_response_minutes": 1,
                                                   "resolution_minutes": 2}
                                               for p in ("P1", "P2", "P3")}},
            },
        )  # fmt: skip


def test_a_file_written_before_clocks_and_change_control_still_opens(
    repo: TinyDBRepository, project: Project, data_path: Path
) -> None:
    request = add(repo, change_request(project, status=S.IN_PROGRESS, decision="approved"))
    tables = json.loads(data_path.read_text("utf-8"))
    (project_doc,) = tables["projects"].values()
    del project_doc["service_levels"]
    (doc,) = tables["requests"].values()
    for name in (
        "status_history", "comments", "reject_reason", "impact_scope", "impact_days",
        "impact_cost", "cost_currency", "justification", "decision", "decided_by",
        "decided_at", "decision_reason",
    ):  # fmt: skip
        del doc[name]
    doc["status"] = "rejected"  # rejected, and in those days without a reason
    data_path.write_text(json.dumps(tables), "utf-8")

    snapshot = TinyDBRepository(data_path).snapshot()
    old_project = snapshot.project("PORTAL")
    old = snapshot.get(ClientRequest, request.id)
    assert old is not None and old_project.service_levels == ServiceLevelPolicy()
    assert (old.status, old.status_history, old.comments) == (S.REJECTED, [], [])
    assert (old.decision, old.impact_cost, old.cost_currency) == (
        ChangeDecision.PENDING,
        None,
        "EUR",
    )
    fields = old.computed(MONDAY + timedelta(days=1), old_project)
    assert fields["resolution_breached"] is False and fields["paused_seconds"] == 0
    # A change applies today's rules: a rejection needs its reason now.
    with pytest.raises(ValidationFailed, match="needs a reason"):
        edited(old, title="Export as CSV")
    fixed = save(
        TinyDBRepository(data_path),
        edited(old, reject_reason="superseded by REQ-9"),
        MONDAY + timedelta(days=1),
    )
    assert fixed.revision == old.revision + 1 and fixed.status_history == []
