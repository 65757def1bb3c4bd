"""Undo and redo through the real file store: several levels, every kind of save, colleagues.

A colleague is a second repository on the same file with another user name,
as a second process would be.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from clientdesk.store import clock
from clientdesk.store.enums import ChecklistState, RequestStatus
from clientdesk.store.errors import ClosedProjectError
from clientdesk.store.models import (
    ChecklistItem,
    ClientRequest,
    InviteSent,
    Meeting,
    Project,
    Record,
    Risk,
    StatusReport,
)
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.snapshot import dump_record, validate_record
from clientdesk.store.undo import (
    AlreadyEmailed,
    NothingToUndo,
    UndoableRepository,
    UndoRefused,
)
from clientdesk.store.write_rules import Change

R = TypeVar("R", bound=Record)

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def mine(data_path: Path) -> UndoableRepository:
    """This session's repository, remembering its saves."""
    return UndoableRepository(TinyDBRepository(data_path, user="bob"))


@pytest.fixture
def colleague(data_path: Path) -> TinyDBRepository:
    """Ann, saving to the same file from her own process."""
    return TinyDBRepository(data_path, user="ann")


@pytest.fixture
def project(mine: UndoableRepository) -> Project:
    """A project made by someone before this session's saves (not undoable here)."""
    with clock.frozen(MONDAY):
        return TinyDBRepository(mine.location, user="carol").add(
            Project(name="Portal", key="PORTAL", timezone="Europe/Berlin")
        )


def edited(record: R, **fields: object) -> R:
    """``record`` with ``fields`` changed, validated as the forms validate it."""
    return validate_record(type(record), {**dump_record(record), **fields})


def stored(repo: UndoableRepository | TinyDBRepository, record: R) -> R | None:
    """``record`` as the file holds it now."""
    return repo.snapshot().get(type(record), record.id)


def content(record: Record | None) -> dict[str, object] | None:
    """What a user sees of ``record``: everything but the store's bookkeeping."""
    if record is None:
        return None
    ignored = {"updated_at", "updated_by", "revision", "sequence"}
    return {k: v for k, v in dump_record(record).items() if k not in ignored}


def new_request(project: Project, title: str = "Export as CSV") -> ClientRequest:
    """A request of ``project`` received on Monday."""
    return validate_record(
        ClientRequest, {"project_id": project.id, "title": title, "received_at": MONDAY}
    )


def steering(project: Project, start: datetime) -> Meeting:
    """A one-hour meeting of ``project`` in Berlin."""
    return Meeting(
        project_id=project.id,
        title="Steering",
        start=start,
        duration_minutes=60,
        timezone="Europe/Berlin",
    )


def test_an_edit_is_undone_and_redone_with_the_revision_counting_on(
    mine: UndoableRepository, project: Project
) -> None:
    with clock.frozen(MONDAY):
        first = mine.add(new_request(project))
        second = mine.update(edited(first, title="Export as Excel", owner="bob"))
    with clock.frozen(MONDAY + timedelta(minutes=5)):
        step = mine.undo()
    back = stored(mine, first)
    assert step.label == "REQ-1 changed (title, owner)"
    assert content(back) == content(first)
    assert back is not None and back.revision == second.revision + 1
    assert (back.updated_by, back.updated_at) == ("bob", MONDAY + timedelta(minutes=5))
    mine.redo()
    again = stored(mine, first)
    assert again is not None and (again.title, again.owner) == ("Export as Excel", "bob")
    assert again.revision == back.revision + 1


def test_several_levels_take_one_record_back_step_by_step(
    mine: UndoableRepository, project: Project
) -> None:
    with clock.frozen(MONDAY):
        request = mine.add(new_request(project, "one"))
        two = mine.update(edited(request, title="two"))
        mine.update(edited(two, title="three"))
        assert [mine.undo().label for _ in range(2)] == [
            "REQ-1 changed (title)",
            "REQ-1 changed (title)",
        ]
        assert stored(mine, request).title == "one"  # type: ignore[union-attr]
        assert mine.undo().label == "added REQ-1"
        assert stored(mine, request) is None
        with pytest.raises(NothingToUndo):
            mine.undo()
        for _ in range(3):
            mine.redo()
        assert stored(mine, request).title == "three"  # type: ignore[union-attr]
        with pytest.raises(NothingToUndo, match="nothing to redo"):
            mine.redo()


