"""A TinyDB storage that makes the persistence contract true.

- A save is atomic: the new content goes to a temporary file in the same
  directory, which is flushed and fsynced, renamed over the data file, and the
  directory is fsynced. A crash at any moment leaves the old or the new file.
- A save keeps the existing file's mode, owner and group; a new file gets the
  umask's owner and group bits and nothing for others.
- The previous good version is kept as a rolling backup beside the file
  (``clientdesk.json.bak.1`` is the newest; ``.bak.2`` to ``.bak.5`` are
  spaced at least ten minutes apart).
- A file that does not parse, has the wrong shape or carries a newer schema
  version raises :class:`DataFileError` on read; once that happened, the
  storage refuses every write.
- A data file deleted or moved while it is open raises
  :class:`DataFileMissingError` instead of being started afresh: a save would
  otherwise make a new file with only the records saved from then on.
- A save that fails (read-only folder, full disk) leaves the data file as it
  was and no temporary file behind; :func:`save_failure` words the error.

Writes are buffered between :meth:`AtomicJSONStorage.begin` and
:meth:`AtomicJSONStorage.commit`, so that a transaction of several TinyDB
operations costs one save. The repository holds the inter-process lock
around that span.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple, cast

import orjson
from tinydb.storages import Storage

from clientdesk.store import schema
from clientdesk.store.errors import (
    CannotSaveError,
    DataFileError,
    DataFileMissingError,
    DiskFullError,
    ReadOnlyError,
)

BACKUP_COUNT = 5
"""How many earlier versions of the data file are kept beside it."""

BACKUP_SPACING_ENV = "CLIENTDESK_BACKUP_SPACING"
DEFAULT_BACKUP_SPACING_SECONDS = 600.0
"""Backups 2 to 5 are at least this far apart (backup 1 is always the previous save)."""

Tables = dict[str, dict[str, Any]]


class FileSignature(NamedTuple):
    """Enough of ``stat`` to tell that another process replaced the file."""

    device: int
    inode: int
    size: int
    mtime_ns: int


def signature_of(path: Path) -> FileSignature | None:
    """The file's signature, or None when it does not exist."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return FileSignature(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def backup_path(path: Path, number: int) -> Path:
    """The path of backup ``number`` (1 is the newest) of data file ``path``."""
    return path.with_name(f"{path.name}.bak.{number}")


def newest_backup(path: Path) -> Path | None:
    """The newest backup of ``path`` that exists, if any."""
    for number in range(1, BACKUP_COUNT + 1):
        candidate = backup_path(path, number)
        if candidate.exists():
            return candidate
    return None


