"""E-mailing invites and cancellations to a meeting's attendees over SMTP.

An invite is one message that every calendar program understands: a
``multipart/mixed`` holding a ``multipart/alternative`` (a plain-text summary
for people, and the calendar part ``text/calendar; method=REQUEST;
charset=UTF-8`` for their calendar) and the same ``.ics`` as an attachment,
for programs that only look at attachments. What was sent, when, to whom and
with which SEQUENCE is kept on the meeting (:class:`~clientdesk.store.models.InviteSent`),
and only once the server has accepted the message.

:func:`send_invite` is the whole flow the command line and the app share; it
blocks on the network, so the app runs it in a thread worker. Every failure
is a :class:`MailError` whose message is one line a user can act on. No
Textual here.
"""

from __future__ import annotations

import ipaddress
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import utils
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.policy import SMTP
from typing import Literal

from icalendar import Calendar

from clientdesk.store import calendar, paths
from clientdesk.store.clock import zone
from clientdesk.store.config import SmtpSettings
from clientdesk.store.enums import MeetingStatus
from clientdesk.store.errors import ConflictError, StoreError, ValidationFailed, describe_error
from clientdesk.store.models import InviteSent, Meeting, Project
from clientdesk.store.repository import Repository
from clientdesk.store.text import printable

PASSWORD_ENV = paths.PASSWORD_ENV  # named with the other variables; read here and by the app
"""The environment variable the SMTP password is read from (never the config file)."""

DEFAULT_TIMEOUT = 20.0
"""Seconds to wait for the server at each step before giving up."""

ATTACHMENT_NAME = "invite.ics"

Method = Literal["REQUEST", "CANCEL"]
Progress = Callable[[str], None]

_LONGEST_REPLY = 160
"""A server's reply is cut to this many characters, so an error stays one line."""


class MailError(StoreError):
    """An invite could not be e-mailed (or recorded); ``str()`` is one line for the user."""


class NotSendable(MailError, ValidationFailed):
    """What was asked to go out does not fit the meeting as stored.

    See :func:`checked_recurrence_id`.

    A :class:`MailError` for ``send-invite`` and a :class:`ValidationFailed`
    for ``export-ics``, which refuse it with the same line.
    """


@dataclass(frozen=True)
class Delivery:
    """What the SMTP server did with the recipients of an accepted message.

    Attributes:
        accepted: the addresses the server took the message for.
        refused: the addresses it refused, each with the server's reply.
    """

    accepted: list[str]
    refused: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InviteResult:
    """An invite or cancellation sent and recorded.

    Attributes:
        meeting: the meeting as saved, its ``sent`` list ending in this sending.
        method: ``REQUEST`` (an invite) or ``CANCEL``.
        sequence: the SEQUENCE of the calendar file sent.
        recipients: the addresses the server accepted.
        refused: the addresses it refused, each with the server's reply.
        recurrence_id: the occurrence it was about (None: the whole meeting).
    """

    meeting: Meeting
    method: Method
    sequence: int
    recipients: list[str]
    refused: dict[str, str]
    recurrence_id: datetime | None = None


# -- the message ------------------------------------------------------------------------


def _one_line(text: str) -> str:
    """``text`` fit for a header or a summary line: no line breaks, no control characters.

    The models already fold titles and names into one line; a record that
    bypassed them must still never add a header to the message.
    """
    return " ".join(printable(text).split())


def _when(start: datetime, end: datetime, zone_name: str, *, all_day: bool = False) -> str:
    """``Mon 2026-11-30 10:00-11:00 (Europe/Berlin)``, in the zone given.

    An all-day meeting (give its own zone) reads ``Tue 2026-12-01, all day``, or
    ``Tue 2026-12-01 to Thu 2026-12-03, all day`` over several days: no time, no zone.
    """
    start, end = start.astimezone(zone(zone_name)), end.astimezone(zone(zone_name))
    if all_day:
        last = end.date() - timedelta(days=1)
        until = f" to {last:%a %Y-%m-%d}" if last > start.date() else ""
        return f"{start:%a %Y-%m-%d}{until}, all day"
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%a %Y-%m-%d %H:%M}"
    return f"{start:%a %Y-%m-%d %H:%M}-{until} ({zone_name})"


@dataclass(frozen=True)
class _Details:
    """What the summary says about the meeting or the one occurrence the message is about."""

    start: datetime
    end: datetime
    location: str
    agenda: list[tuple[str, str, int]]


