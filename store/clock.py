"""The current time, in one place, so that tests and snapshots can fix it.

``CLIENTDESK_NOW`` (an ISO 8601 time with an offset) freezes the clock for a
whole process, which is how subprocess tests and the screenshot get a
deterministic "now".
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clientdesk.store.errors import ValidationFailed

NOW_ENV = "CLIENTDESK_NOW"


def _system_now() -> datetime:
    fixed = os.environ.get(NOW_ENV)
    if fixed:
        parsed = datetime.fromisoformat(fixed)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.now(UTC)


_now: Callable[[], datetime] = _system_now


def now() -> datetime:
    """The current time, timezone-aware (UTC unless the clock is fixed otherwise)."""
    return _now()


@contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Fix ``now()`` at ``at`` for the duration of the block (tests)."""
    global _now
    previous = _now
    _now = lambda: at  # noqa: E731
    try:
        yield
    finally:
        _now = previous


_NOT_A_PLACE = ("localtime", "factory", "posixrules")
"""Names the zone database accepts that are no place: they mean "this server's zone"
or nothing at all, and no calendar program on another machine can read them."""


def zone(name: str) -> ZoneInfo:
    """The IANA time zone called ``name``; a clear error when there is none."""
    if name.strip().lower() in _NOT_A_PLACE or name.startswith(("posix/", "right/")):
        raise ValidationFailed(f"{name!r} is not a place's time zone (expected e.g. Europe/Berlin)")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(
            f"unknown time zone {name!r} (expected e.g. Europe/Berlin)"
        ) from None


def parse_datetime(text: str, tz: str = "UTC") -> datetime:
    """Read a date and time a person typed; local times are taken in zone ``tz``.

    Accepts ``2026-12-01 10:00``, ``2026-12-01T10:00``, ISO 8601 with an offset,
    and a bare date (midnight).

    Raises:
        ValidationFailed: the text is not such a date.
    """
    cleaned = text.strip()
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        raise ValidationFailed(
            f"malformed date and time {cleaned!r} (expected YYYY-MM-DD HH:MM)"
        ) from None
    if parsed.tzinfo is None:
        parsed = _local(parsed, zone(tz))
    return parsed


def _local(wall: datetime, place: ZoneInfo) -> datetime:
    """The wall-clock time ``wall`` in ``place``; the earlier when the clocks show it twice.

    Raises:
        ValidationFailed: the clocks skip ``wall`` (they go forward over it).
    """
    moment = wall.replace(tzinfo=place, fold=0)
    if moment.astimezone(UTC).astimezone(place).replace(tzinfo=None) == wall:
        return moment
    # Skipped: read in the offset before the change, ``wall`` is already past it.
    before, after = moment.utcoffset(), moment.replace(fold=1).utcoffset()
    assert before is not None and after is not None
    change = (wall - before).replace(tzinfo=UTC)
    for minutes in range(int((after - before).total_seconds()) // 60, -1, -1):
        earlier = change - timedelta(minutes=minutes)
        if earlier.astimezone(place).utcoffset() == after:
            change = earlier
            break
    raise ValidationFailed(
        f"{wall:%Y-%m-%d %H:%M} does not exist in {place.key} "
        f"(the clocks go forward at {change + before:%H:%M})"
    )


def twice_note(moment: datetime) -> str | None:
    """What to tell whoever typed ``moment``, a local time the clocks show twice (else None).

    :func:`parse_datetime` takes the earlier of the two; the note says so, and
    how to give the later one.
    """
    place = moment.tzinfo
    if not isinstance(place, ZoneInfo) or moment.fold:
        return None
    first, second = moment.utcoffset(), moment.replace(fold=1).utcoffset()
    if first is None or second is None or first <= second:
        return None  # shown once, or skipped (refused by parse_datetime)
    return (
        f"{moment:%Y-%m-%d %H:%M} comes twice in {place.key} (the clocks go back): "
        f"taken as the first, at UTC{_offset(first)}; "
        f"give {moment:%Y-%m-%d %H:%M}{_offset(second)} for the second"
    )


def _offset(offset: timedelta) -> str:
    """``+02:00`` for two hours east of UTC."""
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def parse_date(text: str) -> date:
    """Read a calendar date (``YYYY-MM-DD``).

    Raises:
        ValidationFailed: the text is not such a date.
    """
    cleaned = text.strip()
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        raise ValidationFailed(f"malformed date {cleaned!r} (expected YYYY-MM-DD)") from None


def start_of_day(day: date, tz: str) -> datetime:
    """Midnight at the start of ``day`` in zone ``tz``."""
    return datetime.combine(day, time(0, 0), tzinfo=zone(tz))


def machine_zone_name() -> str | None:
    """The IANA name of this machine's time zone, when it can be found.

    ``TZ`` wins (a user on a shared server sets it in their shell profile);
    else the zone ``/etc/localtime`` links to. None when neither names a zone.
    """
    candidates: list[str] = []
    tz_variable = os.environ.get("TZ", "").removeprefix(":").strip()
    if tz_variable:
        candidates.append(tz_variable)
    try:
        target = os.path.realpath("/etc/localtime")
    except OSError:
        target = ""
    marker = "zoneinfo/"
    if marker in target:
        candidates.append(target.split(marker, 1)[1])
    for name in candidates:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return name
    return None


def viewer_zone(configured: str | None) -> ZoneInfo:
    """The zone the person at the terminal lives in: the config's, else the machine's, else UTC."""
    for name in (configured, machine_zone_name()):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")
