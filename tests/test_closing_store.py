"""Closing gates through a real repository: what blocks a close, overrides, read-only, reopen."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from clientdesk.store.closing import closing_gates
from clientdesk.store.enums import ChecklistState, MeetingStatus, Phase, RiskStatus
from clientdesk.store.errors import ClosedProjectError, GatesFailed, ValidationFailed
from clientdesk.store.models import (
    ChecklistItem,
    ClientRequest,
    FollowOnAction,
    LessonLearned,
    Meeting,
    Project,
    Record,
    Risk,
)
from clientdesk.store.report import closing_report, md_block, md_text
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.snapshot import dump_record, validate_record
from clientdesk.store.write_rules import load_checklist_template

# -- helpers -------------------------------------------------------------------------


def edited(record: Record, **fields: Any) -> Record:
    """``record`` with ``fields`` changed, validated as the app and the CLI validate it."""
    return validate_record(type(record), {**dump_record(record), **fields})


def fresh(repo: TinyDBRepository, record: Record) -> Any:
    """The stored version of ``record``."""
    return repo.snapshot().get(type(record), record.id)


def blockers(repo: TinyDBRepository, project: Project, now: datetime) -> dict[str, list[str]]:
    """The failing gates of ``project`` and their blockers' keys."""
    gates = closing_gates(repo.snapshot(), fresh(repo, project), now)
    return {gate.name: [b.key for b in gate.blockers] for gate in gates if not gate.passed}


def tick_everything(repo: TinyDBRepository, project: Project) -> None:
    """Tick every checklist item of ``project`` (the survey with a score)."""
    for item in repo.snapshot().of_project(ChecklistItem, project.id):
        score = 8 if item.asks_score else None
        repo.update(edited(item, state="done", done_by="ann", score=score))


def close(repo: TinyDBRepository, project: Project, reason: str = "") -> Project:
    """Ask the store to close ``project`` (with an override ``reason`` when given)."""
    current = fresh(repo, project)
    return repo.update(edited(current, closed_at=current.updated_at, close_override_reason=reason))


def reopen(repo: TinyDBRepository, project: Project) -> Project:
    """Ask the store to reopen ``project``."""
    return repo.update(edited(fresh(repo, project), closed_at=None))


def add_request(repo: TinyDBRepository, project: Project, **fields: Any) -> ClientRequest:
    """Add a request received an hour before now."""
    data: dict[str, Any] = {
        "project_id": project.id,
        "title": "Export to CSV",
        "received_at": datetime(2026, 11, 23, 8, 0).astimezone(),
    }
    data.update(fields)
    return repo.add(validate_record(ClientRequest, data))


def add_meeting(
    repo: TinyDBRepository, project: Project, start: datetime, **fields: Any
) -> Meeting:
    """Add a meeting of ``project`` starting at ``start``."""
    data: dict[str, Any] = {"project_id": project.id, "title": "Review", "start": start}
    data.update(fields)
    return repo.add(validate_record(Meeting, data))


@pytest.fixture
def project(repo: TinyDBRepository, fixed_clock: datetime) -> Project:
    """A project whose checklist is all ticked: every gate passes until a test adds a blocker."""
    project = repo.add(Project(name="Portal", key="PORTAL"))
    tick_everything(repo, project)
    return project


# -- the gates -----------------------------------------------------------------------


def test_a_new_project_has_the_template_checklist_and_it_blocks(
    repo: TinyDBRepository, fixed_clock: datetime
) -> None:
    project = repo.add(Project(name="Shop", key="SHOP"))
    items = repo.snapshot().of_project(ChecklistItem, project.id)
    assert [item.title for item in items] == [t["title"] for t in load_checklist_template()]
    assert [item.key for item in items if item.asks_score] == ["CHK-6"]
    assert blockers(repo, project, fixed_clock) == {"checklist": [f"CHK-{n}" for n in range(1, 11)]}


def test_every_gate_passes_on_a_settled_project(
    repo: TinyDBRepository, project: Project, fixed_clock: datetime
) -> None:
    gates = closing_gates(repo.snapshot(), project, fixed_clock)
    assert [(gate.name, gate.passed) for gate in gates] == [
        ("requests", True),
        ("risks", True),
        ("meetings", True),
        ("checklist", True),
    ]


