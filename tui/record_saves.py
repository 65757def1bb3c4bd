"""Saving a change to one record off the UI thread, the way every pane's controller does.

:class:`RecordSaves` runs each save or delete in a thread worker and posts
what came of it to the app: :class:`RecordWritten`, :class:`WriteFailed` or
:class:`DeleteChanged`. A change met by a colleague's save in between is
made again to the version stored now, unless it clashes with theirs
(:func:`clashes`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual.message import Message

from clientdesk.store.errors import ConflictError, StoreError, describe_error
from clientdesk.tui.output_guard import GuardedApp

if TYPE_CHECKING:
    from clientdesk.store.models import Record
    from clientdesk.tui.host import Host
    from clientdesk.widgets.reason_dialog import ReasonDialog

Changes = Mapping[str, Any] | Callable[[Any], Mapping[str, Any]]
"""Field changes to save: fixed values, or computed from the record they apply to.

A comment is computed (the record's log plus one entry), so that the same
change can be made again to a newer version of the record after a conflict.
"""

APPENDED_FIELDS = frozenset({"comments", "exceptions"})
"""Fields a change adds to rather than sets: another save that added too does not clash.

A comment is appended to the log; a change to one occurrence of a series
(cancel, move, minutes) is made to that occurrence's entry of the list.
Both are computed from the record as stored, so a colleague's entry is kept.
"""

REDONE = "your change was made to the new version"
"""What the user is told when their change was made to a colleague's newer version."""


class WriteFailed(Message):
    """A worker could not write to the store (or to a file)."""

    def __init__(self, message: str, *, ask_again: Callable[[], None] | None = None) -> None:
        """Carry the one-line message, and how to ask the user again."""
        super().__init__()
        self.message = message
        """What went wrong, for the user."""
        self.ask_again = ask_again
        """Opens the dialog the user typed in again, with their text (None: nothing typed)."""


class DeleteChanged(Message):
    """A delete met a newer version of the record: the user is asked again."""

    def __init__(self, current: Record, text: str) -> None:
        """Carry the record as stored now and who changed it when."""
        super().__init__()
        self.current = current
        """The record as stored now."""
        self.text = text
        """Who changed it and when, as one line."""


class RecordWritten(Message):
    """A worker saved or deleted a record of a pane."""

    def __init__(
        self, record: Record | None, text: str, *, select: bool = True, changed: bool = True
    ) -> None:
        """Carry the record as saved (None when deleted) and what to tell the user."""
        super().__init__()
        self.record = record
        """The record as saved, or None after a delete."""
        self.text = text
        """One line for the user."""
        self.select = select
        """Put the pane's cursor on the record (it is in the pane on show)."""
        self.changed = changed
        """This session changed the store (the undo key takes it back)."""


class RecordSaves:
    """Saves and deletes of single records for a controller, each in a thread worker."""

    def __init__(self, host: Host) -> None:
        """Save through ``host``'s repository and tell ``host`` what came of it."""
        self.host = host
        """The app whose repository, workers and messages are used."""

    def save(
        self,
        record: Record,
        changes: Changes,
        done: str,
        *,
        redone: str = REDONE,
        ask_again: Callable[[], None] | None = None,
        then: Callable[[Any], None] | None = None,
    ) -> None:
        """Save ``record`` with ``changes`` (checked by the store); ``done`` is told the user.

        Every change saved here stands on its own (a status move, a comment
        appended, a checklist item ticked): when another process saved the
        record in between, the same change is made once more to the version
        now stored, and the store checks it again (a move the new status does
        not allow is refused). The user is told so (``redone``). When the other
        save changed the very fields this change sets (a colleague ticked the
        same item, or moved the same request), theirs stands and the conflict
        is shown instead.

        Args:
            record: the record as shown when the user asked for the change.
            changes: the field changes, or a function of the record that gives them.
            done: what to tell the user once saved.
            redone: what to tell the user when the change was made to a newer version.
            ask_again: when the save fails, opens the dialog the user typed the
                change in again, with their text, so that it is not lost.
            then: called on the UI thread with the record as saved, once it is
                saved, before the keys typed meanwhile go on (so a follow-up
                question it asks gets them, as if typed slowly).
        """
        work = partial(self._save, record, changes, done, redone, ask_again, then)
        self._run(work)

    def save_with_text(
        self,
        record: Record,
        dialog: ReasonDialog,
        changes_for: Callable[[str], Changes],
        done: str,
        *,
        redone: str = REDONE,
    ) -> None:
        """Ask for a text in ``dialog``, then save ``record`` with ``changes_for(text)``.

        A save that fails opens the dialog again with the text typed, so that
        nothing the user wrote is lost.
        """

        def given(text: str | None) -> None:
            if not text:
                return
            again = partial(
                self.save_with_text, record, dialog.again(text), changes_for, done, redone=redone
            )
            self.save(record, changes_for(text), done, redone=redone, ask_again=again)

        self.host.push_screen(dialog, given)

    def delete(self, record: Record) -> None:
        """Delete ``record``; a colleague's newer version of it is shown and asked about first."""
        self._run(partial(self._delete, record))

    def write(self, work: Callable[[], None]) -> None:
        """Run ``work``, a write of several steps, as a save runs: in a worker, keys held."""
        self._run(work)

    def _run(self, work: Callable[[], None]) -> None:
        """Run ``work`` in a thread worker, the keys typed meanwhile waiting for its news."""
        hold = self.host.hold_keys_for_write()

        def then_free_the_keys() -> None:
            try:
                work()
            finally:
                # After the write's own news, on the same queue: handled after it.
                self.host.post_message(GuardedApp.KeysFree(hold))

        self.host.run_worker(then_free_the_keys, thread=True, group="store", exclusive=False)

    # -- in the worker thread ---------------------------------------------------------

    def _save(
        self,
        record: Record,
        changes: Changes,
        done: str,
        redone: str,
        ask_again: Callable[[], None] | None,
        then: Callable[[Any], None] | None = None,
    ) -> None:
        try:
            try:
                saved = self._update(record, changes)
                text = done
            except ConflictError as conflict:
                current = cast("Record | None", conflict.current)
                if current is None:
                    raise
                clash = clashes(record, current, changes)
                if clash:
                    raise StoreError(
                        f"{record.key} was changed by {conflict.changed_by} meanwhile "
                        f"({clash}); your change was not made"
                    ) from None
                saved = self._update(current, changes)
                text = f"{record.key} was changed by {conflict.changed_by} meanwhile; {redone}."
        except (StoreError, OSError) as error:
            self.host.post_message(WriteFailed(describe_error(error), ask_again=ask_again))
        else:
            self.host.post_message(RecordWritten(saved, text))
            if then is not None:
                self.host.call_from_thread(then, saved)

    def _update(self, record: Record, changes: Changes) -> Record:
        from clientdesk.store.snapshot import dump_record, validate_record

        fields = changes(record) if callable(changes) else changes
        changed = validate_record(type(record), {**dump_record(record), **fields})
        return self.host.repository.update(changed)

    def _delete(self, record: Record) -> None:
        try:
            self.host.repository.delete(record)
        except ConflictError as conflict:
            current = cast("Record | None", conflict.current)
            if current is None:
                # Someone deleted it first: what the user wanted has happened.
                self.host.post_message(
                    RecordWritten(None, f"{record.key} was already deleted.", changed=False)
                )
            else:
                self.host.post_message(DeleteChanged(current, str(conflict)))
        except (StoreError, OSError) as error:
            self.host.post_message(WriteFailed(describe_error(error)))
        else:
            self.host.post_message(RecordWritten(None, f"Deleted {record.key}."))


def clashes(shown: Record, current: Record, changes: Changes) -> str:
    """What ``current`` (saved by someone else) changed of the fields ``changes`` sets.

    Args:
        shown: the record as the user saw it when asking for the change.
        current: the record as it is stored now.
        changes: the field changes, or a function of the record that gives them.

    Returns:
        e.g. ``"state now done"``; "" when the change does not clash.
    """
    fields = changes(shown) if callable(changes) else changes
    return ", ".join(
        f"{name.replace('_', ' ')} now {_value_text(getattr(current, name, None))}"
        for name in fields
        if name not in APPENDED_FIELDS
        and getattr(shown, name, None) != getattr(current, name, None)
    )


def _value_text(value: object) -> str:
    return str(value).replace("_", " ") if value not in (None, "") else "empty"
