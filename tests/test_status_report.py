"""The client-facing status report: content on the demo data, RAG rules, escaping, keeping.

The report is built in the store (no terminal); keeping and reopening go
through the command line as a user types it, with the clock fixed.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from textual.widgets import Input

from clientdesk.store import clock, config, paths, sla
from clientdesk.store.enums import (
    RAG,
    ChangeDecision,
    MeetingStatus,
    RequestStatus,
    RequestType,
    RiskKind,
    RiskResponse,
    RiskStatus,
)
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.models import (
    ClientRequest,
    CommunicationPlanItem,
    Meeting,
    OccurrenceChange,
    Project,
    Risk,
    StatusReport,
)
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.status_report import (
    COST_RED_AMOUNT,
    RISK_BANDS,
    ReportContent,
    cost_rating,
    keep_report,
    overall_status,
    risk_rating,
    schedule_rating,
    scope_rating,
    status_report,
    worst,
)
from clientdesk.tui.app import create_app
from clientdesk.tui.cli import main
from tests.helpers.ui import FIXED_NOW, choose_option, screen_text, settle

HOSTILE = "| [x](http://e) <b>*_ <script>alert(1)</script>\n- line two & <img src=x>"
"""Text that would break a table, make a link, a list, bold text and live HTML if not escaped."""

PERIOD_START = FIXED_NOW - timedelta(days=14)


def section(markdown: str, heading: str) -> str:
    """The text of the ``## heading`` section, up to the next one."""
    start = markdown.index(f"## {heading}\n")
    end = markdown.find("\n## ", start + 1)
    return markdown[start : end if end != -1 else None]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return exit status, stdout and stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- content on the demo data -----------------------------------------------------------


@pytest.fixture
def demo_report(demo_path: Path) -> ReportContent:
    """The status report of the demo's NWPORTAL project at the fixed time."""
    snapshot = TinyDBRepository(demo_path).snapshot()
    return status_report(snapshot, snapshot.project("NWPORTAL"), FIXED_NOW)


def test_the_header_names_project_client_period_and_the_overall_rag(
    demo_report: ReportContent,
) -> None:
    md = demo_report.markdown
    assert md.startswith("# Status report: Customer portal relaunch (NWPORTAL)\n")
    assert "- **Client:** Northwind Traders" in md
    # No report was kept yet: the first one runs from the project's start (90 days back).
    assert demo_report.period_start == datetime(2026, 8, 24, 22, 0, tzinfo=UTC)
    assert demo_report.period_end == FIXED_NOW
    assert "- **Period:** 2026-08-25 00:00 CEST to 2026-11-23 10:00 CET" in md
    # The worst of the four dimensions below (risk is red), said with why.
    assert "- **Overall status:** **\\[RED\\]** (the worst dimension: risk)" in md
    assert demo_report.title == (
        "Status report: Customer portal relaunch (NWPORTAL), 2026-08-25 to 2026-11-23"
    )


def test_ratings_on_the_demo_give_each_dimension_its_reason(demo_report: ReportContent) -> None:
    ratings = section(demo_report.markdown, "Status by dimension")
    assert "**\\[AMBER\\]** **Scope:** 1 change request awaits a decision" in ratings
    assert "**\\[AMBER\\]** **Schedule:** approved changes add +7 days" in ratings
    assert "**\\[AMBER\\]** **Cost:** approved changes add 2,950.00 EUR" in ratings
    assert "**\\[RED\\]** **Risk:** 2 critical threats (RSK-5, RSK-4)" in ratings


def test_done_lists_meetings_held_with_their_decisions_and_requests_resolved(
    demo_report: ReportContent,
) -> None:
    done = section(demo_report.markdown, "Done in this period")
    # Occurrences of the weekly series recorded as held and minuted, not the plain ones.
    assert "- Mon 2026-11-09 MTG-1 Weekly client sync" in done
    assert "- Mon 2026-11-16 MTG-1 Weekly client sync\n  - Decision: The CSV export" in done
    assert "Mon 2026-11-02 MTG-1" not in done
    assert "- Wed 2026-11-18 MTG-2 Requirements workshop" in done
    assert "  - Decision: Guest checkout is out of scope" in done
    assert "| REQ-6 | Add German translations to the onboarding flow |" in done
    assert "| REQ-5 | What is the plan for the data migration dry run? |" in done
    assert "REQ-7" not in done  # rejected, not resolved


def test_next_period_lists_upcoming_meetings_and_plan_items_due(
    demo_report: ReportContent,
) -> None:
    upcoming = section(demo_report.markdown, "Next 14 days")
    assert "| 2026-11-23 10:00 CET | MTG-1 | Weekly client sync |" in upcoming
    assert "| 2026-11-25 16:00 CET | MTG-4 | Steering committee | Board room |" in upcoming
    # The occurrence moved from Monday 30 November shows where it went.
    assert "| 2026-12-01 11:00 CET | MTG-1 | Weekly client sync (moved) |" in upcoming
    assert "2026-11-30 10:00" not in upcoming
    assert "| MTG-3 | Milestone 2 review (to be confirmed) |" in upcoming
    assert "| overdue since Fri 2026-11-20 | PLN-1 | Weekly status report |" in upcoming
    assert "| Tue 2026-12-01 | PLN-2 | Steering committee | Pat Morgan |" in upcoming


