"""A ranking sheet as text: the header and the rows with their spreadsheet row numbers.

Shared by the CSV reader (`spreadsheet`) and the XLSX reader (`xlsx`), so neither imports the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dossier.errors import Problem


@dataclass
class Table:
    """The header (row 1) and the data rows, each with its spreadsheet row number."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    problems: list[Problem] = field(default_factory=list)  # found while reading cells


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how a spreadsheet names the column."""
    from openpyxl.utils.cell import get_column_letter  # only for messages: openpyxl is slow to load

    return get_column_letter(index + 1)
