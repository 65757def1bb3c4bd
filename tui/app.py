"""The clientdesk App: a project header, four panes, forms and dialogs over one repository.

Every read and write of the store runs in a thread worker that posts a
message back (:class:`ClientDeskApp.SnapshotLoaded` and friends); handlers
only update widgets. A timer asks the repository every second whether
another process saved, and reloads the panes when it did, keeping the
project, the pane and the cursor where they were.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Input, Label, TabbedContent, TabPane
from textual.worker import Worker

from clientdesk.store import clock
from clientdesk.store.config import (
    Config,
    LoadedConfig,
    read_config,
    unknown_binding_problems,
)
from clientdesk.store.errors import (
    ConflictError,
    NotFoundError,
    StoreError,
    UntrustedPathError,
    describe_error,
)
from clientdesk.store.paths import current_user, real_path
from clientdesk.tui.calendar_actions import CalendarActions
from clientdesk.tui.contacts_screen import ContactsScreen
from clientdesk.tui.output_guard import GuardedApp
from clientdesk.widgets.calendar_pane import CalendarPane
from clientdesk.widgets.cells import use_formats
from clientdesk.widgets.close_dialog import CloseBlockedDialog
from clientdesk.widgets.closing_gates import ClosingGates
from clientdesk.widgets.closing_pane import ClosingPane, closing_tab_title
from clientdesk.widgets.confirm_dialog import ConfirmDialog
from clientdesk.widgets.follow_up_dialog import FollowUpDialog
from clientdesk.widgets.help_screen import HelpEntry, HelpScreen
from clientdesk.widgets.key_footer import KeyFooter
from clientdesk.widgets.notice_panel import NoticePanel
from clientdesk.widgets.project_header import ProjectHeader
from clientdesk.widgets.project_picker import ProjectPicker
from clientdesk.widgets.reason_dialog import ReasonDialog
from clientdesk.widgets.record_table_pane import RecordTablePane
from clientdesk.widgets.requests_pane import (
    RequestsPane,
    breached_count,
    read_clocks,
    requests_tab_title,
)
from clientdesk.widgets.risks_pane import RisksPane, register_counts, risks_tab_title
from clientdesk.widgets.week_view import WeekView
from clientdesk.widgets.welcome_panel import WelcomePanel

# The record models, the forms built on them and the repository are imported
# where they are first used, after the first paint: they load pydantic and
# TinyDB, which the first screen must not wait for.
if TYPE_CHECKING:
    from textual.driver import Driver

    from clientdesk.store.closing import Gate
    from clientdesk.store.drafts import Draft
    from clientdesk.store.models import (
        ChecklistItem,
        ClientRequest,
        Contact,
        Project,
        Record,
        RequestClocks,
        Risk,
    )
    from clientdesk.store.repository import Repository, Snapshot
    from clientdesk.store.status_report import ReportContent
    from clientdesk.store.undo import UndoableRepository, UndoStep
    from clientdesk.tui.terminal_guard import TerminalGone
    from clientdesk.widgets.checklist_dialog import Tick

STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)
"""The signals that stop the app the way a user would not: a kill, a dropped connection."""

POLL_SECONDS = 1.0
"""How often the app asks whether another process saved the data file."""

CLOCK_SECONDS = 60.0
"""How often computed columns (overdue, next due) are brought up to date."""

ANIMATIONS_ENV = "TEXTUAL_ANIMATIONS"
"""Textual's animation setting (``none``, ``basic``, ``full``); clientdesk's default: none."""

PANES: dict[str, tuple[str, type[RecordTablePane]]] = {
    "calendar": ("Calendar", CalendarPane),
    "requests": ("Requests", RequestsPane),
    "risks": ("Risks", RisksPane),
    "closing": ("Closing", ClosingPane),
}
"""The four panes by id: their title and widget class, in tab order."""

BLOCKER_PANES: dict[str, str] = {
    "request": "requests",
    "risk": "risks",
    "meeting": "calendar",
    "checklist": "closing",
}
"""The pane that lists each kind of closing-gate blocker, by the kind's name."""

PANE_ACTIONS = frozenset(
    {
        "show_pane",
        "switch_project",
        "edit_project",
        "contacts",
        "new_contact",
        "new_record",
        "edit_record",
        "delete_record",
        "filter",
        "service_levels",
        "status_report",
        "export_calendar",
        "import_ics",
    }
)
"""Actions that need an open project."""


Changes = Mapping[str, Any] | Callable[[Any], Mapping[str, Any]]
"""Field changes to save: fixed values, or computed from the record they apply to.

A comment is computed (the record's log plus one entry), so that the same
change can be made again to a newer version of the record after a conflict.
"""


@dataclass(frozen=True)
class Readings:
    """What the tab titles and the panes both show, computed once per refresh.

    The clocks of the open requests and the closing gates cost the most of a
    refresh, which runs on every save, every poll that sees another process's
    save, and every minute. The app computes them once for the tab titles
    (which must be right while their pane is hidden) and hands the same values
    to the pane when it is filled, now or when it is next shown.
    """

    snapshot: Snapshot
    """Every record at one moment."""
    project: Project
    """The open project, as of ``snapshot``."""
    now: datetime
    """The moment the clocks and gates were computed for."""
    clocks: Mapping[str, RequestClocks]
    """The clocks of the project's open requests, by request id."""
    gates: list[Gate]
    """The project's closing gates."""


