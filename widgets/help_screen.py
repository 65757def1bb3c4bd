"""A modal list of the keys that work where the user is, with what each does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static


@dataclass(frozen=True)
class HelpEntry:
    """One line of help.

    Attributes:
        key: the key as shown to the user, e.g. ``ctrl+s``.
        description: what the key does.
        section: the heading the line is listed under.
    """

    key: str
    description: str
    section: str


class HelpScreen(ModalScreen[None]):
    """Every key of the current pane and of the app, grouped by section."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > #help-box {
        width: 70;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen #help-title {
        text-style: bold;
        padding: 0 1;
    }
    HelpScreen DataTable {
        height: auto;
    }
    HelpScreen #help-hint {
        dock: bottom;
        color: $text-muted;
        padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("escape", "close", "Close", id="help.close"),
        Binding("q", "close", "Close", id="help.close_q", show=False),
        Binding("question_mark", "close", "Close", id="help.close_question", show=False),
    ]

    def __init__(self, entries: Sequence[HelpEntry], *, title: str = "Keys") -> None:
        """Prepare the list.

        Args:
            entries: the lines to show, in order; sections follow their first entry.
            title: the heading of the dialog.
        """
        super().__init__()
        self._entries = list(entries)
        self._title = title

    def compose(self) -> ComposeResult:
        """The title, the table of keys and a hint."""
        with Vertical(id="help-box"):
            yield Static(Text(self._title), id="help-title")
            yield DataTable[Text](cursor_type="none", zebra_stripes=False, id="help-table")
            yield Static("escape closes · ↑↓ scroll", id="help-hint")

    def on_mount(self) -> None:
        """Fill the table."""
        table: DataTable[Text] = self.query_one("#help-table", DataTable)
        table.add_column(Text("Key"), width=14, key="key")
        table.add_column(Text("Does"), width=48, key="does")
        sections: dict[str, list[HelpEntry]] = {}
        for entry in self._entries:
            sections.setdefault(entry.section, []).append(entry)
        for section, entries in sections.items():
            table.add_row(Text(section, style="bold underline"), Text(""))
            for entry in entries:
                table.add_row(Text(entry.key, style="bold"), Text(entry.description))
        table.focus()

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
