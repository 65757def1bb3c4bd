"""Keys in the order they were typed: each key is handled before the next one is looked at.

Textual gives each key to the widget that has the focus when the app takes the
key off its queue. A key that moves the focus (``tab``), opens a form (``n``)
or closes one (``escape``) does so only when it has travelled up from the
focused widget to the bindings, a few message hops later, or when the new
screen has mounted. A burst (a fast typist, a paste without bracketing, a
laggy SSH link, ``tmux send-keys``) has by then gone to the old widget whole:
``tab AAA tab BBB`` typed at once gave the first field ``AAABBB``, and text
typed right after ``n`` landed nowhere or in the wrong field.

:class:`KeyOrder` hands the app one key (or paste) at a time. Behind each key
it sends a :class:`KeyProbe` through the widget the key went to; the probe
climbs the same way the key does, so when it is back at the app the key has
been through that widget and the bindings. If the focus or the screen moved
meanwhile, another probe goes through the widget now focused, queued behind
that widget's mount and focus events, and the next refresh is waited for too
(some widgets take the focus after one). Only when a probe comes back with
nothing moved is the next key handed on. Text typed into a text field needs
no probe: the field takes it and nothing moves.

While the app cannot take keys yet (its panes are not there), keys wait in
the queue, in order, and are handed on once the app says it is ready. A key
that works already (help, and the keys of the help screen) is handled at once
when nothing waits before it; a key that quits is handled at once, always.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual import events
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input

from clientdesk.tui.textual_internals import is_text_area
from clientdesk.widgets.actions import action_of

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump
    from textual.timer import Timer

InputEvent = events.Key | events.Paste
"""What the queue orders: keys and pastes, both typed into the focused widget."""

MAX_PROBES = 12
"""Probes after one key at most: a widget that keeps moving the focus cannot stop the keys."""

WAITING_LIMIT = 500
"""Keys kept while the app cannot take them; more are left out, and the user is told."""

CHECK_SECONDS = 0.1
"""How often a probe that is out is checked for having been lost with its widget."""

GIVE_UP_CHECKS = 50
"""Checks (5 s) after which a probe that never came back no longer holds the keys behind it."""

QUIT_ACTIONS = frozenset({"quit", "app.quit"})
"""The actions of a key that is never kept waiting."""


class KeyProbe(Message):
    """Follows a key up from the widget it went to; back at the app, the key was handled."""

    def __init__(self, number: int, *, home: bool = False) -> None:
        """A probe numbered ``number`` (the queue ignores any but the last one sent)."""
        super().__init__()
        self.number = number
        """Which probe this is."""
        self.home = home
        """True once it has also been through the app's own queue."""


