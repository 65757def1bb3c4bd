"""The meeting detail dialog: what it shows, which keys it offers, what it answers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from textual.app import App
from textual.pilot import Pilot

from clientdesk.store.calendar import Occurrence
from clientdesk.store.enums import MeetingStatus
from clientdesk.store.models import ActionItem, AgendaItem, Attendee, Meeting, Project
from clientdesk.widgets.actions import BY_ID
from clientdesk.widgets.meeting_detail import MeetingDetail
from tests.helpers.ui import notices, screen_text

DASH = "\u2013"
"""The en dash between two times."""
BERLIN = ZoneInfo("Europe/Berlin")
PROJECT = Project(name="Portal relaunch", key="PORTAL", timezone="Europe/Berlin")
SERIES_START = datetime(2026, 11, 16, 10, 0, tzinfo=BERLIN)
"""The first Monday of a weekly series; the tests look at its second occurrence."""
SECOND = SERIES_START + timedelta(weeks=1)

ANN = Attendee(email="ann@client.example", name="Ann Client")
BOB = Attendee(email="bob@us.example", name="Bob", role="optional", rsvp="accepted")


def meeting(**changes: object) -> Meeting:
    """A weekly Monday 10:00 Berlin series of an hour, MTG-1, with Ann and Bob."""
    fields: dict[str, object] = {
        "title": "Weekly status",
        "key": "MTG-1",
        "start": SERIES_START,
        "duration_minutes": 60,
        "timezone": "Europe/Berlin",
        "rrule": "FREQ=WEEKLY;BYDAY=MO",
        "attendees": [ANN, BOB],
        "status": MeetingStatus.SCHEDULED,
    }
    fields.update(changes)
    return Meeting.model_validate(fields)


def occurrence_of(
    record: Meeting,
    start: datetime = SECOND,
    *,
    agenda: Sequence[AgendaItem] = (),
    action_items: Sequence[ActionItem] = (),
    cancelled: bool = False,
) -> Occurrence:
    """The occurrence of ``record`` that starts at ``start`` (not moved)."""
    return Occurrence(
        meeting=record,
        original_start=start,
        start=start,
        end=start + timedelta(minutes=record.duration_minutes),
        cancelled=cancelled,
        moved=False,
        location=record.location,
        agenda=tuple(agenda),
        status=MeetingStatus.CANCELLED if cancelled else record.status,
        minutes="",
        decisions=(),
        action_items=tuple(action_items),
    )


class DetailApp(App[None]):
    """A bare app that opens one detail dialog and keeps its answer."""

    def __init__(self, detail: MeetingDetail) -> None:
        super().__init__()
        self.detail = detail
        self.answers: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.detail, self.answers.append)


def detail_of(
    occurrence: Occurrence,
    viewer_zone: str = "Europe/Berlin",
    conflicts: Sequence[Occurrence] = (),
    request_keys: dict[str, str] | None = None,
) -> DetailApp:
    """The app showing the detail of ``occurrence`` to a viewer in ``viewer_zone``."""
    return DetailApp(
        MeetingDetail(
            occurrence,
            PROJECT,
            ZoneInfo(viewer_zone),
            conflicts=conflicts,
            request_keys=request_keys,
        )
    )


def footer_keys(pilot: Pilot[None]) -> set[str]:
    """The keys the dialog offers in its footer."""
    screen = pilot.app.screen
    return {
        active.binding.key
        for active in screen.active_bindings.values()
        if active.enabled and active.binding.show
    }


async def test_it_shows_the_meeting_with_its_people_and_place() -> None:
    record = meeting(
        location="Room 4",
        video_link="https://meet.example/abc",
        organiser_name="Pat PM",
        organiser_email="pat@us.example",
    )
    app = detail_of(occurrence_of(record))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "MTG-1 · meeting · scheduled" in text
        assert f"Mon 2026-11-23 10:00{DASH}11:00 Europe/Berlin (60 min)" in text
        assert "weekly Mon, since 2026-11-16" in text
        assert "Room 4" in text
        assert "https://meet.example/abc" in text
        assert "Pat PM <pat@us.example>" in text
        assert "Ann Client <ann@client.example>  required · needs action" in text
        assert "Bob <bob@us.example>  optional · accepted" in text
        assert "your time" not in text  # the viewer is in the project's zone


async def test_a_viewer_in_another_zone_also_sees_their_own_times() -> None:
    app = detail_of(occurrence_of(meeting()), viewer_zone="America/New_York")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert f"Mon 2026-11-23 10:00{DASH}11:00 Europe/Berlin" in text
        assert f"Mon 2026-11-23 04:00{DASH}05:00 America/New_York (your time)" in text


async def test_conflicts_name_the_other_meeting_and_the_shared_attendee() -> None:
    other = meeting(
        title="Budget",
        key="MTG-3",
        rrule=None,
        start=SECOND,
        attendees=[Attendee(email="ANN@client.example")],
    )
    app = detail_of(occurrence_of(meeting()), conflicts=[occurrence_of(other)])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert f"⚠ clashes with MTG-3 Budget 10:00{DASH}11:00 (ann@client.example)" in screen_text(
            app
        )


@pytest.mark.parametrize(
    ("allotted", "flagged"), [((20, 30), False), ((30, 30), False), ((40, 30), True)]
)
async def test_the_agenda_is_measured_against_the_meeting(
    allotted: tuple[int, int], flagged: bool
) -> None:
    agenda = [
        AgendaItem(title="Status", presenter="Pat", minutes=allotted[0]),
        AgendaItem(title="Risks", minutes=allotted[1]),
    ]
    app = detail_of(occurrence_of(meeting(), agenda=agenda))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        total = sum(allotted)
        assert f"Agenda  {total} of 60 min" in text
        assert "1. Status (Pat) · " in text
        assert (f"⚠ {total - 60} min over the meeting" in text) is flagged


async def test_hostile_text_is_shown_as_typed() -> None:
    record = meeting(title="[bold red]x[/] \x1b[31mred", location="[link=x]here[/link]")
    app = detail_of(occurrence_of(record))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "[bold red]x[/] \\x1b[31mred" in text
        assert "[link=x]here[/link]" in text


@pytest.mark.parametrize(
    ("key", "answer"),
    [
        ("e", "edit"),
        ("m", "minutes"),
        ("x", "cancel_occurrence"),
        ("M", "move"),
        ("F", "split"),
        ("s", "status"),
        ("escape", None),
    ],
)
async def test_each_key_closes_with_what_to_do(key: str, answer: str | None) -> None:
    app = detail_of(occurrence_of(meeting()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
        assert app.answers == [answer]


async def test_every_key_of_a_later_occurrence_fits_the_footer_at_80_columns() -> None:
    actions = [ActionItem(text="Send the plan")]
    app = detail_of(occurrence_of(meeting(), action_items=actions))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert footer_keys(pilot) == {"e", "m", "x", "M", "F", "a", "s", "escape"}
        footer = screen_text(app).splitlines()[-1]
        names = ("Edit", "Minutes", "Next status", "Cancel", "Move", "Split", "To request")
        for label in (*names, "Close"):
            assert label in footer


async def test_a_one_off_meeting_cannot_be_split() -> None:
    app = detail_of(occurrence_of(meeting(rrule=None), SERIES_START))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Repeats" not in screen_text(app)
        await pilot.press("F", "a")
        await pilot.pause()
        assert app.answers == [], "the keys change nothing and say why"
        assert notices(app) == [
            "MTG-1 is a one-off meeting: e edits it.",
            "This occurrence has no action items (m records them).",
        ]


async def test_the_first_occurrence_of_a_series_is_not_split() -> None:
    app = detail_of(occurrence_of(meeting(), SERIES_START))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MeetingDetail)
        assert app.screen.why_not(BY_ID["detail.split"]) != ""
        await pilot.press("F")
        await pilot.pause()
        assert app.answers == []
        assert notices(app) == [
            "MTG-1 on Mon 16 Nov 10:00 is the series' first occurrence: e edits the whole series."
        ]


async def test_a_cancelled_occurrence_is_neither_cancelled_nor_moved_again() -> None:
    app = detail_of(occurrence_of(meeting(), cancelled=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Cancelled  this occurrence" in screen_text(app)
        await pilot.press("x", "M", "m")
        await pilot.pause()
        assert app.answers == []
        refused = "MTG-1 on Mon 23 Nov 10:00 is cancelled: r in the Calendar restores it."
        assert notices(app) == [refused] * 3


async def test_the_only_action_item_without_a_request_is_turned_into_one() -> None:
    actions = [
        ActionItem(text="Fix the login", request_id="req-1"),
        ActionItem(text="Send the plan", owner="Pat", due=date(2026, 12, 1)),
    ]
    app = detail_of(occurrence_of(meeting(), action_items=actions), request_keys={"req-1": "REQ-7"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert "1. Fix the login · no owner → REQ-7" in text
        assert "2. Send the plan · Pat, due 2026-12-01" in text
        await pilot.press("a")
        await pilot.pause()
        assert app.answers == ["action:1"]


async def test_with_several_action_items_the_user_picks_one() -> None:
    actions = [ActionItem(text="Send the plan"), ActionItem(text="Call the vendor")]
    app = detail_of(occurrence_of(meeting(), action_items=actions))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a")  # first: move to the list
        await pilot.pause()
        assert app.answers == []
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.answers == ["action:1"]


async def test_several_action_items_a_again_takes_the_highlighted_one() -> None:
    actions = [ActionItem(text="Send the plan"), ActionItem(text="Call the vendor")]
    app = detail_of(occurrence_of(meeting(), action_items=actions))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a", "a")
        await pilot.pause()
        assert app.answers == ["action:0"]


async def test_no_request_key_when_every_action_item_has_a_request() -> None:
    occurrence = occurrence_of(
        meeting(), action_items=[ActionItem(text="Fix the login", request_id="req-1")]
    )
    app = detail_of(occurrence)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        assert app.answers == []
        assert notices(app) == ["Every action item is a request already."]


async def test_a_moved_occurrence_shows_its_minutes_decisions_and_where_it_came_from() -> None:
    moved_to = SECOND + timedelta(hours=4)
    occurrence = replace(
        occurrence_of(meeting()),
        start=moved_to,
        end=moved_to + timedelta(minutes=60),
        moved=True,
        minutes="We met.\nAll agreed.",
        decisions=("Go live in January",),
    )
    app = detail_of(occurrence)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()
        text = screen_text(app)
        assert f"Mon 2026-11-23 14:00{DASH}15:00 Europe/Berlin" in text
        assert f"this occurrence, from Mon 2026-11-23 10:00{DASH}11:00" in text
        assert "We met." in text
        assert "All agreed." in text
        assert "• Go live in January" in text
