"""`revdesk seed demo|bench`: fill a new database with the deterministic generated data.

The rows come from fixtures.generate (plain tuples in schema column order); this module is the only
place that writes them. The load runs in one transaction with the journal in memory and without fsync,
then the database is put back into WAL mode and analyzed. For the bench, blocks are generated in worker
processes while this process writes; a block depends only on (seed, now, its index), so the result is
the same as generating them here.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.pool
import os
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Literal

from revdesk.core.common.errors import InvalidInput
from revdesk.core.common.when import to_stored
from revdesk.core.playbook.check import parse_playbook
from revdesk.core.playbook.model import playbook_to_json
from revdesk.db.accounts.facts import refresh_account_facts, set_currency_rates, suspend_fact_triggers
from revdesk.db.calls.activity_days import rebuild_activity_days
from revdesk.db.common.changes import append_change
from revdesk.db.common.connection import connect, migrate
from revdesk.db.common.effects import drop_triggers, install_triggers
from revdesk.fixtures import DEFAULT_PLAYBOOK
from revdesk.fixtures.generate.dataset import COLUMNS, TABLES, Block, Dataset

Progress = Callable[[str, int, int], None]
_CHUNK = 50_000
_dataset: Dataset | None = None  # the dataset worker processes generate blocks of (inherited by fork)


def seed_database(path: Path, kind: Literal["demo", "bench"], seed: int, now: datetime,
                  progress: Progress | None = None) -> dict[str, int]:
    """Create the `kind` dataset for (seed, now) in the new database at `path`; row counts per table.

    Refuses a database that already has data. All of it is written, or (on an error) none of it.
    """
    if kind not in ("demo", "bench"):
        raise InvalidInput("kind", f"{kind!r} is not a dataset; use demo or bench")
    if now.tzinfo is None:
        raise InvalidInput("now", "must be timezone-aware")
    report = progress or (lambda label, done, total: None)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = connect(path)
    try:
        migrate(conn)
        _refuse_if_used(conn, path)
    finally:
        conn.close()

    report("Planning", 0, 1)
    source = DEFAULT_PLAYBOOK.read_text(encoding="utf-8")
    playbook = parse_playbook(source, str(DEFAULT_PLAYBOOK.name))
    dataset = Dataset(kind, seed, now, playbook)
    report("Planning", 1, 1)

    pool = _start_workers(dataset)  # before opening the connection: no connection crosses a fork
    conn = connect(path)
    try:
        _refuse_if_used(conn, path)
        conn.execute("PRAGMA journal_mode = MEMORY")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")
        conn.execute("PRAGMA temp_store = MEMORY")
        counts = {table: 0 for table in ("users", *TABLES[1:], "playbooks", "changes")}
        conn.execute("PRAGMA foreign_keys = OFF")  # checked once for the whole load below
        conn.execute("BEGIN IMMEDIATE")
        try:
            drop_triggers(conn)  # millions of rows: the seed's one change record summarises them (counts)
            _insert(conn, "users", COLUMNS["users"], dataset.user_rows(), counts)
            conn.execute(
                "INSERT INTO playbooks (name, source, data, applied_at, applied_by) VALUES (?, ?, ?, ?, NULL)",
                (playbook.name, source, json.dumps(playbook_to_json(playbook)), to_stored(now)))
            counts["playbooks"] = 1
            done, total = 0, len(dataset.plan)
            report("Writing", done, total)
            blocks = pool.imap(_make_block, range(dataset.n_blocks)) if pool else dataset.blocks()
            indexes = _drop_indexes(conn)
            triggers = suspend_fact_triggers(conn)
            for block in blocks:
                _write_block(conn, block, counts)
                done += block.accounts
                report("Writing", done, total)
            report("Indexing", 0, len(indexes) + 1)
            for i, sql in enumerate(indexes, start=1):
                conn.execute(sql)
                report("Indexing", i, len(indexes) + 1)
            for sql in triggers:
                conn.execute(sql)
            if not set_currency_rates(conn, playbook.currency):  # it recomputes the facts when it writes
                refresh_account_facts(conn)
            from revdesk.db.seeding.sequences import seed_sequences

            for table, added in seed_sequences(conn, kind, seed, now).items():  # steps done leave activities
                counts[table] = counts.get(table, 0) + added
            rebuild_activity_days(conn)
            broken = conn.execute("PRAGMA foreign_key_check").fetchmany(5)
            if broken:
                raise RuntimeError(f"generated rows break foreign keys: {[tuple(r) for r in broken]}")
            report("Indexing", len(indexes) + 1, len(indexes) + 1)
            payload = {"kind": kind, "seed": seed, "now": to_stored(now),
                       "counts": {k: v for k, v in counts.items() if k != "changes"}}
            install_triggers(conn)  # every later write is captured row by row
            append_change(conn, at=now, user_id=None, command="seed", entity="database", entity_id=None,
                          payload=payload, arguments={"kind": kind, "seed": seed, "now": to_stored(now)})
            counts["changes"] = 1
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        report("Analyzing", 0, 1)
        conn.execute("ANALYZE")
        conn.execute("PRAGMA optimize")
        report("Analyzing", 1, 1)
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
            _forget_dataset()
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.close()
    return counts


def _refuse_if_used(conn: sqlite3.Connection, path: Path) -> None:
    for table in ("users", "accounts", "contacts"):
        if conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
            raise InvalidInput("db", f"{path} already has data; use a new file")


def _drop_indexes(conn: sqlite3.Connection) -> list[str]:
    """Drop the secondary indexes of the generated tables (a bulk load is faster without them);
    returns their CREATE statements, to be run again unchanged once the rows are in."""
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN "
        f"({', '.join('?' * (len(TABLES) - 1))}) ORDER BY name", TABLES[1:]).fetchall()
    for name, _ in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in rows]


def _insert(conn: sqlite3.Connection, table: str, columns: tuple[str, ...], rows: list[tuple],
            counts: dict[str, int]) -> None:
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    for start in range(0, len(rows), _CHUNK):
        conn.executemany(sql, rows[start:start + _CHUNK])
    counts[table] += len(rows)


def _write_block(conn: sqlite3.Connection, block: Block, counts: dict[str, int]) -> None:
    first_activity = counts["activities"] + 1  # activities are numbered in insertion order from 1
    for table in TABLES[1:]:
        if table == "tasks":
            _insert(conn, "tasks", COLUMNS["tasks"], block.task_rows(first_activity), counts)
        else:
            _insert(conn, table, COLUMNS[table], block.rows.get(table, []), counts)
    last = conn.execute("SELECT max(id) FROM activities").fetchone()[0] or 0
    if last != counts["activities"]:
        raise RuntimeError("activity ids are not contiguous; was the database empty?")


def _forget_dataset() -> None:
    global _dataset
    _dataset = None


def _make_block(index: int) -> Block:
    assert _dataset is not None
    return _dataset.block(index)


def _start_workers(dataset: Dataset) -> multiprocessing.pool.Pool | None:
    """Worker processes that generate blocks while this one writes (bench only; needs fork)."""
    global _dataset
    if dataset.n_blocks < 4 or (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    _dataset = dataset  # stays set while the pool lives (a replaced worker forks again)
    return multiprocessing.get_context("fork").Pool(1)
