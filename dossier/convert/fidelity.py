"""Is a PDF the same document as another? The contract of merged conversion (`merged`): a
document's PDF cut from a merged one equals the document converted alone.

Compared: the page count, the text of every page (pypdf's extraction, whitespace normalised),
and the rendering: each page rasterised at low resolution in grey (poppler's pdftoppm) and
compared pixel by pixel, allowing antialiasing noise (a few grey levels, a few stray pixels)
but not a line moved or a glyph changed.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from dossier.errors import ToolError

DPI = 36
NOISE = 48  # grey levels a pixel may differ by (antialiasing at another subpixel position)
STRAY = 0.001  # share of a page's pixels that may differ by more


@dataclass(frozen=True)
class Difference:
    page: int | None  # 1-based; None: the page counts differ
    what: str

    def __str__(self) -> str:
        return f"trang {self.page}: {self.what}" if self.page else self.what


def texts(pdf: Path) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(pdf).pages]


def rasters(pdf: Path, dpi: int = DPI) -> list[tuple[int, int, bytes]]:
    """Every page as (width, height, grey bytes)."""
    if not shutil.which("pdftoppm"):
        # "pdftoppm (poppler-utils) is needed to compare renderings"
        raise ToolError("cần pdftoppm (apt-get install poppler-utils) để so sánh bản in")
    with tempfile.TemporaryDirectory(prefix="dossier-raster-") as folder:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(pdf), f"{folder}/p"],
                       check=True, capture_output=True, timeout=600)
        pages = sorted(Path(folder).glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[1]))
        return [_pgm(page.read_bytes()) for page in pages]


def _pgm(data: bytes) -> tuple[int, int, bytes]:
    """A binary PGM (P5) as (width, height, pixels)."""
    fields: list[bytes] = []
    position = 0
    while len(fields) < 4:
        while data[position:position + 1].isspace():
            position += 1
        if data[position:position + 1] == b"#":
            position = data.index(b"\n", position)
            continue
        end = position
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[position:end])
        position = end
    width, height = int(fields[1]), int(fields[2])
    start = position + 1
    return width, height, data[start:start + width * height]


def _pixels_differ(a: bytes, b: bytes) -> int:
    """How many pixels differ by more than the antialiasing noise."""
    if a == b:
        return 0
    return sum(1 for x, y in zip(a, b, strict=True) if abs(x - y) > NOISE)


def compare(pdf: Path, reference: Path) -> list[Difference]:
    """How `pdf` differs from `reference` (empty: the same document)."""
    ours, theirs = texts(pdf), texts(reference)
    if len(ours) != len(theirs):
        return [Difference(None, f"{len(ours)} trang, văn bản chuyển riêng có {len(theirs)}")]
    found = [Difference(n, "chữ khác") for n, (a, b) in enumerate(zip(ours, theirs, strict=True), 1)
             if a != b]
    for number, (a, b) in enumerate(zip(rasters(pdf), rasters(reference), strict=True), 1):
        if a[:2] != b[:2]:
            found.append(Difference(number, f"khổ trang khác ({a[:2]} / {b[:2]})"))
        elif (count := _pixels_differ(a[2], b[2])) > STRAY * len(a[2]):
            found.append(Difference(number, f"bản in khác ở {count} điểm ảnh"))
    return found
