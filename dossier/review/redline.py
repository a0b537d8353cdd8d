"""`dossier diff --redline`: document B with its differences from A as Word tracked changes.

The result is B's own .docx (styles, tables, headers untouched) in which every difference in the
body is a real revision by author "dossier" at a fixed date, so the same A and B always give the
same bytes: accepting all changes gives B, rejecting all gives A's text.

- Paragraphs and tables of the body, then rows of matched tables, then the paragraphs of each
  cell, are paired with difflib, the same paragraph diff `dossier diff` prints.
- A changed paragraph gets word-level w:del / w:ins runs that keep each run's formatting.
- A paragraph only in A is copied in as deleted text with a deleted paragraph mark; one only
  in B has its runs and mark inserted. Rows are named as in `dossier diff` (the first cell that
  is not an STT number), so a removed nominee is one deleted row (w:trPr/w:del) and the rows
  after it only change their STT; a reordered list shows rows deleted and inserted.
- A change of page size or margins becomes a tracked section change (w:sectPrChange).
- Headers, footers, the body font and tables' properties (widths, borders, alignment) are not
  marked: when A and B differ there, the summary's `untracked` names what (`dossier diff`
  prints it, and shows header, footer and font changes).

Why not python-redlines (MIT, github.com/JSv4/Python-Redlines; version 2.0.0 inspected with
`pip download --no-deps`): the wrapper is 8 kB of pure Python, but the comparison engine comes
separately as a prebuilt, self-contained .NET program (python-redlines-docxodus: a 45 MB wheel for
linux-x64 that unpacks to 108 MB of DLLs and runtime), extracted on first use into the user's
cache folder and run as a subprocess on the documents. That is a large opaque binary for offices
that install from a short approved list, a write outside the virtualenv, and an engine that
decides for itself what a change is, so its redline would not match the paragraph diff the
reviewer reads from `dossier diff`. Real w:ins / w:del revisions over our own paragraph diff take
a few hundred lines of lxml on top of python-docx, which the project already depends on.
"""

from __future__ import annotations

import copy
import difflib
import io
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from docx.oxml import OxmlElement
from lxml import etree

from dossier.documents.render import normalise_zip
from dossier.review.diff import (
    HEADING_FORMAT,
    DiffError,
    W,
    docx_lines,
    open_docx,
    paragraph_text,
    row_key,
)

AUTHOR = "dossier"
REVISION_DATE = "2000-01-01T00:00:00Z"  # fixed: the same A and B give byte-identical redlines
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
TOKEN = re.compile(r"\w+(?:[.,/:-]\w+)*|\s+|[^\w\s]")  # "21.060.000" and "512/TTr-VP" are one
SIMPLE_PARAGRAPH = {W + "pPr", W + "r", W + "proofErr"}
SIMPLE_RUN = {W + "rPr", W + "t", W + "tab", W + "br", W + "cr", W + "lastRenderedPageBreak"}
RUN_CONTAINERS = {W + "hyperlink", W + "smartTag", W + "fldSimple", W + "customXml"}
BLOCKS = (W + "p", W + "tbl")
REVISION_IDS = etree.XPath("//@w:id", namespaces={"w": W[1:-1]})


@dataclass(frozen=True)
class RedlineSummary:
    path: Path
    insertions: int
    deletions: int
    untracked: tuple[str, ...] = ()  # where A and B differ but no revision marks it


class _Revisions:
    """Makes revision marks with unique ids, all by AUTHOR at REVISION_DATE."""

    def __init__(self, first_id: int):
        self.next_id = first_id
        self.counts = {"ins": 0, "del": 0}

    def make(self, kind: str) -> etree._Element:
        mark = OxmlElement(f"w:{kind}")
        mark.set(W + "id", str(self.next_id))
        mark.set(W + "author", AUTHOR)
        mark.set(W + "date", REVISION_DATE)
        self.next_id += 1
        if kind in self.counts:
            self.counts[kind] += 1
        return mark


@dataclass
class _Atom:
    """One character of a simple paragraph, with the run it came from (for its formatting)."""

    char: str
    run: etree._Element
    node: etree._Element | None = None  # the w:tab / w:br element; None for text


