"""Dormant accounts on the bench-scale dataset, each figure against a floor measured in the same run.

    python tests/bench/dormant_bench.py [--db PATH] [--runs N]

(a) the dormant list for everyone, the unowned and the owner with the most, median of several runs, against a
    trivial indexed query; target 50 ms for the list (read from the facts accounts keep, never from activities);
(b) the count against a direct SQL count of the definition over deals and activities (must agree; the direct
    count's time shows what maintaining the facts saves);
(c) Today's queue for that owner: the first of the day (which picks the day's dormant accounts) and after.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.run_bench import median_ms  # noqa: E402
from tests.dormant_factories import DIRECT_DORMANT_COUNT  # noqa: E402

TARGET_MS = 50


def _timed(fn, runs: int) -> tuple[list[float], object]:
    result, times = None, []
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=str(ROOT / "bench.db"))
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    path = Path(args.db)
    if not path.exists():
        raise SystemExit(f"{path} does not exist: build it with tests/bench/run_bench.py --db {path}")
    from revdesk.core.common.when import to_stored
    from revdesk.db.common.connection import Store
    from revdesk.db.common.users import user_by_id
    from revdesk.db.dormancy.queries import dormant_accounts, dormant_count
    from revdesk.db.playbook.stored import current_playbook
    from revdesk.db.workbench import Workbench, system_clock

    store = Store(path)
    conn, playbook, now = store.conn, current_playbook(store.conn), system_clock()
    owner_id = conn.execute("SELECT owner_id FROM accounts a WHERE a.won_revenue > 0 AND a.open_deals = 0"
                            " AND owner_id IS NOT NULL GROUP BY owner_id ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
    owner = user_by_id(conn, owner_id)
    floor, _ = _timed(lambda: conn.execute("SELECT id, handle FROM users WHERE id = ?", (owner_id,)).fetchall(),
                      args.runs)
    floor_ms = median_ms(floor)
    print(f"floor (trivial indexed query): {floor_ms:.3f} ms")
    for label, scope in (("everyone", "all"), ("unowned", "unowned"), (f"{owner.handle} ({owner.role})", owner_id)):
        dormant_accounts(conn, playbook, now, scope)  # warm the page cache
        times, rows = _timed(lambda s=scope: dormant_accounts(conn, playbook, now, s), args.runs)
        counts, count = _timed(lambda s=scope: dormant_count(conn, playbook, now, s), args.runs)
        listed = median_ms(times)
        verdict = "ok" if listed <= TARGET_MS else "OVER"
        print(f"dormant list, {label}: {len(rows)} accounts in {listed:.1f} ms (max {max(times) * 1000:.1f} ms;"
              f" must be ≤ {TARGET_MS} ms: {verdict}; ratio to floor {listed / floor_ms:.0f}); count {count}"
              f" in {median_ms(counts):.2f} ms")
    cutoff = to_stored(now - timedelta(days=playbook.dormancy.days))
    start = time.perf_counter()
    direct = conn.execute(DIRECT_DORMANT_COUNT.format(owner=""), {"cutoff": cutoff}).fetchone()[0]
    direct_ms = (time.perf_counter() - start) * 1000
    mine = dormant_count(conn, playbook, now, "all")
    print(f"count check: facts {mine}, direct SQL over deals and activities {direct} "
          f"({'agree' if mine == direct else 'DISAGREE'}); the direct count takes {direct_ms:.0f} ms")

    bench = Workbench(store, owner)
    day = bench.today().isoformat()
    picked = conn.execute("SELECT 1 FROM dormant_days WHERE user_id = ? AND day = ?", (owner_id, day)).fetchone()
    start = time.perf_counter()
    items = bench.queue()
    first = (time.perf_counter() - start) * 1000
    times, _ = _timed(bench.queue, args.runs)
    dormant = sum(1 for i in items if i.kind == "dormant")
    when = "already picked today, so not the first" if picked else "picking the day's accounts"
    print(f"Today for {owner.handle}: {len(items)} items, {dormant} dormant (cap {playbook.dormancy.daily_cap});"
          f" first load {first:.1f} ms ({when}), then median {statistics.median(times) * 1000:.1f} ms")
    store.close()


if __name__ == "__main__":
    main()
