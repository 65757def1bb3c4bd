"""A modal list of the keys that work where the user is, with what each does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from clientdesk.widgets.actions import bindings


@dataclass(frozen=True)
class HelpEntry:
    """One line of help.

    Attributes:
        key: the key as shown to the user, e.g. ``ctrl+s``.
        description: what the key does.
        section: the heading the line is listed under.
        binding_id: the action's id (the config documentation lists them; not shown).
    """

    key: str
    description: str
    section: str
    binding_id: str = ""


class HelpScreen(ModalScreen[None]):
    """Every key of the current pane first, then the rest, grouped by section.

    Descriptions wrap rather than being cut, and headings are whole at any
    width; the list scrolls with the arrows, ``j``/``k``, PgUp/PgDn and Home/End.
    """

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
    HelpScreen #help-body {
        height: auto;
    }
    HelpScreen #help-hint {
        color: $text-muted;
        padding: 0 1;
    }
    """

    BINDINGS = bindings("help")

    def __init__(self, entries: Sequence[HelpEntry], *, title: str = "Keys") -> None:
        """Prepare the list.

        Args:
            entries: the lines to show, in order; sections follow their first entry.
            title: the heading of the dialog.
        """
        super().__init__()
        self.entries = list(entries)
        """The lines shown, in order."""
        self._title = title

    def compose(self) -> ComposeResult:
        """The title, the list of keys and a hint."""
        with Vertical(id="help-box"):
            yield Static(Text(self._title), id="help-title")
            with VerticalScroll(id="help-body", can_focus=True):
                yield Static(self._body(), id="help-text")
            yield Static(
                "escape closes · ↑↓ j k PgUp PgDn Home End scroll · ctrl+p: actions by name",
                id="help-hint",
            )

    def _body(self) -> Group:
        sections: dict[str, list[HelpEntry]] = {}
        for entry in self.entries:
            sections.setdefault(entry.section, []).append(entry)
        parts: list[Text | Table] = []
        for section, entries in sections.items():
            parts.append(Text(section, style="bold underline"))
            table = Table.grid(padding=(0, 2))
            table.add_column(no_wrap=True, min_width=9)
            table.add_column(overflow="fold", ratio=1)
            for entry in entries:
                table.add_row(Text(entry.key, style="bold"), Text(entry.description))
            parts.append(table)
            parts.append(Text(""))
        return Group(*parts[:-1])

    def on_mount(self) -> None:
        """Put the focus on the list, so that its keys scroll it."""
        self._fit_height()
        self.query_one("#help-body").focus()

    def on_resize(self) -> None:
        """Keep the title and the hint on screen at the new height."""
        self._fit_height()

    def _fit_height(self) -> None:
        # The box's border and the title and hint lines take five rows.
        self.query_one("#help-body").styles.max_height = max(3, self.app.size.height - 4)

    def _body_scroll(self) -> VerticalScroll:
        return self.query_one("#help-body", VerticalScroll)

    def action_scroll_down(self) -> None:
        """One line down."""
        self._body_scroll().scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        """One line up."""
        self._body_scroll().scroll_up(animate=False)

    def action_page_down(self) -> None:
        """A page down."""
        self._body_scroll().scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        """A page up."""
        self._body_scroll().scroll_page_up(animate=False)

    def action_scroll_home(self) -> None:
        """The top of the list."""
        self._body_scroll().scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        """The end of the list."""
        self._body_scroll().scroll_end(animate=False)

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)
