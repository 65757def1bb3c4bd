"""Domain rules as plain functions: risk scores and bands, recurrence.

Pure and side-effect free, so they are tested directly (with hypothesis where
the input space is wide).
"""

from __future__ import annotations

from datetime import datetime

from dateutil.rrule import rrulestr

BANDS: tuple[tuple[int, str], ...] = ((4, "low"), (9, "medium"), (15, "high"), (25, "critical"))
"""Upper bound of each risk band, in order."""

LEVEL_NAMES: dict[int, str] = {
    1: "very low",
    2: "low",
    3: "medium",
    4: "high",
    5: "very high",
}
"""The named levels of probability and impact."""


def risk_score(probability: int, impact: int) -> int:
    """Probability x impact, both 1-5, giving 1-25."""
    if not (1 <= probability <= 5 and 1 <= impact <= 5):
        raise ValueError("probability and impact are 1-5")
    return probability * impact


def risk_band(score: int) -> str:
    """The band of a score: low 1-4, medium 5-9, high 10-15, critical 16-25."""
    for upper, name in BANDS:
        if 1 <= score <= upper:
            return name
    raise ValueError(f"a risk score is 1-25, not {score}")


def next_occurrence(
    start: datetime,
    rrule: str | None,
    *,
    after: datetime | None,
    inclusive: bool = False,
) -> datetime | None:
    """The first occurrence of a series that comes after ``after``.

    Occurrences are computed in the start's own time zone (wall-clock times
    stay put across DST changes), then compared as absolute times.

    Args:
        start: the first occurrence (DTSTART), timezone-aware.
        rrule: an RFC 5545 RRULE (without the ``RRULE:`` prefix), or None for
            a single occurrence.
        after: occurrences at or before this moment are past; None means
            every occurrence counts, so the start itself is returned.
        inclusive: count an occurrence exactly at ``after`` as next.

    Returns:
        The occurrence, or None when the series has ended.
    """
    if after is None:
        return start
    if rrule is None:
        if start > after or (inclusive and start == after):
            return start
        return None
    rule = rrulestr(rrule, dtstart=start)
    found: datetime | None = rule.after(after.astimezone(start.tzinfo), inc=inclusive)
    return found
