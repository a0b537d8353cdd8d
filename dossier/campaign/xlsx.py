"""Read the ranking sheet of an .xlsx workbook into a `spreadsheet.Table` (see that module).

Kept apart so that openpyxl, which takes a quarter of a second to import, loads only when a
campaign's ranking is a workbook.

A workbook is bounded before and while it is read: its parts may not expand beyond
MAX_PART_BYTES (a 1 MB file can hold a 1 GB cell), only the cells the file holds are read
(a single space in XFD1048576 does not make a sheet of 17 billion cells), the table those
cells span is at most MAX_ROWS × MAX_COLUMNS, and a cell holds at most MAX_CELL_CHARS
characters, Excel's own limit.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from dossier.campaign.safety import check_zip
from dossier.campaign.table import Table, column_letter
from dossier.errors import InputError, Problem
from dossier.vietnamese import format_amount

# One part's XML (a sheet, the shared strings): 10.000 rows × 25 columns is ~8 MB; openpyxl
# takes ~35 times the XML's size in memory and ~1 s per MB, twice (values and formulas).
MAX_PART_BYTES = 16 * 1024 * 1024
MAX_TOTAL_BYTES = 48 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 500
MAX_CELL_CHARS = 32_767  # what Excel itself allows in a cell
# What a broken or hostile .xlsx raises inside openpyxl and zipfile.
BROKEN = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, SyntaxError,
          NotImplementedError, zlib.error, EOFError, IndexError, AttributeError)
EXCEL_ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!",
                "#SPILL!", "#CALC!", "#GETTING_DATA")


def read_xlsx(path: Path, sheet: str | None) -> Table:
    values_book, formulas_book = _open_workbooks(path)
    values = _choose_sheet(path, values_book, sheet)
    formulas = formulas_book[values.title]
    problems = _merged_problems(path, values)
    rows, columns = _extent(path, values)
    if not rows:
        raise InputError.single(path, f"trang tính '{values.title}' rỗng")  # empty sheet
    grid = [[""] * columns for _ in range(rows)]
    for (row, column), cell in _cells(values).items():
        if row <= rows and column <= columns:
            grid[row - 1][column - 1] = _cell_text(path, cell, _cells(formulas).get(
                (row, column)), problems)
    header, *data = grid
    numbered = [(number, cells) for number, cells in enumerate(data, start=2)]
    problems = _name_columns(problems, header)
    return Table(header, numbered, problems)


def _cells(ws: Worksheet) -> dict[tuple[int, int], Any]:
    """The cells the file holds, by (row, column): never the empty rectangle around them
    (`iter_rows` would make every cell up to the farthest one)."""
    return ws._cells  # noqa: SLF001 - openpyxl keeps the cells it read here


def _has_value(cell: Any) -> bool:
    value = cell.value
    return value is not None and not (isinstance(value, str) and not value.strip())


def _extent(path: Path, ws: Worksheet) -> tuple[int, int]:
    """Rows and columns spanned by the cells that hold something (blank cells far away do not
    count); InputError when that is beyond MAX_ROWS × MAX_COLUMNS."""
    rows = columns = 0
    for (row, column), cell in _cells(ws).items():
        if _has_value(cell) or getattr(cell, "data_type", "") == "f":
            rows, columns = max(rows, row), max(columns, column)
            if row > MAX_ROWS or column > MAX_COLUMNS:
                # "cell X holds data beyond what a ranking can be (N rows × M columns): delete
                # what lies outside the table"
                raise InputError.single(path, f"ô {cell.coordinate} có dữ liệu, vượt quá giới "
                                        f"hạn của một bảng xếp hạng ({format_amount(MAX_ROWS)} "
                                        f"dòng × {MAX_COLUMNS} cột): xóa dữ liệu nằm ngoài bảng")
    return rows, columns


def _open_workbooks(path: Path):
    try:
        if path.stat().st_size == 0:
            raise InputError.single(path, "tệp rỗng")  # empty file
        check_zip(path, MAX_PART_BYTES, MAX_TOTAL_BYTES)
        return (load_workbook(path, data_only=True), load_workbook(path, data_only=False))
    except BROKEN as exc:
        # "not a valid .xlsx file (save it again from Excel as .xlsx)"
        raise InputError.single(path, f"không phải tệp .xlsx hợp lệ ({type(exc).__name__}): "
                                "lưu lại bằng Excel dạng Excel Workbook (.xlsx)") from None
    except OSError as exc:
        raise InputError.single(path, f"không đọc được tệp: {exc.strerror}") from None
    except MemoryError:
        # "not enough memory to read the file: is it really a ranking?"
        raise InputError.single(path, "không đủ bộ nhớ để đọc tệp (tệp quá lớn so với một "
                                "bảng xếp hạng)") from None


def _choose_sheet(path: Path, book, name: str | None) -> Worksheet:
    if name:
        wanted = unicodedata.normalize("NFC", name)
        found = [title for title in book.sheetnames
                 if unicodedata.normalize("NFC", title) == wanted]  # typed NFC, saved NFD
        if found and isinstance(book[found[0]], Worksheet):
            return book[found[0]]
        # "no sheet named X (the workbook has: …)"
        raise InputError.single(path, f"không có trang tính '{name}' (có: "
                                f"{', '.join(book.sheetnames)})", column="ranking_sheet")
    visible = [ws for ws in book.worksheets if ws.sheet_state == "visible" and _has_data(ws)]
    if len(visible) == 1:
        return visible[0]
    if not visible:
        raise InputError.single(path, "tệp không có trang tính nào có dữ liệu")  # no data
    names = ", ".join(f"'{ws.title}'" for ws in visible)
    # "several sheets hold data: name the ranking's sheet in campaign.yaml (ranking_sheet)"
    raise InputError.single(path, f"tệp có {len(visible)} trang tính có dữ liệu ({names}): ghi "
                            "tên trang tính của bảng xếp hạng vào campaign.yaml, trường "
                            "ranking_sheet")


def _has_data(ws: Worksheet) -> bool:
    return any(_has_value(cell) for cell in _cells(ws).values())


def _cell_text(path: Path, cell, formula_cell, problems: list[Problem]) -> str:
    value = cell.value
    is_formula = formula_cell is not None and formula_cell.data_type == "f"
    if value is None:
        if is_formula:
            # "the cell holds a formula but the file stores no computed value: open the file in
            # Excel or LibreOffice and save it again"
            problems.append(Problem(str(path), f"ô {cell.coordinate} có công thức "
                                    f"{_formula_text(formula_cell.value)} nhưng tệp không lưu giá "
                                    "trị đã tính: mở tệp bằng Excel hoặc LibreOffice rồi lưu lại",
                                    cell.row, str(cell.column - 1)))
        return ""
    if isinstance(value, str) and value.strip() in EXCEL_ERRORS:
        # "the cell's formula gives an error"
        problems.append(Problem(str(path), f"ô {cell.coordinate} có lỗi công thức {value.strip()}",
                                cell.row, str(cell.column - 1)))
        return ""
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        # "the cell is too large (N characters, at most M): is it really part of the ranking?"
        problems.append(Problem(str(path), f"ô {cell.coordinate} quá lớn "
                                f"({format_amount(len(value))} ký tự, tối đa "
                                f"{format_amount(MAX_CELL_CHARS)})",
                                cell.row, str(cell.column - 1)))
        return ""
    return _as_text(value, cell.number_format or "")


def _formula_text(value: Any) -> str:
    text = getattr(value, "text", value)  # ArrayFormula keeps its text in .text
    return str(text)


def _as_text(value: Any, number_format: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | float):
        if "%" in number_format:
            value = value * 100  # a cell formatted as percent stores 0.978 for 97,8 %
        return _number_text(value)
    return str(value)


def _number_text(value: float) -> str:
    rounded = round(float(value), 9)
    if rounded.is_integer() and abs(rounded) < 1e15:
        return str(int(rounded))
    return repr(rounded)


def _merged_problems(path: Path, ws: Worksheet) -> list[Problem]:
    problems = []
    for merged in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        if merged.min_row == 1:
            # "merged header cells: unmerge them, one header per column in row 1"
            message = (f"ô tiêu đề gộp {merged.coord}: bỏ gộp ô, mỗi cột một tiêu đề ở dòng 1")
        else:
            # "merged cells: the value is in the first cell only; unmerge and fill each cell"
            message = (f"ô gộp {merged.coord}: giá trị chỉ nằm ở ô đầu; bỏ gộp ô và điền giá trị "
                       "vào từng ô")
        problems.append(Problem(str(path), message, merged.min_row, str(merged.min_col - 1)))
    return problems


def _name_columns(problems: Iterable[Problem], header: list[str]) -> list[Problem]:
    """Problems found while reading carry a column index; name it by its header (or letter)."""
    named = []
    for problem in problems:
        index = int(problem.column or 0)
        name = header[index].strip() if index < len(header) and header[index] else ""
        column = name or column_letter(index)
        named.append(Problem(problem.file, problem.message, problem.row, column))
    return named
