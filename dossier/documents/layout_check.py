"""Read the built PDFs back and report what an officer would send back for editing, with the
document and the page (issue 14):

- `SIGNATURE_SPLIT` (blocking): a signature block's title lines and its signer's name, Nơi nhận
  or the closing paragraph ("…./.") on different pages;
- `LONE_PAGE` (blocking): a page that holds only a table's total, or only a signature block
  (its lines, names and Nơi nhận, with at most the repeated table header);
- `NAME_BROKEN` (warning): an agency name or an award title broken inside a name (inside a
  place name after its level, or inside a phrase of `agency_lines.KEEP_WHOLE`);
- `TEXT_OUTSIDE_MARGIN` (warning): a word beyond the NĐ 30 margins (the page number, in the
  top margin, excepted).

The words and their boxes come from poppler's `pdftotext -bbox` (installed with LibreOffice by
tools/bootstrap.sh); without it the check says it was not run.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from dossier.documents.agency_lines import forbidden_breaks
from dossier.documents.context import DocumentPlan
from dossier.models import Finding

PT_PER_CM = 72 / 2.54
# NĐ 30/2020 margins (top, bottom 2 cm; left 3 cm; right 1.5 cm) and the header's left column
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = (3 * PT_PER_CM, 1.5 * PT_PER_CM,
                                                        2 * PT_PER_CM, 2 * PT_PER_CM)
HEADER_LEFT_RIGHT_EDGE = (3 + 6.3) * PT_PER_CM
TOLERANCE = 2.0  # points
SIGNERS = ("signer", "secretary_sign", "chair_sign", "left_sign", "right_sign")
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                  r"(.*?)</word>")
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass
class Page:
    number: int  # from 1
    width: float
    height: float
    words: list[Word]


@dataclass
class Line:
    page: int
    y: float
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def available() -> bool:
    return shutil.which("pdftotext") is not None


def read_pages(pdf: Path) -> list[Page]:
    """Every page's words with their boxes (points, origin top left)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         check=True, timeout=120).stdout.decode("utf-8", "replace")
    pages: list[Page] = []
    for chunk in out.split("<page ")[1:]:
        size = PAGE.match("<page " + chunk)
        words = [Word(float(a), float(b), float(c), float(d), _norm(html.unescape(t)))
                 for a, b, c, d, t in WORD.findall(chunk)]
        pages.append(Page(len(pages) + 1, float(size.group(1)) if size else 595.3,
                          float(size.group(2)) if size else 841.9, words))
    return pages


def lines(pages: list[Page], max_x: float | None = None) -> list[Line]:
    """Words grouped into printed lines (same baseline), in reading order; `max_x`: only the
    words that end left of it (the header's left column)."""
    out: list[Line] = []
    for page in pages:
        rows: dict[float, list[Word]] = {}
        for word in page.words:
            if max_x is not None and word.x1 > max_x:
                continue
            key = next((y for y in rows if abs(y - word.y1) <= 1.5), word.y1)
            rows.setdefault(key, []).append(word)
        for y in sorted(rows):
            out.append(Line(page.number, y, sorted(rows[y], key=lambda w: w.x0)))
    return out


def _find(all_lines: list[Line], text: str, start: int = 0, last: bool = False) -> int | None:
    """Index of the (first or last) line from `start` whose text contains `text`."""
    wanted = _norm(text)
    found = [i for i in range(start, len(all_lines)) if wanted in all_lines[i].text]
    if not found:
        return None
    return found[-1] if last else found[0]


def layout_findings(plan: DocumentPlan, pdf: Path) -> list[Finding]:
    return page_findings(plan, read_pages(pdf))


def page_findings(plan: DocumentPlan, pages: list[Page]) -> list[Finding]:
    """Every layout finding of one document, from its pages' words."""
    every = lines(pages)
    findings = _signature_findings(plan, every)
    findings += _lone_pages(plan, pages)
    findings += _broken_names(plan, pages, every)
    findings += _margins(plan, pages)
    return findings


def _finding(code: str, severity: str, plan: DocumentPlan, page: int, message: str) -> Finding:
    return Finding(code, severity, f"{plan.title}, trang {page}: {message}",
                   nominees=(plan.nominee_id,) if plan.nominee_id else ())


SIGNATURE_SPAN = 12  # lines from a block's first title line to its signer's name, at most


