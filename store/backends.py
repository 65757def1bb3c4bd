"""Where the records live: the one factory the app and the command line open a store through.

A ``--data`` value (or ``$CLIENTDESK_DATA``, or ``store.url`` in the config
file) that starts ``postgresql://`` names a database; anything else is the
path of a JSON data file, the default.
"""

from __future__ import annotations

import os
from pathlib import Path

from clientdesk.store.errors import StoreError
from clientdesk.store.paths import is_database_url, shown_url, url_has_password
from clientdesk.store.repository import Repository, TinyDBRepository

__all__ = ["PasswordInUrlError", "is_database_url", "open_repository", "refuse_visible_password"]


class PasswordInUrlError(StoreError):
    """A database URL carries its password where other users could read it."""


def refuse_visible_password(url: str, where: str) -> None:
    """Refuse ``url`` when it carries a password and comes from ``where`` (the command line).

    Every user of the server can read a process's command line (``ps``), so
    a password there is everyone's password.

    Raises:
        PasswordInUrlError: ``url`` holds a password.
    """
    if url_has_password(url):
        raise PasswordInUrlError(
            f"{shown_url(url)}: a password in the URL on the {where} shows in `ps` to every "
            "user; put it in ~/.pgpass (or PGPASSFILE, or PGPASSWORD) and leave it out of the URL"
        )


def open_repository(location: str | os.PathLike[str], *, user: str | None = None) -> Repository:
    """The store at ``location``: a PostgreSQL database for a ``postgresql://`` URL, else a file.

    Nothing is read or connected yet: the first snapshot or save does that,
    and words any failure in one line.
    """
    if is_database_url(location):
        from clientdesk.store.postgres import PostgresRepository

        return PostgresRepository(str(location), user=user)
    return TinyDBRepository(Path(location), user=user)
