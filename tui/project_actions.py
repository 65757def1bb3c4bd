"""What the app does for projects: pick another, create one, edit the open one.

:class:`ProjectActions` opens the project picker and the project form; a
saved project is opened once the store is read again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clientdesk.widgets.project_picker import ProjectPicker

if TYPE_CHECKING:
    from clientdesk.store.models import Project
    from clientdesk.tui.host import Host


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
        self.host.push_screen(picker, self.host.open_project)

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
