"""Compare what a reader sees in two generated documents, or in two build output folders.

A .docx is reduced to normalised text, one line per paragraph, table cell paragraph or legally
relevant property, under four headings (`dossier textconv` prints exactly this):

    # Định dạng                                   formatting (NĐ 30/2020 fixes all of these)
    khổ giấy: A4, dọc (210 × 297 mm)              page size and orientation
    lề trên: 20 mm                                margins: top, bottom, left, right
    phông chữ thân bài: Times New Roman           body font and size (the default paragraph style)
    cỡ chữ thân bài: 14 pt
    # Đầu trang                                   header ("(trang đầu)": first page only)
    {PAGE}                                        a page-number field prints its code
    # Nội dung                                    body: paragraphs and tables in document order
    TỜ TRÌNH
    bảng 2, hàng tiêu đề: STT | Tên tập thể, cá nhân | …
    bảng 2, hàng "Sở Tư pháp thành phố Cần Thơ", cột "Số tiền thưởng (đồng)": 4.680.000
    # Chân trang                                  footer

A table row is named by its first cell that is not a bare number (the STT column), so removing
or reordering a nominee changes that nominee's lines and the renumbered STT cells only; a column
is named by its header row (rows marked "repeat as header row"), else by its number. Text is
NFC-normalised with whitespace collapsed; empty paragraphs are skipped.

Two documents are compared line by line (difflib); two build output folders by pairing the
documents of their manifest.json on (kind, nominee_id). Digital signatures live in the signed
PDF copies (`dossier sign`), never in the .docx, so signing changes no text; which PDFs were
signed, re-signed or lost their signatures is read from the manifests' `signatures` records
(`SignatureDiff`), and such a change alone makes two folders different.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.exceptions import PackageNotFoundError
from lxml import etree

from dossier.campaign.safety import check_package, is_inside, regular_file
from dossier.errors import InputError
from dossier.sign.folder import ROLES, SIGNED_DIR, signing_records, targets

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
TWIPS_PER_MM = 1440 / 25.4
MAX_DOCX_BYTES = 100 * 1024 * 1024

HEADING_FORMAT = "# Định dạng"  # formatting
HEADING_BODY = "# Nội dung"  # body text
STORY_NAMES = {"header": "Đầu trang", "footer": "Chân trang"}  # header, footer
STORY_VARIANTS = {"first": " (trang đầu)", "default": "", "even": " (trang chẵn)"}  # first, even
PAPER_SIZES = {(210, 297): "A4", (297, 420): "A3", (148, 210): "A5"}
# Fields whose shown value Word and LibreOffice recompute: they print as {CODE}.
VOLATILE_FIELDS = {"PAGE", "NUMPAGES", "SECTIONPAGES", "DATE", "TIME", "PRINTDATE", "SAVEDATE",
                   "EDITTIME"}
ORDINAL = re.compile(r"^(?:\d+|[IVXLCDM]+)[.)]?$")
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
SKIPPED_IN_TEXT = {W + "pPr", W + "rPr", W + "del", W + "moveFrom", W + "delText",
                   W + "delInstrText", W + "instrText"}


class DiffError(Exception):
    """A file or folder that cannot be compared; the message names it. Exit status 2."""


def _unreadable(path: Path, reason: str) -> DiffError:
    return DiffError(f"{path}: {reason}")


# --- reading a .docx -------------------------------------------------------------------------

def open_docx(path: Path) -> DocxDocument:
    """python-docx's Document, or a DiffError saying in Vietnamese why the file cannot be read.
    Only a regular file of at most MAX_DOCX_BYTES whose parts expand within bounds is opened:
    a FIFO would hang the read, /dev/zero never ends, a zip bomb fills memory."""
    if not path.exists():
        raise _unreadable(path, "không tồn tại")  # does not exist
    if path.is_dir():
        raise _unreadable(path, "là thư mục, không phải tệp .docx")  # a folder, not a .docx
    try:
        regular_file(path, MAX_DOCX_BYTES)
        with zipfile.ZipFile(path) as package:
            check_package(path, package)
        return Document(str(path))
    except InputError as exc:
        raise DiffError(str(exc.problems[0])) from None
    except PermissionError:
        raise _unreadable(path, "không có quyền đọc tệp") from None  # permission denied
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError,
            etree.XMLSyntaxError, zlib.error, EOFError):
        # "not a .docx file (Word document) or the file is damaged"
        raise _unreadable(path, "không phải tệp .docx (văn bản Word) hoặc tệp bị hỏng") from None
    except NotImplementedError:
        # "the file is compressed with a method Word does not use: damaged or not a .docx"
        raise _unreadable(path, "tệp nén bằng phương pháp Word không dùng: tệp hỏng hoặc không "
                                "phải .docx") from None
    except OSError as exc:
        raise _unreadable(path, f"không đọc được tệp ({exc.strerror})") from None  # unreadable


def clean(text: str) -> str:
    """What a reader compares: NFC, invisible characters dropped, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).translate(INVISIBLE).split())


