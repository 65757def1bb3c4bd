"""The client-facing status report of a project, in Markdown and in one HTML file.

:func:`status_report` builds it from a snapshot for the period since the last
report kept (:func:`keep_report`): the overall RAG and one per dimension with
the reason for it, what was done in the period, what comes next, the response
times missed in the period, the top risks, change requests awaiting the
client's decision and everything else the client has to decide or do. It is
pure (no I/O) and deterministic for a given ``now``.

The period starts at the end of the latest kept report's period; before the
first report is kept it starts at the project's start (midnight in the
project's zone), and 14 days back when the project has no start date or
has not started yet.

The overall RAG is the worst of the four dimensions (:func:`overall_status`,
which the app's header and the command line call too), unless the project
manager sets it by hand with a reason
(:attr:`Project.rag_override <clientdesk.store.models.Project.rag_override>`):
then the report shows the PM's call, the reason and what the dimensions give.

RAG rules per dimension:

* **Scope**: red when :data:`SCOPE_RED_PENDING` or more change requests await
  the client's decision; amber when one does, or when a change request was
  approved in the period; green otherwise.
* **Schedule**: red when the target end has passed (project not closed) or
  the approved change requests add more than :data:`SCHEDULE_RED_DAYS` days in
  total; amber when they add any days, or a communication plan item is
  overdue; green otherwise.
* **Cost**: red when the approved change requests add more than
  :data:`COST_RED_AMOUNT` in any one currency; amber when they add any cost;
  green otherwise.
* **Risk**: red when a threat that is not closed is in the critical band;
  amber when one is in the high band; green otherwise.

Approved impacts count over the whole project, not only the period: they move
the plan away from its baseline for good.

The response-time section is the period's record: every clock that was past
its due time within the period, answered or not, with how late
(:func:`clientdesk.store.sla.breaches_in_period`). "Top risks" lists the
open threats scored in a band from the one the config file names
(``[report] top_risks_from``, default :data:`DEFAULT_TOP_RISKS_FROM`) up.

User text is data: in the Markdown every piece of text goes through
:func:`~clientdesk.store.report.md_text`, in the HTML through
:func:`html.escape`, so a title like ``<script>`` or ``| [x](http://e)`` stays
text in both. The HTML is one file with its CSS inline and nothing loaded from
elsewhere; RAG badges carry their label as text, so they read in black and
white too.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Literal

from clientdesk.store import calendar, rules, sla
from clientdesk.store.clock import zone
from clientdesk.store.enums import (
    RAG,
    ChangeDecision,
    MeetingStatus,
    RequestStatus,
    RiskKind,
    RiskStatus,
)
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.meeting_dates import all_day_text
from clientdesk.store.models import (
    ClientRequest,
    CommunicationPlanItem,
    Contact,
    Meeting,
    Project,
    Risk,
    StatusReport,
)
from clientdesk.store.report import NONE, md_line_start, md_text
from clientdesk.store.repository import Repository
from clientdesk.store.snapshot import Snapshot
from clientdesk.store.text import printable

FIRST_PERIOD_DAYS = 14
"""How far back the first report looks when the project has no start date."""

NEXT_PERIOD_DAYS = 14
"""How far ahead "next period" looks."""

TOP_RISKS = 5
"""How many risks the report lists."""

RISK_BANDS: tuple[str, ...] = tuple(name for _, name in rules.BANDS)
"""The risk bands from the lowest up: low, medium, high, critical."""

DEFAULT_TOP_RISKS_FROM = "high"
"""The lowest band "Top risks" lists by default (high: scores 10 and above)."""

_SEVERITY = {RAG.GREEN: 0, RAG.AMBER: 1, RAG.RED: 2}
"""How bad each RAG is, for :func:`worst`."""

SCOPE_RED_PENDING = 3
"""Change requests awaiting a decision from which scope is red."""

SCHEDULE_RED_DAYS = 10.0
"""Days added by approved changes beyond which the schedule is red."""

COST_RED_AMOUNT = Decimal(10_000)
"""Cost added by approved changes (in any one currency) beyond which cost is red."""

TITLE_LENGTH = 200
"""The longest title a kept report can have."""

_HELD = (MeetingStatus.HELD, MeetingStatus.MINUTED)
_DONE = (RequestStatus.RESOLVED, RequestStatus.CLOSED)


@dataclass(frozen=True)
class ReportContent:
    """A status report as built, before it is kept.

    Attributes:
        title: one line naming the project and the period.
        period_start: where the period starts (the previous report's end).
        period_end: where it ends (the moment it was built).
        markdown: the report in Markdown, ending in a newline.
        html: the report as one self-contained HTML document.
    """

    title: str
    period_start: datetime
    period_end: datetime
    markdown: str
    html: str


@dataclass(frozen=True)
class Rating:
    """One dimension's RAG and the one-line reason for it."""

    dimension: str
    rag: RAG
    reason: str


def worst(rags: Iterable[RAG]) -> RAG:
    """The worst of ``rags`` (red over amber over green); green when there is none."""
    return max(rags, key=_SEVERITY.__getitem__, default=RAG.GREEN)


@dataclass(frozen=True)
class OverallStatus:
    """A project's overall RAG: the worst dimension, or the PM's call with a reason.

    Attributes:
        derived: the worst of the dimensions' ratings.
        ratings: the four dimensions (scope, schedule, cost, risk), each with its reason.
        override: the RAG the project manager set by hand (None: not set).
        reason: why the project manager set it ("" when not set).
    """

    derived: RAG
    ratings: tuple[Rating, ...]
    override: RAG | None = None
    reason: str = ""

    @property
    def rag(self) -> RAG:
        """The overall RAG shown: the PM's call when there is one, else the derived one."""
        return self.override if self.override is not None else self.derived

    @property
    def overridden(self) -> bool:
        """True when the project manager set the overall RAG by hand."""
        return self.override is not None

    @property
    def summary(self) -> str:
        """One plain line saying where the overall RAG comes from (for logs and scripts).

        ``RED (the worst dimension: risk)`` or ``AMBER, set by the PM: <reason>
        (the dimensions give RED)``.
        """
        if self.override is not None:
            return (
                f"{self.override.upper()}, set by the PM: {self.reason} "
                f"(the dimensions give {self.derived.upper()})"
            )
        return f"{self.derived.upper()} ({self.basis})"

    @property
    def basis(self) -> str:
        """Which dimensions give the derived RAG: ``the worst dimension: risk``."""
        names = [r.dimension.lower() for r in self.ratings if r.rag is self.derived]
        if self.derived is RAG.GREEN:
            return "every dimension is green"
        noun = "dimension" if len(names) == 1 else "dimensions"
        return f"the worst {noun}: {', '.join(names)}"


# -- a small document model, rendered twice ------------------------------------------
# Every piece of text in it is data: both renderers escape all of it, so no
# section can forget to escape a title.


@dataclass(frozen=True)
class _Span:
    text: str
    style: Literal["plain", "strong", "rag"] = "plain"


_Inline = tuple[_Span, ...]


def _line(*parts: str | _Span) -> _Inline:
    return tuple(part if isinstance(part, _Span) else _Span(part) for part in parts)


def _strong(text: str) -> _Span:
    return _Span(text, "strong")


def _badge(rag: RAG) -> _Span:
    return _Span(str(rag).upper(), "rag")


@dataclass(frozen=True)
class _Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class _Paragraph:
    line: _Inline


@dataclass(frozen=True)
class _Item:
    line: _Inline
    sub: tuple[_Inline, ...] = ()


@dataclass(frozen=True)
class _List:
    items: tuple[_Item, ...]


@dataclass(frozen=True)
class _Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


_Block = _Heading | _Paragraph | _List | _Table


def _spaced(raw: str, escaped: str) -> str:
    # Escaping folds white space; a space between two spans must survive it,
    # and it must sit outside ** or the emphasis would not close.
    lead = " " if raw[:1].isspace() else ""
    trail = " " if raw[-1:].isspace() and raw.strip() else ""
    return f"{lead}{escaped}{trail}"


def _md_inline(line: _Inline) -> str:
    out = []
    for span in line:
        text = md_text(span.text)
        if span.style == "strong" and text:
            text = f"**{text}**"
        elif span.style == "rag":
            text = f"**\\[{text}\\]** "
        out.append(_spaced(span.text, text))
    return "".join(out)


def _markdown(blocks: Sequence[_Block]) -> str:
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, _Heading):
            parts.append(f"{'#' * block.level} {md_text(block.text)}")
        elif isinstance(block, _Paragraph):
            parts.append(md_line_start(_md_inline(block.line)))
        elif isinstance(block, _List):
            lines = []
            for item in block.items:
                lines.append(f"- {_md_inline(item.line)}")
                lines += [f"  - {_md_inline(sub)}" for sub in item.sub]
            parts.append("\n".join(lines))
        else:
            lines = [
                "| " + " | ".join(md_text(h) for h in block.headers) + " |",
                "|" + "|".join("---" for _ in block.headers) + "|",
            ]
            lines += [
                "| " + " | ".join(md_text(cell) or NONE for cell in row) + " |"
                for row in block.rows
            ]
            parts.append("\n".join(lines))
    text = "\n\n".join(parts)
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def _h(text: str) -> str:
    return html.escape(" ".join(printable(text).split()), quote=True)


