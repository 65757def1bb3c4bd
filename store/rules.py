"""Domain rules as plain functions: risk scores and bands, the request workflow, recurrence.

Pure and side-effect free, so they are tested directly (with hypothesis where
the input space is wide).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation

from clientdesk.store.enums import RequestStatus, RiskStatus

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


PROBABILITY_MEANINGS: dict[int, str] = {
    1: "rare: under 10 % likely",
    2: "unlikely: 10-30 % likely",
    3: "possible: 30-50 % likely",
    4: "likely: 50-80 % likely",
    5: "almost certain: over 80 % likely",
}
"""One line per probability level, shown in the risk form."""

IMPACT_MEANINGS: dict[int, str] = {
    1: "barely noticed: absorbed within the plan",
    2: "minor: days or a small cost; no milestone moves",
    3: "visible: a milestone or budget needs re-planning",
    4: "serious: a milestone, budget or deliverable missed",
    5: "severe: the project goal or client trust at stake",
}
"""One line per impact level (for an opportunity: how much it would help), in the risk form."""


def level_label(level: int) -> str:
    """A level with its name, e.g. ``4 high``."""
    return f"{level} {LEVEL_NAMES[level]}"


def residual_problem(
    probability: int,
    impact: int,
    residual_probability: int | None,
    residual_impact: int | None,
    reason: str,
) -> str:
    """Why the residual levels are refused ("" when they are fine).

    The residual score is what is left once the response has worked; above the
    inherent score it says the response makes things worse, which is only
    accepted with a reason.
    """
    if residual_probability is None or residual_impact is None:
        return ""
    residual = risk_score(residual_probability, residual_impact)
    inherent = risk_score(probability, impact)
    if residual > inherent and not reason.strip():
        return (
            f"the residual score {residual} is above the inherent score {inherent}: "
            "give a residual reason or lower it"
        )
    return ""


def score_history_entry(
    old: tuple[int, int], new: tuple[int, int], at: datetime, by: str
) -> dict[str, object] | None:
    """The history entry for a change of probability or impact (None when neither changed).

    Args:
        old: the stored ``(probability, impact)``.
        new: the ``(probability, impact)`` being saved.
        at: when the change is saved.
        by: who saves it.

    Returns:
        The fields of a :class:`~clientdesk.store.models.ScoreChange`, or None.
    """
    if old == new:
        return None
    return {
        "at": at,
        "by": by,
        "probability": new[0],
        "impact": new[1],
        "score": risk_score(*new),
        "old_probability": old[0],
        "old_impact": old[1],
        "old_score": risk_score(*old),
    }


REQUEST_MOVES: dict[RequestStatus, tuple[RequestStatus, ...]] = {
    RequestStatus.NEW: (
        RequestStatus.ACKNOWLEDGED,
        RequestStatus.IN_PROGRESS,
        RequestStatus.WAITING_ON_CLIENT,
        RequestStatus.RESOLVED,
        RequestStatus.REJECTED,
    ),
    RequestStatus.ACKNOWLEDGED: (
        RequestStatus.IN_PROGRESS,
        RequestStatus.WAITING_ON_CLIENT,
        RequestStatus.RESOLVED,
        RequestStatus.REJECTED,
    ),
    RequestStatus.IN_PROGRESS: (
        RequestStatus.WAITING_ON_CLIENT,
        RequestStatus.RESOLVED,
        RequestStatus.REJECTED,
    ),
    RequestStatus.WAITING_ON_CLIENT: (
        RequestStatus.IN_PROGRESS,
        RequestStatus.RESOLVED,
        RequestStatus.REJECTED,
    ),
    RequestStatus.RESOLVED: (RequestStatus.CLOSED, RequestStatus.IN_PROGRESS),
    RequestStatus.CLOSED: (),
    RequestStatus.REJECTED: (),
}
"""Where a request may move from each status. Resolved may be reopened (to in progress);
closed and rejected are final."""

NEXT_REQUEST_STATUS: dict[RequestStatus, RequestStatus] = {
    RequestStatus.NEW: RequestStatus.ACKNOWLEDGED,
    RequestStatus.ACKNOWLEDGED: RequestStatus.IN_PROGRESS,
    RequestStatus.IN_PROGRESS: RequestStatus.RESOLVED,
    RequestStatus.WAITING_ON_CLIENT: RequestStatus.IN_PROGRESS,
    RequestStatus.RESOLVED: RequestStatus.CLOSED,
}
"""The usual next step of a request's workflow from each status (none from closed or rejected)."""

NEXT_RISK_STATUS: dict[RiskStatus, str] = {RiskStatus.OPEN: RiskStatus.MONITORING.value}
"""The usual next step of a risk from each status: a monitored risk occurs or is closed."""


def request_move_problem(old: str, new: str) -> str:
    """Why a request may not move from ``old`` to ``new`` ("" when it may, or nothing moves)."""
    if old == new:
        return ""
    allowed = REQUEST_MOVES[RequestStatus(old)]
    if RequestStatus(new) in allowed:
        return ""
    label = str(old).replace("_", " ")
    if not allowed:
        return f"a {label} request cannot change status any more"
    names = ", ".join(str(status).replace("_", " ") for status in allowed)
    target = str(new).replace("_", " ")
    return f"a request cannot move from {label} to {target} (from {label}: {names})"


def impact_changes(old: dict[str, object], new: dict[str, object], fields: Iterable[str]) -> str:
    """What changed in a change request's impact, for a note ("" when nothing did).

    Args:
        old: the stored record's fields (JSON form).
        new: the fields being saved.
        fields: the impact fields to compare.

    Returns:
        e.g. ``"the impact changed (cost 1200 -> 1500)"``.
    """
    parts = []
    for name in fields:
        before, after = old.get(name), new.get(name)
        if _same_value(before, after):
            continue
        label = name.removeprefix("impact_").replace("_", " ")
        if name == "impact_scope":
            parts.append("scope")
        else:
            parts.append(f"{label} {_shown(before)} -> {_shown(after)}")
    return f"the impact changed ({', '.join(parts)})" if parts else ""


def _same_value(before: object, after: object) -> bool:
    if before in (None, "") or after in (None, ""):
        return before in (None, "") and after in (None, "")
    try:
        return Decimal(str(before)) == Decimal(str(after))
    except InvalidOperation:
        return str(before).strip() == str(after).strip()


def _shown(value: object) -> str:
    if value in (None, ""):
        return "none"
    try:
        return f"{Decimal(str(value)).normalize():f}"
    except InvalidOperation:
        return str(value)


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
    from dateutil.rrule import rrulestr  # only a series needs it: imported on first use

    rule = rrulestr(rrule, dtstart=start)
    found: datetime | None = rule.after(after.astimezone(start.tzinfo), inc=inclusive)
    return found


def next_working_day_at(now: datetime, zone: tzinfo, at: time) -> datetime:
    """``at`` o'clock on the first working day (Monday-Friday) after ``now``'s date.

    The date is ``now``'s date in ``zone``, so a late Friday evening in UTC may
    already be Saturday in Tokyo, whose next working day is then Monday.

    Args:
        now: the current time, timezone-aware.
        zone: the time zone whose calendar and clock are meant.
        at: the wall-clock time of day in ``zone``.

    Returns:
        The moment, timezone-aware in ``zone``.
    """
    day = now.astimezone(zone).date() + timedelta(days=1)
    while day.weekday() >= 5:  # Saturday, Sunday
        day += timedelta(days=1)
    return datetime.combine(day, at, tzinfo=zone)
