"""Operations that break a copy of the Cần Thơ example the way units and offices do; the
corpus (cases.yaml) names them. Each takes the campaign folder and the operation's argument."""

from __future__ import annotations

import csv
import io
import re
import shutil
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook
from pypdf import PdfWriter

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "cantho-2024-so-hoa"
TEMPLATES = ROOT / "dossier" / "templates"
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


# --- the ranking as rows of text ---------------------------------------------------------------

def read_rows(root: Path) -> list[list[str]]:
    text = (root / "rankings.csv").read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def write_rows(root: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    (root / "rankings.csv").write_text(buffer.getvalue(), encoding="utf-8")


def set_cell(root: Path, arg: list[str]) -> None:
    nominee, column, value = arg
    rows = read_rows(root)
    index = rows[0].index(column)
    matched = [row for row in rows[1:] if row and row[0] == nominee]
    assert matched, nominee
    for row in matched:
        row[index] = value
    write_rows(root, rows)


def rename_column(root: Path, arg: list[str]) -> None:
    rows = read_rows(root)
    rows[0][rows[0].index(arg[0])] = arg[1]
    write_rows(root, rows)


def drop_column(root: Path, name: str) -> None:
    rows = read_rows(root)
    index = rows[0].index(name)
    write_rows(root, [row[:index] + row[index + 1:] for row in rows])


def add_column(root: Path, arg: list[str]) -> None:
    """[name, value for every row] or [name, value, only this id]."""
    name, value, *only = arg
    rows = read_rows(root)
    rows[0].append(name)
    for row in rows[1:]:
        row.append(value if not only or row[0] == only[0] else "")
    write_rows(root, rows)


def append_cell(root: Path, arg: list[str]) -> None:
    nominee, value = arg
    rows = read_rows(root)
    next(row for row in rows if row[0] == nominee).append(value)
    write_rows(root, rows)


def insert_blank_rows(root: Path, count: int) -> None:
    rows = read_rows(root)
    write_rows(root, [rows[0], *([[]] * count), *rows[1:]])


def csv_text(root: Path, text: str) -> None:
    (root / "rankings.csv").write_text(text, encoding="utf-8")


def header_only(root: Path, _: Any) -> None:
    write_rows(root, read_rows(root)[:1])


def delimiter(root: Path, sep: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\r\n").writerows(read_rows(root))
    (root / "rankings.csv").write_text(buffer.getvalue(), encoding="utf-8")


def windows_1258(text: str) -> bytes:
    """What Excel writes on a Vietnamese Windows: base letters precomposed, tones combining."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append(base + "".join(c for c in parts if c in _TONES))
    return "".join(out).encode("cp1258")


def encode(root: Path, encoding: str) -> None:
    path = root / "rankings.csv"
    text = path.read_text(encoding="utf-8")
    if encoding == "cp1258":
        path.write_bytes(windows_1258(text))
    else:
        path.write_bytes(text.encode(encoding))


def replace_bytes(root: Path, arg: dict) -> None:
    """Replace the UTF-8 bytes of `find` in `file` (default rankings.csv) with `hex` bytes."""
    path = root / arg.get("file", "rankings.csv")
    data = path.read_bytes()
    find = arg["find"].encode("utf-8")
    assert find in data, arg["find"]
    path.write_bytes(data.replace(find, bytes.fromhex(arg["hex"]), 1))


def nfd_cell(root: Path, arg: list[str]) -> None:
    nominee, column = arg
    rows = read_rows(root)
    index = rows[0].index(column)
    row = next(row for row in rows if row[0] == nominee)
    row[index] = unicodedata.normalize("NFD", row[index])
    write_rows(root, rows)


# --- XLSX --------------------------------------------------------------------------------------

def to_xlsx(root: Path, arg: dict | None) -> None:
    """rankings.csv → rankings.xlsx (numbers as numbers), then the asked changes."""
    arg = arg or {}
    rows = read_rows(root)
    book = Workbook()
    sheet = book.active
    sheet.title = "Xếp hạng"
    for row in rows:
        sheet.append([_typed(v) for v in row])
    for coordinate, value in arg.get("cells", {}).items():
        sheet[coordinate] = value
    for coordinate, number_format in arg.get("formats", {}).items():
        sheet[coordinate].number_format = number_format
    for merged in arg.get("merge", []):
        sheet.merge_cells(merged)
    for name, state in arg.get("sheets", {}).items():
        extra = book.create_sheet(name)
        extra.append(["ghi chú", "bảng cũ"])
        extra.sheet_state = state
    book.save(root / "rankings.xlsx")
    (root / "rankings.csv").unlink()
    if arg.get("cached"):
        _cache_values(root / "rankings.xlsx", arg["cached"])


def _typed(value: str) -> Any:
    if re.fullmatch(r"\d+", value):
        return int(value)
    if re.fullmatch(r"\d+\.\d+", value):
        return float(value)
    return value


def _cache_values(path: Path, cached: dict[str, str]) -> None:
    """Give formula cells the value a spreadsheet program would have stored on saving
    (openpyxl writes formulas without one). A value starting with # is an error value."""
    with zipfile.ZipFile(path) as source:
        members = {info.filename: source.read(info.filename) for info in source.infolist()}
    name = "xl/worksheets/sheet1.xml"
    xml = members[name].decode("utf-8")
    for coordinate, value in cached.items():
        pattern = re.compile(rf'<c r="{coordinate}"([^>]*)><f>([^<]*)</f>(<v\s*/>|<v></v>)?</c>')
        kind = ' t="e"' if value.startswith("#") else ""
        xml, count = pattern.subn(
            lambda m, c=coordinate, v=value, k=kind: f'<c r="{c}"{_no_type(m.group(1))}{k}>'
                                                   f'<f>{m.group(2)}</f><v>{v}</v></c>', xml)
        assert count == 1, coordinate
    members[name] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for member, data in members.items():
            target.writestr(member, data)


def _no_type(attributes: str) -> str:
    return re.sub(r'\s+t="[^"]*"', "", attributes)


def xlsx_bytes(root: Path, text: str) -> None:
    (root / "rankings.csv").unlink()
    (root / "rankings.xlsx").write_text(text, encoding="utf-8")


def both_files(root: Path, _: Any) -> None:
    shutil.copy(root / "rankings.csv", root / "rankings.xlsx")


# --- campaign.yaml -----------------------------------------------------------------------------

def _load(root: Path) -> dict:
    from dossier.yamlio import load_yaml

    data, _ = load_yaml(root / "campaign.yaml")
    return data


def _dump(root: Path, data: dict) -> None:
    (root / "campaign.yaml").write_text(yaml.safe_dump(data, allow_unicode=True,
                                                       sort_keys=False), encoding="utf-8")


def _walk(data: Any, dotted: str) -> tuple[Any, Any]:
    *parents, last = [int(p) if p.isdigit() else p for p in dotted.split(".")]
    node = data
    for part in parents:
        node = node[part]
    return node, last


def campaign_set(root: Path, changes: dict) -> None:
    data = _load(root)
    for dotted, value in changes.items():
        node, last = _walk(data, dotted)
        node[last] = value
    _dump(root, data)


def campaign_delete(root: Path, paths: list[str]) -> None:
    data = _load(root)
    for dotted in paths:
        node, last = _walk(data, dotted)
        del node[last]
    _dump(root, data)


def campaign_append(root: Path, changes: dict) -> None:
    """{dotted path of a list: item to append}"""
    data = _load(root)
    for dotted, item in changes.items():
        node, last = _walk(data, dotted)
        node[last].append(item)
    _dump(root, data)


def campaign_nfd(root: Path, paths: list[str]) -> None:
    """Write the text under each dotted path in decomposed Unicode (NFD), as a Mac might."""
    text = (root / "campaign.yaml").read_text(encoding="utf-8")
    data = _load(root)
    for dotted in paths:
        node, last = _walk(data, dotted)
        node[last] = _decomposed(node[last])
    _dump(root, data)
    assert (root / "campaign.yaml").read_text(encoding="utf-8") != text


def _decomposed(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFD", value)
    if isinstance(value, list):
        return [_decomposed(v) for v in value]
    return value


def campaign_replace(root: Path, arg: list[str]) -> None:
    path = root / "campaign.yaml"
    text = path.read_text(encoding="utf-8")
    assert arg[0] in text, arg[0]
    path.write_text(text.replace(arg[0], arg[1], 1), encoding="utf-8")


def campaign_text(root: Path, text: str) -> None:
    (root / "campaign.yaml").write_text(text, encoding="utf-8")


def remove(root: Path, name: str) -> None:
    (root / name).unlink()


# --- templates, narratives, attachments --------------------------------------------------------

def template(root: Path, arg: dict) -> None:
    """Copy a default template into templates/ (as `as`), replacing text in its body."""
    source = TEMPLATES / arg["name"]
    target = root / "templates" / arg.get("as", arg["name"])
    target.parent.mkdir(exist_ok=True)
    old, new = arg.get("replace", ["", ""])
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "word/document.xml" and old:
                text = data.decode("utf-8")
                assert old in text, old
                data = text.replace(old, new, 1).encode("utf-8")
            zout.writestr(info, data)


def template_text(root: Path, arg: dict) -> None:
    target = root / "templates" / arg["name"]
    target.parent.mkdir(exist_ok=True)
    target.write_text(arg["text"], encoding="utf-8")


def narrative(root: Path, arg: dict) -> None:
    path = root / "achievements" / f"{arg['id']}.md"
    if "hex" in arg:
        path.write_bytes(bytes.fromhex(arg["hex"]))
    else:
        path.write_text(arg["text"], encoding="utf-8")


def pdf_bytes(kind: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    if kind == "encrypted":
        writer.encrypt("mat-khau")
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    if kind == "corrupt":
        return data[: len(data) // 2]
    if kind == "empty":
        return b""
    if kind == "docx":
        return (TEMPLATES / "to_trinh.docx").read_bytes()
    return data


def attachments(root: Path, arg: dict) -> None:
    """Require a PDF per collective awardee, supply valid ones, then break `broken`."""
    campaign_append(root, {"documents": {
        "id": "xac-nhan", "kind": "attachment", "title": "Giấy xác nhận của cơ quan thuế",
        "per": "awardee", "copies": 1, "awards": ["bang-khen-tap-the"],
        "file": "attachments/{id}-xac-nhan.pdf"}})
    folder = root / "attachments"
    folder.mkdir(exist_ok=True)
    for nominee in ("TT05", "TT01", "TT15"):
        (folder / f"{nominee}-xac-nhan.pdf").write_bytes(pdf_bytes("valid"))
    for nominee, kind in arg.items():
        (folder / f"{nominee}-xac-nhan.pdf").write_bytes(pdf_bytes(kind))


OPERATIONS: dict[str, Callable[[Path, Any], None]] = {
    function.__name__: function for function in (
        set_cell, rename_column, drop_column, add_column, append_cell, insert_blank_rows,
        csv_text, header_only, delimiter, encode, replace_bytes, nfd_cell, to_xlsx, xlsx_bytes,
        both_files, campaign_set, campaign_delete, campaign_append, campaign_nfd,
        campaign_replace,
        campaign_text, remove, template, template_text, narrative, attachments)
}


def make_campaign(target: Path, operations: list[dict]) -> Path:
    """A copy of the example with `operations` applied in order."""
    shutil.copytree(EXAMPLE, target)
    for operation in operations:
        [(name, arg)] = operation.items()
        OPERATIONS[name](target, arg)
    return target


# --- issue 19b: files that lead outside, zips and cells that do not fit ------------------------

def symlink(root: Path, arg: list[str]) -> None:
    """[name in the campaign, target]: the file becomes a symbolic link to the target."""
    name, target = arg
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    path.symlink_to(target)


def rename(root: Path, arg: list[str]) -> None:
    """[from, to]; `to` written in decomposed Unicode (NFD) when a third item says "nfd"."""
    source, target, *form = arg
    if form == ["nfd"]:
        target = unicodedata.normalize("NFD", target)
    (root / source).rename(root / target)


def zip_method(root: Path, arg: dict) -> None:
    """Mark `member` of the zip `file` as compressed with `method` (9 = Deflate64, which
    Python's zipfile cannot read), in its local and central headers."""
    path = root / arg["file"]
    data = bytearray(path.read_bytes())
    name = arg["member"].encode()
    method = int(arg["method"]).to_bytes(2, "little")
    for signature, name_at, method_at in ((b"PK\x03\x04", 30, 8), (b"PK\x01\x02", 46, 10)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            if data[start + name_at: start + name_at + len(name)] == name:
                data[start + method_at: start + method_at + 2] = method
            start += 4
    path.write_bytes(bytes(data))


def xlsx_member_text(root: Path, arg: dict) -> None:
    """In rankings.xlsx, replace `find` with `replace` in `member`."""
    path = root / "rankings.xlsx"
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in members:
            if info.filename == arg["member"]:
                text = data.decode("utf-8")
                assert arg["find"] in text, arg["find"]
                data = text.replace(arg["find"], arg["replace"], 1).encode("utf-8")
            target.writestr(info.filename, data)


def xlsx_sheet_nfd(root: Path, _: Any) -> None:
    """The ranking sheet's name saved in decomposed Unicode, as a Mac may."""
    from openpyxl import load_workbook

    book = load_workbook(root / "rankings.xlsx")
    book.worksheets[0].title = unicodedata.normalize("NFD", book.worksheets[0].title)
    book.save(root / "rankings.xlsx")


def huge_cell(root: Path, arg: list) -> None:
    """[id, column, characters]: the cell holds that many characters ("50 MB": 52428800)."""
    nominee, column, count = arg
    set_cell(root, [nominee, column, "x" * int(count)])


def xlsx_long_cell(root: Path, arg: list) -> None:
    """[coordinate, characters]: a row below the table whose cell holds that many characters
    (openpyxl cuts what it writes at Excel's 32.767, so the sheet's XML is edited)."""
    coordinate, count = arg
    row = int(re.sub(r"\D", "", coordinate))
    xlsx_member_text(root, {"member": "xl/worksheets/sheet1.xml", "find": "</sheetData>",
                            "replace": f'<row r="{row}"><c r="{coordinate}" t="inlineStr"><is>'
                                       f'<t>{"y" * int(count)}</t></is></c></row></sheetData>'})


def digits(root: Path, arg: list) -> None:
    """[id, column, count]: the cell holds a number of `count` digits."""
    nominee, column, count = arg
    set_cell(root, [nominee, column, "1" * int(count)])


OPERATIONS.update({function.__name__: function for function in (
    symlink, rename, zip_method, xlsx_member_text, xlsx_sheet_nfd, huge_cell, xlsx_long_cell,
    digits)})
