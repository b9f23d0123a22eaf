"""The messy real files imported whole through the command line: the naughty strings as contacts, the isemail
vectors as their e-mails, the DataMade organisation records as accounts and Patstat's company names. No crash,
every rejected row explained (line, column, reason), and exactly the rows reported written: nothing half-written.
Skipped where ../shared is absent."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from revdesk.core.importing.values import ValueProblem, clean_text, parse_email
from tests.tui.cli.cli_helpers import query, run

ROOT = Path(__file__).resolve().parents[3]
REAL = ROOT.parent / "shared" / "realdata"
pytestmark = pytest.mark.skipif(not REAL.exists(), reason="../shared/realdata is not here")


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)  # CRLF ends a record, so a cell with a lone CR or LF is quoted
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _import(capsys, tmp_path: Path, name: str, text: str, *options: str) -> tuple[dict, Path]:
    db, file, rejects = tmp_path / "a.db", tmp_path / name, tmp_path / f"{name}.rejected.csv"
    file.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "--db", str(db), "import", str(file), "--json", "--rejects", str(rejects), *options)
    assert code == 0, err
    result = json.loads(out)
    listed = list(csv.DictReader(rejects.open(encoding="utf-8"))) if result["rejected_rows"] else []
    assert len({r["line"] for r in listed}) == result["rejected_rows"]
    assert all(r["line"].isdigit() and r["column"] and r["reason"] for r in listed)  # every one explained
    assert result["created"] + result["updated"] + result["unchanged"] + result["rejected_rows"] == result["rows"]
    return result, db


def test_the_naughty_strings_as_contacts(capsys, tmp_path):
    strings = json.loads((REAL / "big_list_of_naughty_strings" / "blns.json").read_text(encoding="utf-8"))
    rows = [[s, s, s, s, f"person{i}@example.org", s] for i, s in enumerate(strings)]
    result, db = _import(capsys, tmp_path, "naughty.csv",
                         _csv(["first_name", "last_name", "title", "account", "email", "phone"], rows))
    assert result["created"] > 0 and result["rejected_rows"] > 0  # mostly phones that are no phone numbers
    assert query(db, "SELECT COUNT(*) FROM contacts") == [(result["created"],)]
    names = [r[0] for r in query(db, "SELECT first_name FROM contacts")]
    assert all("\x00" not in n and "\u202e" not in n for n in names)  # controls and direction overrides dropped


def test_the_isemail_vectors_as_addresses(capsys, tmp_path):
    controls = {0x2400 + code: code for code in range(32)}  # the vectors write controls as U+2400+n
    with open(REAL / "isemail_email_test_vectors" / "tests_flat.csv", newline="", encoding="utf-8") as source:
        addresses = [r["address"].translate(controls) for r in csv.DictReader(source)]
    rows = [[f"Person {i}", address] for i, address in enumerate(addresses)]
    result, db = _import(capsys, tmp_path, "emails.csv", _csv(["name", "email"], rows))
    assert query(db, "SELECT COUNT(*) FROM contacts") == [(result["created"],)]
    # A row goes in exactly when its address, cleaned as every cell is (stray line breaks and spaces trimmed,
    # controls dropped), is one email-validator takes, or when it is blank (a contact may have no e-mail).
    should = {i + 2 for i, a in enumerate(addresses) if _valid(clean_text(a)) or not clean_text(a)}
    refused = {p["line"] for p in result["rejected"]}
    assert set(range(2, len(addresses) + 2)) - refused == should


def _valid(address: str) -> bool:
    try:
        parse_email(address)
    except ValueProblem:
        return False
    return True


def test_the_messy_organisations_as_accounts(capsys, tmp_path):
    folder = REAL / "dedupe_examples_messy_orgs"
    mapping = tmp_path / "sites.toml"
    mapping.write_text('kind = "accounts"\nname = "Chicago sites"\n[columns]\nexternal_id = "Id"\nname = "Site name"\n'
                       'domain = "Website"\n', encoding="utf-8")
    result, db = _import(capsys, tmp_path, "sites.csv",
                         (folder / "csv_example_messy_input.csv").read_text(encoding="utf-8"), "--mapping",
                         str(mapping))
    assert result["rows"] == 3337
    accounts = query(db, "SELECT COUNT(*) FROM accounts")[0][0]
    assert 1000 < accounts < 3337  # the same site written alike is one account; look-alikes are listed
    assert result["candidates"]
    patstat = tmp_path / "patstat.toml"
    patstat.write_text('kind = "accounts"\nname = "Patstat"\n[columns]\nname = "Name"\n', encoding="utf-8")
    names, _ = _import(capsys, tmp_path, "patstat.csv", (folder / "patstat_input.csv").read_text(encoding="utf-8"),
                       "--mapping", str(patstat))
    assert names["rows"] == 2379 and names["rejected_rows"] == 0
