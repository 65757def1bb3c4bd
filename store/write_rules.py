"""The write rules every backend applies: one batch of changes, checked and stamped.

What a save may do does not depend on where the records live. A batch of
:class:`Change` is applied to a :class:`WorkingSet` (a copy-on-write view of
the snapshot the writer holds under its lock) by :class:`WriteRules`: stale
revisions are conflicts, keys are allocated from the per-project counters,
and the store's own bookkeeping is written (revisions, who and when, a
risk's score history, a request's status log and decision stamps, a
meeting's SEQUENCE, closing and reopening a project, refusing changes to a
closed one). The backend then persists what the working set says changed:
the JSON file (``store/repository.py``) or PostgreSQL (``store/postgres.py``).
"""

from __future__ import annotations

import json
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar, cast

import orjson
from pydantic import ValidationError

from clientdesk.store import calendar, rules
from clientdesk.store.enums import RSVP, MeetingStatus
from clientdesk.store.errors import (
    ClosedProjectError,
    ConflictError,
    GatesFailed,
    ValidationFailed,
)
from clientdesk.store.models import (
    FUTURE_TOLERANCE,
    IMPACT_FIELDS,
    RECEIVED_HORIZON_YEARS,
    RECORD_TYPES,
    STORED,
    ChecklistItem,
    ClientRequest,
    Meeting,
    Project,
    ProjectRecord,
    Record,
    Risk,
    ScoreChange,
    StatusReport,
    received_horizon,
)
from clientdesk.store.snapshot import (
    Documents,
    Snapshot,
    describe_validation_error,
    dump_record,
    validate_record,
)

__all__ = [
    "Change",
    "RecordEdit",
    "WorkingSet",
    "WriteRules",
    "load_checklist_template",
]

R = TypeVar("R", bound=Record)

BOOKKEEPING = frozenset({"id", "key", "created_at", "updated_at", "updated_by", "revision"})
"""The fields the store writes on every save: nobody's edit, so never a change by itself."""


def _same_version(stored: Record, expected: Record) -> bool:
    """True when ``stored`` is ``expected``, or holds what it holds.

    An undo of this session's second save to a record leaves a new revision
    holding what its first save left: undoing the first save must still be
    possible. Who saved, when, and the SEQUENCE the store counted are not
    what anyone changed; everything else, the key included, is.
    """
    if stored.revision == expected.revision:
        return True
    # The key is kept: a project's key is the user's to change.
    ignored = (BOOKKEEPING - {"key"}) | {"sequence"}
    mine, theirs = dump_record(stored), dump_record(expected)
    return {k: v for k, v in mine.items() if k not in ignored} == {
        k: v for k, v in theirs.items() if k not in ignored
    }


@dataclass(frozen=True)
class Change:
    """One write in a batch: ``op`` is ``add``, ``update`` or ``delete``.

    For ``update`` and ``delete``, ``record.revision`` is the revision the
    caller based the change on.
    """

    op: str
    record: Record
    client_sequence: bool = False
    """An imported meeting update: its SEQUENCE is at least the one the record carries."""
    over: Record | None = None
    """For ``restore``: the version expected in the file now (None: the record is gone)."""
    revise: Callable[[Record], Record] | None = None
    """For ``update``: makes the change to the version stored at save time (see ``to_newest``)."""

    @classmethod
    def add(cls, record: Record) -> Change:
        """Add a new record (its key is allocated on save)."""
        return cls("add", record)

    @classmethod
    def update(cls, record: Record, *, client_sequence: bool = False) -> Change:
        """Replace a record, based on the revision it carries.

        With ``client_sequence`` (an update imported from a client's invite) a
        meeting's SEQUENCE becomes at least the one ``record`` carries: the
        client's calendar counted that far, and our next invite must be newer.
        """
        return cls("update", record, client_sequence)

    @classmethod
    def to_newest(cls, record: Record, revise: Callable[[Record], Record]) -> Change:
        """Make a change to whatever version of ``record`` is stored when the batch is saved.

        For a change that stands whatever the record holds now, such as an
        edit from the shell that names no revision: ``revise`` is called under
        the save's lock with the stored version and returns it changed, so no
        other process's save in between can make it stale. A record deleted
        meanwhile is still a conflict.
        """
        return cls("update", record, revise=revise)

    @classmethod
    def delete(cls, record: Record) -> Change:
        """Delete a record, based on the revision it carries."""
        return cls("delete", record)

    @classmethod
    def restore(cls, version: Record, *, over: Record | None) -> Change:
        """Put an earlier ``version`` of a record back (an undo or a redo).

        ``over`` is the version that must be in the file now, at its revision
        (None: the record must be gone, and comes back with its id and key).
        What ``version`` holds comes back as it was, its status and logs
        included, without the workflow's checks on a move: taking a move back
        is not a new move. What the store counts still goes forward: the
        revision, who and when, and a meeting's SEQUENCE when the attendees
        must see the change.
        """
        return cls("restore", version, over=over)

    @classmethod
    def withdraw(cls, record: Record) -> Change:
        """Remove a record added earlier (an undo), based on the revision it carries.

        Unlike :meth:`delete`, a project is withdrawn only when it holds no
        records any more: those added since by someone else are never swept away.
        """
        return cls("withdraw", record)