def _block_start(every: list[Line], title: str, name: str) -> int | None:
    """The line where a signature block starts: the last line holding its first title that
    its signer's name follows within a few lines (a title also printed elsewhere, e.g. "CHỦ
    TỊCH" in the danh sách's title, is not the block); without a name, the last such line."""
    wanted = _norm(title)
    candidates = [i for i, line in enumerate(every) if wanted in line.text]
    if not name:
        return candidates[-1] if candidates else None
    signed = [i for i in candidates
              if any(_norm(name) in line.text for line in every[i + 1:i + 1 + SIGNATURE_SPAN])]
    return signed[-1] if signed else None


def _signature_findings(plan: DocumentPlan, every: list[Line]) -> list[Finding]:
    findings = []
    context = plan.context
    for key in SIGNERS:
        signer = context.get(key)
        if not isinstance(signer, dict) or not signer.get("lines"):
            continue
        title = next((line for line in signer["lines"] if line), "")
        name = signer.get("name") or ""
        at = _block_start(every, title, name) if title else None
        if at is None:
            continue
        page = every[at].page
        named = _find(every, name, start=at) if name else None
        if named is not None and every[named].page != page:
            findings.append(_finding(
                "SIGNATURE_SPLIT", "blocking", plan, page,
                # "the signature block's titles and the signer's name are on different pages"
                f"khối chữ ký “{title}” và tên người ký “{name}” nằm ở hai trang khác nhau "
                f"(trang {page} và {every[named].page})"))
        for label, text in (("Nơi nhận", "Nơi nhận:"), ("đoạn kết", "./.")):
            if key == "left_sign" or (label == "Nơi nhận" and "noi_nhan" not in context):
                continue
            other = _find(every[:at + 1], text, last=True)
            if other is not None and every[other].page != page:
                findings.append(_finding(
                    "SIGNATURE_SPLIT", "blocking", plan, page,
                    # "… is on page N, the signature block on page M"
                    f"{label} ở trang {every[other].page}, khối chữ ký “{title}” ở trang "
                    f"{page}"))
    return findings


def _signature_words(context: dict) -> Counter:
    words: Counter = Counter()
    for key in SIGNERS:
        signer = context.get(key)
        if isinstance(signer, dict):
            for text in [*signer.get("lines", []), signer.get("name", "")]:
                words.update(_norm(text).split())
    if "noi_nhan" in context:
        words.update(["Nơi", "nhận:"])
        for item in context["noi_nhan"]:
            words.update(_norm(item).split())
    return words


def _total_words(context: dict) -> Counter:
    danh_sach = context.get("danh_sach")
    words: Counter = Counter()
    if not isinstance(danh_sach, dict) or not danh_sach.get("has_money"):
        return words
    total = (f"Tổng cộng {danh_sach['total_figures']} Tổng số tiền thưởng: "
             f"{danh_sach['total_figures']} đồng (Bằng chữ: {danh_sach['total_words']}).")
    header = "STT Tên tập thể, cá nhân Chức vụ, đơn vị Hình thức khen thưởng Thành tích Số tiền " \
             "thưởng (đồng)"
    words.update(_norm(total).split())
    words.update(_norm(header).split())
    return words


def _lone_pages(plan: DocumentPlan, pages: list[Page]) -> list[Finding]:
    """Pages after the first that hold nothing but a signature block or a table's total."""
    findings = []
    for what, allowed in (("khối chữ ký", _signature_words(plan.context)),
                          ("dòng tổng cộng của bảng", _total_words(plan.context))):
        if not allowed:
            continue
        for page in pages[1:]:
            words = [w.text for w in page.words if not (w.text.isdigit() and w.y1 < MARGIN_TOP)]
            if words and not Counter(words) - allowed:
                findings.append(_finding(
                    "LONE_PAGE", "blocking", plan, page.number,
                    # "the page holds only …"
                    f"trang chỉ có {what}"))
    return findings


def _expected_names(context: dict) -> list[tuple[str, bool]]:
    """(text, in the header's left column) of every agency name and award title printed."""
    header = context.get("header") or {}
    names = [(header.get("superior", ""), True), (header.get("agency", ""), True)]
    names.append((context.get("award_line", ""), False))
    danh_sach = context.get("danh_sach")
    if isinstance(danh_sach, dict):
        names.append((danh_sach.get("title", ""), False))
    return [(_norm(text), left) for text, left in names if isinstance(text, str) and text]


