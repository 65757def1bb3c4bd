"""Checks across records that a single record's validation cannot make.

Used by ``clientdesk check``: every record belongs to a known project, keys
are unique per kind and project, and references point at existing records.
"""

from __future__ import annotations

from collections import Counter

from clientdesk.store.models import (
    RECORD_TYPES,
    ClientRequest,
    Contact,
    Meeting,
    Project,
    ProjectRecord,
    Risk,
)
from clientdesk.store.snapshot import Snapshot


def find_problems(snapshot: Snapshot) -> list[str]:
    """One line per problem found; an empty list means the data is sound."""
    problems: list[str] = []
    project_ids = {project.id for project in snapshot.all(Project)}
    project_keys = Counter(project.key for project in snapshot.all(Project))
    problems += [f"project key {key} is used {n} times" for key, n in project_keys.items() if n > 1]
    for kind in RECORD_TYPES:
        if kind is Project:
            continue
        keys: Counter[tuple[str, str]] = Counter()
        for record in snapshot.all(kind):
            assert isinstance(record, ProjectRecord)
            if record.project_id not in project_ids:
                problems.append(f"{kind.LABEL} {record.key} belongs to no known project")
            keys[(record.project_id, record.key)] += 1
        problems += [
            f"{kind.LABEL} key {key} is used {n} times in one project"
            for (_, key), n in keys.items()
            if n > 1
        ]
    for request in snapshot.all(ClientRequest):
        if request.requester_id and snapshot.get(Contact, request.requester_id) is None:
            problems.append(f"request {request.key} names a requester that does not exist")
        for risk_id in request.risk_ids:
            if snapshot.get(Risk, risk_id) is None:
                problems.append(f"request {request.key} links to a risk that does not exist")
        for meeting_id in request.meeting_ids:
            if snapshot.get(Meeting, meeting_id) is None:
                problems.append(f"request {request.key} links to a meeting that does not exist")
    for meeting in snapshot.all(Meeting):
        for risk_id in meeting.risk_ids:
            if snapshot.get(Risk, risk_id) is None:
                problems.append(f"meeting {meeting.key} links to a risk that does not exist")
    return problems
