"""Benchmarks on the bench-scale dataset, each against a floor measured in the same run.

    python tests/bench/run_bench.py [--db PATH] [--runs N]

Builds the bench database first when PATH does not exist (timing `revdesk seed bench`), then measures:
start-up to an interactive Today screen vs a bare Textual app (both in a pseudo-terminal), the Today
queue for several SDRs vs a trivial indexed query, and outcome key → next item rendered in call mode
(Pilot) vs a key that only moves the table cursor; and what recording each write's row effects costs on the
outcome path (in the screen and through the workbench alone) against the same with the capture switched off.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import pty
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COLUMNS, ROWS = 130, 40  # a common terminal size
sys.path.insert(0, str(ROOT))


def in_pty(args: list[str], env: dict[str, str]) -> float:
    """Run a program on a pseudo-terminal; return wall seconds from launch until it reports itself ready
    (first screen drawn, keys accepted), read from the file it writes; teardown is not counted."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
    os.set_blocking(master, False)
    ready_file = Path(tempfile.mkstemp(prefix="revdesk-ready-")[1])
    env = {**env, "REVDESK_READY_FILE": str(ready_file)}
    start = time.time()
    proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT)
    os.close(slave)
    while proc.poll() is None:
        try:
            while os.read(master, 65536):
                pass
        except (BlockingIOError, OSError):
            pass
        time.sleep(0.002)
    os.close(master)
    if proc.returncode != 0:
        raise SystemExit(f"{args} exited with {proc.returncode}")
    ready = float(ready_file.read_text())
    ready_file.unlink()
    return ready - start


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def bench_seed(path: Path) -> float | None:
    if path.exists():
        print(f"seed: reusing {path} (delete it to time `revdesk seed bench`)")
        return None
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "revdesk.tui.cli", "--db", str(path), "seed", "bench"], cwd=ROOT, check=True)
    seconds = time.perf_counter() - start
    print(f"seed bench: {seconds:.1f} s (must be under 180 s)")
    return seconds


def bench_startup(path: Path, handle: str, runs: int) -> None:
    env = {**os.environ, "TERM": "xterm-256color"}
    bare, revdesk = [], []
    for _ in range(runs):
        bare.append(in_pty([sys.executable, str(ROOT / "tests/bench/bare_app.py")], env))
        revdesk.append(in_pty([sys.executable, "-m", "revdesk.tui.cli", "--db", str(path), "--as", handle],
                              {**env, "REVDESK_EXIT_WHEN_READY": "1"}))
    ratio = median_ms(revdesk) / median_ms(bare)
    print(f"start-up: bare Textual {median_ms(bare):.0f} ms, revdesk Today {median_ms(revdesk):.0f} ms "
          f"(medians of {runs}); ratio {ratio:.2f} (must be ≤ 1.5)")


def bench_queue(path: Path, runs: int) -> None:
    from revdesk.db.common.connection import Store
    from revdesk.db.common.users import list_users
    from revdesk.db.workbench import Workbench

    store = Store(path)
    sdrs = [u for u in list_users(store.conn) if u.role == "sdr"][:8]
    floor, times, sizes = [], [], []
    for user in sdrs:
        bench = Workbench(store, user)
        bench.queue()
        for _ in range(runs):
            start = time.perf_counter()
            store.conn.execute("SELECT id, handle FROM users WHERE id = ?", (user.id,)).fetchall()
            floor.append(time.perf_counter() - start)
            start = time.perf_counter()
            items = bench.queue()
            times.append(time.perf_counter() - start)
        sizes.append(len(items))
    print(f"today queue: median {median_ms(times):.1f} ms, max {max(times) * 1000:.1f} ms over {len(sdrs)} SDRs "
          f"({min(sizes)}-{max(sizes)} items; must be ≤ 30 ms); trivial query floor {median_ms(floor):.3f} ms")


async def _press_and_wait(app, key: str, changed) -> float:
    """Seconds from a key reaching the app until `changed()` holds and the screen has refreshed after it
    (Pilot's own press() waits for the process to go idle, which would be measured too)."""
    from textual import events

    start = time.perf_counter()
    app._driver.send_message(events.Key(key, key if len(key) == 1 else None))
    while not changed():
        await asyncio.sleep(0.0002)
    drawn = asyncio.Event()
    app.screen.call_after_refresh(drawn.set)
    await drawn.wait()
    return time.perf_counter() - start


