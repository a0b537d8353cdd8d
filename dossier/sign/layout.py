"""Where the signatures go, read from the PDF itself: never fixed coordinates.

The text lines of a page, with their boxes, come from poppler's `pdftotext -bbox-layout` (the
same poppler-utils the build's checks use). From them:

- **the signature block** of a document: on its last page, the lowest line of the right-hand
  column (the signer's name), the title lines just above it, and the empty space between them,
  where the signer's signature image goes, centred on the title and the name;
- **the top right corner** of a first page: right-aligned with the text, just above its first
  line, where an attachment's signature information goes.

Boxes are in PDF user space (points, origin bottom left), as signature fields want them.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from dossier.errors import InputError, ToolError

MM = 72 / 25.4


@dataclass(frozen=True)
class Box:
    """x0, y0 bottom left; x1, y1 top right; PDF points."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    def union(self, other: Box) -> Box:
        return Box(min(self.x0, other.x0), min(self.y0, other.y0),
                   max(self.x1, other.x1), max(self.y1, other.y1))

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (round(self.x0, 2), round(self.y0, 2), round(self.x1, 2), round(self.y1, 2))


@dataclass(frozen=True)
class Line:
    text: str
    box: Box


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    lines: list[Line]


@dataclass(frozen=True)
class SignatureBlock:
    page: int          # 0-based, in the file
    title: Box         # the signer's title lines (chức vụ)
    name: Box          # the signer's name line
    space: Box         # the empty space between them


def read_pages(pdf: Path, first: int, last: int) -> list[Page]:
    """Pages first..last (0-based, inclusive) with their text lines."""
    try:
        result = subprocess.run(
            ["pdftotext", "-bbox-layout", "-f", str(first + 1), "-l", str(last + 1),
             str(pdf), "-"], capture_output=True, check=False, timeout=120)
    except FileNotFoundError as exc:
        # pdftotext (poppler-utils) is not installed
        raise ToolError("không tìm thấy pdftotext (cài gói poppler-utils)") from exc
    if result.returncode != 0:
        raise InputError.single(pdf, "không đọc được PDF (pdftotext: "  # unreadable PDF
                                + result.stderr.decode(errors="replace").strip() + ")")
    root = ET.fromstring(result.stdout.decode("utf-8"))
    pages = []
    for page in root.iter():
        if not page.tag.endswith("page"):
            continue
        height = float(page.get("height"))
        lines = []
        for line in page.iter():
            if not line.tag.endswith("line"):
                continue
            words = [w.text or "" for w in line if w.tag.endswith("word")]
            x0, y0 = float(line.get("xMin")), float(line.get("yMin"))
            x1, y1 = float(line.get("xMax")), float(line.get("yMax"))
            lines.append(Line(" ".join(words), Box(x0, height - y1, x1, height - y0)))
        pages.append(Page(float(page.get("width")), height, lines))
    return pages


def signature_block(pdf: Path, page: int, min_gap: float) -> SignatureBlock | None:
    """The signature block on `page` (the last page of a document), or None."""
    (content,) = read_pages(pdf, page, page)
    if not content.lines:
        return None
    left = min(line.box.x0 for line in content.lines)
    right = max(line.box.x1 for line in content.lines)
    middle = (left + right) / 2 + (right - left) * 0.05
    column = [line for line in content.lines if line.box.cx > middle]
    if not column:
        return None
    column.sort(key=lambda line: -line.box.y1)  # top to bottom
    name = column[-1]
    above = [line for line in column if line.box.y0 >= name.box.y1]
    if not above:
        return None
    title = above[-1].box
    if title.y0 - name.box.y1 < min_gap:
        return None
    for line in reversed(above[:-1]):  # the title's other lines, upwards, while they touch
        if line.box.y0 - title.y1 > line.box.height * 0.6:
            break
        title = title.union(line.box)
    space = Box(min(title.x0, name.box.x0), name.box.y1, max(title.x1, name.box.x1), title.y0)
    return SignatureBlock(page, title, name.box, space)


CLOSING_MARK = "Nơi nhận"  # beside the signature of a main document (NĐ 30/2020)


def signature_page(pdf: Path, first: int, last: int, min_gap: float) -> int:
    """The page (0-based) of a main document's signature block, between its `first` and
    `last` pages: the last one holding Nơi nhận and a signature block (the danh sách follows
    the signed text on pages of its own); `last` when none does."""
    pages = read_pages(pdf, first, last)
    for index in range(len(pages) - 1, -1, -1):
        if any(CLOSING_MARK in line.text for line in pages[index].lines) and \
                signature_block(pdf, first + index, min_gap) is not None:
            return first + index
    return last


def fit_image(space: Box, centre_x: float, aspect: float, padding: float) -> Box:
    """The largest box of width/height `aspect` that fits the space, centred on `centre_x`
    and on the space's middle."""
    height = space.height - 2 * padding
    width = height * aspect
    if width > space.width:
        width = space.width
        height = width / aspect
    return Box(centre_x - width / 2, space.cy - height / 2, centre_x + width / 2,
               space.cy + height / 2)


def seal_box(signer: Box, seal_width: float, seal_height: float, fraction: float) -> Box:
    """The seal at its real size, covering `fraction` of the signer's image on the left, centred
    on it vertically: its right edge at that fraction of the image's width."""
    right = signer.x0 + signer.width * fraction
    return Box(right - seal_width, signer.cy - seal_height / 2, right, signer.cy + seal_height / 2)


def corner_box(pdf: Path, width: float, height: float, margin: float = 0) -> Box:
    """The top right corner of the first page: a `width` × `height` block right-aligned with
    the text, just above its first line (in the top margin); the box is `margin` larger on
    every side (the padding of the widget's text box)."""
    (content,) = read_pages(pdf, 0, 0)
    right, top = text_corner(content)
    y0 = min(top + 2, content.height - height - 2)
    return Box(right - width - margin, y0 - margin, right + margin, y0 + height + margin)


def text_corner(content: Page, ignore: list[Box] = ()) -> tuple[float, float]:
    """The right and top edges of the page's text (lines inside `ignore` left out); for a page
    without text (a scan), those of the text area NĐ 30/2020's page margins leave."""
    from dossier.sign.rules import rules

    lines = [line for line in content.lines
             if not any(b.x0 <= line.box.cx <= b.x1 and b.y0 <= line.box.cy <= b.y1
                        for b in ignore)]
    if not lines:
        return (content.width - rules().margin_right_mm * MM,
                content.height - rules().margin_top_mm * MM)
    return max(line.box.x1 for line in lines), max(line.box.y1 for line in lines)


def first_page_text(pdf: Path) -> str:
    (content,) = read_pages(pdf, 0, 0)
    return "\n".join(line.text for line in content.lines)
