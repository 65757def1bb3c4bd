"""Calendar rules without a terminal: recurrence, exceptions, splits, SEQUENCE, the plan."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientdesk.store import calendar, clock
from clientdesk.store.calendar import CadencePreset
from clientdesk.store.enums import RSVP, Channel, MeetingKind, MeetingStatus, RequestType
from clientdesk.store.errors import ValidationFailed
from clientdesk.store.models import (
    ActionItem,
    AgendaItem,
    Attendee,
    ClientRequest,
    CommunicationPlanItem,
    Contact,
    Meeting,
    OccurrenceChange,
    Project,
)
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.snapshot import dump_record, validate_record
from clientdesk.store.write_rules import Change

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2027, 3, 1, 10, 0, tzinfo=BERLIN)  # a Monday, winter time


@pytest.fixture
def project(repo: TinyDBRepository) -> Project:
    """An empty project in Berlin, in an empty store."""
    return repo.add(
        Project(
            name="Portal",
            key="PORTAL",
            timezone="Europe/Berlin",
            organiser_name="Pat PM",
            organiser_email="pat@agency.example",
        )
    )


def weekly(**fields: object) -> Meeting:
    """A weekly Monday 10:00 Berlin series from 1 March 2027, with ``fields`` changed."""
    data: dict[str, object] = {
        "title": "Weekly sync",
        "start": START,
        "timezone": "Europe/Berlin",
        "rrule": "FREQ=WEEKLY;BYDAY=MO",
        "attendees": [{"email": "ann@client.example"}],
    }
    data.update(fields)
    return validate_record(Meeting, data)


def at(day: int, month: int = 3, hour: int = 10) -> datetime:
    """``hour`` o'clock Berlin time on ``day``.``month``.2027."""
    return datetime(2027, month, day, hour, tzinfo=BERLIN)


def starts(found: list[calendar.Occurrence]) -> list[datetime]:
    """The starts of ``found``."""
    return [occurrence.start for occurrence in found]


# -- recurrence ----------------------------------------------------------------------


def test_weekly_berlin_series_stays_at_ten_local_across_both_dst_changes() -> None:
    meeting = weekly()
    found = calendar.occurrences(meeting, START, at(8, 11))
    local_hours = {occurrence.start.astimezone(BERLIN).hour for occurrence in found}
    utc_hours = [occurrence.start.astimezone(UTC).hour for occurrence in found]
    assert local_hours == {10}
    # 28 March 2027 and 31 October 2027: CET (9 UTC), then CEST (8 UTC), then CET again.
    march = [o for o in found if o.start < at(28)]
    summer = [o for o in found if at(28) < o.start < at(31, 10)]
    autumn = [o for o in found if o.start > at(31, 10)]
    assert {o.start.astimezone(UTC).hour for o in march} == {9}
    assert {o.start.astimezone(UTC).hour for o in summer} == {8}
    assert {o.start.astimezone(UTC).hour for o in autumn} == {9}
    assert len(utc_hours) == 36


def test_a_cancelled_occurrence_disappears_and_comes_back() -> None:
    meeting = weekly()
    cancelled = calendar.cancel_occurrence(meeting, at(8))
    assert starts(calendar.occurrences(cancelled, START, at(22))) == [at(1), at(15)]
    shown = calendar.occurrences(cancelled, START, at(22), include_cancelled=True)
    assert [(o.start, o.cancelled) for o in shown] == [
        (at(1), False),
        (at(8), True),
        (at(15), False),
    ]
    assert calendar.restore_occurrence(cancelled, at(8)) == meeting


def test_a_moved_occurrence_appears_once_at_its_new_time() -> None:
    meeting = calendar.move_occurrence(weekly(), at(8), at(10, hour=14), duration_minutes=30)
    found = calendar.occurrences(meeting, START, at(22))
    assert starts(found) == [at(1), at(10, hour=14), at(15)]
    moved = found[1]
    assert moved.moved and moved.original_start == at(8) and moved.duration_minutes == 30


def test_a_moved_occurrence_follows_its_new_time_in_and_out_of_the_window() -> None:
    # Moved from the week before the window into it, and from the window out of it.
    meeting = calendar.move_occurrence(weekly(), at(1), at(9, hour=9))
    meeting = calendar.move_occurrence(meeting, at(15), at(29))
    window = calendar.occurrences(meeting, at(8, hour=0), at(16, hour=0))
    assert [(o.start, o.original_start) for o in window] == [(at(8), at(8)), (at(9, hour=9), at(1))]


def test_a_cancelled_meeting_has_every_occurrence_cancelled() -> None:
    meeting = weekly(status="cancelled")
    assert calendar.occurrences(meeting, START, at(29)) == []
    assert calendar.next_occurrence(meeting, START) is None
    assert all(
        o.cancelled for o in calendar.occurrences(meeting, START, at(29), include_cancelled=True)
    )


def test_an_occurrence_may_have_its_own_agenda_and_minutes() -> None:
    template = [AgendaItem(title="Status", minutes=15)]
    meeting = weekly(agenda=[a.model_dump() for a in template], status="scheduled")
    own = [AgendaItem(title="Demo", minutes=45)]
    meeting = calendar.change_occurrence(
        meeting, at(8), agenda=own, minutes="Went well", status=MeetingStatus.HELD
    )
    first, second = calendar.occurrences(meeting, START, at(9))
    assert first.agenda == tuple(template) and first.minutes == ""
    assert second.agenda == tuple(own) and second.agenda_minutes == 45
    assert (second.minutes, second.status) == ("Went well", MeetingStatus.HELD)
    assert first.status is MeetingStatus.SCHEDULED


