"""Read the final ranking (rankings.csv or rankings.xlsx) into typed `Nominee`s.

`spreadsheet.read_table` gives every cell as text with its spreadsheet row number (CSV in
UTF-8, UTF-16 or Windows-1258; XLSX through the values the file cached); here each cell is made
plain text (`clean_text`), checked against dossier/schemas/rankings.schema.json and typed by the
campaign's column declarations (`cells.parse_cell`). All problems are collected and reported
together, each with the file, the spreadsheet row (the header is row 1) and the column.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import unicodedata
from pathlib import Path
from typing import Any

import jsonschema

from dossier.campaign.cells import DEFAULT_FALSE, DEFAULT_TRUE, parse_cell
from dossier.campaign.load import STANDARD_COLUMNS, load_schema
from dossier.campaign.safety import inside
from dossier.campaign.spreadsheet import read_table
from dossier.campaign.table import Table, column_letter
from dossier.errors import InputError, Problem
from dossier.models import Campaign, Nominee

__all__ = ["DEFAULT_FALSE", "DEFAULT_TRUE", "clean_text", "load_rankings", "parse_cell"]

RANKING_NAMES = ("rankings.csv", "rankings.xlsx")
HEADER_SEARCH_ROWS = 10  # a title above the header is looked for this far down
KIND_SPELLINGS = {"tập thể": "tap_the", "tap_the": "tap_the", "cá nhân": "ca_nhan",
                  "ca_nhan": "ca_nhan"}
# Characters that XML 1.0 forbids; a spreadsheet can carry them, a .docx cannot. Also the ones
# docxtpl turns into breaks (\t tab, \n line, \a paragraph, \f page): text is one line of data.
_CONTROL = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029\ufffe\uffff]+")
_SPACE_RUNS = re.compile(" {2,}")
# Format characters (zero-width spaces, joiners, direction marks, soft hyphens) print nothing:
# clean_text drops them, so a name of them only is empty. These, which reorder the text after
# them, are refused instead (bidi_problem).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Names Windows keeps for devices: achievements/CON.md cannot exist there.
_WINDOWS_RESERVED = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])", re.IGNORECASE)


def ranking_path(campaign: Campaign) -> Path:
    """The campaign's (or its round's) ranking file, inside the campaign folder."""
    if campaign.ranking_file:
        path = normalised_name(campaign.root / campaign.ranking_file)
        if not path.is_file():
            raise InputError.single(path, "không tìm thấy bảng xếp hạng")  # ranking not found
        return inside(campaign.root, path, "bảng xếp hạng")
    return inside(campaign.root, find_ranking(campaign.root), "bảng xếp hạng")


def find_ranking(root: Path) -> Path:
    found = [root / name for name in RANKING_NAMES if (root / name).is_file()]
    if not found:
        raise InputError.single(root, "không tìm thấy bảng xếp hạng (rankings.csv hoặc .xlsx)")
    if len(found) > 1:
        raise InputError.single(root, "có cả rankings.csv và rankings.xlsx: chỉ giữ một tệp")
    return found[0]


def normalised_name(path: Path) -> Path:
    """`path`, or the file beside it whose name is the same text in another Unicode form (a
    Mac writes "Xếp hạng.csv" decomposed, campaign.yaml has it composed)."""
    if path.exists() or not path.parent.is_dir():
        return path
    wanted = unicodedata.normalize("NFC", path.name)
    try:
        return next((entry for entry in path.parent.iterdir()
                     if unicodedata.normalize("NFC", entry.name) == wanted), path)
    except OSError:
        return path


def load_rankings(campaign: Campaign) -> list[Nominee]:
    path = ranking_path(campaign)
    table = read_table(path, campaign.raw.get("ranking_sheet"))
    header = _check_header(path, table, campaign)
    problems: list[Problem] = list(table.problems)
    nominees = []
    kinds_by_id: dict[str, str | None] = {}  # every row's id, valid or not, for parent_id
    for row_number, raw_cells in table.rows:
        if any(clean_text(c) for c in raw_cells[len(header):]):
            # "the row has more cells than the header has columns"
            problems.append(Problem(str(path), "dòng có nhiều ô hơn số cột của tiêu đề",
                                    row_number, column_letter(len(header))))
        cells = _row_cells(header, raw_cells)
        if not cells:
            continue  # a blank row
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


@functools.cache
def _format_candidates() -> re.Pattern:
    """Where a format character may be: those of the Basic Multilingual Plane (from this
    Python's Unicode data, a few milliseconds once) and any character beyond it. Text without
    one (most Vietnamese text) is not filtered character by character."""
    bmp = "".join(re.escape(chr(c)) for c in range(0x10000) if unicodedata.category(chr(c)) == "Cf")
    return re.compile(f"[{bmp}\U00010000-\U0010FFFF]")


def clean_text(value: Any) -> str:
    """Plain one-line text: NFC; control characters (XML-illegal ones, and tab, line and page
    breaks that docxtpl would turn into breaks) become a space; runs of spaces collapse; no
    surrounding white space."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = unicodedata.normalize("NFC", str(value))
    if not text.isascii() and _format_candidates().search(text):
        text = "".join(ch for ch in text if ch in BIDI_CONTROLS
                       or unicodedata.category(ch) != "Cf")
    return _SPACE_RUNS.sub(" ", _CONTROL.sub(" ", text)).strip()


@functools.cache
def _bidi_controls() -> re.Pattern:
    return re.compile("[" + "".join(re.escape(ch) for ch in sorted(BIDI_CONTROLS)) + "]")


def bidi_problem(text: str) -> str | None:
    """The message for text holding a control that reorders what follows it (U+202E shows
    "Văn An" as "nA năV"), or None."""
    if text.isascii() or not _bidi_controls().search(text):  # most text: no set built
        return None
    found = sorted({ch for ch in text if ch in BIDI_CONTROLS})
    names = ", ".join(f"U+{ord(ch):04X}" for ch in found)
    # "holds a text-direction control character (…) that reorders the letters when printed:
    # delete it"
    return f"có ký tự điều khiển hướng chữ ({names}) làm đảo thứ tự chữ khi in: xóa ký tự này"


def _row_cells(header: list[str], raw_cells: list[str]) -> dict[str, str]:
    """The row's non-empty cells by column name (columns without a header are left out)."""
    cells = {}
    for name, raw in zip(header, raw_cells, strict=False):
        value = clean_text(raw)
        if name and value:
            cells[name] = value
    return cells


def _check_header(path: Path, table: Table, campaign: Campaign) -> list[str]:
    """The header's column names; InputError when a column is unknown, missing or repeated."""
    header = [clean_text(c) for c in table.header]
    _header_below_row_1(path, header, table)
    header_problems = [p for p in table.problems if p.row == 1]
    if header_problems:  # merged header cells: the names below would only add confusion
        raise InputError(header_problems)
    declared = {c.name for c in campaign.columns}
    known = set(STANDARD_COLUMNS) | declared
    problems = [_unknown_column(path, c, known) for c in header if c and c not in known]
    problems += _unnamed_columns(path, header, table)
    problems += [
        Problem(str(path), "thiếu cột bắt buộc", row=1, column=c)  # required column missing
        for c in ("id", "kind", "name", *sorted(declared)) if c not in header
    ]
    duplicates = {c for c in header if c and header.count(c) > 1}
    problems += [Problem(str(path), "cột bị lặp", row=1, column=c) for c in sorted(duplicates)]
    if problems:
        raise InputError(problems)
    return header


def _header_below_row_1(path: Path, header: list[str], table: Table) -> None:
    """Spreadsheets often carry a title above the table: say so instead of listing every
    column as unknown."""
    required = {"id", "kind", "name"}
    if required <= set(header):
        return
    for number, cells in table.rows[:HEADER_SEARCH_ROWS]:
        if required <= {clean_text(c) for c in cells}:
            # "the header must be row 1 (found on row N): delete the rows above it"
            raise InputError.single(path, f"dòng tiêu đề (id, kind, name, …) phải là dòng 1, "
                                    f"tìm thấy ở dòng {number}: xóa các dòng phía trên", row=1)


def _unknown_column(path: Path, name: str, known: set[str]) -> Problem:
    message = "cột không được khai báo trong campaign.yaml"  # column not declared
    close = difflib.get_close_matches(name.casefold(), sorted(known), n=1, cutoff=0.75)
    if close:
        message += f" (có phải '{close[0]}'?)"  # "did you mean …?"
    return Problem(str(path), message, row=1, column=name)


def _unnamed_columns(path: Path, header: list[str], table: Table) -> list[Problem]:
    """A column with data but an empty header cell."""
    problems = []
    for index, name in enumerate(header):
        if name:
            continue
        if any(index < len(cells) and clean_text(cells[index]) for _, cells in table.rows):
            # "the column has data but no header"
            problems.append(Problem(str(path), "cột có dữ liệu nhưng ô tiêu đề trống", row=1,
                                    column=column_letter(index)))
    return problems


@functools.cache
def _row_validator() -> jsonschema.Draft202012Validator:
    """The rankings' row schema, compiled once (not for each of 5.000 rows)."""
    return jsonschema.Draft202012Validator(load_schema("rankings.schema.json"))


def _nominee(path: Path, row: int, cells: dict[str, str], campaign: Campaign,
             problems: list[Problem]) -> Nominee | None:
    before = len(problems)
    kind = KIND_SPELLINGS.get(cells.get("kind", "").casefold())
    standard = {k: v for k, v in cells.items() if k in STANDARD_COLUMNS}
    if kind:
        standard["kind"] = kind
    for error in _row_validator().iter_errors(standard):
        problems.append(_row_schema_problem(path, row, error, cells))
    if _WINDOWS_RESERVED.fullmatch(cells.get("id", "").split(".")[0]):
        # "a name Windows reserves for a device; it names files (achievements/ID.md)"
        problems.append(Problem(str(path), f"mã '{cells['id']}' là tên thiết bị dành riêng của "
                                "Windows, không dùng làm tên tệp được: đổi mã khác", row, "id"))
    for column, value in cells.items():
        message = bidi_problem(value)
        if message:
            problems.append(Problem(str(path), message, row, column))
    values: dict[str, Any] = dict(standard)
    for spec in campaign.columns:
        raw = cells.get(spec.name, "")
        if not raw:
            if kind in spec.kinds and spec.required:
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
    if error.validator == "required":  # one error per missing property, named in its message
        named = re.match(r"'([^']+)' is a required property", error.message)
        missing = named.group(1) if named else next(
            c for c in error.validator_value if c not in error.instance)
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


def _cross_row_problems(path: Path, nominees: list[Nominee],
                        kinds_by_id: dict[str, str | None]) -> list[Problem]:
    problems = []
    first: dict[str, Nominee] = {}
    for n in nominees:
        key = n.id.casefold()  # TT01 and tt01 name the same file on Windows and macOS
        if key in first:
            other = first[key]
            same = "" if other.id == n.id else f" ('{other.id}', không phân biệt hoa thường)"
            problems.append(Problem(str(path), f"mã '{n.id}' trùng với dòng {other.row}{same}",
                                    n.row, "id"))
        first.setdefault(key, n)
    for n in nominees:
        parent = n.get("parent_id")
        if parent and kinds_by_id.get(parent) != "tap_the":
            problems.append(Problem(str(path), f"'{parent}' không phải mã của một tập thể "
                                    "trong bảng", n.row, "parent_id"))
    return problems
