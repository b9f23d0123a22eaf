"""What a failure of the database file itself means to the person who ran the command: another process holds the
write lock (an import, a second revdesk), the file is damaged, the disk is full or the file read-only. Anything else
a database call raises is a defect, and is left to surface as one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

_MEANINGS = {
    "SQLITE_BUSY": "another revdesk process (an import, a second revdesk) is writing to {path}; nothing was written:"
                   " try again when it is done",
    "SQLITE_LOCKED": "another revdesk process (an import, a second revdesk) is writing to {path}; nothing was"
                     " written: try again when it is done",
    "SQLITE_CORRUPT": "{path} is damaged ({error}); nothing was written: restore it from a backup",
    "SQLITE_NOTADB": "{path} is not a revdesk database ({error}); nothing was written",
    "SQLITE_FULL": "the disk holding {path} is full; nothing was written",
    "SQLITE_READONLY": "{path} cannot be written to (read-only); nothing was written",
    "SQLITE_IOERR": "{path} could not be read or written ({error}); nothing was written",
    "SQLITE_CANTOPEN": "{path} cannot be opened ({error})",
}


def lock_held(path: str | Path, holder: str | None, waited: float) -> str:
    """The sentence for giving up on another process's write lock: what holds it, as that revdesk said in its note
    ("another revdesk is writing: import in progress"), else the usual suspects; how long this one waited."""
    if holder is None:
        said = _MEANINGS["SQLITE_BUSY"].format(path=path, error="")
        return said if waited < 1 else said.replace("; nothing was written", f"; waited {waited:.0f} s, nothing was"
                                                                               " written")
    waited_for = f"waited {waited:.0f} s, " if waited >= 1 else ""
    return f"{holder} ({path}); {waited_for}nothing was written: try again when it is done"


def database_failure(exc: BaseException, path: str | Path) -> str | None:
    """The sentence for a failure of the database file (`exc` raised by sqlite3), else None."""
    if not isinstance(exc, sqlite3.DatabaseError) or isinstance(exc, sqlite3.IntegrityError | sqlite3.ProgrammingError
                                                                    | sqlite3.InterfaceError):
        return None
    name = getattr(exc, "sqlite_errorname", None) or ""
    for code, meaning in _MEANINGS.items():
        if name == code or name.startswith(code + "_"):
            return meaning.format(path=path, error=exc)
    if "locked" in str(exc):  # raised by the sqlite3 module itself, without an error code
        return _MEANINGS["SQLITE_BUSY"].format(path=path, error=exc)
    return None
