"""The lock that writers of one data file take, fit for a folder a team shares.

Every writer holds the lock from before it reads until its save is renamed
into place. On a shared server the lock is hostile ground too, so it is two
``flock`` locks, taken in this order:

1. ``NAME.lock`` beside the data file, the lock every clientdesk version
   takes. It is created with the data file's group and group bits (not the
   creator's umask and primary group), so the next member of the team can
   take it; taking it needs only read access, so a lock file a colleague made
   with fewer bits still serves. It is never followed through a link, nor
   opened when it is a pipe (which would block) or anything but a regular
   file. After taking it, the lock checks that the name still leads to the
   file it locked, and starts again when someone deleted or replaced it.
2. The data file's folder. Someone may also delete the lock file while a
   colleague holds it: whoever comes next locks a new file, and both would
   save at once. The folder cannot be deleted while it holds the data file,
   and every writer of the file reaches the same folder, so its lock excludes
   them all. It also serves alone where the lock file cannot be used (one
   that another user made unreadable, or planted as a link).

Where a folder cannot be locked (some network file systems), the lock file
alone has to do, with its check.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import time
from pathlib import Path

from clientdesk.store.errors import StoreBusyError, UntrustedPathError
from clientdesk.store.safe_files import Folder, open_parent, owner_name

_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def lock_name(data_name: str) -> str:
    """The lock file's name for data file ``data_name``."""
    return f"{data_name}.lock"


def lock_mode(data_file: os.stat_result | None, new_file_mode: int) -> int:
    """The lock file's mode: the owner's read and write, and the data file's group bits.

    A new data file gets ``new_file_mode``; its lock takes the same group bits.
    """
    group_bits = (
        stat.S_IMODE(data_file.st_mode) if data_file is not None else new_file_mode
    ) & 0o060
    return 0o600 | group_bits


class _Unusable(Exception):
    """The lock file cannot serve (unreadable, a link, not a file); the message says why."""

    def __init__(self, error: OSError | UntrustedPathError) -> None:
        super().__init__(str(error))
        self.error = error


