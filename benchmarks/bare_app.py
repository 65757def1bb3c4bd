"""The baseline: a bare Textual app with clientdesk's shell widgets and no logic of its own.

``bare_app.py ROWS`` runs it in the terminal with ROWS plain rows in each of
its four tables (``0`` for the start-up baseline); keys 1-4 switch tabs like
clientdesk's. ``benchmarks/run.py`` measures clientdesk against it.
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane

TITLES = ("Calendar", "Requests", "Risks", "Closing")


class BareApp(App[None]):
    """The shell's widgets: a header line, four tabs with a table each, a footer."""

    BINDINGS = [Binding(str(n), f"show({n})", title) for n, title in enumerate(TITLES, 1)]

    def __init__(self, rows: int = 0) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield Static("project")
        with TabbedContent(id="tabs"):
            for number, title in enumerate(TITLES, 1):
                with TabPane(title, id=f"tab{number}"):
                    yield DataTable(cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            table.add_columns("Key", "Title", "Status", "Owner", "When")
            table.add_rows(
                (f"REQ-{n}", f"A request title number {n}", "open", "Sam Lee", "2026-11-23 09:00")
                for n in range(self.rows)
            )
        self.query(DataTable).first().focus()

    def action_show(self, number: int) -> None:
        self.query_one("#tabs", TabbedContent).active = f"tab{number}"
        self.query_one(f"#tab{number} DataTable", DataTable).focus()


if __name__ == "__main__":
    BareApp(int(sys.argv[1]) if len(sys.argv) > 1 else 0).run()