def test_a_status_move_comes_back_with_its_log_and_without_the_workflow_check(
    mine: UndoableRepository, project: Project
) -> None:
    with clock.frozen(MONDAY):
        request = mine.add(new_request(project))
    with clock.frozen(MONDAY + timedelta(hours=1)):
        moved = mine.update(edited(request, status=RequestStatus.ACKNOWLEDGED))
    assert len(moved.status_history) == 1
    step = mine.undo()
    back = stored(mine, request)
    assert step.label == "REQ-1 status new → acknowledged"
    assert back is not None and back.status is RequestStatus.NEW
    # The first response was taken back: its clock runs again from receipt.
    assert back.status_history == []


def test_a_deleted_record_comes_back_with_its_id_and_key(
    mine: UndoableRepository, project: Project
) -> None:
    with clock.frozen(MONDAY):
        request = mine.add(new_request(project))
        mine.delete(request)
        later = mine.add(new_request(project, "another"))
        mine.undo()  # the other add
        assert mine.undo().label == "deleted REQ-1"
    back = stored(mine, request)
    assert back is not None and (back.key, back.title) == ("REQ-1", "Export as CSV")
    assert back.revision == request.revision + 1
    assert stored(mine, later) is None


def test_an_undo_never_overwrites_a_colleagues_later_change(
    mine: UndoableRepository, colleague: TinyDBRepository, project: Project, data_path: Path
) -> None:
    with clock.frozen(MONDAY):
        request = mine.add(new_request(project))
        mine.update(edited(request, title="mine"))
    theirs = colleague.snapshot().get(ClientRequest, request.id)
    assert theirs is not None
    with clock.frozen(MONDAY + timedelta(minutes=7)):
        colleague.update(edited(theirs, owner="ann"))
    before = data_path.read_bytes()
    with pytest.raises(UndoRefused) as refused:
        mine.undo()
    assert str(refused.value) == (
        "cannot undo REQ-1 changed (title): ann changed REQ-1 at 09:07 since, "
        "and the undo would overwrite it"
    )
    assert data_path.read_bytes() == before
    # The refused step is gone; the one before it is next, and is refused the same way.
    with pytest.raises(UndoRefused, match="ann changed REQ-1"):
        mine.undo()
    assert not mine.can_undo


def test_a_colleagues_change_to_another_record_does_not_stop_an_undo(
    mine: UndoableRepository, colleague: TinyDBRepository, project: Project
) -> None:
    with clock.frozen(MONDAY):
        request = mine.add(new_request(project))
        mine.update(edited(request, title="mine"))
        colleague.add(new_request(project, "theirs"))
        mine.undo()
    assert stored(mine, request).title == "Export as CSV"  # type: ignore[union-attr]
    assert [r.title for r in mine.snapshot().all(ClientRequest)] == ["Export as CSV", "theirs"]


def test_a_tick_is_undone(mine: UndoableRepository, project: Project) -> None:
    item = mine.snapshot().of_project(ChecklistItem, project.id)[0]
    with clock.frozen(MONDAY):
        mine.update(
            edited(item, state="done", done_by="bob", done_at=MONDAY, evidence="signed PDF")
        )
    assert mine.undo().label == f"{item.key} state open → done"
    back = stored(mine, item)
    assert back is not None
    assert (back.state, back.done_by, back.evidence) == (ChecklistState.OPEN, "", "")


def test_undoing_a_project_delete_brings_back_everything_it_held(
    mine: UndoableRepository, project: Project
) -> None:
    with clock.frozen(MONDAY):
        request = mine.add(new_request(project))
        mine.add(Risk(project_id=project.id, title="Key user leaves", probability=3, impact=4))
    held_before = mine.snapshot().count() - 1
    mine.delete(mine.snapshot().project("PORTAL"))
    assert mine.snapshot().count() == 0
    assert mine.undo().label == "deleted PORTAL"
    assert mine.snapshot().count() - 1 == held_before
    assert stored(mine, request) is not None
    assert mine.snapshot().project("PORTAL").name == "Portal"


def test_undoing_a_new_project_takes_its_checklist_too_but_never_a_colleagues_record(
    mine: UndoableRepository, colleague: TinyDBRepository
) -> None:
    with clock.frozen(MONDAY):
        made = mine.add(Project(name="Intranet", key="INTRA", timezone="UTC"))
    assert mine.snapshot().of_project(ChecklistItem, made.id)
    assert mine.undo().label == "added INTRA"
    assert mine.snapshot().count() == 0
    mine.redo()
    with clock.frozen(MONDAY):
        colleague.add(new_request(made, "theirs"))
    with pytest.raises(UndoRefused, match=r"INTRA holds REQ-1 \(added since\)"):
        mine.undo()
    assert mine.snapshot().project("INTRA").name == "Intranet"


