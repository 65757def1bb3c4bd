"""Risk rules without a terminal: bands, score history, residual scores, closing, the CLI."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from clientdesk.store import rules
from clientdesk.store.enums import RiskKind, RiskResponse, RiskStatus
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.integrity import find_problems
from clientdesk.store.models import Meeting, Project, Risk
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.snapshot import dump_record, validate_record
from clientdesk.tui.cli import main

NOW = "2026-11-23T09:00:00+00:00"


@pytest.fixture
def project(repo: TinyDBRepository) -> Project:
    """An empty project in an empty store."""
    return repo.add(Project(name="Portal", key="PORTAL"))


def new_risk(project: Project, **fields: object) -> Risk:
    """A valid threat of ``project`` with ``fields`` changed (validated like the app does)."""
    data: dict[str, object] = {"project_id": project.id, "title": "Key developer leaves"}
    data.update(fields)
    return validate_record(Risk, data)


def edited(risk: Risk, **fields: object) -> Risk:
    """``risk`` with ``fields`` changed, validated as the form and the CLI validate it."""
    return validate_record(Risk, {**dump_record(risk), **fields})


# -- scores and bands ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("probability", "impact", "score", "band"),
    [
        (1, 1, 1, "low"),
        (2, 2, 4, "low"),
        (1, 5, 5, "medium"),
        (3, 3, 9, "medium"),
        (2, 5, 10, "high"),
        (3, 5, 15, "high"),
        (4, 4, 16, "critical"),
        (5, 5, 25, "critical"),
    ],
)
def test_every_band_edge_on_the_model(
    project: Project, probability: int, impact: int, score: int, band: str
) -> None:
    risk = new_risk(
        project,
        probability=probability,
        impact=impact,
        residual_probability=probability,
        residual_impact=impact,
    )
    assert (risk.score, risk.band) == (score, band)
    assert (risk.residual_score, risk.residual_band) == (score, band)


def test_residual_fields_are_none_without_residual_levels(project: Project) -> None:
    risk = new_risk(project)
    assert risk.residual_score is None and risk.residual_band is None


@pytest.mark.parametrize("level", [0, 6])
def test_levels_outside_one_to_five_are_refused(project: Project, level: int) -> None:
    with pytest.raises(ValidationFailed, match="probability"):
        new_risk(project, probability=level)
    with pytest.raises(ValidationFailed, match="residual_impact"):
        new_risk(project, residual_probability=1, residual_impact=level)


def test_level_labels_and_meanings_cover_every_level() -> None:
    assert [rules.level_label(level) for level in (1, 5)] == ["1 very low", "5 very high"]
    assert sorted(rules.PROBABILITY_MEANINGS) == sorted(rules.IMPACT_MEANINGS) == [1, 2, 3, 4, 5]


# -- rules ---------------------------------------------------------------------------


def test_response_must_fit_the_kind(project: Project) -> None:
    with pytest.raises(ValidationFailed, match="a threat takes one of these responses"):
        new_risk(project, response=RiskResponse.EXPLOIT)
    with pytest.raises(ValidationFailed, match="an opportunity takes one of these responses"):
        new_risk(project, kind=RiskKind.OPPORTUNITY, response=RiskResponse.MITIGATE)
    assert new_risk(project, kind=RiskKind.OPPORTUNITY, response=RiskResponse.EXPLOIT)


def test_residual_above_inherent_needs_a_reason(project: Project) -> None:
    with pytest.raises(ValidationFailed) as refused:
        new_risk(project, probability=2, impact=2, residual_probability=3, residual_impact=2)
    message = str(refused.value)
    assert "residual score 6 is above the inherent score 4" in message
    assert "\n" not in message
    allowed = new_risk(
        project,
        probability=2,
        impact=2,
        residual_probability=3,
        residual_impact=2,
        residual_reason="the workaround adds a second supplier",
    )
    assert allowed.residual_score == 6
    # Equal is fine without a reason.
    assert new_risk(project, probability=2, impact=2, residual_probability=2, residual_impact=2)


def test_closing_needs_a_reason(project: Project) -> None:
    with pytest.raises(ValidationFailed, match="closing a risk needs a reason"):
        new_risk(project, status=RiskStatus.CLOSED)
    with pytest.raises(ValidationFailed, match="closing a risk needs a reason"):
        new_risk(project, status=RiskStatus.CLOSED, close_reason="   ")
    closed = new_risk(project, status=RiskStatus.CLOSED, close_reason="contract signed")
    assert closed.status is RiskStatus.CLOSED


def test_review_overdue_only_for_risks_not_closed(project: Project) -> None:
    risk = new_risk(project, next_review=date(2026, 11, 20))
    assert risk.review_overdue(date(2026, 11, 21))
    assert not risk.review_overdue(date(2026, 11, 20))
    assert not new_risk(project).review_overdue(date(2026, 11, 21))
    closed = edited(risk, status="closed", close_reason="gone")
    assert not closed.review_overdue(date(2026, 11, 21))
    assert risk.computed(datetime.fromisoformat(NOW)) == {"review_overdue": True}


# -- score history -------------------------------------------------------------------


def test_history_grows_on_every_change_of_probability_or_impact(
    repo: TinyDBRepository, project: Project
) -> None:
    risk = repo.add(new_risk(project, probability=2, impact=3))
    assert risk.history == []
    risk = repo.update(edited(risk, impact=5))
    assert len(risk.history) == 1
    entry = risk.history[0]
    assert (entry.old_probability, entry.old_impact, entry.old_score) == (2, 3, 6)
    assert (entry.probability, entry.impact, entry.score) == (2, 5, 10)
    assert entry.by == repo.user == "tester"
    assert entry.at == risk.updated_at
    risk = repo.update(edited(risk, title="Lead developer leaves", owner="Kim"))
    assert len(risk.history) == 1, "no entry without a change of P or I"
    risk = repo.update(edited(risk, probability=4))
    assert [(e.old_score, e.score) for e in risk.history] == [(6, 10), (10, 20)]
    again = repo.snapshot().get(Risk, risk.id)
    assert again is not None and again.history == risk.history


def test_a_caller_cannot_rewrite_the_history(repo: TinyDBRepository, project: Project) -> None:
    risk = repo.update(edited(repo.add(new_risk(project)), impact=1))
    rewritten = repo.update(edited(risk, history=[], owner="someone"))
    assert len(rewritten.history) == 1


# -- the command line ----------------------------------------------------------------


@pytest.fixture
def cli_demo(
    capsys: pytest.CaptureFixture[str], data_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The demo data set written through the command line at a fixed time."""
    monkeypatch.setenv("CLIENTDESK_NOW", NOW)
    assert main(["demo", "--seed", "3"]) == 0
    capsys.readouterr()
    return data_path


