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
import time
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple, cast

import orjson
from tinydb.storages import Storage

from clientdesk.store import schema
from clientdesk.store.errors import (
    CannotSaveError,
    ConcurrentSaveError,
    DataFileError,
    DataFileMissingError,
    DiskFullError,
    ReadOnlyError,
    UntrustedPathError,
)
from clientdesk.store.layout import DocumentText, decode_lines, encode_lines
from clientdesk.store.safe_files import (
    Folder,
    is_sticky_and_foreign,
    open_folder,
    open_parent,
    owner_name,
    trusted_owners,
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
        sticky_owner = is_sticky_and_foreign(folder, path.name)
        if sticky_owner is not None:
            return ReadOnlyError(
                f"cannot save: {path} belongs to {sticky_owner}, and in its folder ({folder}, "
                f"which has the sticky bit) only {sticky_owner} may replace it — nothing was "
                "changed; share a data file through a set-group-ID group folder instead"
            )
        if error.filename == str(lock_path(path)) and os.path.exists(error.filename):
            # Taking the lock needs only read access to its file.
            what = f"the lock file is not readable for you ({error.filename})"
        elif error.filename == str(path) and os.path.exists(error.filename):
            what = f"the data file is read-only for you ({error.filename})"
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


def kept_mode(existing: os.stat_result) -> int:
    """The mode a save gives the new version of ``existing``: its own, less what is unsafe.

    Others never get write access, and read access only when the file is the
    saving user's own (its owner set it, and a save by anyone else would give
    the new version to a new owner); set-id and sticky bits go.
    """
    mode = stat.S_IMODE(existing.st_mode) & 0o777 & ~stat.S_IWOTH
    me = os.geteuid()
    if existing.st_uid != me and me != 0:
        mode &= ~stat.S_IROTH
    return mode


def _give_owner_and_mode(fd: int, existing: os.stat_result | None) -> None:
    if existing is None:
        os.fchmod(fd, new_file_mode())
        return
    try:
        os.fchown(fd, existing.st_uid, existing.st_gid)
    except PermissionError:
        # Not root: we can still keep the group if we belong to it.
        with contextlib.suppress(PermissionError):
            os.fchown(fd, -1, existing.st_gid)
    # After the chown, which may clear set-id bits, and never more open than kept_mode.
    os.fchmod(fd, kept_mode(existing))


def _refuse_read_only(folder: Folder, name: str, existing: os.stat_result) -> None:
    """Respect a file its owner made read-only: a rename would replace it all the same."""
    writable = existing.st_mode & 0o222 and (
        os.geteuid() == 0 or os.access(name, os.W_OK, dir_fd=folder.fd, follow_symlinks=False)
    )
    if not writable:
        raise ReadOnlyError(
            f"cannot save: {folder.path / name} is read-only for you (mode "
            f"{stat.S_IMODE(existing.st_mode):04o}) — nothing was changed"
        )


def backup_spacing() -> float:
    """Seconds between backups 2 to 5: ``$CLIENTDESK_BACKUP_SPACING`` or ten minutes."""
    try:
        return max(0.0, float(os.environ.get(BACKUP_SPACING_ENV, DEFAULT_BACKUP_SPACING_SECONDS)))
    except ValueError:
        return DEFAULT_BACKUP_SPACING_SECONDS


def _rotate_backups(folder: Folder, name: str) -> None:
    """Keep the current file as backup 1, shifting the older backups when they are spaced.

    Backup 1 is always the version before this save. The older ones move up
    only when backup 1 is at least :func:`backup_spacing` newer than backup 2,
    so that a burst of saves cannot push every earlier version out: a bad edit
    noticed late still finds a version from before it.

    Nothing is ever written through a backup's name: backup 1 is a hard link
    to the current file (or, where there are none, a copy made under a fresh
    name and renamed into place), and neither a link nor a rename follows
    what someone may have planted at the name.
    """
    newest, second = f"{name}.bak.1", f"{name}.bak.2"
    newest_info, second_info = folder.lstat(newest), folder.lstat(second)
    if second_info is None or (
        newest_info is not None and newest_info.st_mtime - second_info.st_mtime >= backup_spacing()
    ):
        for number in range(BACKUP_COUNT - 1, 0, -1):
            # Gone meanwhile (a colleague's save rotated it): nothing to move.
            with contextlib.suppress(FileNotFoundError):
                folder.replace(f"{name}.bak.{number}", f"{name}.bak.{number + 1}")
    for _ in range(LINK_ATTEMPTS):
        # A hard link never writes through what is at its new name: when
        # someone puts something there between the unlink and the link, the
        # link fails and is tried again.
        folder.unlink(newest)
        try:
            folder.link(name, newest)
        except FileExistsError:
            continue
        except OSError as error:
            # No hard links here (some network and FUSE file systems), or
            # protected_hardlinks refuses a link to a colleague's file.
            if error.errno not in (errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
                raise
            break
        return
    fresh = _copy_under_fresh_name(folder, name)
    try:
        folder.replace(fresh, newest)
    except BaseException:
        folder.unlink(fresh)
        raise


LINK_ATTEMPTS = 20
"""Tries at linking backup 1 before it is made as a copy under a fresh name instead."""


def _copy_under_fresh_name(folder: Folder, name: str) -> str:
    """A copy of ``name`` under a fresh name, for ``name``'s backup where no hard link serves."""
    source = folder.open_regular(name)
    try:
        existing = os.fstat(source)
        fd, fresh = folder.create(f".{name}.", ".tmp", mode=0o600)
        try:
            with os.fdopen(fd, "wb") as target, os.fdopen(source, "rb", closefd=False) as reader:
                shutil.copyfileobj(reader, target)
                target.flush()
                _give_owner_and_mode(fd, existing)
                os.fsync(fd)
        except BaseException:
            folder.unlink(fresh)
            raise
    finally:
        os.close(source)
    return fresh


class _AnyVersion:
    """Marker: a save that replaces whatever version of the file is there."""


ANY_VERSION = _AnyVersion()


def _refuse_if_changed(folder: Folder, name: str, expected: FileSignature | None) -> None:
    info = folder.lstat(name)
    found = (
        None
        if info is None
        else FileSignature(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
    )
    if found != expected:
        raise ConcurrentSaveError(
            f"cannot save: another program changed {folder.path / name} during the save "
            "without taking its lock — nothing was changed; try again"
        )


def save_atomically(
    path: Path,
    payload: bytes,
    *,
    keep_backup: bool = True,
    expected: FileSignature | _AnyVersion | None = ANY_VERSION,
) -> FileSignature:
    """Replace ``path`` with ``payload`` so that a crash leaves the old or the new file.

    The path is walked along trusted links only (:mod:`clientdesk.store.safe_files`);
    the new version is written under a fresh name and renamed into place.

    Args:
        path: the file to replace (it need not exist).
        payload: the complete new content.
        keep_backup: keep the replaced file as the newest rolling backup.
        expected: the signature the file must still have (None: it must not
            exist), checked before the backup and again just before the
            rename; by default any version is replaced.

    Returns:
        The signature of the file as written.

    Raises:
        UntrustedPathError: a link on the way could have been planted by someone else.
        ReadOnlyError: the file is read-only for this user.
        ConcurrentSaveError: the file is not the ``expected`` version.
        OSError: the new version could not be written (read-only folder, full
            disk...); ``path`` is unchanged and no temporary file is left.
    """
    folder, name = open_parent(path)
    with folder:
        existing = folder.lstat(name)
        if existing is not None:
            if not stat.S_ISREG(existing.st_mode):
                raise OSError(errno.EINVAL, "not a regular file", str(folder.path / name))
            _refuse_read_only(folder, name, existing)
        if not isinstance(expected, _AnyVersion):
            _refuse_if_changed(folder, name, expected)
        fd, temp_name = folder.create(f".{name}.", ".tmp")
        try:
            with os.fdopen(fd, "wb", closefd=True) as handle:
                _give_owner_and_mode(fd, existing)
                handle.write(payload)
                handle.flush()
                os.fsync(fd)
                written = os.fstat(fd)
            if keep_backup and existing is not None:
                _rotate_backups(folder, name)
            if not isinstance(expected, _AnyVersion):
                _refuse_if_changed(folder, name, expected)
            folder.replace(temp_name, name)
        except BaseException:
            # Never let a failing clean-up hide why the save failed.
            with contextlib.suppress(OSError):
                folder.unlink(temp_name)
            raise
        folder.fsync()
    return FileSignature(written.st_dev, written.st_ino, written.st_size, written.st_mtime_ns)


STALE_TEMP_SECONDS = 60.0
"""A save's temporary file older than this was left by a crash (a save takes milliseconds)."""


def remove_stale_temp_files(path: Path) -> int:
    """Remove this user's temporary files of data file ``path`` that a crash left behind.

    Only files named as a save names them (``.NAME.*.tmp``), owned by this
    user and older than :data:`STALE_TEMP_SECONDS`; the caller holds the lock,
    so no save of this file is under way. Returns how many were removed.
    """
    removed = 0
    with contextlib.suppress(OSError):
        folder, name = open_parent(path)
        with folder:
            prefix, now, me = f".{name}.", time.time(), os.geteuid()
            for entry in folder.names():
                if not (entry.startswith(prefix) and entry.endswith(".tmp")):
                    continue
                info = folder.lstat(entry)
                if (
                    info is not None
                    and stat.S_ISREG(info.st_mode)
                    and info.st_uid == me
                    and now - info.st_mtime > STALE_TEMP_SECONDS
                ):
                    folder.unlink(entry)
                    removed += 1
    return removed


def frozen(document: dict[str, Any]) -> bytes:
    """``document`` as the JSON text a save writes, to keep in place of the parsed dict.

    A parsed document takes about three times its JSON text in memory, and
    the repository keeps every record as a model besides: the documents a
    save does not touch are kept frozen, and a save copies their text as it
    is (see :func:`encode`). The copy through ``memoryview`` keeps the text
    alone, not the spare room of orjson's output buffer.
    """
    return memoryview(orjson.dumps(document)).tobytes()


def thawed(document: dict[str, Any] | DocumentText) -> dict[str, Any]:
    """A stored document as a dict, parsing it when it is kept as text."""
    if isinstance(document, bytes | memoryview):
        parsed: dict[str, Any] = orjson.loads(document)
        return parsed
    return document


def encode(tables: Tables) -> bytes:
    """Serialise the tables as UTF-8 JSON, one document per line (see ``store/layout.py``).

    Frozen documents go in as they are; orjson serialises the rest: a save of
    10,000 records is the hot path, and the standard library is several
    times slower at it.
    """
    return encode_lines(tables)


def decode(path: Path, raw: bytes) -> Tables:
    """Parse and shape-check the bytes of data file ``path``, migrating old versions.

    Raises:
        DataFileError: the bytes are not a clientdesk data file this version can read.
    """

    def refuse(problem: str) -> DataFileError:
        return DataFileError(f"{path}: {problem}; nothing was written; {backup_hint(path)}")

    # Not ``raw.strip()``: that copies the whole file when it ends with a newline.
    if not raw or raw.isspace():
        raise refuse("the file is empty (truncated?)")
    by_line = _current_by_line(raw)
    if by_line is not None:
        return by_line
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


def _current_by_line(raw: bytes) -> Tables | None:
    """The tables of a file in the current version's layout, each document kept as text.

    None for any other file, which :func:`decode` then parses whole: an
    older version (to migrate), another layout, or a broken file (whose
    fault the whole parse words).
    """
    if not raw.isascii():  # a pass in C that copies nothing: most files are plain ASCII
        try:
            raw.decode("utf-8")  # the documents are parsed only when used: check it here
        except UnicodeDecodeError:
            return None
    tables = decode_lines(raw)
    if tables is None:
        return None
    meta_text = tables.get(schema.META_TABLE, {}).get(schema.META_DOC_ID)
    try:
        meta = orjson.loads(meta_text) if meta_text is not None else None
    except orjson.JSONDecodeError:
        return None
    if not isinstance(meta, dict) or meta.get("schema_version") != schema.SCHEMA_VERSION:
        return None
    if type(meta["schema_version"]) is not int:
        return None
    tables[schema.META_TABLE][schema.META_DOC_ID] = meta
    try:
        return schema.migrate(tables)  # at the current version: checks the counters
    except (KeyError, TypeError, ValueError):
        return None


def _open_data_file(path: Path) -> int:
    """Open data file ``path`` for reading along trusted links only; refuse a pipe or device."""
    folder, name = open_parent(path)
    with folder:
        return folder.open_regular(name)


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
            with os.fdopen(_open_data_file(self.path), "rb") as handle:
                info = os.fstat(handle.fileno())
                raw = handle.read()
        except UntrustedPathError as error:
            self._broken = DataFileError(str(error))
            self._tables, self._signature = None, signature_of(self.path)
            raise self._broken from None
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
            # The lock is held, so the file must still be the version read at
            # begin(); if a program that ignores the lock changed it, the save
            # is abandoned rather than overwrite that version.
            self._signature = save_atomically(
                self.path, encode(self._tables), expected=self._signature
            )
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
        if isinstance(stored, bytes | memoryview):
            stored = documents[str(doc_id)] = thawed(stored)
        return cast(dict[str, Any], stored)

    def rollback(self) -> None:
        """Drop the buffered writes; the next read parses the file again."""
        self._in_transaction = False
        self._dirty = False
        self._loaded = False


def write_output(target: Path, payload: bytes) -> Path:
    """Write a file the user named (a report, an invite) and return where it went.

    A regular file is replaced atomically, so a reader never sees half a file,
    and a link on the way is followed only when nobody else could have
    planted it (:mod:`clientdesk.store.safe_files`). A device or a pipe
    (``-o /dev/stdout``) is written to directly, when it is the user's own or
    the system's: replacing it would put a plain file where the system
    expects a device, and another user's pipe would carry the text to them.

    Raises:
        UntrustedPathError: a link on the way, or the pipe or device, is someone else's.
        OSError: the file could not be written; an existing one is unchanged.
    """
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory", str(target))
    if info is not None and not stat.S_ISREG(info.st_mode):
        open_parent(target)[0].close()  # the links on the way are trusted
        if info.st_uid not in trusted_owners():
            kind = "named pipe" if stat.S_ISFIFO(info.st_mode) else "device or socket"
            raise UntrustedPathError(
                f"{target} is a {kind} of {owner_name(info.st_uid)}: clientdesk writes "
                "only into pipes and devices of yours"
            )
        fd = os.open(target, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC)
        with os.fdopen(fd, "wb") as stream:
            opened = os.fstat(fd)
            if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
                raise UntrustedPathError(f"{target} was replaced while it was opened")
            stream.write(payload)
        return target
    folder, name = open_parent(target)
    with folder:
        real = folder.path / name
    save_atomically(real, payload, keep_backup=False)
    return real


def write_new_file(directory: Path, stem: str, suffix: str, payload: bytes) -> Path:
    """Write ``payload`` to a new file ``stem+suffix`` in ``directory``, never over another.

    The first free name of ``stem``, ``stem-2``, ``stem-3``... is taken: a file
    the user wrote earlier is kept, and so is anything someone put there (a
    link included, which is never followed). The content is written under a
    fresh temporary name and hard-linked to its name, so that a reader never
    sees half a file; on a file system without hard links it is written in
    place under its new name.

    Returns:
        The path written.

    Raises:
        UntrustedPathError: a link on the way to ``directory`` could have been planted.
        OSError: the file could not be written.
    """
    with open_folder(directory) as folder:
        fd, temp = folder.create(f".{stem}{suffix}.", ".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                os.fchmod(fd, new_file_mode())
                handle.write(payload)
                handle.flush()
                os.fsync(fd)
            for number in range(1, 10_000):
                name = f"{stem}{suffix}" if number == 1 else f"{stem}-{number}{suffix}"
                try:
                    folder.link(temp, name)
                except FileExistsError:
                    continue
                except OSError as error:
                    if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                        raise
                    if folder.lstat(name) is not None:
                        continue
                    _write_in_place(folder, name, payload)
                break
            else:
                raise FileExistsError(errno.EEXIST, "no free file name", str(directory / stem))
        finally:
            folder.unlink(temp)
        folder.fsync()
        return folder.path / name


def _write_in_place(folder: Folder, name: str, payload: bytes) -> None:
    fd = folder.create_named(name, new_file_mode())
    with os.fdopen(fd, "wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(fd)
