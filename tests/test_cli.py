"""The command-line contract: add, edit, list, check and demo, and one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clientdesk.store.models import ClientRequest
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui.cli import _opens_the_app, main
from clientdesk.tui.commands import build_parser

NOW = "2026-11-23T09:00:00+00:00"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return exit status, stdout and stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def demo(
    capsys: pytest.CaptureFixture[str], data_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A data file holding the demo data set at a fixed time."""
    monkeypatch.setenv("CLIENTDESK_NOW", NOW)
    code, out, _ = run(capsys, "demo", "--seed", "3")
    assert code == 0 and "wrote the demo data set" in out
    return data_path


def test_add_prints_the_new_key_and_stores_the_fields(
    capsys: pytest.CaptureFixture[str], demo: Path
) -> None:
    code, out, err = run(
        capsys, "add", "request", "--project", "nwportal", "--title", "Need a CSV export",
        "--type", "change request", "--priority", "p2", "--requester", "CON-1",
        "--received-at", "2026-11-20 14:30",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.strip() == "REQ-11"
    snapshot = TinyDBRepository(demo).snapshot()
    project = snapshot.project("NWPORTAL")
    request = snapshot.find(ClientRequest, "REQ-11", project.id)
    assert request.title == "Need a CSV export"
    assert request.priority == "P2" and request.type == "change_request"
    # Local time in the project's zone (Europe/Berlin, UTC+1 in November).
    assert request.received_at == datetime(2026, 11, 20, 13, 30, tzinfo=UTC)
    assert request.updated_by == "tester" and request.revision == 1


def test_add_meeting_with_attendees_and_rrule(
    capsys: pytest.CaptureFixture[str], demo: Path
) -> None:
    code, out, err = run(
        capsys, "add", "meeting", "--project", "CONTOSO", "--title", "Kick-off",
        "--start", "2026-12-01 10:00", "--duration", "90", "--tz", "Europe/Berlin",
        "--attendee", "ann@client.example", "--attendee", "bob@client.example:optional",
        "--rrule", "FREQ=WEEKLY;BYDAY=TU",
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = run(capsys, "list", "meetings", "--project", "CONTOSO", "--json")
    meeting = next(m for m in json.loads(out) if m["title"] == "Kick-off")
    assert meeting["start"] == "2026-12-01T10:00:00+01:00"
    assert meeting["timezone"] == "Europe/Berlin" and meeting["duration_minutes"] == 90
    assert [(a["email"], a["role"]) for a in meeting["attendees"]] == [
        ("ann@client.example", "required"),
        ("bob@client.example", "optional"),
    ]
    assert meeting["rrule"] == "FREQ=WEEKLY;BYDAY=TU"
    assert meeting["next_occurrence"] == "2026-12-01T10:00:00+01:00"


def test_edit_changes_fields_and_status_and_raises_the_revision(
    capsys: pytest.CaptureFixture[str], demo: Path
) -> None:
    code, out, err = run(
        capsys, "edit", "request", "REQ-1", "--project", "NWPORTAL",
        "--status", "in progress", "--priority", "P1",
    )  # fmt: skip
    assert (code, out.strip(), err) == (0, "REQ-1 revision 2", "")
    code, out, err = run(
        capsys, "edit", "request", "REQ-1", "--project", "NWPORTAL", "--revision", "1",
        "--title", "stale edit",
    )  # fmt: skip
    assert code == 2 and "revision 2, not 1" in err and "nothing was written" in err
    code, out, _ = run(capsys, "list", "requests", "--project", "NWPORTAL", "--json")
    first = next(r for r in json.loads(out) if r["key"] == "REQ-1")
    assert (first["status"], first["priority"], first["revision"]) == ("in_progress", "P1", 2)


def test_list_json_includes_computed_fields(capsys: pytest.CaptureFixture[str], demo: Path) -> None:
    code, out, _ = run(capsys, "list", "risks", "--project", "NWPORTAL", "--json")
    risks = json.loads(out)
    assert code == 0 and len(risks) == 8
    for risk in risks:
        assert risk["score"] == risk["probability"] * risk["impact"]
        assert risk["band"] in ("low", "medium", "high", "critical")
        assert isinstance(risk["review_overdue"], bool)
        assert risk["project_key"] == "NWPORTAL"


def test_list_table_for_people(capsys: pytest.CaptureFixture[str], demo: Path) -> None:
    code, out, _ = run(capsys, "list", "projects")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:2] == ["KEY", "NAME"]
    assert {line.split()[0] for line in lines[1:]} == {"NWPORTAL", "CONTOSO", "FABRIKAM"}
    code, out, _ = run(capsys, "list", "checklist", "--project", "FABRIKAM")
    assert "Formal client acceptance signed" in out and out.count("done") == 5


def test_list_never_prints_terminal_control_sequences(
    capsys: pytest.CaptureFixture[str], demo: Path
) -> None:
    hostile = "Evil\x1b[2J\x1b]0;pwned\x07 title\u202e"
    assert run(capsys, "add", "request", "--project", "NWPORTAL", "--title", hostile)[0] == 0
    _, out, _ = run(capsys, "list", "requests", "--project", "NWPORTAL")
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "Evil\\x1b[2J" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add", "request", "--project", "NOPE", "--title", "x"], "unknown project key 'NOPE'"),
        (["add", "request", "--project", "NWPORTAL", "--title", "x", "--received-at", "2026-13-01"],
         "malformed date and time '2026-13-01'"),
        (["add", "risk", "--project", "NWPORTAL", "--title", "x", "--probability", "9"],
         "probability: Input should be less than or equal to 5"),
        (["add", "request", "--project", "NWPORTAL", "--title", "x", "--priority", "P7"],
         "priority"),
        (["add", "contact", "--project", "NWPORTAL", "--name", "x", "--email", "nope"],
         "is not an e-mail address"),
        (["add", "meeting", "--project", "NWPORTAL", "--title", "x", "--start", "2026-12-01 10:00",
          "--rrule", "FREQ=NEVER"], "RRULE"),
        (["add", "project", "--name", "Dup", "--key", "CONTOSO"], "already taken"),
        (["edit", "request", "REQ-999", "--project", "NWPORTAL", "--title", "x"], "no request"),
        (["add", "request", "--project", "NWPORTAL"], "title"),
        (["list", "nonsense"], "invalid choice"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], demo: Path, argv: list[str], message: str
) -> None:
    before = demo.read_bytes()
    with pytest.raises(SystemExit) if argv[0] == "list" else _no_exit():
        code, _, err = run(capsys, *argv)
        assert code == 2
    if argv[0] == "list":
        err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
    assert demo.read_bytes() == before


