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

The words and their boxes come from poppler's `pdftotext -bbox` (`pdf_words`); without it the
check says it was not run.

A build reads its bundle (issue 17): in ranges of pages, by one pdftotext per processor, one
document's pages at a time (and for the blocking checks, a page at a time), so memory does
not grow with the bundle; it asks for the blocking checks only, and keeps each document's
findings in the build's cache (`result_key`), so a rebuild reads back only the documents
that changed.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from dossier.documents import pdf_words
from dossier.documents.agency_lines import forbidden_breaks
from dossier.documents.context import DocumentPlan
from dossier.documents.pdf_words import (
    TIMEOUT,
    Line,
    Page,
    available,
    lines,
    normalise,
    parse_pages,
    read_each,
    read_pages,
    stream_pages,
)
from dossier.models import Finding

PT_PER_CM = 72 / 2.54
# NĐ 30/2020 margins (top, bottom 2 cm; left 3 cm; right 1.5 cm) and the header's left column
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = (3 * PT_PER_CM, 1.5 * PT_PER_CM,
                                                        2 * PT_PER_CM, 2 * PT_PER_CM)
HEADER_LEFT_RIGHT_EDGE = (3 + 6.3) * PT_PER_CM
TOLERANCE = 2.0  # points
SIGNERS = ("signer", "secretary_sign", "chair_sign", "left_sign", "right_sign")
# Bump when a check changes what it finds: the results cached by earlier builds are then
# computed again (the module's source is part of the key too, as a safety net).
CHECK_VERSION = 1
def _find(all_lines: Sequence[Line | TextLine], text: str, start: int = 0,
          last: bool = False) -> int | None:
    """Index of the (first or last) line from `start` whose text contains `text`."""
    wanted = normalise(text)
    found = [i for i in range(start, len(all_lines)) if wanted in all_lines[i].text]
    if not found:
        return None
    return found[-1] if last else found[0]


def page_findings(plan: DocumentPlan, pages: list[Page], blocking_only: bool = False
                  ) -> list[Finding]:
    """Every layout finding of one document, from its pages' words; `blocking_only`: only
    the checks whose findings are blocking (SIGNATURE_SPLIT, LONE_PAGE), as a build needs."""
    if blocking_only:
        return _blocking_findings(plan, (page_text(page) for page in pages))
    every = lines(pages)
    findings = _signature_findings(plan, every)
    findings += _lone_pages(plan, pages)
    if not blocking_only:
        findings += _broken_names(plan, pages, every)
        findings += _margins(plan, pages)
    return findings


def _finding(code: str, severity: str, plan: DocumentPlan, page: int, message: str) -> Finding:
    return Finding(code, severity, f"{plan.title}, trang {page}: {message}",
                   nominees=(plan.nominee_id,) if plan.nominee_id else ())


SIGNATURE_SPAN = 12  # lines from a block's first title line to its signer's name, at most


def _block_start(every: Sequence[Line | TextLine], title: str, name: str) -> int | None:
    """The line where a signature block starts: the last line holding its first title that
    its signer's name follows within a few lines (a title also printed elsewhere, e.g. "CHỦ
    TỊCH" in the danh sách's title, is not the block); without a name, the last such line."""
    wanted, named = normalise(title), normalise(name)
    candidates = [i for i, line in enumerate(every) if wanted in line.text]
    if not name:
        return candidates[-1] if candidates else None
    signed = [i for i in candidates
              if any(named in line.text for line in every[i + 1:i + 1 + SIGNATURE_SPAN])]
    return signed[-1] if signed else None


def _signature_findings(plan: DocumentPlan, every: Sequence[Line | TextLine]) -> list[Finding]:
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
                words.update(normalise(text).split())
    if "noi_nhan" in context:
        words.update(["Nơi", "nhận:"])
        for item in context["noi_nhan"]:
            words.update(normalise(item).split())
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
    words.update(normalise(total).split())
    words.update(normalise(header).split())
    return words


def _lone_kinds(context: dict) -> list[tuple[str, Counter]]:
    """(what, the words such a page may hold) of each kind of lone page to look for."""
    return [(what, allowed) for what, allowed in (
        ("khối chữ ký", _signature_words(context)),
        ("dòng tổng cộng của bảng", _total_words(context))) if allowed]


def _printed_words(page: Page) -> list[str]:
    """The page's words but its number (in the top margin)."""
    return [w.text for w in page.words if not (w.text.isdigit() and w.y1 < MARGIN_TOP)]