@pytest.mark.parametrize(
    ("moves", "fields", "blocks"),
    [
        ([], {}, True),
        (["in_progress"], {}, True),
        (["resolved"], {}, True),  # resolved is not closed: the client has not confirmed
        (["resolved", "closed"], {}, False),
        (["rejected"], {"reject_reason": "out of scope"}, False),
        (["in_progress"], {"handed_over_to": "Support team (Kim)"}, False),
        (["in_progress"], {"handed_over_to": "   "}, True),  # a blank name is nobody
    ],
)
def test_the_request_gate(
    repo: TinyDBRepository,
    project: Project,
    fixed_clock: datetime,
    moves: list[str],
    fields: dict[str, Any],
    blocks: bool,
) -> None:
    request = add_request(repo, project)
    for status in moves:
        request = repo.update(edited(request, status=status, **fields))
    gate = closing_gates(repo.snapshot(), fresh(repo, project), fixed_clock)[0]
    assert gate.name == "requests"
    if blocks:
        [blocker] = gate.blockers
        assert (blocker.kind, blocker.key, blocker.title) == ("request", "REQ-1", "Export to CSV")
        assert blocker.why == request.status.replace("_", " ")
        assert blocker.record_id == request.id
    else:
        assert gate.passed


@pytest.mark.parametrize(
    ("fields", "blocks"),
    [
        ({}, True),
        ({"status": "monitoring"}, True),
        ({"status": "occurred"}, True),
        ({"status": "closed", "close_reason": "supplier delivered"}, False),
        ({"handed_over_to": "Operations (Lee)"}, False),
    ],
)
def test_the_risk_gate(
    repo: TinyDBRepository,
    project: Project,
    fixed_clock: datetime,
    fields: dict[str, Any],
    blocks: bool,
) -> None:
    risk = repo.add(Risk(project_id=project.id, title="Supplier is late"))
    if fields:
        repo.update(edited(risk, **fields))
    expected = {"risks": ["RSK-1"]} if blocks else {}
    assert blockers(repo, project, fixed_clock) == expected


@pytest.mark.parametrize(
    ("start", "fields", "blocks"),
    [
        (timedelta(days=2), {"status": "draft"}, True),
        (timedelta(days=2), {"status": "scheduled"}, True),
        (timedelta(0), {"status": "scheduled"}, True),  # starting right now
        (timedelta(days=-2), {"status": "scheduled"}, False),  # in the past
        (timedelta(days=2), {"status": "cancelled"}, False),
        (timedelta(days=-2), {"status": "held"}, False),
        # A weekly series that began last month (on a Monday) still has meetings to come.
        (timedelta(days=-28), {"status": "scheduled", "rrule": "FREQ=WEEKLY;BYDAY=MO"}, True),
        # A series that ended last week does not.
        (
            timedelta(days=-28),
            {"status": "scheduled", "rrule": "FREQ=WEEKLY;BYDAY=MO;COUNT=3"},
            False,
        ),
        (timedelta(days=-28), {"status": "cancelled", "rrule": "FREQ=WEEKLY;BYDAY=MO"}, False),
    ],
)
def test_the_meeting_gate(
    repo: TinyDBRepository,
    project: Project,
    fixed_clock: datetime,
    start: timedelta,
    fields: dict[str, Any],
    blocks: bool,
) -> None:
    add_meeting(repo, project, fixed_clock + start, **fields)
    gate = closing_gates(repo.snapshot(), fresh(repo, project), fixed_clock)[2]
    assert gate.name == "meetings"
    if blocks:
        [blocker] = gate.blockers
        assert blocker.key == "MTG-1"
        assert blocker.why.startswith(fields["status"] + ", next on ")
    else:
        assert gate.passed


def test_the_checklist_gate_passes_done_and_waived_items_only(
    repo: TinyDBRepository, project: Project, fixed_clock: datetime
) -> None:
    items = repo.snapshot().of_project(ChecklistItem, project.id)
    repo.update(edited(items[1], state="open", done_by="", score=None))
    repo.update(edited(items[2], state="waived", waive_reason="no source code in this project"))
    assert blockers(repo, project, fixed_clock) == {"checklist": ["CHK-2"]}
    # Blockers come in checklist order (position), not in key order.
    extra = repo.add(
        ChecklistItem(project_id=project.id, title="Hand back the VPN tokens", position=0)
    )
    assert blockers(repo, project, fixed_clock) == {"checklist": [extra.key, "CHK-2"]}


