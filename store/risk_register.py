"""What the Risks pane and its tab title count of a project's risk register.

Kept apart from :mod:`clientdesk.store.rules` so that the app can count
before its first paint without loading the recurrence rules (dateutil).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from clientdesk.store.enums import RiskStatus

if TYPE_CHECKING:
    from clientdesk.store.models import Risk


TOP_BANDS = frozenset({"high", "critical"})
"""The bands of the "top risks" counted in the Risks pane's status line and tab title."""


def register_counts(risks: Iterable[Risk], today: date) -> tuple[int, int]:
    """How many top risks and how many overdue reviews among ``risks``.

    Closed risks count for neither.

    Args:
        risks: the risks of one project.
        today: the date in the project's time zone.

    Returns:
        ``(top, overdue)``: risks in a band of :data:`TOP_BANDS`, and risks
        whose next review date has passed.
    """
    top = overdue = 0
    for risk in risks:
        if risk.status is RiskStatus.CLOSED:
            continue
        top += risk.band in TOP_BANDS
        overdue += risk.review_overdue(today)
    return top, overdue
