"""Options of ``clientdesk add`` and ``edit`` that are not one field each.

Most options set one field (:data:`clientdesk.tui.commands.FIELD_OPTIONS`);
the ones here change several fields, or a field from others: a project's
service levels (``--working-hours``, ``--holidays``, ``--sla``), a meeting's
series end, all-day span and single occurrences, a plan item's cadence
preset, a checklist item's stamp and a request's comment log.
:func:`apply_extras` turns them into the fields to save.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from typing import Any

from clientdesk.store import calendar, clock, meeting_dates, paths, sla
from clientdesk.store.enums import ChecklistState, Priority
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.models import (
    ChecklistItem,
    ClientRequest,
    CommunicationPlanItem,
    Meeting,
    Project,
    Record,
    ServiceLevelPolicy,
)
from clientdesk.store.snapshot import dump_record, validate_record
from clientdesk.tui.cli import UsageError

CADENCE_PRESETS: dict[str, calendar.CadencePreset] = {
    "weekly": calendar.CadencePreset.WEEKLY,
    "fortnightly": calendar.CadencePreset.FORTNIGHTLY,
    "monthly-first": calendar.CadencePreset.MONTHLY_FIRST_WEEKDAY,
    "monthly-last": calendar.CadencePreset.MONTHLY_LAST_WEEKDAY,
    "monthly-date": calendar.CadencePreset.MONTHLY_DATE,
    "quarterly": calendar.CadencePreset.QUARTERLY,
}
"""The cadence presets by the names ``--every`` takes."""


def whole_number(text: str, *_: object) -> int:
    """``text`` read as a whole number (also a field option's converter)."""
    try:
        return int(text)
    except ValueError:
        raise ValidationFailed(f"{text!r} is not a whole number") from None


def noted(moment: datetime) -> datetime:
    """``moment``, once stderr says which it is of a local time the clocks show twice."""
    note = clock.twice_note(moment)
    if note is not None:
        print(f"clientdesk: {note}", file=sys.stderr)
    return moment


def _service_levels(args: argparse.Namespace, current: ServiceLevelPolicy) -> dict[str, Any] | None:
    """The project's service levels with ``--working-hours``, ``--holidays``, ``--sla`` applied.

    None when none of the three is given.
    """
    hours = getattr(args, "working_hours", None)
    holidays = getattr(args, "holidays", None)
    targets = getattr(args, "sla", None)
    if hours is None and holidays is None and not targets:
        return None
    policy = current.model_dump(mode="json")
    if hours is not None:
        try:
            policy["working_week"] = sla.format_working_week(sla.parse_working_week(hours))
        except sla.WorkingWeekError as error:
            raise ValidationFailed(f"--working-hours: {error}", "service_levels") from None
    if holidays is not None:
        days = [piece.strip() for piece in holidays.split(",") if piece.strip()]
        try:
            policy["holidays"] = sorted({clock.parse_date(day).isoformat() for day in days})
        except ValidationFailed as error:
            raise ValidationFailed(f"--holidays: {error}", "service_levels") from None
    for text in targets or []:
        priority, target = _sla_target(text, current)
        policy["targets"][priority] = target
    return policy


def _sla_target(text: str, current: ServiceLevelPolicy) -> tuple[str, dict[str, Any]]:
    """Read one ``--sla P2=4h/16h[/24x7|/working]``: the priority and its targets."""
    name, _, rest = text.partition("=")
    priority = name.strip().upper()
    if priority not in {str(p) for p in Priority}:
        raise ValidationFailed(
            f"--sla {text}: unknown priority {name.strip()!r} (P1 to P4)", "service_levels"
        )
    parts = [part.strip().lower() for part in rest.split("/")]
    if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] not in ("24x7", "working")):
        raise ValidationFailed(
            f"--sla {text}: expected PRIORITY=RESPONSE/RESOLUTION[/24x7|/working], e.g. P2=4h/16h",
            "service_levels",
        )
    try:
        first, resolution = sla.parse_duration(parts[0]), sla.parse_duration(parts[1])
    except sla.WorkingWeekError as error:
        raise ValidationFailed(f"--sla {text}: {error}", "service_levels") from None
    # Without a suffix the priority keeps how it counts (P1 stays around the clock).
    working = (
        parts[2] == "working"
        if len(parts) == 3
        else current.target(Priority(priority)).working_hours
    )
    return priority, {
        "first_response_minutes": first,
        "resolution_minutes": resolution,
        "working_hours": working,
    }


