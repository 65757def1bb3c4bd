"""Make docs/screenshot.svg: the app itself saves a screenshot of the demo data.

Usage: ``python docs/make_screenshot.py`` (deterministic: fixed clock, seed 1).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

os.environ.setdefault("CLIENTDESK_NOW", "2026-11-23T09:00:00+00:00")
os.environ.setdefault("CLIENTDESK_USER", "pat")

from clientdesk.store.demo import populate_demo
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui.app import ClientDeskApp

HERE = Path(__file__).resolve().parent


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = TinyDBRepository(Path(tmp) / "demo.json")
        populate_demo(repo, seed=1)
        app = ClientDeskApp(repo)
        async with app.run_test(size=(100, 30)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("2")
            await pilot.pause()
            app.save_screenshot(filename="screenshot.svg", path=str(HERE))
    print(HERE / "screenshot.svg")


if __name__ == "__main__":
    asyncio.run(main())