def _details(meeting: Meeting, recurrence_id: datetime | None) -> _Details:
    occurrence = (
        calendar.occurrence_at(meeting, recurrence_id) if recurrence_id is not None else None
    )
    if occurrence is None:
        agenda = [(item.title, item.presenter, item.minutes) for item in meeting.agenda]
        return _Details(meeting.start, meeting.end, meeting.location, agenda)
    agenda = [(item.title, item.presenter, item.minutes) for item in occurrence.agenda]
    return _Details(occurrence.start, occurrence.end, occurrence.location, agenda)


def _summary(
    meeting: Meeting,
    project: Project,
    method: Method,
    sender: Address,
    recurrence_id: datetime | None,
) -> str:
    """The plain-text part: what, when (the project's zone), where, agenda, organiser."""
    details = _details(meeting, recurrence_id)
    title = _one_line(meeting.title)
    lines = [title, "=" * min(len(title), 72), ""]
    if method == "CANCEL":
        if recurrence_id is not None:
            said_in = meeting.timezone if meeting.all_day else project.timezone
            original = recurrence_id.astimezone(zone(said_in))
            on = f"{original:%a %Y-%m-%d}" if meeting.all_day else f"{original:%a %Y-%m-%d %H:%M}"
            lines += [f"The meeting on {on} is cancelled.", ""]
        else:
            lines += ["This meeting is cancelled.", ""]
    if meeting.all_day:  # the same day in every zone: said once, in the meeting's own
        when = _when(details.start, details.end, meeting.timezone, all_day=True)
    else:
        when = _when(details.start, details.end, project.timezone)
    lines.append(f"When:      {when}")
    if meeting.timezone != project.timezone and not meeting.all_day:
        lines.append(f"           {_when(details.start, details.end, meeting.timezone)}")
    if meeting.rrule and recurrence_id is None:
        lines.append(
            f"Repeats:   {calendar.describe_rule(meeting.rrule, timezone=project.timezone)}"
        )
    if details.location:
        lines.append(f"Where:     {_one_line(details.location)}")
    if meeting.video_link:
        lines.append(f"Video:     {_one_line(meeting.video_link)}")
    lines.append(f"Organiser: {sender}")
    if meeting.attendees:
        invited = ", ".join(f"{_one_line(a.name or a.email)} ({a.role})" for a in meeting.attendees)
        lines.append(f"Attendees: {invited}")
    if details.agenda and method == "REQUEST":
        lines += ["", "Agenda"]
        for number, (item, presenter, minutes) in enumerate(details.agenda, start=1):
            who = f"{_one_line(presenter)}, " if presenter else ""
            lines.append(f"  {number}. {_one_line(item)} ({who}{minutes} min)")
    lines += [
        "",
        f"The calendar file is attached ({ATTACHMENT_NAME}): open it if your calendar "
        "did not pick this up by itself.",
    ]
    return "\n".join(lines) + "\n"


def _already_invited(meeting: Meeting, recurrence_id: datetime | None) -> bool:
    """True when the attendees were sent an invite that holds this meeting or occurrence.

    An invite to the whole series holds every occurrence: a moved occurrence
    sent after it is an update to what their calendars show.
    """
    return any(
        sent.method == "REQUEST" and sent.recurrence_id in (None, recurrence_id)
        for sent in meeting.sent
    )


def _subject(
    meeting: Meeting, project: Project, method: Method, recurrence_id: datetime | None
) -> str:
    if method == "CANCEL":
        prefix = "Cancelled"
    elif _already_invited(meeting, recurrence_id):
        prefix = "Updated invitation"
    else:
        prefix = "Invitation"
    moment = recurrence_id if method == "CANCEL" and recurrence_id else None
    start = (moment or _details(meeting, recurrence_id).start).astimezone(zone(project.timezone))
    return f"{prefix}: {_one_line(meeting.title)} {start:%Y-%m-%d %H:%M} ({project.timezone})"


def invite_method(ics: bytes) -> tuple[Method, int]:
    """The METHOD of a calendar file and the highest SEQUENCE among its events.

    Raises:
        ValueError: the file is not an iCalendar invite or cancellation.
    """
    parsed = Calendar.from_ical(ics)
    method = str(parsed.get("METHOD", "")).upper()
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"the calendar file has METHOD {method or 'none'}, not REQUEST or CANCEL")
    events = parsed.walk("VEVENT")
    if not events:
        raise ValueError("the calendar file holds no event")
    sequence = max(int(event.get("SEQUENCE", 0)) for event in events)
    return ("REQUEST" if method == "REQUEST" else "CANCEL"), sequence


