"""Undo and redo of this session's saves, and showing the record a step was about.

:class:`UndoActions` takes a step back (or forward) in a thread worker, which
posts :class:`TakenBack`; the app hands that to :meth:`UndoActions.taken_back`,
which reads the store again with the cursor on the record, in its pane.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.message import Message

from clientdesk.store.enums import MeetingStatus
from clientdesk.store.errors import StoreError, describe_error
from clientdesk.tui.record_kinds import pane_of
from clientdesk.tui.record_saves import WriteFailed
from clientdesk.widgets.actions import key_of

if TYPE_CHECKING:
    from clientdesk.store.undo import AlreadyEmailed, UndoStep
    from clientdesk.tui.host import Host


class TakenBack(Message):
    """A worker undid or redid a step of this session's saves."""

    def __init__(self, step: UndoStep, verb: str) -> None:
        """Carry the step and ``verb`` (``undo`` or ``redo``)."""
        super().__init__()
        self.step = step
        """What was undone or redone."""
        self.verb = verb
        """``undo`` or ``redo``."""


class UndoActions:
    """Undo and redo for the app: one per app."""

    def __init__(self, host: Host) -> None:
        """Act for ``host``: its repository, workers and notices."""
        self.host = host
        """The app whose repository is taken back."""

    def take_back(self, verb: str) -> None:
        """Undo (``verb`` ``undo``) or redo (``redo``) one step, in a thread worker."""
        work = partial(self._take_back, verb)
        self.host.run_worker(work, thread=True, group="store", exclusive=False)

    def _take_back(self, verb: str) -> None:
        from clientdesk.store.undo import AlreadyEmailed, NothingToUndo

        repository = self.host.repository
        try:
            step = repository.undo() if verb == "undo" else repository.redo()
        except NothingToUndo as nothing:
            text = f"{str(nothing).capitalize()} in this session."
            self.host.call_from_thread(self.host.notify, text, markup=False)
        except AlreadyEmailed as e_mailed:
            self.host.post_message(WriteFailed(f"{e_mailed} ({_instead(e_mailed)})"))
        except (StoreError, OSError) as error:
            self.host.post_message(WriteFailed(describe_error(error)))
        else:
            self.host.post_message(TakenBack(step, verb))

    def taken_back(self, message: TakenBack) -> None:
        """Show the record the undo or redo was about, where it now is."""
        step, verb = message.step, message.verb
        record = step.principal_before if verb == "undo" else step.principal
        other_way = (
            f"{key_of('edit.redo')} redoes" if verb == "undo" else f"{key_of('edit.undo')} undoes"
        )
        self.host.notify(f"{verb.capitalize()}: {step.label} ({other_way}).", markup=False)
        if record is None:
            self.host.reload()
            return
        project_id = getattr(record, "project_id", None) or record.id
        pane_id = pane_of(record)
        reveal = (pane_id, record.id, record.key) if pane_id is not None else None
        self.host.reload(select_project=project_id, reveal=reveal)


def _instead(e_mailed: AlreadyEmailed) -> str:
    """The keys that do what an undo cannot once the attendees were e-mailed."""
    meeting = e_mailed.meeting
    send = f"{key_of('calendar.send')} sends the invite"
    if e_mailed.added and not e_mailed.cancellation:
        return f"{key_of('record.delete')} deletes it, offering its cancellation first"
    if e_mailed.restored:
        cancellation = f"{key_of('calendar.send')} sends the cancellation"
        return f"{key_of('calendar.cancel')} in the Calendar cancels it again, then {cancellation}"
    if not e_mailed.cancellation:
        return f"{key_of('record.edit')} in the Calendar changes it back, then {send}"
    if meeting.rrule is not None and meeting.status is MeetingStatus.CANCELLED:
        # A whole cancelled series is brought back by editing it, not by restoring.
        return f"{key_of('record.edit')} in the Calendar brings the series back, then {send}"
    return f"{key_of('calendar.restore')} in the Calendar restores it, then {send} again"
