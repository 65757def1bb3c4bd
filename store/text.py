"""Making user text safe to print on a terminal.

User text is data: a title may hold escape sequences, control characters or
bidirectional overrides that would move the cursor, recolour the terminal or
reorder what follows. :func:`printable` shows them as visible escapes instead.

:data:`TERMINAL_CONTROLS` is the narrower set a terminal acts on (C0 and C1
controls, DEL, line separators and the bidi controls): the last line of
defence before the terminal, the user-name check and the paste filter all
use it, so they agree on what is dangerous.
"""

from __future__ import annotations

import re
import unicodedata

_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

TERMINAL_CONTROLS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
"""The characters a terminal acts on instead of showing them.

C0 controls (ESC starts every escape sequence), DEL, C1 controls (0x9b is a
one-byte CSI, 0x9d an OSC, 0x90 a DCS on some terminals), the line and
paragraph separators, and the bidi controls that reorder what follows them
on screen (U+202E shows ``exe.txt`` as ``txt.exe``).
"""


def printable(text: str) -> str:
    """``text`` with control characters and bidi controls shown as ``\\x1b``-style escapes.

    Newlines and tabs become spaces, so the result is always one line.
    """
    if text.isprintable():  # the common case, checked in C
        return text
    out: list[str] = []
    for char in text:
        if char in "\n\r\t":
            out.append(" ")
        elif char in _BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            if char == "\u200d":  # zero-width joiner: part of emoji sequences
                out.append(char)
            else:
                code = ord(char)
                out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def printable_lines(text: str) -> str:
    """``text`` made :func:`printable` line by line, keeping its line breaks.

    For messages that are meant to span lines (a list of problems, a table)
    and may quote user text.
    """
    return "\n".join(printable(line) for line in text.split("\n"))


def without_terminal_controls(text: str, keep: str = "") -> str:
    """``text`` without the :data:`TERMINAL_CONTROLS` characters, except those in ``keep``.

    Args:
        text: the text, e.g. what was pasted.
        keep: controls to leave in, e.g. ``"\\n\\t"`` for a multi-line field.
    """
    return TERMINAL_CONTROLS.sub(lambda found: found[0] if found[0] in keep else "", text)


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun`` in the right number: "1 meeting", "3 meetings".

    For sentences the command line and the app print alike (the panes'
    ``widgets.record_table_pane.counted`` says the same, for widgets).
    """
    return f"{count} {noun if count == 1 else (plural or noun + 's')}"