def test_next_occurrence_skips_cancelled_and_counts_one_in_progress() -> None:
    meeting = calendar.cancel_occurrence(weekly(), at(8))
    assert calendar.next_occurrence(meeting, at(1, hour=10) + timedelta(minutes=30)) is not None
    upcoming = calendar.next_occurrence(meeting, at(2))
    assert upcoming is not None and upcoming.start == at(15)
    assert meeting.next_occurrence(at(2)) == at(15)


def test_a_series_with_a_count_ends() -> None:
    meeting = weekly(rrule="FREQ=WEEKLY;COUNT=3")
    assert starts(calendar.occurrences(meeting, START, at(1, 5))) == [at(1), at(8), at(15)]
    assert calendar.next_occurrence(meeting, at(16)) is None


def test_project_occurrences_are_sorted_by_start_then_key() -> None:
    one = weekly(key="MTG-10")
    two = weekly(key="MTG-2", title="Other")
    found = calendar.project_occurrences([one, two], START, at(2))
    assert [o.key for o in found] == ["MTG-2", "MTG-10"]


# -- splitting -----------------------------------------------------------------------


def test_split_ends_the_old_series_the_occurrence_before() -> None:
    meeting = calendar.cancel_occurrence(weekly(key="MTG-1"), at(8))
    meeting = calendar.cancel_occurrence(meeting, at(22))
    old, new = calendar.split_series(meeting, at(15))
    assert old.rrule == "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270308T090000Z"
    assert starts(calendar.occurrences(old, START, at(30, 4), include_cancelled=True)) == [
        at(1),
        at(8),
    ]
    assert [c.original_start for c in old.exceptions] == [at(8)]
    assert (new.key, new.revision, new.sequence, new.split_from) == ("", 0, 0, meeting.id)
    assert new.id != meeting.id and new.start == at(15)
    assert starts(calendar.occurrences(new, START, at(30))) == [at(15), at(29)]
    assert [c.original_start for c in new.exceptions] == [at(22)]


def test_split_shortens_a_count_and_gives_the_rest_to_the_new_series() -> None:
    old, new = calendar.split_series(weekly(rrule="FREQ=WEEKLY;COUNT=5"), at(15))
    assert old.rrule == "FREQ=WEEKLY;COUNT=2" and new.rrule == "FREQ=WEEKLY;COUNT=3"
    both = calendar.project_occurrences([old, new], START, at(30, 6))
    assert starts(both) == [at(1), at(8), at(15), at(22), at(29)]


def test_split_refuses_the_first_occurrence_and_one_off_meetings() -> None:
    with pytest.raises(ValidationFailed, match="first occurrence"):
        calendar.split_series(weekly(), START)
    with pytest.raises(ValidationFailed, match="not a series"):
        calendar.split_series(weekly(rrule=None), START)
    with pytest.raises(ValidationFailed, match="no occurrence on 2027-03-09 10:00"):
        calendar.split_series(weekly(), at(9))


def test_a_split_is_saved_in_one_apply(repo: TinyDBRepository, project: Project) -> None:
    stored = repo.add(weekly(project_id=project.id))
    old, new = calendar.split_series(stored, at(15))
    new = new.model_copy(update={"location": "Room 2"})
    saved_old, saved_new = repo.apply([Change.update(old), Change.add(new)])
    assert isinstance(saved_old, Meeting) and isinstance(saved_new, Meeting)
    assert saved_old.sequence == 1  # the rule changed: attendees get a new invite
    assert (saved_new.key, saved_new.sequence, saved_new.split_from) == ("MTG-2", 0, stored.id)


def test_editing_the_whole_series_carries_its_exceptions_along() -> None:
    previous = calendar.cancel_occurrence(weekly(rrule="FREQ=WEEKLY;COUNT=4"), at(8))
    previous = calendar.change_occurrence(previous, at(22), agenda=[AgendaItem(title="Demo")])
    # Monday 10:00 becomes Tuesday 11:00: each occurrence moves a day and an hour.
    later = previous.model_copy(update={"start": at(2, hour=11), "rrule": "FREQ=WEEKLY;COUNT=3"})
    fitted = calendar.fit_exceptions(later, previous)
    # The re-planned 22 March (now 23 March) is past the new count: dropped, nothing recorded.
    assert [c.original_start for c in fitted.exceptions] == [at(9, hour=11)]
    assert validate_record(Meeting, dump_record(fitted)).exceptions == fitted.exceptions
    one_off = calendar.fit_exceptions(later.model_copy(update={"rrule": None}), previous)
    assert one_off.exceptions == []


def _minuted(meeting: Meeting, day: int) -> Meeting:
    held = calendar.change_occurrence(meeting, at(day), status=MeetingStatus.HELD)
    return calendar.change_occurrence(held, at(day), minutes="Went through the risks")


def test_a_new_first_date_leaves_the_minutes_on_their_own_occurrence() -> None:
    previous = _minuted(weekly(status=MeetingStatus.SCHEDULED), 15)
    later = previous.model_copy(update={"start": at(8)})
    fitted = calendar.fit_exceptions(later, previous)
    assert [(c.original_start, c.minutes) for c in fitted.exceptions] == [
        (at(15), "Went through the risks")
    ]


def test_a_new_time_or_weekday_carries_the_minutes_to_the_same_week() -> None:
    previous = _minuted(weekly(status=MeetingStatus.SCHEDULED), 15)
    later = previous.model_copy(update={"start": at(1, hour=11)})
    assert [c.original_start for c in calendar.fit_exceptions(later, previous).exceptions] == [
        at(15, hour=11)
    ]
    tuesdays = previous.model_copy(update={"start": at(2), "rrule": "FREQ=WEEKLY;BYDAY=TU"})
    assert [c.original_start for c in calendar.fit_exceptions(tuesdays, previous).exceptions] == [
        at(16)
    ]


