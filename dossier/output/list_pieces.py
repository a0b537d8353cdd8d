"""Convert again only the pages of a long list that an edit touches (issue 17's d′).

A list document (the Tờ trình, the Biên bản: one table row per nominee, hundreds of pages at
N = 1.000) is converted whole the first time, from a copy whose rows are marked
(`ListDocument.write_marked`): its PDF says on which page every row is
(`list_pdf.row_pages`). The cache keeps, by the document's frame (everything but the rows) and
the converter, a record: the PDF's cache key, every row's digest and page.

When the document comes again with the same frame and the same number of rows, only some rows
changed. Around each run of changed rows a piece is cut (`ListShape.boundary`): from the
unchanged row `a` that starts the page of its first changed row (or an earlier page) to the row
`b` that starts the `REACH`-th page after its last one, `b` included:

- if a row `m` after the last changed one starts a page in the piece, as many pages after
  `a`'s as before (the edit kept the page breaks, or moved some and they meet the old ones
  again before `b`), the rows `a`..`m - 1` are laid out anew and the old pages from `m`'s on
  are right, numbers included: the new PDF takes the piece's pages before `m`'s in place of
  the old ones;
- otherwise the rest of the document from `a` (the tail) is converted in a second round, and
  replaces every old page from `a`'s on;
- where no page can be cut before a changed row, or after it (the tail), or a piece fails, the
  document is converted whole (marked) as the first time.

Pages before `a`'s stay the old ones because nothing before `a` changed and a page's layout
depends only on what comes before it; a piece equals those pages of the whole document
(bench/pieces_probe.py; `tests/test_pieces.py` compares builds so made with builds from
nothing). A spliced PDF carries each piece's fonts: after `MAX_SPLICES` splices the document is
converted whole again.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import pikepdf

from dossier.convert import list_pdf
from dossier.convert.converter import Conversion, estimate_pages
from dossier.convert.list_rows import ListDocument, ListShape
from dossier.documents.layout_check import PageSource
from dossier.output.cache import Cache, digest

# Only documents too long to be merged are worth it (merged.MAX_MERGED_PAGES)
MIN_PAGES = 20
# A spliced PDF carries each piece's fonts (about 80 kB a piece): after this many builds by
# pieces the document is converted whole again, which bounds its growth
MAX_SPLICES = 8
MAX_PIECES = 8  # more runs of changed rows than this: one piece from the first to the last
# A piece reaches this many page starts past its last changed row: an edit that moves a page
# break often meets the old breaks again within a few pages (rows differ in height), and a
# page more costs LibreOffice about 15 ms, a second round a start of its own (about 1.5 s)
REACH = 4
PIECE = "~dossier-piece-{}-{:02d}.docx"
OLD = "~dossier-old-{}.pdf"
# "the list's pages could not be put together"
NOT_SPLICED = "không ghép được các trang của danh sách"

ConvertAgain = Callable[[list[Path], Path], Conversion]


def _page_starts(job: _Job) -> list[int]:
    """The rows that started a page before, where a piece may be cut (`ListShape.boundary`)."""
    pages = job.old_pages
    return [row for row in range(1, len(pages))
            if job.shape.boundary(row) and pages[row] > pages[row - 1]]


def give_back_memory() -> None:
    """Return freed memory to the system. A list's parsed tree (about 150 MB at N = 5.000) is
    freed once its copies are written, but glibc keeps the pages for this process, which then
    carries them through the build (its peak at N = 5.000: 340 → 430 MB, measured);
    `malloc_trim` gives them back. Elsewhere than glibc, nothing."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


@dataclass
class _Piece:
    first: int  # its first row
    end: int | None  # its last row (one that starts a page before), None: the tail
    changed: int  # its last changed row
    path: Path  # its .docx
    pdf: Path | None = None  # once converted
    found: dict[int, int] = field(default_factory=dict)  # its rows' pages (0-based, its own)
    count: int = 0  # its pages
    meets: int | None = None  # the row from which the old pages are right again (`_fits`)


