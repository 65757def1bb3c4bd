"""The tab bar of the four panes, whose titles carry each pane's counts.

The Requests tab counts breached clocks, the Risks tab top risks and overdue
reviews, the Closing tab failing gates. The counts come from the readings of
a refresh, not from the panes: a pane is filled only when shown, and its tab
title must be right while it is hidden. When the four titles do not fit the
terminal's width, every count is shortened alike (see
:func:`~clientdesk.widgets.tab_titles.fit_tab_titles`).
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import TabbedContent

from clientdesk.tui.readings import Readings
from clientdesk.tui.record_kinds import PANES
from clientdesk.widgets.closing_pane import closing_tab_title
from clientdesk.widgets.requests_pane import requests_tab_title
from clientdesk.widgets.risks_pane import risks_tab_title
from clientdesk.widgets.tab_titles import fit_tab_titles, title_variants


class PaneTabs(TabbedContent):
    """The panes' tabs: titles with counts, shortened together to fit the terminal."""

    def __init__(self, *, id: str | None = None) -> None:
        """Create the tab bar; its panes are added by the caller, one per pane id."""
        super().__init__(id=id)
        self._title_variants: dict[str, tuple[str, ...]] = {}
        """Each tab's title at every level of detail (see :func:`fit_tab_titles`)."""

    def show_counts(self, readings: Readings) -> None:
        """Write the counts of ``readings`` in the Requests, Risks and Closing tabs."""
        self._show_risk_counts(readings)
        self._show_request_counts(readings)
        self._show_closing_state(readings)
        self.fit_titles(self.app.size.width)

    def _show_risk_counts(self, readings: Readings) -> None:
        """Count the top risks and overdue reviews in the Risks tab's title."""
        top, overdue = readings.risk_counts  # counted in the worker that read the snapshot
        title = PANES["risks"][0]
        variants = title_variants(lambda detail: risks_tab_title(title, top, overdue, detail))
        self._title_variants["risks"] = variants

    def _show_request_counts(self, readings: Readings) -> None:
        """Count the requests with a breached clock in the Requests tab's title."""
        breached = readings.breached  # counted in the worker that read the snapshot
        title = PANES["requests"][0]
        variants = title_variants(lambda detail: requests_tab_title(title, breached, detail))
        self._title_variants["requests"] = variants

    def _show_closing_state(self, readings: Readings) -> None:
        """Count the failing gates in the Closing tab's title ("closed" once closed)."""
        gates, closed, title = readings.gates, readings.project.is_closed, PANES["closing"][0]
        variants = title_variants(lambda detail: closing_tab_title(title, gates, closed, detail))
        self._title_variants["closing"] = variants

    def fit_titles(self, width: int) -> None:
        """Shorten the counts as far as needed for all four tabs to show whole in ``width``."""
        variants = {
            pane_id: self._title_variants.get(pane_id, (title,))
            for pane_id, (title, _) in PANES.items()
        }
        for pane_id, title in fit_tab_titles(variants, width).items():
            tab = self.get_tab(pane_id)
            if tab.label_text != title:  # a relabel moves the tab underline: only on a change
                tab.label = Text(title)

    def on_resize(self, event: events.Resize) -> None:
        """Fit the titles to the terminal's new width."""
        self.fit_titles(self.app.size.width)
