"""The user's config file: theme, key map, time zone, date and time formats, SMTP, reports.

The file is TOML, at :func:`clientdesk.store.paths.default_config_path`. A
bad file never stops the app: each problem becomes one line naming the file
and the key, and that setting falls back to its default while the rest of
the file still applies. What only the UI knows (the theme names, the
binding ids) is passed in by the caller, so this module stays free of
Textual.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, cast, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clientdesk.store import paths

SmtpSecurity = Literal["starttls", "tls", "none"]
"""How the SMTP connection is secured."""

SMTP_SECURITY: tuple[str, ...] = get_args(SmtpSecurity)

RISK_BANDS: tuple[str, ...] = ("low", "medium", "high", "critical")
"""The risk bands from the lowest up (as :data:`clientdesk.store.rules.BANDS` names them)."""

_SAMPLE_MOMENT = datetime(2026, 12, 31, 23, 59, 58)
"""A moment to try formats on: every field has two digits and is not ambiguous."""

_DIRECTIVE = re.compile(r"%[-_0^#]?(.)")
_KNOWN_DIRECTIVES = frozenset("aAwdbBmyYHIpMSfzZjUWcxXGuVeDFhTRrCgklPs%")
"""strftime directives a date or time format may use (not %n or %t: a line break or a
tab would break the one-line cells they are shown in)."""

_LONGEST_FORMATTED = 24
"""The most cells a formatted date or time may take: a table column's widest."""
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TOML_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)$")


@dataclass(frozen=True)
class SmtpSettings:
    """Where invitations are e-mailed from (the password comes from the environment)."""

    host: str = ""
    """The server's host name; empty: not configured."""
    port: int = 587
    """The server's port."""
    security: SmtpSecurity = "starttls"
    """``starttls`` (upgrade a plain connection), ``tls`` (from the start) or ``none``."""
    user: str = ""
    """The login name; empty: no login."""


@dataclass(frozen=True)
class ReportSettings:
    """What the client status report shows."""

    top_risks_from: str = "high"
    """The lowest risk band "Top risks" lists: low, medium, high or critical."""


@dataclass(frozen=True)
class CaldavSettings:
    """``[caldav]``: the calendar collection ``clientdesk caldav`` publishes to, and the login."""

    url: str = ""
    """The collection's URL (``--url`` wins); empty: none configured."""
    user: str = ""
    """The login name; empty: the netrc file's ``login`` for the URL's host."""
    password: str = field(default="", repr=False)
    """The password; empty: the netrc file's. Refused when others may read the file."""


@dataclass(frozen=True)
class Config:
    """Every setting of the config file, with its default."""

    theme: str | None = None
    """The name of a Textual theme; None: Textual's default."""
    timezone: str | None = None
    """The viewer's IANA time zone; None: the machine's zone."""
    date_format: str = "%Y-%m-%d"
    """How dates are shown (strftime)."""
    time_format: str = "%H:%M"
    """How times of day are shown (strftime)."""
    keys: Mapping[str, str] = field(default_factory=dict)
    """Keys by binding id, e.g. ``{"pane.requests": "f2"}`` (several keys comma-separated)."""
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    """The SMTP server settings."""
    report: ReportSettings = field(default_factory=ReportSettings)
    """The status report's settings (``[report]``)."""
    store_url: str | None = None
    """``[store] url``: the PostgreSQL database to use when neither ``--data`` nor
    ``$CLIENTDESK_DATA`` names a store; None: the data file."""
    caldav: CaldavSettings = field(default_factory=CaldavSettings)
    """The CalDAV server settings (``[caldav]``)."""


@dataclass(frozen=True)
class LoadedConfig:
    """The settings read from a file, and what was wrong with it."""

    config: Config
    """The settings: the file's where they were good, the defaults elsewhere."""
    problems: list[str]
    """One line per problem, each naming the file and the key."""
    path: Path
    """The file read."""