class ClientDeskApp(GuardedApp):
    """The full-screen app over one repository.

    Its output passes :class:`~clientdesk.tui.output_guard.GuardedApp`'s checks:
    no control character from a record, a colleague or a file reaches the terminal.
    """

    CSS_PATH = "app.tcss"
    TITLE = "clientdesk"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "1",
            "show_pane('calendar')",
            "Panes",
            key_display="1-4",
            tooltip="Calendar pane",
            id="pane.calendar",
        ),
        Binding("2", "show_pane('requests')", "Requests pane", show=False, id="pane.requests"),
        Binding("3", "show_pane('risks')", "Risks pane", show=False, id="pane.risks"),
        Binding("4", "show_pane('closing')", "Closing pane", show=False, id="pane.closing"),
        Binding("p", "switch_project", "Project", tooltip="Switch project", id="project.switch"),
        Binding(
            "c",
            "contacts",
            "Contacts",
            tooltip="Contacts of the project (add, edit)",
            id="contacts.open",
        ),
        Binding(
            "n",
            "new_record",
            "New",
            show=False,
            tooltip="New record in this pane",
            id="record.new",
        ),
        Binding(
            "e",
            "edit_record",
            "Edit",
            show=False,
            tooltip="Edit the record under the cursor (also enter)",
            id="record.edit",
        ),
        Binding(
            "d",
            "delete_record",
            "Delete",
            show=False,
            tooltip="Delete the record under the cursor",
            id="record.delete",
        ),
        Binding("slash", "filter", "Filter", tooltip="Filter this pane", id="pane.filter"),
        Binding("N", "new_project", "New project", show=False, id="project.new"),
        Binding(
            "P",
            "edit_project",
            "Edit project",
            show=False,
            tooltip="Edit the project (name, dates, RAG...)",
            id="project.edit",
        ),
        Binding(
            "l",
            "load_demo",
            "Load demo data",
            show=False,
            tooltip="Fill the empty data file with demo projects",
            id="demo.load",
        ),
        Binding("r", "reload", "Try again", tooltip="Read the data file again", id="data.reload"),
        Binding(
            "ctrl+o",
            "import_ics",
            "Import .ics",
            show=False,
            tooltip="Import a client's invite, reply or calendar (.ics), after a preview",
            id="calendar.import",
        ),
        Binding(
            "ctrl+r",
            "status_report",
            "Status report",
            show=False,
            tooltip="Write the client status report (Markdown and HTML)",
            id="report.status",
        ),
        Binding(
            "ctrl+z",
            "undo",
            "Undo",
            show=False,
            tooltip="Undo your last change of this session (several levels)",
            id="edit.undo",
        ),
        Binding(
            "ctrl+y,ctrl+shift+z",
            "redo",
            "Redo",
            show=False,
            tooltip="Redo the change you undid last",
            id="edit.redo",
        ),
        Binding("question_mark", "help", "Help", tooltip="This list of keys", id="help"),
        Binding(
            "f12",
            "screenshot",
            "Screenshot",
            show=False,
            tooltip="Save an SVG screenshot in the current directory",
            id="screenshot",
        ),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="quit.ctrl"),
    ]

    mode: reactive[str] = reactive("loading", init=False)
    """What the main area shows: ``loading``, ``welcome``, ``panes`` or ``error``."""

    # -- messages from the workers ---------------------------------------------------

    class SnapshotLoaded(Message):
        """A worker read the store."""

        def __init__(
            self,
            snapshot: Snapshot,
            ticket: int,
            seen: str = "",
            readings: Readings | None = None,
        ) -> None:
            """Carry the snapshot and the number of the load that read it."""
            super().__init__()
            self.snapshot = snapshot
            """Every record at one moment."""
            self.ticket = ticket
            """Loads are numbered; an older load finishing late is ignored."""
            self.seen = seen
            """What other people changed since the last read ("" when nothing, or unknown)."""
            self.readings = readings
            """The clocks and gates of the project to be shown, read in the worker too."""

    class ReadingsReady(Message):
        """A worker computed the clocks and gates again (the minute's refresh)."""

        def __init__(self, readings: Readings) -> None:
            """Carry the readings."""
            super().__init__()
            self.readings = readings
            """The clocks and gates, and the snapshot and project they are of."""

    class LoadFailed(Message):
        """A worker could not read the store."""

        def __init__(self, message: str, ticket: int, *, linked: bool = False) -> None:
            """Carry the one-line message."""
            super().__init__()
            self.message = message
            """What went wrong, for the user."""
            self.ticket = ticket
            """The number of the load that failed."""
            self.linked = linked
            """The data file's path leads through a link clientdesk does not follow."""

    class WriteFailed(Message):
        """A worker could not write to the store (e.g. loading the demo data)."""

        def __init__(self, message: str, *, ask_again: Callable[[], None] | None = None) -> None:
            """Carry the one-line message, and how to ask the user again."""
            super().__init__()
            self.message = message
            """What went wrong, for the user."""
            self.ask_again = ask_again
            """Opens the dialog the user typed in again, with their text (None: nothing typed)."""

    class DeleteChanged(Message):
        """A delete met a newer version of the record: the user is asked again."""

        def __init__(self, current: Record, text: str) -> None:
            """Carry the record as stored now and who changed it when."""
            super().__init__()
            self.current = current
            """The record as stored now."""
            self.text = text
            """Who changed it and when, as one line."""

    class RecordWritten(Message):
        """A worker saved or deleted a record of a pane."""

        def __init__(self, record: Record | None, text: str, *, select: bool = True) -> None:
            """Carry the record as saved (None when deleted) and what to tell the user."""
            super().__init__()
            self.record = record
            """The record as saved, or None after a delete."""
            self.text = text
            """One line for the user."""
            self.select = select
            """Put the pane's cursor on the record (it is in the pane on show)."""

    class TakenBack(Message):
        """A worker undid or redid a step of this session's saves."""

        def __init__(self, step: UndoStep, verb: str) -> None:
            """Carry the step and ``verb`` (``undo`` or ``redo``)."""
            super().__init__()
            self.step = step
            """What was undone or redone."""
            self.verb = verb
            """``undo`` or ``redo``."""

    class ConfigChecked(Message):
        """A worker checked the config file's key map against every binding id."""

        def __init__(self, problems: list[str]) -> None:
            """Carry one line per binding id that does not exist."""
            super().__init__()
            self.problems = problems
            """What is wrong, one line each."""

    class ScreenshotSaved(Message):
        """A worker wrote the screenshot."""

        def __init__(self, path: Path) -> None:
            """Carry where it went."""
            super().__init__()
            self.path = path
            """The SVG file written."""

    class ReportWritten(Message):
        """A worker wrote the closing report."""

        def __init__(self, key: str, path: Path) -> None:
            """Carry the project's key and where the report went."""
            super().__init__()
            self.key = key
            """The project's key."""
            self.path = path
            """The Markdown file written."""

    class StatusReportWritten(Message):
        """A worker wrote the status report's files."""

        def __init__(self, project: Project, content: ReportContent, paths: list[Path]) -> None:
            """Carry the report and where it went."""
            super().__init__()
            self.project = project
            """The project reported on."""
            self.content = content
            """The report as built (kept only when the user says so)."""
            self.paths = paths
            """The Markdown and HTML files written."""

    # -- set-up ----------------------------------------------------------------------

    def __init__(
        self,
        repository: Repository | None = None,
        *,
        data_path: Path | None = None,
        config_path: Path | None = None,
    ) -> None:
        """Create the app over ``repository``, or over the data file at ``data_path``.

        Nothing is read until the app runs. Given a path, the app opens the
        repository in its first load worker, so that the first screen does not
        wait for the store to be imported. The config file is ``config_path``,
        by default the user's (:func:`~clientdesk.store.paths.default_config_path`).
        """
        super().__init__()
        if ANIMATIONS_ENV not in os.environ:
            # Over SSH every frame of an animation crosses the link: a pane switch
            # with the tab underline sliding took ~420 ms and 41 KiB at 120x40,
            # without it ~175 ms and 34 KiB. Textual's variable turns them back on.
            self.animation_level = "none"
        if (repository is None) == (data_path is None):
            raise TypeError("give either a repository or a data path")
        self._repository: UndoableRepository | None = None
        if repository is not None:
            from clientdesk.store.undo import UndoableRepository

            self._repository = UndoableRepository(repository)
        self._data_path = data_path
        self._repository_lock = Lock()
        self.snapshot: Snapshot | None = None
        """The records on screen."""
        self.project_id: str | None = None
        """The id of the open project."""
        self._ticket = 0
        self._applied_ticket = 0
        self._poll_worker: Worker[None] | None = None
        self._select_project: str | None = None
        self._select_contact: str | None = None
        self._select_record: str | None = None
        self._reveal_after_load: tuple[str, str, str] | None = None
        self._looked_for_draft = False
        self._signal_handlers_before: dict[signal.Signals, Any] = {}
        self._last_load_error = ""
        self._stale_panes: set[str] = set()
        self._readings: Readings | None = None
        self._panes_mounting: asyncio.Future[None] | None = None
        """Set while the four panes are being composed into the main area, done once they are."""
        self._config_path = config_path
        self.config = Config()
        """The settings of the config file (the defaults until the app is mounted)."""
        self.calendar = CalendarActions(self)
        """What the app does for the Calendar pane (its forms, dialogs and saves)."""

    @property
    def repository(self) -> UndoableRepository:
        """Where the records live: opened by the first worker that reads them.

        Every save through it can be undone in this session (ctrl+z). Only
        worker threads call its methods.
        """
        with self._repository_lock:
            if self._repository is None:
                from clientdesk.store.repository import TinyDBRepository
                from clientdesk.store.undo import UndoableRepository

                assert self._data_path is not None
                self._repository = UndoableRepository(TinyDBRepository(self._data_path))
            return self._repository

    @property
    def config_location(self) -> Path:
        """The config file the app reads (it may not exist)."""
        from clientdesk.store.paths import default_config_path

        return self._config_path or default_config_path()

    @property
    def location(self) -> str:
        """The data file's path, as the repository names it (known before it is opened)."""
        if self._repository is not None:
            return self._repository.location
        assert self._data_path is not None
        return str(real_path(self._data_path))

    def _fatal_error(self) -> None:
        """Exit after an unexpected error with one line instead of a traceback.

        Textual prints a full traceback here; a user gets one line naming the
        error and the crash log that holds the traceback. Saves are atomic, so
        the data file holds the last completed save.
        """
        from clientdesk.tui.crash_log import internal_error_line

        error = self._exception or RuntimeError("unknown error")
        self.bell()
        self._exit_renderables.append(Text(internal_error_line(error)))
        self._close_messages_no_wait()

    def compose(self) -> ComposeResult:
        """Header, the main area (loading, welcome, error or the four panes), footer."""
        yield ProjectHeader(id="header")
        # The four panes join the main area once the first frame is painted
        # (see _start), the welcome and error panels when first needed: the
        # first frame says the file is being opened, and composing some sixty
        # widgets that are not yet on show would only delay it.
        with ContentSwitcher(initial="loading", id="main"):
            yield NoticePanel(id="loading")
        yield Label(id="change-line", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        """Apply the config file, start reading the store and watching it for other saves."""
        self._apply_config()
        loading = self.query_one("#loading", NoticePanel)
        loading.heading = "Opening the data file…"
        loading.body = self.location
        # Read the file once the first frame is on screen: parsing a large file in
        # the worker would otherwise compete with the first paint for the GIL.
        self.call_after_refresh(self._start)
        self.set_interval(POLL_SECONDS, self._poll)
        self.set_interval(CLOCK_SECONDS, self._refresh_clock)
        self._handle_stop_signals(install=True)

    def on_unmount(self) -> None:
        """Give the stop signals back to their default handling."""
        self._handle_stop_signals(install=False)

    def _handle_stop_signals(self, *, install: bool) -> None:
        # A dropped SSH connection (SIGHUP) or a kill (SIGTERM) would end the
        # process at once, with a form's typing lost and the terminal raw.
        # A signal ignored when the app started (``nohup``) stays ignored, and
        # each signal gets back the handling it had.
        loop = asyncio.get_running_loop()
        for stop in STOP_SIGNALS:
            with suppress(NotImplementedError, RuntimeError, ValueError, OSError):
                if install:
                    previous = signal.getsignal(stop)
                    if previous == signal.SIG_IGN:
                        continue
                    loop.add_signal_handler(stop, self.stop_on_signal, stop.name)
                    self._signal_handlers_before[stop] = previous
                elif stop in self._signal_handlers_before:
                    loop.remove_signal_handler(stop)
                    signal.signal(stop, self._signal_handlers_before.pop(stop))

    def stop_on_signal(self, signal_name: str) -> None:
        """Keep the open form's unsaved typing for the next start, then quit.

        A save already under way finishes or leaves the file as it was (saves
        are atomic). A second stop (SIGHUP after the terminal was seen to go)
        changes nothing.
        """
        from clientdesk.tui.draft_recovery import keep_open_form

        if self.return_code is not None:
            return  # already stopping: the first stop's draft and exit status stand
        kept = keep_open_form(self, Path(self.location), signal_name)
        message = f"clientdesk: stopped by {signal_name}"
        if kept is not None:
            message += "; your unsaved edit is kept and offered at the next start"
        exit_status = 128 + int(getattr(signal, signal_name))
        self.exit(return_code=exit_status, message=message)
        if not self.is_headless:
            from clientdesk.tui.terminal_guard import end_if_the_stop_stalls

            # Nobody may be at the terminal to see the stop through: should it
            # stall, the process ends itself a few seconds from now.
            end_if_the_stop_stalls(exit_status)

    def on_terminal_gone(self, message: TerminalGone) -> None:
        """The terminal went away (its input ended, or writing to it failed): stop as on SIGHUP.

        An app that does not control its terminal (started with ``setsid``)
        gets no SIGHUP when the terminal goes; one that does may get it after this.
        """
        self.stop_on_signal("SIGHUP")

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this platform, changed to end the app when its terminal goes."""
        driver_class = super().get_driver_class()
        if os.name != "posix":
            return driver_class
        from clientdesk.tui.terminal_guard import guarded_driver_class

        return guarded_driver_class(driver_class)

    # -- the config file -------------------------------------------------------------

    def _apply_config(self) -> None:
        """Apply the config file's theme and key map; warn about anything wrong in it."""
        loaded = read_config(self._config_path, themes=self.available_themes)
        self.config = loaded.config
        if loaded.config.theme is not None:
            self.theme = loaded.config.theme
        use_formats(loaded.config.date_format, loaded.config.time_format)
        self._warn_about_config(loaded.problems)
        if loaded.config.keys:
            # An id that no binding has changes nothing, so the key map applies
            # now; the ids are checked after the first paint, as some are on the
            # forms, whose module loads pydantic.
            self.set_keymap(loaded.config.keys)
            self.call_after_refresh(self._check_binding_ids, loaded)

    @work(thread=True, group="config", exclusive=True)
    def _check_binding_ids(self, loaded: LoadedConfig) -> None:
        problems = unknown_binding_problems(loaded, binding_ids())
        if problems:
            self.post_message(self.ConfigChecked(problems))

    @on(ConfigChecked)
    def _config_checked(self, message: ConfigChecked) -> None:
        self._warn_about_config(message.problems)

    def _warn_about_config(self, problems: list[str]) -> None:
        if problems:
            self.notify(
                "\n".join(problems),
                title="Config file (defaults used)",
                severity="warning",
                markup=False,
                timeout=15,
            )

    # -- reading the store -----------------------------------------------------------

    async def _start(self) -> None:
        # The worker parses the file while the panes are composed; its result
        # is handled after this, when the panes are there to show it.
        self._request_load()
        await self._mount_panes()

    async def _mount_panes(self) -> None:
        """Compose the four panes into the main area (once; later calls wait for it)."""
        if self._panes_mounting is None:
            tabs = TabbedContent(id="panes")
            for pane_id, (title, pane_class) in PANES.items():
                tabs.compose_add_child(TabPane(title, pane_class(id=f"{pane_id}-pane"), id=pane_id))
            self._panes_mounting = asyncio.get_running_loop().create_future()
            try:
                await self.query_one("#main", ContentSwitcher).add_content(tabs)
                self.query_one(CalendarPane).viewer_zone = clock.viewer_zone(self.config.timezone)
            finally:  # nobody waits for ever, whatever happened
                self._panes_mounting.set_result(None)
        await self._panes_mounting

    def _request_load(self) -> None:
        self._ticket += 1
        self._load_snapshot(self._ticket)

    @work(thread=True, group="store", exclusive=False)
    def _load_snapshot(self, ticket: int) -> None:
        try:
            snapshot = _read(self.repository)
        except (StoreError, OSError) as error:
            linked = isinstance(error, UntrustedPathError)
            self.post_message(self.LoadFailed(describe_error(error), ticket, linked=linked))
        else:
            readings = self._readings_for(snapshot)
            self.post_message(self.SnapshotLoaded(snapshot, ticket, readings=readings))

    def _readings_for(self, snapshot: Snapshot) -> Readings | None:
        """The clocks and gates of the project ``snapshot`` will show (in a worker thread).

        Reading every open request's clocks is the dearest part of a refresh:
        done here, the UI thread only fills the pane on show.
        """
        project = self._project_to_show(snapshot)
        return _readings(snapshot, project, clock.now()) if project is not None else None

    def _project_to_show(self, snapshot: Snapshot) -> Project | None:
        """The project a refresh shows: the one chosen or open, else the first (None: none)."""
        project = _project_in(snapshot, self._select_project or self.project_id)
        if project is not None:
            return project
        projects = snapshot.projects()
        return projects[0] if projects else None

    def _poll(self) -> None:
        if self.mode in ("loading", "error"):
            return
        if self._poll_worker is not None and not self._poll_worker.is_finished:
            return
        self._ticket += 1
        self._poll_worker = self._check_for_changes(self._ticket)

    @work(thread=True, group="store", exclusive=False)
    def _check_for_changes(self, ticket: int) -> None:
        from clientdesk.store.changes import changes_between, changes_line

        try:
            if not self.repository.has_changed():
                return
            before = self.snapshot
            snapshot = _read(self.repository)
        except (StoreError, OSError) as error:
            self.post_message(self.LoadFailed(describe_error(error), ticket))
        else:
            seen = ""
            if before is not None:
                me = getattr(self.repository, "user", "") or current_user()
                zone = clock.viewer_zone(self.config.timezone)
                seen = changes_line(changes_between(before, snapshot, me=me), zone)
            readings = self._readings_for(snapshot)
            self.post_message(self.SnapshotLoaded(snapshot, ticket, seen, readings))

    @on(SnapshotLoaded)
    async def _snapshot_loaded(self, message: SnapshotLoaded) -> None:
        if message.ticket < self._applied_ticket:
            return  # a slower, older read: a newer snapshot is already on screen
        self._applied_ticket = message.ticket
        self._last_load_error = ""
        await self._show_snapshot(message.snapshot, message.readings)
        if not self._looked_for_draft and self.mode in ("panes", "welcome"):
            self._looked_for_draft = True
            self._look_for_draft(Path(self.location))
        if self._reveal_after_load is not None and self.mode == "panes":
            self._show_record(*self._reveal_after_load)
        self._reveal_after_load = None
        if message.seen:
            line = self.query_one("#change-line", Label)
            line.update(Text(message.seen))
            line.add_class("-shown")

    @on(LoadFailed)
    async def _load_failed(self, message: LoadFailed) -> None:
        if message.ticket < self._applied_ticket:
            return
        self._applied_ticket = message.ticket
        if self.snapshot is None:
            await self._show_error(message.message, linked=message.linked)
        elif message.message != self._last_load_error:
            # Keep showing the last good data; say once why it is not refreshed.
            self.notify(message.message, title="Cannot refresh", severity="error", markup=False)
        self._last_load_error = message.message

    async def _show_error(self, message: str, *, linked: bool = False) -> None:
        """Show the error panel with ``message`` (mounting the panel the first time)."""
        if not self.query("#error"):
            main = self.query_one("#main", ContentSwitcher)
            await main.add_content(NoticePanel(id="error", classes="-error"))
        error = self.query_one("#error", NoticePanel)
        error.heading = "The data file cannot be used"
        error.body = message
        error.hint = (
            "Open the file by its own path (clientdesk --data FILE); q quits."
            if linked
            else "Fix the file or restore the backup, then press r to read it again; q quits."
        )
        self.mode = "error"

    async def _show_welcome(self) -> None:
        """Show the welcome panel (mounting it the first time)."""
        if not self.query("#welcome"):
            await self.query_one("#main", ContentSwitcher).add_content(WelcomePanel(id="welcome"))
        self.mode = "welcome"

    async def _show_snapshot(self, snapshot: Snapshot, readings: Readings | None = None) -> None:
        """Show ``snapshot``: the open project (or the one just chosen or saved) in every pane."""
        await self._mount_panes()
        previous = self.current_project
        self.snapshot = snapshot
        project = self._project_to_show(snapshot)
        self._select_project = None
        if project is None:
            self.project_id = None
            self.query_one(ProjectHeader).project = None
            await self._show_welcome()
            return
        if previous is not None and _project_in(snapshot, previous.id) is None:
            self.notify(
                f"Project {previous.key} was deleted by someone else.",
                severity="warning",
                markup=False,
            )
        self.project_id = project.id
        self.query_one(ProjectHeader).project = project
        self._show_project(snapshot, project, readings)
        self.mode = "panes"

    def _show_project(
        self, snapshot: Snapshot, project: Project, readings: Readings | None = None
    ) -> None:
        # Only the pane on show is filled now; the others when they are shown
        # (see _bring_up_to_date), so that a refresh costs one pane, not four.
        # The clocks and gates come from the worker that read the snapshot
        # when they are of this project; otherwise (another project was just
        # chosen) they are read here.
        if readings is None or readings.snapshot is not snapshot or readings.project != project:
            readings = _readings(snapshot, project, clock.now())
        self._readings = readings
        self._show_risk_counts(snapshot, project, readings.now)
        self._show_request_counts(readings)
        self._show_closing_state(readings)
        shown = self.current_pane_id
        self._stale_panes = set(PANES) - {shown}
        self._fill_pane(shown, readings)
        if self._select_record is not None:
            for table in self._pane(shown).tables:
                table.select_record(self._select_record)
            self._select_record = None
        for screen in self.screen_stack:
            if isinstance(screen, ContactsScreen):
                their_project = _project_in(snapshot, screen.project.id)
                if their_project is None:
                    screen.dismiss(None)
                    continue
                screen.show(snapshot, their_project, readings.now)
                if self._select_contact:
                    screen.select_contact(self._select_contact)
        self._select_contact = None

    def _show_risk_counts(self, snapshot: Snapshot, project: Project, now: datetime) -> None:
        """Count the top risks and overdue reviews in the Risks tab's title.

        Counted from the snapshot, not read from the pane: the pane is only
        filled when shown, and the title must be right while it is hidden.
        """
        from clientdesk.store.models import Risk

        today = now.astimezone(clock.zone(project.timezone)).date()
        top, overdue = register_counts(snapshot.of_project(Risk, project.id), today)
        self._set_tab_title("risks", risks_tab_title(PANES["risks"][0], top, overdue))

    def _show_request_counts(self, readings: Readings) -> None:
        """Count the requests with a breached clock in the Requests tab's title.

        Counted from the readings, not from the pane (see :meth:`_show_risk_counts`).
        """
        breached = breached_count(readings.clocks)
        self._set_tab_title("requests", requests_tab_title(PANES["requests"][0], breached))

    def _show_closing_state(self, readings: Readings) -> None:
        """Count the failing gates in the Closing tab's title ("closed" once closed).

        Counted from the readings, not from the pane (see :meth:`_show_risk_counts`).
        """
        project = readings.project
        title = closing_tab_title(PANES["closing"][0], readings.gates, project.is_closed)
        self._set_tab_title("closing", title)

    def _fill_pane(self, pane_id: str, readings: Readings) -> None:
        """Fill the pane ``pane_id``, handing it the clocks or gates already computed."""
        pane = self._pane(pane_id)
        snapshot, project, now = readings.snapshot, readings.project, readings.now
        if isinstance(pane, RequestsPane):
            pane.show(snapshot, project, now, clocks=readings.clocks)
        elif isinstance(pane, ClosingPane):
            pane.show(snapshot, project, now, gates=readings.gates)
        else:
            pane.show(snapshot, project, now)

    def _set_tab_title(self, pane_id: str, title: str) -> None:
        tab = self.query_one("#panes", TabbedContent).get_tab(pane_id)
        if tab.label_text != title:  # a relabel moves the tab underline: only on a change
            tab.label = Text(title)

    def _pane(self, pane_id: str) -> RecordTablePane:
        return self.query_one(f"#{pane_id}-pane", RecordTablePane)

    def _bring_up_to_date(self, pane_id: str) -> None:
        # Filled with the readings of the last refresh, so that the pane agrees
        # with its tab title; the next minute's refresh moves both on.
        readings = self._readings
        if (
            pane_id in self._stale_panes
            and readings is not None
            and readings.project.id == self.project_id
        ):
            self._stale_panes.discard(pane_id)
            self._fill_pane(pane_id, readings)

    def _refresh_clock(self) -> None:
        """Re-render the panes so that time-dependent flags (overdue) stay true."""
        project = self.current_project
        if self.snapshot is not None and project is not None and self.mode == "panes":
            self._read_clocks_again(self.snapshot, project)

    @work(thread=True, group="clock", exclusive=True)
    def _read_clocks_again(self, snapshot: Snapshot, project: Project) -> None:
        self.post_message(self.ReadingsReady(_readings(snapshot, project, clock.now())))

    @on(ReadingsReady)
    def _readings_ready(self, message: ReadingsReady) -> None:
        readings = message.readings
        if readings.snapshot is self.snapshot and readings.project.id == self.project_id:
            self._show_project(readings.snapshot, readings.project, readings)

    # -- state the actions read ------------------------------------------------------

    @property
    def current_project(self) -> Project | None:
        """The open project, as of the snapshot on screen."""
        if self.snapshot is None:
            return None
        return _project_in(self.snapshot, self.project_id)

    @property
    def current_pane_id(self) -> str:
        """The id of the pane on show (``calendar``, ``requests``, ``risks``, ``closing``)."""
        # Before the panes are mounted (the first frame), the Calendar is the one to come.
        tabs = self.query("#panes").results(TabbedContent)
        return next((tab.active for tab in tabs if tab.active), "calendar")

    @property
    def current_pane(self) -> RecordTablePane:
        """The pane on show."""
        return self._pane(self.current_pane_id)

    def watch_mode(self, mode: str) -> None:
        """Show the main area that fits the mode and offer the keys that work in it."""
        self.query_one("#main", ContentSwitcher).current = "panes" if mode == "panes" else mode
        header = self.query_one(ProjectHeader)
        header.fallback = {
            "welcome": "clientdesk · welcome",
            "error": "clientdesk · the data file cannot be used",
        }.get(mode, "clientdesk")
        if mode == "welcome":
            self.query_one(WelcomePanel).focus_first()
        elif mode == "panes":
            self.current_pane.focus_table()
        self.refresh_bindings()

    async def _on_key(self, event: events.Key) -> None:
        # Keys typed in one burst are routed to the widget focused when they
        # arrive: after "/", the rest of the burst went to the table and bubbles
        # up here once the filter has the cursor. A character the filter never
        # saw is typed into it, not taken as a key of the pane behind. (Textual
        # calls App's own handler after this one unless the default is prevented.)
        focused = self.focused
        if (
            isinstance(focused, Input)
            and focused.id == "filter-input"
            and event.is_printable
            and event.character
        ):
            event.stop()
            event.prevent_default()
            # Queued behind the filter's own focus event, which would otherwise
            # select the characters typed so far (and the next key replace them).
            focused.post_message(events.Key(event.key, event.character))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer each action only where it works (e.g. no panes before a project exists)."""
        if action == "new_record" and self.mode == "welcome":
            return True  # "n" creates the first project
        if action in PANE_ACTIONS and self.mode == "panes" and self._is_read_only(action):
            return False
        if action in PANE_ACTIONS:
            return self.mode == "panes"
        if action == "new_project":
            return self.mode in ("panes", "welcome")
        if action == "load_demo":
            return self.mode == "welcome"
        if action == "reload":
            return self.mode == "error"
        if action in ("undo", "redo"):
            # On the panes only: in a form, the keys belong to the text being typed.
            return self.mode in ("panes", "welcome") and len(self.screen_stack) == 1
        return True

    def _is_read_only(self, action: str) -> bool:
        """True when ``action`` would change a closed project's records: not offered."""
        project = self.current_project
        if project is None or not project.is_closed:
            return False
        if action in (
            "new_record",
            "delete_record",
            "service_levels",
            "edit_project",
            "import_ics",
        ):
            return True
        return action == "edit_record" and self.current_pane_id == "closing"

    # -- actions: panes and projects ---------------------------------------------------

    def action_show_pane(self, pane_id: str) -> None:
        """Show one of the four panes."""
        self._bring_up_to_date(pane_id)
        self.query_one("#panes", TabbedContent).active = pane_id
        self.current_pane.focus_table()

    @on(TabbedContent.TabActivated, "#panes")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        # Also after a click on a tab title: fill the pane if it is behind, and
        # focus its table so that its keys work at once. (The first activation
        # comes as the panes are mounted, maybe under the welcome or error panel.)
        if self.mode != "panes":
            return
        self._bring_up_to_date(self.current_pane_id)
        self.current_pane.focus_table()

    def action_switch_project(self) -> None:
        """Pick another project."""
        if self.snapshot is None:
            return
        self.push_screen(ProjectPicker(self.snapshot.projects(), self.project_id), self._open)

    def _open(self, project_id: str | None) -> None:
        if self.snapshot is None:
            return
        project = _project_in(self.snapshot, project_id)
        if project is None:
            return
        self.project_id = project.id
        self.query_one(ProjectHeader).project = project
        self._show_project(self.snapshot, project)

    def action_new_project(self) -> None:
        """Create a project."""
        from clientdesk.widgets.project_form import ProjectForm

        self.push_screen(ProjectForm(None, self.repository.add), self._project_saved)

    def action_edit_project(self) -> None:
        """Edit the open project."""
        from clientdesk.widgets.project_form import ProjectForm

        project = self.current_project
        if project is not None:
            self.push_screen(ProjectForm(project, self.repository.update), self._project_saved)

    def _project_saved(self, project: Project | None) -> None:
        if project is None:
            return
        self._select_project = project.id
        self.notify(f"Saved project {project.key}.", markup=False)
        self._request_load()

    # -- actions: contacts -------------------------------------------------------------

    def action_contacts(self) -> None:
        """Show the open project's contacts."""
        project = self.current_project
        if self.snapshot is not None and project is not None:
            self.push_screen(ContactsScreen(self.snapshot, project, clock.now()))

    def action_new_contact(self) -> None:
        """Add a contact to the open project."""
        project = self.current_project
        if project is not None:
            self._edit_contact(project, None)

    @on(ContactsScreen.NewContact)
    def _new_contact_asked(self, message: ContactsScreen.NewContact) -> None:
        self._edit_contact(message.project, None)

    @on(ContactsScreen.EditContact)
    def _edit_contact_asked(self, message: ContactsScreen.EditContact) -> None:
        self._edit_contact(message.project, message.contact)

    def _edit_contact(self, project: Project, contact: Contact | None) -> None:
        from clientdesk.widgets.contact_form import ContactForm

        save = self.repository.update if contact is not None else self.repository.add
        form = ContactForm(
            contact,
            save,
            fixed={"project_id": project.id},
            subtitle=f"{project.key} {project.name}",
        )
        self.push_screen(form, self._contact_saved)

    def _contact_saved(self, contact: Contact | None) -> None:
        if contact is None:
            return
        self._select_contact = contact.id
        self.notify(f"Saved contact {contact.key} ({contact.name}).", markup=False)
        self._request_load()

    # -- actions: records of the panes ---------------------------------------------------

    def action_new_record(self) -> None:
        """New record in the current pane: a meeting or plan item, request, risk, checklist item."""
        if self.mode == "welcome":
            self.action_new_project()
            return
        project = self.current_project
        if project is not None and self.current_pane_id == "risks":
            self._edit_risk(project, None)
            return
        if project is not None and self.current_pane_id == "requests":
            self._edit_request(project, None)
            return
        pane = self.current_pane
        if project is not None and isinstance(pane, ClosingPane):
            self._closing_form(project, pane.view, None)
        elif project is not None and isinstance(pane, CalendarPane):
            if pane.new_record_kind == "plan":
                self.calendar.edit_plan_item(project, None)
            else:
                self.calendar.edit_meeting(project, None)

    def action_edit_record(self) -> None:
        """Edit the record under the cursor (in the Calendar's agenda: the meeting or series)."""
        self._open_selected(self.current_pane.selected_record)

    def action_delete_record(self) -> None:
        """Delete the record under the cursor after asking."""
        record = self.current_pane.selected_record
        if record is None:
            return
        title = getattr(record, "title", "")
        noun = getattr(record, "LABEL", "record")
        if getattr(record, "rrule", None):
            noun = "the whole series"  # one occurrence is cancelled (x), not deleted

        def answered(delete: bool | None) -> None:
            if delete:
                self._delete_in_background(record)

        self.push_screen(
            ConfirmDialog(f"Delete {noun} {record.key} ({title})?", yes="Delete", no="Keep"),
            answered,
        )

    @on(RecordTablePane.OpenRecord)
    def _open_record(self, message: RecordTablePane.OpenRecord) -> None:
        self._open_selected(message.record)

    def _open_selected(self, record: Record | None) -> None:
        project = self.current_project
        if record is not None and project is not None:
            from clientdesk.store.models import (
                ChecklistItem,
                ClientRequest,
                CommunicationPlanItem,
                FollowOnAction,
                LessonLearned,
                Meeting,
                Risk,
            )

            if project.is_closed:
                # Read-only until reopened: a form would only fail when saved.
                self.notify(
                    f"{project.key} is closed: reopen it (Closing pane, R) to change it",
                    severity="warning",
                    markup=False,
                )
            elif isinstance(record, Risk):
                self._edit_risk(project, record)
            elif isinstance(record, ClientRequest):
                self._edit_request(project, record)
            elif isinstance(record, ChecklistItem):
                self._closing_form(project, "checklist", record)
            elif isinstance(record, LessonLearned):
                self._closing_form(project, "lessons", record)
            elif isinstance(record, FollowOnAction):
                self._closing_form(project, "follow_ons", record)
            elif isinstance(record, Meeting):
                self.calendar.edit_meeting(project, record)
            elif isinstance(record, CommunicationPlanItem):
                self.calendar.edit_plan_item(project, record)

    # -- requests ------------------------------------------------------------------------

    def _edit_request(self, project: Project, request: ClientRequest | None) -> None:
        from clientdesk.widgets.request_form import RequestForm

        if self.snapshot is None:
            return
        store = self.repository.update if request is not None else self.repository.add
        submitted: list[ClientRequest] = []

        def save(record: ClientRequest) -> ClientRequest:
            # Remember what the form sent: the notice about a cleared approval
            # needs the decision the user chose, not only the one saved.
            submitted.append(record)
            return store(record)

        form = RequestForm(
            request,
            save,
            project=project,
            snapshot=self.snapshot,
            now=clock.now(),
            subtitle=f"{project.key} {project.name}",
        )
        self.push_screen(form, partial(self._request_saved, request, submitted))

    def _request_saved(
        self,
        before: ClientRequest | None,
        submitted: list[ClientRequest],
        request: ClientRequest | None,
    ) -> None:
        if request is None:
            return
        self._select_record = request.id
        self.notify(f"Saved request {request.key}.", markup=False)
        # The store clears an approval when the impact of an approved change is
        # edited; say so only then, not when the user set "pending" themselves.
        chosen = submitted[-1].decision if submitted else request.decision
        if (
            before is not None
            and before.decision == "approved"
            and chosen == before.decision
            and request.decision == "pending"
        ):
            self.notify(
                f"{request.key}: the approval was cleared because the impact changed.",
                severity="warning",
                markup=False,
            )
        self._request_load()

    @on(RequestsPane.MoveStatus)
    def _move_request(self, message: RequestsPane.MoveStatus) -> None:
        request, status = message.request, message.status
        label = status.replace("_", " ")
        if status == "rejected":
            self._ask_reject_reason(request)
            return
        if status != "closed":
            self._save_in_background(request, {"status": status}, f"{request.key} is now {label}.")
            return

        def confirmed(close: bool | None) -> None:
            if close:
                self._save_in_background(
                    request, {"status": status}, f"{request.key} is now closed."
                )

        # Closed is final: a closed request cannot be reopened.
        self.push_screen(
            ConfirmDialog(
                f"Close {request.key} for good? A closed request cannot be reopened.",
                yes="Close request",
                no="Keep it resolved",
            ),
            confirmed,
        )

    def _ask_reject_reason(self, request: ClientRequest) -> None:
        """Ask why ``request`` is rejected, then reject it."""
        self._save_with_text(
            request,
            ReasonDialog(
                f"Why is request {request.key} rejected?",
                placeholder="e.g. out of the contract's scope",
            ),
            lambda reason: {"status": "rejected", "reject_reason": reason},
            f"Rejected {request.key}.",
        )

    @on(RequestsPane.AddComment)
    def _comment_on_request(self, message: RequestsPane.AddComment) -> None:
        self._ask_comment(message.request)

    def _ask_comment(self, request: ClientRequest) -> None:
        """Ask for a comment and add it to ``request``'s log."""

        def appended(text: str) -> Changes:
            def to(record: Record) -> dict[str, Any]:
                # Built from the record it is saved on, so that after a conflict
                # the comment is appended to the newer log, not to the one shown.
                # The store keeps the stored log and stamps the appended entry.
                assert isinstance(record, type(request))
                log = [comment.model_dump(mode="json") for comment in record.comments]
                return {"comments": [*log, {"text": text}]}

            return to

        self._save_with_text(
            request,
            ReasonDialog(
                f"Comment on request {request.key}",
                placeholder="e.g. called the client, they send the file Friday",
                missing="a comment is needed",
            ),
            appended,
            f"Comment added to {request.key}.",
            redone="your comment was added to the new version",
        )

    def action_service_levels(self) -> None:
        """Edit the open project's service levels (response times, working week, holidays)."""
        from clientdesk.widgets.service_level_form import ServiceLevelForm

        project = self.current_project
        if project is not None:
            form = ServiceLevelForm(project, self.repository.update)
            self.push_screen(form, self._service_levels_saved)

    def _service_levels_saved(self, project: Project | None) -> None:
        if project is None:
            return
        self.notify(f"Saved the service levels of {project.key}.", markup=False)
        self._request_load()

    # -- risks ---------------------------------------------------------------------------

    def _edit_risk(self, project: Project, risk: Risk | None) -> None:
        from clientdesk.widgets.risk_form import RiskForm

        save = self.repository.update if risk is not None else self.repository.add
        form = RiskForm(
            risk,
            save,
            fixed={"project_id": project.id},
            subtitle=f"{project.key} {project.name}",
        )
        self.push_screen(form, self._risk_saved)

    def _risk_saved(self, risk: Risk | None) -> None:
        if risk is None:
            return
        self._select_record = risk.id
        self.notify(f"Saved risk {risk.key} (score {risk.score}, {risk.band}).", markup=False)
        self._request_load()

    @on(RisksPane.MoveStatus)
    def _move_risk(self, message: RisksPane.MoveStatus) -> None:
        risk, status = message.risk, message.status
        if status != "closed":
            self._save_in_background(risk, {"status": status}, f"{risk.key} is now {status}.")
            return
        self._ask_close_reason(risk)

    def _ask_close_reason(self, risk: Risk) -> None:
        """Ask why ``risk`` is closed, then close it."""
        self._save_with_text(
            risk,
            ReasonDialog(f"Why is risk {risk.key} closed?", placeholder="e.g. contract signed"),
            lambda reason: {"status": "closed", "close_reason": reason},
            f"Closed {risk.key}.",
        )

    def _save_with_text(
        self,
        record: Record,
        dialog: ReasonDialog,
        changes_for: Callable[[str], Changes],
        done: str,
        *,
        redone: str = "your change was made to the new version",
    ) -> None:
        """Ask for a text in ``dialog``, then save ``record`` with ``changes_for(text)``.

        A save that fails opens the dialog again with the text typed, so that
        nothing the user wrote is lost.
        """

        def given(text: str | None) -> None:
            if not text:
                return

            again = partial(
                self._save_with_text, record, dialog.again(text), changes_for, done, redone=redone
            )
            self._save_in_background(
                record, changes_for(text), done, redone=redone, ask_again=again
            )

        self.push_screen(dialog, given)

    @work(thread=True, group="store", exclusive=False)
    def _save_in_background(
        self,
        record: Record,
        changes: Changes,
        done: str,
        *,
        redone: str = "your change was made to the new version",
        ask_again: Callable[[], None] | None = None,
    ) -> None:
        """Save ``record`` with ``changes`` (checked by the store); ``done`` is told the user.

        Every change saved here stands on its own (a status move, a comment
        appended, a checklist item ticked): when another process saved the
        record in between, the same change is made once more to the version
        now stored, and the store checks it again (a move the new status does
        not allow is refused). The user is told so (``redone``). When the other
        save changed the very fields this change sets (a colleague ticked the
        same item, or moved the same request), theirs stands and the conflict
        is shown instead.

        Args:
            record: the record as shown when the user asked for the change.
            changes: the field changes, or a function of the record that gives them.
            done: what to tell the user once saved.
            redone: what to tell the user when the change was made to a newer version.
            ask_again: when the save fails, opens the dialog the user typed the
                change in again, with their text, so that it is not lost.
        """
        try:
            try:
                saved = self._update(record, changes)
                text = done
            except ConflictError as conflict:
                current = cast("Record | None", conflict.current)
                if current is None:
                    raise
                clash = _clashes(record, current, changes)
                if clash:
                    raise StoreError(
                        f"{record.key} was changed by {conflict.changed_by} meanwhile "
                        f"({clash}); your change was not made"
                    ) from None
                saved = self._update(current, changes)
                text = f"{record.key} was changed by {conflict.changed_by} meanwhile; {redone}."
        except (StoreError, OSError) as error:
            self.post_message(self.WriteFailed(describe_error(error), ask_again=ask_again))
        else:
            self.post_message(self.RecordWritten(saved, text))

    def _update(self, record: Record, changes: Changes) -> Record:
        """Save ``record`` with ``changes`` applied (in a worker thread)."""
        from clientdesk.store.repository import dump_record, validate_record

        fields = changes(record) if callable(changes) else changes
        changed = validate_record(type(record), {**dump_record(record), **fields})
        return self.repository.update(changed)

    @work(thread=True, group="store", exclusive=False)
    def _delete_in_background(self, record: Record) -> None:
        try:
            self.repository.delete(record)
        except ConflictError as conflict:
            current = cast("Record | None", conflict.current)
            if current is None:
                # Someone deleted it first: what the user wanted has happened.
                self.post_message(self.RecordWritten(None, f"{record.key} was already deleted."))
            else:
                self.post_message(self.DeleteChanged(current, str(conflict)))
        except (StoreError, OSError) as error:
            self.post_message(self.WriteFailed(describe_error(error)))
        else:
            self.post_message(self.RecordWritten(None, f"Deleted {record.key} (ctrl+z undoes)."))

    # -- an edit kept when a signal stopped the app ------------------------------------

    @work(thread=True, group="files", exclusive=True)
    def _look_for_draft(self, data_path: Path) -> None:
        from clientdesk.store.drafts import read_draft

        draft = read_draft(data_path)
        if draft is not None:
            self.call_from_thread(self._offer_draft, draft, data_path)

    def _offer_draft(self, draft: Draft, data_path: Path) -> None:
        """Ask whether to open the form that was stopped before it was saved."""
        from clientdesk.store.drafts import discard_draft, set_aside
        from clientdesk.tui.draft_recovery import question, reopen_form

        def answered(reopen: bool | None) -> None:
            if not reopen:
                self.notify(
                    "The unsaved edit is kept: it is offered again at the next start.",
                    markup=False,
                )
                return
            form = reopen_form(self, draft)
            if form is None:
                aside = set_aside(data_path)
                kept = f"; what you typed is kept in {aside}" if aside else ""
                self.notify(
                    f"Cannot open the form again ({draft.describe()}): its project is gone{kept}.",
                    severity="warning",
                    markup=False,
                )
                return

            def fill() -> None:
                missing = form.fill(draft.values)
                if not missing:
                    discard_draft(data_path)
                    return
                # What the form cannot show again stays readable, offered no more.
                aside = set_aside(data_path)
                names = ", ".join(name.replace("_", " ") for name in missing)
                self.notify(
                    f"Not put back: {names}. What you typed there is kept in {aside}.",
                    severity="warning",
                    timeout=20,
                    markup=False,
                )

            form.call_after_refresh(fill)

        self.push_screen(ConfirmDialog(question(draft), yes="Open", no="Later"), answered)

    # -- undo and redo -------------------------------------------------------------------

    def action_undo(self) -> None:
        """Undo the last change made in this session (a save, a delete, a move, a tick)."""
        self._take_back("undo")

    def action_redo(self) -> None:
        """Redo the change undone last."""
        self._take_back("redo")

    @work(thread=True, group="store", exclusive=False)
    def _take_back(self, verb: str) -> None:
        from clientdesk.store.undo import NothingToUndo

        repository = self.repository
        try:
            step = repository.undo() if verb == "undo" else repository.redo()
        except NothingToUndo as nothing:
            text = f"{str(nothing).capitalize()} in this session."
            self.call_from_thread(self.notify, text, markup=False)
        except (StoreError, OSError) as error:
            self.post_message(self.WriteFailed(describe_error(error)))
        else:
            self.post_message(self.TakenBack(step, verb))

    @on(TakenBack)
    def _taken_back(self, message: TakenBack) -> None:
        """Show the record the undo or redo was about, where it now is."""
        step, verb = message.step, message.verb
        record = step.principal_before if verb == "undo" else step.principal
        other_way = "ctrl+y redoes" if verb == "undo" else "ctrl+z undoes"
        self.notify(f"{verb.capitalize()}: {step.label} ({other_way}).", markup=False)
        if record is not None:
            project_id = getattr(record, "project_id", None) or record.id
            self._select_project = project_id
            pane_id = pane_of(record)
            if pane_id is not None:
                self._reveal_after_load = (pane_id, record.id, record.key)
        self._request_load()

    @on(DeleteChanged)
    def _delete_changed(self, message: DeleteChanged) -> None:
        """Someone changed the record since the user chose to delete it: ask again."""
        record = message.current
        self._request_load()  # the pane shows their version behind the question

        def answered(delete: bool | None) -> None:
            if delete:
                self._delete_in_background(record)

        self.push_screen(
            ConfirmDialog(
                f"{message.text}. Delete {record.key} as it is now?", yes="Delete", no="Keep"
            ),
            answered,
        )

    @on(RecordWritten)
    def _record_written(self, message: RecordWritten) -> None:
        from clientdesk.store.models import Risk

        record = message.record
        if record is not None and message.select:
            self._select_record = record.id
        self.notify(message.text, markup=False)
        self._request_load()
        if isinstance(record, Risk) and record.status == "occurred":
            self._offer_follow_up(record)

    def _offer_follow_up(self, risk: Risk) -> None:
        """A risk occurred: offer to raise a change request or a review meeting linked to it."""

        def answered(follow_up: str | None) -> None:
            if follow_up == "request":
                self._raise_request(risk)
            elif follow_up == "meeting" and self.snapshot is not None:
                project = _project_in(self.snapshot, risk.project_id)
                if project is not None:
                    self._raise_meeting(risk, project)

        self.push_screen(
            FollowUpDialog(
                f"{risk.key} occurred. Raise a change request or a review meeting linked to it?"
            ),
            answered,
        )

    @work(thread=True, group="store", exclusive=False)
    def _raise_request(self, risk: Risk) -> None:
        """Add a change request that links to ``risk`` (it appears in the Requests pane)."""
        try:
            from clientdesk.store.follow_ups import request_for_occurred_risk

            saved = self.repository.add(request_for_occurred_risk(risk, clock.now()))
        except (StoreError, OSError) as error:
            self.post_message(self.WriteFailed(describe_error(error)))
        else:
            text = f"Raised {saved.key} (Requests pane) for {risk.key}."
            self.post_message(self.RecordWritten(saved, text, select=False))

    @work(thread=True, group="store", exclusive=False)
    def _raise_meeting(self, risk: Risk, project: Project) -> None:
        """Add a draft review meeting that links to ``risk`` (it appears in the Calendar pane)."""
        try:
            from clientdesk.store.follow_ups import meeting_for_occurred_risk

            saved = self.repository.add(meeting_for_occurred_risk(risk, project, clock.now()))
        except (StoreError, OSError) as error:
            self.post_message(self.WriteFailed(describe_error(error)))
        else:
            text = f"Raised {saved.key} (Calendar pane) for {risk.key}."
            self.post_message(self.RecordWritten(saved, text, select=False))

    # -- the calendar --------------------------------------------------------------------

    @on(CalendarPane.OccurrenceAction)
    def _occurrence_action(self, message: CalendarPane.OccurrenceAction) -> None:
        self.calendar.occurrence_action(message.occurrence, message.action)

    @on(CalendarPane.PlanItemDone)
    def _plan_item_done(self, message: CalendarPane.PlanItemDone) -> None:
        item = message.item
        self._save_in_background(
            item, {"last_done": clock.now()}, f"{item.key} is done for now (no longer overdue)."
        )

    @on(CalendarPane.SeriesFromPlan)
    def _series_from_plan(self, message: CalendarPane.SeriesFromPlan) -> None:
        self.calendar.series_from_plan(message.item)

    # -- closing -------------------------------------------------------------------------

    def _closing_form(self, project: Project, view: str, record: Record | None) -> None:
        """Open the form of a checklist item, lesson or follow-on action (``view``)."""
        from clientdesk.store.models import ChecklistItem
        from clientdesk.widgets.checklist_item_form import ChecklistItemForm
        from clientdesk.widgets.follow_on_form import FollowOnForm
        from clientdesk.widgets.lesson_form import LessonForm
        from clientdesk.widgets.record_form import RecordForm

        if self.snapshot is None:
            return
        forms: dict[str, type[RecordForm[Any]]] = {
            "checklist": ChecklistItemForm,
            "lessons": LessonForm,
            "follow_ons": FollowOnForm,
        }
        fixed: dict[str, Any] = {"project_id": project.id}
        if view == "checklist" and record is None:
            # A new item goes to the end of the checklist.
            items = self.snapshot.of_project(ChecklistItem, project.id)
            fixed["position"] = max((item.position for item in items), default=0) + 1
        save = self.repository.update if record is not None else self.repository.add
        form = forms[view](record, save, fixed=fixed, subtitle=f"{project.key} {project.name}")
        self.push_screen(form, self._closing_record_saved)

    def _closing_record_saved(self, record: Record | None) -> None:
        if record is None:
            return
        self._select_record = record.id
        self.notify(f"Saved {type(record).LABEL} {record.key}.", markup=False)
        self._request_load()

    @on(ClosingPane.SetItemState)
    def _set_item_state(self, message: ClosingPane.SetItemState) -> None:
        item, state = message.item, message.state
        if state == "open":
            # Open again: no stale stamp, evidence or score of the tick or waiver it undoes.
            changes = {
                "state": state, "done_by": "", "done_at": None, "evidence": "",
                "waive_reason": "", "score": None,
            }  # fmt: skip
            self._save_in_background(item, changes, f"{item.key} is open again.")
        elif state == "waived":
            self._ask_waive_reason(item)
        else:
            self._ask_tick(item)

    def _ask_waive_reason(self, item: ChecklistItem) -> None:
        """Ask why ``item`` is waived, then waive it."""
        self._save_with_text(
            item,
            ReasonDialog(
                f"Why is {item.key} ({item.title}) waived?",
                placeholder="e.g. fixed-price contract: no purchase orders",
            ),
            lambda reason: {
                "state": "waived",
                "waive_reason": reason,
                "done_by": "",
                "done_at": None,
            },
            f"Waived {item.key}.",
        )

    def _ask_tick(self, item: ChecklistItem, given: Tick | None = None) -> None:
        """Ask for the evidence (and score) of ``item``, then tick it (``given``: already in)."""
        from clientdesk.widgets.checklist_dialog import ChecklistDialog

        def ticked(tick: Tick | None) -> None:
            if tick is not None:
                changes = {
                    "state": "done",
                    "done_by": current_user(),
                    "done_at": clock.now().isoformat(),
                    "evidence": tick.evidence,
                    "waive_reason": "",
                    "score": tick.score if item.asks_score else item.score,
                }
                self._save_in_background(
                    item,
                    changes,
                    f"Ticked {item.key}.",
                    ask_again=partial(self._ask_tick, item, tick),
                )

        dialog = ChecklistDialog(item.key, item.title, asks_score=item.asks_score, given=given)
        self.push_screen(dialog, ticked)

    @on(ClosingPane.ReorderItems)
    def _reorder_items(self, message: ClosingPane.ReorderItems) -> None:
        self._reorder_in_background(message.moved, message.positions)

    @work(thread=True, group="store", exclusive=False)
    def _reorder_in_background(
        self, moved: ChecklistItem, positions: list[tuple[ChecklistItem, int]]
    ) -> None:
        """Save the new positions of the checklist items in one batch."""
        try:
            from clientdesk.store.repository import Change, dump_record, validate_record

            changes = [
                Change.update(validate_record(type(item), {**dump_record(item), "position": at}))
                for item, at in positions
            ]
            saved = self.repository.apply(changes)
        except (StoreError, OSError) as error:
            self.post_message(self.WriteFailed(describe_error(error)))
        else:
            record = next((r for r in saved if r is not None and r.id == moved.id), moved)
            self.post_message(self.RecordWritten(record, f"Moved {moved.key}."))

    @on(ClosingPane.CloseProject)
    def _close_project(self, message: ClosingPane.CloseProject) -> None:
        from clientdesk.store.closing import closing_gates

        project = message.project
        if self.snapshot is None:
            return
        gates = closing_gates(self.snapshot, project, clock.now())
        closing = {"closed_at": clock.now().isoformat()}
        if all(gate.passed for gate in gates):

            def confirmed(close: bool | None) -> None:
                if close:
                    self._save_in_background(project, closing, f"Closed {project.key}.")

            self.push_screen(
                ConfirmDialog(
                    f"Every gate passes. Close project {project.key} ({project.name})? "
                    "It is read-only until it is reopened.",
                    yes="Close project",
                    no="Cancel",
                ),
                confirmed,
            )
            return

        def answered(override: bool | None) -> None:
            if override:
                self._ask_override_reason(project)

        self.push_screen(CloseBlockedDialog(project.key, gates), answered)

    def _ask_override_reason(self, project: Project) -> None:
        """Ask why ``project`` closes although gates fail, then close it with that reason."""
        self._save_with_text(
            project,
            ReasonDialog(
                f"Why close {project.key} although gates fail? The reason is recorded.",
                placeholder="e.g. client accepted; open requests go to support",
            ),
            lambda reason: {"closed_at": clock.now().isoformat(), "close_override_reason": reason},
            f"Closed {project.key} with an override (the reason is recorded).",
        )

    @on(ClosingPane.ReopenProject)
    def _reopen_project(self, message: ClosingPane.ReopenProject) -> None:
        project = message.project

        def confirmed(reopen: bool | None) -> None:
            if reopen:
                changes = {"closed_at": None}
                self._save_in_background(project, changes, f"Reopened {project.key}.")

        self.push_screen(
            ConfirmDialog(
                f"Reopen project {project.key} ({project.name})? Its records can be changed "
                "again; the reopening is recorded.",
                yes="Reopen",
                no="Keep closed",
            ),
            confirmed,
        )

    @on(ClosingPane.WriteReport)
    def _write_report(self, message: ClosingPane.WriteReport) -> None:
        self._write_closing_report(message.project.id, Path.cwd())

    @work(thread=True, group="files", exclusive=False)
    def _write_closing_report(self, project_id: str, directory: Path) -> None:
        """Write ``<KEY>-closing-report.md`` in ``directory`` from the store as it is now.

        An earlier report is kept: the new one goes to ``<KEY>-closing-report-2.md``
        (``-3``, ...), and the notice says where.
        """
        try:
            from clientdesk.store.models import Project
            from clientdesk.store.report import closing_report
            from clientdesk.store.storage import write_new_file

            snapshot = self.repository.snapshot()
            project = snapshot.get(Project, project_id)
            if project is None:
                raise NotFoundError("the project was deleted by someone else")
            report = closing_report(snapshot, project, clock.now())
            # A new name, never over another file: a reader never sees half a report.
            target = write_new_file(
                directory, f"{project.key}-closing-report", ".md", report.encode("utf-8")
            )
        except (StoreError, OSError) as error:
            message = f"cannot write the closing report: {describe_error(error)}"
            self.post_message(self.WriteFailed(message))
        else:
            self.post_message(self.ReportWritten(project.key, target.resolve()))

    def action_import_ics(self) -> None:
        """Import a client's .ics file into the open project, after a preview."""
        project = self.current_project
        if project is not None:
            self.calendar.ask_import(project)

    def action_export_calendar(self) -> None:
        """Write the open project's calendar to an .ics file in the current directory."""
        project = self.current_project
        if project is not None:
            self.calendar.export_feed(project)

    def action_status_report(self) -> None:
        """Write the client status report of the open project in the current directory."""
        project = self.current_project
        if project is not None:
            self._write_status_report(project.id, Path.cwd())

    @work(thread=True, group="files", exclusive=False)
    def _write_status_report(self, project_id: str, directory: Path) -> None:
        """Write ``<KEY>-status-report.md`` and ``.html`` (new names if they exist)."""
        try:
            from clientdesk.store.models import Project
            from clientdesk.store.status_report import status_report
            from clientdesk.store.storage import write_new_file

            snapshot = self.repository.snapshot()
            project = snapshot.get(Project, project_id)
            if project is None:
                raise NotFoundError("the project was deleted by someone else")
            content = status_report(snapshot, project, clock.now())
            paths = []
            for suffix, text in ((".md", content.markdown), (".html", content.html)):
                target = write_new_file(
                    directory, f"{project.key}-status-report", suffix, text.encode("utf-8")
                )
                paths.append(target.resolve())
        except (StoreError, OSError) as error:
            message = f"cannot write the status report: {describe_error(error)}"
            self.post_message(self.WriteFailed(message))
        else:
            self.post_message(self.StatusReportWritten(project, content, paths))

    @on(StatusReportWritten)
    def _status_report_written(self, message: StatusReportWritten) -> None:
        where = " and ".join(str(path) for path in message.paths)
        self.notify(f"Wrote the status report of {message.project.key} to {where}", markup=False)
        if message.project.is_closed:
            return

        def answered(keep: bool | None) -> None:
            if keep:
                self._keep_status_report(message.project, message.content)

        self.push_screen(
            ConfirmDialog(
                "Keep this report as the one sent to the client? "
                "The next report then covers the time from now on.",
                yes="Keep it",
                no="Not yet",
            ),
            answered,
        )

    @work(thread=True, group="store", exclusive=False)
    def _keep_status_report(self, project: Project, content: ReportContent) -> None:
        try:
            from clientdesk.store.status_report import keep_report

            kept = keep_report(self.repository, project, content)
        except (StoreError, OSError) as error:
            self.post_message(self.WriteFailed(describe_error(error)))
        else:
            text = f"Kept the status report as {kept.key}: the next one starts from here."
            self.post_message(self.RecordWritten(kept, text, select=False))

    @on(ReportWritten)
    def _report_written(self, message: ReportWritten) -> None:
        self.notify(f"Wrote the closing report of {message.key} to {message.path}", markup=False)

    @on(ClosingGates.BlockerChosen)
    def _go_to_blocker(self, message: ClosingGates.BlockerChosen) -> None:
        blocker = message.blocker
        pane_id = BLOCKER_PANES.get(blocker.kind)
        if pane_id is not None:
            self._show_record(pane_id, blocker.record_id, blocker.key)

    def _show_record(self, pane_id: str, record_id: str, key: str) -> None:
        """Show the pane ``pane_id`` with the cursor on the record, and focus its table.

        A filter of the pane that hides the record (text, quick filter, closed
        toggle, heat map cell) is reset first: the user asked to see it.
        """
        self.action_show_pane(pane_id)
        pane = self.current_pane
        if isinstance(pane, ClosingPane):
            pane.view = "checklist"  # the only closing records that block a gate
        if not pane.reveal(record_id):
            self.notify(
                f"{key} is no longer in the {PANES[pane_id][0]} pane.",
                severity="warning",
                markup=False,
            )

    async def action_filter(self) -> None:
        """Filter the current pane."""
        await self.current_pane.start_filter()

    # -- actions: welcome and errors -------------------------------------------------------

    @on(WelcomePanel.CreateProject)
    def _create_first_project(self) -> None:
        self.action_new_project()

    @on(WelcomePanel.LoadDemo)
    def _load_demo_asked(self) -> None:
        self.action_load_demo()

    def action_load_demo(self) -> None:
        """Fill the empty data file with the demo data set."""
        loading = self.query_one("#loading", NoticePanel)
        loading.heading = "Writing the demo data…"
        self.mode = "loading"
        self._ticket += 1
        self._write_demo(self._ticket)

    @work(thread=True, group="store", exclusive=False)
    def _write_demo(self, ticket: int) -> None:
        try:
            # Imported here: the demo generator is not needed to start the app.
            from clientdesk.store.demo import populate_demo

            populate_demo(self.repository, projects=3, seed=1)
            snapshot = _read(self.repository)
        except (StoreError, OSError) as error:
            self.post_message(self.WriteFailed(describe_error(error)))
        else:
            self.post_message(self.SnapshotLoaded(snapshot, ticket))

    @on(WriteFailed)
    def _write_failed(self, message: WriteFailed) -> None:
        text = message.message
        if message.ask_again is not None:
            text += " (what you typed is back in the dialog)"
        self.notify(text, severity="error", markup=False)
        if self.mode == "loading":
            self._request_load()  # leave "loading": show what the file holds now
        if message.ask_again is not None:
            message.ask_again()
            self._request_load()  # the dialog's change is made to what is stored now

    def action_reload(self) -> None:
        """Read the data file again (after an error)."""
        self.mode = "loading"
        self._request_load()

    # -- actions: help, palette, screenshot --------------------------------------------------

    def _key_of(self, action: str) -> str:
        """The key bound to ``action`` as the user sees it ("" when none is)."""
        for _, binding in self._bindings:
            if binding.action == action:
                return self.get_key_display(binding.with_key(binding.key))
        return ""

    def help_entries(self) -> list[HelpEntry]:
        """Every key that works on the main screen now, with what it does.

        The app's own keys come first (in the order of ``BINDINGS``), then the
        pane's, then moving around in the table.
        """
        sections = ("Keys", "This pane", "Moving around")
        rank_of = {
            (binding.action, binding.key): rank
            for rank, binding in enumerate(self.BINDINGS)
            if isinstance(binding, Binding)
        }
        ranked: list[tuple[int, int, HelpEntry]] = []
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.system or "copy" in binding.action:
                continue
            if active.node is self:
                section = 0
            elif isinstance(active.node, RecordTablePane):
                section = 1
            else:
                section = 2
            description = binding.tooltip or binding.description
            if binding.action == "command_palette":
                description = "Command palette: every action by name"
            key = self.get_key_display(binding.with_key(binding.key))
            rank = rank_of.get((binding.action, binding.key), len(rank_of))
            entry = HelpEntry(key, description, sections[section], binding.id or "")
            ranked.append((section, rank, entry))
        ranked.sort(key=lambda item: (item[0], item[1]))
        return [entry for _, _, entry in ranked]

    def action_help(self) -> None:
        """List every key of the current pane."""
        title = "Keys"
        if self.mode == "panes":
            title = f"Keys · {PANES[self.current_pane_id][0]} pane"
        self.push_screen(HelpScreen(self.help_entries(), title=title))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette: every action of the main screen, by name."""
        if screen is not self.screen_stack[0]:
            yield from super().get_system_commands(screen)
            return
        commands: list[tuple[str, str, str]] = [
            *(
                (f"{title} pane", f"Show the {title} pane", f"show_pane('{pane_id}')")
                for pane_id, (title, _) in PANES.items()
            ),
            ("Switch project", "Open another project", "switch_project"),
            ("New project", "Create a project", "new_project"),
            ("Edit project", "Change the open project's details", "edit_project"),
            (
                "Service levels",
                "Response times, working week and holidays of the open project",
                "service_levels",
            ),
            ("Contacts", "List the open project's contacts", "contacts"),
            ("New contact", "Add a contact to the open project", "new_contact"),
            ("Filter", "Filter the current pane", "filter"),
            (
                "Status report",
                "Write the client status report of the open project (Markdown and HTML)",
                "status_report",
            ),
            (
                "Import an .ics file",
                "Import a client's invite, reply or calendar into the open project",
                "import_ics",
            ),
            (
                "Export the calendar",
                "Write the open project's meetings to an .ics file (a feed to subscribe to)",
                "export_calendar",
            ),
            ("Load demo data", "Fill the empty data file with demo projects", "load_demo"),
            ("Try again", "Read the data file again", "reload"),
            ("Help", "List every key of the current pane", "help"),
            ("Screenshot", "Save an SVG screenshot in the current directory", "screenshot"),
            ("Quit", "Quit clientdesk", "quit"),
        ]
        for title, help_text, action in commands:
            name = action.split("(")[0]
            if self.check_action(name, ()) is not True:
                continue
            key = self._key_of(action)
            yield SystemCommand(
                title,
                f"{help_text} ({key})" if key else help_text,
                partial(self.run_action, action),
            )
        yield SystemCommand("Theme", "Change the colours", self.action_change_theme)

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Save an SVG screenshot of the screen in the current directory."""
        svg = self.export_screenshot()
        name = filename or f"clientdesk_{clock.now():%Y-%m-%dT%H_%M_%S}.svg"
        self._write_screenshot(Path(path or ".") / name, svg)

    @work(thread=True, group="files", exclusive=False)
    def _write_screenshot(self, target: Path, svg: str) -> None:
        try:
            target.write_text(svg, encoding="utf-8")
        except OSError as error:
            self.post_message(self.WriteFailed(f"cannot save the screenshot: {error}"))
        else:
            self.post_message(self.ScreenshotSaved(target.resolve()))

    @on(ScreenshotSaved)
    def _screenshot_saved(self, message: ScreenshotSaved) -> None:
        self.notify(f"Screenshot saved to {message.path}", markup=False)


APPENDED_FIELDS = frozenset({"comments", "exceptions"})
"""Fields a change adds to rather than sets: another save that added too does not clash.

A comment is appended to the log; a change to one occurrence of a series
(cancel, move, minutes) is made to that occurrence's entry of the list.
Both are computed from the record as stored, so a colleague's entry is kept.
"""


def _clashes(shown: Record, current: Record, changes: Changes) -> str:
    """What ``current`` (saved by someone else) changed of the fields ``changes`` sets.

    Args:
        shown: the record as the user saw it when asking for the change.
        current: the record as it is stored now.
        changes: the field changes, or a function of the record that gives them.

    Returns:
        e.g. ``"state now done"``; "" when the change does not clash.
    """
    fields = changes(shown) if callable(changes) else changes
    return ", ".join(
        f"{name.replace('_', ' ')} now {_value_text(getattr(current, name, None))}"
        for name in fields
        if name not in APPENDED_FIELDS
        and getattr(shown, name, None) != getattr(current, name, None)
    )


def _value_text(value: object) -> str:
    return str(value).replace("_", " ") if value not in (None, "") else "empty"


def _read(repository: Repository) -> Snapshot:
    """The repository's snapshot, frozen out of Python's cyclic garbage collector.

    A snapshot holds every record (and the file's documents) until the next
    one replaces it. Left to the collector, each full collection would walk all
    of them: pauses of ~100 ms at 10,000 records while the panes fill. Records
    hold no reference cycles, so reference counting still frees them.
    """
    snapshot = repository.snapshot()
    gc.freeze()
    return snapshot


def pane_of(record: Record) -> str | None:
    """The id of the pane that lists ``record`` (None for a project or a contact)."""
    from clientdesk.store.models import (
        ClientRequest,
        CommunicationPlanItem,
        Meeting,
        ProjectRecord,
        Risk,
    )

    if isinstance(record, Meeting | CommunicationPlanItem):
        return "calendar"
    if isinstance(record, ClientRequest):
        return "requests"
    if isinstance(record, Risk):
        return "risks"
    from clientdesk.store.models import Contact

    if isinstance(record, ProjectRecord) and not isinstance(record, Contact):
        return "closing"
    return None


def _project_in(snapshot: Snapshot, project_id: str | None) -> Project | None:
    """The project with id ``project_id`` in ``snapshot``, if there is one."""
    from clientdesk.store.models import Project

    return snapshot.get(Project, project_id) if project_id else None


def _readings(snapshot: Snapshot, project: Project, now: datetime) -> Readings:
    """Read the clocks of ``project``'s open requests and compute its closing gates at ``now``."""
    from clientdesk.store.closing import closing_gates
    from clientdesk.store.models import ClientRequest

    requests = snapshot.of_project(ClientRequest, project.id)
    clocks = read_clocks(requests, project, now)
    return Readings(snapshot, project, now, clocks, closing_gates(snapshot, project, now))


def binding_ids() -> set[str]:
    """The id of every binding of the app, its panes, screens and dialogs.

    These are the ids the config file's ``[keys]`` table may remap. The forms'
    module loads pydantic, so call this from a worker after the first paint.
    """
    from clientdesk.widgets.busy_dialog import BusyDialog
    from clientdesk.widgets.checklist_dialog import ChecklistDialog
    from clientdesk.widgets.conflict_dialog import ConflictDialog
    from clientdesk.widgets.filter_bar import FilterBar
    from clientdesk.widgets.meeting_detail import MeetingDetail
    from clientdesk.widgets.minutes_form import MinutesForm
    from clientdesk.widgets.move_occurrence_dialog import MoveOccurrenceDialog
    from clientdesk.widgets.record_form import RecordForm
    from clientdesk.widgets.record_table import RecordTable
    from clientdesk.widgets.risk_heat_map import RiskHeatMap

    classes: list[type[DOMNode]] = [
        ClientDeskApp,
        *(pane_class for _, pane_class in PANES.values()),
        BusyDialog,
        ChecklistDialog,
        CloseBlockedDialog,
        ClosingGates,
        ConfirmDialog,
        ConflictDialog,
        ContactsScreen,
        FilterBar,
        FollowUpDialog,
        HelpScreen,
        MeetingDetail,
        MinutesForm,
        MoveOccurrenceDialog,
        ProjectPicker,
        ReasonDialog,
        RecordForm,
        RecordTable,
        RiskHeatMap,
        WeekView,
        WelcomePanel,
    ]
    # Each class's own BINDINGS and those it inherits (e.g. every pane's escape).
    return {
        binding.id
        for cls in classes
        for base in cls.__mro__
        for binding in vars(base).get("BINDINGS", ())
        if isinstance(binding, Binding) and binding.id
    }


def create_app(data_path: Path) -> ClientDeskApp:
    """The app over the data file at ``data_path`` (shared by the CLI and the tests).

    The file's directory is made now, as opening the repository would: a place
    where no file can be made fails here, before the app starts, and the CLI
    reports it in one line.
    """
    real_path(data_path).parent.mkdir(parents=True, exist_ok=True)
    return ClientDeskApp(data_path=data_path)
