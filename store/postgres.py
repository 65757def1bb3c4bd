"""The PostgreSQL backend: the same records, rules and conflicts as the JSON file, in a database.

A team that outgrows one file on one server points clientdesk at PostgreSQL
(``--data postgresql://…``). Each record is one row of ``clientdesk.records``:
its kind, id, key and project as columns, the document itself as JSONB, and
the number of the save that last wrote it. Every save is one transaction that
first takes one advisory lock (writers queue, as they do on the file's lock),
brings the snapshot up to date with the saves since it was read, applies the
batch with the same :class:`~clientdesk.store.write_rules.WriteRules` as the
file store, writes the rows it changed, counts the save on, and notifies the
``clientdesk_saved`` channel. Readers catch up by reading only the rows of
later saves, and an open app hears of them by LISTEN, without polling.

The schema is clientdesk's own: made and migrated by it (``clientdesk.layout``
records its version), never by hand. Every query is parameterised. The
connection string is handed to libpq as it is, so the password comes from
``PGPASSWORD`` or the password file (``~/.pgpass``, ``PGPASSFILE``) and TLS
is as libpq's ``sslmode`` and the ``PGSSL*`` variables set it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from threading import RLock
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from clientdesk.store import clock, schema
from clientdesk.store.errors import (
    CannotSaveError,
    DataFileError,
    StoreBusyError,
    StoreUnavailableError,
)
from clientdesk.store.layout import DocumentText
from clientdesk.store.models import RECORD_TYPES, Record
from clientdesk.store.paths import current_user, shown_url
from clientdesk.store.repository import Repository, StoreContents, lock_timeout
from clientdesk.store.snapshot import (
    Documents,
    Snapshot,
    describe_validation_error,
    read_stored,
)
from clientdesk.store.write_rules import Change, RecordEdit, WorkingSet, WriteRules

if TYPE_CHECKING:
    import psycopg

__all__ = ["PostgresRepository"]

CHANNEL = "clientdesk_saved"
"""The channel every save notifies, with the save's number as payload."""

WRITER_LOCK = 0x636C_6465_736B
"""The advisory lock every save takes first: one writer at a time, as on the file."""

LAYOUT_LOCK = WRITER_LOCK + 1
"""Held while the schema is made or migrated, so that two first starts do not race."""

CONNECT_TIMEOUT_SECONDS = 5
"""How long a connection attempt waits for the server before the store says it is unreachable."""

RECONNECT_SECONDS = 2.0
"""How often the watch tries the database again while it cannot be reached."""

LAYOUT: dict[int, tuple[str, ...]] = {
    1: (
        """CREATE TABLE clientdesk.records (
            kind text NOT NULL,
            id text NOT NULL,
            project_id text NOT NULL DEFAULT '',
            key text NOT NULL,
            position bigserial NOT NULL,
            saved_in bigint NOT NULL,
            document jsonb NOT NULL,
            PRIMARY KEY (kind, id)
        )""",
        "CREATE INDEX records_saved_in ON clientdesk.records (saved_in)",
        """CREATE TABLE clientdesk.removed (
            kind text NOT NULL,
            id text NOT NULL,
            saved_in bigint NOT NULL,
            PRIMARY KEY (kind, id)
        )""",
        "CREATE INDEX removed_saved_in ON clientdesk.removed (saved_in)",
        """CREATE TABLE clientdesk.counters (
            name text PRIMARY KEY,
            number integer NOT NULL
        )""",
        """CREATE TABLE clientdesk.state (
            only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
            saved_in bigint NOT NULL,
            data_version integer NOT NULL,
            saved_by text NOT NULL DEFAULT '',
            saved_at timestamptz
        )""",
    ),
    # A reader's first load takes every row in the order saved: sorted by an index,
    # not in memory (which spilled to disk at 50,000 records).
    2: ("CREATE INDEX records_position ON clientdesk.records (position)",),
    # The document's text, made once as it is saved: a reader's load took twice as
    # long turning every JSONB document back into text (50,000 records: 395-481 ms
    # against 180 ms). Generated from the JSONB, the two can never disagree.
    3: (
        "ALTER TABLE clientdesk.records ADD COLUMN document_text text"
        " GENERATED ALWAYS AS (document::text) STORED",
    ),
}
"""``LAYOUT[n]``: the statements that take the database's tables from version n - 1 to n."""

