"""Unsaved edits kept when the app is stopped by a signal, to be offered back on the next start.

A dropped SSH connection (SIGHUP) or a ``kill`` (SIGTERM) ends the app while a
form may hold typing that was never saved. The app then keeps the form's text
here, one file per user and data file in the user state directory, written
atomically; the next start on the same data file offers to open the form again
with that text. The draft holds the record as the form was opened on it, so a
save from the reopened form still meets a colleague's change made meanwhile
as a conflict, never silently over it.

No Textual here.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from clientdesk.store.paths import current_user, drafts_dir, is_database_url, real_path, shown_url
from clientdesk.store.storage import save_atomically

DRAFT_VERSION = 1


class Draft(BaseModel):
    """What a form held when the app was stopped.

    Attributes:
        user: who was typing (the name recorded on saves).
        form: the form's class name (``RequestForm``), which says how to open it again.
        kind: the record's table (``requests``).
        project_id: the project the record belongs to (or the project itself).
        record: the record as the form was opened on it (None: a new record).
        key: the record's key, for the question ("REQ-12"); empty for a new one.
        values: the text of every field, as typed.
        stopped_at: when the app was stopped.
        signal: the signal's name (``SIGHUP``).
    """

    model_config = ConfigDict(extra="ignore")

    version: int = DRAFT_VERSION
    user: str = ""
    form: str
    kind: str
    project_id: str
    record: dict[str, Any] | None = None
    key: str = ""
    values: dict[str, str]
    stopped_at: AwareDatetime
    signal: str = ""

    def describe(self) -> str:
        """The draft in a few words: "your edit of REQ-12", "a new request"."""
        if self.key:
            return f"your edit of {self.key}"
        return f"a new {self.kind.rstrip('s').replace('_', ' ')} you were typing"


def _store_name(data_path: Path | str) -> str:
    """The store a draft belongs to: a database's URL (no password) or the real file path."""
    if is_database_url(data_path):
        return shown_url(str(data_path))
    return str(real_path(data_path))


def draft_path(data_path: Path | str, user: str | None = None) -> Path:
    """The draft file of ``user`` (the current one by default) on ``data_path``.

    One per person and data file: people who share an OS account and tell
    themselves apart with ``CLIENTDESK_USER`` never see each other's typing.
    """
    who = user if user is not None else current_user()
    key = f"{who}\0{_store_name(data_path)}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return drafts_dir() / f"{digest}.json"


def keep_draft(data_path: Path | str, draft: Draft) -> Path:
    """Write ``draft`` for ``data_path`` atomically, readable by its owner only.

    Raises:
        OSError: it could not be written.
    """
    path = draft_path(data_path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    payload = json.dumps(
        {"data_file": _store_name(data_path), **draft.model_dump(mode="json")},
        ensure_ascii=False,
        indent=1,
    ).encode("utf-8")
    save_atomically(path, payload, keep_backup=False)
    os.chmod(path, 0o600)
    return path


def read_draft(data_path: Path | str) -> Draft | None:
    """The draft kept for ``data_path``, if there is one that can be read.

    A draft that cannot be read (hand-edited, from a newer version) is left
    where it is and not offered.
    """
    path = draft_path(data_path)
    try:
        document = json.loads(path.read_text("utf-8"))
        draft = Draft.model_validate(document)
    except (OSError, ValueError, ValidationError):
        return None
    if draft.version != DRAFT_VERSION or draft.user != current_user():
        return None
    return draft


def set_aside(data_path: Path | str) -> Path | None:
    """Keep the draft of ``data_path`` under another name, no longer offered; return it.

    For a draft that cannot be opened again (its project is gone): the text
    stays readable in the file for whoever wants it.
    """
    path = draft_path(data_path)
    try:
        aside = path.with_name(f"{path.stem}-not-opened-{int(path.stat().st_mtime)}.json")
        path.rename(aside)
    except OSError:
        return None
    return aside


def discard_draft(data_path: Path | str) -> None:
    """Forget the draft of ``data_path`` (nothing happens when there is none)."""
    draft_path(data_path).unlink(missing_ok=True)
