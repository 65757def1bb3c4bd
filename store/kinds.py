"""Every kind of record, declared once: its model, its names on the command line, its columns.

The command line (``list requests``, ``add risk``, ``edit meeting``), the
closing gates' blockers and the app's record-kind registry
(:mod:`clientdesk.tui.record_kinds`) read the kinds from here. A kind names
its model class rather than importing it: this module is imported before the
app's first paint, and the models load pydantic (see :attr:`RecordKind.model`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clientdesk.store.models import Record


@dataclass(frozen=True)
class RecordKind:
    """One kind of record as the command line and the app know it."""

    name: str
    """The kind's name on the command line, singular: ``add request``, ``edit risk``."""

    model_name: str
    """The name of its model class in :mod:`clientdesk.store.models`."""

    plural: str = ""
    """What ``list`` calls it (``list requests``); empty: ``list`` does not offer it."""

    columns: tuple[str, ...] = ()
    """The fields (or computed columns) ``list`` shows as a table, in order."""

    editable: bool = True
    """Whether ``add`` and ``edit`` offer it (a sent status report is never edited)."""

    @property
    def model(self) -> type[Record]:
        """The model class (importing the models, and pydantic, on first use)."""
        from clientdesk.store import models

        model: type[Record] = getattr(models, self.model_name)
        return model


KINDS: tuple[RecordKind, ...] = (
    RecordKind(
        "project",
        "Project",
        plural="projects",
        columns=("key", "name", "client", "phase", "rag"),
    ),
    RecordKind(
        "contact",
        "Contact",
        plural="contacts",
        columns=("key", "name", "email", "organisation", "role"),
    ),
    RecordKind(
        "plan",
        "CommunicationPlanItem",
        plural="plan",
        columns=("key", "title", "channel", "repeats", "next_due", "overdue", "owner"),
    ),
    RecordKind(
        "request",
        "ClientRequest",
        plural="requests",
        columns=("key", "type", "priority", "status", "left", "title", "owner"),
    ),
    RecordKind(
        "risk",
        "Risk",
        plural="risks",
        columns=("key", "kind", "score", "band", "status", "title"),
    ),
    RecordKind(
        "meeting",
        "Meeting",
        plural="meetings",
        columns=("key", "next", "kind", "status", "repeats", "title"),
    ),
    RecordKind(
        "checklist",
        "ChecklistItem",
        plural="checklist",
        columns=("key", "state", "title", "done_by"),
    ),
    RecordKind(
        "lesson",
        "LessonLearned",
        plural="lessons",
        columns=("key", "category", "title"),
    ),
    RecordKind(
        "follow-on",
        "FollowOnAction",
        plural="follow-ons",
        columns=("key", "owner", "due", "title"),
    ),
    RecordKind(
        "report",
        "StatusReport",
        plural="reports",
        columns=("key", "period", "overall", "kept", "sent"),
        editable=False,
    ),
)
"""Every kind of record, in the order the command line's help lists them."""

_BY_NAME = {kind.name: kind for kind in KINDS}
_BY_PLURAL = {kind.plural: kind for kind in KINDS if kind.plural}
_BY_MODEL = {kind.model_name: kind for kind in KINDS}

LIST_NAMES: tuple[str, ...] = tuple(_BY_PLURAL)
"""The kinds ``list`` takes, by the names it takes them."""

EDIT_NAMES: tuple[str, ...] = tuple(kind.name for kind in KINDS if kind.editable)
"""The kinds ``add`` and ``edit`` take."""


def kind_named(name: str) -> RecordKind:
    """The kind the command line calls ``name`` (``request``, ``follow-on``, ...).

    Raises:
        KeyError: no kind has that name.
    """
    return _BY_NAME[name]


def kind_listed_as(plural: str) -> RecordKind:
    """The kind ``list`` calls ``plural`` (``requests``, ``follow-ons``, ...).

    Raises:
        KeyError: ``list`` offers no kind of that name.
    """
    return _BY_PLURAL[plural]


def kind_of(record: Record | type[Record]) -> RecordKind:
    """The kind of ``record`` (a record or a model class).

    Raises:
        KeyError: the class is not one of the stored kinds (``Record`` itself).
    """
    model = record if isinstance(record, type) else type(record)
    return _BY_MODEL[model.__name__]
