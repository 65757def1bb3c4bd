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
        binding_id: the binding's id, by which the config file remaps the key.
    """

    key: str
    description: str
    section: str
    binding_id: str = ""


class HelpScreen(ModalScreen[None]):
    """Every key of the current pane and of the app, grouped by section."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > #help-box {
        width: 100;
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
        # The box is 100 cells wide, or the screen's width: "Does" takes what
        # the key and the binding id leave (each column has a cell of padding
        # either side, the box a border and padding).
        box = min(100, self.app.size.width) - 4
        key_width, id_width = 12, 24
        does_width = max(20, box - key_width - id_width - 7)
        table.add_column(Text("Key"), width=key_width, key="key")
        table.add_column(Text("Does"), width=does_width, key="does")
        table.add_column(Text("Id (config [keys])", style="dim"), width=id_width, key="id")
        sections: dict[str, list[HelpEntry]] = {}
        for entry in self._entries:
            sections.setdefault(entry.section, []).append(entry)
        for section, entries in sections.items():
            table.add_row(Text(section, style="bold underline"), Text(""), Text(""))
            for entry in entries:
                table.add_row(
                    Text(entry.key, style="bold"),
                    Text(entry.description, overflow="ellipsis", no_wrap=True),
                    Text(entry.binding_id, style="dim", overflow="ellipsis", no_wrap=True),
                )
        table.focus()

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
