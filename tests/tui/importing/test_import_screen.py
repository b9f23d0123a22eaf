"""The import screen driven with Pilot: I opens it, ctrl+d dry-runs a file (the rejected rows listed, nothing
written), ctrl+s imports it after a confirmation (the good rows in, the rejects CSV written in the current
directory), and a missing file, a bad mapping or missing columns are named in red while nothing is written."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import DataTable, Input, Select, Static

from revdesk.db.importing.layouts import MAPPINGS_DIR
from revdesk.tui.app import build_app
from revdesk.tui.dialogs.confirm import ConfirmModal
from revdesk.tui.importing.import_screen import DETECT, ImportScreen, mapping_choices
from tests.factories import fixed_clock
from tests.tui.helpers import settle

USERS_CSV = ("handle,name,role,team,timezone\n"
             "zoe,Zoe Ray,ae,North,Europe/Berlin\n"
             "buzz,Buzz Light,astronaut,North,UTC\n")
ASTRONAUT = "'astronaut' is not a role (sdr, ae, cs, manager or founder)"


@pytest.fixture
def here(tmp_path, monkeypatch) -> Path:
    """The tests' current directory, where the rejects CSV goes: tmp_path, never the repository."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _users(store) -> int:
    return store.conn.execute("SELECT count(*) FROM users").fetchone()[0]


def _rows(table: DataTable) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


def _text(screen: ImportScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def _open(pilot) -> ImportScreen:
    await settle(pilot)
    await pilot.press("I")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ImportScreen)
    assert screen.focused is screen.query_one("#import-file", Input)
    return screen


async def _type(pilot, text: str) -> None:
    """Type into the focused input key by key, as a person would."""
    await pilot.press(*text)
    await pilot.pause()


async def test_dry_run_lists_the_rejected_row_and_writes_nothing_then_import_writes_the_good_row(store, here):
    users_csv = here / "users.csv"
    users_csv.write_text(USERS_CSV, encoding="utf-8")
    before = _users(store)
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 42)) as pilot:
        screen = await _open(pilot)
        await _type(pilot, str(users_csv))
        assert screen.query_one("#import-file", Input).value == str(users_csv)

        await pilot.press("ctrl+d")
        await settle(pilot)
        assert _users(store) == before  # a dry run writes nothing
        table = screen.query_one("#import-problems", DataTable)
        assert table.display
        assert _rows(table) == [["3", "role", ASTRONAUT]]
        summary = _text(screen, "#import-summary")
        assert "Dry run of users.csv as users" in summary
        assert "2 rows · would create 1 · would update 0 · 1 rejected" in summary
        assert "Nothing was written" in summary
        assert not (here / "users.rejected.csv").exists()  # not even the list of rejected rows
        assert _text(screen, "#import-error") == ""
        assert screen.checked is not None

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert "The dry run found 2 rows: 1 to create, 0 to update, 1 rejected" in app.screen.question
        assert _users(store) == before
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is screen

        assert _users(store) == before + 1
        zoe = store.conn.execute("SELECT name, role, team FROM users WHERE handle = 'zoe'").fetchone()
        assert tuple(zoe) == ("Zoe Ray", "ae", "North")
        assert store.conn.execute("SELECT count(*) FROM users WHERE handle = 'buzz'").fetchone()[0] == 0
        summary = _text(screen, "#import-summary")
        assert "Imported users.csv as users" in summary
        assert "created 1 · updated 0 · 1 rejected" in summary
        rejects = here / "users.rejected.csv"
        assert f"Rejected rows are listed in {rejects}" in summary.replace("\n", "")
        with rejects.open(encoding="utf-8", newline="") as listed:
            assert list(csv.reader(listed)) == [["line", "column", "reason"], ["3", "role", ASTRONAUT]]
        assert _rows(table) == [["3", "role", ASTRONAUT]]
        assert screen.checked is None  # the dry run no longer stands for what a new import would do

        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ImportScreen)


async def test_cancelling_the_confirmation_writes_nothing(store, here):
    users_csv = here / "users.csv"
    users_csv.write_text(USERS_CSV, encoding="utf-8")
    before = _users(store)
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 42)) as pilot:
        screen = await _open(pilot)
        await _type(pilot, str(users_csv))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert "No dry run with these settings yet" in app.screen.question
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert _users(store) == before
        assert not (here / "users.rejected.csv").exists()


async def test_enter_in_the_file_field_runs_the_dry_run(store, here):
    users_csv = here / "users.csv"
    users_csv.write_text(USERS_CSV, encoding="utf-8")
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 42)) as pilot:
        screen = await _open(pilot)
        await _type(pilot, str(users_csv))
        await pilot.press("enter")
        await settle(pilot)
        assert "would create 1" in _text(screen, "#import-summary")


async def test_a_missing_file_is_named_in_red_and_nothing_is_written(store, here):
    before = _users(store)
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 42)) as pilot:
        screen = await _open(pilot)
        await pilot.press("ctrl+d")  # no file given yet
        await settle(pilot)
        assert _text(screen, "#import-error") == "file: give the path of a CSV or JSON export"

        await _type(pilot, str(here / "nope.csv"))
        await pilot.press("ctrl+d")
        await settle(pilot)
        error = screen.query_one("#import-error", Static).content
        assert str(error) == f"file: {here / 'nope.csv'} does not exist"
        assert isinstance(error, Text) and "red" in str(error.style)
        assert "nothing was written" in _text(screen, "#import-progress")
        assert not screen.query_one("#import-problems", DataTable).display
        assert screen.running is None  # the screen is ready for the next try
        assert _users(store) == before