def apply_extras(
    args: argparse.Namespace,
    kind: type[Record],
    data: dict[str, Any],
    record: Record | None,
    project: Project | None = None,
) -> None:
    """Apply the options that are not one field each to ``data`` (the fields to save).

    Args:
        args: the parsed command line.
        kind: the kind of record being added or edited.
        data: the changed fields so far; updated in place.
        record: the stored record of an edit, None for an add.
        project: the record's project (its zone reads dates and places cadences).
    """
    if kind is Project:
        current = record.service_levels if isinstance(record, Project) else ServiceLevelPolicy()
        policy = _service_levels(args, current)
        if policy is not None:
            data["service_levels"] = policy
    if kind is ChecklistItem:
        _stamp_checklist_item(data, record)
    home = project.timezone if project is not None else "UTC"
    if kind is Meeting:
        _apply_meeting_extras(args, data, record, home)
    if kind is CommunicationPlanItem:
        _apply_plan_extras(args, data, record, home)
    if kind is ClientRequest and getattr(args, "comment", None) is not None:
        # The store keeps the stored log and stamps what is appended: send it whole.
        stored = record.comments if isinstance(record, ClientRequest) else []
        data["comments"] = [
            *(comment.model_dump(mode="json") for comment in stored),
            {"text": args.comment},
        ]


def _series_end(args: argparse.Namespace) -> tuple[bool, date | None, int | None]:
    """Whether ``--until`` or ``--count`` was given, and their values."""
    until_text, count_text = getattr(args, "until", None), getattr(args, "count", None)
    if until_text is None and count_text is None:
        return False, None, None
    try:
        until = clock.parse_date(until_text) if until_text else None
    except ValidationFailed as error:
        raise ValidationFailed(f"--until: {error}", "rrule") from None
    count = whole_number(count_text) if count_text else None
    if until_text and count_text:
        raise ValidationFailed("give --until or --count, not both", "rrule")
    return True, until, count


def _with_end(args: argparse.Namespace, rule: str | None, first: datetime, flag: str) -> str | None:
    """``rule`` ended as ``--until`` or ``--count`` say (unchanged when neither is given)."""
    given, until, count = _series_end(args)
    if not given:
        return rule
    if rule is None:
        raise ValidationFailed(f"--until and --count end a series: give {flag} too", "rrule")
    return calendar.rule_with_end(rule, first, until=until, count=count)


def _apply_meeting_extras(
    args: argparse.Namespace, data: dict[str, Any], record: Record | None, home: str
) -> None:
    """Apply ``--until``/``--count`` to the rule and the occurrence options to ``data``."""
    stored = dump_record(record) if record is not None else {}
    zone_name = {**stored, **data}.get("timezone") or home
    _apply_all_day(args, data, stored, zone_name)
    merged = {**stored, **data}
    if "start" in merged and (merged.get("rrule") or _series_end(args)[0]):
        first = datetime.fromisoformat(str(merged["start"])).astimezone(clock.zone(zone_name))
        rule = _with_end(args, merged.get("rrule"), first, "--rrule")
        if rule != merged.get("rrule"):
            data["rrule"] = rule
    if record is None:
        return
    assert isinstance(record, Meeting)
    if record.exceptions and any(name in data for name in ("start", "rrule", "timezone")):
        # The occurrences that differ follow the series to its new time.
        edited = validate_record(Meeting, {**stored, **data, "exceptions": []})
        fitted = calendar.fit_exceptions(edited, record)
        data["exceptions"] = [change.model_dump(mode="json") for change in fitted.exceptions]
    cancel = getattr(args, "cancel_occurrence", None)
    restore = getattr(args, "restore_occurrence", None)
    move, to = getattr(args, "move_occurrence", None), getattr(args, "move_to", None)
    if cancel is None and restore is None and move is None and to is None:
        return
    if (move is None) != (to is None):
        raise UsageError("--move-occurrence OLD needs --to NEW (and --to needs --move-occurrence)")
    # With --move-occurrence, --duration and --location are the moved
    # occurrence's, not the series'.
    duration = data.pop("duration_minutes", None) if move is not None else None
    location = data.pop("location", None) if move is not None else None
    meeting = validate_record(Meeting, {**stored, **data})
    before = dump_record(meeting)

    def when(text: str, flag: str) -> datetime:
        try:
            moment = clock.parse_datetime(text, meeting.timezone)
        except ValidationFailed as error:
            raise ValidationFailed(f"{flag}: {error}", "exceptions") from None
        return noted(moment)

    if cancel is not None:
        meeting = calendar.cancel_occurrence(meeting, when(cancel, "--cancel-occurrence"))
    if restore is not None:
        meeting = calendar.restore_occurrence(meeting, when(restore, "--restore-occurrence"))
    if move is not None and to is not None:
        meeting = calendar.move_occurrence(
            meeting, when(move, "--move-occurrence"), when(to, "--to"), duration, location
        )
    after = dump_record(meeting)
    data.update({name: value for name, value in after.items() if value != before.get(name)})


