"""Sequences on the bench-scale dataset, each figure against a floor measured in the same run.

    python tests/bench/sequences_bench.py [--db PATH] [--runs N]

Works on copies of the database (nothing is written to PATH):
(a) the first tick over every active enrollment (steps due within a day become tasks), on a fresh copy each
    run, and a repeated tick (nothing left to do), against a full scan of the enrollments table;
(b) the Today queue of SDRs with sequence steps in it, against a trivial indexed query.
Targets: a tick over 50k active enrollments in 2 s or less; the queue within its 30 ms budget.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f} ms"


def copy_of(source: Path, folder: Path, name: str) -> Path:
    target = folder / name
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)  # a consistent copy, WAL included
    return target


def bench_tick(source: Path, folder: Path, runs: int) -> Path:
    from revdesk.db.common.connection import Store
    from revdesk.db.sequences.enrollments import tick
    from revdesk.db.workbench import system_clock

    first, again, floor, created, active = [], [], [], 0, 0
    path = folder / "unused"
    for n in range(runs):
        path = copy_of(source, folder, f"tick{n}.db")
        store = Store(path)
        conn = store.conn
        active = conn.execute("SELECT COUNT(*) FROM enrollments WHERE status = 'active'").fetchone()[0]
        start = time.perf_counter()
        conn.execute("SELECT COUNT(*), MAX(next_due_at) FROM enrollments").fetchone()
        floor.append(time.perf_counter() - start)
        start = time.perf_counter()
        created = tick(conn, system_clock())["steps_due"]
        first.append(time.perf_counter() - start)
        start = time.perf_counter()
        tick(conn, system_clock())
        again.append(time.perf_counter() - start)
        store.close()
        if n < runs - 1:
            path.unlink()
    ratio = statistics.median(first) / statistics.median(floor)
    print(f"tick over {active:,} active enrollments: first {ms(first)} ({created:,} steps came due; must be ≤ 2 s),"
          f" repeated {ms(again)}; full scan of enrollments {ms(floor)}; ratio {ratio:.1f}")
    return path


def bench_queue(path: Path, runs: int) -> None:
    from revdesk.db.common.connection import Store
    from revdesk.db.common.users import list_users
    from revdesk.db.workbench import Workbench

    store = Store(path)
    floor, times, steps = [], [], []
    for user in [u for u in list_users(store.conn) if u.role == "sdr"]:
        bench = Workbench(store, user)
        steps.append(sum(1 for i in bench.queue() if i.kind == "step"))
        for _ in range(runs):
            start = time.perf_counter()
            store.conn.execute("SELECT id FROM users WHERE id = ?", (user.id,)).fetchall()
            floor.append(time.perf_counter() - start)
            start = time.perf_counter()
            bench.queue()
            times.append(time.perf_counter() - start)
    print(f"today queue with sequence steps: median {ms(times)}, max {max(times) * 1000:.1f} ms"
          f" ({min(steps)}-{max(steps)} step items per SDR; must be ≤ 30 ms); trivial query floor"
          f" {statistics.median(floor) * 1000:.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=ROOT.parent / "bench.db")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        ticked = bench_tick(args.db, Path(scratch), args.runs)
        bench_queue(ticked, 7)


if __name__ == "__main__":
    main()
