"""Export then import is exact on the big list of naughty strings: users, accounts, contacts, deals and activities
whose every free-text column holds one (as an import leaves text: trimmed, controls dropped, NFC), written by
`revdesk export` as CSV and as JSON and read back by `revdesk import` into an empty database, give the same export
again. Quotes, delimiters, formula starts, markup and scripts of every kind come back as they went out."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from revdesk.core.importing.values import clean_text
from revdesk.db.common.connection import Store, transaction
from revdesk.db.playbook.stored import apply_playbook
from revdesk.fixtures import DEFAULT_PLAYBOOK
from tests.factories import NOW
from tests.naughty import naughty_strings
from tests.tui.cli.cli_helpers import export, exported_records, run

KINDS = ("users", "accounts", "contacts", "deals", "activities")
DAY = "2026-01-15T10:00:00Z"


@cache
def texts() -> tuple[str, ...]:
    """Each naughty string as revdesk keeps imported text, once."""
    return tuple(dict.fromkeys(t for s in naughty_strings() if (t := clean_text(s))))


def _source(path: Path) -> Path:
    """A database whose records hold the naughty strings in every free-text column: record i holds string i."""
    store = Store(path)
    conn = store.conn
    apply_playbook(conn, DEFAULT_PLAYBOOK.read_text(encoding="utf-8"), "playbook.toml", NOW)
    rows = list(enumerate(texts(), start=1))
    with transaction(conn):
        conn.executemany("INSERT INTO users (id, handle, name, role, team, timezone, created_at)"
                         " VALUES (?, ?, ?, 'ae', ?, 'Europe/Berlin', ?)", [(i, f"u{i}", t, t, DAY) for i, t in rows])
        conn.executemany("INSERT INTO accounts (id, name, domain, industry, country, owner_id, created_at)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)", [(i, t, f"a{i}.example", t, t, i, DAY) for i, t in rows])
        conn.executemany("INSERT INTO contacts (id, account_id, first_name, last_name, title, email, lead_source,"
                         " lifecycle_stage, lead_status, owner_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'lead',"
                         " 'new', ?, ?)", [(i, i, t, t, t, f"c{i}@a{i}.example", t, i, DAY) for i, t in rows])
        conn.executemany("INSERT INTO deals (id, account_id, name, amount, currency, stage, owner_id, product, source,"
                         " lost_reason, closed_at, won, created_at, stage_entered_at)"
                         " VALUES (?, ?, ?, 1000, 'EUR', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         [(i, i, t, "closed_lost" if i % 2 else "discovery", i, t, t, t if i % 2 else None,
                           DAY if i % 2 else None, 0 if i % 2 else None, DAY, DAY) for i, t in rows])
        conn.executemany("INSERT INTO stage_history (deal_id, from_stage, to_stage, changed_at, reason)"
                         " VALUES (?, NULL, 'discovery', ?, 'Imported')", [(i, DAY) for i, _ in rows])
        conn.executemany("INSERT INTO activities (kind, outcome, user_id, contact_id, account_id, deal_id,"
                         " occurred_at, note, created_at) VALUES ('call', 'connected', ?, ?, ?, ?, ?, ?, ?)",
                         [(i, i, i, i, DAY, t, DAY) for i, t in rows])
    store.close()
    return path


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    return _source(tmp_path_factory.mktemp("naughty") / "source.db")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_every_kind_comes_back_exactly(capsys, tmp_path, monkeypatch, source, fmt):
    monkeypatch.setattr("revdesk.db.workbench.system_clock", lambda: NOW)
    target = tmp_path / "copy.db"
    for kind in KINDS:
        file = tmp_path / f"{kind}.{fmt}"
        export(capsys, source, kind, fmt, file)
        code, out, err = run(capsys, "--db", str(target), "import", str(file), "--json")
        assert code == 0, err
        result = json.loads(out)
        assert (result["kind"], result["rejected_rows"]) == (kind, 0), result["rejected"][:3]
        assert result["created"] == len(texts()), kind
        before, after = exported_records(capsys, source, kind), exported_records(capsys, target, kind)
        assert after == before, kind


def test_the_strings_are_hostile(source):
    """The list still holds what makes the test worth running (quotes, delimiters, formulas, markup, RTL)."""
    held = set(texts())
    assert {'"', "'", ",", "=", "@", "[/]"} & {c for t in held for c in (t[:1], t[:3])}
    assert any(t.startswith(("=", "+", "-", "@")) for t in held)
    assert any('"' in t and "," in t for t in held)
    assert len(held) > 400
