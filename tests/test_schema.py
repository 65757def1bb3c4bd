"""Opening a data file written by an older clientdesk: nothing a PM decided is lost."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from clientdesk.store import schema
from clientdesk.store.models import Project
from clientdesk.store.repository import TinyDBRepository
from tests.helpers.cli import run_cli

NO_REASON = "set by hand before the overall status was derived; no reason recorded"


def write_version_1(data_path: Path, hand_set: dict[str, str | None]) -> None:
    """A data file as clientdesk wrote it before the overall status was derived.

    Each project of ``hand_set`` (key to its old ``rag``; None: no such field)
    has no open records, so its dimensions all give green.
    """
    repo = TinyDBRepository(data_path)
    for key in hand_set:
        repo.add(Project(name=f"Project {key}", key=key, timezone="Europe/Berlin"))
    old = json.loads(data_path.read_text())
    old["_meta"]["1"]["schema_version"] = 1
    for document in old["projects"].values():
        del document["rag_override"], document["rag_override_reason"]
        rag = hand_set[document["key"]]
        if rag is not None:
            document["rag"] = rag
    data_path.write_text(json.dumps(old))


def test_a_red_set_by_hand_opens_as_an_override_with_the_missing_reason_said(
    capsys: pytest.CaptureFixture[str], data_path: Path, app_now: datetime
) -> None:
    write_version_1(data_path, {"OLD": "red"})

    code, out, err = run_cli(capsys, "list", "projects", "--json")
    assert (code, err) == (0, "")
    (listed,) = json.loads(out)
    assert listed["rag_override"] == "red"
    assert listed["rag_override_reason"] == NO_REASON
    assert (listed["overall_rag"], listed["derived_rag"]) == ("red", "green")
    assert "rag" not in listed

    code, out, _ = run_cli(capsys, "list", "projects")
    assert code == 0
    assert "red (set by hand)" in out

    code, out, err = run_cli(capsys, "report", "--project", "OLD")
    assert (code, err) == (0, "")
    assert (
        "- **Overall status:** **\\[RED\\]** set by the project manager: set by hand before "
        "the overall status was derived; no reason recorded; the dimensions below give "
        "**\\[GREEN\\]**"
    ) in out


def test_amber_is_kept_green_and_no_value_are_dropped(
    capsys: pytest.CaptureFixture[str], data_path: Path, app_now: datetime
) -> None:
    write_version_1(data_path, {"AMB": "Amber", "GRN": "green", "NONE": None, "ODD": "purple"})
    snapshot = TinyDBRepository(data_path).snapshot()
    amber = snapshot.project("AMB")
    assert (amber.rag_override, amber.rag_override_reason) == ("amber", NO_REASON)
    for key in ("GRN", "NONE", "ODD"):
        project = snapshot.project(key)
        assert (project.rag_override, project.rag_override_reason) == (None, ""), key
    code, _, err = run_cli(capsys, "check")
    assert (code, err) == (0, "")


def test_the_kept_override_is_written_at_the_new_version_and_can_be_handed_back(
    capsys: pytest.CaptureFixture[str], data_path: Path, app_now: datetime
) -> None:
    write_version_1(data_path, {"OLD": "red"})
    code, out, err = run_cli(capsys, "edit", "project", "OLD", "--client", "Acme")
    assert (code, err) == (0, "")
    written = json.loads(data_path.read_text())
    assert written["_meta"]["1"]["schema_version"] == schema.SCHEMA_VERSION
    (document,) = written["projects"].values()
    assert "rag" not in document
    assert (document["rag_override"], document["rag_override_reason"]) == ("red", NO_REASON)
    # Once the PM has read it, one option lets the dimensions speak again.
    code, _, err = run_cli(capsys, "edit", "project", "OLD", "--rag-override", "none")
    assert (code, err) == (0, "")
    code, out, _ = run_cli(capsys, "list", "projects", "--json")
    (listed,) = json.loads(out)
    assert (listed["rag_override"], listed["rag_override_reason"]) == (None, "")
    assert listed["overall_rag"] == "green"