def _apply_all_day(
    args: argparse.Namespace, data: dict[str, Any], stored: dict[str, Any], zone_name: str
) -> None:
    """``--all-day`` and ``--days``: the start made the start of its day, the length whole days."""
    switched = getattr(args, "all_day", None)
    days_text = getattr(args, "days", None)
    if switched is not None:
        data["all_day"] = switched
    all_day = bool(data.get("all_day", stored.get("all_day", False)))
    if days_text is not None:
        if not all_day:
            raise UsageError("--days is the length of an all-day meeting: give --all-day too")
        days = whole_number(days_text)
        if not 1 <= days <= meeting_dates.MAX_ALL_DAY_DAYS:
            raise ValidationFailed(
                f"--days: an all-day meeting lasts 1 to {meeting_dates.MAX_ALL_DAY_DAYS} days",
                "duration_minutes",
            )
        data["duration_minutes"] = days * meeting_dates.DAY_MINUTES
    if not switched:
        return
    if "duration_minutes" not in data and not stored.get("all_day"):
        data["duration_minutes"] = meeting_dates.DAY_MINUTES
    start = data.get("start", stored.get("start"))
    if start is not None:
        # The day the start falls on in the meeting's zone, from its first instant.
        day = datetime.fromisoformat(str(start)).astimezone(clock.zone(zone_name)).date()
        data["start"] = meeting_dates.day_start(day, zone_name).isoformat()


def _apply_plan_extras(
    args: argparse.Namespace, data: dict[str, Any], record: Record | None, home: str
) -> None:
    """Turn ``--every`` into a cadence and apply ``--until``/``--count`` to it."""
    stored = dump_record(record) if record is not None else {}
    merged = {**stored, **data}
    every = getattr(args, "every", None)
    if every is not None and getattr(args, "cadence", None) is not None:
        raise ValidationFailed("give --cadence or --every, not both", "cadence")
    if every is None and not _series_end(args)[0]:
        return
    if not merged.get("first_due"):
        raise ValidationFailed("--first-due is needed to place the cadence", "first_due")
    # The preset's weekday and day of the month are those of the project's calendar.
    first = datetime.fromisoformat(str(merged["first_due"])).astimezone(clock.zone(home))
    rule = merged.get("cadence")
    if every is not None:
        preset = CADENCE_PRESETS.get(every.strip().lower())
        if preset is None:
            raise ValidationFailed(
                f"--every {every!r}: use one of {', '.join(CADENCE_PRESETS)}", "cadence"
            )
        rule = calendar.cadence_rule(preset, first)
    data["cadence"] = _with_end(args, rule, first, "--cadence or --every")


def _stamp_checklist_item(data: dict[str, Any], record: Record | None) -> None:
    """Stamp who ticked a checklist item and when (unless given); clear them when unticked."""
    old = record.state if isinstance(record, ChecklistItem) else ChecklistState.OPEN
    new = data.get("state", old)
    if new == ChecklistState.DONE and old != ChecklistState.DONE:
        data.setdefault("done_by", paths.current_user())
        data.setdefault("done_at", clock.now().isoformat())
    elif new != ChecklistState.DONE and old == ChecklistState.DONE:
        # An item no longer done was not done by anyone: keep no stale stamp.
        data.setdefault("done_by", "")
        data.setdefault("done_at", None)