def test_an_edit_that_would_lose_minutes_is_refused() -> None:
    previous = calendar.cancel_occurrence(weekly(status=MeetingStatus.SCHEDULED), at(29))
    previous = _minuted(previous, 15)
    fortnightly = previous.model_copy(
        update={"start": at(8), "rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"}
    )
    with pytest.raises(ValidationFailed, match=r"1 occurrence .*15 Mar 2027.*\(F\)") as refused:
        calendar.fit_exceptions(fortnightly, previous)
    assert refused.value.field == "rrule"
    with pytest.raises(ValidationFailed, match="would no longer be part of the series"):
        calendar.fit_exceptions(previous.model_copy(update={"rrule": None}), previous)
    # Without the minutes, the cancelled 29 March is simply no longer in the series.
    plain = calendar.cancel_occurrence(weekly(), at(29))
    assert calendar.fit_exceptions(fortnightly.model_copy(update={"exceptions": []}), plain) == (
        fortnightly.model_copy(update={"exceptions": []})
    )


# -- SEQUENCE and status through the repository ------------------------------------------


def _saved(repo: TinyDBRepository, meeting: Meeting) -> Meeting:
    saved = repo.update(meeting)
    assert isinstance(saved, Meeting)
    return saved


def test_sequence_rises_on_what_attendees_must_see(
    repo: TinyDBRepository, project: Project
) -> None:
    meeting = repo.add(weekly(project_id=project.id))
    steps = [
        lambda m: m.model_copy(update={"start": at(1, hour=11)}),
        lambda m: m.model_copy(update={"location": "Room 4"}),
        lambda m: m.model_copy(
            update={"attendees": [*m.attendees, Attendee(email="bob@client.example")]}
        ),
        lambda m: calendar.cancel_occurrence(m, at(8, hour=11)),
        lambda m: calendar.move_occurrence(m, at(15, hour=11), at(16, hour=11)),
        lambda m: m.model_copy(update={"status": MeetingStatus.CANCELLED}),
    ]
    for expected, step in enumerate(steps, start=1):
        meeting = _saved(repo, step(meeting))
        assert meeting.sequence == expected


def test_sequence_stays_on_minutes_agenda_and_rsvp(
    repo: TinyDBRepository, project: Project
) -> None:
    meeting = repo.add(weekly(project_id=project.id))
    meeting = _saved(repo, meeting.model_copy(update={"agenda": [AgendaItem(title="Status")]}))
    meeting = _saved(
        repo, calendar.change_occurrence(meeting, at(8), minutes="Notes", decisions=["Go"])
    )
    answered = meeting.attendees[0].model_copy(update={"rsvp": RSVP.ACCEPTED})
    meeting = _saved(repo, meeting.model_copy(update={"attendees": [answered]}))
    assert meeting.revision == 4 and meeting.sequence == 0
    # Draft to scheduled turns the invite's TENTATIVE into CONFIRMED: that counts
    # (issue 20, item 13); scheduled to held leaves it CONFIRMED: that does not.
    meeting = _saved(repo, meeting.model_copy(update={"status": MeetingStatus.SCHEDULED}))
    assert meeting.sequence == 1
    meeting = _saved(repo, meeting.model_copy(update={"status": MeetingStatus.HELD}))
    assert meeting.sequence == 1
    # Whatever the caller sends, the store counts.
    meeting = _saved(repo, meeting.model_copy(update={"sequence": 40, "title": "Sync"}))
    assert meeting.sequence == 2


def test_meeting_status_moves_are_checked(repo: TinyDBRepository, project: Project) -> None:
    meeting = repo.add(weekly(project_id=project.id))
    with pytest.raises(ValidationFailed, match="from draft to minuted") as refused:
        repo.update(meeting.model_copy(update={"status": MeetingStatus.MINUTED}))
    assert refused.value.field == "status"
    assert "scheduled, cancelled" in str(refused.value)
    assert repo.snapshot().get(Meeting, meeting.id) == meeting
    with pytest.raises(ValidationFailed, match="from draft to held"):
        calendar.change_occurrence(meeting, at(8), status=MeetingStatus.HELD)


def test_raises_sequence_compares_attendees_by_address_and_role() -> None:
    meeting = weekly()
    shouted = meeting.model_copy(
        update={"attendees": [Attendee(email="ANN@client.example", name="Ann")]}
    )
    assert not calendar.raises_sequence(meeting, shouted)
    optional = meeting.model_copy(
        update={"attendees": [Attendee(email="ann@client.example", role="optional")]}
    )
    assert calendar.raises_sequence(meeting, optional)


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"rrule": "FREQ=SOMETIMES"}, "rrule", "not a valid RRULE"),
        ({"rrule": "BYDAY=MO"}, "rrule", "FREQ is missing"),
        ({"rrule": "FREQ=WEEKLY;COUNT=2;UNTIL=20271231T000000Z"}, "rrule", "not both"),
        ({"rrule": "FREQ=WEEKLY;UNTIL=20270201T000000Z"}, "rrule", "ends before it starts"),
        ({"timezone": "Mars/Olympus"}, "timezone", "unknown time zone"),
        ({"duration_minutes": 0}, "duration_minutes", "lasts at least a minute"),
        ({"duration_minutes": -30}, "duration_minutes", "lasts at least a minute"),
    ],
)
def test_bad_meeting_input_names_the_field(
    fields: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationFailed, match=message) as refused:
        weekly(**fields)
    assert refused.value.field == field


