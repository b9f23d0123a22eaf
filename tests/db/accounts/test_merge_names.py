"""`revdesk accounts merge` and `accounts duplicates` print account names as they are: a name that looks like Rich
markup ("Acme [/] Ltd", "[bold]x") is printed literally after the merge is written, never a crash."""

from __future__ import annotations

import sqlite3

import pytest

from tests.factories import make_store
from tests.tui.cli.cli_helpers import query, run

NAMES = ("Acme [/] Ltd", "[bold]Harbor[/bold] Health", "[link=http://evil.example]x[/link]", "\\[escaped]",
         "[red]")


@pytest.mark.parametrize("name", NAMES)
def test_a_merge_prints_a_markup_like_name_literally(capsys, tmp_path, name):
    db = tmp_path / "m.db"
    make_store(db).close()
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE accounts SET name = ?, domain = NULL, industry = NULL WHERE id = 1", (name,))
        conn.execute("UPDATE accounts SET name = ?, industry = ? WHERE id = 2", (name + " Inc", name))
        conn.execute("INSERT INTO users (handle, name, role, created_at)"
                     " VALUES ('alex', 'Alex', 'founder', '2026-01-01T00:00:00Z')")
    conn.close()
    code, out, err = run(capsys, "--db", str(db), "accounts", "duplicates")
    assert code == 0, err
    assert name in out.replace("\n", "") or name[:20] in out
    code, out, err = run(capsys, "--db", str(db), "--as", "alex", "accounts", "merge", "1", "2")
    assert code == 0, err
    assert f"Merged account 2 ({name} Inc) into 1 ({name})" in " ".join(out.split())
    assert f"filled industry: {name}" in out
    assert query(db, "SELECT merged_into FROM accounts WHERE id = 2") == [(1,)]
