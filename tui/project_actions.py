"""What the app does for projects: pick another, create one, edit the open one.

:class:`ProjectActions` opens the project picker and the project form; a
saved project is opened once the store is read again. A project picked is
made ready in a worker (its records validated, its clocks read, the pane on
show's rows made), which posts :class:`ProjectReady` or, when one of its
records is broken, :class:`ProjectRefused`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

from clientdesk.widgets.project_picker import ProjectPicker

if TYPE_CHECKING:
    from clientdesk.store.models import Project
    from clientdesk.store.snapshot import Snapshot
    from clientdesk.tui.host import Host
    from clientdesk.tui.readings import PaneFill, Readings


class ProjectReady(Message):
    """A worker made a picked project ready to show: its records, clocks and rows."""

    def __init__(self, readings: Readings, fill: PaneFill | None) -> None:
        """Carry the project's readings, and the pane on show's rows made from them."""
        super().__init__()
        self.readings = readings
        """The snapshot and project made ready, with the project's clocks and gates."""
        self.fill = fill
        """The rows of the pane on show (None: the pane is filled on the UI thread)."""


class ProjectRefused(Message):
    """A picked project cannot be opened: one of its records is broken."""

    def __init__(self, snapshot: Snapshot, project: Project, reason: str) -> None:
        """Carry the project and why it cannot be opened, in one line naming the record."""
        super().__init__()
        self.snapshot = snapshot
        """The snapshot the project was looked at in."""
        self.project = project
        """The project that stays closed."""
        self.reason = reason
        """What is wrong, for the user."""


class ProjectActions:
    """The projects' side of the app: one per app."""

    def __init__(self, host: Host) -> None:
        """Act for ``host``: its snapshot, screens and repository."""
        self.host = host
        """The app whose projects are picked and edited."""

    def switch(self) -> None:
        """Pick another project."""
        snapshot = self.host.snapshot
        if snapshot is None:
            return
        picker = ProjectPicker(snapshot.projects(), self.host.project_id)
        # Its records are validated in a worker: ~1 s at 50,000 records the
        # first time, which on the UI thread froze the screen.
        self.host.push_screen(picker, self.host.switch_to_project)

    def new(self) -> None:
        """Create a project."""
        from clientdesk.widgets.project_form import ProjectForm

        self.host.push_screen(ProjectForm(None, self.host.repository.add).reused(), self.saved)

    def edit(self) -> None:
        """Edit the open project."""
        from clientdesk.widgets.project_form import ProjectForm

        project = self.host.current_project
        if project is not None:
            form = ProjectForm(project, self.host.repository.update)
            self.host.push_screen(form.reused(), self.saved)

    def saved(self, project: Project | None) -> None:
        """Say the project form saved ``project`` (None: cancelled) and open it."""
        if project is None:
            return
        self.host.notify(
            f"Saved project {project.key} ({self.host.undo_key} undoes).", markup=False
        )
        self.host.reload(select_project=project.id)
