"""Rich tables whose text cells are shown as written: a str cell is a name, a note or a title, never markup
(`Acme [/] Ltd` would crash Rich; `[bold]x` would restyle the screen)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text


class LiteralTable(Table):
    """A rich Table that turns each str cell into Text before adding the row."""

    def add_row(self, *cells, **kwargs) -> None:  # type: ignore[override]
        super().add_row(*(Text(cell) if isinstance(cell, str) else cell for cell in cells), **kwargs)


def label_grid(fold: bool = False) -> LiteralTable:
    """Two columns, a dim label and its value; `fold` folds a long word (an address) instead of cutting it."""
    grid = LiteralTable.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold" if fold else "ellipsis")
    return grid
