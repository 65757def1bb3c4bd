"""Calendar rules without a terminal: recurrence, exceptions, splits, SEQUENCE, the plan."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
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
from clientdesk.store.repository import Change, TinyDBRepository, dump_record, validate_record

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
    previous = calendar.change_occurrence(previous, at(22), minutes="Last one")
    later = previous.model_copy(update={"start": at(2, hour=11), "rrule": "FREQ=WEEKLY;COUNT=3"})
    fitted = calendar.fit_exceptions(later, previous)
    assert [c.original_start for c in fitted.exceptions] == [at(9, hour=11)]
    assert validate_record(Meeting, dump_record(fitted)).exceptions == fitted.exceptions
    one_off = calendar.fit_exceptions(later.model_copy(update={"rrule": None}), previous)
    assert one_off.exceptions == []


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
    meeting = _saved(repo, meeting.model_copy(update={"status": MeetingStatus.SCHEDULED}))
    assert meeting.revision == 5 and meeting.sequence == 0
    # Whatever the caller sends, the store counts.
    meeting = _saved(repo, meeting.model_copy(update={"sequence": 40, "title": "Sync"}))
    assert meeting.sequence == 1


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
    ("preset", "extra", "rule", "reading"),
    [
        (CadencePreset.WEEKLY, {}, "FREQ=WEEKLY;BYDAY=TU", "weekly Tue"),
        (CadencePreset.FORTNIGHTLY, {}, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "every 2 weeks Tue"),
        (CadencePreset.MONTHLY_FIRST_WEEKDAY, {}, "FREQ=MONTHLY;BYDAY=1TU", "monthly 1st Tue"),
        (CadencePreset.MONTHLY_LAST_WEEKDAY, {}, "FREQ=MONTHLY;BYDAY=-1TU", "monthly last Tue"),
        (CadencePreset.MONTHLY_DATE, {}, "FREQ=MONTHLY;BYMONTHDAY=2", "monthly on the 2nd"),
        (
            CadencePreset.QUARTERLY,
            {"count": 10},
            "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=2;COUNT=10",
            "every 3 months on the 2nd, 10 times",
        ),
        (
            CadencePreset.WEEKLY,
            {"until": date(2027, 3, 31)},
            "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270331T215959Z",
            "weekly Tue until 2027-03-31",
        ),
    ],
)
def test_cadence_presets_and_their_reading(
    preset: CadencePreset, extra: dict[str, object], rule: str, reading: str
) -> None:
    first = datetime(2027, 3, 2, 10, tzinfo=BERLIN)  # the first Tuesday of March
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
    return weekly(start=start, timezone=name, rrule=draw(st.sampled_from(RULES)))


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