async def _call_mode(path: Path, handle: str, presses: int) -> tuple[list[float], list[float]]:
    from revdesk.db.common.connection import Store
    from revdesk.tui.app import build_app
    from revdesk.tui.calls.call_mode import CallScreen

    app = build_app(Store(path), handle)
    outcome, cursor = [], []
    async with app.run_test(size=(COLUMNS, ROWS)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("DataTable")
        for n in range(presses if table.row_count > 1 else 0):
            before = table.cursor_row
            # Down and back up: the cursor always moves.
            cursor.append(await _press_and_wait(app, "j" if n % 2 == 0 else "k",
                                                lambda b=before: table.cursor_row != b))
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CallScreen)
        for n in range(presses):
            if screen.item is None:
                break
            current = screen.item.key
            outcome.append(await _press_and_wait(
                app, "3" if n % 2 else "2", lambda c=current: screen.item is None or screen.item.key != c))
            await pilot.pause()
    return outcome, cursor


def _copies(path: Path, scratch: str) -> tuple[Path, Path]:
    """Two copies of the bench database: as it is, and with the capture of row effects switched off (its triggers
    dropped), the floor that recording every write's effects is measured against."""
    import shutil

    from capture_floor import copy_without_capture

    captured = Path(scratch) / "bench.db"
    shutil.copy(path, captured)
    bare = copy_without_capture(path, Path(scratch) / "bench-uncaptured.db")
    os.sync()  # the copies' write-back must not land on the first commit measured
    return captured, bare


def bench_call_mode(path: Path, handle: str, presses: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        captured, bare = _copies(path, scratch)
        outcome, cursor = asyncio.run(_call_mode(captured, handle, presses))
        uncaptured, _ = asyncio.run(_call_mode(bare, handle, presses))
    print(f"call mode: outcome key → next item rendered median {median_ms(outcome):.1f} ms "
          f"(p90 {sorted(outcome)[int(len(outcome) * 0.9) - 1] * 1000:.1f} ms, {len(outcome)} outcomes; "
          f"must be ≤ 50 ms); cursor-move key floor {median_ms(cursor):.1f} ms; "
          f"ratio {median_ms(outcome) / median_ms(cursor):.1f}")
    print(f"call mode without recording effects: {median_ms(uncaptured):.1f} ms; with them"
          f" {median_ms(outcome) / median_ms(uncaptured):.2f}x (must be ≤ 1.15)")


def bench_outcome_write(path: Path, handle: str, outcomes: int) -> None:
    """Logging an outcome through the workbench (read, decide, apply with its change record and effects), with
    and without the effects recorded: the write path alone, without the screen."""
    from revdesk.db.common.connection import Store
    from revdesk.db.workbench import Workbench

    figures = []
    with tempfile.TemporaryDirectory() as scratch:
        for copy in _copies(path, scratch):
            store = Store(copy)
            bench = Workbench.open(store, handle)
            contacts = [r[0] for r in store.conn.execute(
                "SELECT id FROM contacts WHERE owner_id = ? AND do_not_contact = 0 ORDER BY id LIMIT ?",
                (bench.me.id, outcomes))]
            times = []
            for n, contact in enumerate(contacts):
                start = time.perf_counter()
                bench.log_call(contact, "voicemail" if n % 2 else "no_answer")
                times.append(time.perf_counter() - start)
            store.close()
            figures.append(times)
    kept, bare = median_ms(figures[0]), median_ms(figures[1])
    print(f"outcome write path: {kept:.2f} ms median with effects recorded, {bare:.2f} ms without (the floor);"
          f" ratio {kept / bare:.2f} (must be ≤ 1.15), {len(figures[0])} outcomes each")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=str(ROOT / "bench.db"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--as", dest="handle")
    args = parser.parse_args()
    path = Path(args.db)
    bench_seed(path)
    from revdesk.db.common.connection import Store
    from revdesk.db.common.users import first_user_with_role

    handle = args.handle or first_user_with_role(Store(path).conn, "sdr").handle
    bench_queue(path, args.runs)
    bench_startup(path, handle, args.runs)
    bench_call_mode(path, handle, 30)
    bench_outcome_write(path, handle, 200)


if __name__ == "__main__":
    main()
