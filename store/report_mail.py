"""E-mailing the client status report and a meeting's minutes to chosen contacts over SMTP.

Both go out over the invites' path (:func:`clientdesk.store.mail.send`: the
``[smtp]`` settings, the password from ``$CLIENTDESK_SMTP_PASSWORD``, one
:class:`~clientdesk.store.mail.MailError` line for whatever goes wrong). Each
message is a ``multipart/mixed`` holding a ``multipart/alternative`` (plain
text, then HTML: a mail program shows the richest part it can) and the same
content in Markdown as an ``.md`` attachment, to file or paste elsewhere.

Who may receive one: the project's contacts with an e-mail address (and, for
minutes, the meeting's attendees). By default the status report goes to the
client's side (contacts of the project's client organisation; every contact
when none is named as such, as the report's "decisions needed from you" counts
them) and minutes to the meeting's attendees.

Each sending is recorded only once the server has accepted it, with the
addresses it accepted: on the kept :class:`~clientdesk.store.models.StatusReport`
(the one change the store lets a kept report take) or on the meeting
(:attr:`~clientdesk.store.models.Meeting.minutes_sent`). A colleague's save
of the same record meanwhile is kept: the sending is appended to the record
as stored then. The sending functions block on the network: the app calls
them from a thread worker. No Textual here.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email import utils
from email.message import EmailMessage
from email.policy import SMTP
from html.parser import HTMLParser
from typing import TypeVar

from clientdesk.store import calendar
from clientdesk.store.calendar import Occurrence
from clientdesk.store.clock import zone
from clientdesk.store.config import SmtpSettings
from clientdesk.store.errors import ConflictError, StoreError, describe_error
from clientdesk.store.mail import (
    DEFAULT_TIMEOUT,
    MailError,
    Progress,
    mail_address,
    one_line,
    organiser,
    send,
)
from clientdesk.store.meeting_dates import all_day_text
from clientdesk.store.models import (
    Contact,
    Meeting,
    Project,
    Record,
    Sending,
    StatusReport,
)
from clientdesk.store.report import NONE, md_block, md_line_start, md_text
from clientdesk.store.repository import Repository
from clientdesk.store.snapshot import Snapshot
from clientdesk.store.status_report import keep_report, last_kept, status_report
from clientdesk.store.text import printable

R = TypeVar("R", bound=Record)


# -- who may receive it -------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """Someone a report or minutes can be sent to.

    Attributes:
        email: the address.
        name: the person's name ("" when only the address is known).
        detail: who they are, in a few words (organisation and role, "attendee").
        default: ticked unless the user chooses otherwise.
    """

    email: str
    name: str
    detail: str
    default: bool

    @property
    def label(self) -> str:
        """``Ann Client <ann@client.example>``, one line."""
        name = one_line(self.name)
        return f"{name} <{self.email}>" if name else self.email


def _contacts_with_email(snapshot: Snapshot, project: Project) -> list[Contact]:
    contacts = [c for c in snapshot.of_project(Contact, project.id) if c.email.strip()]
    return sorted(contacts, key=lambda c: (c.name.casefold(), c.email.casefold()))


def _detail(contact: Contact) -> str:
    return ", ".join(part for part in (contact.organisation, contact.role) if part.strip())


def client_side(contacts: Sequence[Contact], project: Project) -> list[Contact]:
    """The contacts on the client's side of ``project``.

    Those whose organisation is the project's client; when the project names
    no client, or no contact is of it, every contact (the status report takes
    every contact for the client's side too).
    """
    client = project.client.strip().casefold()
    theirs = [c for c in contacts if client and c.organisation.strip().casefold() == client]
    return theirs or list(contacts)


def report_recipients(snapshot: Snapshot, project: Project) -> list[Recipient]:
    """Who the status report of ``project`` can go to: its contacts with an e-mail address.

    The client's side (:func:`client_side`) is ticked by default.
    """
    contacts = _contacts_with_email(snapshot, project)
    clients = {c.id for c in client_side(contacts, project)}
    return _unique(
        Recipient(c.email.strip(), c.name, _detail(c), c.id in clients) for c in contacts
    )


def minutes_recipients(snapshot: Snapshot, project: Project, meeting: Meeting) -> list[Recipient]:
    """Who a meeting's minutes can go to: its attendees, then the project's other contacts.

    The attendees are ticked by default.
    """
    contacts = _contacts_with_email(snapshot, project)
    by_email = {c.email.strip().casefold(): c for c in contacts}
    found: list[Recipient] = []
    for attendee in meeting.attendees:
        contact = by_email.get(attendee.email.strip().casefold())
        detail = f"attendee, {_detail(contact)}" if contact and _detail(contact) else "attendee"
        name = attendee.name or (contact.name if contact else "")
        found.append(Recipient(attendee.email.strip(), name, detail, True))
    found += [Recipient(c.email.strip(), c.name, _detail(c), False) for c in contacts]
    return _unique(found)


def _unique(recipients: Iterable[Recipient]) -> list[Recipient]:
    """``recipients`` with each address once (the first wins), in their order."""
    seen: set[str] = set()
    found: list[Recipient] = []
    for recipient in recipients:
        if recipient.email and recipient.email.casefold() not in seen:
            seen.add(recipient.email.casefold())
            found.append(recipient)
    return found


def chosen_addresses(
    candidates: Sequence[Recipient], wanted: Sequence[str] | None, *, project: Project, what: str
) -> list[str]:
    """The addresses to send to: ``wanted`` (each one a candidate's), or the defaults.

    Args:
        candidates: who may receive it (:func:`report_recipients`, :func:`minutes_recipients`).
        wanted: the addresses asked for; None or empty: the ticked defaults.
        project: the project (named in the refusals).
        what: what is sent, for the refusals (``the status report``).

    Raises:
        MailError: an address is no contact's, or nobody is left to send to.
    """
    known = {candidate.email.casefold(): candidate.email for candidate in candidates}
    if not wanted:
        chosen = [candidate.email for candidate in candidates if candidate.default]
        if not chosen:
            raise MailError(
                f"{what} has nobody to go to by default: add contacts with an e-mail "
                f"address to {project.key}, or name one (--to EMAIL)"
            )
        return chosen
    addresses: list[str] = []
    for address in wanted:
        match = known.get(address.strip().casefold())
        if match is None:
            raise MailError(
                f"{printable(address.strip())!r} is not the e-mail address of a contact of "
                f"{project.key}: add the contact first (clientdesk add contact), "
                "or pick one of `clientdesk list contacts`"
            )
        if match not in addresses:
            addresses.append(match)
    return addresses


# -- the plain-text part, from the HTML ----------------------------------------------------


class _TextFromHtml(HTMLParser):
    """The text of a report's HTML as a person reads it in a plain-text mail program.

    Headings are underlined, list items start with ``-``, table rows read
    ``cell | cell``, a RAG badge reads ``[RED]``; the head and its CSS are left out.
    """

    _BLOCKS = frozenset({"p", "ul", "table", "tr", "h1", "h2", "h3", "h4", "main", "body"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._line: list[str] = []
        self._cells: list[str] | None = None
        self._skip = 0
        self._depth = 0
        self._heading = ""
        self._badge = False

    def _flush(self) -> None:
        raw = "".join(self._line)
        text = " ".join(raw.split())
        self._line = []
        if not text:
            return
        indent = raw[: len(raw) - len(raw.lstrip(" "))]  # a nested item's place in its list
        if self._heading:
            rule = "=" if self._heading == "h1" else "-"
            self.lines += ["", text, rule * min(len(text), 72)]
        else:
            self.lines.append(indent + text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("head", "style", "script", "title"):
            self._skip += 1
        elif tag in ("h1", "h2", "h3", "h4"):
            self._flush()
            self._heading = tag
        elif tag == "p":
            self._flush()
            self.lines.append("")
        elif tag == "ul":
            self._flush()
            self._depth += 1
        elif tag == "li":
            self._flush()
            self._line.append("  " * (self._depth - 1) + "- ")
        elif tag == "table":
            self._flush()
            self.lines.append("")
        elif tag == "tr":
            self._cells = []
        elif tag in ("td", "th"):
            self._line = []
        elif tag == "span" and "rag" in (dict(attrs).get("class") or "").split():
            self._badge = True
            self._line.append("[")
        elif tag == "br":
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "style", "script", "title"):
            self._skip = max(0, self._skip - 1)
        elif tag in ("h1", "h2", "h3", "h4"):
            self._flush()
            self._heading = ""
        elif tag in ("p", "li"):
            self._flush()
        elif tag == "ul":
            self._flush()
            self._depth = max(0, self._depth - 1)
            if self._depth == 0:
                self.lines.append("")
        elif tag in ("td", "th") and self._cells is not None:
            self._cells.append(" ".join("".join(self._line).split()))
            self._line = []
        elif tag == "tr" and self._cells is not None:
            self.lines.append(" | ".join(self._cells))
            self._cells = None
        elif tag == "span" and self._badge:
            self._badge = False
            self._line.append("]")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._line.append(data)

    def text(self) -> str:
        """Everything read, blank lines folded to one, ending in a newline."""
        self._flush()
        out: list[str] = []
        for line in self.lines:
            if line or (out and out[-1]):
                out.append(line)
        return "\n".join(out).strip() + "\n"


def text_from_html(document: str) -> str:
    """The plain-text alternative of an HTML report (see :class:`_TextFromHtml`)."""
    reader = _TextFromHtml()
    reader.feed(document)
    reader.close()
    return reader.text()


# -- the messages -------------------------------------------------------------------------


def _message(
    document: MailDocument,
    *,
    recipients: Sequence[str],
    names: dict[str, str],
    now: datetime | None,
) -> EmailMessage:
    """``multipart/mixed``: ``multipart/alternative`` (text, HTML), then the Markdown attached."""
    from_address = mail_address(document.sender, document.sender_name)
    message = EmailMessage(policy=SMTP)
    message["Subject"] = one_line(document.title)
    message["From"] = from_address
    message["To"] = [mail_address(email, names.get(email.casefold(), "")) for email in recipients]
    message["Date"] = utils.format_datetime(now or datetime.now().astimezone())
    # The sender's own domain: make_msgid would otherwise ask DNS for this machine's name.
    message["Message-ID"] = utils.make_msgid(domain=from_address.domain or "clientdesk")
    message.set_content(document.text)
    message.add_alternative(document.html, subtype="html")
    # Bytes, base64: the file arrives exactly as written, whatever its line lengths.
    message.add_attachment(
        document.markdown.encode("utf-8"),
        maintype="text",
        subtype="markdown",
        filename=document.attachment,
        params={"charset": "utf-8"},
    )
    return message


def report_attachment_name(report: StatusReport, project: Project) -> str:
    """``SHOP-RPT-3-status-report.md`` (``SHOP-status-report.md`` before it is kept)."""
    key = f"-{report.key}" if report.key else ""
    return f"{project.key}{key}-status-report.md"


def report_document(report: StatusReport, project: Project) -> MailDocument:
    """A status report as the e-mail carries it: its HTML is the body, from the project's organiser.

    Raises:
        MailError: the project has no organiser e-mail to send from.
    """
    sender = _project_sender(project)
    document = report.html or (
        f"<!DOCTYPE html>\n<html><body><pre>{html.escape(report.markdown)}</pre></body></html>\n"
    )
    return MailDocument(
        title=report.title,
        markdown=report.markdown,
        html=document,
        text=text_from_html(document) if report.html else report.markdown,
        attachment=report_attachment_name(report, project),
        sender=sender,
        sender_name=project.organiser_name,
    )


def _project_sender(project: Project) -> str:
    if not project.organiser_email:
        raise MailError(
            f"{project.key} has no organiser e-mail (the From address): set it on the project "
            f"(P in the app, or clientdesk edit project {project.key} --organiser-email ...)"
        )
    return project.organiser_email


@dataclass(frozen=True)
class MailDocument:
    """A status report or a meeting's minutes written three ways, as the e-mail carries them.

    Attributes:
        title: the subject (``Minutes: Kick-off (MTG-1), 2026-12-01 10:00``).
        markdown: the Markdown (the attachment).
        html: one self-contained HTML document (the body).
        text: the plain-text alternative.
        attachment: the Markdown's file name (``SHOP-MTG-1-minutes-2026-12-01.md``).
        sender: the From address ("" when neither the meeting nor the project
            has an organiser e-mail: :func:`minutes_of` refuses to send it then).
        sender_name: the From display name.
    """

    title: str
    markdown: str
    html: str
    text: str
    attachment: str = ""
    sender: str = ""
    sender_name: str = ""


_MINUTES_CSS = (
    "body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; "
    "color: #1a1a1a; max-width: 50rem; line-height: 1.45; }\n"
    "table { border-collapse: collapse; } "
    "th, td { border: 1px solid #999; padding: 0.2rem 0.5rem; text-align: left; "
    "vertical-align: top; } th { background: #eee; }\n"
)


def minutes_document(occurrence: Occurrence, project: Project) -> MailDocument:
    """The minutes of ``occurrence``: what was said, decided, and who does what by when.

    Every piece of user text is escaped for the format it lands in (Markdown,
    HTML): a decision reading ``<script>`` or ``| x |`` stays text in both.
    """
    meeting = occurrence.meeting
    tz = project.timezone
    start = occurrence.start.astimezone(zone(tz))
    end = occurrence.end.astimezone(zone(tz))
    when = f"{start:%a %Y-%m-%d %H:%M}-{end:%H:%M} ({tz})"
    title = f"Minutes: {one_line(meeting.title)} ({meeting.key}), {start:%Y-%m-%d %H:%M}"
    if meeting.all_day:  # its days in its own zone, not 00:00 in the project's
        when = all_day_text(occurrence.start, occurrence.end, meeting.timezone, weekday=True)
        title = f"Minutes: {one_line(meeting.title)} ({meeting.key}), {when}"
    attendees = [one_line(a.name or a.email) for a in meeting.attendees]
    facts = [("When", when)]
    if occurrence.location.strip():
        facts.append(("Where", one_line(occurrence.location)))
    if attendees:
        facts.append(("Attendees", ", ".join(attendees)))
    organiser_name, organiser_email = organiser(meeting, project)
    if organiser_name or organiser_email:
        facts.append(("Organiser", one_line(organiser_name or organiser_email)))
    minutes = occurrence.minutes.strip()
    decisions = [d for d in occurrence.decisions if d.strip()]
    actions = list(occurrence.action_items)

    def due(action_due: object) -> str:
        return str(action_due) if action_due else NONE

    # Markdown
    md = [f"# {md_text(title)}", ""]
    md += [md_line_start(f"**{label}:** {md_text(value)}") + "  " for label, value in facts]
    md[-1] = md[-1].rstrip()
    md += ["", "## Minutes", "", md_block(minutes) if minutes else "None recorded."]
    md += ["", "## Decisions", ""]
    md += [f"{n}. {md_text(d)}" for n, d in enumerate(decisions, 1)] or ["None recorded."]
    md += ["", "## Action items", ""]
    if actions:
        md += ["| Action | Owner | Due |", "|---|---|---|"]
        md += [
            f"| {md_text(a.text) or NONE} | {md_text(a.owner) or NONE} | {due(a.due)} |"
            for a in actions
        ]
    else:
        md.append("None recorded.")
    markdown = "\n".join(line.rstrip() for line in md) + "\n"

    # HTML
    def h(text: str) -> str:
        return html.escape(printable(text), quote=True)

    body = [f"<h1>{h(title)}</h1>", "<p>"]
    body.append("<br>\n".join(f"<strong>{h(label)}:</strong> {h(v)}" for label, v in facts))
    body += ["</p>", "<h2>Minutes</h2>"]
    if minutes:
        lines = [h(line) for line in minutes.splitlines()]
        body.append("<p>" + "<br>\n".join(lines) + "</p>")
    else:
        body.append("<p>None recorded.</p>")
    body.append("<h2>Decisions</h2>")
    if decisions:
        body.append("<ol>\n" + "\n".join(f"<li>{h(d)}</li>" for d in decisions) + "\n</ol>")
    else:
        body.append("<p>None recorded.</p>")
    body.append("<h2>Action items</h2>")
    if actions:
        rows = "\n".join(
            f"<tr><td>{h(a.text)}</td><td>{h(a.owner) or NONE}</td><td>{due(a.due)}</td></tr>"
            for a in actions
        )
        body.append(
            "<table>\n<thead><tr><th>Action</th><th>Owner</th><th>Due</th></tr></thead>\n"
            f"<tbody>\n{rows}\n</tbody>\n</table>"
        )
    else:
        body.append("<p>None recorded.</p>")
    document = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{h(title)}</title>\n<style>{_MINUTES_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )

    # Plain text
    text = [title, "=" * min(len(title), 72), ""]
    text += [f"{label + ':':<11}{value}" for label, value in facts]
    text += ["", "Minutes", "-------"]
    text += [printable(line) for line in minutes.splitlines()] if minutes else ["None recorded."]
    text += ["", "Decisions", "---------"]
    text += [f"{n}. {one_line(d)}" for n, d in enumerate(decisions, 1)] or ["None recorded."]
    text += ["", "Action items", "------------"]
    for action in actions:
        owner = one_line(action.owner) or "no owner yet"
        text.append(f"- {one_line(action.text)} (owner: {owner}; due: {due(action.due)})")
    if not actions:
        text.append("None recorded.")
    plain = "\n".join(line.rstrip() for line in text) + "\n"
    return MailDocument(
        title=title,
        markdown=markdown,
        html=document,
        text=plain,
        attachment=minutes_attachment_name(occurrence, project),
        sender=organiser_email,
        sender_name=organiser_name,
    )


def minutes_attachment_name(occurrence: Occurrence, project: Project) -> str:
    """``SHOP-MTG-1-minutes-2026-12-01.md``."""
    day = occurrence.start.astimezone(zone(project.timezone)).date()
    return f"{project.key}-{occurrence.meeting.key}-minutes-{day.isoformat()}.md"


def mail_message(
    document: MailDocument,
    *,
    recipients: Sequence[str],
    names: dict[str, str] | None = None,
    now: datetime | None = None,
) -> EmailMessage:
    """The e-mail that carries a status report or minutes to the client.

    Args:
        document: what is sent (:func:`report_document`, :func:`minutes_document`).
        recipients: the addresses (the To header).
        names: display names by casefolded address.
        now: the Date header (default: the current time).

    Raises:
        MailError: the document has no sender address (no organiser e-mail).
    """
    if not document.sender:
        raise MailError(f"{document.title} has no organiser e-mail (the From address)")
    return _message(document, recipients=recipients, names=names or {}, now=now)


def minutes_of(occurrence: Occurrence, project: Project) -> MailDocument:
    """The minutes of ``occurrence`` as sent, from the meeting's (or project's) organiser.

    Raises:
        MailError: neither the meeting nor the project has an organiser e-mail.
    """
    meeting = occurrence.meeting
    document = minutes_document(occurrence, project)
    if not document.sender:
        raise MailError(
            f"{meeting.key} has no organiser e-mail (the From address): "
            f"set it on the meeting or on project {project.key}"
        )
    return document


def has_minutes(occurrence: Occurrence) -> bool:
    """True when the occurrence holds minutes, a decision or an action item to send."""
    return bool(occurrence.minutes.strip() or occurrence.decisions or occurrence.action_items)


def minutes_occurrence(meeting: Meeting, occurrence: datetime | None) -> Occurrence:
    """The occurrence whose minutes go out: the one given, or the latest that has minutes.

    Args:
        meeting: the meeting (a one-off meeting has one occurrence).
        occurrence: the original start of one occurrence of a series; None:
            a one-off meeting's own, or a series' latest occurrence with minutes.

    Raises:
        MailError: there is no such occurrence, it is cancelled, or it has no minutes.
    """
    name = meeting.key or meeting.title
    if occurrence is not None and meeting.rrule is None:
        raise MailError(f"{name} is not a series: send its minutes without an occurrence")
    if occurrence is not None:
        found = calendar.occurrence_at(meeting, occurrence)
        if found is None:
            local = occurrence.astimezone(zone(meeting.timezone))
            raise MailError(
                f"{name} has no occurrence on {local:%Y-%m-%d %H:%M} ({meeting.timezone})"
            )
    elif meeting.rrule is None:
        found = calendar.occurrence_at(meeting, meeting.start)
        assert found is not None  # a one-off meeting is its own occurrence
    else:
        with_minutes = [
            o
            for o in (calendar.occurrence_at(meeting, c.original_start) for c in meeting.exceptions)
            if o is not None and not o.cancelled and has_minutes(o)
        ]
        if not with_minutes:
            raise MailError(f"{name} has no minutes yet: record them first (m in the Calendar)")
        found = max(with_minutes, key=lambda o: o.original_start)
    what = name if meeting.rrule is None else f"{name} on {_local(found)}"
    if found.cancelled:
        raise MailError(f"{what} is cancelled: it has no minutes to send")
    if not has_minutes(found):
        raise MailError(f"{what} has no minutes yet: record them first (m in the Calendar)")
    return found


def _local(occurrence: Occurrence) -> str:
    local = occurrence.original_start.astimezone(zone(occurrence.meeting.timezone))
    return f"{local:%Y-%m-%d %H:%M}"


# -- sending and recording ----------------------------------------------------------------


@dataclass(frozen=True)
class MailResult:
    """A report or minutes sent and the sending recorded.

    Attributes:
        record: the kept report or the meeting, as saved with this sending.
        recipients: the addresses the server accepted.
        refused: the addresses it refused, each with the server's reply.
        occurrence: minutes of a series: the occurrence's original start.
        kept_now: a status report kept by this sending (it covers the period up to now).
    """

    record: StatusReport | Meeting
    recipients: list[str]
    refused: dict[str, str] = field(default_factory=dict)
    occurrence: datetime | None = None
    kept_now: bool = False

    def line(self) -> str:
        """``sent the status report RPT-3 to ann@client.example, bob@client.example``."""
        record = self.record
        if isinstance(record, StatusReport):
            what = f"the status report {record.key}" + (" (kept now)" if self.kept_now else "")
        else:
            what = f"the minutes of {record.key}"
            if self.occurrence is not None:
                local = self.occurrence.astimezone(zone(record.timezone))
                what += f" on {local:%Y-%m-%d %H:%M}"
        return printable(f"sent {what} to {', '.join(self.recipients)}")

    def notice(self) -> str:
        """The app's sentence: ``Sent the minutes of MTG-3 to ann@client.example.``.

        The addresses the server refused follow as ``Not delivered: ...``.
        """
        line = self.line()
        text = line[:1].upper() + line[1:] + "."
        if self.refused:
            text += f" Not delivered: {self.refused_line()}."
        return text

    def refused_line(self) -> str:
        """``the server refused x@client.example (550 5.1.1 no such user)`` ("" when none)."""
        if not self.refused:
            return ""
        refused = "; ".join(f"{address} ({reply})" for address, reply in self.refused.items())
        return printable(f"the server refused {refused}")


def _save_appended(repository: Repository, record: R, append: Callable[[R], R]) -> R:
    """Save ``append(record)``; on a conflict, append to the record as now stored, once.

    Someone may have saved the record meanwhile: their change stays, and the
    sending is added to it (as :func:`clientdesk.store.mail.send_invite` does).
    """
    try:
        return repository.update(append(record))
    except ConflictError as conflict:
        if not isinstance(conflict.current, type(record)):
            raise
        return repository.update(append(conflict.current))


def _refuse_closed(project: Project, what: str) -> None:
    if project.is_closed:
        raise MailError(f"{project.key} is closed: reopen it to send {what}")


def _need_server(settings: SmtpSettings) -> None:
    # Checked before anything is built or kept: with no server nothing can go out.
    if not settings.host:
        raise MailError('no SMTP server is set: add host = "..." under [smtp] in the config file')


def send_report(
    repository: Repository,
    project_key: str,
    report_key: str | None = None,
    *,
    to: Sequence[str] | None = None,
    settings: SmtpSettings,
    password: str | None,
    now: datetime,
    user: str,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    top_risks_from: str | None = None,
) -> MailResult:
    """E-mail a status report to chosen contacts and record the sending on the kept report.

    Without ``report_key`` the report for the period up to ``now`` is built,
    sent, and kept (the next report starts from here), with the sending on
    it; nothing is kept when it could not be sent. Blocks on the network.

    Args:
        repository: the store.
        project_key: the project's key.
        report_key: a kept report to send (``RPT-3``); None: a new one.
        to: the addresses (each one a contact's); None or empty: the client's side.
        settings: the SMTP server.
        password: the SMTP password (from ``$CLIENTDESK_SMTP_PASSWORD``).
        now: the time of sending.
        user: who sends it (kept in the record).
        progress: called with a short line before each slow step.
        timeout: seconds to wait for the server at each step.
        top_risks_from: a new report's lowest band of top risks (the config's
            ``[report] top_risks_from``; None: the report's default).

    Raises:
        MailError: nothing was sent (no server, an unknown address, a closed
            project, no organiser address, the server refused), or it was sent
            but could not be recorded (the message says so).
        StoreError: the project or report does not exist.
    """
    say = progress or (lambda _line: None)
    snapshot = repository.snapshot()
    project = snapshot.project(project_key)
    _refuse_closed(project, "its status report")
    if report_key:
        report = snapshot.find(StatusReport, report_key.strip().upper(), project.id)
    else:
        if top_risks_from:
            content = status_report(snapshot, project, now, top_risks_from=top_risks_from)
        else:
            content = status_report(snapshot, project, now)
        report = StatusReport(
            project_id=project.id,
            period_start=content.period_start,
            period_end=content.period_end,
            title=content.title,
            markdown=content.markdown,
            html=content.html,
        )
    candidates = report_recipients(snapshot, project)
    recipients = chosen_addresses(candidates, to, project=project, what="the status report")
    _need_server(settings)
    names = {c.email.casefold(): c.name for c in candidates}
    document = report_document(report, project)
    message = mail_message(document, recipients=recipients, names=names, now=now)
    name = report.key or "the status report"
    say(f"sending {name} to {len(recipients)} via {settings.host}:{settings.port}…")
    delivery = send(message, settings, password, timeout=timeout)
    sending = Sending(sent_at=now, sent_by=user, recipients=delivery.accepted)
    try:
        if not report_key:
            say(f"keeping the status report of {project.key}…")
            report = keep_report(repository, project, content)
        say(f"recording the sending on {report.key}…")
        saved = _save_appended(repository, report, lambda stored: stored.with_sending(sending))
    except (StoreError, OSError) as error:
        raise MailError(
            f"sent {name} to {', '.join(delivery.accepted)} but could not record it: "
            f"{describe_error(error)}"
        ) from None
    return MailResult(
        record=saved,
        recipients=delivery.accepted,
        refused=delivery.refused,
        kept_now=not report_key,
    )


def send_minutes(
    repository: Repository,
    project_key: str,
    meeting_key: str,
    *,
    occurrence: datetime | None = None,
    to: Sequence[str] | None = None,
    settings: SmtpSettings,
    password: str | None,
    now: datetime,
    user: str,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> MailResult:
    """E-mail a meeting's minutes to chosen contacts and record the sending on the meeting.

    Blocks on the network.

    Args:
        repository: the store.
        project_key: the project's key.
        meeting_key: the meeting's key (``MTG-3``).
        occurrence: one occurrence of a series (its original start); None: a
            one-off meeting, or a series' latest occurrence with minutes.
        to: the addresses (each a contact's or an attendee's); None or empty:
            the meeting's attendees.
        settings: the SMTP server.
        password: the SMTP password (from ``$CLIENTDESK_SMTP_PASSWORD``).
        now: the time of sending.
        user: who sends them (kept in the record).
        progress: called with a short line before each slow step.
        timeout: seconds to wait for the server at each step.

    Raises:
        MailError: nothing was sent (no minutes, no server, an unknown address,
            a closed project, the server refused), or they were sent but could
            not be recorded (the message says so).
        StoreError: the project or meeting does not exist.
    """
    say = progress or (lambda _line: None)
    snapshot = repository.snapshot()
    project = snapshot.project(project_key)
    meeting = snapshot.find(Meeting, meeting_key.strip().upper(), project.id)
    _refuse_closed(project, "minutes")
    found = minutes_occurrence(meeting, occurrence)
    candidates = minutes_recipients(snapshot, project, meeting)
    what = f"the minutes of {meeting.key}"
    recipients = chosen_addresses(candidates, to, project=project, what=what)
    _need_server(settings)
    names = {c.email.casefold(): c.name for c in candidates}
    document = minutes_of(found, project)
    message = mail_message(document, recipients=recipients, names=names, now=now)
    say(f"sending {what} to {len(recipients)} via {settings.host}:{settings.port}…")
    delivery = send(message, settings, password, timeout=timeout)
    series_occurrence = found.original_start if meeting.rrule is not None else None
    sending = Sending(
        sent_at=now, sent_by=user, recipients=delivery.accepted, occurrence=series_occurrence
    )

    def append(stored: Meeting) -> Meeting:
        return stored.model_copy(update={"minutes_sent": [*stored.minutes_sent, sending]})

    say(f"recording the sending on {meeting.key}…")
    try:
        saved = _save_appended(repository, meeting, append)
    except (StoreError, OSError) as error:
        raise MailError(
            f"sent {what} to {', '.join(delivery.accepted)} but could not record it: "
            f"{describe_error(error)}"
        ) from None
    return MailResult(
        record=saved,
        recipients=delivery.accepted,
        refused=delivery.refused,
        occurrence=series_occurrence,
    )


def unsent_report(snapshot: Snapshot, project: Project) -> StatusReport | None:
    """The latest kept report of ``project`` when it was never sent (None otherwise)."""
    latest = last_kept(snapshot, project)
    return latest if latest is not None and not latest.sendings else None
