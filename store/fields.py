"""Reading what a person typed into a field: one reading for the forms and the command line.

A duration typed as ``1h30`` in the meeting form works as
``clientdesk add meeting --duration 1h30`` too, and a score of ``8/10`` in the
tick dialog as ``--score 8/10``: both read the text with the functions here.
Each raises :class:`~clientdesk.store.errors.ValidationFailed` with one line
that says what was expected. (Dates and times are read by
:func:`~clientdesk.store.clock.parse_date` and
:func:`~clientdesk.store.clock.parse_datetime`, service-level targets by
:func:`~clientdesk.store.sla.parse_duration`.)
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

from clientdesk.store.errors import ValidationFailed

_DURATION = re.compile(r"(?:(?P<hours>\d+)\s*h)?\s*(?:(?P<minutes>\d+)\s*(?:m|min)?)?")
_CLOCK_DURATION = re.compile(r"(\d+):(\d{2})")

SCORE_RANGE = range(0, 11)
"""The scores a survey item takes (0 to 10, as the store checks)."""


def parse_minutes(text: str) -> int:
    """Read a duration in minutes: ``90``, ``1h30``, ``1h 30m``, ``2h``, ``45m``, ``1:30``.

    Raises:
        ValidationFailed: the text is not a duration, or is zero or less.
    """
    cleaned = text.strip().lower()
    clock = _CLOCK_DURATION.fullmatch(cleaned)
    match = _DURATION.fullmatch(cleaned)
    if clock is not None:
        minutes = int(clock[1]) * 60 + int(clock[2])
    elif cleaned and match is not None and (match["hours"] or match["minutes"]):
        minutes = int(match["hours"] or 0) * 60 + int(match["minutes"] or 0)
    else:
        raise ValidationFailed(f"{text.strip()!r} is not a duration (e.g. 60, 90 or 1h30)")
    if minutes <= 0:
        raise ValidationFailed("the duration must be more than 0 minutes")
    return minutes


def read_score(text: str) -> int | None:
    """The score typed in ``text`` (``8`` or ``8/10``), or None when it is not one from 0 to 10."""
    text = text.strip().removesuffix("/10").strip()
    if not text.isdigit():
        return None
    score = int(text)
    return score if score in SCORE_RANGE else None


def parse_score(text: str) -> int:
    """Read a score from 0 to 10 (``8`` or ``8/10``).

    Raises:
        ValidationFailed: the text is not a whole number from 0 to 10.
    """
    score = read_score(text)
    if score is None:
        raise ValidationFailed(f"{text.strip()!r} is not a score (a whole number from 0 to 10)")
    return score


def parse_days(text: str) -> float | None:
    """Read a number of days (``3``, ``2.5``, ``-2`` for days saved); None for an empty text.

    Raises:
        ValidationFailed: the text is not a finite number.
    """
    if not text.strip():
        return None
    try:
        days = float(text)
    except ValueError:
        days = math.nan
    if not math.isfinite(days):
        raise ValidationFailed(f"{text.strip()!r} is not a number of days (e.g. 3, 2.5 or -2)")
    return days


def parse_amount(text: str) -> Decimal | None:
    """Read an amount of money exactly (``1200``, ``1499.50``, ``-300``); None for an empty text.

    Raises:
        ValidationFailed: the text is not a finite number.
    """
    if not text.strip():
        return None
    try:
        # Decimal, not float: an amount of money must keep its cents exactly.
        amount = Decimal(text.strip())
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise ValidationFailed(f"{text.strip()!r} is not an amount (e.g. 1200, 1499.50 or -300)")
    return amount