def organiser(meeting: Meeting, project: Project) -> tuple[str, str]:
    """The organiser's name and address: the meeting's, else the project's."""
    if meeting.organiser_email:
        return meeting.organiser_name, meeting.organiser_email
    return project.organiser_name, project.organiser_email


def _address(email: str, name: str = "") -> Address:
    local, _, domain = email.strip().rpartition("@")
    return Address(display_name=_one_line(name), username=local, domain=domain)


# The other messages sent over this path (reports, minutes) build their headers the same way.
one_line = _one_line
mail_address = _address


def invite_message(
    meeting: Meeting,
    project: Project,
    ics: bytes,
    *,
    method: Method,
    sender: str,
    recipients: list[str],
    recurrence_id: datetime | None = None,
    now: datetime | None = None,
) -> EmailMessage:
    """The e-mail that carries ``ics`` to the attendees.

    Args:
        meeting: the meeting the file is about.
        project: its project (its time zone is the one the summary uses).
        ics: the calendar file, as :func:`clientdesk.store.ics.meeting_invite` wrote it.
        method: the file's METHOD (``REQUEST`` or ``CANCEL``); it must match.
        sender: the organiser's address (the From header and the envelope sender).
        recipients: the attendees' addresses (the To header).
        recurrence_id: the occurrence the file is about (None: the whole meeting).
        now: the Date header (default: the current time).

    Returns:
        A ``multipart/mixed`` message: ``multipart/alternative`` (a plain-text
        summary and ``text/calendar; method=...; charset=UTF-8``) and the same
        file attached as ``invite.ics``.

    Raises:
        ValueError: ``method`` is not the file's METHOD.
    """
    found, _ = invite_method(ics)
    if found != method:
        raise ValueError(f"the calendar file's METHOD is {found}, not {method}")
    names = {a.email.casefold(): a.name for a in meeting.attendees}
    organiser_name, organiser_email = organiser(meeting, project)
    same = sender.casefold() == organiser_email.casefold()
    from_address = _address(sender, organiser_name if same else "")
    message = EmailMessage(policy=SMTP)
    message["Subject"] = _subject(meeting, project, method, recurrence_id)
    message["From"] = from_address
    message["To"] = [_address(email, names.get(email.casefold(), "")) for email in recipients]
    message["Date"] = utils.format_datetime(now or datetime.now().astimezone())
    # The sender's own domain: make_msgid would otherwise ask DNS for this machine's name.
    message["Message-ID"] = utils.make_msgid(domain=from_address.domain or "clientdesk")
    message.set_content(_summary(meeting, project, method, from_address, recurrence_id))
    # Bytes, base64: the file arrives exactly as written (CRLF, folding, UTF-8).
    calendar_part = MIMEPart(policy=SMTP)
    calendar_part.set_content(ics, maintype="text", subtype="calendar")
    del calendar_part["Content-Type"]
    # Raw, as the contract spells it: the header classes would quote "REQUEST",
    # which is valid MIME, but some calendar programs compare the text verbatim.
    calendar_part.set_raw("Content-Type", f"text/calendar; method={method}; charset=UTF-8")
    message.make_alternative()
    # typeshed wants the parent's own class; any MIMEPart is a valid part (and
    # leaves out the MIME-Version header that EmailMessage adds to each part).
    message.attach(calendar_part)  # type: ignore[arg-type]
    attachment = MIMEPart(policy=SMTP)
    attachment.set_content(
        ics,
        maintype="application",
        subtype="ics",
        disposition="attachment",
        filename=ATTACHMENT_NAME,
        params={"name": ATTACHMENT_NAME},
    )
    message.make_mixed()
    message.attach(attachment)  # type: ignore[arg-type]
    return message


# -- sending ----------------------------------------------------------------------------


