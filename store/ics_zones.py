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

Which zone a TZID names, in this order (each later step only when the earlier
finds nothing):

1. an IANA name (``Europe/Berlin``), or one after a vendor's prefix
   (``/mozilla.org/20050126_1/Europe/Berlin``);
2. a Windows zone id (``W. Europe Standard Time``, ``FLE Standard Time``), read
   with CLDR's windowsZones table as the maintained ``tzlocal`` package ships
   it (``tzlocal.windows_tz.win_tz``: each id's main zone);
3. a Windows display name, as OWA and old Outlook write them without a
   VTIMEZONE (``(UTC-05:00) Eastern Time (US & Canada)``, ``(GMT+07:00)
   Bangkok``). CLDR does not list these, so the Windows id is derived by a
   rule: take off the ``(UTC±hh:mm)`` prefix; try the rest, and each part of it
   a comma or semicolon divides, with and without its bracketed part, as an id
   and with ``Time`` and ``Standard Time`` swapped (``Eastern Time`` →
   ``Eastern Standard Time``); then each name the rest lists (``Bangkok``,
   ``Kuala Lumpur``) as the city of an ``Area/City`` zone, cities of one zone in
   the order of step 4. A candidate is taken only when the prefix's offset is
   one the zone keeps (in January or July of the current year);
4. a VTIMEZONE of the file, matched by its offsets over the years of the dates
   the file gives in that zone (a file from 2005 keeps the US rules of 2005)
   and the year after each; failing that, at noon of each day of those years
   only (a zone that changes its clocks on the same days at another hour, as
   GroupWise writes them, is read as the zone of those days, and said so).
   Candidates are tried in this order: the zones the TZID or the VTIMEZONE
   names (by the rules of step 3 without the offset, its ``X-LIC-LOCATION`` or
   ``TZURL``), the project's zone, the main zone of each Windows zone (CLDR's,
   the one most people there live in, under its current name), the canonical
   zones of ``zone1970.tab``, then every other IANA name. So "Kuala Lumpur,
   Singapore" becomes Asia/Singapore (the main zone of Windows' zone of that
   name), "Canberra, Melbourne, Sydney" Australia/Sydney and "(UTC+07:00)
   Bangkok" Asia/Bangkok, not whichever zone with the same offsets comes first
   in the alphabet: the name is what goes out again in our invites.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from time import monotonic
from typing import Any
from zoneinfo import TZPATH, ZoneInfo, available_timezones

from dateutil.rrule import rrulestr
from icalendar import Calendar, Component, Timezone, vRecur
from tzlocal.windows_tz import win_tz

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


WINDOWS_ZONES: dict[str, str] = dict(win_tz)
"""CLDR's windowsZones table: each Windows zone id and its main IANA zone, as CLDR
spells it (it keeps old spellings: Asia/Calcutta, Europe/Kiev; see :func:`_windows_zone`)."""

_DISPLAY_NAME = re.compile(
    r"^\(\s*(?:UTC|GMT)\s*(?:(?P<sign>[+-])(?P<hours>\d{1,2}):?(?P<minutes>\d{2}))?\s*\)\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_BRACKETED = re.compile(r"\s*\([^)]*\)")
_LISTED_NAMES = re.compile(r"\s*(?:[,;&/()]|\band\b)\s*", re.IGNORECASE)
_UTC_WORDS = "coordinated universal time"  # the display name of Windows' "UTC"
_LONGEST_NAME = 200  # Windows' longest display name has some 80 characters: past this, no name
_AREAS = frozenset(
    (
        *("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia"),
        *("Europe", "Indian", "Pacific"),
    )
)
"""The continents and oceans of IANA's ``Area/City`` names: a city is looked for only in
these (``US/Eastern`` and ``Canada/Eastern`` name no city)."""


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


def _tzdata_text(name: str) -> str:
    """The text of the time zone database's file ``name`` (``zone1970.tab``), or "" when absent.

    From the system's database, as :mod:`zoneinfo` reads it, else from the
    ``tzdata`` package.
    """
    for folder in TZPATH:
        try:
            return (Path(folder) / name).read_text(encoding="utf-8")
        except OSError:
            continue
    try:
        return resources.files("tzdata").joinpath("zoneinfo", name).read_text("utf-8")
    except (ModuleNotFoundError, OSError):
        return ""


