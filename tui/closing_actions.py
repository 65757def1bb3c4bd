"""What the app does for the Closing pane: its forms, the checklist's states, closing the project.

:class:`ClosingActions` is handed what the pane asks
(:class:`~clientdesk.widgets.closing_pane.ClosingPane.SetItemState`,
``ReorderItems``, ``CloseProject``, ``ReopenProject``, ``WriteReport``) and
opens the dialog that fits; saves and the report run in thread workers.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clientdesk.store import clock
from clientdesk.store.errors import NotFoundError, StoreError, describe_error
from clientdesk.store.paths import current_user
from clientdesk.tui.record_saves import RecordSaves, RecordWritten, WriteFailed
from clientdesk.widgets.close_dialog import CloseBlockedDialog
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from clientdesk.widgets.reason_dialog import ReasonDialog

if TYPE_CHECKING:
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
        self.host.push_screen(form, self._saved)

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
        """Save the new positions of the checklist items in one batch (in a worker)."""
        work = partial(self._reorder, moved, positions)
        self.host.run_worker(work, thread=True, group="store", exclusive=False)

    def _reorder(self, moved: ChecklistItem, positions: list[tuple[ChecklistItem, int]]) -> None:
        try:
            from clientdesk.store.repository import Change, dump_record, validate_record

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
        """Close ``project`` after asking; with gates failing, only with a recorded reason."""
        from clientdesk.store.closing import closing_gates

        snapshot = self.host.snapshot
        if snapshot is None:
            return
        gates = closing_gates(snapshot, project, clock.now())
        closing = {"closed_at": clock.now().isoformat()}
        if all(gate.passed for gate in gates):

            def confirmed(close: bool | None) -> None:
                if close:
                    self.saves.save(project, closing, f"Closed {project.key}.")

            self.host.push_screen(
                ConfirmDialog(
                    f"Every gate passes. Close project {project.key} ({project.name})? "
                    "It is read-only until it is reopened.",
                    yes="Close project",
                    no="Cancel",
                ),
                confirmed,
            )
            return

        def answered(override: bool | None) -> None:
            if override:
                self.ask_override_reason(project)

        self.host.push_screen(CloseBlockedDialog(project.key, gates), answered)

    def ask_override_reason(self, project: Project) -> None:
        """Ask why ``project`` closes although gates fail, then close it with that reason."""
        self.saves.save_with_text(
            project,
            ReasonDialog(
                f"Why close {project.key} although gates fail? The reason is recorded.",
                placeholder="e.g. client accepted; open requests go to support",
            ),
            lambda reason: {"closed_at": clock.now().isoformat(), "close_override_reason": reason},
            f"Closed {project.key} with an override (the reason is recorded).",
        )

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
