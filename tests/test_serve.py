"""``clientdesk serve`` in a real browser: Debian's Chromium, driven by Playwright.

The tests start ``clientdesk serve`` on a free loopback port and open the URL
it prints. What the app draws reaches the page over its websocket as terminal
output; the tests read that stream (escape sequences taken out) to see what
is on screen, and read the data file to see what was saved.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from clientdesk.store.backends import open_repository
from clientdesk.store.models import ClientRequest
from tests.helpers.cli import run_cli
from tests.helpers.smtp import free_port
from tests.helpers.waiting import HANG_SECONDS, wait_until

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
"""No sandbox (CI runs as root); nothing that reaches for the network on its own."""

ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")


def _browser_or_skip() -> None:
    required = os.environ.get("CLIENTDESK_REQUIRE_BROWSER") == "1"
    reason = ""
    if not Path(CHROMIUM).exists():
        reason = f"no {CHROMIUM} (Debian: apt-get install chromium)"
    elif importlib_missing("playwright"):
        reason = "Playwright is not installed (pip install -e '.[test]')"
    if reason:
        if required:
            pytest.fail(f"browser tests cannot run: {reason}", pytrace=False)
        pytest.skip(reason)


def importlib_missing(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is None


class Served:
    """A running ``clientdesk serve`` and the URL it printed."""

    def __init__(self, data: Path, user: str) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", "clientdesk", "serve", "--data", str(data)]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "CLIENTDESK_USER": user},
        )
        self.printed: list[str] = []
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.printed.append(line)
            if line.startswith("open: "):
                self.url = line.removeprefix("open: ").strip()
                break
        else:
            raise AssertionError("serve ended before printing its URL:\n" + "".join(self.printed))
        wait_until(self._listening, "the server to listen")

    def _listening(self) -> bool:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=HANG_SECONDS)
        except urllib.error.HTTPError:
            return True  # it answered (403 without the token)
        except OSError:
            return False
        return True

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=HANG_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def served(demo_path: Path) -> Iterator[Served]:
    """``clientdesk serve`` on the demo data, started by ann."""
    _browser_or_skip()
    server = Served(demo_path, "ann")
    yield server
    server.stop()


class Screen:
    """What the app has sent to the page, as text without escape sequences."""

    def __init__(self) -> None:
        self.received = bytearray()

    def take(self, payload: str | bytes) -> None:
        self.received += payload if isinstance(payload, bytes) else payload.encode()

    @property
    def text(self) -> str:
        return ESCAPES.sub(b"", bytes(self.received)).decode("utf-8", "replace")


def idle(tab: object) -> None:
    """Let the page run a moment: Playwright hands over the page's events only then."""
    tab.wait_for_timeout(20)  # type: ignore[attr-defined]


def shows(tab: object, screen: Screen, text: str, what: str) -> None:
    """Wait until the app has drawn ``text`` on the page."""
    wait_until(lambda: text in screen.text, what, poll=lambda: idle(tab))


@pytest.fixture
def page(served: Served) -> Iterator[tuple[object, Screen]]:
    """A Chromium page on the served app, and what the app has drawn on it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 900})
            screen = Screen()
            tab.on(
                "websocket",
                lambda socket: socket.on("framereceived", screen.take),
            )
            response = tab.goto(served.url)
            assert response is not None and response.status == 200
            shows(tab, screen, "Calendar", "the app's panes in the page")
            yield tab, screen
        finally:
            browser.close()


def test_a_request_added_in_the_browser_is_in_the_data_file(
    page: tuple[object, Screen], demo_path: Path
) -> None:
    """Keys reach the app after a click; what it saves is saved as the user who serves."""
    tab, screen = page
    tab.click(".textual-terminal")  # type: ignore[attr-defined]
    tab.keyboard.press("2")  # type: ignore[attr-defined]
    shows(tab, screen, "breached", "the Requests pane")
    tab.keyboard.press("n")  # type: ignore[attr-defined]
    shows(tab, screen, "New request", "the new request's form")
    tab.keyboard.press("Tab")  # type: ignore[attr-defined]
    tab.keyboard.type("Typed in a browser")  # type: ignore[attr-defined]
    tab.keyboard.press("Control+s")  # type: ignore[attr-defined]

    def saved() -> list[ClientRequest]:
        snapshot = open_repository(demo_path).snapshot()
        return [r for r in snapshot.all(ClientRequest) if r.title == "Typed in a browser"]

    wait_until(lambda: bool(saved()), "the request in the data file", poll=lambda: idle(tab))
    assert [r.updated_by for r in saved()] == ["ann"]


def test_a_save_from_the_command_line_shows_in_the_browser(
    page: tuple[object, Screen], capsys: pytest.CaptureFixture[str]
) -> None:
    tab, screen = page
    tab.click(".textual-terminal")  # type: ignore[attr-defined]
    tab.keyboard.press("2")  # type: ignore[attr-defined]
    shows(tab, screen, "breached", "the Requests pane")
    code, _, err = run_cli(
        capsys, "edit", "request", "REQ-1", "--project", "NWPORTAL", "--title", "Edited in a shell"
    )
    assert (code, err) == (0, "")
    shows(tab, screen, "Edited in a shell", "the shell's save in the browser")


def test_without_the_token_every_request_is_refused(served: Served) -> None:
    """No token, or a wrong one: 403 for the page, its files and its websocket."""
    base = f"http://127.0.0.1:{served.port}"
    for path in ("/", "/?token=wrong", "/static/js/textual.js", "/ws?width=80&height=24"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + path, timeout=HANG_SECONDS)
        assert refused.value.code == 403, path
    # The URL serve printed opens, and sets the cookie the page's own requests carry.
    with urllib.request.urlopen(served.url, timeout=HANG_SECONDS) as opened:
        assert opened.status == 200
        assert "HttpOnly" in opened.headers["Set-Cookie"]
    assert shutil.which("ps") is None or served.url.split("token=")[1] not in _ps()


def _ps() -> str:
    """Every process's command line, as any user of the server sees them."""
    return subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
