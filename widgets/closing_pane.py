"""The Closing pane: the gates that protect the close, the checklist, lessons and follow-ons.

On top, the four closing gates, each passed or failed with the keys of what
blocks it (:class:`~clientdesk.widgets.closing_gates.ClosingGates`). Below, the
closing checklist, the lessons learned and the follow-on actions: one table
at a time on a short terminal (``v`` shows the next), all three on a tall one.
A closed project shows who closed it, when, and the override reason, and
offers no key that would change it. Every change is asked of the app with a
message; the pane never saves anything itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, on
from textual.actions import parse
from textual.app import ComposeResult
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Label

from clientdesk.store.enums import ChecklistState
from clientdesk.store.text import printable
from clientdesk.widgets.actions import Action, bindings, key_of
from clientdesk.widgets.cells import (
    DATE_FIT,
    datetime_text,
    day,
    key_width,
    label_of,
    plain,
    when,
)
from clientdesk.widgets.closing_gates import ClosingGates
from clientdesk.widgets.record_table import Column, RecordTable, RowContext
from clientdesk.widgets.record_table_pane import RecordTablePane, counted
from clientdesk.widgets.tab_titles import TitleDetail

if TYPE_CHECKING:
    from clientdesk.store.closing import Gate
    from clientdesk.store.models import (
        ChecklistItem,
        FollowOnAction,
        LessonLearned,
        Project,
        Record,
    )
    from clientdesk.store.snapshot import Snapshot

STATE_STYLES: dict[ChecklistState, str] = {
    ChecklistState.OPEN: "bold yellow",
    ChecklistState.DONE: "bold green",
    ChecklistState.WAIVED: "dim",
}
"""Style of a checklist item's state."""


def _note(item: ChecklistItem, context: RowContext) -> Text:
    return plain(item.waive_reason if item.state is ChecklistState.WAIVED else item.evidence)


def _score(item: ChecklistItem, context: RowContext) -> Text:
    if not item.asks_score:
        return plain("")
    if item.score is None:
        return plain("?/10", "dim")
    return plain(f"{item.score}/10", "bold")


CHECKLIST_COLUMNS: list[Column[ChecklistItem]] = [
    Column("key", "Key", lambda r, c: plain(r.key), 5, fit_content=True, measure=key_width),
    Column("title", "Item", lambda r, c: plain(r.title), 22, flex=True, ideal=30),
    Column("state", "State", lambda r, c: label_of(r.state, STATE_STYLES[r.state]), 6),
    Column("done_by", "By", lambda r, c: plain(r.done_by), 12, drop_order=3),
    Column("done_at", "When", lambda r, c: when(r.done_at, c.zone), 16, drop_order=4, **DATE_FIT),
    Column("note", "Evidence / reason", _note, 20, drop_order=2),
    Column("score", "Score", _score, 5),
]
"""The columns of the closing checklist."""

LESSON_COLUMNS: list[Column[LessonLearned]] = [
    Column("key", "Key", lambda r, c: plain(r.key), 5, fit_content=True, measure=key_width),
    Column("title", "Lesson", lambda r, c: plain(r.title), 20, flex=True, ideal=28),
    Column("category", "Category", lambda r, c: plain(r.category), 10),
    Column("learned", "We learned", lambda r, c: plain(r.learned), 20, drop_order=2),
    Column("next_time", "Next time", lambda r, c: plain(r.next_time), 20, drop_order=3),
]
"""The columns of the lessons learned."""

FOLLOW_ON_COLUMNS: list[Column[FollowOnAction]] = [
    Column("key", "Key", lambda r, c: plain(r.key), 5, fit_content=True, measure=key_width),
    Column("title", "Action", lambda r, c: plain(r.title), 20, flex=True, ideal=28),
    Column("owner", "Owner", lambda r, c: plain(r.owner), 14),
    Column("due", "Due", lambda r, c: day(r.due), 10, **DATE_FIT),
    Column("notes", "Notes", lambda r, c: plain(r.notes), 20, drop_order=2),
]
"""The columns of the follow-on actions."""

VIEWS: dict[str, tuple[str, str]] = {
    "checklist": ("Checklist", "checklist-table"),
    "lessons": ("Lessons learned", "lesson-table"),
    "follow_ons": ("Follow-on actions", "follow-on-table"),
}
"""The pane's three tables by view name: their section title and table id, in order."""

TALL_HEIGHT = 32
"""From this pane height on, the three tables are shown together; below it, one at a time."""


