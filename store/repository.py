"""The one repository interface that the app and the command line use, and its TinyDB backend.

Reads come from a :class:`Snapshot`: an immutable view of every record at one
moment, rebuilt when another process saves. Writes are batches of
:class:`Change` applied by :meth:`Repository.apply`: every backend checks and
stamps them with the same :class:`~clientdesk.store.write_rules.WriteRules`.
The JSON file store applies a batch under an exclusive inter-process lock:
the file is re-read if it changed, the rules check each change against the
stored revision (a stale one raises :class:`ConflictError`) and allocate keys,
and the batch is saved atomically in one go. Repositories are opened through
:func:`clientdesk.store.backends.open_repository`.
"""

from __future__ import annotations

import os
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from threading import RLock
from typing import TypeVar, cast

from pydantic import ValidationError
from tinydb import TinyDB
from tinydb.table import Document

from clientdesk.store import clock, schema
from clientdesk.store.errors import (
    CannotSaveError,
    ConcurrentSaveError,
    DataFileError,
)
from clientdesk.store.file_lock import DataFileLock
from clientdesk.store.layout import DocumentText
from clientdesk.store.models import (
    RECORD_TYPES,
    Project,
    Record,
)
from clientdesk.store.paths import current_user, real_path
from clientdesk.store.safe_files import trusted_real_path
from clientdesk.store.snapshot import (
    Documents,
    Snapshot,
    describe_validation_error,
    dump_record,
    index_entry,
    read_stored,
)
from clientdesk.store.storage import (
    AtomicJSONStorage,
    backup_hint,
    frozen,
    new_file_mode,
    remove_stale_temp_files,
    save_failure,
)
from clientdesk.store.write_rules import Change, RecordEdit, WorkingSet, WriteRules

__all__ = ["Repository", "StoreContents", "TinyDBRepository", "lock_timeout"]

R = TypeVar("R", bound=Record)

LOCK_TIMEOUT_ENV = "CLIENTDESK_LOCK_TIMEOUT"
LOCK_TIMEOUT_SECONDS = 10.0
"""How long a writer waits for another process's save before giving up.

A save takes tens of milliseconds, so a lock held this long means a stuck
process (or a file system that cannot lock); ``$CLIENTDESK_LOCK_TIMEOUT``
overrides it.
"""


CONCURRENT_SAVE_RETRIES = 3
"""How often a batch is tried again when a program that ignores the lock saved under it."""


def lock_timeout() -> float:
    """Seconds a writer waits for the lock: ``$CLIENTDESK_LOCK_TIMEOUT`` or the default."""
    try:
        return max(0.0, float(os.environ.get(LOCK_TIMEOUT_ENV, LOCK_TIMEOUT_SECONDS)))
    except ValueError:
        return LOCK_TIMEOUT_SECONDS


@dataclass(frozen=True)
class StoreContents:
    """Every record's stored document and the key counters: what ``clientdesk migrate`` moves."""

    documents: dict[type[Record], list[tuple[str, str, str, bytes]]]
    """Per kind, each record's (id, key, project id, document text), in the store's order."""
    counters: dict[str, int]
    """The last key number given, per project and kind (keys are never handed out twice)."""

    @classmethod
    def of(cls, snapshot: Snapshot, counters: dict[str, int]) -> StoreContents:
        """What ``snapshot`` holds, with ``counters``."""
        documents: dict[type[Record], list[tuple[str, str, str, bytes]]] = {}
        for kind in RECORD_TYPES:
            table = snapshot.documents(kind)
            ids = table.ids() if table is not None else []
            documents[kind] = [
                (i, table.key_of(i), table.project_of(i), bytes(table.texts[i]))
                for i in ids
                if table is not None
            ]
        return cls(documents, counters)

    def rows(self) -> Iterator[tuple[type[Record], str, str, str, bytes]]:
        """Each record as (kind, id, key, project id, document text)."""
        for kind, documents in self.documents.items():
            for record_id, key, project_id, text in documents:
                yield kind, record_id, key, project_id, text

    def count(self) -> int:
        """How many records there are."""
        return sum(len(documents) for documents in self.documents.values())


