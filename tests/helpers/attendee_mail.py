"""Driving the Calendar with a real mail server, and reading what the attendees got.

:func:`open_calendar` starts the app on the small Berlin calendar of
``tests/helpers/calendar_data.py`` (the mail server configured or not, the
cursor on an occurrence) and hands the test a :class:`Desk`: the keys a
user types, and what the app says back. :func:`received` reads what the
SMTP server of ``tests/helpers/smtp.py`` accepted as a calendar program
would; :func:`e_mailed` sends a meeting's invite or cancellation before the
story starts, as an earlier session would have.
"""

from __future__ import annotations

import email
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

from icalendar import Calendar
from textual.pilot import Pilot
from textual.widgets import Checkbox, Static

from clientdesk.store.config import SmtpSettings
from clientdesk.store.enums import ChecklistState, MeetingStatus
from clientdesk.store.mail import send_invite
from clientdesk.store.models import ChecklistItem, Meeting
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui.app import ClientDeskApp, create_app
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from tests.helpers.keys import press_at_once
from tests.helpers.smtp import Inbox, configure
from tests.helpers.ui import FIXED_NOW, notices, screen_text, settle
from tests.test_calendar_pane import cursor_to

CLOSING_PANE = "4"
"""The key that shows the Closing pane."""


def stored(path: Path, key: str) -> Meeting:
    """The meeting ``key`` as stored."""
    return TinyDBRepository(path).snapshot().find(Meeting, key)


def is_stored(path: Path, key: str) -> bool:
    """True when the data file holds a meeting ``key``."""
    return any(meeting.key == key for meeting in TinyDBRepository(path).snapshot().all(Meeting))


def received(inbox: Inbox) -> list[tuple[EmailMessage, Calendar]]:
    """Every message the server accepted, with the calendar it carries."""
    found = []
    for envelope in inbox.envelopes:
        assert isinstance(envelope.content, bytes)
        message = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
        found.append((message, Calendar.from_ical(part.get_content())))
    return found


def the_only_event(calendar: Calendar) -> tuple[str, Any]:
    """The calendar's METHOD and its one event."""
    [event] = calendar.walk("VEVENT")
    return str(calendar["METHOD"]), event


def events_received(inbox: Inbox) -> list[tuple[str, Any]]:
    """The METHOD and the one event of every message the server accepted, in order."""
    return [the_only_event(calendar) for _, calendar in received(inbox)]


def e_mailed(
    path: Path,
    settings: SmtpSettings,
    key: str,
    *,
    cancel_at: datetime | None = None,
) -> None:
    """Send ``key``'s invite through ``settings``, as an earlier session did.

    With ``cancel_at``: the occurrence starting then (a one-off meeting: the
    meeting) is cancelled next and its cancellation sent too.
    """
    from clientdesk.store.calendar import cancel_occurrence

    repository = TinyDBRepository(path)
    sending = {"settings": settings, "password": None, "now": FIXED_NOW, "user": "pat"}
    send_invite(repository, "APOLLO", key, **sending)
    if cancel_at is None:
        return
    meeting = repository.snapshot().find(Meeting, key)
    repository.update(cancel_occurrence(meeting, cancel_at))
    occurrence = cancel_at if meeting.rrule else None
    send_invite(repository, "APOLLO", key, cancel=True, occurrence=occurrence, **sending)


def no_mail_server() -> None:
    """Leave the tests' config without a mail server (:func:`e_mailed` does not need one)."""
    Path(os.environ["CLIENTDESK_CONFIG"]).unlink(missing_ok=True)


def waive_the_checklist(path: Path) -> None:
    """Waive every closing checklist item, so that only the meetings keep the project open."""
    repo = TinyDBRepository(path)
    for item in repo.snapshot().all(ChecklistItem):
        waived = {"state": ChecklistState.WAIVED, "waive_reason": "not needed"}
        repo.update(item.model_copy(update=waived))


def cancelled(path: Path, *keys: str) -> bool:
    """True when every meeting of ``keys`` is stored as cancelled."""
    snapshot = TinyDBRepository(path).snapshot()
    return all(snapshot.find(Meeting, key).status is MeetingStatus.CANCELLED for key in keys)


@dataclass
class Desk:
    """The app under test and the user at its keyboard."""

    app: ClientDeskApp
    pilot: Pilot[None]

    async def press(self, *keys: str) -> None:
        """Type ``keys`` one by one, each handled before the next, then let the app settle."""
        await self.pilot.press(*keys)
        await settle(self.pilot)

    async def type_at_once(self, *keys: str) -> None:
        """Type ``keys`` in one burst (see tests/helpers/keys.py), then let the app settle."""
        await press_at_once(self.pilot, *keys)
        await settle(self.pilot)

    async def cursor_on(self, key: str, when: str) -> None:
        """Put the agenda's cursor on the occurrence of ``key`` at ``when`` ("DD HH:MM")."""
        await cursor_to(self.pilot, self.app, key, when)

    def dialog(self) -> str:
        """The words of the dialog on screen: its texts and the label of its box, if any."""
        parts = [str(widget.render()) for widget in self.app.screen.query(Static)]
        parts += [str(box.label) for box in self.app.screen.query(Checkbox)]
        return " ".join(" ".join(parts).split())

    def offer(self) -> str:
        """The question on screen, which must be an offer to e-mail the attendees."""
        assert isinstance(self.app.screen, ConfirmDialog), screen_text(self.app)
        text = self.dialog()
        assert text.startswith("E-mail ") and "?" in text, text
        return text

    @property
    def asks_nothing(self) -> bool:
        """True when no dialog is up: the app is back at its panes."""
        return self.app.screen is self.app.screen_stack[0]

    def notices(self) -> list[str]:
        """Every notice still up."""
        return notices(self.app)

    def said(self, *parts: str) -> bool:
        """True when one notice holds every one of ``parts``."""
        return any(all(part in line for part in parts) for line in self.notices())

    def the_error(self) -> str:
        """The one error notice up, which must be one line."""
        errors = [str(n.message) for n in self.app._notifications if n.severity == "error"]
        assert len(errors) == 1 and "\n" not in errors[0], errors
        return errors[0]


@asynccontextmanager
async def open_calendar(
    path: Path,
    *,
    mail: SmtpSettings | None = None,
    on: tuple[str, str] | None = None,
    size: tuple[int, int] = (80, 24),
) -> AsyncIterator[Desk]:
    """The app on ``path``, settled, with ``mail`` as its mail server and the cursor ``on``.

    Args:
        path: the data file (the ``calendar_path`` fixture).
        mail: the SMTP server to configure (None: the config file as it is).
        on: the occurrence to put the cursor on: its key and "DD HH:MM".
        size: the terminal's size.
    """
    if mail is not None:
        configure(mail)
    app = create_app(path)
    async with app.run_test(size=size) as pilot:
        desk = Desk(app, pilot)
        await settle(pilot)
        if on is not None:
            await desk.cursor_on(*on)
        yield desk
