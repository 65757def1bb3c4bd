"""Helpers for the tests: the fixed "now", waiting for the store workers, reading the screen."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.app import App
from textual.pilot import Pilot

FIXED_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
"""A Monday morning: the "now" of every test that needs a fixed clock."""


async def settle(pilot: Pilot[None]) -> None:
    """Let the store workers finish and the screen catch up."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app: App[None]) -> str:
    """What the active screen shows, as plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
