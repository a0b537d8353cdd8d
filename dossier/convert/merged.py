"""Merged conversion: documents that share a template converted as one LibreOffice document.

LibreOffice spends most of its time per document, not per page (loading, setting up styles,
laying out, writing a PDF): the benchmark's 100 reports took 20 to 25 s in one batch call, 3.5 s
merged by eights (bench/README.md). So documents whose parts other than the body are the same
bytes (the same template: styles, numbering, headers, settings, theme, relationships) are joined
a few at a time into one .docx (`merge`):

- each document is a section of its own: its own `w:sectPr` (page size, margins, headers and
  first-page header), starting on a new page, its page numbering restarting at 1 as it does
  alone;
- a Word bookmark at its start (`dossier-doc-NNNN`), which LibreOffice exports as a PDF named
  destination (`ExportBookmarksToPDFDestination`);
- the PDF is split at those destinations into each document's PDF (`split`).

LibreOffice inserts a blank page where a section restarting at page 1 (odd) follows an odd
page; PDF export skips such automatically inserted pages (`IsSkipEmptyPages`), as they are not
in the documents converted alone.

A document that cannot be merged (its own sections, other parts than its neighbours', no
body) is converted alone. A merged document that LibreOffice fails on, or whose PDF does not
split into as many documents as it holds, is converted again document by document: the pool
then isolates the one at fault, as it always does.
"""

from __future__ import annotations

import hashlib
import math
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from lxml import etree
from pypdf import PdfReader, PdfWriter

from dossier.convert.converter import BYTES_PER_PAGE, Conversion, Converter, Progress

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
BODY_PART = "word/document.xml"
OWN_PARTS = ("docProps/core.xml", "docProps/app.xml")  # title, dates: per document, not shown
MARK = "dossier-doc-"
MARK_ID_BASE = 900_000  # bookmark ids of the marks, far above any a document holds
# How big a merged document grows. Most of the gain comes with the first few documents (the
# benchmark's 100 reports: 20-25 s as one batch call, 3.5-4.5 s merged by 8 or 10, 3.2 s as one
# document), and LibreOffice does not always lay out a document within a long one as it does
# alone: a report whose last paragraph keeps with its signature table at a page's foot moved
# differently after five or more other reports (measured; bench/README.md). Merged documents
# are kept short: at most this many documents and estimated pages
MAX_MERGED_PAGES = 20
MAX_MERGED_DOCUMENTS = 8
MERGED_NAME = "~dossier-merged-{:04d}"
# The PDF export filter with the marks as named destinations and no inserted blank pages
MARKED_PDF_FILTER = ('pdf:writer_pdf_Export:{'
                     '"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"},'
                     '"IsSkipEmptyPages":{"type":"boolean","value":"true"}}')


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass
class _Merged:
    path: Path
    members: list[Path]


@dataclass
class MergeStats:
    """What the last `convert` did: documents converted within merged documents, and alone."""

    merged: int = 0
    alone: int = 0
    merged_files: int = 0
    fell_back: list[str] = field(default_factory=list)


def compatibility(document: Path) -> str | None:
    """A key shared by the documents that can be merged together, or None when this one cannot
    be merged: every part but the body and the document's own properties, each by name, size
    and CRC-32 as the zip's directory gives them (read without inflating them: the styles
    alone weigh 350 kB), and a body with one section."""
    digest = hashlib.sha256()
    try:
        with zipfile.ZipFile(document) as archive:
            infos = sorted(archive.infolist(), key=lambda info: info.filename)
            if BODY_PART not in {info.filename for info in infos}:
                return None
            for info in infos:
                if info.filename == BODY_PART or info.filename in OWN_PARTS:
                    continue
                digest.update(f"{info.filename}\0{info.file_size}\0{info.CRC}\0".encode())
            body = archive.read(BODY_PART)
    except (OSError, zipfile.BadZipFile, KeyError):
        return None
    if body.count(b"<w:sectPr") != 1:  # sections of its own: numbering would not restart
        return None
    return digest.hexdigest()


def _body(document: Path) -> tuple[etree._Element, etree._Element]:
    """The document's root element and its body."""
    with zipfile.ZipFile(document) as archive:
        root = etree.fromstring(archive.read(BODY_PART))
    body = root.find(_w("body"))
    if body is None:
        raise ValueError("no body")
    return root, body


