"""What the app does for the Calendar pane: the forms, dialogs and saves of meetings and the plan.

:class:`CalendarActions` sees the app through :class:`~clientdesk.tui.host.Host`. The pane asks
(:class:`~clientdesk.widgets.calendar_pane.CalendarPane.OccurrenceAction`,
:class:`~clientdesk.widgets.calendar_pane.CalendarPane.SeriesFromPlan`); this
opens the dialog that fits and saves through the store's calendar rules
(:mod:`clientdesk.store.calendar`) in a thread worker. Every change to one
occurrence is computed from the meeting as stored when it is saved, so a
colleague's change to another occurrence in between is kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clientdesk.store import clock
from clientdesk.store.enums import MeetingStatus
from clientdesk.store.errors import StoreError, describe_error
from clientdesk.store.text import counted
from clientdesk.tui.attendee_mail import AttendeeMail, Sending, people
from clientdesk.tui.minutes_mail_actions import MinutesMailActions
from clientdesk.tui.record_saves import RecordSaves, RecordWritten, WriteFailed
from clientdesk.widgets.actions import key_of
from clientdesk.widgets.calendar_pane import CalendarPane
from clientdesk.widgets.confirm_dialog import ConfirmDialog

if TYPE_CHECKING:
    from clientdesk.store.calendar import Occurrence
    from clientdesk.store.ics_import import ImportPlan
    from clientdesk.store.models import CommunicationPlanItem, Meeting, Project, Record
    from clientdesk.tui.host import Host
    from clientdesk.widgets.busy_dialog import BusyDialog
    from clientdesk.widgets.minutes_form import MinutesResult

OCCURRENCE_FIELDS = ("exceptions", "status", "start", "duration_minutes", "location")
"""The meeting fields a change to one occurrence may set."""

CANCEL_FIELDS = (*OCCURRENCE_FIELDS, "rrule")
"""The meeting fields cancelling may set: ending a series from an occurrence on sets its rule."""


def _changed_fields(
    before: Meeting, after: Meeting, names: Sequence[str] = OCCURRENCE_FIELDS
) -> dict[str, Any]:
    """The fields of ``names`` that differ, as stored values."""
    from clientdesk.store.snapshot import dump_record

    old, new = dump_record(before), dump_record(after)
    return {name: new[name] for name in names if old.get(name) != new.get(name)}


def _when(occurrence: Occurrence) -> str:
    """The occurrence's day and time as the agenda shows them, and where it was moved from.

    A moved occurrence is named by where it is now: the user picked that row.
    """
    zone = clock.zone(occurrence.meeting.timezone)
    shown = f"{occurrence.start.astimezone(zone):%a %d %b %H:%M}"
    if occurrence.moved:
        shown += f" (moved from {occurrence.original_start.astimezone(zone):%a %d %b %H:%M})"
    return shown


class CalendarActions:
    """The Calendar pane's side of the app: one per app, which hands it what the pane asks."""

    def __init__(self, host: Host) -> None:
        """Act for ``host``: its repository, snapshot, screens and workers."""
        self.host = host
        """The app whose screens and workers are used."""
        self.saves = RecordSaves(host)
        """How a change to a meeting or a plan item is saved."""
        self.minutes_mail = MinutesMailActions(host)
        """E-mailing an occurrence's minutes (tui/minutes_mail_actions.py)."""
        self.mail = AttendeeMail(host)
        """What the attendees are offered after a cancel, a move, a split or a restore."""

    # -- forms -----------------------------------------------------------------------

    def edit_meeting(
        self,
        project: Project,
        meeting: Meeting | None,
        *,
        save: Callable[[Meeting], Meeting] | None = None,
        subtitle: str = "",
        saved: Callable[[Meeting | None], None] | None = None,
    ) -> None:
        """Open the meeting form on ``meeting`` (None: a new one).

        Args:
            project: the meeting's project.
            meeting: the meeting to edit; a meeting not stored yet (a series
                made from a plan item, the second half of a split) opens as a
                new one filled in.
            save: how to store it (default: add or update).
            subtitle: shown in the form's title.
            saved: called with what the form returns (default: say it was
                saved and show it).
        """
        from clientdesk.widgets.meeting_form import MeetingForm

        if self.host.snapshot is None:
            return
        stored = meeting is not None and meeting.key != ""
        if save is None:
            save = self.host.repository.update if stored else self.host.repository.add
        form = MeetingForm(
            meeting,
            save,
            project=project,
            snapshot=self.host.snapshot,
            now=clock.now(),
            subtitle=subtitle or f"{project.key} {project.name}",
        )
        self.host.push_screen(form, saved or self._record_saved)

    def edit_plan_item(self, project: Project, item: CommunicationPlanItem | None) -> None:
        """Open the plan item form on ``item`` (None: a new one)."""
        from clientdesk.widgets.plan_item_form import PlanItemForm

        if self.host.snapshot is None:
            return
        save = self.host.repository.update if item is not None else self.host.repository.add
        form = PlanItemForm(
            item,
            save,
            project=project,
            snapshot=self.host.snapshot,
            now=clock.now(),
            subtitle=f"{project.key} {project.name}",
        )
        self.host.push_screen(form, self._record_saved)

    def _record_saved(self, record: Record | None) -> None:
        if record is None:
            return
        self.host.notify(
            f"Saved {type(record).LABEL} {record.key} ({self.host.undo_key} undoes).", markup=False
        )
        self.host.reload(select_record=record.id)

    # -- what the pane asks ----------------------------------------------------------

    def plan_item_done(self, item: CommunicationPlanItem) -> None:
        """Record that ``item`` was done now (it is no longer overdue)."""
        self.saves.save(
            item, {"last_done": clock.now()}, f"{item.key} is done for now (no longer overdue)."
        )

    def series_from_plan(self, item: CommunicationPlanItem) -> None:
        """Open a new meeting series made from ``item``, for the user to check and save."""
        from clientdesk.store.calendar import series_for_plan
        from clientdesk.store.models import Contact

        project = self.host.current_project
        if project is None or self.host.snapshot is None:
            return
        contacts = self.host.snapshot.of_project(Contact, project.id)
        series = series_for_plan(item, project, contacts, clock.now())
        self.edit_meeting(project, series, subtitle=f"{project.key} · series for {item.key}")

    def occurrence_action(self, occurrence: Occurrence, action: str) -> None:
        """Open the dialog for ``action`` on ``occurrence``, or save the change at once.

        Args:
            occurrence: the occurrence as shown.
            action: ``detail``, ``edit``, ``status``, ``minutes``, ``cancel``,
                ``restore``, ``move``, ``split``, ``export`` (write the invite
                to a file), ``send`` (e-mail it) or ``action:N`` (turn action
                item N into a client request).
        """
        project = self.host.current_project
        if project is None:
            return
        if project.is_closed and action not in ("detail", "export"):
            self.host.notify(
                f"{project.key} is closed: reopen it (Closing pane, "
                f"{key_of('closing.reopen_project')}) to change it",
                severity="warning",
                markup=False,
            )
            return
        handlers: dict[str, Callable[[Occurrence, Project], None]] = {
            "export": self._export_invite,
            "send": self._ask_send_invite,
            "detail": self._show_detail,
            "edit": lambda o, p: self.edit_meeting(p, o.meeting),
            "status": self._next_status,
            "minutes": self._edit_minutes,
            "cancel": self._cancel_occurrence,
            "cancel_occurrence": self._cancel_occurrence,
            "restore": self._restore_occurrence,
            "move": self._move_occurrence,
            "split": self._split_series,
            "send_minutes": self.minutes_mail.ask_send,
        }
        if action.startswith("action:"):
            self._request_for_action(occurrence, project, int(action.split(":", 1)[1]))
        elif action in handlers:
            handlers[action](occurrence, project)

    # -- what the attendees receive --------------------------------------------------------

    def _export_invite(self, occurrence: Occurrence, project: Project) -> None:
        self.host.run_worker(
            partial(self._write_invite, occurrence, project, Path.cwd()),
            thread=True,
            group="files",
        )

    def _write_invite(self, occurrence: Occurrence, project: Project, directory: Path) -> None:
        """Write the occurrence's invite, or its cancellation, to a new file (a worker).

        A cancelled occurrence of a series gives the cancellation of that
        occurrence; a moved one the invite of its override; any other the
        invite of the whole meeting.
        """
        from clientdesk.store.ics import is_cancellation, meeting_invite
        from clientdesk.store.storage import write_new_file

        meeting = occurrence.meeting
        recurrence_id = _recurrence_id(occurrence)
        try:
            data = meeting_invite(meeting, project, now=clock.now(), recurrence_id=recurrence_id)
            cancel = is_cancellation(meeting, recurrence_id=recurrence_id)
            stem = f"{project.key}-{meeting.key}" + ("-cancel" if cancel else "")
            target = write_new_file(directory, stem, ".ics", data)
        except (StoreError, OSError) as error:
            self.host.post_message(WriteFailed(f"cannot write the invite: {describe_error(error)}"))
        else:
            what = "cancellation" if cancel else "invite"
            self.host.call_from_thread(
                self.host.notify,
                f"Wrote the {what} of {meeting.key} to {target.resolve()}",
                markup=False,
            )

    def _ask_send_invite(self, occurrence: Occurrence, project: Project) -> None:
        from clientdesk.store.mail import invite_recipients

        meeting = occurrence.meeting
        if not self.host.config.smtp.host:
            self.host.notify(
                "No mail server is set up: add host (and port, security, user) under [smtp] "
                f"in {self.host.config_location}; the password goes in $CLIENTDESK_SMTP_PASSWORD.",
                severity="warning",
                markup=False,
            )
            return
        recipients = invite_recipients(meeting)
        if not recipients:
            self.host.notify(
                f"{meeting.key} has no attendee with an e-mail address to send to.",
                severity="warning",
                markup=False,
            )
            return
        # The attendees cannot place a lone occurrence of a series they never
        # had: until the series went out, it goes whole, this occurrence in it.
        alone = _recurrence_id(occurrence)
        recurrence_id = alone if _series_sent(meeting) else None
        cancel = occurrence.cancelled and not (alone is not None and recurrence_id is None)
        what = "cancellation" if cancel else "invite"
        if recurrence_id is not None:
            what += f" of {_when(occurrence)}"

        def answered(send: bool | None) -> None:
            if send:
                self.host.run_worker(
                    partial(self._send_invite, meeting, project, cancel, recurrence_id),
                    thread=True,
                    group="mail",
                )

        self.host.push_screen(
            ConfirmDialog(
                f"E-mail the {what} of {meeting.key} to {people(recipients)}?",
                yes="Send",
                no="Not now",
            ),
            answered,
        )

    def _send_invite(
        self, meeting: Meeting, project: Project, cancel: bool, recurrence_id: datetime | None
    ) -> None:
        """Send over SMTP and record the sending (a worker); progress and result are told."""
        import os

        from clientdesk.store.mail import PASSWORD_ENV, send_invite
        from clientdesk.store.paths import current_user

        def progress(text: str) -> None:
            self.host.call_from_thread(self.host.notify, f"{meeting.key}: {text}", markup=False)

        try:
            result = send_invite(
                self.host.repository,
                project.key,
                meeting.key,
                cancel=cancel,
                occurrence=recurrence_id,
                settings=self.host.config.smtp,
                password=os.environ.get(PASSWORD_ENV),
                now=clock.now(),
                user=current_user(),
                progress=progress,
            )
        except (StoreError, OSError) as error:
            self.host.post_message(WriteFailed(f"not sent: {describe_error(error)}"))
            return
        text = f"Sent {meeting.key} (SEQUENCE {result.sequence}) to {', '.join(result.recipients)}."
        if result.refused:
            text += f" Refused: {', '.join(result.refused)}."
        # A sending is a record of fact: the undo key does not take it back.
        self.host.post_message(RecordWritten(result.meeting, text, select=False, changed=False))

    def export_feed(self, project: Project) -> None:
        """Write the project's calendar (METHOD:PUBLISH) to a new file in the current directory."""
        self.host.run_worker(
            partial(self._write_feed, project, Path.cwd()), thread=True, group="files"
        )

    def _write_feed(self, project: Project, directory: Path) -> None:
        from clientdesk.store.ics import project_feed
        from clientdesk.store.models import Meeting
        from clientdesk.store.storage import write_new_file

        try:
            meetings = self.host.repository.snapshot().of_project(Meeting, project.id)
            target = write_new_file(
                directory,
                f"{project.key}-calendar",
                ".ics",
                project_feed(meetings, project, now=clock.now()),
            )
        except (StoreError, OSError) as error:
            self.host.post_message(
                WriteFailed(f"cannot write the calendar: {describe_error(error)}")
            )
        else:
            self.host.call_from_thread(
                self.host.notify,
                f"Wrote the calendar of {project.key} ({counted(len(meetings), 'meeting')}) "
                f"to {target.resolve()}",
                markup=False,
            )

    def publish_to_caldav(self, project: Project) -> None:
        """Put the project's meetings on the ``[caldav]`` calendar, in a worker; say how it went."""
        self.host.notify(f"Publishing the calendar of {project.key}…", markup=False, timeout=2)
        self.host.run_worker(
            partial(self._publish, project), thread=True, group="caldav", exclusive=True
        )

    def _publish(self, project: Project) -> None:
        from clientdesk.store.caldav_publish import caldav_login, publish

        try:
            login = caldav_login(None, self.host.config.caldav)
            snapshot = self.host.repository.snapshot()
            result = publish(login, project, snapshot, now=clock.now())
        except StoreError as error:
            self.host.post_message(WriteFailed(f"not published: {describe_error(error)}"))
            return
        lines = [conflict.line() for conflict in result.conflicts] + [result.summary()]
        self.host.call_from_thread(
            self.host.notify,
            "\n".join(lines),
            title=f"CalDAV: {project.key}",
            severity="warning" if result.conflicts else "information",
            markup=False,
        )

    # -- a client's calendar in ------------------------------------------------------------

    def ask_import(self, project: Project, path_text: str = "") -> None:
        """Ask for an .ics file, then show what importing it would change, then import."""
        from clientdesk.widgets.reason_dialog import ReasonDialog

        def given(text: str | None) -> None:
            if text:
                self._plan_import_behind_notice(project, text.strip())

        self.host.push_screen(
            ReasonDialog(
                f"Import which .ics file into {project.key}? (an invite, a reply or a calendar)",
                placeholder="e.g. ~/Downloads/invite.ics",
                missing="the file's path is needed",
                value=path_text,
            ),
            given,
        )

    def _plan_import_behind_notice(self, project: Project, path_text: str) -> None:
        """Work out the import in a worker, behind a notice that escape cancels.

        A hostile or huge file can take seconds to read; escape closes the
        notice at once, the worker stops at its next check, and nothing it
        found is shown or written.
        """
        from clientdesk.widgets.busy_dialog import BusyDialog

        cancelled = threading.Event()
        name = Path(path_text).name

        def closed(finished: bool | None) -> None:
            if not finished:
                cancelled.set()
                self.host.notify(f"Import of {name} cancelled: nothing was written.", markup=False)

        notice = BusyDialog(f"Reading {name} and working out what importing it would change…")
        self.host.push_screen(notice, closed)
        self.host.run_worker(
            partial(self._plan_import, project, path_text, notice, cancelled),
            thread=True,
            group="files",
        )

    def _plan_import(
        self, project: Project, path_text: str, notice: BusyDialog, cancelled: threading.Event
    ) -> None:
        """Read the file and work out what it would change (a worker); nothing is written."""
        from clientdesk.store.ics_import import plan_import
        from clientdesk.store.ics_reading import ImportCancelled, read_import_file
        from clientdesk.store.models import Project as ProjectRecord

        try:
            data = read_import_file(Path(path_text).expanduser())
            snapshot = self.host.repository.snapshot()
            current = snapshot.get(ProjectRecord, project.id)
            if current is None:
                raise StoreError(f"project {project.key} was deleted meanwhile")
            plan = plan_import(
                data, current, snapshot, now=clock.now(), should_stop=cancelled.is_set
            )
        except ImportCancelled:
            return  # the notice is gone already, and said so
        except (StoreError, OSError) as error:
            self.host.call_from_thread(
                self._import_not_planned, notice, cancelled, error, project, path_text
            )
            return
        self.host.call_from_thread(self._preview_import, plan, path_text, notice, cancelled)

    def _import_not_planned(
        self,
        notice: BusyDialog,
        cancelled: threading.Event,
        error: StoreError | OSError,
        project: Project,
        path_text: str,
    ) -> None:
        if cancelled.is_set():
            return
        notice.finish()
        self.host.post_message(
            WriteFailed(
                f"cannot import {path_text}: {describe_error(error)}",
                ask_again=partial(self.ask_import, project, path_text),
            )
        )

    def _preview_import(
        self, plan: ImportPlan, path_text: str, notice: BusyDialog, cancelled: threading.Event
    ) -> None:
        if cancelled.is_set():
            return  # escape came first: the plan is dropped unseen
        notice.finish()
        lines = plan.preview_lines()
        name = Path(path_text).name
        if not plan.count:
            reason = f": {lines[0]}" if lines else ""
            self.host.notify(f"Nothing to import from {name}{reason}", markup=False)
            return

        def answered(apply: bool | None) -> None:
            if apply:
                self.host.run_worker(
                    partial(self._apply_import, plan, name), thread=True, group="store"
                )

        changes = "1 change" if plan.count == 1 else f"{plan.count} changes"
        self.host.push_screen(
            ConfirmDialog(
                f"Import {changes} from {name} into {plan.project.key}?",
                yes="Import",
                no="Cancel",
                details=lines,
            ),
            answered,
        )

    def _apply_import(self, plan: ImportPlan, name: str) -> None:
        """Save the planned changes in one write (a worker): all of them or none."""
        from clientdesk.store.ics_import import apply_import

        try:
            saved = apply_import(self.host.repository, plan)
        except (StoreError, OSError) as error:
            self.host.post_message(WriteFailed(f"nothing was imported: {describe_error(error)}"))
            return
        first = next((record for record in saved if record is not None), None)
        text = f"Imported {len(saved)} change{'s' if len(saved) != 1 else ''} from {name}."
        self.host.post_message(RecordWritten(first, text))

    # -- one occurrence --------------------------------------------------------------------

    def _show_detail(self, occurrence: Occurrence, project: Project) -> None:
        from clientdesk.widgets.meeting_detail import MeetingDetail

        pane = self.host.pane("calendar")
        assert isinstance(pane, CalendarPane)
        request_keys = self._request_keys(project)

        def chosen(action: str | None) -> None:
            if action:
                self.occurrence_action(occurrence, action)

        self.host.push_screen(
            MeetingDetail(
                occurrence,
                project,
                viewer_zone=pane.viewer_zone or clock.zone(project.timezone),
                conflicts=pane.clashes.get(occurrence.id, []),
                request_keys=request_keys,
            ),
            chosen,
        )

    def _request_keys(self, project: Project) -> dict[str, str]:
        """The key of each of the project's requests by id (action items link to them)."""
        from clientdesk.store.models import ClientRequest

        if self.host.snapshot is None:
            return {}
        return {
            request.id: request.key
            for request in self.host.snapshot.of_project(ClientRequest, project.id)
        }

    def _next_status(self, occurrence: Occurrence, project: Project) -> None:
        from clientdesk.store.calendar import NEXT_STATUS, change_occurrence

        meeting = occurrence.meeting
        target = NEXT_STATUS.get(occurrence.status)
        if target is None:
            return
        label = target.value
        if meeting.rrule is None or meeting.status is MeetingStatus.DRAFT:
            # A one-off meeting, or a draft series being scheduled: the meeting's own
            # status. A scheduled series records held and minuted per occurrence.
            moved = f"{meeting.key}: {meeting.status.value} → {label}."
            self.saves.save(meeting, {"status": target.value}, moved)
            return
        start = occurrence.original_start
        self.saves.save(
            meeting,
            lambda current: _changed_fields(
                current, change_occurrence(current, start, status=target)
            ),
            f"{meeting.key} on {_when(occurrence)}: {occurrence.status.value} → {label}.",
        )

    def _cancel_occurrence(self, occurrence: Occurrence, project: Project) -> None:
        """Ask, then cancel the occurrence (or, ticked, it and every later one) and offer to tell.

        The box under the question calls off the rest of a series too: from
        its first occurrence the whole series is cancelled; from a later one
        the series ends before it, so the occurrences that took place stay.
        """
        from clientdesk.store.calendar import cancel_occurrence
        from clientdesk.store.cancellations import cancel_from, is_first_occurrence

        meeting = occurrence.meeting
        start = occurrence.original_start
        when = _when(occurrence)
        option = ""
        if meeting.rrule is None:
            question = f"Cancel {meeting.key} ({meeting.title}) on {when}?"
        else:
            question = f"Cancel {meeting.key} ({meeting.title}) on {when} only? "
            if is_first_occurrence(meeting, start):
                question += "The rest of the series stays; tick the box to cancel the whole series."
                option = "The whole series"
            else:
                question += (
                    "The rest of the series stays; tick the box to cancel every later "
                    f"occurrence too (the series then ends before {when})."
                )
                option = "Every later occurrence too"
        if _attendees_have_it(meeting):
            question += " " + self.mail.note_before("the cancellation")
        dialog = ConfirmDialog(question, yes="Cancel it", no="Keep it", option=option)

        def answered(cancel: bool | None) -> None:
            if not cancel:
                return
            rest = dialog.option_chosen
            change = cancel_from if rest else cancel_occurrence
            sendings = (
                [_cancel_sending(meeting, occurrence, rest=rest)]
                if _attendees_have_it(meeting)
                else []
            )
            if meeting.rrule is None or not rest:
                done = f"Cancelled {meeting.key} on {when}"
            elif is_first_occurrence(meeting, start):
                done = f"Cancelled the whole series {meeting.key}"
            else:
                done = (
                    f"{meeting.key} now ends before {when}: that occurrence and every later "
                    "one are cancelled"
                )
            done += f" ({self.host.undo_key} undoes)."
            self.saves.save(
                meeting,
                lambda current: _changed_fields(current, change(current, start), CANCEL_FIELDS),
                done + self.mail.after_saving(project, sendings),
                then=lambda saved: self.mail.offer(project, sendings, [saved]),
            )

        self.host.push_screen(dialog, answered)

    def _restore_occurrence(self, occurrence: Occurrence, project: Project) -> None:
        """Un-cancel the occurrence (or the one-off meeting), then offer to e-mail the invite again.

        Once the attendees were sent anything about the meeting (its invite,
        its cancellation), their calendars only show it again when they get
        the invite again, with a SEQUENCE above every one sent.
        """
        from clientdesk.store.calendar import restore_occurrence

        meeting = occurrence.meeting
        start = occurrence.original_start
        when = _when(occurrence)
        sendings = [_restore_sending(meeting, occurrence)] if meeting.sent else []
        if meeting.rrule is None:
            done = f"{meeting.key} on {when} is scheduled again"
        else:
            done = f"{meeting.key} on {when} is back in the series"
        done += f" ({self.host.undo_key} undoes)."
        self.saves.save(
            meeting,
            lambda current: _changed_fields(current, restore_occurrence(current, start)),
            done + self.mail.after_saving(project, sendings),
            then=lambda saved: self.mail.offer(project, sendings, [saved]),
        )

    # -- deleting a meeting the attendees were sent -----------------------------------

    def ask_delete(self, record: Record | None) -> bool:
        """Ask before deleting a meeting whose invite went out, offering its cancellation first.

        Deleting a meeting sends nothing by itself, so the attendees would keep
        it in their calendars. With a mail server set up the user is offered
        the cancellation first: the meeting is cancelled, the cancellation is
        sent (built from the record while it is still there, and recorded on
        it), then the meeting is deleted. Undoing the delete brings it back as
        it was last, cancelled, with the cancellation in what was sent: never
        as if the attendees still had it.

        Args:
            record: the record under the cursor.

        Returns:
            True when the delete is asked about here; False when ``record`` is
            not a meeting the attendees were sent and still hold (the usual
            delete applies).
        """
        from clientdesk.store.mail import invite_recipients
        from clientdesk.store.models import Meeting

        project = self.host.current_project
        if not isinstance(record, Meeting) or project is None or project.is_closed:
            return False
        recipients = invite_recipients(record)
        if not _sent_and_not_cancelled(record) or not recipients:
            return False
        noun = "the whole series" if record.rrule else "meeting"
        question = (
            f"Delete {noun} {record.key} ({record.title})? Its invite went to {people(recipients)}"
        )
        if self.mail.can_send:
            question += ": next you can e-mail them its cancellation, before it is deleted."
        else:
            question += (
                ", and no mail server is set up, so no cancellation is sent: it stays in "
                f"their calendars. To tell them, cancel it ({key_of('calendar.cancel')}) and "
                f"send the cancellation ({_cancel_of_whole(record).command(project.key)}) "
                "before deleting it."
            )

        def answered(delete: bool | None) -> None:
            if not delete:
                return
            if self.mail.can_send:
                self._offer_cancellation_before_delete(record, project, recipients)
            else:
                self._delete_meeting(record, project, None, "no mail server is set up")

        self.host.push_screen(ConfirmDialog(question, yes="Delete", no="Keep"), answered)
        return True

    def _offer_cancellation_before_delete(
        self, meeting: Meeting, project: Project, recipients: Sequence[str]
    ) -> None:
        sending = _cancel_of_whole(meeting)

        def answered(send: bool | None) -> None:
            self._delete_meeting(meeting, project, sending if send else None, "you chose not to")

        self.host.push_screen(
            ConfirmDialog(
                f"E-mail {sending.what} to {people(recipients)} before deleting it?",
                yes="Send, then delete",
                no="Delete only",
                default_yes=True,
            ),
            answered,
        )

    def _delete_meeting(
        self, meeting: Meeting, project: Project, sending: Sending | None, why_unsent: str
    ) -> None:
        # The keys typed meanwhile wait for the outcome, as for every save.
        self.saves.write(partial(self._cancel_send_delete, meeting, project, sending, why_unsent))

    def _cancel_send_delete(
        self, meeting: Meeting, project: Project, sending: Sending | None, why_unsent: str
    ) -> None:
        """Cancel ``meeting`` and send ``sending`` (when given), then delete it (a worker).

        A cancellation that cannot be sent leaves the meeting cancelled, not
        deleted, so that it can still be sent. A meeting someone changed since
        the user asked is left alone: they are to see it as it is now first.
        """
        from clientdesk.store.mail import invite_recipients
        from clientdesk.store.models import Meeting as MeetingRecord
        from clientdesk.store.snapshot import dump_record, validate_record

        repository = self.host.repository
        key = meeting.key
        try:
            current = repository.snapshot().get(MeetingRecord, meeting.id)
            if current is None:
                self.host.post_message(
                    RecordWritten(None, f"{key} was already deleted.", changed=False)
                )
                return
            if current.revision != meeting.revision:
                self.host.post_message(
                    WriteFailed(
                        f"{key} was changed by {current.updated_by or 'someone'} meanwhile: "
                        f"nothing was sent or deleted ({key_of('record.delete')} asks again)"
                    )
                )
                return
            if sending is not None:
                if current.status is not MeetingStatus.CANCELLED:
                    cancelled = {**dump_record(current), "status": MeetingStatus.CANCELLED.value}
                    repository.update(validate_record(MeetingRecord, cancelled))
                sent = self.mail.send(project, [sending])
                if sent.failed or sent.last is None:
                    self.host.post_message(
                        WriteFailed(
                            f"{sent.line}; {key} is cancelled but not deleted, so that the "
                            f"cancellation can still go out ({key_of('record.delete')} "
                            "deletes it then)"
                        )
                    )
                    return
                repository.delete(sent.last)
                text = (
                    f"{sent.line}, then deleted {key} "
                    f"({self.host.undo_key} brings it back, cancelled)."
                )
            else:
                repository.delete(current)
                text = (
                    f"Deleted {key} ({self.host.undo_key} undoes). Nothing was sent to the "
                    f"attendees ({why_unsent}): it stays in the calendars of "
                    f"{people(invite_recipients(current))}."
                )
        except (StoreError, OSError) as error:
            self.host.post_message(WriteFailed(f"{key} was not deleted: {describe_error(error)}"))
        else:
            self.host.post_message(RecordWritten(None, text))

    def _move_occurrence(self, occurrence: Occurrence, project: Project) -> None:
        """Ask where and when, move the occurrence, then offer to e-mail the update."""
        from clientdesk.store.calendar import move_occurrence
        from clientdesk.widgets.move_occurrence_dialog import MoveOccurrenceDialog, MoveResult

        meeting = occurrence.meeting
        original = occurrence.original_start
        series = meeting.rrule is not None
        sending = Sending(
            meeting.key,
            cancel=False,
            occurrence=original if series else None,
            what=f"the update of {meeting.key}" + (f" on {_when(occurrence)}" if series else ""),
            timezone=meeting.timezone,
        )

        def moved(result: MoveResult | None) -> None:
            if result is None:
                return
            local = result.start.astimezone(clock.zone(meeting.timezone))
            was = occurrence.start.astimezone(clock.zone(meeting.timezone))
            done = (
                f"Moved {meeting.key} from {was:%a %d %b %H:%M} to {local:%a %d %b %H:%M} "
                f"({self.host.undo_key} undoes)."
            )
            self.saves.save(
                meeting,
                lambda current: _changed_fields(
                    current,
                    move_occurrence(
                        current, original, result.start, result.duration_minutes, result.location
                    ),
                ),
                done + self.mail.after_saving(project, sendings),
                then=lambda saved: self.mail.offer(project, sendings, [saved]),
            )

        sendings = [sending] if _attendees_have_it(meeting) else []
        note = self.mail.note_before("the update") if sendings else ""
        self.host.push_screen(MoveOccurrenceDialog(occurrence, note=note), moved)

    def _edit_minutes(
        self, occurrence: Occurrence, project: Project, typed: MinutesResult | None = None
    ) -> None:
        """Open the minutes form on ``occurrence`` (with ``typed``: what a failed save held).

        The save is refused, and the form comes back with the typed text, when
        a colleague changed the same occurrence's minutes, decisions or action
        items meanwhile: theirs are not overwritten unless the user, told so,
        saves again.
        """
        from dataclasses import replace

        from clientdesk.store.calendar import change_occurrence
        from clientdesk.widgets.minutes_form import MinutesForm

        meeting = occurrence.meeting
        shown = occurrence
        if typed is not None:
            shown = replace(
                occurrence,
                minutes=typed.minutes,
                decisions=tuple(typed.decisions),
                action_items=tuple(typed.action_items),
                agenda=tuple(typed.agenda) if typed.agenda is not None else occurrence.agenda,
            )

        def written(result: MinutesResult | None) -> None:
            if result is None:
                return
            self.saves.save(
                meeting,
                lambda current: _minutes_fields(
                    current, occurrence, result, change_occurrence, when=_when(occurrence)
                ),
                f"Saved the minutes of {meeting.key} on {_when(occurrence)}.",
                ask_again=partial(self._reopen_minutes, occurrence, project, result),
            )

        self.host.push_screen(MinutesForm(shown, request_keys=self._request_keys(project)), written)

    def _reopen_minutes(
        self, occurrence: Occurrence, project: Project, typed: MinutesResult
    ) -> None:
        """After a failed save: the form again, on the occurrence as stored, with the typed text."""

        def read() -> None:
            from clientdesk.store.calendar import occurrence_at
            from clientdesk.store.models import Meeting

            try:
                stored = self.host.repository.snapshot().get(Meeting, occurrence.meeting.id)
            except (StoreError, OSError):
                stored = None
            current = occurrence_at(stored, occurrence.original_start) if stored else None
            self.host.call_from_thread(self._edit_minutes, current or occurrence, project, typed)

        self.host.run_worker(read, thread=True, group="store")

    def _split_series(self, occurrence: Occurrence, project: Project) -> None:
        """Open the form on "this and all following": saving splits the series in one write.

        Once saved, the attendees are offered both halves: the old series'
        update (it now ends) and the new series' invite.
        """
        from clientdesk.store.calendar import split_series
        from clientdesk.store.errors import ValidationFailed

        try:
            old, new = split_series(occurrence.meeting, occurrence.original_start)
        except ValidationFailed as error:
            self.host.notify(describe_error(error), severity="warning", markup=False)
            return
        when = _when(occurrence)
        ended: list[Meeting] = []

        def save(edited: Meeting) -> Meeting:
            from clientdesk.store.write_rules import Change

            saved = self.host.repository.apply([Change.update(old), Change.add(edited)])
            first, result = saved
            assert isinstance(first, type(old)) and result is not None
            ended.append(first)
            return result  # type: ignore[return-value]

        def split(result: Meeting | None) -> None:
            if result is None or not ended:
                return
            before = ended[-1]
            sendings = [
                _whole(before, f"the update of {before.key} (it ends before {when})"),
                _whole(result, f"the invite of {result.key} (from {when} on)"),
            ]
            if not _attendees_have_it(before):
                sendings = []
            self.host.notify(
                f"Split {before.key}: it ends before {when}, and {result.key} carries on "
                f"from then ({self.host.undo_key} undoes)."
                + self.mail.after_saving(project, sendings),
                markup=False,
            )
            self.host.reload(select_record=result.id)
            self.mail.offer(project, sendings, [before, result])

        self.edit_meeting(
            project,
            new,
            save=save,
            subtitle=f"{occurrence.meeting.key} from {when} on",
            saved=split,
        )

    def _request_for_action(self, occurrence: Occurrence, project: Project, index: int) -> None:
        self.host.run_worker(
            partial(self._raise_request_for_action, occurrence, project, index),
            thread=True,
            group="store",
        )

    def _raise_request_for_action(
        self, occurrence: Occurrence, project: Project, index: int
    ) -> None:
        """Add a client request for an action item and link both ways, in one write (a worker)."""
        from clientdesk.store.calendar import request_for_action
        from clientdesk.store.models import Meeting
        from clientdesk.store.write_rules import Change

        try:
            current = self.host.repository.snapshot().get(Meeting, occurrence.meeting.id)
            if current is None:
                raise StoreError(f"{occurrence.meeting.key} was deleted meanwhile")
            # The index is the one on screen: find the same action item in the
            # meeting as stored, in case someone changed the list meanwhile.
            index = _same_action(current, occurrence, index)
            request, linked = request_for_action(
                current, occurrence.original_start, index, project, clock.now()
            )
            saved = self.host.repository.apply([Change.add(request), Change.update(linked)])
        except (StoreError, OSError) as error:
            self.host.post_message(WriteFailed(describe_error(error)))
        else:
            added = saved[0]
            assert added is not None
            text = f"Raised {added.key} (Requests pane) for the action of {current.key}."
            self.host.post_message(RecordWritten(added, text, select=False))


