"""Rich ``Text`` for table cells and labels: user text as data, times in a zone, colours.

Every piece of user text goes through :func:`plain` (or a helper built on it)
before it reaches the screen, so that ``[bold]`` in a title is shown as typed
and control characters cannot move the cursor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.text import Text

from clientdesk.store.enums import RAG
from clientdesk.store.text import printable

if TYPE_CHECKING:
    from clientdesk.store.models import Record

DATETIME_FORMAT = "%Y-%m-%d %H:%M"
"""How a date and time is typed into a form, and shown by default (16 cells)."""

DATE_FORMAT = "%Y-%m-%d"
"""How a date is typed into a form, and shown by default (10 cells)."""

TIME_FORMAT = "%H:%M"
"""How a time of day is shown by default."""


@dataclass
class DisplayFormats:
    """How dates and times are shown: the config file's ``date_format`` and ``time_format``.

    Forms keep reading and showing what is typed in the ISO form
    (:data:`DATETIME_FORMAT`), which every format can be typed as; the week
    grid keeps 24-hour times, which fit its narrow columns.
    """

    date: str = DATE_FORMAT
    time: str = TIME_FORMAT


DATE_FIT: dict[str, Any] = {"fit_content": True, "max_width": 24, "uniform": True}
"""Column options of a date column: as wide as the configured format makes its dates."""

FORMATS = DisplayFormats()
"""The formats in use: one app per process sets them from its config at start."""


def use_formats(date_format: str, time_format: str) -> None:
    """Show dates and times with ``date_format`` and ``time_format`` from now on."""
    FORMATS.date, FORMATS.time = date_format, time_format


def date_text(value: date) -> str:
    """A date in the configured format (one line: the config refuses anything else)."""
    return printable(value.strftime(FORMATS.date))


def time_text(moment: datetime) -> str:
    """A time of day in the configured format."""
    return printable(moment.strftime(FORMATS.time))


def datetime_text(moment: datetime) -> str:
    """A date and time in the configured formats."""
    return f"{date_text(moment)} {time_text(moment)}"


BAND_STYLES: dict[str, str] = {
    "low": "bold green",
    "medium": "bold yellow",
    "high": "bold dark_orange",
    "critical": "bold red",
}
"""Text style of a risk score by its band."""

RAG_STYLES: dict[RAG, str] = {
    RAG.GREEN: "bold black on green3",
    RAG.AMBER: "bold black on dark_orange",
    RAG.RED: "bold white on red3",
}
"""Badge style of a project's RAG status."""

ALERT_STYLE = "bold red"
"""Style of a flag that needs attention (overdue, breached)."""


def key_width(record: Record, context: object) -> int:
    """The width of a record's key cell (a :class:`Column` ``measure``), without rendering it."""
    return cell_len(record.key)


def plain(value: object, style: str = "") -> Text:
    """User text as a one-line ``Text`` that is never parsed as markup.

    Args:
        value: the text (``None`` gives an empty cell).
        style: a Rich style for the whole text.

    Returns:
        A ``Text`` that does not wrap and ends with an ellipsis when cut.
    """
    content = "" if value is None else str(value)
    if not content.isprintable():  # control or bidi characters: show them as escapes
        content = printable(content)
    return Text(content, style=style, no_wrap=True, overflow="ellipsis", end="")


def label_of(value: StrEnum | str | None, style: str = "") -> Text:
    """An enumeration value as words: ``waiting_on_client`` reads "waiting on client"."""
    return plain("" if value is None else str(value).replace("_", " "), style)


def when(moment: datetime | None, zone: ZoneInfo) -> Text:
    """A date and time shown in ``zone`` (blank when there is none)."""
    if moment is None:
        return plain("")
    return plain(datetime_text(moment.astimezone(zone)))


def day(value: date | None, style: str = "") -> Text:
    """A calendar date (blank when there is none)."""
    return plain("" if value is None else date_text(value), style)


def rag_badge(rag: RAG) -> Text:
    """The RAG status as a coloured badge, e.g. `` AMBER ``."""
    return Text(f" {rag.value.upper()} ", style=RAG_STYLES.get(rag, "bold reverse"), end="")


def band_score(score: int, band: str, *, with_band: bool = False) -> Text:
    """A risk score coloured by its band, optionally followed by the band's name."""
    text = f"{score:>2} {band}" if with_band else f"{score:>2}"
    return plain(text, BAND_STYLES.get(band, "bold"))


def duration(minutes: int) -> Text:
    """A meeting length: ``45m``, ``1h``, ``1h30``."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return plain(f"{rest}m")
    return plain(f"{hours}h{rest:02d}" if rest else f"{hours}h")
