"""A list of options to tick, each marked ``[x]`` or ``[ ]``.

Textual's ``SelectionList`` draws the same ``▐X▌`` before a ticked and an
unticked option and tells them apart by colour alone, which a monochrome
terminal, a colour-blind user or a screen reader loses. :class:`TickList`
draws a mark that differs in its characters.
"""

from __future__ import annotations

from typing import TypeVar

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

SelectionType = TypeVar("SelectionType")

TICKED = "[x]"
"""The mark before a ticked option."""

UNTICKED = "[ ]"
"""The mark before an option that is not ticked."""

_BUTTON = Checkbox.BUTTON_LEFT + Checkbox.BUTTON_INNER + Checkbox.BUTTON_RIGHT
"""What ``SelectionList`` draws before every option (the toggle buttons' look)."""


def tick_mark(ticked: bool) -> str:
    """The mark shown before an option: ``[x]`` when ticked, ``[ ]`` when not."""
    return TICKED if ticked else UNTICKED


class TickList(SelectionList[SelectionType]):
    """A ``SelectionList`` whose options read ``[x] name`` when ticked and ``[ ] name`` when not."""

    def render_line(self, y: int) -> Strip:
        """The line as ``SelectionList`` draws it, with a mark of characters for its button."""
        line = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:  # below the last option
            return line
        segments = list(line)
        button = segments[:3]
        if "".join(segment.text for segment in button) != _BUTTON:
            return line  # not a line with a button: leave it as drawn
        # The inner segment carries the button's colours and the option it clicks.
        style = button[1].style
        mark = tick_mark(selection.value in self.selected)
        return Strip([Segment(mark, style), *segments[3:]], line.cell_length)
