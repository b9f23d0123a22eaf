"""What revdesk does to database files: it never writes its schema into another program's SQLite file, a dry
run writes nothing at all, a first import or playbook leaves a whole database or none, and every file and
folder it makes is private (0600/0700) whatever the umask."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from revdesk.core.common.errors import InvalidInput
from revdesk.db.common.connection import Store, schema_version
from revdesk.db.common.files import partial_path
from revdesk.db.migrations.runner import SCHEMA_VERSION, script
from revdesk.fixtures import DEFAULT_PLAYBOOK
from tests.factories import make_store
from tests.tui.cli.cli_helpers import run

ROOT = Path(__file__).resolve().parents[3]
SEQUENCE = ROOT / "fixtures" / "sequences" / "cold-outbound.toml"


def _foreign(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute("INSERT INTO notes (text) VALUES ('not revdesk''s')")
    conn.commit()
    conn.close()
    return path


def _digest(folder: Path) -> dict[str, str]:
    """Every file in the folder and its bytes' checksum."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _contacts_csv(folder: Path) -> Path:
    path = folder / "contacts.csv"
    path.write_text("first_name,last_name,email\nJonas,Weber,jonas@nordwind.de\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("options", [{}, {"create": False}, {"scratch": True}])
def test_another_programs_sqlite_file_is_refused_untouched(tmp_path, options):
    path = _foreign(tmp_path / "notes.db")
    before = _digest(tmp_path)
    refusal = "not a revdesk database: another program's SQLite file.*nothing was changed"
    with pytest.raises(InvalidInput, match=refusal) as caught:
        Store(path, **options).conn  # noqa: B018
    assert caught.value.field == "--db"
    assert _digest(tmp_path) == before


def test_a_file_using_user_version_for_itself_is_not_taken_for_revdesk(tmp_path):
    path = _foreign(tmp_path / "other.db")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 3")
    conn.close()
    with pytest.raises(InvalidInput, match="another program's"):
        Store(path).conn  # noqa: B018


@pytest.mark.parametrize("argv", [
    ["import", "{csv}", "--dry-run"], ["import", "{csv}"], ["playbook", "apply", str(DEFAULT_PLAYBOOK)],
    ["sequences", "apply", str(SEQUENCE)],
])
def test_commands_refuse_another_programs_file_in_one_line(capsys, tmp_path, argv):
    path = _foreign(tmp_path / "notes.db")
    csv = _contacts_csv(tmp_path)
    before = _digest(tmp_path)
    code, _, err = run(capsys, "--db", str(path), *[a.format(csv=csv) for a in argv])
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "--db" in err and "nothing was changed" in err
    assert _digest(tmp_path) == before


def test_a_dry_run_on_a_missing_path_creates_nothing(capsys, tmp_path):
    csv = _contacts_csv(tmp_path)
    target = tmp_path / "new" / "team.db"
    code, out, err = run(capsys, "--db", str(target), "import", str(csv), "--dry-run")
    assert code == 0, err
    assert "1 created" in out.replace("\n", " ")
    assert not target.parent.exists()


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_a_dry_run_on_an_older_database_leaves_it_as_it_was(capsys, tmp_path, journal):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(script(1) + f"\nPRAGMA user_version = 1; PRAGMA journal_mode = {journal};")
    conn.close()
    csv = _contacts_csv(tmp_path)
    before = _digest(tmp_path)
    code, out, err = run(capsys, "--db", str(path), "import", str(csv), "--dry-run")
    assert code == 0, err
    assert "nothing was written" in out
    assert _digest(tmp_path) == before


def test_a_dry_run_on_an_up_to_date_database_writes_no_row(capsys, tmp_path):
    path = tmp_path / "team.db"
    make_store(path).close()
    csv = _contacts_csv(tmp_path)
    code, _, err = run(capsys, "--db", str(path), "import", str(csv), "--dry-run")
    assert code == 0, err
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM contacts WHERE email = 'jonas@nordwind.de'").fetchone()[0] == 0
    conn.close()


def test_a_scratch_store_migrates_in_memory_only(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(script(1) + "\nPRAGMA user_version = 1;")
    conn.close()
    store = Store(path, scratch=True)
    assert schema_version(store.conn) == SCHEMA_VERSION
    check = sqlite3.connect(path)
    assert schema_version(check) == 1
    check.close()


def test_a_failed_first_import_leaves_no_database(capsys, tmp_path):
    csv = _contacts_csv(tmp_path)
    target = tmp_path / "team.db"
    code, _, err = run(capsys, "--db", str(target), "--as", "nobody", "import", str(csv))
    assert code == 2, err
    assert not target.exists()
    assert not partial_path(target).exists()


def test_a_first_import_appears_whole_under_its_name(capsys, tmp_path):
    csv = _contacts_csv(tmp_path)
    target = tmp_path / "team.db"
    code, _, err = run(capsys, "--db", str(target), "import", str(csv))
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.csv", "team.db"]
    store = Store(target, create=False)
    assert store.conn.execute("SELECT COUNT(*) FROM contacts").fetchone()[0] == 1
    store.close()


def test_a_new_file_store_is_not_under_its_name_until_kept(tmp_path):
    target = tmp_path / "team.db"
    store = Store.new_file(target)
    store.conn.execute("CREATE TABLE IF NOT EXISTS probe (x)")
    assert not target.exists()
    store.keep()
    assert target.exists() and not partial_path(target).exists()
    assert Store(target, create=False).conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0


def test_a_new_file_store_dropped_without_keep_leaves_nothing(tmp_path):
    target = tmp_path / "team.db"
    store = Store.new_file(target)
    store.conn  # noqa: B018
    store.close()
    del store
    assert list(tmp_path.iterdir()) == []


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_new_database_and_its_wal_and_shm_are_private(tmp_path, umask_022):
    path = tmp_path / "team.db"
    store = make_store(path)
    assert _mode(path) == 0o600
    for side in ("-wal", "-shm"):
        assert _mode(Path(f"{path}{side}")) == 0o600
    store.close()


def test_an_existing_world_readable_database_is_tightened_on_open(tmp_path, umask_022):
    path = tmp_path / "team.db"
    make_store(path).close()
    os.chmod(path, 0o644)
    store = Store(path)
    store.conn  # noqa: B018
    assert _mode(path) == 0o600
    assert _mode(Path(f"{path}-wal")) == 0o600
    store.close()


def test_folders_made_for_a_database_are_private(capsys, tmp_path, umask_022):
    target = tmp_path / "a" / "b" / "team.db"
    code, _, err = run(capsys, "--db", str(target), "playbook", "apply", str(DEFAULT_PLAYBOOK))
    assert code == 0, err
    assert _mode(target) == 0o600
    assert _mode(target.parent) == 0o700 and _mode(target.parent.parent) == 0o700


def test_a_seeded_database_is_private(tmp_path, umask_022):
    from datetime import UTC, datetime

    from revdesk.db.seeding.seed import seed_database

    path = tmp_path / "seeded.db"
    seed_database(path, "demo", 1, datetime(2026, 11, 23, 13, tzinfo=UTC))
    assert _mode(path) == 0o600


@pytest.mark.parametrize("argv", [["users"], ["import", "{csv}"], ["seed", "demo"], ["demo"]])
@pytest.mark.parametrize("folder", ["new/", "."])
def test_a_folder_as_database_is_refused_naming_db(capsys, tmp_path, monkeypatch, argv, folder):
    monkeypatch.chdir(tmp_path)
    csv = _contacts_csv(tmp_path)
    code, _, err = run(capsys, "--db", folder, *[a.format(csv=csv) for a in argv])
    assert code == 2 and err.startswith(f"revdesk: error: --db: {folder} names a folder"), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.csv"]