@dataclass(frozen=True)
class RecordEdit:
    """What one saved batch did to one record: its version ``before`` and ``after``.

    ``before`` is None for a record the batch added, ``after`` for one it
    deleted. The undo history keeps these to take a batch back.
    """

    before: Record | None
    after: Record | None


TEMPLATE_NAME = "closing_template.json"
"""A team's own closing checklist template, looked for beside the data file."""


def load_checklist_template(directory: Path | None = None) -> list[dict[str, Any]]:
    """The items of the closing checklist a new project starts with (title, asks_score).

    A team adapts it by putting its own ``closing_template.json`` beside the
    shared data file (same form as the packaged default); otherwise the
    packaged default is used.

    Raises:
        ValidationFailed: the team's template cannot be read; the message names the file.
    """
    own = directory / TEMPLATE_NAME if directory is not None else None
    if own is not None and own.is_file():
        try:
            return _template_items(json.loads(own.read_text("utf-8")))
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
            raise ValidationFailed(
                f"{own}: not a closing checklist template ({error}); fix or remove it"
            ) from None
    text = resources.files("clientdesk.store").joinpath(TEMPLATE_NAME).read_text("utf-8")
    return _template_items(json.loads(text))


def _template_items(document: Any) -> list[dict[str, Any]]:
    listed = document.get("items") if isinstance(document, dict) else None
    if not isinstance(listed, list) or not listed:
        raise ValueError("it needs a list of items, each with a title")
    items: list[dict[str, Any]] = []
    for number, item in enumerate(listed, start=1):
        title = item.get("title") if isinstance(item, dict) else None
        asks_score = item.get("asks_score", False) if isinstance(item, dict) else None
        if not isinstance(title, str) or not isinstance(asks_score, bool):
            raise ValueError(
                f"item {number} needs a title as text (and asks_score, if given, true or false)"
            )
        # Held to the limits of the items it becomes, so that a project is
        # never refused for its own checklist.
        try:
            checked = ChecklistItem(title=title, asks_score=asks_score)
        except ValidationError as error:
            raise ValueError(f"item {number}: {describe_validation_error(error)[0]}") from None
        if not checked.title:
            raise ValueError(f"item {number} has an empty title")
        items.append({"title": checked.title, "asks_score": checked.asks_score})
    return items