def test_undoing_a_meeting_move_raises_its_sequence_again(
    mine: UndoableRepository, project: Project
) -> None:
    start = datetime(2026, 12, 1, 10, tzinfo=UTC)
    with clock.frozen(MONDAY):
        meeting = mine.add(steering(project, start))
        moved = mine.update(edited(meeting, start=start + timedelta(hours=2)))
        assert moved.sequence == meeting.sequence + 1
        mine.undo()
    back = stored(mine, meeting)
    assert back is not None and back.start == start
    # The attendees saw the move: taking it back is a new invite for them.
    assert back.sequence == moved.sequence + 1


def test_a_batch_is_undone_whole(mine: UndoableRepository, project: Project) -> None:
    with clock.frozen(MONDAY):
        first = mine.add(new_request(project, "one"))
        mine.apply([Change.update(edited(first, title="uno")), Change.add(new_request(project))])
        assert mine.undo().label == "REQ-1 changed (title) and 1 more"
    assert [r.title for r in mine.snapshot().all(ClientRequest)] == ["one"]


def test_a_new_save_ends_the_redo(mine: UndoableRepository, project: Project) -> None:
    with clock.frozen(MONDAY):
        request = mine.add(new_request(project))
        mine.update(edited(request, title="two"))
        mine.undo()
        assert mine.can_redo
        mine.update(edited(stored(mine, request), title="three"))  # type: ignore[type-var]
    assert not mine.can_redo


def test_a_change_in_a_project_closed_since_waits_for_it_to_reopen(
    mine: UndoableRepository, colleague: TinyDBRepository, project: Project
) -> None:
    with clock.frozen(MONDAY):
        request = mine.add(new_request(project))
        mine.update(edited(request, title="two"))
        current = colleague.snapshot().project("PORTAL")
        colleague.update(edited(current, closed_at=MONDAY, close_override_reason="client left"))
    with pytest.raises(ClosedProjectError, match="closed"):
        mine.undo()
    assert mine.can_undo  # kept: it can be undone once the project is reopened
    with clock.frozen(MONDAY):
        closed = colleague.snapshot().project("PORTAL")
        colleague.update(edited(closed, closed_at=None))
        mine.undo()
    assert stored(mine, request).title == "Export as CSV"  # type: ignore[union-attr]


def test_the_history_keeps_a_bounded_number_of_levels(data_path: Path, project: Project) -> None:
    mine = UndoableRepository(TinyDBRepository(data_path, user="bob"), levels=3)
    with clock.frozen(MONDAY):
        request = mine.add(new_request(project, "0"))
        for number in range(1, 6):
            request = mine.update(edited(request, title=str(number)))
        for _ in range(3):
            mine.undo()
    assert stored(mine, request).title == "2"  # type: ignore[union-attr]
    assert not mine.can_undo


def test_what_the_client_was_sent_is_not_undone(mine: UndoableRepository, project: Project) -> None:
    start = datetime(2026, 12, 1, 10, tzinfo=UTC)
    with clock.frozen(MONDAY):
        meeting = mine.add(steering(project, start))
        sent = InviteSent(sent_at=MONDAY, recipients=["ann@client.example"], sequence=0)
        mine.update(edited(meeting, sent=[sent]))
        # The invite is out: the meeting it went for is not taken back silently.
        with pytest.raises(AlreadyEmailed) as refused:
            mine.undo()
    assert str(refused.value) == (
        "cannot undo added MTG-1: the invite of MTG-1 was already e-mailed to "
        "ann@client.example, so undoing would not take it back; to call the meeting off, "
        "delete it and send its cancellation"
    )
    assert refused.value.added and not refused.value.cancellation
    kept = stored(mine, meeting)
    assert kept is not None and kept.sent == [sent]


def cancelled_and_e_mailed(mine: UndoableRepository, project: Project) -> Meeting:
    """A scheduled meeting this session cancelled, its cancellation then e-mailed and recorded.

    The meeting was made by someone before this session; recording the
    sending is a record of fact (not a step to undo).
    """
    start = datetime(2026, 12, 1, 10, tzinfo=UTC)
    with clock.frozen(MONDAY):
        meeting = TinyDBRepository(mine.location, user="carol").add(
            edited(steering(project, start), status="scheduled")
        )
        called_off = mine.update(edited(meeting, status="cancelled"))
        told = InviteSent(
            sent_at=MONDAY, method="CANCEL", recipients=["ann@client.example"], sequence=1
        )
        return mine.update(edited(called_off, sent=[told]))


