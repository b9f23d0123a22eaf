"""Rebuilding nested dataclasses from plain data (JSON) that was validated when it was stored.

Start-up stays cheap this way: reading the playbook in force needs no validation library.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache


@cache
def _hints(cls: type) -> dict[str, object]:
    return typing.get_type_hints(cls)


def from_plain(cls: type, data: object) -> object:
    """Build `cls` (a dataclass, list, optional or plain type) from `data`."""
    origin = typing.get_origin(cls)
    if dataclasses.is_dataclass(cls) and isinstance(data, dict):
        hints = _hints(cls)
        names = {f.name for f in dataclasses.fields(cls) if f.init}
        return cls(**{k: from_plain(hints[k], v) for k, v in data.items() if k in names})
    if origin is list and isinstance(data, list):
        (item,) = typing.get_args(cls)
        return [from_plain(item, v) for v in data]
    if origin in (typing.Union, types.UnionType):
        if data is None:
            return None
        options = [a for a in typing.get_args(cls) if a is not type(None)]
        return from_plain(options[0], data) if len(options) == 1 else data
    return data


def rebuild_stored(cls: type, data: object, origin: str, way_out: str) -> object:
    """`from_plain`, for a playbook or sequence stored by an older revdesk: one that a check added since refuses is
    refused as a PlaybookError naming its problems (checked with pydantic only then) and `way_out`."""
    try:
        return from_plain(cls, data)
    except ValueError:
        from revdesk.core.common.errors import PlaybookError
        from revdesk.core.common.validation import stored_problems

        problems = stored_problems(cls, data, origin) or [f"{origin} is refused"]
        raise PlaybookError([*problems, way_out]) from None
