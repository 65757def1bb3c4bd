"""The footer of the main screen: the keys of the pane in use first, fitted to the width."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget

from clientdesk.widgets.actions import PANE_SCOPES, Action, ExplainedActions, action_of


@dataclass(frozen=True)
class FooterKey:
    """One key the footer shows.

    Attributes:
        key: the key as shown (``s``, ``1-4``, ``⌫``).
        action: the registered action.
        node: the node whose binding runs it.
        binding: the binding that runs it.
        refused: the action does not apply to what is under the cursor (shown dim).
    """

    key: str
    action: Action
    node: DOMNode
    binding: Binding
    refused: bool

    @property
    def width(self) -> int:
        """Cells taken on the line, with the gap after it."""
        return len(self.key) + 1 + len(self.name) + 2

    @property
    def name(self) -> str:
        """What the footer calls the action."""
        return self.action.short or self.action.name


def footer_keys(screen: Screen[Any]) -> list[FooterKey]:
    """The keys ``screen``'s footer may show, most wanted first (by their footer rank)."""
    app = screen.app
    chosen: dict[str, FooterKey] = {}
    for active in screen.active_bindings.values():
        action = action_of(active.binding)
        if action is None or action.footer <= 0 or action.id in chosen:
            continue
        node = active.node
        refused = isinstance(node, ExplainedActions) and bool(node.why_not(action))
        if refused and (action.scope not in PANE_SCOPES or action.footer_when_live):
            continue  # the app's keys, and keys that take turns, only where they do something
        default = action.keys.split(",")[0]
        remapped = active.binding.key != default
        key = action.footer_key if action.footer_key and not remapped else ""
        key = key or app.get_key_display(active.binding)
        chosen[action.id] = FooterKey(key, action, node, active.binding, refused)
    return sorted(chosen.values(), key=lambda shown: shown.action.footer)


LAST_KEYS = frozenset({"help", "quit"})
"""Kept whatever the width, and shown at the end of the line."""


def _place(key: FooterKey) -> tuple[int, int]:
    action = key.action
    if action.id in LAST_KEYS:
        group = 3
    elif action.id.startswith("record."):
        group = 0
    else:
        group = 1 if action.scope in PANE_SCOPES else 2
    return group, action.footer


def fit(keys: list[FooterKey], width: int) -> list[FooterKey]:
    """The keys that fit in ``width`` cells, taken by rank, then ordered for the eye.

    New and edit come first, then the pane's own keys, the app's, and help and quit last.
    """
    kept: list[FooterKey] = []
    used = 1
    for shown in keys:
        if used + shown.width <= width:
            kept.append(shown)
            used += shown.width
    return sorted(kept, key=_place)


class KeyFooter(Widget):
    """One line of keys: the pane's most used first, then the app's; what fits the width.

    A key that does not apply to the row under the cursor is shown dim. It is
    redrawn when the bindings change (a focus move, a refill of the pane) and
    when the terminal is resized; a click on a key runs it.
    """

    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeyFooter > .key-footer--key {
        color: $footer-key-foreground;
        text-style: bold;
    }
    KeyFooter > .key-footer--refused {
        color: $text-disabled;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-footer--key", "key-footer--refused"}

    def __init__(self, **kwargs: Any) -> None:
        """Create the empty footer."""
        super().__init__(**kwargs)
        self.shown: list[FooterKey] = []
        """The keys on the line now, left to right."""
        self._line = Text()

    def on_mount(self) -> None:
        """Follow the screen's bindings."""
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self._bindings_changed, self.screen)

    def on_unmount(self) -> None:
        """Stop following the screen's bindings."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    def on_resize(self) -> None:
        """Fit the keys to the new width."""
        self._bindings_changed(self.screen)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        shown = fit(footer_keys(screen), self.size.width)
        line = self._render_line(shown)
        self.shown = shown
        if line.plain != self._line.plain or line.spans != self._line.spans:
            self._line = line
            self.refresh()

    def _render_line(self, shown: list[FooterKey]) -> Text:
        key_style = self.get_component_rich_style("key-footer--key", partial=True)
        refused_style = self.get_component_rich_style("key-footer--refused", partial=True)
        line = Text(" ", no_wrap=True, overflow="crop")
        for entry in shown:
            style = refused_style if entry.refused else None
            line.append(entry.key, style=refused_style if entry.refused else key_style)
            line.append(f" {entry.name}", style=style or "")
            line.append("  ")
        return line

    def render(self) -> Text:
        """The line of keys."""
        return self._line

    async def on_click(self, event: events.Click) -> None:
        """Run the key that was clicked."""
        x = 1
        for entry in self.shown:
            if x <= event.x < x + entry.width - 2:
                await self.app.run_action(entry.binding.action, entry.node)
                return
            x += entry.width
