"""Time zones that only an imported file defines, matched to the IANA zone they are.

A zone that only the file defines (a VTIMEZONE under a TZID that names no
known zone) is matched to the IANA zone that has the same offsets. Its changes
are worked out from its STANDARD and DAYLIGHT parts by clientdesk itself, at
most :data:`MAX_ZONE_TRANSITIONS` per part, only from yearly rules and dates
(a part that repeats daily or monthly is no zone of a real place, and is
refused as unreadable rather than read wrongly), and the whole matching of a
file has :data:`ZONE_MATCH_SECONDS`. When that time runs out the file is
refused with one line: a zone that cannot be matched is treated as unknown,
and an unknown zone is refused, since no time in the file could be placed
right without it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from dateutil.rrule import rrulestr
from icalendar import Calendar, Component, Timezone, vRecur
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from clientdesk.store.errors import StoreError
from clientdesk.store.ics_reading import (
    ImportRefused,
    ImportWatch,
    OutOfTime,
    components,
    one,
    short,
)

MAX_ZONE_TRANSITIONS = 1_000
"""The most changes of offset worked out for one STANDARD or DAYLIGHT part of a
zone the file defines. Outlook starts its yearly rules in 1601, some 430 years
before now; a part that changes more often than this is no zone of a real place."""

ZONE_MATCH_SECONDS = 3.0
"""How long matching the file's own zones to IANA zones may take in all (wall
time). A real zone takes a few hundredths of a second; past this, the file is
refused."""

_ZONE_PARTS = ("STANDARD", "DAYLIGHT")


@lru_cache(maxsize=1)
def _iana_names() -> tuple[str, ...]:
    """Every IANA zone, the ordinary ``Area/City`` names first (they are what people read)."""
    names = available_timezones()
    legacy = ("Etc/", "SystemV/", "US/", "posix/", "right/")
    usual = sorted(n for n in names if "/" in n and not n.startswith(legacy))
    return (*usual, *sorted(names.difference(usual)))


@lru_cache(maxsize=1)
def _iana_set() -> frozenset[str]:
    return frozenset(_iana_names())


def _iana_name(tzid: str) -> str | None:
    """The IANA zone a TZID names: itself, a Windows name, or ``/vendor/Area/City``."""
    cleaned = tzid.strip().strip('"').strip()
    known = _iana_set()
    if cleaned in known:
        return cleaned
    if cleaned in WINDOWS_TO_OLSON:
        return WINDOWS_TO_OLSON[cleaned]
    parts = cleaned.strip("/").split("/")
    for first in range(1, len(parts)):
        candidate = "/".join(parts[first:])
        if candidate in known:
            return candidate
    return None


class ZoneBudget:
    """The time that matching the file's own zones may take, all of them together."""

    def __init__(self, watch: ImportWatch) -> None:
        self._watch = watch
        self._deadline: float | None = None

    def start(self) -> None:
        """Start the clock, at the first zone matched (parsing the file does not count)."""
        if self._deadline is None:
            self._deadline = monotonic() + ZONE_MATCH_SECONDS

    def check(self, tzid: str) -> None:
        """Stop when the user cancels or the time is up.

        Raises:
            ImportCancelled: the user cancelled.
            ImportRefused: :data:`ZONE_MATCH_SECONDS` have passed since :meth:`start`.
            OutOfTime: the whole planning ran out of time.
        """
        self._watch.check()
        if self._deadline is not None and monotonic() >= self._deadline:
            raise ImportRefused(
                f"the time zone {short(tzid, 60)!r} in the file could not be matched to a "
                f"known zone within {ZONE_MATCH_SECONDS:g} seconds, the most clientdesk "
                "spends on the zones of a file"
            )


@dataclass(frozen=True)
class _ZoneChanges:
    """When a zone of the file changes its offset.

    Attributes:
        instants: the UTC instants of the changes, in order.
        offsets: the offset from UTC from each instant on.
        before: the offset before the first change.
    """

    instants: list[datetime]
    offsets: list[timedelta]
    before: timedelta

    def offset_at(self, moment: datetime) -> timedelta:
        """The zone's offset from UTC at the instant ``moment``."""
        index = bisect_right(self.instants, moment)
        return self.offsets[index - 1] if index else self.before


def _unreadable_zone(tzid: str, why: str) -> ImportRefused:
    return ImportRefused(f"the time zone {short(tzid, 60)!r} in the file cannot be read: {why}")