class WorkingSet:
    """Copy-on-write view of a snapshot's tables and key counters during one batch.

    The rules change it; the backend then writes what :meth:`edits` lists and,
    when :attr:`counters` changed, the counters.
    """

    def __init__(self, snapshot: Snapshot, counters: dict[str, int]) -> None:
        """Start a batch on ``snapshot``, with the key ``counters`` stored beside it."""
        self.records: dict[type[Record], Documents] = dict(snapshot.tables())
        self.counters: dict[str, int] = dict(counters)
        """Per project and kind ("<project id>:REQ"), the last number a key was given."""
        self._counters_before = dict(counters)
        self._copied: set[type[Record]] = set()
        self._originals: dict[tuple[type[Record], str], Record | None] = {}
        self._keys: dict[tuple[type[Record], str], set[str]] = {}

    @property
    def counters_changed(self) -> bool:
        """True when the batch allocated a key or forgot a project's counters."""
        return self.counters != self._counters_before

    def keys_of(self, kind: type[Record], project_id: str) -> set[str]:
        """The keys ``project_id``'s records of ``kind`` hold (kept up to date in the batch).

        Built once per batch: a batch of thousands of adds (an import, the demo)
        would otherwise group the table once per key.
        """
        found = self._keys.get((kind, project_id))
        if found is None:
            table = self.records[kind]
            found = self._keys[kind, project_id] = {
                table.key_of(record_id) for record_id in table.ids_of_project(project_id)
            }
        return found

    def stored_document(self, kind: type[Record], record_id: str) -> dict[str, Any]:
        """Record ``record_id`` as its stored document (what was read or saved, not a model)."""
        parsed: dict[str, Any] = orjson.loads(self.records[kind].texts[record_id])
        return parsed

    def _remember(self, kind: type[Record], record_id: str) -> None:
        # The version before the batch, kept the first time the batch touches it.
        if (kind, record_id) not in self._originals:
            self._originals[kind, record_id] = self.records[kind].get(record_id)

    def edits(self) -> list[RecordEdit]:
        """What the batch did to each record it touched, in the order first touched."""
        found = [
            RecordEdit(before, self.get(kind, record_id))
            for (kind, record_id), before in self._originals.items()
        ]
        return [edit for edit in found if edit.before is not None or edit.after is not None]

    def _own(self, kind: type[Record]) -> None:
        if kind not in self._copied:
            self.records[kind] = self.records[kind].copy()
            self._copied.add(kind)

    def get(self, kind: type[R], record_id: str) -> R | None:
        """The record ``record_id`` of ``kind`` as the batch has it so far."""
        table = self.records.get(kind)
        return cast(R | None, table.get(record_id)) if table is not None else None

    def put(self, record: Record) -> None:
        """Take ``record`` as saved by the batch."""
        self._touch(record).add(record.key)
        self.records[type(record)].put(record)

    def drop(self, record: Record) -> None:
        """Take ``record`` as deleted by the batch."""
        self._touch(record).discard(record.key)
        self.records[type(record)].drop(record.id)

    def _touch(self, record: Record) -> set[str]:
        """Remember ``record``'s version before the batch and own its table; its project's
        keys as the batch keeps them (a set nobody reads when they were never asked for)."""
        kind = type(record)
        self._remember(kind, record.id)
        self._own(kind)
        return self._keys.get((kind, str(getattr(record, "project_id", ""))), set())


