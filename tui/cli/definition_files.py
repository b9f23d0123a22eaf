"""Reading a playbook or sequence file named on the command line, and naming it in what is printed.

Whatever the path (missing, a directory, too long, not readable, not UTF-8), the answer is one line naming the
file and, for text that is not UTF-8, the line and byte: never a traceback. Nothing here touches a database.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from revdesk.core.common.errors import InvalidInput

MAX_BYTES = 5_000_000  # a playbook or sequence is a few kilobytes; anything this big is the wrong file
_SHOWN_LENGTH = 120


def shown(path: str | os.PathLike[str]) -> str:
    """The path as it can be printed: bytes that are not UTF-8 (argv keeps them as surrogates) as \\xNN, and a
    path too long to read in one line shortened in the middle."""
    text = os.fspath(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if len(text) > _SHOWN_LENGTH:
        text = f"{text[:60]}…{text[-40:]} ({len(text)} characters)"
    return text


def _why(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "does not exist"
    if isinstance(exc, IsADirectoryError):
        return "is a directory; name a .toml file"
    if isinstance(exc, NotADirectoryError):
        return "does not exist (a part of its path is a file, not a folder)"
    if isinstance(exc, PermissionError):
        return "cannot be read: permission denied"
    if exc.errno == errno.ENAMETOOLONG:
        return "is not a path this system can open: the name is too long"
    return f"cannot be read: {exc.strerror or exc}"


def read_definition(path: str | os.PathLike[str]) -> str:
    """The text of a playbook or sequence file (UTF-8, a byte order mark allowed); InvalidInput naming the file
    (and the line and byte of text that is not UTF-8) when it can't be read."""
    where = shown(path)
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InvalidInput(where, _why(exc)) from None
    except ValueError as exc:  # a NUL in the path
        raise InvalidInput(where, f"is not a path this system can open ({exc})") from None
    if len(data) > MAX_BYTES:
        raise InvalidInput(where, f"is over {MAX_BYTES // 1_000_000} MB: a playbook or sequence file is a few KB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InvalidInput(f"{where}:{line}", f"is not UTF-8 text: byte 0x{data[exc.start]:02x} at byte {column} of"
                           f" the line (offset {exc.start} in the file); save the file as UTF-8") from None
