"""Per-key figures in a real terminal: clientdesk against the bare app, as run.py reports them.

Each key is sent to the app in a 120 x 40 pseudo-terminal (see
:mod:`terminal`) and timed until the screen is quiet again; the bytes the
app writes in answer are counted. The bare app answers the keys it has
(switch pane, cursor, page down) on tables of the same number of rows shown.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from terminal import KeyAnswer, TerminalSession, bare_command

COLUMNS, LINES = 120, 40

COLLEAGUE_TIMEOUT = 30.0
"""Seconds a colleague's save may take to reach the screen before it counts as not seen."""

SAVED = b"Saved request "
"""On screen once the app has saved a request from its form ("Saved request REQ-1 ...").

Without it, a save that writes nothing for the first second (the form stays up
until the store has written) counted as 0 ms, and the keys after it went to a
form still open.
"""

FORM_SHOWN = b"Save (ctrl+s)"
"""On screen once a form (clientdesk's or the bare one) is painted: its save button."""


def _median(answers: list[KeyAnswer]) -> KeyAnswer:
    return KeyAnswer(
        ms=statistics.median(a.ms for a in answers),
        bytes=int(statistics.median(a.bytes for a in answers)),
    )


def _move_around(
    session: TerminalSession,
    found: dict[str, list[KeyAnswer]],
    repeat: int,
    *,
    then: str | None = None,
) -> None:
    """Switch panes (1-4), then (after the key ``then``) move the cursor and page down."""
    for _ in range(repeat):
        for key in "2341":
            found.setdefault("switch pane", []).append(session.press(key))
    if then is not None:
        session.press(then)
    for _ in range(repeat * 2):
        found.setdefault("cursor one row down", []).append(session.press("down"))
    for _ in range(repeat):
        found.setdefault("page down", []).append(session.press("pagedown"))


def clientdesk_keys(
    clientdesk: str, data: Path | str, project: str, repeat: int
) -> dict[str, KeyAnswer]:
    """Every measured key of clientdesk on ``data`` (a file or a URL); also a colleague's save."""
    session = TerminalSession([clientdesk, "--data", str(data)], columns=COLUMNS, lines=LINES)
    found: dict[str, list[KeyAnswer]] = {}
    try:
        session.wait_for(b"Agenda")
        session.wait_quiet(1.0)
        _move_around(session, found, repeat, then="2")  # the cursor keys in Requests
        session.press("/")
        for character in "request"[: max(3, min(repeat, 7))]:
            found.setdefault("one character in the filter", []).append(session.press(character))
        session.press("escape")
        session.press("escape")
        for _ in range(repeat):
            found.setdefault("open a record's form", []).append(
                session.press("e", until=FORM_SHOWN)
            )
            session.press("tab")
            session.press("!")
            found.setdefault("save it (ctrl+s, until refreshed)", []).append(
                session.press("ctrl+s", quiet=0.5, until=SAVED)
            )
        noticed = []
        for number in range(max(2, repeat // 2)):
            session.wait_quiet(1.0)
            # The app's quiet line says who changed what (the row may be off screen).
            session.expect(b"colleague changed REQ-1")
            subprocess.run(
                [
                    clientdesk,
                    "edit",
                    "request",
                    "REQ-1",
                    "--project",
                    project,
                    "--title",
                    f"Changed by a colleague {number}",
                    "--data",
                    str(data),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                env={**os.environ, "CLIENTDESK_USER": "colleague"},
            )
            saved_at = time.monotonic()
            try:
                session.wait_expected(timeout=COLLEAGUE_TIMEOUT)
            except TimeoutError:  # reported as not seen (inf), not a failed run
                noticed.append(KeyAnswer(ms=float("inf"), bytes=0))
                continue
            session.wait_quiet()
            noticed.append(KeyAnswer(ms=(time.monotonic() - saved_at) * 1000, bytes=0))
        found["a colleague's save on screen"] = noticed
    finally:
        session.close()
    return {name: _median(answers) for name, answers in found.items()}


def bare_keys(rows: int, repeat: int) -> dict[str, KeyAnswer]:
    """The keys the bare app has, on tables of ``rows`` rows."""
    session = TerminalSession(bare_command(sys.executable, rows), columns=COLUMNS, lines=LINES)
    found: dict[str, list[KeyAnswer]] = {}
    try:
        session.wait_for(b"Calendar")
        session.wait_quiet(1.0)
        _move_around(session, found, repeat)
        for _ in range(repeat):
            found.setdefault("open a record's form", []).append(
                session.press("e", until=FORM_SHOWN)
            )
            session.press("escape")
    finally:
        session.close()
    return {name: _median(answers) for name, answers in found.items()}