class _FieldState:
    """Tracks the outermost complex field (w:fldChar begin … separate … end) of a paragraph."""

    def __init__(self) -> None:
        self.depth = 0
        self.code: list[str] = []
        self.hiding = False  # inside the field's code, or a volatile field's stale result
        self.separated = False

    def fld_char(self, kind: str | None, out: list[str]) -> None:
        if kind == "begin":
            self.depth += 1
            if self.depth == 1:
                self.code, self.hiding, self.separated = [], True, False
        elif kind == "separate" and self.depth == 1:
            self.separated = True
            self.hiding = self._volatile()
            if self.hiding:
                out.append(self._shown())
        elif kind == "end" and self.depth:
            self.depth -= 1
            if not self.depth:
                if not self.separated and self._volatile():
                    out.append(self._shown())
                self.hiding = False

    def _volatile(self) -> bool:
        return _field_name("".join(self.code)) in VOLATILE_FIELDS

    def _shown(self) -> str:
        return "{" + _field_name("".join(self.code)) + "}"


def _field_name(instruction: str) -> str:
    words = instruction.split()
    return words[0].upper() if words else ""


def paragraph_text(paragraph: etree._Element) -> str:
    """The text of a w:p as printed: tabs as \\t, breaks as \\n, deleted revisions left out,
    a page-number or date field as {PAGE} / {DATE} rather than its last computed value."""
    out: list[str] = []
    _walk(paragraph, out, _FieldState())
    return "".join(out)


def _walk(element: etree._Element, out: list[str], fields: _FieldState) -> None:
    for child in element:
        tag = child.tag
        if tag in SKIPPED_IN_TEXT:
            if tag == W + "instrText" and fields.depth == 1:
                fields.code.append(child.text or "")
            continue
        if tag == W + "t":
            if not fields.hiding:
                out.append(child.text or "")
        elif tag in (W + "tab", W + "ptab"):
            out.append("" if fields.hiding else "\t")
        elif tag in (W + "br", W + "cr"):
            out.append("" if fields.hiding else "\n")
        elif tag == W + "noBreakHyphen":
            out.append("" if fields.hiding else "-")
        elif tag == W + "fldChar":
            fields.fld_char(child.get(W + "fldCharType"), out)
        elif tag == W + "fldSimple" and _field_name(child.get(W + "instr", "")) in VOLATILE_FIELDS:
            out.append("{" + _field_name(child.get(W + "instr", "")) + "}")
        else:
            _walk(child, out, fields)


def block_elements(container: etree._Element) -> Iterator[etree._Element]:
    """The paragraphs and tables of a body, cell, header or footer in order, looking through
    content controls (w:sdt) and custom XML wrappers."""
    for child in container:
        if child.tag in (W + "p", W + "tbl"):
            yield child
        elif child.tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None:
                yield from block_elements(content)
        elif child.tag == W + "customXml":
            yield from block_elements(child)


def row_cells(row: etree._Element) -> Iterator[tuple[int, etree._Element]]:
    """(grid column, w:tc) of a table row; cells continuing a vertical merge are skipped."""
    before = row.find(f"{W}trPr/{W}gridBefore")
    column = int(before.get(W + "val", "0")) if before is not None else 0
    for cell in row.findall(W + "tc"):
        merge = cell.find(f"{W}tcPr/{W}vMerge")
        if merge is None or merge.get(W + "val") == "restart":
            yield column, cell
        column += _span(cell)


def _span(cell: etree._Element) -> int:
    span = cell.find(f"{W}tcPr/{W}gridSpan")
    return int(span.get(W + "val", "1")) if span is not None else 1


def _cell_text(cell: etree._Element) -> str:
    return clean(" ".join(paragraph_text(p) for p in cell.iter(W + "p")))


