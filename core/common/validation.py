"""Validating TOML (a playbook, a sequence, an import mapping) and stored data with pydantic: every problem names
its key, and for TOML its line."""

from __future__ import annotations

import re
import tomllib
from typing import TYPE_CHECKING, TypeVar

from revdesk.core.common.errors import PlaybookError
from revdesk.core.common.toml_lines import line_of

if TYPE_CHECKING:
    from pydantic import ValidationError

T = TypeVar("T")


def _path(key: str) -> tuple[str | int, ...]:
    """'outcomes[5].letter' -> ('outcomes', 5, 'letter')."""
    return tuple(int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", key))


def validate_toml(cls: type[T], source: str, origin: str) -> T:
    """Parse TOML and validate it as `cls` (a checked dataclass); raise PlaybookError naming each bad key
    and its line: "FILE:LINE: key.path: reason". The playbook and sequence files both go through here."""
    from pydantic import TypeAdapter, ValidationError

    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise PlaybookError([f"{origin}: not valid TOML: {exc}"]) from exc
    try:
        return TypeAdapter(cls).validate_python(data)
    except ValidationError as exc:
        raise PlaybookError(_problems(exc, origin, source)) from exc


def stored_problems(cls: type, data: object, origin: str) -> list[str]:
    """What is wrong with stored, once valid data by today's checks ("ORIGIN: key.path: reason"), for a
    playbook or sequence applied by an older revdesk that a check added since refuses."""
    from pydantic import TypeAdapter, ValidationError

    try:
        TypeAdapter(cls).validate_python(data)
    except ValidationError as exc:
        return _problems(exc, origin, None)
    return []


def _problems(exc: ValidationError, origin: str, source: str | None) -> list[str]:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "value_error" and ": " in message:
            key, message = message.split(": ", 1)
            loc = (*loc, *_path(key))
        if error["type"] == "unexpected_keyword_argument":
            message = "is not a known key"
        name = ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in loc).replace(".[", "[")
        line = line_of(source, loc) if source is not None else None
        where = f"{origin}:{line}" if line else origin
        problems.append(f"{where}: {name or '(top level)'}: {message}")
    return problems