class KeyOrder:
    """The app's keys and pastes, handed on one at a time (see the module's docstring)."""

    def __init__(self, app: App[Any], hand_on: Callable[[InputEvent], Awaitable[None]]) -> None:
        """Order the keys of ``app``; ``hand_on`` gives one to the app as Textual would."""
        self._app = app
        self._hand_on = hand_on
        self._waiting: deque[InputEvent] = deque()
        self._busy = False
        """True from handing a key on until it has settled."""
        self._probes = 0
        """How many probes were ever sent: each has its own number."""
        self._awaited = 0
        """The number of the probe that settles the key under way (0: none sent yet)."""
        self._probes_for_key = 0
        self._target: MessagePump | None = None
        self._place: tuple[object, object] = (None, None)
        self._moved = False
        self._refreshed = False
        self._checks = 0
        self._checker: Timer | None = None
        self._told_about_limit = False
        self.on_hold = False
        """True while the app cannot take keys: they wait until :meth:`release`."""
        self.working_keys_pass = True
        """True while a key that works already may pass the hold (help while the file is
        read); False while a write holds the keys: every key then waits for its news."""

    @property
    def pending(self) -> int:
        """The keys not yet handled: those waiting, and the one whose handling is under way."""
        return len(self._waiting) + (1 if self._busy else 0)

    async def take(self, event: InputEvent) -> None:
        """Hand ``event`` on now if nothing is before it; else queue it behind the others."""
        for key in self._escape_then_key(event):
            await self._take_one(key)

    def _escape_then_key(self, event: InputEvent) -> list[InputEvent]:
        """``escape`` then the key for an ``alt+`` letter or digit nothing binds; else ``event``.

        A terminal sends alt+p as ESC then p: escape typed just before p, in the
        same read (a burst, an SSH link), is the same two bytes, and Textual
        reads them as alt+p. clientdesk binds no alt+ letter or digit, so such
        a key is the escape and the key that were typed: a form closes, then
        the key acts, instead of the key landing in the form.
        """
        if not isinstance(event, events.Key) or not event.key.startswith("alt+"):
            return [event]
        character = event.character
        if (
            character is None
            or len(character) != 1
            or not (character.isascii() and character.isalnum())
            or event.key in self._app.active_bindings
        ):
            return [event]
        keys: list[InputEvent] = [events.Key("escape", "\x1b"), events.Key(character, character)]
        for key in keys:
            key.set_sender(self._app)
        return keys

    async def _take_one(self, event: InputEvent) -> None:
        if not self._app.is_running:
            await self._hand_on(event)  # the app is stopping: nothing to keep in order
            return
        if self.on_hold and self._quits(event):
            self._waiting.clear()  # the app ends: what waited would never be handled
            await self._hand_on(event)
            return
        if (
            self.on_hold
            and self.working_keys_pass
            and not (self._busy or self._waiting)
            and self._works_now(event)
        ):
            await self._hand(event)  # a key that works before the app is ready (help)
            return
        if self._busy or self._waiting or self.on_hold:
            self._keep(event)
            return
        if self._only_types(event):
            await self._hand_on(event)  # no probe: nothing moves, the next key may follow
            return
        await self._hand(event)

    async def release(self) -> None:
        """The app can take keys again: hand on the first that waits."""
        self.on_hold = False
        if not self._busy:
            await self._next()

    async def probe_back(self, probe: KeyProbe) -> None:
        """A probe is back at the app: probe again if anything moved, else hand on the next key."""
        if not self._busy or probe.number != self._awaited:
            return  # an older probe, given up on
        if not probe.home:
            # What the key's binding asked the app to do next (Textual moves the
            # focus that way) is queued at the app: the probe goes behind it.
            self._app.post_message(KeyProbe(probe.number, home=True))
            return
        moved = self._place_now() != self._place
        self._moved = self._moved or moved
        if self._probes_for_key < MAX_PROBES:
            if moved or self._probes_for_key == 1:
                # The first probe only says that the key was handled; what its
                # handling posted on the way (a screen asking the app for a
                # form) is ahead of the second.
                self._send_probe()
                return
            if self._moved and not self._refreshed:
                # The focus moved: a widget that takes it after the next refresh has it then.
                self._refreshed = True
                self._awaited = 0
                self._app.call_after_refresh(self._send_probe)
                return
        self._settled()
        await self._next()

    # -- inside ----------------------------------------------------------------------

    def _only_types(self, event: InputEvent) -> bool:
        # Text typed into a text field stays there: the field takes a printable
        # key (or a paste) itself, and moves neither the focus nor the screen.
        # Handing such keys on without a probe keeps a long burst as fast as Textual.
        if isinstance(event, events.Key) and not event.is_printable:
            return False
        focused = self._app.focused
        return isinstance(focused, Input) or (
            is_text_area(focused) and not getattr(focused, "read_only", True)
        )

    def _works_now(self, event: InputEvent) -> bool:
        if not isinstance(event, events.Key):
            return False
        active = self._app.active_bindings.get(event.key)
        return active is not None and active.enabled

    def _quits(self, event: InputEvent) -> bool:
        if not isinstance(event, events.Key):
            return False
        active = self._app.active_bindings.get(event.key)
        if active is None:
            return False
        registered = action_of(active.binding)
        return (registered.run if registered else active.binding.action) in QUIT_ACTIONS

    def _keep(self, event: InputEvent) -> None:
        if len(self._waiting) < WAITING_LIMIT:
            self._waiting.append(event)
        elif not self._told_about_limit:
            self._told_about_limit = True
            self._app.notify(
                f"More than {WAITING_LIMIT} keys were typed before the app could take them: "
                "the rest were left out.",
                severity="warning",
            )

    async def _next(self) -> None:
        if self._waiting and not self._busy and not self.on_hold and self._app.is_running:
            await self._hand(self._waiting.popleft())

    async def _hand(self, event: InputEvent) -> None:
        self._busy = True
        self._probes_for_key = 0
        self._moved = False
        self._refreshed = False
        self._awaited = 0
        # The key goes where the focus is now: the first probe follows it there.
        target = self._app.focused or self._app.screen
        place = self._place_now()
        await self._hand_on(event)
        self._send_probe(target, place)

    def _place_now(self) -> tuple[object, object]:
        return (self._app.screen, self._app.focused)

    def _send_probe(
        self, target: MessagePump | None = None, place: tuple[object, object] | None = None
    ) -> None:
        if not self._app.is_running:
            self._settled()
            return
        self._target = target or self._app.focused or self._app.screen
        self._place = place or self._place_now()
        self._probes += 1
        self._probes_for_key += 1
        self._awaited = self._probes
        self._checks = 0
        probe = KeyProbe(self._probes)
        probe.set_sender(self._app)
        if not self._target.post_message(probe):
            self._target = None  # the widget is closing: probe where the focus is next
        self._watch()

    def _watch(self) -> None:
        if self._checker is None:
            self._checker = self._app.set_interval(CHECK_SECONDS, self._check)
        else:
            self._checker.resume()

    def _check(self) -> None:
        """Probe again when a probe was lost with its widget (a dialog closed under it)."""
        if not self._busy or not self._awaited:
            return
        self._checks += 1
        target = self._target
        lost = target is None or (isinstance(target, Widget) and not target.is_attached)
        if lost and self._probes_for_key < MAX_PROBES:
            self._send_probe()
        elif lost or self._checks >= GIVE_UP_CHECKS:
            self._settled()
            self._app.call_later(self._next)

    def _settled(self) -> None:
        self._busy = False
        self._awaited = 0
        self._target = None
        if self._checker is not None:
            self._checker.pause()