LAYOUT_VERSION = max(LAYOUT)
"""The table layout this clientdesk reads and writes."""

_KINDS = {kind.TABLE: kind for kind in RECORD_TYPES}


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


@dataclass
class _Row:
    kind: type[Record]
    record_id: str
    key: str
    project_id: str
    text: bytes


class PostgresRepository(Repository):
    """clientdesk's records in a PostgreSQL database, shared by every process that opens it.

    Thread-safe: the app calls it from worker threads. Two connections at
    most: one for reads and saves, one (only when :meth:`wait_for_change` is
    used, by the app) that listens for other processes' saves.
    """

    def __init__(self, url: str, *, user: str | None = None) -> None:
        """Open the database at ``url`` as ``user`` (connects on first use)."""
        self._url = url
        self.user = user or current_user()
        self._rules = WriteRules(self.user)
        self._lock = RLock()
        self._connection: psycopg.Connection[Any] | None = None
        self._listener: psycopg.Connection[Any] | None = None
        self._listener_failed_at = 0.0
        self._listened = False
        self._snapshot: Snapshot | None = None
        self._saved_in = 0
        self._counters: dict[str, int] = {}

    @property
    def location(self) -> str:
        """The database's URL, without any password."""
        return shown_url(self._url)

    # -- connections -----------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        import psycopg

        try:
            connection = psycopg.connect(
                self._url,
                autocommit=True,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                application_name="clientdesk",
            )
        except psycopg.Error as error:
            raise self._unavailable(error) from None
        return connection

    def _unavailable(self, error: BaseException) -> StoreUnavailableError:
        return StoreUnavailableError(
            f"{self.location}: cannot reach the database ({_first_line(error)})"
        )

    @contextmanager
    def _session(self) -> Iterator[psycopg.Connection[Any]]:
        """The working connection, made (and the schema checked) when there is none.

        A connection lost on the way is dropped, so that the next call connects
        again; the caller sees :class:`StoreUnavailableError`.
        """
        import psycopg

        with self._lock:
            if self._connection is None or self._connection.closed:
                connection = self._connect()
                try:
                    _prepare_layout(connection, self.location)
                except psycopg.OperationalError as error:
                    connection.close()
                    raise self._unavailable(error) from None
                except BaseException:
                    connection.close()
                    raise
                self._connection = connection
            try:
                yield self._connection
            except psycopg.OperationalError as error:
                self._drop_connection()
                raise self._unavailable(error) from None

    def _drop_connection(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None

    def close(self) -> None:
        """Close both connections."""
        with self._lock:
            self._drop_connection()
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()

    # -- reading ---------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """The current records, brought up to date with other processes' saves first."""
        with self._session() as connection, self._lock:
            with connection.transaction():
                connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                self._catch_up(connection)
            assert self._snapshot is not None
            return self._snapshot

    def has_changed(self) -> bool:
        """True when another process saved since the last snapshot (one small query)."""
        with self._session() as connection, self._lock:
            if self._snapshot is None:
                return True
            row = connection.execute("SELECT saved_in FROM clientdesk.state").fetchone()
            return row is not None and int(row[0]) != self._saved_in

    def wait_for_change(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds to be told of another process's save.

        Listens on its own connection. When that connection is lost, the
        database is tried again every :data:`RECONNECT_SECONDS`, and each try
        that fails raises :class:`StoreUnavailableError`; once it is back, the
        answer is True, since saves made meanwhile went unheard.
        """
        import psycopg

        listener = self._listener
        if listener is None or listener.closed:
            wait = self._listener_failed_at + RECONNECT_SECONDS - time.monotonic()
            if wait > 0:
                time.sleep(min(wait, timeout))
                if wait > timeout:
                    return False
            try:
                listener = self._connect()
                listener.execute(f"LISTEN {CHANNEL}")
            except (StoreUnavailableError, psycopg.Error) as error:
                self._listener_failed_at = time.monotonic()
                if isinstance(error, StoreUnavailableError):
                    raise
                raise self._unavailable(error) from None
            self._listener = listener
            if self._listened:
                return True  # back after a loss: saves made meanwhile went unheard
            self._listened = True
            return self.has_changed()
        try:
            for notice in listener.notifies(timeout=timeout, stop_after=1):
                if not notice.payload.isdigit() or int(notice.payload) > self._saved_in:
                    return True
            return False
        except psycopg.Error as error:
            self._listener = None
            self._listener_failed_at = time.monotonic()
            listener.close()
            raise self._unavailable(error) from None

    def _catch_up(self, connection: psycopg.Connection[Any]) -> None:
        """Bring :attr:`_snapshot` to the last save (inside the caller's transaction)."""
        row = connection.execute("SELECT saved_in, data_version FROM clientdesk.state").fetchone()
        saved_in, data_version = (int(row[0]), int(row[1])) if row else (0, schema.SCHEMA_VERSION)
        if data_version > schema.SCHEMA_VERSION:
            raise DataFileError(
                f"{self.location}: written by a newer clientdesk (data version {data_version}, "
                f"this one reads up to {schema.SCHEMA_VERSION}); update clientdesk"
            )
        earlier = self._snapshot
        if earlier is not None and saved_in == self._saved_in:
            return
        if saved_in < self._saved_in:
            earlier = None  # not the database read before (restored, or made anew): read it all
        since = self._saved_in if earlier is not None else -1
        rows = connection.execute(
            "SELECT kind, id, key, project_id, document_text FROM clientdesk.records"
            " WHERE saved_in > %s ORDER BY position",
            (since,),
        ).fetchall()
        removed = connection.execute(
            "SELECT kind, id FROM clientdesk.removed WHERE saved_in > %s", (since,)
        ).fetchall()
        counters = connection.execute("SELECT name, number FROM clientdesk.counters").fetchall()
        fresh: dict[type[Record], dict[str, _Row]] = {kind: {} for kind in RECORD_TYPES}
        for table, record_id, key, project_id, text in rows:
            kind = _KINDS.get(table) or self._kind(table)
            fresh[kind][record_id] = _Row(kind, record_id, key, project_id, text.encode())
        gone: dict[type[Record], set[str]] = {kind: set() for kind in RECORD_TYPES}
        for table, record_id in removed:
            gone[self._kind(table)].add(record_id)
        self._snapshot = None  # a failure below must not leave a half-read snapshot
        self._snapshot = self._snapshot_of(earlier, fresh, gone, saved_in)
        self._saved_in = saved_in
        self._counters = {str(name): int(number) for name, number in counters}

    def _kind(self, table: str) -> type[Record]:
        kind = _KINDS.get(table)
        if kind is None:
            raise DataFileError(f"{self.location}: holds records of an unknown kind {table!r}")
        return kind

    def _snapshot_of(
        self,
        earlier: Snapshot | None,
        fresh: dict[type[Record], dict[str, _Row]],
        gone: dict[type[Record], set[str]],
        saved_in: int,
    ) -> Snapshot:
        """``earlier`` with the rows saved since put in and the removed ones taken out."""
        tables: dict[type[Record], Documents] = {}
        for kind in RECORD_TYPES:
            table = tables[kind] = Documents(kind, self._read_document)
            rows, dropped = fresh[kind], gone[kind]
            before = earlier.documents(kind) if earlier is not None else None
            if before is not None:
                for record_id in before.ids():
                    if record_id in dropped:
                        continue
                    row = rows.pop(record_id, None)
                    if row is not None:
                        table.add_text(record_id, row.key, row.project_id, row.text)
                    else:
                        text = before.texts[record_id]
                        table.add_text(
                            record_id, before.key_of(record_id), before.project_of(record_id), text
                        )
            for row in rows.values():
                table.add_text(row.record_id, row.key, row.project_id, row.text)
            if before is not None:
                table.take_over(before)
        return Snapshot(tables, saved_in, self._check_document)

    def _read_document(self, kind: type[Record], record_id: str, text: DocumentText) -> Record:
        try:
            record = read_stored(kind, text)
        except ValidationError as error:
            message, _ = describe_validation_error(error)
            raise DataFileError(
                f"{self.location}: {kind.LABEL} {record_id} is invalid ({message}); "
                "nothing can be saved until it is mended"
            ) from None
        return record

    def _check_document(self, kind: type[Record], record_id: str, text: DocumentText) -> None:
        self._read_document(kind, record_id, text)

    # -- writing ---------------------------------------------------------------

    def apply(
        self, changes: Iterable[Change], *, edits: list[RecordEdit] | None = None
    ) -> list[Record | None]:
        """Apply a batch of changes in one transaction; see :meth:`Repository.apply`."""
        import psycopg

        batch = list(changes)
        with self._session() as connection, self._lock:
            committing = False
            try:
                with connection.transaction():
                    self._take_writer_lock(connection)
                    self._catch_up(connection)
                    assert self._snapshot is not None
                    # Every record is checked before anything is written, as on the file.
                    self._snapshot.check()
                    work = WorkingSet(self._snapshot, self._counters)
                    results = self._rules.apply(work, batch, clock.now())
                    saved_in = self._saved_in + 1
                    self._write(connection, work, saved_in)
                    committing = True
            except psycopg.errors.LockNotAvailable:
                raise StoreBusyError(
                    f"{self.location}: another save held the database for over "
                    f"{lock_timeout():g} s; nothing was written, try again"
                ) from None
            except psycopg.OperationalError:
                if committing:
                    # The commit may or may not have landed: read everything afresh.
                    self._snapshot = None
                raise
            except psycopg.Error as error:
                raise CannotSaveError(
                    f"{self.location}: the database refused the save ({_first_line(error)}); "
                    "nothing was written"
                ) from None
            self._snapshot = Snapshot(work.records, saved_in, self._check_document)
            self._saved_in = saved_in
            self._counters = dict(work.counters)
        if edits is not None:
            edits.extend(work.edits())
        return results

    def _take_writer_lock(self, connection: psycopg.Connection[Any]) -> None:
        waited = f"{int(lock_timeout() * 1000)}ms"
        connection.execute("SELECT set_config('lock_timeout', %s, true)", (waited,))
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (WRITER_LOCK,))

    def _write(self, connection: psycopg.Connection[Any], work: WorkingSet, saved_in: int) -> None:
        """Write the rows the batch changed, count the save and tell the listeners."""
        inserted: list[tuple[Any, ...]] = []
        updated: list[tuple[Any, ...]] = []
        removed: list[tuple[Any, ...]] = []
        for edit in work.edits():
            record = edit.after or edit.before
            assert record is not None
            kind = type(record)
            if edit.after is None:
                removed.append((kind.TABLE, record.id, saved_in))
                continue
            text = bytes(work.records[kind].texts[record.id]).decode()
            project_id = str(getattr(edit.after, "project_id", ""))
            if edit.before is None:
                inserted.append((kind.TABLE, record.id, project_id, edit.after.key, text, saved_in))
            else:
                updated.append((edit.after.key, project_id, text, saved_in, kind.TABLE, record.id))
        with connection.cursor() as cursor:
            if removed:
                cursor.executemany(
                    "DELETE FROM clientdesk.records WHERE kind = %s AND id = %s",
                    [(kind, record_id) for kind, record_id, _ in removed],
                )
                cursor.executemany(
                    "INSERT INTO clientdesk.removed (kind, id, saved_in) VALUES (%s, %s, %s)"
                    " ON CONFLICT (kind, id) DO UPDATE SET saved_in = EXCLUDED.saved_in",
                    removed,
                )
            if updated:
                cursor.executemany(
                    "UPDATE clientdesk.records SET key = %s, project_id = %s,"
                    " document = %s::jsonb, saved_in = %s WHERE kind = %s AND id = %s",
                    updated,
                )
            if inserted:
                cursor.executemany(
                    "DELETE FROM clientdesk.removed WHERE kind = %s AND id = %s",
                    [(row[0], row[1]) for row in inserted],
                )
                cursor.executemany(
                    "INSERT INTO clientdesk.records (kind, id, project_id, key, document, saved_in)"
                    " VALUES (%s, %s, %s, %s, %s::jsonb, %s)",
                    inserted,
                )
            if work.counters_changed:
                self._write_counters(cursor, work.counters)
            cursor.execute(
                "UPDATE clientdesk.state SET saved_in = %s, saved_by = %s, saved_at = now()",
                (saved_in, self.user),
            )
            cursor.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(saved_in)))

    def _write_counters(self, cursor: psycopg.Cursor[Any], counters: dict[str, int]) -> None:
        forgotten = [name for name in self._counters if name not in counters]
        if forgotten:
            cursor.execute("DELETE FROM clientdesk.counters WHERE name = ANY(%s)", (forgotten,))
        changed = [(n, v) for n, v in counters.items() if self._counters.get(n) != v]
        if changed:
            cursor.executemany(
                "INSERT INTO clientdesk.counters (name, number) VALUES (%s, %s)"
                " ON CONFLICT (name) DO UPDATE SET number = EXCLUDED.number",
                changed,
            )

    # -- moving whole stores ---------------------------------------------------

    def contents(self) -> StoreContents:
        """Every record's stored document and the key counters (for ``clientdesk migrate``)."""
        snapshot = self.snapshot()
        snapshot.check()
        with self._lock:
            return StoreContents.of(snapshot, dict(self._counters))

    def load(self, contents: StoreContents) -> None:
        """Fill an empty database with ``contents`` as they are (ids, keys, revisions).

        Raises:
            CannotSaveError: the database already holds records; nothing was written.
        """
        import psycopg

        with self._session() as connection, self._lock:
            try:
                with connection.transaction():
                    self._take_writer_lock(connection)
                    taken = connection.execute("SELECT count(*) FROM clientdesk.records").fetchone()
                    if taken is not None and int(taken[0]) > 0:
                        raise CannotSaveError(
                            f"{self.location}: already holds {int(taken[0])} records; "
                            "migrate only into an empty database (nothing was written)"
                        )
                    row = connection.execute("SELECT saved_in FROM clientdesk.state").fetchone()
                    saved_in = (int(row[0]) if row else 0) + 1
                    with connection.cursor() as cursor:
                        cursor.executemany(
                            "INSERT INTO clientdesk.records"
                            " (kind, id, project_id, key, document, saved_in)"
                            " VALUES (%s, %s, %s, %s, %s::jsonb, %s)",
                            [
                                (kind.TABLE, record_id, project_id, key, text.decode(), saved_in)
                                for kind, record_id, key, project_id, text in contents.rows()
                            ],
                        )
                        cursor.execute("DELETE FROM clientdesk.counters")
                        cursor.executemany(
                            "INSERT INTO clientdesk.counters (name, number) VALUES (%s, %s)",
                            list(contents.counters.items()),
                        )
                        cursor.execute(
                            "UPDATE clientdesk.state SET saved_in = %s, saved_by = %s,"
                            " saved_at = now()",
                            (saved_in, self.user),
                        )
                        cursor.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(saved_in)))
            except psycopg.OperationalError:
                raise
            except psycopg.Error as error:
                raise CannotSaveError(
                    f"{self.location}: the database refused the records ({_first_line(error)}); "
                    "nothing was written"
                ) from None
            self._snapshot = None