class _no_exit:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


def test_check_passes_a_sound_file_and_fails_a_broken_one(
    capsys: pytest.CaptureFixture[str], demo: Path
) -> None:
    code, out, _ = run(capsys, "check")
    assert code == 0 and "sound" in out
    demo.write_bytes(demo.read_bytes()[:-200])
    code, _, err = run(capsys, "check")
    assert code == 2 and "not valid JSON" in err and "backup" in err
    code, _, err = run(capsys, "check", "--data", str(demo.parent / "missing.json"))
    assert code == 2 and "no such data file" in err


def test_demo_refuses_to_overwrite_without_force(
    capsys: pytest.CaptureFixture[str], demo: Path
) -> None:
    before = demo.read_bytes()
    code, _, err = run(capsys, "demo")
    assert code == 2 and "--force" in err and demo.read_bytes() == before
    code, _, _ = run(capsys, "demo", "--force", "--projects", "2")
    assert code == 0
    _, out, _ = run(capsys, "list", "projects", "--json")
    assert len(json.loads(out)) == 2


def test_demo_is_deterministic_for_a_seed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLIENTDESK_NOW", NOW)
    a, b, c = (tmp_path / f"{name}.json" for name in "abc")
    for path, seed in ((a, "5"), (b, "5"), (c, "6")):
        assert run(capsys, "demo", "--data", str(path), "--seed", seed)[0] == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_demo_content_is_realistic(capsys: pytest.CaptureFixture[str], demo: Path) -> None:
    _, out, _ = run(capsys, "list", "contacts", "--json")
    assert len({c["timezone"] for c in json.loads(out)}) >= 3
    _, out, _ = run(capsys, "list", "requests", "--json")
    requests = json.loads(out)
    assert {r["status"] for r in requests} == {
        "new", "acknowledged", "in_progress", "waiting_on_client", "resolved", "closed",
        "rejected",
    }  # fmt: skip
    assert any(r["type"] == "change_request" for r in requests)
    _, out, _ = run(capsys, "list", "meetings", "--json")
    meetings = json.loads(out)
    assert any(m["rrule"] for m in meetings) and any(not m["rrule"] for m in meetings)
    _, out, _ = run(capsys, "list", "risks", "--json")
    assert len({(r["probability"], r["impact"]) for r in json.loads(out)}) >= 10


