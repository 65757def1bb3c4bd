"""Where each kind of record lives in the app: its pane, the view within it, its form, its opener.

The store declares the kinds (:mod:`clientdesk.store.kinds`: model, command-line
names, list columns); this module adds what only the app knows, keyed by the
same kind name. The panes, the draft recovery and the closing gates' blockers
look a record up here instead of asking ``isinstance`` kind by kind.

It stays light at import: the app imports it before its first paint, and the
forms and the record models load pydantic. A form is named as
``"module:Class"`` and imported when it is opened (:func:`form_class`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from clientdesk.store.kinds import kind_named, kind_of
from clientdesk.widgets.calendar_pane import CalendarPane
from clientdesk.widgets.closing_pane import ClosingPane
from clientdesk.widgets.record_table_pane import RecordTablePane
from clientdesk.widgets.requests_pane import RequestsPane
from clientdesk.widgets.risks_pane import RisksPane

if TYPE_CHECKING:
    from clientdesk.store.models import Project, Record
    from clientdesk.store.snapshot import Snapshot
    from clientdesk.tui.app import ClientDeskApp
    from clientdesk.widgets.record_form import RecordForm

PANES: dict[str, tuple[str, type[RecordTablePane]]] = {
    "calendar": ("Calendar", CalendarPane),
    "requests": ("Requests", RequestsPane),
    "risks": ("Risks", RisksPane),
    "closing": ("Closing", ClosingPane),
}
"""The four panes by id: their title and widget class, in tab order."""

Opener = Callable[["ClientDeskApp", "Project | None", Any], None]
"""Opens a form in the app: ``opener(app, project, record)``, record None for a new one.

For a project, ``record`` is the project (None: a new one); for any other kind,
``project`` is the record's project, and without one the opener does nothing.
"""


@dataclass(frozen=True)
class RecordUi:
    """What the app knows of one kind of record."""

    kind: str
    """The kind's name in :mod:`clientdesk.store.kinds` (``request``, ``follow-on``)."""

    form: str
    """The form that adds and edits it, as ``"module:Class"`` (imported when opened)."""

    open: Opener
    """Opens :attr:`form` on a record of the kind, or on a new one."""

    pane: str | None = None
    """The id of the pane that lists it (a key of :data:`PANES`); None: no pane does."""

    views: tuple[str, ...] = ()
    """The views of :attr:`pane` that show it, the one to show it in first; empty: the pane
    has one view. ``n`` in any of them adds one of this kind."""

    more_forms: tuple[tuple[str, Opener], ...] = ()
    """Other forms that edit the kind (a project's service levels), with their openers."""

    @property
    def view(self) -> str | None:
        """The view of :attr:`pane` to show a record of this kind in (None: the pane's only)."""
        return self.views[0] if self.views else None

    @property
    def form_name(self) -> str:
        """The class name of :attr:`form`, as a draft names the form it kept."""
        return self.form.rpartition(":")[2]


# -- the openers: each hands a record to the part of the app that edits its kind ----------
# They are the one place outside the app that names its form-opening methods:
# moving a kind's forms to another part of the app changes its opener here.


def _open_project(app: ClientDeskApp, project: Project | None, record: Any) -> None:
    from clientdesk.widgets.project_form import ProjectForm

    save = app.repository.update if record is not None else app.repository.add
    app.push_screen(ProjectForm(record, save).reused(), app.projects.saved)


def _open_service_levels(app: ClientDeskApp, project: Project | None, record: Any) -> None:
    # The form edits the project as given (a draft's version): a change made
    # since meets it as a conflict.
    edited = record if record is not None else project
    if edited is not None:
        app.requests.edit_service_levels(edited)


def _open_contact(app: ClientDeskApp, project: Project, record: Any) -> None:
    app.contacts.edit(project, record)


def _open_plan_item(app: ClientDeskApp, project: Project, record: Any) -> None:
    app.calendar.edit_plan_item(project, record)


def _open_meeting(app: ClientDeskApp, project: Project, record: Any) -> None:
    app.calendar.edit_meeting(project, record)


def _open_request(app: ClientDeskApp, project: Project, record: Any) -> None:
    app.requests.edit(project, record)


def _open_risk(app: ClientDeskApp, project: Project, record: Any) -> None:
    app.risks.edit(project, record)


def _open_in_closing(view: str) -> Callable[[ClientDeskApp, Project, Any], None]:
    def open_view(app: ClientDeskApp, project: Project, record: Any) -> None:
        app.closing.edit(project, view, record)

    return open_view


def _of_project(open_form: Callable[[ClientDeskApp, Project, Any], None]) -> Opener:
    """An opener for a kind that belongs to a project: without one it does nothing."""

    def opener(app: ClientDeskApp, project: Project | None, record: Any) -> None:
        if project is not None:
            open_form(app, project, record)

    return opener


