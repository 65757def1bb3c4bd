"""Making user text safe to print on a terminal.

User text is data: a title may hold escape sequences, control characters or
bidirectional overrides that would move the cursor, recolour the terminal or
reorder what follows. :func:`printable` shows them as visible escapes instead.
"""

from __future__ import annotations

import unicodedata

_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str) -> str:
    """``text`` with control characters and bidi controls shown as ``\\x1b``-style escapes.

    Newlines and tabs become spaces, so the result is always one line.
    """
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