def closing_tab_title(
    title: str, gates: list[Gate], closed: bool, detail: TitleDetail = "full"
) -> str:
    """The Closing tab's title: "Closing · 2 open" (gates), "Closing · ready", "Closing · closed".

    At the shortest (see :func:`~clientdesk.widgets.tab_titles.fit_tab_titles`)
    the open gates read "Closing 2".
    """
    if closed:
        return f"{title} · closed"
    failing = sum(1 for gate in gates if not gate.passed)
    if not failing:
        return f"{title} · ready"
    return f"{title} {failing}" if detail == "shortest" else f"{title} · {failing} open"


def closed_line(project: Project, context: RowContext) -> str:
    """The banner of a closed project: "Closed on … by … (override: …)"."""
    assert project.closed_at is not None
    at = datetime_text(project.closed_at.astimezone(context.zone))
    line = f"Closed on {at} by {project.closed_by or 'unknown'}"
    if project.close_override_reason:
        line += f" (override: {project.close_override_reason})"
    return line + f" · read-only until reopened ({key_of('closing.reopen_project')})"


def reordered(
    items: list[ChecklistItem], item: ChecklistItem, step: int
) -> list[tuple[ChecklistItem, int]]:
    """Move ``item`` ``step`` places in ``items`` (in display order); the new positions.

    Returns:
        Each item whose position changes, with its new position; empty when
        the item cannot move that way. Positions become 1, 2, 3, ... so that
        items that shared a position get an order of their own.
    """
    order = list(items)
    index = next((i for i, other in enumerate(order) if other.id == item.id), None)
    if index is None or not 0 <= index + step < len(order):
        return []
    order[index], order[index + step] = order[index + step], order[index]
    return [
        (other, position)
        for position, other in enumerate(order, start=1)
        if other.position != position
    ]