async def test_a_bad_mapping_and_missing_columns_are_named(store, here):
    users_csv = here / "users.csv"
    users_csv.write_text(USERS_CSV, encoding="utf-8")
    bad = here / "bad.toml"
    bad.write_text('kind = "users"\n[columns]\nname = "name"\nshoe_size = "size"\n', encoding="utf-8")
    before = _users(store)
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 42)) as pilot:
        screen = await _open(pilot)
        await _type(pilot, str(users_csv))
        await pilot.press("ctrl+d")  # a good dry run first: its figures must not stay on screen after a failure
        await settle(pilot)
        assert "would create 1" in _text(screen, "#import-summary")
        screen.query_one("#import-mapping-path", Input).value = str(bad)
        await pilot.press("ctrl+d")
        await settle(pilot)
        error = _text(screen, "#import-error")
        assert str(bad) in error and "shoe_size" in error and "is not a field of users" in error
        assert _text(screen, "#import-summary") == ""
        assert not screen.query_one("#import-problems", DataTable).display

        screen.query_one("#import-mapping-path", Input).value = ""
        screen.query_one("#import-mapping", Select).value = str(MAPPINGS_DIR / "hubspot-contacts.toml")
        await pilot.press("ctrl+d")
        await settle(pilot)
        error = _text(screen, "#import-error")
        assert "users.csv has no column 'Email', 'Last Name'" in error
        assert _users(store) == before


async def test_contacts_through_a_fixture_mapping(store, here):
    contacts_csv = here / "hubspot.csv"
    contacts_csv.write_text("contact_id,First Name,Last Name,Email,Phone Number,Lifecycle Stage\n"
                            "h1,Ada,Lovelace,ada@example.org,+49 30 1234567,Lead\n"
                            "h2,No,Address,not-an-email,,Lead\n", encoding="utf-8")
    contacts = "SELECT count(*) FROM contacts"
    before = store.conn.execute(contacts).fetchone()[0]
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 42)) as pilot:
        screen = await _open(pilot)
        await _type(pilot, str(contacts_csv))
        screen.query_one("#import-mapping", Select).value = str(MAPPINGS_DIR / "hubspot-contacts.toml")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")  # enter confirms too
        await settle(pilot)
        summary = _text(screen, "#import-summary")
        assert "Imported hubspot.csv as contacts (HubSpot contacts)" in summary
        assert "created 1" in summary and "1 rejected" in summary
        assert store.conn.execute(contacts).fetchone()[0] == before + 1
        assert (here / "hubspot.rejected.csv").exists()
        assert [r[1] for r in _rows(screen.query_one("#import-problems", DataTable))] == ["Email"]


def test_mapping_choices_list_own_columns_then_the_fixture_mappings():
    choices = mapping_choices()
    assert choices[0] == (DETECT, DETECT)
    assert "hubspot-contacts.toml" in [label for label, _ in choices]
    assert all(Path(value).is_file() for _, value in choices[1:])


async def test_the_palette_lists_import(store, here):
    from tests.tui.helpers import open_from_palette

    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 42)) as pilot:
        await open_from_palette(pilot, "Import")
        assert isinstance(app.screen, ImportScreen)


async def test_the_progress_line_follows_the_importer_on_the_ui_thread(store, here, monkeypatch):
    """The importer reports its phases from the worker thread; the line is updated on the UI thread."""
    import threading

    users_csv = here / "many.csv"
    users_csv.write_text("handle,name,role,team\n" + "".join(f"u{i},User {i},sdr,East\n" for i in range(1_000)),
                         encoding="utf-8")
    lines: list[tuple[str, bool]] = []
    original = ImportScreen._progress_line

    def recording(self, text) -> None:  # noqa: ANN001
        lines.append((str(text), threading.current_thread() is threading.main_thread()))
        original(self, text)

    monkeypatch.setattr(ImportScreen, "_progress_line", recording)
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 42)) as pilot:
        screen = await _open(pilot)
        await _type(pilot, str(users_csv))
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert ("Checking many.csv: 0 of 1,000 rows…  (dry run: rolled back at the end)", True) in lines
        assert ("Writing many.csv: 1,000 of 1,000 rows…  (dry run: rolled back at the end)", True) in lines
        assert all(on_ui for _, on_ui in lines)
        assert "would create 1,000" in _text(screen, "#import-summary")


async def test_a_pipedrive_file_is_told_by_its_columns_and_its_owners_found_through_an_owner_map(store, here):
    people = here / "people.csv"
    people.write_text("Person - ID,Person - Name,Person - Email,Person - Organization,Person - Owner\n"
                      "7,Zoë Ångström,zoe@nordlicht.se,Nordlicht AB,Maya P.\n", encoding="utf-8")
    owners = here / "owners.csv"
    owners.write_text("owner,handle\nMaya P.,maya\n", encoding="utf-8")
    app = build_app(store, "maya", clock=fixed_clock)
    async with app.run_test(size=(140, 42)) as pilot:
        screen = await _open(pilot)
        await _type(pilot, str(people))
        await pilot.press("ctrl+d")
        await settle(pilot)
        assert _rows(screen.query_one("#import-problems", DataTable))[0][1] == "Person - Owner"  # no such user
        assert "Pipedrive people, told by its columns" in _text(screen, "#import-summary")
        screen.query_one("#import-owner-map", Input).value = str(owners)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "created 1" in _text(screen, "#import-summary")
    owner = store.conn.execute("SELECT u.handle FROM contacts c JOIN users u ON u.id = c.owner_id"
                               " WHERE c.email = 'zoe@nordlicht.se'").fetchone()
    assert tuple(owner) == ("maya",)