class WriteRules:
    """Applies changes to a :class:`WorkingSet` as ``user``; one per repository.

    It remembers, for this process, the key counters of projects it deleted,
    so that an undo bringing one back never hands out a key twice.
    """

    def __init__(self, user: str, template_dir: Path | None = None) -> None:
        """Write as ``user``; a team's closing template is looked for in ``template_dir``."""
        self.user = user
        self.template_dir = template_dir
        self._retired_counters: dict[str, dict[str, int]] = {}

    def apply(self, work: WorkingSet, batch: list[Change], now: datetime) -> list[Record | None]:
        """Apply ``batch`` to ``work`` in order; the saved records (None for a deleted one).

        Raises:
            ConflictError: a change was based on a stale revision.
            ValidationFailed: a record breaks a rule.
        """
        return [self.apply_one(work, change, now) for change in batch]

    def apply_one(self, work: WorkingSet, change: Change, now: datetime) -> Record | None:
        """Make one change of a batch to ``work`` and return the record as saved (None: gone)."""
        if change.op == "add":
            self._refuse_if_closed(work, change.record)
            return self._insert(work, change.record, now)
        kind = type(change.record)
        stored = work.get(kind, change.record.id)
        if change.revise is not None and stored is not None:
            change = replace(change, record=change.revise(stored), revise=None)
        if change.op == "restore" and change.over is None:
            if stored is not None:
                raise ConflictError(stored.key, stored.updated_by, stored.updated_at, stored)
            return self._bring_back(work, change.record, now)
        # An undo or redo stands on the version this session left, or one that
        # holds the same (see _same_version); any other change stands on its revision.
        expected = change.over if change.op == "restore" else change.record
        assert expected is not None
        if change.op in ("restore", "withdraw"):
            current = stored is not None and _same_version(stored, expected)
        else:
            current = stored is not None and stored.revision == expected.revision
        if stored is None or not current:
            raise ConflictError(
                expected.key or kind.LABEL,
                stored.updated_by if stored else None,
                stored.updated_at if stored else None,
                stored,
            )
        if isinstance(stored, StatusReport) and not (
            # Recording one more e-mailing of it is the only change it takes.
            change.op == "update"
            and isinstance(change.record, StatusReport)
            and change.record.adds_one_sending_to(stored)
        ):
            # What the client was sent is a record of fact: neither rewritten
            # nor removed (it goes only with its project).
            raise ValidationFailed("a status report is kept as it was sent")
        self._refuse_if_closed(work, stored)
        if change.op in ("delete", "withdraw") and isinstance(stored, Project) and stored.is_closed:
            # Deleting would remove its records too: the lock must hold for that as well.
            raise ClosedProjectError(f"project {stored.key} is closed: reopen it to delete it")
        if change.op == "update":
            return self._replace(
                work, stored, change.record, now, client_sequence=change.client_sequence
            )
        if change.op == "restore":
            return self._replace(work, stored, change.record, now, restore=True)
        if change.op == "withdraw":
            self._refuse_if_holding(work, stored)
        if change.op in ("delete", "withdraw"):
            self._remove(work, stored)
            return None
        raise ValueError(f"unknown change {change.op!r}")

    def _insert(self, work: WorkingSet, record: Record, now: datetime) -> Record:
        kind = type(record)
        data = dump_record(record)
        data.update(created_at=now, updated_at=now, updated_by=self.user, revision=1)
        if isinstance(record, ClientRequest):
            self._start_request_log(data, now)
        if isinstance(record, Project):
            data["key"] = self._project_key(work, record)
        else:
            project_id = getattr(record, "project_id", "")
            if work.get(Project, project_id) is None:
                raise ValidationFailed(f"the {kind.LABEL} belongs to no known project", "project")
            data["key"] = self._allocate_key(work, kind, project_id)
        if work.get(kind, data["id"]) is not None:
            raise ValidationFailed(f"a {kind.LABEL} with id {data['id']} already exists")
        saved = validate_record(kind, data)
        work.put(saved)
        if isinstance(saved, Project):
            for position, template in enumerate(
                load_checklist_template(self.template_dir), start=1
            ):
                # Ids derived from the project's keep the demo deterministic.
                item_id = uuid.uuid5(uuid.NAMESPACE_OID, f"{saved.id}/closing/{position}").hex
                item = ChecklistItem(id=item_id, project_id=saved.id, position=position, **template)
                self._insert(work, item, now)
        return saved

    def _replace(
        self,
        work: WorkingSet,
        stored: Record,
        record: Record,
        now: datetime,
        *,
        client_sequence: bool = False,
        restore: bool = False,
    ) -> Record:
        kind = type(stored)
        # Compare with the stored document, not with the snapshot's object: a caller
        # may have changed that very object in place (records are mutable).
        current = work.stored_document(kind, stored.id)
        data = dump_record(record)
        for fixed in ("id", "key", "created_at", "project_id"):
            if fixed in data:
                data[fixed] = current[fixed]
        if restore:
            # The earlier version comes back whole, its logs and status with it,
            # but a meeting's SEQUENCE only counts on: a time taken back is news
            # to the attendees too.
            if isinstance(stored, Meeting):
                self._count_restored_sequence(data, current)
        elif isinstance(stored, Risk):
            self._keep_score_history(data, current, now)
        elif isinstance(stored, ClientRequest):
            self._keep_request_log(data, current, now)
        elif isinstance(stored, Meeting):
            self._keep_meeting_sequence(data, current, client_sequence=client_sequence)
        if isinstance(stored, Project):
            data["key"] = self._project_key(work, record, keep=stored)
            self._close_or_reopen(work, stored, data, current, now)
        if {k: v for k, v in data.items() if k not in BOOKKEEPING} == {
            k: v for k, v in current.items() if k not in BOOKKEEPING
        } and data["key"] == current["key"]:
            return stored  # nothing changed: no new revision, no save
        data.update(updated_at=now, updated_by=self.user, revision=stored.revision + 1)
        saved = validate_record(kind, data)
        work.put(saved)
        return saved

    def _bring_back(self, work: WorkingSet, version: Record, now: datetime) -> Record:
        """Insert a deleted record again as ``version`` was (see :meth:`Change.restore`)."""
        kind = type(version)
        data = dump_record(version)
        if isinstance(version, ProjectRecord):
            if work.get(Project, version.project_id) is None:
                raise ValidationFailed(
                    f"{version.key} cannot come back: its project was deleted since"
                )
            self._refuse_if_closed(work, version)
            if version.key in work.keys_of(kind, version.project_id):
                data["key"] = self._allocate_key(work, kind, version.project_id)
        elif isinstance(version, Project):
            data["key"] = self._project_key(work, version)
            self._restore_counters(work, version.id)
        # One revision on from the version that went: a copy anyone still holds
        # of it is stale now.
        data.update(updated_at=now, updated_by=self.user, revision=version.revision + 1)
        saved = validate_record(kind, data)
        work.put(saved)
        return saved

    def _refuse_if_holding(self, work: WorkingSet, stored: Record) -> None:
        # A project withdrawn by an undo goes only when empty: whatever it still
        # holds was added by someone after the project was made.
        if not isinstance(stored, Project):
            return
        for kind in RECORD_TYPES:
            if kind is StatusReport:
                continue  # a kept report goes only with its project, as it came with it
            table = work.records[kind]
            for record_id in table.ids_of_project(stored.id):
                raise ValidationFailed(
                    f"project {stored.key} holds {table.key_of(record_id)} (added since); "
                    "delete the project instead"
                )

    def _count_restored_sequence(self, data: dict[str, Any], current: dict[str, Any]) -> None:
        before = Meeting.model_validate(current, context=STORED)
        after = validate_record(Meeting, {**data, "sequence": before.sequence})
        raised = calendar.raises_sequence(before, after)
        data["sequence"] = before.sequence + 1 if raised else before.sequence
        self._keep_time_sequence(data, before, after)

    def _keep_time_sequence(self, data: dict[str, Any], before: Meeting, after: Meeting) -> None:
        # The SEQUENCE at which the time last changed is the store's to keep, as the
        # SEQUENCE is: an attendee's answer (REPLY) to it or to a later one answers
        # the time as it is now (see ics_import).
        if calendar.moves_the_time(before, after):
            data["time_sequence"] = data["sequence"]
        elif before.time_sequence is None and data["sequence"] != before.sequence:
            data["time_sequence"] = before.sequence  # unknown before: unchanged since then
        else:
            data["time_sequence"] = before.time_sequence

    def _keep_score_history(
        self, data: dict[str, Any], current: dict[str, Any], now: datetime
    ) -> None:
        # The history is the store's to write: whatever the caller sent, it is
        # the stored history plus one entry when P or I changed, so that the app
        # and `clientdesk edit risk` both record it and nobody rewrites it.
        history = list(current.get("history", []))
        entry = rules.score_history_entry(
            (current["probability"], current["impact"]),
            (data["probability"], data["impact"]),
            now,
            self.user,
        )
        if entry is not None:
            history.append(ScoreChange.model_validate(entry).model_dump(mode="json"))
        data["history"] = history

    def _refuse_if_closed(self, work: WorkingSet, record: Record) -> None:
        # A closed project is read-only until it is reopened: its records, and the
        # project itself except for reopening it (see _close_or_reopen).
        if isinstance(record, ProjectRecord):
            project = work.get(Project, record.project_id)
            if project is not None and project.is_closed:
                raise ClosedProjectError(
                    f"project {project.key} is closed: reopen it to change its "
                    f"{type(record).LABEL}s"
                )

    def _close_or_reopen(
        self,
        work: WorkingSet,
        stored: Project,
        data: dict[str, Any],
        current: dict[str, Any],
        now: datetime,
    ) -> None:
        was_closed, closing = stored.is_closed, data.get("closed_at") is not None
        log = list(current.get("closing_log", []))
        data["closing_log"] = log
        if was_closed and closing:
            unchanged = {k: v for k, v in data.items() if k not in BOOKKEEPING}
            if unchanged != {k: v for k, v in current.items() if k not in BOOKKEEPING}:
                raise ClosedProjectError(f"project {stored.key} is closed: reopen it to change it")
            return
        if was_closed:
            log.append({"at": now.isoformat(), "by": self.user, "action": "reopened"})
            data.update(closed_by="", close_override_reason="")
            if data.get("phase") == "closed":
                data["phase"] = "closing"
            return
        if not closing:
            return
        from clientdesk.store.closing import blockers_line, closing_gates

        gates = closing_gates(Snapshot(work.records, None), stored, now)
        blockers = blockers_line(gates)
        reason = str(data.get("close_override_reason", "")).strip()
        if blockers and not reason:
            raise GatesFailed(
                f"{stored.key} cannot close yet: {blockers} "
                "(settle them, or close with an override reason)",
                list(gates),
            )
        data.update(
            closed_at=now.isoformat(),
            closed_by=self.user,
            close_override_reason=reason if blockers else "",
            phase="closed",
        )
        log.append(
            {
                "at": now.isoformat(),
                "by": self.user,
                "action": "closed",
                "override_reason": reason if blockers else "",
                "overridden": blockers,
            }
        )

    def _start_request_log(self, data: dict[str, Any], now: datetime) -> None:
        self._check_received_at(data, now)
        # A request added in a later state (an import, the command line) gets the
        # move that put it there, so that its clocks know when they stopped.
        if data["status"] != "new" and not data.get("status_history"):
            data["status_history"] = [self._move("new", data["status"], now)]
        data["comments"] = [self._stamped(comment, now) for comment in data.get("comments", [])]
        if data.get("decision", "pending") == "pending":
            data.update(decided_by="", decided_at=None)  # nobody has decided yet
        elif not data.get("decided_at"):
            data.update(decided_by=self.user, decided_at=now)

    def _keep_request_log(
        self, data: dict[str, Any], current: dict[str, Any], now: datetime
    ) -> None:
        # The status history, the comment log and the decision stamps are the
        # store's to write, so that the app and `clientdesk edit request` keep
        # them the same way and nobody rewrites them: whatever the caller sent,
        # the stored entries stay and new ones are stamped with who and when.
        if data["received_at"] != current["received_at"]:
            self._check_received_at(data, now)
        old, new = current["status"], data["status"]
        problem = rules.request_move_problem(old, new)
        if problem:
            raise ValidationFailed(problem, "status")
        history = list(current.get("status_history", []))
        if old != new:
            history.append(self._move(old, new, now))
        data["status_history"] = history
        stored_comments = list(current.get("comments", []))
        added = data.get("comments", [])[len(stored_comments) :]
        data["comments"] = stored_comments + [self._stamped(c, now) for c in added]
        if data["decision"] != current.get("decision", "pending"):
            if data["decision"] == "pending":
                # Back to pending: the earlier decider no longer stands behind it.
                data.update(decided_by="", decided_at=None)
            else:
                data.update(decided_by=self.user, decided_at=now)
            return
        data.update(decided_by=current.get("decided_by", ""), decided_at=current.get("decided_at"))
        changed = rules.impact_changes(current, data, IMPACT_FIELDS)
        if current.get("decision") == "approved" and changed:
            note = f"Approval by {current.get('decided_by') or 'someone'} cleared: {changed}."
            data.update(decision="pending", decided_by="", decided_at=None, decision_reason="")
            data["comments"].append(self._stamped({"text": note}, now))

    def _keep_meeting_sequence(
        self, data: dict[str, Any], current: dict[str, Any], *, client_sequence: bool = False
    ) -> None:
        # SEQUENCE is the store's to count, so that the app and `clientdesk edit
        # meeting` raise it alike: one more when the attendees must see the change
        # (a new invite), whatever the caller sent.
        old, new = MeetingStatus(current["status"]), MeetingStatus(data["status"])
        problem = calendar.meeting_move_problem(old, new)
        if problem:
            raise ValidationFailed(problem, "status")
        before = Meeting.model_validate(current, context=STORED)
        after = validate_record(Meeting, {**data, "sequence": before.sequence})
        raised = calendar.raises_sequence(before, after)
        counted = before.sequence + 1 if raised else before.sequence
        # An imported update (see Change.update) never falls below the client's count.
        data["sequence"] = max(counted, int(data["sequence"])) if client_sequence else counted
        self._keep_time_sequence(data, before, after)
        if not client_sequence and calendar.moves_the_time(before, after):
            # An answer was to the old time: the next invite asks everyone again
            # (an import keeps the answers the client's file states).
            for attendee in data.get("attendees", []):
                attendee["rsvp"] = RSVP.NEEDS_ACTION.value

    def _check_received_at(self, data: dict[str, Any], now: datetime) -> None:
        # Checked on write only, when the received time is set or changed: a
        # request from the future, or from centuries ago (1025 for 2025), is a typo.
        received = datetime.fromisoformat(str(data["received_at"]))
        if received > now + FUTURE_TOLERANCE:
            raise ValidationFailed(
                "received_at: a request cannot be received in the future", "received_at"
            )
        if received < received_horizon(now):
            raise ValidationFailed(
                f"received_at: {received:%Y-%m-%d} is more than {RECEIVED_HORIZON_YEARS} years "
                "ago (a typo in the year?)",
                "received_at",
            )

    def _move(self, old: str, new: str, now: datetime) -> dict[str, Any]:
        return {"at": now.isoformat(), "by": self.user, "old": old, "new": new}

    def _stamped(self, comment: dict[str, Any], now: datetime) -> dict[str, Any]:
        return {
            "text": comment["text"],
            "at": comment.get("at") or now.isoformat(),
            "by": comment.get("by") or self.user,
        }

    def _remove(self, work: WorkingSet, stored: Record) -> None:
        if isinstance(stored, Project):
            for child_kind in RECORD_TYPES:
                if child_kind is Project:
                    continue
                table = work.records[child_kind]
                children = [
                    cast(Record, table.get(child_id))
                    for child_id in table.ids_of_project(stored.id)
                ]
                for child in children:
                    work.drop(child)
            self._forget_counters(work, stored.id)
        work.drop(stored)

    def _forget_counters(self, work: WorkingSet, project_id: str) -> None:
        # A deleted project's keys go with it: a project made again with the same
        # id (the demo data set, re-made) numbers its records from 1 again. This
        # process remembers them, for an undo that brings the project back: no
        # key of a record deleted earlier is handed out twice.
        prefix = f"{project_id}:"
        counters = work.counters
        self._retired_counters[project_id] = {
            name: number for name, number in counters.items() if name.startswith(prefix)
        }
        for name in [name for name in counters if name.startswith(prefix)]:
            del counters[name]

    def _restore_counters(self, work: WorkingSet, project_id: str) -> None:
        # A project brought back by an undo numbers on from where it was.
        for name, number in self._retired_counters.get(project_id, {}).items():
            work.counters[name] = max(int(number), int(work.counters.get(name, 0)))

    def _project_key(self, work: WorkingSet, project: Record, keep: Record | None = None) -> str:
        projects = work.records[Project]
        taken = {
            projects.key_of(record_id)
            for record_id in projects.ids()
            if keep is None or record_id != keep.id
        }
        wanted = project.key
        if wanted:
            if wanted in taken:
                raise ValidationFailed(f"project key {wanted} is already taken", "key")
            return wanted
        name = unicodedata.normalize("NFKD", getattr(project, "name", ""))
        base = "".join(ch for ch in name.upper() if ch.isascii() and ch.isalnum())
        base = (base if base[:1].isalpha() else "P" + base)[:6] or "PRJ"
        base = base if len(base) >= 2 else base + "X"
        candidate, number = base, 1
        while candidate in taken:
            number += 1
            candidate = f"{base[:6]}{number}"
        return candidate

    def _allocate_key(self, work: WorkingSet, kind: type[Record], project_id: str) -> str:
        counter = f"{project_id}:{kind.PREFIX}"
        number = int(work.counters.get(counter, 0))
        taken = work.keys_of(kind, project_id)
        while True:
            number += 1
            key = f"{kind.PREFIX}-{number}"
            if key not in taken:
                break
        work.counters[counter] = number
        return key
