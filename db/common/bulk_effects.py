"""Rows inserted in bulk (an import's thousands of contacts) recorded as a few effects of many rows each.

One capture trigger firing per row costs an import more than half again its time; inside `bulk_inserts` the
insert triggers are set aside and, once the block's change record exists, the rows the block added to each table
(every rowid above the table's largest at the start) are written as `insert_rows` effects of up to `CHUNK` rows,
their values as they stand at the end. Updates and deletes inside the block are still captured row by row; an
update of a row the block added is then harmless (replayed before its row exists, it changes nothing, and the
row arrives as it ended), but deleting one would be taken back wrongly, so the block refuses it. Tables without
rowids keep their per-row triggers.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from revdesk.db.common.effects import _PREFIX, _columns, _quote, captured_tables, trigger_sql

CHUNK = 1_000  # rows per effect: small enough to read back whole, few enough to cost little


class BulkInserts:
    """Where each captured table stood when the block began; `record(change_id)` writes the block's rows."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        rowid_tables = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE '%WITHOUT ROWID%'")}
        self.tables = [t for t in captured_tables(conn) if t in rowid_tables]
        self.marks = {t: conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {_quote(t)}").fetchone()[0]
                      for t in self.tables}
        self.seq = conn.execute("SELECT coalesce(max(seq), 0) FROM change_effects").fetchone()[0]
        self.recorded = False

    def set_aside(self) -> None:
        for table in self.tables:
            self.conn.execute(f"DROP TRIGGER IF EXISTS {_quote(_PREFIX + table + '_insert')}")

    def restore(self) -> None:
        for table in self.tables:
            insert = trigger_sql(self.conn, table)[0]
            self.conn.execute(insert.replace("CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS ", 1))

    def record(self, change_id: int) -> None:
        """Write the rows the block inserted as effects of `change_id` (call it right after append_change)."""
        for table in self.tables:
            columns, key = _columns(self.conn, table)
            columns = ["rowid", *columns] if key == ["rowid"] else columns
            mark = self.marks[table]
            added = self.conn.execute(f"SELECT 1 FROM {_quote(table)} WHERE rowid > ? LIMIT 1", (mark,)).fetchone()
            if self._deleted_new_rows(table, key, mark, any_row=added is not None):
                raise RuntimeError(f"a bulk insert into {table} also deleted rows it added; capture those per row")
            if added is None:
                continue
            values = "json_array(" + ", ".join("r_" if c == "rowid" else _quote(c) for c in columns) + ")"
            picked = ", ".join(_quote(c) for c in columns if c != "rowid")
            self.conn.execute(
                f"INSERT INTO change_effects (change_id, tbl, op, key, old, new)"
                f" SELECT ?, ?, 'insert_rows', ?, NULL, json_object('columns', json(?), 'rows',"
                f" json_group_array({values})) FROM (SELECT rowid AS r_, {picked} FROM {_quote(table)}"
                f" WHERE rowid > ? ORDER BY rowid) GROUP BY (r_ - ?) / ? ORDER BY min(r_)",
                (change_id, table, json.dumps({"columns": key}), json.dumps(columns), mark, mark + 1, CHUNK))
        self.recorded = True


    def _deleted_new_rows(self, table: str, key: list[str], mark: int, any_row: bool) -> bool:
        """Whether the block deleted a row it had added; where the key is not the rowid, any row deleted from a
        table the block added rows to counts."""
        info = self.conn.execute(f"PRAGMA table_info({_quote(table)})").fetchall()
        alias = key == ["rowid"] or (len(key) == 1 and any(r[1] == key[0] and r[2].upper() == "INTEGER" for r in info))
        if not alias and not any_row:
            return False
        where = f" AND json_extract(key, '$.{key[0]}') > ?" if alias else ""
        return self.conn.execute(f"SELECT 1 FROM change_effects WHERE seq > ? AND op = 'delete' AND tbl = ?{where}"
                                 " LIMIT 1", (self.seq, table, *([mark] if alias else []))).fetchone() is not None


@contextmanager
def bulk_inserts(conn: sqlite3.Connection) -> Iterator[BulkInserts]:
    """Inside the caller's transaction: the block's inserts are recorded in bulk by `record(change_id)`, which the
    block must call once its change record is appended."""
    bulk = BulkInserts(conn)
    bulk.set_aside()
    try:
        yield bulk
    finally:
        bulk.restore()
    if not bulk.recorded:
        raise RuntimeError("a bulk insert block ended without recording its rows")
