"""The command line for client requests: workflow, clocks, change control, service levels.

Driven in-process through ``main`` as a user types it, with the clock fixed
(``CLIENTDESK_NOW``) and moved forward between commands where the test needs
time to pass.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from clientdesk.tui.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return exit status, stdout and stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run a command that must succeed silently on stderr; return its stdout."""
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, ""), err
    return out


def requests(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, Any]]:
    """``list requests --json`` of the SHOP project, by key."""
    out = ok(capsys, "list", "requests", "--project", "SHOP", "--json")
    return {record["key"]: record for record in json.loads(out)}


def at(monkeypatch: pytest.MonkeyPatch, moment: str) -> None:
    """Move the clock of every following command to ``moment`` (ISO 8601)."""
    monkeypatch.setenv("CLIENTDESK_NOW", moment)


@pytest.fixture
def shop(capsys: pytest.CaptureFixture[str], data_path: Path, app_now: datetime) -> Path:
    """A project SHOP in Berlin with one meeting (MTG-1) and one risk (RSK-1)."""
    ok(capsys, "add", "project", "--name", "Web shop", "--key", "SHOP", "--tz", "Europe/Berlin")
    ok(
        capsys, "add", "meeting", "--project", "SHOP", "--title", "Weekly",
        "--start", "2026-11-20 10:00",
    )  # fmt: skip
    ok(capsys, "add", "risk", "--project", "SHOP", "--title", "Payment provider is late")
    return data_path


