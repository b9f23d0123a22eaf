"""The real vendor samples in ../shared/realdata through the shipped mappings: HubSpot's companies, contacts and
deal; Salesforce's accounts-and-contacts report and its opportunities (JSON); Odoo's leads with their
malformed phone and duplicate contact. Every rejected row is explained. Skipped where ../shared is absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.tui.cli.cli_helpers import query, run

ROOT = Path(__file__).resolve().parents[3]
REAL = ROOT.parent / "shared" / "realdata"
MAPPINGS = ROOT / "fixtures" / "mappings"
pytestmark = pytest.mark.skipif(not REAL.exists(), reason="../shared/realdata is not here")


def _import(capsys, db: Path, tmp_path: Path, file: Path, mapping: str, *options: str) -> dict:
    code, out, err = run(capsys, "--db", str(db), "import", str(file), "--mapping", str(MAPPINGS / mapping), "--json",
                         "--rejects", str(tmp_path / f"{file.stem}.rejected.csv"), *options)
    assert code == 0, err
    return json.loads(out)


def test_hubspot_samples(capsys, tmp_path):
    db, folder = tmp_path / "hs.db", REAL / "hubspot_academy_sample_imports"
    assert _import(capsys, db, tmp_path, folder / "companies.csv", "hubspot-companies.toml")["created"] == 1
    sample = folder / "contacts_sample_import-1.csv"
    contacts = _import(capsys, db, tmp_path, sample, "hubspot-contacts.toml")
    assert (contacts["created"], contacts["rejected_rows"]) == (0, 11)  # their owners are nobody here yet
    assert contacts["rejected"][0] == {"line": 2, "column": "Contact Owner", "reason": (
        "no user named 'joe@hubspot.com': import the team first, map it to a user (--owner-map), or have new"
        " people created with a role (--create-users-as)")}
    contacts = _import(capsys, db, tmp_path, sample, "hubspot-contacts.toml", "--create-users-as", "sdr")
    assert (contacts["created"], contacts["rejected_rows"]) == (11, 0)
    assert contacts["ignored_columns"] == ["Street Address", "City", "State", "Favorite Color", "hubspot_owner_email"]
    assert query(db, "SELECT phone, lifecycle_stage FROM contacts WHERE email = 'andy.dwyer@netflix.com'") == [
        ("+15557158261", "opportunity")]  # a US number without its country code; "Opportunity" mapped
    # HubSpot's owner (an e-mail), lead status and company (by its company id, as the companies file has it)
    found = query(db, "SELECT c.first_name, u.handle, c.lead_status, a.name FROM contacts c"
                      " LEFT JOIN users u ON u.id = c.owner_id LEFT JOIN accounts a ON a.id = c.account_id"
                      " WHERE c.first_name IN ('Leslie', 'Ron', 'Andy', 'Jerry', 'Tom') ORDER BY c.id")
    assert found == [("Leslie", "joe", "disqualified", "HubSpot"), ("Ron", "jane", "new", None),
                     ("Andy", "leia", "qualified", None), ("Tom", "leia", "qualified", "HubSpot"),
                     ("Jerry", "leia", "attempting", None)]
    deal = folder / "Sample_Deal_Import-1.csv"
    refused = _import(capsys, db, tmp_path, deal, "hubspot-deals.toml", "--create-users-as", "ae")
    assert (refused["created"], refused["rejected_rows"]) == (0, 1)
    assert refused["rejected"][0]["column"] == "Closed Lost Reason"  # on an open deal: a contradiction
    assert "a lost reason on a deal that is open" in refused["rejected"][0]["reason"]
    fixed = tmp_path / "deal.csv"
    fixed.write_text(deal.read_text(encoding="utf-8").replace("This is a sample Closed Lost reason.", ""),
                     encoding="utf-8")
    created = _import(capsys, db, tmp_path, fixed, "hubspot-deals.toml", "--create-users-as", "ae")
    assert (created["created"], created["rejected_rows"]) == (1, 0)
    # HubSpot's "2002/1/16": year first; an open deal's close date is its expected one.
    assert query(db, "SELECT d.stage, d.amount, d.currency, d.expected_close_date, u.handle, a.name FROM deals d"
                     " JOIN users u ON u.id = d.owner_id JOIN accounts a ON a.id = d.account_id") == [
        ("discovery", 10000.0, "USD", "2002-01-16", "jdoe", "HubSpot")]


def test_salesforce_samples(capsys, tmp_path):
    db, folder = tmp_path / "sf.db", REAL / "salesforce_lwc_recipes_sample"
    accounts = _import(capsys, db, tmp_path, folder / "Accounts-Contacts.csv", "salesforce-accounts.toml")
    assert (accounts["rows"], accounts["created"], accounts["updated"]) == (14, 10, 0)  # repeated names, one account
    contacts = _import(capsys, db, tmp_path, folder / "Accounts-Contacts.csv", "salesforce-contacts.toml")
    assert (contacts["created"], contacts["rejected_rows"]) == (6, 8)  # eight ragged rows with nobody in them
    assert {r["reason"] for r in contacts["rejected"]} == {"nobody in this row: no name and no e-mail"}
    deals = _import(capsys, db, tmp_path, folder / "Opportunities.json", "salesforce-opportunities.toml")
    assert (deals["created"], deals["rejected_rows"]) == (20, 0)
    assert query(db, "SELECT SUM(won = 1), SUM(won = 0), SUM(won IS NULL) FROM deals") == [(2, 1, 17)]
    assert query(db, "SELECT a.name FROM deals d JOIN accounts a ON a.id = d.account_id ORDER BY d.id LIMIT 1") == [
        ("Alpha Dynamics",)]


def test_odoo_leads_with_a_malformed_phone_and_a_duplicate(capsys, tmp_path):
    db = tmp_path / "odoo.db"
    leads = _import(capsys, db, tmp_path, REAL / "odoo_crm_demo" / "crm_lead_demo_transcribed.csv", "odoo-leads.toml")
    assert leads["rows"] == 44
    assert leads["created"] + leads["updated"] + leads["rejected_rows"] == 44
    reasons = {r["column"]: r["reason"] for r in leads["rejected"]}
    assert reasons["phone"].startswith("too long")  # "+11 55 21 5555 5555": explained, not stored
    assert leads["updated"] >= 1  # Jacques Dunagan of Le Club SARL twice: one contact, filled in
    assert query(db, "SELECT COUNT(*) FROM contacts WHERE email = 'jdunagan@leclub.example.com'") == [(1,)]
    assert query(db, "SELECT phone FROM contacts WHERE email = 'jdunagan@leclub.example.com'") == [("+33125544569",)]


def test_hubspot_lifecycle_dates_become_history_the_funnel_reads(capsys, tmp_path):
    """An export with HubSpot's "Became a ... Date" columns (the sample has none: they are left empty there)."""
    db, export = tmp_path / "hs.db", tmp_path / "contacts.csv"
    export.write_text(
        "First Name,Last Name,Email,Lifecycle Stage,Create Date,Became a Marketing Qualified Lead Date,"
        "Became a Sales Qualified Lead Date,Became an Opportunity Date,Became a Customer Date\n"
        "Ada,Byron,ada@example.org,Customer,2026-10-01,2026-10-03,2026-10-08,2026-10-09,2026-10-20\n"
        "Alan,Turing,alan@example.org,Marketing Qualified Lead,2026-10-02,2026-10-04,,,\n", encoding="utf-8")
    result = _import(capsys, db, tmp_path, export, "hubspot-contacts.toml")
    assert (result["created"], result["rejected_rows"]) == (2, 0)
    assert ("not in this file, left empty: contact_id, Phone Number, Contact Owner, Company Name, company_id,"
            " Lead Status") in result["notes"]
    history = query(db, "SELECT c.first_name, h.from_value, h.to_value, h.changed_at FROM status_history h"
                        " JOIN contacts c ON c.id = h.contact_id ORDER BY c.id, h.changed_at")
    assert [(n, a, b) for n, a, b, _ in history] == [
        ("Ada", None, "lead"), ("Ada", "lead", "mql"), ("Ada", "mql", "sql"), ("Ada", "sql", "opportunity"),
        ("Ada", "opportunity", "customer"), ("Alan", None, "lead"), ("Alan", "lead", "mql")]
    code, out, err = run(capsys, "--db", str(db), "funnel", "--from", "2026-10-01", "--to", "2026-10-31", "--json")
    assert code == 0, err
    steps = {(s["from"], s["to"]): s for s in json.loads(out)["all"]["steps"]}
    assert (steps["lead", "mql"]["converted"], steps["lead", "mql"]["median_days"]) == (2, 2.0)
    assert (steps["mql", "sal"]["converted"], steps["opportunity", "customer"]["median_days"]) == (1, 11.0)
