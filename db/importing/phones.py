"""Phone numbers of a large import checked in parallel with the rest of it: phonenumbers takes some 30 µs a new
number, the most expensive check of a row. As soon as a file of contacts is read, its distinct (number, country)
pairs go to worker processes, while this process checks the rows and places each contact; the writer collects
the verdicts only when it needs them. Small files, imports run from a thread (the workbench's: forking is safe
only from the main thread), and numbers whose country comes from their account are checked in place.

A worker lives only for its import: it ignores Ctrl-C (the import stops them), ends with it when the import
process dies (even by kill -9), and dies silently if its result pipe is closed, rather than print tracebacks."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from revdesk.core.importing.values import ValueProblem, clean_text, parse_phone

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

    from revdesk.core.importing.rows import RowReader

PARALLEL_FROM = 5_000  # distinct numbers; below this a pool costs more than it saves
Checked = dict[tuple[str, str | None], tuple[bool, str | None]]


@lru_cache(maxsize=1024)
def country_code(text: str | None) -> str | None:
    """ISO alpha-2 for a country written as a code or a name ("United States", "DE", "Deutschland" if known)."""
    if not text:
        return None
    if len(text) == 2 and text.isalpha():
        return text.upper()
    import pycountry

    try:
        return pycountry.countries.lookup(text.strip()).alpha_2
    except LookupError:
        return None


def _quiet_worker(parent: int) -> None:
    """Pool initializer: a worker that leaves no traceback behind when its import is stopped or killed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the import ends its pool
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # a write to a pipe nobody reads ends the worker, silently
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        try:  # the kernel ends the worker when the import process dies
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it died before the line above took effect
        os._exit(0)


def check_phone(pair: tuple[str, str | None]) -> tuple[bool, str | None]:
    """(True, E.164 or None) or (False, why not) for a number as written and the country to assume."""
    try:
        return True, parse_phone(pair[0], pair[1], strict=False)
    except ValueProblem as exc:
        return False, exc.reason


class PhoneChecks:
    """Verdicts on a file's numbers, worked out in file order by a pool of processes from the moment it is made,
    and collected as the writer reaches them."""

    def __init__(self, pairs: Iterable[tuple[str, str | None]]) -> None:
        self.distinct = list(dict.fromkeys(p for p in pairs if p[0]))
        self._verdicts: Checked = {}
        self._pool: Pool | None = None
        self._stream: Iterator[tuple[bool, str | None]] | None = None
        self._coming: dict[tuple[str, str | None], int] = {}
        self._received = 0
        cores = os.cpu_count() or 1
        # Forking is safe only from the main thread: the workbench, importing in a worker thread, checks in place.
        if (len(self.distinct) < PARALLEL_FROM or cores < 2 or threading.current_thread() is not threading.main_thread()
                or "fork" not in multiprocessing.get_all_start_methods()):
            return
        # One core stays with this process, which goes on checking and placing the rows meanwhile.
        self._pool = multiprocessing.get_context("fork").Pool(min(cores - 1, 4), initializer=_quiet_worker,
                                                              initargs=(os.getpid(),))
        self._stream = self._pool.imap(check_phone, self.distinct, chunksize=1_000)
        self._coming = {pair: i for i, pair in enumerate(self.distinct)}

    def verdict(self, pair: tuple[str, str | None]) -> tuple[bool, str | None]:
        """(True, E.164 or None) or (False, why not); a pair not sent ahead is checked here."""
        found = self._verdicts.get(pair)
        if found is not None:
            return found
        if self._stream is not None and self._coming.get(pair, -1) >= self._received:
            for verdict in self._stream:  # in order, up to this one
                arrived = self.distinct[self._received]
                self._received += 1
                self._verdicts[arrived] = verdict
                if arrived == pair:
                    return verdict
        found = self._verdicts[pair] = check_phone(pair)
        return found

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool = None


def start_phone_checks(reader: RowReader, rows: list[list[str]]) -> PhoneChecks | None:
    """Start checking a contacts file's numbers, each in its row's country, before its rows are read."""
    phone, country = reader.index.get("phone"), reader.index.get("country")
    if phone is None:
        return None
    at, width = phone[0], country[0] if country else None
    default = reader.mapping.defaults.get("country")
    fixed = country_code(clean_text(default)) if default else None
    regions: dict[str, str | None] = {"": fixed}  # by the country as written

    def region(row: list[str]) -> str | None:
        text = row[width] if width is not None and width < len(row) else ""
        found = regions.get(text, False)
        if found is False:
            found = regions[text] = country_code(clean_text(text)) if text.strip() else fixed
        return found  # type: ignore[return-value]

    return PhoneChecks((clean_text(row[at]), region(row)) for row in rows if at < len(row) and row[at].strip())