def test_an_exception_must_be_an_occurrence_of_the_rule() -> None:
    wrong = {"original_start": at(9).isoformat(), "cancelled": True}
    with pytest.raises(ValidationFailed, match="no occurrence on 2027-03-09 10:00") as refused:
        weekly(exceptions=[wrong])
    assert refused.value.field == "exceptions"
    with pytest.raises(ValidationFailed, match="no occurrence"):
        calendar.cancel_occurrence(weekly(), at(9))


def test_an_old_file_with_a_stray_exception_still_opens(
    repo: TinyDBRepository, project: Project
) -> None:
    meeting = repo.add(weekly(project_id=project.id))
    stray = OccurrenceChange(original_start=at(9), cancelled=True)
    document = json.loads(repo.path.read_text())  # a file edited by hand
    document["meetings"]["1"]["exceptions"] = [stray.model_dump(mode="json")]
    repo.path.write_text(json.dumps(document))
    reopened = TinyDBRepository(repo.path).snapshot().get(Meeting, meeting.id)
    assert reopened is not None and len(reopened.exceptions) == 1


def test_moving_refuses_a_duration_of_zero() -> None:
    with pytest.raises(ValidationFailed, match="between 1 minute") as refused:
        calendar.move_occurrence(weekly(), at(8), at(9), duration_minutes=0)
    assert refused.value.field == "duration_minutes"


def test_rule_problem_checks_as_the_user_types() -> None:
    assert calendar.rule_problem("FREQ=WEEKLY;BYDAY=MO") is None
    assert calendar.rule_problem("FREQ=WEEKLY;BYDAY=XX") is not None
    assert calendar.rule_problem("FREQ=WEEKLY;UNTIL=20270101", START) == (
        "the series ends before it starts"
    )
    assert calendar.rule_problem("FREQ=WEEKLY;UNTIL=20270401", START) is None


# -- conflicts -------------------------------------------------------------------------


def test_overlapping_meetings_that_share_an_attendee_clash() -> None:
    sync = weekly(key="MTG-1")
    review = weekly(
        key="MTG-2",
        rrule=None,
        start=at(8, hour=10) + timedelta(minutes=30),
        attendees=[{"email": "Ann@Client.example"}],
    )
    other = weekly(key="MTG-3", rrule=None, start=at(8), attendees=[{"email": "x@y.example"}])
    found = calendar.project_occurrences([sync, review, other], START, at(15))
    clashes = calendar.conflicts(found)
    assert set(clashes) == {
        f"{sync.id}@{at(8).isoformat()}",
        f"{review.id}@{review.start.isoformat()}",
    }
    assert [o.key for o in clashes[f"{sync.id}@{at(8).isoformat()}"]] == ["MTG-2"]
    cancelled = calendar.cancel_occurrence(sync, at(8))
    found = calendar.project_occurrences([cancelled, review], START, at(15), include_cancelled=True)
    assert calendar.conflicts(found) == {}


# -- the communication plan ------------------------------------------------------------


def plan(**fields: object) -> CommunicationPlanItem:
    """A weekly Monday 10:00 Berlin status report from 1 March 2027."""
    data: dict[str, object] = {
        "title": "Status report",
        "cadence": "FREQ=WEEKLY;BYDAY=MO",
        "first_due": START,
        "channel": "report",
    }
    data.update(fields)
    return validate_record(CommunicationPlanItem, data)


def test_plan_item_is_overdue_until_a_linked_meeting_is_held() -> None:
    item = plan()
    now = at(10)
    due = calendar.plan_due(item, [], now, timezone="Europe/Berlin")
    assert (due.last_due, due.next_due, due.overdue) == (at(8), at(15), True)
    meeting = weekly(plan_item_id=item.id, status="scheduled")
    assert calendar.plan_due(item, [meeting], now).overdue
    held = calendar.change_occurrence(meeting, at(8), status=MeetingStatus.HELD)
    due = calendar.plan_due(item, [held], now)
    assert (due.done_at, due.overdue) == (at(8), False)
    # Held, but for the occurrence before: nearer to that one than to this one.
    early = calendar.change_occurrence(meeting, at(1), status=MeetingStatus.HELD)
    assert calendar.plan_due(item, [early], now).overdue
    unlinked = held.model_copy(update={"plan_item_id": None})
    assert calendar.plan_due(item, [unlinked], now).overdue


def test_plan_item_done_by_hand_and_before_its_first_due() -> None:
    item = plan(last_done=at(8, hour=16))
    assert not calendar.plan_due(item, [], at(10)).overdue
    before = calendar.plan_due(item, [], at(1, hour=9))
    assert (before.last_due, before.next_due, before.overdue) == (None, at(1), False)
    ended = calendar.plan_due(plan(cadence="FREQ=WEEKLY;COUNT=2"), [], at(1, 5))
    assert (ended.next_due, ended.last_due) == (None, at(8))


def test_plan_item_cadence_that_ends_before_first_due_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="ends before it starts") as refused:
        plan(cadence="FREQ=WEEKLY;UNTIL=20270101T000000Z")
    assert refused.value.field == "cadence"


def test_series_for_plan_invites_the_audience_with_an_address(project: Project) -> None:
    ann = Contact(project_id=project.id, name="Ann", email="ann@client.example")
    bob = Contact(project_id=project.id, name="Bob")  # no e-mail: cannot be invited
    item = plan(project_id=project.id, audience=[ann.id, bob.id], cadence="FREQ=WEEKLY;COUNT=4")
    meeting = calendar.series_for_plan(item, project, [ann, bob], at(10))
    assert meeting.start == at(15) and meeting.rrule == "FREQ=WEEKLY;COUNT=2"
    assert [(a.email, a.contact_id) for a in meeting.attendees] == [("ann@client.example", ann.id)]
    assert (meeting.kind, meeting.status, meeting.plan_item_id) == (
        MeetingKind.STATUS_REPORT,
        MeetingStatus.DRAFT,
        item.id,
    )
    assert (meeting.timezone, meeting.organiser_email) == ("Europe/Berlin", "pat@agency.example")
    video = calendar.series_for_plan(
        item.model_copy(update={"channel": Channel.VIDEO}), project, [], at(10)
    )
    assert video.kind is MeetingKind.MEETING