def test_breached_requests_risks_and_pending_changes(demo_report: ReportContent) -> None:
    md = demo_report.markdown
    breached = section(md, "Response times missed this period")
    assert (
        "| REQ-8 | Move the go-live by one week | P4 | first response | 4d 17h | still open |"
    ) in breached
    assert "| REQ-10 | Who signs off the user acceptance tests? | P2 | resolution |" in breached
    # Answered late within the period: a breach of the period, though its clock stopped.
    assert (
        "| REQ-5 | What is the plan for the data migration dry run? | P1 | first response "
        "| 3h 48m | answered 2026-11-19 14:48 CET |"
    ) in breached
    assert "REQ-2 " not in breached  # within its time
    assert "REQ-4" not in breached  # its clock is paused within target
    risks = section(md, "Top risks")
    rows = [line for line in risks.splitlines() if line.startswith("| RSK-")]
    # High and above by default: the medium and low ones stay out.
    assert [row.split(" | ")[0] for row in rows] == ["| RSK-5", "| RSK-4", "| RSK-1"]
    assert rows[0] == (
        "| RSK-5 | Client reorganisation delays sign-off | 25 | critical | monitoring"
        " | Pat Morgan |"
    )
    assert "RSK-6" not in risks  # an opportunity
    awaiting = section(md, "Change requests awaiting your decision")
    assert "| REQ-8 | Move the go-live by one week | +2 | 3,650.00 EUR |" in awaiting
    assert "REQ-6" not in awaiting  # already approved
    needed = section(md, "Decisions and input needed from you")
    assert "- Decide on change request REQ-8: Move the go-live by one week" in needed
    assert "- Answer on request REQ-4: Change the colour" in needed


def test_html_says_the_same_in_one_self_contained_printable_file(
    demo_report: ReportContent,
) -> None:
    page = demo_report.html
    assert page.startswith("<!DOCTYPE html>")
    assert "<td>REQ-8</td><td>Move the go-live by one week</td>" in page
    assert '<span class="rag rag-red">RED</span>' in page  # a label, not only a colour
    assert "@media print" in page
    # Nothing is fetched from elsewhere: no scripts, links, images, imports or fonts.
    assert not re.search(r"\b(?:src|href)\s*=|<script|<link|<img|@import|url\(", page, re.I)
    # A video link is shown as text to read, not as a link.
    assert "<td>https://meet.example/weekly-sync</td>" in page


# -- the RAG rules -----------------------------------------------------------------------


def change(decision: ChangeDecision = ChangeDecision.PENDING, **fields: object) -> ClientRequest:
    """A change request received two days before the fixed time."""
    data: dict[str, object] = {
        "project_id": "p",
        "title": "Add a report",
        "type": RequestType.CHANGE_REQUEST,
        "received_at": FIXED_NOW - timedelta(days=2),
        "status": RequestStatus.IN_PROGRESS,
        "decision": decision,
    }
    data.update(fields)
    return ClientRequest.model_validate(data)


def threat(probability: int, impact: int, **fields: object) -> Risk:
    """A threat with the given levels."""
    data: dict[str, object] = {"project_id": "p", "title": "Late delivery"}
    data.update(probability=probability, impact=impact, **fields)
    return Risk.model_validate(data)


@pytest.mark.parametrize(
    ("requests", "rag", "reason"),
    [
        ([], RAG.GREEN, "no change request pending or approved in the period"),
        ([change(ChangeDecision.REJECTED)], RAG.GREEN, "no change request pending"),
        ([change()], RAG.AMBER, "1 change request awaits a decision"),
        (
            [change(ChangeDecision.APPROVED, decided_at=FIXED_NOW - timedelta(days=1))],
            RAG.AMBER,
            "scope changed in the period",
        ),
        (
            # Approved before the period: part of the baseline by now.
            [change(ChangeDecision.APPROVED, decided_at=PERIOD_START - timedelta(days=1))],
            RAG.GREEN,
            "no change request pending",
        ),
        ([change(), change(), change()], RAG.RED, "3 change requests await a decision"),
        # A closed change request awaits nothing.
        ([change(status=RequestStatus.CLOSED)], RAG.GREEN, "no change request pending"),
    ],
)
def test_scope_rating(requests: list[ClientRequest], rag: RAG, reason: str) -> None:
    rating = scope_rating(requests, PERIOD_START, FIXED_NOW)
    assert rating.rag is rag
    assert reason in rating.reason