def test_add_risk_with_probability_6_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], cli_demo: Path
) -> None:
    before = cli_demo.read_bytes()
    code = main(["add", "risk", "--project", "NWPORTAL", "--title", "x", "--probability", "6"])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "probability" in err
    assert cli_demo.read_bytes() == before


def test_cli_residual_and_close_rules(capsys: pytest.CaptureFixture[str], cli_demo: Path) -> None:
    base = ["add", "risk", "--project", "NWPORTAL", "--title", "x"]
    code = main([*base, "--probability", "1", "--impact", "1", "--residual-probability", "2"])
    assert code == 0, "a residual level alone has no residual score"
    capsys.readouterr()
    code = main([*base, "--probability", "1", "--impact", "1", *_residual(2, 2)])
    err = capsys.readouterr().err
    assert code == 2 and "above the inherent score" in err and len(err.splitlines()) == 1
    code = main([*base, "--probability", "1", "--impact", "1", *_residual(2, 2),
                 "--residual-reason", "a new dependency"])  # fmt: skip
    assert code == 0
    key = capsys.readouterr().out.strip()
    code = main(["edit", "risk", key, "--project", "NWPORTAL", "--status", "closed"])
    err = capsys.readouterr().err
    assert code == 2 and "closing a risk needs a reason" in err
    code = main(["edit", "risk", key, "--project", "NWPORTAL", "--status", "closed",
                 "--close-reason", "supplier replaced"])  # fmt: skip
    assert code == 0


def test_cli_edit_records_the_history_and_list_json_has_computed_fields(
    capsys: pytest.CaptureFixture[str], cli_demo: Path
) -> None:
    assert main(["add", "risk", "--project", "NWPORTAL", "--title", "x", "--impact", "2"]) == 0
    key = capsys.readouterr().out.strip()
    assert main(["edit", "risk", key, "--project", "NWPORTAL", "--impact", "5"]) == 0
    capsys.readouterr()
    assert main(["list", "risks", "--project", "NWPORTAL", "--json"]) == 0
    risks = {r["key"]: r for r in json.loads(capsys.readouterr().out)}
    risk = risks[key]
    assert [(h["old_impact"], h["impact"], h["by"]) for h in risk["history"]] == [(2, 5, "tester")]
    for field in ("score", "band", "residual_score", "residual_band", "review_overdue"):
        assert field in risk
    assert (risk["score"], risk["band"]) == (15, "high")


def _residual(probability: int, impact: int) -> list[str]:
    return ["--residual-probability", str(probability), "--residual-impact", str(impact)]


def test_a_file_written_before_the_new_rules_still_opens(
    repo: TinyDBRepository, project: Project, data_path: Path
) -> None:
    risk = repo.add(new_risk(project, probability=1, impact=1))
    data = json.loads(data_path.read_text("utf-8"))
    (doc,) = data["risks"].values()
    doc.update(status="closed", residual_probability=5, residual_impact=5)
    data_path.write_text(json.dumps(data), "utf-8")
    stored = TinyDBRepository(data_path).snapshot().get(Risk, risk.id)
    assert stored is not None and stored.status is RiskStatus.CLOSED
    # Changing it applies the rules again.
    with pytest.raises(ValidationFailed, match="residual score 25 is above"):
        edited(stored, title="Any change")
    with pytest.raises(ValidationFailed, match="closing a risk needs a reason"):
        edited(stored, title="Any change", residual_reason="new supplier")