class Repository(ABC):
    """Where clientdesk's records live. The app and the CLI see only this interface."""

    @property
    @abstractmethod
    def location(self) -> str:
        """Where the data is, for messages (a path for the file store)."""

    @abstractmethod
    def snapshot(self) -> Snapshot:
        """The current records, re-read first if another process saved.

        Raises:
            DataFileError: the stored data cannot be read.
        """

    @abstractmethod
    def has_changed(self) -> bool:
        """True when another process saved since the last snapshot (cheap: one stat)."""

    @abstractmethod
    def apply(
        self, changes: Iterable[Change], *, edits: list[RecordEdit] | None = None
    ) -> list[Record | None]:
        """Apply a batch of changes atomically and return the saved records.

        Deleted records come back as None. Given ``edits``, the batch's effect on
        every record it touched (a project's checklist and, for a deleted
        project, every record it held) is appended to it once saved.

        Raises:
            ConflictError: a change was based on a stale revision; nothing is written.
            ValidationFailed: a record breaks a rule; nothing is written.
            DataFileError: the stored data cannot be read, or was deleted or
                moved since it was read (DataFileMissingError); nothing is written.
            CannotSaveError: the new version could not be written (ReadOnlyError,
                DiskFullError) or another writer held the lock too long
                (StoreBusyError); nothing is written.
        """

    def wait_for_change(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for another process's save; True when one came.

        By default the store looks once the time is up (:meth:`has_changed`);
        a database is told of saves as they happen.

        Raises:
            StoreUnavailableError: the store cannot be reached just now.
        """
        time.sleep(timeout)
        return self.has_changed()

    @abstractmethod
    def close(self) -> None:
        """Let go of what the store holds open (connections); it opens them again if used."""

    @abstractmethod
    def contents(self) -> StoreContents:
        """Every record as stored, each checked, with the key counters (for ``migrate``).

        Raises:
            DataFileError: a record is broken; nothing can be moved until it is mended.
        """

    @abstractmethod
    def load(self, contents: StoreContents) -> None:
        """Fill an empty store with ``contents`` as they are: ids, keys, revisions, histories.

        Raises:
            CannotSaveError: the store already holds records; nothing was written.
        """

    def add(self, record: R) -> R:
        """Add one record and return it as saved (with key, revision 1 and timestamps)."""
        return cast(R, self.apply([Change.add(record)])[0])

    def update(self, record: R) -> R:
        """Save a changed record; ``record.revision`` is the revision it was based on."""
        return cast(R, self.apply([Change.update(record)])[0])

    def delete(self, record: Record) -> None:
        """Delete a record; ``record.revision`` is the revision it was based on."""
        self.apply([Change.delete(record)])


class TinyDBRepository(Repository):
    """The JSON file store: TinyDB over :class:`AtomicJSONStorage`, shared by processes.

    Thread-safe: the app calls it from worker threads.
    """

    def __init__(self, path: str | Path, *, user: str | None = None) -> None:
        # Resolve symlinks once, so that the lock, the saves and the backups all act
        # on the real file (a save renames over a path; over a symlink it would
        # replace the link and leave the target behind). A link that someone else
        # could have planted is refused here, before anything is read or written.
        try:
            self.path = trusted_real_path(path)
        except FileNotFoundError:
            self.path = real_path(path)  # a folder still to be made
        self.user = user or current_user()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = TinyDB(self.path, storage=AtomicJSONStorage)
        self._storage = cast(AtomicJSONStorage, self._db.storage)
        self._file_lock = DataFileLock(
            self.path, timeout=lock_timeout(), new_file_mode=new_file_mode()
        )
        self._temp_files_checked = False
        self._thread_lock = RLock()
        self._snapshot: Snapshot | None = None
        self._doc_ids: dict[type[Record], dict[str, int]] = {}
        self._rules = WriteRules(self.user, self.path.parent)

    @property
    def location(self) -> str:
        """The data file's path."""
        return str(self.path)

    # -- reading ---------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The current records, re-read first if the file changed on disk."""
        with self._thread_lock:
            if self._snapshot is None or self._storage.changed_on_disk():
                # Forget the old file's records first: if the new file is broken, every
                # later call must report it again instead of serving stale records.
                earlier, self._snapshot = self._snapshot, None
                self._storage.reload()
                self._rebuild_snapshot(earlier)
            assert self._snapshot is not None
            return self._snapshot

    def has_changed(self) -> bool:
        """True when the file is not the one the last snapshot came from."""
        with self._thread_lock:
            return self._snapshot is None or self._storage.changed_on_disk()

    def _rebuild_snapshot(self, earlier: Snapshot | None = None) -> None:
        # Each document is kept as its text with a small index; its model is
        # made when something asks for it (see store/snapshot.py). A document
        # whose text is the same as at the last reading keeps its model and
        # its check: another process's save changes a few records.
        tables = self._storage.read() or {}
        built: dict[type[Record], Documents] = {}
        owners: dict[str, str] = {}
        doc_ids: dict[type[Record], dict[str, int]] = {}
        for kind in RECORD_TYPES:
            table = built[kind] = Documents(kind, self._read_document)
            ids: dict[str, int] = {}
            doc_ids[kind] = ids
            documents = tables.get(kind.TABLE, {})
            for doc_id, stored in documents.items():
                text = stored if isinstance(stored, bytes | memoryview) else frozen(stored)
                entry = index_entry(text)
                if entry is None:
                    # Not a document at all: validating it words what is wrong.
                    record = self._read_document(kind, f"#{doc_id}", text)
                    entry = (record.id, record.key, str(getattr(record, "project_id", "")))
                record_id, key, project_id = entry
                # One string per project, not one per record (~4 MiB at 50,000 records).
                project_id = owners.setdefault(project_id, project_id)
                if record_id in table:
                    raise self._broken(f"two {kind.TABLE} records share the id {record_id}")
                table.add_text(record_id, key, project_id, text)
                ids[record_id] = int(doc_id)
                # Kept as text from now on: the model is made from it when asked for.
                documents[doc_id] = text
            if earlier is not None and (before := earlier.documents(kind)) is not None:
                table.take_over(before)
        self._snapshot = Snapshot(built, self._storage.signature, self._check_document)
        self._doc_ids = doc_ids

    def _broken(self, problem: str) -> DataFileError:
        """Refuse writes from now on, with a message naming ``problem``."""
        broken = DataFileError(
            f"{self.path}: {problem}; nothing was written; {backup_hint(self.path)}"
        )
        self._storage.mark_broken(broken)
        return broken

    def _read_document(self, kind: type[Record], record_id: str, text: DocumentText) -> Record:
        """Validate one stored document (``record_id`` is "#" and its number when unreadable)."""
        try:
            record = read_stored(kind, text)
        except ValidationError as error:
            message, _ = describe_validation_error(error)
            entry = index_entry(text)
            label = (entry[1] if entry is not None else "") or record_id
            # Keys repeat from project to project: name the project too.
            owner = self._project_key_of(entry[2]) if entry is not None else ""
            where = f" of project {owner}" if owner else ""
            raise self._broken(f"{kind.LABEL} {label}{where} is invalid ({message})") from None
        if record.id != record_id and not record_id.startswith("#"):
            raise self._broken(f"{kind.LABEL} {record.key or record.id} names two ids")
        return record

    def _project_key_of(self, project_id: str) -> str:
        """The key of project ``project_id`` in the snapshot on hand ("" when unknown)."""
        projects = self._snapshot.documents(Project) if self._snapshot is not None else None
        if projects is None or project_id not in projects:
            return ""
        return projects.key_of(project_id)

    def _check_document(self, kind: type[Record], record_id: str, text: DocumentText) -> None:
        self._read_document(kind, record_id, text)

    # -- writing ---------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._thread_lock:
            self._storage.raise_if_missing()
            self._file_lock.acquire()
            try:
                if not self._temp_files_checked:
                    # Once a session, under the lock: no save of this file is under way.
                    self._temp_files_checked = True
                    remove_stale_temp_files(self.path)
                yield
            finally:
                self._file_lock.release()

    def apply(
        self, changes: Iterable[Change], *, edits: list[RecordEdit] | None = None
    ) -> list[Record | None]:
        """Apply a batch of changes atomically; see :meth:`Repository.apply`."""
        batch = list(changes)
        try:
            for _ in range(CONCURRENT_SAVE_RETRIES):
                try:
                    return self._apply(batch, edits)
                except ConcurrentSaveError:
                    # A program that ignores the lock saved meanwhile: nothing was
                    # written; the batch is checked again against that version.
                    continue
            return self._apply(batch, edits)
        except OSError as error:
            # Reading under the lock words its own errors (DataFileError), so an
            # OSError here is from taking the lock or writing the new version.
            raise save_failure(self.path, error) from error

    def _apply(self, batch: list[Change], edits: list[RecordEdit] | None) -> list[Record | None]:
        with self._locked():
            self._storage.begin()
            try:
                if self._snapshot is None or self._snapshot.signature != self._storage.signature:
                    self._rebuild_snapshot(self._snapshot)
                assert self._snapshot is not None
                # Every record is validated before anything is written: a record
                # broken by hand stops the save, whichever project it is in.
                self._snapshot.check()
                if self._storage.read() is None:
                    self._db.table(schema.META_TABLE).insert(
                        Document(schema.empty_tables()[schema.META_TABLE]["1"], doc_id=1)
                    )
                work = WorkingSet(self._snapshot, self._stored_counters())
                results = self._rules.apply(work, batch, clock.now())
                doc_ids = self._write(work)
                self._storage.commit()
            except BaseException:
                self._storage.rollback()
                raise
            self._snapshot = Snapshot(work.records, self._storage.signature, self._check_document)
            self._doc_ids = doc_ids
            if edits is not None:
                edits.extend(work.edits())
            return results

    def contents(self) -> StoreContents:
        """Every record as stored, each checked, with the key counters (see ``Repository``)."""
        with self._locked():
            snapshot = self.snapshot()
            snapshot.check()
            return StoreContents.of(snapshot, self._stored_counters())

    def load(self, contents: StoreContents) -> None:
        """Write ``contents`` into a new or empty data file; see :meth:`Repository.load`."""
        try:
            with self._locked():
                self._storage.begin()
                try:
                    tables = self._storage.read() or {}
                    held = sum(len(tables.get(kind.TABLE, {})) for kind in RECORD_TYPES)
                    if held:
                        raise CannotSaveError(
                            f"{self.path}: already holds {held} records; migrate only into a "
                            "new or empty data file (nothing was written)"
                        )
                    filled = schema.empty_tables()
                    filled[schema.META_TABLE][schema.META_DOC_ID]["counters"] = dict(
                        contents.counters
                    )
                    for kind, documents in contents.documents.items():
                        if not documents:
                            continue  # TinyDB makes a table on its first record
                        filled[kind.TABLE] = {
                            str(number): text
                            for number, (_, _, _, text) in enumerate(documents, start=1)
                        }
                    self._storage.write(filled)
                    self._storage.commit()
                except BaseException:
                    self._storage.rollback()
                    raise
        except OSError as error:
            raise save_failure(self.path, error) from error
        with self._thread_lock:
            self._snapshot = None

    def close(self) -> None:
        """Nothing to let go of: the file is opened for each read and save."""

    def _stored_counters(self) -> dict[str, int]:
        meta = self._db.table(schema.META_TABLE, cache_size=0).get(doc_id=1)
        return dict(meta.get("counters", {})) if meta else {}

    def _write(self, work: WorkingSet) -> dict[type[Record], dict[str, int]]:
        """Put what the batch changed into TinyDB's tables (saved by the storage's commit).

        Returns the table positions (TinyDB's doc ids) of every record after the batch.

        Inserts and removals go in one operation per table: each TinyDB
        operation copies its whole table.
        """
        doc_ids = self._doc_ids
        owned: set[type[Record]] = set()
        inserts: dict[type[Record], list[Document]] = {}
        removals: dict[type[Record], list[int]] = {}
        last_doc_id: dict[type[Record], int] = {}
        for edit in work.edits():
            record = cast(Record, edit.after or edit.before)
            kind = type(record)
            if kind not in owned:
                doc_ids = {**doc_ids, kind: dict(doc_ids.get(kind, {}))}
                owned.add(kind)
            ids = doc_ids[kind]
            if edit.after is None:
                removals.setdefault(kind, []).append(ids.pop(record.id))
            elif record.id in ids:
                # Parsed in place first: TinyDB updates the stored document's dict.
                self._storage.document(kind.TABLE, ids[record.id])
                table = self._db.table(kind.TABLE, cache_size=0)
                table.update(dump_record(edit.after), doc_ids=[ids[record.id]])
            else:
                if kind not in last_doc_id:
                    last_doc_id[kind] = max(ids.values(), default=0)
                last_doc_id[kind] += 1
                ids[record.id] = last_doc_id[kind]
                document = Document(dump_record(edit.after), doc_id=last_doc_id[kind])
                inserts.setdefault(kind, []).append(document)
        for kind, removed in removals.items():
            self._db.table(kind.TABLE, cache_size=0).remove(doc_ids=removed)
        for kind, documents in inserts.items():
            self._db.table(kind.TABLE, cache_size=0).insert_multiple(documents)
        if work.counters_changed:
            meta_table = self._db.table(schema.META_TABLE, cache_size=0)
            meta_table.update({"counters": work.counters}, doc_ids=[1])
        return doc_ids
