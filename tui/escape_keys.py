"""Escape typed just before a letter or digit is two keys, however the bytes arrive.

A terminal sends the escape key as one ESC byte, and alt+p as ESC then p.
Typed fast, or sent in one burst over SSH (tmux sends ``escape p down`` in
one write), escape then p arrive as the same two bytes, and Textual's input
parser guesses: alt+p when nothing follows in the same read (which
:mod:`clientdesk.tui.key_order` splits again), but when another escape
sequence follows (the down arrow), it reissues the ESC as a ``^`` key that
cannot be told from a typed caret. The keys meant for the main screen then
went into the open form, and a ``ctrl+s`` among them saved it.

clientdesk binds no alt+ letter or digit, so :class:`EscapeSpeller` spells
such an escape out before the parser reads it: ESC followed by a lowercase
letter or a digit becomes the unambiguous CSI u form of the escape key
(``ESC [ 27 u``), which the parser reads as escape at once. Sequences the
terminal sends itself start ESC with ``[``, ``O``, ``P``, ``]`` or ``\\``
and are left as they are, and so is the text of a bracketed paste. An ESC
that ends a read is held until the next byte says which it was; if nothing
comes within :data:`HOLD_SECONDS`, it goes on alone, as the escape key.
"""

from __future__ import annotations

import string

ESC = "\x1b"

SPELLED_ESCAPE = "\x1b[27u"
"""The escape key in the CSI u encoding, which no parser reads as anything else."""

PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"

HOLD_SECONDS = 0.02
"""How long an ESC that ended a read waits for the byte after it."""

_SPLIT_AFTER = frozenset(string.ascii_lowercase + string.digits)
"""What follows an ESC that is the escape key: no terminal sequence starts with these."""


class EscapeSpeller:
    """Rewrites what the terminal sends, read by read, so that escape-then-key stays two keys."""

    def __init__(self) -> None:
        """Start with nothing held and no paste under way."""
        self._held = False
        self._pasting = False

    @property
    def holding(self) -> bool:
        """True while an ESC that ended a read waits for the next read."""
        return self._held

    def feed(self, text: str) -> str:
        """``text`` as the parser should read it (a trailing ESC may be held back)."""
        if self._held:
            self._held = False
            text = ESC + text
        if ESC not in text:
            return text
        out: list[str] = []
        start = 0
        while (at := text.find(ESC, start)) != -1:
            out.append(text[start:at])
            if text.startswith(PASTE_START, at) or text.startswith(PASTE_END, at):
                self._pasting = text.startswith(PASTE_START, at)
                out.append(text[at : at + len(PASTE_START)])
                start = at + len(PASTE_START)
                continue
            following = text[at + 1 : at + 2]
            if not following and not self._pasting:
                self._held = True  # the next read says whether it was escape
                return "".join(out)
            out.append(SPELLED_ESCAPE if following in _SPLIT_AFTER and not self._pasting else ESC)
            start = at + 1
        out.append(text[start:])
        return "".join(out)

    def release(self) -> str:
        """The held ESC, when no byte followed it in time: the escape key, alone."""
        if not self._held:
            return ""
        self._held = False
        return ESC