# -- action items become requests ------------------------------------------------------


def test_an_action_item_becomes_a_request_linked_both_ways(
    repo: TinyDBRepository, project: Project
) -> None:
    meeting = repo.add(weekly(project_id=project.id, status="scheduled"))
    actions = [ActionItem(text="Send the test plan\nwith dates", owner="Ann")]
    meeting = repo.update(calendar.change_occurrence(meeting, at(8), action_items=actions))
    assert isinstance(meeting, Meeting)
    request, linked = calendar.request_for_action(meeting, at(8), 0, project, at(9))
    with clock.frozen(at(9)):
        saved_request, saved_meeting = repo.apply([Change.add(request), Change.update(linked)])
    assert isinstance(saved_request, ClientRequest) and isinstance(saved_meeting, Meeting)
    assert (saved_request.title, saved_request.owner) == ("Send the test plan", "Ann")
    assert saved_request.type is RequestType.REQUIREMENT
    assert saved_request.meeting_ids == [meeting.id]
    assert "MTG-1" in saved_request.description and "2027-03-08" in saved_request.description
    occurrence = calendar.occurrence_at(saved_meeting, at(8))
    assert occurrence is not None
    assert occurrence.action_items[0].request_id == saved_request.id
    assert saved_meeting.sequence == 0
    with pytest.raises(ValidationFailed, match="already has a request"):
        calendar.request_for_action(saved_meeting, at(8), 0, project, at(9))
    with pytest.raises(ValidationFailed, match="no such action item"):
        calendar.request_for_action(saved_meeting, at(8), 1, project, at(9))


# -- cadences --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "day", "extra", "rule", "reading"),
    [
        (CadencePreset.WEEKLY, 2, {}, "FREQ=WEEKLY;BYDAY=TU", "weekly Tue"),
        (
            CadencePreset.FORTNIGHTLY,
            2,
            {},
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
            "every 2 weeks Tue",
        ),
        (CadencePreset.MONTHLY_FIRST_WEEKDAY, 2, {}, "FREQ=MONTHLY;BYDAY=1TU", "monthly 1st Tue"),
        (CadencePreset.MONTHLY_LAST_WEEKDAY, 30, {}, "FREQ=MONTHLY;BYDAY=-1TU", "monthly last Tue"),
        (CadencePreset.MONTHLY_DATE, 2, {}, "FREQ=MONTHLY;BYMONTHDAY=2", "monthly on the 2nd"),
        (
            CadencePreset.MONTHLY_DATE,
            30,
            {},
            "FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1",
            "monthly on the 30th (or the month's last day)",
        ),
        (
            CadencePreset.MONTHLY_DATE,
            31,
            {},
            "FREQ=MONTHLY;BYMONTHDAY=-1",
            "monthly on the last day",
        ),
        (
            CadencePreset.QUARTERLY,
            2,
            {"count": 10},
            "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=2;COUNT=10",
            "every 3 months on the 2nd, 10 times",
        ),
        (
            CadencePreset.WEEKLY,
            2,
            {"until": date(2027, 3, 31)},
            "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270331T215959Z",
            "weekly Tue until 2027-03-31",
        ),
    ],
)
def test_cadence_presets_and_their_reading(
    preset: CadencePreset, day: int, extra: dict[str, object], rule: str, reading: str
) -> None:
    first = datetime(2027, 3, day, 10, tzinfo=BERLIN)  # the first or last Tuesday of March
    made = calendar.cadence_rule(preset, first, **extra)  # type: ignore[arg-type]
    assert made == rule
    assert calendar.describe_rule(made, timezone="Europe/Berlin") == reading
    assert calendar.rule_problem(made, first) is None


def test_cadence_rule_refuses_a_bad_end() -> None:
    with pytest.raises(ValidationFailed, match="not both"):
        calendar.cadence_rule(CadencePreset.WEEKLY, START, until=date(2027, 4, 1), count=3)
    with pytest.raises(ValidationFailed, match="ends before it starts"):
        calendar.cadence_rule(CadencePreset.WEEKLY, START, until=date(2027, 2, 1))
    with pytest.raises(ValidationFailed, match="at least one"):
        calendar.cadence_rule(CadencePreset.WEEKLY, START, count=0)


def test_describe_rule_and_rule_end() -> None:
    assert calendar.describe_rule(None) == ""
    assert calendar.describe_rule("FREQ=MONTHLY;BYDAY=-1FR") == "monthly last Fri"
    assert calendar.describe_rule("FREQ=MONTHLY;BYMONTHDAY=15") == "monthly on the 15th"
    assert calendar.rule_end("FREQ=WEEKLY;UNTIL=20270331T215959Z") == (date(2027, 3, 31), None)
    assert calendar.rule_end("FREQ=WEEKLY;COUNT=3") == (None, 3)


# -- properties ------------------------------------------------------------------------

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]
RULES = [
    "FREQ=WEEKLY",
    "FREQ=WEEKLY;BYDAY=MO,TH",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
    "FREQ=MONTHLY;BYDAY=1TU",
    "FREQ=MONTHLY;BYDAY=-1FR",
    "FREQ=MONTHLY;BYMONTHDAY=15",
    "FREQ=DAILY;INTERVAL=3",
]


