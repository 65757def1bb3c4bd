"""What the command line prints for people goes through one writer that escapes it.

A record's title, a colleague's user name, a line of an imported ``.ics``
file, an error that quotes any of them: while a command runs, standard output
and standard error are an :class:`EscapingWriter`, which shows control
characters and bidi controls as visible escapes
(:func:`~clientdesk.store.text.printable`) and keeps line breaks. A ``print``
added to a command later is escaped without anyone remembering to.

Output that is data for another program (``list --json``, an iCalendar file)
must stay exact: it is written with :func:`write_data`, or as bytes to
``sys.stdout.buffer``, past the escaping.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, TextIO, cast

from clientdesk.store.text import printable_lines


class EscapingWriter(io.TextIOBase):
    """A text stream that escapes what is written to it and passes it on to ``stream``.

    Attributes:
        raw: the stream written to, for output that must stay exact.
    """

    def __init__(self, stream: TextIO) -> None:
        """Wrap ``stream`` (the process's ``sys.stdout`` or ``sys.stderr``)."""
        super().__init__()
        self.raw = stream

    def write(self, text: str) -> int:
        """Write ``text`` with its control characters shown as escapes; line breaks stay."""
        self.raw.write(printable_lines(text))
        return len(text)

    def flush(self) -> None:
        """Flush the wrapped stream."""
        self.raw.flush()

    def writable(self) -> bool:
        """Always: this is an output stream."""
        return True

    def isatty(self) -> bool:
        """Whether the wrapped stream is a terminal."""
        return self.raw.isatty()

    def fileno(self) -> int:
        """The wrapped stream's file descriptor."""
        return self.raw.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The wrapped stream's encoding."""
        return self.raw.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        """The wrapped stream's error handling."""
        return self.raw.errors

    @property
    def buffer(self) -> IO[bytes]:
        """The wrapped stream's bytes: written exactly (an iCalendar file to stdout)."""
        return self.raw.buffer


@contextmanager
def escaped_output() -> Iterator[None]:
    """Make ``sys.stdout`` and ``sys.stderr`` escape what is printed, until the block ends."""
    out, err = sys.stdout, sys.stderr
    sys.stdout = cast(TextIO, EscapingWriter(out))
    sys.stderr = cast(TextIO, EscapingWriter(err))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def write_data(data: str | bytes) -> None:
    """Write ``data`` to standard output exactly as it is (JSON for a script).

    Args:
        data: the data; JSON escapes its own control characters, and a
            program reading it must get every other character as stored.
            Bytes (UTF-8) go to the stream's bytes as they are: a large
            listing is not decoded only to be encoded again.
    """
    stream = sys.stdout
    target = stream.raw if isinstance(stream, EscapingWriter) else stream
    if isinstance(data, str):
        target.write(data)
        return
    binary = getattr(target, "buffer", None)
    if binary is None:  # a stream of text alone stands in for stdout
        target.write(data.decode("utf-8"))
        return
    target.flush()  # what was printed before comes before the data
    binary.write(data)
