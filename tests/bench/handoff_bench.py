"""Handoffs, stage moves, the AE's queue and rescoring on the bench-scale dataset, each against a floor
measured in the same run.

    python tests/bench/handoff_bench.py [--db PATH] [--runs N]

Works on a copy of the database (nothing is written to PATH):
(a) the AE's Today queue (handoffs awaiting a decision, stale deals) against a trivial indexed query;
(b) the handoff form's data, send, accept and a stage move for several leads: medians;
(c) a playbook whose qualification rules changed, which rescores every contact (once).
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

CONTEXT = {
    "pain": "Inbound leads wait a day for a first call",
    "impact": "They lose a fifth of demo requests each month",
    "trigger": "A new VP Sales wants speed to lead under 15 minutes",
    "budget": "40k EUR approved for the first quarter",
    "next_step": "Demo with the ops team on Tuesday at 10:00",
}


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f} ms"


def timed(fn, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def bench_ae_queue(store, runs: int) -> None:
    from revdesk.db.common.users import list_users
    from revdesk.db.workbench import Workbench

    floor, times, sizes = [], [], []
    for user in [u for u in list_users(store.conn) if u.role == "ae"]:
        bench = Workbench(store, user)
        bench.queue()
        for _ in range(runs):
            floor.append(timed(store.conn.execute("SELECT id FROM users WHERE id = ?", (user.id,)).fetchall)[0])
            seconds, items = timed(bench.queue)
            times.append(seconds)
        sizes.append(len(items))
    print(f"AE queue: median {ms(times)}, max {max(times) * 1000:.1f} ms ({min(sizes)}-{max(sizes)} items;"
          f" the queue's budget is 30 ms); trivial query floor {statistics.median(floor) * 1000:.3f} ms")


def bench_handoffs(store, count: int) -> None:
    from revdesk.db.common.users import list_users
    from revdesk.db.workbench import Workbench

    sdr = next(u for u in list_users(store.conn) if u.role == "sdr")
    maya = Workbench(store, sdr)
    leads = [r[0] for r in store.conn.execute(
        "SELECT c.id FROM contacts c WHERE c.owner_id = ? AND c.score >= 70 AND c.do_not_contact = 0"
        " AND c.lifecycle_stage IN ('lead', 'mql', 'sal') AND NOT EXISTS (SELECT 1 FROM handoffs h"
        " WHERE h.contact_id = c.id AND h.status = 'pending') LIMIT ?", (sdr.id, count))]
    drafts, sends, accepts, moves = [], [], [], []
    for contact_id in leads:
        seconds, draft = timed(maya.handoff_draft, "sdr_ae", contact_id=contact_id)
        drafts.append(seconds)
        approver = next((c.id for c in draft.contacts), contact_id)
        to = draft.suggested[0]
        seconds, sent = timed(maya.send_handoff, "sdr_ae", to.id, {**CONTEXT, "approver": str(approver)},
                              contact_id=contact_id)
        sends.append(seconds)
        ae = Workbench(store, to)
        seconds, accepted = timed(ae.accept_handoff, sent.handoff_id)
        accepts.append(seconds)
        moves.append(timed(ae.move_deal, accepted.deal_id, "demo", {})[0])
    print(f"handoffs ({len(leads)} leads): form data {ms(drafts)}, send {ms(sends)}, accept {ms(accepts)},"
          f" stage move {ms(moves)} (medians; the form loads in a worker, the writes after a key press)")


def bench_rescore(path: Path) -> None:
    from revdesk.db.common.connection import Store
    from revdesk.db.playbook.stored import apply_playbook
    from revdesk.db.workbench import system_clock
    from revdesk.fixtures import DEFAULT_PLAYBOOK

    store = Store(path)
    source = DEFAULT_PLAYBOOK.read_text(encoding="utf-8")
    same, _ = timed(apply_playbook, store.conn, source, "same.toml", system_clock())
    changed = source.replace("points = 25", "points = 30", 1)
    seconds, _ = timed(apply_playbook, store.conn, changed, "changed.toml", system_clock())
    contacts = store.conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0]
    print(f"playbook apply: same qualification {same * 1000:.0f} ms; changed qualification {seconds:.1f} s"
          f" (rescores {contacts:,} contacts, {contacts / seconds:,.0f} a second)")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, default=ROOT.parent / "bench.db")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    from revdesk.db.common.connection import Store

    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "bench.db"
        with sqlite3.connect(args.db) as source, sqlite3.connect(copy) as target:
            source.backup(target)  # a consistent copy, WAL included
        store = Store(copy)
        bench_ae_queue(store, args.runs)
        bench_handoffs(store, 15)
        store.close()
        bench_rescore(copy)


if __name__ == "__main__":
    main()