def _reply(code: int, text: bytes | str) -> str:
    """A server's reply as one short line: ``550 5.1.1 no such user``."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    line = _one_line(f"{code} {text}")
    return line if len(line) <= _LONGEST_REPLY else line[: _LONGEST_REPLY - 1] + "…"


def _timed_out(server: str, timeout: float, stage: str) -> str:
    return (
        f"{server} did not answer within {timeout:g} s during {stage}; "
        "check smtp.host, smtp.port and the network"
    )


@contextmanager
def _explained(settings: SmtpSettings, timeout: float, stage: list[str]) -> Iterator[None]:
    """Turn whatever smtplib, ssl or the socket raise into one :class:`MailError` line.

    ``stage`` holds the step under way ("connect", "tls", "login", "send"):
    the same exception means different things at different steps.
    """
    server = f"{settings.host}:{settings.port}"
    try:
        yield
    except smtplib.SMTPAuthenticationError as error:
        reply = _reply(error.smtp_code, error.smtp_error)
        raise MailError(
            f"{server} refused the login of {settings.user!r} ({reply}); "
            f"check smtp.user and ${PASSWORD_ENV}"
        ) from None
    except smtplib.SMTPSenderRefused as error:
        raise MailError(
            f"{server} refused the sender {error.sender} "
            f"({_reply(error.smtp_code, error.smtp_error)}); nothing was sent"
        ) from None
    except smtplib.SMTPRecipientsRefused as error:
        refused = "; ".join(
            f"{address} ({_reply(code, text)})"
            for address, (code, text) in error.recipients.items()
        )
        raise MailError(f"{server} refused every recipient: {refused}; nothing was sent") from None
    except smtplib.SMTPNotSupportedError:
        if stage[-1] == "tls":
            raise MailError(
                f'{server} does not offer STARTTLS; set smtp.security to "tls" if it '
                "expects TLS from the start (usually port 465)"
            ) from None
        if stage[-1] == "login":
            raise MailError(
                f"{server} does not offer a login here (no AUTH); leave smtp.user empty, "
                "or secure the connection first (smtp.security)"
            ) from None
        raise MailError(f"{server} does not support what the message needs") from None
    except smtplib.SMTPServerDisconnected as error:
        if isinstance(error.__context__, TimeoutError):
            # smtplib reports a server that stops answering as a disconnection.
            raise MailError(_timed_out(server, timeout, stage[-1])) from None
        reason = _one_line(str(error)) or "no reason given"
        raise MailError(f"{server} closed the connection during {stage[-1]} ({reason})") from None
    except smtplib.SMTPResponseException as error:
        # SMTPDataError, SMTPConnectError, SMTPHeloError and the rest carry a reply.
        refused = "the message" if stage[-1] == "send" else f"the {stage[-1]}"
        raise MailError(
            f"{server} refused {refused} ({_reply(error.smtp_code, error.smtp_error)}); "
            "nothing was sent"
        ) from None
    except smtplib.SMTPException as error:
        raise MailError(f"{server}: {_one_line(str(error))}; nothing was sent") from None
    except ssl.SSLCertVerificationError as error:
        raise MailError(
            f"{server}: the server's certificate is not trusted "
            f"({_one_line(error.verify_message or str(error))})"
        ) from None
    except ssl.SSLError as error:
        reason = (error.reason or str(error)).replace("_", " ").lower()
        hint = (
            'is smtp.security right? "tls" is for port 465, "starttls" for 587'
            if stage[-1] == "connect"
            else "the server's TLS is not usable"
        )
        raise MailError(f"{server}: TLS failed ({_one_line(reason)}); {hint}") from None
    except socket.gaierror:
        raise MailError(
            f"cannot find the SMTP server {settings.host!r} (no such host name); check smtp.host"
        ) from None
    except ConnectionRefusedError:
        raise MailError(
            f"{server} refused the connection (is the server running, is smtp.port right?)"
        ) from None
    except TimeoutError:
        raise MailError(_timed_out(server, timeout, stage[-1])) from None
    except OSError as error:
        raise MailError(
            f"cannot reach {server}: {_one_line(error.strerror or str(error))}"
        ) from None


def send(
    message: EmailMessage,
    settings: SmtpSettings,
    password: str | None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> Delivery:
    """Hand ``message`` to the SMTP server of ``settings``.

    Args:
        message: the message; its From is the envelope sender, its To the recipients.
        settings: the server, its security (``starttls``, ``tls``, ``none``) and login name.
        password: the login password (the caller reads it from ``$CLIENTDESK_SMTP_PASSWORD``).
        timeout: seconds to wait for the server at each step.

    Returns:
        Who the server accepted the message for, and who it refused.

    Raises:
        MailError: nothing was sent: no server is set, it cannot be reached,
            TLS or the login failed, or it refused the sender, every
            recipient or the message.
    """
    if not settings.host:
        raise MailError('no SMTP server is set: add host = "..." under [smtp] in the config file')
    if settings.user and not password:
        raise MailError(
            f"smtp.user is {settings.user!r} but ${PASSWORD_ENV} is not set; "
            "set it to the SMTP password"
        )
    if settings.user and settings.security == "none" and not _is_loopback(settings.host):
        # A password sent in the clear to another machine can be read on the way.
        raise MailError(
            f"will not send the SMTP password unencrypted to {settings.host}: "
            'set security = "starttls" or "tls" under [smtp]'
        )
    sender = message["From"].addresses[0].addr_spec
    recipients = [address.addr_spec for address in message["To"].addresses]
    stage = ["connect"]
    context = ssl.create_default_context()
    # This machine's name for EHLO, without asking DNS for its full name (getfqdn).
    local_name = socket.gethostname() or "localhost"
    with _explained(settings, timeout, stage):
        client: smtplib.SMTP
        if settings.security == "tls":
            client = smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                local_hostname=local_name,
                timeout=timeout,
                context=context,
            )
        else:
            client = smtplib.SMTP(
                settings.host, settings.port, local_hostname=local_name, timeout=timeout
            )
        with client:
            if settings.security == "starttls":
                stage.append("tls")
                client.starttls(context=context)
            if settings.user:
                stage.append("login")
                client.login(settings.user, password or "")
            stage.append("send")
            refused = client.send_message(message, sender, recipients)
    return Delivery(
        accepted=[address for address in recipients if address not in refused],
        refused={address: _reply(code, text) for address, (code, text) in refused.items()},
    )


def _is_loopback(host: str) -> bool:
    """True for this machine itself (a local relay), where a plain login crosses no network."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# -- keeping what was sent --------------------------------------------------------------