def backup_hint(path: Path) -> str:
    """A sentence telling the user where the last good backup is."""
    backup = newest_backup(path)
    if backup is None:
        return "no backup exists yet"
    saved = datetime.fromtimestamp(backup.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    return f"the last good backup is {backup} (saved {saved})"


def lock_path(path: Path) -> Path:
    """The lock file that writers of data file ``path`` take."""
    return path.with_name(f"{path.name}.lock")


def missing_file_error(path: Path) -> DataFileMissingError:
    """The error for data file ``path`` gone since it was read: say how to go on."""
    backup = newest_backup(path)
    restore = f", restore the backup {backup}" if backup is not None else ""
    return DataFileMissingError(
        f"the data file was deleted or moved ({path}): nothing was saved; put it back"
        f"{restore} or restart clientdesk to begin a new file"
    )


def save_failure(path: Path, error: OSError) -> CannotSaveError:
    """Word an OS error from saving data file ``path`` for its user.

    Only for errors raised before the new version was renamed into place
    (:func:`save_atomically` raises none after it), so every message can say
    that nothing was changed.
    """
    folder = path.parent
    if error.errno == errno.EROFS:
        return ReadOnlyError(
            f"cannot save: the data file's folder is on a read-only file system ({folder})"
            " — nothing was changed"
        )
    if error.errno in (errno.EACCES, errno.EPERM):
        # Name a file only when it exists and is one the user can fix: a file
        # that could not be created, or a temp file's random name, is the
        # folder's fault.
        names = {str(path): "data file", str(lock_path(path)): "lock file"}
        if error.filename in names and os.path.exists(error.filename):
            what = f"the {names[error.filename]} is read-only for you ({error.filename})"
        else:
            what = f"the data file's folder is read-only for you ({folder})"
        return ReadOnlyError(f"cannot save: {what} — nothing was changed")
    if error.errno == errno.ENOSPC:
        return DiskFullError(f"cannot save: the disk is full ({folder}) — nothing was changed")
    if error.errno == errno.EDQUOT:
        return DiskFullError(
            f"cannot save: your disk quota is used up ({folder}) — nothing was changed"
        )
    reason = " ".join((error.strerror or str(error)).split())
    return CannotSaveError(f"cannot save {path}: {reason} — nothing was changed")


def _current_umask() -> int:
    # Reading /proc avoids os.umask's set-and-restore, which races with threads.
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def new_file_mode() -> int:
    """Mode for a new data file: the umask decides owner and group bits; others get nothing."""
    return 0o666 & ~_current_umask() & ~0o007


def _fsync_directory(directory: Path) -> None:
    # Runs after the rename: the new version is in place and other processes
    # already read it, so a failure here (some network file systems cannot
    # fsync a folder) must not report the save as failed: the user would
    # retry a save that happened.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def backup_spacing() -> float:
    """Seconds between backups 2 to 5: ``$CLIENTDESK_BACKUP_SPACING`` or ten minutes."""
    try:
        return max(0.0, float(os.environ.get(BACKUP_SPACING_ENV, DEFAULT_BACKUP_SPACING_SECONDS)))
    except ValueError:
        return DEFAULT_BACKUP_SPACING_SECONDS


def _rotate_backups(path: Path) -> None:
    """Keep the current file as backup 1, shifting the older backups when they are spaced.

    Backup 1 is always the version before this save. The older ones move up
    only when backup 1 is at least :func:`backup_spacing` newer than backup 2,
    so that a burst of saves cannot push every earlier version out: a bad edit
    noticed late still finds a version from before it.
    """
    if not path.exists():
        return
    newest, second = backup_path(path, 1), backup_path(path, 2)
    with contextlib.suppress(FileNotFoundError):
        if not second.exists() or (
            newest.stat().st_mtime - second.stat().st_mtime >= backup_spacing()
        ):
            for number in range(BACKUP_COUNT - 1, 0, -1):
                older = backup_path(path, number)
                if older.exists():
                    os.replace(older, backup_path(path, number + 1))
    with contextlib.suppress(FileNotFoundError):
        os.unlink(newest)
    try:
        # The old inode lives on under the backup's name: no copy needed,
        # since the save below replaces the name, never rewrites the inode.
        os.link(path, newest)
    except OSError:
        shutil.copy2(path, newest)


def save_atomically(path: Path, payload: bytes, *, keep_backup: bool = True) -> FileSignature:
    """Replace ``path`` with ``payload`` so that a crash leaves the old or the new file.

    Args:
        path: the file to replace (it need not exist).
        payload: the complete new content.
        keep_backup: keep the replaced file as the newest rolling backup.

    Returns:
        The signature of the file as written.

    Raises:
        OSError: the new version could not be written (read-only folder, full
            disk...); ``path`` is unchanged and no temporary file is left.
    """
    directory = path.parent
    try:
        existing = os.stat(path)
    except FileNotFoundError:
        existing = None
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb", closefd=True) as handle:
            if existing is not None:
                os.fchmod(fd, stat.S_IMODE(existing.st_mode))
                try:
                    os.fchown(fd, existing.st_uid, existing.st_gid)
                except PermissionError:
                    # Not root: we can still keep the group if we belong to it.
                    with contextlib.suppress(PermissionError):
                        os.fchown(fd, -1, existing.st_gid)
            else:
                os.fchmod(fd, new_file_mode())
            handle.write(payload)
            handle.flush()
            os.fsync(fd)
            written = os.fstat(fd)
        if keep_backup and existing is not None:
            _rotate_backups(path)
        os.replace(temp_name, path)
    except BaseException:
        # Never let a failing clean-up hide why the save failed.
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    _fsync_directory(directory)
    return FileSignature(written.st_dev, written.st_ino, written.st_size, written.st_mtime_ns)


def frozen(document: dict[str, Any]) -> bytes:
    """``document`` as the JSON text a save writes, to keep in place of the parsed dict.

    A parsed document takes about three times its JSON text in memory, and
    the repository keeps every record as a model besides: the documents a
    save does not touch are kept frozen, and a save copies their text as it
    is (see :func:`encode`). The copy through ``memoryview`` keeps the text
    alone, not the spare room of orjson's output buffer.
    """
    return memoryview(orjson.dumps(document)).tobytes()


def thawed(document: dict[str, Any] | bytes) -> dict[str, Any]:
    """A stored document as a dict, parsing it when it is kept :func:`frozen`."""
    if isinstance(document, bytes):
        parsed: dict[str, Any] = orjson.loads(document)
        return parsed
    return document


def _as_fragment(value: object) -> orjson.Fragment:
    if isinstance(value, bytes):
        return orjson.Fragment(value)
    raise TypeError(f"cannot store a {type(value).__name__}")


def encode(tables: Tables) -> bytes:
    """Serialise the tables as compact UTF-8 JSON; frozen documents go in as they are.

    orjson: a save of 10,000 records is the hot path, and the standard
    library is several times slower at it.
    """
    return orjson.dumps(tables, default=_as_fragment)


def decode(path: Path, raw: bytes) -> Tables:
    """Parse and shape-check the bytes of data file ``path``, migrating old versions.

    Raises:
        DataFileError: the bytes are not a clientdesk data file this version can read.
    """

    def refuse(problem: str) -> DataFileError:
        return DataFileError(f"{path}: {problem}; nothing was written; {backup_hint(path)}")

    if not raw.strip():
        raise refuse("the file is empty (truncated?)")
    try:
        tables = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        if "utf-8" in error.msg.lower():
            raise refuse("the file is not UTF-8 text") from None
        raise refuse(
            f"not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
        ) from None
    if not isinstance(tables, dict) or not all(
        isinstance(table, dict)
        and all(
            isinstance(doc, dict) and doc_id.isascii() and doc_id.isdigit()
            for doc_id, doc in table.items()
        )
        for table in tables.values()
    ):
        raise refuse("not a clientdesk data file (expected tables of records)")
    meta = tables.get(schema.META_TABLE, {}).get(schema.META_DOC_ID)
    version = meta.get("schema_version") if isinstance(meta, dict) else None
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise refuse("not a clientdesk data file (no schema version)")
    if version > schema.SCHEMA_VERSION:
        raise refuse(
            f"written by a newer clientdesk (data version {version}, this one reads up to "
            f"{schema.SCHEMA_VERSION}); upgrade clientdesk to use it"
        )
    try:
        return schema.migrate(tables)
    except (KeyError, TypeError, ValueError) as error:
        raise refuse(f"cannot upgrade data version {version}: {error}") from None


class AtomicJSONStorage(Storage):
    """TinyDB storage over one JSON file with atomic, buffered, refusing-when-broken saves.

    Reads are served from memory while the file on disk is unchanged; a
    changed signature (another process saved) makes the next read parse the
    file again.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._tables: Tables | None = None
        self._signature: FileSignature | None = None
        self._loaded = False
        self._broken: DataFileError | None = None
        self._in_transaction = False
        self._dirty = False

    # -- TinyDB's interface ----------------------------------------------------

    def read(self) -> Tables | None:
        """The current tables (None for a file that does not exist yet)."""
        if not self._loaded or (not self._in_transaction and self.changed_on_disk()):
            self.reload()
        return self._tables

    def write(self, data: Tables) -> None:
        """Buffer ``data`` until :meth:`commit`; writes outside a transaction are a bug."""
        if not self._in_transaction:
            raise RuntimeError("store writes must run inside a repository transaction")
        self._tables = data
        self._dirty = True

    def close(self) -> None:
        """Nothing is held open between calls."""

    # -- ours ------------------------------------------------------------------

    @property
    def signature(self) -> FileSignature | None:
        """Signature of the file as this storage last read or wrote it."""
        return self._signature

    def changed_on_disk(self) -> bool:
        """True when the file is not the one this storage last read or wrote."""
        return signature_of(self.path) != self._signature

    def reload(self) -> None:
        """Read the file again.

        Raises:
            DataFileError: the file is broken; the storage now refuses writes.
        """
        self._loaded = True
        try:
            # stat the open handle, not the path: the pair (content, signature)
            # must describe one and the same file even if it is replaced now.
            with open(self.path, "rb") as handle:
                info = os.fstat(handle.fileno())
                raw = handle.read()
        except FileNotFoundError:
            if self._signature is not None:
                # It was here: deleted or moved since. Keep the old signature, so
                # that every later call asks again until the file is back.
                self._loaded = False
                raise missing_file_error(self.path) from None
            self._tables, self._broken = None, None
            return
        except OSError as error:
            self._broken = DataFileError(
                f"{self.path}: cannot read it ({error.strerror}); {backup_hint(self.path)}"
            )
            self._tables, self._signature = None, signature_of(self.path)
            raise self._broken from None
        signature = FileSignature(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
        try:
            self._tables = decode(self.path, raw)
        except DataFileError as error:
            self._broken, self._tables, self._signature = error, None, signature
            raise
        self._broken = None
        self._signature = signature

    def raise_if_missing(self) -> None:
        """Refuse early when the file this storage read or wrote has gone.

        :meth:`begin` checks again under the lock; this check comes before the
        lock is taken, which would recreate a folder that was moved away.

        Raises:
            DataFileMissingError: the file was deleted or moved.
        """
        if self._signature is not None and not self.path.exists():
            raise missing_file_error(self.path)

    def mark_broken(self, error: DataFileError) -> None:
        """Refuse writes: the repository found records that fail validation."""
        self._broken = error

    def begin(self) -> None:
        """Start buffering writes (the caller holds the inter-process lock)."""
        if self.changed_on_disk() or not self._loaded:
            self.reload()
        if self._broken is not None:
            raise self._broken
        self._in_transaction = True
        self._dirty = False

    def commit(self) -> bool:
        """Save the buffered tables atomically; True when anything was written."""
        try:
            if self._broken is not None:
                raise self._broken
            if not self._dirty or self._tables is None:
                return False
            self._signature = save_atomically(self.path, encode(self._tables))
            return True
        except BaseException:
            self._loaded = False  # the buffer may be half-applied: read the file again
            raise
        finally:
            self._in_transaction = False
            self._dirty = False

    def document(self, table: str, doc_id: int) -> dict[str, Any] | None:
        """The stored document ``doc_id`` of ``table``, as a dict TinyDB can update in place.

        A :func:`frozen` document is parsed and put back parsed, so that
        the update of a transaction changes the document the save writes.
        """
        tables = self.read() or {}
        documents = tables.get(table, {})
        stored = documents.get(str(doc_id))
        if stored is None:
            return None
        if isinstance(stored, bytes):
            stored = documents[str(doc_id)] = thawed(stored)
        return cast(dict[str, Any], stored)

    def rollback(self) -> None:
        """Drop the buffered writes; the next read parses the file again."""
        self._in_transaction = False
        self._dirty = False
        self._loaded = False


def write_output(target: Path, payload: bytes) -> Path:
    """Write a file the user named (a report, an invite) and return where it went.

    A regular file, or a link to one, is replaced atomically: the link is
    followed, so it keeps pointing where it did, and a reader never sees half
    a file. A device or a pipe (``-o /dev/stdout``) is written to directly:
    replacing it would put a plain file where the system expects a device.
    """
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        with open(target, "wb") as stream:
            stream.write(payload)
        return target
    real = target.resolve()
    save_atomically(real, payload, keep_backup=False)
    return real