def _zone_changes(
    definition: Component, tzid: str, until: datetime, budget: ZoneBudget
) -> _ZoneChanges:
    """The changes of the zone ``definition`` up to the instant ``until``.

    They are worked out from its STANDARD and DAYLIGHT parts, each onset a wall
    time in the offset in force before it (RFC 5545, 3.6.5).

    Raises:
        ImportRefused: a part cannot be read, repeats other than yearly, or changes
            more than :data:`MAX_ZONE_TRANSITIONS` times.
    """
    parts = [part for part in definition.subcomponents if part.name in _ZONE_PARTS]
    if not parts:
        raise _unreadable_zone(tzid, "it has no STANDARD or DAYLIGHT part")
    changes: list[tuple[datetime, timedelta, timedelta]] = []
    for part in parts:
        budget.check(tzid)
        offset_from = _zone_offset(part, "TZOFFSETFROM", tzid)
        offset_to = _zone_offset(part, "TZOFFSETTO", tzid)
        last = until.replace(tzinfo=None) + offset_from + timedelta(days=1)
        for onset in _onsets(part, tzid, offset_from, last, budget):
            changes.append(((onset - offset_from).replace(tzinfo=UTC), offset_from, offset_to))
    changes.sort(key=lambda change: change[0])
    return _ZoneChanges(
        instants=[instant for instant, _, _ in changes],
        offsets=[offset for _, _, offset in changes],
        before=changes[0][1],
    )


def _zone_offset(part: Component, name: str, tzid: str) -> timedelta:
    offset = getattr(part.get(name), "td", None)
    if not isinstance(offset, timedelta):
        raise _unreadable_zone(tzid, f"its {part.name} part has no {name}")
    return offset


def _onsets(
    part: Component, tzid: str, offset_from: timedelta, last: datetime, budget: ZoneBudget
) -> list[datetime]:
    """The wall times at which ``part`` takes effect, up to ``last``, in order."""
    start = getattr(one(part, "DTSTART"), "dt", None)
    if isinstance(start, datetime):
        first = start.replace(tzinfo=None)
    elif isinstance(start, date):
        first = datetime.combine(start, time(0))
    else:
        raise _unreadable_zone(tzid, f"its {part.name} part has no DTSTART")
    onsets = {first}
    listed = part.get("RDATE")
    for group in listed if isinstance(listed, list) else [listed] if listed else []:
        for item in getattr(group, "dts", []):
            moment = item.dt[0] if isinstance(item.dt, tuple) else item.dt  # a PERIOD: its start
            if isinstance(moment, datetime):
                onsets.add(moment.replace(tzinfo=None))
            elif isinstance(moment, date):
                onsets.add(datetime.combine(moment, time(0)))
    _count_onsets(onsets, part, tzid)
    rule = part.get("RRULE")
    if rule is not None:
        for onset in _rule_onsets(rule, first, part, tzid, offset_from):
            if onset > last:
                break
            onsets.add(onset)
            _count_onsets(onsets, part, tzid)
            budget.check(tzid)
    return sorted(onsets)


def _count_onsets(onsets: set[datetime], part: Component, tzid: str) -> None:
    if len(onsets) > MAX_ZONE_TRANSITIONS:
        raise ImportRefused(
            f"the time zone {short(tzid, 60)!r} in the file changes its offset more than "
            f"{MAX_ZONE_TRANSITIONS:,} times in one {part.name} part; clientdesk reads at most "
            f"{MAX_ZONE_TRANSITIONS:,}"
        )


def _rule_onsets(
    rule: Any, first: datetime, part: Component, tzid: str, offset_from: timedelta
) -> Iterator[datetime]:
    """The onsets a zone part's RRULE gives from ``first`` on, lazily (a rule may be endless)."""
    if isinstance(rule, list):
        if len(rule) > 1:
            raise _unreadable_zone(tzid, f"its {part.name} part has more than one RRULE")
        rule = rule[0]
    parts = {name: list(values) for name, values in dict(rule).items()}
    frequency = str((parts.get("FREQ") or [""])[0]).upper()
    if frequency != "YEARLY":
        # Summer time starts and ends once a year: a zone whose offset changes every
        # day or month is no zone of a real place, and no IANA zone can stand for it.
        raise _unreadable_zone(
            tzid,
            f"its {part.name} part repeats FREQ={frequency or '(none)'}, and the zone of a "
            "real place changes by a yearly rule",
        )
    until = parts.get("UNTIL")
    if until:
        end = until[0]
        if isinstance(end, datetime) and end.tzinfo is not None:
            # UNTIL is an instant; the onsets are wall times in the offset before them.
            end = end.astimezone(UTC).replace(tzinfo=None) + offset_from
        elif isinstance(end, date) and not isinstance(end, datetime):
            end = datetime.combine(end, time(23, 59, 59))
        elif not isinstance(end, datetime):
            raise _unreadable_zone(tzid, f"the UNTIL of its {part.name} part is not a date")
        parts["UNTIL"] = [end]
    text = vRecur(parts).to_ical().decode("utf-8")  # type: ignore[no-untyped-call]
    yield from rrulestr(text, dtstart=first)


