"""A separate process that writes to a clientdesk data file, for the multi-process tests.

Run by path, with one of these commands:

``add-many DATA PROJECT_ID COUNT TAG READY GO``
    Open the store, create the file READY, wait until the file GO exists, then
    add COUNT client requests titled ``TAG-0`` ... to project PROJECT_ID. Print
    one JSON line: the keys received, when it started writing and when its last
    save finished (``time.monotonic``, which is system-wide on Linux).

``update DATA KEY TITLE READY GO``
    Read request KEY, signal READY, wait for GO, then save it with a new TITLE,
    based on the revision read before. Print one JSON line: ``saved`` or
    ``conflict`` (with the conflict's message and who changed the record).

``add-acked DATA PROJECT_KEY COUNT TAG``
    Add COUNT requests titled ``TAG-0`` ... to project PROJECT_KEY, printing
    ``ack TITLE`` after each save (``error MESSAGE`` for a failed one).

``crash-in-save DATA PROJECT_ID``
    Add one request titled ``lost`` and die (SIGKILL) in the middle of the
    save: the rows or tables are written, the transaction or file not yet
    committed, the lock held. Prints ``writing`` just before it dies. Works on
    either backend: both write a batch in ``_write`` before they commit.

``serve``
    A "zygote" for the crash tests: import the store once, then for each JSON
    command read from stdin fork a child that runs it, print ``pid N`` and,
    when the child is gone, ``exit N STATUS`` (a negative STATUS is the signal
    that killed it). Children print ``ready N`` / ``armed N`` and ``ack N``
    lines (N = requests in the file) so that the test knows what was saved.

Only ``clientdesk.store`` is imported (no Textual), and it is imported before
any timing-sensitive step. Every line written is flushed at once, as one
``write`` shorter than PIPE_BUF, so a SIGKILL never leaves half an ``ack``.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from clientdesk.store import safe_files
from clientdesk.store.backends import open_repository
from clientdesk.store.errors import ConflictError
from clientdesk.store.models import ClientRequest, Project
from clientdesk.store.repository import TinyDBRepository

RECEIVED = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
GO_TIMEOUT_SECONDS = 60.0


def say(line: str) -> None:
    """Write one line to stdout and flush it at once."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def wait_for(path: str) -> None:
    """Spin until ``path`` exists, so that all workers start within a millisecond."""
    deadline = time.monotonic() + GO_TIMEOUT_SECONDS
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} never appeared")
        time.sleep(0.0005)


def new_request(project_id: str, title: str) -> ClientRequest:
    """A client request ready to be added."""
    return ClientRequest(project_id=project_id, title=title, received_at=RECEIVED)


# -- concurrency commands -----------------------------------------------------------


def add_many(data: str, project_id: str, count: str, tag: str, ready: str, go: str) -> None:
    """Add ``count`` requests as fast as possible once GO appears."""
    repo = open_repository(data)
    assert repo.snapshot().get(Project, project_id) is not None
    Path(ready).touch()
    wait_for(go)
    started = time.monotonic()
    keys = [repo.add(new_request(project_id, f"{tag}-{n}")).key for n in range(int(count))]
    last = time.monotonic()
    say(json.dumps({"tag": tag, "keys": keys, "started": started, "last": last}))


def update(data: str, key: str, title: str, ready: str, go: str) -> None:
    """Save request ``key`` with a new title, based on the revision read before GO."""
    repo = open_repository(data)
    base = repo.snapshot().find(ClientRequest, key)
    Path(ready).touch()
    wait_for(go)
    try:
        saved = repo.update(base.model_copy(update={"title": title}))
    except ConflictError as conflict:
        say(
            json.dumps(
                {
                    "outcome": "conflict",
                    "message": str(conflict),
                    "changed_by": conflict.changed_by,
                    "current_title": getattr(conflict.current, "title", None),
                }
            )
        )
        return
    say(json.dumps({"outcome": "saved", "revision": saved.revision, "by": saved.updated_by}))


def add_acked(data: str, project_key: str, count: str, tag: str) -> None:
    """Add ``count`` requests to project ``project_key``, printing ``ack TITLE`` after each save.

    A save that fails prints ``error MESSAGE`` and the worker goes on: what
    counts is that every acknowledged request is in the file at the end.
    """
    repo = open_repository(data)
    project = repo.snapshot().project(project_key)
    say("ready")
    for n in range(int(count)):
        title = f"{tag}-{n}"
        try:
            repo.add(new_request(project.id, title))
        except Exception as error:
            cause = error.__cause__
            say(f"error {error}" + (f" ({cause!r})" if cause is not None else ""))
        else:
            say(f"ack {title}")


