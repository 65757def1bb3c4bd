"""Every record at one moment, validated only where it is looked at.

A :class:`Snapshot` holds, per kind of record, each document's JSON text as
the data file has it and a small index (id, key, project). A record becomes
a model the first time something asks for it, so opening one project of a
large file validates that project's records and no other's: start-up and
memory follow what is shown, not the file's size.

Nothing here trusts a document it has not validated: :meth:`Snapshot.check`
validates every document not yet seen (keeping no model), and the
repository runs it before every write, so a record broken by hand stops
every save until it is mended, as it did when every record was validated on
reading.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, Protocol, TypeVar, cast

import orjson
from pydantic import ValidationError

from clientdesk.store.errors import NotFoundError, ValidationFailed
from clientdesk.store.layout import DocumentText
from clientdesk.store.models import RECORD_TYPES, STORED, Project, Record

R = TypeVar("R", bound=Record)


class DocumentReader(Protocol):
    """Validates a stored document, or raises ``DataFileError`` naming it."""

    def __call__(self, kind: type[Record], record_id: str, text: DocumentText) -> Record: ...


def describe_validation_error(error: ValidationError) -> tuple[str, str | None]:
    """One line for a user from a pydantic error, and the field it is about."""
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    field = str(first["loc"][0]) if first["loc"] else None
    return (f"{location}: {message}" if location else message), field


def validate_record(kind: type[R], data: dict[str, Any]) -> R:
    """Build a ``kind`` from ``data``, with a one-line error naming the field."""
    try:
        return kind.model_validate(data)
    except ValidationError as error:
        message, field = describe_validation_error(error)
        raise ValidationFailed(message, field) from None


def dump_record(record: Record) -> dict[str, Any]:
    """The JSON form of a record as stored (computed fields left out)."""
    return record.model_dump(mode="json", exclude_computed_fields=True)


def record_text(record: Record) -> bytes:
    """A record's document as the JSON text a save writes."""
    return orjson.dumps(dump_record(record))


def read_stored(kind: type[R], text: DocumentText) -> R:
    """Validate a stored document's JSON text as a ``kind`` (raises ``ValidationError``)."""
    if isinstance(text, memoryview):
        text = text.tobytes()  # pydantic reads bytes; this copy lives only while it does
    return kind.model_validate_json(text, context=STORED)


def key_order(key: str) -> tuple[int, str]:
    """Sort key for human keys: REQ-9 before REQ-10."""
    _, _, number = key.rpartition("-")
    return (int(number), key) if number.isdigit() else (0, key)


# Every document a save writes starts with the record's id and key (the
# models' first fields), and a project's records name their project once at
# the top level: no nested model has a ``project_id``, and inside a JSON
# string a quote is always escaped, so the byte pattern cannot come from text.
_HEAD = re.compile(rb'\{"id":"([^"\\]*)","key":"([^"\\]*)"')
_PROJECT = re.compile(rb'"project_id":"([^"\\]*)"')
_PROJECT_FIELD = re.compile(rb'"project_id":"')


def index_entry(text: DocumentText) -> tuple[str, str, str] | None:
    """The (id, key, project id) of a stored document, or None when they cannot be read.

    Reads the bytes without parsing the document when it has the shape a
    save writes; any other document (or a value holding an escape) is parsed.
    """
    head = _HEAD.match(text)
    if head is not None:
        owner = _PROJECT.search(text, head.end())
        if owner is not None:
            return head.group(1).decode(), head.group(2).decode(), owner.group(1).decode()
        if _PROJECT_FIELD.search(text, head.end()) is None:
            return head.group(1).decode(), head.group(2).decode(), ""
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(document, dict) or not isinstance(document.get("id"), str):
        return None
    key, project_id = document.get("key", ""), document.get("project_id", "")
    return (
        document["id"],
        key if isinstance(key, str) else "",
        project_id if isinstance(project_id, str) else "",
    )


def same_text(text: DocumentText | None, other: DocumentText | None) -> bool:
    """True when two document texts hold the same bytes (None only matches None).

    Not ``text == other``: CPython compares memoryviews item by item, ~2 µs a
    kilobyte, which at 50,000 records made every re-read ~100 ms slower. The
    lengths differ for most changed documents; equal ones are compared as
    bytes (a copy, then one memcmp).
    """
    if text is None or other is None:
        return text is other
    return len(text) == len(other) and bytes(text) == bytes(other)


CHECK_BATCH = 50
"""Documents a check validates between two pauses (about two milliseconds of work)."""


