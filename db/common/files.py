"""The files a database lives in, kept private: CRM data is readable by its owner alone, whatever the umask.

A new database file is created 0600 before SQLite opens it (SQLite gives its -wal, -shm and -journal files the
mode of the database file); an existing one, and its -wal/-shm, lose any group or other bits when opened.
Directories revdesk creates are 0700. A database built whole (a first import, a seed) is written beside its
name and renamed onto it only when complete, so a failed or killed build leaves nothing under that name.
"""

from __future__ import annotations

import os
import stat
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from revdesk.core.common.errors import InvalidInput

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
SIDE_FILES = ("-wal", "-shm", "-journal")


def private_dir(path: Path) -> Path:
    """Create `path` and any missing parents 0700 (an existing directory is left as it is); `path`."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:  # made meanwhile by another process
            continue
        os.chmod(folder, PRIVATE_DIR)  # mkdir's mode is masked by the umask; this one is not
    return path


def private_file(path: Path) -> None:
    """Create an empty file 0600 if there is none, so that SQLite's own files inherit that mode."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)


@contextmanager
def open_private(path: Path, option: str) -> Iterator[TextIO]:
    """`path` opened for writing text (UTF-8, no newline translation), created or tightened to 0600 whatever the
    umask: exports and rejects hold CRM data. A file that cannot be written is refused naming `option`."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InvalidInput(option, f"cannot write {os.fsdecode(path)!r}: {reason}") from None
    os.fchmod(fd, PRIVATE_FILE)
    with open(fd, "w", encoding="utf-8", newline="", errors="surrogateescape") as out:
        yield out


def tighten(path: Path) -> None:
    """Take group and other permissions off a database file and its side files (those this user owns)."""
    for name in (str(path), *(f"{path}{suffix}" for suffix in SIDE_FILES)):
        try:
            mode = stat.S_IMODE(os.stat(name).st_mode)
            if mode & 0o077:
                os.chmod(name, mode & 0o700)
        except OSError:  # gone meanwhile, or someone else's file: nothing to tighten here
            continue


def remove_database(path: Path) -> None:
    """Delete a database file and its side files."""
    for suffix in ("", *SIDE_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def partial_path(path: Path) -> Path:
    """Where a database meant for `path` is built: a hidden file beside it."""
    return path.with_name(f".{path.name}.partial")


class NewDatabase:
    """A database for `target`, built at `partial_path(target)`: `keep()` renames it onto `target`; dropped or
    at exit without keep(), it is removed, so a failed first write leaves no file (a kill -9 leaves only the
    hidden partial file, which the next build removes)."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.partial = partial_path(target)
        remove_database(self.partial)
        self._discard = weakref.finalize(self, remove_database, self.partial)

    def keep(self) -> None:
        """Move the finished database (its connections closed) onto its name."""
        if any(Path(f"{self.partial}{suffix}").exists() for suffix in SIDE_FILES):
            raise RuntimeError(f"{self.partial} still has an open connection")  # closing removes them
        os.replace(self.partial, self.target)
        self._discard.detach()
        remove_database(self.partial)
