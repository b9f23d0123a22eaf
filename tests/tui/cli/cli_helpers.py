"""Shared helpers for the CLI tests of handoffs and deals: run `revdesk` in-process, read the database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from revdesk.tui.cli.main import main
from tests.db.helpers import CONTEXT  # noqa: F401 - the same lead context as the service tests


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Run `revdesk ARGV` in-process; returns (exit code, stdout, stderr)."""
    capsys.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse (--help, usage errors)
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        without_rowid = {r[0] for r in conn.execute("SELECT name FROM pragma_table_list WHERE wr = 1")}
        return {t: conn.execute(f"SELECT * FROM {t}" + ("" if t in without_rowid else " ORDER BY rowid")).fetchall()
                for t in tables}
    finally:
        conn.close()


def query(path: Path, sql: str, *args) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def fields(context: dict[str, str]) -> list[str]:
    return [arg for key, value in context.items() for arg in ("--field", f"{key}={value}")]


def export(capsys, db: Path, kind: str, fmt: str = "csv", out: Path | None = None) -> str:
    """`revdesk export` of `kind` in `fmt`; its output (empty with --out)."""
    argv = ["--db", str(db), "export", "--kind", kind, "--format", fmt] + (["--out", str(out)] if out else [])
    code, text, err = run(capsys, *argv)
    assert code == 0, err
    return text


def exported_records(capsys, db: Path, kind: str) -> list[dict]:
    """The JSON export of `kind` without this database's ids (a deal named by its name), to compare two databases."""
    names = dict(query(db, "SELECT id, name FROM deals"))
    records = json.loads(export(capsys, db, kind, "json"))
    for record in records:
        record.pop("external_id", None)
        if record.get("deal") is not None:
            record["deal"] = names[record["deal"]]
    return records