def _broken_names(plan: DocumentPlan, pages: list[Page], every: list[Line]) -> list[Finding]:
    findings = []
    left_column = lines(pages[:1], max_x=HEADER_LEFT_RIGHT_EDGE)
    for text, in_header in _expected_names(plan.context):
        pool = left_column if in_header else every
        words = text.split()
        forbidden = forbidden_breaks(text)
        for start in range(len(pool)):
            joined: list[str] = []
            breaks: list[int] = []
            index = start
            while index < len(pool) and len(joined) < len(words):
                joined += pool[index].text.split()
                breaks.append(len(joined))
                index += 1
            if joined != words:
                continue
            bad = [b for b in breaks[:-1] if b in forbidden]
            if bad:
                cut = bad[0]
                findings.append(_finding(
                    "NAME_BROKEN", "warning", plan, pool[start].page,
                    # "… is broken inside a name: 'A / B'"
                    f"tên bị ngắt dòng giữa một tên riêng: “{' '.join(words[:cut])} / "
                    f"{' '.join(words[cut:])}”"))
            break
    return findings


def _margins(plan: DocumentPlan, pages: list[Page]) -> list[Finding]:
    findings = []
    for page in pages:
        outside = [w for w in page.words
                   if not (w.text.isdigit() and w.y1 < MARGIN_TOP)  # the page number
                   and (w.x0 < MARGIN_LEFT - TOLERANCE
                        or w.x1 > page.width - MARGIN_RIGHT + TOLERANCE
                        or w.y0 < MARGIN_TOP - TOLERANCE
                        or w.y1 > page.height - MARGIN_BOTTOM + TOLERANCE)]
        if outside:
            findings.append(_finding(
                "TEXT_OUTSIDE_MARGIN", "warning", plan, page.number,
                # "text outside the margins"
                f"chữ nằm ngoài lề: “{' '.join(w.text for w in outside[:6])}”"))
    return findings


def built_layout_findings(plans: list[DocumentPlan], pdfs: list[Path | None]) -> list[Finding]:
    """The layout check over a build: every generated document's PDF (supplied attachments
    are the units' own and are not checked)."""
    if not available():
        # "pdftotext (poppler-utils) is missing: the layout was not checked"
        return [Finding("LAYOUT_NOT_CHECKED", "warning",
                        "thiếu pdftotext (poppler-utils): chưa kiểm tra bố cục trang")]
    findings = []
    for plan, pdf in zip(plans, pdfs, strict=True):
        if plan.attachment is None and pdf is not None and pdf.is_file():
            findings += layout_findings(plan, pdf)
    return findings


def bundle_layout_findings(plans: list[DocumentPlan], bundle: Path,
                           counts: list[int]) -> list[Finding]:
    """The same check read from a build's bundle in one pass (one pdftotext call for the
    whole submission); `counts`: each document's pages, in the plans' order."""
    if not available():
        return built_layout_findings(plans, [None] * len(plans))
    pages = read_pages(bundle)
    findings = []
    start = 0
    for plan, count in zip(plans, counts, strict=True):
        own = pages[start:start + count]
        start += count
        if plan.attachment is None and own:
            findings += page_findings(plan, [Page(i, p.width, p.height, p.words)
                                             for i, p in enumerate(own, start=1)])
    return findings


def page_outline(pdf: Path) -> list[str]:
    """The first printed line of every page (the page number left out): a compact picture of
    where a document's pages break, compared by tests against a committed expectation."""
    outline = []
    for page in read_pages(pdf):
        words = [w for w in page.words if not (w.text.isdigit() and w.y1 < MARGIN_TOP)]
        first = lines([Page(page.number, page.width, page.height, words)])
        outline.append(first[0].text if first else "")
    return outline


def submissions_layout_findings(plans: list[DocumentPlan], bundles: dict[str, Path],
                                counts: list[int]) -> list[Finding]:
    """`bundle_layout_findings` for each submission's bundle (by submission id)."""
    findings = []
    for submission, path in bundles.items():
        indices = [i for i, plan in enumerate(plans) if plan.submission == submission]
        findings += bundle_layout_findings([plans[i] for i in indices], path,
                                           [counts[i] for i in indices])
    return findings
