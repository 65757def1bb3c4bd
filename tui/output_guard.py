"""What the app sends to the terminal: no control character from user text gets through.

Text from the data file, from a colleague's ``CLIENTDESK_USER``, an imported
``.ics`` or the config file is escaped where the app puts it on screen
(:func:`~clientdesk.store.text.printable`, the cells' ``plain``, the app's
``notify``). :class:`TerminalControlFilter` makes a place that forgets
harmless: it runs over every line every widget renders, before Textual turns
the line into terminal output, and no character of
:data:`~clientdesk.store.text.TERMINAL_CONTROLS` in a segment's text gets
through, nor a hyperlink whose address holds one (an address ends the
hyperlink's escape sequence early and could start another).

:class:`GuardedApp` puts the filter in place, makes every notification
plain text with its control characters shown as escapes, and takes control
characters out of what is pasted, so that none is typed into a record. It
also hands typed keys and pastes on one at a time, in order
(:mod:`clientdesk.tui.key_order`), so that a burst lands where it would have
landed typed slowly.

The filter is a Textual line filter (``textual.filter.LineFilter``, returned by
``App.get_line_filters``), the hook Textual's own ``NO_COLOR`` and dim filters
use; Textual caches a filtered line with the line, so a line that does not
change is checked once, not on every frame. Textual's own escape sequences
(cursor moves, colours, the synchronised-update markers) are added after
the filters, from styles and positions, and never pass through here.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from textual import events
from textual.app import App
from textual.color import Color
from textual.filter import LineFilter
from textual.message import Message
from textual.notifications import SeverityLevel

from clientdesk.store.text import (
    TERMINAL_CONTROLS,
    printable,
    printable_lines,
    without_terminal_controls,
)
from clientdesk.tui.key_order import KeyOrder, KeyProbe

WRITE_HOLD_SECONDS = 10.0
"""The longest typed keys wait for a write a key started (a slow shared disk)."""

REPLACEMENT = "\ufffd"
"""What a control character shows as: U+FFFD, the replacement character."""


def _shown(found: str) -> str:
    return " " if found == "\t" else REPLACEMENT


def safe_segments(segments: list[Segment]) -> list[Segment]:
    """``segments`` (one line) with no terminal control character left in their text.

    Each control character becomes :data:`REPLACEMENT` (a tab, a space), so
    that what was there can be seen. The line keeps the width it was laid
    out with: the layout measured a control character as zero cells wide,
    so the line is cut back by a cell for each one replaced rather than
    spill into its neighbour (or, on the last row, scroll the terminal).
    A hyperlink whose address holds a control character loses its address.
    Segments that are Textual's own control codes are left as they are.

    Args:
        segments: the segments of one line, as a widget rendered them.

    Returns:
        ``segments`` itself when it is clean (the common case), else new segments.
    """
    search = TERMINAL_CONTROLS.search
    for text, style, _ in segments:
        if search(text) is not None:
            break
        if style is not None and (link := style.link) is not None and search(link) is not None:
            break
    else:
        return segments  # the common case: nothing to replace
    width = sum(cell_len(text) for text, _, control in segments if control is None)
    cleaned: list[Segment] = []
    for text, style, control in segments:
        if control is None:
            text = TERMINAL_CONTROLS.sub(lambda found: _shown(found[0]), text)
        if style is not None and (link := style.link) is not None and search(link) is not None:
            style = style.update_link(None)
        cleaned.append(Segment(text, style, control))
    return Segment.adjust_line_length(cleaned, width, pad=False)


class TerminalControlFilter(LineFilter):
    """A line filter that lets no terminal control character in user text reach the terminal.

    Attributes:
        lines_cleaned: how many lines it had to change. Every place that shows
            user text escapes it itself, so this stays 0; a test that shows
            hostile text checks that it does.
    """

    def __init__(self) -> None:
        """A filter that is always on."""
        super().__init__(enabled=True)
        self.lines_cleaned = 0

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        """The line's segments with control characters replaced (see :func:`safe_segments`)."""
        cleaned = safe_segments(segments)
        if cleaned is not segments:
            self.lines_cleaned += 1
        return cleaned


