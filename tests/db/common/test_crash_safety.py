"""Killing revdesk in the middle of writing never leaves half an activity: each activity arrives together
with its change record, its status moves and its task changes, or not at all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from revdesk.db.common.connection import Store
from tests.factories import make_store

ROOT = Path(__file__).resolve().parents[3]
WRITER = """
import sys
from revdesk.db.common.connection import Store
from revdesk.db.workbench import Workbench
from tests.factories import fixed_clock
bench = Workbench.open(Store(sys.argv[1]), "maya", fixed_clock)
print("ready", flush=True)
n = 0
while True:
    bench.log_call(1 + n % 5, ["voicemail", "no_answer", "connected"][n % 3], note="x" * 2000)
    n += 1
"""


def test_kill_during_writes_leaves_whole_records(tmp_path):
    path = tmp_path / "crash.db"
    make_store(path).close()
    for attempt in range(3):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=ROOT, stdout=subprocess.PIPE,
                                text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.3 + 0.1 * attempt)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    store = Store(path)
    conn = store.conn
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    activities = {r[0] for r in conn.execute("SELECT id FROM activities")}
    logged = {json.loads(r[0])["activity_id"] for r in conn.execute(
        "SELECT payload FROM changes WHERE command = 'log_activity'")}
    assert len(activities) > 10, "the writer should have logged a good number of calls"
    assert activities == logged
    follow_ups = conn.execute("SELECT COUNT(*) FROM tasks WHERE source_activity_id IS NOT NULL").fetchone()[0]
    expected = conn.execute(
        "SELECT COUNT(*) FROM activities WHERE outcome IN ('voicemail', 'no_answer')").fetchone()[0]
    assert follow_ups == expected