def _is_lone(words: list[str], allowed: Counter) -> bool:
    return bool(words) and all(w in allowed for w in words) and not Counter(words) - allowed


def _lone_finding(plan: DocumentPlan, page: int, what: str) -> Finding:
    # "the page holds only …"
    return _finding("LONE_PAGE", "blocking", plan, page, f"trang chỉ có {what}")


def _lone_pages(plan: DocumentPlan, pages: list[Page]) -> list[Finding]:
    """Pages after the first that hold nothing but a signature block or a table's total."""
    return [_lone_finding(plan, page.number, what)
            for what, allowed in _lone_kinds(plan.context)
            for page in pages[1:] if _is_lone(_printed_words(page), allowed)]


class PageText(NamedTuple):
    """What the blocking checks read of a page: its lines' text, and its printed words (its
    number left out). Kept in the cache for long documents, whose pages a list spliced from
    pieces (output.list_pieces) mostly takes over unchanged."""

    lines: list[str]
    # joined by line breaks, which no word holds (a word may hold a space: pdftotext's word
    # with a no-break space): fewer objects held for a long list
    words: str

    def word_list(self) -> list[str]:
        return self.words.split("\n") if self.words else []


class TextLine(NamedTuple):
    page: int
    text: str


def page_text(page: Page) -> PageText:
    return PageText([line.text for line in lines([page])], "\n".join(_printed_words(page)))


def _blocking_findings(plan: DocumentPlan, pages: Iterable[PageText]) -> list[Finding]:
    """The blocking checks of `page_findings` over pages read one at a time: each page's
    words are let go once its lines' text is kept and its lone-page test done, so a list of a
    thousand pages is never held word by word (N = 5.000: the build's peak memory)."""
    every: list[TextLine] = []
    kinds = _lone_kinds(plan.context)
    lone: dict[str, list[Finding]] = {what: [] for what, _ in kinds}
    for number, page in enumerate(pages, start=1):
        every += [TextLine(number, text) for text in page.lines]
        if number > 1:
            for what, allowed in kinds:
                if _is_lone(page.word_list(), allowed):
                    lone[what].append(_lone_finding(plan, number, what))
    return _signature_findings(plan, every) + [f for what, _ in kinds for f in lone[what]]


def _expected_names(context: dict) -> list[tuple[str, bool]]:
    """(text, in the header's left column) of every agency name and award title printed."""
    header = context.get("header") or {}
    names = [(header.get("superior", ""), True), (header.get("agency", ""), True)]
    names.append((context.get("award_line", ""), False))
    danh_sach = context.get("danh_sach")
    if isinstance(danh_sach, dict):
        names.append((danh_sach.get("title", ""), False))
    return [(normalise(text), left) for text, left in names if isinstance(text, str) and text]


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


def _not_checked() -> list[Finding]:
    # "pdftotext (poppler-utils) is missing: the layout was not checked"
    return [Finding("LAYOUT_NOT_CHECKED", "warning",
                    "thiếu pdftotext (poppler-utils): chưa kiểm tra bố cục trang")]


def built_layout_findings(plans: list[DocumentPlan], pdfs: list[Path | None],
                          blocking_only: bool = False) -> list[Finding]:
    """The layout check over a build: every generated document's PDF (supplied attachments
    are the units' own and are not checked)."""
    if not available():
        return _not_checked()
    chosen = [(plan, pdf) for plan, pdf in zip(plans, pdfs, strict=True)
              if plan.attachment is None and pdf is not None and pdf.is_file()]
    findings = []
    # each PDF read by its own pdftotext, one per processor at once, a few ahead
    outputs = read_each([(pdf, None, None) for _, pdf in chosen])
    for (plan, _), out in zip(chosen, outputs, strict=True):
        findings += page_findings(plan, list(parse_pages(out)), blocking_only)
    return findings


class ResultCache(Protocol):
    """Where a build keeps each document's findings between builds (output.cache.Cache)."""

    def get_layout(self, key: str) -> bytes | None: ...

    def put_layout(self, key: str, data: bytes) -> None: ...


class PageSource(NamedTuple):
    """A document's pages `first`..`last - 1` (from 0) are the pages from `old_first` on of the
    PDF cached under `pdf_key` (a list spliced from pieces: output.list_pieces)."""

    first: int
    last: int
    pdf_key: str
    old_first: int


