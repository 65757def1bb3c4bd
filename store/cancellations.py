"""Calling off what is still to come: a series from one occurrence on, a closing project's meetings.

A series is called off from an occurrence on in the form the attendees'
calendars keep best: from its first occurrence, the whole series is
cancelled (their calendars get a ``METHOD:CANCEL``); from a later one, the
series ends before it (an ``UNTIL``, or a shorter ``COUNT``), so that the
occurrences that took place stay in everyone's calendar with their minutes,
and the attendees get the shortened series as an update. A one-off meeting
is simply cancelled. Which meetings a closing project still has planned is
what its meetings gate (:func:`clientdesk.store.closing.meeting_gate`) counts.
No Textual here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from clientdesk.store.calendar import (
    Occurrence,
    cancel_occurrence,
    next_occurrence,
    split_series,
)
from clientdesk.store.closing import PLANNED
from clientdesk.store.enums import MeetingStatus
from clientdesk.store.models import Meeting


def is_first_occurrence(meeting: Meeting, original_start: datetime) -> bool:
    """True when ``original_start`` is where ``meeting`` begins (always, for a one-off)."""
    return meeting.rrule is None or original_start == meeting.start


def cancel_from(meeting: Meeting, original_start: datetime) -> Meeting:
    """``meeting`` with the occurrence at ``original_start`` and every later one called off.

    From the first occurrence (or for a one-off meeting) the meeting is
    cancelled as a whole; from a later one, the series ends before it and
    the occurrences before it stay as they were.

    Raises:
        ValidationFailed: (from :mod:`clientdesk.store.errors`) the meeting
            has no occurrence at ``original_start``, or that occurrence took
            place (held or minuted).
    """
    cancelled_alone = cancel_occurrence(meeting, original_start)  # refuses what took place
    if meeting.rrule is None:
        return cancelled_alone
    if is_first_occurrence(meeting, original_start):
        return meeting.model_copy(update={"status": MeetingStatus.CANCELLED})
    # The split's first half is the series ended before this occurrence; the
    # second half (what would carry on) is simply not kept.
    ended, _rest = split_series(meeting, original_start)
    return ended


@dataclass(frozen=True)
class StillScheduled:
    """A meeting of a project that is still to take place.

    Attributes:
        meeting: the meeting or series, as stored.
        next: its next occurrence that is not cancelled.
    """

    meeting: Meeting
    next: Occurrence

    @property
    def attendees_to_tell(self) -> bool:
        """True when the attendees may have it in their calendars: it was scheduled or sent."""
        return self.meeting.status is MeetingStatus.SCHEDULED or bool(self.meeting.sent)

    @property
    def ends_series(self) -> bool:
        """True when calling it off ends a series that already met (rather than cancels it)."""
        return not is_first_occurrence(self.meeting, self.next.original_start)

    def called_off(self) -> Meeting:
        """The meeting with this and every later occurrence called off (see :func:`cancel_from`)."""
        return cancel_from(self.meeting, self.next.original_start)


def still_scheduled(meetings: Iterable[Meeting], now: datetime) -> list[StillScheduled]:
    """The meetings still planned (draft or scheduled) with an occurrence to come, soonest first.

    A series counts while one of its occurrences, not cancelled, ends after
    ``now``; these are the meetings that keep a project's meetings gate shut.
    """
    found: list[StillScheduled] = []
    for meeting in meetings:
        if meeting.status not in PLANNED:
            continue
        upcoming = next_occurrence(meeting, now)
        if upcoming is not None:
            found.append(StillScheduled(meeting, upcoming))
    found.sort(key=lambda item: (item.next.start, item.meeting.key))
    return found
