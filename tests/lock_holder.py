"""A real second process holding a database's write lock (BEGIN IMMEDIATE), as an import or a second revdesk
would, optionally leaving the note that says what it is doing (db.common.writer.doing).

    with held_lock(db, seconds=3, doing="import in progress") as holder: ...   # released after 3 s, or on exit
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_SCRIPT = """
import sqlite3, sys, select
from contextlib import nullcontext
from revdesk.db.common.writer import doing
db, seconds, what = sys.argv[1], float(sys.argv[2]), sys.argv[3]
conn = sqlite3.connect(db, isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
with doing(db, what) if what else nullcontext():
    print("held", flush=True)  # BEGIN IMMEDIATE took the write lock; nothing is written
    select.select([sys.stdin], [], [], seconds)  # until the time is up, or the test says "release"
    conn.execute("ROLLBACK")
print("released", flush=True)
"""


class Holder:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    def release(self) -> None:
        """Let go of the lock now, and wait until it is let go."""
        if self.process.poll() is None:
            try:
                self.process.stdin.write("release\n")  # type: ignore[union-attr]
                self.process.stdin.flush()  # type: ignore[union-attr]
            except BrokenPipeError:
                pass
            self.process.wait(timeout=30)

    @property
    def released(self) -> bool:
        return self.process.poll() is not None


@contextmanager
def held_lock(db: Path, seconds: float, doing: str = "") -> Iterator[Holder]:
    process = subprocess.Popen([sys.executable, "-c", _SCRIPT, str(db), str(seconds), doing], text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    started = time.monotonic()
    line = process.stdout.readline()  # type: ignore[union-attr]
    assert line.strip() == "held", f"the lock holder did not start ({line!r})"
    holder = Holder(process)
    try:
        yield holder
    finally:
        holder.release()
        assert time.monotonic() - started < seconds + 60
