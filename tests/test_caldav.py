"""``clientdesk caldav publish|pull`` against a real Radicale server the tests start.

The project is the Berlin calendar of tests/helpers/calendar_data.py: a weekly
series with Ada, a budget call with Ada, a draft design review. The server is
Radicale on 127.0.0.1 with an htpasswd login (tests/helpers/radicale.py); the
tests look at the server with the ``caldav`` client, as another calendar
program would, and count the PUTs in Radicale's request log.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from icalendar import Calendar

from clientdesk.store import calendar
from clientdesk.store.caldav_publish import state_path
from clientdesk.store.enums import RSVP, MeetingStatus
from clientdesk.store.models import Meeting
from clientdesk.store.repository import TinyDBRepository
from tests.helpers.calendar_data import at
from tests.helpers.cli import run_cli
from tests.helpers.radicale import PASSWORD, USER, Radicale, running_radicale


@pytest.fixture
def radicale(tmp_path: Path) -> Iterator[Radicale]:
    """A Radicale server of this test's own."""
    yield from running_radicale(tmp_path / "radicale")


@pytest.fixture
def calendar_url(radicale: Radicale) -> str:
    """An empty calendar collection on it, ``/pm/client/``."""
    return radicale.make_calendar("client")


def write_config(url: str, *, password: str = PASSWORD, mode: int = 0o600) -> Path:
    """The ``[caldav]`` table of the config file: this URL, the login, the password."""
    path = Path(os.environ["CLIENTDESK_CONFIG"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'[caldav]\nurl = "{url}"\nuser = "{USER}"\npassword = "{password}"\n')
    path.chmod(mode)
    return path


@pytest.fixture
def configured(calendar_path: Path, calendar_url: str) -> str:
    """The Berlin project in the data file, and the config file naming the calendar."""
    write_config(calendar_url)
    return calendar_url


def publish(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    """``clientdesk caldav publish --project APOLLO ...``."""
    return run_cli(capsys, "caldav", "publish", "--project", "APOLLO", *extra)


def meeting(data_path: Path, key: str) -> Meeting:
    """Meeting ``key`` as the data file holds it now."""
    found = [m for m in TinyDBRepository(data_path).snapshot().all(Meeting) if m.key == key]
    assert found, key
    return found[0]


def save(data_path: Path, changed: Meeting) -> None:
    """Save a changed meeting as the app would."""
    TinyDBRepository(data_path).update(changed)


def etags(radicale: Radicale, url: str) -> dict[str, str]:
    """The ETag of every resource in the collection, by its path (a PROPFIND, as clients do)."""
    body = '<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>'
    with radicale.client() as client:
        response = client.propfind(url, body, depth=1)
    found = {
        answer.findtext("{DAV:}href"): answer.findtext(".//{DAV:}getetag")
        for answer in response.tree.iter("{DAV:}response")
    }
    return {href: etag for href, etag in found.items() if etag and href.endswith(".ics")}


def server_events(radicale: Radicale, url: str) -> dict[str, Any]:
    """Every resource of the collection as parsed by icalendar, by the UID of its events."""
    with radicale.client() as client:
        objects = client.calendar(url=url).events()
        copies = [Calendar.from_ical(item.data) for item in objects]
    by_uid: dict[str, Any] = {}
    for copy in copies:
        uids = {str(event["UID"]) for event in copy.walk("VEVENT")}
        assert len(uids) == 1, "one resource per UID"
        by_uid[uids.pop()] = copy
    return by_uid


def edit_on_server(radicale: Radicale, url: str, uid: str, change: Any) -> None:
    """Change the server's copy of ``uid`` with the caldav client: ``change(vevent)``, then save."""
    with radicale.client() as client:
        found = client.calendar(url=url).event_by_uid(uid)
        copy = Calendar.from_ical(found.data)
        for event in copy.walk("VEVENT"):
            if event.get("RECURRENCE-ID") is None:
                change(event)
        found.data = copy.to_ical().decode()
        found.save()


def series_event(copy: Any) -> Any:
    """The VEVENT of the whole meeting (no RECURRENCE-ID)."""
    return next(e for e in copy.walk("VEVENT") if e.get("RECURRENCE-ID") is None)


def test_publish_puts_each_meeting_on_the_calendar_as_one_resource(
    capsys: pytest.CaptureFixture[str], configured: str, radicale: Radicale, data_path: Path
) -> None:
    # A series with one occurrence cancelled and one moved: still one resource.
    series = meeting(data_path, "MTG-1")
    changed = calendar.cancel_occurrence(series, at(30, 14))
    changed = calendar.move_occurrence(changed, at(7, 14, month=12), at(8, 9, month=12), None, None)
    save(data_path, changed)

    code, out, err = publish(capsys)

    assert (code, err) == (0, "")
    assert out == "published 3 meetings: 3 new\n"
    copies = server_events(radicale, configured)
    meetings = {m.key: m for m in TinyDBRepository(data_path).snapshot().all(Meeting)}
    assert set(copies) == {m.uid for m in meetings.values()}
    for copy in copies.values():
        assert "METHOD" not in copy  # RFC 4791: a calendar object resource carries none
        assert [str(tz["TZID"]) for tz in copy.walk("VTIMEZONE")] == ["Europe/Berlin"]
    weekly = copies[meetings["MTG-1"].uid]
    assert series_event(weekly)["RRULE"]["FREQ"] == ["WEEKLY"]
    assert series_event(weekly)["EXDATE"].dts[0].dt == at(30, 14)
    moved = [e for e in weekly.walk("VEVENT") if e.get("RECURRENCE-ID") is not None]
    assert [(e["RECURRENCE-ID"].dt, e["DTSTART"].dt) for e in moved] == [
        (at(7, 14, month=12), at(8, 9, month=12))
    ]
    ada = series_event(weekly)["ATTENDEE"]
    assert str(ada) == "mailto:ada@client.example"
    assert ada.params["PARTSTAT"] == "NEEDS-ACTION"
    # clientdesk e-mails its own invites: a scheduling server must not send them again.
    assert ada.params["SCHEDULE-AGENT"] == "CLIENT"
    assert radicale.requests("PUT") == 3


def test_a_second_publish_with_nothing_changed_sends_nothing(
    capsys: pytest.CaptureFixture[str], configured: str, radicale: Radicale
) -> None:
    assert publish(capsys)[0] == 0
    before, puts = etags(radicale, configured), radicale.requests("PUT")

    code, out, err = publish(capsys)

    assert (code, out, err) == (0, "published 3 meetings: 3 unchanged\n", "")
    assert etags(radicale, configured) == before
    assert radicale.requests("PUT") == puts
    # What was published is kept for the next time, for the user's eyes only.
    assert state_path(configured).stat().st_mode & 0o777 == 0o600


def test_a_changed_meeting_is_updated_on_the_server_with_a_higher_sequence(
    capsys: pytest.CaptureFixture[str], configured: str, radicale: Radicale, data_path: Path
) -> None:
    assert publish(capsys)[0] == 0
    budget = meeting(data_path, "MTG-2")
    sequence_before = series_event(server_events(radicale, configured)[budget.uid])["SEQUENCE"]
    tags_before, puts = etags(radicale, configured), radicale.requests("PUT")
    save(data_path, budget.model_copy(update={"title": "Budget call (moved)", "start": at(25, 9)}))

    code, out, err = publish(capsys)

    assert (code, out, err) == (0, "published 3 meetings: 1 changed, 2 unchanged\n", "")
    copy = series_event(server_events(radicale, configured)[budget.uid])
    assert str(copy["SUMMARY"]) == "Budget call (moved)"
    assert copy["DTSTART"].dt == at(25, 9)
    assert copy["SEQUENCE"] > sequence_before
    tags_after = etags(radicale, configured)
    assert [unquote(h) for h in tags_after if tags_after[h] != tags_before[h]] == [
        f"/{USER}/client/{budget.uid}.ics"
    ]
    assert radicale.requests("PUT") == puts + 1


def test_a_cancelled_meeting_stays_on_the_server_marked_cancelled(
    capsys: pytest.CaptureFixture[str], configured: str, radicale: Radicale, data_path: Path
) -> None:
    assert publish(capsys)[0] == 0
    budget = meeting(data_path, "MTG-2")
    save(data_path, budget.model_copy(update={"status": MeetingStatus.CANCELLED}))

    code, out, _ = publish(capsys)

    assert (code, out) == (0, "published 3 meetings: 1 cancelled, 2 unchanged\n")
    copy = series_event(server_events(radicale, configured)[budget.uid])
    assert str(copy["STATUS"]) == "CANCELLED"
    assert publish(capsys)[1] == "published 3 meetings: 3 unchanged\n"


def test_a_meeting_changed_on_the_server_is_reported_and_not_overwritten(
    capsys: pytest.CaptureFixture[str], configured: str, radicale: Radicale, data_path: Path
) -> None:
    assert publish(capsys)[0] == 0
    budget = meeting(data_path, "MTG-2")
    edit_on_server(
        radicale, configured, budget.uid, lambda e: e.__setitem__("SUMMARY", "Budget (client)")
    )
    save(data_path, budget.model_copy(update={"title": "Budget call, longer"}))

    code, out, err = publish(capsys)

    assert code == 2
    assert err == ""
    assert out.splitlines() == [
        "conflict: MTG-2: 'Budget call, longer': changed on the server since the last "
        "publish; to replace the server's copy: --overwrite MTG-2",
        "published 3 meetings: 2 unchanged, 1 in conflict",
    ]
    copy = series_event(server_events(radicale, configured)[budget.uid])
    assert str(copy["SUMMARY"]) == "Budget (client)"
    # Still reported the next time: nothing was forgotten.
    assert publish(capsys)[0] == 2

    # The user looked, and chose ours.
    code, out, _ = publish(capsys, "--overwrite", "MTG-2")

    assert (code, out) == (0, "published 3 meetings: 1 changed, 2 unchanged\n")
    copy = series_event(server_events(radicale, configured)[budget.uid])
    assert str(copy["SUMMARY"]) == "Budget call, longer"


def test_a_meeting_deleted_from_clientdesk_is_deleted_from_the_server(
    capsys: pytest.CaptureFixture[str], configured: str, radicale: Radicale, data_path: Path
) -> None:
    assert publish(capsys)[0] == 0
    review = meeting(data_path, "MTG-3")
    TinyDBRepository(data_path).delete(review)

    code, out, _ = publish(capsys)

    assert (code, out) == (0, "published 3 meetings: 2 unchanged, 1 removed\n")
    assert review.uid not in server_events(radicale, configured)
    assert len(server_events(radicale, configured)) == 2


def ada_accepts(event: Any) -> None:
    """Ada answers "accepted" in her calendar program, which writes it to the server's copy."""
    event["ATTENDEE"].params["PARTSTAT"] = "ACCEPTED"


def test_answers_given_on_the_server_are_no_reason_to_overwrite_them(
    capsys: pytest.CaptureFixture[str], configured: str, radicale: Radicale, data_path: Path
) -> None:
    assert publish(capsys)[0] == 0
    budget = meeting(data_path, "MTG-2")
    edit_on_server(radicale, configured, budget.uid, ada_accepts)
    save(data_path, budget.model_copy(update={"location": "Room 9"}))

    code, out, _ = publish(capsys)

    assert code == 2
    assert out.splitlines()[0] == (
        "conflict: MTG-2: 'Budget call': attendees answered on the server since the last "
        "publish: run 'clientdesk caldav pull' first, then publish again; to replace the "
        "server's copy: --overwrite MTG-2"
    )
    copy = series_event(server_events(radicale, configured)[budget.uid])
    assert copy["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"


def test_pull_takes_an_answer_given_on_the_server(
    capsys: pytest.CaptureFixture[str], configured: str, radicale: Radicale, data_path: Path
) -> None:
    assert publish(capsys)[0] == 0
    budget = meeting(data_path, "MTG-2")
    edit_on_server(radicale, configured, budget.uid, ada_accepts)
    data_before = data_path.read_bytes()

    code, out, err = run_cli(capsys, "caldav", "pull", "--project", "APOLLO", "--dry-run")

    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "MTG-2: Ada Client accepted",
        f"dry run: would take 1 answer from {configured}; nothing was written",
    ]
    assert data_path.read_bytes() == data_before

    code, out, err = run_cli(capsys, "caldav", "pull", "--project", "APOLLO")

    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "MTG-2: Ada Client accepted",
        f"took 1 answer from {configured} into APOLLO",
    ]
    assert [a.rsvp for a in meeting(data_path, "MTG-2").attendees] == [RSVP.ACCEPTED]
    assert [a.rsvp for a in meeting(data_path, "MTG-1").attendees] == [RSVP.NEEDS_ACTION]
    # The server's copy differed in its answers alone: the next publish is no conflict.
    save(data_path, meeting(data_path, "MTG-2").model_copy(update={"location": "Room 9"}))
    assert publish(capsys)[:2] == (0, "published 3 meetings: 1 changed, 2 unchanged\n")
    assert run_cli(capsys, "caldav", "pull", "--project", "APOLLO")[1] == (
        f"no new answers on {configured}\n"
    )


def test_a_wrong_password_is_one_line_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], calendar_path: Path, calendar_url: str
) -> None:
    write_config(calendar_url, password="not the password")

    code, out, err = publish(capsys)

    assert (code, out) == (2, "")
    assert err == (
        f"clientdesk: the CalDAV server refused user {USER}: wrong password? "
        "(nothing was changed)\n"
    )
    assert not state_path(calendar_url).exists()


