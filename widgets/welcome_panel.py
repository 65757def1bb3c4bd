"""The first thing a new user sees: a greeting and two ways to start."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Center, Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Static

from clientdesk.widgets.actions import bindings, key_of

WELCOME_TEXT = (
    "clientdesk keeps, per client project, the communication calendar, the client's "
    "requests, the risk register and the closing checklist.\n\n"
    "There are no projects in this data file yet."
)
"""The greeting's body."""


class WelcomePanel(Vertical):
    """A greeting with "Create a first project" and "Load demo data" buttons."""

    DEFAULT_CSS = """
    WelcomePanel {
        align: center middle;
        height: 1fr;
    }
    WelcomePanel #welcome-box {
        width: 80%;
        max-width: 76;
        height: auto;
        border: round $primary;
        padding: 1 2;
    }
    WelcomePanel #welcome-heading {
        text-style: bold;
        margin-bottom: 1;
    }
    WelcomePanel #welcome-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: center;
    }
    WelcomePanel Button {
        margin: 0 1;
    }
    """

    BINDINGS = bindings("welcome")

    class CreateProject(Message):
        """The user wants to create the first project."""

    class LoadDemo(Message):
        """The user wants the demo data set."""

    def compose(self) -> ComposeResult:
        """The greeting and the two buttons."""
        with Center(), Vertical(id="welcome-box"):
            yield Static("Welcome to clientdesk", id="welcome-heading")
            yield Static(WELCOME_TEXT, id="welcome-text")
            with Horizontal(id="welcome-buttons"):
                yield Button(
                    f"Create a first project ({key_of('welcome.create')})",
                    variant="primary",
                    id="create",
                )
                yield Button(f"Load demo data ({key_of('welcome.demo')})", id="demo")

    def focus_first(self) -> None:
        """Focus the "create" button."""
        self.query_one("#create", Button).focus()

    def action_create_project(self) -> None:
        """Ask for the first project."""
        self.post_message(self.CreateProject())

    def action_load_demo(self) -> None:
        """Ask for the demo data."""
        self.post_message(self.LoadDemo())

    @on(Button.Pressed, "#create")
    def _create(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_create_project()

    @on(Button.Pressed, "#demo")
    def _demo(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_load_demo()