def _mark(body: etree._Element, index: int) -> None:
    """A bookmark at the start of the document's first paragraph (in a table cell if it opens
    with a table)."""
    first = next(body.iter(_w("p")), None)
    if first is None:
        first = etree.SubElement(body, _w("p"))
        body.remove(first)
        body.insert(0, first)
    start = etree.Element(_w("bookmarkStart"))
    start.set(_w("id"), str(MARK_ID_BASE + index))
    start.set(_w("name"), f"{MARK}{index:04d}")
    end = etree.Element(_w("bookmarkEnd"))
    end.set(_w("id"), str(MARK_ID_BASE + index))
    properties = first.find(_w("pPr"))
    at = 0 if properties is None else list(first).index(properties) + 1
    first.insert(at, start)
    first.insert(at + 1, end)


def _own_section(section: etree._Element) -> etree._Element:
    """The document's section as one of a merged document's: a new page, numbered from 1
    unless the document says otherwise."""
    kind = section.find(_w("type"))
    if kind is not None:
        section.remove(kind)
    kind = etree.Element(_w("type"))
    kind.set(_w("val"), "nextPage")
    section.insert(_child_index(section, ("footnotePr", "endnotePr")), kind)
    numbering = section.find(_w("pgNumType"))
    if numbering is None:
        numbering = etree.Element(_w("pgNumType"))
        section.insert(_child_index(section, ("footnotePr", "endnotePr", "type", "pgSz",
                                              "pgMar", "paperSrc", "pgBorders", "lnNumType")),
                       numbering)
    if numbering.get(_w("start")) is None:
        numbering.set(_w("start"), "1")
    return section


def _child_index(section: etree._Element, before: Iterable[str]) -> int:
    """Where a child goes in a sectPr: after the last of `before` (and the header and footer
    references, which come first)."""
    names = {_w(n) for n in ("headerReference", "footerReference", *before)}
    index = 0
    for position, child in enumerate(section):
        if child.tag in names:
            index = position + 1
    return index


def merge(documents: list[Path], target: Path) -> None:
    """Join `documents` (compatible: see `compatibility`) into `target`, each its own section
    with its mark. The parts other than the body are the first document's."""
    root, body = _body(documents[0])
    merged_body = etree.Element(_w("body"))
    for index, document in enumerate(documents):
        if index:
            _, body = _body(document)
        section = body.find(_w("sectPr"))
        body.remove(section)
        _mark(body, index)
        merged_body.extend(list(body))
        section = _own_section(section)
        if index < len(documents) - 1:
            carrier = etree.SubElement(merged_body, _w("p"))
            etree.SubElement(carrier, _w("pPr")).append(section)
        else:
            merged_body.append(section)
    root.replace(root.find(_w("body")), merged_body)
    with zipfile.ZipFile(documents[0]) as source, zipfile.ZipFile(
            target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in source.infolist():
            data = (etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                   standalone=True)
                    if info.filename == BODY_PART else source.read(info.filename))
            out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)


def marks(reader: PdfReader) -> list[tuple[int, int]]:
    """(document index, its first page, 0-based) of every mark in a merged PDF, in order of
    index: its named destinations (pypdf names them with a leading "/")."""
    found = []
    for name, destination in reader.named_destinations.items():
        text = str(name).lstrip("/")
        if text.startswith(MARK) and text[len(MARK):].isdigit():
            found.append((int(text[len(MARK):]), reader.get_destination_page_number(destination)))
    return sorted(found)


def split(pdf: Path, targets: list[Path]) -> bool:
    """Write each document's pages of a merged PDF to its target; False (nothing written)
    when the marks do not give one start per document, first at page 0, in order."""
    reader = PdfReader(pdf)
    starts = marks(reader)
    pages = [page for _, page in starts]
    if ([index for index, _ in starts] != list(range(len(targets))) or not pages
            or pages[0] != 0 or any(b <= a for a, b in pairwise(pages))
            or pages[-1] >= len(reader.pages)):
        return False
    ends = [*pages[1:], len(reader.pages)]
    for target, start, end in zip(targets, pages, ends, strict=True):
        writer = PdfWriter()
        for number in range(start, end):
            writer.add_page(reader.pages[number])
        if reader.metadata:
            writer.add_metadata({k: v for k, v in reader.metadata.items() if k != "/Title"})
        partial = target.with_suffix(".pdf.part")
        with partial.open("wb") as handle:
            writer.write(handle)
        partial.replace(target)
    return True


def _estimate(document: Path) -> int:
    try:
        with zipfile.ZipFile(document) as archive:
            size = archive.getinfo(BODY_PART).file_size
    except (OSError, KeyError, zipfile.BadZipFile):
        return 1
    return max(1, math.ceil(size / BYTES_PER_PAGE))


