"""Convert .docx to PDF: the converter protocol, the types every back-end shares, the font check.

The back-ends live beside this module (`local_pool.LocalPool`, `unoserver.UnoserverFarm`) and
`backends.make_converter` picks one; each imports only this module, so none imports another.

Every back-end converts what it can and reports the documents it could not convert by name
(`Conversion.failed`), so one bad document never costs the others.
"""

from __future__ import annotations

import errno
import functools
import math
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from dossier.errors import ToolError

INSTALL_HINT = ("cài LibreOffice: apt-get install -y --no-install-recommends "
                "libreoffice-writer-nogui fonts-liberation2")
# "install a metric-compatible substitute for Times New Roman"
FONT_HINT = ("cài phông thay thế tương thích Times New Roman: "
             "apt-get install -y fonts-liberation2 (Liberation Serif)")
SERIF_FAMILIES = ("Times New Roman", "Liberation Serif")
# PDF/A-2b (`build --pdf-a`): LibreOffice's PDF export with SelectPdfVersion 2, as the
# `--convert-to` filter string and as unoserver's filter options.
PDF_A_EXPORT = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
PDF_A_FILTER_OPTIONS = ["SelectPdfVersion=2"]
PDF_A_TAG = "PDF/A-2b"
UNOSERVER_SCHEME = "unoserver://"
BYTES_PER_PAGE = 12_000  # of word/document.xml: a rough page estimate before converting
FULL_DISK_MARGIN = 1 << 20  # less free space than this (or 4 × a .docx) is a full disk
PROFILE_SPACE = 64 << 20  # room a LibreOffice profile needs to be set up and written

Progress = Callable[[int, int], None]  # (documents done, total)
Converted = Callable[[Path, Path], None]  # (document, its PDF): one document done


@dataclass
class Conversion:
    """What a converter did: the PDF of every document it converted, and why the others
    failed (by document)."""

    pdfs: dict[Path, Path] = field(default_factory=dict)
    failed: dict[Path, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Timeouts:
    """How long LibreOffice may take: to start, and per document by estimated pages."""

    startup_s: float = 60.0
    per_document_s: float = 30.0
    per_page_s: float = 10.0

    def document(self, pages: int) -> float:
        return self.per_document_s + self.per_page_s * pages

    def batch(self, pages: list[int]) -> float:
        return self.startup_s + sum(self.document(p) for p in pages)


def estimate_pages(document: Path) -> int:
    """Pages of a .docx guessed from its body's size. Asked of each document by whoever
    handles it (the list pieces, the merging, the pool's batches): the zip's directory is read
    once per file as it is (its size and modification time)."""
    try:
        facts = document.stat()
    except OSError:
        return 1
    return _estimate_pages(document, facts.st_size, facts.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _estimate_pages(document: Path, size: int, modified_ns: int) -> int:
    try:
        with zipfile.ZipFile(document) as archive:
            body = archive.getinfo("word/document.xml").file_size
    except (OSError, KeyError, zipfile.BadZipFile):
        return 1
    return max(1, math.ceil(body / BYTES_PER_PAGE))


class Converter(Protocol):
    """Converts .docx files to PDF into a folder, `<stem>.pdf` each."""

    @property
    def version(self) -> str:
        """Names what produces the PDFs (part of the cache key)."""
        ...

    def check(self) -> None:
        """Raise ToolError when the converter cannot work (no LibreOffice, no fonts, …)."""
        ...

    def convert(self, documents: list[Path], out_dir: Path,
                progress: Progress | None = None) -> Conversion:
        ...

    def warm_up(self) -> None:
        """Get ready in the background while the build reads and renders (may do nothing)."""
        ...

    def close(self) -> None:
        """Release what `warm_up` started."""
        ...


class ConversionStream(Protocol):
    """A conversion fed while the build renders: documents are submitted as they are ready,
    converted meanwhile, and `finish` waits for the last one (issue 17: LibreOffice starts
    on the first documents instead of after the thousandth)."""

    def submit(self, documents: list[Path]) -> None:
        ...

    def flush(self) -> None:
        """Convert what was submitted without waiting for more (more may still come): the
        build says so once it has given the last document it renders."""
        ...

    def finish(self) -> Conversion:
        """No more documents: wait for every submitted one and say what became of it."""
        ...

    def abort(self) -> None:
        """Stop at once (the build failed): kill what runs, convert nothing more."""
        ...


class CollectingStream:
    """The stream of a converter that converts a whole list at once (a unoserver farm, or a
    test's): it collects the documents and converts them all in `finish`."""

    def __init__(self, converter: Converter, out_dir: Path, progress: Progress | None):
        self.converter = converter
        self.out_dir = out_dir
        self.progress = progress
        self.documents: list[Path] = []

    def submit(self, documents: list[Path]) -> None:
        self.documents += documents

    def flush(self) -> None:
        """Nothing: everything is converted at once in `finish`."""

    def finish(self) -> Conversion:
        if not self.documents:
            return Conversion()
        self.converter.check()
        return self.converter.convert(self.documents, self.out_dir, self.progress)

    def abort(self) -> None:
        self.documents.clear()


def convert_through(stream: ConversionStream, documents: list[Path]) -> Conversion:
    """`documents` through a stream at once: a converter's `convert` in terms of its stream."""
    try:
        stream.submit(documents)
    except BaseException:
        stream.abort()
        raise
    return stream.finish()


def open_stream(converter: Converter, out_dir: Path, progress: Progress | None = None,
                expected: int = 0) -> ConversionStream:
    """The converter's own stream if it has one (`stream(out_dir, progress, expected)`), else
    one that converts everything in `finish`. `expected`: how many documents may come (it
    helps a pool size its batches)."""
    opener = getattr(converter, "stream", None)
    if opener is None:
        return CollectingStream(converter, out_dir, progress)
    return opener(out_dir, progress, expected)


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def disk_full(folder: Path, documents: list[Path]) -> bool:
    """The file system of `folder` has no room for the PDFs of `documents` (a PDF weighs about
    its .docx; a margin for LibreOffice's temporary files): why LibreOffice could not write."""
    try:
        facts = os.statvfs(folder)
    except (OSError, AttributeError):  # no statvfs on Windows
        return False
    largest = max((d.stat().st_size for d in documents if d.is_file()), default=0)
    return facts.f_bavail * facts.f_frsize < max(4 * largest, FULL_DISK_MARGIN)


def raise_if_disk_full(folder: Path, documents: list[Path]) -> None:
    """A conversion that failed on a full disk is a full disk (OSError ENOSPC, which the build
    reports as "ổ đĩa đầy", exit 2), not documents LibreOffice cannot open."""
    if documents and disk_full(folder, documents):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder))


