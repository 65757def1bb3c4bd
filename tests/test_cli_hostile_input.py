"""What the command line accepts from a shared server's shell: concurrent edits, bytes
that are not text, a mistyped data path, times the clocks skip or show twice, a crash
log others could read, and numbers that mean nothing."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from clientdesk.store.models import ClientRequest, Meeting, Project
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui.cli import main

CLIENTDESK = shutil.which("clientdesk") or str(Path(sys.executable).with_name("clientdesk"))
"""The installed console script, as a user runs it."""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return exit status, stdout and stderr.

    A refusal by the argument parser (exit 2) is returned like any other.
    """
    try:
        code = main(list(argv))
    except SystemExit as stop:
        code = int(stop.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def request_in(path: Path, key: str = "REQ-1") -> ClientRequest:
    """Request ``key`` of the demo project NWPORTAL as stored in ``path``."""
    snapshot = TinyDBRepository(path).snapshot()
    return snapshot.find(ClientRequest, key, snapshot.project("NWPORTAL").id)


def another_process_saves_first(
    monkeypatch: pytest.MonkeyPatch, *argv: str
) -> list[subprocess.CompletedProcess[str]]:
    """Run ``clientdesk *argv`` in another process just before this process's next save.

    The in-process command has read the file by then: the other save lands
    between its read and its write, every time. The list gets the other run.
    """
    original = TinyDBRepository.apply
    runs: list[subprocess.CompletedProcess[str]] = []

    def apply(self: TinyDBRepository, changes: Iterable[Any], **kwargs: Any) -> Any:
        if not runs:
            runs.append(subprocess.run([CLIENTDESK, *argv], capture_output=True, text=True))
        return original(self, changes, **kwargs)

    monkeypatch.setattr(TinyDBRepository, "apply", apply)
    return runs


# -- an edit that names no revision --------------------------------------------------


def test_an_edit_without_revision_is_made_to_the_version_saved_meanwhile(
    capsys: pytest.CaptureFixture[str], demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = request_in(demo_path)
    other = another_process_saves_first(
        monkeypatch, "edit", "request", "REQ-1", "--project", "NWPORTAL", "--comment", "theirs"
    )
    code, out, err = run(
        capsys, "edit", "request", "REQ-1", "--project", "NWPORTAL", "--comment", "mine"
    )
    assert other[0].returncode == 0, other[0].stderr
    assert (code, err) == (0, "")
    after = request_in(demo_path)
    assert out == f"REQ-1 revision {before.revision + 2}\n"
    assert [c.text for c in after.comments] == [
        *(c.text for c in before.comments),
        "theirs",
        "mine",
    ]


def test_an_edit_with_a_revision_still_conflicts_with_a_save_meanwhile(
    capsys: pytest.CaptureFixture[str], demo_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = request_in(demo_path)
    another_process_saves_first(
        monkeypatch, "edit", "request", "REQ-1", "--project", "NWPORTAL", "--title", "Theirs"
    )
    code, out, err = run(
        capsys, "edit", "request", "REQ-1", "--project", "NWPORTAL",
        "--revision", str(before.revision), "--title", "Mine",
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err.startswith("clientdesk: REQ-1 was changed by tester at ") and err.count("\n") == 1
    after = request_in(demo_path)
    assert (after.title, after.revision) == ("Theirs", before.revision + 1)


def test_two_processes_appending_comments_at_once_lose_none(demo_path: Path) -> None:
    count = 12
    script = (
        "import sys\n"
        "from clientdesk.tui.cli import main\n"
        "tag = sys.argv[1]\n"
        f"for n in range({count}):\n"
        "    code = main(['edit', 'request', 'REQ-1', '--project', 'NWPORTAL',"
        " '--comment', f'{tag}-{n}'])\n"
        "    if code:\n"
        "        sys.exit(code)\n"
    )
    before = request_in(demo_path)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, tag],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("ann", "bob")
    ]
    errors = [worker.communicate()[1] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], errors
    assert errors == ["", ""]
    after = request_in(demo_path)
    added = [c.text for c in after.comments][len(before.comments) :]
    assert sorted(added) == sorted(f"{tag}-{n}" for tag in ("ann", "bob") for n in range(count))
    for tag in ("ann", "bob"):
        mine = [text for text in added if text.startswith(tag)]
        assert mine == [f"{tag}-{n}" for n in range(count)], "each process's in its order"
    assert after.revision == before.revision + 2 * count


# -- bytes that are not text ---------------------------------------------------------


def test_raw_bytes_that_are_not_utf8_are_refused_in_one_line(demo_path: Path) -> None:
    before = demo_path.read_bytes()
    result = subprocess.run(
        [CLIENTDESK, "add", "request", "--project", "NWPORTAL", "--title", "t",
         "--description", b"\xff\xfe"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        "clientdesk add request: error: --description is not valid UTF-8 text "
        "(see clientdesk add request --help)\n"
    )
    assert demo_path.read_bytes() == before


def test_a_user_name_that_is_not_utf8_is_refused_in_one_line(demo_path: Path) -> None:
    before = demo_path.read_bytes()
    result = subprocess.run(
        [CLIENTDESK, "add", "project", "--name", "Other"],
        capture_output=True, text=True, env={**os.environ, "CLIENTDESK_USER": "ann\udcff"},
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        "clientdesk: CLIENTDESK_USER is not valid UTF-8 text (ann\\udcff): set it to a plain name\n"
    )
    assert demo_path.read_bytes() == before


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["add", "request", "--project", "NWPORTAL", "--title", "a\udcff"], "--title"),
        (["add", "risk", "--project", "NWPORTAL", "--title", "r", "--cause", "\udcff"], "--cause"),
        (["edit", "request", "REQ-1", "--project", "NWPORTAL", "--comment", "\udcff"], "--comment"),
        (["edit", "request", "\udcff", "--project", "NWPORTAL", "--title", "t"], "KEY"),
        (["list", "requests", "--project", "NW\udcff"], "--project"),
        (
            [
                "add",
                "meeting",
                "--project",
                "NWPORTAL",
                "--title",
                "m",
                "--attendee",
                "\udcff@client.example",
            ],
            "--attendee",
        ),
        (
            ["edit", "project", "NWPORTAL", "--working-hours", "mon-fri 09:00-17:00\udcff"],
            "--working-hours",
        ),
    ],
)
def test_each_text_option_names_itself_when_not_utf8(
    capsys: pytest.CaptureFixture[str], demo_path: Path, argv: list[str], named: str
) -> None:
    """Python reads undecodable bytes as lone surrogates: no record may hold them."""
    before = demo_path.read_bytes()
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert f"error: {named} is not valid UTF-8 text" in err and err.count("\n") == 1
    assert demo_path.read_bytes() == before


