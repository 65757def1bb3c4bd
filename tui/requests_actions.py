"""What the app does for the Requests pane: the form, status moves, comments, service levels.

:class:`RequestsActions` is handed what the pane asks
(:class:`~clientdesk.widgets.requests_pane.RequestsPane.MoveStatus`,
:class:`~clientdesk.widgets.requests_pane.RequestsPane.AddComment`) and opens
the form or dialog that fits; saves run in thread workers
(:class:`~clientdesk.tui.record_saves.RecordSaves`).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from clientdesk.store import clock
from clientdesk.tui.record_saves import Changes, RecordSaves
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from clientdesk.widgets.reason_dialog import ReasonDialog

if TYPE_CHECKING:
    from clientdesk.store.models import ClientRequest, Project, Record
    from clientdesk.tui.host import Host


class RequestsActions:
    """The Requests pane's side of the app: one per app."""

    def __init__(self, host: Host) -> None:
        """Act for ``host``: its repository, snapshot, screens and workers."""
        self.host = host
        """The app whose screens and workers are used."""
        self.saves = RecordSaves(host)
        """How a status move or a comment is saved."""

    def edit(self, project: Project, request: ClientRequest | None) -> None:
        """Open the request form on ``request`` (None: a new one in ``project``)."""
        from clientdesk.widgets.request_form import RequestForm

        snapshot = self.host.snapshot
        if snapshot is None:
            return
        repository = self.host.repository
        store = repository.update if request is not None else repository.add
        submitted: list[ClientRequest] = []

        def save(record: ClientRequest) -> ClientRequest:
            # Remember what the form sent: the notice about a cleared approval
            # needs the decision the user chose, not only the one saved.
            submitted.append(record)
            return store(record)

        form = RequestForm(
            request,
            save,
            project=project,
            snapshot=snapshot,
            now=clock.now(),
            subtitle=f"{project.key} {project.name}",
        )
        self.host.push_screen(form.reused(), partial(self._saved, request, submitted))

    def _saved(
        self,
        before: ClientRequest | None,
        submitted: list[ClientRequest],
        request: ClientRequest | None,
    ) -> None:
        if request is None:
            return
        self.host.notify(
            f"Saved request {request.key} ({self.host.undo_key} undoes).", markup=False
        )
        # The store clears an approval when the impact of an approved change is
        # edited; say so only then, not when the user set "pending" themselves.
        chosen = submitted[-1].decision if submitted else request.decision
        if (
            before is not None
            and before.decision == "approved"
            and chosen == before.decision
            and request.decision == "pending"
        ):
            self.host.notify(
                f"{request.key}: the approval was cleared because the impact changed.",
                severity="warning",
                markup=False,
            )
        self.host.reload(select_record=request.id)

    def move(self, request: ClientRequest, status: str) -> None:
        """Move ``request`` to ``status``: a reject asks why, a close asks first."""
        label = status.replace("_", " ")
        if status == "rejected":
            self.ask_reject_reason(request)
            return
        moved = f"{request.key}: {request.status.value.replace('_', ' ')} → {label}."
        if status != "closed":
            self.saves.save(request, {"status": status}, moved)
            return

        def confirmed(close: bool | None) -> None:
            if close:
                self.saves.save(request, {"status": status}, moved)

        # Closed is final: a closed request cannot be reopened.
        self.host.push_screen(
            ConfirmDialog(
                f"Close {request.key} for good? A closed request cannot be reopened.",
                yes="Close request",
                no="Keep it resolved",
            ),
            confirmed,
        )

    def ask_reject_reason(self, request: ClientRequest) -> None:
        """Ask why ``request`` is rejected, then reject it."""
        self.saves.save_with_text(
            request,
            ReasonDialog(
                f"Why is request {request.key} rejected?",
                placeholder="e.g. out of the contract's scope",
            ),
            lambda reason: {"status": "rejected", "reject_reason": reason},
            f"Rejected {request.key}.",
        )

    def ask_comment(self, request: ClientRequest) -> None:
        """Ask for a comment and add it to ``request``'s log."""

        def appended(text: str) -> Changes:
            def to(record: Record) -> dict[str, Any]:
                # Built from the record it is saved on, so that after a conflict
                # the comment is appended to the newer log, not to the one shown.
                # The store keeps the stored log and stamps the appended entry.
                assert isinstance(record, type(request))
                log = [comment.model_dump(mode="json") for comment in record.comments]
                return {"comments": [*log, {"text": text}]}

            return to

        self.saves.save_with_text(
            request,
            ReasonDialog(
                f"Comment on request {request.key}",
                placeholder="e.g. called the client, they send the file Friday",
                missing="a comment is needed",
            ),
            appended,
            f"Comment added to {request.key}.",
            redone="your comment was added to the new version",
        )

    def edit_service_levels(self, project: Project) -> None:
        """Edit ``project``'s service levels (response times, working week, holidays)."""
        from clientdesk.widgets.service_level_form import ServiceLevelForm

        form = ServiceLevelForm(project, self.host.repository.update)
        self.host.push_screen(form, self._service_levels_saved)

    def _service_levels_saved(self, project: Project | None) -> None:
        if project is None:
            return
        self.host.notify(
            f"Saved the service levels of {project.key} ({self.host.undo_key} undoes).",
            markup=False,
        )
        self.host.reload()
