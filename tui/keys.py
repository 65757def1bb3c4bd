"""The help screen's lines and the command palette's entries, derived from the action registry.

Both list what works where the user is: the actions of the pane in use first,
then those of the app. Keys are read from the screen's active bindings, so a
key the config file remapped shows as remapped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.app import SystemCommand
from textual.dom import DOMNode
from textual.screen import Screen

from clientdesk.widgets.actions import (
    ACTIONS,
    SCOPES,
    Action,
    ExplainedActions,
    action_of,
)
from clientdesk.widgets.help_screen import HelpEntry

PALETTE_SKIPS = frozenset({"table", "heat_map", "week", "gates", "picker", "help"})
"""Scopes whose actions move a cursor: the palette leaves them to their keys."""


@dataclass
class ScopeKeys:
    """What one scope offers on the screen now.

    Attributes:
        node: the node that owns the scope's bindings.
        keys: the keys shown for each action id, in the order they were found.
    """

    node: DOMNode
    keys: dict[str, list[str]]


def live_scopes(screen: Screen[Any]) -> dict[str, ScopeKeys]:
    """The scopes whose keys work on ``screen`` now, with their keys, in help order."""
    app = screen.app
    found: dict[str, ScopeKeys] = {}
    for active in screen.active_bindings.values():
        action = action_of(active.binding)
        if action is None:
            continue
        scope = found.setdefault(action.scope, ScopeKeys(active.node, {}))
        shown = app.get_key_display(active.binding)
        keys = scope.keys.setdefault(action.id, [])
        if shown not in keys:
            keys.append(shown)
    order = list(SCOPES)
    return dict(sorted(found.items(), key=lambda item: order.index(item[0])))


def help_entries(screen: Screen[Any]) -> list[HelpEntry]:
    """Every key that works on ``screen`` now, the pane's first, under its scope's heading."""
    entries = []
    for scope, offered in live_scopes(screen).items():
        for action in ACTIONS:
            if action.scope == scope and action.listed and action.id in offered.keys:
                key = " ".join(offered.keys[action.id])
                entries.append(HelpEntry(key, action.description, SCOPES[scope], action.id))
    return entries


def palette_commands(screen: Screen[Any]) -> Iterator[SystemCommand]:
    """Every action of the pane in use and of the app, by name, for the command palette.

    Actions without a key (acknowledge a request, export the calendar) are
    found here too. An action whose key is not offered here now is left out;
    one that does not apply to the row under the cursor is listed, and says
    why when chosen.
    """
    for scope, offered in live_scopes(screen).items():
        if scope in PALETTE_SKIPS:
            continue
        node = offered.node
        for action in ACTIONS:
            if action.scope != scope or not action.listed:
                continue
            run = _runner(node, action)
            if run is None:
                continue
            keys = offered.keys.get(action.id)
            help_text = f"{action.description} ({', '.join(keys)})" if keys else action.description
            yield SystemCommand(action.name, help_text, run)


def _runner(node: DOMNode, action: Action) -> Callable[[], Any] | None:
    """How the palette runs ``action`` on ``node`` (None: it does not work there now)."""
    app = node.app
    if isinstance(node, ExplainedActions):
        if not node.check_action("act", (action.id,)):
            return None
        return partial(app.run_action, f"act('{action.id}')", node)
    name = action.run.split("(")[0]
    if node.check_action(name, ()) is False:
        return None
    return partial(app.run_action, action.run, node)
