"""The one place the app relies on Textual's private API (the terminal driver aside).

Textual ends an app after an unhandled error by printing a full traceback
(``App._fatal_error``); clientdesk prints one line instead, naming the error
and the crash log. That needs three private names of ``App``: the override
itself, ``_exit_renderables`` (what is printed once the terminal is
restored) and ``_close_messages_no_wait`` (how Textual stops the app there).
A fourth, the module path of Textual's ``TextArea``, lets the key queue
tell a text area without importing it at start-up (:func:`is_text_area`).
They are used here only, and ``tests/test_textual_internals.py`` pins what
they do, so that a Textual upgrade that changes them fails a test rather
than a user's terminal. (The terminal driver's own overrides live with it,
in :mod:`clientdesk.tui.terminal_guard`.)
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text

if TYPE_CHECKING:
    from textual.app import App


class EndsWithOneLine:
    """Mixed into an :class:`~textual.app.App` (before it): an unexpected error ends it
    with :meth:`fatal_error_line`, exit status 1, and no traceback on the terminal."""

    def fatal_error_line(self, error: BaseException) -> str:
        """The line printed for ``error`` (default: the crash log's one line; it logs it)."""
        from clientdesk.tui.crash_log import internal_error_line

        return internal_error_line(error)

    def _fatal_error(self) -> None:
        # Textual calls this after an unhandled error, with the error in
        # _exception and the exit status already 1. Saves are atomic, so the
        # data file holds the last completed save.
        app = cast("App[Any]", self)
        error = app._exception or RuntimeError("unknown error")
        app.bell()
        app._exit_renderables.append(Text(self.fatal_error_line(error)))
        app._close_messages_no_wait()


TEXT_AREA_MODULE = "textual.widgets._text_area"
"""Where Textual defines ``TextArea`` (``textual.widgets`` imports it lazily)."""


def is_text_area(widget: object) -> bool:
    """True for a Textual ``TextArea``, without importing it for an app that shows none.

    The module may be half imported (a form being built in a worker thread):
    then no widget on screen can be one yet.
    """
    text_area = getattr(sys.modules.get(TEXT_AREA_MODULE), "TextArea", None)
    return text_area is not None and isinstance(widget, text_area)
