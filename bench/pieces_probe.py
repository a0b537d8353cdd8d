"""Probe for the incremental rebuild of the long lists (issue 17's d′, not built yet): is a
page range of a list document, cut out of its .docx at a page that starts inside a table and
converted alone with its first page number set, the same as those pages of the whole
document's PDF? If so, an edit to one row needs only its piece converted again.

    python bench/pieces_probe.py OUT/docx/01-to-trinh.docx OUT/pdf/01-to-trinh.pdf 50:69 130:

Each PIECE is FIRST:LAST (pages of the whole PDF, LAST empty: to the end). The piece keeps the
document's headers, styles and section, the list's tables from the row that starts page FIRST
to the row before the one that starts page LAST + 1 (header rows kept), `w:pgNumType` starting
at FIRST and no `w:titlePg` (its first page is not the document's first). Prints, per piece,
its rows, the seconds LibreOffice took and the differences from the whole PDF's pages
(dossier.convert.fidelity: text per page and rasters); exit status 1 if any differs.

The page's first row is found by its STT, the rows walked in order along the pages (numbers
restart in each section of the list): a probe's shortcut; a build would mark the rows instead.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ROW_START = re.compile(r"\s*(\d+)\s+\S")


def first_numbers(pdf: Path) -> list[int | None]:
    """Per page: the STT of the first row under the list's header, None on a page without
    the header (the text before the lists) or whose first row is a section's title."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    numbers: list[int | None] = []
    for page in text.split("\f")[:-1]:
        lines = page.splitlines()
        header = next((i for i, line in enumerate(lines) if line.strip().startswith("STT")), None)
        below = [line for line in lines[header + 1:] if line.strip()] if header is not None else []
        # the header's own lines below "STT" ("nhân", "(đồng)") start with a letter or "("
        first = next((line for line in below if not line.strip()[0].islower()
                      and not line.strip().startswith("(")), "")
        match = ROW_START.match(first)
        numbers.append(int(match.group(1)) if match else None)
    return numbers


def _number(row: etree._Element) -> int | None:
    cells = row.findall(f"{W}tc")
    text = "".join(cells[0].itertext()).strip() if cells else ""
    return int(text) if text.isdigit() else None


def _is_header(row: etree._Element) -> bool:
    return row.find(f"{W}trPr/{W}tblHeader") is not None


def page_rows(body: etree._Element, pdf: Path, pages: list[int]) -> dict[int, etree._Element]:
    """The row element that starts each of `pages`: the rows walked in order along the pages
    (numbers restart in each section, so a number alone does not name a row)."""
    rows = [r for t in body.findall(f"{W}tbl") for r in t.findall(f"{W}tr") if not _is_header(r)]
    found, at = {}, 0
    for page, number in enumerate(first_numbers(pdf)[:max(pages)], start=1):
        if number is None:
            continue
        while at < len(rows) and _number(rows[at]) != number:
            at += 1
        if at == len(rows):
            raise SystemExit(f"page {page}: no row numbered {number} after the previous page's")
        found[page] = rows[at]
    missing = [page for page in pages if page not in found]
    if missing:
        raise SystemExit(f"pages {missing} do not start with a numbered row of a list")
    return found


def cut(body: etree._Element, first_row: etree._Element, end_row: etree._Element | None,
        first_page: int) -> None:
    """Keep only the body from `first_row` to the row before `end_row` (header rows stay)."""
    children = list(body)
    section = children[-1]
    inside = False
    for child in children[:-1]:
        rows = child.findall(f"{W}tr") if child.tag == f"{W}tbl" else []
        if not inside and first_row in rows:
            inside = True
            for row in rows[:rows.index(first_row)]:
                if not _is_header(row):
                    child.remove(row)
        if inside and end_row is not None and end_row in rows:
            for row in rows[rows.index(end_row):]:
                if not _is_header(row):
                    child.remove(row)
            inside = None  # this table is the last kept
            continue
        if not inside:
            body.remove(child)
    if (title_page := section.find(f"{W}titlePg")) is not None:
        section.remove(title_page)
    numbering = etree.Element(f"{W}pgNumType")
    numbering.set(f"{W}start", str(first_page))
    section.find(f"{W}pgMar").addnext(numbering)  # its place in CT_SectPr's sequence


def probe(docx: Path, pdf: Path, first_page: int, last_page: int, work: Path) -> bool:
    import pikepdf

    from dossier.convert.fidelity import compare

    source = zipfile.ZipFile(docx)
    root = etree.fromstring(source.read("word/document.xml"))
    body = root.find(f"{W}body")
    with pikepdf.open(pdf) as whole:
        total = len(whole.pages)
        last_page = min(last_page, total)
        rows = page_rows(body, pdf, [first_page] + ([last_page + 1] if last_page < total else []))
        reference = work / f"whole-{first_page}.pdf"
        with pikepdf.new() as part:
            part.pages.extend(whole.pages[first_page - 1:last_page])
            part.save(reference)
    cut(body, rows[first_page], rows.get(last_page + 1), first_page)
    piece = work / f"piece-{first_page}.docx"
    with zipfile.ZipFile(piece, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            out.writestr(item, etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                              standalone=True)
                         if item.filename == "word/document.xml" else source.read(item))
    start = time.perf_counter()
    subprocess.run(["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(work), str(piece)],
                   capture_output=True, check=True)
    seconds = time.perf_counter() - start
    differences = compare(piece.with_suffix(".pdf"), reference)
    print(f"pages {first_page}-{last_page}: rows from {_number(rows[first_page])}, "
          f"{seconds:.2f} s, {len(differences)} differ {[str(d) for d in differences[:3]]}")
    return not differences


def main(arguments: list[str]) -> int:
    docx, pdf, *pieces = arguments
    same = True
    with tempfile.TemporaryDirectory(prefix="dossier-pieces-") as work:
        for spec in pieces:
            first, _, last = spec.partition(":")
            same &= probe(Path(docx), Path(pdf), int(first), int(last or 10**9), Path(work))
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