def test_demo_records_makes_the_large_data_set(
    capsys: pytest.CaptureFixture[str], data_path: Path
) -> None:
    code, _, _ = run(capsys, "demo", "--records", "2000")
    assert code == 0
    count = TinyDBRepository(data_path).snapshot().count()
    assert 1900 <= count <= 2100


def test_a_large_demo_data_set_stays_within_the_years_the_store_takes() -> None:
    """The benchmark's 50,000 records once reached back before 1970 and were refused."""
    from clientdesk.store.demo import build_demo
    from clientdesk.store.models import Meeting

    now = datetime(2026, 11, 23, 9, tzinfo=UTC)
    records = build_demo(records=24_000, now=now)
    first = min(record.start for record in records if isinstance(record, Meeting))
    assert first.year >= now.year - 11


def test_console_script_end_to_end_has_no_traceback(demo: Path) -> None:
    """The installed ``clientdesk`` command, as a user runs it."""
    exe = shutil.which("clientdesk") or str(Path(sys.executable).with_name("clientdesk"))
    env = {**os.environ, "CLIENTDESK_DATA": str(demo)}
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, env=env)
    assert version.returncode == 0 and version.stdout.startswith("clientdesk ")
    demo.write_text('{"_meta": {"1": {"schema_version": 99}}}')
    result = subprocess.run(
        [exe, "add", "request", "--project", "X", "--title", "t"],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert result.returncode == 2
    assert "newer clientdesk" in result.stderr and "Traceback" not in result.stderr
    assert demo.read_text() == '{"_meta": {"1": {"schema_version": 99}}}'


def test_check_finds_records_that_break_cross_record_rules(
    capsys: pytest.CaptureFixture[str], demo: Path
) -> None:
    """A hand-edited file whose records are each valid but disagree with each other."""
    tables = json.loads(demo.read_text())
    requests = tables["requests"]
    orphan, first, second = list(requests)[:3]
    requests[second]["key"] = requests[first]["key"]
    requests[orphan]["project_id"] = "no-such-project"
    demo.write_text(json.dumps(tables))
    code, _, err = run(capsys, "check")
    assert code == 2
    assert "belongs to no known project" in err and "(and 1 more)" in err


@pytest.mark.parametrize("argv", [[], ["--data", "x.json"], ["--data=x.json"], ["--data", ""]])
def test_plain_open_is_read_as_the_full_parser_reads_it(argv: list[str]) -> None:
    """The fast path for opening the app agrees with the full parser on what it accepts."""
    fast = _opens_the_app(argv)
    assert fast is not None
    assert vars(fast) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [["--data"], ["--data", "-x"], ["--dat", "x.json"], ["--help"], ["--version"], ["list", "x"]],
)
def test_anything_but_a_plain_open_goes_to_the_full_parser(argv: list[str]) -> None:
    """Commands, help, abbreviations and mistakes are left to argparse and its messages."""
    assert _opens_the_app(argv) is None


def test_an_unexpected_error_is_one_line_and_logged(
    capsys: pytest.CaptureFixture[str], demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug never shows a traceback: one line names the error and the crash log."""
    from clientdesk.tui import commands

    def broken(args: object) -> int:
        raise KeyError("surprise")

    monkeypatch.setattr(commands, "cmd_list", broken)
    code, _, err = run(capsys, "list", "projects")
    assert code == 1
    assert err.startswith("clientdesk: internal error (KeyError: 'surprise'); details in ")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    log = Path(err.strip().rsplit("details in ", 1)[1])
    assert "KeyError: 'surprise'" in log.read_text()