def _zone1970_text() -> str:
    """The text of ``zone1970.tab`` (the canonical zone of each region), or "" when absent."""
    return _tzdata_text("zone1970.tab")


@lru_cache(maxsize=1)
def _renamed() -> dict[str, str]:
    """Each old spelling of a zone (``Asia/Calcutta``) and the name tzdata gives it now.

    Read from the ``L target link`` lines of ``tzdata.zi``.
    """
    renamed = {}
    for line in _tzdata_text("tzdata.zi").splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[0] == "L":
            renamed[fields[2]] = fields[1]
    return renamed


def _windows_zone(windows_id: str) -> str | None:
    """The IANA zone of a Windows zone id, by CLDR, under the name tzdata gives it now.

    CLDR keeps the spelling a zone had when it was first mapped (Asia/Calcutta,
    Europe/Kiev, America/Godthab); an invite that goes out again names the zone
    as calendars now do (Asia/Kolkata, Europe/Kyiv, America/Nuuk). Only CLDR's
    names are followed so: a link in tzdata may also join two cities' zones
    (Europe/Amsterdam to Europe/Brussels), and the city a client named stays.
    """
    name = WINDOWS_ZONES.get(windows_id)
    if name is None:
        return None
    current = _renamed().get(name, name)
    known = _iana_set()
    return current if current in known else name if name in known else None


@lru_cache(maxsize=1)
def _preferred_zones() -> tuple[str, ...]:
    """Every IANA zone in the order a match by offsets prefers it.

    The main zone of each Windows zone (CLDR picks the one most of its people
    live in), then the canonical zones of ``zone1970.tab``, then every other name.
    """
    known = _iana_set()
    canonical = [
        columns[2]
        for line in _zone1970_text().splitlines()
        if line and not line.startswith("#")
        for columns in [line.split("\t")]
        if len(columns) > 2
    ]
    windows = [_windows_zone(windows_id) for windows_id in WINDOWS_ZONES]
    ordered = [*(name for name in windows if name), *canonical, *_iana_names()]
    return tuple(name for name in dict.fromkeys(ordered) if name in known)


@lru_cache(maxsize=1)
def _zones_by_city() -> dict[str, tuple[str, ...]]:
    """Each city an ``Area/City`` name ends with (``kuala lumpur``) and its zones, preferred
    first."""
    cities: dict[str, list[str]] = {}
    for name in _preferred_zones():
        if name.partition("/")[0] in _AREAS:
            city = name.rsplit("/", 1)[1].replace("_", " ").casefold()
            cities.setdefault(city, []).append(name)
    return {city: tuple(names) for city, names in cities.items()}


def _after_prefix(name: str) -> str | None:
    """The IANA zone at the end of ``name`` (``/mozilla.org/20050126_1/Europe/Berlin``), if any."""
    known = _iana_set()
    parts = name.strip().strip("/").split("/")
    for first in range(len(parts)):
        candidate = "/".join(parts[first:])
        if candidate in known:
            return candidate
    return None


@lru_cache(maxsize=1)
def _ranks() -> dict[str, int]:
    """Each IANA zone's place in :func:`_preferred_zones` (0: the most preferred)."""
    return {name: rank for rank, name in enumerate(_preferred_zones())}


def _listed_cities(text: str) -> list[str]:
    """The IANA zones whose city ``text`` names (``Canberra, Melbourne, Sydney``).

    In the order a match by offsets prefers them, so that of several cities of
    one zone, the main zone of the Windows zone they are listed for comes first
    (Australia/Sydney, not Australia/Canberra, an old alias).
    """
    found: list[str] = []
    for piece in _LISTED_NAMES.split(text):
        found += _zones_by_city().get(" ".join(piece.split()).casefold(), ())
    ranks = _ranks()
    return sorted(dict.fromkeys(found), key=lambda name: ranks.get(name, len(ranks)))