def schedule(
    requests: list[ClientRequest] = [],  # noqa: B006 - never mutated
    overdue: list[CommunicationPlanItem] = [],  # noqa: B006
    target_end: date | None = date(2027, 3, 1),
) -> tuple[RAG, str]:
    """The schedule rating of a project with ``target_end`` at the fixed time."""
    project = Project(name="Portal", key="PORTAL", target_end=target_end)
    rating = schedule_rating(project, requests, overdue, FIXED_NOW)
    return rating.rag, rating.reason


def test_schedule_rating() -> None:
    assert schedule() == (RAG.GREEN, "on track for the target end (2027-03-01)")
    assert schedule([change(impact_days=5)]) == schedule(), "pending changes do not count"
    assert schedule([change(ChangeDecision.APPROVED, impact_days=3)]) == (
        RAG.AMBER,
        "approved changes add +3 days",
    )
    assert schedule([change(ChangeDecision.APPROVED, impact_days=-3)])[0] is RAG.GREEN
    assert schedule([change(ChangeDecision.APPROVED, impact_days=6)] * 2) == (
        RAG.RED,
        "approved changes add +12 days",
    )
    plan = CommunicationPlanItem(
        project_id="p", title="Weekly report", first_due=FIXED_NOW, key="PLN-2"
    )
    assert schedule(overdue=[plan]) == (RAG.AMBER, "overdue communication: PLN-2")
    assert schedule(target_end=date(2026, 11, 20)) == (
        RAG.RED,
        "3 days past the target end (2026-11-20)",
    )
    assert schedule(target_end=None) == (RAG.GREEN, "no delay recorded")


def test_approved_changes_that_save_days_and_money_are_named_as_savings() -> None:
    """A change that drops work shortens the schedule and lowers the cost: a PM says so."""
    approved = ChangeDecision.APPROVED
    assert schedule([change(approved, impact_days=-2.5)]) == (
        RAG.GREEN,
        "on track for the target end (2027-03-01); approved changes save 2.5 days",
    )
    assert schedule([change(approved, impact_days=-2), change(approved, impact_days=5)]) == (
        RAG.AMBER,
        "approved changes add +3 days",
    )
    saving = cost_rating(
        [
            change(approved, impact_cost=Decimal(-800)),
            change(approved, impact_cost=Decimal("-99.50"), cost_currency="USD"),
        ]
    )
    assert (saving.rag, saving.reason) == (
        RAG.GREEN,
        "approved changes save 800.00 EUR, 99.50 USD",
    )


def test_cost_rating() -> None:
    assert cost_rating([change(impact_cost=Decimal(500))]).rag is RAG.GREEN  # still pending
    amber = cost_rating([change(ChangeDecision.APPROVED, impact_cost=Decimal("1200.50"))])
    assert (amber.rag, amber.reason) == (RAG.AMBER, "approved changes add 1,200.50 EUR")
    # The threshold applies per currency: 6,000 EUR and 6,000 USD are not 12,000 of anything.
    two = cost_rating(
        [
            change(ChangeDecision.APPROVED, impact_cost=Decimal(6000)),
            change(ChangeDecision.APPROVED, impact_cost=Decimal(6000), cost_currency="USD"),
        ]
    )
    assert two.rag is RAG.AMBER
    red = cost_rating([change(ChangeDecision.APPROVED, impact_cost=COST_RED_AMOUNT + 1)] * 1)
    assert (red.rag, red.reason) == (RAG.RED, "approved changes add 10,001.00 EUR")
    saving = cost_rating([change(ChangeDecision.APPROVED, impact_cost=Decimal(-800))])
    assert saving.rag is RAG.GREEN


def test_risk_rating() -> None:
    assert risk_rating([threat(2, 2)]).rag is RAG.GREEN
    high = risk_rating([threat(3, 4, key="RSK-2"), threat(1, 1)])
    assert (high.rag, high.reason) == (RAG.AMBER, "1 high threat (RSK-2)")
    critical = risk_rating([threat(3, 4), threat(4, 5, key="RSK-7")])
    assert (critical.rag, critical.reason) == (RAG.RED, "1 critical threat (RSK-7)")
    closed = threat(5, 5, status=RiskStatus.CLOSED, close_reason="the supplier delivered")
    assert risk_rating([closed]).rag is RAG.GREEN
    opportunity = threat(5, 5, kind=RiskKind.OPPORTUNITY, response=RiskResponse.EXPLOIT)
    assert risk_rating([opportunity]).rag is RAG.GREEN, "an opportunity is no threat"


# -- escaping ----------------------------------------------------------------------------


