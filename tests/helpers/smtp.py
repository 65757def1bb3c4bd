"""A real SMTP server on localhost for the tests, and the config that reaches it."""

from __future__ import annotations

import email
import os
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from clientdesk.store.config import SmtpSettings


def free_port() -> int:
    """A port nothing listens on (aiosmtpd's Controller cannot take port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox:
    """An aiosmtpd handler that keeps what it accepts and refuses whom it is told to."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(
        self,
        server: SMTPServer,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def message(self) -> EmailMessage:
        """The one message that arrived, parsed as a mail program would."""
        assert len(self.envelopes) == 1, self.envelopes
        content = self.envelopes[0].content
        assert isinstance(content, bytes)
        parsed = email.message_from_bytes(content, policy=default)
        assert isinstance(parsed, EmailMessage)
        return parsed


def password_is_secret(
    server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    assert isinstance(auth_data, LoginPassword)
    accepted = (auth_data.login, auth_data.password) == (b"pat", b"secret")
    return AuthResult(success=accepted, handled=False)


def running_inbox() -> Iterator[tuple[Inbox, SmtpSettings]]:
    """A plain SMTP server on localhost, and the settings that reach it."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, SmtpSettings(host="127.0.0.1", port=controller.port, security="none")
    finally:
        controller.stop()


def configure(settings: SmtpSettings, extra: str = "") -> None:
    """Write the ``[smtp]`` table of the config file the tests use ($CLIENTDESK_CONFIG)."""
    path = Path(os.environ["CLIENTDESK_CONFIG"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'[smtp]\nhost = "{settings.host}"\nport = {settings.port}\n'
        f'security = "{settings.security}"\n'
        + (f'user = "{settings.user}"\n' if settings.user else "")
        + extra,
        encoding="utf-8",
    )
