"""The footer of the app's screens: Textual's, rebuilt only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's footer, recomposed only when the keys it shows change.

    Textual's footer rebuilds itself on every refresh of the bindings: each
    focus move, and each keystroke in a filter, as the panes ask for one when
    their rows change. A rebuild removes and mounts some thirty key widgets
    and lays the screen out again, ~30 ms a time at 120x40 (a quarter of a
    filter keystroke), to show the same keys. This one compares first.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._keys_on_show: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """Rebuild as Textual's footer does, but only when the keys to show differ."""
        # Without the app's focus Textual's footer waits (and rebuilds when it
        # comes back): the keys count as shown only once they are.
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            keys = self._keys_of(screen)
            if keys == self._keys_on_show:
                return
            self._keys_on_show = keys
        super().bindings_changed(screen)

    def _keys_of(self, screen: Screen[Any]) -> tuple[object, ...]:
        """Everything of the active bindings that the footer shows."""
        palette_key = self.app.COMMAND_PALETTE_BINDING
        shown = tuple(
            (
                key,
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                enabled,
                tooltip,
                binding.group,
            )
            for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
            if binding.show or key == palette_key
        )
        return (*shown, self.show_command_palette, self.compact)
