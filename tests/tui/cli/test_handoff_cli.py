"""`revdesk score`, `handoff send|list|accept|reject` and `deal move`, run in-process.

The CLI reads the real clock: engagement logged through it is seconds old when scored, so contact 1 goes from
60 (fit only) to 70 with one connected call, as in tests/db/test_handoff_send.py.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from revdesk.core.common.when import from_stored
from tests.tui.cli.cli_helpers import CONTEXT, fields, query, run, snapshot

# --- score ------------------------------------------------------------------------------------------------


def test_score_json_gives_the_score_and_its_explanation(capsys, db):
    code, out, err = run(capsys, "--db", str(db), "score", "--contact", "1", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert {k: data[k] for k in ("contact_id", "score", "level", "mql_threshold", "sql_threshold")} == {
        "contact_id": 1, "score": 60, "level": "mql", "mql_threshold": 40, "sql_threshold": 70}
    assert [(x["rule"], x["kind"], x["points"]) for x in data["explanation"]] == [
        ("Senior title", "fit", 20.0), ("Target industry", "fit", 15.0), ("Company size 50-5000", "fit", 15.0),
        ("Core market", "fit", 10.0)]
    assert sum(x["points"] for x in data["explanation"]) == data["score"]
    assert data["explanation"][0]["why"] == "title is Head of Operations"


def test_score_after_a_conversation_reaches_the_sql_threshold(capsys, qualified):
    code, out, err = run(capsys, "--db", str(qualified), "score", "--contact", "1", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["score"], data["level"]) == (70, "sql")
    conversation = next(x for x in data["explanation"] if x["rule"] == "Conversation")
    assert (conversation["kind"], conversation["points"], conversation["count"]) == ("engagement", 10.0, 1)


def test_score_as_text_explains_each_rule(capsys, db):
    code, out, err = run(capsys, "--db", str(db), "score", "--contact", "1")
    assert code == 0, err
    assert "Contact 1: score 60 (mql)" in out
    assert "+20  Senior title: title is Head of Operations" in out
    assert "60  total; MQL at 40, SQL at 70" in out


def test_score_of_an_unknown_contact_exits_2(capsys, db):
    code, _, err = run(capsys, "--db", str(db), "score", "--contact", "99", "--json")
    assert code == 2
    assert "contact" in err and "99" in err and "Traceback" not in err


# --- handoff send -----------------------------------------------------------------------------------------


def test_send_names_every_missing_field_and_writes_nothing(capsys, db):
    before = snapshot(db)
    code, out, err = run(capsys, "--db", str(db), "--as", "maya", "handoff", "send", "--contact", "1", "--to", "tom",
                         "--field", "pain=tbd")
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert lines[0] == "revdesk: error: refused, nothing was written; 7 to fix:"
    named = [line.strip().split(":")[0] for line in lines[1:]]
    # The approver is not prefilled on the command line: it is named too.
    assert named == ["score", "pain", "impact", "trigger", "approver", "budget", "next_step"]
    assert "  score: is 60, below the SQL threshold 70" in err
    assert "  pain: 'tbd' is a placeholder: pain that started the conversation" in err
    assert "  approver: is missing: who approves the decision" in err
    assert "Traceback" not in err
    assert snapshot(db) == before


def test_send_with_a_context_file_and_a_field_overriding_it(capsys, qualified, tmp_path):
    path = tmp_path / "context.toml"
    path.write_text(
        'pain = "Dispatch is planned by hand in spreadsheets"\n'
        'impact = "Late deliveries cost them 3% of revenue"\n'
        'trigger = "A competitor\'s failed rollout in Q3"\n'
        "approver = 2\n"
        'budget = "80k EUR approved for the first quarter"\n'
        'next_step = "tbd"\n', encoding="utf-8")
    code, out, err = run(capsys, "--db", str(qualified), "--as", "maya", "handoff", "send", "--contact", "1",
                         "--to", "tom", "--context", str(path), "--field", "next_step=Demo with Lea on 1 December",
                         "--json")
    assert code == 0, err
    sent = json.loads(out)
    assert (sent["kind"], sent["to"]) == ("sdr_ae", "tom")
    stored = query(qualified, "SELECT context, status, created_at, sla_due_at FROM handoffs WHERE id = ?",
                   sent["handoff_id"])[0]
    assert json.loads(stored[0]) == dict(CONTEXT, next_step="Demo with Lea on 1 December")
    assert stored[1] == "pending"
    assert from_stored(stored[3]) - from_stored(stored[2]) == timedelta(hours=24)
    assert sent["sla_due_at"] == stored[3]
    assert query(qualified, "SELECT lead_status, lifecycle_stage FROM contacts WHERE id = 1") == [("qualified", "sql")]


def test_a_context_file_alone_with_a_placeholder_is_refused(capsys, qualified, tmp_path):
    path = tmp_path / "context.toml"
    path.write_text("\n".join(f'{k} = "{v}"' for k, v in dict(CONTEXT, budget="n/a").items()), encoding="utf-8")
    before = snapshot(qualified)
    code, _, err = run(capsys, "--db", str(qualified), "--as", "maya", "handoff", "send", "--contact", "1",
                       "--to", "tom", "--context", str(path))
    assert code == 2
    assert err.strip().splitlines()[1:] == ["  budget: 'n/a' is a placeholder: budget and timing"]
    assert snapshot(qualified) == before


@pytest.mark.parametrize(("extra", "names"), [
    (["--context", "missing.toml"], ["--context", "cannot read"]),
    (["--field", "pain"], ["--field", "'pain' is not KEY=VALUE"]),
    (["--to", "bob"], ["--to", "bob"]),
], ids=["missing-file", "not-key-value", "unknown-recipient"])
def test_send_bad_options_are_one_line(capsys, qualified, tmp_path, extra, names):
    before = snapshot(qualified)
    args = [a if a != "missing.toml" else str(tmp_path / "missing.toml") for a in extra]
    code, _, err = run(capsys, "--db", str(qualified), "--as", "maya", "handoff", "send", "--contact", "1",
                       *([] if "--to" in args else ["--to", "tom"]), *fields(CONTEXT), *args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    for name in names:
        assert name in err
    assert snapshot(qualified) == before


def test_an_invalid_context_file_is_refused(capsys, qualified, tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("pain = \n", encoding="utf-8")
    code, _, err = run(capsys, "--db", str(qualified), "--as", "maya", "handoff", "send", "--contact", "1",
                       "--to", "tom", "--context", str(path))
    assert code == 2
    assert "--context" in err and "not valid TOML" in err


def test_send_to_an_sdr_names_to(capsys, qualified):
    code, _, err = run(capsys, "--db", str(qualified), "--as", "maya", "handoff", "send", "--contact", "1",
                       "--to", "ines", *fields(CONTEXT))
    assert code == 2
    assert "  --to: ines is sdr; this handoff goes to a user with role ae" in err


def test_send_without_to_goes_to_the_suggested_ae(capsys, qualified):
    code, out, err = run(capsys, "--db", str(qualified), "--as", "maya", "handoff", "send", "--contact", "1",
                         *fields(CONTEXT))
    assert code == 0, err
    assert "Handoff 1 sent to Tom Reyes" in out
    assert query(qualified, "SELECT to_user_id FROM handoffs") == [(2,)]


def test_contact_and_deal_are_exclusive(capsys, qualified):
    code, _, err = run(capsys, "--db", str(qualified), "--as", "maya", "handoff", "send", "--contact", "1",
                       "--deal", "1")
    assert code == 2
    assert "not allowed with" in err


# --- handoff list, accept, reject -------------------------------------------------------------------------


def test_list_pending_for_the_ae(capsys, db, sent):
    code, out, err = run(capsys, "--db", str(db), "handoff", "list", "--as", "tom", "--status", "pending", "--json")
    assert code == 0, err
    items = json.loads(out)
    assert len(items) == 1
    item = items[0]
    assert {k: item[k] for k in ("id", "kind", "status", "from", "to", "contact_id", "contact", "account_id",
                                 "account", "deal_id", "past_sla", "decided_at", "reject_reason")} == {
        "id": sent, "kind": "sdr_ae", "status": "pending", "from": "Maya Koch", "to": "Tom Reyes", "contact_id": 1,
        "contact": "Jonas Weber", "account_id": 1, "account": "Nordwind Logistik GmbH", "deal_id": None,
        "past_sla": False, "decided_at": None, "reject_reason": None}
    assert item["context"] == CONTEXT
    assert from_stored(item["sla_due_at"]) - from_stored(item["created_at"]) == timedelta(hours=24)

    for status in ("accepted", "rejected"):
        code, out, _ = run(capsys, "--db", str(db), "handoff", "list", "--as", "tom", "--status", status, "--json")
        assert code == 0 and json.loads(out) == []
    code, out, _ = run(capsys, "--db", str(db), "handoff", "list", "--as", "ines", "--json")
    assert code == 0 and json.loads(out) == []
    code, out, _ = run(capsys, "--db", str(db), "handoff", "list", "--as", "maya", "--json")  # the sender's outbox
    assert [h["id"] for h in json.loads(out)] == [sent]


def test_list_as_a_table(capsys, monkeypatch, db, sent):
    monkeypatch.setenv("COLUMNS", "160")
    code, out, err = run(capsys, "--db", str(db), "handoff", "list", "--as", "tom")
    assert code == 0, err
    assert "1 handoffs" in out
    row = next(line for line in out.splitlines() if "Jonas Weber" in line)
    assert row.split("│")[1].strip() == str(sent)
    assert "pending" in row and "Maya Koch" in row and "Tom Reyes" in row


def test_list_as_a_table_shows_the_id_in_80_columns(capsys, monkeypatch, db, sent):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = run(capsys, "--db", str(db), "handoff", "list", "--as", "tom")
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= 80
    header = next(line for line in out.splitlines() if "From" in line)
    assert "ID" in header


def test_a_bad_status_is_a_usage_error(capsys, db):
    code, _, err = run(capsys, "--db", str(db), "handoff", "list", "--status", "done")
    assert code == 2
    assert "invalid choice" in err


def test_accept(capsys, db, sent):
    code, out, err = run(capsys, "--db", str(db), "handoff", "accept", str(sent), "--as", "tom")
    assert code == 0, err
    assert f"Handoff {sent} accepted: deal 1 is yours, in Discovery." in out
    assert query(db, "SELECT id, stage, owner_id, handoff_id, primary_contact_id FROM deals") == [
        (1, "discovery", 2, sent, 1)]
    assert query(db, "SELECT status FROM handoffs WHERE id = ?", sent) == [("accepted",)]
    assert query(db, "SELECT lifecycle_stage FROM contacts WHERE id = 1") == [("opportunity",)]
    code, _, err = run(capsys, "--db", str(db), "handoff", "accept", str(sent), "--as", "tom")
    assert code == 2
    assert "already accepted" in err


def test_only_the_addressee_accepts(capsys, db, sent):
    before = snapshot(db)
    code, _, err = run(capsys, "--db", str(db), "handoff", "accept", str(sent), "--as", "maya")
    assert code == 2
    assert err.startswith("revdesk: error: --as: handoff 1 is addressed to tom")
    assert snapshot(db) == before


def test_reject_returns_the_lead_to_the_sender(capsys, db, sent):
    note = "Budget owner unclear; ask Lea about Q1"
    code, out, err = run(capsys, "--db", str(db), "handoff", "reject", str(sent), "--as", "tom", "--reason",
                         "incomplete_context", "--note", note)
    assert code == 0, err
    assert f"Handoff {sent} rejected (Context incomplete): the lead is back in the sender's queue" in out
    assert query(db, "SELECT status, reject_reason, reject_note FROM handoffs WHERE id = ?", sent) == [
        ("rejected", "incomplete_context", note)]
    assert query(db, "SELECT lead_status, lifecycle_stage FROM contacts WHERE id = 1") == [("connected", "sal")]
    code, out, err = run(capsys, "--db", str(db), "--as", "maya", "queue", "--json")
    assert code == 0, err
    item = next(i for i in json.loads(out) if i["contact_id"] == 1)
    assert item["kind"] == "follow_up"
    assert "Tom Reyes" in item["reason"] and note in item["reason"]


def test_reject_json(capsys, db, sent):
    code, out, err = run(capsys, "--db", str(db), "handoff", "reject", str(sent), "--as", "tom", "--reason",
                         "bad_fit", "--note", "They build their own software", "--json")
    assert code == 0, err
    assert json.loads(out) == {"handoff_id": sent, "status": "rejected", "reason": "bad_fit", "then": "disqualify"}
    assert query(db, "SELECT lead_status, lifecycle_stage FROM contacts WHERE id = 1") == [
        ("disqualified", "disqualified")]


def test_reject_names_reason_and_note_together(capsys, db, sent):
    before = snapshot(db)
    code, _, err = run(capsys, "--db", str(db), "handoff", "reject", str(sent), "--as", "tom", "--reason", "meh",
                       "--note", "no")
    assert code == 2
    lines = err.strip().splitlines()
    assert lines[0] == "revdesk: error: refused, nothing was written; 2 to fix:"
    assert lines[1].startswith("  --reason: 'meh' is not a reject reason")
    assert lines[2] == "  --note: say why in at least 12 characters"
    assert snapshot(db) == before


def test_reject_needs_reason_and_note_options(capsys, db, sent):
    code, _, err = run(capsys, "--db", str(db), "handoff", "reject", str(sent), "--as", "tom")
    assert code == 2
    assert "--reason" in err and "--note" in err
