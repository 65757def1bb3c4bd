"""The closing report of a project, in Markdown, for the client and the team.

:func:`closing_report` builds it from a snapshot: acceptance, what was
delivered against the plan, approved changes with their schedule and cost
impact, risks that occurred, the service-level record, the satisfaction score,
lessons learned, follow-on actions with their owners, the checklist and the
closing gates. It is pure (no I/O) and deterministic for a given ``now``.

User text is data: every title, name and note goes through :func:`md_text`
(or :func:`md_block` for several lines), so a title like ``| [x](http://e)``
can neither break a table nor become a link, and HTML in it stays text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from clientdesk.store.clock import zone
from clientdesk.store.closing import Gate, closing_gates
from clientdesk.store.enums import (
    ChangeDecision,
    ChecklistState,
    Priority,
    RequestStatus,
    RequestType,
    RiskStatus,
)
from clientdesk.store.models import (
    ChecklistItem,
    ClientRequest,
    FollowOnAction,
    LessonLearned,
    Meeting,
    Project,
    Risk,
)
from clientdesk.store.snapshot import Snapshot
from clientdesk.store.text import printable

NONE = "—"
"""What an empty cell shows."""

# Characters with a meaning in inline Markdown (CommonMark and GitHub tables).
# A backslash before any ASCII punctuation makes it literal in CommonMark.
_INLINE_SPECIALS = frozenset("\\`*_[]<>|~&!#")
# Line starts that would turn a line into a list item or a heading underline
# ("#", ">" and "*" are escaped anywhere as inline specials).
_BLOCK_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)([.)]))")

DELIVERED = frozenset({RequestStatus.RESOLVED, RequestStatus.CLOSED})
"""Request states the report counts as delivered."""


# -- escaping ------------------------------------------------------------------------


def md_text(text: str) -> str:
    """``text`` as literal inline Markdown on one line (safe in a table cell).

    Markdown and HTML characters are backslash-escaped, line breaks become
    spaces, and control characters are shown as visible escapes.
    """
    one_line = " ".join(printable(text).split())
    return "".join(f"\\{char}" if char in _INLINE_SPECIALS else char for char in one_line)


def md_line_start(escaped: str) -> str:
    """``escaped`` (from :func:`md_text`) safe at the start of a line: no list or heading.

    ``- x`` becomes ``\\- x`` and ``1. x`` becomes ``1\\. x``: the dot is
    escaped, not the digit, because a backslash before a digit is shown as is.
    """

    def escape(match: re.Match[str]) -> str:
        lead, sign, number, dot = match.groups()
        return f"{lead}\\{sign}" if sign else f"{lead}{number}\\{dot}"

    return _BLOCK_START.sub(escape, escaped)


def md_block(text: str, indent: str = "") -> str:
    """``text`` as literal Markdown keeping its lines (hard line breaks), each indented.

    For notes under a list item: no line can start a heading, list or quote.
    """
    lines = []
    for line in text.strip().splitlines():
        escaped = "".join(f"\\{c}" if c in _INLINE_SPECIALS else c for c in printable(line))
        escaped = md_line_start(escaped.strip())
        if escaped:
            lines.append(indent + escaped)
    return "  \n".join(lines)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A GitHub table; cells must already be escaped, short rows are padded with empty cells."""
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for row in rows:
        cells = [*row, *([""] * (len(headers) - len(row)))]
        out.append("| " + " | ".join(cell or NONE for cell in cells) + " |")
    return out


# -- formatting ----------------------------------------------------------------------


def _when(moment: datetime | None, timezone: str) -> str:
    if moment is None:
        return NONE
    local = moment.astimezone(zone(timezone))
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def _day(day: date | None) -> str:
    return day.isoformat() if day else "not set"


def _label(value: object) -> str:
    return str(value).replace("_", " ")


def _days(value: float) -> str:
    text = f"{value:+.1f}".rstrip("0").rstrip(".")
    return text if text not in ("+0", "-0") else "0"


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f} %" if whole else NONE


# -- sections ------------------------------------------------------------------------