def test_gates_only_see_their_own_projects_records(
    repo: TinyDBRepository, project: Project, fixed_clock: datetime
) -> None:
    other = repo.add(Project(name="Other", key="OTHER"))
    add_request(repo, other)
    repo.add(Risk(project_id=other.id, title="x"))
    add_meeting(repo, other, fixed_clock + timedelta(days=1))
    assert blockers(repo, project, fixed_clock) == {}


# -- closing -------------------------------------------------------------------------


def test_close_is_refused_with_every_blocker_and_nothing_is_written(
    repo: TinyDBRepository, project: Project, fixed_clock: datetime, data_path: Path
) -> None:
    add_request(repo, project, title="Open question")
    repo.add(Risk(project_id=project.id, title="Key developer leaves"))
    add_meeting(repo, project, fixed_clock + timedelta(days=3), status="scheduled")
    item = repo.snapshot().of_project(ChecklistItem, project.id)[0]
    repo.update(edited(item, state="open", done_by=""))
    before = data_path.read_bytes()
    with pytest.raises(GatesFailed) as refused:
        close(repo, project)
    message = str(refused.value)
    assert message.startswith("PORTAL cannot close yet: ")
    assert "requests: REQ-1; risks: RSK-1; meetings: MTG-1; checklist: CHK-1" in message
    assert [(g.name, g.passed) for g in refused.value.gates] == [  # type: ignore[attr-defined]
        ("requests", False),
        ("risks", False),
        ("meetings", False),
        ("checklist", False),
    ]
    assert data_path.read_bytes() == before
    stored = fresh(repo, project)
    assert not stored.is_closed and stored.closing_log == []


def test_close_with_every_gate_passing_is_logged(
    repo: TinyDBRepository, project: Project, fixed_clock: datetime
) -> None:
    closed = close(repo, project)
    assert closed.is_closed and closed.closed_at == fixed_clock
    assert (closed.closed_by, closed.close_override_reason) == ("tester", "")
    assert closed.phase is Phase.CLOSED
    [event] = closed.closing_log
    assert (event.action, event.by, event.at, event.overridden) == (
        "closed",
        "tester",
        fixed_clock,
        "",
    )


def test_close_with_an_override_records_reason_who_when_and_what_was_overridden(
    repo: TinyDBRepository, project: Project, fixed_clock: datetime
) -> None:
    add_request(repo, project)
    repo.add(Risk(project_id=project.id, title="Warranty claims"))
    closed = close(repo, project, reason="  Client signed off; support takes the rest  ")
    assert closed.is_closed and closed.closed_by == "tester"
    assert closed.close_override_reason == "Client signed off; support takes the rest"
    [event] = closed.closing_log
    assert event.action == "closed" and event.at == fixed_clock
    assert event.override_reason == "Client signed off; support takes the rest"
    assert event.overridden == "requests: REQ-1; risks: RSK-1"


def test_an_override_reason_is_not_recorded_when_nothing_was_overridden(
    repo: TinyDBRepository, project: Project
) -> None:
    closed = close(repo, project, reason="just in case")
    assert closed.close_override_reason == ""
    assert closed.closing_log[0].override_reason == ""


def test_a_closed_project_is_read_only(
    repo: TinyDBRepository, project: Project, fixed_clock: datetime, data_path: Path
) -> None:
    request = add_request(repo, project)
    request = repo.update(edited(request, status="rejected", reject_reason="duplicate"))
    risk = repo.add(Risk(project_id=project.id, title="x"))
    risk = repo.update(edited(risk, status="closed", close_reason="gone"))
    lesson = repo.add(LessonLearned(project_id=project.id, title="Demo early"))
    close(repo, project)
    before = data_path.read_bytes()
    item = repo.snapshot().of_project(ChecklistItem, project.id)[0]
    attempts = [
        lambda: add_request(repo, project, title="late"),
        lambda: repo.add(Risk(project_id=project.id, title="late")),
        lambda: repo.add(LessonLearned(project_id=project.id, title="late")),
        lambda: repo.add(FollowOnAction(project_id=project.id, title="late", owner="Kim")),
        lambda: repo.add(ChecklistItem(project_id=project.id, title="late")),
        lambda: repo.update(edited(item, state="open", done_by="")),
        lambda: repo.update(edited(lesson, learned="changed")),
        lambda: repo.update(edited(risk, owner="Lee")),
        lambda: repo.delete(request),
        lambda: repo.delete(item),
        lambda: repo.update(edited(fresh(repo, project), name="Renamed")),
        lambda: repo.delete(fresh(repo, project)),
    ]
    for attempt in attempts:
        with pytest.raises(ClosedProjectError, match="PORTAL is closed: reopen it"):
            attempt()
    assert data_path.read_bytes() == before


