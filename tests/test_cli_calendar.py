"""The command line for the communication calendar: plan items, series, occurrences.

Driven in-process through ``main`` as a user types it, with the clock fixed
(``CLIENTDESK_NOW``, Monday 2026-11-23 09:00 UTC).
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


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run a command that must be refused with one line and exit 2; return that line."""
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, ""), (code, out, err)
    assert len(err.strip().splitlines()) == 1, err
    return err


def listed(capsys: pytest.CaptureFixture[str], kind: str) -> dict[str, dict[str, Any]]:
    """``list KIND --json`` of the SHOP project, by key."""
    out = ok(capsys, "list", kind, "--project", "SHOP", "--json")
    return {record["key"]: record for record in json.loads(out)}


@pytest.fixture
def shop(capsys: pytest.CaptureFixture[str], data_path: Path, app_now: datetime) -> Path:
    """A project SHOP in Berlin with a client contact (CON-1) and a weekly series (MTG-1)."""
    ok(capsys, "add", "project", "--name", "Web shop", "--key", "SHOP", "--tz", "Europe/Berlin")
    ok(
        capsys, "add", "contact", "--project", "SHOP", "--name", "Ann Client",
        "--email", "ann@client.example",
    )  # fmt: skip
    ok(
        capsys, "add", "meeting", "--project", "SHOP", "--title", "Weekly",
        "--start", "2026-11-30 10:00", "--rrule", "FREQ=WEEKLY;BYDAY=MO", "--count", "10",
        "--attendee", "CON-1", "--agenda", "Status:Pat:15", "--agenda", "Risks",
    )  # fmt: skip
    return data_path