UI_KINDS: tuple[RecordUi, ...] = (
    RecordUi(
        "project",
        "clientdesk.widgets.project_form:ProjectForm",
        _open_project,
        more_forms=(
            ("clientdesk.widgets.service_level_form:ServiceLevelForm", _open_service_levels),
        ),
    ),
    RecordUi(
        "contact",
        "clientdesk.widgets.contact_form:ContactForm",
        _of_project(_open_contact),
    ),
    RecordUi(
        "plan",
        "clientdesk.widgets.plan_item_form:PlanItemForm",
        _of_project(_open_plan_item),
        pane="calendar",
        views=("plan",),
    ),
    RecordUi(
        "meeting",
        "clientdesk.widgets.meeting_form:MeetingForm",
        _of_project(_open_meeting),
        pane="calendar",
        views=("agenda", "week", "meetings"),
    ),
    RecordUi(
        "request",
        "clientdesk.widgets.request_form:RequestForm",
        _of_project(_open_request),
        pane="requests",
    ),
    RecordUi(
        "risk",
        "clientdesk.widgets.risk_form:RiskForm",
        _of_project(_open_risk),
        pane="risks",
    ),
    RecordUi(
        "checklist",
        "clientdesk.widgets.checklist_item_form:ChecklistItemForm",
        _of_project(_open_in_closing("checklist")),
        pane="closing",
        views=("checklist",),
    ),
    RecordUi(
        "lesson",
        "clientdesk.widgets.lesson_form:LessonForm",
        _of_project(_open_in_closing("lessons")),
        pane="closing",
        views=("lessons",),
    ),
    RecordUi(
        "follow-on",
        "clientdesk.widgets.follow_on_form:FollowOnForm",
        _of_project(_open_in_closing("follow_ons")),
        pane="closing",
        views=("follow_ons",),
    ),
)
"""Every kind the app edits in a form (a sent status report is never edited)."""

_BY_KIND = {ui.kind: ui for ui in UI_KINDS}

BLOCKER_PANES: Mapping[str, str] = {ui.kind: ui.pane for ui in UI_KINDS if ui.pane}
"""The pane that lists each kind by its name, as a closing gate's blocker names its kind."""


def ui_of(kind: str) -> RecordUi | None:
    """What the app knows of the kind named ``kind`` (None: the app has no form for it)."""
    return _BY_KIND.get(kind)


def ui_of_record(record: Record) -> RecordUi | None:
    """What the app knows of ``record``'s kind (None: the app has no form for it)."""
    return _BY_KIND.get(kind_of(record).name)


def pane_of(record: Record) -> str | None:
    """The id of the pane that lists ``record`` (None for a project or a contact)."""
    ui = ui_of_record(record)
    return ui.pane if ui is not None else None


def place_of_kind(kind: str) -> tuple[str, str | None] | None:
    """The pane and view that list the kind named ``kind`` (a blocker's kind, say).

    None when no pane lists it; the view is None in a pane with one view.
    """
    ui = _BY_KIND.get(kind)
    if ui is None or ui.pane is None:
        return None
    return ui.pane, ui.view


def kind_for_new(pane_id: str, view: str | None = None) -> RecordUi | None:
    """The kind ``n`` adds in the pane ``pane_id`` showing ``view`` (None: the pane adds none)."""
    in_pane = [ui for ui in UI_KINDS if ui.pane == pane_id]
    return next((ui for ui in in_pane if not ui.views or view in ui.views), None)


def form_class(ui: RecordUi) -> type[RecordForm[Any]]:
    """The form class of ``ui``'s kind, imported now (it loads pydantic and the models)."""
    module_name, _, class_name = ui.form.partition(":")
    form: type[RecordForm[Any]] = getattr(importlib.import_module(module_name), class_name)
    return form


def fixed_for_new(ui: RecordUi, project: Project, snapshot: Snapshot) -> dict[str, Any]:
    """The fields a new record of ``ui``'s kind gets without the user typing them.

    Its project, and for a checklist item the place after the last one.
    """
    if ui.kind == "project":
        return {}
    fixed: dict[str, Any] = {"project_id": project.id}
    if ui.kind == "checklist":
        model = kind_named(ui.kind).model
        items = snapshot.of_project(model, project.id)
        fixed["position"] = max((getattr(item, "position", 0) for item in items), default=0) + 1
    return fixed


def opener_of_form(form_name: str) -> tuple[RecordUi, Opener] | None:
    """The kind a form (by class name, as a draft keeps it) edits and how to open it again.

    None for a form this version does not have.
    """
    for ui in UI_KINDS:
        if ui.form_name == form_name:
            return ui, ui.open
        for form, opener in ui.more_forms:
            if form.rpartition(":")[2] == form_name:
                return ui, opener
    return None


def open_record(app: ClientDeskApp, project: Project | None, record: Record) -> bool:
    """Open the form of ``record``, a record of ``project`` or a project itself.

    Returns:
        False when the app edits no record of its kind in a form.
    """
    ui = ui_of_record(record)
    if ui is None:
        return False
    ui.open(app, project, record)
    return True


def open_new(app: ClientDeskApp, project: Project, pane_id: str, view: str | None) -> bool:
    """Open the form of a new record of the kind ``n`` adds in ``pane_id`` showing ``view``.

    Returns:
        False when the pane adds no record.
    """
    ui = kind_for_new(pane_id, view)
    if ui is None:
        return False
    ui.open(app, project, None)
    return True
