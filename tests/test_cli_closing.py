"""The command line for closing a project: gates, override, reopen, the checklist, the report.

Driven in-process through ``main`` as a user types it, with the clock fixed
(``CLIENTDESK_NOW``).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from clientdesk.tui.cli import main

HOSTILE = "| [x](http://e) <b>*_"
"""A title that would break a table, make a link, bold text and HTML if not escaped."""


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


def project_json(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """The SHOP project as ``list projects --json`` gives it."""
    out = ok(capsys, "list", "projects", "--json")
    return next(p for p in json.loads(out) if p["key"] == "SHOP")


def checklist(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """``list checklist --project SHOP --json``."""
    result: dict[str, Any] = json.loads(
        ok(capsys, "list", "checklist", "--project", "SHOP", "--json")
    )
    return result


@pytest.fixture
def shop(capsys: pytest.CaptureFixture[str], data_path: Path, app_now: datetime) -> Path:
    """Project SHOP with one blocker per gate: REQ-1, RSK-1, MTG-1 (next week) and its checklist."""
    ok(capsys, "add", "project", "--name", "Web shop", "--key", "SHOP", "--tz", "Europe/Berlin",
       "--client", "Contoso", "--start", "2026-06-01", "--target-end", "2026-11-30")  # fmt: skip
    ok(capsys, "add", "request", "--project", "SHOP", "--title", "Refund button",
       "--received-at", "2026-11-20 10:00")  # fmt: skip
    ok(capsys, "add", "risk", "--project", "SHOP", "--title", "Payment provider is late")
    ok(capsys, "add", "meeting", "--project", "SHOP", "--title", "Go-live review",
       "--start", "2026-11-30 10:00")  # fmt: skip
    ok(capsys, "edit", "meeting", "MTG-1", "--project", "SHOP", "--status", "scheduled")
    return data_path


def settle_everything(capsys: pytest.CaptureFixture[str]) -> None:
    """Settle every blocker of SHOP the way a user would."""
    for status in ("resolved", "closed"):
        ok(capsys, "edit", "request", "REQ-1", "--project", "SHOP", "--status", status)
    ok(capsys, "edit", "risk", "RSK-1", "--project", "SHOP", "--handed-over-to", "Ops (Kim)")
    ok(capsys, "edit", "meeting", "MTG-1", "--project", "SHOP", "--status", "cancelled")
    for item in checklist(capsys)["items"]:
        if item["asks_score"]:
            extra = ["--score", "9"]
        elif item["key"] == "CHK-3":
            extra = ["--state", "waived", "--waive-reason", "no source code delivered"]
        else:
            extra = ["--evidence", "signed"]
        state = [] if "--state" in extra else ["--state", "done"]
        ok(capsys, "edit", "checklist", item["key"], "--project", "SHOP", *state, *extra)


# -- close-project -----------------------------------------------------------------------


def test_close_is_refused_listing_every_blocker_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    before = shop.read_bytes()
    code, out, err = run(capsys, "close-project", "--project", "shop")
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert lines[0].startswith("clientdesk: SHOP cannot close: 4 of 4 gates fail")
    assert "--override REASON" in lines[0] and "nothing was written" in lines[0]
    assert lines[1:] == [
        "  requests: failed: REQ-1 (new)",
        "  risks: failed: RSK-1 (open)",
        "  meetings: failed: MTG-1 (scheduled, next on 2026-11-30 10:00)",
        "  checklist: failed: " + ", ".join(f"CHK-{n} (open)" for n in range(1, 11)),
    ]
    assert shop.read_bytes() == before


def test_close_with_an_override_records_it_and_locks_the_project(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    out = ok(capsys, "close-project", "--project", "SHOP", "--override", "Client signed off")
    lines = out.splitlines()
    assert lines[0] == "SHOP closed"
    assert lines[1].startswith("overridden: requests: REQ-1; risks: RSK-1; meetings: MTG-1;")
    assert lines[1].endswith("(reason: Client signed off)")
    project = project_json(capsys)
    assert project["closed_at"] == "2026-11-23T09:00:00Z" and project["phase"] == "closed"
    assert (project["closed_by"], project["close_override_reason"]) == (
        "tester",
        "Client signed off",
    )
    [event] = project["closing_log"]
    assert (event["action"], event["by"], event["override_reason"]) == (
        "closed",
        "tester",
        "Client signed off",
    )
    assert event["overridden"].startswith("requests: REQ-1; risks: RSK-1")
    # Read-only now: every edit is refused with the store's message, nothing written.
    before = shop.read_bytes()
    for argv in (
        ["edit", "request", "REQ-1", "--project", "SHOP", "--status", "acknowledged"],
        ["edit", "checklist", "CHK-1", "--project", "SHOP", "--state", "done"],
        ["add", "lesson", "--project", "SHOP", "--title", "Too late"],
        ["edit", "project", "SHOP", "--name", "Renamed"],
    ):
        code, _, err = run(capsys, *argv)
        assert code == 2 and "SHOP is closed: reopen it" in err, argv
        assert len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "close-project", "--project", "SHOP")
    assert code == 2 and "SHOP is already closed (by tester" in err and "--reopen" in err
    assert shop.read_bytes() == before


def test_reopen_is_recorded_and_unlocks(capsys: pytest.CaptureFixture[str], shop: Path) -> None:
    before = shop.read_bytes()
    code, _, err = run(capsys, "close-project", "--project", "SHOP", "--reopen")
    assert code == 2 and err == "clientdesk: SHOP is not closed: there is nothing to reopen\n"
    assert shop.read_bytes() == before
    ok(capsys, "close-project", "--project", "SHOP", "--override", "budget ran out")
    assert ok(capsys, "close-project", "--project", "SHOP", "--reopen") == "SHOP reopened\n"
    project = project_json(capsys)
    assert project["closed_at"] is None and project["phase"] == "closing"
    assert [e["action"] for e in project["closing_log"]] == ["closed", "reopened"]
    assert ok(capsys, "add", "lesson", "--project", "SHOP", "--title", "Reopened") == "LSN-1\n"


def test_close_succeeds_once_every_blocker_is_settled(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    settle_everything(capsys)
    items = {item["key"]: item for item in checklist(capsys)["items"]}
    # Ticking from the shell stamps who and when.
    assert (items["CHK-1"]["done_by"], items["CHK-1"]["done_at"]) == (
        "tester",
        "2026-11-23T09:00:00Z",
    )
    assert (items["CHK-6"]["state"], items["CHK-6"]["score"]) == ("done", 9)
    assert (items["CHK-3"]["state"], items["CHK-3"]["done_by"]) == ("waived", "")
    assert all(gate["passed"] for gate in checklist(capsys)["gates"])
    assert ok(capsys, "close-project", "--project", "SHOP") == "SHOP closed\n"
    project = project_json(capsys)
    assert project["close_override_reason"] == ""
    assert project["closing_log"][0]["overridden"] == ""


def test_unticking_an_item_clears_who_and_when(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    ok(capsys, "edit", "checklist", "CHK-2", "--project", "SHOP", "--state", "done",
       "--done-by", "Pat Morgan", "--done-at", "2026-11-20 15:00")  # fmt: skip
    item = checklist(capsys)["items"][1]
    assert (item["done_by"], item["done_at"]) == ("Pat Morgan", "2026-11-20T15:00:00+01:00")
    ok(capsys, "edit", "checklist", "CHK-2", "--project", "SHOP", "--state", "open")
    item = checklist(capsys)["items"][1]
    assert (item["state"], item["done_by"], item["done_at"]) == ("open", "", None)


# -- list checklist --json ---------------------------------------------------------------


def test_list_checklist_json_gives_items_in_order_and_the_gates(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    out = ok(capsys, "add", "checklist", "--project", "SHOP", "--title", "Return badges",
             "--position", "0")  # fmt: skip
    assert out == "CHK-11\n"
    ok(capsys, "add", "checklist", "--project", "SHOP", "--title", "Archive e-mails")
    result = checklist(capsys)
    assert set(result) == {"project", "closed", "items", "gates"}
    assert result["project"] == "SHOP" and result["closed"] is False
    keys = [item["key"] for item in result["items"]]
    assert keys == ["CHK-11", *(f"CHK-{n}" for n in range(1, 11)), "CHK-12"]
    assert {"state", "done_by", "done_at", "evidence", "waive_reason", "score"} <= set(
        result["items"][0]
    )
    gates = {gate["name"]: gate for gate in result["gates"]}
    assert list(gates) == ["requests", "risks", "meetings", "checklist"]
    assert gates["requests"]["passed"] is False
    assert gates["requests"]["title"] == "All client requests closed, rejected or handed over"
    assert gates["requests"]["blockers"] == [
        {"kind": "request", "key": "REQ-1", "title": "Refund button", "why": "new"}
    ]
    assert gates["meetings"]["blockers"][0]["key"] == "MTG-1"
    assert [b["key"] for b in gates["checklist"]["blockers"]] == keys


def test_list_checklist_json_without_a_project_is_one_object_per_project(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    ok(capsys, "add", "project", "--name", "Another", "--key", "OTHER")
    result = json.loads(ok(capsys, "list", "checklist", "--json"))
    assert isinstance(result, list)
    assert sorted(entry["project"] for entry in result) == ["OTHER", "SHOP"]
    other = next(entry for entry in result if entry["project"] == "OTHER")
    assert len(other["items"]) == 10
    assert [g["passed"] for g in other["gates"]] == [True, True, True, False]


def test_list_checklist_table_shows_the_gates(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    out = ok(capsys, "list", "checklist", "--project", "SHOP")
    assert "Formal client acceptance signed" in out
    assert "requests: failed: REQ-1 (new)" in out
    ok(capsys, "edit", "risk", "RSK-1", "--project", "SHOP", "--handed-over-to", "Ops")
    assert "risks: passed" in ok(capsys, "list", "checklist", "--project", "SHOP")


# -- lessons and follow-on actions -------------------------------------------------------


def test_lessons_and_follow_ons_are_added_and_listed(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    out = ok(capsys, "add", "lesson", "--project", "SHOP", "--title", "Test data came late",
             "--what-happened", "The export arrived two weeks late",
             "--learned", "Ask at kick-off", "--next-time", "Put it on the kick-off list",
             "--category", "planning")  # fmt: skip
    assert out == "LSN-1\n"
    out = ok(capsys, "add", "follow-on", "--project", "SHOP", "--title", "Renew TLS certificate",
             "--owner", "Ops (Kim)", "--due", "2027-03-01")  # fmt: skip
    assert out == "FOA-1\n"
    ok(capsys, "edit", "lesson", "LSN-1", "--project", "SHOP", "--category", "client")
    table = ok(capsys, "list", "lessons", "--project", "SHOP").splitlines()
    assert table[0].split() == ["KEY", "CATEGORY", "TITLE"]
    assert table[1].split()[:3] == ["LSN-1", "client", "Test"]
    table = ok(capsys, "list", "follow-ons").splitlines()
    assert table[0].split() == ["PROJECT", "KEY", "OWNER", "DUE", "TITLE"]
    assert "Ops (Kim)" in table[1] and "2027-03-01" in table[1]
    [lesson] = json.loads(ok(capsys, "list", "lessons", "--project", "SHOP", "--json"))
    assert (lesson["learned"], lesson["next_time"], lesson["category"]) == (
        "Ask at kick-off",
        "Put it on the kick-off list",
        "client",
    )
    [action] = json.loads(ok(capsys, "list", "follow-ons", "--json"))
    assert (action["owner"], action["due"], action["project_key"]) == (
        "Ops (Kim)",
        "2027-03-01",
        "SHOP",
    )


# -- the closing report ------------------------------------------------------------------


@pytest.fixture
def reported(capsys: pytest.CaptureFixture[str], shop: Path) -> Path:
    """SHOP settled and closed, with an approved change, a lesson and a follow-on."""
    ok(capsys, "add", "request", "--project", "SHOP", "--title", HOSTILE,
       "--type", "change-request", "--received-at", "2026-11-20 11:00",
       "--impact-days", "3", "--impact-cost", "1200.50", "--currency", "EUR",
       "--decision", "approved")  # fmt: skip
    ok(capsys, "edit", "request", "REQ-2", "--project", "SHOP", "--handed-over-to", "Support")
    ok(capsys, "add", "lesson", "--project", "SHOP", "--title", "Demo early",
       "--learned", "# not a heading\n- not a list")  # fmt: skip
    ok(capsys, "add", "follow-on", "--project", "SHOP", "--title", "Renew certificate",
       "--owner", "Ops (Kim)", "--due", "2027-03-01")  # fmt: skip
    settle_everything(capsys)
    ok(capsys, "edit", "checklist", "CHK-1", "--project", "SHOP", "--evidence", "PDF <signed>")
    ok(capsys, "close-project", "--project", "SHOP")
    return shop


def test_the_closing_report_to_stdout_has_every_section(
    capsys: pytest.CaptureFixture[str], reported: Path
) -> None:
    report = ok(capsys, "report", "--project", "SHOP", "--closing")
    assert report.startswith("# Closing report: Web shop (SHOP)\n")
    for heading in (
        "## Acceptance", "## Delivered against the plan", "## Approved changes",
        "## Risks that occurred", "## Service levels", "## Client satisfaction",
        "## Lessons learned", "## Follow-on actions", "## Closing checklist",
        "## Closing gates",
    ):  # fmt: skip
        assert f"\n{heading}\n" in report
    assert "- **Client:** Contoso" in report and "- **Target end:** 2026-11-30" in report
    assert "- **Closed:** 2026-11-23 10:00 CET by tester" in report
    assert "**done by tester on 2026-11-23 10:00 CET**" in report
    assert "Evidence: PDF \\<signed\\>" in report
    assert "Closed on 2026-11-23, 7 days before the target end (2026-11-30)." in report
    assert "| REQ-2 | " in report and "| +3 | 1,200.50 EUR | tester |" in report
    assert "Total: +3 days; 1,200.50 EUR." in report
    assert "**9 / 10**" in report
    assert "| FOA-1 | Renew certificate | Ops (Kim) | 2027-03-01 |" in report
    assert "| REQ-2 | Request (new): " in report and "| Support |" in report
    assert "| CHK-3 | Documentation and source archived | waived |" in report
    assert report.count("- **Passed:**") == 4


def test_user_text_cannot_break_the_report(
    capsys: pytest.CaptureFixture[str], reported: Path
) -> None:
    report = ok(capsys, "report", "--project", "SHOP", "--closing")
    escaped = "\\| \\[x\\](http://e) \\<b\\>\\*\\_"
    assert escaped in report
    assert HOSTILE not in report and "<b>" not in report
    row = next(
        line for line in report.splitlines() if line.startswith("| REQ-2 | ") and "+3" in line
    )
    # The title's pipe is escaped: the row still has the table's six cells.
    assert row.replace("\\|", "").count("|") == 7
    assert "    \\# not a heading  \n    \\- not a list" in report


def test_the_closing_report_is_written_to_a_file(
    capsys: pytest.CaptureFixture[str], reported: Path, tmp_path: Path
) -> None:
    to_stdout = ok(capsys, "report", "--project", "SHOP", "--closing")
    target = tmp_path / "out" / "closing.md"
    target.parent.mkdir()
    target.write_text("old report")
    out = ok(capsys, "report", "--project", "SHOP", "--closing", "-o", str(target))
    assert out == f"wrote the closing report of SHOP to {target}\n"
    assert target.read_text("utf-8") == to_stdout
    assert [p.name for p in target.parent.iterdir()] == ["closing.md"]  # no temp file left


def test_report_without_closing_writes_the_status_report(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    out = ok(capsys, "report", "--project", "SHOP")
    assert out.startswith("# Status report: Web shop (SHOP)\n")
    assert "## Closing gates" not in out


# -- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["close-project", "--project", "NOPE"], "unknown project key 'NOPE'"),
        (["close-project", "--project", "SHOP", "--override", "  "], "--override needs a reason"),
        (["report", "--project", "NOPE", "--closing"], "unknown project key 'NOPE'"),
        (["report", "--project", "SHOP", "--closing", "-o", "/no/such/dir/r.md"],
         "no such directory"),
        (["edit", "checklist", "CHK-6", "--project", "SHOP", "--state", "done", "--score", "11"],
         "--score: '11' is not a score (a whole number from 0 to 10)"),
        (["edit", "checklist", "CHK-6", "--project", "SHOP", "--state", "done"],
         "ticking this item needs the score"),
        (["edit", "checklist", "CHK-2", "--project", "SHOP", "--state", "waived"],
         "waiving an item needs a reason"),
        (["edit", "checklist", "CHK-2", "--project", "SHOP", "--score", "x"],
         "--score: 'x' is not a score (a whole number from 0 to 10)"),
        (["add", "follow-on", "--project", "SHOP", "--title", "Renew"], "owner"),
        (["add", "lesson", "--project", "NOPE", "--title", "x"], "unknown project key 'NOPE'"),
        (["edit", "lesson", "LSN-9", "--project", "SHOP", "--title", "x"], "no lesson"),
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


def test_override_and_reopen_do_not_go_together(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["close-project", "--project", "SHOP", "--reopen", "--override", "x"])
    assert exit_.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err
