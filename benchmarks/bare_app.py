"""The baseline: a bare Textual app with clientdesk's shell widgets and no logic of its own.

``bare_app.py ROWS`` runs it in the terminal with ROWS plain rows in each of
its four tables (``0`` for the start-up baseline); keys 1-4 switch tabs like
clientdesk's, and ``e`` opens a form laid out as clientdesk's request form
(a label, a control and a hidden error line per field: 14 inputs, 5 selects).
``benchmarks/run.py`` measures clientdesk against it.
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Input,
    Label,
    Select,
    Static,
    TabbedContent,
    TabPane,
)

TITLES = ("Calendar", "Requests", "Risks", "Closing")


INPUTS, SELECTS = 14, 5
"""The request form's fields: text inputs and selects."""


class BareForm(ModalScreen[None]):
    """A form of the request form's size and layout, with no logic."""

    BINDINGS = [Binding("escape", "dismiss", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Edit request REQ-1")
            with VerticalScroll():
                for number in range(INPUTS + SELECTS):
                    control = (
                        Select([("one", 1), ("two", 2)], value=1, allow_blank=False, compact=True)
                        if number < SELECTS
                        else Input(f"value {number}", compact=True)
                    )
                    yield Horizontal(
                        Label(f"Field {number}"),
                        Vertical(control, Static(classes="error")),
                    )
            with Horizontal():
                yield Button("Cancel (esc)", compact=True)
                yield Button("Save (ctrl+s)", compact=True)


class BareApp(App[None]):
    """The shell's widgets: a header line, four tabs with a table each, a footer."""

    CSS = """
    BareForm Horizontal, BareForm Vertical, BareForm VerticalScroll { height: auto; }
    BareForm Label { width: 18; }
    BareForm .error { display: none; }
    """

    BINDINGS = [
        *(Binding(str(n), f"show({n})", title) for n, title in enumerate(TITLES, 1)),
        Binding("e", "form", "Edit"),
    ]

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

    def action_form(self) -> None:
        self.push_screen(BareForm())

    def action_show(self, number: int) -> None:
        self.query_one("#tabs", TabbedContent).active = f"tab{number}"
        self.query_one(f"#tab{number} DataTable", DataTable).focus()


if __name__ == "__main__":
    BareApp(int(sys.argv[1]) if len(sys.argv) > 1 else 0).run()
