"""A project's meetings on a CalDAV calendar collection, and the attendees' answers back.

:func:`publish` puts every meeting of a project on a collection (RFC 4791),
one calendar object resource per UID, built by
:func:`clientdesk.store.ics.calendar_resource` (the VEVENTs and VTIMEZONEs of
the invites, no METHOD). :func:`plan_pull` reads the server's copies back and
turns the attendees' answers (PARTSTAT) into a ``METHOD:REPLY`` calendar that
goes through :func:`clientdesk.store.ics_import.plan_import`, the path of an
imported reply: a preview, then :func:`apply_pull` saves it all or nothing.

The rules:

- **What was published** is kept per collection URL in a JSON file in the user
  state dir (:func:`clientdesk.store.paths.caldav_state_dir`, owner only): per
  UID the resource's name, the ETag the server gave it, a hash of the text
  sent (less DTSTAMP, which is new each time), a fingerprint of what the
  events say (less the answers) and the answers sent.
- **A second publish with nothing changed sends nothing**: a meeting whose
  text hashes as the last one sent is not sent again.
- **New** resources go out with ``If-None-Match: *``, **changed** ones with
  ``If-Match`` on the ETag of the last publish: a resource changed (or
  deleted) on the server since then answers 412 and is reported as a
  conflict, never overwritten (``overwrite`` names the meetings to send
  anyway, once the user has looked).
- **Cancelled** meetings are kept on the server with ``STATUS:CANCELLED``,
  as the project feed keeps them, so that everyone who saw them learns they
  are off; one cancelled before it was ever published is left out. A meeting
  deleted from the store is deleted from the server (with ``If-Match`` too).
- **Pulling** takes only the answers that differ from the ones sent, so a
  server copy older than the store never undoes an answer the store got by
  e-mail. When the server copy differs from the one published in its answers
  alone, its new ETag is adopted after the pull: the next publish updates it
  without a conflict.

Built on the ``caldav`` package's :class:`caldav.DAVClient` (imported when a
command runs; it is the optional ``caldav`` extra). No Textual here.
"""

from __future__ import annotations

import hashlib
import json
import netrc
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urljoin, urlsplit

from icalendar import Calendar

from clientdesk.store import paths
from clientdesk.store.config import CaldavSettings
from clientdesk.store.enums import MeetingStatus
from clientdesk.store.errors import StoreError
from clientdesk.store.ics import calendar_resource
from clientdesk.store.ics_import import ImportPlan, apply_import, plan_import
from clientdesk.store.models import Meeting, Project, Record
from clientdesk.store.repository import Repository
from clientdesk.store.snapshot import Snapshot
from clientdesk.store.storage import save_atomically
from clientdesk.store.text import printable

if TYPE_CHECKING:
    from caldav.davclient import DAVClient

STATE_VERSION = 1
"""The layout of the state file; a file of another version is read as "nothing published"."""

TIMEOUT_SECONDS = 30
"""How long one request may wait for the server before the command gives up."""

_ANSWERS = ("ACCEPTED", "TENTATIVE", "DECLINED")
# A client that records an answer may raise SEQUENCE too (the caldav package does).
_NOT_CONTENT = ("DTSTAMP", "LAST-MODIFIED", "CREATED", "SEQUENCE", "ATTENDEE")
_CALENDAR_TYPE = "{urn:ietf:params:xml:ns:caldav}calendar"
_PROPFIND_TYPE = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/></d:prop></d:propfind>'
)
_PROPFIND_ETAG = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>'
)
_REPORT_EVENTS = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
    "<d:prop><d:getetag/><c:calendar-data/></d:prop>"
    '<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/>'
    "</c:comp-filter></c:filter></c:calendar-query>"
)
_ICS = {"Content-Type": "text/calendar; charset=utf-8"}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._@-]")


class CaldavError(StoreError):
    """The CalDAV server could not be used; the message is one line and says what changed."""