class DataFileLock:
    """An exclusive, inter-process lock on one data file.

    Not re-entrant and not thread-safe by itself: the repository holds a
    thread lock around it.
    """

    def __init__(self, data_path: Path, *, timeout: float, new_file_mode: int) -> None:
        self.data_path = data_path
        self.timeout = timeout
        self._new_file_mode = new_file_mode
        self._held: list[int] = []

    @property
    def path(self) -> Path:
        """Where the lock file is."""
        return self.data_path.with_name(lock_name(self.data_path.name))

    def acquire(self) -> None:
        """Take the lock, waiting up to :attr:`timeout` seconds for another writer.

        Raises:
            StoreBusyError: another process held it all that time.
            UntrustedPathError: neither lock can be used, and the lock file is a
                link or not a regular file.
            OSError: neither lock can be used, and the lock file cannot be
                made or opened.
        """
        if self._held:
            raise RuntimeError("the data file lock is already held")
        deadline = time.monotonic() + self.timeout
        while True:
            folder, data_name = open_parent(self.data_path)
            with folder:
                lock_fd: int | None = None
                problem: OSError | UntrustedPathError | None = None
                try:
                    lock_fd = self._lock_file(folder, data_name, deadline)
                except _Unusable as unusable:
                    problem = unusable.error
                else:
                    if lock_fd is None:
                        continue  # the lock file was replaced meanwhile: again
                try:
                    folder_fd = self._lock_folder(folder, deadline)
                except BaseException:
                    if lock_fd is not None:
                        _unlock(lock_fd)
                    raise
            if folder_fd is None and problem is not None:
                raise problem
            self._held = [fd for fd in (lock_fd, folder_fd) if fd is not None]
            return

    def release(self) -> None:
        """Let the next writer in."""
        held, self._held = self._held, []
        for fd in reversed(held):
            _unlock(fd)

    def __enter__(self) -> DataFileLock:
        self.acquire()
        return self

    def __exit__(self, *_: object) -> None:
        self.release()

    def _busy(self, what: str) -> str:
        return f"cannot save: {what}, waited {self.timeout:g} s) — nothing was changed; try again"

    # -- the lock file -------------------------------------------------------------------

    def _lock_file(self, folder: Folder, data_name: str, deadline: float) -> int | None:
        """The locked lock file's fd; None when it was replaced while waiting.

        Raises:
            _Unusable: the lock file cannot be opened or is no regular file.
            StoreBusyError: another writer held it until ``deadline``.
        """
        name = lock_name(data_name)
        try:
            fd = self._open(folder, data_name, name)
        except UntrustedPathError as error:
            raise _Unusable(error) from None
        except OSError as error:
            if error.errno not in (errno.EACCES, errno.EPERM):
                raise
            raise _Unusable(error) from None
        try:
            _wait_for(
                fd,
                deadline,
                self._busy(f"the data file is locked by another process ({self.data_path}"),
            )
            if not _still_named(folder, name, fd):
                _unlock(fd)
                return None
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _open(self, folder: Folder, data_name: str, name: str) -> int:
        """Open the lock file, making it when there is none."""
        while True:
            try:
                fd = os.open(name, _OPEN_FLAGS, dir_fd=folder.fd)
            except FileNotFoundError:
                made = self._create(folder, data_name, name)
                if made is None:
                    continue  # another writer made it first: open theirs
                fd = made
            except OSError as error:
                if error.errno == errno.ELOOP:
                    raise self._refusal(folder, name, "a link") from None
                if error.errno in (errno.EACCES, errno.EPERM):
                    error.filename = str(folder.path / name)
                raise
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                os.close(fd)
                raise self._refusal(folder, name, "not a regular file")
            self._repair(fd, info, folder.lstat(data_name))
            return fd

    def _create(self, folder: Folder, data_name: str, name: str) -> int | None:
        data_file = folder.lstat(data_name)
        mode = lock_mode(data_file, self._new_file_mode)
        try:
            fd = folder.create_named(name, mode)
        except FileExistsError:
            return None
        if data_file is not None:
            # The data file's group, not this user's primary group: a folder
            # without the set-group-ID bit would give the lock the creator's.
            with contextlib.suppress(PermissionError):
                os.fchown(fd, -1, data_file.st_gid)
        os.fchmod(fd, mode)  # the umask took bits from the mode given to open
        return fd  # flock does not mind that it is open for writing

    @staticmethod
    def _repair(fd: int, lock: os.stat_result, data_file: os.stat_result | None) -> None:
        """Give a lock file of ours that an older version made the data file's group bits."""
        if data_file is None or lock.st_uid != os.geteuid():
            return
        wanted = 0o600 | (stat.S_IMODE(data_file.st_mode) & 0o060)
        with contextlib.suppress(PermissionError):
            if lock.st_gid != data_file.st_gid:
                os.fchown(fd, -1, data_file.st_gid)
            if stat.S_IMODE(lock.st_mode) != wanted:
                os.fchmod(fd, wanted)

    @staticmethod
    def _refusal(folder: Folder, name: str, what: str) -> UntrustedPathError:
        info = folder.lstat(name)
        owner = f" that {owner_name(info.st_uid)} made" if info is not None else ""
        return UntrustedPathError(
            f"cannot save: the lock file {folder.path / name} is {what}{owner}; clientdesk "
            "does not use it — remove it — nothing was changed"
        )

    # -- the folder ----------------------------------------------------------------------

    def _lock_folder(self, folder: Folder, deadline: float) -> int | None:
        """Lock the data file's folder, waiting until ``deadline``; None where it cannot be.

        Raises:
            StoreBusyError: another writer held it until ``deadline``.
        """
        try:
            fd = os.open(".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=folder.fd)
        except OSError:
            return None
        try:
            _wait_for(
                fd,
                deadline,
                self._busy(f"the data file's folder is locked by another process ({folder.path}"),
            )
        except StoreBusyError:
            os.close(fd)
            raise
        except OSError:
            os.close(fd)  # a file system that cannot lock folders
            return None
        return fd


def _wait_for(fd: int, deadline: float, busy: str) -> None:
    """``flock`` ``fd`` exclusively, polling until ``deadline``.

    Raises:
        StoreBusyError: still held by another process at ``deadline`` (``busy`` says so).
        OSError: the file cannot be locked at all.
    """
    pause = 0.001
    while True:
        with contextlib.suppress(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise StoreBusyError(busy)
        # Short at first, so that writers in a loop take turns; never long.
        time.sleep(min(pause, remaining))
        pause = min(pause * 2, 0.02)


def _unlock(fd: int) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _still_named(folder: Folder, name: str, fd: int) -> bool:
    """True when ``name`` still leads to the file locked through ``fd``.

    False when someone deleted or replaced the lock file meanwhile: then a
    writer that opens the name now locks another file, and this lock would
    exclude nobody.
    """
    now = folder.lstat(name)
    held = os.fstat(fd)
    return now is not None and (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)
