"""What other people changed between two snapshots of the data file.

The app reads the file again when another process saved it; this says who
changed which records, for the quiet line at the foot of the screen
("ann changed REQ-12, 14:02"). No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from clientdesk.store.text import printable

if TYPE_CHECKING:
    from clientdesk.store.snapshot import Snapshot


@dataclass(frozen=True)
class SeenChange:
    """One record someone else added, changed or deleted.

    Attributes:
        who: who saved it (for a deleted record: unknown, so empty).
        key: the record's key (``REQ-12``, or the project's key).
        verb: ``added``, ``changed`` or ``deleted``.
        at: when it was saved (None for a deleted record).
    """

    who: str
    key: str
    verb: str
    at: datetime | None


def changes_between(old: Snapshot, new: Snapshot, *, me: str) -> list[SeenChange]:
    """The records that differ between ``old`` and ``new`` and were not saved by ``me``.

    Newest first; deleted records last (a deletion leaves no trace of who
    made it or when, so ``who`` is empty).
    """
    seen: list[SeenChange] = []
    # Only the documents whose text differs are looked at (and made into
    # models): a colleague's save changes a few records of a large file.
    for kind, record_id, was, is_now in new.changed_since(old):
        if not is_now:
            table = old.documents(kind)
            key = table.key_of(record_id) if table is not None else record_id
            seen.append(SeenChange("", key, "deleted", None))
            continue
        record = new.get(kind, record_id)
        if record is None or record.updated_by == me:
            continue
        earlier = old.get(kind, record_id) if was else None
        if earlier is not None and earlier.revision == record.revision:
            continue
        verb = "added" if earlier is None else "changed"
        seen.append(SeenChange(record.updated_by, record.key, verb, record.updated_at))
    dated = sorted(
        (change for change in seen if change.at is not None),
        key=lambda change: change.at or datetime.min,
        reverse=True,
    )
    return dated + [change for change in seen if change.at is None]


def changes_line(changes: list[SeenChange], zone: tzinfo | None = None) -> str:
    """One short line about ``changes``: "ann changed REQ-12, 14:02" ("" when there are none).

    Control characters in a name or key show as ``\\x1b``-style escapes.

    Args:
        changes: newest first, as :func:`changes_between` gives them.
        zone: the zone the time is shown in (None: the machine's).
    """
    if not changes:
        return ""
    first = changes[0]
    who = first.who or "someone"
    line = f"{who} {first.verb} {first.key}"
    others = len(changes) - 1
    if others:
        line += f" and {others} more"
    if first.at is not None:
        local = first.at.astimezone(zone)
        line += f", {local:%H:%M}"
    # The name and key come from the file, as whoever saved it wrote them.
    return printable(line)
