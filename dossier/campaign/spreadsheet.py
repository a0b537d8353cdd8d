"""Read a ranking file (CSV or XLSX) into rows of text, numbered as the spreadsheet numbers them.

No pandas: the reader keeps what a table library would hide (duplicate headers, blank rows and
their numbers, which cells hold formulas and whether the file stored their computed values,
merged cells, hidden sheets).

CSV: decoded by `charset.decode` (UTF-8 with or without BOM, UTF-16, Windows-1258); the
delimiter is the one of `,` `;` TAB that the header line uses most (Excel writes `;` or TAB in
some settings). XLSX: row 1 is the header; formulas are read through the values the file
cached when it was last saved, and a formula without one is reported; merged cells inside the
table are reported (their value sits in one cell only); hidden sheets are ignored unless named,
and a workbook with several sheets that hold data needs `ranking_sheet` in campaign.yaml
(`dossier.campaign.xlsx`, loaded only for a workbook).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from dossier.campaign.table import Table
from dossier.charset import read_text
from dossier.errors import InputError
from dossier.vietnamese import format_amount

DELIMITERS = (",", ";", "\t")
MAX_CELL_CHARS = 131_072  # the csv module's field limit, four times Excel's own


def read_table(path: Path, sheet: str | None = None) -> Table:
    if path.suffix.lower() == ".xlsx":
        from dossier.campaign.xlsx import (
            read_xlsx,  # openpyxl (and numpy) load in ~0.25 s: only when needed
        )

        return read_xlsx(path, sheet)
    return read_csv(path)


# --- CSV -------------------------------------------------------------------------------------

def read_csv(path: Path) -> Table:
    text = read_text(path)
    if not text.strip():
        raise InputError.single(path, "tệp rỗng")  # empty file
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    records: list[list[str]] = []
    try:
        records.extend(reader)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            # "a cell of row N is larger than N characters: is it really part of the ranking?"
            raise InputError.single(path, f"một ô của dòng này dài quá "
                                    f"{format_amount(MAX_CELL_CHARS)} ký tự (ô quá lớn, không "
                                    "phải số liệu xếp hạng)",
                                    row=len(records) + 1) from None
        # "CSV format error (quotes?) at row N"
        raise InputError.single(path, f"lỗi định dạng CSV (dấu ngoặc kép?): {exc}",
                                row=len(records) + 1) from None
    header, *data = records
    return Table(header, [(number, cells) for number, cells in enumerate(data, start=2)])


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","