# -- meetings raised for a risk that occurred ------------------------------------------


@pytest.mark.parametrize(
    ("now", "zone_name", "expected"),
    [
        ("2026-11-23T09:00:00+00:00", "UTC", "2026-11-24T10:00:00+00:00"),  # Mon -> Tue
        ("2026-11-27T09:00:00+00:00", "UTC", "2026-11-30T10:00:00+00:00"),  # Fri -> Mon
        ("2026-11-28T12:00:00+00:00", "UTC", "2026-11-30T10:00:00+00:00"),  # Sat -> Mon
        ("2026-11-29T23:30:00+00:00", "UTC", "2026-11-30T10:00:00+00:00"),  # Sun -> Mon
        # Friday 20:00 in UTC is already Saturday in Tokyo: Monday there.
        ("2026-11-27T20:00:00+00:00", "Asia/Tokyo", "2026-11-30T10:00:00+09:00"),
        # Sunday 23:00 in UTC is Monday in Berlin: Tuesday 10:00 Berlin time.
        ("2026-11-29T23:00:00+00:00", "Europe/Berlin", "2026-12-01T10:00:00+01:00"),
        # Across the change to summer time: 10:00 on the wall clock.
        ("2026-03-27T12:00:00+00:00", "Europe/Berlin", "2026-03-30T10:00:00+02:00"),
    ],
)
def test_next_working_day_at_ten_in_the_zone(now: str, zone_name: str, expected: str) -> None:
    start = rules.next_working_day_at(datetime.fromisoformat(now), ZoneInfo(zone_name), time(10))
    assert start == datetime.fromisoformat(expected)
    assert start.astimezone(ZoneInfo(zone_name)).hour == 10
    assert start.astimezone(ZoneInfo(zone_name)).weekday() < 5


def test_meetings_link_to_risks_and_check_reports_a_missing_one(
    repo: TinyDBRepository, project: Project
) -> None:
    risk = repo.add(new_risk(project))
    meeting = repo.add(
        Meeting(
            project_id=project.id,
            title="Risk occurred: Key developer leaves",
            kind="review",
            start=datetime.fromisoformat("2026-11-24T10:00:00+00:00"),
            risk_ids=[risk.id],
        )
    )
    assert [m.risk_ids for m in repo.snapshot().all(Meeting)] == [[risk.id]]
    assert find_problems(repo.snapshot()) == []
    repo.delete(repo.snapshot().get(Risk, risk.id) or risk)
    assert find_problems(repo.snapshot()) == [
        f"meeting {meeting.key} links to a risk that does not exist"
    ]


def test_a_meeting_stored_without_risk_ids_reads_as_linked_to_none(
    repo: TinyDBRepository, project: Project, data_path: Path
) -> None:
    """Meetings written before ``risk_ids`` existed still open."""
    repo.add(Meeting(project_id=project.id, title="Kick-off", start=datetime.fromisoformat(NOW)))
    tables = json.loads(data_path.read_text())
    for stored in tables["meetings"].values():
        del stored["risk_ids"]
    data_path.write_text(json.dumps(tables))
    (meeting,) = TinyDBRepository(data_path).snapshot().all(Meeting)
    assert meeting.risk_ids == []


def test_follow_ups_of_an_occurred_risk_link_back_to_it() -> None:
    """The request and the meeting raised for an occurred risk are built in the store,
    linked to the risk: a P2 change request for a high risk, and a draft review the next
    working day at 10:00 in the project's zone."""
    from datetime import UTC, datetime

    from clientdesk.store.follow_ups import meeting_for_occurred_risk, request_for_occurred_risk
    from clientdesk.store.models import Project, Risk

    project = Project(name="Portal", timezone="Europe/Berlin", organiser_email="pm@x.example")
    risk = Risk(
        project_id=project.id,
        key="RSK-3",
        title="Supplier goes bust",
        probability=4,
        impact=4,
        contingency="Switch to the second supplier",
    )
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    request = request_for_occurred_risk(risk, friday_evening)
    assert (request.type, request.priority, request.risk_ids) == ("change_request", "P2", [risk.id])
    assert request.description.startswith("RSK-3 occurred.")
    assert "Switch to the second supplier" in request.description
    meeting = meeting_for_occurred_risk(risk, project, friday_evening)
    assert meeting.risk_ids == [risk.id] and meeting.status == "draft"
    assert meeting.start.isoformat() == "2026-11-30T10:00:00+01:00"  # Monday, Berlin
    assert meeting.organiser_email == "pm@x.example"
