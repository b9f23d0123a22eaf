"""The founder's reports on the bench-scale dataset, each against a floor measured in the same run.

    python tests/bench/report_bench.py [--db PATH] [--runs N] [--month YYYY-MM]

(a) the parts, median of several runs: the funnel (month, quarter), deal figures (every grouping, time in stage,
    stagnation, forecast), the leak report (month, quarter); floor: one trivial indexed query;
(b) the whole monthly report, gathered and written as HTML and as Markdown: target 3 s or less;
(c) `revdesk report --format html` as a new process, against `revdesk --version` (the process floor).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.run_bench import median_ms  # noqa: E402

TARGET_S = 3.0
TZ = ZoneInfo("Europe/Berlin")


def _timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def bench_parts(path: Path, month: date, runs: int) -> None:
    from revdesk.core.analytics.metrics import period_bounds
    from revdesk.db.analytics.deals import all_deal_figures
    from revdesk.db.analytics.funnel import funnel_for
    from revdesk.db.analytics.leaks import leak_report
    from revdesk.db.common.connection import Store
    from revdesk.db.playbook.stored import current_playbook

    store = Store(path)
    conn, playbook, now = store.conn, current_playbook(store.conn), datetime.now(UTC)
    floor = median_ms(_timed(lambda: conn.execute("SELECT id FROM users WHERE id = 1").fetchall(), runs))
    print(f"floor (trivial indexed query): {floor:.3f} ms")
    for period in ("month", "quarter"):
        start, end = period_bounds(period, month, TZ)
        parts = {
            "funnel": lambda s=start, e=end: funnel_for(conn, s, e),
            "deal figures": lambda s=start, e=end: all_deal_figures(conn, playbook, s, e, now),
            "leak report": lambda p=period: leak_report(conn, playbook, p, month, now, TZ),
        }
        for name, fn in parts.items():
            fn()  # warm the page cache
            times = _timed(fn, runs)
            print(f"{name}, {period} of {month:%Y-%m}: {median_ms(times):.0f} ms (max {max(times) * 1000:.0f} ms)")
    store.close()


def bench_report(path: Path, month: date, runs: int) -> None:
    from revdesk.core.reporting.html import render_html
    from revdesk.core.reporting.markdown import render_markdown
    from revdesk.db.common.connection import Store
    from revdesk.db.reporting.monthly import monthly_report

    store = Store(path)
    now = datetime.now(UTC)
    for label, render in (("HTML", render_html), ("Markdown", render_markdown)):
        times = _timed(lambda r=render: r(monthly_report(store, month, TZ, now)), runs)
        took = median_ms(times) / 1000
        print(f"monthly report {month:%Y-%m} as {label}: {took:.2f} s (max {max(times):.2f} s; must be ≤ "
              f"{TARGET_S:.0f} s: {'ok' if took <= TARGET_S else 'OVER'})")
    store.close()


def bench_command(path: Path, month: date, runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.html"
        command = [sys.executable, "-m", "revdesk.tui.cli", "--db", str(path), "report", "--month", f"{month:%Y-%m}",
                   "--format", "html", "--out", str(out)]
        floor = _timed(lambda: subprocess.run([sys.executable, "-m", "revdesk.tui.cli", "--version"], cwd=ROOT,
                                              check=True, capture_output=True), runs)
        times = _timed(lambda: subprocess.run(command, cwd=ROOT, check=True, capture_output=True), max(runs // 2, 3))
        size = out.stat().st_size
    print(f"revdesk report --format html (a new process): {median_ms(times) / 1000:.2f} s, {size:,} bytes;"
          f" process floor (revdesk --version) {median_ms(floor) / 1000:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=str(ROOT / "bench.db"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--month", default=None, metavar="YYYY-MM", help="default: last month")
    args = parser.parse_args()
    path = Path(args.db)
    if not path.exists():
        raise SystemExit(f"{path} does not exist: build it with tests/bench/run_bench.py --db {path}")
    if args.month:
        year, number = (int(x) for x in args.month.split("-"))
        month = date(year, number, 1)
    else:
        month = (datetime.now(TZ).date().replace(day=1) - timedelta(days=1)).replace(day=1)
    bench_parts(path, month, args.runs)
    bench_report(path, month, args.runs)
    bench_command(path, month, args.runs)


if __name__ == "__main__":
    main()