# -- crash commands (run in a child forked by ``serve``) --------------------------------


def crash_in_save(data: str, project_id: str) -> None:
    """Die inside a save, after its writes and before its commit (see the module doc)."""
    repo = open_repository(data)
    writes = type(repo)._write  # type: ignore[attr-defined]

    def write_then_die(self: Any, *args: Any) -> Any:
        result = writes(self, *args)
        say("writing")
        _die()
        return result

    setattr(type(repo), "_write", write_then_die)  # noqa: B010
    repo.add(new_request(project_id, "lost"))


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def loop_adds(data: str, project_id: str) -> None:
    """Add requests forever, acknowledging each committed save, until killed."""
    repo = TinyDBRepository(data)
    count = repo.snapshot().count(ClientRequest)
    say(f"ready {count}")
    while True:
        repo.add(new_request(project_id, f"crash-{count + 1}"))
        count += 1
        say(f"ack {count}")


def _crash_hooks(data: Path) -> dict[str, Callable[[], None]]:
    """Ways to SIGKILL this process at one exact step of a save."""
    real_fsync, real_fdopen = os.fsync, os.fdopen
    fsyncs = [0]

    def kill_on_fsync(number: int) -> Callable[[], None]:
        def install() -> None:
            def fsync(fd: int) -> None:
                fsyncs[0] += 1
                if fsyncs[0] == number:
                    _die()
                real_fsync(fd)

            setattr(os, "fsync", fsync)  # noqa: B010 - a test hook, typed loosely

        return install

    def mid_write() -> None:
        class HalfWriter:
            def __init__(self, handle: Any) -> None:
                self._handle = handle

            def __enter__(self) -> HalfWriter:
                return self

            def __exit__(self, *exc: object) -> None:
                self._handle.close()

            def write(self, payload: bytes) -> int:
                self._handle.write(payload[: len(payload) // 2])
                self._handle.flush()
                _die()
                return 0

            def __getattr__(self, name: str) -> Any:
                return getattr(self._handle, name)

        setattr(os, "fdopen", lambda *args, **kwargs: HalfWriter(real_fdopen(*args, **kwargs)))  # noqa: B010

    def mid_rotation() -> None:
        setattr(os, "link", lambda *args, **kwargs: _die())  # noqa: B010

    def before_rename() -> None:
        real_replace = os.replace

        def replace(src: Any, dst: Any, **dir_fds: Any) -> None:
            if Path(dst).name == data.name:
                _die()
            real_replace(src, dst, **dir_fds)

        setattr(os, "replace", replace)  # noqa: B010

    def after_rename() -> None:
        setattr(safe_files.Folder, "fsync", lambda folder: _die())  # noqa: B010

    return {
        "mid-write": mid_write,
        "before-file-fsync": kill_on_fsync(1),
        "mid-rotation": mid_rotation,
        "before-rename": before_rename,
        "after-rename": after_rename,
    }


def crash_at(data: str, project_id: str, point: str) -> None:
    """Add one request and SIGKILL this process at ``point`` inside the save."""
    repo = TinyDBRepository(data)
    count = repo.snapshot().count(ClientRequest)
    _crash_hooks(Path(data))[point]()
    say(f"armed {count}")
    repo.add(new_request(project_id, f"crash-at-{point}"))
    say("survived")


def serve() -> None:
    """Fork a pre-imported child per command read from stdin; report pids and exits."""
    textual = any(name.split(".")[0] in {"textual", "rich"} for name in sys.modules)
    say(f"hello textual={int(textual)}")
    for line in sys.stdin:
        command = json.loads(line)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            status = 0
            try:
                if command["mode"] == "loop":
                    loop_adds(command["data"], command["project_id"])
                else:
                    crash_at(command["data"], command["project_id"], command["point"])
            except BaseException as error:
                say(f"error {error!r}")
                status = 3
            finally:
                os._exit(status)
        say(f"pid {pid}")
        _, wait_status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(wait_status)
        say(f"exit {pid} {code}")


def main(argv: list[str]) -> None:
    """Dispatch the command named by ``argv[0]``."""
    commands: dict[str, Callable[..., None]] = {
        "add-many": add_many,
        "add-acked": add_acked,
        "update": update,
        "crash-in-save": crash_in_save,
        "serve": serve,
    }
    commands[argv[0]](*argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
