"""Column widths that fit a DataTable to the width it has: facts (numbers, ids, dates, decisions) are never cut,
names shorten with … only once the facts have their room, every column grows to its content when the screen is
wide, and optional columns step aside first when it is narrow."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rich.console import Console
from rich.text import Text
from textual.widgets import DataTable

from revdesk.tui.common.text import cell_width, shrink_widest

Cell = str | Text
Fit = Literal["fact", "name", "wrap"]

CELL_PADDING = 1  # DataTable's default padding either side of a cell
SCROLLBAR = 2  # the vertical scrollbar's width
_MEASURE = Console(width=1000, color_system=None)  # only measures and wraps text; never prints


@dataclass(frozen=True)
class Column:
    """One column: a fact is sized to its longest cell; a name shares what is left, `minimum` wide when there is
    room and never below `floor`, and shortens with …; a wrap column shares like a name but wraps onto more lines
    (a list of figures: nothing of it is cut). `drop` > 0 marks a column that may leave a narrow screen (highest
    goes first)."""

    label: str
    fit: Fit = "fact"
    minimum: int = 10
    right: bool = False
    drop: int = 0
    floor: int = 5  # a name is never shortened below this: "Acme…"; a decision's reason sets it higher

    def header(self) -> Text:
        return Text(self.label, justify="right" if self.right else "left")


def content_width(cell: Cell) -> int:
    return cell_width(cell.plain if isinstance(cell, Text) else str(cell))


def line_count(cell: Cell) -> int:
    return (cell.plain if isinstance(cell, Text) else str(cell)).count("\n") + 1


def plan(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], available: int) -> list[int | None]:
    """Each column's width, or None for a column dropped to make room; `available` is the table's inner width."""
    natural = [max([content_width(c.label), *(content_width(row[i]) for row in rows)]) for i, c in enumerate(columns)]
    shown = list(range(len(columns)))

    def room(indexes: list[int]) -> int:
        return available - SCROLLBAR - 2 * CELL_PADDING * len(indexes)

    def needed(indexes: list[int]) -> int:
        return sum(natural[i] if columns[i].fit == "fact" else min(natural[i], columns[i].minimum) for i in indexes)


    # Optional columns step aside, highest `drop` first, while the facts and the names' minimums don't fit.
    for i in sorted((i for i, c in enumerate(columns) if c.drop), key=lambda i: -columns[i].drop):
        if needed(shown) <= room(shown):
            break
        shown.remove(i)
    widths: dict[int, int] = {}
    for i in shown:
        widths[i] = natural[i] if columns[i].fit == "fact" else min(natural[i], columns[i].minimum)
    spare = room(shown) - sum(widths.values())
    names = [i for i in shown if columns[i].fit != "fact"]
    # Still too narrow: the names give up their minimums, down to a few cells each, before any fact is cut.
    floors = [max(columns[i].floor, content_width(columns[i].label)) for i in names]  # the header stays whole
    name_widths = [widths[i] for i in names]
    spare = -shrink_widest(name_widths, floors, -spare) if spare < 0 else spare
    widths.update(zip(names, name_widths, strict=True))
    # Names grow towards their longest cell, the shortest need first, so that none is cut that could be whole.
    wanting = sorted(names, key=lambda i: natural[i] - widths[i])
    for position, i in enumerate(wanting):
        if spare <= 0:
            break
        share = spare // (len(wanting) - position)
        grow = min(natural[i] - widths[i], share)
        widths[i] += grow
        spare -= grow
    return [widths.get(i) for i in range(len(columns))]


def shorten(cell: Cell, width: int) -> Cell:
    """A name cut to `width` cells with …, each line of it; a fact is never passed here."""
    if content_width(cell) <= width:
        return cell
    text = cell.copy() if isinstance(cell, Text) else Text(str(cell))
    lines = text.split("\n")
    for line in lines:
        line.truncate(width, overflow="ellipsis")
    return Text("\n").join(lines)


def wrap(cell: Cell, width: int) -> Cell:
    """A cell wrapped onto as many lines as it needs at `width` (between words; a long word folds)."""
    if content_width(cell) <= width:
        return cell
    text = cell.copy() if isinstance(cell, Text) else Text(str(cell))
    return Text("\n").join(text.wrap(_MEASURE, width, overflow="fold"))


def fit_cell(cell: Cell, column: Column, width: int) -> Cell:
    if isinstance(cell, str):
        cell = Text(cell)  # DataTable reads a str as markup: a name like "Acme [/] Ltd" must stay literal
    if column.fit == "fact":
        return cell
    return wrap(cell, width) if column.fit == "wrap" else shorten(cell, width)


def fill(table: DataTable, columns: Sequence[Column], rows: Sequence[Sequence[Cell]], keys: Sequence[str] | None = None,
         available: int | None = None) -> list[int | None]:
    """Clear `table` and show `rows` under `columns`, fitted to `available` (the table's own width by default)."""
    width = available if available is not None else (table.size.width or table.app.size.width)
    widths = plan(columns, rows, width)
    table.clear(columns=True)
    table.header_height = max(line_count(c.label) for c in columns)  # "Median\ndays": two short lines
    for column, column_width in zip(columns, widths, strict=True):
        if column_width is not None:
            table.add_column(column.header(), width=column_width)
    for n, row in enumerate(rows):
        cells = [fit_cell(cell, column, w) for cell, column, w in zip(row, columns, widths, strict=True)
                 if w is not None]
        height = max((line_count(c) for c in cells), default=1)
        table.add_row(*cells, key=keys[n] if keys else None, height=height)
    return widths
