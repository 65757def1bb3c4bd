"""A form saving over a colleague's newer version: the side-by-side dialog and its three answers.

"Another process" is a second repository on the same file, saving as ann; the
form saves through the user's own repository, as the app's forms do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Static

from clientdesk.store import clock
from clientdesk.store.enums import RiskKind
from clientdesk.store.models import AgendaItem, Attendee, Project, Risk
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.snapshot import dump_record, validate_record
from clientdesk.widgets.conflict_dialog import (
    ConflictDialog,
    fields_changed,
    value_text,
)
from clientdesk.widgets.project_form import ProjectForm
from clientdesk.widgets.record_form import RecordForm
from clientdesk.widgets.risk_form import RiskForm
from tests.helpers.ui import FIXED_NOW, choose_option, fill_input, screen_text, settle

ANN_SAVES_AT = datetime(2026, 11, 23, 13, 2, tzinfo=UTC)
"""When the colleague's version was saved (14:02 in Berlin)."""

HOSTILE = "[bold red]boom[/] \x1b[31mred\x1b[0m [link=https://evil.example]x[/link]"
"""Markup and escape sequences that must show as typed."""


class FormApp(App[None]):
    """Pushes one form and keeps what it was dismissed with."""

    def __init__(self, form: RecordForm[Any]) -> None:
        super().__init__()
        self.form = form
        self.results: list[object] = []

    def on_mount(self) -> None:
        self.push_screen(self.form, self.results.append)


@pytest.fixture
def risk(repo: TinyDBRepository, fixed_clock: datetime) -> Risk:
    """A stored risk (revision 1) of a new project, saved by the tester."""
    project = repo.add(Project(name="Portal", key="PORTAL"))
    return repo.add(
        validate_record(Risk, {"project_id": project.id, "title": "Key developer leaves"})
    )


def ann_saves(path: Path, risk: Risk, **changes: object) -> Risk:
    """Another process, run by ann, saves ``changes`` over the stored version of ``risk``."""
    ann = TinyDBRepository(path, user="ann")
    stored = ann.snapshot().get(Risk, risk.id)
    assert stored is not None
    with clock.frozen(ANN_SAVES_AT):
        return ann.update(validate_record(Risk, {**dump_record(stored), **changes}))


def stored_risk(path: Path, risk: Risk) -> Risk:
    """``risk`` as the data file holds it now."""
    found = TinyDBRepository(path).snapshot().get(Risk, risk.id)
    assert found is not None
    return found


async def fill(pilot: Pilot[None], field: str, text: str) -> None:
    """Replace the text of a form field as a user would: focus it, clear it, type."""
    await fill_input(pilot, f"#field-{field}", text)


async def save_into_conflict(pilot: Pilot[None], path: Path, risk: Risk) -> None:
    """Type my title and plan; meanwhile ann changes the title and the owner; save."""
    await fill(pilot, "title", "My title")
    await fill(pilot, "mitigation", "Pair on the core")
    ann_saves(path, risk, title="Their title", owner="Ann")
    await pilot.press("ctrl+s")
    await settle(pilot)


def dialog_text(app: App[None]) -> str:
    """What the conflict dialog shows, inside its border (the form behind left out)."""
    box = app.screen.query_one("#conflict-box").region
    lines = screen_text(app).splitlines()[box.y + 1 : box.bottom - 1]
    return "\n".join(line[box.x + 1 : box.right - 1] for line in lines)


