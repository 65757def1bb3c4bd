"""The dialog shown when a form's save meets a newer version saved by someone else.

It sets the two versions side by side, field by field: what the user is saving
("yours") and what is stored now ("theirs"), with who saved it and when. The
fields fall in three groups: changed by both, changed only by the user, and
changed only by the colleague. The user keeps their own version, takes the
stored one, or goes back to editing.

"Keep mine" merges: the fields the user changed in the form take the user's
values, every other field keeps the stored one, and the result is saved on top
of the stored revision, so it becomes the next revision and the colleague's
other changes survive (:func:`merge_onto`).

A record deleted meanwhile cannot be kept or taken: the dialog says so and
offers only going back (to copy what is needed) or discarding the edit. Saving
it as a new record would give it a new key and lose its history, which is a
decision better made by adding it again on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from clientdesk.store.errors import ConflictError
from clientdesk.store.models import Record
from clientdesk.store.snapshot import dump_record, validate_record
from clientdesk.store.text import printable
from clientdesk.widgets.actions import bindings, key_of
from clientdesk.widgets.cells import datetime_text

R = TypeVar("R", bound=Record)

ConflictChoice = Literal["mine", "theirs", "discard"]
"""What the user chose: keep mine, take theirs, or (record deleted) discard the edit.

The dialog dismisses with None for "back to editing".
"""

BOOKKEEPING_FIELDS = frozenset({"id", "revision", "created_at", "updated_at", "updated_by"})
"""Fields the store sets: never a change the user made.

The key is not one of them: a project's key is edited in its form, and the
store never changes another record's key on a save.
"""

MAX_VALUE_LENGTH = 80
"""Longer values are cut with an ellipsis: the dialog compares, it does not read out."""

KEEP_MINE_HELP = "Keep mine: your changes are saved over theirs; their other changes stay."
"""What "keep mine" does, in the words the dialog shows."""

_BUTTON_CHOICES: dict[str, ConflictChoice] = {
    "mine": "mine",
    "theirs": "theirs",
    "discard": "discard",
}

_ITEM_NAMES = ("email", "title", "name", "text")
"""The key that names an item of a list (attendees by e-mail, agenda by title…)."""


def fields_changed(before: Record, after: Record) -> list[str]:
    """The fields whose stored values differ between two versions of a record.

    Bookkeeping fields (revision, timestamps, who saved) are left out.
    """
    old, new = dump_record(before), dump_record(after)
    return [
        name for name in new if name not in BOOKKEEPING_FIELDS and new.get(name) != old.get(name)
    ]


def merge_onto(original: R, mine: R, current: R) -> R:
    """The stored record ``current`` with the fields the user changed taken from ``mine``.

    Args:
        original: the record the form opened on.
        mine: the record the form built from what the user typed.
        current: the record as it is stored now (its revision is kept, so
            saving the result makes the next revision).

    Raises:
        ValidationFailed: the mix breaks a rule (a response that no longer
            fits a kind the colleague changed, say).
    """
    data = dump_record(current)
    yours = dump_record(mine)
    for name in fields_changed(original, mine):
        data[name] = yours[name]
    return validate_record(type(current), data)


def when_changed(conflict: ConflictError) -> str:
    """When the newer version was saved, in the machine's local time with its zone."""
    if conflict.changed_at is None:
        return "an unknown time"
    local = conflict.changed_at.astimezone()
    return f"{datetime_text(local)} {local:%Z}"


def who_changed(conflict: ConflictError) -> str:
    """Who saved the newer version, safe to print ("someone else" when unknown)."""
    return printable(conflict.changed_by) if conflict.changed_by else "someone else"


def shorten(text: str, limit: int = MAX_VALUE_LENGTH) -> str:
    """``text`` cut to ``limit`` characters, the last one an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _item_text(item: object) -> str:
    if isinstance(item, dict):
        for name in _ITEM_NAMES:
            if item.get(name):
                return str(item[name])
        return " ".join(str(value) for value in item.values() if value not in (None, "", []))
    if isinstance(item, bool):
        return "yes" if item else "no"
    return str(item)


def value_text(value: Any) -> Text:
    """A stored (JSON) value as one plain line: lists by their items' names, never markup."""
    if value is None or value == "" or value == []:
        return Text("(empty)", style="dim")
    if isinstance(value, list):
        text = ", ".join(_item_text(item) for item in value)
    else:
        text = _item_text(value)
    return Text(shorten(printable(text)))