@dataclass
class _Job:
    """One list document being converted: whole (`whole`, a marked copy) or by pieces."""

    document: Path
    shape: ListShape
    frame_key: str
    pdf_key: str
    whole: Path | None = None
    pieces: list[_Piece] = field(default_factory=list)
    old_pdf: Path | None = None
    old_key: str = ""  # its cache key
    old_pages: list[int] = field(default_factory=list)  # each row's page before (0-based)
    old_count: int = 0
    pages: list[int] | None = None  # each row's page in the PDF made (known when settled)
    spliced: int = 0  # builds by pieces since the document was converted whole
    sources: list[PageSource] = field(default_factory=list)  # pages taken over from old_pdf

    def submitted(self) -> list[Path]:
        return [self.whole] if self.whole is not None else [p.path for p in self.pieces]


class ListPieces:
    """The build's helper for list documents (see the module): `prepare` says what to convert
    instead of a document, `settle` makes the documents' PDFs from what was converted, `store`
    records their rows' pages in the cache once their PDFs are stored there."""

    def __init__(self, cache: Cache, converter_version: str, out_dir: Path, work_parent: Path):
        self.cache = cache
        self.version = converter_version
        self.out_dir = out_dir
        self.work_parent = work_parent
        self._work: Path | None = None
        self.jobs: list[_Job] = []

    @property
    def work(self) -> Path:
        """The folder of the pieces, marked copies and old PDFs (made when first needed)."""
        if self._work is None:
            self._work = Path(tempfile.mkdtemp(prefix=".dossier-pieces-", dir=self.work_parent))
        return self._work

    def prepare(self, document: Path, pdf_key: str) -> list[Path]:
        """What to convert for `document` (its PDF missing from the cache): itself, a marked
        copy of it, or pieces of it."""
        if estimate_pages(document) < MIN_PAGES:
            return [document]
        read = ListDocument.read(document)
        shape = read.shape() if read is not None else None
        if read is None or shape is None:
            return [document]
        job = _Job(document, shape, digest("list", shape.frame, self.version), pdf_key)
        if not self._plan_pieces(job, read):
            self._whole(job, read)
        self.jobs.append(job)
        del read
        give_back_memory()
        return job.submitted()

    def _whole(self, job: _Job, read: ListDocument | None = None) -> None:
        job.pieces, job.old_pdf, job.spliced = [], None, 0
        job.whole = self.work / job.document.name
        read = read or ListDocument(job.document)
        read.write_marked(job.whole)

    def _plan_pieces(self, job: _Job, read: ListDocument) -> bool:
        """Cut the pieces around the changed rows, if the cache knows the document's pages."""
        record = self._record(job)
        if record is None or record["spliced"] >= MAX_SPLICES:
            return False
        job.old_pages = record["pages"]
        changed = [row for row, (old, new) in enumerate(zip(record["rows"], job.shape.rows,
                                                             strict=True)) if old != new]
        spans = self._spans(job, changed)
        if not spans:
            return False
        job.old_pdf = self.work / OLD.format(job.document.stem)
        placed = self.cache.place_pdf(record["pdf"], job.old_pdf)
        if placed is None or placed.pages <= job.old_pages[-1]:
            return False
        job.old_count, job.old_key = placed.pages, record["pdf"]
        job.pieces = [self._cut(job, span, number, read) for number, span in enumerate(spans)]
        job.spliced = record["spliced"] + 1
        return True

    @staticmethod
    def _spans(job: _Job, changed: list[int]) -> list[tuple[int, int | None, int]]:
        """(first row, last row or None: the tail, last changed row) of the pieces around the
        changed rows; [] when a changed row has no page that can be cut before it. A piece
        starts with an unchanged row that started a page, after unchanged rows: it starts the
        same page again (a changed row that started a page may now fit on the one before)."""
        starts = _page_starts(job)
        spans: list[tuple[int, int | None, int]] = []
        for row in changed:
            before = [start for start in starts if start < row]
            if not before:
                return []
            after = [start for start in starts if start > row][:REACH]
            end = after[-1] if len(after) == REACH else None
            if spans and (spans[-1][1] is None or before[-1] < spans[-1][1]):
                end = None if spans[-1][1] is None or end is None else max(end, spans[-1][1])
                spans[-1] = (spans[-1][0], end, row)  # overlaps the previous piece: one piece
            else:
                spans.append((before[-1], end, row))
        if len(spans) > MAX_PIECES:
            spans = [(spans[0][0], spans[-1][1], spans[-1][2])]
        return spans

    def _record(self, job: _Job) -> dict | None:
        data = self.cache.get_list(job.frame_key)
        try:
            record = json.loads(data) if data is not None else None
        except ValueError:
            return None
        rows = len(job.shape.rows)
        if not (isinstance(record, dict) and isinstance(record.get("pdf"), str)
                and isinstance(record.get("rows"), list) and len(record["rows"]) == rows
                and isinstance(record.get("pages"), list) and len(record["pages"]) == rows
                and isinstance(record.get("spliced"), int)
                and all(isinstance(page, int) for page in record["pages"])
                and all(0 <= a <= b for a, b in pairwise([0, *record["pages"]]))):
            return None
        return record

    def _cut(self, job: _Job, span: tuple[int, int | None, int], number: int,
             read: ListDocument | None = None) -> _Piece:
        first, end, changed = span
        piece = _Piece(first, end, changed, self.work / PIECE.format(job.document.stem, number))
        last = end if end is not None else len(job.shape.rows) - 1
        read = read or ListDocument(job.document)
        read.write_piece(piece.path, first, last, job.old_pages[first])
        return piece

    def settle(self, result: Conversion, convert_again: ConvertAgain) -> Conversion:
        """The documents' PDFs from their pieces or marked copies; the tails and whole
        documents the pieces did not suffice for converted with `convert_again`. The result by
        document (what the build converted in their stead is not named)."""
        again: list[_Job] = []
        for job in self.jobs:
            if not self._settle(job, result):
                self._instead(job, result)
                again.append(job)
        if again:
            second = convert_again([path for job in again for path in job.submitted()],
                                   self.out_dir)
            result.pdfs.update(second.pdfs)
            result.failed.update(second.failed)
            for job in again:
                if not self._settle(job, result):  # a tail always fits: not expected
                    result.failed[job.submitted()[-1]] = NOT_SPLICED
        return self._by_document(result)

    def _instead(self, job: _Job, result: Conversion) -> None:
        """What to convert when the pieces did not suffice: the tail from the first piece that
        moved a page break (those before it are kept), or the whole document if a piece
        failed."""
        fitting = 0
        while (fitting < len(job.pieces) and job.pieces[fitting].pdf is not None
               and self._fits(job, job.pieces[fitting])):
            fitting += 1
        moved = job.pieces[fitting] if fitting < len(job.pieces) else None
        tail = moved is not None and moved.pdf is not None
        for piece in job.pieces[fitting if tail else 0:]:
            result.failed.pop(piece.path, None)  # converted otherwise now
            stale = result.pdfs.pop(piece.path, None)
            if stale is not None:
                stale.unlink(missing_ok=True)
        if tail and moved is not None:
            job.pieces = [*job.pieces[:fitting],
                          self._cut(job, (moved.first, None, moved.changed), len(job.pieces))]
        else:  # a piece failed, or the pieces did not splice
            self._whole(job)

    def _settle(self, job: _Job, result: Conversion) -> bool:
        """Make the document's PDF from what was converted for it; False when that was not
        enough (a piece that moved a page break, or that failed)."""
        if job.whole is not None:
            converted = result.pdfs.get(job.whole)
            if converted is not None:  # a document that failed is reported as it is
                found = list_pdf.row_pages(converted)
                list_pdf.save_without_marks(converted)
                rows = range(len(job.shape.rows))
                job.pages = [found[r] for r in rows] if all(r in found for r in rows) else None
            return True
        for piece in job.pieces:
            if piece.pdf is None:
                piece.pdf = result.pdfs.get(piece.path)
                if piece.pdf is None:
                    return False
                piece.found = list_pdf.row_pages(piece.pdf)
                piece.count = list_pdf.page_count(piece.pdf)
            if not self._fits(job, piece):
                return False
        try:
            list_pdf.splice(self._ranges(job), self.out_dir / f"{job.document.stem}.pdf")
        except pikepdf.PdfError:  # converted again otherwise (`_instead`)
            job.sources = []
            return False
        for piece in job.pieces:
            assert piece.pdf is not None
            piece.pdf.unlink()
        return True

    @staticmethod
    def _fits(job: _Job, piece: _Piece) -> bool:
        """The piece meets the old pages again: a row after its last changed one starts a page
        in the piece, as many pages after its first as before (`meets`: from there on the old
        pages are right, numbers included). A tail always fits."""
        if piece.end is None:
            return True
        old, start, found = job.old_pages, job.old_pages[piece.first], piece.found
        if any(row not in found for row in range(piece.first, piece.end + 1)):
            return False
        piece.meets = next((row for row in _page_starts(job)
                            if piece.changed < row <= piece.end
                            and found[row] == old[row] - start and found[row - 1] < found[row]),
                           None)
        return piece.meets is not None

    def _ranges(self, job: _Job) -> list[list_pdf.Range]:
        """The new PDF's pages: the old ones, each piece's in place of theirs; the rows' new
        pages in `job.pages` (None if a tail's marks are not all found)."""
        assert job.old_pdf is not None
        old = job.old_pages
        pages: list[int] | None = list(old)
        ranges: list[list_pdf.Range] = []
        at: int | None = 0  # the old page copied next
        for piece in job.pieces:
            assert piece.pdf is not None and at is not None
            start = old[piece.first]
            ranges.append((job.old_pdf, at, start))
            job.sources.append(PageSource(at, start, job.old_key, at))
            end = piece.meets if piece.meets is not None else len(old)
            at = old[piece.meets] if piece.meets is not None else None
            ranges.append((piece.pdf, 0, piece.count if at is None else at - start))
            rows = range(piece.first, end)
            if pages is not None and all(row in piece.found for row in rows):
                pages[piece.first:end] = [start + piece.found[row] for row in rows]
            else:
                pages = None
        if at is not None:
            ranges.append((job.old_pdf, at, job.old_count))
            job.sources.append(PageSource(at, job.old_count, job.old_key, at))
        job.pages = pages
        return ranges

    def _by_document(self, result: Conversion) -> Conversion:
        """`result` with each list document in place of what was converted for it."""
        owner = {path: job for job in self.jobs for path in job.submitted()}
        by_document = Conversion()
        for submitted, pdf in result.pdfs.items():
            job = owner.get(submitted)
            if job is None:
                by_document.pdfs[submitted] = pdf
            elif submitted == job.submitted()[0]:
                by_document.pdfs[job.document] = self.out_dir / f"{job.document.stem}.pdf"
        for submitted, reason in result.failed.items():
            job = owner.get(submitted)
            by_document.failed[job.document if job else submitted] = reason
        for document in by_document.failed:
            by_document.pdfs.pop(document, None)
        return by_document

    def documents(self) -> dict[Path, list[PageSource]]:
        """The list documents (by .docx), each with the pages its PDF took over unchanged
        from the one the cache kept (none when converted whole): what the layout check need
        not read again (the old pages keep their places: a piece has the pages it replaces)."""
        return {job.document: [s for s in job.sources if s.last > s.first]
                for job in self.jobs}

    def store(self, stored: Callable[[str], bool]) -> None:
        """Record each list document's rows and pages, if its PDF is in the cache
        (`stored(pdf_key)`)."""
        for job in self.jobs:
            if job.pages is not None and stored(job.pdf_key):
                record = {"pdf": job.pdf_key, "rows": list(job.shape.rows), "pages": job.pages,
                          "spliced": job.spliced}
                self.cache.put_list(job.frame_key, json.dumps(record).encode("utf-8"))

    def close(self) -> None:
        """Remove the pieces, the marked copies and the old PDFs."""
        if self._work is not None:
            shutil.rmtree(self._work, ignore_errors=True)

    def __enter__(self) -> ListPieces:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
