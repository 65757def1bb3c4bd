"""Errors the store raises; each carries a one-line message fit for a user."""

from __future__ import annotations

import errno
from datetime import datetime


class StoreError(Exception):
    """Base class: ``str(error)`` is one clear line that can be shown as it is."""


class DataFileError(StoreError):
    """The data file cannot be used: it does not parse, fails validation or is too new.

    The store never writes to such a file.
    """


class DataFileMissingError(DataFileError):
    """The data file was deleted or moved while it was open.

    A save then would start a new file holding only the records saved from
    now on, so the store refuses until the file is back (or the store is
    opened afresh).
    """


class CannotSaveError(StoreError):
    """The save could not be written; the data file is as it was.

    ``str(error)`` says why (read-only, disk full, locked) and that nothing changed.
    """


class ReadOnlyError(CannotSaveError):
    """The data file's folder (or the file system) cannot be written to."""


class DiskFullError(CannotSaveError):
    """The disk (or the user's quota) has no room for the new version."""


class StoreBusyError(CannotSaveError):
    """Another process held the data file's lock for too long."""


class StoreUnavailableError(CannotSaveError):
    """The database cannot be reached (or refused the login); nothing was written.

    The app keeps what it shows, read-only, and tries again; the command line
    says so in one line.
    """


class NotFoundError(StoreError):
    """No record with the given key or id."""


class ValidationFailed(StoreError):
    """A record's field values break a rule; ``field`` names the offending field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class GatesFailed(ValidationFailed):
    """A project cannot close: a closing gate fails and no override reason was given.

    Attributes:
        gates: every gate (:class:`clientdesk.store.closing.Gate`), passed or not.
    """

    def __init__(self, message: str, gates: list[object]) -> None:
        super().__init__(message, "closed_at")
        self.gates = gates


class ClosedProjectError(ValidationFailed):
    """A change to a closed project or its records: it is read-only until reopened."""


class ConflictError(StoreError):
    """The record changed since the caller read it (a stale revision).

    Attributes:
        key: the record's human key.
        changed_by: who saved the newer revision.
        changed_at: when they saved it.
        current: the record as it is now in the file, or None when it was deleted.
    """

    def __init__(
        self,
        key: str,
        changed_by: str | None,
        changed_at: datetime | None,
        current: object | None,
    ) -> None:
        if current is None:
            message = f"{key} was deleted by someone else since you opened it"
        else:
            # Local time of the machine, with its zone, so nobody has to guess.
            when = (
                changed_at.astimezone().strftime("%Y-%m-%d %H:%M %Z")
                if changed_at
                else "an unknown time"
            )
            message = f"{key} was changed by {changed_by} at {when} since you opened it"
        super().__init__(message)
        self.key = key
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.current = current


_PLAIN_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EROFS: "the file system is read-only",
}
"""What the OS says for the faults a user can act on, in words they use."""


def describe_error(error: StoreError | OSError) -> str:
    """One line for the user: a store error's own message, or what the OS said."""
    if isinstance(error, StoreError):
        return str(error)
    where = f"{error.filename}: " if error.filename else ""
    reason = _PLAIN_REASONS.get(error.errno or 0) or error.strerror or str(error)
    return " ".join(f"{where}{reason}".split())


class UntrustedPathError(StoreError):
    """A path leads through a link that someone else could have planted; it is not followed.

    ``str(error)`` names the link, where it points and who made it.
    """


class ConcurrentSaveError(CannotSaveError):
    """The data file changed under a save although the lock was held.

    Another program wrote it without taking the lock (or the lock file was
    deleted meanwhile); the save is abandoned before it could overwrite that
    version, and the repository tries the change again on the new one.
    """