def _html_inline(line: _Inline) -> str:
    out = []
    for span in line:
        text = _h(span.text)
        if span.style == "strong":
            text = f"<strong>{text}</strong>"
        elif span.style == "rag":
            text = f'<span class="rag rag-{text.lower()}">{text}</span> '
        out.append(_spaced(span.text, text))
    return "".join(out)


def _html_body(blocks: Sequence[_Block]) -> str:
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, _Heading):
            parts.append(f"<h{block.level}>{_h(block.text)}</h{block.level}>")
        elif isinstance(block, _Paragraph):
            parts.append(f"<p>{_html_inline(block.line)}</p>")
        elif isinstance(block, _List):
            items = []
            for item in block.items:
                sub = "".join(f"<li>{_html_inline(s)}</li>" for s in item.sub)
                items.append(
                    f"<li>{_html_inline(item.line)}" + (f"<ul>{sub}</ul>" if sub else "") + "</li>"
                )
            parts.append("<ul>\n" + "\n".join(items) + "\n</ul>")
        else:
            head = "".join(f"<th>{_h(h)}</th>" for h in block.headers)
            rows = "\n".join(
                "<tr>" + "".join(f"<td>{_h(cell) or NONE}</td>" for cell in row) + "</tr>"
                for row in block.rows
            )
            parts.append(
                f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>"
            )
    return "\n".join(parts)


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: #1a1a1a; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.5rem; }
h2 { font-size: 1.2rem; margin-top: 1.8rem; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; }
th, td { border: 1px solid #999; padding: 0.25rem 0.5rem; text-align: left;
  vertical-align: top; }
