"""Where unexpected errors go: a log file for the developer, one line for the user.

A traceback never reaches the user's terminal; it is appended to
``crash.log`` in the user log directory (platformdirs), and the user is told
where it is.
"""

from __future__ import annotations

import traceback
from datetime import datetime
from pathlib import Path

import platformdirs

from clientdesk.store import paths


def write_crash_log(error: BaseException) -> Path | None:
    """Append ``error`` with its traceback to the crash log; return the log's path.

    Returns None when the log cannot be written (the error is then only named).
    """
    try:
        log_dir = Path(platformdirs.user_log_dir(paths.APP_NAME, appauthor=False))
        log_dir.mkdir(parents=True, exist_ok=True)
        log = log_dir / "crash.log"
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now().isoformat()}\n")
            handle.write("".join(traceback.format_exception(error)))
        return log
    except OSError:
        return None


def internal_error_line(error: BaseException) -> str:
    """The one line a user sees for an unexpected error, after logging it."""
    log = write_crash_log(error)
    where = f"; details in {log}" if log else ""
    return f"clientdesk: internal error ({type(error).__name__}: {error}){where}"