def _windows_ids(words: str) -> list[str]:
    """The Windows zone ids a display name's words may stand for (see the module's rule).

    Tried on the words as a whole and on each part a comma or semicolon divides
    (``Pacific Time (US & Canada); Tijuana``, as Windows XP wrote it).
    """
    ids: list[str] = []
    for part in [words, *re.split(r"[,;]", words)]:
        text = part.strip()
        plain = _BRACKETED.sub("", text).strip()
        ids += [text, plain]
        for name in (text, plain):
            if name.endswith(" Standard Time"):
                ids.append(name.removesuffix(" Standard Time") + " Time")
            elif name.endswith(" Time"):
                ids.append(name.removesuffix(" Time") + " Standard Time")
        if plain.casefold() == _UTC_WORDS:
            ids.append("UTC")
    return [name for name in dict.fromkeys(ids) if name]


def _keeps_offset(name: str, offset: timedelta, year: int) -> bool:
    """True when the zone ``name`` is ``offset`` from UTC in January or July of ``year``."""
    zone = ZoneInfo(name)
    return any(
        datetime(year, month, 15, 12, tzinfo=UTC).astimezone(zone).utcoffset() == offset
        for month in (1, 7)
    )


def _from_display_name(name: str, year: int) -> str | None:
    """The IANA zone of a Windows display name (``(UTC+07:00) Bangkok``), checked by its offset."""
    found = _DISPLAY_NAME.match(name)
    if found is None or not found["rest"].strip():
        return None
    offset = timedelta(hours=int(found["hours"] or 0), minutes=int(found["minutes"] or 0))
    if found["sign"] == "-":
        offset = -offset
    rest = found["rest"]
    windows = [zone for i in _windows_ids(rest) if (zone := _windows_zone(i))]
    for candidate in dict.fromkeys([*windows, *_listed_cities(rest)]):
        if _keeps_offset(candidate, offset, year):
            return candidate
    return None


@lru_cache(maxsize=256)
def _iana_name(tzid: str, year: int) -> str | None:
    """The IANA zone a TZID names (steps 1 to 3 of the module's rule), or None.

    Args:
        tzid: the TZID as the file gives it.
        year: the year whose offsets a Windows display name's prefix is checked against.
    """
    cleaned = tzid.strip().strip('"').strip()
    if cleaned in _iana_set():
        return cleaned
    if len(cleaned) > _LONGEST_NAME:
        return None
    return _windows_zone(cleaned) or _after_prefix(cleaned) or _from_display_name(cleaned, year)


def _named_in(tzid: str, definition: Component) -> list[str]:
    """The zones a TZID and its VTIMEZONE name, by ids, cities or a location: tried first."""
    cleaned = tzid.strip().strip('"').strip()[:_LONGEST_NAME]
    found = _DISPLAY_NAME.match(cleaned)
    words = found["rest"] if found else cleaned
    names = [zone for i in _windows_ids(words) if (zone := _windows_zone(i))]
    names += _listed_cities(words)
    for hint in ("X-LIC-LOCATION", "TZURL"):
        value = definition.get(hint)
        where = str(value).split("://", 1)[-1][:_LONGEST_NAME] if value is not None else ""
        named = _after_prefix(where) if where else None
        if named:
            names.append(named)
    return list(dict.fromkeys(name for name in names if name in _iana_set()))


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


_DATED = ("DTSTART", "DTEND", "RECURRENCE-ID", "EXDATE", "RDATE")
"""The properties of an event whose dates tell the years a zone of the file is used in."""

_YEAR_RANGE = (1900, 2200)  # as the import's: a date outside is a typo, and no zone's years


