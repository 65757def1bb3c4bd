"""A small calendar to drive the Calendar pane with: one project in Berlin, fixed times."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from clientdesk.store.enums import MeetingStatus
from clientdesk.store.models import Attendee, CommunicationPlanItem, Contact, Meeting, Project
from clientdesk.store.repository import TinyDBRepository

BERLIN = ZoneInfo("Europe/Berlin")


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A time in Berlin in November (or ``month``) 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def write_calendar_project(data_path: Path) -> None:
    """A project in Berlin with a weekly series, two one-off meetings and a plan item.

    FIXED_NOW is Monday 23 November 2026, 10:00 in Berlin. The series meets on
    Mondays at 14:00 with Ada; "Budget call" overlaps it on the 23rd with Ada
    too (a clash); "Design review" is a draft on Tuesday the 24th. The status
    report is due on Fridays and nothing was sent for Friday the 20th.
    """
    repo = TinyDBRepository(data_path)
    project = repo.add(
        Project(
            name="Apollo",
            key="APOLLO",
            timezone="Europe/Berlin",
            organiser_name="Pat Lead",
            organiser_email="pat@agency.example",
        )
    )
    ada = repo.add(Contact(project_id=project.id, name="Ada Client", email="ada@client.example"))
    repo.add(Contact(project_id=project.id, name="Bob Sponsor", email="bob@client.example"))
    ada_invited = Attendee(email=ada.email, name=ada.name, contact_id=ada.id)
    repo.add(
        Meeting(
            project_id=project.id,
            title="Weekly sync",
            start=at(23, 14),
            duration_minutes=60,
            timezone="Europe/Berlin",
            attendees=[ada_invited],
            rrule="FREQ=WEEKLY;BYDAY=MO",
            status=MeetingStatus.SCHEDULED,
        )
    )
    repo.add(
        Meeting(
            project_id=project.id,
            title="Budget call",
            start=at(23, 14, 30),
            duration_minutes=30,
            timezone="Europe/Berlin",
            attendees=[ada_invited],
            status=MeetingStatus.SCHEDULED,
        )
    )
    repo.add(
        Meeting(
            project_id=project.id,
            title="Design review",
            start=at(24, 10),
            duration_minutes=60,
            timezone="Europe/Berlin",
            location="Room 4",
        )
    )
    repo.add(
        CommunicationPlanItem(
            project_id=project.id,
            title="Weekly status report",
            channel="report",
            cadence="FREQ=WEEKLY;BYDAY=FR",
            first_due=at(13, 16),
            owner="Pat Lead",
            audience=[ada.id],
        )
    )