def row_key(row: etree._Element) -> str | None:
    """A row's name: the first paragraph of its first cell that is not a bare number (STT)."""
    for _, cell in row_cells(row):
        first = next((t for t in (clean(paragraph_text(p)) for p in cell.iter(W + "p")) if t), "")
        if first and not ORDINAL.match(first):
            return first
    return None


def _is_header_row(row: etree._Element) -> bool:
    return row.find(f"{W}trPr/{W}tblHeader") is not None


def _container_lines(container: etree._Element, where: str) -> list[str]:
    lines: list[str] = []
    tables = 0
    for block in block_elements(container):
        if block.tag == W + "p":
            text = clean(paragraph_text(block))
            if text:
                lines.append(f"{where}: {text}" if where else text)
        else:
            tables += 1
            lines += _table_lines(block, f"{where}, bảng {tables}" if where else f"bảng {tables}")
    return lines


def _table_lines(table: etree._Element, label: str) -> list[str]:
    rows = table.findall(W + "tr")
    headers = next((i for i, row in enumerate(rows) if not _is_header_row(row)), len(rows))
    lines, columns = [], {}
    for row in rows[:headers]:
        texts = [_cell_text(cell) for _, cell in row_cells(row)]
        lines.append(f"{label}, hàng tiêu đề: {' | '.join(texts)}")  # header row
        columns = {column + offset: _cell_text(cell) for column, cell in row_cells(row)
                   for offset in range(_span(cell))}
    seen: Counter[str] = Counter()
    for number, row in enumerate(rows[headers:], start=headers + 1):
        name = _row_name(row, number, seen)
        for column, cell in row_cells(row):
            title = columns.get(column)
            column_name = f'cột "{title}"' if title else f"cột {column + 1}"
            lines += _container_lines(cell, f"{label}, {name}, {column_name}")
    return lines


def _row_name(row: etree._Element, number: int, seen: Counter[str]) -> str:
    key = row_key(row)
    if key is None:
        return f"hàng {number}"  # row N
    seen[key] += 1
    return f'hàng "{key}"' + (f" #{seen[key]}" if seen[key] > 1 else "")


# --- formatting, headers and footers ---------------------------------------------------------

def _section_properties(doc: DocxDocument) -> list[etree._Element]:
    return doc.element.body.xpath("./w:p/w:pPr/w:sectPr | ./w:sectPr")


def _mm(twips: str | None) -> str:
    if twips is None:
        return "không đặt"  # not set
    return f"{abs(int(twips)) / TWIPS_PER_MM:.1f}".rstrip("0").rstrip(".").replace(".", ",") + " mm"


def _page_size(section: etree._Element) -> str:
    size = section.find(W + "pgSz")
    if size is None or size.get(W + "w") is None or size.get(W + "h") is None:
        return "không đặt"
    width, height = int(size.get(W + "w")), int(size.get(W + "h"))
    orientation = "ngang" if width > height else "dọc"  # landscape / portrait
    short, long_ = sorted((round(width / TWIPS_PER_MM), round(height / TWIPS_PER_MM)))
    name = PAPER_SIZES.get((short, long_))
    dimensions = f"{_mm(str(width))[:-3]} × {_mm(str(height))}"
    return f"{name}, {orientation} ({dimensions})" if name else f"{dimensions}, {orientation}"


def _section_lines(section: etree._Element, prefix: str) -> list[str]:
    margins = section.find(W + "pgMar")
    lines = [f"{prefix}khổ giấy: {_page_size(section)}"]  # paper size
    for label, side in (("lề trên", "top"), ("lề dưới", "bottom"), ("lề trái", "left"),
                        ("lề phải", "right")):  # margins: top, bottom, left, right
        value = margins.get(W + side) if margins is not None else None
        lines.append(f"{prefix}{label}: {_mm(value)}")
    return lines


def _body_font(doc: DocxDocument) -> tuple[str | None, float | None]:
    """Font name and size (pt) of the default paragraph style, falling back to docDefaults."""
    style = doc.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    name = style.font.name if style is not None else None
    size = style.font.size.pt if style is not None and style.font.size else None
    defaults = doc.styles.element.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    if defaults is not None:
        fonts, sz = defaults.find(W + "rFonts"), defaults.find(W + "sz")
        if name is None and fonts is not None:
            name = fonts.get(W + "ascii")
        if size is None and sz is not None:
            size = int(sz.get(W + "val")) / 2
    return name, size


