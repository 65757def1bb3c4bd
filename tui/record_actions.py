"""What the app does around single-record saves: asking before a delete, saying what was saved.

:class:`RecordActions` asks before a record is deleted (again, when someone
changed it in between) and, once a save is written, says so and reads the
store again with the cursor on the record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clientdesk.tui.record_saves import DeleteChanged, RecordSaves, RecordWritten
from clientdesk.widgets.confirm_dialog import ConfirmDialog

if TYPE_CHECKING:
    from clientdesk.store.models import Record
    from clientdesk.tui.host import Host
    from clientdesk.tui.risks_actions import RisksActions


class RecordActions:
    """Deletes and the news of saves, for every pane: one per app."""

    def __init__(self, host: Host, risks: RisksActions) -> None:
        """Act for ``host``; ``risks`` offers the follow-up of a risk that occurred."""
        self.host = host
        """The app whose records are deleted and saved."""
        self.saves = RecordSaves(host)
        """How a delete is made."""
        self.risks = risks
        """The Risks pane's controller."""

    def ask_delete(self, record: Record | None) -> None:
        """Delete ``record`` after asking (None: nothing selected, nothing done)."""
        if record is None:
            return
        title = getattr(record, "title", "")
        noun = getattr(record, "LABEL", "record")
        if getattr(record, "rrule", None):
            noun = "the whole series"  # one occurrence is cancelled (x), not deleted
        question = f"Delete {noun} {record.key} ({title})?"
        self._confirm_delete(record, question)

    def delete_changed(self, message: DeleteChanged) -> None:
        """Someone changed the record since the user chose to delete it: ask again."""
        record = message.current
        self.host.reload()  # the pane shows their version behind the question
        question = f"{message.text}. Delete {record.key} as it is now?"
        self._confirm_delete(record, question)

    def _confirm_delete(self, record: Record, question: str) -> None:
        def answered(delete: bool | None) -> None:
            if delete:
                self.saves.delete(record)

        self.host.push_screen(ConfirmDialog(question, yes="Delete", no="Keep"), answered)

    def written(self, message: RecordWritten) -> None:
        """Say what was saved, show it, and offer a follow-up for a risk that occurred."""
        from clientdesk.store.models import Risk

        record = message.record
        undo_key = self.host.undo_key
        text = message.text
        if message.changed and undo_key not in text:
            text = f"{text.removesuffix('.')} ({undo_key} undoes)."
        self.host.notify(text, markup=False)
        selected = record.id if record is not None and message.select else None
        self.host.reload(select_record=selected)
        if isinstance(record, Risk) and record.status == "occurred":
            self.risks.offer_follow_up(record)