def test_reopening_is_logged_and_unlocks_the_project(
    repo: TinyDBRepository, project: Project, fixed_clock: datetime
) -> None:
    close(repo, project, reason="")
    reopened = reopen(repo, project)
    assert not reopened.is_closed and reopened.phase is Phase.CLOSING
    assert (reopened.closed_by, reopened.close_override_reason) == ("", "")
    assert [(e.action, e.by) for e in reopened.closing_log] == [
        ("closed", "tester"),
        ("reopened", "tester"),
    ]
    lesson = repo.add(LessonLearned(project_id=project.id, title="Reopen is cheap"))
    assert lesson.key == "LSN-1"
    repo.update(edited(fresh(repo, project), name="Portal 2"))
    # And it closes again, with a second entry.
    again = close(repo, project)
    assert [e.action for e in again.closing_log] == ["closed", "reopened", "closed"]


def test_an_override_closes_once_and_reopen_clears_the_override(
    repo: TinyDBRepository, project: Project
) -> None:
    add_request(repo, project)
    close(repo, project, reason="client insists")
    reopened = reopen(repo, project)
    assert reopened.close_override_reason == ""
    assert reopened.closing_log[0].override_reason == "client insists"
    with pytest.raises(GatesFailed):
        close(repo, project)


def test_a_request_reopened_after_a_close_attempt_blocks_the_next_close(
    repo: TinyDBRepository, project: Project
) -> None:
    request = add_request(repo, project)
    with pytest.raises(GatesFailed, match="requests: REQ-1"):
        close(repo, project)
    request = repo.update(edited(request, status="resolved"))
    request = repo.update(edited(request, status="in_progress"))  # the client says: not fixed
    with pytest.raises(GatesFailed, match="requests: REQ-1") as refused:
        close(repo, project)
    gate = refused.value.gates[0]  # type: ignore[attr-defined]
    assert gate.blockers[0].why == "in progress"
    repo.update(edited(fresh(repo, request), status="resolved"))
    repo.update(edited(fresh(repo, request), status="closed"))
    assert close(repo, project).is_closed


def test_a_gate_is_judged_on_the_file_not_on_the_callers_old_snapshot(
    repo: TinyDBRepository, project: Project, data_path: Path, fixed_clock: datetime
) -> None:
    """Someone else adds a request while this user looks at passing gates: the close fails."""
    stale = repo.snapshot()
    assert closing_gates(stale, project, fixed_clock)[0].passed
    add_request(TinyDBRepository(data_path), project, title="Arrived meanwhile")
    with pytest.raises(GatesFailed, match="requests: REQ-1"):
        repo.update(edited(stale.get(Project, project.id), closed_at=fixed_clock))  # type: ignore[arg-type]


# -- checklist items -----------------------------------------------------------------


def test_ticking_the_survey_item_needs_a_score(
    repo: TinyDBRepository, fixed_clock: datetime
) -> None:
    project = repo.add(Project(name="Shop", key="SHOP"))
    survey = next(i for i in repo.snapshot().of_project(ChecklistItem, project.id) if i.asks_score)
    with pytest.raises(ValidationFailed, match="score"):
        repo.update(edited(survey, state="done"))
    with pytest.raises(ValidationFailed, match="score"):
        edited(survey, state="done", score=11)
    saved = repo.update(edited(survey, state="done", score=9, evidence="survey 2026-11"))
    assert (saved.state, saved.score) == (ChecklistState.DONE, 9)
    # Other items need no score.
    other = repo.snapshot().of_project(ChecklistItem, project.id)[0]
    assert repo.update(edited(other, state="done")).state is ChecklistState.DONE


def test_waiving_needs_a_reason(repo: TinyDBRepository, project: Project) -> None:
    item = repo.snapshot().of_project(ChecklistItem, project.id)[0]
    with pytest.raises(ValidationFailed, match="waiving an item needs a reason"):
        edited(item, state="waived", waive_reason="  ")