def _format_lines(doc: DocxDocument) -> list[str]:
    sections = _section_properties(doc)
    lines = []
    for number, section in enumerate(sections, start=1):
        lines += _section_lines(section, f"phần {number}, " if len(sections) > 1 else "")
    name, size = _body_font(doc)
    lines.append(f"phông chữ thân bài: {name or 'không xác định'}")  # body font
    size_text = f"{size:g}".replace(".", ",") + " pt" if size else "không xác định"
    lines.append(f"cỡ chữ thân bài: {size_text}")  # body font size
    direct = sorted({font for story in _stories(doc) for font in
                     story.xpath(".//w:rPr/w:rFonts/@w:ascii")} - {name})
    if direct:
        lines.append(f"phông chữ đặt trực tiếp: {', '.join(direct)}")  # fonts set on text
    return lines


def _story_parts(doc: DocxDocument, kind: str) -> list[tuple[str, etree._Element]]:
    """(heading, root element) of each header or footer a reader can see, section by section."""
    sections = _section_properties(doc)
    even = doc.settings.odd_and_even_pages_header_footer
    parts = []
    for number, section in enumerate(sections, start=1):
        references = {ref.get(W + "type", "default"): ref.get(R_ID)
                      for ref in section.findall(f"{W}{kind}Reference")}
        shown = {"default": True, "first": section.find(W + "titlePg") is not None, "even": even}
        for variant, suffix in STORY_VARIANTS.items():
            if variant in references and shown[variant]:
                part = doc.part.related_parts.get(references[variant])
                where = f", phần {number}" if len(sections) > 1 else ""  # section N
                if part is not None and hasattr(part, "element"):
                    parts.append((f"# {STORY_NAMES[kind]}{suffix}{where}", part.element))
    return parts


def _stories(doc: DocxDocument) -> list[etree._Element]:
    return [doc.element.body] + [root for kind in STORY_NAMES for _, root in
                                 _story_parts(doc, kind)]


def _story_lines(doc: DocxDocument, kind: str) -> list[str]:
    lines = []
    for heading, root in _story_parts(doc, kind):
        content = _container_lines(root, "")
        if content:
            lines += [heading, *content]
    return lines


def docx_lines(doc: DocxDocument) -> list[str]:
    return [HEADING_FORMAT, *_format_lines(doc), *_story_lines(doc, "header"),
            HEADING_BODY, *_container_lines(doc.element.body, ""), *_story_lines(doc, "footer")]


def document_lines(path: Path) -> list[str]:
    """The normalised text of a .docx, one line per fact (see the module docstring)."""
    return docx_lines(open_docx(path))


# --- comparing -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Hunk:
    a_start: int  # 1-based number of the hunk's first line in A's normalised text
    a_count: int
    b_start: int
    b_count: int
    section: str  # the "# …" heading above the hunk in A, "" if none
    lines: tuple[tuple[str, str], ...]  # (" ", "-" or "+", text)


@dataclass(frozen=True)
class DocumentDiff:
    a: Path | None  # None: the document is only in B
    b: Path | None  # None: only in A
    kind: str | None = None
    nominee_id: str | None = None
    a_lines: tuple[str, ...] = ()
    b_lines: tuple[str, ...] = ()
    hunks: tuple[Hunk, ...] = ()
    moved: bool = False  # its place among the documents both folders have changed
    submission: str = ""  # the submission (deciding authority) it belongs to, when several

    @property
    def status(self) -> str:
        if self.a is None:
            return "added"
        if self.b is None:
            return "removed"
        return "changed" if self.hunks else "same"

    @property
    def label(self) -> str:
        return " ".join(part for part in (self.submission, self.kind, self.nominee_id) if part)


Signature = tuple[str, str, str]  # (role, signer, signing time) of one digital signature


@dataclass(frozen=True)
class SignatureDiff:
    """A PDF of both builds whose digital signatures differ, from the manifests' `signatures`:
    `signed` only in B, `unsigned` only in A (B lost them), `resigned` in both but not the same
    (another time or signer, or another signed file)."""
    path: str  # the signed copy, relative to B's folder (A's when only A has it)
    source: str  # the unsigned PDF it is made from (B's)
    docx: str | None  # the document's .docx in B; None for a bundle
    status: str  # "signed", "unsigned" or "resigned"
    old: tuple[Signature, ...] = ()
    new: tuple[Signature, ...] = ()