_TOP_LEVEL = (
    "theme",
    "timezone",
    "date_format",
    "time_format",
    "keys",
    "smtp",
    "report",
    "store",
    "caldav",
)
_STORE_KEYS = ("url",)
_SMTP_KEYS = ("host", "port", "security", "user")
_REPORT_KEYS = ("top_risks_from",)
_CALDAV_KEYS = ("url", "user", "password")


def read_config(
    path: Path | None = None,
    *,
    themes: Collection[str] | None = None,
    binding_ids: Collection[str] | None = None,
) -> LoadedConfig:
    """Read the config file; a missing file gives the defaults.

    Args:
        path: The file; by default :func:`~clientdesk.store.paths.default_config_path`.
        themes: The theme names to accept; None accepts any name.
        binding_ids: The binding ids ``[keys]`` may remap; None accepts any id
            (check them later with :func:`unknown_binding_problems`).

    Returns:
        The settings and one line per problem found. Never raises for a bad
        file: a file that cannot be read or parsed gives the defaults.
    """
    path = path or paths.default_config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return LoadedConfig(Config(), [], path)
    except OSError as error:
        return LoadedConfig(Config(), [f"{_name(path)}: cannot be read ({error.strerror})"], path)
    try:
        table = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return LoadedConfig(Config(), [f"{_name(path)}: invalid TOML (not UTF-8 text)"], path)
    except tomllib.TOMLDecodeError as error:
        return LoadedConfig(Config(), [_syntax_problem(path, error)], path)
    reader = _Reader(path, themes, binding_ids)
    return LoadedConfig(reader.config(table), reader.problems, path)


def unknown_binding_problems(
    loaded: LoadedConfig, binding_ids: Collection[str], keyless: Collection[str] = ()
) -> list[str]:
    """One line for each id in ``[keys]`` that is not among ``binding_ids``.

    Args:
        loaded: the config file as read.
        binding_ids: the ids of the actions that have keys.
        keyless: the ids of actions without a key (found by name in the
            command palette): a key given to one is refused with that reason.
    """
    return [
        _keyless_binding(loaded.path, binding_id)
        if binding_id in keyless
        else _unknown_binding(loaded.path, binding_id, binding_ids)
        for binding_id in loaded.config.keys
        if binding_id not in binding_ids
    ]


def _keyless_binding(path: Path, binding_id: str) -> str:
    return (
        f"{_name(path)}: {_dotted('keys', binding_id)}: this action has no key "
        "(ctrl+p finds it by name)"
    )


def _name(path: Path) -> str:
    """The file as the user knows it: under the home directory as ``~/...``."""
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def _dotted(*parts: str) -> str:
    """A key as TOML would spell it: ``keys."pane.requests"``."""
    return ".".join(part if _BARE_KEY.fullmatch(part) else f'"{part}"' for part in parts)


def _syntax_problem(path: Path, error: tomllib.TOMLDecodeError) -> str:
    message = str(error)
    line = _TOML_LINE.search(message)
    if line is None:
        return f"{_name(path)}: invalid TOML ({message})"
    return f"{_name(path)} line {line.group(1)}: invalid TOML ({message[: line.start()]})"


def _unknown_binding(path: Path, binding_id: str, binding_ids: Collection[str]) -> str:
    text = f"{_name(path)}: {_dotted('keys', binding_id)}: no such binding"
    close = difflib.get_close_matches(binding_id, sorted(binding_ids), n=1)
    return f"{text} (did you mean {close[0]!r}?)" if close else text


