"""Escape then a letter, sent in one burst, is two keys: what the parser is given to read.

The story in the real app (a form open, ``escape p down`` written at once) is in
tests/test_key_bursts.py; here the rewriting alone, read by Textual's own parser.
"""

from __future__ import annotations

from textual import events
from textual._xterm_parser import XTermParser

from clientdesk.tui.escape_keys import SPELLED_ESCAPE, EscapeSpeller


def keys(*reads: str) -> list[str]:
    """The keys Textual's parser makes of ``reads`` once spelled, a held ESC let go at the end."""
    speller, parser = EscapeSpeller(), XTermParser(False)
    found = []
    for read in reads:
        text = speller.feed(read)
        if text:  # an empty feed is the parser's end of input
            found += parser.feed(text)
    released = speller.release()
    if released:
        found += parser.feed(released)
    found += parser.feed("")  # the end of input lets a pending escape go
    return [event.key for event in found if isinstance(event, events.Key)]


def test_escape_a_letter_and_an_arrow_in_one_read_are_three_keys() -> None:
    assert keys("\x1bp\x1b[B\x1b[B\r") == ["escape", "p", "down", "down", "enter"]
    assert keys("\x1b2") == ["escape", "2"]


def test_what_the_terminal_sends_itself_is_left_alone() -> None:
    for sequence in ("\x1b[B", "\x1bOA", "\x1b[1;5C", "\x1b[27;5;13~"):
        assert EscapeSpeller().feed(sequence) == sequence
    assert keys("\x1b[A\x1bOB") == ["up", "down"]


def test_an_escape_that_ends_a_read_waits_for_the_next() -> None:
    speller = EscapeSpeller()
    assert speller.feed("x\x1b") == "x"
    assert speller.holding
    assert speller.feed("p") == SPELLED_ESCAPE + "p"
    assert speller.feed("\x1b") == ""
    assert speller.feed("[B") == "\x1b[B", "an arrow split over two reads is still an arrow"
    assert keys("\x1b", "p\x1b[B") == ["escape", "p", "down"]


def test_an_escape_alone_is_the_escape_key() -> None:
    speller = EscapeSpeller()
    assert speller.feed("\x1b") == ""
    assert speller.release() == "\x1b"
    assert not speller.holding
    assert keys("\x1b") == ["escape"]
    assert keys("\x1b\x1b") == ["escape", "escape"]


def test_the_text_of_a_paste_is_never_rewritten() -> None:
    pasted = "\x1b[200~a\x1bb\x1b\x1b[201~"
    assert EscapeSpeller().feed(pasted) == pasted
    assert EscapeSpeller().feed(pasted + "\x1bq") == pasted + SPELLED_ESCAPE + "q"
