"""A real CalDAV server for the tests: Radicale on 127.0.0.1, with htpasswd logins.

:func:`running_radicale` writes a config file, an htpasswd file and a storage
folder under the test's ``tmp_path``, starts ``python -m radicale`` on a free
port, waits until the port answers (no fixed sleep), and stops it afterwards.
Radicale logs one line per request at level ``info``; :meth:`Radicale.requests`
reads them back, so a test can count the PUTs a command sent.
"""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import caldav

from tests.helpers.smtp import free_port
from tests.helpers.waiting import HANG_SECONDS, wait_until

USER = "pm"
"""The login the server knows."""
PASSWORD = "correct horse battery"
"""Its password."""

STARTS = 5
"""Starts tried, each on a new free port: another process may take the port in between."""

_REQUEST_LINE = re.compile(
    r"\[INFO\] (GET|PUT|DELETE|PROPFIND|REPORT|MKCALENDAR|OPTIONS) request for '"
)


@dataclass
class Radicale:
    """One running Radicale server.

    Attributes:
        folder: where its config, htpasswd, storage and log live.
        port: the TCP port on 127.0.0.1.
        process: the server process (None once stopped).
    """

    folder: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    def calendar_url(self, name: str) -> str:
        """The URL of the user's calendar ``name`` (Radicale's ``/USER/CALENDAR/`` form)."""
        return f"{self.base_url}/{USER}/{name}/"

    @property
    def log_path(self) -> Path:
        """The server's log (stderr), one line per request."""
        return self.folder / "radicale.log"

    def client(self, password: str = PASSWORD) -> caldav.DAVClient:
        """A caldav client logged in as :data:`USER`: the test's own hands on the server."""
        return caldav.DAVClient(
            url=self.base_url + "/",
            username=USER,
            password=password,
            enable_rfc6764=False,
        )

    def make_calendar(self, name: str) -> str:
        """Create the calendar collection ``name`` (MKCALENDAR) and return its URL."""
        url = self.calendar_url(name)
        with self.client() as client:
            response = client.mkcalendar(url)
            assert response.status in (200, 201), response.status
        return url

    def requests(self, method: str) -> int:
        """How many ``method`` requests (PUT, DELETE...) the server has logged so far."""
        if not self.log_path.exists():
            return 0
        text = self.log_path.read_text("utf-8", errors="replace")
        return sum(1 for match in _REQUEST_LINE.finditer(text) if match.group(1) == method)

    def start(self) -> None:
        """Start the server on a free port and wait until it takes connections.

        Another process may take the port between choosing it and Radicale's
        bind: then it is started again on another one.
        """
        storage = self.folder / "collections"
        storage.mkdir(parents=True, exist_ok=True)
        users = self.folder / "users"
        users.write_text(f"{USER}:{PASSWORD}\n", "utf-8")
        for _attempt in range(STARTS):
            if self._start_once(storage, users):
                return
        raise AssertionError(f"radicale found no free port in {STARTS} starts")

    def _start_once(self, storage: Path, users: Path) -> bool:
        """One start on a new free port; False when the port was taken meanwhile."""
        self.port = free_port()
        config = self.folder / "config"
        config.write_text(
            "\n".join(
                [
                    "[server]",
                    f"hosts = 127.0.0.1:{self.port}",
                    "[auth]",
                    "type = htpasswd",
                    f"htpasswd_filename = {users}",
                    "htpasswd_encryption = plain",
                    # A wrong password is answered at once: the test waits for nothing.
                    "delay = 0",
                    "[rights]",
                    "type = owner_only",
                    "[storage]",
                    f"filesystem_folder = {storage}",
                    "[logging]",
                    "level = info",
                    "",
                ]
            ),
            "utf-8",
        )
        self.stop()
        self._log = self.log_path.open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "radicale", "--config", str(config)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        self.process = process

        def answering_or_gone() -> bool:
            if process.poll() is not None:
                return True
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", self.port)) == 0

        wait_until(answering_or_gone, f"radicale to listen on port {self.port}")
        if process.poll() is None:
            return True
        log = self.log_path.read_text("utf-8", errors="replace")
        if "Address already in use" in log[-2000:]:
            return False
        raise AssertionError(f"radicale stopped at start ({process.returncode}): {log[-2000:]}")

    def stop(self) -> None:
        """Stop the server and wait until it is gone (the port refuses connections then)."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=HANG_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            with contextlib.suppress(OSError):
                self._log.close()
            self._log = None


def running_radicale(folder: Path) -> Iterator[Radicale]:
    """Start Radicale with its files in ``folder``; yield it; stop it afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    server = Radicale(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
