"""What the app does for the client status report: write it, keep it as sent, e-mail it.

:class:`StatusReportActions` writes ``<KEY>-status-report.md`` and ``.html``
in a thread worker; once written, it asks whether the report is the one
sent to the client, so that the next report covers the time from then on.
It also e-mails the report to contacts the user ticks (:meth:`ask_send`).
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
            band = self.host.config.report.top_risks_from  # [report] in the config file
            content = status_report(snapshot, project, clock.now(), top_risks_from=band)
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

    def ask_send(self, project: Project) -> None:
        """Ask who receives the status report of ``project``, then e-mail it (a worker).

        The report is the last kept one when it was never sent (kept with
        the keep question after writing it), else a new one for the period up
        to now, kept as sent once the server took it.
        """
        from clientdesk.store.report_mail import report_recipients, unsent_report
        from clientdesk.tui.minutes_mail_actions import no_mail_server
        from clientdesk.widgets.recipients_dialog import RecipientsDialog

        snapshot = self.host.snapshot
        if snapshot is None:
            return
        if not self.host.config.smtp.host:
            self.host.notify(no_mail_server(self.host), severity="warning", markup=False)
            return
        recipients = report_recipients(snapshot, project)
        if not recipients:
            self.host.notify(
                f"Nobody to send to: {project.key} has no contacts with an e-mail address "
                "(c opens the contacts).",
                severity="warning",
                markup=False,
            )
            return
        kept = unsent_report(snapshot, project)
        if kept is not None:
            question = f"E-mail {kept.key} (kept, not sent yet: {kept.title}) to:"
        else:
            question = (
                f"E-mail a new status report of {project.key} (for the time since the last "
                "one; kept as sent) to:"
            )
        report_key = kept.key if kept is not None else None

        def chosen(addresses: list[str] | None) -> None:
            if addresses:
                work = partial(self._send, project.key, report_key, addresses)
                self.host.run_worker(work, thread=True, group="mail")

        self.host.push_screen(RecipientsDialog(question, recipients), chosen)

    def _send(self, project_key: str, report_key: str | None, addresses: list[str]) -> None:
        """Send over SMTP and record the sending on the kept report (a worker)."""
        import os

        from clientdesk.store.mail import PASSWORD_ENV
        from clientdesk.store.paths import current_user
        from clientdesk.store.report_mail import send_report

        try:
            result = send_report(
                self.host.repository,
                project_key,
                report_key,
                to=addresses,
                settings=self.host.config.smtp,
                password=os.environ.get(PASSWORD_ENV),
                now=clock.now(),
                user=current_user(),
                top_risks_from=self.host.config.report.top_risks_from,
            )
        except (StoreError, OSError) as error:
            self.host.post_message(WriteFailed(f"not sent: {describe_error(error)}"))
            return
        text = result.line()
        text = text[:1].upper() + text[1:] + "."
        if result.refused:
            text += f" Not delivered: {result.refused_line()}."
        # A sending is a record of fact, not undone: no "ctrl+z undoes" after it.
        self.host.post_message(RecordWritten(result.record, text, select=False, changed=False))
