"""The rows of a long list document (the Tờ trình's and the Biên bản's danh sách), for
converting again only the pages an edit touches (issue 17's d′; `output.list_pieces` does that).

A list document's body is a frame (the text around the lists, the tables' properties and
header rows) and rows (every table row of the body that is not a repeated header row). Its
`ListShape` holds a digest of the frame and one of each row: two versions of a document with
the same frame differ only in the rows whose digests differ.

A copy LibreOffice converts can carry a mark per row (`ListDocument.write_marked`): a Word
bookmark (`dossier-row-NNNNN`) at the start of the row's first paragraph, which the PDF export
writes as a named destination, so the PDF tells on which page every row is
(`list_pdf.row_pages`).

A piece (`ListDocument.write_piece`) is the document cut to the rows `first`..`last` (the
tables' header rows kept, everything before `first`'s table dropped, and everything after
`last`'s table too unless `last` is the last row), its pages numbered from the page `first`
starts on, with no distinct first page. Converted alone, it gives the same pages as those of
the whole document, when `first` starts a page inside a table whose rows may not split
(bench/pieces_probe.py: 8 of 8 pieces identical at N = 1.000).

A document is not cut (`ListDocument.shape` returns None) when anything in it could lay out
otherwise in a piece: a field other than PAGE (NUMPAGES would count the piece's pages), even
and odd headers or mirrored margins (a piece's first page is a right-hand page), banded table
styles (rows dropped would shift the bands), or another section than the body's last.
"""

from __future__ import annotations

import copy
import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from dossier.convert.converted_copy import (
    BODY_PART,
    W,
    bookmark,
    page_numbering,
    read_parts,
    write,
)
from dossier.convert.lean_styles import STYLES_PART

ROW_MARK = "dossier-row-"
ROW_MARK_ID_BASE = 800_000  # bookmark ids of the row marks, far above any a document holds
ALLOWED_FIELDS = {"PAGE"}
# what makes pages depend on more than the rows above them (see the module's docstring)
UNSAFE_SETTINGS = ("evenAndOddHeaders", "mirrorMargins", "gutterAtTop")
BANDED = ("band1Horz", "band2Horz")


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass(frozen=True)
class ListShape:
    """A list document's frame and rows (see the module)."""

    frame: str
    rows: tuple[str, ...]  # digest of each row, in order
    tables: tuple[int, ...]  # the body table each row is in (its index among the body's)
    unsplittable: frozenset[int]  # tables whose every row may not split across pages

    def boundary(self, row: int) -> bool:
        """Can a piece start at `row` if it starts a page: a row after another of its table,
        in a table whose rows do not split (the page then opens with the header rows and
        `row`, in the piece as in the whole)."""
        return (0 < row < len(self.rows) and self.tables[row] == self.tables[row - 1]
                and self.tables[row] in self.unsplittable)


def _is_header(row: etree._Element) -> bool:
    header = row.find(f"{_w('trPr')}/{_w('tblHeader')}")
    return header is not None and _on(header)


def _cannot_split(row: etree._Element) -> bool:
    flag = row.find(f"{_w('trPr')}/{_w('cantSplit')}")
    return flag is not None and _on(flag)


def list_rows(body: etree._Element) -> list[tuple[int, etree._Element]]:
    """(table index, row) of every row of the body's tables that is not a header row."""
    tables = body.findall(_w("tbl"))
    return [(index, row) for index, table in enumerate(tables)
            for row in table.findall(_w("tr")) if not _is_header(row)]


def _on(element: etree._Element) -> bool:
    """An on/off property that is on (`w:val` absent, or not false)."""
    return element.get(_w("val"), "true") not in ("false", "0", "off")


def _safe(parts: dict[str, bytes], root: etree._Element) -> bool:
    """Nothing in the document lays a piece out otherwise than the whole (see the module)."""
    trees = [root] + [etree.fromstring(data) for name, data in parts.items()
                      if name.startswith(("word/header", "word/footer", "word/footnotes",
                                          "word/endnotes")) and name.endswith(".xml")]
    for tree in trees:
        instructions = [element.text or "" for element in tree.iter(_w("instrText"))]
        instructions += [element.get(_w("instr"), "") for element in tree.iter(_w("fldSimple"))]
        if any(text.split() and text.split()[0].upper() not in ALLOWED_FIELDS
               for text in instructions):
            return False
    settings = etree.fromstring(parts["word/settings.xml"]) \
        if "word/settings.xml" in parts else None
    if settings is not None and any(_on(element) for name in UNSAFE_SETTINGS
                                    for element in settings.iter(_w(name))):
        return False
    return (not _banded(parts.get(STYLES_PART, b""), root)
            and len(list(root.iter(_w("sectPr")))) == 1)


def _banded(styles: bytes, root: etree._Element) -> bool:
    """A table of the body has a style (or a style it is based on, or the default table
    style) that shades rows in bands: rows cut away would shift them."""
    if not styles:
        return False
    by_id = {style.get(_w("styleId")): style
             for style in etree.fromstring(styles).iter(_w("style"))
             if style.get(_w("type")) == "table"}
    pending = {element.get(_w("val")) for element in root.iter(_w("tblStyle"))}
    pending |= {key for key, style in by_id.items() if style.get(_w("default")) in ("1", "true")}
    seen: set[str] = set()
    while pending:
        style = by_id.get(name := pending.pop())
        seen.add(name)
        if style is None:
            continue
        if any(kind.get(_w("type")) in BANDED for kind in style.iter(_w("tblStylePr"))):
            return True
        based = style.find(_w("basedOn"))
        if based is not None and based.get(_w("val")) not in seen:
            pending.add(based.get(_w("val")))
    return False