class _Redliner:
    def __init__(self, revisions: _Revisions):
        self.revisions = revisions

    # -- blocks: a body or a table cell --------------------------------------------------------

    def container(self, old: etree._Element, new: etree._Element) -> None:
        """Turn `new` (a w:body or w:tc of B) into a redline against `old` (the same in A)."""
        olds, news = _blocks(old), _blocks(new)
        matcher = difflib.SequenceMatcher(None, [_signature(b) for b in olds],
                                          [_signature(b) for b in news], autojunk=False)
        marks: list[tuple[etree._Element, str]] = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                for o, n in zip(olds[i1:i2], news[j1:j2], strict=True):
                    if n.tag == W + "tbl":
                        self.table(o, n)
                continue
            after = news[j2] if j2 < len(news) else None
            self.changed(olds[i1:i2], news[j1:j2], after, new, marks)
        self.mark_paragraphs(marks)

    def changed(self, olds: list, news: list, after: etree._Element | None,
                container: etree._Element, marks: list) -> None:
        paired = _paired_count(olds, news)
        for o, n in zip(olds[:paired], news[:paired], strict=True):
            self.pair(o, n, container, marks)
        inserted = news[paired:]
        before = inserted[0] if inserted else after
        for o in olds[paired:]:
            self.delete(o, before, container, marks)
        for n in inserted:
            self.insert(n, marks)

    def pair(self, old: etree._Element, new: etree._Element, container: etree._Element,
             marks: list) -> None:
        if new.tag == W + "tbl":
            self.table(old, new)
        elif _simple(old) and _simple(new):
            self.words(old, new)
        else:
            self.delete(old, new, container, marks)
            self.insert(new, marks)

    def delete(self, old: etree._Element, before: etree._Element | None,
               container: etree._Element, marks: list) -> None:
        """Put a copy of A's block into B as deleted: before `before`, else at the end."""
        block = copy.deepcopy(old)
        if before is not None:
            before.addprevious(block)
        else:
            _append(container, block)
        self.mark_block(block, "del", marks)

    def insert(self, new: etree._Element, marks: list) -> None:
        self.mark_block(new, "ins", marks)

    def mark_block(self, block: etree._Element, kind: str, marks: list) -> None:
        """A whole table or paragraph inserted or deleted: its rows, or its runs and (later,
        in mark_paragraphs) its paragraph mark."""
        if block.tag == W + "tbl":
            for row in block.findall(W + "tr"):
                self.mark_row(row, kind)
        else:
            self.mark_runs(block, kind)
            marks.append((block, kind))

    def mark_paragraphs(self, marks: list[tuple[etree._Element, str]]) -> None:
        """Mark the paragraph marks of inserted and deleted paragraphs. The last paragraph of a
        cell or of the body keeps its mark (Word cannot remove it): the nearest paragraph
        before it that is not itself inserted (deleted) carries the mark instead, so accepting
        (rejecting) merges that paragraph into the last one and leaves B's (A's) text."""
        groups = {kind: {id(p) for p, k in marks if k == kind} for kind in ("ins", "del")}
        for paragraph, kind in marks:
            if not _is_last(paragraph):
                _add_mark(paragraph, self.revisions.make(kind))
                continue
            previous = paragraph.getprevious()
            while previous is not None and previous.tag == W + "p" and id(previous) in groups[kind]:
                previous = previous.getprevious()
            if previous is not None and previous.tag == W + "p":
                _add_mark(previous, self.revisions.make(kind))

    # -- tables and rows ------------------------------------------------------------------------

    def table(self, old: etree._Element, new: etree._Element) -> None:
        olds, news = old.findall(W + "tr"), new.findall(W + "tr")
        matcher = difflib.SequenceMatcher(None, [_row_signature(r) for r in olds],
                                          [_row_signature(r) for r in news], autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            paired = {"equal": i2 - i1, "replace": min(i2 - i1, j2 - j1)}.get(tag, 0)
            for o, n in zip(olds[i1:i1 + paired], news[j1:j1 + paired], strict=True):
                self.row(o, n)
            inserted = news[j1 + paired:j2]
            before = inserted[0] if inserted else (news[j2] if j2 < len(news) else None)
            for o in olds[i1 + paired:i2]:
                self.delete_row(o, before, new)
            for n in inserted:
                self.mark_row(n, "ins")

    def row(self, old: etree._Element, new: etree._Element) -> None:
        old_cells, new_cells = old.findall(W + "tc"), new.findall(W + "tc")
        if len(old_cells) != len(new_cells):
            self.delete_row(old, new, new.getparent())
            self.mark_row(new, "ins")
            return
        for o, n in zip(old_cells, new_cells, strict=True):
            self.container(o, n)

    def delete_row(self, old: etree._Element, before: etree._Element | None,
                   table: etree._Element) -> None:
        row = copy.deepcopy(old)
        if before is not None:
            before.addprevious(row)
        else:
            table.append(row)
        self.mark_row(row, "del")

    def mark_row(self, row: etree._Element, kind: str) -> None:
        properties = row.find(W + "trPr")
        if properties is None:
            properties = OxmlElement("w:trPr")
            exceptions = row.find(W + "tblPrEx")
            if exceptions is not None:
                exceptions.addnext(properties)
            else:
                row.insert(0, properties)
        change = properties.find(W + "trPrChange")
        if change is not None:
            change.addprevious(self.revisions.make(kind))
        else:
            properties.append(self.revisions.make(kind))
        for paragraph in row.iter(W + "p"):
            self.mark_runs(paragraph, kind)

    # -- runs -----------------------------------------------------------------------------------

    def mark_runs(self, element: etree._Element, kind: str) -> None:
        """Wrap each stretch of runs directly in `element` (or in its hyperlinks) in a mark."""
        stretch: list[etree._Element] = []
        for child in list(element):
            if child.tag == W + "r":
                stretch.append(child)
                continue
            self._wrap(stretch, kind)
            stretch = []
            if child.tag in RUN_CONTAINERS:
                self.mark_runs(child, kind)
        self._wrap(stretch, kind)

    def _wrap(self, runs: list[etree._Element], kind: str) -> None:
        if not runs:
            return
        mark = self.revisions.make(kind)
        runs[0].addprevious(mark)
        for run in runs:
            if kind == "del":
                _as_deleted_text(run)
            mark.append(run)

    def words(self, old: etree._Element, new: etree._Element) -> None:
        """Rewrite B's paragraph `new` as a word-level redline against A's `old`."""
        old_atoms, new_atoms = _atoms(old), _atoms(new)
        old_tokens = TOKEN.findall("".join(a.char for a in old_atoms))
        new_tokens = TOKEN.findall("".join(a.char for a in new_atoms))
        old_at, new_at = _offsets(old_tokens), _offsets(new_tokens)
        pieces: list[etree._Element] = []
        for tag, i1, i2, j1, j2 in _word_opcodes(old_tokens, new_tokens):
            removed = old_atoms[old_at[i1]:old_at[i2]]
            added = new_atoms[new_at[j1]:new_at[j2]]
            if tag == "equal":
                pieces += _runs(added)
                continue
            if removed:
                pieces.append(self._marked("del", _runs(removed, deleted=True)))
            if added:
                pieces.append(self._marked("ins", _runs(added)))
        for child in list(new):
            if child.tag != W + "pPr":
                new.remove(child)
        new.extend(pieces)

    def _marked(self, kind: str, runs: list[etree._Element]) -> etree._Element:
        mark = self.revisions.make(kind)
        mark.extend(runs)
        return mark


# --- helpers -----------------------------------------------------------------------------------

def _blocks(container: etree._Element) -> list[etree._Element]:
    return [child for child in container if child.tag in BLOCKS]


def _signature(block: etree._Element) -> tuple[str, str]:
    if block.tag == W + "p":
        return "p", paragraph_text(block)
    first = block.find(W + "tr")
    return "t", "" if first is None else " | ".join(paragraph_text(p) for p in first.iter(W + "p"))


def _row_signature(row: etree._Element) -> str:
    key = row_key(row)
    return key if key is not None else "\x00" + " | ".join(paragraph_text(p)
                                                          for p in row.iter(W + "p"))


def _paired_count(olds: list, news: list) -> int:
    """How many leading blocks of a changed stretch are edits of each other: all when both
    sides have as many blocks of the same kinds, else while paragraphs stay similar."""
    count = 0
    for o, n in zip(olds, news, strict=False):
        if o.tag != n.tag:
            break
        if len(olds) != len(news) and o.tag == W + "p" and difflib.SequenceMatcher(
                None, paragraph_text(o), paragraph_text(n), autojunk=False).ratio() < 0.5:
            break
        count += 1
    return count


def _simple(paragraph: etree._Element) -> bool:
    """Only plain runs of text, tabs and breaks: safe to rebuild word by word."""
    return all(child.tag in SIMPLE_PARAGRAPH for child in paragraph) and all(
        node.tag in SIMPLE_RUN for run in paragraph.findall(W + "r") for node in run)


def _atoms(paragraph: etree._Element) -> list[_Atom]:
    atoms = []
    for run in paragraph.findall(W + "r"):
        for node in run:
            if node.tag == W + "t":
                atoms += [_Atom(char, run) for char in node.text or ""]
            elif node.tag == W + "tab":
                atoms.append(_Atom("\t", run, node))
            elif node.tag in (W + "br", W + "cr"):
                atoms.append(_Atom("\n", run, node))
    return atoms


def _offsets(tokens: list[str]) -> list[int]:
    return [0, *itertools.accumulate(len(token) for token in tokens)]


def _word_opcodes(old: list[str], new: list[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib opcodes over words; a stretch of mere whitespace between two changes joins them,
    so "4.680.000 đồng" → "2.340.000 đồng" reads as one change, not a patchwork."""
    codes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    merged: list[tuple[str, int, int, int, int]] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(codes):
        gap = (tag == "equal" and 0 < index < len(codes) - 1
               and all(token.isspace() for token in old[i1:i2]))
        if tag == "equal" and not gap:
            merged.append((tag, i1, i2, j1, j2))
        elif merged and merged[-1][0] != "equal":  # extend the change before
            merged[-1] = ("replace", merged[-1][1], i2, merged[-1][3], j2)
        else:
            merged.append((tag, i1, i2, j1, j2))
    return merged


def _runs(atoms: list[_Atom], deleted: bool = False) -> list[etree._Element]:
    """New w:r elements for `atoms`, one per source run, each with a copy of its formatting."""
    runs = []
    for source, group in itertools.groupby(atoms, key=lambda atom: atom.run):
        run = OxmlElement("w:r")
        properties = source.find(W + "rPr")
        if properties is not None:
            run.append(copy.deepcopy(properties))
        text: list[str] = []
        for atom in group:
            if atom.node is None:
                text.append(atom.char)
                continue
            _flush_text(run, text, deleted)
            run.append(copy.deepcopy(atom.node))
        _flush_text(run, text, deleted)
        runs.append(run)
    return runs


def _flush_text(run: etree._Element, text: list[str], deleted: bool) -> None:
    if text:
        node = OxmlElement("w:delText" if deleted else "w:t")
        node.text = "".join(text)
        node.set(XML_SPACE, "preserve")
        run.append(node)
        text.clear()


def _as_deleted_text(run: etree._Element) -> None:
    for node in run.iter(W + "t", W + "instrText"):
        node.tag = W + ("delText" if node.tag == W + "t" else "delInstrText")


def _is_last(paragraph: etree._Element) -> bool:
    return not any(sibling.tag in BLOCKS for sibling in paragraph.itersiblings())


def _append(container: etree._Element, block: etree._Element) -> None:
    """Append to a cell, or to the body before its final section properties."""
    final = container.find(W + "sectPr") if container.tag == W + "body" else None
    if final is not None:
        final.addprevious(block)
    else:
        container.append(block)


def _add_mark(paragraph: etree._Element, mark: etree._Element) -> None:
    """Put an inserted or deleted mark on the paragraph mark (w:pPr/w:rPr, ins before del)."""
    properties = paragraph.find(W + "pPr")
    if properties is None:
        properties = OxmlElement("w:pPr")
        paragraph.insert(0, properties)
    run_properties = properties.find(W + "rPr")
    if run_properties is None:
        run_properties = OxmlElement("w:rPr")
        following = [c for c in properties if c.tag in (W + "sectPr", W + "pPrChange")]
        if following:
            following[0].addprevious(run_properties)
        else:
            properties.append(run_properties)
    if run_properties.find(mark.tag) is not None:
        return
    has_ins = run_properties.find(W + "ins") is not None
    run_properties.insert(1 if mark.tag == W + "del" and has_ins else 0, mark)


def _track_page_setup(old_body: etree._Element, new_body: etree._Element,
                      revisions: _Revisions) -> None:
    """A tracked section change (w:sectPrChange) when page size or margins differ."""
    old, new = old_body.find(W + "sectPr"), new_body.find(W + "sectPr")
    if old is None or new is None or _page_setup(old) == _page_setup(new):
        return
    previous = copy.deepcopy(old)
    previous.attrib.clear()
    for child in list(previous):
        if child.tag in (W + "headerReference", W + "footerReference", W + "sectPrChange"):
            previous.remove(child)
    change = revisions.make("sectPrChange")
    change.append(previous)
    new.append(change)


def _page_setup(section: etree._Element) -> list[dict[str, str]]:
    return [dict(node.attrib) if node is not None else {}
            for node in (section.find(W + "pgSz"), section.find(W + "pgMar"))]


def _max_id(root: etree._Element) -> int:
    ids = [int(value) for value in REVISION_IDS(root) if value.isdigit()]
    return max(ids, default=0)


# what a redline cannot show, as a reader calls it
UNTRACKED_LABELS = {"header": "đầu trang", "footer": "chân trang", "font": "phông chữ, cỡ chữ",
                    "table": "thuộc tính bảng (độ rộng, đường viền, căn lề)"}
FONT_LINES = ("phông chữ", "cỡ chữ")  # lines of the "# Định dạng" section about fonts
TABLE_PROPERTIES = etree.XPath(".//w:tblPr | .//w:tblGrid", namespaces={"w": W[1:-1]})
CELL_PROPERTIES = etree.XPath(".//w:trPr | .//w:tcPr", namespaces={"w": W[1:-1]})


def untracked_changes(old, new) -> tuple[str, ...]:
    """Where two documents differ in what a redline does not mark: headers, footers, the body
    font, tables' properties. Labels from UNTRACKED_LABELS, in that order."""
    old_parts, new_parts = _untracked_parts(old), _untracked_parts(new)
    return tuple(label for key, label in UNTRACKED_LABELS.items()
                 if old_parts[key] != new_parts[key])


def _untracked_parts(doc) -> dict[str, object]:
    parts: dict[str, list[str]] = {"header": [], "footer": [], "font": []}
    heading = ""
    for line in docx_lines(doc):
        if line.startswith("# "):
            heading = line
            continue
        if heading == HEADING_FORMAT and line.startswith(FONT_LINES):
            parts["font"].append(line)
        elif heading.startswith("# Đầu trang"):
            parts["header"] += [heading, line]
        elif heading.startswith("# Chân trang"):
            parts["footer"] += [heading, line]
    body = doc.element.body
    # tables as a whole in order; rows and cells as the set of kinds they use, so that an
    # added or removed row (a tracked change) is not a change of properties
    tables = [_canonical(e) for e in TABLE_PROPERTIES(body)]
    cells = sorted({_canonical(e) for e in CELL_PROPERTIES(body)})
    return {**parts, "table": (tables, cells)}


def _canonical(element: etree._Element) -> bytes:
    return etree.tostring(_without_revisions(element), method="c14n")


def _without_revisions(element: etree._Element) -> etree._Element:
    """A table's properties without earlier revision marks (a row's w:ins / w:del)."""
    copied = copy.deepcopy(element)
    for mark in [c for c in copied if c.tag in (W + "ins", W + "del")]:
        copied.remove(mark)
    return copied


def redline_bytes(a: Path, b: Path) -> tuple[bytes, RedlineSummary]:
    old, new = open_docx(a), open_docx(b)
    untracked = untracked_changes(old, new)
    revisions = _Revisions(_max_id(new.element) + 1)
    _Redliner(revisions).container(old.element.body, new.element.body)
    _track_page_setup(old.element.body, new.element.body, revisions)
    buffer = io.BytesIO()
    new.save(buffer)
    summary = RedlineSummary(Path(), revisions.counts["ins"], revisions.counts["del"],
                             untracked)
    return normalise_zip(buffer.getvalue()), summary


def write_redline(a: Path, b: Path, out: Path) -> RedlineSummary:
    """Write B with its differences from A as tracked changes to `out`."""
    data, summary = redline_bytes(a, b)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        raise DiffError(f"{out}: không ghi được tệp ({exc.strerror})") from None  # cannot write
    return RedlineSummary(out, summary.insertions, summary.deletions, summary.untracked)
