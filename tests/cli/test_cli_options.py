"""Global options in either place, as the issue writes them (`revdesk queue --as H`)."""

from __future__ import annotations

import json

from tests.factories import make_store
from tui.cli import main


def test_as_and_db_after_the_subcommand(capsys, tmp_path):
    path = tmp_path / "team.db"
    make_store(path).close()
    capsys.readouterr()
    assert main(["queue", "--db", str(path), "--as", "maya", "--date", "2026-11-23", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert [i["contact_id"] for i in items] == [4, 3, 2, 1, 5]
    code = main(["log", "--db", str(path), "--as", "maya", "--contact", "1", "--type", "note", "--outcome",
                 "meeting_booked"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("revdesk: error: --outcome: 'meeting_booked' is not an outcome of 'note'")