def record_sent(
    meeting: Meeting,
    *,
    method: Method,
    sequence: int,
    recipients: list[str],
    now: datetime,
    user: str,
    recurrence_id: datetime | None = None,
    meeting_sequence: int | None = None,
) -> Meeting:
    """``meeting`` with one more entry in ``sent``: this sending (save it with ``update``).

    The entry is also the record of the highest SEQUENCE sent for the UID
    (see :func:`clientdesk.store.ics.outgoing_sequence`).

    Args:
        meeting: the meeting as stored.
        method: ``REQUEST`` or ``CANCEL``.
        sequence: the SEQUENCE of the file sent.
        recipients: the addresses the server accepted.
        now: when it was sent.
        user: who sent it.
        recurrence_id: the occurrence it was about (None: the whole meeting).
        meeting_sequence: the meeting's own SEQUENCE the file was built from
            (default: ``meeting``'s); it tells a later exact repeat from news.
    """
    sent = InviteSent(
        sent_at=now,
        sent_by=user,
        method=method,
        sequence=sequence,
        recipients=list(recipients),
        recurrence_id=recurrence_id,
        meeting_sequence=meeting.sequence if meeting_sequence is None else meeting_sequence,
    )
    return meeting.model_copy(update={"sent": [*meeting.sent, sent]})


def invite_recipients(meeting: Meeting) -> list[str]:
    """The attendees' addresses, each once, in the meeting's order."""
    seen: set[str] = set()
    found: list[str] = []
    for attendee in meeting.attendees:
        email = attendee.email.strip()
        if email and email.casefold() not in seen:
            seen.add(email.casefold())
            found.append(email)
    return found


def checked_recurrence_id(
    meeting: Meeting, occurrence: datetime | None, cancel: bool
) -> datetime | None:
    """The RECURRENCE-ID to send, once the meeting's state fits what is about to be sent.

    Clients must end up seeing what the store holds: a cancellation goes out
    for a meeting (or occurrence) cancelled here first, an invite never for
    one. ``send-invite`` and ``export-ics`` both ask here, so a file written
    to send by hand is refused exactly as an e-mail would be.

    Args:
        meeting: the meeting as stored.
        occurrence: one occurrence of a series (its original start), or None.
        cancel: a cancellation is to go out (else an invite).

    Raises:
        NotSendable: one line saying what does not fit and what to do first.
    """
    name = meeting.key or meeting.title
    if occurrence is None:
        cancelled = meeting.status is MeetingStatus.CANCELLED
        if cancel and not cancelled:
            raise NotSendable(
                f"{name} is not cancelled: cancel it first (status cancelled), "
                "then send the cancellation"
            )
        if not cancel and cancelled:
            raise NotSendable(f"{name} is cancelled: send the cancellation instead (--cancel)")
        return None
    if meeting.rrule is None:
        raise NotSendable(f"{name} is not a series: send it without an occurrence")
    found = calendar.occurrence_at(meeting, occurrence)
    if found is None:
        local = occurrence.astimezone(zone(meeting.timezone))
        raise NotSendable(
            f"{name} has no occurrence on {local:%Y-%m-%d %H:%M} ({meeting.timezone}); "
            "give the time the series gives it, before any move"
        )
    if cancel and not found.cancelled:
        raise NotSendable(
            f"the {name} occurrence on {found.original_start:%Y-%m-%d %H:%M} is not cancelled: "
            "cancel it first, then send the cancellation"
        )
    if not cancel and found.cancelled:
        raise NotSendable(
            f"the {name} occurrence on {found.original_start:%Y-%m-%d %H:%M} is cancelled: "
            "send the cancellation instead (--cancel)"
        )
    return found.original_start


