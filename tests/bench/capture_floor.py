"""The floor for what recording each write's row effects costs: a copy of a database with the capture switched
off (its triggers dropped), to run the same writes on beside the database as it is."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path


def copy_without_capture(source: Path, target: Path) -> Path:
    """`source` copied to `target`, whose writes are not captured; `target`."""
    from revdesk.db.common.effects import drop_triggers

    shutil.copy(source, target)
    conn = sqlite3.connect(target)
    drop_triggers(conn)
    conn.commit()
    conn.close()
    return target
