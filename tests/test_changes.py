"""Who changed what between two reads of the data file (no terminal)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from clientdesk.store.changes import changes_between, changes_line
from clientdesk.store.models import Meeting
from clientdesk.store.repository import TinyDBRepository


def test_changes_by_others_are_listed_newest_first_and_mine_are_not(
    calendar_path: Path, fixed_clock: datetime
) -> None:
    mine = TinyDBRepository(calendar_path, user="tester")
    ann = TinyDBRepository(calendar_path, user="ann")
    before = mine.snapshot()
    budget = ann.snapshot().find(Meeting, "MTG-2")
    ann.update(budget.model_copy(update={"title": "Budget call (short)"}))
    review = mine.snapshot().find(Meeting, "MTG-3")
    mine.update(review.model_copy(update={"title": "Design review v2"}))
    ann.delete(ann.snapshot().find(Meeting, "MTG-1"))
    seen = changes_between(before, mine.snapshot(), me="tester")
    assert [(c.who, c.key, c.verb) for c in seen] == [
        ("ann", "MTG-2", "changed"),
        ("", "MTG-1", "deleted"),
    ]
    assert changes_line(seen, UTC) == "ann changed MTG-2 and 1 more, 09:00"
    assert changes_line([], UTC) == ""
