# ruff: noqa: E501  (the table reads best one action per line)
"""Every action of clientdesk, declared once: its id, keys, name, where it works, whether it writes.

The bindings of the app, its panes, screens and dialogs are made from this
table (:func:`bindings`), and so are the footer, the help screen (``?``), the
command palette (``ctrl+p``), the read-only gate of a closed project and the
ids the config file's ``[keys]`` table remaps. A test checks that no binding
exists outside it, and that README's key table agrees with it.

An owner that explains refusals (the app, the panes, the meeting detail, the
contacts) mixes in :class:`ExplainedActions`: its keys run through
:meth:`ExplainedActions.action_act`, which says in one line why a key does not
apply (no record under the cursor, a status that does not allow the move, a
closed project) instead of ignoring it.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

from textual.actions import parse
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.keys import format_key


@dataclass(frozen=True)
class Action:
    """One thing the user can do, and the keys that do it.

    Attributes:
        id: the stable id (``request.close``): the config file remaps keys by it.
        keys: Textual key names, comma-separated (``"s,space"``); "" when the
            action has no key and is found by name in the command palette.
        run: the action string run on its owner (``"move('closed')"``).
        scope: who owns it: ``app``, a pane (``calendar``, ``requests``,
            ``risks``, ``closing``), ``table``, a screen or a dialog.
        name: a short name, for the footer and the palette.
        description: one line for the help screen and the palette.
        writes: it changes a record: refused, with the reason, in a closed project.
        footer: its rank in the footer (1 is shown first and dropped last); 0: not shown.
        footer_key: how the footer shows the default key when it stands for more
            than itself (``1-4`` for the four panes); a remapped key shows as itself.
        short: the footer's name when it differs from :attr:`name` (``Panes``).
        priority: checked before the focused widget's keys (``ctrl+q``).
        listed: shown in the help and the palette (False for a second key of
            another action, such as ``escape`` beside ``n`` in a dialog).
        footer_when_live: shown in the footer only while it applies (close and
            reopen take turns: the footer shows the one that does something).
    """

    id: str
    keys: str
    run: str
    scope: str
    name: str
    description: str
    writes: bool = False
    footer: int = 0
    footer_key: str = ""
    short: str = ""
    priority: bool = False
    listed: bool = True
    footer_when_live: bool = False


SCOPES: dict[str, str] = {
    "calendar": "Calendar pane",
    "requests": "Requests pane",
    "risks": "Risks pane",
    "closing": "Closing pane",
    "heat_map": "Risk heat map",
    "week": "Week view",
    "gates": "Closing gates",
    "pane": "This pane",
    "table": "Moving around",
    "app": "Everywhere",
    "detail": "Meeting",
    "contacts": "Contacts",
    "welcome": "Welcome",
    "form": "Form",
    "minutes": "Minutes",
    "recipients": "Choose recipients",
    "move": "Move an occurrence",
    "tick": "Tick an item",
    "reason": "Reason",
    "confirm": "Question",
    "close_blocked": "Closing blocked",
    "conflict": "Conflict",
    "follow_up": "Follow-up",
    "busy": "Working",
    "picker": "Projects",
    "filter": "Filter",
    "help": "Help",
}
"""Every scope, in the order the help screen lists them, with its heading."""

PANE_SCOPES = ("calendar", "requests", "risks", "closing")
"""The scopes that are panes: their keys come first in the help and the footer."""


def _a(
    id: str,
    keys: str,
    run: str,
    scope: str,
    name: str,
    description: str,
    **options: Any,
) -> Action:
    return Action(id, keys, run, scope, name, description, **options)


ACTIONS: tuple[Action, ...] = (
    # -- everywhere on the main screen ---------------------------------------------------
    _a("pane.calendar", "1", "show_pane('calendar')", "app", "Calendar", "Show the Calendar pane", footer=30, footer_key="1-4", short="Panes"),
    _a("pane.requests", "2", "show_pane('requests')", "app", "Requests", "Show the Requests pane"),
    _a("pane.risks", "3", "show_pane('risks')", "app", "Risks", "Show the Risks pane"),
    _a("pane.closing", "4", "show_pane('closing')", "app", "Closing", "Show the Closing pane"),
    _a("project.switch", "p", "switch_project", "app", "Switch project", "Switch to another project", footer=20),
    _a("project.new", "N", "new_project", "app", "New project", "Create a project"),
    _a("project.edit", "P", "edit_project", "app", "Edit project", "Edit the open project (name, dates, RAG, organiser)", writes=True),
    _a("contacts.open", "c", "contacts", "app", "Contacts", "The open project's contacts (add, edit)", footer=25),
    _a("contacts.new", "", "new_contact", "app", "New contact", "Add a contact to the open project", writes=True),
    _a("record.new", "n", "new_record", "app", "New", "New record in this pane", writes=True, footer=4),
    _a("record.edit", "e", "edit_record", "app", "Edit", "Edit the record under the cursor", writes=True, footer=5),
    _a("record.delete", "d", "delete_record", "app", "Delete", "Delete the record under the cursor (asks; ctrl+z undoes)", writes=True),
    _a("pane.filter", "slash", "filter", "app", "Filter", "Filter this pane by text", footer=12),
    _a("nav.back", "backspace", "go_back", "app", "Back", "Back to where the last jump started (a blocker, an action item)", footer=9),
    _a("nav.back_escape", "escape", "go_back", "app", "Back", "Back to where the last jump started", listed=False),
    _a("request.service_levels", "S", "service_levels", "app", "Service levels", "Response and resolution times, working week and holidays of the project", writes=True),
    _a("calendar.import", "ctrl+o", "import_ics", "app", "Import .ics", "Import a client's invite, reply or calendar (.ics), after a preview", writes=True),
    _a("calendar.export_feed", "", "export_calendar", "app", "Export the calendar", "Write the project's meetings to an .ics file (a feed to subscribe to)"),
    _a("report.status", "ctrl+r", "status_report", "app", "Status report", "Write the client status report (Markdown and HTML)"),
    _a("report.send", "ctrl+e", "send_report", "app", "Send report", "E-mail the status report to chosen contacts (the last kept one if not sent yet, else a new one, kept as sent)", writes=True),
    _a("edit.undo", "ctrl+z", "undo", "app", "Undo", "Undo your last change of this session (several levels)"),
    _a("edit.redo", "ctrl+y,ctrl+shift+z", "redo", "app", "Redo", "Redo the change you undid last"),
    _a("demo.load", "l", "load_demo", "app", "Load demo data", "Fill the empty data file with demo projects"),
    _a("data.reload", "r", "reload", "app", "Try again", "Read the data file again", footer=6),
    _a("help", "question_mark", "help", "app", "Help", "Every key of this pane, and the app's", footer=2),
    _a("palette", "ctrl+p", "command_palette", "app", "Palette", "Command palette: every action by name"),
    _a("theme", "", "change_theme", "app", "Theme", "Change the colours"),
    _a("screenshot", "f12", "screenshot", "app", "Screenshot", "Save an SVG screenshot in the current directory"),
    _a("quit", "q", "quit", "app", "Quit", "Quit clientdesk", footer=3),
    _a("quit.ctrl", "ctrl+q", "quit", "app", "Quit", "Quit clientdesk", priority=True, listed=False),
    # -- moving in every table -----------------------------------------------------------
    _a("table.open", "enter", "select_cursor", "table", "Open", "Open the record under the cursor (a meeting's detail, else its form)"),
    _a("table.down", "down,j", "cursor_down", "table", "Down", "Next row"),
    _a("table.up", "up,k", "cursor_up", "table", "Up", "Previous row"),
    _a("table.page_down", "pagedown", "page_down", "table", "Page down", "A page down"),
    _a("table.page_up", "pageup", "page_up", "table", "Page up", "A page up"),
    _a("table.first", "home,g", "first_row", "table", "First row", "The first row"),
    _a("table.last", "end,G", "last_row", "table", "Last row", "The last row"),
    _a("pane.clear_filter", "escape", "clear_filter", "pane", "Clear filter", "Clear the filter", footer=7),
    # -- the Calendar pane ----------------------------------------------------------------
    _a("calendar.view", "v", "cycle_view", "calendar", "View", "Next view: agenda, week, plan, meetings", footer=13),
    _a("calendar.today", "t", "today", "calendar", "Today", "Back to today"),
    _a("calendar.previous_week", "left_square_bracket", "shift_week(-1)", "calendar", "Week earlier", "A week earlier"),
    _a("calendar.next_week", "right_square_bracket", "shift_week(1)", "calendar", "Week later", "A week later"),
    _a("calendar.status", "s", "occurrence('status')", "calendar", "Next status", "Next status: draft → scheduled → held → minuted", writes=True, footer=8),
    _a("calendar.minutes", "m", "occurrence('minutes')", "calendar", "Minutes", "Agenda, minutes, decisions and action items of this occurrence", writes=True, footer=10),
    _a("calendar.cancel", "x", "occurrence('cancel')", "calendar", "Cancel", "Cancel this occurrence or the one-off meeting (asks; the dialog can cancel the whole series or the rest of it)", writes=True, footer=11),
    _a("calendar.restore", "r", "occurrence('restore')", "calendar", "Restore", "Restore the cancelled occurrence or meeting (then offers to e-mail the invite again)", writes=True),
    _a("calendar.move", "M", "occurrence('move')", "calendar", "Move", "Move this occurrence to another time or place", writes=True),
    _a("calendar.split", "F", "occurrence('split')", "calendar", "This and following", "Change this and all following occurrences (splits the series)", writes=True),
    _a("calendar.export", "E", "occurrence('export')", "calendar", "Export invite", "Write the invite (or cancellation) to an .ics file"),
    _a("calendar.send", "I", "occurrence('send')", "calendar", "Send invite", "E-mail the invite (or cancellation) to the attendees (asks)", writes=True),
    _a("calendar.send_minutes", "U", "occurrence('send_minutes')", "calendar", "Send minutes", "E-mail the minutes, decisions and action items to chosen contacts", writes=True),
    _a("calendar.show_cancelled", "a", "toggle_cancelled", "calendar", "Show cancelled", "Show cancelled occurrences too, or hide them"),
    _a("calendar.plan_done", "D", "plan_done", "calendar", "Plan item done", "Mark the plan item done now (the report sent, the update given)", writes=True),
    _a("calendar.plan_series", "plus", "series_from_plan", "calendar", "Meetings from plan", "Turn the plan item into a meeting series, its audience invited", writes=True),
    _a("calendar.publish", "u", "publish_caldav", "calendar", "Publish to CalDAV", "Put the project's meetings on the CalDAV calendar of the config file's [caldav] table; only what changed is sent"),
    # -- the Requests pane ----------------------------------------------------------------
    _a("request.next", "s", "next_status", "requests", "Next status", "Next status: new → acknowledged → in progress → resolved → closed (closing asks)", writes=True, footer=8),
    _a("request.acknowledge", "", "move('acknowledged')", "requests", "Acknowledge", "Acknowledge the request (stops the response clock)", writes=True),
    _a("request.in_progress", "", "move('in_progress')", "requests", "Start work", "Start work on the request (in progress)", writes=True),
    _a("request.waiting", "w", "move('waiting_on_client')", "requests", "Waiting on client", "Wait on the client (pauses the clocks)", writes=True, footer=14),
    _a("request.resolve", "", "move('resolved')", "requests", "Resolve", "Resolve the request (stops the resolution clock)", writes=True),
    _a("request.reopen", "r", "move('in_progress', True)", "requests", "Reopen", "Reopen the resolved request (in progress)", writes=True),
    _a("request.close", "x", "move('closed')", "requests", "Close", "Close the resolved request for good (asks)", writes=True, footer=11),
    _a("request.reject", "X", "move('rejected')", "requests", "Reject", "Reject the request (asks for a reason)", writes=True),
    _a("request.comment", "m", "comment", "requests", "Comment", "Comment on the request (its log)", writes=True, footer=10),
    _a("request.quick_filter", "f", "cycle_filter", "requests", "Quick filter", "Quick filter: open, mine, breached, waiting on client, changes", footer=13),
    _a("request.show_all", "a", "toggle_closed", "requests", "Show all", "Show closed and rejected too, or open only"),
    _a("request.sort", "o", "cycle_sort", "requests", "Sort", "Sort order: urgency, priority, newest, key"),
    # -- the Risks pane -------------------------------------------------------------------
    _a("risk.next", "s", "next_status", "risks", "Next status", "Next status: open → monitoring", writes=True, footer=8),
    _a("risk.monitoring", "", "move('monitoring')", "risks", "Monitoring", "Move the risk to monitoring", writes=True),
    _a("risk.occurred", "O", "move('occurred')", "risks", "Occurred", "Mark the risk as occurred (then offers a change request or a review)", writes=True, footer=14),
    _a("risk.close", "x", "move('closed')", "risks", "Close", "Close the risk (asks for a reason)", writes=True, footer=11),
    _a("risk.reopen", "r", "move('open')", "risks", "Reopen", "Reopen the risk (status open)", writes=True),
    _a("risk.quick_filter", "f", "cycle_filter", "risks", "Quick filter", "Quick filter: all, threats, opportunities, mine, review overdue", footer=13),
    _a("risk.heat_map", "h", "heat_map", "risks", "Heat map", "Heat map: its own view, or move to it and back", footer=10),
    _a("risk.residual", "v", "toggle_residual", "risks", "Inherent/residual", "Heat map: inherent or residual scores"),
    _a("risk.map_kind", "t", "toggle_map_kind", "risks", "Threats/opportunities", "Heat map: threats or opportunities"),
    _a("map.up", "up,k", "move(1, 0)", "heat_map", "Probability up", "Heat map: the cell above (more likely)"),
    _a("map.down", "down,j", "move(-1, 0)", "heat_map", "Probability down", "Heat map: the cell below (less likely)"),
    _a("map.right", "right", "move(0, 1)", "heat_map", "Impact up", "Heat map: the cell to the right (more impact)"),
    _a("map.left", "left", "move(0, -1)", "heat_map", "Impact down", "Heat map: the cell to the left (less impact)"),
    _a("map.select", "enter", "select_cell", "heat_map", "Filter by cell", "Show only the risks of this cell (enter again: all)"),
    # -- the Closing pane -----------------------------------------------------------------
    _a("closing.tick", "s,space", "tick", "closing", "Tick", "Tick the item (asks for evidence, and a score if asked)", writes=True, footer=8),
    _a("closing.waive", "w", "waive", "closing", "Waive", "Waive the item (asks for a reason)", writes=True, footer=14),
    _a("closing.open", "r", "open_item", "closing", "Open again", "Open the item again (undoes a tick or a waiver)", writes=True),
    _a("closing.move_up", "shift+up", "move_item(-1)", "closing", "Move up", "Move the item up the checklist", writes=True),
    _a("closing.move_down", "shift+down", "move_item(1)", "closing", "Move down", "Move the item down the checklist", writes=True),
    _a("closing.view", "v", "cycle_view", "closing", "Next table", "Next table: checklist, lessons learned, follow-on actions", footer=13),
    _a("closing.close_project", "C", "close_project", "closing", "Close project", "Close the project (checks the gates; an override asks a reason)", footer=15, footer_when_live=True),
    _a("closing.reopen_project", "R", "reopen_project", "closing", "Reopen project", "Reopen the closed project (asks)", footer=15, footer_when_live=True),
    _a("closing.report", "W", "closing_report", "closing", "Closing report", "Write the closing report (Markdown) in the current directory"),
    _a("gates.unfold", "right,l", "unfold", "gates", "Show blockers", "Show the gate's blockers"),
    _a("gates.fold", "left,h", "fold", "gates", "Hide blockers", "Hide the gate's blockers"),
    _a("gates.down", "j", "cursor_down", "gates", "Down", "The next line"),
    _a("gates.up", "k", "cursor_up", "gates", "Up", "The line before"),
    # -- the week view --------------------------------------------------------------------
    _a("week.previous", "up,k", "step(-1)", "week", "Previous meeting", "The meeting before"),
    _a("week.next", "down,j", "step(1)", "week", "Next meeting", "The meeting after"),
    _a("week.day_before", "left,h", "day(-1)", "week", "Day earlier", "A meeting a day earlier"),
    _a("week.day_after", "right,l", "day(1)", "week", "Day later", "A meeting a day later"),
    _a("week.open", "enter", "choose", "week", "Open", "Open the meeting's detail", footer=6),
    # -- the meeting detail ---------------------------------------------------------------
    _a("detail.edit", "e", "close_with('edit')", "detail", "Edit", "Edit the meeting or series", writes=True, footer=1),
    _a("detail.minutes", "m", "close_with('minutes')", "detail", "Minutes", "Record minutes, decisions and action items", writes=True, footer=2),
    _a("detail.status", "s", "close_with('status')", "detail", "Next status", "Next status: draft → scheduled → held → minuted", writes=True, footer=3),
    _a("detail.cancel_occurrence", "x", "close_with('cancel_occurrence')", "detail", "Cancel", "Cancel this occurrence or the one-off meeting (asks; the dialog can cancel the whole series or the rest of it)", writes=True, footer=4),
    _a("detail.move", "M", "close_with('move')", "detail", "Move", "Move this occurrence to another time or place", writes=True, footer=5),
    _a("detail.split", "F", "close_with('split')", "detail", "Split", "Change this and all following occurrences (splits the series)", writes=True, footer=6),
    _a("detail.action_to_request", "a", "action_to_request", "detail", "To request", "Turn an action item into a client request (linked both ways)", writes=True, footer=7),
    _a("detail.send_minutes", "U", "close_with('send_minutes')", "detail", "Send minutes", "E-mail the minutes, decisions and action items to chosen contacts", writes=True),
    _a("detail.close", "escape", "close_with(None)", "detail", "Close", "Close the meeting's detail", footer=8),
    # -- the contacts screen --------------------------------------------------------------
    _a("contacts.add", "n", "new_contact", "contacts", "New contact", "Add a contact to the project", footer=1),
    _a("contacts.edit", "e", "edit_contact", "contacts", "Edit contact", "Edit the contact under the cursor", footer=2),
    _a("contacts.filter", "slash", "filter", "contacts", "Filter", "Filter the contacts by text", footer=3),
    _a("contacts.close", "escape", "close", "contacts", "Close", "Back to the panes", footer=4),
    # -- the welcome panel ----------------------------------------------------------------
    _a("welcome.create", "n", "create_project", "welcome", "Create a first project", "Create the first project", footer=1),
    _a("welcome.demo", "l", "load_demo", "welcome", "Load demo data", "Fill the empty data file with demo projects", footer=2),
    # -- forms and dialogs ----------------------------------------------------------------
    _a("form.save", "ctrl+s", "save", "form", "Save", "Save the form", footer=1),
    _a("form.cancel", "escape", "cancel", "form", "Cancel", "Close the form (asks when something changed)", footer=2),
    _a("minutes.save", "ctrl+s", "save", "minutes", "Save", "Save the minutes", footer=1),
    _a("minutes.cancel", "escape", "cancel", "minutes", "Cancel", "Close without saving (asks when something changed)", footer=2),
    _a("recipients.send", "ctrl+s", "send", "recipients", "Send", "Send to the ticked people", footer=1),
    _a("recipients.cancel", "escape", "cancel", "recipients", "Cancel", "Close without sending", footer=2),
    _a("recipients.down", "j", "move(1)", "recipients", "Down", "The next person"),
    _a("recipients.up", "k", "move(-1)", "recipients", "Up", "The person before"),
    _a("move.save", "ctrl+s", "move", "move", "Move", "Move the occurrence", footer=1),
    _a("move.cancel", "escape", "cancel", "move", "Cancel", "Leave the occurrence where it is", footer=2),
    _a("tick.save", "ctrl+s", "tick", "tick", "Tick", "Tick the item with this evidence", footer=1),
    _a("tick.cancel", "escape", "cancel", "tick", "Cancel", "Leave the item as it is", footer=2),
    _a("reason.cancel", "escape", "cancel", "reason", "Cancel", "Close without a reason: nothing changes", footer=1),
    _a("confirm.yes", "y", "answer(True)", "confirm", "Yes", "Yes", footer=1),
    _a("confirm.no", "n", "answer(False)", "confirm", "No", "No", footer=2),
    _a("confirm.cancel", "escape", "answer(False)", "confirm", "No", "No", listed=False),
    _a("close.override", "o", "answer(True)", "close_blocked", "Override…", "Close anyway, with a recorded reason", footer=1),
    _a("close.cancel", "escape", "answer(False)", "close_blocked", "Cancel", "Keep the project open", footer=2),
    _a("conflict.keep_mine", "m", "choose('mine')", "conflict", "Keep mine", "Save your version over theirs", footer=1),
    _a("conflict.take_theirs", "t", "choose('theirs')", "conflict", "Take theirs", "Take their version into the form", footer=2),
    _a("conflict.discard", "d", "choose('discard')", "conflict", "Discard mine", "Close the form without saving yours", footer=3),
    _a("conflict.back", "b", "back", "conflict", "Back to editing", "Back to the form", footer=4),
    _a("conflict.cancel", "escape", "back", "conflict", "Back to editing", "Back to the form", listed=False),
    _a("follow_up.request", "r", "choose('request')", "follow_up", "Request", "Raise a change request linked to the risk", footer=1),
    _a("follow_up.meeting", "m", "choose('meeting')", "follow_up", "Meeting", "Raise a draft review meeting linked to the risk", footer=2),
    _a("follow_up.neither", "n", "neither", "follow_up", "Neither", "Raise nothing", footer=3),
    _a("follow_up.cancel", "escape", "neither", "follow_up", "Neither", "Raise nothing", listed=False),
    _a("busy.cancel", "escape", "cancel", "busy", "Cancel", "Stop reading the file", footer=1),
    _a("picker.cancel", "escape", "cancel", "picker", "Cancel", "Keep the project that is open", footer=1),
    _a("picker.down", "down", "move(1)", "picker", "Next", "The next project"),
    _a("picker.up", "up", "move(-1)", "picker", "Previous", "The project before"),
    _a("filter.clear", "escape", "clear", "filter", "Clear filter", "Clear the filter and close it", footer=1),
    _a("help.close", "escape,q,question_mark", "close", "help", "Close", "Close the help", footer=1),
    _a("help.down", "down,j", "scroll_down", "help", "Down", "Scroll down"),
    _a("help.up", "up,k", "scroll_up", "help", "Up", "Scroll up"),
    _a("help.page_down", "pagedown,space", "page_down", "help", "Page down", "A page down"),
    _a("help.page_up", "pageup", "page_up", "help", "Page up", "A page up"),
    _a("help.home", "home,g", "scroll_home", "help", "Top", "The top of the list"),
    _a("help.end", "end,G", "scroll_end", "help", "Bottom", "The end of the list"),
)  # fmt: skip
"""Every action, in the order the help lists them within a scope."""

BY_ID: dict[str, Action] = {action.id: action for action in ACTIONS}
"""Every action by its id."""


_SPELLED_OUT = {"enter": "enter", "escape": "escape", "backspace": "backspace", "space": "space"}
"""Keys a hint spells out rather than showing Textual's symbol for them."""

