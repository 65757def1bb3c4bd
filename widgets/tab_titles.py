"""Tab titles that shorten their counts before the tab bar overflows.

A pane's tab carries counts ("Requests · 3 breached", "Risks · 4 top · 2
overdue"). With large counts the four titles no longer fit an 80-column
terminal, and Textual's tab bar then scrolls its last tab out of sight. Each
title is written at three levels of detail (:data:`TITLE_DETAILS`), and
:func:`fit_tab_titles` picks the most detailed level at which all of them fit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

from rich.cells import cell_len

TitleDetail = Literal["full", "short", "shortest"]
"""How much a tab title says: "Requests · 3 breached", "Requests · 3!", "Requests 3!"."""

TITLE_DETAILS: tuple[TitleDetail, ...] = ("full", "short", "shortest")
"""The levels of detail, most detailed first."""

TAB_PADDING = 2
"""The cells a tab adds around its title (one space either side)."""


def title_variants(title: Callable[[TitleDetail], str]) -> tuple[str, ...]:
    """A tab's title at every level of detail, most detailed first."""
    return tuple(title(detail) for detail in TITLE_DETAILS)


def tab_bar_width(titles: Mapping[str, str]) -> int:
    """The cells the tab bar needs to show every one of ``titles`` whole."""
    return sum(cell_len(title) + TAB_PADDING for title in titles.values())


def fit_tab_titles(variants: Mapping[str, tuple[str, ...]], width: int) -> dict[str, str]:
    """Choose each tab's title so that all of them fit in ``width`` cells.

    Every tab is shortened to the same level of detail, so that the bar reads
    alike from tab to tab; the most detailed level that fits is taken, and the
    shortest when none does.

    Args:
        variants: each tab's titles, most detailed first (a tab without counts
            has one).
        width: the cells the tab bar has.
    """
    chosen: dict[str, str] = {}
    for level in range(max((len(titles) for titles in variants.values()), default=1)):
        chosen = {tab: titles[min(level, len(titles) - 1)] for tab, titles in variants.items()}
        if tab_bar_width(chosen) <= width:
            break
    return chosen
