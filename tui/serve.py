"""``clientdesk serve``: the full app in a browser, through textual-serve, behind a token.

Each browser tab gets an app process of its own, run as the user who started
``serve``, on the same store as everyone's terminals (so ``updated_by`` names
that user, and a colleague's save shows in the tab as in a terminal).

A shared server is hostile ground: any user of it can open a connection to
127.0.0.1 too. So every request and websocket needs the access token that
``serve`` makes at each start and prints once, in the URL to open. The page
that takes it from the URL leaves it in a cookie only this site gets, which
the page's own requests (its scripts, its websocket) carry; anything else is
refused with 403. ``serve`` listens on 127.0.0.1 unless ``--host`` names
another address.

textual-serve has no hook for checking requests: :class:`GuardedServer`
adds one where the library builds its web application
(``Server._make_app``), the one private name of it clientdesk relies on.
``tests/test_serve.py`` proves the guard in a real browser.
"""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import os
import secrets
import shlex
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

try:
    from aiohttp import web
    from textual_serve.server import Server
except ImportError:  # an optional extra: the command says how to install it
    raise ImportError(
        "clientdesk serve needs textual-serve: pip install 'clientdesk[serve]'"
    ) from None

TOKEN_PARAMETER = "token"
"""The query parameter of the URL that carries the access token."""

COOKIE = "clientdesk_token"
"""The cookie that carries the token for the page's own requests."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def is_loopback(host: str) -> bool:
    """True for an address (or ``localhost``) that only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class GuardedServer(Server):
    """A textual-serve server that refuses every request without the access token."""

    def __init__(self, command: str, *, host: str, port: int, token: str) -> None:
        """Serve ``command`` (one process per browser tab) on ``host:port``."""
        super().__init__(command, host=host, port=port, title="clientdesk")
        self.token = token

    def url(self) -> str:
        """The address to open: the server's, with the token."""
        return f"{self.public_url}/?{TOKEN_PARAMETER}={self.token}"

    def initialize_logging(self) -> None:
        """Log nothing to the terminal: the URL, and errors, are printed by ``serve`` itself."""

    async def on_startup(self, app: web.Application) -> None:
        """Say nothing: :func:`serve` has printed where to go."""

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._guard)
        return app

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Let a request through only with the token, in the URL or the site's cookie."""
        given = request.query.get(TOKEN_PARAMETER) or request.cookies.get(COOKIE) or ""
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            raise web.HTTPForbidden(text="clientdesk: open the URL `clientdesk serve` printed\n")
        response = await handler(request)
        if request.query.get(TOKEN_PARAMETER):
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict", path="/")
        return response


def app_command(location: Path | str) -> str:
    """The command each browser tab runs: this clientdesk, on the same store.

    The store is handed over in the environment, not on the command line,
    where every user of the server would see a database's URL in ``ps``.
    """
    os.environ["CLIENTDESK_DATA"] = str(location)
    return f"{shlex.quote(sys.executable)} -m clientdesk"


def cmd_serve(args: argparse.Namespace) -> int:
    """``clientdesk serve``: the app in a browser (see the module's doc)."""
    from clientdesk.tui.cli import UsageError, data_location

    location = data_location(args, starts=True)
    try:
        return serve(location, host=args.host, port=args.port)
    except OSError as error:
        raise UsageError(f"cannot serve on {args.host}:{args.port} ({error.strerror})") from None


def serve(location: Path | str, *, host: str, port: int) -> int:
    """Serve the app until interrupted; print the URL (with a new token) and the SSH tunnel.

    Returns:
        The exit status (0 after Ctrl+C).
    """
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # Fail before a URL is printed for a server that will not start.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
    token = secrets.token_urlsafe(24)
    server = GuardedServer(app_command(location), host=host, port=port, token=token)
    print(f"clientdesk serves {location} on {server.public_url} (Ctrl+C stops it)")
    print(f"open: {server.url()}")
    if is_loopback(host):
        tunnel = f"ssh -L {port}:localhost:{port} {socket.gethostname()}"
        print(f"from your own machine: {tunnel}, then open the same URL")
    print("each browser tab runs clientdesk as you: your name is on what it saves", flush=True)
    server.serve()
    return 0
