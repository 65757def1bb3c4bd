"""The header line: which project is open, for which client, and how it is doing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Label

from clientdesk.widgets.cells import label_of, plain, rag_badge

if TYPE_CHECKING:
    from clientdesk.store.models import Project


class ProjectHeader(Horizontal):
    """One line: the project's key, name and client at the left; phase and RAG at the right."""

    DEFAULT_CSS = """
    ProjectHeader {
        height: 1;
        width: 1fr;
        background: $panel;
    }
    ProjectHeader > #header-title {
        width: 1fr;
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ProjectHeader > #header-status {
        width: auto;
        height: 1;
        padding-left: 2;
    }
    """

    project: reactive[Project | None] = reactive(None, init=False)
    """The project shown; None before one is open."""

    fallback: reactive[str] = reactive("clientdesk", init=False)
    """What the header says while no project is open."""

    def compose(self) -> ComposeResult:
        """The title at the left, the status at the right."""
        yield Label(self._title(), id="header-title", markup=False)
        status = Label(self._status(), id="header-status", markup=False)
        status.display = self.project is not None
        yield status

    def _title(self) -> Text:
        project = self.project
        if project is None:
            return Text.assemble((f" {self.fallback} ", "bold"))
        title = Text.assemble(
            plain(f" {project.key} ", "bold reverse"),
            " ",
            plain(project.name, "bold"),
        )
        if project.client:
            title.append_text(Text.assemble(plain(" · ", "dim"), plain(project.client)))
        title.no_wrap = True
        title.overflow = "ellipsis"
        return title

    def _status(self) -> Text:
        project = self.project
        if project is None:
            return Text("")
        return Text.assemble(label_of(project.phase, "italic"), " ", rag_badge(project.rag))

    def watch_project(self) -> None:
        """Show the new project."""
        self._refresh_labels()

    def watch_fallback(self) -> None:
        """Show the new fallback text."""
        self._refresh_labels()

    def _refresh_labels(self) -> None:
        self.query_one("#header-title", Label).update(self._title())
        status = self.query_one("#header-status", Label)
        # Without a project there is no status: no empty padded cell either.
        status.display = self.project is not None
        status.update(self._status())
