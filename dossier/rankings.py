"""Read the final ranking (rankings.csv or rankings.xlsx) into typed `Nominee`s.

Every cell is read as text (pandas, openpyxl for XLSX), normalised to Unicode NFC, then typed by
the campaign's column declarations. All problems are collected and reported together, each with
the file, the spreadsheet row (the header is row 1) and the column.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import jsonschema
import pandas as pd

from .campaign import STANDARD_COLUMNS, load_schema
from .errors import InputError, Problem
from .models import Campaign, ColumnSpec, Nominee

RANKING_NAMES = ("rankings.csv", "rankings.xlsx")
KIND_SPELLINGS = {"tập thể": "tap_the", "tap_the": "tap_the", "cá nhân": "ca_nhan",
                  "ca_nhan": "ca_nhan"}
DEFAULT_TRUE = ("có", "đạt", "x", "true", "1")
DEFAULT_FALSE = ("không", "không đạt", "false", "0")
# Characters that XML 1.0 forbids; a spreadsheet can carry them, a .docx cannot.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_INTEGER = re.compile(r"^\d{1,3}([.,]\d{3})+$|^\d+$")
_DECIMAL = re.compile(r"^\d+([.,]\d+)?$")


def find_ranking(root: Path) -> Path:
    found = [root / name for name in RANKING_NAMES if (root / name).is_file()]
    if not found:
        raise InputError.single(root, "không tìm thấy bảng xếp hạng (rankings.csv hoặc .xlsx)")
    if len(found) > 1:
        raise InputError.single(root, "có cả rankings.csv và rankings.xlsx: chỉ giữ một tệp")
    return found[0]


def load_rankings(campaign: Campaign) -> list[Nominee]:
    path = find_ranking(campaign.root)
    frame = _read_table(path)
    _check_header(path, frame, campaign)
    problems: list[Problem] = []
    nominees = []
    kinds_by_id: dict[str, str | None] = {}  # every row's id, valid or not, for parent_id
    for index, record in enumerate(frame.to_dict(orient="records")):
        row_number = index + 2  # the header is row 1
        cells = {k: clean_text(v) for k, v in record.items() if clean_text(v)}
        kinds_by_id.setdefault(cells.get("id", ""), KIND_SPELLINGS.get(
            cells.get("kind", "").casefold()))
        nominee = _nominee(path, row_number, cells, campaign, problems)
        if nominee:
            nominees.append(nominee)
    problems += _cross_row_problems(path, nominees, kinds_by_id)
    if problems:
        raise InputError(problems)
    if not nominees:
        raise InputError.single(path, "bảng xếp hạng không có dòng dữ liệu nào")  # no data rows
    return nominees


def clean_text(value: Any) -> str:
    """NFC, no XML-illegal control characters, no surrounding white space."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = unicodedata.normalize("NFC", str(value))
    return _XML_ILLEGAL.sub(" ", text).strip()


def _read_table(path: Path) -> pd.DataFrame:
    try:
        if path.suffix == ".xlsx":
            return pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.single(path, f"tệp không phải UTF-8 (byte {exc.start})") from None
    except pd.errors.EmptyDataError:
        raise InputError.single(path, "tệp rỗng") from None  # empty file
    except (pd.errors.ParserError, ValueError, OSError) as exc:
        raise InputError.single(path, f"không đọc được bảng: {exc}") from None


def _check_header(path: Path, frame: pd.DataFrame, campaign: Campaign) -> None:
    header = [clean_text(c) for c in frame.columns]
    frame.columns = header
    declared = {c.name for c in campaign.columns}
    known = set(STANDARD_COLUMNS) | declared
    problems = [
        Problem(str(path), "cột không được khai báo trong campaign.yaml", row=1, column=c)
        for c in header if c not in known
    ]
    problems += [
        Problem(str(path), "thiếu cột bắt buộc", row=1, column=c)  # required column missing
        for c in ("id", "kind", "name", *sorted(declared)) if c not in header
    ]
    duplicates = {c for c in header if header.count(c) > 1}
    problems += [Problem(str(path), "cột bị lặp", row=1, column=c) for c in sorted(duplicates)]
    if problems:
        raise InputError(problems)


