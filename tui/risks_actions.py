"""What the app does for the Risks pane: the form, status moves, an occurred risk's follow-up.

:class:`RisksActions` is handed what the pane asks
(:class:`~clientdesk.widgets.risks_pane.RisksPane.MoveStatus`) and, once a
risk is saved as occurred, offers to raise a change request or a review
meeting linked to it. Saves run in thread workers.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from clientdesk.store import clock
from clientdesk.store.errors import StoreError, describe_error
from clientdesk.tui.record_saves import RecordSaves, RecordWritten, WriteFailed
from clientdesk.widgets.follow_up_dialog import FollowUpDialog
from clientdesk.widgets.reason_dialog import ReasonDialog

if TYPE_CHECKING:
    from clientdesk.store.models import Project, Risk
    from clientdesk.tui.host import Host


class RisksActions:
    """The Risks pane's side of the app: one per app."""

    def __init__(self, host: Host) -> None:
        """Act for ``host``: its repository, snapshot, screens and workers."""
        self.host = host
        """The app whose screens and workers are used."""
        self.saves = RecordSaves(host)
        """How a status move is saved."""

    def edit(self, project: Project, risk: Risk | None) -> None:
        """Open the risk form on ``risk`` (None: a new one in ``project``)."""
        from clientdesk.widgets.risk_form import RiskForm

        repository = self.host.repository
        save = repository.update if risk is not None else repository.add
        form = RiskForm(
            risk,
            save,
            fixed={"project_id": project.id},
            subtitle=f"{project.key} {project.name}",
        )
        self.host.push_screen(form.reused(), self._saved)

    def _saved(self, risk: Risk | None) -> None:
        if risk is None:
            return
        self.host.notify(
            f"Saved risk {risk.key} (score {risk.score}, {risk.band}) "
            f"({self.host.undo_key} undoes).",
            markup=False,
        )
        self.host.reload(select_record=risk.id)

    def move(self, risk: Risk, status: str) -> None:
        """Move ``risk`` to ``status``; closing it asks why."""
        if status != "closed":
            moved = f"{risk.key}: {risk.status.value} → {status}."
            self.saves.save(risk, {"status": status}, moved)
            return
        self.ask_close_reason(risk)

    def ask_close_reason(self, risk: Risk) -> None:
        """Ask why ``risk`` is closed, then close it."""
        self.saves.save_with_text(
            risk,
            ReasonDialog(f"Why is risk {risk.key} closed?", placeholder="e.g. contract signed"),
            lambda reason: {"status": "closed", "close_reason": reason},
            f"Closed {risk.key}.",
        )

    # -- an occurred risk ----------------------------------------------------------------

    def offer_follow_up(self, risk: Risk) -> None:
        """A risk occurred: offer to raise a change request or a review meeting linked to it."""

        def answered(follow_up: str | None) -> None:
            if follow_up == "request":
                self._run(partial(self._raise_request, risk))
            elif follow_up == "meeting" and self.host.snapshot is not None:
                from clientdesk.store.models import Project

                project = self.host.snapshot.get(Project, risk.project_id)
                if project is not None:
                    self._run(partial(self._raise_meeting, risk, project))

        self.host.push_screen(
            FollowUpDialog(
                f"{risk.key} occurred. Raise a change request or a review meeting linked to it?"
            ),
            answered,
        )

    def _run(self, work: partial[None]) -> None:
        self.host.run_worker(work, thread=True, group="store", exclusive=False)

    def _raise_request(self, risk: Risk) -> None:
        """Add a change request that links to ``risk`` (a worker; it appears in Requests)."""
        try:
            from clientdesk.store.follow_ups import request_for_occurred_risk

            saved = self.host.repository.add(request_for_occurred_risk(risk, clock.now()))
        except (StoreError, OSError) as error:
            self.host.post_message(WriteFailed(describe_error(error)))
        else:
            text = f"Raised {saved.key} (Requests pane) for {risk.key}."
            self.host.post_message(RecordWritten(saved, text, select=False))

    def _raise_meeting(self, risk: Risk, project: Project) -> None:
        """Add a draft review meeting that links to ``risk`` (a worker; it appears in Calendar)."""
        try:
            from clientdesk.store.follow_ups import meeting_for_occurred_risk

            saved = self.host.repository.add(meeting_for_occurred_risk(risk, project, clock.now()))
        except (StoreError, OSError) as error:
            self.host.post_message(WriteFailed(describe_error(error)))
        else:
            text = f"Raised {saved.key} (Calendar pane) for {risk.key}."
            self.host.post_message(RecordWritten(saved, text, select=False))
