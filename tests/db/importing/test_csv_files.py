"""CSV in and out as RFC 4180 writes it: quotes inside cells survive (only the delimiter is sniffed), cells that
start like a spreadsheet formula leave revdesk neutralised and come back as they were, and the files revdesk
writes (exports, rejects) are its user's alone, the rejects beside the file imported."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import pytest

from tests.factories import make_store
from tests.tui.cli.cli_helpers import query, run

TRICKY = ('Müller "Feinkost" GmbH', 'Said "hello", left', "';alert(123);t='", "'><script>alert(123);</script x='",
          '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>', "''", '"', '""quoted""', "a;b;c")
FORMULAS = ("=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2", "@SUM(A1)", "'quoted", "''=1", "'",
            "=", "plain 'quote'")


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _import(capsys, db: Path, file: Path, *extra: str) -> dict:
    code, out, err = run(capsys, "--db", str(db), "import", str(file), "--json", *extra)
    assert code == 0, err
    return json.loads(out)


def _accounts_with(tmp_path: Path, names: tuple[str, ...]) -> Path:
    """A database whose accounts bear `names` (as any entry point may have stored them)."""
    store = make_store(tmp_path / "source.db")
    with store.conn:
        store.conn.executemany("INSERT INTO accounts (name, domain, industry, created_at) VALUES (?, ?, ?, ?)",
                               [(n, f"n{i}.example", n, "2026-01-01T00:00:00Z") for i, n in enumerate(names)])
    store.close()
    return tmp_path / "source.db"


@pytest.mark.parametrize("name", TRICKY)
def test_a_cell_holding_quotes_is_read_as_written(capsys, tmp_path, name):
    file = tmp_path / "accounts.csv"
    with file.open("w", encoding="utf-8", newline="") as out:  # as any RFC 4180 writer quotes it
        writer = csv.writer(out)
        writer.writerows([("Domain", "Name"), ("acme.com", "Acme"), ("tricky.example", name), ("beta.com", "Beta")])
    result = _import(capsys, tmp_path / "x.db", file, "--format", "hubspot")
    assert (result["created"], result["rejected_rows"]) == (3, 0), result["rejected"]
    assert query(tmp_path / "x.db", "SELECT name FROM accounts WHERE domain = 'tricky.example'") == [(name,)]


def test_the_delimiter_is_told_by_the_header(capsys, tmp_path):
    file = tmp_path / "accounts.csv"
    file.write_text('name;domain;industry\n"Müller ""Feinkost"" GmbH";mueller.de;"Food, fine"\n', encoding="utf-8")
    _import(capsys, tmp_path / "x.db", file)
    assert query(tmp_path / "x.db", "SELECT name, industry FROM accounts") == [('Müller "Feinkost" GmbH', "Food, fine")]


def test_formulas_are_neutralised_in_csv_and_come_back_on_import(capsys, tmp_path):
    source = _accounts_with(tmp_path, FORMULAS)
    code, text, err = run(capsys, "--db", str(source), "export", "--kind", "accounts")
    assert code == 0, err
    rows = {r["domain"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    cells = [rows[f"n{i}.example"]["name"] for i in range(len(FORMULAS))]
    assert cells[:4] == ["'" + f for f in FORMULAS[:4]]  # OWASP: a quote before =, +, - and @
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert cells[4:] == ["''quoted", "'''=1", "''", "'=", "plain 'quote'"]  # a quote first is quoted too
    code, listed, _ = run(capsys, "--db", str(source), "export", "--kind", "accounts", "--format", "json")
    assert {r["name"] for r in json.loads(listed)} >= set(FORMULAS)  # JSON stays literal
    (tmp_path / "accounts.csv").write_text(text, encoding="utf-8", newline="")
    _import(capsys, tmp_path / "copy.db", tmp_path / "accounts.csv")
    assert query(tmp_path / "copy.db", "SELECT name, industry FROM accounts ORDER BY domain") == [
        (n, n) for n in FORMULAS]


def test_a_vendor_file_keeps_its_quotes(capsys, tmp_path):
    """Only revdesk's own export quoted its cells: another file's leading quote is its data."""
    file = tmp_path / "companies.csv"
    file.write_text("Domain,Name\nacme.com,'=Acme\n", encoding="utf-8")
    _import(capsys, tmp_path / "x.db", file, "--format", "hubspot")
    assert query(tmp_path / "x.db", "SELECT name FROM accounts") == [("'=Acme",)]


def test_rejects_are_listed_beside_the_file_for_its_owner_only(capsys, tmp_path, monkeypatch, umask_022):
    folder, elsewhere = tmp_path / "exports", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    file = folder / "people.csv"
    file.write_text("handle,name,role,shoe_size\nana,Ana Lima,ae,38\nbo,Bo Berg,=astronaut,44\n", encoding="utf-8")
    result = _import(capsys, tmp_path / "x.db", file)
    rejects = folder / "people.rejected.csv"
    assert result["rejects_file"] == str(rejects) and not list(elsewhere.iterdir())
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    assert list(csv.reader(rejects.open(encoding="utf-8")))[1] == [
        "3", "role", "'=astronaut' is not a role (sdr, ae, cs, manager or founder)"]
    assert result["ignored_columns"] == ["shoe_size"]
    code, out, _ = run(capsys, "--db", str(tmp_path / "x.db"), "import", str(file), "--dry-run")
    assert "columns not imported (no field reads them): shoe_size" in out


def test_an_export_file_is_its_owners_alone(capsys, tmp_path, umask_022):
    source = _accounts_with(tmp_path, ("Acme",))
    out, old = tmp_path / "accounts.csv", tmp_path / "old.json"
    old.write_text("{}", encoding="utf-8")
    old.chmod(0o644)
    assert run(capsys, "--db", str(source), "export", "--kind", "accounts", "--out", str(out))[0] == 0
    assert run(capsys, "--db", str(source), "export", "--kind", "accounts", "--format", "json",
               "--out", str(old))[0] == 0
    assert stat.S_IMODE(out.stat().st_mode) == stat.S_IMODE(old.stat().st_mode) == 0o600
    assert json.loads(old.read_text(encoding="utf-8"))[-1]["name"] == "Acme"


def test_an_export_to_a_folder_that_is_not_there_is_refused_in_one_line(capsys, tmp_path):
    source = _accounts_with(tmp_path, ("Acme",))
    code, _, err = run(capsys, "--db", str(source), "export", "--kind", "accounts", "--out",
                       str(tmp_path / "nowhere" / "a.csv"))
    assert code == 2 and err.count("\n") == 1 and "out" in err