def test_a_request_received_in_the_past_has_its_clocks_in_list_json(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    out = ok(
        capsys, "add", "request", "--project", "SHOP", "--title", "Refund button is missing",
        "--received-at", "2026-11-20 16:00", "--priority", "P3",
    )  # fmt: skip
    assert out == "REQ-1\n"
    request = requests(capsys)["REQ-1"]
    assert request["received_at"] == "2026-11-20T16:00:00+01:00"
    # Now is Monday 10:00 Berlin: Friday 16-17 and Monday 09-10 counted, 6 of 8 h left.
    assert request["first_response_due_at"] == "2026-11-23T15:00:00+00:00"
    assert request["first_response_left_seconds"] == 6 * 3600
    assert request["first_response_breached"] is False
    assert request["resolution_due_at"] == "2026-11-27T15:00:00+00:00"
    assert request["resolution_left_seconds"] == 38 * 3600
    assert (request["paused"], request["paused_seconds"]) == (False, 0)
    assert request["project_key"] == "SHOP"


def test_the_workflow_through_edit_pauses_the_clock_while_waiting(
    capsys: pytest.CaptureFixture[str], shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(capsys, "add", "request", "--project", "SHOP", "--title", "Refunds", "--priority", "P2")
    moves = [
        ("2026-11-23T10:00:00+00:00", "acknowledged"),
        ("2026-11-23T11:00:00+00:00", "in-progress"),
        ("2026-11-23T12:00:00+00:00", "waiting-on-client"),
        ("2026-11-24T09:00:00+00:00", "in progress"),
        ("2026-11-24T10:00:00+00:00", "resolved"),
        ("2026-11-24T11:00:00+00:00", "in_progress"),  # reopened
    ]
    for revision, (moment, status) in enumerate(moves, start=2):
        at(monkeypatch, moment)
        out = ok(capsys, "edit", "request", "REQ-1", "--project", "SHOP", "--status", status)
        assert out == f"REQ-1 revision {revision}\n"
        if status == "waiting-on-client":
            at(monkeypatch, "2026-11-23T15:00:00+00:00")
            waiting = requests(capsys)["REQ-1"]
            assert waiting["status"] == "waiting_on_client" and waiting["paused"] is True
            assert waiting["paused_seconds"] == 3 * 3600
            table = ok(capsys, "list", "requests", "--project", "SHOP")
            # P2: 16 h; Monday 10:00-13:00 Berlin counted, 13 h left, not running.
            assert "13h (paused)" in table
    request = requests(capsys)["REQ-1"]
    assert [(m["old"], m["new"], m["by"]) for m in request["status_history"]] == [
        ("new", "acknowledged", "tester"),
        ("acknowledged", "in_progress", "tester"),
        ("in_progress", "waiting_on_client", "tester"),
        ("waiting_on_client", "in_progress", "tester"),
        ("in_progress", "resolved", "tester"),
        ("resolved", "in_progress", "tester"),
    ]
    assert request["status_history"][2]["at"] == "2026-11-23T12:00:00Z"
    # The first answer came an hour after it arrived (09:00 UTC).
    assert request["first_response_at"] == "2026-11-23T10:00:00+00:00"
    assert request["paused_seconds"] == 21 * 3600


def test_an_illegal_move_exits_2_with_the_stores_message(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    ok(capsys, "add", "request", "--project", "SHOP", "--title", "Refunds")
    before = shop.read_bytes()
    code, out, err = run(
        capsys, "edit", "request", "REQ-1", "--project", "SHOP", "--status", "closed"
    )
    assert (code, out) == (2, "")
    assert err == (
        "clientdesk: a request cannot move from new to closed "
        "(from new: acknowledged, in progress, waiting on client, resolved, rejected)\n"
    )
    assert shop.read_bytes() == before


def test_rejecting_needs_a_reason(capsys: pytest.CaptureFixture[str], shop: Path) -> None:
    ok(capsys, "add", "request", "--project", "SHOP", "--title", "Free hosting")
    before = shop.read_bytes()
    code, _, err = run(
        capsys, "edit", "request", "REQ-1", "--project", "SHOP", "--status", "rejected"
    )
    assert code == 2 and "rejecting a request needs a reason" in err
    assert len(err.splitlines()) == 1 and shop.read_bytes() == before
    ok(
        capsys, "edit", "request", "REQ-1", "--project", "SHOP", "--status", "rejected",
        "--reject-reason", "not in the contract",
    )  # fmt: skip
    request = requests(capsys)["REQ-1"]
    assert (request["status"], request["reject_reason"]) == ("rejected", "not in the contract")
    code, _, err = run(
        capsys, "edit", "request", "REQ-1", "--project", "SHOP", "--status", "in-progress"
    )
    assert code == 2 and "a rejected request cannot change status any more" in err


def test_comments_meetings_and_risks(capsys: pytest.CaptureFixture[str], shop: Path) -> None:
    ok(
        capsys, "add", "request", "--project", "SHOP", "--title", "Refunds",
        "--comment", "Raised in the weekly.", "--meeting", "MTG-1", "--risk", "rsk-1",
    )  # fmt: skip
    ok(capsys, "edit", "request", "REQ-1", "--project", "SHOP", "--comment", "Asked finance.")
    request = requests(capsys)["REQ-1"]
    assert [(c["text"], c["by"]) for c in request["comments"]] == [
        ("Raised in the weekly.", "tester"),
        ("Asked finance.", "tester"),
    ]
    meetings = json.loads(ok(capsys, "list", "meetings", "--project", "SHOP", "--json"))
    risks = json.loads(ok(capsys, "list", "risks", "--project", "SHOP", "--json"))
    assert request["meeting_ids"] == [meetings[0]["id"]]
    assert request["risk_ids"] == [risks[0]["id"]]


def test_change_control_and_a_cleared_approval(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    ok(
        capsys, "add", "request", "--project", "SHOP", "--title", "Gift cards",
        "--type", "change-request", "--impact-scope", "Adds gift cards to checkout",
        "--impact-days", "4", "--impact-cost", "1200", "--currency", "usd",
        "--justification", "Christmas sales", "--decision", "approved",
        "--decision-reason", "steering group",
    )  # fmt: skip
    request = requests(capsys)["REQ-1"]
    assert (request["impact_days"], request["impact_cost"], request["cost_currency"]) == (
        4.0, "1200", "USD",
    )  # fmt: skip
    assert (request["decision"], request["decided_by"]) == ("approved", "tester")
    # A new title keeps the approval, and says nothing about it.
    ok(capsys, "edit", "request", "REQ-1", "--project", "SHOP", "--title", "Gift cards 2026")
    assert requests(capsys)["REQ-1"]["decision"] == "approved"
    code, out, err = run(
        capsys, "edit", "request", "REQ-1", "--project", "SHOP", "--impact-cost", "1499.50"
    )
    assert (code, out) == (0, "REQ-1 revision 3\n")
    assert err == (
        "REQ-1: the approval was cleared because the impact changed (cost 1200 -> 1499.5)\n"
    )
    request = requests(capsys)["REQ-1"]
    assert (request["decision"], request["decided_by"], request["impact_cost"]) == (
        "pending", "", "1499.50",
    )  # fmt: skip
    assert request["comments"][-1]["text"].startswith("Approval by tester cleared")


def test_service_levels_from_the_command_line(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    ok(
        capsys, "add", "project", "--name", "Support", "--key", "SUP",
        "--working-hours", "Mon-Thu 08:00-12:00, 13:00-17:00; fri 08:00-12:00",
        "--holidays", "2026-12-25,2026-12-24", "--sla", "P2=2h/1d", "--sla", "P4=8h/80h/24x7",
    )  # fmt: skip
    (project,) = [
        p for p in json.loads(ok(capsys, "list", "projects", "--json")) if p["key"] == "SUP"
    ]
    policy = project["service_levels"]
    assert policy["working_week"] == "mon-thu 08:00-12:00,13:00-17:00; fri 08:00-12:00"
    assert policy["holidays"] == ["2026-12-24", "2026-12-25"]
    assert policy["targets"]["P2"] == {
        "first_response_minutes": 120, "resolution_minutes": 1440, "working_hours": True,
    }  # fmt: skip
    assert policy["targets"]["P4"]["working_hours"] is False
    # Untouched priorities keep the defaults.
    assert policy["targets"]["P3"]["first_response_minutes"] == 480
    ok(
        capsys, "edit", "project", "SUP", "--sla", "P1=30m/4h", "--sla", "P4=8h/80h/working",
        "--holidays", "",
    )  # fmt: skip
    (project,) = [
        p for p in json.loads(ok(capsys, "list", "projects", "--json")) if p["key"] == "SUP"
    ]
    policy = project["service_levels"]
    # Without a suffix a priority keeps how it counts: P1 stays around the clock.
    assert policy["targets"]["P1"] == {
        "first_response_minutes": 30, "resolution_minutes": 240, "working_hours": False,
    }  # fmt: skip
    assert policy["targets"]["P4"]["working_hours"] is True
    assert policy["holidays"] == []
    assert policy["working_week"] == "mon-thu 08:00-12:00,13:00-17:00; fri 08:00-12:00"


def test_the_table_shows_the_time_left_or_how_late(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    ok(
        capsys, "add", "request", "--project", "SHOP", "--title", "Late one",
        "--received-at", "2026-11-19 09:00", "--priority", "P3",
    )  # fmt: skip
    ok(capsys, "add", "request", "--project", "SHOP", "--title", "Fresh one", "--priority", "P2")
    ok(capsys, "add", "request", "--project", "SHOP", "--title", "Done one")
    ok(capsys, "edit", "request", "REQ-3", "--project", "SHOP", "--status", "resolved")
    lines = ok(capsys, "list", "requests", "--project", "SHOP").splitlines()
    assert lines[0].split() == ["KEY", "TYPE", "PRIORITY", "STATUS", "LEFT", "TITLE", "OWNER"]
    rows = {line.split()[0]: line for line in lines[1:]}
    # Received Thursday 09:00 Berlin, due Thursday 17:00; now Monday 10:00: the due
    # time passed 3 days and 17 hours ago (9 working hours).
    assert "over 3d 17h" in rows["REQ-1"]
    assert " 4h " in rows["REQ-2"]
    assert rows["REQ-3"].split() == ["REQ-3", "question", "P3", "resolved", "Done", "one"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add", "request", "--project", "SHOP", "--title", "x", "--received-at", "yesterday"],
         "--received-at: malformed date and time 'yesterday'"),
        (["add", "request", "--project", "SHOP", "--title", "x", "--received-at",
          "2026-11-24 10:00"], "a request cannot be received in the future"),
        (["add", "request", "--project", "SHOP", "--title", "x", "--meeting", "MTG-9"],
         "no meeting 'MTG-9' in this project"),
        (["add", "request", "--project", "SHOP", "--title", "x", "--risk", "RSK-4"],
         "no risk 'RSK-4' in this project"),
        (["add", "request", "--project", "SHOP", "--title", "x", "--impact-cost", "lots"],
         "--impact-cost: 'lots' is not an amount"),
        (["add", "request", "--project", "SHOP", "--title", "x", "--impact-days", "a week"],
         "--impact-days: 'a week' is not a number"),
        (["add", "request", "--project", "SHOP", "--title", "x", "--currency", "euro"],
         "is not a currency code"),
        (["add", "request", "--project", "SHOP", "--title", "x", "--decision", "maybe"],
         "decision"),
        (["edit", "project", "SHOP", "--sla", "P9=1h/2h"],
         "--sla P9=1h/2h: unknown priority 'P9' (P1 to P4)"),
        (["edit", "project", "SHOP", "--sla", "P2=4h"], "--sla P2=4h: expected PRIORITY="),
        (["edit", "project", "SHOP", "--sla", "P2=4h/16h/nights"], "expected PRIORITY="),
        (["edit", "project", "SHOP", "--sla", "P2=soon/16h"], "cannot read the duration 'soon'"),
        (["edit", "project", "SHOP", "--working-hours", "mon 17:00-09:00"],
         "--working-hours: 17:00-09:00: the end is not after the start"),
        (["edit", "project", "SHOP", "--holidays", "2026-12-32"],
         "--holidays: malformed date '2026-12-32'"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], shop: Path, argv: list[str], message: str
) -> None:
    before = shop.read_bytes()
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert shop.read_bytes() == before
