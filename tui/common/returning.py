"""Screens whose data moves on while another screen is on top of them (call mode, a dialog, a review) reload
when they are shown again."""

from __future__ import annotations


class ReloadsOnReturn:
    """Mix into a Screen and define `reload`: it runs each time the screen comes back to the top."""

    _away = False

    def on_screen_suspend(self) -> None:
        self._away = True

    def on_screen_resume(self) -> None:
        if self._away:
            self._away = False
            self.reload()

    def reload(self) -> None:
        raise NotImplementedError
