"""clientdesk: the client side of a project, in the terminal.

The package is split in three layers, importable as ``clientdesk.store``
(domain, rules and persistence; no terminal), ``clientdesk.widgets``
(reusable Textual widgets) and ``clientdesk.tui`` (the app and the CLI).
Data flows one way: tui -> widgets -> store.
"""

# The one place the version is written; pyproject.toml reads it from here
# (a literal, so that start-up does not pay for importlib.metadata).
__version__ = "0.1.0"