def _years_used(vcalendar: Calendar) -> dict[str, set[int]]:
    """Each TZID the events of ``vcalendar`` give times in, and the years of those times."""
    used: dict[str, set[int]] = {}
    for vevent in components(vcalendar, "VEVENT"):
        for name in _DATED:
            value = vevent.get(name)
            for prop in value if isinstance(value, list) else [value] if value is not None else []:
                tzid = getattr(prop, "params", {}).get("TZID")
                if not tzid:
                    continue
                listed = getattr(prop, "dts", None)
                moments = [item.dt for item in listed] if listed else [getattr(prop, "dt", None)]
                for moment in moments:
                    moment = moment[0] if isinstance(moment, tuple) else moment  # a PERIOD
                    if isinstance(moment, date) and _YEAR_RANGE[0] <= moment.year <= _YEAR_RANGE[1]:
                        used.setdefault(str(tzid).strip(), set()).add(moment.year)
    return used


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
        self._years_used = _years_used(vcalendar) if self._defined else {}
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
            cached = _iana_name(tzid, self._year) or self._from_definition(tzid)
            self._names[tzid] = cached
        return cached

    def _years(self, tzid: str) -> list[int]:
        """The years a zone of the file is matched over (see the module's rule).

        Those of the first and the last date the file gives in that zone, and
        the year after each (a series runs on); without such dates, the years
        around now.
        """
        used = self._years_used.get(tzid.strip())
        if not used:
            return [self._year - 1, self._year, self._year + 1, self._year + 2]
        first, last = min(used), max(used)
        return sorted({first, first + 1, last, last + 1})

    def _from_definition(self, tzid: str) -> str:
        definition = self._defined.get(tzid.strip())
        if definition is None:
            raise ImportRefused(
                f"unknown time zone {short(tzid, 60)!r}: not defined in the file "
                "(no VTIMEZONE), and neither an IANA zone, a Windows zone nor a Windows "
                "display name whose offset and city match a zone"
            )
        shown = short(tzid, 60)
        years = self._years(tzid)
        until = datetime(years[-1] + 1, 1, 1, tzinfo=UTC)
        self._budget.start()
        try:
            changes = _zone_changes(definition, tzid, until, self._budget)
        except (StoreError, OutOfTime):
            raise
        except Exception as error:  # a hostile VTIMEZONE breaks in many ways
            raise _unreadable_zone(tzid, short(error)) from None
        candidates = [*_named_in(tzid, definition), self._project_zone, *_preferred_zones()]
        how = "the same offsets"
        matched = self._equivalent(tzid, changes, years, candidates, exact=True)
        if matched is None:
            how = "the same offsets; its clocks change on the same days, at another hour"
            matched = self._equivalent(tzid, changes, years, candidates, exact=False)
        if matched is None:
            span = f"{years[0]}" if len(years) == 1 else f"{years[0]} to {years[-1]}"
            raise ImportRefused(
                f"the time zone {shown!r} in the file matches no known zone "
                f"(its offsets in {span} differ from every IANA zone)"
            )
        self._warnings.append(f"time zone {tzid!r} read as {matched} ({how})")
        return matched

    def _equivalent(
        self,
        tzid: str,
        changes: _ZoneChanges,
        years: Sequence[int],
        candidates: Iterable[str],
        *,
        exact: bool,
    ) -> str | None:
        """The first of ``candidates`` with the offsets of ``changes`` throughout ``years``.

        Not ``exact``: at noon (UTC) of every day, so that a zone whose clocks
        change on the same days but at another hour matches too (GroupWise
        writes Central European time changing at 01:00 and 02:00 local time,
        where the EU changes at 01:00 UTC).
        """
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
            if instant.year in years
            for moment in (instant - timedelta(seconds=1), instant)
        ]
        daily = [
            first + timedelta(days=n, hours=12)
            for y in years
            for first in [datetime(y, 1, 1, tzinfo=UTC)]
            for n in range((datetime(y + 1, 1, 1, tzinfo=UTC) - first).days)
        ]
        passes = [
            [(moment, changes.offset_at(moment)) for moment in samples]
            for samples in ((coarse, edges, daily) if exact else (coarse, daily))
        ]
        for name in dict.fromkeys(candidates):
            self._budget.check(tzid)
            candidate = ZoneInfo(name)
            if all(
                moment.astimezone(candidate).utcoffset() == offset
                for samples in passes
                for moment, offset in samples
            ):
                return name
        return None
