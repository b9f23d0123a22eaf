"""The pipeline screen on the bench-scale dataset, each figure against a floor measured in the same run.

    python tests/bench/pipeline_bench.py [--db PATH] [--runs N]

For an SDR, an AE and a founder (each opens on their default scope: mine, mine, everyone):
(a) `p` on Today → the pipeline screen mounted and handling its first key (`l` moves to the next lane), against
    opening an empty screen (header and footer) and handling a key, in the same app; also `p` → lanes filled
    and drawn (the worker's query included);
(b) the worker's query for each scope, median of several runs, against a trivial indexed query.
Target: interactive within 100 ms of opening.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.run_bench import COLUMNS, ROWS, median_ms  # noqa: E402

TARGET_MS = 100


def _empty_screen():
    from textual.screen import Screen
    from textual.widgets import Footer, Header

    class Empty(Screen):
        BINDINGS = [("l", "hit", "Hit"), ("escape", "app.pop_screen", "Back")]
        hit = False

        def compose(self):
            yield Header()
            yield Footer()

        def action_hit(self) -> None:
            self.hit = True

    return Empty


async def _until(check, timeout: float = 10.0) -> None:
    deadline = time.perf_counter() + timeout
    while not check():
        if time.perf_counter() > deadline:
            raise TimeoutError("the screen did not get there in time")
        await asyncio.sleep(0.0002)


async def _open_times(path: Path, handle: str, runs: int) -> dict[str, list[float]]:
    """Seconds from a key reaching the app until the new screen handled its first key, per run."""
    from textual import events

    from revdesk.db.common.connection import Store
    from revdesk.tui.app import build_app
    from revdesk.tui.pipeline.board import PipelineScreen

    empty = _empty_screen()
    app = build_app(Store(path), handle)
    app.action_bench_empty = lambda: app.push_screen(empty())  # the floor: an empty screen, same app, same key path
    times: dict[str, list[float]] = {"floor": [], "pipeline": [], "filled": []}

    def send(key: str) -> None:
        app._driver.send_message(events.Key(key, key if len(key) == 1 else None))

    async with app.run_test(size=(COLUMNS, ROWS)) as pilot:
        app._bindings.bind("f12", "bench_empty", show=False)
        await app.workers.wait_for_complete()
        await pilot.pause()
        for _ in range(runs):
            start = time.perf_counter()
            send("f12")
            await _until(lambda: isinstance(app.screen, empty))
            screen = app.screen
            send("l")
            await _until(lambda s=screen: s.hit)
            times["floor"].append(time.perf_counter() - start)
            send("escape")
            await pilot.pause()

            start = time.perf_counter()
            send("p")
            await _until(lambda: isinstance(app.screen, PipelineScreen))
            screen = app.screen
            send("l")
            await _until(lambda s=screen: s.board.index == 1)
            times["pipeline"].append(time.perf_counter() - start)
            await _until(lambda s=screen: s.loaded)
            drawn = asyncio.Event()
            screen.call_after_refresh(drawn.set)
            await drawn.wait()
            times["filled"].append(time.perf_counter() - start)
            await app.workers.wait_for_complete()
            send("escape")
            await pilot.pause()
            await pilot.pause()
    return times


def bench_open(path: Path, users: list, runs: int) -> None:
    for user in users:
        times = asyncio.run(_open_times(path, user.handle, runs))
        floor, opened, filled = (median_ms(times[k]) for k in ("floor", "pipeline", "filled"))
        verdict = "ok" if opened <= TARGET_MS else "OVER"
        print(f"pipeline open as {user.role} {user.handle}: p → first key handled median {opened:.0f} ms "
              f"(first run {times['pipeline'][0] * 1000:.0f} ms, max {max(times['pipeline']) * 1000:.0f} ms; "
              f"must be ≤ {TARGET_MS} ms: {verdict}); empty-screen floor {floor:.0f} ms; ratio {opened / floor:.1f}; "
              f"lanes filled and drawn {filled:.0f} ms")


def bench_query(path: Path, users: list, runs: int) -> None:
    from revdesk.core.pipeline.lanes import SCOPES
    from revdesk.db.common.connection import Store
    from revdesk.db.pipeline.lanes import pipeline
    from revdesk.db.workbench import Workbench

    store = Store(path)
    floor = []
    for user in users:
        bench = Workbench(store, user)
        figures = []
        for scope in SCOPES:
            pipeline(store.conn, bench.playbook, scope, user, bench.now())  # warm the page cache
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                store.conn.execute("SELECT id, handle FROM users WHERE id = ?", (user.id,)).fetchall()
                floor.append(time.perf_counter() - start)
                start = time.perf_counter()
                lanes = pipeline(store.conn, bench.playbook, scope, user, bench.now())
                times.append(time.perf_counter() - start)
            cards = sum(len(lane.cards) for lane in lanes)
            figures.append(f"{scope} {median_ms(times):.1f} ms ({cards} cards)")
        print(f"pipeline query as {user.role} {user.handle}: " + ", ".join(figures))
    print(f"pipeline query floor (trivial indexed query): {statistics.median(floor) * 1000:.3f} ms; "
          "aim: well under 300 ms for everyone")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=str(ROOT / "bench.db"))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    path = Path(args.db)
    if not path.exists():
        raise SystemExit(f"{path} does not exist: build it with tests/bench/run_bench.py --db {path}")
    from revdesk.db.common.connection import Store
    from revdesk.db.common.users import first_user_with_role

    store = Store(path)
    users = [first_user_with_role(store.conn, role) for role in ("sdr", "ae", "founder")]
    store.close()
    users = [u for u in users if u is not None]
    bench_query(path, users, args.runs)
    bench_open(path, users, args.runs)


if __name__ == "__main__":
    main()
