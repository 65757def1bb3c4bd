"""What a person types into a field reads the same in a form and on the command line.

The store's readers (:mod:`clientdesk.store.fields`) without a terminal, then
the command line reading a duration and a score as the meeting form and the
tick dialog do.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientdesk.store.errors import ValidationFailed
from clientdesk.store.fields import (
    SCORE_RANGE,
    parse_amount,
    parse_days,
    parse_minutes,
    parse_score,
    read_score,
)
from clientdesk.tui.cli import main


def test_durations_read_as_people_type_them() -> None:
    typed = ("90", "1h30", "1h 30m", "2h", "1:15", "45m", " 45 min ")
    assert [parse_minutes(text) for text in typed] == [90, 90, 90, 120, 75, 45, 45]
    for text in ("0", "0h", "0:00"):
        with pytest.raises(ValidationFailed, match="more than 0 minutes"):
            parse_minutes(text)
    for text in ("soon", "", "1h30x", "-30", "1.5h"):
        with pytest.raises(ValidationFailed, match="is not a duration"):
            parse_minutes(text)


@settings(max_examples=25)
@given(st.integers(min_value=0, max_value=23), st.integers(min_value=0, max_value=59))
def test_hours_and_minutes_read_alike_in_every_spelling(hours: int, minutes: int) -> None:
    total = hours * 60 + minutes
    spellings = (f"{hours}h{minutes:02d}", f"{hours}h {minutes}m", f"{hours}:{minutes:02d}")
    for text in spellings:
        if total == 0:
            with pytest.raises(ValidationFailed):
                parse_minutes(text)
        else:
            assert parse_minutes(text) == total, text


def test_a_score_is_a_whole_number_from_0_to_10() -> None:
    assert [read_score(text) for text in ("0", "8", " 8/10 ", "10")] == [0, 8, 8, 10]
    assert parse_score("7/10") == 7
    for text in ("11", "-1", "8.5", "x", "", "10/10/10"):
        assert read_score(text) is None, text
        with pytest.raises(ValidationFailed, match="is not a score"):
            parse_score(text)
    assert list(SCORE_RANGE) == list(range(11))


def test_days_and_amounts_read_exactly_and_refuse_what_is_not_a_number() -> None:
    assert [parse_days(text) for text in ("3", "2.5", "-2", "", "  ")] == [3, 2.5, -2, None, None]
    assert parse_amount("1499.50") == Decimal("1499.50")  # the cents kept exactly
    assert parse_amount("-300") == Decimal(-300) and parse_amount(" ") is None
    for text in ("nan", "inf", "-Infinity", "three"):
        with pytest.raises(ValidationFailed, match="is not a number of days"):
            parse_days(text)
        with pytest.raises(ValidationFailed, match="is not an amount"):
            parse_amount(text)


# -- the command line reads them as the forms do ------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return exit status, stdout and stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def shop(capsys: pytest.CaptureFixture[str], data_path: Path, app_now: datetime) -> Path:
    """A project SHOP."""
    code, _, err = run(capsys, "add", "project", "--name", "Web shop", "--key", "SHOP")
    assert (code, err) == (0, "")
    return data_path


def test_the_command_line_reads_a_duration_as_the_meeting_form_does(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    add = ("add", "meeting", "--project", "SHOP", "--title", "Kick-off")
    code, _, err = run(capsys, *add, "--start", "2026-12-01 10:00", "--duration", "1h30")
    assert (code, err) == (0, "")
    code, out, _ = run(capsys, "list", "meetings", "--project", "SHOP", "--json")
    assert [meeting["duration_minutes"] for meeting in json.loads(out)] == [90]

    code, out, err = run(capsys, *add, "--start", "2026-12-02 10:00", "--duration", "soon")
    assert (code, out) == (2, "")
    with pytest.raises(ValidationFailed) as form_error:
        parse_minutes("soon")
    assert str(form_error.value) in err and len(err.strip().splitlines()) == 1


def test_the_command_line_reads_a_score_as_the_tick_dialog_does(
    capsys: pytest.CaptureFixture[str], shop: Path
) -> None:
    code, out, _ = run(capsys, "list", "checklist", "--project", "SHOP", "--json")
    survey = next(item for item in json.loads(out)["items"] if item["asks_score"])
    edit = ("edit", "checklist", survey["key"], "--project", "SHOP", "--state", "done")
    code, out, err = run(capsys, *edit, "--score", "11")
    assert (code, out) == (2, "") and "'11' is not a score" in err
    code, _, err = run(capsys, *edit, "--score", "8/10")
    assert (code, err) == (0, "")
    code, out, _ = run(capsys, "list", "checklist", "--project", "SHOP", "--json")
    ticked = next(item for item in json.loads(out)["items"] if item["key"] == survey["key"])
    assert (ticked["state"], ticked["score"]) == ("done", 8)