OUTPUT_GUARD = TerminalControlFilter()
"""The one filter every app shares (Textual caches filtered lines per filter)."""

PASTE_KEEPS = "\n\r\t"
"""The controls a paste keeps: line breaks and tabs, for the multi-line fields."""


class GuardedApp(App[None]):
    """An app whose lines, notifications and pastes carry no terminal control character."""

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, then :data:`OUTPUT_GUARD` over what they leave."""
        return [*super().get_line_filters(), OUTPUT_GUARD]

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notification; it is plain text, with control characters as escapes.

        Messages quote record titles, colleagues' names and file text, so
        they are never read as markup (``markup`` is accepted for Textual's
        signature and ignored). Line breaks in ``message`` stay; any other
        control character shows as a ``\\x1b``-style escape.
        """
        super().notify(
            printable_lines(message),
            title=printable(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Set the app up as Textual does, with its keys handed on in order."""
        super().__init__(*args, **kwargs)
        self._key_order = KeyOrder(self, super().on_event)
        self._key_holds: set[str] = set()
        self._write_holds = 0

    @property
    def keys_pending(self) -> int:
        """Keys typed and not yet handled (they are handled one at a time, in order)."""
        return self._key_order.pending

    @property
    def keys_on_hold(self) -> bool:
        """True while typed keys wait for :meth:`take_keys` (a key that quits never waits)."""
        return self._key_order.on_hold

    def hold_keys(self, reason: str = "start", *, timeout: float | None = None) -> None:
        """Keep typed keys waiting, in order, until :meth:`take_keys` with the same ``reason``.

        Holds are named: keys wait until every one is taken back. A hold with
        a ``timeout`` is taken back then at the latest, so that a write that
        never reports back cannot keep the keyboard.
        """
        self._key_holds.add(reason)
        self._key_order.on_hold = True
        self._key_order.working_keys_pass = self._key_holds == {"start"}
        if timeout is not None:
            self.set_timer(timeout, partial(self.take_keys, reason))

    async def take_keys(self, reason: str = "start") -> None:
        """Take back the hold ``reason``; once none is left, hand on the keys that waited."""
        self._key_holds.discard(reason)
        self._key_order.working_keys_pass = self._key_holds <= {"start"}
        if not self._key_holds and self._key_order.on_hold:
            await self._key_order.release()

    def hold_keys_for_write(self) -> str:
        """Hold typed keys while a write a key started runs; :class:`KeysFree` gives them back.

        Typed slowly, the next key would meet what the write brings (the pane
        refilled, a follow-up question): typed in a burst, it waits for it too.
        """
        self._write_holds += 1
        reason = f"write-{self._write_holds}"
        self.hold_keys(reason, timeout=WRITE_HOLD_SECONDS)
        return reason

    class KeysFree(Message):
        """A write is over and its news handled: the keys held for it go on."""

        def __init__(self, reason: str) -> None:
            """Name the hold to take back."""
            super().__init__()
            self.reason = reason
            """The hold's name, as :meth:`GuardedApp.hold_keys_for_write` gave it."""

    async def on_guarded_app_keys_free(self, message: KeysFree) -> None:
        """Take back a write's hold (posted after the write's own news)."""
        await self.take_keys(message.reason)

    async def on_key_probe(self, probe: KeyProbe) -> None:
        """A key's probe is back: the key was handled (see :mod:`clientdesk.tui.key_order`)."""
        await self._key_order.probe_back(probe)

    async def on_event(self, event: events.Event) -> None:
        """Hand keys and pastes on in order; take terminal control characters out of pastes."""
        if isinstance(event, events.Paste) and not event.is_forwarded:
            cleaned = without_terminal_controls(event.text, keep=PASTE_KEEPS)
            left_out = len(event.text) - len(cleaned)
            if left_out:
                event.text = cleaned
                characters = "character" if left_out == 1 else "characters"
                self.notify(
                    f"The pasted text held {left_out} control {characters} "
                    "(escape sequences or direction marks): left out.",
                    severity="warning",
                )
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            await self._key_order.take(event)
            return
        await super().on_event(event)
