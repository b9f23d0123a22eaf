"""Accounts come in deduplicated: the same domain or the same company name (legal forms aside) is one account,
filled in where it is blank and never overwritten; names that only look alike are imported and listed."""

from __future__ import annotations

import json

from tests.cli.cli_helpers import query, run


def _import(capsys, db, path, tmp_path) -> dict:
    code, out, err = run(capsys, "--db", str(db), "import", str(path), "--kind", "accounts", "--json", "--rejects",
                         str(tmp_path / "rejected.csv"))
    assert code == 0, err
    return json.loads(out)


def test_same_domain_or_name_is_one_account_and_look_alikes_are_listed(capsys, tmp_path):
    db, first, second = tmp_path / "a.db", tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text("name,domain,industry\nAcme Corporation,acme.com,\nACME Corp.,,Manufacturing\n"
                     "Globex Inc,globex.com,Energy\nGlobexx,,\n", encoding="utf-8")
    result = _import(capsys, db, first, tmp_path)
    assert (result["created"], result["updated"]) == (3, 1)  # ACME Corp. is Acme Corporation: its industry filled
    assert query(db, "SELECT name, domain, industry FROM accounts WHERE name LIKE 'acme%'") == [
        ("Acme Corporation", "acme.com", "Manufacturing")]
    assert [(c["name"], c["looks_like"]) for c in result["candidates"]] == [("Globex Inc", "Globexx")]
    second.write_text("name,domain,industry\nAcme GmbH,www.acme.com/about,Retail\n", encoding="utf-8")
    again = _import(capsys, db, second, tmp_path)
    assert (again["created"], again["updated"]) == (0, 0)  # the same domain; its industry is not overwritten
    assert query(db, "SELECT industry FROM accounts WHERE domain = 'acme.com'") == [("Manufacturing",)]