def form_app(
    repo: TinyDBRepository, risk: Risk, save: Callable[[Risk], Risk] | None = None
) -> FormApp:
    """The risk form on ``risk``, saving through ``save`` (the user's repository by default)."""
    return FormApp(RiskForm(risk, save or repo.update))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_dialog_sets_both_versions_side_by_side_with_who_and_when(
    repo: TinyDBRepository,
    risk: Risk,
    data_path: Path,
    size: tuple[int, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")  # the machine's local time is what shows
    time.tzset()
    app = form_app(repo, risk)
    async with app.run_test(size=size) as pilot:
        await save_into_conflict(pilot, data_path, risk)
        assert isinstance(app.screen, ConflictDialog)
        text = dialog_text(app)
        assert "changed by ann at 2026-11-23 14:02 CET" in text
        rows = {line.split()[0]: line for line in text.splitlines() if line.strip()}
        # Title: changed by both; Mitigation: only by me; Owner: only by ann.
        assert "My title" in rows["Title"] and "Their title" in rows["Title"]
        assert rows["Title"].index("My title") < rows["Title"].index("Their title")
        assert "Pair on the core" in rows["Mitigation"] and "(empty)" in rows["Mitigation"]
        assert "Ann" in rows["Owner"]
        assert "Changed by both of you" in text
        assert "Changed by ann (kept either way)" in text
        assert "Theirs (ann)" in text
        assert "their other changes stay" in text
        assert "Keep mine (m)" in text and "Take theirs (t)" in text
    assert stored_risk(data_path, risk).title == "Their title", "nothing saved yet"


async def test_keep_mine_saves_my_fields_over_theirs_and_keeps_their_others(
    repo: TinyDBRepository, risk: Risk, data_path: Path
) -> None:
    app = form_app(repo, risk)
    async with app.run_test(size=(80, 24)) as pilot:
        await save_into_conflict(pilot, data_path, risk)
        await pilot.press("m")
        await settle(pilot)
        assert not isinstance(app.screen, (ConflictDialog, RiskForm)), "saved and closed"
    stored = stored_risk(data_path, risk)
    assert stored.title == "My title"
    assert stored.mitigation == "Pair on the core"
    assert stored.owner == "Ann", "ann's change to a field I did not touch stays"
    assert stored.revision == 3, "the next revision after ann's"
    assert stored.updated_by == "tester"
    assert app.results == [stored]


async def test_take_theirs_closes_the_form_saving_nothing_and_says_so(
    repo: TinyDBRepository, risk: Risk, data_path: Path
) -> None:
    app = form_app(repo, risk)
    async with app.run_test(size=(80, 24)) as pilot:
        await save_into_conflict(pilot, data_path, risk)
        await pilot.press("t")
        await settle(pilot)
        assert not isinstance(app.screen, (ConflictDialog, RiskForm))
        told = [n.message for n in app._notifications]
        assert f"Kept {risk.key} as ann saved it; your changes were dropped." in told
    stored = stored_risk(data_path, risk)
    assert (stored.title, stored.owner, stored.mitigation) == ("Their title", "Ann", "")
    assert stored.revision == 2, "nothing saved"
    assert app.results == [None], "closed as a cancel: the caller says nothing was saved"


@pytest.mark.parametrize("key", ["b", "escape"])
async def test_back_to_editing_keeps_my_values_and_says_why(
    repo: TinyDBRepository, risk: Risk, data_path: Path, key: str
) -> None:
    app = form_app(repo, risk)
    async with app.run_test(size=(80, 24)) as pilot:
        await save_into_conflict(pilot, data_path, risk)
        await pilot.press(key)
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RiskForm)
        assert form.values()["title"] == "My title"
        assert form.values()["mitigation"] == "Pair on the core"
        note = str(form.query_one("#form-error", Static).render())
        assert "Saved by ann at 2026-11-23 13:02 UTC meanwhile" in note
        assert "your version is still here" in note
        assert stored_risk(data_path, risk).revision == 2
        # Saving again compares again: the stored version is still newer.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        await pilot.press("m")
        await settle(pilot)
    assert stored_risk(data_path, risk).title == "My title"
    assert app.results and app.results[0] is not None


async def test_a_second_conflict_on_keep_mine_opens_the_dialog_again(
    repo: TinyDBRepository, risk: Risk, data_path: Path
) -> None:
    calls: list[Risk] = []

    def save(record: Risk) -> Risk:
        calls.append(record)
        if len(calls) == 2:  # while "keep mine" saves, ann saves once more
            ann_saves(data_path, risk, contingency="Hire a contractor")
        return repo.update(record)

    app = form_app(repo, risk, save)
    async with app.run_test(size=(120, 40)) as pilot:
        await save_into_conflict(pilot, data_path, risk)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog), "the newer version is shown again"
        assert "Hire a contractor" in screen_text(app)
        await pilot.press("m")
        await settle(pilot)
    stored = stored_risk(data_path, risk)
    assert (stored.title, stored.mitigation) == ("My title", "Pair on the core")
    assert (stored.owner, stored.contingency) == ("Ann", "Hire a contractor")
    assert stored.revision == 4


