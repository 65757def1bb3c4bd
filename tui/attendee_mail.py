"""Telling the attendees about a change to their meetings: offered once the change is saved.

Cancelling a meeting or an occurrence, moving one, splitting a series,
restoring a cancelled one and closing a project with meetings still to come
change what the attendees' calendars must show. Once such a change is saved,
:class:`AttendeeMail` offers to e-mail what it means to them (a
cancellation, an update, a new invite, the invite again) over the invites'
SMTP path (:func:`clientdesk.store.mail.send_invite`,
which records each sending on its meeting), in a thread worker, and says in
one line who received it or why nothing was sent. With no mail server set
up, nothing is offered: the notices say plainly that nothing was sent and
how to send it later (the send-invite key, ``clientdesk send-invite``).
Deleting a meeting whose invite went out is the one change asked about
before it is saved: its cancellation must be sent while the record is there
(see ``CalendarActions.ask_delete``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from clientdesk.store import clock
from clientdesk.store.errors import StoreError, describe_error
from clientdesk.tui.record_saves import RecordWritten, WriteFailed
from clientdesk.widgets.actions import key_of
from clientdesk.widgets.confirm_dialog import ConfirmDialog

if TYPE_CHECKING:
    from clientdesk.store.mail import InviteResult
    from clientdesk.store.models import Meeting, Project
    from clientdesk.tui.host import Host

PEOPLE_NAMED = 3
"""How many addresses a question names before "and N more"."""


@dataclass(frozen=True)
class Sending:
    """One message the attendees of a meeting are to get after a change.

    Attributes:
        meeting_key: the meeting's key (``MTG-3``).
        cancel: a cancellation (``METHOD:CANCEL``) rather than an invite or update.
        occurrence: the one occurrence it is about (its original start, the
            RECURRENCE-ID); None for the whole meeting.
        what: how the message is named to the user ("the cancellation of
            MTG-3 on Mon 30 Nov 14:00").
        timezone: the meeting's zone (the command line reads ``--occurrence`` in it).
    """

    meeting_key: str
    cancel: bool
    occurrence: datetime | None
    what: str
    timezone: str = "UTC"

    def command(self, project_key: str) -> str:
        """The ``clientdesk send-invite`` line that sends it from a shell."""
        line = f"clientdesk send-invite --project {project_key} --meeting {self.meeting_key}"
        if self.cancel:
            line += " --cancel"
        if self.occurrence is not None:
            local = self.occurrence.astimezone(clock.zone(self.timezone))
            line += f' --occurrence "{local:%Y-%m-%d %H:%M}"'
        return line


def recipients_of(meetings: Sequence[Meeting]) -> list[str]:
    """The attendees' addresses of ``meetings``, each once, in order."""
    from clientdesk.store.mail import invite_recipients

    seen: set[str] = set()
    found: list[str] = []
    for meeting in meetings:
        for email in invite_recipients(meeting):
            if email.casefold() not in seen:
                seen.add(email.casefold())
                found.append(email)
    return found


def people(addresses: Sequence[str]) -> str:
    """``ann@x, bob@y and 2 more``: the first few addresses, the rest counted."""
    named = ", ".join(addresses[:PEOPLE_NAMED])
    rest = len(addresses) - PEOPLE_NAMED
    return f"{named} and {rest} more" if rest > 0 else named


def _joined(whats: Sequence[str]) -> str:
    return whats[0] if len(whats) == 1 else ", ".join(whats[:-1]) + " and " + whats[-1]


class AttendeeMail:
    """Offers, sends and reports what the attendees get after a change: one per app."""

    def __init__(self, host: Host) -> None:
        """Act for ``host``: its config, screens, workers and notices."""
        self.host = host
        """The app whose SMTP settings, dialogs and workers are used."""

    @property
    def can_send(self) -> bool:
        """True when a mail server is set up (``[smtp]`` host in the config file)."""
        return bool(self.host.config.smtp.host)

    def note_before(self, what: str) -> str:
        """One sentence for a dialog that asks for a change: what the attendees will get.

        Args:
            what: the message the change brings, e.g. "the cancellation".
        """
        if self.can_send:
            return f"Next you can e-mail {what} to the attendees."
        return (
            "No mail server is set up, so nothing is sent to the attendees "
            f"({key_of('calendar.send')} sends {what} later)."
        )

    def nothing_sent(self, project: Project, sendings: Sequence[Sending], why: str) -> str:
        """``Nothing was sent to the attendees (why): I sends it later, or clientdesk …``."""
        send_key = key_of("calendar.send")
        commands = "; then ".join(sending.command(project.key) for sending in sendings)
        it = "it" if len(sendings) == 1 else "them"
        return (
            f"Nothing was sent to the attendees ({why}): {send_key} in the Calendar "
            f"sends {it} later, or {commands}"
        )

    def after_saving(self, project: Project, sendings: Sequence[Sending]) -> str:
        """What a change's notice adds about the attendees ("" when the offer follows)."""
        if self.can_send or not sendings:
            return ""
        return " " + self.nothing_sent(project, sendings, "no mail server is set up") + "."

    def offer(
        self, project: Project, sendings: Sequence[Sending], meetings: Sequence[Meeting]
    ) -> None:
        """Ask whether to e-mail ``sendings`` now (yes is the default), then send them.

        Called on the UI thread once the change is saved; with no mail server
        set up it does nothing (the change's notice said that nothing was sent).

        Args:
            project: the meetings' project.
            sendings: what to send, in order.
            meetings: the meetings as saved (their attendees are the recipients).
        """
        if not self.can_send or not sendings:
            return
        recipients = recipients_of(meetings)
        if not recipients:
            keys = ", ".join(dict.fromkeys(s.meeting_key for s in sendings))
            self.host.notify(
                f"Nothing was sent: {keys} has no attendee with an e-mail address.",
                markup=False,
            )
            return

        def answered(send: bool | None) -> None:
            if send:
                work = partial(self._send_all, project, list(sendings))
                self.host.run_worker(work, thread=True, group="mail")
            else:
                self.host.notify(
                    self.nothing_sent(project, sendings, "you chose not to") + ".", markup=False
                )

        whats = _joined([sending.what for sending in sendings])
        self.host.push_screen(
            ConfirmDialog(
                f"E-mail {whats} to {people(recipients)} now?",
                yes="Send",
                no="Not now",
                default_yes=True,
            ),
            answered,
        )

    def send(self, project: Project, sendings: Sequence[Sending]) -> Sent:
        """Send ``sendings`` in turn, each recorded on its meeting (in a worker thread).

        Stops at the first that fails: the ones before it stay sent and recorded.
        """
        from clientdesk.store.mail import PASSWORD_ENV, send_invite
        from clientdesk.store.paths import current_user

        results: list[tuple[Sending, InviteResult]] = []

        def progress(text: str) -> None:
            # send_invite's own lines name the meeting ("sending MTG-3 to 2 via …").
            self.host.call_from_thread(self.host.notify, text, markup=False)

        for sending in sendings:
            try:
                result = send_invite(
                    self.host.repository,
                    project.key,
                    sending.meeting_key,
                    cancel=sending.cancel,
                    occurrence=sending.occurrence,
                    settings=self.host.config.smtp,
                    password=os.environ.get(PASSWORD_ENV),
                    now=clock.now(),
                    user=current_user(),
                    progress=progress,
                )
            except (StoreError, OSError) as error:
                sent = f"{_sent_line(results)}; but " if results else ""
                later = key_of("calendar.send")
                line = (
                    f"{sent}{sending.what} was not sent: {describe_error(error)} "
                    f"({later} in the Calendar sends it later)"
                )
                return Sent(line, failed=True, last=results[-1][1].meeting if results else None)
            results.append((sending, result))
        return Sent(_sent_line(results), failed=False, last=results[-1][1].meeting)

    def _send_all(self, project: Project, sendings: list[Sending]) -> None:
        sent = self.send(project, sendings)
        if sent.failed:
            self.host.post_message(WriteFailed(f"{sent.line}; the change itself is saved"))
        else:
            self.host.post_message(
                RecordWritten(sent.last, f"{sent.line}.", select=False, changed=False)
            )


@dataclass(frozen=True)
class Sent:
    """What came of sending: one line for the user.

    Attributes:
        line: who received what, or why (and from which message on) nothing was sent.
        failed: a message could not be sent.
        last: the last meeting a sending was recorded on (None: none was).
    """

    line: str
    failed: bool
    last: Meeting | None


def _sent_line(results: Sequence[tuple[Sending, InviteResult]]) -> str:
    """``Sent the cancellation of MTG-3 (SEQUENCE 2) to ann@x, bob@y; refused: …``."""
    whats = _joined([f"{sending.what} (SEQUENCE {result.sequence})" for sending, result in results])
    accepted: list[str] = []
    refused: dict[str, str] = {}
    for _, result in results:
        accepted += [a for a in result.recipients if a not in accepted]
        refused.update(result.refused)
    line = f"Sent {whats} to {', '.join(accepted)}"
    if refused:
        named = ", ".join(f"{address} ({reply})" for address, reply in refused.items())
        line += f"; the server refused {named}"
    return line
