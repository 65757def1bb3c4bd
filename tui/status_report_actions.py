"""What the app does for the client status report: write it, then offer to keep it as sent.

:class:`StatusReportActions` writes ``<KEY>-status-report.md`` and ``.html``
in a thread worker; once written, it asks whether the report is the one
sent to the client, so that the next report covers the time from then on.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from clientdesk.store import clock
from clientdesk.store.errors import NotFoundError, StoreError, describe_error
from clientdesk.tui.record_saves import RecordWritten, WriteFailed
from clientdesk.widgets.confirm_dialog import ConfirmDialog

if TYPE_CHECKING:
    from clientdesk.store.models import Project
    from clientdesk.store.status_report import ReportContent
    from clientdesk.tui.host import Host


class StatusReportActions:
    """The status report's side of the app: one per app."""

    def __init__(self, host: Host) -> None:
        """Act for ``host``: its repository, screens and workers."""
        self.host = host
        """The app whose screens and workers are used."""

    def write(self, project: Project, directory: Path | None = None) -> None:
        """Write ``project``'s status report in ``directory`` (default: the current one)."""
        work = partial(self._write, project.id, directory or Path.cwd())
        self.host.run_worker(work, thread=True, group="files", exclusive=False)

    def _write(self, project_id: str, directory: Path) -> None:
        """Write ``<KEY>-status-report.md`` and ``.html`` (new names if they exist; a worker)."""
        try:
            from clientdesk.store.models import Project
            from clientdesk.store.status_report import status_report
            from clientdesk.store.storage import write_new_file

            snapshot = self.host.repository.snapshot()
            project = snapshot.get(Project, project_id)
            if project is None:
                raise NotFoundError("the project was deleted by someone else")
            content = status_report(snapshot, project, clock.now())
            paths = []
            for suffix, text in ((".md", content.markdown), (".html", content.html)):
                target = write_new_file(
                    directory, f"{project.key}-status-report", suffix, text.encode("utf-8")
                )
                paths.append(target.resolve())
        except (StoreError, OSError) as error:
            message = f"cannot write the status report: {describe_error(error)}"
            self.host.post_message(WriteFailed(message))
        else:
            self.host.call_from_thread(self._written, project, content, paths)

    def _written(self, project: Project, content: ReportContent, paths: list[Path]) -> None:
        where = " and ".join(str(path) for path in paths)
        self.host.notify(f"Wrote the status report of {project.key} to {where}", markup=False)
        if project.is_closed:
            return

        def answered(keep: bool | None) -> None:
            if keep:
                work = partial(self._keep, project, content)
                self.host.run_worker(work, thread=True, group="store", exclusive=False)

        self.host.push_screen(
            ConfirmDialog(
                "Keep this report as the one sent to the client? "
                "The next report then covers the time from now on.",
                yes="Keep it",
                no="Not yet",
            ),
            answered,
        )

    def _keep(self, project: Project, content: ReportContent) -> None:
        try:
            from clientdesk.store.status_report import keep_report

            kept = keep_report(self.host.repository, project, content)
        except (StoreError, OSError) as error:
            self.host.post_message(WriteFailed(describe_error(error)))
        else:
            text = f"Kept the status report as {kept.key}: the next one starts from here."
            self.host.post_message(RecordWritten(kept, text, select=False))
