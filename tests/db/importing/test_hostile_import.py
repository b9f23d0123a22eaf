"""Hostile files through `revdesk import`: every column of revdesk's own layout, for every kind, fed the big list
of naughty strings (one per row) and hypothesis-generated text; naughty strings as column names; cells over the
csv module's limit. Never a traceback: exit 0 (good rows in, each bad one named) or 2 (one line); a refused
import and every dry run leave the database byte-identical (a checksum of its logical dump)."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revdesk.core.importing.mapping import FIELDS
from tests.factories import NOW, make_store
from tests.naughty import naughty_strings
from tests.tui.cli.cli_helpers import run

# What each kind needs besides the column under test: row i's own values, so rows stay distinct.
BASE = {
    "users": lambda i: {"name": f"Person {i}"},
    "accounts": lambda i: {"name": f"Company {i}"},
    "contacts": lambda i: {"email": f"p{i}@example.org"},
    "deals": lambda i: {"stage": "discovery", "account": "Nordwind Logistik GmbH"},
    "activities": lambda i: {"kind": "call", "outcome": "connected", "occurred_at": "2026-11-20T10:00:00Z",
                             "contact_email": "jonas.weber@nordwind.de"},
    "deal_history": lambda i: {"deal": "1", "stage": "discovery", "changed_at": "2026-11-20T10:00:00Z"},
}
CASES = [(kind, column) for kind, columns in FIELDS.items() for column in columns]


def dump_checksum(path: Path) -> str:
    """The database's logical content (sqlite3's iterdump), hashed."""
    conn = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode("utf-8", "surrogatepass")).hexdigest()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> tuple[Path, str]:
    """A small team's database (tests.factories), and its checksum."""
    path = tmp_path_factory.mktemp("hostile") / "base.db"
    make_store(path).close()
    return path, dump_checksum(path)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setattr("revdesk.db.workbench.system_clock", lambda: NOW)


def _write(file: Path, kind: str, column: str, values: list[str]) -> None:
    rows = [{**BASE[kind](i), column: value} for i, value in enumerate(values)]
    header = list(dict.fromkeys(k for row in rows for k in row))
    with file.open("w", encoding="utf-8", newline="", errors="surrogatepass") as out:
        writer = csv.DictWriter(out, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def _import(capsys, db: Path, file: Path, *options: str) -> tuple[int, str, str]:
    """`revdesk import`, which must end in exit 0 or 2 (a traceback fails the test where it is raised)."""
    code, out, err = run(capsys, "--db", str(db), "import", str(file), "--rejects", str(file.with_suffix(".rej")),
                         *options)
    assert code in (0, 2), (code, err)
    if code == 2:
        assert err.count("\n") == 1 and "Traceback" not in err, err
    return code, out, err


def _check(capsys, base: tuple[Path, str], folder: Path, file: Path, kind: str) -> None:
    """A dry run writes nothing; the import either goes in or is refused and writes nothing."""
    db = folder / "x.db"
    shutil.copyfile(base[0], db)
    _import(capsys, db, file, "--kind", kind, "--dry-run", "--json")
    assert dump_checksum(db) == base[1], "a dry run wrote"
    code, out, err = _import(capsys, db, file, "--kind", kind, "--json")
    if code == 2:
        assert dump_checksum(db) == base[1], f"a refused import wrote: {err}"
    else:
        result = json.loads(out)
        assert result["created"] + result["updated"] + result["unchanged"] + result["rejected_rows"] <= result["rows"]


@pytest.mark.parametrize(("kind", "column"), CASES, ids=[f"{k}.{c}" for k, c in CASES])
def test_every_column_takes_the_naughty_strings(capsys, tmp_path, base, kind, column):
    file = tmp_path / f"{kind}.csv"
    _write(file, kind, column, list(naughty_strings()))
    _check(capsys, base, tmp_path, file, kind)


def test_naughty_column_names_are_refused_or_ignored(capsys, tmp_path, base):
    file = tmp_path / "names.csv"
    header = ["name", *(s for s in naughty_strings() if s.strip() and s.strip() != "name")]
    with file.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([header, ["Acme", *("x" for _ in header[1:])]])
    for kind in ("auto", "accounts", "users"):
        db = tmp_path / f"{kind}.db"
        shutil.copyfile(base[0], db)
        code, _, _ = _import(capsys, db, file, "--kind", kind)
        if code == 2:
            assert dump_checksum(db) == base[1]


def test_a_cell_over_the_csv_limit_is_refused_in_one_line(capsys, tmp_path, base):
    file = tmp_path / "big.csv"
    file.write_text("name,industry\nAcme," + "x" * 200_000 + "\n", encoding="utf-8")
    db = tmp_path / "x.db"
    shutil.copyfile(base[0], db)
    code, _, err = _import(capsys, db, file)
    assert code == 2 and "file: big.csv line 2" in err
    assert dump_checksum(db) == base[1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(sorted(FIELDS)), data=st.data())
def test_generated_text_in_every_column(capsys, base, kind, data):
    values = data.draw(st.fixed_dictionaries({c: st.text(max_size=40) for c in FIELDS[kind]}))
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / f"{kind}.csv"
        rows = [BASE[kind](0) | {k: v for k, v in values.items() if v.strip()}, values]
        header = list(dict.fromkeys(k for row in rows for k in row))
        with file.open("w", encoding="utf-8", newline="", errors="surrogatepass") as out:
            writer = csv.DictWriter(out, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)
        _check(capsys, base, Path(folder), file, kind)
