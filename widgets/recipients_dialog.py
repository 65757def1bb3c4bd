"""A dialog that asks who an e-mail goes to: people to tick, the usual ones ticked already.

It returns the ticked addresses, in the order listed, or None when the user
cancels. Names, organisations and addresses are data: they are shown as
text, never read as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static
from textual.widgets.selection_list import Selection

from clientdesk.store.report_mail import Recipient
from clientdesk.store.text import printable, printable_lines
from clientdesk.widgets.actions import bindings, key_of
from clientdesk.widgets.tick_list import TickList


class RecipientsDialog(ModalScreen[list[str] | None]):
    """Tick who receives a report or minutes; dismiss with their addresses (None: cancelled)."""

    DEFAULT_CSS = """
    RecipientsDialog {
        align: center middle;
    }
    RecipientsDialog > #recipients-box {
        width: 84;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    RecipientsDialog #recipients-question {
        width: 1fr;
        margin-bottom: 1;
    }
    RecipientsDialog #recipients-list {
        height: auto;
        max-height: 14;
    }
    RecipientsDialog #recipients-hint {
        color: $text-muted;
        margin: 1 0;
    }
    RecipientsDialog #recipients-buttons {
        height: auto;
        align-horizontal: right;
    }
    RecipientsDialog Button {
        margin-left: 2;
    }
    """

    BINDINGS = bindings("recipients")

    def __init__(
        self, question: str, recipients: Sequence[Recipient], *, send: str = "Send"
    ) -> None:
        """Prepare the dialog.

        Args:
            question: what is about to be sent, as plain text.
            recipients: who may receive it; those marked ``default`` start ticked.
            send: the label of the button that sends.
        """
        super().__init__()
        self._question = question
        self._recipients = list(recipients)
        self._send = send

    def compose(self) -> ComposeResult:
        """The question, the people to tick, a hint and the two buttons."""
        with Vertical(id="recipients-box"):
            yield Static(Text(printable_lines(self._question)), id="recipients-question")
            yield TickList[str](
                *(
                    Selection(self._label(recipient), recipient.email, recipient.default)
                    for recipient in self._recipients
                ),
                id="recipients-list",
            )
            yield Static(
                Text(
                    f"space ticks or unticks · {key_of('recipients.send')} sends · "
                    f"{key_of('recipients.cancel')} cancels"
                ),
                id="recipients-hint",
            )
            with Horizontal(id="recipients-buttons"):
                yield Button(f"Cancel ({key_of('recipients.cancel')})", id="cancel")
                yield Button(
                    f"{self._send} ({key_of('recipients.send')})", variant="primary", id="send"
                )

    @staticmethod
    def _label(recipient: Recipient) -> Text:
        """``Ann Client <ann@client.example>  Client Co, sponsor``, the detail dimmed."""
        label = Text(printable(recipient.label))
        if recipient.detail:
            label.append(f"  {printable(recipient.detail)}", style="dim")
        return label

    def on_mount(self) -> None:
        """Start on the list: space ticks, ctrl+s sends."""
        self.query_one(TickList).focus()

    @property
    def ticked(self) -> list[str]:
        """The ticked addresses, in the order listed."""
        chosen = set(self.query_one(TickList).selected)
        return [r.email for r in self._recipients if r.email in chosen]

    def action_send(self) -> None:
        """Send to the ticked people; with nobody ticked, say so and stay."""
        ticked = self.ticked
        if not ticked:
            self.app.notify(
                "Nobody is ticked: tick at least one person (space) to send to.",
                severity="warning",
                markup=False,
            )
            return
        self.dismiss(ticked)

    def action_move(self, step: int) -> None:
        """Move the list's cursor one person down (``step`` 1) or up (-1), as j and k do."""
        people = self.query_one(TickList)
        if step > 0:
            people.action_cursor_down()
        else:
            people.action_cursor_up()

    def action_cancel(self) -> None:
        """Close without sending."""
        self.dismiss(None)

    @on(Button.Pressed, "#send")
    def _send_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_send()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()