def _save_sending(
    repository: Repository, meeting: Meeting, append: Callable[[Meeting], Meeting]
) -> Meeting:
    """Save ``append(meeting)``; on a conflict, append to the meeting as now stored, once."""
    try:
        return repository.update(append(meeting))
    except ConflictError as conflict:
        # Someone saved the meeting meanwhile: their change stays, the sending is added.
        if not isinstance(conflict.current, Meeting):
            raise
        return repository.update(append(conflict.current))


def send_invite(
    repository: Repository,
    project_key: str,
    meeting_key: str,
    *,
    cancel: bool = False,
    occurrence: datetime | None = None,
    settings: SmtpSettings,
    password: str | None,
    now: datetime,
    user: str,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> InviteResult:
    """E-mail a meeting's invite (or cancellation) to its attendees and record the sending.

    Blocks on the network: the app calls it from a thread worker.

    Args:
        repository: the store holding the meeting.
        project_key: the project's key (``SHOP``).
        meeting_key: the meeting's key (``MTG-3``).
        cancel: send the cancellation instead of the invite.
        occurrence: one occurrence of a series (its original start, the
            RECURRENCE-ID); None for the whole meeting.
        settings: the SMTP server.
        password: the SMTP password (from ``$CLIENTDESK_SMTP_PASSWORD``).
        now: the time of sending (DTSTAMP, the Date header, the record).
        user: who sends it (kept in the record).
        progress: called with a short line before each slow step.
        timeout: seconds to wait for the server at each step.

    Returns:
        The meeting as saved and who the server accepted (and refused).

    Raises:
        MailError: nothing was sent (see :func:`send`), or the meeting cannot
            be sent (no attendees, no organiser address, the wrong state), or
            it was sent but could not be recorded (the message says so).
        StoreError: the project or meeting does not exist.
    """
    from clientdesk.store.ics import meeting_invite

    say = progress or (lambda _line: None)
    snapshot = repository.snapshot()
    project = snapshot.project(project_key)
    meeting = snapshot.find(Meeting, meeting_key, project.id)
    if project.is_closed:
        raise MailError(f"{project.key} is closed: reopen it to send invites")
    recurrence_id = checked_recurrence_id(meeting, occurrence, cancel)
    recipients = invite_recipients(meeting)
    if not recipients:
        raise MailError(f"{meeting.key} has no attendees to send to: add attendees first")
    sender = organiser(meeting, project)[1]
    if not sender:
        raise MailError(
            f"{meeting.key} has no organiser e-mail (the From address): "
            f"set it on the meeting or on project {project.key}"
        )
    ics = meeting_invite(meeting, project, now=now, cancel=cancel, recurrence_id=recurrence_id)
    method, sequence = invite_method(ics)
    message = invite_message(
        meeting,
        project,
        ics,
        method=method,
        sender=sender,
        recipients=recipients,
        recurrence_id=recurrence_id,
        now=now,
    )
    say(f"sending {meeting.key} to {len(recipients)} via {settings.host}:{settings.port}…")
    delivery = send(message, settings, password, timeout=timeout)
    say(f"recording the sending on {meeting.key}…")

    def append(stored: Meeting) -> Meeting:
        return record_sent(
            stored,
            method=method,
            sequence=sequence,
            recipients=delivery.accepted,
            now=now,
            user=user,
            recurrence_id=recurrence_id,
            meeting_sequence=meeting.sequence,
        )

    try:
        saved = _save_sending(repository, meeting, append)
    except (StoreError, OSError) as error:
        raise MailError(
            f"sent {meeting.key} to {', '.join(delivery.accepted)} but could not record it: "
            f"{describe_error(error)}"
        ) from None
    return InviteResult(
        meeting=saved,
        method=method,
        sequence=sequence,
        recipients=delivery.accepted,
        refused=delivery.refused,
        recurrence_id=recurrence_id,
    )