class Documents:
    """One kind's records in a snapshot: their texts, their index, the models made so far.

    Thread-safe for reading: a model made twice by two threads at once is
    the same record twice, and either is kept.
    """

    def __init__(self, kind: type[Record], reader: DocumentReader) -> None:
        self.kind = kind
        self._reader = reader
        self.texts: dict[str, DocumentText] = {}
        """Each record's document text, by record id."""
        self._index: dict[str, tuple[str, str]] = {}
        self._models: dict[str, Record] = {}
        self._checked: set[str] = set()
        self._by_project: dict[str, list[str]] = {}

    def add_text(self, record_id: str, key: str, project_id: str, text: DocumentText) -> None:
        """Take a document read from the file (its model is made when asked for)."""
        self.texts[record_id] = text
        self._index[record_id] = (key, project_id)

    def take_over(self, earlier: Documents) -> None:
        """Keep the models (and checks) of ``earlier`` whose documents are unchanged."""
        texts, earlier_texts = self.texts, earlier.texts
        for record_id, model in earlier._models.items():
            if same_text(texts.get(record_id), earlier_texts.get(record_id)):
                self._models[record_id] = model
        for record_id in earlier._checked:
            if same_text(texts.get(record_id), earlier_texts.get(record_id)):
                self._checked.add(record_id)

    def copy(self) -> Documents:
        """A copy to change (the models themselves are shared)."""
        twin = Documents(self.kind, self._reader)
        twin.texts = dict(self.texts)
        twin._index = dict(self._index)
        twin._models = dict(self._models)
        twin._checked = set(self._checked)
        return twin

    def __len__(self) -> int:
        return len(self.texts)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self.texts

    def ids(self) -> list[str]:
        """Every record id, in the file's order."""
        return list(self.texts)

    def key_of(self, record_id: str) -> str:
        """The human key of record ``record_id``."""
        return self._index[record_id][0]

    def project_of(self, record_id: str) -> str:
        """The project id of record ``record_id`` ("" for a record of no project)."""
        return self._index[record_id][1]

    def get(self, record_id: str) -> Record | None:
        """The record with id ``record_id`` (validated now if it was not yet), if any."""
        model = self._models.get(record_id)
        if model is not None:
            return model
        text = self.texts.get(record_id)
        if text is None:
            return None
        model = self._models[record_id] = self._reader(self.kind, record_id, text)
        self._checked.add(record_id)
        return model

    def records(self) -> list[Record]:
        """Every record, validated now where it was not yet, in the file's order."""
        return [cast(Record, self.get(record_id)) for record_id in self.ids()]

    def ids_of_project(self, project_id: str) -> list[str]:
        """The ids of ``project_id``'s records, in key order (found once per project)."""
        found = self._by_project.get(project_id)
        if found is None:
            index = self._index
            found = [record_id for record_id, (_, owner) in index.items() if owner == project_id]
            found.sort(key=lambda record_id: key_order(index[record_id][0]))
            self._by_project[project_id] = found
        return found

    def put(self, record: Record) -> None:
        """Take ``record`` as saved (replacing the one with its id)."""
        self.texts[record.id] = record_text(record)
        self._index[record.id] = (record.key, str(getattr(record, "project_id", "")))
        self._models[record.id] = record
        self._checked.add(record.id)
        self._by_project = {}

    def drop(self, record_id: str) -> None:
        """Forget record ``record_id``."""
        del self.texts[record_id]
        del self._index[record_id]
        self._models.pop(record_id, None)
        self._checked.discard(record_id)
        self._by_project = {}

    def check(
        self,
        validate: Callable[[type[Record], str, DocumentText], None],
        pause: Callable[[], bool] | None = None,
    ) -> bool:
        """Validate every document not yet validated, keeping no model.

        ``pause`` is called after every :data:`CHECK_BATCH` documents; when it
        returns False the check stops there. Returns True when it went through.
        """
        for done, record_id in enumerate([i for i in self.texts if i not in self._checked], 1):
            validate(self.kind, record_id, self.texts[record_id])
            self._checked.add(record_id)
            if pause is not None and done % CHECK_BATCH == 0 and not pause():
                return False
        return True

    def made(self) -> int:
        """How many models this snapshot has made (what it holds in memory besides text)."""
        return len(self._models)


