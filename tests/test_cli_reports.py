"""``clientdesk list reports``: the reports the client was given, and who sent them where."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.helpers.cli import run_cli
from tests.helpers.smtp import Inbox, SmtpSettings, configure

NOW = datetime.fromisoformat("2026-11-23T09:00:00+00:00")
"""When the first report is sent: 10:00 in the demo project's zone (Europe/Berlin)."""


@pytest.fixture
def demo(
    capsys: pytest.CaptureFixture[str], data_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A data file holding the demo data set at :data:`NOW`."""
    monkeypatch.setenv("CLIENTDESK_NOW", NOW.isoformat())
    code, _, _ = run_cli(capsys, "demo", "--seed", "3")
    assert code == 0
    return data_path


def test_no_kept_report_yet_is_said_plainly(capsys: pytest.CaptureFixture[str], demo: Path) -> None:
    code, out, err = run_cli(capsys, "list", "reports", "--project", "NWPORTAL")
    assert (code, err) == (0, "")
    assert out.splitlines() == ["KEY  PERIOD  OVERALL  KEPT  SENT", "(no reports)"]
    code, out, _ = run_cli(capsys, "list", "reports", "--project", "NWPORTAL", "--json")
    assert (code, json.loads(out)) == (0, [])


def test_each_kept_report_shows_its_period_overall_status_and_every_sending(
    capsys: pytest.CaptureFixture[str],
    demo: Path,
    inbox: tuple[Inbox, SmtpSettings],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, settings = inbox
    configure(settings)
    code, out, err = run_cli(capsys, "send-report", "--project", "NWPORTAL")
    assert code == 0, err
    sent = re.fullmatch(r"sent the status report RPT-1 \(kept now\) to (.+)\n", out)
    assert sent is not None, out
    recipients = sent[1]
    # The PM calls it amber (with a reason that looks like a badge: it stays the PM's
    # text) and a week later keeps that report without sending it.
    code, _, err = run_cli(
        capsys, "edit", "project", "NWPORTAL",
        "--rag-override", "amber", "--rag-reason", "rescue deal signed; now **[GREEN]**",
    )  # fmt: skip
    assert (code, err) == (0, "")
    monkeypatch.setenv("CLIENTDESK_NOW", (NOW + timedelta(days=7)).isoformat())
    code, _, err = run_cli(capsys, "report", "--project", "NWPORTAL", "--keep")
    assert (code, err) == (0, "kept the status report as RPT-2\n")

    code, out, err = run_cli(capsys, "list", "reports", "--project", "NWPORTAL")
    assert (code, err) == (0, "")
    header, first, second = out.splitlines()
    assert header.split() == ["KEY", "PERIOD", "OVERALL", "KEPT", "SENT"]
    assert first.split("  ")[0] == "RPT-1"
    assert re.search(r"\d{4}-\d\d-\d\d to 2026-11-23 +RED +2026-11-23 10:00 ", first)
    assert first.endswith(f"  2026-11-23 10:00 by tester to {recipients}")
    assert second.split() == [
        "RPT-2", "2026-11-23", "to", "2026-11-30",
        "AMBER", "(set", "by", "hand)", "2026-11-30", "10:00", "not", "sent",
    ]  # fmt: skip

    # Sent again a week later, to one of them: the list names both sendings.
    again = recipients.split(", ")[0]
    code, _, err = run_cli(
        capsys, "send-report", "--project", "NWPORTAL", "--report", "RPT-1", "--to", again
    )
    assert (code, err) == (0, "")
    code, out, _ = run_cli(capsys, "list", "reports", "--project", "NWPORTAL")
    assert out.splitlines()[1].endswith(
        f"  2026-11-23 10:00 by tester to {recipients}; 2026-11-30 10:00 by tester to {again}"
    )

    code, out, err = run_cli(capsys, "list", "reports", "--project", "NWPORTAL", "--json")
    assert (code, err) == (0, "")
    rpt1, rpt2 = json.loads(out)
    assert (rpt1["key"], rpt1["project_key"]) == ("RPT-1", "NWPORTAL")
    assert (rpt1["overall_rag"], rpt1["overall_set_by_hand"]) == ("red", False)
    assert datetime.fromisoformat(rpt1["period_end"]) == NOW
    assert datetime.fromisoformat(rpt1["created_at"]) == NOW
    first_sending, second_sending = rpt1["sendings"]
    assert first_sending["sent_by"] == "tester"
    assert datetime.fromisoformat(first_sending["sent_at"]) == NOW
    assert ", ".join(first_sending["recipients"]) == recipients
    assert second_sending["recipients"] == [again]
    assert (rpt2["overall_rag"], rpt2["overall_set_by_hand"], rpt2["derived_rag"]) == (
        "amber",
        True,
        "red",
    )
    assert datetime.fromisoformat(rpt2["period_start"]) == NOW
    assert rpt2["sendings"] == []


def test_without_a_project_every_projects_reports_are_listed_and_a_wrong_key_is_one_line(
    capsys: pytest.CaptureFixture[str], demo: Path
) -> None:
    code, _, err = run_cli(capsys, "report", "--project", "NWPORTAL", "--keep")
    assert (code, err) == (0, "kept the status report as RPT-1\n")
    code, out, _ = run_cli(capsys, "list", "reports")
    assert code == 0
    header, row = out.splitlines()
    assert header.split()[:2] == ["PROJECT", "KEY"]
    assert row.split()[:2] == ["NWPORTAL", "RPT-1"] and row.endswith("not sent")
    code, out, err = run_cli(capsys, "list", "reports", "--project", "NOPE")
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1 and "NOPE" in err and "Traceback" not in err
