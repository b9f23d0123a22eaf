"""Names, titles, notes and sources that look like Rich markup (`Acme [/] Ltd`, `[red]CEO [/]`) are shown as
written on every screen and dialog: they crashed call mode, Account 360, the handoff review, the note, follow-up,
enroll, snooze and assign dialogs and the rep picker."""

from __future__ import annotations

import pytest

from revdesk.db.common.connection import transaction
from revdesk.tui.app import build_app
from tests.factories import fixed_clock
from tests.tui.helpers import settle
from tests.tui.screen_data import build_screen_data, copy_of
from tests.tui.screen_text import screen_text

NAME = "Acme [/] Ltd [bold]x"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_screen_data(tmp_path_factory.mktemp("markup") / "template.db")


@pytest.mark.parametrize("handle, keys", [
    ("maya", ("enter",)),  # call mode
    ("maya", ("j", "enter", "A")),  # Account 360
    ("maya", ("enter", "n")),  # the note dialog
    ("maya", ("enter", "f")),  # the follow-up form
    ("maya", ("enter", "E")),  # the enroll dialog
    ("tom", ("i", "enter")),  # the handoff review
    ("alex", ("D", "z")),  # snooze a dormant account
    ("alex", ("D", "a")),  # assign it
    ("alex", ("K", "u")),  # the rep picker
])
async def test_markup_like_names_are_shown_as_written(template, tmp_path, handle, keys):
    store = copy_of(template, tmp_path)
    with transaction(store.conn):
        store.conn.execute("UPDATE accounts SET name = ? || ' ' || id, domain = '[i]' || id || '.example'",
                           (NAME,))
        store.conn.execute("UPDATE contacts SET title = '[red]CEO [/]', lead_source = '[b]Web', first_name = "
                           "first_name || ' [/]'")
        store.conn.execute("UPDATE users SET name = name || ' [/]'")
    try:
        app = build_app(store, handle, clock=fixed_clock)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
            assert app.return_code is None, "the app is still running: nothing crashed"
            assert "[/]" in screen_text(app), "the name is shown literally"
    finally:
        store.close()


async def test_a_screens_own_toast_shows_a_name_as_written(template, tmp_path):
    """Screen.notify passes markup=True to the app; the app still shows the message as typed."""
    store = copy_of(template, tmp_path)
    try:
        app = build_app(store, "maya", clock=fixed_clock)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            app.screen.notify(f"Moved {NAME}")
            await settle(pilot)
            assert app.return_code is None
            assert [(n.message, n.markup) for n in app._notifications] == [(f"Moved {NAME}", False)]
    finally:
        store.close()