# -- login ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaldavLogin:
    """Where to publish and as whom.

    Attributes:
        url: the calendar collection (ends in ``/``).
        user: the login name.
        password: the password (never shown).
    """

    url: str
    user: str
    password: str = field(repr=False)


def caldav_login(
    url: str | None, settings: CaldavSettings, netrc_file: str | None = None
) -> CaldavLogin:
    """The collection and the login: ``url`` or ``[caldav] url``, the config file or netrc.

    The password comes from ``[caldav] password`` (the config reader refuses
    one that others may read) or from the netrc file (``$NETRC`` or
    ``~/.netrc``; the entry of the URL's host). It is never taken from the
    command line, where ``ps`` shows it.

    Raises:
        CaldavError: no URL, a URL that is not http(s), or no password anywhere.
    """
    chosen = (url or settings.url).strip()
    if not chosen:
        raise CaldavError(
            "no CalDAV calendar: set url in the [caldav] table of the config file "
            "(or give --url https://… to the command)"
        )
    parts = urlsplit(chosen)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise CaldavError(f"{printable(chosen)}: expected an https:// URL of a calendar")
    if parts.username or parts.password:
        raise CaldavError(
            f"{parts.hostname}: leave the login out of the URL; put it in the [caldav] table "
            "or ~/.netrc"
        )
    if not chosen.endswith("/"):
        chosen += "/"  # a collection; the resources are named under it
    user, password = settings.user, settings.password
    if not password:
        found = _netrc_login(parts.hostname, netrc_file)
        if found is not None:
            user = user or found[0]
            password = found[1]
    if not password or not user:
        raise CaldavError(
            f"no CalDAV login for {parts.hostname}: set user and password in the [caldav] "
            f"table of the config file (chmod 600), or add 'machine {parts.hostname} login "
            "USER password …' to ~/.netrc"
        )
    return CaldavLogin(chosen, user, password)


def _netrc_login(host: str, netrc_file: str | None) -> tuple[str, str] | None:
    where = netrc_file or os.environ.get("NETRC") or str(Path.home() / ".netrc")
    try:
        mode = Path(where).stat().st_mode
    except OSError:
        return None
    if mode & 0o077:
        # The rule the config file follows: a password others may read is not used.
        raise CaldavError(
            f"{where}: others may read this file (mode {mode & 0o777:o}): chmod 600 {where}"
        )
    try:
        entry = netrc.netrc(where).authenticators(host)
    except (netrc.NetrcParseError, OSError) as error:
        reason = getattr(error, "msg", None) or getattr(error, "strerror", None) or str(error)
        raise CaldavError(f"{where}: cannot be read ({printable(str(reason))})") from None
    if entry is None:
        return None
    login, _account, password = entry
    return login or "", password or ""


# -- what was published ------------------------------------------------------------------


@dataclass
class Published:
    """One resource as last published (an entry of the state file).

    Attributes:
        href: its URL on the server.
        etag: the ETag the server gave it.
        sent: the hash of the text sent (less DTSTAMP).
        content: the fingerprint of what its events say, less the answers.
        answers: the PARTSTAT sent per attendee e-mail (folded to lower case).
        key: the meeting's key, to name it in a conflict.
        project_id: the meeting's project (a collection may hold several projects).
        cancelled: it was published cancelled.
    """

    href: str
    etag: str
    sent: str
    content: str
    answers: dict[str, str]
    key: str = ""
    project_id: str = ""
    cancelled: bool = False


def state_path(url: str) -> Path:
    """The state file of collection ``url``: one per collection, named by a hash of it."""
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:20]
    return paths.caldav_state_dir() / f"{digest}.json"