def plan(documents: list[Path], max_pages: int = MAX_MERGED_PAGES,
         max_documents: int = MAX_MERGED_DOCUMENTS) -> tuple[list[list[Path]], list[Path]]:
    """(groups to merge, documents to convert alone). Compatible documents, in their order,
    cut so that no merged document exceeds `max_pages` estimated pages or `max_documents`
    documents; a document that big stays alone, and so does a group of one (the pool spreads the
    merged documents over its workers)."""
    by_key: dict[str, list[tuple[Path, int]]] = {}
    alone: list[Path] = []
    for document in documents:
        pages = _estimate(document)
        key = compatibility(document) if pages < max_pages else None
        if key is None:
            alone.append(document)
        else:
            by_key.setdefault(key, []).append((document, pages))
    groups: list[list[Path]] = []
    for members in by_key.values():
        current: list[Path] = []
        weight = 0
        for document, count in members:
            if current and (weight + count > max_pages or len(current) >= max_documents):
                groups.append(current)
                current, weight = [], 0
            current.append(document)
            weight += count
        if current:
            groups.append(current)
    alone += [g[0] for g in groups if len(g) == 1]
    groups = [g for g in groups if len(g) > 1]
    order = {d: i for i, d in enumerate(documents)}
    alone.sort(key=order.__getitem__)
    return groups, alone


class MergingConverter:
    """Converter that merges compatible documents (see the module) and converts through
    `inner`, whose PDF export must use `MARKED_PDF_FILTER`."""

    def __init__(self, inner: Converter):
        self.inner = inner
        self.stats = MergeStats()

    @property
    def version(self) -> str:
        return f"{self.inner.version}; merged"

    def check(self) -> None:
        self.inner.check()

    def warm_up(self) -> None:
        self.inner.warm_up()

    def close(self) -> None:
        self.inner.close()

    def convert(self, documents: list[Path], out_dir: Path,
                progress: Progress | None = None) -> Conversion:
        self.stats = MergeStats()
        groups, alone = plan(documents)
        if not groups:
            self.stats.alone = len(documents)
            return self.inner.convert(documents, out_dir, progress)
        out_dir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".dossier-merge-", dir=out_dir))
        try:
            return self._convert(groups, alone, work, out_dir, _Reporter(progress,
                                                                         len(documents)))
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _convert(self, groups: list[list[Path]], alone: list[Path], work: Path, out_dir: Path,
                 reporter: _Reporter) -> Conversion:
        merged = []
        taken = {d.stem for d in alone}  # their PDFs land beside the merged ones
        for index, members in enumerate(groups):
            name = MERGED_NAME.format(index)
            while name in taken:
                name = "~" + name
            path = work / f"{name}.docx"
            try:
                merge(members, path)
            except (OSError, KeyError, ValueError, etree.XMLSyntaxError, zipfile.BadZipFile):
                alone += members  # converted one by one instead
                continue
            merged.append(_Merged(path, members))
        weights = {m.path: len(m.members) for m in merged}
        first = self.inner.convert([*weights, *alone], work, reporter.weighted(weights))
        result = Conversion()
        retry: list[Path] = []
        for item in merged:
            pdf = first.pdfs.get(item.path)
            targets = [out_dir / f"{d.stem}.pdf" for d in item.members]
            if pdf is not None and split(pdf, targets):
                result.pdfs.update(zip(item.members, targets, strict=True))
                self.stats.merged += len(item.members)
                self.stats.merged_files += 1
            else:  # LibreOffice failed on it, or it does not split: one by one
                self.stats.fell_back += [d.stem for d in item.members]
                retry += item.members
        for document in alone:
            if document in first.pdfs:
                target = out_dir / f"{document.stem}.pdf"
                shutil.move(first.pdfs[document], target)
                result.pdfs[document] = target
            elif document in first.failed:
                result.failed[document] = first.failed[document]
        self.stats.alone = len(alone) + len(retry)
        if retry:
            reporter.done = len(result.pdfs) + len(result.failed)
            second = self.inner.convert(retry, out_dir, reporter.weighted({}))
            result.pdfs.update(second.pdfs)
            result.failed.update(second.failed)
        return result


class _Reporter:
    """Progress in documents while the pool counts files, some of them merged."""

    def __init__(self, progress: Progress | None, total: int):
        self.progress = progress
        self.total = total
        self.done = 0

    def weighted(self, weights: dict[Path, int]) -> Progress | None:
        if self.progress is None:
            return None
        files = len(weights)
        average = sum(weights.values()) / files if files else 1

        def report(count: int, _of: int) -> None:
            # the pool says how many files are done, not which: merged ones count on average
            converted = round(min(count, files) * average) + max(0, count - files)
            assert self.progress is not None
            self.progress(min(self.total, self.done + converted), self.total)

        return report