def raise_for_failures(result: Conversion) -> None:
    if result.failed:
        lines = "; ".join(f"{doc.name} ({reason})" for doc, reason in result.failed.items())
        # "LibreOffice did not convert: …"
        raise ToolError(f"LibreOffice không chuyển được sang PDF {len(result.failed)} văn bản: "
                        f"{lines}")


def find_soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        # "LibreOffice (soffice) not found"
        raise ToolError(f"không tìm thấy LibreOffice (soffice); {INSTALL_HINT}")
    return found


def serif_font() -> str | None:
    """The family documents in Times New Roman are printed with: Times New Roman itself or
    Liberation Serif; None when neither is installed. Unknown ("?") without fontconfig."""
    if not shutil.which("fc-list"):
        return "?"
    listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True,
                            timeout=60, check=False).stdout
    families = {name.strip() for line in listed.splitlines() for name in line.split(",")}
    return next((f for f in SERIF_FAMILIES if f in families), None)


def check_fonts() -> str:
    """Return the serif family found, or raise ToolError saying how to install one."""
    found = serif_font()
    if found is None:
        # "neither Times New Roman nor Liberation Serif is installed: the PDFs would be set in
        # another font with other line breaks"
        raise ToolError("thiếu phông Times New Roman hoặc Liberation Serif: PDF sẽ dùng phông "
                        f"khác, sai ngắt dòng và số trang; {FONT_HINT}")
    return found


def pdf_complete(path: Path) -> bool:
    """A PDF that was written to the end (a killed converter leaves a truncated one)."""
    try:
        size = path.stat().st_size
        if size < 64:
            return False
        with path.open("rb") as handle:
            if handle.read(5) != b"%PDF-":
                return False
            handle.seek(max(0, size - 1024))
            return b"%%EOF" in handle.read()
    except OSError:
        return False
