"""Where clientdesk keeps its files, and who the current user is.

This is the one module that resolves locations; tests point the environment
variables at a temporary directory so that a developer's own data is never
touched.
"""

from __future__ import annotations

import getpass
import os
import re
from pathlib import Path

import platformdirs

from clientdesk.store.errors import StoreError
from clientdesk.store.text import TERMINAL_CONTROLS, printable

APP_NAME = "clientdesk"
DATA_ENV = "CLIENTDESK_DATA"
CONFIG_ENV = "CLIENTDESK_CONFIG"
USER_ENV = "CLIENTDESK_USER"
PASSWORD_ENV = "CLIENTDESK_SMTP_PASSWORD"
"""The environment variable the SMTP password is read from (the config file holds none)."""


def default_data_path() -> Path:
    """The data file: ``$CLIENTDESK_DATA`` or ``clientdesk.json`` in the user data dir."""
    override = os.environ.get(DATA_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "clientdesk.json"


def resolve_data_path(explicit: str | os.PathLike[str] | None) -> Path:
    """The data file to use: an explicit ``--data`` wins over the environment and the default."""
    if explicit:
        return Path(explicit).expanduser()
    return default_data_path()


def real_path(path: str | os.PathLike[str]) -> Path:
    """``path`` with ``~`` expanded and symbolic links resolved: the file really used."""
    return Path(os.path.realpath(Path(path).expanduser()))


def default_config_path() -> Path:
    """The config file: ``$CLIENTDESK_CONFIG`` or ``config.toml`` in the user config dir."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def drafts_dir() -> Path:
    """Where unsaved edits are kept when the app is stopped by a signal (user state dir)."""
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)) / "drafts"


def caldav_state_dir() -> Path:
    """What ``clientdesk caldav`` last published, one file per collection (user state dir)."""
    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)) / "caldav"


def current_user() -> str:
    """The name recorded in ``updated_by``: ``$CLIENTDESK_USER`` or the OS user.

    Raises:
        StoreError: ``$CLIENTDESK_USER`` holds a control character (an escape
            sequence, a bidi override): every colleague's screen shows the name.
    """
    override = os.environ.get(USER_ENV, "").strip()
    if override:
        try:
            override.encode("utf-8")
        except UnicodeEncodeError:
            raise StoreError(
                f"{USER_ENV} is not valid UTF-8 text ({printable(override)}): "
                "set it to a plain name"
            ) from None
        if TERMINAL_CONTROLS.search(override):
            raise StoreError(
                f"{USER_ENV} holds control characters ({printable(override)}): "
                "set it to a plain name"
            )
        return override
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, e.g. in a bare container
        return f"uid{os.getuid()}" if hasattr(os, "getuid") else "unknown"


DATABASE_SCHEMES = ("postgresql://", "postgres://")
"""How a ``--data`` value names a database rather than a file."""


def is_database_url(location: object) -> bool:
    """True when ``location`` (a ``--data`` value) names a PostgreSQL database."""
    return isinstance(location, str) and location.startswith(DATABASE_SCHEMES)


def shown_url(url: str) -> str:
    """``url`` fit to show and log: any password in it replaced by ``***``."""
    hidden = re.sub(r"^(postgres(?:ql)?://[^:/@?]*):[^@/?]*@", r"\1:***@", url)
    return re.sub(r"(?i)([?&]password=)[^&]*", r"\1***", hidden)


def url_has_password(url: str) -> bool:
    """True when ``url`` itself carries a password (which ``ps`` would show)."""
    return shown_url(url) != url
