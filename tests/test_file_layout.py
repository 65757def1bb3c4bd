"""The data file holds one document per line, and a project's records are read only when used.

A large file is read without building its whole tree: each document's text
is cut from its line, and a record becomes a model when something asks for
it. These tests hold the promises that must not change with it: the file is
still one JSON object, older files are read and rewritten in the new layout,
a record broken by hand is still found before any save, and another
project's records are never validated to show one project.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientdesk.store import schema
from clientdesk.store.changes import changes_between
from clientdesk.store.errors import DataFileError
from clientdesk.store.layout import decode_lines, encode_lines
from clientdesk.store.models import RECORD_TYPES, ClientRequest, Project
from clientdesk.store.repository import TinyDBRepository
from clientdesk.store.snapshot import Snapshot, index_entry, same_text
from clientdesk.tui.app import create_app
from tests.helpers.cli import run_cli
from tests.helpers.two_projects import RECEIVED, break_one, two_projects
from tests.helpers.ui import notices, screen_text, settle
from tests.helpers.waiting import pilot_wait_until


def _models_made(snapshot: Snapshot, project: Project) -> int:
    """How many of ``project``'s records the snapshot has made into models."""
    made = 0
    for kind in RECORD_TYPES:
        table = snapshot.documents(kind)
        if table is None or kind is Project:
            continue
        ids = set(table.ids_of_project(project.id))
        made += sum(1 for record_id in ids if record_id in table._models)
    return made


def test_every_document_stands_on_its_own_line_of_one_json_object(
    repo: TinyDBRepository, data_path: Path
) -> None:
    """The file is one JSON object any tool reads, with each record on a line of its own."""
    alpha, beta = two_projects(repo)
    raw = data_path.read_bytes()
    whole = json.loads(raw)
    assert set(whole[ClientRequest.TABLE]) == {str(n) for n in range(1, 7)}
    lines = raw.split(b"\n")
    assert lines[0] == b"{" and raw.endswith(b"}\n")
    request_lines = [line for line in lines if b'"received_at"' in line]
    assert len(request_lines) == 6
    for line in request_lines:
        doc_id, _, text = line.rstrip(b",").partition(b":")
        assert json.loads(doc_id).isdigit()
        assert json.loads(text)["project_id"] in (alpha.id, beta.id)


def test_a_file_in_the_old_single_line_layout_is_read_and_rewritten_by_line(
    repo: TinyDBRepository, data_path: Path
) -> None:
    """Files written before keep working, and take the new layout on their next save."""
    alpha, _ = two_projects(repo)
    data_path.write_bytes(orjson.dumps(json.loads(data_path.read_bytes())))
    assert data_path.read_bytes().count(b"\n") == 0
    reader = TinyDBRepository(data_path)
    titles = [r.title for r in reader.snapshot().of_project(ClientRequest, alpha.id)]
    assert titles == ["Alpha 0", "Alpha 1", "Alpha 2"]
    reader.add(ClientRequest(project_id=alpha.id, title="Alpha 3", received_at=RECEIVED))
    raw = data_path.read_bytes()
    assert decode_lines(raw) is not None
    assert [r.title for r in TinyDBRepository(data_path).snapshot().all(ClientRequest)][-1] == (
        "Alpha 3"
    )


def test_a_file_pretty_printed_by_hand_is_read_whole(
    repo: TinyDBRepository, data_path: Path
) -> None:
    """Another layout of the same JSON (an editor's indent) reads the same records."""
    two_projects(repo)
    before = {r.id: r for r in TinyDBRepository(data_path).snapshot().all(ClientRequest)}
    data_path.write_text(json.dumps(json.loads(data_path.read_bytes()), indent=2))
    after = {r.id: r for r in TinyDBRepository(data_path).snapshot().all(ClientRequest)}
    assert after == before


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: raw.rindex(b"\n}")],  # the last lines are lost
        lambda raw: raw.replace(b"},\n", b"}\n", 1),  # a comma between tables is lost
        lambda raw: raw.replace(b"Alpha 0", b"Alpha\n0", 1),  # a document is split
    ],
    ids=["truncated", "comma-lost", "document-split"],
)
def test_a_damaged_layout_is_parsed_whole_and_refused_with_its_fault(
    repo: TinyDBRepository, data_path: Path, damage: Any
) -> None:
    """A file that only looks like the layout is never half-read: it is refused, and kept."""
    two_projects(repo)
    broken = damage(data_path.read_bytes())
    assert decode_lines(broken) is None
    data_path.write_bytes(broken)
    with pytest.raises(DataFileError, match="not valid JSON"):
        TinyDBRepository(data_path).snapshot()
    assert data_path.read_bytes() == broken


