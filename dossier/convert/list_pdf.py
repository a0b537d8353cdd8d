"""The PDF side of a list document's rows (`list_rows`): on which page each marked row is,
the marks taken out of the PDF the build keeps, and a PDF spliced from page ranges of others.

LibreOffice writes the rows' bookmarks as named destinations, in the catalog's `/Dests`
dictionary (older PDFs) or its `/Names /Dests` tree; both are read. The PDFs written here are
plain (a classic cross-reference table, no object streams), as the bundle's fast reader wants
them, like the PDFs `merged.split` cuts.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pikepdf

from dossier.convert.list_rows import ROW_MARK

Range = tuple[Path, int, int]  # a PDF and a range of its pages: [start, end), 0-based


def _destinations(pdf: pikepdf.Pdf) -> list[tuple[str, pikepdf.Object]]:
    root = pdf.Root
    found: list[tuple[str, pikepdf.Object]] = []
    if "/Dests" in root:
        found += [(str(name).lstrip("/"), value) for name, value in root.Dests.items()]
    if "/Names" in root and "/Dests" in root.Names:
        found += list(pikepdf.NameTree(root.Names.Dests).items())
    return found


def row_pages(path: Path) -> dict[int, int]:
    """The page (0-based) of every marked row of the PDF, by row number; none if the PDF
    cannot be read."""
    try:
        return _row_pages(path)
    except (pikepdf.PdfError, OSError):
        return {}


def _row_pages(path: Path) -> dict[int, int]:
    with pikepdf.open(path) as pdf:
        index = {page.objgen: number for number, page in enumerate(pdf.pages)}
        pages: dict[int, int] = {}
        for name, destination in _destinations(pdf):
            if not name.startswith(ROW_MARK) or not name[len(ROW_MARK):].isdigit():
                continue
            if isinstance(destination, pikepdf.Dictionary):
                destination = destination.get("/D")
            if isinstance(destination, pikepdf.Array) and len(destination) \
                    and destination[0].objgen in index:
                pages[int(name[len(ROW_MARK):])] = index[destination[0].objgen]
        return pages


def save_without_marks(path: Path) -> None:
    """Rewrite the PDF in place without the rows' destinations (they are the converted copy's,
    not the document's); a PDF that cannot be rewritten is left as LibreOffice wrote it."""
    with contextlib.suppress(pikepdf.PdfError, OSError):
        _save_without_marks(path)


def _save_without_marks(path: Path) -> None:
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        root = pdf.Root
        if "/Dests" in root:
            for name in [n for n in root.Dests if str(n).lstrip("/").startswith(ROW_MARK)]:
                del root.Dests[name]
            if not len(root.Dests):
                del root.Dests
        if "/Names" in root and "/Dests" in root.Names:
            tree = pikepdf.NameTree(root.Names.Dests)
            for name in [n for n in tree if n.startswith(ROW_MARK)]:
                del tree[name]
        pdf.save(path, object_stream_mode=pikepdf.ObjectStreamMode.disable)


def splice(ranges: list[Range], target: Path) -> None:
    """`target`: the pages of `ranges`, in order, with the first PDF's document information
    and language."""
    sources = [pikepdf.open(path) for path, _, _ in ranges]
    partial = target.with_suffix(".pdf.part")
    try:
        with pikepdf.new() as whole:
            for source, (_, start, end) in zip(sources, ranges, strict=True):
                whole.pages.extend(source.pages[start:end])
            for key, value in sources[0].docinfo.items():
                whole.docinfo[key] = value
            if "/Lang" in sources[0].Root:  # the document's language, for screen readers
                whole.Root.Lang = pikepdf.String(str(sources[0].Root.Lang))
            whole.save(partial, object_stream_mode=pikepdf.ObjectStreamMode.disable)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
        for source in sources:
            source.close()


def page_count(path: Path) -> int:
    """Its pages; 0 if it cannot be read."""
    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except (pikepdf.PdfError, OSError):
        return 0