class ClosingPane(RecordTablePane):
    """The close of a project: its gates, checklist, lessons learned and follow-on actions."""

    DEFAULT_CSS = """
    ClosingPane > #closed-banner {
        display: none;
        width: 1fr;
        height: 1;
        padding: 0 1;
        background: $error-muted;
        color: $text-error;
        text-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ClosingPane.-closed > #closed-banner {
        display: block;
    }
    ClosingPane > .closing-view {
        display: none;
    }
    ClosingPane.-view-checklist > .view-checklist,
    ClosingPane.-view-lessons > .view-lessons,
    ClosingPane.-view-follow_ons > .view-follow_ons,
    ClosingPane.-tall > .closing-view {
        display: block;
    }
    ClosingPane.-tall > #checklist-table {
        height: 2fr;
    }
    """

    ACTION_SCOPE = "closing"
    BINDINGS = bindings("closing", explained=True)

    NOUN = "checklist item"

    view: reactive[str] = reactive("checklist", init=False)
    """The table the pane's keys act on: a key of :data:`VIEWS`."""

    class SetItemState(Message):
        """The user asked to tick, waive or reopen a checklist item."""

        def __init__(self, item: ChecklistItem, state: str) -> None:
            """Say which item and what state."""
            super().__init__()
            self.item = item
            """The item, as shown (its revision is the one the change is based on)."""
            self.state = state
            """The new state: ``done``, ``waived`` or ``open``."""

    class ReorderItems(Message):
        """The user moved a checklist item up or down."""

        def __init__(
            self, moved: ChecklistItem, positions: list[tuple[ChecklistItem, int]]
        ) -> None:
            """Say which item moved and every new position (saved in one batch)."""
            super().__init__()
            self.moved = moved
            """The item the user moved."""
            self.positions = positions
            """Each item whose position changes, with its new position."""

    class CloseProject(Message):
        """The user asked to close the project."""

        def __init__(self, project: Project) -> None:
            """Say which project."""
            super().__init__()
            self.project = project
            """The project, as shown."""

    class ReopenProject(Message):
        """The user asked to reopen the closed project."""

        def __init__(self, project: Project) -> None:
            """Say which project."""
            super().__init__()
            self.project = project
            """The project, as shown."""

    class WriteReport(Message):
        """The user asked for the closing report."""

        def __init__(self, project: Project) -> None:
            """Say which project."""
            super().__init__()
            self.project = project
            """The project, as shown."""

    def __init__(self, *, id: str | None = None) -> None:
        """Create the empty pane."""
        super().__init__(id=id)
        self._row_context: RowContext | None = None
        self._items: list[ChecklistItem] = []
        self._gates: list[Gate] = []

    def compose_tables(self) -> ComposeResult:
        """The closed banner, the gates, then the three tables under their titles."""
        yield Label(id="closed-banner", markup=False)
        yield Label(id="gates-title", classes="section-title")
        yield ClosingGates(id="closing-gates")
        columns: dict[str, list[Any]] = {
            "checklist": CHECKLIST_COLUMNS,
            "lessons": LESSON_COLUMNS,
            "follow_ons": FOLLOW_ON_COLUMNS,
        }
        for view, (_, table_id) in VIEWS.items():
            classes = f"closing-view view-{view}"
            yield Label(id=f"{view}-title", classes=f"section-title {classes}")
            yield RecordTable(columns[view], id=table_id, classes=classes)

    def on_mount(self) -> None:
        """Show the first view."""
        self._show_view()

    def show(
        self,
        snapshot: Snapshot,
        project: Project,
        now: datetime,
        *,
        gates: list[Gate] | None = None,
    ) -> None:
        """Show the gates, checklist (in its own order), lessons and follow-ons of ``project``.

        Args:
            snapshot: every record at one moment.
            project: the project whose close to show.
            now: the current time (a meeting still ahead blocks a gate).
            gates: the gates already computed for this snapshot, project and
                ``now``: the app computes them once for the tab title and hands
                them down, so that a refresh computes them once. Computed here
                when not given.
        """
        # Imported here, not at the top: keeps pydantic out of start-up.
        from clientdesk.store.closing import closing_gates
        from clientdesk.store.models import ChecklistItem, FollowOnAction, LessonLearned

        context = RowContext(project, snapshot, now)
        self._row_context = context
        self._items = sorted(
            snapshot.of_project(ChecklistItem, project.id), key=lambda item: item.position
        )
        self._gates = list(gates) if gates is not None else closing_gates(snapshot, project, now)
        self.fill("checklist-table", self._items, context)
        self.fill("lesson-table", snapshot.of_project(LessonLearned, project.id), context)
        self.fill("follow-on-table", snapshot.of_project(FollowOnAction, project.id), context)
        self.query_one(ClosingGates).set_gates(self._gates)
        self.set_class(project.is_closed, "-closed")
        if project.is_closed:
            banner = printable(closed_line(project, context))  # a name and a reason from the file
            self.query_one("#closed-banner", Label).update(Text(banner))
        self._show_titles()
        self.refresh_status()
        self.refresh_bindings()

    # -- what the app and the tests read -------------------------------------------

    @property
    def project(self) -> Project | None:
        """The project shown (None before the first :meth:`show`)."""
        return self._row_context.project if self._row_context is not None else None

    @property
    def is_closed(self) -> bool:
        """True when the project shown is closed."""
        project = self.project
        return project is not None and project.is_closed

    @property
    def gates(self) -> list[Gate]:
        """The gates as shown."""
        return list(self._gates)

    @property
    def gate_list(self) -> ClosingGates:
        """The list of gates."""
        return self.query_one(ClosingGates)

    def reveal(self, record_id: str) -> bool:
        """Show the table that lists the record, with the cursor on it."""
        for view in VIEWS:
            if any(record.id == record_id for record in self.table_of(view).all_records):
                self.view = view
                break
        return super().reveal(record_id)

    def table_of(self, view: str) -> RecordTable[Any]:
        """The table of ``view`` (a key of :data:`VIEWS`)."""
        return self.query_one(f"#{VIEWS[view][1]}", RecordTable)

    @property
    def selected_record(self) -> Record | None:
        """The record under the cursor of the table the keys act on (see :attr:`view`)."""
        record: Record | None = self.table_of(self.view).selected_record
        return record

    @property
    def selected_item(self) -> ChecklistItem | None:
        """The checklist item under the cursor, when the checklist is the table in use."""
        if self.view != "checklist":
            return None
        item: ChecklistItem | None = self.table_of("checklist").selected_record
        return item

    def status_text(self) -> str:
        """How many items are settled, how many lessons and follow-ons; or what matches."""
        checklist, lessons, follow_ons = (self.table_of(view) for view in VIEWS)
        if self.filter_text:
            return (
                f"{checklist.shown_count} of {counted(checklist.total_count, 'item')}, "
                f"{lessons.shown_count} of {counted(lessons.total_count, 'lesson')}, "
                f"{follow_ons.shown_count} of "
                f"{counted(follow_ons.total_count, 'follow-on action')} match"
            )
        settled = sum(1 for item in self._items if item.state is not ChecklistState.OPEN)
        return (
            f"{settled} of {counted(len(self._items), 'item')} done or waived · "
            f"{counted(lessons.total_count, 'lesson')} · "
            f"{counted(follow_ons.total_count, 'follow-on action')}"
        )

    def focus_table(self) -> None:
        """Focus the table in use."""
        self.table_of(self.view).focus()

    # -- actions ---------------------------------------------------------------------

    @property
    def shown_project(self) -> Project | None:
        """The project whose checklist is shown."""
        return self.project

    def refusal(self, action: Action) -> str:
        """Why ``action`` cannot be done now ("" when it can)."""
        project = self.project
        if project is not None and action.id == "closing.close_project" and project.is_closed:
            return f"{project.key} is closed already."
        if project is not None and action.id == "closing.reopen_project" and not project.is_closed:
            return f"{project.key} is open: {key_of('closing.close_project')} closes it."
        targets = {
            "tick": ChecklistState.DONE,
            "waive": ChecklistState.WAIVED,
            "open_item": ChecklistState.OPEN,
        }
        if not action.writes:
            return ""
        if self.view != "checklist":
            view = key_of("closing.view")
            return f"{action.name} works on the checklist's items: {view} shows the checklist."
        item = self.selected_item
        if item is None:
            return self.nothing_selected()
        _, name, parameters = parse(action.run)
        if name in targets and item.state == targets[name]:
            state = {"done": "ticked", "waived": "waived", "open": "open"}[item.state]
            return f"{item.key} is {state} already."
        if name == "move_item" and not reordered(self._items, item, int(str(parameters[0]))):
            return f"{item.key} is {'first' if parameters[0] == -1 else 'last'} already."
        return ""

    def _ask_state(self, state: ChecklistState) -> None:
        item = self.selected_item
        if item is not None and item.state != state and not self.is_closed:
            self.post_message(self.SetItemState(item, state.value))

    def action_tick(self) -> None:
        """Ask the app to tick the item under the cursor."""
        self._ask_state(ChecklistState.DONE)

    def action_waive(self) -> None:
        """Ask the app to waive the item under the cursor."""
        self._ask_state(ChecklistState.WAIVED)

    def action_open_item(self) -> None:
        """Ask the app to open the item under the cursor again."""
        self._ask_state(ChecklistState.OPEN)

    def action_move_item(self, step: int) -> None:
        """Ask the app to move the item under the cursor ``step`` places."""
        item = self.selected_item
        if item is None or self.is_closed:
            return
        positions = reordered(self._items, item, step)
        if positions:
            self.post_message(self.ReorderItems(item, positions))

    def action_cycle_view(self) -> None:
        """Show (or, on a tall terminal, move to) the next table."""
        views = list(VIEWS)
        self.view = views[(views.index(self.view) + 1) % len(views)]
        self.call_after_refresh(self.focus_table)  # once it is displayed

    def action_close_project(self) -> None:
        """Ask the app to close the project."""
        project = self.project
        if project is not None and not project.is_closed:
            self.post_message(self.CloseProject(project))

    def action_reopen_project(self) -> None:
        """Ask the app to reopen the project."""
        project = self.project
        if project is not None and project.is_closed:
            self.post_message(self.ReopenProject(project))

    def action_closing_report(self) -> None:
        """Ask the app to write the closing report."""
        project = self.project
        if project is not None:
            self.post_message(self.WriteReport(project))

    # -- internals -------------------------------------------------------------------

    def watch_view(self) -> None:
        """Show the table in use (on a short terminal) and offer its keys."""
        self._show_view()
        self._show_titles()
        self.refresh_bindings()

    def _show_view(self) -> None:
        for view in VIEWS:
            self.set_class(view == self.view, f"-view-{view}")

    def _show_titles(self) -> None:
        tall = self.has_class("-tall")
        views = list(VIEWS)
        next_view = views[(views.index(self.view) + 1) % len(views)]
        for view, (title, _) in VIEWS.items():
            table = self.table_of(view)
            text = Text.assemble((title, "bold"), (f" ({table.total_count})", "dim"))
            if not tall:
                key = key_of("closing.view")
                text.append(f"  {key}: {VIEWS[next_view][0].lower()}", style="not bold dim")
            self.query_one(f"#{view}-title", Label).update(text)
        gates_title = Text.assemble(("Closing gates", "bold"))
        if self.is_closed:
            reopen, report = key_of("closing.reopen_project"), key_of("closing.report")
            gates_title.append(f"  {reopen}: reopen · {report}: report", style="not bold dim")
        else:
            close, report = key_of("closing.close_project"), key_of("closing.report")
            hint = f"  enter: blockers · {close}: close · {report}: report"
            gates_title.append(hint, style="not bold dim")
        self.query_one("#gates-title", Label).update(gates_title)

    def on_resize(self, event: events.Resize) -> None:
        """Show the three tables together when the pane is tall enough."""
        tall = event.size.height >= TALL_HEIGHT
        if tall != self.has_class("-tall"):
            self.set_class(tall, "-tall")
            self._show_titles()

    @on(events.DescendantFocus)
    def _follow_focus(self, event: events.DescendantFocus) -> None:
        # On a tall terminal, tab or a click moves to another table: the keys follow.
        for view in VIEWS:
            if event.widget is self.table_of(view) and self.view != view:
                self.view = view
