"""Keep the open form's typing when a signal stops the app, and offer it back on the next start.

SIGHUP (the SSH connection dropped) and SIGTERM (a ``kill``, a shutdown) end the
app at once. A save already in flight finishes or leaves the old file (saves are
atomic); what a form holds but nobody saved yet is kept by
:func:`keep_open_form` in a draft file (:mod:`clientdesk.store.drafts`). The
next start on the same data file asks whether to open that form again with the
text typed (:func:`reopen_form`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from clientdesk.store import clock
from clientdesk.store.drafts import Draft, keep_draft
from clientdesk.store.paths import current_user
from clientdesk.widgets.record_form import RecordForm

if TYPE_CHECKING:
    from clientdesk.store.models import Project, Record
    from clientdesk.tui.app import ClientDeskApp


def open_form_draft(app: ClientDeskApp, signal_name: str) -> Draft | None:
    """The topmost open record form with unsaved changes, as a draft (None: there is none)."""
    from clientdesk.store.repository import dump_record

    for screen in reversed(app.screen_stack):
        if not isinstance(screen, RecordForm) or not screen.is_mounted:
            continue
        if not screen.has_changes:
            return None
        record: Record | None = screen.record
        project_id = str(
            getattr(record, "project_id", None)
            or (record.id if record is not None and record.TABLE == "projects" else "")
            or screen.fixed.get("project_id", "")
            or (app.project_id or "")
        )
        return Draft(
            user=current_user(),
            form=type(screen).__name__,
            kind=screen.RECORD_TYPE.TABLE,
            project_id=project_id,
            record=dump_record(record) if record is not None else None,
            key=record.key if record is not None else "",
            values=screen.values(),
            stopped_at=clock.now(),
            signal=signal_name,
        )
    return None


def keep_open_form(app: ClientDeskApp, data_path: Path, signal_name: str) -> Path | None:
    """Keep the open form's unsaved text for the next start; return the draft's path.

    Never raises: the app is stopping, and nothing may stand in its way.
    """
    try:
        draft = open_form_draft(app, signal_name)
        if draft is None:
            return None
        return keep_draft(data_path, draft)
    except Exception:  # a failed draft must not keep a dying app alive
        return None


def question(draft: Draft) -> str:
    """What the next start asks about ``draft``."""
    local = draft.stopped_at.astimezone()
    how = f" ({draft.signal})" if draft.signal else ""
    return (
        f"clientdesk was stopped{how} on {local:%Y-%m-%d at %H:%M} before "
        f"{draft.describe()} was saved. Open the form again with what you typed?"
    )


def reopen_form(app: ClientDeskApp, draft: Draft) -> RecordForm[Any] | None:
    """Open the draft's form again, on the record as it was (not yet filled).

    Returns:
        The form, to be filled with :meth:`RecordForm.fill` once mounted; None
        when it cannot be opened (its project is gone, or the form is not one
        this version knows).
    """
    from clientdesk.store.models import RECORD_TYPES, Project
    from clientdesk.store.repository import validate_record
    from clientdesk.tui.app import pane_of

    snapshot = app.snapshot
    if snapshot is None:
        return None
    kinds = {kind.TABLE: kind for kind in RECORD_TYPES}
    kind = kinds.get(draft.kind)
    project = snapshot.get(Project, draft.project_id) if draft.project_id else None
    if kind is None or (project is None and draft.form != "ProjectForm"):
        return None
    record = None
    if draft.record is not None:
        try:
            # The version the form was opened on: a save meets any change
            # made since as a conflict.
            record = validate_record(kind, dict(draft.record))
        except (ValueError, TypeError):  # an unreadable draft is not offered
            return None
    if project is not None:
        app._open(project.id)
        pane_id = pane_of(record) if record is not None else _PANE_OF_FORM.get(draft.form)
        if pane_id is not None:
            app.action_show_pane(pane_id)
    if not _open(app, draft.form, project, record):
        return None
    form = app.screen
    if isinstance(form, RecordForm) and type(form).__name__ == draft.form:
        return form
    return None


_PANE_OF_FORM = {
    "RequestForm": "requests",
    "RiskForm": "risks",
    "ChecklistItemForm": "closing",
    "LessonForm": "closing",
    "FollowOnForm": "closing",
    "MeetingForm": "calendar",
    "PlanItemForm": "calendar",
}
"""The pane behind a new record's form."""


def _open(app: ClientDeskApp, form: str, project: Project | None, record: Any) -> bool:
    from clientdesk.widgets.project_form import ProjectForm
    from clientdesk.widgets.service_level_form import ServiceLevelForm

    if form == "ProjectForm":
        save = app.repository.update if record is not None else app.repository.add
        app.push_screen(ProjectForm(record, save), app._project_saved)
        return True
    if project is None:
        return False
    if form == "ServiceLevelForm":
        app.push_screen(ServiceLevelForm(record or project, app.repository.update))
        return True
    openers = {
        "RequestForm": lambda: app._edit_request(project, record),
        "RiskForm": lambda: app._edit_risk(project, record),
        "ChecklistItemForm": lambda: app._closing_form(project, "checklist", record),
        "LessonForm": lambda: app._closing_form(project, "lessons", record),
        "FollowOnForm": lambda: app._closing_form(project, "follow_ons", record),
        "MeetingForm": lambda: app.calendar.edit_meeting(project, record),
        "PlanItemForm": lambda: app.calendar.edit_plan_item(project, record),
        "ContactForm": lambda: app._edit_contact(project, record),
    }
    opener = openers.get(form)
    if opener is None:
        return False
    opener()
    return True
