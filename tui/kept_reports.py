"""What ``clientdesk list reports`` shows of each kept status report.

A kept report is the text the client received, kept as it was (see
:class:`~clientdesk.store.models.StatusReport`). Its overall status is read
back from that text rather than rated again: the dimensions have moved on
since, and the list must say what the client was told.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from clientdesk.store import clock
from clientdesk.store.enums import RAG
from clientdesk.store.text import printable

if TYPE_CHECKING:
    from clientdesk.store.models import Project, Sending, StatusReport

_OVERALL_LINE = re.compile(r"^- \*\*Overall status:\*\* (?P<rest>.*)$", re.MULTILINE)
# A badge is written ``**\[RED\]**``; text from users has its ``*`` and ``[``
# escaped, so it cannot pass for one.
_BADGE = re.compile(r"(?<!\\)\*\*\\\[(GREEN|AMBER|RED)\\\]\*\*")
_SET_BY_HAND = "set by the project manager:"


@dataclass(frozen=True)
class KeptOverall:
    """The overall status a kept report gave the client.

    Attributes:
        rag: the overall RAG the report showed.
        set_by_hand: True when the project manager had set it (with a reason).
        derived: what the report's dimensions gave (the same as ``rag`` unless set by hand).
    """

    rag: RAG
    set_by_hand: bool
    derived: RAG

    def as_json(self) -> dict[str, Any]:
        """The fields ``list reports --json`` adds to each report."""
        return {
            "overall_rag": str(self.rag),
            "overall_set_by_hand": self.set_by_hand,
            "derived_rag": str(self.derived),
        }


def kept_overall(report: StatusReport) -> KeptOverall | None:
    """The overall status ``report`` gave, read from its kept Markdown (None: it names none)."""
    line = _OVERALL_LINE.search(report.markdown)
    if line is None:
        return None
    rest = line["rest"]
    badges = list(_BADGE.finditer(rest))
    if not badges:
        return None
    first = badges[0]
    rag = RAG(first[1].lower())
    set_by_hand = rest[first.end() :].lstrip().startswith(_SET_BY_HAND)
    derived = RAG(badges[-1][1].lower()) if set_by_hand and len(badges) > 1 else rag
    return KeptOverall(rag, set_by_hand, derived)


def report_json(report: StatusReport) -> dict[str, Any]:
    """The computed fields of a kept report for ``--json`` (null when its text names none)."""
    overall = kept_overall(report)
    if overall is None:
        return {"overall_rag": None, "overall_set_by_hand": None, "derived_rag": None}
    return overall.as_json()


def report_cell(report: StatusReport, name: str, project: Project | None) -> str:
    """One cell of the ``list reports`` table; times in the project's zone.

    The columns are ``key``, ``period``, ``overall``, ``kept`` and ``sent``
    (each sending: when, by whom, to whom; the last column, so never cut short).
    """
    zone = project.timezone if project is not None else "UTC"
    if name == "period":
        start = _day(report.period_start, zone) if report.period_start else "the start"
        return f"{start} to {_day(report.period_end, zone)}"
    if name == "overall":
        overall = kept_overall(report)
        if overall is None:
            return "?"
        return str(overall.rag).upper() + (" (set by hand)" if overall.set_by_hand else "")
    if name == "kept":
        # The store stamps every record it adds; a report never added has no such time.
        return _minute(report.created_at, zone) if report.created_at else ""
    if name == "sent":
        if not report.sendings:
            return "not sent"
        return "; ".join(_sending(sending, zone) for sending in report.sendings)
    return printable(str(getattr(report, name)))


def _sending(sending: Sending, zone: str) -> str:
    to = ", ".join(sending.recipients) or "nobody"
    return printable(f"{_minute(sending.sent_at, zone)} by {sending.sent_by or '?'} to {to}")


def _day(moment: datetime, zone: str) -> str:
    return f"{moment.astimezone(clock.zone(zone)):%Y-%m-%d}"


def _minute(moment: datetime, zone: str) -> str:
    return f"{moment.astimezone(clock.zone(zone)):%Y-%m-%d %H:%M}"