@pytest.fixture
def hostile_repo(repo: TinyDBRepository, fixed_clock: datetime) -> TinyDBRepository:
    """A project where every text a report shows is hostile."""
    project = repo.add(
        Project(
            name=HOSTILE.replace("\n", " "),
            key="EVIL",
            client=HOSTILE[:60],
            start=date(2026, 11, 1),
        )
    )
    repo.add(
        ClientRequest(
            project_id=project.id,
            title="R " + HOSTILE.replace("\n", " "),
            type=RequestType.CHANGE_REQUEST,
            priority="P1",
            impact_scope=HOSTILE,
            received_at=FIXED_NOW - timedelta(days=5),
        )
    )
    repo.add(
        Risk(
            project_id=project.id,
            title="K " + HOSTILE.replace("\n", " "),
            owner="<i>o</i>",
            probability=5,
            impact=5,
        )
    )
    start = FIXED_NOW - timedelta(days=3)
    repo.add(
        Meeting(
            project_id=project.id,
            title="M " + HOSTILE.replace("\n", " "),
            start=start,
            status=MeetingStatus.MINUTED,
            decisions=[HOSTILE],
            location=HOSTILE,
        )
    )
    repo.add(
        Meeting(
            project_id=project.id,
            title="Next",
            start=FIXED_NOW + timedelta(days=1),
            status=MeetingStatus.SCHEDULED,
            location=HOSTILE,
        )
    )
    return repo


def test_hostile_text_stays_text_in_markdown(hostile_repo: TinyDBRepository) -> None:
    snapshot = hostile_repo.snapshot()
    md = status_report(snapshot, snapshot.project("EVIL"), FIXED_NOW).markdown
    assert not re.search(r"(?<!\\)[<>]", md), "every angle bracket is escaped"
    assert "\\<script\\>alert(1)\\</script\\>" in md
    assert not re.search(r"(?<!\\)\]\(http", md), "no link can form"
    for line in md.splitlines():
        assert not line.startswith("- line two"), "a newline in user text starts no list item"
        if line.startswith("|"):
            # Every row of a table has as many cells as its header: no pipe got through.
            cells = len(re.findall(r"(?<!\\)\|", line))
            assert cells == len(re.findall(r"(?<!\\)\|", _header_of(md, line)))


def _header_of(markdown: str, row: str) -> str:
    lines = markdown.splitlines()
    index = lines.index(row)
    while index > 0 and lines[index - 1].startswith("|"):
        index -= 1
    return lines[index]


def test_hostile_text_stays_text_in_html(hostile_repo: TinyDBRepository) -> None:
    snapshot = hostile_repo.snapshot()
    page = status_report(snapshot, snapshot.project("EVIL"), FIXED_NOW).html
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "<i>o</i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<td>&lt;i&gt;o&lt;/i&gt;</td>" in page
    assert "<title>Status report: | [x](http://e) &lt;b&gt;*_" in page
    assert not re.search(r"<[^>]*\b(?:src|href)\s*=", page, re.I), "no tag loads anything"


# -- keeping, immutability, reopening ---------------------------------------------------


def test_a_kept_report_starts_the_next_period_and_cannot_be_changed(
    hostile_repo: TinyDBRepository,
) -> None:
    snapshot = hostile_repo.snapshot()
    project = snapshot.project("EVIL")
    first = status_report(snapshot, project, FIXED_NOW)
    kept = keep_report(hostile_repo, project, first, sent_to=["ann@example.com"])
    assert kept.key == "RPT-1"
    assert (kept.period_start, kept.period_end) == (first.period_start, FIXED_NOW)
    later = FIXED_NOW + timedelta(days=7)
    second = status_report(hostile_repo.snapshot(), project, later)
    assert (second.period_start, second.period_end) == (FIXED_NOW, later)
    assert "- **Period:** 2026-11-23 09:00 UTC to 2026-11-30 09:00 UTC" in second.markdown
    # The minuted meeting three days before the first report belongs to the first only.
    assert "No meeting was held in this period." in second.markdown

    with pytest.raises(ValidationFailed, match="a status report is kept as it was sent"):
        hostile_repo.update(kept.model_copy(update={"markdown": "# rewritten\n"}))
    with pytest.raises(ValidationFailed, match="a status report is kept as it was sent"):
        hostile_repo.delete(kept)
    stored = hostile_repo.snapshot().find(StatusReport, "RPT-1", project.id)
    assert (stored.markdown, stored.html, stored.revision) == (first.markdown, first.html, 1)
    # It goes with its project, though.
    hostile_repo.delete(hostile_repo.snapshot().project("EVIL"))
    assert hostile_repo.snapshot().all(StatusReport) == []


def test_a_period_cannot_start_after_its_end(hostile_repo: TinyDBRepository) -> None:
    snapshot = hostile_repo.snapshot()
    with pytest.raises(ValidationFailed, match="would start after its end"):
        status_report(
            snapshot, snapshot.project("EVIL"), FIXED_NOW, since=FIXED_NOW + timedelta(hours=1)
        )