th { background: #eee; }
ul { padding-left: 1.4rem; }
.rag { display: inline-block; min-width: 4.5em; text-align: center; font-weight: bold;
  border: 2px solid #000; border-radius: 0.3rem; padding: 0 0.3rem; margin-right: 0.4rem; }
.rag-red { background: #c62828; color: #fff; border-style: double; border-width: 4px; }
.rag-amber { background: #f9a825; color: #000; border-style: dashed; }
.rag-green { background: #2e7d32; color: #fff; border-style: solid; }
@media print {
  @page { margin: 15mm; }
  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; color: #000; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table, ul { break-inside: auto; }
  tr, li { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  th { background: none; }
  .rag { background: none !important; color: #000 !important; }
}
"""


def _html(title: str, blocks: Sequence[_Block]) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_h(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        f"{_html_body(blocks)}\n</main>\n</body>\n</html>\n"
    )


# -- reading the data ----------------------------------------------------------------


def _when(moment: datetime, timezone: str) -> str:
    local = moment.astimezone(zone(timezone))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def _day(moment: datetime, timezone: str) -> str:
    return f"{moment.astimezone(zone(timezone)):%a %Y-%m-%d}"


def _occurrence_when(occurrence: calendar.Occurrence, timezone: str) -> str:
    # An all-day meeting has no clock time (its 00:00 is not when anyone meets),
    # and its dates are its own zone's: Berlin's 1 December stays the 1st in a
    # report kept in New York, where that midnight is the evening before.
    if occurrence.meeting.all_day:
        return all_day_text(occurrence.start, occurrence.end, occurrence.meeting.timezone)
    return _when(occurrence.start, timezone)


def _occurrence_day(occurrence: calendar.Occurrence, timezone: str) -> str:
    if occurrence.meeting.all_day:
        meeting_zone = occurrence.meeting.timezone
        return all_day_text(occurrence.start, occurrence.end, meeting_zone, weekday=True)
    return _day(occurrence.start, timezone)


def _label(value: object) -> str:
    return str(value).replace("_", " ")


def _days(value: float) -> str:
    text = f"{value:+.1f}".rstrip("0").rstrip(".")
    return text if text not in ("+0", "-0") else "0"


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _key_order(key: str) -> tuple[str, int]:
    prefix, _, number = key.rpartition("-")
    return (prefix, int(number)) if number.isdigit() else (key, 0)


def last_kept(snapshot: Snapshot, project: Project) -> StatusReport | None:
    """The kept status report of ``project`` whose period ends last (None before the first)."""
    kept = snapshot.of_project(StatusReport, project.id)
    return max(kept, key=lambda report: report.period_end, default=None)


def period_start(snapshot: Snapshot, project: Project, now: datetime) -> datetime:
    """Where the next report's period starts: the last kept report's end (see the module)."""
    previous = last_kept(snapshot, project)
    if previous is not None:
        return previous.period_end
    fallback = now - timedelta(days=FIRST_PERIOD_DAYS)
    if project.start is not None:
        started = datetime.combine(project.start, time(0), zone(project.timezone))
        # A project that has not started yet still gets a report (of its preparation).
        return min(started, fallback)
    return fallback


def _awaiting_decision(requests: Iterable[ClientRequest]) -> list[ClientRequest]:
    return [
        r for r in requests if r.is_change and r.is_open and r.decision is ChangeDecision.PENDING
    ]


def _approved(requests: Iterable[ClientRequest]) -> list[ClientRequest]:
    return [r for r in requests if r.is_change and r.decision is ChangeDecision.APPROVED]


def _live_threats(risks: Iterable[Risk]) -> list[Risk]:
    return [r for r in risks if r.kind is RiskKind.THREAT and r.status is not RiskStatus.CLOSED]


def _in_period(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


# -- the RAG rules -------------------------------------------------------------------


def scope_rating(requests: Sequence[ClientRequest], start: datetime, end: datetime) -> Rating:
    """Scope: change requests awaiting a decision, changes approved in the period."""
    pending = _awaiting_decision(requests)
    approved = [r for r in _approved(requests) if _in_period(r.decided_at, start, end)]
    if len(pending) >= SCOPE_RED_PENDING:
        return Rating(
            "Scope", RAG.RED, f"{_plural(len(pending), 'change request')} await a decision"
        )
    if pending:
        verb = "awaits" if len(pending) == 1 else "await"
        return Rating(
            "Scope", RAG.AMBER, f"{_plural(len(pending), 'change request')} {verb} a decision"
        )
    if approved:
        keys = ", ".join(r.key for r in approved)
        return Rating("Scope", RAG.AMBER, f"scope changed in the period ({keys} approved)")
    return Rating("Scope", RAG.GREEN, "no change request pending or approved in the period")


def schedule_rating(
    project: Project,
    requests: Sequence[ClientRequest],
    overdue_plan: Sequence[CommunicationPlanItem],
    now: datetime,
) -> Rating:
    """Schedule: the target end, days added by approved changes, overdue plan items."""
    days = sum(r.impact_days for r in _approved(requests) if r.impact_days is not None)
    today = now.astimezone(zone(project.timezone)).date()
    target = project.target_end
    if target is not None and not project.is_closed and today > target:
        late = (today - target).days
        return Rating("Schedule", RAG.RED, f"{_plural(late, 'day')} past the target end ({target})")
    if days > SCHEDULE_RED_DAYS:
        return Rating("Schedule", RAG.RED, f"approved changes add {_days(days)} days")
    if days > 0:
        return Rating("Schedule", RAG.AMBER, f"approved changes add {_days(days)} days")
    if overdue_plan:
        keys = ", ".join(item.key for item in overdue_plan)
        return Rating("Schedule", RAG.AMBER, f"overdue communication: {keys}")
    reason = f"on track for the target end ({target})" if target else "no delay recorded"
    if days < 0:
        # A change that shortens the schedule (a feature dropped) is worth saying.
        reason += f"; approved changes save {_days(-days).lstrip('+')} days"
    return Rating("Schedule", RAG.GREEN, reason)


def cost_rating(requests: Sequence[ClientRequest]) -> Rating:
    """Cost: what approved change requests add, per currency."""
    costs: dict[str, Decimal] = {}
    for r in _approved(requests):
        if r.impact_cost is not None:
            costs[r.cost_currency] = costs.get(r.cost_currency, Decimal(0)) + r.impact_cost
    added = {currency: amount for currency, amount in costs.items() if amount > 0}
    text = ", ".join(_money(added[c], c) for c in sorted(added))
    if any(amount > COST_RED_AMOUNT for amount in added.values()):
        return Rating("Cost", RAG.RED, f"approved changes add {text}")
    if added:
        return Rating("Cost", RAG.AMBER, f"approved changes add {text}")
    saved = {currency: -amount for currency, amount in costs.items() if amount < 0}
    if saved:
        return Rating(
            "Cost",
            RAG.GREEN,
            "approved changes save " + ", ".join(_money(saved[c], c) for c in sorted(saved)),
        )
    return Rating("Cost", RAG.GREEN, "no approved change adds cost")


def risk_rating(risks: Sequence[Risk]) -> Rating:
    """Risk: the band of the worst threat that is not closed."""
    threats = sorted(_live_threats(risks), key=lambda r: (-r.score, _key_order(r.key)))
    critical = [r for r in threats if r.band == "critical"]
    high = [r for r in threats if r.band == "high"]
    if critical:
        keys = ", ".join(r.key for r in critical)
        return Rating("Risk", RAG.RED, f"{_plural(len(critical), 'critical threat')} ({keys})")
    if high:
        keys = ", ".join(r.key for r in high)
        return Rating("Risk", RAG.AMBER, f"{_plural(len(high), 'high threat')} ({keys})")
    return Rating("Risk", RAG.GREEN, "no high or critical threat")


# -- sections ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Data:
    project: Project
    start: datetime
    end: datetime
    meetings: list[Meeting]
    requests: list[ClientRequest]
    risks: list[Risk]
    plan: list[CommunicationPlanItem]
    contacts: list[Contact]
    top_risks_from: str = DEFAULT_TOP_RISKS_FROM

    @property
    def tz(self) -> str:
        return self.project.timezone


def _read(
    snapshot: Snapshot,
    project: Project,
    start: datetime,
    end: datetime,
    top_risks_from: str = DEFAULT_TOP_RISKS_FROM,
) -> _Data:
    return _Data(
        project=project,
        start=start,
        end=end,
        meetings=snapshot.of_project(Meeting, project.id),
        requests=snapshot.of_project(ClientRequest, project.id),
        risks=snapshot.of_project(Risk, project.id),
        plan=snapshot.of_project(CommunicationPlanItem, project.id),
        contacts=snapshot.of_project(Contact, project.id),
        top_risks_from=top_risks_from,
    )


def _rate(data: _Data) -> tuple[Rating, ...]:
    return (
        scope_rating(data.requests, data.start, data.end),
        schedule_rating(data.project, data.requests, _overdue_plan(data), data.end),
        cost_rating(data.requests),
        risk_rating(data.risks),
    )


def _overall(data: _Data) -> OverallStatus:
    ratings = _rate(data)
    project = data.project
    return OverallStatus(
        derived=worst(r.rag for r in ratings),
        ratings=ratings,
        override=project.rag_override,
        reason=project.rag_override_reason if project.rag_override is not None else "",
    )


def overall_status(snapshot: Snapshot, project: Project, now: datetime) -> OverallStatus:
    """The overall RAG of ``project`` at ``now``, as the next status report will give it.

    The one place that says it: the report's header, the app's project
    header and ``clientdesk list projects`` all call this. The dimensions
    are rated for the period the next report covers (since the last kept
    report, see :func:`period_start`).

    Args:
        snapshot: the records to rate.
        project: the project.
        now: the moment to rate at (the end of the period).
    """
    start = min(period_start(snapshot, project, now), now)
    return _overall(_read(snapshot, project, start, now))


def _overdue_plan(data: _Data) -> list[CommunicationPlanItem]:
    return [
        item
        for item in data.plan
        if calendar.plan_due(item, data.meetings, data.end, timezone=data.tz).overdue
    ]


def _header(data: _Data, overall: OverallStatus) -> list[_Block]:
    project = data.project
    return [
        _Heading(f"Status report: {project.name} ({project.key})", 1),
        _List(
            (
                _Item(_line(_strong("Client: "), project.client or "not set")),
                _Item(
                    _line(
                        _strong("Period: "),
                        f"{_when(data.start, data.tz)} to {_when(data.end, data.tz)}",
                    )
                ),
                _Item(_line(_strong("Phase: "), _label(project.phase))),
                _Item(_overall_line(overall)),
            )
        ),
    ]


def _overall_line(overall: OverallStatus) -> _Inline:
    # Both show when the PM set it by hand: the client sees the call, the
    # reason for it and what the dimensions below say.
    if overall.override is not None:
        return _line(
            _strong("Overall status: "),
            _badge(overall.override),
            "set by the project manager: ",
            overall.reason,
            "; the dimensions below give ",
            _badge(overall.derived),
        )
    return _line(_strong("Overall status: "), _badge(overall.derived), f"({overall.basis})")


def _ratings(overall: OverallStatus) -> list[_Block]:
    items = tuple(
        _Item(_line(_badge(r.rag), _strong(f"{r.dimension}: "), r.reason)) for r in overall.ratings
    )
    return [_Heading("Status by dimension"), _List(items)]


def _accomplishments(data: _Data) -> list[_Block]:
    blocks: list[_Block] = [_Heading("Done in this period")]
    held = [
        o
        for o in calendar.project_occurrences(data.meetings, data.start, data.end)
        if o.status in _HELD and data.start <= o.start < data.end
    ]
    if held:
        blocks.append(_Paragraph(_line(_strong("Meetings held"))))
        blocks.append(
            _List(
                tuple(
                    _Item(
                        _line(f"{_occurrence_day(o, data.tz)} {o.key} ", o.meeting.title),
                        tuple(_line("Decision: ", d) for d in o.decisions if d.strip()),
                    )
                    for o in held
                )
            )
        )
    else:
        blocks.append(_Paragraph(_line("No meeting was held in this period.")))
    resolved = []
    for request in data.requests:
        moments = [
            change.at
            for change in request.status_history
            if change.new in _DONE and _in_period(change.at, data.start, data.end)
        ]
        if moments and request.status in _DONE:
            resolved.append((max(moments), request))
    resolved.sort(key=lambda pair: (pair[0], _key_order(pair[1].key)))
    if resolved:
        blocks.append(_Paragraph(_line(_strong("Requests resolved"))))
        blocks.append(
            _Table(
                ("Key", "Request", "Type", "Status", "On"),
                tuple(
                    (r.key, r.title, _label(r.type), _label(r.status), _day(at, data.tz))
                    for at, r in resolved
                ),
            )
        )
    else:
        blocks.append(_Paragraph(_line("No request was resolved in this period.")))
    decided = [
        r
        for r in data.requests
        if r.is_change
        and r.decision is not ChangeDecision.PENDING
        and _in_period(r.decided_at, data.start, data.end)
    ]
    if decided:
        blocks.append(_Paragraph(_line(_strong("Change requests decided"))))
        blocks.append(
            _List(
                tuple(
                    _Item(
                        _line(f"{r.key} ", r.title, ": ", _label(r.decision)),
                        (_line("By ", r.decided_by),) if r.decided_by.strip() else (),
                    )
                    for r in decided
                )
            )
        )
    return blocks


def _plan_due_between(
    item: CommunicationPlanItem, start: datetime, end: datetime, timezone: str
) -> list[datetime]:
    first = item.first_due.astimezone(zone(timezone))
    if item.cadence is None:
        return [first] if start <= first < end else []
    rule = calendar.series_rule(item.cadence, first)
    return [moment for moment in rule.between(start, end, inc=True) if moment < end]


def _upcoming_note(occurrence: calendar.Occurrence) -> str:
    # A draft has not been sent to anyone yet: the client hears of it, but as
    # not settled.
    if occurrence.status is MeetingStatus.DRAFT:
        return " (to be confirmed)"
    return " (moved)" if occurrence.moved else ""


def _next_period(data: _Data) -> list[_Block]:
    horizon = data.end + timedelta(days=NEXT_PERIOD_DAYS)
    blocks: list[_Block] = [_Heading(f"Next {NEXT_PERIOD_DAYS} days")]
    upcoming = calendar.project_occurrences(data.meetings, data.end, horizon)
    upcoming = [o for o in upcoming if o.start >= data.end]
    if upcoming:
        blocks.append(
            _Table(
                ("When", "Meeting", "Title", "Where"),
                tuple(
                    (
                        _occurrence_when(o, data.tz),
                        o.key,
                        o.meeting.title + _upcoming_note(o),
                        o.location or o.meeting.video_link,
                    )
                    for o in upcoming
                ),
            )
        )
    else:
        blocks.append(_Paragraph(_line("No meeting is scheduled.")))
    due = sorted(
        (
            (moment, item)
            for item in data.plan
            for moment in _plan_due_between(item, data.end, horizon, data.tz)
        ),
        key=lambda pair: (pair[0], _key_order(pair[1].key)),
    )
    overdue = _overdue_plan(data)
    if due or overdue:
        rows = [
            (f"overdue since {_day_of_last(i, data)}", i.key, i.title, i.owner) for i in overdue
        ]
        rows += [(_day(moment, data.tz), i.key, i.title, i.owner) for moment, i in due]
        blocks.append(_Table(("Due", "Plan item", "What", "Owner"), tuple(rows)))
    else:
        blocks.append(_Paragraph(_line("No communication is due.")))
    return blocks


def _day_of_last(item: CommunicationPlanItem, data: _Data) -> str:
    last = calendar.plan_due(item, data.meetings, data.end, timezone=data.tz).last_due
    return _day(last, data.tz) if last else NONE


def _outcome(request: ClientRequest, breach: sla.PeriodBreach, data: _Data) -> str:
    # What became of the late clock by the period's end, in the client's words.
    if breach.stopped_at is not None:
        if breach.clock == "first response":
            verb = "answered"
        elif request.status is RequestStatus.REJECTED:
            verb = "rejected"
        else:
            verb = "resolved"
        return f"{verb} {_when(breach.stopped_at, data.tz)}"
    if breach.paused:
        return "still open, waiting on your answer"
    return "still open"


def _breached(data: _Data) -> list[_Block]:
    blocks: list[_Block] = [_Heading("Response times missed this period")]
    rows = []
    for request in sorted(data.requests, key=lambda r: _key_order(r.key)):
        for breach in sla.breaches_in_period(request, data.project, data.start, data.end):
            rows.append(
                (
                    request.key,
                    request.title,
                    str(request.priority),
                    breach.clock,
                    sla.format_duration(breach.over_seconds),
                    _outcome(request, breach, data),
                )
            )
    if not rows:
        return [
            *blocks,
            _Paragraph(
                _line("No response time was missed in this period: every clock kept its target.")
            ),
        ]
    return [
        *blocks,
        _Table(("Key", "Request", "Priority", "Clock", "Late by", "Outcome"), tuple(rows)),
    ]


def _band_phrase(band: str) -> str:
    # "high or above"; the top band has nothing above it, the lowest holds every score.
    if band == RISK_BANDS[-1]:
        return band
    return f"{band} or above"


def _top_risks(data: _Data) -> list[_Block]:
    lowest = RISK_BANDS.index(data.top_risks_from)
    blocks: list[_Block] = [_Heading("Top risks")]
    threats = sorted(
        (r for r in _live_threats(data.risks) if RISK_BANDS.index(r.band) >= lowest),
        key=lambda r: (-r.score, _key_order(r.key)),
    )
    if not threats:
        if lowest == 0:
            return [*blocks, _Paragraph(_line("No open threat."))]
        return [
            *blocks,
            _Paragraph(_line(f"No open threat scored {_band_phrase(data.top_risks_from)}.")),
        ]
    rows = tuple(
        (r.key, r.title, str(r.score), r.band, _label(r.status), r.owner)
        for r in threats[:TOP_RISKS]
    )
    note: list[_Block] = []
    if lowest > 0:
        note = [_Paragraph(_line(f"Open threats scored {_band_phrase(data.top_risks_from)}."))]
    return [*blocks, *note, _Table(("Key", "Risk", "Score", "Band", "Status", "Owner"), rows)]


def _awaiting(data: _Data) -> list[_Block]:
    blocks: list[_Block] = [_Heading("Change requests awaiting your decision")]
    pending = sorted(_awaiting_decision(data.requests), key=lambda r: _key_order(r.key))
    if not pending:
        return [*blocks, _Paragraph(_line("None."))]
    rows = tuple(
        (
            r.key,
            r.title,
            _days(r.impact_days) if r.impact_days is not None else "",
            _money(r.impact_cost, r.cost_currency) if r.impact_cost is not None else "",
            r.impact_scope,
            _day(r.received_at, data.tz),
        )
        for r in pending
    )
    return [*blocks, _Table(("Key", "Change", "Days", "Cost", "Scope", "Raised"), rows)]


def _client_names(data: _Data) -> set[str]:
    return {c.name.casefold() for c in data.contacts if c.name.strip()}


def _needed(data: _Data) -> list[_Block]:
    blocks: list[_Block] = [_Heading("Decisions and input needed from you")]
    items: list[_Item] = [
        _Item(_line(f"Decide on change request {r.key}: ", r.title))
        for r in sorted(_awaiting_decision(data.requests), key=lambda r: _key_order(r.key))
    ]
    waiting = [r for r in data.requests if r.status is RequestStatus.WAITING_ON_CLIENT]
    items += [
        _Item(_line(f"Answer on request {r.key}: ", r.title))
        for r in sorted(waiting, key=lambda r: _key_order(r.key))
    ]
    # Action items agreed in this period's meetings that a client contact owns.
    clients = _client_names(data)
    for o in calendar.project_occurrences(data.meetings, data.start, data.end):
        for action in o.action_items:
            if action.owner.strip().casefold() in clients:
                due = f" (due {action.due})" if action.due else ""
                items.append(
                    _Item(_line(f"Action from {o.key} for ", action.owner, f"{due}: ", action.text))
                )
    if not items:
        return [*blocks, _Paragraph(_line("Nothing is waiting on you."))]
    return [*blocks, _List(tuple(items))]


# -- the report ----------------------------------------------------------------------


def status_report(
    snapshot: Snapshot,
    project: Project,
    now: datetime,
    *,
    since: datetime | None = None,
    top_risks_from: str = DEFAULT_TOP_RISKS_FROM,
) -> ReportContent:
    """The status report of ``project`` for the period up to ``now``.

    Args:
        snapshot: the records to report on.
        project: the project.
        now: the end of the period; clocks, due dates and the schedule are read at it.
        since: the start of the period (default: the end of the last kept
            report's period, see the module docstring).
        top_risks_from: the lowest risk band "Top risks" lists (one of
            :data:`RISK_BANDS`; the config file's ``[report] top_risks_from``).

    Returns:
        The report in Markdown and in HTML, with its title and period.

    Raises:
        ValidationFailed: the period would start after ``now``, or the band is unknown.
    """
    if top_risks_from not in RISK_BANDS:
        raise ValidationFailed(
            f"no risk band {top_risks_from!r} (the bands are {', '.join(RISK_BANDS)})",
            "top_risks_from",
        )
    start = since if since is not None else period_start(snapshot, project, now)
    if start > now:
        raise ValidationFailed(
            f"the report's period would start after its end ({_when(start, project.timezone)})",
            "period_start",
        )
    data = _read(snapshot, project, start, now, top_risks_from)
    overall = _overall(data)
    blocks = [
        *_header(data, overall),
        *_ratings(overall),
        *_accomplishments(data),
        *_next_period(data),
        *_breached(data),
        *_top_risks(data),
        *_awaiting(data),
        *_needed(data),
    ]
    tz = project.timezone
    local_start, local_end = start.astimezone(zone(tz)), now.astimezone(zone(tz))
    suffix = f" ({project.key}), {local_start:%Y-%m-%d} to {local_end:%Y-%m-%d}"
    name = printable(project.name)[: TITLE_LENGTH - len("Status report: ") - len(suffix)]
    title = f"Status report: {name}{suffix}"
    return ReportContent(
        title=title,
        period_start=start,
        period_end=now,
        markdown=_markdown(blocks),
        html=_html(title, blocks),
    )


def keep_report(
    repository: Repository,
    project: Project,
    content: ReportContent,
    *,
    sent_to: Sequence[str] = (),
) -> StatusReport:
    """Keep ``content`` as issued: the next report's period starts at its end.

    A kept report is never changed: the repository refuses updates and deletes.

    Args:
        repository: where to keep it.
        project: its project.
        content: the report as built by :func:`status_report`.
        sent_to: the addresses it went to, when it was sent.

    Returns:
        The kept report, with its key (``RPT-1``).
    """
    report = StatusReport(
        project_id=project.id,
        period_start=content.period_start,
        period_end=content.period_end,
        title=content.title,
        markdown=content.markdown,
        html=content.html,
        sent_to=list(sent_to),
    )
    return repository.add(report)
