"""Two small projects, Alpha and Beta, and a record of one broken by hand.

For the stories of a file whose records are validated project by project:
showing one project, switching to the other, and refusing a broken record.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from clientdesk.store.models import ClientRequest, Project, Risk
from clientdesk.store.repository import Repository

RECEIVED = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
"""When every request of the two projects arrived."""


def two_projects(repo: Repository) -> tuple[Project, Project]:
    """Alpha and Beta, each with three requests ("Alpha 0" ...) and a risk."""
    alpha, beta = repo.add(Project(name="Alpha")), repo.add(Project(name="Beta"))
    for project in (alpha, beta):
        for number in range(3):
            repo.add(
                ClientRequest(
                    project_id=project.id, title=f"{project.name} {number}", received_at=RECEIVED
                )
            )
        repo.add(Risk(project_id=project.id, title=f"{project.name} risk"))
    return alpha, beta


def break_one(path: Path, title: str) -> None:
    """Give the request titled ``title`` a priority no clientdesk knows, keeping the layout."""
    lines = path.read_bytes().split(b"\n")
    for number, line in enumerate(lines):
        if f'"title":"{title}"'.encode() in line:
            lines[number] = re.sub(rb'"priority":"P\d"', b'"priority":"P9"', line)
            break
    else:
        raise AssertionError(f"no request titled {title!r}")
    path.write_bytes(b"\n".join(lines))
