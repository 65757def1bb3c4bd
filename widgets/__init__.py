"""Reusable Textual widgets of clientdesk: the four panes, the forms, the dialogs and pickers.

Widgets take their data as attributes (or through a ``show`` method) from the
app and report what the user did with messages; they never reach into each
other. They read from ``clientdesk.store`` but never import ``clientdesk.tui``.
"""