_keys_in_force: dict[str, str] = {}


def use_keymap(keymap: Mapping[str, str]) -> None:
    """Take the config file's remapped keys (id to keys) for :func:`key_of`."""
    _keys_in_force.clear()
    _keys_in_force.update(keymap)


def key_of(action_id: str) -> str:
    """The key that does ``action_id`` now, as a hint names it (``r``, ``backspace``)."""
    keys = _keys_in_force.get(action_id) or BY_ID[action_id].keys
    first = keys.split(",")[0].strip()
    return _SPELLED_OUT.get(first, format_key(first))


def in_scope(scope: str) -> list[Action]:
    """The actions of ``scope``, in declaration order."""
    return [action for action in ACTIONS if action.scope == scope]


def bindings(scope: str, *, explained: bool = False) -> list[BindingType]:
    """The Textual bindings of ``scope``'s actions that have keys.

    Args:
        scope: the owner's scope.
        explained: run each through ``act(id)`` (see :class:`ExplainedActions`),
            so that a key that does not apply says why.
    """
    return [
        Binding(
            action.keys,
            f"act('{action.id}')" if explained else action.run,
            action.name,
            show=action.footer > 0,
            priority=action.priority,
            tooltip=action.description,
            id=action.id,
        )
        for action in in_scope(scope)
        if action.keys
    ]


