"""Files in folders that other people can write to, handled so that nobody can redirect them.

On a shared server the data file sits in a group folder, and reports and
invites go wherever the user names. Anyone who can write to such a folder can
plant a symbolic link (or a pipe) under a name clientdesk is about to use; a
program that follows it writes the user's data into a file of the planter's
choosing, with the user's rights. The rules kept here:

- A path is walked one component at a time from an open folder (``openat``),
  never handed to the kernel as a whole, so a link cannot be slipped in
  between the check and the use.
- A symbolic link on the way is followed only when nobody but the user and
  root can have made or changed it: the link is theirs, and so is its folder,
  which nobody else can write to (or which has the sticky bit, where only a
  link's owner may replace it). Any other link is refused with a message that
  names it, where it points and who made it; the user can name the real file.
- A new file is created under a fresh random name with
  ``O_CREAT|O_EXCL|O_NOFOLLOW`` and renamed (or hard-linked) into place:
  nothing is ever opened for writing under a name that might exist.

Linux's ``fs.protected_symlinks`` covers part of this, in sticky folders only,
and is off on many machines; these rules hold without it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import pwd
import secrets
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from clientdesk.store.errors import UntrustedPathError

MAX_LINKS = 40
"""Links followed in one path before giving up, as the kernel does (ELOOP)."""

_PATH_FLAG = getattr(os, "O_PATH", os.O_RDONLY)
"""Folders are held with O_PATH: passing through needs only search (x) permission."""

_FOLDER_FLAGS = _PATH_FLAG | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def trusted_owners() -> frozenset[int]:
    """The users whose links and folders may be trusted: this process's user and root."""
    return frozenset({os.geteuid(), 0})


def owner_name(uid: int) -> str:
    """The login name of ``uid``, or ``uid N`` when it has none."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def others_can_write(mode: int) -> bool:
    """True when a folder of ``mode`` lets its group or everyone create and remove names."""
    return bool(mode & (stat.S_IWGRP | stat.S_IWOTH))


@dataclass
class Folder:
    """An open folder, reached without following a link anyone else could have planted.

    Every operation names files relative to the open folder, so renaming or
    replacing the folder's path meanwhile changes nothing about where they go.
    """

    path: Path
    """The folder's real path (for messages; operations use ``fd``)."""
    fd: int

    def close(self) -> None:
        """Release the folder."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> Folder:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def lstat(self, name: str) -> os.stat_result | None:
        """``name``'s own status (a link is not followed), or None when it does not exist."""
        try:
            return os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def create(self, prefix: str, suffix: str, mode: int = 0o600) -> tuple[int, str]:
        """A new empty file under a fresh name ``prefix + random + suffix``; its fd and name."""
        for _ in range(100):
            name = f"{prefix}{secrets.token_hex(6)}{suffix}"
            try:
                fd = os.open(name, _NEW_FILE_FLAGS, mode, dir_fd=self.fd)
            except FileExistsError:
                continue
            return fd, name
        raise FileExistsError(errno.EEXIST, "no fresh file name left", str(self.path / prefix))

    def create_named(self, name: str, mode: int) -> int:
        """Create ``name``, which must not exist in any form (not even as a dangling link)."""
        return os.open(name, _NEW_FILE_FLAGS, mode, dir_fd=self.fd)

    def open_regular(self, name: str) -> int:
        """Open the regular file ``name`` for reading, refusing a link, a pipe or a device."""
        fd = os.open(
            name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=self.fd
        )
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise OSError(errno.EINVAL, "not a regular file", str(self.path / name))
        return fd

    def replace(self, source: str, target: str) -> None:
        """Rename ``source`` over ``target`` (a link at ``target`` is replaced, not followed)."""
        os.replace(source, target, src_dir_fd=self.fd, dst_dir_fd=self.fd)

    def link(self, source: str, target: str) -> None:
        """A second name ``target`` for ``source``; fails when ``target`` exists in any form."""
        os.link(source, target, src_dir_fd=self.fd, dst_dir_fd=self.fd, follow_symlinks=False)

    def unlink(self, name: str) -> None:
        """Remove ``name`` if it is there."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name, dir_fd=self.fd)

    @contextlib.contextmanager
    def listing_fd(self) -> Iterator[int]:
        """A readable descriptor of the folder (an O_PATH one cannot list or fsync)."""
        fd = os.open(".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC, dir_fd=self.fd)
        try:
            yield fd
        finally:
            os.close(fd)

    def names(self) -> list[str]:
        """The names in the folder."""
        with self.listing_fd() as fd:
            return os.listdir(fd)

    def fsync(self) -> None:
        """Make the folder's entries durable; quietly skipped where the file system cannot."""
        # Runs after a rename: the new version is in place and other processes
        # already read it, so a failure here (some network file systems cannot
        # fsync a folder) must not report the save as failed.
        with contextlib.suppress(OSError), self.listing_fd() as fd:
            os.fsync(fd)