def test_cli_keeps_a_report_and_reopens_it_byte_for_byte(
    capsys: pytest.CaptureFixture[str],
    demo_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, issued, err = run(capsys, "report", "--project", "NWPORTAL", "--keep")
    assert (code, err) == (0, "kept the status report as RPT-1\n")
    assert issued.startswith("# Status report: Customer portal relaunch (NWPORTAL)\n")

    # A week on, with a new request, the next report covers only the new week...
    monkeypatch.setenv("CLIENTDESK_NOW", (FIXED_NOW + timedelta(days=7)).isoformat())
    run(
        capsys,
        "add",
        "request",
        "--project",
        "NWPORTAL",
        "--title",
        "New logo",
        "--received-at",
        "2026-11-24 10:00",
    )
    code, later, err = run(capsys, "report", "--project", "NWPORTAL")
    assert (code, err) == (0, "")
    assert "- **Period:** 2026-11-23 10:00 CET to 2026-11-30 10:00 CET" in later

    # ...while the kept one reads exactly as it was issued, in both formats.
    code, reopened, err = run(capsys, "report", "--project", "NWPORTAL", "--reopen", "RPT-1")
    assert (code, reopened, err) == (0, issued, "")
    target = tmp_path / "rpt-1.html"
    code, out, err = run(
        capsys,
        "report",
        "--project",
        "NWPORTAL",
        "--reopen",
        "rpt-1",
        "--format",
        "html",
        "-o",
        str(target),
    )
    assert (code, out, err) == (0, f"wrote RPT-1 of NWPORTAL to {target}\n", "")
    kept = TinyDBRepository(demo_path).snapshot().all(StatusReport)[0]
    assert target.read_bytes() == kept.html.encode("utf-8")
    assert "<td>REQ-8</td>" in kept.html


def test_cli_writes_html_to_a_file(
    capsys: pytest.CaptureFixture[str], demo_path: Path, tmp_path: Path
) -> None:
    target = tmp_path / "status.html"
    code, out, err = run(
        capsys, "report", "--project", "NWPORTAL", "--format", "html", "-o", str(target)
    )
    assert (code, out, err) == (0, f"wrote the status report of NWPORTAL to {target}\n", "")
    assert target.read_text("utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("status")] == ["status.html"]
    assert TinyDBRepository(demo_path).snapshot().all(StatusReport) == [], "not kept unasked"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--reopen", "RPT-9"], "no status report with key 'RPT-9'"),
        (["--keep", "--reopen", "RPT-1"], "cannot be kept again"),
        (["--closing", "--keep"], "not with --closing"),
        (["--closing", "--format", "html"], "Markdown only"),
        (["-o", "/no/such/dir/r.md"], "no such directory"),
    ],
)
def test_cli_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], demo_path: Path, argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "report", "--project", "NWPORTAL", *argv)
    assert (code, out) == (2, "")
    assert message in err and len(err.strip().splitlines()) == 1
    assert TinyDBRepository(demo_path).snapshot().all(StatusReport) == []


def test_keeping_on_a_closed_project_is_refused_and_nothing_is_printed(
    capsys: pytest.CaptureFixture[str], demo_path: Path
) -> None:
    with clock.frozen(FIXED_NOW):
        repo = TinyDBRepository(demo_path)
        project = repo.snapshot().project("NWPORTAL")
        repo.update(
            project.model_copy(update={"closed_at": FIXED_NOW, "close_override_reason": "test"})
        )
    code, out, err = run(capsys, "report", "--project", "NWPORTAL", "--keep")
    assert (code, out) == (2, "")
    assert "closed" in err


def test_an_occurrence_held_in_the_period_counts_once_it_is_recorded(
    repo: TinyDBRepository, fixed_clock: datetime
) -> None:
    project = repo.add(Project(name="Portal", key="PORTAL", start=date(2026, 11, 1)))
    first = datetime(2026, 11, 2, 10, tzinfo=UTC)
    repo.add(
        Meeting(
            project_id=project.id,
            title="Sync",
            start=first,
            rrule="FREQ=WEEKLY;COUNT=8",
            status=MeetingStatus.SCHEDULED,
            exceptions=[
                OccurrenceChange(
                    original_start=first + timedelta(weeks=1),
                    status=MeetingStatus.MINUTED,
                    decisions=["Go with plan B"],
                ),
                OccurrenceChange(original_start=first + timedelta(weeks=2), cancelled=True),
            ],
        )
    )
    snapshot = repo.snapshot()
    md = status_report(snapshot, project, FIXED_NOW).markdown
    done = section(md, "Done in this period")
    assert "- Mon 2026-11-09 MTG-1 Sync\n  - Decision: Go with plan B" in done
    assert "2026-11-02" not in done and "2026-11-16" not in done
    upcoming = section(md, "Next 14 days")
    assert "| 2026-11-23 10:00 UTC | MTG-1 | Sync |" in upcoming
    assert "| 2026-11-30 10:00 UTC | MTG-1 | Sync |" in upcoming


def test_a_project_that_has_not_started_still_gets_a_report(
    repo: TinyDBRepository, fixed_clock: datetime
) -> None:
    project = repo.add(
        Project(name="Later", key="LATER", timezone="Europe/Berlin", start=date(2027, 3, 1))
    )
    content = status_report(repo.snapshot(), project, fixed_clock)
    assert content.period_start == fixed_clock - timedelta(days=14)
    assert content.period_end == fixed_clock


