"""Shared fixtures. Every test runs with revdesk's data and config dirs redirected into tmp_path."""

from __future__ import annotations

import pytest

from revdesk.db.common.connection import Store
from revdesk.db.workbench import Workbench
from tests.factories import fixed_clock, make_store


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("REVDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REVDESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("REVDESK_EXIT_WHEN_READY", raising=False)


@pytest.fixture
def store(tmp_path) -> Store:
    store = make_store(tmp_path / "small.db")
    yield store
    store.close()


@pytest.fixture
def maya(store) -> Workbench:
    return Workbench.open(store, "maya", fixed_clock)
