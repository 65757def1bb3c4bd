"""The config file: good and bad files, and the app applying it (theme, keys, warnings)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from textual.binding import Binding, BindingsMap
from textual.widgets import TabbedContent

import clientdesk.tui
import clientdesk.widgets
from clientdesk.store import paths
from clientdesk.store.clock import zone
from clientdesk.store.config import Config, ReportSettings, SmtpSettings, read_config
from clientdesk.store.models import ClientRequest
from clientdesk.store.repository import TinyDBRepository
from clientdesk.tui.app import binding_ids, create_app
from clientdesk.widgets.cells import DATE_FORMAT, TIME_FORMAT, use_formats
from tests.helpers.ui import screen_text, settle

THEMES = {"textual-dark", "textual-light", "nord", "gruvbox"}
IDS = {"pane.requests", "request.acknowledge", "quit"}

GOOD = """\
theme = "nord"
timezone = "Europe/Berlin"
date_format = "%d.%m.%Y"
time_format = "%H.%M"

[keys]
"request.acknowledge" = "A"
"pane.requests" = "f2, ctrl+r"

[smtp]
host = "smtp.example.com"
port = 465
security = "tls"
user = "pm@example.com"

[report]
top_risks_from = "Medium"
"""


def write_config(text: str) -> Path:
    """Write ``text`` to the config file of this test (the fixture's ``CLIENTDESK_CONFIG``)."""
    path = paths.default_config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def read(text: str) -> tuple[Config, list[str]]:
    """The settings and problems of a config file holding ``text``."""
    loaded = read_config(write_config(text), themes=THEMES, binding_ids=IDS)
    return loaded.config, loaded.problems


def test_a_missing_file_gives_the_defaults_quietly() -> None:
    loaded = read_config()
    assert loaded.config == Config()
    assert loaded.problems == []
    assert loaded.path == paths.default_config_path()


def test_a_good_file_sets_every_setting() -> None:
    config, problems = read(GOOD)
    assert problems == []
    assert config.theme == "nord"
    assert config.timezone == "Europe/Berlin"
    assert (config.date_format, config.time_format) == ("%d.%m.%Y", "%H.%M")
    assert config.keys == {"request.acknowledge": "A", "pane.requests": "f2,ctrl+r"}
    assert config.smtp == SmtpSettings(
        host="smtp.example.com", port=465, security="tls", user="pm@example.com"
    )
    assert config.report == ReportSettings(top_risks_from="medium")


def test_top_risks_default_to_high_and_above() -> None:
    assert Config().report.top_risks_from == "high"


def test_a_syntax_error_names_the_line_and_gives_every_default() -> None:
    config, problems = read('theme = "nord"\n\ntimezone "Europe/Berlin"\n')
    assert config == Config()
    assert len(problems) == 1
    assert problems[0].startswith(f"{paths.default_config_path()} line 3: invalid TOML (")


@pytest.mark.parametrize(
    ("bad_line", "expected"),
    [
        ('colour = "red"', "colour: unknown setting (known: theme, timezone"),
        ('thme = "nord"', "thme: unknown setting (did you mean 'theme'?)"),
        ("theme = 3", "theme: expected a string, got 3"),
        ('theme = "nrod"', "theme: no theme called 'nrod' (did you mean 'nord'?)"),
        ('timezone = "Europe/Berlim"', "timezone: unknown time zone 'Europe/Berlim'"),
        ('date_format = "YYYY-MM-DD"', "date_format: 'YYYY-MM-DD' has no %-directive"),
        ('time_format = "%H:%Q"', "time_format: '%H:%Q': unknown directive %Q"),
        ('date_format = "%d.%m.%"', "date_format: '%d.%m.%' ends in a lone %"),
        ('date_format = "%d.%m.%Y%n"', "date_format: '%d.%m.%Y%n': unknown directive %n"),
        ('time_format = "%H\\u001b[2J"', "time_format: '%H\\x1b[2J' holds a control character"),
        (
            'date_format = "%A, %d %B %Y (%j)"',
            "date_format: '%A, %d %B %Y (%j)' is too long",
        ),
        ("keys = 1", "keys: expected a table ([keys]), got 1"),
        (
            '[keys]\n"request.acknowlege" = "A"',
            "keys.\"request.acknowlege\": no such binding (did you mean 'request.acknowledge'?)",
        ),
        ('[keys]\n"pane.requests" = 2', 'keys."pane.requests": expected a string, got 2'),
        ('[keys]\n"pane.requests" = "f2,,f3"', 'keys."pane.requests": expected keys like'),
        ('[smtp]\nport = "587"', "smtp.port: expected a port number 1-65535, got '587'"),
        ("[smtp]\nport = 70000", "smtp.port: expected a port number 1-65535, got 70000"),
        ('[smtp]\nsecurity = "ssl"', 'smtp.security: expected one of "starttls", "tls"'),
        ('[smtp]\npassword = "hunter2"', "smtp.password: unknown setting"),
        (
            '[report]\ntop_risks_from = "hihg"',
            "report.top_risks_from: no risk band 'hihg' (did you mean 'high'?)",
        ),
        (
            '[report]\ntop_risks_from = "severe"',
            'report.top_risks_from: no risk band \'severe\' (one of "low", "medium", "high", '
            '"critical")',
        ),
        ("[report]\ntop_risks_from = 10", "report.top_risks_from: expected a string, got 10"),
        ('[report]\ntop_risk_from = "high"', "report.top_risk_from: unknown setting (did you"),
        ('report = "high"', "report: expected a table ([report]), got 'high'"),
    ],
)
def test_each_bad_setting_gives_one_line_and_its_default(bad_line: str, expected: str) -> None:
    config, problems = read(f"{bad_line}\n")
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{paths.default_config_path()}: ")
    assert expected in problems[0]
    assert config == Config()


def test_the_rest_of_a_file_still_applies_around_a_bad_setting() -> None:
    text = GOOD.replace('theme = "nord"', 'theme = "nrod"').replace("port = 465", "port = -1")
    config, problems = read(text)
    assert [problem.split(": ")[1] for problem in problems] == ["theme", "smtp.port"]
    assert config.theme is None
    assert config.smtp.port == SmtpSettings().port
    assert config.timezone == "Europe/Berlin"
    assert config.keys["pane.requests"] == "f2,ctrl+r"
    assert config.smtp.host == "smtp.example.com"


def test_a_file_that_is_not_utf8_gives_one_line() -> None:
    path = paths.default_config_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b'theme = "\xff"\n')
    loaded = read_config(path)
    assert loaded.problems == [f"{path}: invalid TOML (not UTF-8 text)"]
    assert loaded.config == Config()


