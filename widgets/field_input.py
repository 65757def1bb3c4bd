"""The one-line input of every form and dialog: shown from its start once the user leaves it.

Textual's ``Input`` keeps its horizontal scroll when it loses the focus, so a
long value left scrolled to its end reads as a cut-off tail ("eed read
access…"). A :class:`FieldInput` puts its cursor back at the start on blur,
which scrolls the value back to its first character; focusing it again
selects the whole value as before.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class FieldInput(Input):
    """An ``Input`` that shows its value from the first character whenever it is not focused."""

    def on_blur(self, event: events.Blur) -> None:
        """Move the cursor home, so the start of the value is what shows."""
        self.cursor_position = 0
