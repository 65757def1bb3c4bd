"""Helpers for the tests: the fixed "now", waiting for the store workers, reading the screen."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Select

from clientdesk.store.models import Record
from clientdesk.widgets.record_table import RecordTable

R = TypeVar("R", bound=Record)

FIXED_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
"""A Monday morning: the "now" of every test that needs a fixed clock."""


async def settle(pilot: Pilot[None]) -> None:
    """Let the store workers finish and the screen catch up."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app: App[None]) -> str:
    """What the active screen shows, as plain text."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def move_cursor_to(pilot: Pilot[None], table: RecordTable[R], key: str) -> R:
    """Move ``table``'s cursor to the record with ``key`` with the arrow keys; return it."""
    records = table.records
    wanted = next(record for record in records if record.key == key)
    await pilot.press(*["up"] * len(records), *["down"] * records.index(wanted))
    await pilot.pause()
    assert table.selected_record == wanted
    return wanted


async def choose_option(pilot: Pilot[None], field: str, steps: int) -> None:
    """Open the form's Select ``field`` and move ``steps`` options down (up when negative)."""
    pilot.app.screen.query_one(f"#field-{field}", Select).focus()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps), "enter")
    await pilot.pause()
