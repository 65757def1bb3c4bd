"""A modal picker of projects: type to narrow the list, enter to open one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from clientdesk.widgets.actions import bindings, key_of
from clientdesk.widgets.cells import plain
from clientdesk.widgets.field_input import FieldInput

if TYPE_CHECKING:
    from clientdesk.store.models import Project


def project_option_text(project: Project, current: bool) -> Text:
    """One line for a project in the picker: marker, key, name and client.

    No RAG: a project's overall RAG is derived from all its records (see
    :func:`clientdesk.store.status_report.overall_status`), too dear to read
    for every project on a key press; the header shows the open project's.
    """
    return Text.assemble(
        ("▶ " if current else "  ", "bold"),
        plain(f"{project.key:<12}", "bold"),
        " ",
        plain(project.name),
        plain(f" · {project.client}" if project.client else "", "dim"),
    )


class ProjectPicker(ModalScreen[str | None]):
    """Choose a project; dismisses with its id, or None when cancelled."""

    DEFAULT_CSS = """
    ProjectPicker {
        align: center middle;
    }
    ProjectPicker > #picker-box {
        width: 90;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    ProjectPicker #picker-title {
        text-style: bold;
        padding: 0 1;
    }
    ProjectPicker #picker-filter {
        margin: 0 0 1 0;
    }
    ProjectPicker OptionList {
        height: auto;
        max-height: 1fr;
    }
    ProjectPicker #picker-hint {
        color: $text-muted;
        padding: 0 1;
    }
    """

    BINDINGS = bindings("picker")

    def __init__(self, projects: Sequence[Project], current_id: str | None) -> None:
        """Prepare the picker.

        Args:
            projects: the projects to choose from, in display order.
            current_id: the id of the project open now (marked and highlighted).
        """
        super().__init__()
        self._projects = list(projects)
        self._current_id = current_id

    def compose(self) -> ComposeResult:
        """A filter input above the list of projects."""
        with Vertical(id="picker-box"):
            yield Static("Switch project", id="picker-title")
            yield FieldInput(
                placeholder="Type to filter by key, name or client", id="picker-filter"
            )
            yield OptionList(id="picker-list")
            yield Static(
                f"enter opens · {key_of('picker.cancel')} cancels · ↑↓ move", id="picker-hint"
            )

    def on_mount(self) -> None:
        """Fill the list and highlight the current project."""
        self._fill("")
        self.query_one("#picker-filter", Input).focus()

    def _fill(self, text: str) -> None:
        words = text.casefold().split()
        option_list = self.query_one("#picker-list", OptionList)
        option_list.clear_options()
        matching = [
            project
            for project in self._projects
            if all(
                word in f"{project.key} {project.name} {project.client}".casefold()
                for word in words
            )
        ]
        option_list.add_options(
            Option(project_option_text(p, p.id == self._current_id), id=p.id) for p in matching
        )
        if matching:
            ids = [p.id for p in matching]
            option_list.highlighted = (
                ids.index(self._current_id) if self._current_id in ids and not words else 0
            )

    @on(Input.Changed, "#picker-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#picker-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        option_list = self.query_one("#picker-list", OptionList)
        if option_list.highlighted is not None:
            option = option_list.get_option_at_index(option_list.highlighted)
            self.dismiss(option.id)

    @on(OptionList.OptionSelected, "#picker-list")
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        """Move the highlight in the list while typing in the filter."""
        option_list = self.query_one("#picker-list", OptionList)
        if step > 0:
            option_list.action_cursor_down()
        else:
            option_list.action_cursor_up()

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
