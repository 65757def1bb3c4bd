"""clientdesk: the client side of a project, in the terminal.

The package is split in three layers, importable as ``clientdesk.store``
(domain, rules and persistence; no terminal), ``clientdesk.widgets``
(reusable Textual widgets) and ``clientdesk.tui`` (the app and the CLI).
Data flows one way: tui -> widgets -> store.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("clientdesk")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
