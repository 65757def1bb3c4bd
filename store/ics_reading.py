"""Reading an iCalendar file before anything is taken from it: limits, shape, parse.

A file from someone else's server is hostile ground. Before the iCalendar
parser sees it, one cheap pass over its lines refuses, whole and in one line,
a file above any of the limits below (its size, lines, VCALENDARs, events,
attendees on one event, RDATE/EXDATE values or properties in one component),
and one whose components do not nest (``END:VTODO`` closing a VEVENT). In a
file whose lines end in CRLF, as RFC 5545 has them, a line feed without its
carriage return inside a line is refused too: the parser would take what
follows it for a line of its own (a SUMMARY could smuggle in an ATTENDEE). A
file whose lines all end in LF alone, as many programs write them, is read
as usual.

Some programs write rules loosely: CDO (Exchange 2003) puts a space after a
comma in an RRULE (``BYDAY=MO, TU``). A rule holds no text in which a space
means anything, so every space and tab in an RRULE's value is taken out
before the file is parsed; a rule still broken after that refuses the file
with one line, as any broken line does. The parser's own notes on what it
guessed (a vendor-prefixed TZID it read as an IANA name) are kept off the
terminal: clientdesk says what it read in its preview. They are silenced by a
filter for that one category, added to the process's warning filters once and
never taken out (see :func:`silence_parser_notes`), rather than by
``warnings.catch_warnings`` around each parse: that swaps the process-wide
filter list in and out, and an import runs in a worker thread while other
threads warn or change filters too.

A DATE in an RDATE or EXDATE written with a UTC mark (``RDATE:20131210Z``, as
Google writes birthdays) is read as the date: a date has no time for the mark
to apply to.

Working out an import also has a time budget (:data:`IMPORT_SECONDS`) and can
be cancelled: :class:`ImportWatch` is asked now and then while it runs.
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from time import monotonic
from typing import Any

import icalendar
from icalendar import Calendar, Component

from clientdesk.store.errors import StoreError, ValidationFailed
from clientdesk.store.text import printable

MAX_IMPORT_BYTES = 5 * 1024 * 1024
"""The largest file an import reads (a client's invite is a few kilobytes)."""

MAX_IMPORT_LINES = 200_000
"""The most lines a file may have. The parser takes some 30 microseconds a line,
so this keeps the worst file to seconds; a 5 MB calendar from Outlook or Google
has about 100,000 lines."""

MAX_CALENDARS = 100
"""The most VCALENDARs in one file: a file holds one, and a mail program that
puts several invites in one attachment a handful."""

MAX_EVENTS = 2_000
"""The most VEVENTs in one file (a series and each of its changed occurrences
count one each): a project's whole calendar over several years holds a few
hundred."""

MAX_ATTENDEES = 1_000
"""The most ATTENDEE lines on one event: the largest meetings Outlook and Google
send invite a few hundred people."""

MAX_DATES = 5_000
"""The most RDATE and EXDATE values in one component: a series cancels a few
dozen dates, and a zone written as a list of dates has one or two a year."""

MAX_PROPERTIES = 10_000
"""The most properties (lines, once unfolded) in one component: an Outlook event
has about 40, and one more per attendee."""

IMPORT_SECONDS = 15.0
"""How long working out an import may take (wall time, parsing aside): a calendar
of 2,000 events takes about a second. It bounds what no count does, such as
hundreds of changed occurrences each years into a daily series."""

_LINE_BREAK = re.compile(r"\r?\n")  # where the parser ends a line
# A line feed without its carriage return that the parser would take for the end
# of a line: one followed by a space or a tab continues the line (a fold), and
# one before a blank line or the end of the file ends nothing.
_BARE_LINE_FEED = re.compile(r"(?<!\r)\n(?=[^ \t\r\n])")
_PROPERTY_NAME = re.compile(r"[^;:]*")
# An RRULE content line and its folds (a line that starts with a space or a tab).
_RULE_LINE = re.compile(
    r"^(RRULE[;:][^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)", re.IGNORECASE | re.MULTILINE
)
# An RDATE or EXDATE content line and its folds.
_DATE_LIST_LINE = re.compile(
    r"^((?:RDATE|EXDATE)[;:][^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)", re.IGNORECASE | re.MULTILINE
)
_ZONED_DATE = re.compile(r"^(\d{8})Z$", re.IGNORECASE)  # "20131210Z": a date with a UTC mark
_PARSER_NOTES: tuple[type[Warning], ...] = tuple(
    note
    for note in (getattr(icalendar, "GloballyUniqueTZIDGuessed", None),)
    if isinstance(note, type) and issubclass(note, Warning)
)
"""What icalendar warns about while it reads a file (icalendar 7: a TZID with a
vendor prefix, such as ``/mozilla.org/20050126_1/Europe/Berlin``, guessed to be
the IANA zone after the prefix). clientdesk reads such names itself."""


class ImportRefused(ValidationFailed):
    """The file cannot be imported; nothing was changed. The message says why, in one line."""

    def __init__(self, message: str) -> None:
        super().__init__(printable(message), "file")


class ImportCancelled(StoreError):
    """The user stopped the import before its plan was made; nothing was changed."""

    def __init__(self) -> None:
        super().__init__("the import was cancelled; nothing was changed")


def read_import_file(path: str | Path) -> bytes:
    """The bytes of an ``.ics`` file, refusing one above :data:`MAX_IMPORT_BYTES` unread.

    Raises:
        ImportRefused: the file is too big.
        OSError: it cannot be read (missing, a directory, no permission).
    """
    with Path(path).expanduser().open("rb") as handle:
        data = handle.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused(_too_big(path))
    return data


def _too_big(what: object) -> str:
    limit = MAX_IMPORT_BYTES // (1024 * 1024)
    return (
        f"{what}: the file is larger than {limit} MB; an invite or a project calendar "
        "is far smaller, so it was not read"
    )


class OutOfTime(Exception):
    """The planning took :data:`IMPORT_SECONDS`: a plain exception, so that no handler of
    a refused event (a ``ValidationFailed``) mistakes it for one."""


def out_of_time() -> ImportRefused:
    """The refusal of a file whose import ran out of :data:`IMPORT_SECONDS`."""
    return ImportRefused(
        f"the file takes more than {IMPORT_SECONDS:g} seconds to read, the most clientdesk "
        "spends on one import"
    )


class ImportWatch:
    """Ends the planning when the user cancels it or it has run for :data:`IMPORT_SECONDS`."""

    def __init__(self, should_stop: Callable[[], bool]) -> None:
        self._should_stop = should_stop
        self._deadline = monotonic() + IMPORT_SECONDS

    def check(self) -> None:
        """Raise when the planning should end.

        Raises:
            ImportCancelled: the user cancelled.
            OutOfTime: the time is up.
        """
        if self._should_stop():
            raise ImportCancelled()
        if monotonic() >= self._deadline:
            raise OutOfTime()


def parse_calendars(data: bytes) -> list[Calendar]:
    """The VCALENDARs of ``data``, or a one-line refusal."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused(_too_big("the import"))
    if not data.strip():
        raise ImportRefused("the file is empty: nothing to import")
    if b"\x00" in data:
        raise ImportRefused("not an iCalendar file: it holds binary data")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRefused(
            f"not an iCalendar file: byte {error.start} is not UTF-8 text "
            "(iCalendar files are UTF-8)"
        ) from None
    _check_shape(text)
    text = _tidy_date_lists(_tidy_rules(text))
    silence_parser_notes()
    try:
        components = Calendar.from_ical(text, multiple=True)
    except Exception as error:  # hostile input: the library raises many kinds
        raise ImportRefused(f"not a valid iCalendar file: {short(error)}") from None
    calendars = [c for c in components if isinstance(c, Calendar) and c.name == "VCALENDAR"]
    if not calendars:
        raise ImportRefused("the file is cut short: BEGIN:VCALENDAR has no matching END:VCALENDAR")
    for vcalendar in calendars:
        for component in vcalendar.walk():
            if component.errors:
                name, message = component.errors[0]
                where = f"{component.name} {uid_hint(component)}".rstrip()
                prop = f"{name}: " if name else ""
                raise ImportRefused(f"a broken line in {where}: {prop}{short(message)}")
    return calendars


_SILENCING = threading.Lock()


def silence_parser_notes() -> None:
    """Keep icalendar's notes on what it guessed (see :data:`_PARSER_NOTES`) off stderr.

    Adds an "ignore" filter for each such category to the process's warning
    filters, unless it is there already: called when this module is imported,
    and again before each parse, since a test runner may restore the filters it
    found. It only ever adds, under a lock, so no thread can lose a filter
    another one set, as the save-and-restore of ``warnings.catch_warnings``
    can when two threads use it at once. Only icalendar raises these
    categories, and clientdesk says in its preview how it read the zone, so
    silencing them everywhere hides nothing.
    """
    with _SILENCING:
        for note in _PARSER_NOTES:
            ignored = ("ignore", None, note, None, 0)
            if ignored not in warnings.filters:
                warnings.filterwarnings("ignore", category=note)


silence_parser_notes()


def _tidy_rules(text: str) -> str:
    """``text`` with every RRULE's value stripped of spaces and tabs (unfolded, on one line).

    ``RRULE:FREQ=WEEKLY;BYDAY=MO, TU`` (as CDO writes it) becomes
    ``RRULE:FREQ=WEEKLY;BYDAY=MO,TU``; a rule without spaces is left as it is.
    """

    def tidy(found: re.Match[str]) -> str:
        line = re.sub(r"\r?\n[ \t]", "", found.group(1))  # unfold, as the parser would
        name, colon, value = line.partition(":")
        return name + colon + re.sub(r"[ \t]+", "", value)

    return _RULE_LINE.sub(tidy, text)


def _tidy_date_lists(text: str) -> str:
    """``text`` with each date of an RDATE or EXDATE written ``20131210Z`` read as the date.

    Google writes its birthdays' extra dates so (``RDATE:20131210Z``): a date
    has no time, so the UTC mark means nothing, and the parser refuses the
    line. Such a line is unfolded and written ``RDATE;VALUE=DATE:20131210``
    (the VALUE added only when every value is then a date and none is given);
    every other line is left as it is.
    """

    def tidy(found: re.Match[str]) -> str:
        line = found.group(1)
        line_values = re.sub(r"\r?\n[ \t]", "", line)  # unfold, as the parser would
        # The values hold no colon; a TZID before them may ("(UTC-05:00) Eastern").
        head, colon, value = line_values.rpartition(":")
        values = value.split(",")
        if not colon or not any(_ZONED_DATE.match(item.strip()) for item in values):
            return line
        dates = [_ZONED_DATE.sub(r"\1", item.strip()) for item in values]
        if "VALUE=" not in head.upper() and all(re.fullmatch(r"\d{8}", d) for d in dates):
            head += ";VALUE=DATE"
        return head + colon + ",".join(dates)

    return _DATE_LIST_LINE.sub(tidy, text)


@dataclass
class _Open:
    """A component begun and not yet ended, while :func:`_check_shape` walks the lines."""

    name: str
    line: int
    properties: int = 0
    attendees: int = 0
    dates: int = 0

    def check_counts(self) -> None:
        what = "event" if self.name == "VEVENT" else self.name
        where = f"the {what} at line {self.line:,}"
        if self.attendees > MAX_ATTENDEES:
            raise ImportRefused(
                f"{where} has {self.attendees:,} attendees; clientdesk reads at most "
                f"{MAX_ATTENDEES:,} on one event"
            )
        if self.dates > MAX_DATES:
            raise ImportRefused(
                f"{where} has {self.dates:,} RDATE and EXDATE values; clientdesk reads at most "
                f"{MAX_DATES:,} in one component"
            )
        if self.properties > MAX_PROPERTIES:
            raise ImportRefused(
                f"{where} has {self.properties:,} properties; clientdesk reads at most "
                f"{MAX_PROPERTIES:,} in one component"
            )


def _check_shape(text: str) -> None:
    """Refuse a file above the import limits, or whose components do not nest, unparsed.

    One pass over the lines that counts as it goes, so a hostile file costs a
    fraction of what the iCalendar parser would spend on it.

    Raises:
        ImportRefused: which limit the file exceeds, and by how much; or where
            its lines break the shape of an iCalendar file.
    """
    lines = text.count("\n") + 1
    if lines > MAX_IMPORT_LINES:
        raise ImportRefused(
            f"the file has {lines:,} lines; clientdesk reads at most {MAX_IMPORT_LINES:,}"
        )
    _refuse_bare_line_feeds(text)
    stack: list[_Open] = []
    calendars = events = 0
    for number, line in _content_lines(text):
        found = _PROPERTY_NAME.match(line)
        name = found.group().strip().upper() if found else ""
        if name in ("BEGIN", "END"):
            component = line.partition(":")[2].strip().upper()
            if name == "BEGIN":
                calendars += component == "VCALENDAR"
                events += component == "VEVENT"
                stack.append(_Open(component, number))
                continue
            if not stack:
                raise ImportRefused(
                    f"not a valid iCalendar file: END:{component} at line {number:,} ends "
                    "no component (none is open)"
                )
            ended = stack.pop()
            if ended.name != component:
                raise ImportRefused(
                    f"not a valid iCalendar file: END:{component} at line {number:,} closes "
                    f"the {ended.name} begun at line {ended.line:,}"
                )
            ended.check_counts()
        elif stack:
            current = stack[-1]
            current.properties += 1
            if name == "ATTENDEE":
                current.attendees += 1
            elif name in ("RDATE", "EXDATE"):
                current.dates += line.count(",") + 1
    if not calendars:
        raise ImportRefused("not an iCalendar file: no BEGIN:VCALENDAR")
    if calendars > MAX_CALENDARS:
        raise ImportRefused(
            f"the file holds {calendars:,} calendars (VCALENDAR); clientdesk reads at most "
            f"{MAX_CALENDARS:,} in one file"
        )
    if events > MAX_EVENTS:
        raise ImportRefused(
            f"the file holds {events:,} events; clientdesk reads at most {MAX_EVENTS:,} in one file"
        )
    if stack:
        unended = stack[-1]
        raise ImportRefused(
            f"the file is cut short: BEGIN:{unended.name} at line {unended.line:,} has no "
            f"matching END:{unended.name}"
        )


def _refuse_bare_line_feeds(text: str) -> None:
    """Refuse a line feed without its carriage return inside a line of a CRLF file.

    The parser ends a line at either, so such a line feed in a SUMMARY would
    start a line of its own (an ATTENDEE, say) that the sender never wrote.
    A file that ends its first line with LF alone ends every line so, and is
    read as it is.
    """
    first = text.find("\n")
    if first <= 0 or text[first - 1] != "\r":
        return
    found = _BARE_LINE_FEED.search(text)
    if found:
        number = text.count("\r\n", 0, found.start()) + 1
        raise ImportRefused(
            f"not a valid iCalendar file: line {number:,} holds a line feed without a carriage "
            "return, in a file whose lines end with both; what follows it would pass for a "
            "line of its own"
        )


def _content_lines(text: str) -> Iterator[tuple[int, str]]:
    """Each content line with the number of the line it starts on, unfolded as the parser does."""
    start = 0
    pieces: list[str] = []
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if not line:
            continue  # the parser skips blank lines, even between a line and its fold
        if line[0] in " \t" and pieces:
            pieces.append(line[1:])
            continue
        if pieces:
            yield start, "".join(pieces)
        start, pieces = number, [line]
    if pieces:
        yield start, "".join(pieces)


def short(error: object, limit: int = 120) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def uid_hint(component: Component) -> str:
    uid = component.get("UID")
    return f"{short(uid, 60)!r}" if isinstance(uid, str) else ""


def components(parent: Component, name: str) -> list[Component]:
    return [c for c in parent.subcomponents if c.name == name]


def one(component: Component, name: str) -> Any:
    """A property given once (the first when repeated), or None."""
    value = component.get(name)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def text_of(component: Component, name: str) -> str:
    value = one(component, name)
    return str(value).strip() if value is not None else ""