# -- issue 20: the report does not contradict itself -----------------------------------
# Each test first reproduces what the client saw, then what the report says now.


@pytest.fixture
def troubled(repo: TinyDBRepository, fixed_clock: datetime) -> Project:
    """A project whose risk is red (a critical threat) and scope amber (a pending change)."""
    project = repo.add(Project(name="Portal", key="PORTAL", start=date(2026, 11, 1)))
    repo.add(Risk(project_id=project.id, title="Supplier goes bust", probability=4, impact=5))
    repo.add(change(project_id=project.id, received_at=FIXED_NOW - timedelta(days=3)))
    return project


def test_overall_status_is_the_worst_dimension_not_a_hand_set_green(
    repo: TinyDBRepository, troubled: Project
) -> None:
    snapshot = repo.snapshot()
    md = status_report(snapshot, troubled, FIXED_NOW).markdown
    # Reported: "Overall status: [GREEN]" beside Risk [RED] and Scope [AMBER].
    assert "\\[GREEN\\]** (" not in md
    assert "- **Overall status:** **\\[RED\\]** (the worst dimension: risk)" in md
    ratings = section(md, "Status by dimension")
    assert "**\\[RED\\]** **Risk:** 1 critical threat (RSK-1)" in ratings
    assert "**\\[AMBER\\]** **Scope:** 1 change request awaits a decision" in ratings
    overall = overall_status(snapshot, troubled, FIXED_NOW)
    assert (overall.rag, overall.derived, overall.overridden) == (RAG.RED, RAG.RED, False)
    assert worst([RAG.GREEN, RAG.AMBER]) is RAG.AMBER and worst([]) is RAG.GREEN


def test_an_override_needs_a_reason_and_then_both_show(
    repo: TinyDBRepository, troubled: Project
) -> None:
    with pytest.raises(ValidationFailed, match="needs a reason") as refused:
        repo.update(troubled.model_copy(update={"rag_override": RAG.AMBER}))
    assert "\n" not in str(refused.value)
    reason = "the supplier signed a <b>rescue</b> deal today"
    saved = repo.update(
        repo.snapshot()
        .project("PORTAL")
        .model_copy(update={"rag_override": RAG.AMBER, "rag_override_reason": reason})
    )
    snapshot = repo.snapshot()
    content = status_report(snapshot, saved, FIXED_NOW)
    assert (
        "- **Overall status:** **\\[AMBER\\]** set by the project manager: the supplier signed "
        "a \\<b\\>rescue\\</b\\> deal today; the dimensions below give **\\[RED\\]**"
    ) in content.markdown
    assert '<span class="rag rag-amber">AMBER</span> set by the project manager:' in content.html
    assert "&lt;b&gt;rescue" in content.html
    overall = overall_status(snapshot, saved, FIXED_NOW)
    assert (overall.rag, overall.derived) == (RAG.AMBER, RAG.RED)
    assert overall.summary == f"AMBER, set by the PM: {reason} (the dimensions give RED)"
    # Handing it back to the dimensions drops the reason with it.
    cleared = repo.update(saved.model_copy(update={"rag_override": None}))
    assert (cleared.rag_override, cleared.rag_override_reason) == (None, "")


def _answered_late(repo: TinyDBRepository, project: Project) -> ClientRequest:
    """A P1 complaint at 08:00 (first response due 09:00), answered 15:34, resolved 15:50."""
    received = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    with clock.frozen(received):
        request = repo.add(
            ClientRequest(
                project_id=project.id,
                type=RequestType.COMPLAINT,
                title="Checkout is down",
                priority="P1",
                received_at=received,
            )
        )
    with clock.frozen(datetime(2026, 11, 20, 15, 34, tzinfo=UTC)):
        request = repo.update(request.model_copy(update={"status": RequestStatus.ACKNOWLEDGED}))
    with clock.frozen(datetime(2026, 11, 20, 15, 50, tzinfo=UTC)):
        return repo.update(request.model_copy(update={"status": RequestStatus.RESOLVED}))


def test_a_response_answered_late_stays_a_breach_of_its_period(
    repo: TinyDBRepository, fixed_clock: datetime
) -> None:
    project = repo.add(Project(name="Shop", key="SHOP", start=date(2026, 11, 1)))
    request = _answered_late(repo, project)
    snapshot = repo.snapshot()
    # Reported: the pane's count fell to 0 on acknowledge, the report said all was well.
    assert not sla.is_breached(request.clocks_in(project, FIXED_NOW))
    md = status_report(snapshot, project, FIXED_NOW).markdown
    assert "Every open request is within its response time" not in md
    missed = section(md, "Response times missed this period")
    assert (
        "| REQ-1 | Checkout is down | P1 | first response | 6h 34m "
        "| answered 2026-11-20 15:34 UTC |"
    ) in missed
    assert "resolution" not in missed, "resolved within its 8 hours"
    # The store says the same: which clock, due when, how late, stopped when.
    (breach,) = sla.breaches_in_period(request, project, PERIOD_START, FIXED_NOW)
    assert breach.clock == "first response"
    assert breach.due_at == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert sla.format_duration(breach.over_seconds) == "6h 34m"
    assert breach.stopped_at == datetime(2026, 11, 20, 15, 34, tzinfo=UTC)
    # A period that ends before the answer sees a clock still running late;
    # one that starts after it has nothing to say.
    (running,) = sla.breaches_in_period(
        request, project, PERIOD_START, datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    )
    assert (running.stopped_at, running.over_seconds) == (None, 3 * 3600)
    later = status_report(snapshot, project, FIXED_NOW, since=FIXED_NOW - timedelta(days=1))
    missed = section(later.markdown, "Response times missed this period")
    assert "REQ-1" not in missed
    assert "No response time was missed in this period" in missed