@st.composite
def series(draw: st.DrawFn) -> Meeting:
    """A random weekly or monthly series at a random wall-clock time in a random zone."""
    name = draw(st.sampled_from(ZONES))
    day = draw(st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)))
    hour, minute = draw(st.integers(7, 20)), draw(st.sampled_from([0, 15, 30, 45]))
    start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(name))
    rule = draw(st.sampled_from(RULES))
    # A series starts on an occurrence of its own rule (RFC 5545 counts DTSTART).
    first = next(iter(rrulestr(rule, dtstart=start)))
    return weekly(start=first, timezone=name, rrule=rule)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(series(), st.integers(0, 400), st.integers(1, 120))
def test_occurrences_keep_wall_clock_time_and_stay_sorted_in_the_window(
    meeting: Meeting, offset_days: int, span_days: int
) -> None:
    window_start = meeting.start + timedelta(days=offset_days)
    window_end = window_start + timedelta(days=span_days)
    found = calendar.occurrences(meeting, window_start, window_end)
    local = meeting.start.astimezone(ZoneInfo(meeting.timezone))
    for occurrence in found:
        wall = occurrence.start.astimezone(ZoneInfo(meeting.timezone))
        assert (wall.hour, wall.minute) == (local.hour, local.minute)
        assert occurrence.start < window_end and occurrence.end > window_start
    assert starts(found) == sorted(starts(found))
    assert len({o.id for o in found}) == len(found)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(series(), st.integers(0, 20))
def test_cancel_then_restore_gives_the_meeting_back(meeting: Meeting, index: int) -> None:
    found = calendar.occurrences(meeting, meeting.start, meeting.start + timedelta(days=400))
    chosen = found[min(index, len(found) - 1)].original_start
    cancelled = calendar.cancel_occurrence(meeting, chosen)
    assert chosen not in {
        o.original_start
        for o in calendar.occurrences(cancelled, chosen, chosen + timedelta(days=1))
    }
    assert calendar.restore_occurrence(cancelled, chosen) == meeting
    assert calendar.raises_sequence(meeting, cancelled)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(series(), st.integers(1, 20))
def test_a_split_keeps_every_occurrence_exactly_once(meeting: Meeting, index: int) -> None:
    horizon = meeting.start + timedelta(days=800)
    found = calendar.occurrences(meeting, meeting.start, horizon)
    if len(found) < 2:
        return
    at_split = found[min(index, len(found) - 1)].original_start
    old, new = calendar.split_series(meeting, at_split)
    again = calendar.project_occurrences([old, new], meeting.start, horizon)
    assert starts(again) == starts(found)
    assert all(o.meeting is new for o in again if o.start >= at_split)


# -- rules that would hang, crash or mislead ---------------------------------------------


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=WEEKLY;INTERVAL=0", "INTERVAL takes 1 to 366"),
        ("FREQ=WEEKLY;INTERVAL=-1", "INTERVAL takes 1 to 366"),
        ("FREQ=DAILY;INTERVAL=0;UNTIL=20270101", "INTERVAL takes 1 to 366"),
        ("FREQ=SECONDLY;UNTIL=20270101", r"repeats at most daily \(FREQ=SECONDLY\)"),
        ("FREQ=HOURLY", "repeats at most daily"),
        ("FREQ=WEEKLY\nDTSTART:20200101", "one line"),
        ("FREQ=WEEKLY;DTSTART=20200101", "leave DTSTART out"),
        ("FREQ=WEEKLY;COUNT=0", "COUNT takes 1 to 5000"),
        ("FREQ=YEARLY;BYMONTH=13", "BYMONTH takes 1 to 12"),
        ("FREQ=YEARLY;BYWEEKNO=60", "BYWEEKNO takes 1 to 53"),
        ("FREQ=YEARLY;BYEASTER=0", "BYEASTER is not part of RFC 5545"),
        ("FREQ=DAILY;BYHOUR=9,15", "keeps its start's time"),
        ("FREQ=WEEKLY;WKST=XX", "WKST is one of"),
        ("FREQ=WEEKLY;BYDAY=2MO", "weekly rule takes plain days"),
        ("FREQ=MONTHLY;BYDAY=6MO", "counts days 1 to 5"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6", "at most 5 days"),
        ("FREQ=WEEKLY;UNTIL=99991231", "between 1970 and 2200"),
    ],
)
def test_rules_that_would_hang_or_crash_are_refused_quickly(rule: str, message: str) -> None:
    # "Quickly" is counted in this thread's CPU time, not on the wall clock: a busy
    # machine slows the wall clock, never the work a rule costs.
    began = time.thread_time()
    problem = calendar.rule_problem(rule)
    assert problem is not None and re.search(message, problem), problem
    assert "\n" not in problem
    with pytest.raises(ValidationFailed, match=message) as refused:
        weekly(rrule=rule)
    assert refused.value.field == "rrule"
    assert time.thread_time() - began < 1


def test_a_rule_that_never_matches_is_refused_without_searching_for_years() -> None:
    began = time.thread_time()
    with pytest.raises(ValidationFailed, match="no occurrence in the 10 years"):
        weekly(rrule="FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30")
    assert time.thread_time() - began < 1


def test_a_long_until_is_checked_without_expanding_the_rule() -> None:
    began = time.thread_time()
    assert calendar.rule_problem("FREQ=DAILY;UNTIL=22001231", START) is None
    assert calendar.rule_problem("FREQ=DAILY;UNTIL=20270228", START) == (
        "the series ends before it starts"
    )
    assert time.thread_time() - began < 0.5