def bundle_layout_findings(plans: list[DocumentPlan], bundle: Path, counts: list[int], *,
                           blocking_only: bool = False, cache: ResultCache | None = None,
                           keys: list[str] | None = None,
                           sources: dict[int, list[PageSource]] | None = None,
                           keep: frozenset[int] = frozenset()) -> list[Finding]:
    """The same check read from a build's bundle (pdftotext on the bundle's pages, one
    document at a time held in memory); `counts`: each document's pages, in the plans' order.

    With a `cache` and each document's PDF cache key (`keys`, in the plans' order), a
    document's findings are kept under a key of its PDF and of everything the checks read
    (`result_key`), and only the documents without a kept result are read from the bundle.
    For the blocking checks, the documents `keep` (indices: long lists) also keep what the
    checks read of each page (`PageText`, under `pages_key`), and the pages `sources` says a
    document took over from such a PDF are not read again."""
    if not available():
        return _not_checked()
    results: dict[int, list[Finding]] = {}
    wanted = [i for i, (plan, count) in enumerate(zip(plans, counts, strict=True))
              if plan.attachment is None and count]
    result_keys: dict[int, str] = {}
    if cache is not None and keys is not None:
        for index in wanted:
            key = result_key(plans[index], keys[index], blocking_only)
            kept = _load(cache.get_layout(key)) if key else None
            if kept is not None:
                results[index] = kept
            elif key:
                result_keys[index] = key
    missing = [i for i in wanted if i not in results]
    known = (_known_pages(cache, sources or {}, missing)
             if cache is not None and blocking_only else {})
    for index, findings, texts in _read_findings(plans, bundle, counts, missing, blocking_only,
                                                 known, keep if cache is not None else set()):
        results[index] = findings
        if cache is not None and index in result_keys:
            cache.put_layout(result_keys[index], _dump(findings))
        if cache is not None and keys is not None and texts is not None:
            cache.put_layout(pages_key(keys[index]), _dump_pages(texts))
    return [f for index in wanted for f in results[index]]


def _known_pages(cache: ResultCache, sources: dict[int, list[PageSource]],
                 which: list[int]) -> dict[int, dict[int, PageText]]:
    """The pages of the documents `which` that `sources` says are cached ones (by document,
    by page from 0)."""
    known: dict[int, dict[int, PageText]] = {}
    loaded: dict[str, list[PageText] | None] = {}
    for index in which:
        for first, last, pdf_key, old_first in sources.get(index, []):
            if pdf_key not in loaded:
                loaded[pdf_key] = _load_pages(cache.get_layout(pages_key(pdf_key)))
            old = loaded[pdf_key]
            if old is None or old_first + last - first > len(old):
                continue
            known.setdefault(index, {}).update(
                {page: old[old_first + page - first] for page in range(first, last)})
    return known


def _read_findings(plans: list[DocumentPlan], bundle: Path, counts: list[int],
                   which: list[int], blocking_only: bool,
                   known: dict[int, dict[int, PageText]] | None = None,
                   keep: Iterable[int] = ()
                   ) -> Iterator[tuple[int, list[Finding], list[PageText] | None]]:
    """The findings of the documents `which` (indices, in order), read from the bundle:
    consecutive pages in one range, but the `known` ones (blocking checks only); with the
    pages' text for the documents `keep`."""
    known = known or {}
    pages = stream_pages(bundle, _unknown_ranges(counts, which, known))
    try:
        for index in which:
            if blocking_only:  # page by page: a long list is never held whole
                own = known.get(index, {})
                texts = [] if index in keep else None
                read = (own[n] if n in own else page_text(next(pages))
                        for n in range(counts[index]))
                findings = _blocking_findings(plans[index], _collected(read, texts))
                yield index, findings, texts
                continue
            own_pages = list(itertools.islice(pages, counts[index]))
            for number, page in enumerate(own_pages, start=1):
                page.number = number
            yield index, page_findings(plans[index], own_pages, blocking_only), None
    finally:
        pages.close()


def _unknown_ranges(counts: list[int], which: list[int],
                    known: dict[int, dict[int, PageText]]) -> list[tuple[int, int]]:
    """The bundle's pages (first, last; from 1) of the documents `which` but the `known`."""
    starts = list(itertools.accumulate(counts, initial=0))
    ranges: list[tuple[int, int]] = []
    for index in which:
        for page in range(counts[index]):
            if page in known.get(index, {}):
                continue
            absolute = starts[index] + page + 1
            if ranges and ranges[-1][1] == absolute - 1:
                ranges[-1] = (ranges[-1][0], absolute)
            else:
                ranges.append((absolute, absolute))
    return ranges


def _collected(pages: Iterable[PageText], into: list[PageText] | None) -> Iterator[PageText]:
    for page in pages:
        if into is not None:
            into.append(page)
        yield page


