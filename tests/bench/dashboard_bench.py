"""The KPI dashboard on the bench-scale dataset, each figure against a floor measured in the same run.

    python tests/bench/dashboard_bench.py [--db PATH] [--runs N]

(a) the dashboard's figures (the period's KPIs, the trend over recent periods, activity per lead stage) for an
    SDR, their team and everyone, per month and quarter, median of several runs; target: the team's month in
    200 ms or less, off the UI thread; floor: one trivial indexed query;
(b) `K` on Today → the dashboard screen filled and drawn for the SDR's team, against opening an empty screen.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.pipeline_bench import _empty_screen, _until  # noqa: E402
from tests.bench.run_bench import COLUMNS, ROWS, median_ms  # noqa: E402

TARGET_MS = 200


def bench_figures(path: Path, handle: str, runs: int) -> None:
    from revdesk.db.common.connection import Store
    from revdesk.db.workbench import Workbench

    store = Store(path)
    bench = Workbench.open(store, handle)
    floor = []
    for _ in range(runs):
        start = time.perf_counter()
        store.conn.execute("SELECT id, handle FROM users WHERE id = ?", (bench.user.id,)).fetchall()
        floor.append(time.perf_counter() - start)
    floor_ms = median_ms(floor)
    print(f"floor (trivial indexed query): {floor_ms:.3f} ms")
    for scope in ("me", "team", "everyone"):
        for period in ("month", "quarter"):
            bench.dashboard(scope, period)  # warm the page cache
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                board = bench.dashboard(scope, period)
                times.append(time.perf_counter() - start)
            took = median_ms(times)
            target = f"; must be ≤ {TARGET_MS} ms: {'ok' if took <= TARGET_MS else 'OVER'}" if (
                scope, period) == ("team", "month") else ""
            print(f"dashboard {scope} ({board.people} people) {period}: {took:.1f} ms (max {max(times) * 1000:.1f}"
                  f" ms; {board.report.metrics['calls'].actual:,.0f} calls{target})")
    store.close()


async def _open_times(path: Path, handle: str, runs: int) -> dict[str, list[float]]:
    from textual import events

    from revdesk.db.common.connection import Store
    from revdesk.tui.analytics.kpi_dashboard import DashboardScreen
    from revdesk.tui.app import build_app

    empty = _empty_screen()
    app = build_app(Store(path), handle)
    app.action_bench_empty = lambda: app.push_screen(empty())
    app.action_bench_dashboard = lambda: app.push_screen(DashboardScreen(scope="team"))  # what K opens, on the team
    times: dict[str, list[float]] = {"floor": [], "filled": []}

    def send(key: str) -> None:
        app._driver.send_message(events.Key(key, key if len(key) == 1 else None))

    async with app.run_test(size=(COLUMNS + 20, ROWS)) as pilot:
        app._bindings.bind("f12", "bench_empty", show=False)
        app._bindings.bind("f11", "bench_dashboard", show=False)
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
            send("f11")
            await _until(lambda: isinstance(app.screen, DashboardScreen))
            screen = app.screen
            await _until(lambda s=screen: s.loaded is not None)
            drawn = asyncio.Event()
            screen.call_after_refresh(drawn.set)
            await drawn.wait()
            times["filled"].append(time.perf_counter() - start)
            send("escape")
            await pilot.pause()
            await pilot.pause()
    return times


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
    sdr = first_user_with_role(store.conn, "sdr")
    store.close()
    assert sdr is not None
    bench_figures(path, sdr.handle, args.runs)
    times = asyncio.run(_open_times(path, sdr.handle, args.runs))
    floor, filled = median_ms(times["floor"]), median_ms(times["filled"])
    print(f"dashboard screen → the team's month filled and drawn: median {filled:.0f} ms"
          f" (max {max(times['filled']) * 1000:.0f} ms); empty-screen floor {floor:.0f} ms; ratio {filled / floor:.1f}")


if __name__ == "__main__":
    main()
