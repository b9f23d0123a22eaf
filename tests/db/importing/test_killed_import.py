"""An import killed part-way: its phone-check workers end with it without a word (no BrokenPipe tracebacks),
and a first import into a new file leaves no database under that name."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from revdesk.db.common.files import partial_path
from revdesk.db.importing.phones import PARALLEL_FROM

ROOT = Path(__file__).resolve().parents[3]
needs_a_pool = pytest.mark.skipif((os.cpu_count() or 1) < 2 or sys.platform != "linux",
                                  reason="the phone checks run in a pool only with two cores or more")

CHECKS_THEN_DIE = """
import os, signal
from revdesk.db.importing.phones import PhoneChecks
pairs = [(f"+4930{n:07d}", "DE") for n in range(60_000)]
checks = PhoneChecks(pairs)
assert checks._pool is not None
checks.verdict(pairs[10])
os.kill(os.getpid(), signal.SIGKILL)
"""


@needs_a_pool
def test_phone_workers_of_a_killed_import_end_quietly():
    done = subprocess.run([sys.executable, "-c", CHECKS_THEN_DIE], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)  # returns once every worker holding stderr has ended
    assert done.returncode == -signal.SIGKILL
    assert done.stderr == ""


def _children(pid: int) -> list[str]:
    """The processes started by any thread of `pid` (the import's phone checks start from the writer's thread)."""
    found: list[str] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += (task / "children").read_text().split()
        except OSError:
            continue
    return found


@needs_a_pool
def test_a_first_import_killed_while_checking_phones_leaves_nothing(tmp_path):
    rows = tmp_path / "contacts.csv"
    with rows.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["first_name", "last_name", "email", "phone", "country"])
        for n in range(PARALLEL_FROM * 3):
            writer.writerow([f"F{n}", f"L{n}", f"p{n}@example{n % 50}.com", f"+49 30 {1_000_000 + 7 * n}", "DE"])
    target = tmp_path / "team.db"
    env = {**os.environ, "REVDESK_DATA_DIR": str(tmp_path / "data"), "REVDESK_CONFIG_DIR": str(tmp_path / "config")}
    proc = subprocess.Popen([sys.executable, "-m", "revdesk.tui.cli", "--db", str(target), "import", str(rows),
                             "--json"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not _children(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the import ended before its phone checks started"
    os.kill(proc.pid, signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert not target.exists()
    # only the hidden file it was being built in, which the next first import removes
    left = {p.name for p in tmp_path.iterdir()} - {"contacts.csv"}
    assert all(name.startswith(partial_path(target).name) for name in left), left