def test_a_follow_on_action_needs_an_owner(project: Project) -> None:
    with pytest.raises(ValidationFailed, match="owner"):
        validate_record(FollowOnAction, {"project_id": project.id, "title": "Renew licence"})


def test_lessons_and_follow_ons_get_keys_per_project(
    repo: TinyDBRepository, project: Project
) -> None:
    lesson = repo.add(
        LessonLearned(
            project_id=project.id,
            title="Test data arrived late",
            what_happened="The client's export came two weeks late",
            learned="Ask for test data at kick-off",
            next_time="Put test data on the kick-off checklist",
            category="planning",
        )
    )
    action = repo.add(
        FollowOnAction(
            project_id=project.id, title="Renew TLS certificate", owner="Ops", due=date(2027, 3, 1)
        )
    )
    assert (lesson.key, action.key) == ("LSN-1", "FOA-1")


# -- older files ---------------------------------------------------------------------


def test_a_file_from_before_closing_still_opens(data_path: Path, fixed_clock: datetime) -> None:
    """A data file written before the closing fields and tables existed."""
    created = "2026-10-01T09:00:00Z"
    book = {"created_at": created, "updated_at": created, "updated_by": "old", "revision": 1}
    tables = {
        "_meta": {"1": {"schema_version": 1, "counters": {}}},
        "projects": {"1": {"id": "p1", "key": "OLD", "name": "Old project", **book}},
        "requests": {
            "1": {
                "id": "r1", "key": "REQ-1", "project_id": "p1", "title": "Old request",
                "received_at": created, "status": "in_progress", **book,
            }
        },
        "risks": {
            "1": {"id": "k1", "key": "RSK-1", "project_id": "p1", "title": "Old risk", **book}
        },
        "checklist": {
            "1": {
                "id": "c1", "key": "CHK-1", "project_id": "p1", "title": "Survey answered",
                "state": "done", **book,
            }
        },
    }  # fmt: skip
    data_path.parent.mkdir(parents=True, exist_ok=True)
    data_path.write_text(json.dumps(tables))
    repo = TinyDBRepository(data_path)
    snapshot = repo.snapshot()
    project = snapshot.project("OLD")
    assert not project.is_closed and project.closing_log == []
    assert snapshot.find(ClientRequest, "REQ-1").handed_over_to == ""
    assert snapshot.find(Risk, "RSK-1").status is RiskStatus.OPEN
    item = snapshot.find(ChecklistItem, "CHK-1")
    assert (item.asks_score, item.score) == (False, None)
    assert snapshot.all(LessonLearned) == [] and snapshot.all(FollowOnAction) == []
    assert blockers(repo, project, fixed_clock) == {"requests": ["REQ-1"], "risks": ["RSK-1"]}
    # And it takes the new records.
    assert repo.add(LessonLearned(project_id="p1", title="New")).key == "LSN-1"


def test_a_planned_meeting_blocks_until_it_is_cancelled(
    repo: TinyDBRepository, project: Project, fixed_clock: datetime
) -> None:
    meeting = add_meeting(repo, project, fixed_clock + timedelta(days=1), status="scheduled")
    with pytest.raises(GatesFailed, match="meetings: MTG-1"):
        close(repo, project)
    repo.update(edited(meeting, status=MeetingStatus.CANCELLED))
    assert close(repo, project).is_closed


# -- the closing report (pure, from a snapshot) ----------------------------------------


def report_of(repo: TinyDBRepository, project: Project, now: datetime) -> str:
    """The closing report of ``project`` as stored now."""
    return closing_report(repo.snapshot(), fresh(repo, project), now)


def test_the_report_names_an_override_and_what_it_closed_over(
    repo: TinyDBRepository, project: Project, fixed_clock: datetime
) -> None:
    add_request(repo, project)
    close(repo, project, reason="Client signed | the <rest> later")
    report = report_of(repo, project, fixed_clock)
    assert "- **Closed:** 2026-11-23 09:00 UTC by tester\n" in report
    assert (
        "- **Closed with an override:** Client signed \\| the \\<rest\\> later "
        "(over requests: REQ-1)\n" in report
    )
    assert "- **Failed:** All client requests closed, rejected or handed over\n" in report
    assert "  - REQ-1 (new): Export to CSV\n" in report


