"""Driving the real app with Pilot: wait until workers are done and the screen has settled."""

from __future__ import annotations

from textual.pilot import Pilot


async def settle(pilot: Pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def open_call_mode(pilot: Pilot) -> None:
    """From a fresh Today screen: wait for the queue, then Enter on the first item."""
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def open_from_palette(pilot: Pilot, name: str) -> None:
    """Ctrl+P, type `name`, wait until the palette lists it first, then Enter."""
    await settle(pilot)
    await pilot.press("ctrl+p")
    await pilot.press(*name)
    for _ in range(40):
        await pilot.pause(0.05)
        if name in str(pilot.app.screen.query("CommandList").first().get_option_at_index(0).prompt):
            break
    await pilot.press("enter")
    await settle(pilot)