def _prepare_layout(connection: psycopg.Connection[Any], location: str) -> None:
    """Make or migrate clientdesk's tables (once per database; cheap when they are current)."""
    import psycopg

    try:
        row = connection.execute("SELECT max(version) FROM clientdesk.layout").fetchone()
        version = int(row[0]) if row and row[0] is not None else 0
    except psycopg.errors.UndefinedTable:
        version = 0
    if version == LAYOUT_VERSION:
        return
    if version > LAYOUT_VERSION:
        raise DataFileError(
            f"{location}: its tables were made by a newer clientdesk (layout {version}, "
            f"this one knows up to {LAYOUT_VERSION}); update clientdesk"
        )
    try:
        with connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (LAYOUT_LOCK,))
            connection.execute("CREATE SCHEMA IF NOT EXISTS clientdesk")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS clientdesk.layout"
                " (version integer PRIMARY KEY, made_at timestamptz NOT NULL DEFAULT now())"
            )
            row = connection.execute("SELECT max(version) FROM clientdesk.layout").fetchone()
            version = int(row[0]) if row and row[0] is not None else 0
            for step in range(version + 1, LAYOUT_VERSION + 1):
                for statement in LAYOUT[step]:
                    connection.execute(statement)
                connection.execute("INSERT INTO clientdesk.layout (version) VALUES (%s)", (step,))
            connection.execute(
                "INSERT INTO clientdesk.state (saved_in, data_version) VALUES (0, %s)"
                " ON CONFLICT (only_row) DO NOTHING",
                (schema.SCHEMA_VERSION,),
            )
    except psycopg.errors.InsufficientPrivilege as error:
        raise DataFileError(
            f"{location}: clientdesk's tables are not there and this login may not make them "
            f"({_first_line(error)}); open it once as the database's owner"
        ) from None
    except psycopg.OperationalError:
        raise
    except psycopg.Error as error:
        raise DataFileError(
            f"{location}: cannot bring clientdesk's tables to layout {LAYOUT_VERSION} "
            f"({_first_line(error)}); nothing was changed"
        ) from None