async def test_hostile_text_in_either_version_shows_literally(
    repo: TinyDBRepository, risk: Risk, data_path: Path
) -> None:
    app = form_app(repo, risk)
    async with app.run_test(size=(120, 40)) as pilot:
        await fill(pilot, "title", "Mine [b]bold[/b]")
        ann_saves(data_path, risk, title="Theirs", contingency=HOSTILE)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        text = screen_text(app)
        assert "Mine [b]bold[/b]" in text
        assert "[bold red]boom[/] \\x1b[31mred\\x1b[0m" in text
        assert "[link=https://evil.example]x[/link]" in text
        assert "\x1b" not in text


async def test_a_record_deleted_meanwhile_offers_back_or_discard_only(
    repo: TinyDBRepository, risk: Risk, data_path: Path
) -> None:
    app = form_app(repo, risk)
    async with app.run_test(size=(80, 24)) as pilot:
        await fill(pilot, "title", "My title")
        TinyDBRepository(data_path, user="ann").delete(risk)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        text = screen_text(app)
        assert "was deleted by someone else" in text
        assert "My title" in text
        assert "Keep mine" not in text and "Take theirs" not in text
        await pilot.press("m", "t")  # not offered: nothing happens
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        await pilot.press("b")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RiskForm) and form.values()["title"] == "My title"
        assert "Deleted by someone else meanwhile" in str(
            form.query_one("#form-error", Static).render()
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert not isinstance(app.screen, (ConflictDialog, RiskForm))
    assert app.results == [None]
    assert TinyDBRepository(data_path).snapshot().get(Risk, risk.id) is None


async def test_keep_mine_that_breaks_a_rule_with_their_changes_is_shown_in_the_form(
    repo: TinyDBRepository, risk: Risk, data_path: Path
) -> None:
    app = form_app(repo, risk)
    async with app.run_test(size=(120, 40)) as pilot:
        await choose_option(pilot, "response", -1)  # mitigate -> avoid
        # ann turns the threat into an opportunity: my "avoid" no longer fits.
        ann_saves(data_path, risk, kind=RiskKind.OPPORTUNITY, response="exploit")
        form = app.screen
        assert isinstance(form, RiskForm)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert app.screen is form, "nothing saved: the form stays open"
        assert form.values()["response"] == "avoid"
        note = str(form.query_one("#form-error", Static).render())
        assert note.startswith("Your changes do not fit with the newer version: an opportunity")
    assert stored_risk(data_path, risk).response == "exploit"


async def test_keep_mine_keeps_a_project_key_i_changed(
    repo: TinyDBRepository, risk: Risk, data_path: Path
) -> None:
    project = repo.snapshot().project("PORTAL")
    app = FormApp(ProjectForm(project, repo.update))
    async with app.run_test(size=(80, 24)) as pilot:
        await fill(pilot, "key", "WEB")
        ann = TinyDBRepository(data_path, user="ann")
        ann.update(project.model_copy(update={"client": "Acme"}))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConflictDialog)
        await pilot.press("m")
        await settle(pilot)
    (stored,) = TinyDBRepository(data_path).snapshot().projects()
    assert (stored.key, stored.client, stored.revision) == ("WEB", "Acme", 3)


# -- the pieces, without a terminal --------------------------------------------------------


def test_changed_fields_leave_bookkeeping_out(risk: Risk) -> None:
    later = risk.model_copy(
        update={"title": "New", "revision": 7, "updated_by": "ann", "updated_at": FIXED_NOW}
    )
    assert fields_changed(risk, later) == ["title"]


def test_values_read_as_one_plain_line() -> None:
    attendees = [dump_record_of(Attendee(email="ada@client.example", name="Ada"))]
    agenda = [dump_record_of(AgendaItem(title="Budget")), dump_record_of(AgendaItem(title="Plan"))]
    assert value_text(attendees).plain == "ada@client.example"
    assert value_text(agenda).plain == "Budget, Plan"
    assert value_text(None).plain == value_text("").plain == "(empty)"
    assert value_text(True).plain == "yes"
    long = value_text("x" * 500).plain
    assert len(long) == 80 and long.endswith("…")
    assert value_text("a\x1b[2Jb\nc").plain == "a\\x1b[2Jb c"


def dump_record_of(model: Attendee | AgendaItem) -> dict[str, object]:
    """A nested model in its stored (JSON) form."""
    return model.model_dump(mode="json")
