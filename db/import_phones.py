"""Phone numbers of a large import checked in parallel: phonenumbers takes some 30 µs a new number, the most
expensive check of a row, so a file of many thousands of contacts has its distinct numbers parsed by a pool of
processes (one per core) before its rows are written. Small files are parsed in place."""

from __future__ import annotations

import os
from collections.abc import Iterable

from core.import_values import ValueProblem, parse_phone

PARALLEL_FROM = 5_000  # distinct numbers; below this a pool costs more than it saves
Checked = dict[tuple[str, str | None], tuple[bool, str | None]]


def _check(pair: tuple[str, str | None]) -> tuple[bool, str | None]:
    try:
        return True, parse_phone(pair[0], pair[1], strict=False)
    except ValueProblem as exc:
        return False, exc.reason


def check_phones(pairs: Iterable[tuple[str, str | None]]) -> Checked:
    """(number as written, country) -> (True, E.164 or None) or (False, why not)."""
    distinct = list(dict.fromkeys(p for p in pairs if p[0].strip()))
    cores = os.cpu_count() or 1
    if len(distinct) < PARALLEL_FROM or cores < 2:
        return {pair: _check(pair) for pair in distinct}
    import multiprocessing

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with context.Pool(min(cores, 4)) as pool:
        results = pool.map(_check, distinct, chunksize=2_000)
    return dict(zip(distinct, results, strict=True))