def read_state(url: str) -> dict[str, Published]:
    """What was last published to ``url``, by UID (empty: nothing, or an unreadable file)."""
    try:
        document = json.loads(state_path(url).read_text("utf-8"))
        if document.get("version") != STATE_VERSION or document.get("url") != url:
            return {}
        return {uid: Published(**entry) for uid, entry in document["resources"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def write_state(url: str, state: Mapping[str, Published]) -> None:
    """Replace the state file of ``url`` atomically, readable by its owner only.

    Raises:
        OSError: it could not be written (the old one is unchanged).
    """
    target = state_path(url)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    document = {
        "version": STATE_VERSION,
        "url": url,
        "resources": {uid: vars(entry) for uid, entry in sorted(state.items())},
    }
    payload = json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    save_atomically(target, payload, keep_backup=False)
    os.chmod(target, 0o600)


def _sent_hash(text: bytes) -> str:
    """The hash of a resource's text less its DTSTAMP lines, which change at every build."""
    kept = b"\r\n".join(line for line in text.split(b"\r\n") if not line.startswith(b"DTSTAMP"))
    return hashlib.sha256(kept).hexdigest()


def _events(text: bytes) -> list[Any]:
    try:
        return list(Calendar.from_ical(text).walk("VEVENT"))
    except (ValueError, TypeError, KeyError, IndexError):
        return []


def _fingerprint(text: bytes) -> str:
    """What the events of ``text`` say, less the answers, SEQUENCE and the times of writing.

    Read from the parsed events, not the bytes: a server may write the same
    calendar again in its own way (line folding, property order).
    """
    described = []
    for event in _events(text):
        lines = []
        for name, value in event.property_items(recursive=False):
            if name in _NOT_CONTENT or name.startswith("X-"):
                continue
            lines.append(
                f"{name}:{value.to_ical().decode() if hasattr(value, 'to_ical') else value}"
            )
        attendees = sorted(address.casefold() for address in _attendee_answers(event))
        described.append("\n".join(sorted(lines) + attendees))
    return hashlib.sha256("\n\n".join(sorted(described)).encode("utf-8")).hexdigest()


def _attendee_answers(event: Any) -> dict[str, str]:
    """Each ATTENDEE of a VEVENT by e-mail (lower case), with its PARTSTAT."""
    values = event.get("ATTENDEE")
    found: dict[str, str] = {}
    for address in values if isinstance(values, list) else [values] if values else []:
        email = str(address).strip()
        if email.lower().startswith("mailto:"):
            email = email[len("mailto:") :]
        partstat = str(getattr(address, "params", {}).get("PARTSTAT", "NEEDS-ACTION")).upper()
        found[email.casefold()] = partstat
    return found


def _series_answers(text: bytes) -> dict[str, str]:
    for event in _events(text):
        if event.get("RECURRENCE-ID") is None:
            return _attendee_answers(event)
    return {}


# -- the server ---------------------------------------------------------------------------


def _client(login: CaldavLogin) -> DAVClient:
    try:
        from caldav.davclient import DAVClient
    except ImportError:
        raise CaldavError(
            "publishing to CalDAV needs the caldav package: pip install 'clientdesk[caldav]'"
        ) from None
    return DAVClient(
        url=login.url,
        username=login.user,
        password=login.password,
        timeout=TIMEOUT_SECONDS,
        enable_rfc6764=False,
    )


def _unreachable(login: CaldavLogin, error: BaseException, done: str) -> CaldavError:
    text = str(error)
    reasons = (
        ("Connection refused", "connection refused"),
        ("Name or service not known", "no such host"),
        ("nodename nor servname", "no such host"),
        ("timed out", "no answer (timed out)"),
        ("CERTIFICATE_VERIFY_FAILED", "its TLS certificate is not trusted"),
        ("Network is unreachable", "network unreachable"),
    )
    reason = next((said for found, said in reasons if found in text), "connection failed")
    return CaldavError(f"cannot reach {login.url}: {reason}; {done}")


@contextmanager
def _talking(login: CaldavLogin, changed: Callable[[], str]) -> Iterator[None]:
    """Turn what the client raises into one :class:`CaldavError` line.

    ``changed`` says what was changed so far (asked when the error comes).
    """
    from caldav.lib import error as dav_error

    try:
        yield
    except dav_error.AuthorizationError as refused:
        status = getattr(refused, "status", None)
        forbidden = status == 403 or "Forbidden" in str(refused)
        if forbidden:
            raise CaldavError(
                f"the CalDAV server does not let user {login.user} use {login.url}; {changed()}"
            ) from None
        raise CaldavError(
            f"the CalDAV server refused user {login.user}: wrong password? ({changed()})"
        ) from None
    except dav_error.DAVError as failed:
        raise CaldavError(
            f"the CalDAV server at {login.url} failed: {_short(failed)}; {changed()}"
        ) from None
    except OSError as error:  # niquests' and requests' errors are OSErrors
        raise _unreachable(login, error, changed()) from None


def _short(error: BaseException) -> str:
    return " ".join(str(error).split())[:160] or type(error).__name__


def _check_collection(client: DAVClient, login: CaldavLogin) -> None:
    """Refuse a URL that is not a calendar collection the login can read."""
    response = client.propfind(login.url, _PROPFIND_TYPE, depth=0)
    if response.status == 404:
        raise CaldavError(
            f"{login.url}: no such calendar on the server; check the URL (it names the calendar "
            "collection itself, see the README); nothing was changed"
        )
    if response.status != 207 or response.tree is None:
        raise CaldavError(
            f"{login.url}: the server answered {response.status} {response.reason}, not a "
            "calendar; nothing was changed"
        )
    types = {
        element.tag for element in response.tree.iter("{DAV:}resourcetype") for element in element
    }
    if _CALENDAR_TYPE not in types:
        raise CaldavError(
            f"{login.url} is not a calendar collection (give the URL of a calendar, see the "
            "README); nothing was changed"
        )


def _etag_of(client: DAVClient, href: str) -> str:
    """The ETag of ``href`` asked for by PROPFIND, for a server that sends none after a PUT."""
    response = client.propfind(href, _PROPFIND_ETAG, depth=0)
    if response.tree is None:
        return ""
    for element in response.tree.iter("{DAV:}getetag"):
        return (element.text or "").strip()
    return ""


# -- publishing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """A meeting that was not published: its server copy changed, or the server refused it.

    Attributes:
        key: the meeting's key.
        reason: why, one line.
    """

    key: str
    reason: str

    def line(self) -> str:
        """``conflict: MTG-3 'Weekly sync': changed on the server since the last publish``."""
        return printable(f"conflict: {self.key}: {self.reason}")


@dataclass
class PublishResult:
    """What one publish did, meeting by meeting (keys in each list).

    Attributes:
        url: the collection.
        new: created on the server.
        changed: updated on the server.
        cancelled: updated to cancelled on the server.
        unchanged: as last published: nothing sent.
        removed: deleted from the server (the meeting is no longer in the store).
        left_out: cancelled before they were ever published: not sent.
        conflicts: not published, and why.
    """

    url: str
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    def summary(self) -> str:
        """``published 5 meetings: 2 new, 1 changed, 1 cancelled, 1 unchanged``."""
        counted = [
            (len(self.new), "new"),
            (len(self.changed), "changed"),
            (len(self.cancelled), "cancelled"),
            (len(self.unchanged), "unchanged"),
            (len(self.removed), "removed"),
            (len(self.left_out), "left out (cancelled, never published)"),
            (len(self.conflicts), "in conflict"),
        ]
        total = sum(number for number, _ in counted)
        parts = ", ".join(f"{number} {what}" for number, what in counted if number)
        noun = "meeting" if total == 1 else "meetings"
        return f"published {total} {noun}: {parts}" if parts else "published 0 meetings"


def resource_name(login: CaldavLogin, uid: str) -> str:
    """The URL a meeting's resource is created at: the collection, then its UID, ``.ics``."""
    return urljoin(login.url, quote(_SAFE_NAME.sub("-", uid), safe="@") + ".ics")


@dataclass
class _Publisher:
    """Sends the meetings one by one, keeping the state of what the server holds."""

    client: DAVClient
    login: CaldavLogin
    state: dict[str, Published]
    overwrite: frozenset[str]
    result: PublishResult

    def done(self) -> str:
        """What the server took so far, for the line of an error that stops the publish."""
        sent = len(self.result.new) + len(self.result.changed) + len(self.result.cancelled)
        sent += len(self.result.removed)
        if not sent:
            return "nothing was changed"
        return f"the {sent} sent before that are recorded; publish again to finish"

    def publish(self, meeting: Meeting, text: bytes) -> None:
        """Send ``text``, the resource of ``meeting``, unless the server has it already."""
        uid = meeting.uid
        before = self.state.get(uid)
        sent = _sent_hash(text)
        if before is not None and before.sent == sent and meeting.key not in self.overwrite:
            self.result.unchanged.append(meeting.key)
            return
        cancelled = meeting.status is MeetingStatus.CANCELLED
        if before is None and cancelled:
            self.result.left_out.append(meeting.key)
            return
        href = before.href if before is not None else resource_name(self.login, uid)
        headers = dict(_ICS)
        # No precondition for a meeting the user looked at on the server and chose to send.
        if meeting.key not in self.overwrite:
            if before is None:
                headers["If-None-Match"] = "*"
            else:
                headers["If-Match"] = before.etag
        response = self.client.put(href, text.decode("utf-8"), headers)
        if response.status == 412:
            self._conflict(meeting, text, before, href)
            return
        if response.status >= 300:
            self._refused(meeting, response.status, str(response.reason))
            return
        etag = str(response.headers.get("ETag") or "") or _etag_of(self.client, href)
        self.state[uid] = _published(meeting, text, href, etag)
        if before is None:
            self.result.new.append(meeting.key)
        elif cancelled and not before.cancelled:
            self.result.cancelled.append(meeting.key)
        else:
            self.result.changed.append(meeting.key)

    def _conflict(self, meeting: Meeting, text: bytes, before: Published | None, href: str) -> None:
        copy = _server_copy(self.client, href)
        if before is None:
            if copy is not None and copy[1] and _fingerprint(copy[0]) == _fingerprint(text):
                # Ours, from a publish whose state was lost: the server holds what we send.
                self.state[meeting.uid] = _published(meeting, text, href, copy[1])
                self.result.unchanged.append(meeting.key)
                return
            reason = "a resource of that name is already on the server (not published from here)"
        elif copy is None:
            reason = "deleted on the server since the last publish"
        elif _fingerprint(copy[0]) == before.content:
            reason = (
                "attendees answered on the server since the last publish: run "
                "'clientdesk caldav pull' first, then publish again"
            )
        else:
            reason = "changed on the server since the last publish"
        hint = f"; to replace the server's copy: --overwrite {meeting.key}"
        self.result.conflicts.append(Conflict(meeting.key, f"'{meeting.title}': {reason}{hint}"))

    def _refused(self, meeting: Meeting, status: int, reason: str) -> None:
        if status == 401:
            raise CaldavError(
                f"the CalDAV server refused user {self.login.user}: wrong password? ({self.done()})"
            )
        said = f"the server refused it ({status} {reason})"
        if status in (403, 409):
            said += ": another resource on the server may hold its UID"
        self.result.conflicts.append(Conflict(meeting.key, f"'{meeting.title}': {said}"))

    def remove(self, uid: str, before: Published) -> None:
        """Delete the resource of a meeting no longer in the store, unless it changed there."""
        response = self.client.delete(before.href, {"If-Match": before.etag})
        if response.status in (200, 204, 404):
            del self.state[uid]
            self.result.removed.append(before.key or uid)
            return
        if response.status == 412:
            self.result.conflicts.append(
                Conflict(
                    before.key or uid,
                    "deleted from clientdesk but changed on the server since the last publish; "
                    "left on the server",
                )
            )
            return
        said = f"the server refused to delete it ({response.status} {response.reason})"
        self.result.conflicts.append(Conflict(before.key or uid, said))


def _published(meeting: Meeting, text: bytes, href: str, etag: str) -> Published:
    """The state entry of ``meeting`` once ``text`` is on the server at ``href``."""
    return Published(
        href=href,
        etag=etag,
        sent=_sent_hash(text),
        content=_fingerprint(text),
        answers=_series_answers(text),
        key=meeting.key,
        project_id=meeting.project_id,
        cancelled=meeting.status is MeetingStatus.CANCELLED,
    )


def _server_copy(client: DAVClient, href: str) -> tuple[bytes, str] | None:
    """The server's copy of ``href`` and its ETag; None when it has none."""
    response = client.request(href, "GET", "")
    if response.status != 200:
        return None
    return response.raw.encode("utf-8"), str(response.headers.get("ETag") or "")


def publish(
    login: CaldavLogin,
    project: Project,
    snapshot: Snapshot,
    *,
    now: datetime,
    overwrite: Iterable[str] = (),
) -> PublishResult:
    """Put every meeting of ``project`` on the collection ``login.url``; send only what changed.

    Args:
        login: the collection and the login.
        project: the project.
        snapshot: the store as it is now.
        now: the DTSTAMP.
        overwrite: keys of meetings to send although the server's copy changed.

    Returns:
        What was sent, meeting by meeting; conflicts are in it, not raised.

    Raises:
        CaldavError: the server cannot be reached, refuses the login, or the URL
            is not a calendar; the message says what was changed before.
    """
    meetings = sorted(snapshot.of_project(Meeting, project.id), key=lambda m: (m.start, m.key))
    texts = {meeting.uid: calendar_resource(meeting, project, now=now) for meeting in meetings}
    client = _client(login)
    state = read_state(login.url)
    publisher = _Publisher(
        client, login, dict(state), frozenset(overwrite), PublishResult(login.url)
    )
    try:
        with _talking(login, lambda: "nothing was changed"):
            _check_collection(client, login)
        with _talking(login, publisher.done):
            for meeting in meetings:
                publisher.publish(meeting, texts[meeting.uid])
            ours = {meeting.uid for meeting in meetings}
            for uid, before in list(publisher.state.items()):
                # A collection may hold several projects' meetings: only this one's go.
                if uid not in ours and before.project_id == project.id:
                    publisher.remove(uid, before)
    finally:
        # What the server took is kept even when a later request failed.
        if publisher.state != state:
            write_state(login.url, publisher.state)
        client.close()
    return publisher.result


# -- pulling the answers ------------------------------------------------------------------


@dataclass(frozen=True)
class PullPlan:
    """What a pull would change, before anything is written.

    Attributes:
        url: the collection.
        plan: the import plan of the answers (the path of an imported REPLY);
            None when no answer on the server differs from the ones sent.
        adopt: per UID, the server's ETag and answers to record once the pull
            is applied: copies that differ from the published one in their
            answers alone (the next publish then updates them without a conflict).
    """

    url: str
    plan: ImportPlan | None
    adopt: Mapping[str, tuple[str, dict[str, str]]]

    @property
    def count(self) -> int:
        """How many answers the pull changes in the store."""
        return self.plan.count if self.plan is not None else 0

    def preview_lines(self) -> list[str]:
        """One line per answer taken or skipped, then one per warning."""
        return self.plan.preview_lines() if self.plan is not None else []


@dataclass(frozen=True)
class _ServerCopy:
    href: str
    etag: str
    data: bytes


def _server_copies(client: DAVClient, login: CaldavLogin) -> list[_ServerCopy]:
    """Every event resource of the collection, with its ETag (one REPORT)."""
    response = client.report(login.url, _REPORT_EVENTS, depth=1)
    if response.status != 207 or response.tree is None:
        raise CaldavError(
            f"{login.url}: the server answered {response.status} {response.reason} when asked "
            "for its events; nothing was changed"
        )
    copies = []
    for answer in response.tree.iter("{DAV:}response"):
        href = answer.findtext("{DAV:}href") or ""
        data = answer.findtext(".//{urn:ietf:params:xml:ns:caldav}calendar-data") or ""
        etag = (answer.findtext(".//{DAV:}getetag") or "").strip()
        if href and data:
            copies.append(_ServerCopy(urljoin(login.url, href), etag, data.encode("utf-8")))
    return copies


_KEPT_IN_REPLY = ("UID", "SEQUENCE", "DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "SUMMARY")


def plan_pull(
    login: CaldavLogin, project: Project, snapshot: Snapshot, *, now: datetime
) -> PullPlan:
    """Read the attendees' answers from the server's copies; plan them as an imported REPLY.

    Only answers (ACCEPTED, TENTATIVE, DECLINED) that differ from the ones
    last published are taken, so a server copy older than the store never
    undoes an answer the store got by e-mail.

    Raises:
        CaldavError: the server cannot be reached, refuses the login, or the
            URL is not a calendar; nothing was changed.
        ImportRefused: the answers cannot be read (see :func:`plan_import`).
    """
    from icalendar import Event

    meetings = {meeting.uid: meeting for meeting in snapshot.of_project(Meeting, project.id)}
    state = read_state(login.url)
    client = _client(login)
    try:
        with _talking(login, lambda: "nothing was changed"):
            _check_collection(client, login)
            copies = _server_copies(client, login)
    finally:
        client.close()
    reply = Calendar()
    reply.add("PRODID", "-//clientdesk//caldav pull//EN")
    reply.add("VERSION", "2.0")
    reply.add("METHOD", "REPLY")
    zones: dict[str, Any] = {}
    answered: list[Any] = []
    adopt: dict[str, tuple[str, dict[str, str]]] = {}
    for copy in copies:
        try:
            parsed = Calendar.from_ical(copy.data)
        except (ValueError, TypeError, KeyError, IndexError):
            continue  # someone else's resource we cannot read is not ours to answer
        events = list(parsed.walk("VEVENT"))
        uid = str(events[0].get("UID", "")) if events else ""
        if uid not in meetings:
            continue
        before = state.get(uid)
        sent = before.answers if before is not None else {}
        for event in events:
            answers = _attendee_answers(event)
            changed = {
                email
                for email, partstat in answers.items()
                if partstat in _ANSWERS and partstat != sent.get(email, "NEEDS-ACTION")
            }
            if not changed:
                continue
            one = Event()
            for name in _KEPT_IN_REPLY:
                if event.get(name) is not None:
                    one[name] = event[name]
            one.add("DTSTAMP", now)
            values = event.get("ATTENDEE")
            for address in values if isinstance(values, list) else [values]:
                if str(address).lower().removeprefix("mailto:").casefold() in changed:
                    one.add("ATTENDEE", address)
            answered.append(one)
        for zone_part in parsed.walk("VTIMEZONE"):
            zones.setdefault(str(zone_part.get("TZID", "")), zone_part)
        if (
            before is not None
            and copy.etag
            and copy.etag != before.etag
            and _fingerprint(copy.data) == before.content
        ):
            adopt[uid] = (copy.etag, _series_answers(copy.data))
    if not answered:
        return PullPlan(login.url, None, adopt)
    for zone_part in zones.values():
        reply.add_component(zone_part)
    for one in answered:
        reply.add_component(one)
    plan = plan_import(bytes(reply.to_ical()), project, snapshot, now=now)
    return PullPlan(login.url, plan, adopt)


def apply_pull(repository: Repository, pull: PullPlan) -> list[Record]:
    """Save the answers of ``pull`` in one batch (all or nothing), then note the adopted ETags.

    Returns:
        The meetings saved.

    Raises:
        ConflictError: a meeting changed since the plan was made; nothing is written.
        StoreError: the store refused a change; nothing is written.
        OSError: the state file could not be written (the answers are saved).
    """
    saved = apply_import(repository, pull.plan) if pull.plan is not None and pull.count else []
    if pull.adopt:
        state = read_state(pull.url)
        for uid, (etag, answers) in pull.adopt.items():
            if uid in state:
                entry = state[uid]
                state[uid] = Published(**{**vars(entry), "etag": etag, "answers": answers})
        write_state(pull.url, state)
    return saved
