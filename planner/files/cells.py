"""Spreadsheet cells that cannot run: text a spreadsheet would read as a formula, neutralised.

Excel, LibreOffice and Google Sheets run a cell whose text starts with ``=``, ``+``, ``-``
or ``@`` (and some read a leading tab or carriage return the same way), so an id such as
``=HYPERLINK(...)`` in a CSV file or workbook would become a live formula when a command
centre opens it. Following OWASP's guidance on CSV injection, every text cell the planner
writes that starts with one of these characters gets a leading apostrophe, which
spreadsheets show as plain text; the scenario loader drops that apostrophe again, so a
scenario written by the planner loads back equal.
"""

from __future__ import annotations

from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""

QUOTE = "'"
"""Prefixed to a neutralised cell; spreadsheets show what follows as text."""


def neutralise(value: Any) -> Any:
    """``value`` as safe cell content: text starting with a formula trigger gets a ``'``.

    Numbers, dates and empty cells pass unchanged (a negative number is a number, not a
    formula).
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return QUOTE + value
    return value


def restore(text: str) -> str:
    """Undo :func:`neutralise` on a cell read back: ``'=x`` is ``=x``; other text is kept."""
    if text.startswith(QUOTE) and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text