def test_the_start_must_be_an_occurrence_of_its_own_rule() -> None:
    # 1 March 2027 is a Monday: RFC 5545 clients would show it, dateutil would not.
    with pytest.raises(
        ValidationFailed, match=r"the first meeting \(Mon 01 Mar 2027\) is not one the rule gives"
    ) as refused:
        weekly(rrule="FREQ=WEEKLY;BYDAY=TU")
    assert refused.value.field == "rrule"
    assert "weekly Tue" in str(refused.value)
    # A plan item's first due date need not be one (it is a date, not an invite).
    item = validate_record(
        CommunicationPlanItem,
        {
            "project_id": "p",
            "title": "Report",
            "first_due": START,
            "cadence": "FREQ=MONTHLY;BYDAY=1TU",
        },
    )
    assert item.next_due(START) == at(2)  # the first Tuesday of March
    # A preset that does not fit the start: the 1st is not the month's last Monday.
    last_monday = calendar.cadence_rule(CadencePreset.MONTHLY_LAST_WEEKDAY, START)
    with pytest.raises(ValidationFailed, match="not one the rule gives: monthly last Mon"):
        weekly(rrule=last_monday)


def test_quarterly_on_the_31st_keeps_to_the_end_of_shorter_months() -> None:
    first = datetime(2027, 1, 31, 10, tzinfo=BERLIN)
    rule = calendar.cadence_rule(CadencePreset.QUARTERLY, first)
    meeting = weekly(start=first, rrule=rule)
    found = calendar.occurrences(meeting, first, datetime(2027, 12, 31, tzinfo=BERLIN))
    assert [o.start.date() for o in found] == [
        date(2027, 1, 31),
        date(2027, 4, 30),
        date(2027, 7, 31),
        date(2027, 10, 31),
    ]
    on_30th = weekly(
        start=datetime(2027, 1, 30, 10, tzinfo=BERLIN),
        rrule=calendar.cadence_rule(
            CadencePreset.MONTHLY_DATE, datetime(2027, 1, 30, 10, tzinfo=BERLIN)
        ),
    )
    months = calendar.occurrences(on_30th, on_30th.start, datetime(2027, 4, 1, tzinfo=BERLIN))
    assert [o.start.date() for o in months] == [
        date(2027, 1, 30),
        date(2027, 2, 28),
        date(2027, 3, 30),
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"start": datetime(9999, 12, 31, 23, 30, tzinfo=UTC), "rrule": None}, "start"),
        ({"start": datetime(1, 1, 1, 0, 30, tzinfo=UTC), "rrule": None}, "start"),
        (
            {"exceptions": [{"original_start": at(8).isoformat(), "start": "9999-12-31T10:00Z"}]},
            "exceptions",
        ),
    ],
)
def test_far_off_dates_are_refused(fields: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed, match="between 1970 and 2200") as refused:
        weekly(**fields)
    assert refused.value.field == field
    with pytest.raises(ValidationFailed, match="between 1970 and 2200"):
        validate_record(
            CommunicationPlanItem,
            {"project_id": "p", "title": "Report", "first_due": "0001-01-01T00:30:00+00:00"},
        )


def test_series_in_different_zones_at_the_same_instant_keep_their_own_clock() -> None:
    rule = "FREQ=WEEKLY;BYDAY=MO"
    in_utc = weekly(start=datetime(2026, 3, 2, 9, tzinfo=UTC), timezone="UTC", rrule=rule)
    in_berlin = weekly(start=datetime(2026, 3, 2, 10, tzinfo=BERLIN), rrule=rule)
    assert in_utc.start == in_berlin.start  # the same instant: 09:00Z is 10:00 in winter
    window = (datetime(2026, 4, 6, tzinfo=UTC), datetime(2026, 4, 7, tzinfo=UTC))
    for meeting in (in_utc, in_berlin, in_utc):  # either may be expanded first
        calendar.occurrences(meeting, *window)
    (utc_one,) = calendar.occurrences(in_utc, *window)
    (berlin_one,) = calendar.occurrences(in_berlin, *window)
    assert utc_one.start == datetime(2026, 4, 6, 9, tzinfo=UTC)
    assert berlin_one.start == datetime(2026, 4, 6, 10, tzinfo=BERLIN)  # summer time: 08:00Z


def test_a_one_off_meeting_far_ahead_is_its_own_next_occurrence() -> None:
    one_off = weekly(rrule=None)
    upcoming = calendar.next_occurrence(one_off, START - timedelta(weeks=30))
    assert upcoming is not None and upcoming.start == START
    assert calendar.next_occurrence(one_off, START + timedelta(hours=2)) is None
    cancelled = calendar.cancel_occurrence(one_off, START)
    assert calendar.next_occurrence(cancelled, START - timedelta(weeks=30)) is None


def test_moving_an_occurrence_twice_keeps_its_new_place_and_length() -> None:
    moved = calendar.move_occurrence(weekly(), at(8), at(9), 30, "Room 2")
    again = calendar.move_occurrence(moved, at(8), at(10))
    (occurrence,) = calendar.occurrences(again, at(10), at(11))
    assert (occurrence.start, occurrence.duration_minutes, occurrence.location) == (
        at(10),
        30,
        "Room 2",
    )
    back = calendar.move_occurrence(again, at(8), at(8), 60, "")
    assert back.exceptions == []