def _title(project: Project, now: datetime) -> list[str]:
    tz = project.timezone
    client = md_text(project.client) if project.client else "not set"
    lines = [
        f"# Closing report: {md_text(project.name)} ({project.key})",
        "",
        f"- **Client:** {client}",
        f"- **Start:** {_day(project.start)}",
        f"- **Target end:** {_day(project.target_end)}",
    ]
    if project.closed_at is not None:
        lines.append(
            f"- **Closed:** {_when(project.closed_at, tz)} by {md_text(project.closed_by)}"
        )
        if project.close_override_reason:
            overridden = next(
                (e.overridden for e in reversed(project.closing_log) if e.action == "closed"), ""
            )
            lines.append(
                f"- **Closed with an override:** {md_text(project.close_override_reason)}"
                + (f" (over {md_text(overridden)})" if overridden else "")
            )
    else:
        lines.append("- **Closed:** not yet")
    lines.append(f"- **Report as of:** {_when(now, tz)}")
    return lines


def _acceptance(items: list[ChecklistItem], project: Project) -> list[str]:
    lines = ["## Acceptance", ""]
    item = next((i for i in items if "acceptance" in i.title.casefold()), None)
    if item is None:
        return [*lines, "The checklist has no acceptance item."]
    title = md_line_start(md_text(item.title))
    lines.append(f"{title} ({item.key}): **{_item_state(item, project)}**.")
    if item.evidence.strip():
        # A paragraph of its own: a single line break would run it into the line above.
        lines += ["", f"Evidence: {md_text(item.evidence)}"]
    return lines


def _item_state(item: ChecklistItem, project: Project) -> str:
    if item.state is ChecklistState.DONE:
        who = f" by {md_text(item.done_by)}" if item.done_by else ""
        when = f" on {_when(item.done_at, project.timezone)}" if item.done_at else ""
        return f"done{who}{when}"
    if item.state is ChecklistState.WAIVED:
        return f"waived: {md_text(item.waive_reason)}"
    return "open"


def _delivered(requests: list[ClientRequest], project: Project, now: datetime) -> list[str]:
    lines = ["## Delivered against the plan", ""]
    counts: Counter[tuple[RequestType, str]] = Counter()
    for request in requests:
        counts[request.type, _outcome(request)] += 1
    outcomes = ("delivered", "rejected", "open", "handed over")
    rows = [
        [_label(kind).capitalize(), *(str(counts[kind, outcome]) for outcome in outcomes)]
        for kind in RequestType
        if any(counts[kind, outcome] for outcome in outcomes)
    ]
    if rows:
        total = [
            "**Total**",
            *(f"**{sum(counts[k, o] for k in RequestType)}**" for o in outcomes),
        ]
        lines += _table(
            ["Type", "Delivered", "Rejected", "Still open", "Handed over"], [*rows, total]
        )
        lines.append("")
        lines.append("Delivered means resolved or closed.")
    else:
        lines.append("The client raised no requests.")
    still_open = [r for r in requests if _outcome(r) == "open"]
    if still_open:
        lines += ["", "Still open:", ""]
        lines += [f"- {r.key} ({_label(r.status)}): {md_text(r.title)}" for r in still_open]
    lines += ["", _schedule(project, now)]
    return lines


def _outcome(request: ClientRequest) -> str:
    if request.status in DELIVERED:
        return "delivered"
    if request.status is RequestStatus.REJECTED:
        return "rejected"
    return "handed over" if request.handed_over_to.strip() else "open"


def _schedule(project: Project, now: datetime) -> str:
    target = project.target_end
    if target is None:
        return "No target end date was set."
    if project.closed_at is None:
        today = now.astimezone(zone(project.timezone)).date()
        late = (today - target).days
        if late > 0:
            return f"Not closed yet, {_plural(late, 'day')} past the target end ({target})."
        return f"Not closed yet; the target end is {target}."
    closed = project.closed_at.astimezone(zone(project.timezone)).date()
    late = (closed - target).days
    if late == 0:
        return f"Closed on {closed}, on the target end date."
    side = "after" if late > 0 else "before"
    return f"Closed on {closed}, {_plural(abs(late), 'day')} {side} the target end ({target})."