def _minutes_fields(
    meeting: Meeting,
    opened: Occurrence,
    result: MinutesResult,
    change: Callable[..., Meeting],
    *,
    when: str,
) -> dict[str, Any]:
    """The stored fields the minutes form's ``result`` changes on ``meeting`` (as stored now).

    Raises:
        StoreError: someone else changed what the form was opened on (the
            occurrence's minutes, decisions or action items) meanwhile.
    """
    from clientdesk.store.calendar import occurrence_at
    from clientdesk.store.snapshot import dump_record

    start = opened.original_start
    current = occurrence_at(meeting, start)
    if current is None:
        raise StoreError(f"{meeting.key} no longer meets on {when}")
    record = (current.minutes, current.decisions, current.action_items)
    if record != (opened.minutes, opened.decisions, opened.action_items):
        raise StoreError(
            f"the minutes of {meeting.key} on {when} were changed by {meeting.updated_by} "
            "meanwhile; yours were not saved"
        )
    changed = change(
        meeting,
        start,
        agenda=result.agenda,
        minutes=result.minutes,
        decisions=result.decisions,
        action_items=result.action_items,
    )
    old, new = dump_record(meeting), dump_record(changed)
    fields: Sequence[str] = (*OCCURRENCE_FIELDS, "agenda", "minutes", "decisions", "action_items")
    return {name: new[name] for name in fields if old.get(name) != new.get(name)}


