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
from clientdesk.store.kinds import kind_of
from clientdesk.store.paths import current_user
from clientdesk.tui.record_kinds import opener_of_form
from clientdesk.widgets.record_form import RecordForm

if TYPE_CHECKING:
    from clientdesk.store.models import Record
    from clientdesk.tui.app import ClientDeskApp


def open_form_draft(app: ClientDeskApp, signal_name: str) -> Draft | None:
    """The topmost open record form with unsaved changes, as a draft (None: there is none)."""
    from clientdesk.store.snapshot import dump_record

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


def keep_open_form(app: ClientDeskApp, data_path: Path | str, signal_name: str) -> Path | None:
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
    from clientdesk.store.snapshot import validate_record

    snapshot = app.snapshot
    found = opener_of_form(draft.form)
    if snapshot is None or found is None:
        return None
    ui, opener = found
    models = {model.TABLE: model for model in RECORD_TYPES}
    model = models.get(draft.kind)
    project = snapshot.get(Project, draft.project_id) if draft.project_id else None
    if (
        model is None
        or kind_of(model).name != ui.kind
        or (project is None and ui.kind != "project")
    ):
        return None
    record = None
    if draft.record is not None:
        try:
            # The version the form was opened on: a save meets any change
            # made since as a conflict.
            record = validate_record(model, dict(draft.record))
        except (ValueError, TypeError):  # an unreadable draft is not offered
            return None
    if project is not None:
        app.open_project(project.id)
        if ui.pane is not None:
            app.action_show_pane(ui.pane)
    opener(app, project, record)
    form = app.screen
    if isinstance(form, RecordForm) and type(form).__name__ == draft.form:
        return form
    return None


def offer_draft(app: ClientDeskApp, draft: Draft, data_path: Path | str) -> None:
    """Ask whether to open the form that was stopped before it was saved, with its typing.

    "Later" keeps the draft for the next start. A form that cannot be opened
    again (its project is gone), or a field it cannot show again, leaves what
    was typed in a file set aside, and the notice says where.
    """
    from clientdesk.store.drafts import discard_draft, set_aside
    from clientdesk.widgets.confirm_dialog import ConfirmDialog

    def answered(reopen: bool | None) -> None:
        if not reopen:
            app.notify(
                "The unsaved edit is kept: it is offered again at the next start.", markup=False
            )
            return
        form = reopen_form(app, draft)
        if form is None:
            aside = set_aside(data_path)
            kept = f"; what you typed is kept in {aside}" if aside else ""
            app.notify(
                f"Cannot open the form again ({draft.describe()}): its project is gone{kept}.",
                severity="warning",
                markup=False,
            )
            return

        def fill() -> None:
            missing = form.fill(draft.values)
            if not missing:
                discard_draft(data_path)
                return
            # What the form cannot show again stays readable, offered no more.
            aside = set_aside(data_path)
            names = ", ".join(name.replace("_", " ") for name in missing)
            app.notify(
                f"Not put back: {names}. What you typed there is kept in {aside}.",
                severity="warning",
                timeout=20,
                markup=False,
            )

        form.call_after_refresh(fill)

    app.push_screen(ConfirmDialog(question(draft), yes="Open", no="Later"), answered)