@dataclass(frozen=True)
class Comparison:
    mode: str  # "file" or "folder"
    a: Path
    b: Path
    documents: tuple[DocumentDiff, ...]
    signatures: tuple[SignatureDiff, ...] = ()

    @property
    def different(self) -> bool:
        return bool(self.signatures) or any(d.status != "same" or d.moved
                                            for d in self.documents)


def line_hunks(a: list[str], b: list[str], context: int = 3) -> tuple[Hunk, ...]:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    headings = _headings(a)
    hunks = []
    for group in matcher.get_grouped_opcodes(context):
        (_, i1, _, j1, _), (_, _, i2, _, j2) = group[0], group[-1]
        lines: list[tuple[str, str]] = []
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                lines += [(" ", text) for text in a[a1:a2]]
            else:
                lines += [("-", text) for text in a[a1:a2]] + [("+", text) for text in b[b1:b2]]
        hunks.append(Hunk(i1 + 1, i2 - i1, j1 + 1, j2 - j1, headings[i1], tuple(lines)))
    return tuple(hunks)


def _headings(lines: list[str]) -> list[str]:
    """For each index (and one past the end), the last heading strictly before it."""
    result, current = [], ""
    for line in lines:
        result.append(current)
        if line.startswith("# "):
            current = line
    return [*result, current]


def compare_files(a: Path, b: Path, context: int = 3, kind: str | None = None,
                  nominee_id: str | None = None) -> DocumentDiff:
    a_lines, b_lines = document_lines(a), document_lines(b)
    return DocumentDiff(a, b, kind, nominee_id, tuple(a_lines), tuple(b_lines),
                        line_hunks(a_lines, b_lines, context))


def compare(a: Path, b: Path, context: int = 3) -> Comparison:
    """Two .docx files, or two build output folders (each with its manifest.json)."""
    if a.is_dir() and b.is_dir():
        return compare_folders(a, b, context)
    if a.is_dir() or b.is_dir():
        folder, other = (a, b) if a.is_dir() else (b, a)
        # "is a folder but … is not: compare two .docx files or two output folders"
        raise DiffError(f"{folder} là thư mục còn {other} không phải: chỉ so sánh hai tệp .docx "
                        "hoặc hai thư mục kết quả")
    return Comparison("file", a, b, (compare_files(a, b, context),))


@dataclass(frozen=True)
class ManifestEntry:
    kind: str
    nominee_id: str | None
    docx: str  # relative to the output folder
    sha256: str | None
    submission: str = ""  # manifest's `submission` (the deciding authority's level)
    pdf: str | None = None  # its PDF, relative to the output folder

    @property
    def key(self) -> tuple[str, str, str]:
        return self.submission, self.kind, self.nominee_id or ""


def load_manifest(folder: Path) -> list[ManifestEntry]:
    return _entries(folder, read_manifest_data(folder))