class Snapshot:
    """Every record at one moment; never changed after it is built.

    Lookups by id are dictionary reads; a record is validated the first time
    it is asked for, and the records of one project are grouped once.
    """

    def __init__(
        self,
        tables: dict[type[Record], Documents],
        signature: Any,
        check: Callable[[type[Record], str, DocumentText], None] | None = None,
    ) -> None:
        self._tables = tables
        self.signature = signature
        """Signature of the data file this snapshot was read from or saved as."""
        self._check = check

    @classmethod
    def empty(cls) -> Snapshot:
        """A snapshot of a store with no records."""
        return cls({kind: Documents(kind, _never_read) for kind in RECORD_TYPES}, None)

    @classmethod
    def of_records(cls, records: dict[type[Record], list[Record]]) -> Snapshot:
        """A snapshot holding ``records`` (for tests and for what-if views of a batch)."""
        tables = {kind: Documents(kind, _never_read) for kind in RECORD_TYPES}
        for kind, found in records.items():
            for record in found:
                tables[kind].put(record)
        return cls(tables, None)

    def documents(self, kind: type[Record]) -> Documents | None:
        """The records of ``kind`` as stored (None for a kind that is not a table)."""
        return self._tables.get(kind)

    def tables(self) -> dict[type[Record], Documents]:
        """Every kind's records (shared, not copied: do not change them)."""
        return self._tables

    def all(self, kind: type[R]) -> list[R]:
        """Every record of ``kind``, in key order."""
        table = self._tables.get(kind)
        if table is None:
            return []
        ids = sorted(table.ids(), key=lambda record_id: key_order(table.key_of(record_id)))
        return [cast(R, table.get(record_id)) for record_id in ids]

    def count(self, kind: type[Record] | None = None) -> int:
        """How many records of ``kind`` (of every kind when None)."""
        if kind is not None:
            table = self._tables.get(kind)
            return len(table) if table is not None else 0
        return sum(len(table) for table in self._tables.values())

    def get(self, kind: type[R], record_id: str) -> R | None:
        """The record of ``kind`` with id ``record_id``, if any."""
        table = self._tables.get(kind)
        return cast(R | None, table.get(record_id)) if table is not None else None

    def of_project(self, kind: type[R], project_id: str) -> list[R]:
        """The records of ``kind`` that belong to project ``project_id``, in key order."""
        table = self._tables.get(kind)
        if table is None or kind is Project:
            return []
        return [cast(R, table.get(record_id)) for record_id in table.ids_of_project(project_id)]

    def count_of_project(self, kind: type[Record], project_id: str) -> int:
        """How many records of ``kind`` belong to ``project_id`` (none is validated)."""
        table = self._tables.get(kind)
        return len(table.ids_of_project(project_id)) if table is not None else 0

    def prepare(self, project_id: str) -> None:
        """Validate now every record of ``project_id`` (in a worker, before it is shown)."""
        for kind in RECORD_TYPES:
            self.of_project(kind, project_id)

    def check(self, pause: Callable[[], bool] | None = None) -> None:
        """Validate every record not yet validated (raises ``DataFileError`` for a broken one).

        ``pause``, if given, is called between batches (a background check
        yields to the UI there); returning False stops the check early.
        """
        if self._check is None:
            return
        for table in self._tables.values():
            if not table.check(self._check, pause):
                return

    def projects(self) -> list[Project]:
        """Every project, by name."""
        return sorted(self.all(Project), key=lambda project: project.name.casefold())

    def project(self, key: str) -> Project:
        """The project with human key ``key`` (case-insensitive).

        Raises:
            NotFoundError: no such project; the message lists the known keys.
        """
        wanted = key.strip().upper()
        table = self._tables.get(Project)
        ids = table.ids() if table is not None else []
        for record_id in ids:
            if table is not None and table.key_of(record_id) == wanted:
                return cast(Project, table.get(record_id))
        known = ", ".join(sorted(table.key_of(i) for i in ids)) if table is not None else ""
        raise NotFoundError(
            f"unknown project key {key!r}" + (f" (known: {known})" if known else " (no projects)")
        )

    def find(self, kind: type[R], key: str, project_id: str | None = None) -> R:
        """The record of ``kind`` with human key ``key`` (in ``project_id`` when given).

        Raises:
            NotFoundError: there is none.
        """
        wanted = key.strip().upper()
        table = self._tables.get(kind)
        if table is not None:
            for record_id in table.ids():
                if table.key_of(record_id) == wanted and (
                    project_id is None or table.project_of(record_id) == project_id
                ):
                    return cast(R, table.get(record_id))
        raise NotFoundError(f"no {kind.LABEL} with key {key!r}")

    def changed_since(self, earlier: Snapshot) -> Iterator[tuple[type[Record], str, bool, bool]]:
        """Each record whose document differs from ``earlier``'s: (kind, id, was, is)."""
        for kind, table in self._tables.items():
            before = earlier._tables.get(kind)
            old_texts = before.texts if before is not None else {}
            for record_id, text in table.texts.items():
                old = old_texts.get(record_id)
                if old is None or not same_text(old, text):
                    yield kind, record_id, old is not None, True
            for record_id in old_texts:
                if record_id not in table.texts:
                    yield kind, record_id, True, False


def _never_read(kind: type[Record], record_id: str, text: DocumentText) -> Record:
    # A snapshot built from models has every model already.
    return read_stored(kind, text)