def _changes(requests: list[ClientRequest], project: Project) -> list[str]:
    lines = ["## Approved changes", ""]
    approved = [r for r in requests if r.is_change and r.decision is ChangeDecision.APPROVED]
    if not approved:
        return [*lines, "No change request was approved."]
    rows = [
        [
            r.key,
            md_text(r.title),
            _days(r.impact_days) if r.impact_days is not None else "",
            _money(r.impact_cost, r.cost_currency) if r.impact_cost is not None else "",
            md_text(r.decided_by),
            _when(r.decided_at, project.timezone) if r.decided_at else "",
        ]
        for r in approved
    ]
    lines += _table(["Key", "Change", "Days", "Cost", "Decided by", "Decided"], rows)
    days = sum(r.impact_days for r in approved if r.impact_days is not None)
    costs: dict[str, Decimal] = {}
    for r in approved:
        if r.impact_cost is not None:
            costs[r.cost_currency] = costs.get(r.cost_currency, Decimal(0)) + r.impact_cost
    money = ", ".join(_money(costs[c], c) for c in sorted(costs)) or "no cost impact"
    lines += ["", f"Total: {_days(days)} days; {money}."]
    return lines


def _risks(snapshot: Snapshot, project: Project, requests: list[ClientRequest]) -> list[str]:
    lines = ["## Risks that occurred", ""]
    raised: dict[str, list[str]] = {}
    linked: list[ClientRequest | Meeting] = [*requests, *snapshot.of_project(Meeting, project.id)]
    for record in linked:
        for risk_id in record.risk_ids:
            raised.setdefault(risk_id, []).append(record.key)
    occurred = [
        risk
        for risk in snapshot.of_project(Risk, project.id)
        if risk.status is RiskStatus.OCCURRED or risk.id in raised
    ]
    if not occurred:
        return [*lines, "No risk occurred."]
    for risk in occurred:
        status = _label(risk.status)
        if risk.status is RiskStatus.CLOSED and risk.close_reason.strip():
            status += f" ({md_text(risk.close_reason)})"
        lines.append(f"- **{risk.key}** {md_text(risk.title)}: {status}")
        if risk.id in raised:
            lines.append(f"  - Raised for it: {', '.join(raised[risk.id])}")
        if risk.contingency.strip():
            lines += ["  - Contingency:", md_block(risk.contingency, "    ")]
        else:
            lines.append("  - Contingency: none recorded")
    return lines


def _service_levels(requests: list[ClientRequest], project: Project, now: datetime) -> list[str]:
    lines = ["## Service levels", ""]
    if not requests:
        return [*lines, "No requests to measure."]
    handled: Counter[Priority] = Counter()
    first_late: Counter[Priority] = Counter()
    resolution_late: Counter[Priority] = Counter()
    within: Counter[Priority] = Counter()
    for request in requests:
        clocks = request.clocks_in(project, now)
        handled[request.priority] += 1
        first_late[request.priority] += clocks.first_response.breached
        resolution_late[request.priority] += clocks.resolution.breached
        late = clocks.first_response.breached or clocks.resolution.breached
        within[request.priority] += not late
    rows = [
        [
            str(p),
            str(handled[p]),
            str(first_late[p]),
            str(resolution_late[p]),
            _percent(within[p], handled[p]),
        ]
        for p in Priority
        if handled[p]
    ]
    total, inside = sum(handled.values()), sum(within.values())
    rows.append(
        [
            "**All**",
            f"**{total}**",
            f"**{sum(first_late.values())}**",
            f"**{sum(resolution_late.values())}**",
            f"**{_percent(inside, total)}**",
        ]
    )
    lines += _table(
        ["Priority", "Requests", "First response late", "Resolution late", "Within target"],
        rows,
    )
    lines += [
        "",
        f"{inside} of {_plural(total, 'request')} met both targets. Open requests are "
        + (
            "measured up to the close."
            if project.is_closed
            else "measured up to the report's time."
        ),
    ]
    return lines


def _satisfaction(items: list[ChecklistItem], project: Project) -> list[str]:
    lines = ["## Client satisfaction", ""]
    surveys = [item for item in items if item.asks_score]
    if not surveys:
        return [*lines, "Not asked: the checklist has no survey item."]
    for number, item in enumerate(surveys):
        if number:
            lines.append("")  # one paragraph per survey
        if item.state is ChecklistState.DONE and item.score is not None:
            answer = f"**{item.score} / 10** ({_item_state(item, project)})"
        elif item.state is ChecklistState.WAIVED:
            answer = f"not answered ({_item_state(item, project)})"
        else:
            answer = "not answered"
        lines.append(f"{md_line_start(md_text(item.title))} ({item.key}): {answer}.")
    return lines


