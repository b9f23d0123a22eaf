"""Fixtures for the handoff and deal CLI tests: a database, a qualified lead, a sent handoff, an open deal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.factories import make_store
from tests.tui.cli.cli_helpers import CONTEXT, fields, run


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "cli.db"
    make_store(path).close()
    return path


@pytest.fixture
def qualified(capsys, db) -> Path:
    """Contact 1 at 70 after a connected call logged through the CLI."""
    code, _, err = run(capsys, "--db", str(db), "--as", "maya", "log", "--contact", "1", "--type", "call",
                       "--outcome", "connected")
    assert code == 0, err
    return db


@pytest.fixture
def sent(capsys, qualified) -> int:
    code, out, err = run(capsys, "--db", str(qualified), "--as", "maya", "handoff", "send", "--contact", "1",
                         "--to", "tom", *fields(CONTEXT), "--json")
    assert code == 0, err
    return json.loads(out)["handoff_id"]


@pytest.fixture
def deal(capsys, db, sent) -> int:
    code, out, err = run(capsys, "--db", str(db), "--as", "tom", "handoff", "accept", str(sent), "--json")
    assert code == 0, err
    return json.loads(out)["deal_id"]