def test_the_report_shows_risks_that_occurred_with_their_contingency(
    repo: TinyDBRepository, project: Project, fixed_clock: datetime
) -> None:
    occurred = repo.add(
        Risk(
            project_id=project.id, title="Supplier is late", contingency="Use the backup\nsupplier"
        )
    )
    repo.update(edited(occurred, status="occurred"))
    raised_for = repo.add(Risk(project_id=project.id, title="Key developer leaves"))
    repo.add(Risk(project_id=project.id, title="Never happened"))
    add_request(repo, project, title="Replace developer", risk_ids=[raised_for.id])
    report = report_of(repo, project, fixed_clock)
    section = report.split("## Risks that occurred\n")[1].split("\n## ")[0]
    assert section == (
        "\n- **RSK-1** Supplier is late: occurred\n"
        "  - Contingency:\n"
        "    Use the backup  \n"
        "    supplier\n"
        "- **RSK-2** Key developer leaves: open\n"
        "  - Raised for it: REQ-1\n"
        "  - Contingency: none recorded\n"
    )


def test_the_report_counts_service_level_breaches(
    repo: TinyDBRepository, project: Project, fixed_clock: datetime
) -> None:
    # P1: one hour to answer, around the clock. Received a day ago, never answered.
    add_request(repo, project, priority="P1", received_at=fixed_clock - timedelta(days=1))
    add_request(repo, project, priority="P3")
    report = report_of(repo, project, fixed_clock)
    assert "| P1 | 1 | 1 | 1 | 0 % |" in report
    assert "| P3 | 1 | 0 | 0 | 100 % |" in report
    assert "| **All** | **2** | **1** | **1** | **50 %** |" in report
    assert "1 of 2 requests met both targets." in report


def test_the_report_says_when_the_survey_is_not_answered_and_is_deterministic(
    repo: TinyDBRepository, fixed_clock: datetime
) -> None:
    project = repo.add(Project(name="Shop", key="SHOP", target_end=date(2026, 11, 1)))
    report = report_of(repo, project, fixed_clock)
    assert "Satisfaction survey sent and answered (CHK-6): not answered." in report
    assert "Not closed yet, 22 days past the target end (2026-11-01)." in report
    assert "No change request was approved." in report
    assert report == report_of(repo, project, fixed_clock)


_SPECIALS = "\\`*_[]<>|~&!#"


@given(st.text())
def test_escaped_user_text_has_no_live_markdown(text: str) -> None:
    escaped = md_text(text)
    assert "\n" not in escaped and "\r" not in escaped
    # Every special character is preceded by a backslash that is not itself escaped.
    live = re.sub(r"\\.", "", escaped)
    assert not any(char in _SPECIALS for char in live)


@given(st.text())
def test_an_escaped_block_starts_no_heading_list_or_quote(text: str) -> None:
    for line in md_block(text).split("  \n"):
        assert not re.match(r"\s*([-+=#>]|\d+[.)])", line), line


def _section(report: str, title: str) -> str:
    return report.split(f"## {title}\n")[1].split("\n## ")[0]


def test_titles_that_look_like_lists_stay_text_at_the_start_of_a_line(
    repo: TinyDBRepository, fixed_clock: datetime
) -> None:
    project = repo.add(Project(name="Shop", key="SHOP"))
    items = repo.snapshot().of_project(ChecklistItem, project.id)
    acceptance = next(item for item in items if "acceptance" in item.title.casefold())
    repo.update(
        edited(acceptance, title="- acceptance, part 2", state="done", done_by="ann",
               evidence="+ the signed PDF")
    )  # fmt: skip
    survey = next(item for item in items if item.asks_score)
    repo.update(edited(survey, title="1. Survey of the users"))
    repo.add(ChecklistItem(project_id=project.id, title="2) Survey of = sponsors", asks_score=True))
    report = report_of(repo, project, fixed_clock)

    accepted = _section(report, "Acceptance")
    assert accepted == (
        "\n\\- acceptance, part 2 (CHK-1): **done by ann**.\n\nEvidence: + the signed PDF\n"
    )
    satisfaction = _section(report, "Client satisfaction")
    assert satisfaction == (
        "\n2\\) Survey of = sponsors (CHK-11): not answered.\n"
        "\n1\\. Survey of the users (CHK-6): not answered.\n"
    )
    # As a Markdown reader shows them: paragraphs of plain text, no list, no backslash.
    shown = MarkdownIt("commonmark").render(accepted + satisfaction)
    assert "<li>" not in shown and "\\" not in shown
    assert shown.count("<p>") == 4
    assert "<p>1. Survey of the users (CHK-6): not answered.</p>" in shown
    assert "<p>Evidence: + the signed PDF</p>" in shown


