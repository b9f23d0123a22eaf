"""Snapshots of every key screen at 80x24, 120x36 and 160x48 (update with --snapshot-update).

The config is stable: the fixed clock of tests/factories, one database built once (tests/tui/screen_data.py),
no blinking cursor and no toasts when the picture is taken. Look at a changed snapshot before accepting it: as an
SDR, an AE and a founder would, nothing may be cut off (tests/tui/test_screen_widths.py checks the key facts)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from revdesk.tui.app import build_app
from tests.factories import fixed_clock
from tests.tui.helpers import settle
from tests.tui.screen_data import build_screen_data, copy_of

SIZES = {"80x24": (80, 24), "120x36": (120, 36), "160x48": (160, 48)}


@dataclass(frozen=True)
class Shot:
    """A screen as one user reaches it: whose app, then the keys (a tuple is pressed; a str is what the user
    typed into the focused field, put there at once: typing it key by key costs seconds)."""

    handle: str
    keys: tuple[str | tuple[str, ...], ...] = ()


AE_LANE = ("l", "l", "l", "l")  # past the four SDR lanes: the first deal stage
SHOTS = {
    "today": Shot("maya"),
    "call_mode": Shot("maya", (("enter",),)),
    "handoff_form": Shot("maya", (("j", "enter"), ("h",))),
    "handoff_inbox": Shot("tom", (("i",),)),
    "handoff_review": Shot("tom", (("i",), ("enter",))),
    "pipeline": Shot("tom", (("p",),)),
    "deal_move_modal": Shot("tom", (("p",), AE_LANE, ("m",))),
    "account_360": Shot("maya", (("j", "enter"), ("A",))),
    "kpi_dashboard": Shot("alex", (("K",),)),
    "funnel_and_deals": Shot("alex", (("F",),)),
    "leaks": Shot("alex", (("L",),)),
    "dormant": Shot("alex", (("D",),)),
    "sequences": Shot("alex", (("S",),)),
    "import_screen": Shot("alex", (("I",),)),
    "follow_up_modal": Shot("maya", (("enter",), ("f",), "tomorrow 9:00", ("tab",), "Send the pilot plan")),
    "help": Shot("maya", (("question_mark",),)),
}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_screen_data(tmp_path_factory.mktemp("screens") / "template.db")


def drive(shot: Shot) -> Callable[[Pilot], object]:
    async def run(pilot: Pilot) -> None:
        await settle(pilot)
        for step in shot.keys:
            if isinstance(step, str):
                field = pilot.app.focused
                assert isinstance(field, Input), f"typing {step!r} needs a focused input, not {field!r}"
                field.value = step
                await pilot.pause()
            else:
                for key in step:
                    await pilot.press(key)
                    await settle(pilot)
        await settle(pilot)
        for field in pilot.app.screen.query("Input, TextArea"):
            if isinstance(field, Input | TextArea):
                field.cursor_blink = False  # the picture never catches the cursor half-way through a blink
        pilot.app.clear_notifications()
        await pilot.pause()

    return run


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(SHOTS))
def test_screen(name, size, template, tmp_path, snap_compare):
    store = copy_of(template, tmp_path)
    try:
        app = build_app(store, SHOTS[name].handle, clock=fixed_clock)
        assert snap_compare(app, terminal_size=SIZES[size], run_before=drive(SHOTS[name]))
    finally:
        store.close()
