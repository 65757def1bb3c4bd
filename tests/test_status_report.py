"""The client-facing status report: content on the demo data, RAG rules, escaping, keeping.

The report is built in the store (no terminal); keeping and reopening go
through the command line as a user types it, with the clock fixed.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from clientdesk.store import clock
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
    ReportContent,
    cost_rating,
    keep_report,
    risk_rating,
    schedule_rating,
    scope_rating,
    status_report,
)
from clientdesk.tui.cli import main
from tests.helpers.ui import FIXED_NOW

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
    assert "- **Overall status:** **\\[GREEN\\]**" in md
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
    breached = section(md, "Open requests past their response time")
    assert "| REQ-8 | Move the go-live by one week | P4 | new | first response | 4d 17h |" in (
        breached
    )
    assert "| REQ-10 | Who signs off the user acceptance tests? |" in breached
    assert "REQ-2 " not in breached  # within its time
    assert "REQ-4" not in breached  # its clock is paused within target
    risks = section(md, "Top risks")
    rows = [line for line in risks.splitlines() if line.startswith("| RSK-")]
    assert [row.split(" | ")[0] for row in rows] == [
        "| RSK-5",
        "| RSK-4",
        "| RSK-1",
        "| RSK-2",
        "| RSK-3",
    ]
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