def test_open_requests_breached_now_still_show_and_paused_ones_say_so(
    repo: TinyDBRepository, fixed_clock: datetime
) -> None:
    project = repo.add(Project(name="Shop", key="SHOP", start=date(2026, 11, 1)))
    repo.add(
        ClientRequest(
            project_id=project.id,
            title="Still unanswered",
            priority="P1",
            received_at=FIXED_NOW - timedelta(hours=3),
        )
    )
    with clock.frozen(FIXED_NOW - timedelta(hours=12)):
        waiting = repo.add(
            ClientRequest(
                project_id=project.id,
                title="Waiting on the client",
                priority="P1",
                received_at=FIXED_NOW - timedelta(hours=12),
            )
        )
    with clock.frozen(FIXED_NOW - timedelta(hours=11, minutes=30)):
        waiting = repo.update(waiting.model_copy(update={"status": RequestStatus.IN_PROGRESS}))
    with clock.frozen(FIXED_NOW - timedelta(hours=1)):
        repo.update(waiting.model_copy(update={"status": RequestStatus.WAITING_ON_CLIENT}))
    md = status_report(repo.snapshot(), project, FIXED_NOW).markdown
    missed = section(md, "Response times missed this period")
    assert "| REQ-1 | Still unanswered | P1 | first response | 2h | still open |" in missed
    assert "| REQ-1 | Still unanswered | P1 | resolution |" not in missed  # 8 h not up yet
    # Resolution due 8 h after receipt, 3 h before it went to wait on the client.
    assert (
        "| REQ-2 | Waiting on the client | P1 | resolution | 4h | still open, waiting on your "
        "answer |"
    ) in missed


def test_top_risks_come_only_from_the_configured_band(
    repo: TinyDBRepository, fixed_clock: datetime
) -> None:
    project = repo.add(Project(name="Shop", key="SHOP", start=date(2026, 11, 1)))
    repo.add(Risk(project_id=project.id, title="Typo in the footer", probability=1, impact=3))
    repo.add(Risk(project_id=project.id, title="Slow search", probability=2, impact=3))
    snapshot = repo.snapshot()
    md = status_report(snapshot, project, FIXED_NOW).markdown
    # Reported: "Top risks" listed a low risk scored 3.
    risks = section(md, "Top risks")
    assert "Typo in the footer" not in risks and "Slow search" not in risks
    assert "No open threat scored high or above." in risks
    medium = status_report(snapshot, project, FIXED_NOW, top_risks_from="medium").markdown
    risks = section(medium, "Top risks")
    assert "Open threats scored medium or above." in risks
    assert "| RSK-2 | Slow search | 6 | medium |" in risks and "RSK-1" not in risks
    everything = status_report(snapshot, project, FIXED_NOW, top_risks_from="low").markdown
    assert "| RSK-1 | Typo in the footer | 3 | low |" in section(everything, "Top risks")
    critical = status_report(snapshot, project, FIXED_NOW, top_risks_from="critical").markdown
    assert "No open threat scored critical." in section(critical, "Top risks")
    with pytest.raises(ValidationFailed, match="no risk band 'hihg'"):
        status_report(snapshot, project, FIXED_NOW, top_risks_from="hihg")
    assert RISK_BANDS == config.RISK_BANDS, "the config file and the report name the same bands"


def test_plan_items_due_in_the_next_14_days_are_listed_with_their_day(
    repo: TinyDBRepository, fixed_clock: datetime
) -> None:
    project = repo.add(Project(name="Shop", key="SHOP", start=date(2026, 11, 1)))
    # FIXED_NOW is Monday 23 November 09:00 UTC; the window ends Monday 7 December 09:00.
    repo.add(
        CommunicationPlanItem(
            project_id=project.id,
            title="Weekly call",
            owner="Pat",
            first_due=datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
            cadence="FREQ=WEEKLY;BYDAY=MO",
        )
    )
    repo.add(
        CommunicationPlanItem(
            project_id=project.id,
            title="Budget review",
            first_due=datetime(2026, 12, 1, 14, 0, tzinfo=UTC),
        )
    )
    repo.add(
        CommunicationPlanItem(
            project_id=project.id,
            title="Year-end letter",
            first_due=datetime(2026, 12, 20, 9, 0, tzinfo=UTC),
        )
    )
    upcoming = section(status_report(repo.snapshot(), project, FIXED_NOW).markdown, "Next 14 days")
    due = [line for line in upcoming.splitlines() if line.startswith("| ") and "PLN-" in line]
    assert due == [
        "| Mon 2026-11-23 | PLN-1 | Weekly call | Pat |",
        "| Mon 2026-11-30 | PLN-1 | Weekly call | Pat |",
        "| Tue 2026-12-01 | PLN-2 | Budget review | — |",
    ]


