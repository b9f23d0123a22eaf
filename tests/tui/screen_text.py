"""The text a user sees on the real app's screen, line by line, to check that nothing is cut off."""

from __future__ import annotations

from textual.app import App


def screen_lines(app: App) -> list[str]:
    """Every line of the screen as rendered now (the top screen and what shows through it)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def screen_text(app: App) -> str:
    return "\n".join(screen_lines(app))
