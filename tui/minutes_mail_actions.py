"""What the app does to e-mail a meeting's minutes: ask who gets them, send, say how it went.

:class:`MinutesMailActions` sees the app through :class:`~clientdesk.tui.host.Host`.
The Calendar pane and the meeting detail ask for it on one occurrence (their
``send_minutes`` action); the recipients dialog offers the project's contacts
with the meeting's attendees ticked, and the sending runs in a thread worker
through :func:`clientdesk.store.report_mail.send_minutes`, which records it on
the meeting.
"""

from __future__ import annotations

import os
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from clientdesk.store import clock
from clientdesk.store.errors import StoreError, describe_error
from clientdesk.tui.record_saves import RecordWritten, WriteFailed
from clientdesk.widgets.actions import key_of

if TYPE_CHECKING:
    from clientdesk.store.calendar import Occurrence
    from clientdesk.store.models import Project
    from clientdesk.tui.host import Host


def no_mail_server(host: Host) -> str:
    """The line that says nothing was sent because no SMTP server is set, and where to set one."""
    return (
        "Nothing was sent: no mail server is set up. Add host (and port, security, user) "
        f"under [smtp] in {host.config_location}; the password goes in $CLIENTDESK_SMTP_PASSWORD."
    )


class MinutesMailActions:
    """E-mailing minutes from the Calendar pane and the meeting detail: one per app."""

    def __init__(self, host: Host) -> None:
        """Act for ``host``: its snapshot, screens and workers."""
        self.host = host
        """The app whose screens and workers are used."""

    def ask_send(self, occurrence: Occurrence, project: Project) -> None:
        """Ask who receives the minutes of ``occurrence``, then send them (a worker)."""
        from clientdesk.store.report_mail import has_minutes, minutes_recipients
        from clientdesk.widgets.recipients_dialog import RecipientsDialog

        meeting = occurrence.meeting
        what = _what(occurrence)
        problem = ""
        if occurrence.cancelled:
            problem = f"{what} is cancelled: it has no minutes to send."
        elif not has_minutes(occurrence):
            problem = f"{what} has no minutes yet: {key_of('calendar.minutes')} records them."
        elif not self.host.config.smtp.host:
            problem = no_mail_server(self.host)
        if problem:
            self.host.notify(problem, severity="warning", markup=False)
            return
        snapshot = self.host.snapshot
        if snapshot is None:
            return
        recipients = minutes_recipients(snapshot, project, meeting)
        if not recipients:
            self.host.notify(
                f"Nobody to send to: {meeting.key} has no attendees and {project.key} no "
                "contacts with an e-mail address.",
                severity="warning",
                markup=False,
            )
            return
        recurrence_id = occurrence.original_start if occurrence.is_recurring else None

        def chosen(addresses: list[str] | None) -> None:
            if addresses:
                work = partial(self._send, project.key, meeting.key, recurrence_id, addresses)
                self.host.run_worker(work, thread=True, group="mail")

        self.host.push_screen(
            RecipientsDialog(
                f"E-mail the minutes of {what} (decisions and action items with them) to:",
                recipients,
            ),
            chosen,
        )

    def _send(
        self,
        project_key: str,
        meeting_key: str,
        recurrence_id: datetime | None,
        addresses: list[str],
    ) -> None:
        """Send over SMTP and record the sending (a worker); the result is told."""
        from clientdesk.store.mail import PASSWORD_ENV
        from clientdesk.store.paths import current_user
        from clientdesk.store.report_mail import send_minutes

        try:
            result = send_minutes(
                self.host.repository,
                project_key,
                meeting_key,
                occurrence=recurrence_id,
                to=addresses,
                settings=self.host.config.smtp,
                password=os.environ.get(PASSWORD_ENV),
                now=clock.now(),
                user=current_user(),
            )
        except (StoreError, OSError) as error:
            self.host.post_message(WriteFailed(f"not sent: {describe_error(error)}"))
            return
        # A sending is a record of fact, not undone: no "ctrl+z undoes" after it.
        notice = result.notice()
        self.host.post_message(RecordWritten(result.record, notice, select=False, changed=False))


def _what(occurrence: Occurrence) -> str:
    """``MTG-3``, or ``MTG-3 on Mon 23 Nov 14:00`` for one occurrence of a series."""
    meeting = occurrence.meeting
    if not occurrence.is_recurring:
        return meeting.key
    local = occurrence.original_start.astimezone(clock.zone(meeting.timezone))
    return f"{meeting.key} on {local:%a %d %b %H:%M}"