@functools.cache
def _checker_id() -> str:
    """This check's version, its source and pdftotext's version: a result found by another
    check, or from words read by another pdftotext, is not reused."""
    source = hashlib.sha256(b"".join(Path(module.__file__).read_bytes()
                                     for module in (sys.modules[__name__], pdf_words))
                            ).hexdigest()[:16]
    try:
        poppler = subprocess.run(["pdftotext", "-v"], capture_output=True, timeout=TIMEOUT)
        version = (poppler.stdout + poppler.stderr).decode("utf-8", "replace").split("\n")[0]
    except (OSError, subprocess.SubprocessError):
        version = "?"
    return f"{CHECK_VERSION}|{source}|{version}"


def _read_values(context: dict[str, Any]) -> dict[str, Any]:
    """Everything of a document's context that the checks read."""
    signers = {key: ({"lines": value.get("lines"), "name": value.get("name")}
                     if isinstance(value, dict) else None)
               for key in SIGNERS if (value := context.get(key)) is not None}
    danh_sach = context.get("danh_sach")
    header = context.get("header")
    return {
        "signers": signers,
        "noi_nhan": ["noi_nhan" in context, context.get("noi_nhan")],
        "danh_sach": ({k: danh_sach.get(k) for k in ("has_money", "total_figures",
                                                      "total_words", "title")}
                      if isinstance(danh_sach, dict) else None),
        "header": ({k: header.get(k) for k in ("superior", "agency")}
                   if isinstance(header, dict) else None),
        "award_line": context.get("award_line"),
    }


def result_key(plan: DocumentPlan, pdf_key: str, blocking_only: bool) -> str | None:
    """The key of a document's findings: its PDF's cache key, its title and nominee (in the
    messages), the context values the checks read, which checks and the checker (`_checker_id`);
    None when a value cannot be serialised (the document is then read every time)."""
    try:
        payload = json.dumps([_checker_id(), pdf_key, plan.title, plan.nominee_id,
                              blocking_only, _read_values(plan.context)],
                             ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def pages_key(pdf_key: str) -> str:
    """The key of what the blocking checks read of each page of the PDF cached under
    `pdf_key` (by this checker)."""
    payload = json.dumps([_checker_id(), "pages", pdf_key], separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _dump_pages(pages: list[PageText]) -> bytes:
    return json.dumps([[page.lines, page.words] for page in pages],
                      ensure_ascii=False).encode("utf-8")


def _load_pages(data: bytes | None) -> list[PageText] | None:
    """Pages written by `_dump_pages`; None (as if missing) for anything else."""
    if data is None:
        return None
    try:
        pages = [PageText(list(texts), words) for texts, words in json.loads(data)]
    except (ValueError, TypeError):
        return None
    if all(isinstance(text, str) for page in pages for text in [*page.lines, page.words]):
        return pages
    return None


def _dump(findings: list[Finding]) -> bytes:
    return json.dumps([[f.code, f.severity, f.message, list(f.nominees)] for f in findings],
                      ensure_ascii=False).encode("utf-8")


def _load(data: bytes | None) -> list[Finding] | None:
    """Findings written by `_dump`; None (as if missing) for anything else."""
    if data is None:
        return None
    try:
        rows = json.loads(data.decode("utf-8"))
        findings = [Finding(code, severity, message, tuple(nominees))
                    for code, severity, message, nominees in rows]
    except (ValueError, TypeError):
        return None
    if all(isinstance(f.code, str) and f.severity in ("blocking", "warning")
           and isinstance(f.message, str) and all(isinstance(n, str) for n in f.nominees)
           for f in findings):
        return findings
    return None


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
                                counts: list[int], *, blocking_only: bool = False,
                                cache: ResultCache | None = None,
                                keys: list[str] | None = None,
                                sources: dict[int, list[PageSource]] | None = None,
                                keep: frozenset[int] = frozenset()) -> list[Finding]:
    """`bundle_layout_findings` for each submission's bundle (by submission id); `sources`
    and `keep` by index in `plans`."""
    findings = []
    for submission, path in bundles.items():
        indices = [i for i, plan in enumerate(plans) if plan.submission == submission]
        findings += bundle_layout_findings(
            [plans[i] for i in indices], path, [counts[i] for i in indices],
            blocking_only=blocking_only, cache=cache,
            keys=[keys[i] for i in indices] if keys else None,
            sources={at: (sources or {})[i] for at, i in enumerate(indices)
                     if i in (sources or {})},
            keep=frozenset(at for at, i in enumerate(indices) if i in keep))
    return findings