def _describe(value: object) -> str:
    """A TOML value as the user wrote it, shortened, for "got ..." in a problem."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    text = repr(value) if isinstance(value, str) else str(value).lower()
    return text if len(text) <= 40 else text[:39] + "…"


class _Reader:
    """Reads a parsed file into a :class:`Config`, noting each problem."""

    def __init__(
        self,
        path: Path,
        themes: Collection[str] | None,
        binding_ids: Collection[str] | None,
    ) -> None:
        self.path = path
        self.themes = themes
        self.binding_ids = binding_ids
        self.problems: list[str] = []

    def problem(self, key: str, text: str) -> None:
        self.problems.append(f"{_name(self.path)}: {key}: {text}")

    def config(self, table: Mapping[str, Any]) -> Config:
        self.unknown_keys(table, _TOP_LEVEL, ())
        config = Config()
        theme = self.string(table, "theme")
        if theme is not None:
            if self.themes is not None and theme not in self.themes:
                close = difflib.get_close_matches(theme, sorted(self.themes), n=1)
                hint = f"did you mean {close[0]!r}?" if close else "see Theme in ctrl+p"
                self.problem("theme", f"no theme called {theme!r} ({hint})")
            else:
                config = replace(config, theme=theme)
        timezone = self.string(table, "timezone")
        if timezone is not None:
            if _is_time_zone(timezone):
                config = replace(config, timezone=timezone)
            else:
                self.problem("timezone", f"unknown time zone {timezone!r} (e.g. Europe/Berlin)")
        date_format = self.pattern(table, "date_format")
        if date_format is not None:
            config = replace(config, date_format=date_format)
        time_format = self.pattern(table, "time_format")
        if time_format is not None:
            config = replace(config, time_format=time_format)
        keys = self.table(table, "keys")
        if keys is not None:
            config = replace(config, keys=self.keys(keys))
        smtp = self.table(table, "smtp")
        if smtp is not None:
            config = replace(config, smtp=self.smtp(smtp))
        report = self.table(table, "report")
        if report is not None:
            config = replace(config, report=self.report(report))
        store = self.table(table, "store")
        if store is not None:
            config = replace(config, store_url=self.store_url(store))
        caldav = self.table(table, "caldav")
        if caldav is not None:
            config = replace(config, caldav=self.caldav(caldav))
        return config

    def caldav(self, table: Mapping[str, Any]) -> CaldavSettings:
        """``[caldav]``; a password is refused when others may read this file."""
        self.unknown_keys(table, _CALDAV_KEYS, ("caldav",))
        settings = CaldavSettings()
        url = self.string(table, "url", "caldav")
        if url is not None:
            url = url.strip()
            if url.startswith(("https://", "http://")):
                settings = replace(settings, url=url)
            else:
                self.problem("caldav.url", f"expected an https:// URL, got {_describe(url)}")
        user = self.string(table, "user", "caldav")
        if user is not None:
            settings = replace(settings, user=user.strip())
        password = self.string(table, "password", "caldav")
        if password:
            if mode := self.others_may_read():
                self.problem(
                    "caldav.password",
                    f"others may read this file (mode {mode:o}): chmod 600 "
                    f"{self.path}, or keep the password in ~/.netrc",
                )
            else:
                settings = replace(settings, password=password)
        return settings

    def others_may_read(self) -> int:
        """The file's permission bits when its group or others may read it; 0 when only its
        owner may (a secret in it is then the owner's alone)."""
        try:
            mode = self.path.stat().st_mode & 0o777
        except OSError:
            return 0o777  # unknown: not proven private
        return mode if mode & 0o077 else 0

    def store_url(self, table: Mapping[str, Any]) -> str | None:
        """``[store] url``, refused when it holds a password that others may read."""
        self.unknown_keys(table, _STORE_KEYS, ("store",))
        url = self.string(table, "url", "store")
        if url is None:
            return None
        url = url.strip()
        if not paths.is_database_url(url):
            self.problem("store.url", f"expected a postgresql:// URL, got {_describe(url)}")
            return None
        if paths.url_has_password(url) and (mode := self.others_may_read()):
            self.problem(
                "store.url",
                f"holds a password, and others may read this file (mode {mode:o}): "
                f"chmod 600 {self.path}, or keep the password in ~/.pgpass",
            )
            return None
        return url

    def unknown_keys(
        self, table: Mapping[str, Any], known: tuple[str, ...], prefix: tuple[str, ...]
    ) -> None:
        for key in table:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                hint = f"did you mean {close[0]!r}?" if close else "known: " + ", ".join(known)
                self.problem(_dotted(*prefix, key), f"unknown setting ({hint})")

    def string(self, table: Mapping[str, Any], key: str, *prefix: str) -> str | None:
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, str):
            self.problem(_dotted(*prefix, key), f"expected a string, got {_describe(value)}")
            return None
        return value

    def pattern(self, table: Mapping[str, Any], key: str) -> str | None:
        pattern = self.string(table, key)
        if pattern is None:
            return None
        fault = _format_problem(pattern)
        if fault:
            self.problem(key, fault)
            return None
        return pattern

    def table(self, table: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, dict):
            self.problem(key, f"expected a table ([{key}]), got {_describe(value)}")
            return None
        return cast(Mapping[str, Any], value)

    def keys(self, table: Mapping[str, Any]) -> dict[str, str]:
        keys: dict[str, str] = {}
        for binding_id in table:
            name = _dotted("keys", binding_id)
            value = self.string(table, binding_id, "keys")
            if value is None:
                continue
            if self.binding_ids is not None and binding_id not in self.binding_ids:
                self.problems.append(_unknown_binding(self.path, binding_id, self.binding_ids))
                continue
            listed = [key.strip() for key in value.split(",")]
            # A key is shown in the footer and help: no room for a control character.
            if not all(listed) or any(" " in key or not key.isprintable() for key in listed):
                self.problem(name, f'expected keys like "f2" or "ctrl+r,f5", got {value!r}')
                continue
            keys[binding_id] = ",".join(listed)
        return keys

    def smtp(self, table: Mapping[str, Any]) -> SmtpSettings:
        self.unknown_keys(table, _SMTP_KEYS, ("smtp",))
        smtp = SmtpSettings()
        host = self.string(table, "host", "smtp")
        if host is not None:
            smtp = replace(smtp, host=host.strip())
        user = self.string(table, "user", "smtp")
        if user is not None:
            smtp = replace(smtp, user=user.strip())
        if "port" in table:
            port = table["port"]
            if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
                self.problem("smtp.port", f"expected a port number 1-65535, got {_describe(port)}")
            else:
                smtp = replace(smtp, port=port)
        security = self.string(table, "security", "smtp")
        if security is not None:
            if security in SMTP_SECURITY:
                smtp = replace(smtp, security=cast(SmtpSecurity, security))
            else:
                choices = ", ".join(f'"{choice}"' for choice in SMTP_SECURITY)
                self.problem("smtp.security", f"expected one of {choices}, got {security!r}")
        return smtp

    def report(self, table: Mapping[str, Any]) -> ReportSettings:
        self.unknown_keys(table, _REPORT_KEYS, ("report",))
        report = ReportSettings()
        band = self.string(table, "top_risks_from", "report")
        if band is not None:
            wanted = band.strip().lower()
            if wanted in RISK_BANDS:
                report = replace(report, top_risks_from=wanted)
            else:
                close = difflib.get_close_matches(wanted, RISK_BANDS, n=1)
                choices = ", ".join(f'"{choice}"' for choice in RISK_BANDS)
                hint = f"did you mean {close[0]!r}?" if close else f"one of {choices}"
                self.problem("report.top_risks_from", f"no risk band {band!r} ({hint})")
        return report


def _is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _format_problem(pattern: str) -> str:
    """What is wrong with a strftime pattern ("" when nothing is)."""
    if re.search(r"(?<!%)(%%)*%$", pattern):
        return f"{pattern!r} ends in a lone %"
    directives = _DIRECTIVE.findall(pattern)
    if not directives:
        return f'{pattern!r} has no %-directive (e.g. "%Y-%m-%d", "%H:%M")'
    unknown = sorted({f"%{letter}" for letter in directives} - {f"%{k}" for k in _KNOWN_DIRECTIVES})
    if unknown:
        return f"{pattern!r}: unknown directive {', '.join(unknown)}"
    if not pattern.isprintable():
        return f"{pattern!r} holds a control character"
    try:
        sample = _SAMPLE_MOMENT.strftime(pattern)
    except ValueError as error:
        return f"{pattern!r}: {error}"
    if len(sample) > _LONGEST_FORMATTED:
        return f"{pattern!r} is too long ({sample!r}; at most {_LONGEST_FORMATTED} characters)"
    return ""