def _nominee(path: Path, row: int, cells: dict[str, str], campaign: Campaign,
             problems: list[Problem]) -> Nominee | None:
    before = len(problems)
    kind = KIND_SPELLINGS.get(cells.get("kind", "").casefold())
    standard = {k: v for k, v in cells.items() if k in STANDARD_COLUMNS}
    if kind:
        standard["kind"] = kind
    validator = jsonschema.Draft202012Validator(load_schema("rankings.schema.json"))
    for error in validator.iter_errors(standard):
        problems.append(_row_schema_problem(path, row, error, cells))
    values: dict[str, Any] = dict(standard)
    for spec in campaign.columns:
        raw = cells.get(spec.name, "")
        if not raw:
            if kind in spec.kinds:
                problems.append(Problem(str(path), "ô trống (bắt buộc)", row, spec.name))
            continue
        try:
            values[spec.name] = parse_cell(raw, spec)
        except ValueError as exc:
            problems.append(Problem(str(path), str(exc), row, spec.name))
    if len(problems) > before:
        return None
    return Nominee(id=values["id"], kind=kind, name=values["name"], row=row, values=values)


def _row_schema_problem(path: Path, row: int, error, cells: dict[str, str]) -> Problem:
    if error.validator == "required":
        missing = next(c for c in error.validator_value if c not in error.instance)
        return Problem(str(path), "ô trống (bắt buộc)", row, missing)
    column = str(error.absolute_path[0]) if error.absolute_path else ""
    shown = cells.get(column, "")
    if column == "kind":
        return Problem(str(path), f"'{shown}' không hợp lệ: phải là 'Tập thể' hoặc 'Cá nhân'",
                       row, column)
    if error.validator == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        return Problem(str(path), f"'{shown}' không hợp lệ: phải là một trong {allowed}", row,
                       column)
    if error.validator == "maxLength":
        return Problem(str(path), f"quá dài (tối đa {error.validator_value} ký tự)", row, column)
    return Problem(str(path), f"'{shown}' không hợp lệ", row, column)  # invalid value


def parse_cell(raw: str, spec: ColumnSpec) -> Any:
    """Type one cell by its column declaration; ValueError with a Vietnamese message."""
    if spec.type == "text":
        if spec.allowed and raw not in spec.allowed:
            raise ValueError(f"'{raw}' không hợp lệ: phải là một trong {', '.join(spec.allowed)}")
        return raw
    if spec.type == "boolean":
        return _parse_boolean(raw, spec)
    if spec.type == "date":
        return _parse_date(raw)
    number = _parse_integer(raw) if spec.type == "integer" else _parse_decimal(raw)
    low = 0 if spec.type == "percent" and spec.minimum is None else spec.minimum
    high = 100 if spec.type == "percent" and spec.maximum is None else spec.maximum
    if low is not None and number < low:
        raise ValueError(f"{raw} nhỏ hơn giá trị tối thiểu {low:g}")  # below minimum
    if high is not None and number > high:
        raise ValueError(f"{raw} lớn hơn giá trị tối đa {high:g}")  # above maximum
    return number


def _parse_boolean(raw: str, spec: ColumnSpec) -> bool:
    folded = raw.casefold()
    trues = tuple(v.casefold() for v in spec.true_values) or DEFAULT_TRUE
    falses = tuple(v.casefold() for v in spec.false_values) or DEFAULT_FALSE
    if folded in trues:
        return True
    if folded in falses:
        return False
    options = ", ".join((*(spec.true_values or DEFAULT_TRUE),
                         *(spec.false_values or DEFAULT_FALSE)))
    raise ValueError(f"'{raw}' không hợp lệ: phải là một trong {options}")


def _parse_integer(raw: str) -> int:
    text = raw.replace(" ", "").replace("\u00a0", "")
    if not _INTEGER.match(text):
        raise ValueError(f"'{raw}' không phải số nguyên")  # not a whole number
    return int(re.sub(r"[.,]", "", text))


def _parse_decimal(raw: str) -> float:
    text = raw.replace(" ", "").removesuffix("%")
    if not _DECIMAL.match(text):
        raise ValueError(f"'{raw}' không phải số")  # not a number
    return float(text.replace(",", "."))


def _parse_date(raw: str):
    import datetime as dt

    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"'{raw}' không phải ngày dạng dd/mm/yyyy")


def _cross_row_problems(path: Path, nominees: list[Nominee],
                        kinds_by_id: dict[str, str | None]) -> list[Problem]:
    problems = []
    first_row: dict[str, int] = {}
    for n in nominees:
        if n.id in first_row:
            problems.append(Problem(str(path), f"mã '{n.id}' trùng với dòng {first_row[n.id]}",
                                    n.row, "id"))
        first_row.setdefault(n.id, n.row)
    for n in nominees:
        parent = n.get("parent_id")
        if parent and kinds_by_id.get(parent) != "tap_the":
            problems.append(Problem(str(path), f"'{parent}' không phải mã của một tập thể "
                                    "trong bảng", n.row, "parent_id"))
    return problems
