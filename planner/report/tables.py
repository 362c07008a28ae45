"""Terminal tables that never cut a number or an id.

Numbers and ids are printed whole, on one line; only text columns (names, notes) wrap.
On a terminal too narrow even for that, each row is printed as a block of ``field  value``
lines instead. Into a pipe or a file, where no width holds, a table is printed as wide as
its rows, whole. Nothing is ever cut to ``20,978,70…``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

TEXT_MIN_WIDTH = 12
"""Characters a wrapping text column keeps at least before rows are printed as blocks."""


@dataclass(frozen=True)
class Column:
    """A column of a terminal table."""

    header: str
    numeric: bool = False
    """Right-aligned and never wrapped: a number, or an id printed whole."""
    wraps: bool = False
    """Free text that may wrap within the column (a name, a note)."""

    @property
    def whole(self) -> bool:
        """Whether the column's cells are printed whole, on one line."""
        return not self.wraps


def number(value: float, decimals: int = 1) -> str:
    """A number with thousands separators: whole numbers without decimals."""
    return f"{value:,.{decimals}f}"


def number_cell(value: Any, decimals: int, *, whole: bool = False, signed: bool = False
                ) -> str:
    """A table cell: numbers with thousands separators, nothing for missing values.

    With ``whole``, a whole number prints without decimals (``635``, not ``635.00``); with
    ``signed``, a number above nought has its ``+`` (a difference: ``+135``).
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    if value != value:  # NaN
        return ""
    if whole and abs(value - round(value)) < 1e-9:
        decimals = 0
    text = number(float(value), decimals)
    if not text.strip("-0.,"):
        return text.lstrip("-")
    return f"+{text}" if signed and not text.startswith("-") else text


def numeric(*headers: str) -> list[Column]:
    """Columns of numbers."""
    return [Column(header, numeric=True) for header in headers]


def print_table(console: Console, columns: Sequence[Column], rows: Iterable[Sequence[Any]],
                *, title: str | None = None) -> None:
    """Print ``rows`` under ``columns`` on ``console``, as a table if it fits, else as blocks."""
    cells = [[cell if isinstance(cell, Text) else Text(str(cell)) for cell in row]
             for row in rows]
    if title:
        console.print(Text(title, style="bold"), soft_wrap=True)
    width = console.width if console.is_terminal else max(console.width,
                                                          _width(columns, cells, whole=True))
    if _width(columns, cells, whole=False) <= width:
        table = Table()
        for index, column in enumerate(columns):
            widest = max([len(column.header) if column.whole else 0,
                          *(row[index].cell_len for row in cells)], default=0)
            table.add_column(column.header, justify="right" if column.numeric else "left",
                             no_wrap=column.whole, overflow="fold",
                             min_width=widest if column.whole else None)
        for row in cells:
            table.add_row(*row)
        if width > console.width:  # into a pipe or a file: as wide as the table
            console = Console(file=console.file, width=width, no_color=console.no_color)
        console.print(table)
        return
    label = max((len(column.header) for column in columns[1:]), default=0)
    for row in cells:
        console.print(Text.assemble(f"{columns[0].header} ", row[0], style="bold"),
                      soft_wrap=True)
        for column, cell in zip(columns[1:], row[1:], strict=True):
            console.print(Text.assemble(f"  {column.header:<{label}}  ", cell), soft_wrap=True)


def _width(columns: Sequence[Column], cells: Sequence[Sequence[Text]], *, whole: bool
           ) -> int:
    """The table's width with every column whole, or with text wrapped to its minimum."""
    needed = 1 + 3 * len(columns)  # the borders and padding around every column
    for index, column in enumerate(columns):
        longest = max((row[index].cell_len for row in cells), default=0)
        needed += (max(longest, len(column.header)) if column.whole or whole
                   else min(max(longest, 1), TEXT_MIN_WIDTH))
    return needed
