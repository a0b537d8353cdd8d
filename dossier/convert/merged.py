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

Documents arrive as the build renders them (`MergingStream`): each template's documents fill a
merged document, handed to the pool as soon as it is full; its PDF is cut on a thread of its
own while LibreOffice goes on with the next ones.

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
import shutil
import tempfile
import threading
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from dossier.convert.converted_copy import (
    bookmark,
    page_numbering,
    read_parts,
    section_child_index,
    write,
)
from dossier.convert.converter import (
    CollectingStream,
    Conversion,
    ConversionStream,
    Converter,
    Progress,
    convert_through,
    estimate_pages,
)
from dossier.convert.list_rows import ROW_MARK

if TYPE_CHECKING:  # imported where PDFs are cut: `dossier build` starts LibreOffice first
    from pypdf import PdfReader

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
    if ROW_MARK.encode() in body:  # a list's piece: its rows' marks must reach its own PDF
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
    bookmark(first, MARK_ID_BASE + index, f"{MARK}{index:04d}")


def _own_section(section: etree._Element) -> etree._Element:
    """The document's section as one of a merged document's: a new page, numbered from 1
    unless the document says otherwise."""
    kind = section.find(_w("type"))
    if kind is not None:
        section.remove(kind)
    kind = etree.Element(_w("type"))
    kind.set(_w("val"), "nextPage")
    section.insert(section_child_index(section, ("footnotePr", "endnotePr")), kind)
    numbering = page_numbering(section)
    if numbering.get(_w("start")) is None:
        numbering.set(_w("start"), "1")
    return section


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
    write(*read_parts(documents[0]), root, target)


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
    when the marks do not give one start per document, first at page 0, in order.

    The marks are read with pypdf; the pages are copied with pikepdf (qpdf), three times
    faster than pypdf's writer, and outside the GIL, so cutting goes on beside the build's
    rendering. Plain PDFs come out (a classic cross-reference table, no object streams), as
    the bundle's fast reader wants them. A PDF neither can read is one that does not cut:
    False, and its documents are converted one by one."""
    import pikepdf
    from pypdf.errors import PyPdfError

    try:
        return _split(pdf, targets)
    except (PyPdfError, pikepdf.PdfError, ValueError, KeyError):
        return False


def _split(pdf: Path, targets: list[Path]) -> bool:
    import pikepdf
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    count = len(reader.pages)
    starts = marks(reader)
    pages = [page for _, page in starts]
    if ([index for index, _ in starts] != list(range(len(targets))) or not pages
            or pages[0] != 0 or any(b <= a for a, b in pairwise(pages))
            or pages[-1] >= count):
        return False
    ends = [*pages[1:], count]
    with pikepdf.open(pdf) as source:
        info = {key: value for key, value in source.docinfo.items() if key != "/Title"}
        for target, start, end in zip(targets, pages, ends, strict=True):
            with pikepdf.new() as part:
                part.pages.extend(source.pages[start:end])
                for key, value in info.items():
                    part.docinfo[key] = value
                partial = target.with_suffix(".pdf.part")
                part.save(partial, object_stream_mode=pikepdf.ObjectStreamMode.disable)
            partial.replace(target)
    return True


class Groups:
    """Documents gathered, in their order, into groups of one template (`compatibility`) of
    at most `max_documents` documents and `max_pages` estimated pages: `add` says where a
    document goes, and returns the group it completes; `rest` the groups left open."""

    def __init__(self, max_pages: int = MAX_MERGED_PAGES,
                 max_documents: int = MAX_MERGED_DOCUMENTS):
        self.max_pages = max_pages
        self.max_documents = max_documents
        self._open: dict[str, list[tuple[Path, int]]] = {}

    def add(self, document: Path) -> tuple[bool, list[Path]]:
        """(whether it can be merged at all, a group completed by it or [])."""
        pages = estimate_pages(document)
        key = compatibility(document) if pages < self.max_pages else None
        if key is None:
            return False, []
        group = self._open.setdefault(key, [])
        full: list[Path] = []
        if group and (sum(count for _, count in group) + pages > self.max_pages
                      or len(group) >= self.max_documents):
            full = [member for member, _ in group]
            group = self._open[key] = []
        group.append((document, pages))
        return True, full

    def rest(self) -> list[list[Path]]:
        groups = [[member for member, _ in group] for group in self._open.values() if group]
        self._open.clear()
        return groups


def plan(documents: list[Path], max_pages: int = MAX_MERGED_PAGES,
         max_documents: int = MAX_MERGED_DOCUMENTS) -> tuple[list[list[Path]], list[Path]]:
    """(groups to merge, documents to convert alone), by `Groups`' rule; a document too big to
    merge stays alone, and so does a group of one (the pool spreads the merged documents over
    its workers)."""
    gathering = Groups(max_pages, max_documents)
    groups: list[list[Path]] = []
    alone: list[Path] = []
    for document in documents:
        mergeable, full = gathering.add(document)
        if not mergeable:
            alone.append(document)
        if full:
            groups.append(full)
    groups += gathering.rest()
    alone += [g[0] for g in groups if len(g) == 1]
    groups = [g for g in groups if len(g) > 1]
    order = {d: i for i, d in enumerate(documents)}
    alone.sort(key=order.__getitem__)
    return groups, alone


class MergingConverter:
    """Converter that merges compatible documents (see the module) and converts through
    `inner`, whose PDF export must use `MARKED_PDF_FILTER`."""

    exports_row_marks = True  # its PDFs carry the bookmarks as named destinations

    def __init__(self, inner: Converter):
        self.inner = inner
        self.stats = MergeStats()

    @property
    def version(self) -> str:
        return f"{self.inner.version}; merged, lean styles"

    def check(self) -> None:
        self.inner.check()

    def warm_up(self) -> None:
        self.inner.warm_up()

    def close(self) -> None:
        self.inner.close()

    def convert(self, documents: list[Path], out_dir: Path,
                progress: Progress | None = None) -> Conversion:
        return convert_through(self.stream(out_dir, progress, len(documents)), documents)

    def stream(self, out_dir: Path, progress: Progress | None = None,
               expected: int = 0) -> MergingStream:
        self.stats = MergeStats()
        return MergingStream(self, out_dir, progress, expected)


class MergingStream:
    """Documents submitted one by one (as the build renders them) are gathered by template
    into merged documents (`plan`'s rule: at most `MAX_MERGED_DOCUMENTS` documents and
    `MAX_MERGED_PAGES` estimated pages), each given to the inner converter's stream as soon as
    it is full; a merged PDF is cut into its documents' PDFs as soon as LibreOffice has written
    it, on a thread of its own, while the workers go on."""

    def __init__(self, owner: MergingConverter, out_dir: Path, progress: Progress | None,
                 expected: int):
        self.owner = owner
        self.out_dir = out_dir
        self.progress = progress
        self.expected = expected
        self.result = Conversion()
        self.work: Path | None = None
        self.inner: ConversionStream | None = None
        self._groups = Groups()
        self._merged: dict[Path, list[Path]] = {}  # merged document -> its documents
        self._alone: list[Path] = []
        self._retry: list[Path] = []
        self._lock = threading.Lock()
        self._cutter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dossier-split")
        self._cuts: list[Future] = []
        self._count = 0

    def submit(self, documents: list[Path]) -> None:
        for document in documents:
            mergeable, full = self._groups.add(document)
            if not mergeable:
                self._give([document])
            if full:
                self._flush(full)

    def flush(self) -> None:
        """The groups still open are merged and given now, and the inner stream flushed."""
        for members in self._groups.rest():
            self._flush(members)
        if self.inner is not None:
            self.inner.flush()

    def _flush(self, members: list[Path]) -> None:
        if len(members) == 1:
            self._give(members)
            return
        work = self._work()
        name = MERGED_NAME.format(len(self._merged))
        path = work / f"{name}.docx"
        try:
            merge(members, path)
        except (OSError, KeyError, ValueError, etree.XMLSyntaxError, zipfile.BadZipFile):
            self._give(members)  # converted one by one instead
            return
        with self._lock:
            self._merged[path] = members
        self._inner().submit([path])

    def _give(self, documents: list[Path]) -> None:
        """Documents converted alone (their PDFs land in the work folder, then are moved)."""
        with self._lock:
            self._alone += documents
        self._inner().submit(documents)

    def _work(self) -> Path:
        if self.work is None:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            self.work = Path(tempfile.mkdtemp(prefix=".dossier-merge-", dir=self.out_dir))
        return self.work

    def _inner(self) -> ConversionStream:
        if self.inner is None:
            work = self._work()
            opener = getattr(self.owner.inner, "stream", None)
            self.inner = (opener(work, None, self.expected, on_file=self._converted)
                          if opener is not None else CollectingStream(self.owner.inner, work,
                                                                      None))
        return self.inner

    def _converted(self, document: Path, pdf: Path) -> None:
        """One PDF written by LibreOffice (in a worker's thread): a merged one is cut on the
        cutting thread; a document converted alone is moved beside the others."""
        with self._lock:
            members = self._merged.get(document)
        if members is None:
            target = self.out_dir / f"{document.stem}.pdf"
            shutil.move(pdf, target)
            self._done({document: target})
        else:
            self._cuts.append(self._cutter.submit(self._cut, members, pdf))

    def _cut(self, members: list[Path], pdf: Path) -> None:
        targets = [self.out_dir / f"{d.stem}.pdf" for d in members]
        if split(pdf, targets):
            self._done(dict(zip(members, targets, strict=True)), merged=True)
        else:  # it does not split: one by one
            with self._lock:
                self._retry += members

    def _done(self, pdfs: dict[Path, Path], merged: bool = False) -> None:
        with self._lock:
            self.result.pdfs.update(pdfs)
            if merged:
                self.owner.stats.merged += len(pdfs)
                self.owner.stats.merged_files += 1
            self._count += len(pdfs)
            count = self._count
        if self.progress is not None:
            self.progress(count, max(self.expected, count))

    def finish(self) -> Conversion:
        try:
            for members in self._groups.rest():
                self._flush(members)
            first = self.inner.finish() if self.inner is not None else Conversion()
            self._cutter.shutdown(wait=True)
            for cut in self._cuts:
                cut.result()  # an error while cutting is the build's error
            return self._settle(first)
        finally:
            self._cutter.shutdown(wait=True)
            if self.work is not None:
                shutil.rmtree(self.work, ignore_errors=True)

    def _settle(self, first: Conversion) -> Conversion:
        """The documents whose merged PDF LibreOffice failed on (or that did not split) are
        converted one by one; those converted alone that failed are reported."""
        stats = self.owner.stats
        retry = list(self._retry)
        for merged, members in self._merged.items():
            if merged not in first.pdfs:
                retry += members
        for document in self._alone:
            if document in first.failed:
                self.result.failed[document] = first.failed[document]
        stats.fell_back = [d.stem for d in retry]
        stats.alone = len(self._alone) + len(retry)
        if retry:
            second = self.owner.inner.convert(retry, self.out_dir, None)
            self.result.pdfs.update(second.pdfs)
            self.result.failed.update(second.failed)
        return self.result

    def abort(self) -> None:
        try:
            if self.inner is not None:
                self.inner.abort()
        finally:
            self._cutter.shutdown(wait=True, cancel_futures=True)
            if self.work is not None:
                shutil.rmtree(self.work, ignore_errors=True)