def _recurrence_id(occurrence: Occurrence) -> datetime | None:
    """The RECURRENCE-ID an invite of this occurrence is about (None: the whole meeting).

    Only an occurrence of a series that differs from it (cancelled alone,
    moved) is sent on its own; otherwise the whole meeting is.
    """
    meeting = occurrence.meeting
    if meeting.rrule is None or meeting.status is MeetingStatus.CANCELLED:
        return None
    if occurrence.cancelled or occurrence.moved:
        return occurrence.original_start
    return None


def _series_sent(meeting: Meeting) -> bool:
    """True when the whole meeting's invite was e-mailed at least once."""
    return any(sent.method == "REQUEST" and sent.recurrence_id is None for sent in meeting.sent)


def _attendees_have_it(meeting: Meeting) -> bool:
    """True when the attendees may have ``meeting`` in their calendars: it is more than a draft.

    A draft that was never sent is news to nobody: changing it offers no e-mail.
    """
    return meeting.status is not MeetingStatus.DRAFT or bool(meeting.sent)


def _sent_and_not_cancelled(meeting: Meeting) -> bool:
    """True when the attendees were sent ``meeting`` and hold it as taking place.

    Its invite went out (``sent`` records each sending) and it is not
    cancelled: deleting it must tell them, or it stays in their calendars.
    """
    return bool(meeting.sent) and meeting.status is not MeetingStatus.CANCELLED