def test_a_held_or_minuted_occurrence_cannot_be_cancelled_or_moved() -> None:
    series = _minuted(weekly(status=MeetingStatus.SCHEDULED), 15)
    with pytest.raises(ValidationFailed, match="was held: it cannot be cancelled") as refused:
        calendar.cancel_occurrence(series, at(15))
    assert refused.value.field == "status"
    with pytest.raises(ValidationFailed, match="it cannot be moved"):
        calendar.move_occurrence(series, at(15), at(16))
    one_off = weekly(rrule=None, status=MeetingStatus.MINUTED)
    with pytest.raises(ValidationFailed, match="was minuted: it cannot be cancelled"):
        calendar.cancel_occurrence(one_off, START)
    cancelled = calendar.cancel_occurrence(weekly(rrule=None, status="scheduled"), START)
    restored = calendar.restore_occurrence(cancelled, START)
    assert restored.status is MeetingStatus.SCHEDULED


def test_the_new_half_of_a_split_is_a_series_of_its_own() -> None:
    sent = {"sent_at": START.isoformat(), "sequence": 0, "recipients": ["ann@client.example"]}
    imported = weekly(ical_uid="abc@client.example", sent=[sent])
    old, new = calendar.split_series(imported, at(15))
    assert (old.uid, len(old.sent)) == ("abc@client.example", 1)
    assert (new.ical_uid, new.sent) == (None, [])
    assert new.uid != old.uid


RULE_PARTS = {
    "INTERVAL": st.integers(-2, 400).map(str),
    "COUNT": st.integers(-1, 6000).map(str),
    "BYDAY": st.lists(
        st.tuples(
            st.sampled_from(["", "1", "-1", "5", "6", "-53", "54", "0"]),
            st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU", "XX"]),
        ).map("".join),
        min_size=1,
        max_size=3,
    ).map(",".join),
    "BYMONTH": st.lists(st.integers(-1, 14).map(str), min_size=1, max_size=3).map(",".join),
    "BYMONTHDAY": st.lists(st.integers(-33, 33).map(str), min_size=1, max_size=3).map(",".join),
    "BYSETPOS": st.lists(st.integers(-400, 400).map(str), min_size=1, max_size=2).map(",".join),
    "BYWEEKNO": st.lists(st.integers(-60, 60).map(str), min_size=1, max_size=2).map(",".join),
    "BYYEARDAY": st.lists(st.integers(-400, 400).map(str), min_size=1, max_size=2).map(",".join),
    "UNTIL": st.dates(date(1900, 1, 1), date(2300, 12, 31)).map(lambda d: f"{d:%Y%m%d}"),
    "WKST": st.sampled_from(["MO", "SU", "XX"]),
    "BYEASTER": st.just("0"),
    "BYHOUR": st.just("9"),
}


@st.composite
def rule_texts(draw: st.DrawFn) -> str:
    """A rule of RFC 5545 parts with values in and out of their ranges."""
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY", "HOURLY", "SECONDLY"]))
    names = draw(st.lists(st.sampled_from(sorted(RULE_PARTS)), max_size=4, unique=True))
    return ";".join([f"FREQ={freq}"] + [f"{name}={draw(RULE_PARTS[name])}" for name in names])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_texts(), st.dates(date(2026, 1, 1), date(2028, 12, 31)))
def test_any_rule_is_refused_with_a_message_or_expands_quickly(rule: str, day: date) -> None:
    start = datetime(day.year, day.month, day.day, 10, tzinfo=BERLIN)
    began = time.thread_time()
    problem = calendar.rule_problem(rule, start)
    if problem is None:
        meeting = weekly(start=start, rrule=rule)
        calendar.occurrences(meeting, start, start + timedelta(days=400))
        calendar.next_occurrence(meeting, start + timedelta(days=30))
        assert calendar.occurrence_at(meeting, start) is not None
    else:
        assert "\n" not in problem
        with pytest.raises(ValidationFailed):
            weekly(start=start, rrule=rule)
    assert time.thread_time() - began < 2


def test_the_calendar_offers_restore_and_refuses_cancel_as_the_store_does() -> None:
    from clientdesk.store.calendar import occurrence_action_allowed

    series = _minuted(weekly(status=MeetingStatus.SCHEDULED), 15)
    held = calendar.occurrence_at(series, at(15))
    upcoming = calendar.occurrence_at(series, at(22))
    assert held is not None and upcoming is not None
    assert not occurrence_action_allowed(held, "cancel")
    assert not occurrence_action_allowed(held, "move")
    assert occurrence_action_allowed(upcoming, "cancel")
    assert occurrence_action_allowed(upcoming, "move")
    one_off = calendar.cancel_occurrence(weekly(rrule=None, status="scheduled"), START)
    cancelled = calendar.occurrence_at(one_off, START)
    assert cancelled is not None and occurrence_action_allowed(cancelled, "restore")
    whole = calendar.occurrence_at(weekly(status=MeetingStatus.CANCELLED), at(8))
    assert whole is not None and not occurrence_action_allowed(whole, "restore")


def test_moving_a_meeting_asks_every_attendee_again_and_an_agenda_edit_does_not(
    tmp_path: Path,
) -> None:
    repo = TinyDBRepository(tmp_path / "data.json")
    project = repo.add(Project(name="Portal", key="PORTAL", timezone="Europe/Berlin"))
    meeting = repo.add(
        Meeting(
            project_id=project.id,
            title="Review",
            start=datetime(2026, 12, 1, 10, 0, tzinfo=BERLIN),
            timezone="Europe/Berlin",
            attendees=[Attendee(email="ann@client.example", rsvp="accepted")],
            status="scheduled",
        )
    )
    agenda = repo.update(meeting.model_copy(update={"agenda": [AgendaItem(title="Scope")]}))
    assert [a.rsvp for a in agenda.attendees] == ["accepted"]
    moved = repo.update(
        agenda.model_copy(update={"start": datetime(2026, 12, 2, 10, 0, tzinfo=BERLIN)})
    )
    assert [a.rsvp for a in moved.attendees] == ["needs_action"]
    assert moved.sequence == 1