def test_a_cancellation_e_mailed_since_is_named_when_its_undo_is_refused(
    mine: UndoableRepository, project: Project
) -> None:
    cancelled_and_e_mailed(mine, project)
    before = Path(mine.location).read_bytes()
    with pytest.raises(AlreadyEmailed) as refused:
        mine.undo()
    message = str(refused.value)
    assert message == (
        "cannot undo MTG-1 status scheduled → cancelled: the cancellation of MTG-1 was "
        "already e-mailed to ann@client.example, so undoing would not take it back; to "
        "bring the meeting back, restore it and send the invite again"
    )
    assert "changed MTG-1" not in message
    assert refused.value.cancellation and not refused.value.added
    assert Path(mine.location).read_bytes() == before
    assert not mine.can_undo


def test_a_colleagues_edit_after_the_sending_is_still_named_as_theirs(
    mine: UndoableRepository, colleague: TinyDBRepository, project: Project
) -> None:
    sent = cancelled_and_e_mailed(mine, project)
    with clock.frozen(MONDAY):
        colleague.update(edited(sent, title="Steering (moved to Q1)"))
    with pytest.raises(UndoRefused, match="ann changed MTG-1 at") as refused:
        mine.undo()
    assert not isinstance(refused.value, AlreadyEmailed)


def test_a_colleagues_new_project_key_is_not_undone(
    mine: UndoableRepository, colleague: TinyDBRepository, project: Project
) -> None:
    with clock.frozen(MONDAY):
        mine.update(edited(project, name="Portal relaunch"))
        theirs = colleague.snapshot().project("PORTAL")
        colleague.update(edited(theirs, key="WEB"))
        with pytest.raises(UndoRefused, match="ann changed"):
            mine.undo()
    assert mine.snapshot().get(Project, project.id).key == "WEB"  # type: ignore[union-attr]


class SlowFirstUndo(TinyDBRepository):
    """A store whose first undo is held up just before it takes the file's lock."""

    held = False

    def apply(self, changes, *, edits=None):  # type: ignore[no-untyped-def]
        batch = list(changes)
        if not SlowFirstUndo.held and batch and batch[0].op in ("restore", "withdraw"):
            SlowFirstUndo.held = True
            time.sleep(0.3)
        return super().apply(batch, edits=edits)


def test_two_quick_undos_take_back_the_newest_first(data_path: Path, project: Project) -> None:
    mine = UndoableRepository(SlowFirstUndo(data_path, user="bob"))
    with clock.frozen(MONDAY):
        request = mine.add(new_request(project, "one"))
        mine.update(edited(request, title="two"))
    failures: list[BaseException] = []

    def undo() -> None:
        try:
            mine.undo()
        except BaseException as error:
            failures.append(error)

    first, second = threading.Thread(target=undo), threading.Thread(target=undo)
    first.start()
    time.sleep(0.05)
    second.start()
    first.join()
    second.join()
    assert failures == []
    assert stored(mine, request) is None, "both levels undone: the edit, then the add"


def test_a_project_brought_back_numbers_on_from_where_it_was(
    mine: UndoableRepository, project: Project
) -> None:
    with clock.frozen(MONDAY):
        mine.add(new_request(project, "one"))
        two = mine.add(new_request(project, "two"))
        mine.delete(two)  # REQ-2 is gone, and its key with it
        mine.delete(mine.snapshot().project("PORTAL"))
        mine.undo()
        three = mine.add(new_request(project, "three"))
    assert three.key == "REQ-3", "no key of a deleted record is handed out again"


def test_redoing_a_project_delete_takes_its_kept_status_reports_too(
    mine: UndoableRepository, project: Project
) -> None:
    with clock.frozen(MONDAY):
        mine.add(
            StatusReport(
                project_id=project.id,
                period_end=MONDAY - timedelta(days=1),
                title="Week 47",
                markdown="# fine",
            )
        )
        mine.delete(mine.snapshot().project("PORTAL"))
        mine.undo()
        assert mine.snapshot().all(StatusReport), "the report came back with its project"
        mine.redo()
    assert mine.snapshot().count() == 0
