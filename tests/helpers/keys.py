"""Keys typed in one burst: all of them reach the app before it has handled the first.

``pilot.press`` waits for the app to be idle after every key, as nobody types.
A fast typist, a paste without bracketing, a laggy SSH link or ``tmux
send-keys`` deliver a burst: :func:`press_at_once` puts every key in the app's
queue before it handles any, as the terminal driver does.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import App
from textual.keys import _character_to_key, key_to_character
from textual.pilot import Pilot

from clientdesk.tui.output_guard import GuardedApp
from tests.helpers.ui import settle
from tests.helpers.waiting import pilot_wait_until


def key_event(key: str) -> events.Key:
    """The event a terminal sends for ``key``: a character (``"@"``) or a key name (``"tab"``)."""
    if len(key) == 1:
        return events.Key(_character_to_key(key), key)
    return events.Key(key, key_to_character(key))


def type_at_once(app: App[Any], *keys: str) -> None:
    """Put every key of ``keys`` in the app's queue before it handles any, and return."""
    for key in keys:
        event = key_event(key)
        event.set_sender(app)
        app.post_message(event)


async def press_at_once(pilot: Pilot[None], *keys: str) -> None:
    """Give the app every key of ``keys`` at once, then wait until it has handled them all."""
    type_at_once(pilot.app, *keys)
    await keys_handled(pilot)


async def keys_handled(pilot: Pilot[None]) -> None:
    """Wait until the app has handled every key typed so far, and its workers are done."""
    app = pilot.app
    assert isinstance(app, GuardedApp)
    await pilot_wait_until(pilot, lambda: not app.keys_pending, "every typed key to be handled")
    await settle(pilot)