def test_a_file_under_home_is_named_from_home(monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config("theme = 1\n")
    monkeypatch.setenv("HOME", str(path.parent.parent))
    problems = read_config(path).problems
    assert problems == ["~/config/config.toml: theme: expected a string, got 1"]


def ui_bindings() -> dict[type, list[Binding]]:
    """The bindings with an id that each class of the widgets and the app declares."""
    declared: dict[type, list[Binding]] = {}
    for package in (clientdesk.widgets, clientdesk.tui):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for _, cls in inspect.getmembers(module, inspect.isclass):
                found = [
                    binding
                    for binding in vars(cls).get("BINDINGS", ())
                    if isinstance(binding, Binding) and binding.id
                ]
                if found:
                    declared[cls] = found
    return declared


def test_every_binding_id_of_the_ui_can_be_remapped() -> None:
    """Every key of every screen, pane and dialog is remapped by its id in the config file."""
    declared = ui_bindings()
    ids = {binding.id for bindings in declared.values() for binding in bindings}
    assert {"form.save", "request.next", "closing.tick", "detail.cancel_occurrence"} <= ids
    assert ids == binding_ids(), "the config file accepts exactly the ids the screens bind"
    table = "\n".join(f'"{binding_id}" = "f24"' for binding_id in sorted(ids))
    loaded = read_config(
        write_config(f"[keys]\n{table}\n"), themes=THEMES, binding_ids=binding_ids()
    )
    assert loaded.problems == []
    assert set(loaded.config.keys) == ids
    for cls, bindings in declared.items():
        for binding in bindings:
            assert binding.id is not None
            remapped = BindingsMap(bindings)
            remapped.apply_keymap({binding.id: "f24"})
            moved = {
                key
                for key, on in remapped.key_to_bindings.items()
                if any(other.id == binding.id for other in on)
            }
            assert moved == {"f24"}, (cls.__name__, binding.id)


async def test_a_remapped_key_switches_the_pane_and_the_theme_applies(demo_path: Path) -> None:
    write_config('theme = "nord"\n[keys]\n"pane.requests" = "f2"\n')
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "nord"
        panes = app.query_one("#panes", TabbedContent)
        await pilot.press("2")  # the old key no longer shows the Requests pane
        await pilot.pause()
        assert panes.active == "calendar"
        await pilot.press("f2")
        await pilot.pause()
        assert panes.active == "requests"
        assert not app._notifications


async def test_dates_and_times_show_in_the_configured_formats(demo_path: Path) -> None:
    write_config('date_format = "%d.%m.%Y"\ntime_format = "%I:%M %p"\n')
    snapshot = TinyDBRepository(demo_path).snapshot()
    project = snapshot.projects()[0]
    received = {
        r.key: r.received_at.astimezone(zone(project.timezone))
        for r in snapshot.of_project(ClientRequest, project.id)
    }
    app = create_app(demo_path)
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            text = screen_text(app)
            key, moment = next(iter(received.items()))
            line = next(line for line in text.splitlines() if f" {key} " in line)
            assert f"{moment:%d.%m.%Y %I:%M %p}" in line, line
            assert f"{moment:%Y-%m-%d}" not in text
    finally:
        use_formats(DATE_FORMAT, TIME_FORMAT)


async def test_a_bad_config_opens_the_app_with_one_warning_per_problem(demo_path: Path) -> None:
    write_config('theme = "nrod"\n[keys]\n"pane.reqests" = "f2"\n"pane.risks" = "f3"\n')
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert app.theme == "textual-dark"
        warnings = [notice for notice in app._notifications if notice.severity == "warning"]
        lines = "\n".join(notice.message for notice in warnings).splitlines()
        assert len(lines) == 2
        assert "theme: no theme called 'nrod'" in lines[0]
        assert "keys.\"pane.reqests\": no such binding (did you mean 'pane.requests'?)" in lines[1]
        # The good entry still applies, and the panes opened.
        await pilot.press("f3")
        await pilot.pause()
        assert app.query_one("#panes", TabbedContent).active == "risks"


async def test_a_broken_config_file_still_opens_the_app(demo_path: Path) -> None:
    write_config("theme = \n")
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        [notice] = list(app._notifications)
        assert notice.severity == "warning"
        assert "config.toml line 1: invalid TOML" in notice.message
        await pilot.press("3")
        await pilot.pause()
        assert app.query_one("#panes", TabbedContent).active == "risks"


async def test_a_key_for_an_action_that_has_none_says_where_to_find_it(demo_path: Path) -> None:
    write_config('[keys]\n"request.acknowledge" = "k"\n"pane.risks" = "f3"\n')
    app = create_app(demo_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        warnings = [notice.message for notice in app._notifications if notice.severity == "warning"]
        assert len(warnings) == 1
        assert (
            'keys."request.acknowledge": this action has no key (ctrl+p finds it by name)'
            in (warnings[0])
        )
        await pilot.press("f3")  # the rest of the key map applies
        await settle(pilot)
        assert app.current_pane_id == "risks"
