"""Read the ranking sheet of an .xlsx workbook into a `spreadsheet.Table` (see that module).

Kept apart so that openpyxl, which takes a quarter of a second to import, loads only when a
campaign's ranking is a workbook.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from dossier.campaign.table import Table, column_letter
from dossier.errors import InputError, Problem

EXCEL_ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!",
                "#SPILL!", "#CALC!", "#GETTING_DATA")


def read_xlsx(path: Path, sheet: str | None) -> Table:
    values_book, formulas_book = _open_workbooks(path)
    values = _choose_sheet(path, values_book, sheet)
    formulas = formulas_book[values.title]
    problems = _merged_problems(path, values)
    grid: list[list[str]] = []
    for row_cells, formula_cells in zip(values.iter_rows(), formulas.iter_rows(), strict=True):
        grid.append([_cell_text(path, c, f, problems) for c, f in zip(row_cells, formula_cells,
                                                                      strict=True)])
    if not any(any(cell for cell in row) for row in grid):
        raise InputError.single(path, f"trang tính '{values.title}' rỗng")  # empty sheet
    header, *data = grid
    rows = [(number, cells) for number, cells in enumerate(data, start=2)]
    problems = _name_columns(problems, header)
    return Table(header, rows, problems)


def _open_workbooks(path: Path):
    try:
        if path.stat().st_size == 0:
            raise InputError.single(path, "tệp rỗng")  # empty file
        return (load_workbook(path, data_only=True), load_workbook(path, data_only=False))
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError) as exc:
        # "not a valid .xlsx file (save it again from Excel as .xlsx)"
        raise InputError.single(path, f"không phải tệp .xlsx hợp lệ ({type(exc).__name__}): "
                                "lưu lại bằng Excel dạng Excel Workbook (.xlsx)") from None
    except OSError as exc:
        raise InputError.single(path, f"không đọc được tệp: {exc.strerror}") from None


def _choose_sheet(path: Path, book, name: str | None) -> Worksheet:
    if name:
        if name in book.sheetnames and isinstance(book[name], Worksheet):
            return book[name]
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
    return any(cell is not None and str(cell).strip() != ""
               for row in ws.iter_rows(values_only=True) for cell in row)


def _cell_text(path: Path, cell, formula_cell, problems: list[Problem]) -> str:
    value = cell.value
    is_formula = formula_cell.data_type == "f"
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