def _link_refusal(
    folder: os.stat_result, link: os.stat_result, link_path: str, target: str, folder_path: str
) -> str | None:
    """Why the link at ``link_path`` may not be followed, or None when it may."""
    owners = trusted_owners()
    if link.st_uid not in owners:
        made = f"a link that {owner_name(link.st_uid)} made"
    elif folder.st_uid not in owners:
        made = f"a link in {folder_path}, a folder of {owner_name(folder.st_uid)}"
    elif others_can_write(folder.st_mode) and not folder.st_mode & stat.S_ISVTX:
        made = f"a link in {folder_path}, a folder others can write to"
    else:
        return None
    return (
        f"{link_path} is {made}, pointing to {target}: clientdesk does not follow it; "
        "name the file itself if that is the one you mean"
    )


def _open_root() -> int:
    return os.open("/", _FOLDER_FLAGS)


def _walk(path: str | os.PathLike[str]) -> tuple[int, list[str], str]:
    """Walk ``path`` from ``/``; return the open parent folder, its real parts and the last name.

    Raises:
        UntrustedPathError: a link on the way may have been planted by someone else.
        FileNotFoundError: a folder on the way does not exist.
        NotADirectoryError: a part on the way is a file.
    """
    text = os.fspath(Path(path).expanduser())
    if not text:
        raise FileNotFoundError(errno.ENOENT, "empty path", text)
    if not os.path.isabs(text):
        # Joined, not normalised: "link/.." means the link's target's parent.
        text = os.path.join(os.getcwd(), text)
    pending = [part for part in text.split("/") if part not in ("", ".")]
    pending.reverse()
    if not pending:
        raise IsADirectoryError(errno.EISDIR, "is a directory", text)
    fd = _open_root()
    real: list[str] = []
    followed = 0
    try:
        while True:
            name = pending.pop()
            if name == "..":
                parent = os.open("..", _FOLDER_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = parent
                if real:
                    real.pop()
                if not pending:
                    raise IsADirectoryError(errno.EISDIR, "is a directory", text)
                continue
            try:
                info = os.stat(name, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:
                if not pending:
                    return fd, real, name
                raise FileNotFoundError(
                    errno.ENOENT, "No such file or directory", "/" + "/".join([*real, name])
                ) from None
            if stat.S_ISLNK(info.st_mode):
                target = os.readlink(name, dir_fd=fd)
                folder_path = "/" + "/".join(real)
                link_path = "/" + "/".join([*real, name])
                refusal = _link_refusal(os.fstat(fd), info, link_path, target, folder_path)
                if refusal is not None:
                    raise UntrustedPathError(refusal)
                followed += 1
                if followed > MAX_LINKS:
                    raise OSError(errno.ELOOP, "Too many levels of symbolic links", text)
                if target.startswith("/"):
                    os.close(fd)
                    fd = _open_root()
                    real = []
                parts = [part for part in target.split("/") if part not in ("", ".")]
                if not parts and not pending:
                    # A link to "/" or ".": a folder, where a file was named.
                    raise IsADirectoryError(errno.EISDIR, "is a directory", link_path)
                pending.extend(reversed(parts))
                continue
            if not pending:
                return fd, real, name
            child = os.open(name, _FOLDER_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = child
            real.append(name)
    except BaseException:
        os.close(fd)
        raise


def open_parent(path: str | os.PathLike[str]) -> tuple[Folder, str]:
    """Open the folder that holds ``path`` and name the file in it, along trusted links only.

    A link at the end of ``path`` is followed too (when trusted): the name
    returned is the real file's, which need not exist yet.

    Raises:
        UntrustedPathError: a link on the way may have been planted by someone else.
        OSError: a folder on the way is missing or cannot be entered.
    """
    fd, real, name = _walk(path)
    return Folder(Path("/" + "/".join(real)), fd), name


def open_folder(path: str | os.PathLike[str]) -> Folder:
    """Open the folder ``path`` itself, along trusted links only.

    Raises:
        UntrustedPathError: a link on the way may have been planted by someone else.
        OSError: the folder is missing, is a file, or cannot be entered.
    """
    parent, name = open_parent(path)
    with parent:
        fd = os.open(name, _FOLDER_FLAGS, dir_fd=parent.fd)
    return Folder(parent.path / name, fd)


def trusted_real_path(path: str | os.PathLike[str]) -> Path:
    """``path`` with its links resolved, refusing a link someone else could have planted.

    Raises:
        UntrustedPathError: a link on the way may have been planted by someone else.
        OSError: a folder on the way is missing or cannot be entered.
    """
    folder, name = open_parent(path)
    with folder:
        return folder.path / name


def is_sticky_and_foreign(folder: Path, name: str) -> str | None:
    """The owner's name when ``name`` in the sticky ``folder`` belongs to someone else.

    In a folder with the sticky bit (``/tmp``) only a file's owner may replace
    it, so another user's save cannot work there, whatever the file's mode.
    """
    try:
        folder_info = os.stat(folder)
        file_info = os.stat(folder / name, follow_symlinks=False)
    except OSError:
        return None
    me = os.geteuid()
    if folder_info.st_mode & stat.S_ISVTX and me != 0 and file_info.st_uid != me:
        return owner_name(file_info.st_uid)
    return None
