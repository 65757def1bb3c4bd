"""The data file's layout: one JSON object, one document per line.

A save writes the tables so that every document stands on a line of its
own::

    {
    "_meta":{
    "1":{"schema_version":2,"counters":{}}
    },
    "requests":{
    "1":{"id":"…","key":"REQ-1",…},
    "2":{"id":"…","key":"REQ-2",…}
    }
    }

It is still one JSON object, as TinyDB and any JSON tool read it. What the
layout buys is reading without building the whole file's tree: each
document's text is cut out of its line and kept as it is, and only the
documents a screen shows are ever parsed and validated (see
``store/snapshot.py``). JSON escapes every newline inside a string, so a
document can never span two lines.

A file in any other shape (an older clientdesk's single line, a file
pretty-printed by hand) is read by parsing it whole, and takes this layout on
its next save.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

Tables = dict[str, dict[str, Any]]
"""Table name to document id (a string of digits) to document: a dict, or its JSON text."""

DocumentText = bytes | memoryview
"""A document's JSON text: bytes, or a view of it in the bytes of the file it was read from."""

_TABLE_HEAD = re.compile(rb'"((?:[^"\\\x00-\x1f]|\\.)*)":\{(\},?)?')


def _text_of(document: object) -> DocumentText:
    if isinstance(document, bytes | memoryview):
        return document
    return orjson.dumps(document)


def encode_lines(tables: Tables) -> bytes:
    """``tables`` as UTF-8 JSON with one document per line.

    Documents kept as text go in as they are; dicts are serialised. The
    pieces are joined once, so each document's text is copied once: a save
    of 10,000 records spends a few milliseconds here.
    """
    pieces: list[DocumentText] = [b"{\n"]
    last_table = len(tables) - 1
    for position, (name, documents) in enumerate(tables.items()):
        pieces += (orjson.dumps(name), b":{\n")
        last = len(documents) - 1
        for index, (doc_id, document) in enumerate(documents.items()):
            pieces += (
                b'"',
                str(doc_id).encode("ascii"),
                b'":',
                _text_of(document),
                b",\n" if index < last else b"\n",
            )
        pieces.append(b"},\n" if position < last_table else b"}\n")
    pieces.append(b"}\n")
    # Joined in two steps: the small joins copy the documents (memoryviews among
    # them) holding the GIL a moment each; the last one joins plain bytes only,
    # which CPython does without the GIL, so a large file's copy never stalls
    # the UI thread.
    chunks = [
        b"".join(pieces[start : start + JOIN_CHUNK]) for start in range(0, len(pieces), JOIN_CHUNK)
    ]
    return b"".join(chunks)


JOIN_CHUNK = 4096
"""Pieces joined while holding the GIL at a time (some 800 documents, under a millisecond)."""


def decode_lines(raw: bytes) -> Tables | None:
    """The tables of ``raw`` in the one-document-per-line layout, each document kept as text.

    Each document is a memoryview of ``raw``: the file's bytes are held
    once, as long as any of its documents is, and no document is copied.

    Returns None when ``raw`` is not in that layout (or not whole: a
    truncated file never ends as the layout does); the caller then parses it
    whole, which also words what is wrong with it. The text of each document
    is checked only for its braces here: it is parsed when it is used, and
    the repository checks every document before anything is written.

    Scans the bytes line by line: the file and a small view per document are
    all that is in memory at the peak.
    """
    if not raw.startswith(b"{\n"):
        return None
    body_end = len(raw) - 2 if raw.endswith(b"\n}\n") else len(raw) - 1
    if raw[body_end - 1 : body_end + 1] != b"\n}" or body_end < 2:
        return None
    view = memoryview(raw)
    tables: Tables = {}
    documents: dict[str, Any] | None = None
    more_tables = False  # the line before ended with a comma
    more_documents = False
    position = 2
    while position < body_end:
        line_end = raw.find(b"\n", position, body_end)
        if line_end < 0:
            return None
        if documents is None:
            if tables and not more_tables:
                return None
            head = _TABLE_HEAD.fullmatch(raw, position, line_end)
            if head is None:
                return None
            name = orjson.loads(b'"' + head.group(1) + b'"')
            if name in tables:
                return None
            documents = tables[name] = {}
            if head.group(2) is not None:  # an empty table on one line
                more_tables, documents = head.group(2) == b"},", None
            else:
                more_documents = True
        elif line_end - position <= 2 and raw[position] == _CLOSE:
            line = raw[position:line_end]
            if line not in (b"}", b"},") or (more_documents and documents):
                return None  # not a closing brace, or a comma before one
            more_tables, documents = line == b"},", None
        else:
            if not more_documents or raw[position] != _QUOTE:
                return None
            colon = raw.find(b'":', position, line_end)
            doc_id = raw[position + 1 : colon]
            comma = raw[line_end - 1] == _COMMA
            text_end = line_end - 1 if comma else line_end
            if (
                colon < 0
                or not (doc_id.isdigit() and doc_id.isascii())
                or raw[colon + 2] != _OPEN
                or raw[text_end - 1] != _CLOSE
            ):
                return None
            key = doc_id.decode("ascii")
            if key in documents:
                return None  # the same id twice: parsed whole, the last would win
            documents[key] = view[colon + 2 : text_end]
            more_documents = comma
        position = line_end + 1
    if documents is not None or (tables and more_tables):
        return None
    return tables


_QUOTE, _COMMA, _OPEN, _CLOSE = b'"'[0], b","[0], b"{"[0], b"}"[0]
