"""The changed pages of two PDFs, rendered side by side with the differing regions marked.

Each PDF is rendered by poppler's `pdftoppm` (grey, ~80 dpi); page N of A is compared with page
N of B pixel by pixel (Pillow, numpy). A page whose pixels are the same is not kept; on a
changed page, the rows that differ are gathered into bands and each band's extent is outlined
in red on both sides, so a moved signature or a new line break is seen rather than read. A page
only one side has is shown against an empty frame.

The work is bounded: at most `max_pages` rendered pages (both sides counted) and `seconds` of
rendering for a whole report; what is left over is named, never silently dropped.
"""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

DPI = 80
THRESHOLD = 48  # grey levels of difference a pixel needs to count (anti-aliasing noise is less)
GAP = 6  # rows of sameness that still join two differing rows into one band (px)
PAD = 3  # px added around a marked region
MARK = (220, 0, 0)
TINT = (255, 80, 80)


@dataclass(frozen=True)
class PagePair:
    number: int  # 1-based page number
    a: str | None  # data: URI of A's page (marked), None when A has no such page
    b: str | None
    regions: int  # differing regions marked


@dataclass
class PageBudget:
    """How much rendering a report may do, and what it had to leave out."""
    max_pages: int = 40
    seconds: float = 60.0
    started: float = field(default_factory=time.monotonic)
    rendered: int = 0
    left_out: list[str] = field(default_factory=list)  # documents whose pages were not shown

    def allows(self, pages: int) -> bool:
        return (self.rendered + pages <= self.max_pages
                and time.monotonic() - self.started < self.seconds)

    @property
    def remaining(self) -> float:
        return max(self.seconds - (time.monotonic() - self.started), 0.1)


def available() -> bool:
    """pdftoppm and Pillow are both there (else the report says why pages are not shown)."""
    if shutil.which("pdftoppm") is None:
        return False
    try:
        import PIL  # noqa: F401
    except ImportError:
        return False
    return True


def _page_count(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(pdf)).pages)


def _render(pdf: Path, folder: Path, prefix: str, timeout: float) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", str(pdf), str(folder / prefix)],
                   check=True, capture_output=True, timeout=timeout)
    return sorted(folder.glob(f"{prefix}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def changed_pages(pdf_a: Path, pdf_b: Path, budget: PageBudget, label: str) -> list[PagePair]:
    """The pages that differ, A beside B; [] when none does. When the budget does not allow
    rendering both PDFs, `label` is added to `budget.left_out` and nothing is rendered."""
    try:
        pages = _page_count(pdf_a) + _page_count(pdf_b)
    except Exception:  # a damaged PDF: the text comparison still stands
        budget.left_out.append(label)
        return []
    if not budget.allows(pages):
        budget.left_out.append(label)
        return []
    with tempfile.TemporaryDirectory(prefix="dossier-pages-") as tmp:
        folder = Path(tmp)
        try:
            images_a = _render(pdf_a, folder, "a", budget.remaining)
            images_b = _render(pdf_b, folder, "b", budget.remaining)
        except (subprocess.SubprocessError, OSError):
            budget.left_out.append(label)
            return []
        budget.rendered += pages
        return _compare(images_a, images_b)


def _compare(images_a: list[Path], images_b: list[Path]) -> list[PagePair]:
    from PIL import Image

    pairs = []
    for index in range(max(len(images_a), len(images_b))):
        a = Image.open(images_a[index]).convert("L") if index < len(images_a) else None
        b = Image.open(images_b[index]).convert("L") if index < len(images_b) else None
        boxes = _regions(a, b)
        if boxes:
            pairs.append(PagePair(index + 1, _marked(a, boxes), _marked(b, boxes), len(boxes)))
    return pairs


def _regions(a, b) -> list[tuple[int, int, int, int]]:
    """Boxes (left, top, right, bottom) around the pixels that differ between two pages."""
    import numpy as np

    if a is None or b is None or a.size != b.size:
        page = a if a is not None else b
        return [(0, 0, page.size[0] - 1, page.size[1] - 1)]
    differs = np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b, dtype=np.int16)) > THRESHOLD
    rows = np.flatnonzero(differs.any(axis=1))
    if rows.size == 0:
        return []
    boxes = []
    breaks = np.flatnonzero(np.diff(rows) > GAP)
    starts = np.concatenate(([rows[0]], rows[breaks + 1]))
    ends = np.concatenate((rows[breaks], [rows[-1]]))
    height, width = differs.shape
    for top, bottom in zip(starts, ends, strict=True):
        columns = np.flatnonzero(differs[top:bottom + 1].any(axis=0))
        boxes.append((max(int(columns[0]) - PAD, 0), max(int(top) - PAD, 0),
                      min(int(columns[-1]) + PAD, width - 1), min(int(bottom) + PAD, height - 1)))
    return boxes


def _marked(page, boxes: list[tuple[int, int, int, int]]) -> str | None:
    if page is None:
        return None
    from PIL import Image, ImageDraw

    image = page.convert("RGB")
    tinted = image.copy()
    ImageDraw.Draw(tinted).rectangle((0, 0, *image.size), fill=TINT)
    draw = ImageDraw.Draw(image)
    for box in boxes:  # a light red wash over the region, framed in red
        image.paste(Image.blend(image.crop(box), tinted.crop(box), 0.3), box[:2])
        draw.rectangle(box, outline=MARK, width=2)
    buffer = io.BytesIO()
    image.quantize(colors=32).save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
