"""Where unexpected errors go: a log file for the developer, one line for the user.

A traceback never reaches the user's terminal; it is appended to
``crash.log`` in the user log directory (platformdirs), and the user is told
where it is.
"""

from __future__ import annotations

import os
import stat
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

import platformdirs

from clientdesk.store import paths
from clientdesk.store.text import printable


def write_crash_log(error: BaseException) -> Path | None:
    """Append ``error`` with its traceback to the crash log; return the log's path.

    Returns None when the log cannot be written (the error is then only named).
    """
    return _append("".join(traceback.format_exception(error)))


def write_crash_note(text: str) -> Path | None:
    """Append ``text``, something that went wrong with no exception to show, to the crash log.

    Returns the log's path, or None when it cannot be written.
    """
    return _append(f"{text.rstrip()}\n")


def _append(entry: str) -> Path | None:
    """Append a dated ``entry`` to the crash log; its path, or None when it cannot be written."""
    try:
        log_dir = Path(platformdirs.user_log_dir(paths.APP_NAME, appauthor=False))
        log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        log = log_dir / "crash.log"
        with _open_private(log_dir, log) as handle:
            handle.write(f"--- {datetime.now().isoformat()}\n{entry}")
        return log
    except OSError:
        return None


def _open_private(log_dir: Path, log: Path) -> TextIO:
    """``log`` opened to append, readable by its owner only.

    A traceback shows paths, record titles and the text being saved, so the
    log is nobody else's to read. A link planted in its place is never
    followed, nor a pipe opened (it would wait for a reader), and a log or
    folder left more open by an earlier version is closed to others.

    Raises:
        OSError: the log cannot be opened, or is not a file of our own.
    """
    _close_to_others(os.stat(log_dir), log_dir.chmod)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    fd = os.open(log, flags, 0o600)
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(f"{log} is not a regular file")
        _close_to_others(status, lambda mode: os.fchmod(fd, mode))
        return open(fd, "a", encoding="utf-8", closefd=True)
    except BaseException:
        os.close(fd)
        raise


def _close_to_others(status: os.stat_result, chmod: Callable[[int], None]) -> None:
    """Take the group and others' bits off a file or folder we own (``status``)."""
    if status.st_uid != os.geteuid():
        raise OSError("the crash log belongs to another user")
    mode = stat.S_IMODE(status.st_mode)
    if mode & 0o077:
        chmod(mode & 0o700)


def internal_error_line(error: BaseException) -> str:
    """The one line a user sees for an unexpected error, after logging it."""
    log = write_crash_log(error)
    where = f"; details in {log}" if log else ""
    # The error may quote a record or the data file: it is shown, never acted on.
    return printable(f"clientdesk: internal error ({type(error).__name__}: {error}){where}")