def _lessons(lessons: list[LessonLearned]) -> list[str]:
    lines = ["## Lessons learned", ""]
    if not lessons:
        return [*lines, "No lessons recorded."]
    for lesson in lessons:
        lines.append(f"- **{lesson.key}** {md_text(lesson.title)} ({md_text(lesson.category)})")
        for label, text in (
            ("What happened", lesson.what_happened),
            ("What we learned", lesson.learned),
            ("Next time", lesson.next_time),
        ):
            if text.strip():
                lines += [f"  - {label}:", md_block(text, "    ")]
    return lines


def _follow_ons(
    actions: list[FollowOnAction], requests: list[ClientRequest], risks: list[Risk]
) -> list[str]:
    lines = ["## Follow-on actions", ""]
    rows = [
        [a.key, md_text(a.title), md_text(a.owner), _day(a.due) if a.due else "", md_text(a.notes)]
        for a in actions
    ]
    # Open requests and risks handed over carry on too, with their named owner.
    rows += [
        [r.key, f"Request ({_label(r.status)}): {md_text(r.title)}", md_text(r.handed_over_to)]
        for r in requests
        if r.is_open and r.handed_over_to.strip()
    ]
    rows += [
        [k.key, f"Risk ({_label(k.status)}): {md_text(k.title)}", md_text(k.handed_over_to)]
        for k in risks
        if k.status is not RiskStatus.CLOSED and k.handed_over_to.strip()
    ]
    if not rows:
        return [*lines, "Nothing carries on after the project."]
    return [*lines, *_table(["Key", "Action", "Owner", "Due", "Notes"], rows)]


def _checklist(items: list[ChecklistItem], project: Project) -> list[str]:
    lines = ["## Closing checklist", ""]
    if not items:
        return [*lines, "The checklist is empty."]
    rows = []
    for item in items:
        if item.state is ChecklistState.DONE:
            who, when = md_text(item.done_by), _when(item.done_at, project.timezone)
            note = md_text(item.evidence)
            if item.score is not None:
                note = f"score {item.score} / 10" + (f"; {note}" if note else "")
        else:
            who, when = "", ""
            note = md_text(item.waive_reason) if item.state is ChecklistState.WAIVED else ""
        rows.append([item.key, md_text(item.title), str(item.state), who, when, note])
    return [*lines, *_table(["Key", "Item", "State", "By", "When", "Evidence or reason"], rows)]


def _gates(gates: list[Gate]) -> list[str]:
    lines = ["## Closing gates", ""]
    for gate in gates:
        verdict = "passed" if gate.passed else "failed"
        lines.append(f"- **{verdict.capitalize()}:** {gate.title}")
        lines += [f"  - {b.key} ({md_text(b.why)}): {md_text(b.title)}" for b in gate.blockers]
    return lines


# -- the report ----------------------------------------------------------------------


def closing_report(snapshot: Snapshot, project: Project, now: datetime) -> str:
    """The closing report of ``project`` in Markdown.

    Args:
        snapshot: the records to report on.
        project: the project (closed or not: a draft before the close is useful too).
        now: the report's time; open requests' clocks and the gates are read at it.

    Returns:
        The report, ending in a newline.
    """
    items = sorted(snapshot.of_project(ChecklistItem, project.id), key=lambda i: i.position)
    requests = snapshot.of_project(ClientRequest, project.id)
    risks = snapshot.of_project(Risk, project.id)
    sections = [
        _title(project, now),
        _acceptance(items, project),
        _delivered(requests, project, now),
        _changes(requests, project),
        _risks(snapshot, project, requests),
        _service_levels(requests, project, now),
        _satisfaction(items, project),
        _lessons(snapshot.of_project(LessonLearned, project.id)),
        _follow_ons(snapshot.of_project(FollowOnAction, project.id), requests, risks),
        _checklist(items, project),
        _gates(closing_gates(snapshot, project, now)),
    ]
    return "\n\n".join("\n".join(section) for section in sections) + "\n"