class FileZones:
    """The zones of one VCALENDAR: each TZID resolved to an IANA zone once."""

    def __init__(
        self,
        vcalendar: Calendar,
        project_zone: str,
        now: datetime,
        warnings: list[str],
        budget: ZoneBudget,
    ) -> None:
        self._defined = {
            str(tz.get("TZID", "")).strip(): tz
            for tz in components(vcalendar, "VTIMEZONE")
            if isinstance(tz, Timezone)
        }
        self._project_zone = project_zone
        self._year = now.year
        self._warnings = warnings
        self._budget = budget
        self._names: dict[str, str] = {}

    def name(self, tzid: str) -> str:
        """The IANA name of ``tzid``.

        Raises:
            ImportRefused: neither an IANA or Windows name nor a VTIMEZONE of the file.
        """
        cached = self._names.get(tzid)
        if cached is None:
            cached = _iana_name(tzid) or self._from_definition(tzid)
            self._names[tzid] = cached
        return cached

    def _from_definition(self, tzid: str) -> str:
        definition = self._defined.get(tzid.strip())
        if definition is None:
            raise ImportRefused(
                f"unknown time zone {short(tzid, 60)!r}: not defined in the file "
                "(no VTIMEZONE), and neither an IANA nor a Windows zone name"
            )
        shown = short(tzid, 60)
        years = (self._year - 1, self._year, self._year + 1, self._year + 2)
        window = (datetime(years[0], 1, 1, tzinfo=UTC), datetime(years[-1] + 1, 1, 1, tzinfo=UTC))
        self._budget.start()
        try:
            changes = _zone_changes(definition, tzid, window[1], self._budget)
        except (StoreError, OutOfTime):
            raise
        except Exception as error:  # a hostile VTIMEZONE breaks in many ways
            raise _unreadable_zone(tzid, short(error)) from None
        matched = self._equivalent(tzid, changes, years, window)
        if matched is None:
            raise ImportRefused(
                f"the time zone {shown!r} in the file matches no known zone "
                "(its offsets differ from every IANA zone)"
            )
        self._warnings.append(f"time zone {tzid!r} read as {matched} (the same offsets)")
        return matched

    def _equivalent(
        self,
        tzid: str,
        changes: _ZoneChanges,
        years: Sequence[int],
        window: tuple[datetime, datetime],
    ) -> str | None:
        """The first IANA zone with the offsets of ``changes`` throughout ``years``."""
        # Twice a month first (cheap, and most zones differ there); then a second
        # before and at each change of the file's zone (zones that differ only by the
        # week or the hour they change to summer time exist: New York and Havana);
        # then every day, for a change the candidate has and the file's zone has not.
        coarse = [
            datetime(y, m, d, 12, tzinfo=UTC) for y in years for m in range(1, 13) for d in (1, 15)
        ]
        edges = [
            moment
            for instant in changes.instants
            if window[0] <= instant < window[1]
            for moment in (instant - timedelta(seconds=1), instant)
        ]
        daily = [window[0] + timedelta(days=n, hours=12) for n in range(366 * len(years))]
        passes = [
            [(moment, changes.offset_at(moment)) for moment in samples]
            for samples in (coarse, edges, daily)
        ]
        candidates = dict.fromkeys([self._project_zone, *WINDOWS_TO_OLSON.values(), *_iana_names()])
        for name in candidates:
            self._budget.check(tzid)
            candidate = ZoneInfo(name)
            if all(
                moment.astimezone(candidate).utcoffset() == offset
                for samples in passes
                for moment, offset in samples
            ):
                return name
        return None
