"""Accounts come in deduplicated: the same domain or the same company name (legal forms aside) is one account,
filled in where it is blank and never overwritten; names that only look alike are imported and listed."""

from __future__ import annotations

import json

from tests.tui.cli.cli_helpers import query, run


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


def test_an_owner_map_says_who_the_files_owners_are(capsys, tmp_path):
    from tests.factories import make_store

    db = tmp_path / "team.db"
    make_store(db).close()
    deals, people = tmp_path / "deals.csv", tmp_path / "owners.csv"
    deals.write_text("account,name,stage,owner,amount,currency\n"
                     "Nordwind Logistik GmbH,Renewal,discovery,jo@old-crm.example,5000,EUR\n"
                     "Nordwind Logistik GmbH,Upsell,discovery,nobody@old-crm.example,100,EUR\n", encoding="utf-8")
    people.write_text("file's owner,handle\njo@old-crm.example,tom\n", encoding="utf-8")
    code, out, err = run(capsys, "--db", str(db), "import", str(deals), "--kind", "deals", "--owner-map", str(people),
                         "--json", "--rejects", str(tmp_path / "rejected.csv"))
    assert code == 0, err
    result = json.loads(out)
    assert (result["created"], result["rejected_rows"]) == (1, 1)
    assert "no user named 'nobody@old-crm.example'" in result["rejected"][0]["reason"]
    assert query(db, "SELECT d.name, u.handle FROM deals d JOIN users u ON u.id = d.owner_id") == [("Renewal", "tom")]
    people.write_text("jo@old-crm.example,ghost\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", str(db), "import", str(deals), "--kind", "deals", "--owner-map", str(people))
    assert code == 2 and "--owner-map: no user 'ghost'" in err
