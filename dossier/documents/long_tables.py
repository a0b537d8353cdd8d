"""Long tables cut into tables of `CHUNK_ROWS` rows, each with the header rows repeated.

LibreOffice lays out one table of N rows spread over many pages in time growing much faster
than N (the benchmark's Tờ trình at N = 2.500, one table of 2.500 rows over 364 pages: 44 s;
the same rows as tables of 100 to 200 rows: 6.7 to 8.1 s; bench/README.md). The header rows are
repeated on every page anyway, so a reader sees the same list: between two tables there is only
a paragraph 1 pt high. Rows are never parted from what they must stay with: a row that keeps
with the next (every paragraph of a cell with keep-with-next: a section heading and its first
awardee) or the next row continuing a vertically merged cell.

Tables up to `MAX_ROWS` rows (every example's) are left as they are.
"""

from __future__ import annotations

import copy

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_ROWS = 150  # tables of more data rows than this are cut
CHUNK_ROWS = 100  # rows per table after the cut
SEPARATOR = (f'<w:p xmlns:w="{W[1:-1]}"><w:pPr><w:spacing w:before="0" w:after="0" '
             'w:line="20" w:lineRule="exact"/><w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/>'
             '</w:rPr></w:pPr></w:p>')


def cut_long_tables(body: etree._Element) -> int:
    """Cut every table of the body (not nested ones) with more than `MAX_ROWS` data rows;
    return how many tables were cut."""
    cut = 0
    for table in body.findall(f"{W}tbl"):
        if len(table) > MAX_ROWS and _cut(table):
            cut += 1
    return cut


def _is_header(row: etree._Element) -> bool:
    return row.find(f"{W}trPr/{W}tblHeader") is not None


def _keeps_with_next(row: etree._Element) -> bool:
    """A cell whose every paragraph keeps with the next: the row stays with the next one."""
    for cell in row.findall(f"{W}tc"):
        paragraphs = cell.findall(f"{W}p")
        if paragraphs and all(p.find(f"{W}pPr/{W}keepNext") is not None for p in paragraphs):
            return True
    return False


def _continues(row: etree._Element) -> bool:
    """The row continues a vertically merged cell of the row above."""
    for merge in row.iterfind(f"{W}tc/{W}tcPr/{W}vMerge"):
        if merge.get(f"{W}val", "continue") != "restart":
            return True
    return False


def _pieces(rows: list[etree._Element]) -> list[list[etree._Element]]:
    pieces: list[list[etree._Element]] = []
    current: list[etree._Element] = []
    for index, row in enumerate(rows):
        current.append(row)
        following = rows[index + 1] if index + 1 < len(rows) else None
        if (following is not None and len(current) >= CHUNK_ROWS
                and not _keeps_with_next(row) and not _continues(following)):
            pieces.append(current)
            current = []
    if current:
        pieces.append(current)
    return pieces


def _cut(table: etree._Element) -> bool:
    rows = table.findall(f"{W}tr")
    headers = 0
    while headers < len(rows) and _is_header(rows[headers]):
        headers += 1
    pieces = _pieces(rows[headers:])
    if len(pieces) < 2:
        return False
    shell = [child for child in table if child.tag in (f"{W}tblPr", f"{W}tblGrid")]
    # the first piece stays in the table; the others go into new tables after it (rows move
    # within the same tree: lxml moves them without copying)
    at = table
    for piece in pieces[1:]:
        separator = etree.fromstring(SEPARATOR)
        at.addnext(separator)
        part = etree.Element(f"{W}tbl")
        part.extend(copy.deepcopy(child) for child in shell)
        part.extend(copy.deepcopy(row) for row in rows[:headers])
        separator.addnext(part)
        part.extend(piece)
        at = part
    return True
