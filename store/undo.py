"""Undo and redo of the changes made in one session, over any repository.

:class:`UndoableRepository` wraps the repository the app writes through. Every
batch it saves becomes one :class:`UndoStep` (what the batch did to each record
it touched, before and after). Undoing a step puts every record back as it was,
in one batch, through :meth:`Change.restore` and :meth:`Change.withdraw`: each
is based on the revision this session's save left, so that an undo which would
overwrite a colleague's later change is refused (:class:`UndoRefused`) and
writes nothing. An undone step can be redone the same way.

The revision only counts on: an undo is a new save, which other people's
processes see and refresh to, and a copy held of the undone version is stale.

No Textual here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from threading import Lock
from typing import Any

from clientdesk.store.enums import MeetingStatus
from clientdesk.store.errors import (
    ClosedProjectError,
    ConflictError,
    StoreError,
    ValidationFailed,
)
from clientdesk.store.models import Meeting, Project, Record, StatusReport
from clientdesk.store.repository import Repository, StoreContents
from clientdesk.store.snapshot import Snapshot, dump_record
from clientdesk.store.write_rules import BOOKKEEPING, Change, RecordEdit

UNDO_LEVELS = 100
"""How many saves of this session can be undone, newest first."""

_STATE_FIELDS = ("status", "state", "decision")
"""Fields whose move names a change best ("status new → acknowledged")."""

_QUIET_FIELDS = BOOKKEEPING | {"sequence", "status_history", "history", "closing_log"}
"""Fields the store keeps itself: never the reason a user made a change."""


class NothingToUndo(StoreError):
    """There is no change of this session left to undo (or to redo)."""


class UndoRefused(StoreError):
    """Undoing (or redoing) would overwrite a later change, or can no longer be done.

    The step is dropped from the history: what it would take back has moved on.
    """


class AlreadyEmailed(UndoRefused):
    """Undoing would take back a change the attendees were e-mailed since: refused.

    The message says what they got and that no undo takes it back; what to
    do instead is to bring the meeting back and send the invite again.
    """

    def __init__(
        self,
        message: str,
        meeting: Meeting,
        *,
        cancellation: bool,
        added: bool,
        restored: bool = False,
    ) -> None:
        """Carry the message, the meeting as stored now and what was e-mailed."""
        super().__init__(message)
        self.meeting = meeting
        """The meeting as stored now, its sendings included."""
        self.cancellation = cancellation
        """What went out is a cancellation: the invite is to go out again."""
        self.added = added
        """The step added the meeting: calling it off means deleting it, its cancellation sent."""
        self.restored = restored
        """The step brought back what was cancelled: calling it off is cancelling it again."""


@dataclass(frozen=True)
class UndoStep:
    """One saved batch: what it did to each record, and how to say it.

    Attributes:
        edits: each record's version before and after the batch.
        label: the change in a few words ("REQ-12 status new → acknowledged").
    """

    edits: tuple[RecordEdit, ...]
    label: str

    @property
    def principal(self) -> Record | None:
        """The record the step is about, as it is after the step (None if deleted)."""
        edit = _principal_edit(self.edits)
        return edit.after

    @property
    def principal_before(self) -> Record | None:
        """The record the step is about, as it was before the step."""
        return _principal_edit(self.edits).before


def _principal_edit(edits: tuple[RecordEdit, ...]) -> RecordEdit:
    # A project made or deleted is what the step is about, not its checklist.
    for edit in edits:
        if isinstance(edit.before or edit.after, Project):
            return edit
    return edits[0]


def describe_step(edits: Iterable[RecordEdit]) -> str:
    """A few words for what a batch did: "deleted RSK-3", "REQ-12 status new → acknowledged"."""
    found = tuple(edits)
    if not found:
        return "nothing"
    main = _principal_edit(found)
    record = main.after or main.before
    assert record is not None
    key = record.key or record.LABEL
    others = 0 if isinstance(record, Project) else len(found) - 1
    if main.before is None:
        text = f"added {key}"
    elif main.after is None:
        text = f"deleted {key}"
    else:
        text = f"{key} {_what_changed(main.before, main.after)}"
    if others:
        text += f" and {others} more"
    return text


def _what_changed(before: Record, after: Record) -> str:
    old, new = dump_record(before), dump_record(after)
    changed = [name for name in new if name not in _QUIET_FIELDS and new[name] != old.get(name)]
    for name in _STATE_FIELDS:
        if name in changed:
            return f"{name} {_word(old[name])} → {_word(new[name])}"
    if not changed:
        return "saved"
    shown = ", ".join(name.replace("_", " ") for name in changed[:3])
    return f"changed ({shown}{', …' if len(changed) > 3 else ''})"


def _word(value: Any) -> str:
    return str(value).replace("_", " ")


def _is_record_of_fact(edit: RecordEdit) -> bool:
    """True for a save that records what happened outside: it is not undone.

    A status report kept as sent (and each e-mailing of it), and an invite or
    the minutes recorded on their meeting once the mail server took them: the
    client has them, whatever the app says.
    """
    if isinstance(edit.after, StatusReport) and edit.before is None:
        return True
    if isinstance(edit.after, StatusReport):
        return True  # the one change a kept report takes: one more e-mailing recorded
    if isinstance(edit.before, Meeting) and isinstance(edit.after, Meeting):
        old, new = dump_record(edit.before), dump_record(edit.after)
        changed = {name for name in new if new[name] != old.get(name)} - _QUIET_FIELDS
        return changed in ({"sent"}, {"minutes_sent"})
    return False


def _back_changes(step: UndoStep) -> list[Change]:
    """The batch that takes ``step`` back: each record from its ``after`` to its ``before``."""
    brought: list[Change] = []
    reverted: list[Change] = []
    withdrawn: list[Change] = []
    for edit in step.edits:
        if edit.after is None:
            assert edit.before is not None
            brought.append(Change.restore(edit.before, over=None))
        elif edit.before is None:
            withdrawn.append(Change.withdraw(edit.after))
        else:
            reverted.append(Change.restore(edit.before, over=edit.after))
    # A kept status report goes only with its project (the store keeps it otherwise).
    going = {change.record.id for change in withdrawn if isinstance(change.record, Project)}
    withdrawn = [
        change
        for change in withdrawn
        if not (isinstance(change.record, StatusReport) and change.record.project_id in going)
    ]
    # A project comes back before its records, and goes after them.
    brought.sort(key=lambda change: not isinstance(change.record, Project))
    withdrawn.sort(key=lambda change: isinstance(change.record, Project))
    return brought + reverted + withdrawn


class UndoableRepository(Repository):
    """A repository that remembers this session's saves, so they can be undone and redone.

    Thread-safe: the app saves, undoes and redoes from worker threads.
    """

    def __init__(self, inner: Repository, *, levels: int = UNDO_LEVELS) -> None:
        """Wrap ``inner``; at most ``levels`` saves are kept for undo."""
        self.inner = inner
        """The repository the records live in."""
        self._undo: deque[UndoStep] = deque(maxlen=levels)
        self._redo: deque[UndoStep] = deque(maxlen=levels)
        self._lock = Lock()
        # One undo or redo at a time, in the order asked: two quick ctrl+z
        # must take back the newest step first, then the one before.
        self._taking_back = Lock()

    @property
    def location(self) -> str:
        """Where the data is (the inner repository's location)."""
        return self.inner.location

    @property
    def user(self) -> str:
        """Who saves (the inner repository's user, if it names one)."""
        return str(getattr(self.inner, "user", ""))

    def snapshot(self) -> Snapshot:
        """The current records (see :meth:`Repository.snapshot`)."""
        return self.inner.snapshot()

    def has_changed(self) -> bool:
        """True when another process saved (see :meth:`Repository.has_changed`)."""
        return self.inner.has_changed()

    def wait_for_change(self, timeout: float) -> bool:
        """Wait for another process's save (see :meth:`Repository.wait_for_change`)."""
        return self.inner.wait_for_change(timeout)

    def close(self) -> None:
        """Let go of the inner repository's connections."""
        self.inner.close()

    def contents(self) -> StoreContents:
        """Every record as stored (see :meth:`Repository.contents`)."""
        return self.inner.contents()

    def load(self, contents: StoreContents) -> None:
        """Fill an empty store (see :meth:`Repository.load`); no undo takes it back."""
        self.inner.load(contents)

    def apply(
        self, changes: Iterable[Change], *, edits: list[RecordEdit] | None = None
    ) -> list[Record | None]:
        """Save a batch (see :meth:`Repository.apply`) and remember it for undo.

        A new save ends what could be redone: the redo would stand on a
        version that is no longer the latest.
        """
        done: list[RecordEdit] = []
        results = self.inner.apply(changes, edits=done)
        if edits is not None:
            edits.extend(done)
        if done and not all(_is_record_of_fact(edit) for edit in done):
            with self._lock:
                self._undo.append(UndoStep(tuple(done), describe_step(done)))
                self._redo.clear()
        return results

    @property
    def can_undo(self) -> bool:
        """True when a save of this session is left to undo."""
        with self._lock:
            return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        """True when an undone save is left to redo."""
        with self._lock:
            return bool(self._redo)

    def undo(self) -> UndoStep:
        """Take the newest save of this session back; return the step undone.

        Raises:
            NothingToUndo: nothing is left to undo.
            UndoRefused: a record changed since (someone else's save) or can no
                longer come back; nothing is written and the step is dropped.
            StoreError: the file could not be read or written; nothing is
                written and the step stays, to be tried again.
        """
        return self._take_back(self._undo, self._redo, "undo")

    def redo(self) -> UndoStep:
        """Make the newest undone save again; return the step redone.

        Raises:
            NothingToUndo: nothing is left to redo.
            UndoRefused: as for :meth:`undo`.
            StoreError: as for :meth:`undo`.
        """
        return self._take_back(self._redo, self._undo, "redo")

    def _take_back(self, source: deque[UndoStep], target: deque[UndoStep], verb: str) -> UndoStep:
        with self._taking_back:
            return self._take_back_one(source, target, verb)

    def _take_back_one(
        self, source: deque[UndoStep], target: deque[UndoStep], verb: str
    ) -> UndoStep:
        with self._lock:
            if not source:
                raise NothingToUndo(f"nothing to {verb}")
            step = source.pop()
        done: list[RecordEdit] = []
        try:
            self.inner.apply(_back_changes(step), edits=done)
        except ConflictError as conflict:
            raise (
                _e_mailed_since(verb, step, conflict.current)
                or UndoRefused(_refusal(verb, step, conflict))
            ) from None
        except ClosedProjectError:
            with self._lock:
                source.append(step)  # it can be done once the project is reopened
            raise
        except ValidationFailed as failed:
            raise UndoRefused(f"cannot {verb} {step.label}: {failed}") from None
        except BaseException:
            with self._lock:
                source.append(step)  # not written: it can be tried again
            raise
        with self._lock:
            target.append(UndoStep(tuple(done), step.label))
        return step


def _refusal(verb: str, step: UndoStep, conflict: ConflictError) -> str:
    if conflict.current is None:
        return f"cannot {verb} {step.label}: {conflict.key} was deleted by someone else since"
    when = (
        conflict.changed_at.astimezone().strftime("%H:%M")
        if conflict.changed_at
        else "an unknown time"
    )
    return (
        f"cannot {verb} {step.label}: {conflict.changed_by} changed {conflict.key} "
        f"at {when} since, and the {verb} would overwrite it"
    )


def _e_mailed_since(verb: str, step: UndoStep, current: object) -> AlreadyEmailed | None:
    """The refusal to take ``step`` back when its meeting was e-mailed since (None if not).

    The one change since this session's save is a sending recorded on the
    meeting: the attendees have that message, and no undo takes it back.
    Only something new, sent again, does.
    """
    if not isinstance(current, Meeting):
        return None
    edit = next((edit for edit in step.edits if edit.after and edit.after.id == current.id), None)
    left = edit.after if edit is not None else None
    if edit is None or not isinstance(left, Meeting):
        return None
    old, new = dump_record(left), dump_record(current)
    changed = {name for name in new if new[name] != old.get(name)} - _QUIET_FIELDS
    news = [sending for sending in current.sent if sending not in left.sent]
    if changed != {"sent"} or not news:
        return None
    latest = news[-1]
    to = ", ".join(latest.recipients) or "the attendees"
    cancel = latest.method == "CANCEL"
    restored = isinstance(edit.before, Meeting) and _brought_back(edit.before, left)
    if cancel:
        text = (
            f"the cancellation of {current.key} was already e-mailed to {to}, so undoing "
            "would not take it back; to bring the meeting back, restore it and send the "
            "invite again"
        )
    elif edit.before is None:
        text = (
            f"the invite of {current.key} was already e-mailed to {to}, so undoing would not "
            "take it back; to call the meeting off, delete it and send its cancellation"
        )
    elif restored:
        text = (
            f"{current.key} was restored and its invite already e-mailed to {to}, so undoing "
            "would not take it back; to call it off again, cancel it and send the cancellation"
        )
    else:
        text = (
            f"{current.key} as it is now was already e-mailed to {to}, so undoing would not "
            "take it back; change the meeting back and send the invite again"
        )
    return AlreadyEmailed(
        f"cannot {verb} {step.label}: {text}",
        current,
        cancellation=cancel,
        added=edit.before is None,
        restored=restored,
    )


def _brought_back(before: Meeting, after: Meeting) -> bool:
    """True when ``after`` holds a meeting or occurrence that ``before`` had called off."""
    if before.status is MeetingStatus.CANCELLED and after.status is not MeetingStatus.CANCELLED:
        return True
    called_off = {change.original_start for change in before.exceptions if change.cancelled}
    still_off = {change.original_start for change in after.exceptions if change.cancelled}
    return bool(called_off - still_off)
