"""The data file's schema version and the migrations between versions.

The version lives in the ``_meta`` table. A file at an older version is
migrated in memory when read and written at the current version on the next
save; a file at a newer version is refused (see ``storage.decode``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SCHEMA_VERSION = 2
"""The data version this clientdesk writes."""

META_TABLE = "_meta"
META_DOC_ID = "1"

Tables = dict[str, dict[str, Any]]


OLD_RAG_REASON = "set by hand before the overall status was derived; no reason recorded"
"""The reason an amber or red set by hand in version 1 carries as an override."""

_JUDGEMENTS = ("amber", "red")
"""The version-1 values that were a PM's call: green was also the untouched default."""


def _derive_the_overall_rag(tables: Tables) -> Tables:
    """Version 1 to 2: a project's hand-set ``rag`` gives way to the derived overall status.

    Version 1 stored one RAG per project, set by hand (green unless someone
    changed it) and never checked against the report's dimensions. From
    version 2 the overall status is computed (the worst dimension); the PM
    may still set it by hand, but only with a reason, and the report then
    shows both. An old amber or red was a PM's judgement: it becomes such an
    override, with :data:`OLD_RAG_REASON` saying that nobody wrote a reason
    down. Green (or no value) is dropped, since for most projects it is the
    untouched default and claims no judgement: the dimensions speak.

    The override is kept whatever the dimensions give, even when they give
    the same or worse. Weighing it against them would need the records
    validated by today's models and the clock, and this step runs on every
    read until the next save: the same file could gain or lose the override
    between two reads, and a later schema would change what this step means.
    Kept, the call stays visible beside the derived status, and the PM drops
    it with ``clientdesk edit project KEY --rag-override none`` (or the form).
    """
    for project in tables.get("projects", {}).values():
        old = project.pop("rag", None)
        called = old.strip().lower() if isinstance(old, str) else ""
        if called in _JUDGEMENTS and project.get("rag_override") in (None, ""):
            project["rag_override"] = called
            project["rag_override_reason"] = OLD_RAG_REASON
    return tables


MIGRATIONS: dict[int, Callable[[Tables], Tables]] = {1: _derive_the_overall_rag}
"""``MIGRATIONS[n]`` upgrades tables at version ``n`` to version ``n + 1``."""


def empty_tables() -> Tables:
    """The content of a new, empty data file."""
    return {META_TABLE: {META_DOC_ID: {"schema_version": SCHEMA_VERSION, "counters": {}}}}


def migrate(tables: Tables) -> Tables:
    """Upgrade ``tables`` step by step to :data:`SCHEMA_VERSION`."""
    meta = tables[META_TABLE][META_DOC_ID]
    version = meta["schema_version"]
    while version < SCHEMA_VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise ValueError(f"no migration from data version {version}")
        tables = step(tables)
        version += 1
        tables[META_TABLE][META_DOC_ID]["schema_version"] = version
    meta = tables[META_TABLE][META_DOC_ID]
    counters = meta.get("counters", {})
    if not isinstance(counters, dict) or not all(
        isinstance(number, int) and not isinstance(number, bool) and number >= 0
        for number in counters.values()
    ):
        raise ValueError("the key counters are not a table of numbers")
    meta.setdefault("counters", {})
    return tables
