"""What the tests of e-mailed reports and minutes share: a configured inbox, minutes, a message.

The e-mail tests read as a user's story: "the SMTP server is set up", "the
meeting was held and minuted", "the client got HTML with a text alternative
and the Markdown attached". The steps behind those sentences live here once.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from clientdesk.store.config import SmtpSettings
from clientdesk.store.models import Meeting
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.snapshot import dump_record, validate_record
from tests.helpers.smtp import Inbox, configure
from tests.helpers.ui import FIXED_NOW

REPORT_AND_MINUTES_PARTS = [
    "multipart/mixed",
    "multipart/alternative",
    "text/plain",
    "text/html",
    "text/markdown",
]
"""How a status report or minutes e-mail is built: text and HTML alternatives, Markdown attached."""


def mail_server_set_up(inbox: tuple[Inbox, SmtpSettings]) -> Inbox:
    """Point the config file's ``[smtp]`` at the test inbox; the inbox, to read what it got."""
    server, settings = inbox
    configure(settings)
    return server


def sent_by(user: str, settings: SmtpSettings, at: datetime = FIXED_NOW) -> dict[str, Any]:
    """Who sends, over which server, and when: ``send_report(..., **sent_by("tester", settings))``.

    No password: the test inbox asks for none.
    """
    return {"settings": settings, "password": None, "now": at, "user": user}


def parts(message: EmailMessage) -> list[str]:
    """The content types of the message's parts, depth first."""
    return [part.get_content_type() for part in message.walk()]


def attachment(message: EmailMessage) -> tuple[str, str]:
    """The one attachment's file name and its text."""
    [attached] = list(message.iter_attachments())
    assert isinstance(attached, EmailMessage)
    payload = attached.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return attached.get_filename() or "", payload.decode("utf-8")


def body(message: EmailMessage, kind: str) -> str:
    """The text of the ``plain`` or ``html`` alternative (line ends as written, not CRLF)."""
    part = message.get_body((kind,))
    assert isinstance(part, EmailMessage)
    return str(part.get_content()).replace("\r\n", "\n")


def minuted(
    data_path: Path, key: str, occurrence: datetime | None = None, **minutes: object
) -> None:
    """Record ``key`` as held with ``minutes`` (decisions, action_items, ...) in the data file.

    Args:
        data_path: the data file.
        key: the meeting's key (``MTG-2``).
        occurrence: one occurrence of a series (its original start) to minute;
            None: the meeting itself.
        minutes: the fields the minutes form would fill (``decisions=[...]``).
    """
    repo = TinyDBRepository(data_path)
    data = dump_record(repo.snapshot().find(Meeting, key))
    held = {"status": "held", **minutes}
    if occurrence is None:
        data.update(held)
    else:
        data["exceptions"] = [*data.get("exceptions", []), {"original_start": occurrence, **held}]
    repo.update(validate_record(Meeting, data))
