"""Snapshots of the key screens on the small dataset with a fixed clock (update with --snapshot-update)."""

from __future__ import annotations

from tests.factories import fixed_clock
from tests.tui.helpers import settle
from tui.app import build_app

SIZE = (130, 36)


def test_today_screen(store, snap_compare):
    async def ready(pilot):
        await settle(pilot)

    assert snap_compare(build_app(store, "maya", clock=fixed_clock), terminal_size=SIZE, run_before=ready)


def test_call_mode(store, snap_compare):
    async def open_call(pilot):
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(build_app(store, "maya", clock=fixed_clock), terminal_size=SIZE, run_before=open_call)


def test_call_mode_after_an_outcome(store, snap_compare):
    async def log_one(pilot):
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(build_app(store, "maya", clock=fixed_clock), terminal_size=SIZE, run_before=log_one)


def test_kpi_dashboard(store, snap_compare):
    async def open_dashboard(pilot):
        await settle(pilot)
        await pilot.press("K")
        await settle(pilot)

    assert snap_compare(build_app(store, "maya", clock=fixed_clock), terminal_size=SIZE, run_before=open_dashboard)