def test_the_server_down_is_one_line_and_loses_nothing(
    capsys: pytest.CaptureFixture[str], configured: str, radicale: Radicale, data_path: Path
) -> None:
    assert publish(capsys)[0] == 0
    budget = meeting(data_path, "MTG-2")
    save(data_path, budget.model_copy(update={"title": "Budget call, longer"}))
    state_before, data_before = state_path(configured).read_bytes(), data_path.read_bytes()
    radicale.stop()

    for command in (("publish",), ("pull",)):
        code, out, err = run_cli(capsys, "caldav", *command, "--project", "APOLLO")

        assert (code, out) == (2, "")
        assert err == (
            f"clientdesk: cannot reach {configured}: connection refused; nothing was changed\n"
        )
    assert state_path(configured).read_bytes() == state_before
    assert data_path.read_bytes() == data_before


def test_a_url_that_is_no_calendar_is_refused(
    capsys: pytest.CaptureFixture[str], configured: str, radicale: Radicale
) -> None:
    home = f"{radicale.base_url}/{USER}/"

    code, out, err = publish(capsys, "--url", home)

    assert (code, out) == (2, "")
    assert err.startswith(f"clientdesk: {home} is not a calendar collection")
    assert err.count("\n") == 1


def test_a_password_others_may_read_is_refused_and_netrc_serves_instead(
    capsys: pytest.CaptureFixture[str],
    calendar_path: Path,
    calendar_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = write_config(calendar_url, mode=0o644)

    code, out, err = publish(capsys)

    assert (code, out) == (2, "")
    assert err.startswith("clientdesk: ")
    assert f"caldav.password: others may read this file (mode 644): chmod 600 {config}" in err

    # The password in a netrc file instead, the config file naming only the calendar.
    config.write_text(f'[caldav]\nurl = "{calendar_url}"\n')
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine 127.0.0.1 login {USER} password {PASSWORD.replace(' ', '')}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))

    assert publish(capsys)[2] == (
        f"clientdesk: the CalDAV server refused user {USER}: wrong password? "
        "(nothing was changed)\n"
    )
    netrc.write_text(f'machine 127.0.0.1 login {USER} password "{PASSWORD}"\n')
    netrc.chmod(0o644)

    assert publish(capsys)[2] == (
        f"clientdesk: {netrc}: others may read this file (mode 644): chmod 600 {netrc}\n"
    )
    netrc.chmod(0o600)

    assert publish(capsys)[:2] == (0, "published 3 meetings: 3 new\n")


async def test_the_calendar_panes_key_publishes_and_says_what_it_sent(
    radicale: Radicale, configured: str
) -> None:
    """`u` in the Calendar pane puts the meetings on the [caldav] calendar; pressed again
    with nothing changed, it sends nothing and says so."""
    from clientdesk.tui.app import create_app
    from tests.helpers.ui import notices, settle
    from tests.helpers.waiting import pilot_wait_until

    app = create_app(Path(os.environ["CLIENTDESK_DATA"]))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("1", "u")
        await pilot_wait_until(
            pilot, lambda: any("3 new" in n for n in notices(app)), "the publish's summary"
        )
        assert len(server_events(radicale, configured)) == 3
        puts = radicale.requests("PUT")
        await pilot.press("u")
        await pilot_wait_until(
            pilot, lambda: any("3 unchanged" in n for n in notices(app)), "the second summary"
        )
        assert radicale.requests("PUT") == puts
