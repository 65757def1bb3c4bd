"""Where a jump started, so that the back key returns there with the cursor where it was.

A jump (``enter`` on a closing gate's blocker, on an action item's request)
shows another pane with the cursor on another record. Before it moves, the
app keeps a :class:`Place`; ``backspace`` (or ``escape`` on a pane with no
filter) takes the last one back, as a browser's back button does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.widget import Widget
from textual.widgets import OptionList

from clientdesk.widgets.actions import key_of
from clientdesk.widgets.closing_pane import ClosingPane
from clientdesk.widgets.record_table import RecordTable

if TYPE_CHECKING:
    from clientdesk.store.closing import Blocker
    from clientdesk.tui.host import Host

MAX_JUMPS = 50
"""How many places are kept; the oldest are forgotten first."""


@dataclass(frozen=True)
class Place:
    """A spot on the panes: the project, the pane, the focused widget and its cursor.

    Attributes:
        project_id: the open project.
        pane_id: the pane on show.
        focus_id: the id of the focused widget (None: the pane's table).
        record_id: the record under the cursor of the focused table.
        option: the highlighted line of a focused list (the closing gates).
    """

    project_id: str | None
    pane_id: str
    focus_id: str | None = None
    record_id: str | None = None
    option: int | None = None


def place_of(project_id: str | None, pane_id: str, focused: Widget | None) -> Place:
    """The place the user is at: ``focused`` is the widget with the focus."""
    if isinstance(focused, RecordTable):
        record = focused.selected_record
        return Place(project_id, pane_id, focused.id, record.id if record is not None else None)
    if isinstance(focused, OptionList):
        return Place(project_id, pane_id, focused.id, option=focused.highlighted)
    return Place(project_id, pane_id)


def put_back(pane: Widget, place: Place) -> bool:
    """Focus the widget of ``place`` in ``pane`` and put its cursor back (False: it is gone)."""
    if place.focus_id is None:
        return False
    widget = pane.query_one_optional(f"#{place.focus_id}")
    if not isinstance(widget, Widget) or not widget.display:
        return False
    if isinstance(widget, RecordTable) and place.record_id is not None:
        widget.select_record(place.record_id)
    elif isinstance(widget, OptionList) and place.option is not None:
        widget.highlighted = min(place.option, widget.option_count - 1)
    widget.focus()
    return True


class Jumps:
    """The app's jumps to records and the back key that returns from them: one per app."""

    def __init__(self, host: Host) -> None:
        """Jump about ``host``'s panes."""
        self.host = host
        """The app whose panes are shown."""
        self._places: list[Place] = []
        """Where each jump started, the last one last."""
        self._place_to_put_back: Place | None = None
        """The place the back key returns to, once its pane's tab is activated."""

    @property
    def can_go_back(self) -> bool:
        """True when a jump was made that the back key can return from."""
        return bool(self._places)

    def to_blocker(self, blocker: Blocker) -> None:
        """Jump to the record that keeps a closing gate from passing."""
        from clientdesk.tui.record_kinds import place_of_kind

        place = place_of_kind(blocker.kind)
        if place is not None:
            self.to_record(place[0], blocker.record_id, blocker.key, view=place[1])

    def to_record(self, pane_id: str, record_id: str, key: str, *, view: str | None = None) -> None:
        """Show a record in its pane, keeping where the user was for the back key."""
        host = self.host
        self._places.append(place_of(host.project_id, host.current_pane_id, host.focused))
        del self._places[:-MAX_JUMPS]
        self.show_record(pane_id, record_id, key, view=view)
        host.notify(f"Showing {key}: {key_of('nav.back')} goes back.", markup=False, timeout=3)

    def go_back(self) -> None:
        """Go back to where the last jump started, the cursor where it was."""
        if not self._places:
            return
        host = self.host
        place = self._places.pop()
        if place.project_id != host.project_id and place.project_id is not None:
            host.open_project(place.project_id)
        # Put back once the pane's tab is activated (which focuses its table).
        self._place_to_put_back = place
        if host.current_pane_id == place.pane_id:
            self.put_back_place()
        else:
            host.action_show_pane(place.pane_id)

    def put_back_place(self) -> None:
        """Put the focus and cursor back where the back key returns to (if it is going back)."""
        place, self._place_to_put_back = self._place_to_put_back, None
        if place is not None and not put_back(self.host.current_pane, place):
            self.host.notify("Back in the pane; the line you left is gone.", markup=False)

    def show_record(
        self, pane_id: str, record_id: str, key: str, *, view: str | None = None
    ) -> None:
        """Show the pane ``pane_id`` with the cursor on the record, and focus its table.

        A filter of the pane that hides the record (text, quick filter, closed
        toggle, heat map cell) is reset first: the user asked to see it. In the
        Closing pane the table of ``view`` is shown (the Calendar finds its own).
        """
        from clientdesk.tui.record_kinds import PANES

        self.host.action_show_pane(pane_id)
        pane = self.host.current_pane
        if isinstance(pane, ClosingPane) and view is not None:
            pane.view = view
        if not pane.reveal(record_id):
            self.host.notify(
                f"{key} is no longer in the {PANES[pane_id][0]} pane.",
                severity="warning",
                markup=False,
            )