def _cancel_of_whole(meeting: Meeting) -> Sending:
    """The cancellation of the whole of ``meeting`` (a one-off meeting or a whole series)."""
    whole = "the whole series " if meeting.rrule else ""
    what = f"the cancellation of {whole}{meeting.key}"
    return Sending(meeting.key, cancel=True, occurrence=None, what=what)


def _restore_sending(meeting: Meeting, occurrence: Occurrence) -> Sending:
    """The invite the attendees get again once ``occurrence`` is restored.

    One occurrence of a series goes out on its own (its RECURRENCE-ID), as a
    cancellation of it did; a one-off meeting goes out whole.
    """
    if meeting.rrule is None:
        return _whole(meeting, f"the invite of {meeting.key} again")
    what = f"the invite of {meeting.key} on {_when(occurrence)} again"
    return Sending(
        meeting.key,
        cancel=False,
        occurrence=occurrence.original_start,
        what=what,
        timezone=meeting.timezone,
    )


def _cancel_sending(meeting: Meeting, occurrence: Occurrence, *, rest: bool) -> Sending:
    """What the attendees get once ``occurrence`` is cancelled (``rest``: and every later one).

    A one-off meeting, or a series from its first occurrence, is cancelled
    as a whole; a series ended at a later occurrence is updated (it now
    ends); one occurrence alone gets its own cancellation.
    """
    from clientdesk.store.cancellations import is_first_occurrence

    when = _when(occurrence)
    start = occurrence.original_start
    if meeting.rrule is None:
        what = f"the cancellation of {meeting.key}"
        return Sending(meeting.key, cancel=True, occurrence=None, what=what)
    if not rest:
        what = f"the cancellation of {meeting.key} on {when}"
        return Sending(
            meeting.key, cancel=True, occurrence=start, what=what, timezone=meeting.timezone
        )
    if is_first_occurrence(meeting, start):
        what = f"the cancellation of the whole series {meeting.key}"
        return Sending(meeting.key, cancel=True, occurrence=None, what=what)
    return _whole(meeting, f"the update of {meeting.key} (it ends before {when})")


def _whole(meeting: Meeting, what: str) -> Sending:
    """The invite (or update) of the whole of ``meeting``, named ``what`` to the user."""
    return Sending(meeting.key, cancel=False, occurrence=None, what=what, timezone=meeting.timezone)


def _same_action(meeting: Meeting, shown: Occurrence, index: int) -> int:
    """Where the action item shown at ``index`` is in ``meeting`` as stored now.

    Raises:
        StoreError: it is no longer there.
    """
    from clientdesk.store.calendar import occurrence_at

    wanted = shown.action_items[index]
    current = occurrence_at(meeting, shown.original_start)
    items = list(current.action_items) if current is not None else []
    if index < len(items) and items[index].text == wanted.text:
        return index
    for position, item in enumerate(items):
        if item.text == wanted.text and item.owner == wanted.owner:
            return position
    raise StoreError(f"the action item of {meeting.key} was changed or removed meanwhile")