class ConflictDialog(ModalScreen[ConflictChoice | None]):
    """Both versions of a record side by side; dismisses with a :data:`ConflictChoice`.

    ``b`` or escape dismisses with None: back to the form, nothing saved.
    """

    DEFAULT_CSS = """
    ConflictDialog {
        align: center middle;
    }
    ConflictDialog > #conflict-box {
        width: 100;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    ConflictDialog #conflict-title {
        text-style: bold;
        margin-bottom: 1;
    }
    ConflictDialog #conflict-fields {
        height: auto;
        max-height: 1fr;
    }
    ConflictDialog #conflict-help {
        color: $text-muted;
        margin-top: 1;
    }
    ConflictDialog #conflict-buttons {
        height: auto;
        align-horizontal: right;
        margin-top: 1;
    }
    ConflictDialog #conflict-buttons Button {
        margin-left: 2;
    }
    """

    BINDINGS = bindings("conflict")

    def __init__(
        self,
        conflict: ConflictError,
        *,
        original: Record,
        mine: Record,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        """Prepare the dialog.

        Args:
            conflict: the failed save; ``conflict.current`` is the stored
                record, or None when it was deleted.
            original: the record the form opened on.
            mine: the record the form built from what the user typed.
            labels: the form's label of each field (others read from the name).
        """
        super().__init__()
        self.conflict = conflict
        """The failed save, with the stored record and who saved it when."""
        self.original = original
        """The record the form opened on."""
        self.mine = mine
        """What the user is saving."""
        self._labels = dict(labels or {})

    @property
    def current(self) -> Record | None:
        """The record as stored now (None when it was deleted)."""
        current = self.conflict.current
        return current if isinstance(current, Record) else None

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """The headline, the fields side by side, what "keep mine" does, and the buttons."""
        with Vertical(id="conflict-box"):
            yield Static(Text(printable(str(self.conflict))), id="conflict-title")
            with VerticalScroll(id="conflict-fields"):
                yield Static(self._comparison(), id="conflict-table")
            current = self.current
            help_text = (
                KEEP_MINE_HELP
                if current is not None
                else "Go back to copy what you need from the form, or discard your edit."
            )
            yield Static(Text(help_text), id="conflict-help")
            with Horizontal(id="conflict-buttons"):
                yield Button(
                    f"Back to editing ({key_of('conflict.back')})", compact=True, id="back"
                )
                if current is None:
                    yield Button(
                        f"Discard mine ({key_of('conflict.discard')})",
                        variant="error",
                        compact=True,
                        id="discard",
                    )
                else:
                    yield Button(
                        f"Take theirs ({key_of('conflict.take_theirs')})", compact=True, id="theirs"
                    )
                    yield Button(
                        f"Keep mine ({key_of('conflict.keep_mine')})",
                        variant="warning",
                        compact=True,
                        id="mine",
                    )

    def _comparison(self) -> RenderableType:
        current = self.current
        if current is None:
            changed = fields_changed(self.original, self.mine)
            if not changed:
                return Text("You had changed nothing.", style="dim")
            return self._table("Your changes", changed, header=True)
        yours = set(fields_changed(self.original, self.mine))
        theirs = set(fields_changed(self.original, current))
        differing = fields_changed(current, self.mine)
        sections = [
            ("Changed by both of you", [n for n in differing if n in yours and n in theirs]),
            ("Changed by you", [n for n in differing if n in yours and n not in theirs]),
            (
                f"Changed by {who_changed(self.conflict)} (kept either way)",
                [n for n in differing if n not in yours],
            ),
        ]
        tables: list[Table] = []
        for title, names in sections:
            if names:
                # The column headers show once, above the first group.
                tables.append(self._table(title, names, header=not tables))
        if not tables:
            return Text("No field differs.", style="dim")
        return Group(*tables)

    def _table(self, title: str, names: list[str], *, header: bool) -> Table:
        current = self.current
        table = Table(
            title=Text(title, style="bold"),
            title_justify="left",
            show_header=header,
            header_style="bold",
            box=None,
            expand=True,
            padding=(0, 1, 0, 0),
        )
        table.add_column("Field", width=16)
        table.add_column("Yours", ratio=1, overflow="fold")
        if current is not None:
            theirs_header = Text(f"Theirs ({who_changed(self.conflict)})")
            table.add_column(theirs_header, ratio=1, overflow="fold")
        mine = dump_record(self.mine)
        # Without a stored version, nested values are compared with what the form opened on.
        other = dump_record(current if current is not None else self.original)
        for name in names:
            for label, my_value, their_value in self._rows(name, mine, other):
                cells = [Text(label), value_text(my_value)]
                if current is not None:
                    cells.append(value_text(their_value))
                table.add_row(*cells)
        return table

    def _rows(
        self, name: str, mine: dict[str, Any], theirs: dict[str, Any]
    ) -> list[tuple[str, Any, Any]]:
        label = self._labels.get(name) or _readable(name)
        my_value, their_value = mine.get(name), theirs.get(name)
        if not (isinstance(my_value, dict) and isinstance(their_value, dict)):
            return [(label, my_value, their_value)]
        # A nested model (the service levels, say) reads best leaf by leaf, and
        # only the leaves that differ.
        my_leaves, their_leaves = _leaves(my_value), _leaves(their_value)
        paths = dict.fromkeys([*my_leaves, *their_leaves])
        return [
            (
                " / ".join((label, *map(_readable, path))),
                my_leaves.get(path),
                their_leaves.get(path),
            )
            for path in paths
            if my_leaves.get(path) != their_leaves.get(path)
        ]

    def on_mount(self) -> None:
        """Start on "back to editing": the answer that changes nothing."""
        self.query_one("#back", Button).focus()

    # -- actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keep and take need a stored record; discard is offered only without one."""
        if action == "choose" and parameters:
            deleted = self.current is None
            return (parameters[0] == "discard") == deleted
        return True

    def action_choose(self, choice: ConflictChoice) -> None:
        """Close the dialog with ``choice``."""
        self.dismiss(choice)

    def action_back(self) -> None:
        """Close the dialog: back to the form, nothing saved."""
        self.dismiss(None)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "back":
            self.action_back()
        elif event.button.id in _BUTTON_CHOICES:
            self.action_choose(_BUTTON_CHOICES[event.button.id])


def _readable(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _leaves(value: dict[str, Any], path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """The values of nested dictionaries by their path; lists are leaves."""
    found: dict[tuple[str, ...], Any] = {}
    for key, item in value.items():
        if isinstance(item, dict):
            found.update(_leaves(item, (*path, str(key))))
        else:
            found[(*path, str(key))] = item
    return found