def test_a_note_line_that_looks_like_a_numbered_list_shows_no_backslash() -> None:
    block = md_block("Steps:\n1. call the client\n2) send the PDF\n- archive\n+ bill")
    assert block == "Steps:  \n1\\. call the client  \n2\\) send the PDF  \n\\- archive  \n\\+ bill"
    shown = MarkdownIt("commonmark").render(block)
    assert shown == (
        "<p>Steps:<br />\n1. call the client<br />\n2) send the PDF<br />\n- archive<br />\n"
        "+ bill</p>\n"
    )


# -- a team's own template --------------------------------------------------------------


def test_a_team_template_beside_the_data_file_is_used_for_new_projects(data_path: Path) -> None:
    data_path.parent.mkdir(parents=True, exist_ok=True)
    template = {
        "items": [
            {"title": "Client sign-off"},
            {"title": "NPS survey", "asks_score": True},
        ]
    }
    (data_path.parent / "closing_template.json").write_text(json.dumps(template))
    repo = TinyDBRepository(data_path)
    project = repo.add(Project(name="Portal"))
    items = repo.snapshot().of_project(ChecklistItem, project.id)
    assert [(item.title, item.asks_score) for item in items] == [
        ("Client sign-off", False),
        ("NPS survey", True),
    ]


def test_a_broken_team_template_names_the_file_and_adds_nothing(data_path: Path) -> None:
    data_path.parent.mkdir(parents=True, exist_ok=True)
    broken = data_path.parent / "closing_template.json"
    broken.write_text('{"items": [{"name": "no title"}]}')
    repo = TinyDBRepository(data_path)
    with pytest.raises(ValidationFailed, match=r"closing_template\.json: not a closing checklist"):
        repo.add(Project(name="Portal"))
    assert repo.snapshot().projects() == []


@pytest.mark.parametrize(
    ("item", "why"),
    [
        ({"title": "x" * 201}, "item 2: title: String should have at most 200 characters"),
        ({"title": " \n "}, "item 2 has an empty title"),
        ({"title": 5}, "item 2 needs a title as text (and asks_score, if given, true or false)"),
        (
            {"title": "Survey", "asks_score": "no"},
            "item 2 needs a title as text (and asks_score, if given, true or false)",
        ),
        ("Survey", "item 2 needs a title as text (and asks_score, if given, true or false)"),
    ],
)
def test_a_team_template_item_a_checklist_could_not_hold_is_named_in_one_line(
    data_path: Path, item: object, why: str
) -> None:
    """Held to the checklist item's own limits, so no project is refused half-way."""
    data_path.parent.mkdir(parents=True, exist_ok=True)
    template = data_path.parent / "closing_template.json"
    template.write_text(json.dumps({"items": [{"title": "Signed"}, item]}))
    repo = TinyDBRepository(data_path)
    with pytest.raises(ValidationFailed) as refused:
        repo.add(Project(name="Portal"))
    assert str(refused.value) == (
        f"{template}: not a closing checklist template ({why}); fix or remove it"
    )
    assert repo.snapshot().projects() == []


def test_the_clocks_of_a_closed_project_stand_still_at_the_close(repo: TinyDBRepository) -> None:
    """Nothing is due from a project that has ended: an open request's clocks read the
    same a week after the close as at the close, and the tab would not count new breaches."""
    from clientdesk.store import clock

    closed_on = datetime.fromisoformat("2026-11-23T09:00:00+00:00")
    with clock.frozen(closed_on):
        project = repo.add(Project(name="Portal", timezone="Europe/Berlin"))
        request = repo.add(
            ClientRequest(project_id=project.id, title="Open", received_at=closed_on)
        )
        project = repo.update(
            edited(project, closed_at=closed_on, close_override_reason="client asked")
        )
    assert isinstance(project, Project) and project.is_closed
    at_close = request.clocks_in(project, closed_on)
    week_later = request.clocks_in(project, closed_on + timedelta(days=7))
    assert week_later == at_close
    assert not week_later.first_response.breached
