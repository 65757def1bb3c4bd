"""Helpers for the tests: the fixed "now", waiting for the store workers, reading the screen."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TypeVar

from textual.app import App
from textual.command import CommandList
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Select, TextArea

from clientdesk.store.models import Record
from clientdesk.widgets.record_table import RecordTable
from tests.helpers.waiting import HANG_SECONDS, POLL_SECONDS, hung, pilot_wait_until

R = TypeVar("R", bound=Record)

FIXED_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
"""A Monday morning: the "now" of every test that needs a fixed clock."""


async def settle(pilot: Pilot[None]) -> None:
    """Let the store workers finish and the screen catch up.

    At start-up the panes are composed, then the file is read in a worker,
    and what was read is shown: the first load is over when the app has left
    its "loading" mode, which can be after the worker finished. Keys are handled
    one at a time: every key typed so far has been handled too. However long
    that takes on a busy machine: only a hang fails (:data:`HANG_SECONDS`).
    """
    app = pilot.app
    deadline = time.monotonic() + HANG_SECONDS
    while True:
        await app.workers.wait_for_complete()
        await pilot.pause()
        mode = getattr(app, "mode", None)
        pending = getattr(app, "keys_pending", 0)
        if mode != "loading" and not pending:
            return
        if time.monotonic() > deadline:
            raise hung(f"the app to settle (mode {mode!r}, {pending} keys pending)", HANG_SECONDS)
        await pilot.pause(POLL_SECONDS)


async def search_the_palette(pilot: Pilot[None], text: str) -> None:
    """Type ``text`` into the open command palette and wait until it lists what it found.

    The palette searches in a worker: ``enter`` typed before the list shows
    does nothing, as it would for a person typing faster than a busy machine.
    """
    await pilot.press(*text)
    await pilot.app.workers.wait_for_complete()

    def listed() -> bool:
        lists = pilot.app.screen.query(CommandList)
        return bool(lists) and lists.first().option_count > 0

    await pilot_wait_until(pilot, listed, f"the command palette to find {text!r}")


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


class FormApp(App[None]):
    """Pushes one screen (a form, a dialog) and keeps what it was dismissed with."""

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self.form = screen
        self.results: list[object] = []

    def on_mount(self) -> None:
        self.push_screen(self.form, self.results.append)


def saved_as_is(record: R) -> R:
    """A save function that stores nothing: the form is dismissed with the record."""
    return record


async def fill_input(pilot: Pilot[None], selector: str, text: str) -> None:
    """Replace the text of the input ``selector`` as a user would: focus it, clear it, type.

    A field of several lines (a ``TextArea``) has all its text selected and
    typed over; ``text`` may hold line breaks ("\n" presses enter).
    """
    field = pilot.app.screen.query_one(selector)
    assert isinstance(field, Input | TextArea), f"{selector} is not a text field"
    field.focus()
    await pilot.pause()
    if isinstance(field, TextArea):
        field.select_all()
        keys = ["enter" if char == "\n" else char for char in text]
        await pilot.press(*(keys or ["backspace"]))
    else:
        await pilot.press("end", "ctrl+u", *text)
    await pilot.pause()


async def pick_option(pilot: Pilot[None], select: Select[str], label: str) -> None:
    """Pick the option called ``label`` of ``select`` with the arrow keys."""
    labels = [str(prompt) for prompt, _ in select._options]
    values = [value for _, value in select._options]
    steps = labels.index(label) - values.index(select.value)
    select.focus()
    await pilot.pause()
    await pilot.press("enter", *(["down"] * steps if steps > 0 else ["up"] * -steps), "enter")
    await pilot.pause()


def notices(app: App[None]) -> list[str]:
    """The text of every notification the app has shown that is still up."""
    return [str(notification.message) for notification in app._notifications]
