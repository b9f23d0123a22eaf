"""The floor for start-up: a bare Textual app with a header, a table and a footer that exits once drawn."""

import os
import time

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header


class Bare(App):
    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self.ready)

    def ready(self) -> None:
        ready_file = os.environ.get("REVDESK_READY_FILE")
        if ready_file:
            with open(ready_file, "w", encoding="utf-8") as out:
                out.write(f"{time.time():.6f}\n")
        self.exit()


if __name__ == "__main__":
    Bare().run()
