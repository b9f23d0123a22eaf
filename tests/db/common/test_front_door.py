"""The workbench is db's one front door: the TUI and the CLI import nothing else of db and hold no connection; the
workbench is one facade made of a desk per room, with one clock (the dormancy desk has none of its own), and what
it re-exports loads on first use."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import revdesk.db.workbench as front
from revdesk.core.common.errors import InvalidInput
from revdesk.db.common.desk import Desk
from revdesk.db.workbench import Workbench
from tests.dormant_factories import add_customer
from tests.factories import NOW, fixed_clock

ROOT = Path(__file__).resolve().parents[3]
FRONT_DOOR = "revdesk.db.workbench"


def _modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def _db_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """Every revdesk.db module imported, at module level or inside a function."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("revdesk.db"):
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("revdesk.db")]
    return found


def test_the_tui_and_the_cli_import_only_the_workbench_of_db():
    strays = [f"{path.relative_to(ROOT)}:{line} {module}" for path in _modules("tui")
              for line, module in _db_imports(ast.parse(path.read_text(encoding="utf-8")))
              if module != FRONT_DOOR]
    assert strays == []


def test_no_connection_is_held_in_the_tui_or_the_cli():
    conns = [f"{path.relative_to(ROOT)}:{node.lineno}" for path in _modules("tui")
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Attribute) and node.attr == "conn"]
    assert conns == []


def test_no_room_of_db_imports_the_front_door_back():
    back = [f"{path.relative_to(ROOT)}:{line}" for path in _modules("db") if path.name != "workbench.py"
            for line, module in _db_imports(ast.parse(path.read_text(encoding="utf-8"))) if module == FRONT_DOOR]
    assert back == [], "the dashboard <-> workbench circle (kpi_for lives in db.analytics.kpi) stays broken"


def test_the_facade_and_its_desks_stay_small():
    files = [ROOT / "db/workbench.py", *(ROOT / "db").glob("*/desk.py")]
    assert {path.name for path in files} == {"workbench.py", "desk.py"}
    assert [f.relative_to(ROOT) for f in files if len(f.read_text(encoding="utf-8").splitlines()) > 400] == []


def test_every_re_export_resolves():
    for name in front._HOME:
        assert getattr(front, name) is not None, name
    with pytest.raises(AttributeError):
        front.no_such_thing  # noqa: B018


def test_the_workbench_is_made_of_one_desk_per_room():
    desks = {c.__module__ for c in Workbench.__mro__ if issubclass(c, Desk) and c not in (Workbench, Desk)}
    assert "revdesk.db.dormancy.desk" in desks and "revdesk.db.calls.desk" in desks
    names = [name for c in Workbench.__mro__[1:] if c is not Desk and c is not object for name in vars(c)
             if not name.startswith("__")]
    assert len(names) == len(set(names)), "no desk overrides another's method"


def test_dormancy_goes_by_the_workbench_clock_and_needs_someone_only_for_mine(store):
    add_customer(store, "Acme", owner_id=1, revenue=50_000, quiet_days=400)
    later = NOW.replace(year=NOW.year + 3)
    maya = Workbench.open(store, "maya", fixed_clock)
    assert [a.name for a in maya.dormant("mine")] == ["Acme"]
    assert maya.now() == fixed_clock().astimezone(maya.tz)
    ahead = Workbench.open(store, "maya", lambda: later)
    assert ahead.dormant("mine")[0].days_dormant > maya.dormant("mine")[0].days_dormant, "one clock: the bench's"
    nobody = Workbench(store, None, fixed_clock)
    assert nobody.dormant_count("all") == 1
    with pytest.raises(InvalidInput) as refused:
        nobody.dormant("mine")
    assert refused.value.field == "as"
