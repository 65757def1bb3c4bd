"""What the app does for the Closing pane: its forms, the checklist's states, closing the project.

:class:`ClosingActions` is handed what the pane asks
(:class:`~clientdesk.widgets.closing_pane.ClosingPane.SetItemState`,
``ReorderItems``, ``CloseProject``, ``ReopenProject``, ``WriteReport``) and
opens the dialog that fits; saves and the report run in thread workers.

Closing a project whose meetings are still scheduled offers, in the close
dialog, to call them off: they are cancelled in one undoable change, the
attendees are e-mailed (when a mail server is set up), and only then is the
project closed (a closed project sends nothing).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clientdesk.store import clock
from clientdesk.store.errors import NotFoundError, StoreError, describe_error
from clientdesk.store.paths import current_user
from clientdesk.store.text import counted
from clientdesk.tui.attendee_mail import AttendeeMail, Sending
from clientdesk.tui.output_guard import GuardedApp
from clientdesk.tui.record_saves import RecordSaves, RecordWritten, WriteFailed
from clientdesk.widgets.actions import key_of
from clientdesk.widgets.close_dialog import CloseBlockedDialog
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from clientdesk.widgets.reason_dialog import ReasonDialog

if TYPE_CHECKING:
    from clientdesk.store.cancellations import StillScheduled
    from clientdesk.store.models import ChecklistItem, Project, Record
    from clientdesk.tui.host import Host
    from clientdesk.widgets.checklist_dialog import Tick


class ClosingActions:
    """The Closing pane's side of the app: one per app."""

    def __init__(self, host: Host) -> None:
        """Act for ``host``: its repository, snapshot, screens and workers."""
        self.host = host
        """The app whose screens and workers are used."""
        self.saves = RecordSaves(host)
        """How a tick, a waiver or a close is saved."""
        self.mail = AttendeeMail(host)
        """How the attendees of meetings called off at the close are told."""

    # -- forms -----------------------------------------------------------------------

    def edit(self, project: Project, view: str, record: Record | None) -> None:
        """Open the form of a checklist item, lesson or follow-on action (``view``).

        Args:
            project: the record's project.
            view: ``checklist``, ``lessons`` or ``follow_ons``.
            record: the record to edit (None: a new one).
        """
        from clientdesk.store.models import ChecklistItem
        from clientdesk.widgets.checklist_item_form import ChecklistItemForm
        from clientdesk.widgets.follow_on_form import FollowOnForm
        from clientdesk.widgets.lesson_form import LessonForm
        from clientdesk.widgets.record_form import RecordForm

        snapshot = self.host.snapshot
        if snapshot is None:
            return
        forms: dict[str, type[RecordForm[Any]]] = {
            "checklist": ChecklistItemForm,
            "lessons": LessonForm,
            "follow_ons": FollowOnForm,
        }
        fixed: dict[str, Any] = {"project_id": project.id}
        if view == "checklist" and record is None:
            # A new item goes to the end of the checklist.
            items = snapshot.of_project(ChecklistItem, project.id)
            fixed["position"] = max((item.position for item in items), default=0) + 1
        repository = self.host.repository
        save = repository.update if record is not None else repository.add
        form = forms[view](record, save, fixed=fixed, subtitle=f"{project.key} {project.name}")
        self.host.push_screen(form.reused(), self._saved)

    def _saved(self, record: Record | None) -> None:
        if record is None:
            return
        self.host.notify(
            f"Saved {type(record).LABEL} {record.key} ({self.host.undo_key} undoes).", markup=False
        )
        self.host.reload(select_record=record.id)

    # -- the checklist -----------------------------------------------------------------

    def set_item_state(self, item: ChecklistItem, state: str) -> None:
        """Open, waive (asking why) or tick (asking for the evidence) ``item``."""
        if state == "open":
            # Open again: no stale stamp, evidence or score of the tick or waiver it undoes.
            changes = {
                "state": state, "done_by": "", "done_at": None, "evidence": "",
                "waive_reason": "", "score": None,
            }  # fmt: skip
            self.saves.save(item, changes, f"{item.key} is open again.")
        elif state == "waived":
            self.ask_waive_reason(item)
        else:
            self.ask_tick(item)

    def ask_waive_reason(self, item: ChecklistItem) -> None:
        """Ask why ``item`` is waived, then waive it."""
        self.saves.save_with_text(
            item,
            ReasonDialog(
                f"Why is {item.key} ({item.title}) waived?",
                placeholder="e.g. fixed-price contract: no purchase orders",
            ),
            lambda reason: {
                "state": "waived",
                "waive_reason": reason,
                "done_by": "",
                "done_at": None,
            },
            f"Waived {item.key}.",
        )

    def ask_tick(self, item: ChecklistItem, given: Tick | None = None) -> None:
        """Ask for the evidence (and score) of ``item``, then tick it (``given``: already in)."""
        from clientdesk.widgets.checklist_dialog import ChecklistDialog

        def ticked(tick: Tick | None) -> None:
            if tick is not None:
                changes = {
                    "state": "done",
                    "done_by": current_user(),
                    "done_at": clock.now().isoformat(),
                    "evidence": tick.evidence,
                    "waive_reason": "",
                    "score": tick.score if item.asks_score else item.score,
                }
                self.saves.save(
                    item,
                    changes,
                    f"Ticked {item.key}.",
                    ask_again=partial(self.ask_tick, item, tick),
                )

        dialog = ChecklistDialog(item.key, item.title, asks_score=item.asks_score, given=given)
        self.host.push_screen(dialog, ticked)

    def reorder(self, moved: ChecklistItem, positions: list[tuple[ChecklistItem, int]]) -> None:
        """Save the new positions of the checklist items in one batch (in a worker).

        Keys typed meanwhile wait for it, as for any save: a second move typed in
        a burst starts from the order this one saved, not from the one it replaced.
        """
        self.saves.write(partial(self._reorder, moved, positions))

    def _reorder(self, moved: ChecklistItem, positions: list[tuple[ChecklistItem, int]]) -> None:
        try:
            from clientdesk.store.snapshot import dump_record, validate_record
            from clientdesk.store.write_rules import Change

            changes = [
                Change.update(validate_record(type(item), {**dump_record(item), "position": at}))
                for item, at in positions
            ]
            saved = self.host.repository.apply(changes)
        except (StoreError, OSError) as error:
            self.host.post_message(WriteFailed(describe_error(error)))
        else:
            record = next((r for r in saved if r is not None and r.id == moved.id), moved)
            self.host.post_message(RecordWritten(record, f"Moved {moved.key}."))

    # -- the project ---------------------------------------------------------------------

    def close_project(self, project: Project) -> None:
        """Close ``project`` after asking; with gates failing, only with a recorded reason.

        Meetings still planned keep the meetings gate shut: when they are all
        that blocks, the question is whether to cancel them (e-mailing the
        attendees) and close; with other gates failing too, the dialog offers
        it as a box to tick before the override.
        """
        from clientdesk.store.cancellations import still_scheduled
        from clientdesk.store.closing import closing_gates
        from clientdesk.store.models import Meeting

        snapshot = self.host.snapshot
        if snapshot is None:
            return
        now = clock.now()
        gates = closing_gates(snapshot, project, now)
        planned = still_scheduled(snapshot.of_project(Meeting, project.id), now)
        closing = {"closed_at": now.isoformat()}
        failing = {gate.name for gate in gates if not gate.passed}
        if not failing or (failing == {"meetings"} and planned):
            if planned:
                question = (
                    f"{project.key} still has {counted(len(planned), 'meeting')} planned "
                    f"({_keys(planned)}): it closes once they are cancelled. Cancel them "
                    f"and close {project.key} ({project.name})? {self._telling(planned)}. "
                    "It is read-only until it is reopened."
                )
                yes = "Cancel them and close"
            else:
                question = (
                    f"Every gate passes. Close project {project.key} ({project.name})? "
                    "It is read-only until it is reopened."
                )
                yes = "Close project"

            def confirmed(close: bool | None) -> None:
                if close:
                    self._close(project, closing, f"Closed {project.key}", planned, planned)

            self.host.push_screen(ConfirmDialog(question, yes=yes, no="Cancel"), confirmed)
            return
        option = f"Cancel the {counted(len(planned), 'meeting')} still planned" if planned else ""
        note = f"{_keys(planned)}: {self._telling(planned).lower()}" if planned else ""
        blocked = CloseBlockedDialog(project.key, gates, option=option, option_note=note)

        def answered(override: bool | None) -> None:
            if override:
                calling_off = planned if blocked.option_chosen else []
                self.ask_override_reason(project, planned, calling_off)

        self.host.push_screen(blocked, answered)

    def _telling(self, planned: list[StillScheduled]) -> str:
        """What cancelling ``planned`` tells the attendees, as a sentence without its stop."""
        if not any(item.attendees_to_tell for item in planned):
            return "Drafts never sent: nobody is e-mailed"
        if self.mail.can_send:
            return "The attendees are e-mailed the cancellations first"
        return "No mail server is set up, so nothing is sent to the attendees"

    def ask_override_reason(
        self,
        project: Project,
        scheduled: list[StillScheduled] | None = None,
        calling_off: list[StillScheduled] | None = None,
    ) -> None:
        """Ask why ``project`` closes although gates fail, then close it with that reason.

        Args:
            project: the project to close.
            scheduled: its meetings still scheduled (the notice names those that stay).
            calling_off: those of them to cancel (and tell the attendees) before closing.
        """
        dialog = ReasonDialog(
            f"Why close {project.key} although gates fail? The reason is recorded.",
            placeholder="e.g. client accepted; open requests go to support",
        )

        def given(reason: str | None) -> None:
            if reason:
                changes = {"closed_at": clock.now().isoformat(), "close_override_reason": reason}
                done = f"Closed {project.key} with an override (the reason is recorded)"
                self._close(project, changes, done, scheduled or [], calling_off or [])

        self.host.push_screen(dialog, given)

    def _close(
        self,
        project: Project,
        changes: dict[str, Any],
        done: str,
        scheduled: list[StillScheduled],
        calling_off: list[StillScheduled],
    ) -> None:
        """Close ``project`` with ``changes``; first call off ``calling_off``, telling attendees."""
        if not calling_off:
            stay = ""
            if scheduled:
                count = counted(len(scheduled), "meeting")
                are = "stays" if len(scheduled) == 1 else "stay"
                stay = f"; {count} {are} planned ({_keys(scheduled)})"
            self.saves.save(project, changes, f"{done}{stay}.")
            return
        hold = self.host.hold_keys_for_write()

        def then_free_the_keys() -> None:
            try:
                self._call_off_and_close(project, changes, done, calling_off)
            finally:
                self.host.post_message(GuardedApp.KeysFree(hold))

        self.host.run_worker(then_free_the_keys, thread=True, group="store", exclusive=False)

    def _call_off_and_close(
        self,
        project: Project,
        changes: dict[str, Any],
        done: str,
        calling_off: list[StillScheduled],
    ) -> None:
        """Cancel the meetings (one undoable change), tell the attendees, then close (a worker).

        The attendees are e-mailed before the close, as a closed project sends
        nothing; when the mail fails, the project stays open so that the
        cancellations can still be sent.
        """
        from clientdesk.store.cancellations import still_scheduled
        from clientdesk.store.models import Meeting
        from clientdesk.store.models import Project as ProjectRecord
        from clientdesk.store.snapshot import dump_record, validate_record
        from clientdesk.store.write_rules import Change

        undo = self.host.undo_key
        try:
            # As stored now: a colleague may have cancelled or moved one meanwhile.
            snapshot = self.host.repository.snapshot()
            wanted = {item.meeting.id for item in calling_off}
            meetings = [m for m in snapshot.of_project(Meeting, project.id) if m.id in wanted]
            still = still_scheduled(meetings, clock.now())
            if still:
                self.host.repository.apply([Change.update(item.called_off()) for item in still])
        except (StoreError, OSError) as error:
            self.host.post_message(
                WriteFailed(f"nothing was cancelled or closed: {describe_error(error)}")
            )
            return
        cancelled = f"cancelled {_keys(still)}" if still else "no meeting was left to cancel"
        first_words = cancelled[:1].upper() + cancelled[1:]  # where a sentence starts with it
        sendings = [_sending(item) for item in still if item.attendees_to_tell]
        told = ""
        if sendings and self.mail.can_send:
            sent = self.mail.send(project, sendings)
            if sent.failed:
                self.host.post_message(
                    WriteFailed(
                        f"{first_words} ({undo} brings them back); {sent.line}. "
                        f"{project.key} stays open so that they can be sent "
                        f"({key_of('calendar.show_cancelled')} in the Calendar shows cancelled "
                        "meetings); then close it"
                    )
                )
                return
            told = f" {sent.line}."
        elif sendings:
            told = (
                " Nothing was sent to the attendees (no mail server is set up): reopen "
                f"{project.key} ({key_of('closing.reopen_project')}) to send the "
                f"cancellations ({key_of('calendar.send')} in the Calendar, or clientdesk "
                "send-invite)."
            )
        try:
            current = self.host.repository.snapshot().get(ProjectRecord, project.id)
            if current is None:
                raise NotFoundError("the project was deleted by someone else")
            closed = self.host.repository.update(
                validate_record(ProjectRecord, {**dump_record(current), **changes})
            )
        except (StoreError, OSError) as error:
            self.host.post_message(
                WriteFailed(
                    f"{first_words}.{told} But {project.key} was not closed: "
                    f"{describe_error(error)}"
                )
            )
            return
        # Once a cancellation went out, the meeting carries its sending: undo cannot take
        # the cancel back over it (the attendees have it), so only the close is promised.
        sent_any = bool(sendings) and self.mail.can_send
        back = f"{undo} reopens it" + ("" if sent_any or not still else ", then brings them back")
        text = f"{done} and {cancelled} ({back}).{told}"
        self.host.post_message(RecordWritten(closed, text))

    def reopen_project(self, project: Project) -> None:
        """Reopen ``project`` after asking."""

        def confirmed(reopen: bool | None) -> None:
            if reopen:
                changes = {"closed_at": None}
                self.saves.save(project, changes, f"Reopened {project.key}.")

        self.host.push_screen(
            ConfirmDialog(
                f"Reopen project {project.key} ({project.name})? Its records can be changed "
                "again; the reopening is recorded.",
                yes="Reopen",
                no="Keep closed",
            ),
            confirmed,
        )

    def write_report(self, project: Project, directory: Path | None = None) -> None:
        """Write the closing report of ``project`` in ``directory`` (default: the current one)."""
        work = partial(self._write_report, project.id, directory or Path.cwd())
        self.host.run_worker(work, thread=True, group="files", exclusive=False)

    def _write_report(self, project_id: str, directory: Path) -> None:
        """Write ``<KEY>-closing-report.md`` in ``directory`` from the store as it is now.

        An earlier report is kept: the new one goes to ``<KEY>-closing-report-2.md``
        (``-3``, ...), and the notice says where.
        """
        try:
            from clientdesk.store.models import Project
            from clientdesk.store.report import closing_report
            from clientdesk.store.storage import write_new_file

            snapshot = self.host.repository.snapshot()
            project = snapshot.get(Project, project_id)
            if project is None:
                raise NotFoundError("the project was deleted by someone else")
            report = closing_report(snapshot, project, clock.now())
            # A new name, never over another file: a reader never sees half a report.
            target = write_new_file(
                directory, f"{project.key}-closing-report", ".md", report.encode("utf-8")
            )
        except (StoreError, OSError) as error:
            message = f"cannot write the closing report: {describe_error(error)}"
            self.host.post_message(WriteFailed(message))
        else:
            text = f"Wrote the closing report of {project.key} to {target.resolve()}"
            self.host.call_from_thread(self.host.notify, text, markup=False)


def _keys(scheduled: list[StillScheduled], listed: int = 5) -> str:
    """``MTG-1, MTG-4``: the meetings' keys in order, the first ``listed`` and "+N more"."""
    keys = sorted((item.meeting.key for item in scheduled), key=_key_order)
    more = f", +{len(keys) - listed} more" if len(keys) > listed else ""
    return ", ".join(keys[:listed]) + more


def _sending(item: StillScheduled) -> Sending:
    """What the attendees of a meeting called off at the close get."""
    key = item.meeting.key
    if item.ends_series:
        what = f"the update of {key} (the series ends)"
        return Sending(key, cancel=False, occurrence=None, what=what)
    return Sending(key, cancel=True, occurrence=None, what=f"the cancellation of {key}")


def _key_order(key: str) -> tuple[str, int]:
    """``MTG-9`` before ``MTG-10``, as the gates list them."""
    prefix, _, number = key.rpartition("-")
    return prefix, int(number) if number.isdigit() else 0