def read_manifest_data(folder: Path) -> dict[str, Any]:
    path = folder / "manifest.json"
    if not path.is_file():
        # "has no manifest.json (not an output folder of dossier build)"
        raise _unreadable(folder, "không có manifest.json (không phải thư mục kết quả của "
                                  "dossier build)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _unreadable(path, f"không đọc được ({exc})") from None  # unreadable
    documents = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(documents, list):
        raise _unreadable(path, "thiếu danh sách 'documents'")  # no 'documents' list
    return data


def _entries(folder: Path, data: dict[str, Any]) -> list[ManifestEntry]:
    path = folder / "manifest.json"
    entries = []
    documents = data["documents"]
    for number, item in enumerate(documents, start=1):
        if not (isinstance(item, dict) and isinstance(item.get("kind"), str)
                and isinstance(item.get("docx"), str)):
            # "document N lacks 'kind' or 'docx'"
            raise _unreadable(path, f"văn bản thứ {number} trong 'documents' thiếu 'kind' hoặc "
                                    "'docx'")
        if not is_inside(folder, folder / item["docx"]):
            # "document N names a file outside the folder: not read"
            raise _unreadable(path, f"văn bản thứ {number} trong 'documents' trỏ ra ngoài thư "
                                    f"mục ({item['docx']}): không đọc")
        pdf = item.get("pdf")
        entries.append(ManifestEntry(item["kind"], item.get("nominee_id"), item["docx"],
                                     item.get("sha256"), str(item.get("submission") or ""),
                                     pdf if isinstance(pdf, str) else None))
    return entries


def _by_submission(a: list[ManifestEntry], b: list[ManifestEntry]) -> bool:
    """Pair by submission too when a folder has several (one deciding authority each); two
    single-submission builds pair by kind and nominee, whatever their submission's name."""
    return any(len({e.submission for e in entries}) > 1 for entries in (a, b))


def _without_submission(entries: list[ManifestEntry]) -> list[ManifestEntry]:
    return [replace(e, submission="") for e in entries]


def _keyed(entries: list[ManifestEntry]) -> dict[tuple[str, str, str, int], ManifestEntry]:
    """Entries by (submission, kind, nominee, occurrence), so repeated kinds pair in order."""
    seen: Counter[tuple[str, str, str]] = Counter()
    keyed = {}
    for entry in entries:
        seen[entry.key] += 1
        keyed[(*entry.key, seen[entry.key])] = entry
    return keyed


def compare_folders(a: Path, b: Path, context: int = 3) -> Comparison:
    data_a, data_b = read_manifest_data(a), read_manifest_data(b)
    old_entries, new_entries = _entries(a, data_a), _entries(b, data_b)
    by_submission = _by_submission(old_entries, new_entries)
    if not by_submission:
        old_entries, new_entries = (_without_submission(old_entries),
                                    _without_submission(new_entries))
    old, new = _keyed(old_entries), _keyed(new_entries)
    old_keys, new_keys = list(old), list(new)
    documents = []
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            documents += [_pair(a, b, old[k], new[k], context) for k in old_keys[i1:i2]]
            continue
        documents += [DocumentDiff(a / old[k].docx, None, k[1], k[2] or None, submission=k[0])
                      for k in old_keys[i1:i2] if k not in new]
        documents += [_pair(a, b, old[k], new[k], context, moved=True) if k in old else
                      DocumentDiff(None, b / new[k].docx, k[1], k[2] or None, submission=k[0])
                      for k in new_keys[j1:j2]]
    pairs = [(old[k], new[k]) for k in new_keys if k in old]
    return Comparison("folder", a, b, tuple(documents),
                      signature_diffs(data_a, data_b, pairs, by_submission))


def signature_diffs(manifest_a: dict[str, Any], manifest_b: dict[str, Any],
                    pairs: list[tuple[ManifestEntry, ManifestEntry]],
                    by_submission: bool) -> tuple[SignatureDiff, ...]:
    """The PDFs both builds have (paired documents, then bundles by submission) whose digital
    signatures differ, as the manifests record them; the signature bytes are never compared."""
    try:
        records_a, records_b = signing_records(manifest_a), signing_records(manifest_b)
        bundles_a, bundles_b = (_bundles(m, by_submission) for m in (manifest_a, manifest_b))
    except (AttributeError, KeyError, TypeError, ValueError):
        return ()  # a manifest whose signatures cannot be read: no signature changes to tell
    found = [(old.pdf, new.pdf, new.docx) for old, new in pairs if old.pdf and new.pdf]
    found += [(bundles_a[key], source, None) for key, source in bundles_b.items()
              if key in bundles_a]
    diffs = []
    for old_pdf, new_pdf, docx in found:
        before, after = records_a.get(old_pdf), records_b.get(new_pdf)
        old_sigs, new_sigs = _signatures(before), _signatures(after)
        if not old_sigs and not new_sigs:
            continue
        if not old_sigs:
            status = "signed"
        elif not new_sigs:
            status = "unsigned"
        elif old_sigs != new_sigs or before.get("sha256") != after.get("sha256"):
            status = "resigned"
        else:
            continue
        record = after if new_sigs else before
        path = record.get("path") if isinstance(record.get("path"), str) else None
        diffs.append(SignatureDiff(path or f"{SIGNED_DIR}/{new_pdf}", new_pdf, docx, status,
                                   old_sigs, new_sigs))
    return tuple(diffs)


def _bundles(manifest: dict[str, Any], by_submission: bool) -> dict[str, str]:
    """Each bundle PDF, by its submission ("" when the builds are paired without them)."""
    return {(target.submission or "") if by_submission else "": target.source
            for target in targets(manifest) if target.kind == "bundle"}


def _signatures(record: dict[str, Any] | None) -> tuple[Signature, ...]:
    """The record's signatures in signing order: the signer's, then the agency's."""
    listed = record.get("signatures") if isinstance(record, dict) else None
    found = [(str(s.get("role")), str(s.get("signer")), str(s.get("time")))
             for s in listed or [] if isinstance(s, dict)]
    return tuple(sorted(found, key=lambda sig: (
        ROLES.index(sig[0]) if sig[0] in ROLES else len(ROLES), sig)))


def _pair(a: Path, b: Path, old: ManifestEntry, new: ManifestEntry, context: int,
          moved: bool = False) -> DocumentDiff:
    a_path, b_path = a / old.docx, b / new.docx
    if old.sha256 and old.sha256 == new.sha256 and a_path.is_file() and b_path.is_file():
        return DocumentDiff(a_path, b_path, old.kind, old.nominee_id, moved=moved,
                            submission=old.submission)
    found = compare_files(a_path, b_path, context, old.kind, old.nominee_id)
    return DocumentDiff(found.a, found.b, found.kind, found.nominee_id, found.a_lines,
                        found.b_lines, found.hunks, moved, old.submission)


# --- reports ---------------------------------------------------------------------------------

def _range(start: int, count: int) -> str:
    """A unified diff range: "start,count", "start" for one line, the line before if empty."""
    if count == 1:
        return str(start)
    return f"{start - 1 if count == 0 else start},{count}"


def unified(comparison: Comparison) -> list[tuple[str, str]]:
    """(style, line) pairs: style is "note", "file", "hunk", " ", "-" or "+"."""
    out = []
    for doc in comparison.documents:
        if doc.status == "removed":
            out.append(("note", f"Văn bản chỉ có trong A (bị bỏ): {doc.a} [{doc.label}]"))
        elif doc.status == "added":
            out.append(("note", f"Văn bản chỉ có trong B (mới): {doc.b} [{doc.label}]"))
        elif doc.moved:
            out.append(("note", f"Văn bản đổi vị trí: {doc.a} → {doc.b} [{doc.label}]"))
    for doc in comparison.documents:
        if doc.status == "changed":
            out += [("file", f"--- {doc.a}"), ("file", f"+++ {doc.b}")]
            out += _hunk_lines(doc.hunks)
    return out


def _hunk_lines(hunks: tuple[Hunk, ...]) -> list[tuple[str, str]]:
    out = []
    for hunk in hunks:
        where = f" {hunk.section}" if hunk.section else ""
        out.append(("hunk", f"@@ -{_range(hunk.a_start, hunk.a_count)} "
                            f"+{_range(hunk.b_start, hunk.b_count)} @@{where}"))
        out += [(op, op + text) for op, text in hunk.lines]
    return out


JSON_OPS = {" ": "context", "-": "removed", "+": "added"}


def to_json(comparison: Comparison) -> dict[str, Any]:
    statuses = Counter(doc.status for doc in comparison.documents)
    return {
        "diff_version": 1,
        "mode": comparison.mode,
        "a": str(comparison.a),
        "b": str(comparison.b),
        "different": comparison.different,
        "summary": {**{s: statuses[s] for s in ("same", "changed", "added", "removed")},
                    "moved": sum(doc.moved for doc in comparison.documents)},
        "documents": [_document_json(comparison, doc) for doc in comparison.documents],
        "signatures": [_signature_json(sig) for sig in comparison.signatures],
    }


def _signature_json(sig: SignatureDiff) -> dict[str, Any]:
    def listed(signatures: tuple[Signature, ...]) -> list[dict[str, str]]:
        return [{"role": role, "signer": signer, "time": time}
                for role, signer, time in signatures]

    return {"path": sig.path, "docx": sig.docx, "status": sig.status, "old": listed(sig.old),
            "new": listed(sig.new)}


def _document_json(comparison: Comparison, doc: DocumentDiff) -> dict[str, Any]:
    def shown(path: Path | None, root: Path) -> str | None:
        if path is None:
            return None
        return path.relative_to(root).as_posix() if comparison.mode == "folder" else str(path)

    return {
        "kind": doc.kind, "nominee_id": doc.nominee_id, "submission": doc.submission,
        "status": doc.status, "moved": doc.moved,
        "a": shown(doc.a, comparison.a), "b": shown(doc.b, comparison.b),
        "hunks": [{"a_start": h.a_start, "a_count": h.a_count, "b_start": h.b_start,
                   "b_count": h.b_count, "section": h.section,
                   "lines": [{"op": JSON_OPS[op], "text": text} for op, text in h.lines]}
                  for h in doc.hunks],
    }