def test_cli_sets_the_overall_status_by_hand_only_with_a_reason(
    capsys: pytest.CaptureFixture[str], demo_path: Path
) -> None:
    code, out, err = run(capsys, "edit", "project", "NWPORTAL", "--rag-override", "amber")
    assert (code, out) == (2, "")
    assert "needs a reason" in err and len(err.strip().splitlines()) == 1
    assert TinyDBRepository(demo_path).snapshot().project("NWPORTAL").rag_override is None

    reason = "the sponsor accepted the payment API risk"
    code, _, err = run(
        capsys, "edit", "project", "NWPORTAL", "--rag-override", "Amber", "--rag-reason", reason
    )
    assert (code, err) == (0, "")
    code, report, _ = run(capsys, "report", "--project", "NWPORTAL")
    assert (
        f"- **Overall status:** **\\[AMBER\\]** set by the project manager: {reason}; "
        "the dimensions below give **\\[RED\\]**"
    ) in report
    code, listed, _ = run(capsys, "list", "projects", "--json")
    project = next(p for p in json.loads(listed) if p["key"] == "NWPORTAL")
    assert (project["overall_rag"], project["derived_rag"]) == ("amber", "red")
    assert (project["rag_override"], project["rag_override_reason"]) == ("amber", reason)
    code, table, _ = run(capsys, "list", "projects")
    assert re.search(r"NWPORTAL .* amber \(set by hand\)", table)

    # "none" hands the overall status back to the dimensions, reason and all.
    code, _, err = run(capsys, "edit", "project", "NWPORTAL", "--rag-override", "none")
    assert (code, err) == (0, "")
    stored = TinyDBRepository(demo_path).snapshot().project("NWPORTAL")
    assert (stored.rag_override, stored.rag_override_reason) == (None, "")
    code, report, _ = run(capsys, "report", "--project", "NWPORTAL")
    assert "- **Overall status:** **\\[RED\\]** (the worst dimension: risk)" in report


def test_cli_report_takes_top_risks_from_the_config_band(
    capsys: pytest.CaptureFixture[str], demo_path: Path
) -> None:
    config_file = paths.default_config_path()
    config_file.parent.mkdir(parents=True, exist_ok=True)
    code, report, _ = run(capsys, "report", "--project", "NWPORTAL")
    assert "RSK-3" not in section(report, "Top risks"), "a low risk is no top risk by default"

    config_file.write_text('[report]\ntop_risks_from = "low"\n', encoding="utf-8")
    code, report, err = run(capsys, "report", "--project", "NWPORTAL")
    assert (code, err) == (0, "")
    assert "| RSK-3 | Scope creep through informal requests | 4 | low |" in section(
        report, "Top risks"
    )

    config_file.write_text('[report]\ntop_risks_from = "hihg"\n', encoding="utf-8")
    code, out, err = run(capsys, "report", "--project", "NWPORTAL")
    assert (code, out) == (2, "")
    assert err.strip() == (
        f"clientdesk: {config_file}: report.top_risks_from: no risk band 'hihg' "
        "(did you mean 'high'?)"
    )


async def test_the_app_header_and_the_written_report_agree_on_an_overridden_status(
    demo_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where the app writes the report unless told otherwise
    reason = "Sponsor accepts the API risk"
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        header = screen_text(app).splitlines()[0]
        assert "NWPORTAL" in header and header.rstrip().endswith("RED")  # the worst dimension
        await pilot.press("P")
        await settle(pilot)
        await choose_option(pilot, "rag_override", 2)  # after "from the dimensions" and green
        form = app.screen
        form.query_one("#field-rag_override_reason", Input).focus()
        await pilot.press(*reason)
        await pilot.press("ctrl+s")
        await settle(pilot)
        header = screen_text(app).splitlines()[0]
        assert re.search(r"AMBER\s+set by PM; dimensions\s+RED", header), header
        await pilot.press("ctrl+r")
        await settle(pilot)
        written = sorted(tmp_path.rglob("NWPORTAL-status-report*.md"))
        assert written, "the report was written"
    report = written[0].read_text("utf-8")
    assert (
        f"- **Overall status:** **\\[AMBER\\]** set by the project manager: {reason}; "
        "the dimensions below give **\\[RED\\]**"
    ) in report