def test_document_texts_from_two_readings_compare_by_their_bytes() -> None:
    """A document unchanged between two files is the same text; one changed byte is not."""
    first = b'{"id":"a","title":"Kick-off"}\n{"id":"b","title":"Review"}'
    second = b'{"id":"b","title":"Review"}\n{"id":"a","title":"Kick-of!"}'
    doc_a, doc_b = (memoryview(first)[slice(*span)] for span in ((0, 29), (30, None)))
    assert same_text(doc_b, memoryview(second)[:27]), "the same bytes at another place"
    assert not same_text(doc_a, memoryview(second)[28:]), "same length, one byte changed"
    assert not same_text(doc_a, doc_b) and same_text(bytes(doc_a), doc_a)
    assert same_text(None, None) and not same_text(doc_a, None)


@pytest.mark.parametrize("content", [b"", b"\n", b"  \n\t\n"], ids=["empty", "newline", "blank"])
def test_an_empty_or_blank_file_is_called_truncated_and_kept(
    data_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file cut to nothing says so in one line, and stays as it is."""
    data_path.parent.mkdir(parents=True, exist_ok=True)
    data_path.write_bytes(content)
    code, _, err = run_cli(capsys, "check", "--data", str(data_path))
    assert code == 2 and "the file is empty (truncated?)" in err and err.count("\n") == 1
    assert data_path.read_bytes() == content


_documents = st.dictionaries(
    st.text(min_size=1, max_size=8),
    st.one_of(
        st.integers(-(2**63), 2**63 - 1), st.text(), st.none(), st.lists(st.text(), max_size=3)
    ),
    max_size=4,
)


@given(
    st.dictionaries(
        st.text(min_size=1, max_size=10),
        st.dictionaries(st.integers(1, 10_000).map(str), _documents, max_size=5),
        max_size=4,
    )
)
def test_the_layout_reads_back_exactly_what_it_wrote(tables: dict[str, Any]) -> None:
    """Any tables written by line read back the same, by line and parsed whole."""
    raw = encode_lines(tables)
    assert orjson.loads(raw) == tables
    by_line = decode_lines(raw)
    assert by_line is not None
    assert {
        name: {doc_id: orjson.loads(text) for doc_id, text in documents.items()}
        for name, documents in by_line.items()
    } == tables


def test_the_index_is_read_from_the_bytes_or_by_parsing() -> None:
    """Id, key and project come from a document's head, or from parsing any other shape."""
    saved = b'{"id":"a1","key":"REQ-3","created_at":null,"project_id":"p9","title":"x"}'
    assert index_entry(saved) == ("a1", "REQ-3", "p9")
    assert index_entry(b'{"id":"p1","key":"ALPHA","name":"Alpha"}') == ("p1", "ALPHA", "")
    reordered = b'{"title":"\\"project_id\\":\\"zz\\"","project_id":"p2","key":"R-1","id":"b"}'
    assert index_entry(reordered) == ("b", "R-1", "p2")
    escaped = b'{"id":"c","key":"R-2","title":"t","project_id":"p\\u0041"}'
    assert index_entry(escaped) == ("c", "R-2", "pA")
    assert index_entry(memoryview(b"xx" + saved)[2:]) == ("a1", "REQ-3", "p9")
    assert index_entry(b'{"key":"R-1"}') is None
    assert index_entry(b"{not json") is None


# -- reading one project -------------------------------------------------------------


def test_showing_one_project_validates_none_of_the_others(
    repo: TinyDBRepository, data_path: Path
) -> None:
    """Opening a project makes models of its records only; the rest stay text."""
    alpha, beta = two_projects(repo)
    snapshot = TinyDBRepository(data_path).snapshot()
    snapshot.prepare(alpha.id)
    held = sum(snapshot.count_of_project(kind, alpha.id) for kind in RECORD_TYPES)
    assert held > 4  # three requests, a risk and the closing checklist
    assert _models_made(snapshot, alpha) == held
    assert _models_made(snapshot, beta) == 0
    snapshot.check()  # every record is validated, and still no model is kept
    assert _models_made(snapshot, beta) == 0


def test_a_record_broken_in_another_project_stops_saves_but_not_reading_this_one(
    repo: TinyDBRepository, data_path: Path
) -> None:
    """A hand edit breaking one of Beta's records: Alpha reads, every save is refused."""
    alpha, beta = two_projects(repo)
    break_one(data_path, "Beta 1")
    broken = data_path.read_bytes()
    reader = TinyDBRepository(data_path)
    snapshot = reader.snapshot()
    assert len(snapshot.of_project(ClientRequest, alpha.id)) == 3
    with pytest.raises(DataFileError, match=r"request REQ-2 of project BETA is invalid \(priority"):
        snapshot.of_project(ClientRequest, beta.id)
    with pytest.raises(DataFileError, match="REQ-2 of project BETA is invalid"):
        reader.add(ClientRequest(project_id=alpha.id, title="new", received_at=RECEIVED))
    assert data_path.read_bytes() == broken


def test_the_cli_lists_a_project_beside_a_broken_one_and_check_names_it(
    repo: TinyDBRepository, data_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`list --project` reads its own project; `check` still finds the broken record."""
    two_projects(repo)
    break_one(data_path, "Beta 1")
    code, out, _ = run_cli(
        capsys, "list", "requests", "--project", "ALPHA", "--json", "--data", str(data_path)
    )
    assert code == 0 and [r["title"] for r in json.loads(out)] == ["Alpha 0", "Alpha 1", "Alpha 2"]
    code, _, err = run_cli(capsys, "check", "--data", str(data_path))
    assert code == 2 and "REQ-2 of project BETA is invalid" in err and err.count("\n") == 1


def test_a_colleagues_save_is_named_without_reading_every_record(
    repo: TinyDBRepository, data_path: Path
) -> None:
    """The change line compares documents: only the changed one is made a model."""
    alpha, beta = two_projects(repo)
    mine = TinyDBRepository(data_path, user="me")
    before = mine.snapshot()
    before.prepare(alpha.id)
    colleague = TinyDBRepository(data_path, user="ann")
    edited = colleague.snapshot().find(ClientRequest, "REQ-3", beta.id)
    colleague.update(edited.model_copy(update={"title": "Beta 2, reworded"}))
    after = mine.snapshot()
    seen = changes_between(before, after, me="me")
    assert [(c.who, c.key, c.verb) for c in seen] == [("ann", "REQ-3", "changed")]
    assert _models_made(after, beta) == 1


def test_the_meta_table_of_a_file_by_line_is_checked_like_any_other(
    repo: TinyDBRepository, data_path: Path
) -> None:
    """A future version or broken counters in a file by line are refused, as whole."""
    two_projects(repo)
    raw = data_path.read_bytes()
    future = raw.replace(
        f'"schema_version":{schema.SCHEMA_VERSION}'.encode(), b'"schema_version":99', 1
    )
    data_path.write_bytes(future)
    with pytest.raises(DataFileError, match="newer clientdesk"):
        TinyDBRepository(data_path).snapshot()


# -- the app --------------------------------------------------------------------


def titles(app: Any) -> list[str]:
    """The titles of the notifications up."""
    return [str(notification.title) for notification in app._notifications]


async def test_the_app_shows_its_project_then_reports_a_record_broken_in_another(
    repo: TinyDBRepository, data_path: Path
) -> None:
    """The open project is on screen; the broken record is named at once, and saves refused."""
    alpha, _ = two_projects(repo)
    break_one(data_path, "Beta 1")
    broken = data_path.read_bytes()
    app = create_app(data_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot_wait_until(
            pilot,
            lambda: any("REQ-2 of project BETA is invalid" in n for n in notices(app)),
            "the notice",
        )
        assert any("nothing can be saved" in title for title in titles(app))
        await pilot.press("2")
        await settle(pilot)
        assert app.current_project == alpha
        assert "Alpha 1" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"Asked today", "ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await pilot.press(*"Beta", "enter")
        await pilot_wait_until(
            pilot, lambda: any("Cannot open" in n for n in titles(app)), "the refusal"
        )
        assert app.current_project == alpha, "the project on show stays, the app runs on"
    assert data_path.read_bytes() == broken
