"""Rich ``Text`` for table cells and labels: user text as data, times in a zone, colours.

Every piece of user text goes through :func:`plain` (or a helper built on it)
before it reaches the screen, so that ``[bold]`` in a title is shown as typed
and control characters cannot move the cursor.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from rich.text import Text

from clientdesk.store.enums import RAG
from clientdesk.store.text import printable

DATETIME_FORMAT = "%Y-%m-%d %H:%M"
"""How a date and time is shown in a table (16 cells)."""

DATE_FORMAT = "%Y-%m-%d"
"""How a date is shown in a table (10 cells)."""

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
    return plain(moment.astimezone(zone).strftime(DATETIME_FORMAT))


def day(value: date | None, style: str = "") -> Text:
    """A calendar date (blank when there is none)."""
    return plain("" if value is None else value.strftime(DATE_FORMAT), style)


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
