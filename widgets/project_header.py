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
    from clientdesk.store.status_report import OverallStatus


class ProjectHeader(Horizontal):
    """One line: the project's key, name and client at the left; phase and RAG at the right.

    The RAG is the project's overall status as the status report gives it
    (:func:`clientdesk.store.status_report.overall_status`), read by the app's
    worker with the clocks on every refresh and handed down as ``overall``:
    the header only shows it. When the project manager set it by hand, the
    RAG the dimensions give shows beside it, as in the report.
    """

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

    overall: reactive[OverallStatus | None] = reactive(None, init=False)
    """The open project's overall RAG; None until it was read."""

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
        status = Text.assemble(label_of(project.phase, "italic"))
        overall = self.overall
        if overall is None:
            return status
        status.append_text(Text.assemble(" ", rag_badge(overall.rag)))
        if overall.overridden:
            status.append_text(
                Text.assemble(plain(" set by PM; dimensions ", "dim"), rag_badge(overall.derived))
            )
        return status

    def watch_project(self) -> None:
        """Show the new project."""
        self._refresh_labels()

    def watch_overall(self) -> None:
        """Show the new overall RAG."""
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