def test_a_file_name_that_is_not_utf8_is_still_a_file_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, app_now: object
) -> None:
    """A path goes back to the file system as the bytes it came as."""
    code, _, err = run(capsys, "demo", "--data", str(tmp_path / "d\udcff.json"))
    assert (code, err) == (0, "")
    assert b"d\xff.json" in os.listdir(os.fsencode(tmp_path))


def test_a_team_template_with_a_long_title_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], demo_path: Path
) -> None:
    template = demo_path.parent / "closing_template.json"
    template.write_text(json.dumps({"items": [{"title": "Signed"}, {"title": "x" * 201}]}))
    before = demo_path.read_bytes()
    code, out, err = run(capsys, "add", "project", "--name", "Portal", "--client", "Acme")
    assert (code, out) == (2, "")
    assert err == (
        f"clientdesk: {template}: not a closing checklist template (item 2: title: String "
        "should have at most 200 characters); fix or remove it\n"
    )
    assert demo_path.read_bytes() == before


# -- the crash log -------------------------------------------------------------------


def crash(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    """Make ``list`` fail with a bug; return what the user was told."""
    from clientdesk.tui import commands

    def broken(args: object) -> int:
        raise KeyError("surprise")

    monkeypatch.setattr(commands, "cmd_list", broken)
    code, _, err = run(capsys, "list", "projects")
    assert code == 1
    return err


def log_dir(tmp_path: Path) -> Path:
    """The crash log's folder under the test's ``$XDG_STATE_HOME``."""
    return tmp_path / "xdg-state" / "clientdesk" / "log"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_crash_log_is_readable_by_its_owner_only(
    capsys: pytest.CaptureFixture[str],
    demo_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = os.umask(0o002)  # a shared server's usual umask: group-writable
    try:
        err = crash(capsys, monkeypatch)
    finally:
        os.umask(old)
    log = log_dir(tmp_path) / "crash.log"
    assert err.endswith(f"details in {log}\n")
    assert (mode(log_dir(tmp_path)), mode(log)) == (0o700, 0o600)
    assert "KeyError: 'surprise'" in log.read_text()


def test_an_open_crash_log_is_closed_to_others_and_kept(
    capsys: pytest.CaptureFixture[str],
    demo_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = log_dir(tmp_path)
    folder.mkdir(parents=True)
    folder.chmod(0o775)
    log = folder / "crash.log"
    log.write_text("--- an earlier crash\n")
    log.chmod(0o664)
    crash(capsys, monkeypatch)
    assert (mode(folder), mode(log)) == (0o700, 0o600)
    text = log.read_text()
    assert text.startswith("--- an earlier crash\n") and "KeyError: 'surprise'" in text


def test_a_link_planted_as_the_crash_log_is_not_followed(
    capsys: pytest.CaptureFixture[str],
    demo_path: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = log_dir(tmp_path)
    folder.mkdir(parents=True)
    target = tmp_path / "someone-elses.txt"
    target.write_text("theirs\n")
    (folder / "crash.log").symlink_to(target)
    err = crash(capsys, monkeypatch)
    assert err == "clientdesk: internal error (KeyError: 'surprise')\n"
    assert target.read_text() == "theirs\n"


# -- a data file that is not there ---------------------------------------------------


def everything_under(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*"))


@pytest.mark.parametrize(
    "argv",
    [
        ["list", "projects"],
        ["check"],
        ["report", "--project", "NWPORTAL"],
        ["export-ics", "--project", "NWPORTAL"],
        ["edit", "project", "NWPORTAL", "--name", "Portal"],
        ["add", "request", "--project", "NWPORTAL", "--title", "t"],
    ],
)
def test_a_missing_data_file_is_named_and_nothing_is_made(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]
) -> None:
    (tmp_path / "work").mkdir()
    before = everything_under(tmp_path)
    for data in (tmp_path / "work" / "typo.json", tmp_path / "wrok" / "projects.json"):
        code, out, err = run(capsys, *argv, "--data", str(data))
        assert (code, out) == (2, "")
        assert err == (
            f"clientdesk: no such data file: {data} (clientdesk demo or the app creates one)\n"
        )
    assert everything_under(tmp_path) == before, "no folder, data or lock file made"


def test_a_first_project_starts_a_data_file_but_makes_no_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    mistyped = tmp_path / "wrok" / "projects.json"
    code, out, err = run(capsys, "add", "project", "--name", "Portal", "--data", str(mistyped))
    assert (code, out) == (2, "")
    assert (
        err == f"clientdesk: no such folder: {mistyped.parent} (for the data file projects.json)\n"
    )
    assert not mistyped.parent.exists()

    code, _, err = run(capsys, "demo", "--data", str(mistyped))
    assert code == 2 and "no such folder" in err and not mistyped.parent.exists()

    started = tmp_path / "projects.json"
    code, out, err = run(capsys, "add", "project", "--name", "Portal", "--data", str(started))
    assert (code, out, err) == (0, "PORTAL\n", "")
    assert [p.name for p in TinyDBRepository(started).snapshot().projects()] == ["Portal"]


def test_the_app_names_a_missing_folder_instead_of_making_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clientdesk.tui import app

    def started(data_path: Path) -> None:
        raise AssertionError(f"the app was started on {data_path}")

    monkeypatch.setattr(app, "create_app", started)
    mistyped = tmp_path / "wrok" / "projects.json"
    code, out, err = run(capsys, "--data", str(mistyped))
    assert (code, out) == (2, "")
    assert (
        err == f"clientdesk: no such folder: {mistyped.parent} (for the data file projects.json)\n"
    )
    assert not mistyped.parent.exists()


def test_the_default_data_folder_is_made_on_first_use(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nobody typed the user data directory: ``demo`` makes it, a reading command does not."""
    monkeypatch.delenv("CLIENTDESK_DATA")
    default = tmp_path / "xdg-data" / "clientdesk" / "clientdesk.json"
    code, _, err = run(capsys, "list", "projects")
    assert code == 2 and f"no such data file: {default}" in err
    assert not default.parent.exists()
    code, out, _ = run(capsys, "demo")
    assert code == 0 and out.startswith(f"{default}: wrote the demo data set")


# -- local times the clocks skip or show twice ---------------------------------------


def test_a_local_time_the_clocks_skip_is_refused(
    capsys: pytest.CaptureFixture[str], demo_path: Path
) -> None:
    before = demo_path.read_bytes()
    code, out, err = run(
        capsys, "add", "meeting", "--project", "NWPORTAL", "--title", "Sync",
        "--start", "2027-03-28 02:30", "--tz", "Europe/Berlin",
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err == (
        "clientdesk: --start: 2027-03-28 02:30 does not exist in Europe/Berlin "
        "(the clocks go forward at 02:00)\n"
    )
    assert demo_path.read_bytes() == before


def test_a_local_time_shown_twice_is_the_first_and_said_so(
    capsys: pytest.CaptureFixture[str], demo_path: Path
) -> None:
    code, out, err = run(
        capsys, "add", "meeting", "--project", "NWPORTAL", "--title", "Sync",
        "--start", "2027-10-31 02:30", "--tz", "Europe/Berlin",
    )  # fmt: skip
    assert code == 0
    assert err == (
        "clientdesk: 2027-10-31 02:30 comes twice in Europe/Berlin (the clocks go back): "
        "taken as the first, at UTC+02:00; give 2027-10-31 02:30+01:00 for the second\n"
    )
    snapshot = TinyDBRepository(demo_path).snapshot()
    meeting = snapshot.find(Meeting, out.strip(), snapshot.project("NWPORTAL").id)
    assert meeting.start.utcoffset() == timedelta(hours=2)

    # The second, as the note says to give it.
    code, out, err = run(
        capsys, "edit", "meeting", meeting.key, "--project", "NWPORTAL",
        "--start", "2027-10-31 02:30+01:00",
    )  # fmt: skip
    assert (code, err) == (0, "")
    moved = TinyDBRepository(demo_path).snapshot().find(Meeting, meeting.key, meeting.project_id)
    assert moved.start - meeting.start == timedelta(hours=1)


# -- numbers that mean something, and those that do not -----------------------------


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--impact-days", "nan", "'nan' is not a number of days"),
        ("--impact-days", "inf", "'inf' is not a number of days"),
        ("--impact-cost", "NaN", "'NaN' is not an amount"),
        ("--impact-cost", "-Infinity", "'-Infinity' is not an amount"),
    ],
)
def test_an_impact_that_is_no_number_is_refused(
    capsys: pytest.CaptureFixture[str], demo_path: Path, option: str, value: str, message: str
) -> None:
    code, _, err = run(
        capsys, "add", "request", "--project", "NWPORTAL", "--title", "Drop the PDF export",
        "--type", "change-request", f"{option}={value}",
    )  # fmt: skip
    assert code == 2
    assert err.startswith(f"clientdesk: {option}: {message}") and err.count("\n") == 1


def test_a_change_that_saves_days_and_money_reports_a_saving(
    capsys: pytest.CaptureFixture[str], demo_path: Path
) -> None:
    """A change that drops work shortens the schedule and lowers the cost."""
    code, out, err = run(
        capsys, "add", "project", "--name", "Lean", "--client", "Acme", "--tz", "Europe/Berlin",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run(
        capsys, "add", "request", "--project", "LEAN", "--title", "Drop the PDF export",
        "--type", "change-request", "--received-at", "2026-11-20 10:00",
        "--impact-days=-3", "--impact-cost=-1200", "--currency", "EUR",
    )  # fmt: skip
    assert code == 0, err
    key = out.strip()
    for move in (["--status", "acknowledged"], ["--decision", "approved"]):
        code, _, err = run(capsys, "edit", "request", key, "--project", "LEAN", *move)
        assert code == 0, err
    code, report, err = run(capsys, "report", "--project", "LEAN")
    assert code == 0, err
    assert "approved changes save 3 days" in report
    assert "**Cost:** approved changes save 1,200.00 EUR" in report


def test_a_working_week_around_the_clock_is_accepted(
    capsys: pytest.CaptureFixture[str], demo_path: Path
) -> None:
    """Every hour of every day counts, holidays excepted: a support desk that never closes."""
    code, _, err = run(
        capsys, "edit", "project", "NWPORTAL", "--working-hours", "mon-sun 00:00-24:00",
        "--holidays", "2026-12-25",
    )  # fmt: skip
    assert (code, err) == (0, "")
    project = TinyDBRepository(demo_path).snapshot().project("NWPORTAL")
    assert isinstance(project, Project)
    assert project.service_levels.working_week == "mon-sun 00:00-24:00"
