"""`revdesk import FILE` with no mapping: the layout is told by the file's columns (HubSpot, Pipedrive,
Salesforce, Close, Odoo, Maven CRM, or revdesk's own field names); `--format` and `--kind` narrow the choice, and
a file no layout fits is refused, naming what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from revdesk.core.importing.layouts import detect_layout
from revdesk.db.importing.layouts import choose_mapping, shipped_layouts
from tests.tui.cli.cli_helpers import query, run

ROOT = Path(__file__).resolve().parents[3]
REAL = ROOT.parent / "shared" / "realdata"

PIPEDRIVE_PEOPLE = ("Person - ID,Person - Name,Person - Email,Person - Phone,Person - Organization,Person - Owner,"
                    "Person - Label,Person - Person created\n"
                    "7,Zoë Ångström,zoe@nordlicht.se,+46 8 123 456 78,Nordlicht AB,Maya Patel,Hot lead,2025-03-04\n"
                    "8,Tom Brandt,tom.brandt@example,030 1234567,Brandt GmbH,Maya Patel,,2025-03-05\n")
CLOSE_LEADS = ("company,url,status,contact,title,email,phone,country\n"
               "Nordlicht AB,https://www.nordlicht.se/about,Qualified,Zoë Ångström,CTO,zoe@nordlicht.se,"
               "08-123 456 78,SE\n"
               "Nordlicht AB,https://www.nordlicht.se,Qualified,Lars Berg,CFO,lars@nordlicht.se,,SE\n")


def _header(text: str) -> list[str]:
    return text.splitlines()[0].split(",")


@pytest.mark.parametrize(("header", "name"), [
    ("Deal - ID,Deal - Title,Deal - Organization,Deal - Value,Deal - Currency,Deal - Stage,Deal - Status,"
     "Deal - Owner,Deal - Won time", "Pipedrive deals"),
    ("Organization - ID,Organization - Name,Organization - Owner,Organization - Address", "Pipedrive organizations"),
    (_header(PIPEDRIVE_PEOPLE), "Pipedrive people"),
    (_header(CLOSE_LEADS), "Close leads"),
    ("First Name,Last Name,Email,Phone Number,Lifecycle Stage,Contact Owner", "HubSpot contacts"),
    ("Account: Account Name,Account: Type,Contact: First Name,Contact: Last Name,Contact: Email",
     "Salesforce contacts"),  # a report of accounts with their contacts: the contacts bring the accounts along
    ("name,domain,industry", "revdesk accounts"),  # revdesk's own names beat a vendor reading fewer of them
    ("opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value",
     "Maven CRM sales pipeline"),
])
def test_a_layout_is_told_by_its_columns(header, name):
    columns = header.split(",") if isinstance(header, str) else header
    found = detect_layout(columns, list(shipped_layouts()))
    assert found is not None and found.mapping.name == name


def test_format_and_kind_narrow_the_choice():
    header = "Account: Account Name,Account: Type,Contact: First Name,Contact: Last Name,Contact: Email".split(",")
    layouts = list(shipped_layouts())
    assert detect_layout(header, layouts, kind="accounts").mapping.name == "Salesforce accounts"
    assert detect_layout(header, layouts, vendor="hubspot") is None
    assert detect_layout(["First Name", "Email"], layouts, vendor="generic") is None


def test_a_file_no_layout_fits_is_refused_naming_the_way_out(capsys, tmp_path):
    file = tmp_path / "odd.csv"
    file.write_text("colour,size\nblue,3\n", encoding="utf-8")
    code, _, err = run(capsys, "--db", str(tmp_path / "a.db"), "import", str(file))
    assert code == 2 and "format" in err and "--mapping" in err
    code, _, err = run(capsys, "--db", str(tmp_path / "a.db"), "import", str(file), "--format", "pipedrive")
    assert code == 2 and "not a pipedrive export" in err
    assert not (tmp_path / "a.db").exists() or query(tmp_path / "a.db", "SELECT COUNT(*) FROM accounts") == [(0,)]


def test_pipedrive_people_and_close_leads_import_without_a_mapping(capsys, tmp_path):
    db = tmp_path / "a.db"
    people, leads = tmp_path / "people.csv", tmp_path / "leads.csv"
    people.write_text(PIPEDRIVE_PEOPLE, encoding="utf-8")
    leads.write_text(CLOSE_LEADS, encoding="utf-8")
    code, out, err = run(capsys, "--db", str(db), "import", str(people), "--create-users-as", "sdr", "--json",
                         "--rejects", str(tmp_path / "people.rejected.csv"))
    assert code == 0, err
    result = json.loads(out)
    assert (result["layout"], result["vendor"], result["created"], result["rejected_rows"]) == (
        "Pipedrive people", "pipedrive", 1, 1)
    assert result["rejected"][0]["column"] == "Person - Email"  # "tom.brandt@example" has no real domain
    code, out, err = run(capsys, "--db", str(db), "import", str(leads), "--json")
    assert code == 0, err
    result = json.loads(out)
    assert (result["layout"], result["created"], result["updated"]) == ("Close leads", 1, 1)
    # Zoë came twice: once from Pipedrive, once from Close, and is one contact with her title filled in.
    assert query(db, "SELECT c.first_name || ' ' || c.last_name, c.title, a.name, a.domain FROM contacts c"
                     " JOIN accounts a ON a.id = c.account_id"
                     " ORDER BY 1") == [("Lars Berg", "CFO", "Nordlicht AB", "nordlicht.se"),
                                             ("Zoë Ångström", "CTO", "Nordlicht AB", "nordlicht.se")]
    assert query(db, "SELECT handle, role FROM users") == [("maya.patel", "sdr")]


@pytest.mark.skipif(not REAL.exists(), reason="../shared/realdata is not here")
@pytest.mark.parametrize(("file", "name"), [
    ("hubspot_academy_sample_imports/companies.csv", "HubSpot companies"),
    ("hubspot_academy_sample_imports/contacts_sample_import-1.csv", "HubSpot contacts"),
    ("hubspot_academy_sample_imports/Sample_Deal_Import-1.csv", "HubSpot deals"),
    ("salesforce_lwc_recipes_sample/Accounts-Contacts.csv", "Salesforce contacts"),
    ("salesforce_lwc_recipes_sample/Opportunities.json", "Salesforce opportunities"),
    ("odoo_crm_demo/crm_lead_demo_transcribed.csv", "Odoo leads"),
    ("maven_crm_sales_opportunities/sales_teams.csv", "Maven CRM sales teams"),
    ("maven_crm_sales_opportunities/accounts.csv", "Maven CRM accounts"),
    ("maven_crm_sales_opportunities/variant_kisaraF_sales_pipeline_us_dates.csv", "Maven CRM sales pipeline"),
])
def test_the_real_files_are_recognised(file, name):
    assert choose_mapping(REAL / file)[0].name == name


def test_an_export_comes_back_as_revdesk_s_own_columns(capsys, tmp_path):
    db, out = tmp_path / "a.db", tmp_path / "accounts.json"
    assert run(capsys, "--db", str(db), "seed", "demo")[0] == 0
    assert run(capsys, "--db", str(db), "export", "--kind", "accounts", "--format", "json", "--out", str(out))[0] == 0
    mapping, how = choose_mapping(out)
    assert (mapping.kind, mapping.vendor) == ("accounts", "generic") and how.startswith("revdesk's own columns")