def test_add_meeting_with_count_and_agenda_lists_rule_and_next_occurrence(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    meeting = listed(capsys, "meetings")["MTG-1"]
    assert meeting["rrule"] == "FREQ=WEEKLY;BYDAY=MO;COUNT=10"
    assert meeting["recurrence"] == "weekly Mon, 10 times"
    assert (meeting["sequence"], meeting["exceptions"]) == (0, [])
    assert meeting["next_occurrence"] == "2026-11-30T10:00:00+01:00"
    assert [(a["title"], a["presenter"], a["minutes"]) for a in meeting["agenda"]] == [
        ("Status", "Pat", 15),
        ("Risks", "", 10),
    ]


def test_until_ends_the_rule_at_the_end_of_that_day(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    ok(capsys, "edit", "meeting", "MTG-1", "--project", "SHOP", "--until", "2027-03-31")
    meeting = listed(capsys, "meetings")["MTG-1"]
    assert meeting["rrule"] == "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270331T215959Z"
    assert meeting["sequence"] == 1  # the attendees see the series end


def test_cancel_move_and_restore_an_occurrence(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    out = ok(
        capsys, "edit", "meeting", "MTG-1", "--project", "SHOP",
        "--cancel-occurrence", "2026-11-30 10:00",
    )  # fmt: skip
    assert out.strip() == "MTG-1 revision 2"
    meeting = listed(capsys, "meetings")["MTG-1"]
    assert meeting["next_occurrence"] == "2026-12-07T10:00:00+01:00"
    assert [(e["original_start"], e["cancelled"]) for e in meeting["exceptions"]] == [
        ("2026-11-30T10:00:00+01:00", True)
    ]
    ok(
        capsys, "edit", "meeting", "MTG-1", "--project", "SHOP",
        "--move-occurrence", "2026-12-07 10:00", "--to", "2026-12-08 15:00", "--duration", "30",
    )  # fmt: skip
    meeting = listed(capsys, "meetings")["MTG-1"]
    moved = meeting["exceptions"][1]
    assert (moved["start"], moved["duration_minutes"]) == ("2026-12-08T15:00:00+01:00", 30)
    assert meeting["duration_minutes"] == 60  # the series keeps its length
    ok(
        capsys, "edit", "meeting", "MTG-1", "--project", "SHOP",
        "--restore-occurrence", "2026-11-30 10:00",
    )  # fmt: skip
    meeting = listed(capsys, "meetings")["MTG-1"]
    assert meeting["next_occurrence"] == "2026-11-30T10:00:00+01:00"
    assert len(meeting["exceptions"]) == 1 and meeting["sequence"] == 3


def test_moving_the_series_carries_its_cancelled_occurrence_along(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    ok(
        capsys, "edit", "meeting", "MTG-1", "--project", "SHOP",
        "--cancel-occurrence", "2026-12-07 10:00",
    )  # fmt: skip
    ok(capsys, "edit", "meeting", "MTG-1", "--project", "SHOP", "--start", "2026-11-30 11:30")
    meeting = listed(capsys, "meetings")["MTG-1"]
    assert [e["original_start"] for e in meeting["exceptions"]] == ["2026-12-07T11:30:00+01:00"]
    assert meeting["sequence"] == 2


def test_add_plan_with_a_preset_lists_next_due_and_overdue(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    out = ok(
        capsys, "add", "plan", "--project", "SHOP", "--title", "Status report",
        "--purpose", "keep the sponsor informed", "--audience", "CON-1",
        "--audience", "ann@client.example", "--channel", "report", "--every", "weekly",
        "--first-due", "2026-11-06 10:00", "--count", "8", "--owner", "Pat",
    )  # fmt: skip
    assert out.strip() == "PLN-1"
    item = listed(capsys, "plan")["PLN-1"]
    assert item["cadence"] == "FREQ=WEEKLY;BYDAY=FR;COUNT=8"
    assert item["first_due"] == "2026-11-06T10:00:00+01:00"
    assert (item["last_due"], item["next_due"]) == (
        "2026-11-20T10:00:00+01:00",  # now: Monday the 23rd, 10:00 in Berlin
        "2026-11-27T10:00:00+01:00",
    )
    assert item["overdue"] is True and len(item["audience"]) == 2
    ok(capsys, "edit", "plan", "PLN-1", "--project", "SHOP", "--last-done", "2026-11-20 09:30")
    assert listed(capsys, "plan")["PLN-1"]["overdue"] is False


def test_a_held_meeting_linked_to_the_plan_covers_it(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    ok(
        capsys, "add", "plan", "--project", "SHOP", "--title", "Kick-off",
        "--first-due", "2026-11-20 10:00",
    )  # fmt: skip
    assert listed(capsys, "plan")["PLN-1"]["overdue"] is True
    ok(
        capsys, "add", "meeting", "--project", "SHOP", "--title", "Kick-off",
        "--start", "2026-11-20 10:00", "--plan", "PLN-1",
    )  # fmt: skip
    for status in ("scheduled", "held"):
        ok(capsys, "edit", "meeting", "MTG-2", "--project", "SHOP", "--status", status)
    assert listed(capsys, "plan")["PLN-1"]["overdue"] is False


def test_edit_plan_changes_the_cadence_by_preset(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    ok(
        capsys, "add", "plan", "--project", "SHOP", "--title", "Steering",
        "--first-due", "2026-12-01 14:00", "--cadence", "rrule:freq=weekly",
    )  # fmt: skip
    ok(capsys, "edit", "plan", "PLN-1", "--project", "SHOP", "--every", "monthly-first")
    item = listed(capsys, "plan")["PLN-1"]
    assert item["cadence"] == "FREQ=MONTHLY;BYDAY=1TU"
    assert item["next_due"] == "2026-12-01T14:00:00+01:00"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("add", "meeting", "--rrule", "FREQ=SOMETIMES"), "not a valid RRULE"),
        (("add", "meeting", "--rrule", "FREQ=WEEKLY", "--until", "2026-01-01"), "ends before"),
        (("add", "meeting", "--rrule", "FREQ=WEEKLY", "--count", "0"), "at least one"),
        (("add", "meeting", "--count", "3"), "give --rrule too"),
        (("add", "meeting", "--tz", "Mars/Olympus"), "unknown time zone"),
        (("add", "meeting", "--duration", "0"), "--duration: the duration must be more than 0"),
        (("add", "meeting", "--plan", "PLN-9"), "no plan item 'PLN-9'"),
        (("add", "plan", "--every", "weekly"), "--first-due is needed"),
        (("add", "plan", "--every", "yearly", "--first-due", "2026-12-01"), "use one of"),
        (
            (
                "add",
                "plan",
                "--every",
                "weekly",
                "--cadence",
                "FREQ=DAILY",
                "--first-due",
                "2026-12-01",
            ),
            "not both",
        ),
        (
            (
                "add",
                "plan",
                "--cadence",
                "FREQ=WEEKLY;UNTIL=20260101T000000Z",
                "--first-due",
                "2026-12-01 10:00",
            ),
            "ends before it starts",
        ),
        (("add", "plan", "--audience", "CON-9", "--first-due", "2026-12-01"), "no contact"),
        (("add", "meeting", "--rrule", "FREQ=WEEKLY;INTERVAL=0"), "INTERVAL takes 1 to 366"),
        (("add", "meeting", "--rrule", "FREQ=WEEKLY\nDTSTART:20200101"), "one line"),
        (("add", "meeting", "--rrule", "FREQ=WEEKLY;BYDAY=MO"), "is not one the rule gives"),
        (("add", "meeting", "--start", "9999-12-31 23:30"), "between 1970 and 2200"),
        (("add", "plan", "--first-due", "2201-01-01 00:30"), "between 1970 and 2200"),
        (
            ("add", "meeting", "--video-link", "javascript:alert(1)"),
            "video_link: a video link is a web address starting with https:// or http://",
        ),
        (
            ("edit", "meeting", "MTG-1", "--video-link", "https://meet.example/a\x1b]0;x\x07"),
            "'https://meet.example/a\\x1b]0;x\\x07' has the character \\x1b at position 23",
        ),
        (
            ("edit", "meeting", "MTG-1", "--video-link", "https://meet.example/a b"),
            "has a space at position 23",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], shop: Path, argv: tuple[str, ...], message: str
) -> None:
    before = shop.read_bytes()
    verb, kind, *rest = argv
    fields = ["--title", "Bad"] if "--title" not in rest and verb == "add" else []
    if kind == "meeting" and "--start" not in rest and verb == "add":
        fields += ["--start", "2026-12-01 10:00"]
    err = refused(capsys, verb, kind, "--project", "SHOP", *fields, *rest)
    assert message in err
    assert shop.read_bytes() == before


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (("--cancel-occurrence", "2026-12-01 10:00"), "no occurrence on 2026-12-01 10:00"),
        (("--move-occurrence", "2026-11-30 10:00"), "needs --to"),
        (
            (
                "--move-occurrence",
                "2026-11-30 10:00",
                "--to",
                "2026-12-01 10:00",
                "--duration",
                "25h",
            ),
            "between 1 minute and 24 hours",
        ),
        (("--cancel-occurrence", "someday"), "--cancel-occurrence"),
        (("--status", "minuted"), "cannot move from draft to minuted"),
    ],
)
def test_bad_occurrence_edits_are_refused(
    capsys: pytest.CaptureFixture[str], shop: Path, options: tuple[str, ...], message: str
) -> None:
    before = shop.read_bytes()
    err = refused(capsys, "edit", "meeting", "MTG-1", "--project", "SHOP", *options)
    assert message in err
    assert shop.read_bytes() == before


def test_the_tables_read_the_cadence_and_the_next_dates_in_words(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    ok(
        capsys, "add", "plan", "--project", "SHOP", "--title", "Status report",
        "--every", "weekly", "--first-due", "2026-11-06 10:00",
    )  # fmt: skip
    lines = ok(capsys, "list", "plan", "--project", "SHOP").splitlines()
    assert lines[0].split() == [
        "KEY",
        "TITLE",
        "CHANNEL",
        "REPEATS",
        "NEXT",
        "DUE",
        "OVERDUE",
        "OWNER",
    ]
    assert "weekly Fri" in lines[1] and "2026-11-27 10:00" in lines[1] and "overdue" in lines[1]
    meetings = ok(capsys, "list", "meetings", "--project", "SHOP")
    assert "REPEATS" in meetings.splitlines()[0]


def test_moving_an_occurrence_with_a_location_changes_only_that_one(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    ok(
        capsys, "edit", "meeting", "MTG-1", "--project", "SHOP",
        "--move-occurrence", "2026-12-07 10:00", "--to", "2026-12-08 15:00",
        "--duration", "30", "--location", "Room 2",
    )  # fmt: skip
    ok(
        capsys, "edit", "meeting", "MTG-1", "--project", "SHOP",
        "--move-occurrence", "2026-12-07 10:00", "--to", "2026-12-09 15:00",
    )  # fmt: skip
    meeting = listed(capsys, "meetings")["MTG-1"]
    assert meeting["location"] == ""  # the series stays where it was
    (moved,) = meeting["exceptions"]
    assert (moved["start"], moved["duration_minutes"], moved["location"]) == (
        "2026-12-09T15:00:00+01:00",
        30,
        "Room 2",
    )


def test_a_one_off_meeting_months_ahead_lists_its_next_occurrence(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    ok(
        capsys, "add", "meeting", "--project", "SHOP", "--title", "Launch review",
        "--start", "2027-06-01 10:00",
    )  # fmt: skip
    assert listed(capsys, "meetings")["MTG-2"]["next_occurrence"] == "2027-06-01T10:00:00+02:00"


def test_a_data_file_holding_a_link_from_before_the_rule_still_opens(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    # Written before video links had to be web addresses (or planted by hand).
    document = json.loads(shop.read_text(encoding="utf-8"))
    (meeting,) = document["meetings"].values()
    meeting["video_link"] = "javascript:alert(1)"
    shop.write_text(json.dumps(document), encoding="utf-8")
    assert listed(capsys, "meetings")["MTG-1"]["video_link"] == "javascript:alert(1)"
    assert "sound" in ok(capsys, "check")
    ok(
        capsys,
        "edit",
        "meeting",
        "MTG-1",
        "--project",
        "SHOP",
        "--video-link",
        "https://x.example/m",
    )
    assert listed(capsys, "meetings")["MTG-1"]["video_link"] == "https://x.example/m"
