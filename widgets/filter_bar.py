"""The one-line filter under a pane's table: type to narrow the rows, escape to clear."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Label

from clientdesk.widgets.actions import bindings
from clientdesk.widgets.field_input import FieldInput


class FilterBar(Horizontal):
    """A labelled input whose text filters a pane; it reports changes, it filters nothing itself."""

    DEFAULT_CSS = """
    FilterBar {
        height: 1;
        width: 1fr;
        background: $boost;
    }
    FilterBar > #filter-label {
        width: auto;
        padding: 0 1;
        text-style: bold;
    }
    FilterBar > Input {
        width: 1fr;
    }
    FilterBar > #filter-count {
        width: auto;
        padding: 0 1;
        color: $text-muted;
    }
    """

    BINDINGS = bindings("filter")

    count_text: reactive[str] = reactive("", init=False)
    """What the filter leaves, e.g. "3 of 12", shown at the right."""

    class Changed(Message):
        """The filter text changed (sent on every keystroke)."""

        def __init__(self, text: str) -> None:
            """Carry the new filter text."""
            super().__init__()
            self.text = text
            """The filter text as typed."""

    class Closed(Message):
        """The user left the filter: with enter (keep it) or escape (clear it)."""

        def __init__(self, cleared: bool) -> None:
            """Say whether the filter was cleared."""
            super().__init__()
            self.cleared = cleared
            """True when the user cleared the filter."""

    def compose(self) -> ComposeResult:
        """A label, the input and the count."""
        yield Label("Filter", id="filter-label")
        yield FieldInput(placeholder="words to look for", compact=True, id="filter-input")
        yield Label(id="filter-count", markup=False)

    @property
    def text(self) -> str:
        """The filter text."""
        return self.query_one(Input).value

    def focus_input(self) -> None:
        """Put the cursor in the input, ready to type.

        Focus is moved at once rather than after the next refresh (as
        ``focus()`` does): keys typed in the same burst as ``/`` are already
        queued, and must not act on the table behind the filter ("n" would
        open a form); the app types them into the filter instead.
        """
        self.app.set_focus(self.query_one(Input))

    def clear(self) -> None:
        """Empty the input."""
        self.query_one(Input).value = ""

    def watch_count_text(self, old: str, count_text: str) -> None:
        """Show the count (laying the bar out again only when its width changes)."""
        count = self.query_one("#filter-count", Label)
        count.update(Text(count_text), layout=len(count_text) != len(old))

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(event.value))

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_done()

    def action_done(self) -> None:
        """Keep the filter and go back to the table."""
        self.post_message(self.Closed(cleared=False))

    def action_clear(self) -> None:
        """Clear the filter and go back to the table."""
        self.clear()
        self.post_message(self.Changed(""))
        self.post_message(self.Closed(cleared=True))