def binding_ids() -> set[str]:
    """Every binding id: the ids the config file's ``[keys]`` table may remap."""
    return {action.id for action in ACTIONS if action.keys}


def keyless_ids() -> set[str]:
    """The ids of the actions without a key: the command palette finds them by name."""
    return {action.id for action in ACTIONS if not action.keys}


def action_of(binding: Binding) -> Action | None:
    """The registered action a binding was made from (None for Textual's own)."""
    return BY_ID.get(binding.id or "")


@runtime_checkable
class SavesGate(Protocol):
    """An app whose store may take no saves for a while (a database out of reach)."""

    saves_refused: str
    """Why nothing can be saved just now, in one line ("" when saves work)."""


class ExplainedActions(DOMNode):
    """A node whose keys say why they do not apply, instead of doing nothing.

    Its bindings (``bindings(scope, explained=True)``) run :meth:`action_act`.
    :meth:`is_live` decides whether a key belongs to the node at all just now
    (a key that is not live passes to the next node, as Textual does);
    :meth:`refusal` says why a live key cannot act on what is under the
    cursor. An action that writes is refused in a closed project first.
    """

    ACTION_SCOPE: ClassVar[str] = ""
    """The scope of the node's actions in :data:`ACTIONS`."""

    def is_live(self, action: Action) -> bool:
        """True when ``action``'s key belongs to this node now (default: always)."""
        return True

    def refusal(self, action: Action) -> str:
        """Why ``action`` cannot be done now, in one line ("" when it can)."""
        return ""

    def closed_project_key(self) -> str:
        """The key of the closed project shown here ("" when it is open, or none is shown)."""
        return ""

    def why_not(self, action: Action) -> str:
        """:meth:`refusal`, after the read-only gates: the store's, then a closed project's."""
        if action.writes:
            app = self.app
            if isinstance(app, SavesGate) and app.saves_refused:
                return app.saves_refused
        closed = self.closed_project_key()
        if action.writes and closed:
            reopen = key_of("closing.reopen_project")
            return f"{closed} is closed: reopen it (Closing pane, {reopen}) to change it"
        return self.refusal(action)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A registered key is offered while it is live; the rest as the node decides."""
        if action == "act" and parameters:
            registered = BY_ID.get(str(parameters[0]))
            return registered is not None and self.is_live(registered)
        return super().check_action(action, parameters)

    async def action_act(self, action_id: str) -> None:
        """Do the registered action ``action_id``, or say in one line why not."""
        action = BY_ID[action_id]
        reason = self.why_not(action)
        if reason:
            self.app.notify(reason, severity="warning", markup=False)
            return
        await self.run_registered(action)

    async def run_registered(self, action: Action) -> None:
        """Run ``action``'s action method on this node (no checks)."""
        _, name, parameters = parse(action.run)
        method = getattr(self, f"action_{name}", None)
        if method is None:  # an action of Textual's (the palette, the theme)
            await self.app.run_action(action.run, self)
            return
        result = method(*parameters)
        if inspect.isawaitable(result):
            await result


def listed(actions: Iterable[Action]) -> list[Action]:
    """The actions of ``actions`` that the help and the palette show."""
    return [action for action in actions if action.listed]


def key_names(action: Action) -> str:
    """``action``'s keys as README and the help spell them: ``s`` / ``space``."""
    names = [_SPELLED_OUT.get(key, format_key(key)) for key in action.keys.split(",")]
    return " / ".join(f"`{name}`" for name in names)


def key_table_markdown() -> str:
    """README's table of keys: every listed action with a key, scope by scope, with its id."""
    lines = ["| where | key | does | id (config `[keys]`) |", "|---|---|---|---|"]
    first = ("app", "table", "pane")
    for scope in (*first, *(scope for scope in SCOPES if scope not in first)):
        heading = SCOPES[scope]
        for action in in_scope(scope):
            if action.keys and action.listed:
                does = action.description.replace("|", "\\|")
                lines.append(f"| {heading} | {key_names(action)} | {does} | `{action.id}` |")
    return "\n".join(lines) + "\n"
