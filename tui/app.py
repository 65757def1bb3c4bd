"""The clientdesk App: a project header, four panes, forms and dialogs over one repository.

Every read and write of the store runs in a thread worker that posts a
message back (:class:`~clientdesk.tui.messages.SnapshotLoaded` and friends); handlers
only update widgets. A timer asks the repository every second whether
another process saved, and reloads the panes when it did, keeping the
project, the pane and the cursor where they were.
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
from collections.abc import Iterable
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.css.query import NoMatches
from textual.dom import DOMNode
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import MountError, Widget
from textual.widgets import ContentSwitcher, Label, TabbedContent, TabPane
from textual.worker import Worker, get_current_worker

from clientdesk.store import clock
from clientdesk.store.config import (
    Config,
    read_config,
    unknown_binding_problems,
)
from clientdesk.store.errors import (
    StoreError,
    StoreUnavailableError,
    UntrustedPathError,
    describe_error,
)
from clientdesk.store.paths import current_user, is_database_url, real_path, shown_url
from clientdesk.tui.calendar_actions import CalendarActions
from clientdesk.tui.closing_actions import ClosingActions
from clientdesk.tui.collector import COLLECTOR
from clientdesk.tui.contacts_actions import ContactsActions
from clientdesk.tui.contacts_screen import ContactsScreen
from clientdesk.tui.jumps import Jumps
from clientdesk.tui.messages import LoadFailed, ReadingsReady, SnapshotLoaded, StoreChanged
from clientdesk.tui.output_guard import WRITE_HOLD_SECONDS, GuardedApp
from clientdesk.tui.pane_tabs import PaneTabs
from clientdesk.tui.project_actions import ProjectActions, ProjectReady, ProjectRefused
from clientdesk.tui.readings import PaneFill, Readings, prepare_pane_fill, read_readings
from clientdesk.tui.record_actions import RecordActions
from clientdesk.tui.record_kinds import PANES
from clientdesk.tui.record_saves import DeleteChanged, RecordSaves, RecordWritten, WriteFailed
from clientdesk.tui.requests_actions import RequestsActions
from clientdesk.tui.risks_actions import RisksActions
from clientdesk.tui.status_report_actions import StatusReportActions
from clientdesk.tui.stop_signals import StopSignals, guarded, stop_app
from clientdesk.tui.store_waits import StoreWaits
from clientdesk.tui.store_watch import StoreWatch
from clientdesk.tui.textual_internals import EndsWithOneLine
from clientdesk.tui.undo_actions import TakenBack, UndoActions
from clientdesk.widgets.actions import (
    BY_ID,
    Action,
    ExplainedActions,
    binding_ids,
    bindings,
    key_of,
    keyless_ids,
    use_keymap,
)
from clientdesk.widgets.calendar_pane import CalendarPane
from clientdesk.widgets.cells import use_formats
from clientdesk.widgets.closing_gates import ClosingGates
from clientdesk.widgets.closing_pane import ClosingPane
from clientdesk.widgets.help_screen import HelpScreen
from clientdesk.widgets.key_footer import KeyFooter
from clientdesk.widgets.notice_panel import NoticePanel
from clientdesk.widgets.project_header import ProjectHeader
from clientdesk.widgets.record_table_pane import RecordTablePane
from clientdesk.widgets.requests_pane import RequestsPane
from clientdesk.widgets.risks_pane import RisksPane
from clientdesk.widgets.welcome_panel import WelcomePanel

# The record models, the forms built on them and the repository are imported
# where they are first used, after the first paint: they load pydantic and
# TinyDB, which the first screen must not wait for.
if TYPE_CHECKING:
    from textual.driver import Driver

    from clientdesk.store.models import (
        Project,
        Record,
    )
    from clientdesk.store.repository import Repository
    from clientdesk.store.snapshot import Snapshot
    from clientdesk.store.undo import UndoableRepository
    from clientdesk.tui.terminal_guard import TerminalGone

FillPlan = tuple[str, type[RecordTablePane], object]
"""The pane on show, its class and its filters: what a reading worker makes the rows for."""

POLL_SECONDS = 0.25
"""How often the app looks whether another process saved the data file (a ``stat``)."""

CLOCK_SECONDS = 60.0
"""How often computed columns (overdue, next due) are brought up to date."""

ANIMATIONS_ENV = "TEXTUAL_ANIMATIONS"
"""Textual's animation setting (``none``, ``basic``, ``full``); clientdesk's default: none."""

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
        "send_report",
        "export_calendar",
        "import_ics",
        "go_back",
    }
)
"""Actions that need an open project (by their action method's name)."""


class ClientDeskApp(ExplainedActions, EndsWithOneLine, GuardedApp):
    """The full-screen app over one repository.

    Its output passes :class:`~clientdesk.tui.output_guard.GuardedApp`'s checks:
    no control character from a record, a colleague or a file reaches the terminal.
    """

    CSS_PATH = "app.tcss"
    TITLE = "clientdesk"
    COVERED_TOASTS_CLASS = "-covered"
    """The class of the toasts of a screen a dialog covers (app.tcss hides them).

    Set on the screen's toast rack, not on the screen (Textual's
    ``SUSPENDED_SCREEN_CLASS``): a class on a screen restyles every widget on
    it, ~60 ms for the panes, each time a form opens or closes.
    """

    ACTION_SCOPE = "app"
    BINDINGS = bindings("app", explained=True)

    mode: reactive[str] = reactive("loading", init=False)
    """What the main area shows: ``loading``, ``welcome``, ``panes`` or ``error``."""

    # -- set-up ----------------------------------------------------------------------

    def __init__(
        self,
        repository: Repository | None = None,
        *,
        data_path: Path | str | None = None,
        config_path: Path | None = None,
    ) -> None:
        """Create the app over ``repository``, or over the store at ``data_path`` (a file or URL).

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
        self.store_waits = StoreWaits()
        """The saves, re-reads and project openings under way: the background check waits."""
        self.snapshot: Snapshot | None = None
        """The records on screen."""
        self.project_id: str | None = None
        """The id of the open project."""
        self._ticket = 0
        self._applied_ticket = 0
        self._shown_ticket = 0
        """The load a :meth:`reload` asked for: keys typed meanwhile wait until it shows."""
        self._poll_worker: Worker[None] | None = None
        self._change_pending = False
        """Another process saved while a read was under way: read again after it."""
        self._store_watch = StoreWatch(self._file_changed, self._tell_file_changed, POLL_SECONDS)
        self._select_project: str | None = None
        self._select_contact: str | None = None
        self._select_record: str | None = None
        self._reveal_after_load: tuple[str, str, str] | None = None
        self._looked_for_draft = False
        self.stop_signals = StopSignals(self.stop_on_signal)
        """SIGTERM and SIGHUP stop the app as :meth:`stop_on_signal` does."""
        self._last_load_error = ""
        self._stale_panes: set[str] = set()
        self.saves_refused = ""
        """Why nothing can be saved just now ("" when saves work): the database is out of
        reach. Every key that writes says so instead of opening a form."""
        self._readings: Readings | None = None
        self._panes_mounting: asyncio.Future[None] | None = None
        """Set while the four panes are being composed into the main area, done once they are."""
        self._pane_tabs: PaneTabs | None = None
        self._pane_widgets: dict[str, RecordTablePane] = {}
        """The tab bar and the panes, kept: looked up by a query, they cost a walk of the
        screen's widgets each time, and every key's bindings check asks which pane is on show."""
        self._config_path = config_path
        self.config = Config()
        """The settings of the config file (the defaults until the app is mounted)."""
        self.calendar = CalendarActions(self)
        """What the app does for the Calendar pane (its forms, dialogs and saves)."""
        self.requests = RequestsActions(self)
        """What the app does for the Requests pane (the form, status moves, comments)."""
        self.risks = RisksActions(self)
        """What the app does for the Risks pane (the form, status moves, follow-ups)."""
        self.closing = ClosingActions(self)
        """What the app does for the Closing pane (forms, the checklist, closing)."""
        self.contacts = ContactsActions(self)
        """What the app does for the contacts (their screen and form)."""
        self.status_report = StatusReportActions(self)
        """What the app does for the client status report (write it, keep it as sent)."""
        self.saves = RecordSaves(self)
        """Saves and deletes of single records, off the UI thread."""
        self.undo = UndoActions(self)
        """Undo and redo of this session's saves."""
        self.records = RecordActions(self, self.risks)
        """Asking before deletes, and the news of saves."""
        self.projects = ProjectActions(self)
        """Picking, creating and editing projects."""
        self.jumps = Jumps(self)
        """Jumps to records (a closing gate's blocker) and the back key."""

    @property
    def repository(self) -> UndoableRepository:
        """Where the records live: opened by the first worker that reads them.

        Every save through it can be undone in this session (ctrl+z). Only
        worker threads call its methods.
        """
        with self._repository_lock:
            if self._repository is None:
                from clientdesk.store.backends import open_repository
                from clientdesk.store.undo import UndoableRepository

                assert self._data_path is not None
                self._repository = UndoableRepository(open_repository(self._data_path))
            return self._repository

    @property
    def undo_key(self) -> str:
        """The key that undoes, as the config file may have remapped it."""
        return key_of("edit.undo")

    @property
    def config_location(self) -> Path:
        """The config file the app reads (it may not exist)."""
        from clientdesk.store.paths import default_config_path

        return self._config_path or default_config_path()

    @property
    def location(self) -> str:
        """The data file's path or the database's URL, as the repository names it.

        Known before the repository is opened; a URL's password is never shown.
        """
        if self._repository is not None:
            return self._repository.location
        assert self._data_path is not None
        if is_database_url(self._data_path):
            return shown_url(str(self._data_path))
        return str(real_path(self._data_path))

    @property
    def store_location(self) -> Path | str:
        """What the session's drafts are kept for: the data file's path, or the database's URL."""
        location = self.location
        return location if is_database_url(location) else Path(location)

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
        # Keys typed before the panes exist wait for them, in order (q quits at once).
        self.hold_keys()
        self.screen_change_signal.subscribe(self, self._cover_toasts, immediate=True)
        self._store_watch.start()
        self.set_interval(CLOCK_SECONDS, self._refresh_clock)
        self.stop_signals.install()

    def _cover_toasts(self, top: Screen[Any]) -> None:
        """Hide the toasts of the screens under ``top``: it shows them itself, over them."""
        for screen in self.screen_stack:
            for rack in screen.query_children("#textual-toastrack"):
                rack.set_class(screen is not top, self.COVERED_TOASTS_CLASS)

    def on_unmount(self) -> None:
        """Stop watching the data file; give the stop signals back to their default handling."""
        self._store_watch.stop()
        self.stop_signals.remove()

    def stop_on_signal(self, signal_name: str) -> None:
        """Keep the open form's unsaved typing for the next start, then quit."""
        stop_app(self, signal_name)

    def on_terminal_gone(self, message: TerminalGone) -> None:
        """The terminal went away (its input ended, or writing to it failed): stop as on SIGHUP.

        An app that does not control its terminal (started with ``setsid``)
        gets no SIGHUP when the terminal goes; one that does may get it after this.
        """
        self.stop_on_signal("SIGHUP")

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this platform, changed to end the app when its terminal goes."""
        return guarded(super().get_driver_class())

    # -- the config file -------------------------------------------------------------

    def _apply_config(self) -> None:
        """Apply the config file's theme and key map; warn about anything wrong in it."""
        loaded = read_config(self._config_path, themes=self.available_themes)
        self.config = loaded.config
        if loaded.config.theme is not None:
            self.theme = loaded.config.theme
        use_formats(loaded.config.date_format, loaded.config.time_format)
        use_keymap(loaded.config.keys)
        # An id no action has changes nothing: the rest of the key map applies.
        self._warn_about_config(
            [*loaded.problems, *unknown_binding_problems(loaded, binding_ids(), keyless_ids())]
        )
        if loaded.config.keys:
            self.set_keymap(loaded.config.keys)

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
        # The panes are composed first, then the worker reads the file. Run side
        # by side, the two only took turns at the GIL, each waiting for the other
        # at every switch; and with the panes there, the worker makes the rows
        # of the pane on show too, instead of the UI thread.
        if self.stopping:
            return  # quit before the first frame: there is nothing to start
        await self._mount_panes()
        if not self.stopping:
            self._request_load()

    @property
    def stopping(self) -> bool:
        """True once the app has begun to stop: its widgets may be going away."""
        return not self.is_running or self.return_code is not None

    async def _mount_panes(self) -> None:
        """Compose the four panes into the main area (once; later calls wait for it)."""
        if self._panes_mounting is None:
            tabs = PaneTabs(id="panes")
            for pane_id, (title, pane_class) in PANES.items():
                pane = pane_class(id=f"{pane_id}-pane")
                self._pane_widgets[pane_id] = pane
                tabs.compose_add_child(TabPane(title, pane, id=pane_id))
            self._pane_tabs = tabs
            self._panes_mounting = asyncio.get_running_loop().create_future()
            try:
                await self.query_one("#main", ContentSwitcher).add_content(tabs)
                self.query_one(CalendarPane).viewer_zone = clock.viewer_zone(self.config.timezone)
            except (MountError, NoMatches):
                if not self.stopping:
                    raise
                # The app stopped while the panes were mounted: nothing is lost.
            finally:  # nobody waits for ever, whatever happened
                self._panes_mounting.set_result(None)
        await self._panes_mounting

    def reload(
        self,
        *,
        select_record: str | None = None,
        select_contact: str | None = None,
        select_project: str | None = None,
        reveal: tuple[str, str, str] | None = None,
    ) -> None:
        """Read the store again (in a worker) and show it.

        Args:
            select_record: put the cursor of the pane on show on this record.
            select_contact: put the cursor of an open contacts screen on this contact.
            select_project: open this project.
            reveal: show this record (pane id, record id, key) in its pane, its
                filters reset so that it shows.
        """
        if select_record is not None:
            self._select_record = select_record
        if select_contact is not None:
            self._select_contact = select_contact
        if select_project is not None:
            self._select_project = select_project
        if reveal is not None:
            self._reveal_after_load = reveal
        self._request_load()
        # Typed slowly, the next key would meet what this load shows (a checklist in
        # its new order after a move): typed in a burst, or on a slow disk, it waits too.
        self._shown_ticket = self._ticket
        self.hold_keys("reload", timeout=WRITE_HOLD_SECONDS)

    def hold_keys(self, reason: str = "start", *, timeout: float | None = None) -> None:
        """Hold typed keys until :meth:`take_keys` (see ``GuardedApp``); the check rests meanwhile.

        Keys are held exactly while the user waits for the store: a save a key
        started, the read after it, a project being opened. The background
        check of every record would share the GIL with that work and with the
        UI thread showing its result; it waits instead (see :class:`StoreWaits`).
        """
        self.store_waits.begin(f"keys:{reason}")
        super().hold_keys(reason, timeout=timeout)

    async def take_keys(self, reason: str = "start") -> None:
        """Take back the hold ``reason``; the keys go on once no hold is left."""
        # Ended first: a key handed on below may start a wait of the same name again.
        self.store_waits.end(f"keys:{reason}")
        await super().take_keys(reason)

    def _request_load(self) -> None:
        self._ticket += 1
        self._load_snapshot(self._ticket, self._fill_plan())

    def _fill_plan(self) -> FillPlan | None:
        """The pane on show and its filters, read here for a worker to make its rows.

        None when the panes are not there yet, or the pane on show is filled
        on the UI thread only.
        """
        try:
            pane_id = self.current_pane_id
            pane = self.pane(pane_id)
            state = pane.fill_state()
        except NoMatches:
            return None
        return (pane_id, type(pane), state) if state is not None else None

    @work(thread=True, group="store", exclusive=False)
    def _load_snapshot(self, ticket: int, plan: FillPlan | None = None) -> None:
        try:
            snapshot = _read(self.repository)
            readings = self._readings_for(snapshot)
            fill = prepare_pane_fill(readings, *plan) if plan is not None else None
        except (StoreError, OSError) as error:
            linked = isinstance(error, UntrustedPathError)
            unreachable = isinstance(error, StoreUnavailableError)
            self.post_message(
                LoadFailed(describe_error(error), ticket, linked=linked, unreachable=unreachable)
            )
            return
        self.post_message(SnapshotLoaded(snapshot, ticket, readings=readings, fill=fill))

    @work(thread=True, group="check", exclusive=True)
    def _check_every_record(self, snapshot: Snapshot, ticket: int) -> None:
        """Validate the records not shown, a moment after the shown ones are painted (in a worker).

        A record broken by hand in another project is reported now, not when
        that project is opened; the repository refuses every save meanwhile.
        Started a moment after the data is on screen, resting between batches
        and standing still while a save, a re-read or a project opening is
        under way (:attr:`store_waits`), so that it never delays what the user
        waits for; a newer snapshot cancels it (exclusive), and checks what
        this one had not. A save made before it is through checks the rest itself.
        """
        worker = get_current_worker()

        def pause() -> bool:
            time.sleep(CHECK_PAUSE_SECONDS)
            return self.store_waits.rest(lambda: worker.is_cancelled)

        try:
            snapshot.check(pause=pause)
        except StoreError as error:
            title = "A record in the data file is broken: nothing can be saved"
            self.post_message(LoadFailed(describe_error(error), ticket, title=title))

    def _readings_for(self, snapshot: Snapshot) -> Readings | None:
        """The clocks and gates of the project ``snapshot`` will show (in a worker thread).

        Reading every open request's clocks is the dearest part of a refresh:
        done here, the UI thread only fills the pane on show.
        """
        project = self._project_to_show(snapshot)
        if project is None:
            return None
        # The project's records become models here, not on the UI thread; the
        # other projects' are validated later, and kept as text only. The new
        # models leave the cyclic collector's watch too (see _read): a form's
        # ~130 widgets would otherwise set off a full collection over them all.
        with COLLECTOR.paused():
            snapshot.prepare(project.id)
            gc.freeze()
        return read_readings(snapshot, project, clock.now())

    def _project_to_show(self, snapshot: Snapshot) -> Project | None:
        """The project a refresh shows: the one chosen or open, else the first (None: none)."""
        project = _project_in(snapshot, self._select_project or self.project_id)
        if project is not None:
            return project
        projects = snapshot.projects()
        return projects[0] if projects else None

    def _file_changed(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s for the store to change; True when it did (watching thread)."""
        # Until the first read has opened the repository, there is nothing to compare.
        repository = self._repository
        if repository is None:
            time.sleep(timeout)
            return False
        return repository.wait_for_change(timeout)

    def _tell_file_changed(self) -> None:
        """Tell the app, from the watching thread, that the data file changed."""
        self.post_message(StoreChanged())

    @on(StoreChanged)
    def _poll(self) -> None:
        if self.mode == "loading" or (
            self._poll_worker is not None and not self._poll_worker.is_finished
        ):
            # A database tells of a save once: one that comes while a read is under
            # way is read after it (the file's next look would find it anyway).
            self._change_pending = True
            return
        self._change_pending = False
        if self.mode == "error" and not self.saves_refused:
            return
        self._ticket += 1
        self._poll_worker = self._check_for_changes(self._ticket, self._fill_plan())

    @work(thread=True, group="store", exclusive=False)
    def _check_for_changes(self, ticket: int, plan: FillPlan | None = None) -> None:
        from clientdesk.store.changes import changes_between, changes_line

        try:
            # Back in touch after the store was out of reach: shown as read afresh.
            if not self.saves_refused and not self.repository.has_changed():
                return
            # A colleague's save is read while the background check stands still.
            with self.store_waits.during(f"re-read-{ticket}"):
                before = self.snapshot
                snapshot = _read(self.repository)
                seen = ""
                if before is not None:
                    me = getattr(self.repository, "user", "") or current_user()
                    zone = clock.viewer_zone(self.config.timezone)
                    seen = changes_line(changes_between(before, snapshot, me=me), zone)
                readings = self._readings_for(snapshot)
                fill = prepare_pane_fill(readings, *plan) if plan is not None else None
        except (StoreError, OSError) as error:
            unreachable = isinstance(error, StoreUnavailableError)
            self.post_message(LoadFailed(describe_error(error), ticket, unreachable=unreachable))
            return
        self.post_message(SnapshotLoaded(snapshot, ticket, seen, readings, fill))

    @on(SnapshotLoaded)
    async def _snapshot_loaded(self, message: SnapshotLoaded) -> None:
        if message.ticket < self._applied_ticket:
            return  # a slower, older read: a newer snapshot is already on screen
        self._applied_ticket = message.ticket
        self._last_load_error = ""
        if self.saves_refused:
            self.saves_refused = ""
            self.notify(
                f"{self.location} can be reached again: saves work again",
                title="Back in touch",
                markup=False,
            )
        await self._show_snapshot(message.snapshot, message.readings, message.fill)
        if message.ticket >= self._shown_ticket:
            await self.take_keys("reload")
        if not self._looked_for_draft and self.mode in ("panes", "welcome"):
            self._looked_for_draft = True
            self._look_for_draft(self.store_location)
        # Checked once the app has been on screen a moment: started at once, the
        # check would share the GIL with the first frames of the data.
        snapshot, ticket = message.snapshot, message.ticket
        self.set_timer(
            CHECK_DELAY_SECONDS, lambda: self._check_every_record(snapshot, ticket), name="check"
        )
        if self._reveal_after_load is not None and self.mode == "panes":
            self.jumps.show_record(*self._reveal_after_load)
        self._reveal_after_load = None
        if message.seen:
            line = self.query_one("#change-line", Label)
            line.update(Text(message.seen))
            line.add_class("-shown")
        self._poll_if_pending()

    @on(LoadFailed)
    async def _load_failed(self, message: LoadFailed) -> None:
        if message.ticket < self._applied_ticket:
            return
        self._applied_ticket = message.ticket
        if message.ticket >= self._shown_ticket:
            await self.take_keys("reload")
        newly_unreachable = message.unreachable and not self.saves_refused
        if message.unreachable:
            self.saves_refused = (
                f"{self.location} cannot be reached: read-only until it is back (trying again)"
            )
        if self.snapshot is None:
            await self._show_error(message.message, linked=message.linked)
        elif message.unreachable:
            if not newly_unreachable:
                return  # said once: the watch keeps trying
            # What is on screen stays; the watch tries the database again meanwhile.
            self.notify(
                f"{message.message}. What you see stays, read-only, until it is back.",
                title="Database out of reach",
                severity="error",
                markup=False,
            )
        elif message.message != self._last_load_error:
            # Keep showing the last good data; say once why it is not refreshed.
            self.notify(message.message, title=message.title, severity="error", markup=False)
        self._last_load_error = message.message
        self._poll_if_pending()

    def _poll_if_pending(self) -> None:
        """Read again when another process saved while the last read was under way."""
        if self._change_pending:
            self._poll()

    @on(Worker.StateChanged)
    def _read_again_when_done(self, event: Worker.StateChanged) -> None:
        # The re-read's messages can come before its worker is finished: a save heard
        # meanwhile waits for this moment, not for a look that a database never makes.
        if event.worker is self._poll_worker and event.worker.is_finished:
            self._poll_if_pending()

    async def _show_error(self, message: str, *, linked: bool = False) -> None:
        """Show the error panel with ``message`` (mounting the panel the first time)."""
        if not self.query("#error"):
            main = self.query_one("#main", ContentSwitcher)
            await main.add_content(NoticePanel(id="error", classes="-error"))
        error = self.query_one("#error", NoticePanel)
        error.heading = (
            "The database cannot be used"
            if is_database_url(self.location)
            else "The data file cannot be used"
        )
        error.body = message
        quits, reload = key_of("quit"), key_of("data.reload")
        if linked:
            error.hint = f"Open the file by its own path (clientdesk --data FILE); {quits} quits."
        elif self.saves_refused:
            error.hint = f"clientdesk tries again by itself, or press {reload}; {quits} quits."
        else:
            error.hint = (
                f"Fix the file or restore the backup, then press {reload} to read it again; "
                f"{quits} quits."
            )
        self.mode = "error"

    async def _show_welcome(self) -> None:
        """Show the welcome panel (mounting it the first time)."""
        if not self.query("#welcome"):
            await self.query_one("#main", ContentSwitcher).add_content(WelcomePanel(id="welcome"))
        self.mode = "welcome"

    async def _show_snapshot(
        self, snapshot: Snapshot, readings: Readings | None = None, fill: PaneFill | None = None
    ) -> None:
        """Show ``snapshot``: the open project (or the one just chosen or saved) in every pane.

        ``fill`` is the pane on show's rows, made in the worker that read the snapshot.
        """
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
        self._show_project(snapshot, project, readings, fill)
        self.mode = "panes"

    def _show_project(
        self,
        snapshot: Snapshot,
        project: Project,
        readings: Readings | None = None,
        fill: PaneFill | None = None,
    ) -> None:
        # Only the pane on show is filled now; the others when they are shown
        # (see _bring_up_to_date), so that a refresh costs one pane, not four.
        # The clocks and gates come from the worker that read the snapshot
        # when they are of this project; otherwise (another project was just
        # chosen) they are read here.
        if readings is None or readings.snapshot is not snapshot or readings.project != project:
            readings = read_readings(snapshot, project, clock.now())
        self._readings = readings
        # The header's overall RAG is the report's, read with the clocks in the worker.
        self.query_one(ProjectHeader).overall = readings.overall
        for tabs in self.query("#panes").results(PaneTabs):
            tabs.show_counts(readings)
        shown = self.current_pane_id
        self._stale_panes = set(PANES) - {shown}
        # The rows made in the worker are swapped in when they are of these
        # readings and the pane's filters have not changed since; else the
        # pane is filled here.
        if (
            fill is None
            or fill.readings is not readings
            or fill.pane_id != shown
            or not self.pane(shown).show_prepared(fill.prepared)
        ):
            self._fill_pane(shown, readings)
        if self._select_record is not None:
            for table in self.pane(shown).tables:
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

    def _fill_pane(self, pane_id: str, readings: Readings) -> None:
        """Fill the pane ``pane_id``, handing it the clocks or gates already computed."""
        pane = self.pane(pane_id)
        snapshot, project, now = readings.snapshot, readings.project, readings.now
        if isinstance(pane, RequestsPane):
            pane.show(snapshot, project, now, clocks=readings.clocks)
        elif isinstance(pane, ClosingPane):
            pane.show(snapshot, project, now, gates=readings.gates)
        else:
            pane.show(snapshot, project, now)

    def pane(self, pane_id: str) -> RecordTablePane:
        """The pane ``pane_id`` (``calendar``, ``requests``, ``risks``, ``closing``)."""
        pane = self._pane_widgets.get(pane_id)
        if pane is not None and self._holds(pane):
            return pane
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
            self._read_clocks_again(self.snapshot, project, self._fill_plan())

    @work(thread=True, group="clock", exclusive=True)
    def _read_clocks_again(
        self, snapshot: Snapshot, project: Project, plan: FillPlan | None = None
    ) -> None:
        readings = read_readings(snapshot, project, clock.now())
        fill = prepare_pane_fill(readings, *plan) if plan is not None else None
        self.post_message(ReadingsReady(readings, fill))

    @on(ReadingsReady)
    def _readings_ready(self, message: ReadingsReady) -> None:
        readings = message.readings
        if readings.snapshot is self.snapshot and readings.project.id == self.project_id:
            self._show_project(readings.snapshot, readings.project, readings, message.fill)

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
        tabs = self._pane_tabs
        if tabs is None or not self._holds(tabs):
            return "calendar"
        return tabs.active or "calendar"

    def _holds(self, widget: Widget) -> bool:
        """True while ``widget`` is in the app's DOM (a few parents up, not a walk of it all)."""
        node: DOMNode | None = widget
        while node is not None:
            if node is self:
                return True
            node = node.parent
        return False

    @property
    def current_pane(self) -> RecordTablePane:
        """The pane on show."""
        return self.pane(self.current_pane_id)

    def watch_mode(self, mode: str) -> None:
        """Show the main area that fits the mode and offer the keys that work in it.

        Keys typed while the app loads wait, and are handed on, in order, once
        the panes (or the welcome or error panel) are on show.
        """
        if self.stopping:
            return
        if mode == "loading":
            self.hold_keys()
        elif self.keys_on_hold:
            # After this frame: the area shown takes the focus first.
            self.call_after_refresh(self.take_keys)
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

    def is_live(self, action: Action) -> bool:
        """Offer each key only where it works (e.g. no pane keys before a project exists)."""
        mode = self.mode
        if action.id in ("record.new", "project.new"):
            return mode in ("panes", "welcome")  # on the welcome panel "n" makes the first project
        if action.id == "demo.load":
            return mode == "welcome"
        if action.id == "data.reload":
            return mode == "error"
        if action.id in ("edit.undo", "edit.redo"):
            # On the panes only: in a form, the keys belong to the text being typed.
            return mode in ("panes", "welcome") and len(self.screen_stack) == 1
        if action.id == "nav.back_escape":
            return mode == "panes" and self.jumps.can_go_back
        if action.run.split("(")[0] in PANE_ACTIONS:
            return mode == "panes"
        return True

    def closed_project_key(self) -> str:
        """The open project's key when it is closed: it is read-only until reopened."""
        project = self.current_project
        if self.mode != "panes" or project is None or not project.is_closed:
            return ""
        return project.key

    def refusal(self, action: Action) -> str:
        """Why ``action`` cannot be done now ("" when it can)."""
        if action.id in ("record.edit", "record.delete") and self.mode == "panes":
            pane = self.current_pane
            if pane.selected_record is None:
                return pane.nothing_selected()
        if action.id == "nav.back" and not self.jumps.can_go_back:
            back = key_of("nav.back")
            return f"Nothing to go back to: {back} returns from a jump (enter on a gate's blocker)."
        return ""

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
        # comes as the panes are mounted, maybe under the welcome or error panel,
        # or as they are taken down when the app stops.)
        if self.mode != "panes" or self.stopping:
            return
        self._bring_up_to_date(self.current_pane_id)
        self.current_pane.focus_table()
        self.jumps.put_back_place()

    def action_switch_project(self) -> None:
        """Pick another project."""
        self.projects.switch()

    def switch_to_project(self, project_id: str | None) -> None:
        """Show the project ``project_id`` (None: stay), made ready in a worker first.

        Its records are validated, its clocks read and the pane on show's rows
        made off the UI thread (:meth:`_prepare_project`), so that the screen
        never freezes while a large project is opened. Keys typed meanwhile
        wait, and act on it once it is on show; a project with a broken
        record is refused, naming the record, and the one on show stays.
        """
        snapshot = self.snapshot
        if snapshot is None or _project_in(snapshot, project_id) is None:
            return
        assert project_id is not None
        self.hold_keys("project", timeout=WRITE_HOLD_SECONDS)
        self._prepare_project(snapshot, project_id, self._fill_plan())

    @work(thread=True, group="project", exclusive=False)
    def _prepare_project(self, snapshot: Snapshot, project_id: str, plan: FillPlan | None) -> None:
        project = _project_in(snapshot, project_id)
        assert project is not None  # looked up on the UI thread in the same snapshot
        try:
            with COLLECTOR.paused():
                snapshot.prepare(project.id)
                # The new models leave the cyclic collector's watch (see _read).
                gc.freeze()
        except StoreError as error:
            self.post_message(ProjectRefused(snapshot, project, describe_error(error)))
            return
        readings = read_readings(snapshot, project, clock.now())
        fill = prepare_pane_fill(readings, *plan) if plan is not None else None
        self.post_message(ProjectReady(readings, fill))

    @on(ProjectReady)
    async def _project_ready(self, message: ProjectReady) -> None:
        readings = message.readings
        snapshot, project = readings.snapshot, readings.project
        if snapshot is not self.snapshot and self.snapshot is not None:
            # The store was read again meanwhile: open the project in what is shown now.
            if _project_in(self.snapshot, project.id) is not None:
                self._prepare_project(self.snapshot, project.id, self._fill_plan())
                return
        elif self.mode == "panes":
            self.project_id = project.id
            self.query_one(ProjectHeader).project = project
            self._show_project(snapshot, project, readings, message.fill)
        await self.take_keys("project")

    @on(ProjectRefused)
    async def _project_refused(self, message: ProjectRefused) -> None:
        self.notify(
            message.reason,
            title=f"Cannot open {message.project.key}",
            severity="error",
            markup=False,
        )
        await self.take_keys("project")

    def open_project(self, project_id: str | None) -> None:
        """Show the project ``project_id`` of the snapshot on screen (if it is there), now.

        For a project shown before (going back from a jump, a kept draft's):
        its records are models already. A project picked by the user is opened
        by :meth:`switch_to_project`, its records validated in a worker.
        """
        if self.snapshot is None:
            return
        project = _project_in(self.snapshot, project_id)
        if project is None:
            return
        try:
            # Its records become models here the first time it is opened; one
            # broken by hand leaves the project on show as it is.
            self.snapshot.prepare(project.id)
        except StoreError as error:
            self.notify(
                describe_error(error),
                title=f"Cannot open {project.key}",
                severity="error",
                markup=False,
            )
            return
        self.project_id = project.id
        self.query_one(ProjectHeader).project = project
        self._show_project(self.snapshot, project)

    def action_new_project(self) -> None:
        """Create a project."""
        self.projects.new()

    def action_edit_project(self) -> None:
        """Edit the open project."""
        self.projects.edit()

    # -- actions: contacts -------------------------------------------------------------

    def action_contacts(self) -> None:
        """Show the open project's contacts."""
        project = self.current_project
        if project is not None:
            self.contacts.show(project)

    def action_new_contact(self) -> None:
        """Add a contact to the open project."""
        project = self.current_project
        if project is not None:
            self.contacts.edit(project, None)

    @on(ContactsScreen.NewContact)
    def _new_contact_asked(self, message: ContactsScreen.NewContact) -> None:
        self.contacts.edit(message.project, None)

    @on(ContactsScreen.EditContact)
    def _edit_contact_asked(self, message: ContactsScreen.EditContact) -> None:
        self.contacts.edit(message.project, message.contact)

    # -- actions: records of the panes ---------------------------------------------------

    def action_new_record(self) -> None:
        """New record in the current pane: a meeting or plan item, request, risk, checklist item."""
        from clientdesk.tui.record_kinds import open_new

        if self.mode == "welcome":
            self.action_new_project()
            return
        project = self.current_project
        if project is not None:
            open_new(self, project, self.current_pane_id, getattr(self.current_pane, "view", None))

    def action_edit_record(self) -> None:
        """Edit the record under the cursor (in the Calendar's agenda: the meeting or series)."""
        self._open_selected(self.current_pane.selected_record)

    def action_delete_record(self) -> None:
        """Delete the record under the cursor after asking."""
        record = self.current_pane.selected_record
        # A meeting whose invite went out is offered its cancellation first.
        if not self.calendar.ask_delete(record):
            self.records.ask_delete(record)

    @on(RecordTablePane.OpenRecord)
    def _open_record(self, message: RecordTablePane.OpenRecord) -> None:
        self._open_selected(message.record)

    def _open_selected(self, record: Record | None) -> None:
        from clientdesk.tui.record_kinds import open_record

        project = self.current_project
        if record is None or project is None:
            return
        if project.is_closed:
            # Read-only until reopened: a form would only fail when saved.
            self.notify(self.why_not(BY_ID["record.edit"]), severity="warning", markup=False)
            return
        open_record(self, project, record)

    @on(RequestsPane.MoveStatus)
    def _move_request(self, message: RequestsPane.MoveStatus) -> None:
        self.requests.move(message.request, message.status)

    @on(RequestsPane.AddComment)
    def _comment_on_request(self, message: RequestsPane.AddComment) -> None:
        self.requests.ask_comment(message.request)

    def action_service_levels(self) -> None:
        """Edit the open project's service levels (response times, working week, holidays)."""
        project = self.current_project
        if project is not None:
            self.requests.edit_service_levels(project)

    @on(RisksPane.MoveStatus)
    def _move_risk(self, message: RisksPane.MoveStatus) -> None:
        self.risks.move(message.risk, message.status)

    @on(CalendarPane.OccurrenceAction)
    def _occurrence_action(self, message: CalendarPane.OccurrenceAction) -> None:
        self.calendar.occurrence_action(message.occurrence, message.action)

    @on(CalendarPane.PublishAsked)
    def _publish_caldav(self) -> None:
        project = self.current_project
        if project is not None:
            self.calendar.publish_to_caldav(project)

    @on(CalendarPane.PlanItemDone)
    def _plan_item_done(self, message: CalendarPane.PlanItemDone) -> None:
        self.calendar.plan_item_done(message.item)

    @on(CalendarPane.SeriesFromPlan)
    def _series_from_plan(self, message: CalendarPane.SeriesFromPlan) -> None:
        self.calendar.series_from_plan(message.item)

    @on(ClosingPane.SetItemState)
    def _set_item_state(self, message: ClosingPane.SetItemState) -> None:
        self.closing.set_item_state(message.item, message.state)

    @on(ClosingPane.ReorderItems)
    def _reorder_items(self, message: ClosingPane.ReorderItems) -> None:
        self.closing.reorder(message.moved, message.positions)

    @on(ClosingPane.CloseProject)
    def _close_project(self, message: ClosingPane.CloseProject) -> None:
        self.closing.close_project(message.project)

    @on(ClosingPane.ReopenProject)
    def _reopen_project(self, message: ClosingPane.ReopenProject) -> None:
        self.closing.reopen_project(message.project)

    @on(ClosingPane.WriteReport)
    def _write_report(self, message: ClosingPane.WriteReport) -> None:
        self.closing.write_report(message.project)

    # -- an edit kept when a signal stopped the app ------------------------------------

    @work(thread=True, group="files", exclusive=True)
    def _look_for_draft(self, data_path: Path | str) -> None:
        from clientdesk.store.drafts import read_draft
        from clientdesk.tui.draft_recovery import offer_draft

        draft = read_draft(data_path)
        if draft is not None:
            self.call_from_thread(offer_draft, self, draft, data_path)

    # -- undo and redo -------------------------------------------------------------------

    def action_undo(self) -> None:
        """Undo the last change made in this session (a save, a delete, a move, a tick)."""
        self.undo.take_back("undo")

    def action_redo(self) -> None:
        """Redo the change undone last."""
        self.undo.take_back("redo")

    @on(TakenBack)
    def _taken_back(self, message: TakenBack) -> None:
        self.undo.taken_back(message)

    @on(DeleteChanged)
    def _delete_changed(self, message: DeleteChanged) -> None:
        self.records.delete_changed(message)

    @on(RecordWritten)
    def _record_written(self, message: RecordWritten) -> None:
        self.records.written(message)

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
            self.status_report.write(project)

    def action_send_report(self) -> None:
        """E-mail the open project's status report to the contacts the user ticks."""
        project = self.current_project
        if project is not None:
            self.status_report.ask_send(project)

    @on(ClosingGates.BlockerChosen)
    def _go_to_blocker(self, message: ClosingGates.BlockerChosen) -> None:
        self.jumps.to_blocker(message.blocker)

    def jump_to_record(
        self, pane_id: str, record_id: str, key: str, *, view: str | None = None
    ) -> None:
        """Show a record in its pane, keeping where the user was for the back key."""
        self.jumps.to_record(pane_id, record_id, key, view=view)

    def action_go_back(self) -> None:
        """Go back to where the last jump started, the cursor where it was."""
        self.jumps.go_back()

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
            self.post_message(WriteFailed(describe_error(error)))
        else:
            self.post_message(SnapshotLoaded(snapshot, ticket))

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

    def action_help(self) -> None:
        """List every key that works here, the pane's first."""
        from clientdesk.tui.keys import help_entries

        title = "Keys"
        if self.mode == "panes":
            title = f"Keys · {PANES[self.current_pane_id][0]} pane"
        self.push_screen(HelpScreen(help_entries(self.screen), title=title))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette: every action of the pane in use and of the app, by name."""
        if screen is not self.screen_stack[0]:
            yield from super().get_system_commands(screen)
            return
        from clientdesk.tui.keys import palette_commands

        yield from palette_commands(screen)

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
            self.post_message(WriteFailed(f"cannot save the screenshot: {error}"))
        else:
            text = f"Screenshot saved to {target.resolve()}"
            self.call_from_thread(self.notify, text, markup=False)


CHECK_DELAY_SECONDS = 1.0
"""How long after a snapshot is shown the check of the records not shown starts."""

CHECK_PAUSE_SECONDS = 0.003
"""How long the check of the records not shown rests between batches, leaving the UI the GIL."""


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


def _project_in(snapshot: Snapshot, project_id: str | None) -> Project | None:
    """The project with id ``project_id`` in ``snapshot``, if there is one."""
    from clientdesk.store.models import Project

    return snapshot.get(Project, project_id) if project_id else None


def create_app(data_path: Path | str) -> ClientDeskApp:
    """The app over the data file at ``data_path``, or the database it names (shared by the
    CLI and the tests).

    A file's directory is made now, as opening the repository would: a place
    where no file can be made fails here, before the app starts, and the CLI
    reports it in one line.
    """
    if not is_database_url(data_path):
        real_path(data_path).parent.mkdir(parents=True, exist_ok=True)
    return ClientDeskApp(data_path=data_path)
