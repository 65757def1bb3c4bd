"""Domain rules without a terminal: risk scores and bands, recurrence, validation."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientdesk.store import clock, rules
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.models import (
    ChecklistItem,
    ChecklistState,
    CommunicationPlanItem,
    Contact,
    Meeting,
    Project,
    Risk,
    RiskKind,
    RiskResponse,
    RiskStatus,
)
from clientdesk.store.snapshot import validate_record
from clientdesk.store.text import printable

levels = st.integers(min_value=1, max_value=5)


@given(levels, levels)
def test_score_is_probability_times_impact_in_its_band(probability: int, impact: int) -> None:
    score = rules.risk_score(probability, impact)
    assert score == probability * impact
    band = rules.risk_band(score)
    expected = (
        "low" if score <= 4 else "medium" if score <= 9 else "high" if score <= 15 else "critical"
    )
    assert band == expected


@pytest.mark.parametrize(
    ("score", "band"),
    [(1, "low"), (4, "low"), (5, "medium"), (9, "medium"), (10, "high"), (15, "high"),
     (16, "critical"), (25, "critical")],
)  # fmt: skip
def test_band_edges(score: int, band: str) -> None:
    assert rules.risk_band(score) == band


@pytest.mark.parametrize("score", [0, 26, -3])
def test_band_rejects_impossible_scores(score: int) -> None:
    with pytest.raises(ValueError):
        rules.risk_band(score)


def test_risk_model_computes_score_and_residual() -> None:
    risk = Risk(title="x", probability=4, impact=5, residual_probability=2, residual_impact=2)
    assert (risk.score, risk.band) == (20, "critical")
    assert (risk.residual_score, risk.residual_band) == (4, "low")
    assert Risk(title="x").residual_score is None


def test_risk_response_must_fit_its_kind() -> None:
    with pytest.raises(ValidationFailed, match="opportunity takes one of"):
        validate_record(Risk, {"title": "x", "kind": "opportunity", "response": "avoid"})
    risk = Risk(title="x", kind=RiskKind.OPPORTUNITY, response=RiskResponse.EXPLOIT)
    assert risk.response is RiskResponse.EXPLOIT


def test_review_overdue_only_for_risks_not_closed() -> None:
    risk = Risk(title="x", next_review=date(2026, 11, 1))
    assert risk.review_overdue(date(2026, 11, 2))
    assert not risk.review_overdue(date(2026, 11, 1))
    closed = risk.model_copy(update={"status": RiskStatus.CLOSED})
    assert not closed.review_overdue(date(2026, 12, 1))


def test_weekly_series_keeps_wall_clock_time_across_dst() -> None:
    """Monday 10:00 Berlin stays 10:00 local after the October DST change."""
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 10, 19, 10, 0, tzinfo=berlin)
    after = datetime(2026, 10, 27, 0, 0, tzinfo=UTC)
    found = rules.next_occurrence(start, "FREQ=WEEKLY;BYDAY=MO", after=after)
    assert found is not None
    assert found.astimezone(berlin).hour == 10
    assert found.astimezone(UTC).hour == 9  # CET after the change, CEST (8 UTC) before


def test_series_with_count_ends() -> None:
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    rule = "FREQ=WEEKLY;COUNT=2"
    assert rules.next_occurrence(start, rule, after=start + timedelta(days=8)) is None


def test_plan_item_overdue_when_an_occurrence_passed_undone() -> None:
    first = datetime(2026, 11, 2, 9, tzinfo=UTC)  # a Monday
    item = CommunicationPlanItem(title="Report", cadence="FREQ=WEEKLY", first_due=first)
    now = datetime(2026, 11, 4, 9, tzinfo=UTC)
    assert item.next_due(now) == first + timedelta(days=7) and item.is_overdue(now)
    done = item.model_copy(update={"last_done": first + timedelta(hours=2)})
    assert done.next_due(now) == first + timedelta(days=7)
    assert not done.is_overdue(now)


@pytest.mark.parametrize("rule", ["FREQ=SOMETIMES", "BYDAY=MO", "nonsense", "FREQ=WEEKLY;BYDAY=XX"])
def test_bad_rrule_is_refused_with_a_message(rule: str) -> None:
    with pytest.raises(ValidationFailed, match="RRULE"):
        validate_record(
            Meeting, {"title": "x", "start": "2026-12-01T10:00:00+00:00", "rrule": rule}
        )


def test_rrule_prefix_is_accepted_and_normalised() -> None:
    meeting = Meeting(title="x", start=datetime(2026, 12, 1, tzinfo=UTC), rrule="rrule:freq=weekly")
    assert meeting.rrule == "FREQ=WEEKLY"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "x", "email": "not-an-address"}, "email"),
        ({"name": "x", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": ""}, "name"),
    ],
)
def test_contact_validation_names_the_field(data: dict[str, str], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_record(Contact, data)
    assert caught.value.field == field
    assert "\n" not in str(caught.value)


def test_project_dates_and_key_shape() -> None:
    with pytest.raises(ValidationFailed, match="before the start"):
        validate_record(Project, {"name": "x", "start": "2026-05-01", "target_end": "2026-04-01"})
    with pytest.raises(ValidationFailed, match="project key"):
        validate_record(Project, {"name": "x", "key": "a b"})
    assert Project(name="x", key="acme").key == "ACME"


def test_titles_are_one_line() -> None:
    """A pasted title with line breaks is folded into one line."""
    assert Contact(name="Ann\nRichter\r\n").name == "Ann Richter"


def test_waiving_a_checklist_item_needs_a_reason() -> None:
    with pytest.raises(ValidationFailed, match="reason"):
        validate_record(ChecklistItem, {"title": "x", "state": "waived"})
    item = ChecklistItem(title="x", state=ChecklistState.WAIVED, waive_reason="not needed")
    assert item.state is ChecklistState.WAIVED


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("2026-12-01 10:00", "Europe/Berlin", datetime(2026, 12, 1, 9, tzinfo=UTC)),
        ("2026-12-01T10:00", "UTC", datetime(2026, 12, 1, 10, tzinfo=UTC)),
        ("2026-12-01T10:00+02:00", "UTC", datetime(2026, 12, 1, 8, tzinfo=UTC)),
    ],
)
def test_parse_datetime(text: str, zone: str, expected: datetime) -> None:
    assert clock.parse_datetime(text, zone) == expected


@pytest.mark.parametrize("text", ["2026-13-01", "tomorrow", "", "01/12/2026"])
def test_parse_datetime_refuses_malformed_dates(text: str) -> None:
    with pytest.raises(ValidationFailed, match="malformed"):
        clock.parse_datetime(text)


@pytest.mark.parametrize(
    ("text", "zone", "jump"),
    [
        ("2026-03-29 02:30", "Europe/Berlin", "02:00"),
        ("2026-03-29 02:00", "Europe/Berlin", "02:00"),
        ("2026-03-08 02:59", "America/New_York", "02:00"),
        ("2026-10-04 02:15", "Australia/Lord_Howe", "02:00"),  # forward by half an hour
        ("2026-09-06", "America/Santiago", "00:00"),  # a bare date: midnight is skipped there
    ],
)
def test_a_local_time_the_clocks_skip_is_refused(text: str, zone: str, jump: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        clock.parse_datetime(text, zone)
    wall = text if " " in text else f"{text} 00:00"
    assert str(refused.value) == (
        f"{wall} does not exist in {zone} (the clocks go forward at {jump})"
    )


def test_the_minutes_around_a_skipped_hour_are_read_as_typed() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    before = clock.parse_datetime("2026-03-29 01:59", "Europe/Berlin")
    after = clock.parse_datetime("2026-03-29 03:00", "Europe/Berlin")
    assert (before.utcoffset(), after.utcoffset()) == (timedelta(hours=1), timedelta(hours=2))
    assert after.astimezone(UTC) - before.astimezone(UTC) == timedelta(minutes=1)
    assert clock.twice_note(before) is None and clock.twice_note(after) is None
    assert before.tzinfo is berlin


def test_a_local_time_shown_twice_is_the_first_and_the_note_says_so() -> None:
    first = clock.parse_datetime("2026-11-01 01:30", "America/New_York")
    assert first.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert clock.twice_note(first) == (
        "2026-11-01 01:30 comes twice in America/New_York (the clocks go back): taken as "
        "the first, at UTC-04:00; give 2026-11-01 01:30-05:00 for the second"
    )
    second = clock.parse_datetime("2026-11-01 01:30-05:00", "America/New_York")
    assert second - first.astimezone(UTC) == timedelta(hours=1)
    assert clock.twice_note(second) is None, "an offset given says which one"
    assert clock.twice_note(clock.parse_datetime("2026-11-01 02:00", "America/New_York")) is None


@given(st.text())
def test_printable_is_one_line_without_control_characters(text: str) -> None:
    shown = printable(text)
    assert "\n" not in shown and "\x1b" not in shown and "\u202e" not in shown
    unsafe = ("Cc", "Cf", "Cs", "Zl", "Zp")
    assert all(unicodedata.category(ch) not in unsafe or ch == "\u200d" for ch in shown)


@pytest.mark.parametrize("name", ["localtime", "Factory", "posixrules", "posix/Europe/Berlin"])
def test_zone_names_that_are_no_place_are_refused(name: str) -> None:
    from clientdesk.store.clock import zone
    from clientdesk.store.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="not a place's time zone"):
        zone(name)


# -- counts the tab titles show -------------------------------------------------------------


def test_the_register_counts_top_risks_and_overdue_reviews_of_risks_not_closed() -> None:
    from clientdesk.store.risk_register import register_counts

    today = date(2026, 12, 1)
    risks = [
        Risk(title="critical", probability=4, impact=4),
        Risk(title="high, review overdue", probability=3, impact=4, next_review=date(2026, 11, 30)),
        Risk(title="low, review overdue", probability=1, impact=2, next_review=date(2026, 11, 1)),
        Risk(title="low, review today", probability=1, impact=2, next_review=today),
        Risk(
            title="closed",
            probability=5,
            impact=5,
            status=RiskStatus.CLOSED,
            close_reason="contract signed",
            next_review=date(2026, 11, 1),
        ),
    ]
    assert register_counts(risks, today) == (2, 2)
    assert register_counts([], today) == (0, 0)


def test_the_clocks_of_open_requests_are_read_and_the_breached_ones_counted() -> None:
    from clientdesk.store.models import ClientRequest
    from clientdesk.store.sla import breached_count, is_breached, read_clocks

    project = Project(name="Web shop", key="SHOP")
    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    late = ClientRequest(title="late", project_id=project.id, received_at=now - timedelta(days=10))
    fresh = ClientRequest(
        title="fresh", project_id=project.id, received_at=now - timedelta(minutes=5)
    )
    closed = ClientRequest(
        title="closed", project_id=project.id, status="closed", received_at=late.received_at
    )
    clocks = read_clocks([late, fresh, closed], project, now)
    assert set(clocks) == {late.id, fresh.id}, "a closed request has no clock left to read"
    assert is_breached(clocks[late.id]) and not is_breached(clocks[fresh.id])
    assert breached_count(clocks) == 1
