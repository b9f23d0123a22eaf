"""The one table every command prints, fitted to the terminal: facts (numbers, ids, money, dates, decisions) are
never cut or wrapped, names and sentences wrap first, and when even that can't fit the width, the table becomes a
record list (one block per row, `field: value` lines). Every cell is user text shown literally: never Rich markup,
control characters as visible pictures (tui.common.text.printable)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from revdesk.tui.common.text import cell_width, printable, shrink_widest

if TYPE_CHECKING:  # rich is imported when a table is built: --json and --help start without it
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

Fit = Literal["fact", "name"]

NAME_FLOOR = 8  # a name or sentence column is never narrower than this (or its longest header word)


@dataclass(frozen=True)
class Column:
    """A fact is as wide as its widest cell, on one line; a name wraps (a word too long for it folds), never
    narrower than `floor` (or NAME_FLOOR) when its cells are that wide."""

    header: str
    fit: Fit = "name"
    right: bool = False
    floor: int = NAME_FLOOR


def fact(header: str, right: bool = False) -> Column:
    return Column(header, "fact", right)


def name(header: str, floor: int = NAME_FLOOR) -> Column:
    return Column(header, "name", floor=floor)


@dataclass
class _Row:
    cells: list[Text]
    style: str | None = None
    section: bool = False  # a rule above this row


@dataclass
class CliTable:
    """Build with add_row()/add_section(), then print(): a table when it fits the console, else a record list."""

    title: str
    columns: Sequence[Column]
    caption: str | None = None
    rows: list[_Row] = field(default_factory=list)
    _section_next: bool = False

    def add_row(self, *cells: str | Text | None, style: str | None = None) -> None:
        from revdesk.tui.cli.output import literal

        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        self.rows.append(_Row([literal(c) for c in cells], style, self._section_next))
        self._section_next = False

    def add_section(self) -> None:
        self._section_next = bool(self.rows)

    def print(self, out: Console | None = None) -> None:
        from revdesk.tui.cli.common import console

        out = out or console()
        ideal, minimum, columns = self._ideal(), self._minimum(), len(self.columns)
        for boxed in (True, False):  # ruled boxes when they fit, else columns two spaces apart
            widths = fit_widths(ideal, minimum, out.width - overhead(columns, boxed))
            if widths is not None:
                out.print(self._table(widths, boxed))
                return
        out.print(self._records())

    # the widths
    def _content(self, index: int) -> int:
        return max((cell_width(row.cells[index].plain) for row in self.rows), default=0)

    def _ideal(self) -> list[int]:
        from rich.cells import cell_len

        return [max(self._content(i), cell_len(c.header)) for i, c in enumerate(self.columns)]

    def _minimum(self) -> list[int]:
        from rich.cells import cell_len

        minimum = []
        for i, column in enumerate(self.columns):
            word = max((cell_len(w) for w in column.header.split()), default=0)
            content = self._content(i)
            if column.fit == "fact":
                minimum.append(max(content, word))
            else:
                minimum.append(min(max(content, cell_len(column.header)), max(column.floor, word)))
        return minimum

    # the shapes: a table, boxed or not, and a record list
    def _table(self, widths: list[int], boxed: bool) -> Table:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        shape = {} if boxed else {"box": box.SIMPLE_HEAD, "show_edge": False, "pad_edge": False,
                                  "padding": (0, 1, 0, 0)}
        table = Table(title=Text(printable(self.title), style="bold"), title_justify="left",
                      caption=Text(printable(self.caption)) if self.caption else None, caption_justify="left",
                      **shape)
        for column, width in zip(self.columns, widths, strict=True):
            header = Text(printable(column.header), no_wrap=False)  # a fact's header wraps between its words
            table.add_column(header, width=width, no_wrap=column.fit == "fact",
                             overflow="fold", justify="right" if column.right else "left")
        for row in self.rows:
            if row.section:
                table.add_section()
            table.add_row(*row.cells, style=row.style)
        return table

    def _records(self) -> Text:
        from rich.text import Text

        lines = [Text(printable(self.title), style="bold")]
        if self.caption:
            lines.append(Text(printable(self.caption), style="dim"))
        for row in self.rows:
            lines.append(Text())
            for column, cell in zip(self.columns, row.cells, strict=True):
                if cell.plain.strip():
                    line = Text.assemble((f"{printable(column.header)}: ", "bold"), cell, style=row.style or "")
                    lines.append(line)
        return Text("\n").join(lines)


def overhead(columns: int, boxed: bool = True) -> int:
    """What a table spends beside its cells. Boxed: two edges, a rule between columns and a space either side of
    each cell; unboxed: a space and a blank rule between columns."""
    return 3 * columns + 1 if boxed else 2 * (columns - 1)


def fit_widths(ideal: list[int], minimum: list[int], available: int) -> list[int] | None:
    """Each column's width: the ideal ones if they fit, else the widest shrunk first, never below its minimum;
    None when even the minimums don't fit."""
    if sum(minimum) > available:
        return None
    widths = list(ideal)
    shrink_widest(widths, minimum, sum(widths) - available)  # takes it all: the minimums fit
    return widths