class ListDocument:
    """A list document read once (its parts and its body's tree), to learn its shape and write
    its marked copy or pieces from the same tree (a list of 5.000 nominees is 13 MB of XML:
    parsed, about 150 MB)."""

    def __init__(self, document: Path):
        self.infos, self.parts = read_parts(document)
        self.root = etree.fromstring(self.parts[BODY_PART])
        body = self.root.find(_w("body"))
        if body is None:
            raise ValueError("no body")
        self.body = body
        self.rows = list_rows(body)

    @classmethod
    def read(cls, document: Path) -> ListDocument | None:
        """None when a part cannot be read (the document is then converted as it is, and
        LibreOffice judges it)."""
        try:
            return cls(document)
        except (OSError, KeyError, ValueError, zipfile.BadZipFile, etree.XMLSyntaxError):
            return None

    def shape(self) -> ListShape | None:
        """Its frame and rows; None when it has no rows or may not be cut."""
        try:
            if (not self.rows or self.body[-1].tag != _w("sectPr")
                    or not _safe(self.parts, self.root)):
                return None
        except etree.XMLSyntaxError:
            return None
        digests = tuple(hashlib.sha256(etree.tostring(row)).hexdigest() for _, row in self.rows)
        unsplittable = {index for index, _ in self.rows}
        unsplittable -= {index for index, row in self.rows if not _cannot_split(row)}
        emptied = [(row, list(row)) for _, row in self.rows]
        for row, children in emptied:  # the frame: the body with every row emptied
            for child in children:
                row.remove(child)
        frame = hashlib.sha256(etree.tostring(self.root))
        for row, children in emptied:
            row.extend(children)
        for name in sorted(self.parts):
            if name != BODY_PART:
                frame.update(f"\0{name}\0".encode() + hashlib.sha256(self.parts[name]).digest())
        return ListShape(frame.hexdigest(), digests, tuple(index for index, _ in self.rows),
                         frozenset(unsplittable))

    def write_marked(self, target: Path) -> None:
        """The document with every row marked, its styles lean (as LibreOffice reads merged
        documents): the copy converted whole. (The rows stay marked in this tree.)"""
        for number, (_, row) in enumerate(self.rows):
            _mark(row, number)
        write(self.infos, self.parts, self.root, target)

    def write_piece(self, target: Path, first: int, last: int, first_page: int) -> None:
        """The document cut to rows `first`..`last`, marked, its first page the whole
        document's page `first_page` (0-based; see the module); `last` the last row:
        everything after the lists is kept. Made of copies: this tree stays whole."""
        tables = self.body.findall(_w("tbl"))
        children = list(self.body)  # the last is the section (`shape`)
        start = children.index(tables[self.rows[first][0]])
        end = (len(children) - 2 if last == len(self.rows) - 1
               else children.index(tables[self.rows[last][0]]))
        wanted = {id(row): number for number, (_, row) in enumerate(self.rows)
                  if first <= number <= last}
        listed = {id(row) for _, row in self.rows}
        root = etree.Element(self.root.tag, attrib=dict(self.root.attrib), nsmap=self.root.nsmap)
        for child in self.root:
            if child is not self.body:
                root.append(copy.deepcopy(child))
        body = etree.SubElement(root, _w("body"), attrib=dict(self.body.attrib))
        for child in children[start:end + 1]:
            body.append(_kept(child, wanted, listed))
        section = copy.deepcopy(children[-1])
        body.append(section)
        _number_from(section, first_page)
        write(self.infos, self.parts, root, target)


def _kept(child: etree._Element, wanted: dict[int, int], listed: set[int]) -> etree._Element:
    """A copy of a body element for a piece: a table keeps its header rows and the rows
    `wanted` (marked with their numbers), anything else is copied whole."""
    if child.tag != _w("tbl"):
        return copy.deepcopy(child)
    table = etree.Element(child.tag, attrib=dict(child.attrib))
    for part in child:
        if id(part) in listed and id(part) not in wanted:
            continue
        kept = copy.deepcopy(part)
        if id(part) in wanted:
            _mark(kept, wanted[id(part)])
        table.append(kept)
    return table


def _mark(row: etree._Element, number: int) -> None:
    """A bookmark at the start of the row's first paragraph."""
    paragraph = next(row.iter(_w("p")), None)
    if paragraph is not None:
        bookmark(paragraph, ROW_MARK_ID_BASE + number, f"{ROW_MARK}{number:05d}")


def _number_from(section: etree._Element, first_page: int) -> None:
    """Pages numbered as the whole document's from its page `first_page` (0-based) on, no
    distinct first page (it is not the document's)."""
    title_page = section.find(_w("titlePg"))
    if title_page is not None:
        section.remove(title_page)
    numbering = page_numbering(section)
    start = numbering.get(_w("start"), "1")
    numbering.set(_w("start"), str((int(start) if start.isdigit() else 1) + first_page))
