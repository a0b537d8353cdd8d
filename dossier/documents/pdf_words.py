"""The words a PDF prints, with their boxes, read with poppler's `pdftotext -bbox` (installed
with LibreOffice by tools/bootstrap.sh): for checking a built document's layout
(`layout_check`).

Long PDFs are read in ranges of `CHUNK_PAGES` pages by one pdftotext per processor, a few
ranges ahead of the reader (`stream_pages`), and many PDFs the same way (`read_each`): the
memory held does not grow with the length, and pdftotext works on the other cores while this
process reads the words (pdftotext takes about twice the time this process does).
"""

from __future__ import annotations

import bisect
import functools
import html
import math
import os
import re
import shutil
import subprocess
import unicodedata
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                  r"(.*?)</word>")
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
ODD_SPACE = re.compile(r"[^\S \n]")  # white space but the space and the line break
TIMEOUT = 120  # seconds for one pdftotext call (a range of at most CHUNK_PAGES pages)
CHUNK_PAGES = 128  # pages per pdftotext call when a long range is read in parallel


class Word(NamedTuple):  # a tuple: ~a million per 1.000 nominees, made twice as fast
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

    @functools.cached_property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class ReadStats:
    """How many pages this process has read back from PDFs (what the cache saves shows here)."""

    pages: int = 0


READ = ReadStats()


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _word_text(raw: str) -> str:
    """`normalise(html.unescape(raw))`, doing only the work the text needs."""
    if "&" in raw:
        raw = html.unescape(raw)
    if not unicodedata.is_normalized("NFC", raw):
        raw = unicodedata.normalize("NFC", raw)
    return " ".join(raw.split())


def available() -> bool:
    return shutil.which("pdftotext") is not None


def pdftotext_words(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    """pdftotext's word boxes (XHTML) of pages `first`..`last` (from 1; None: every page)."""
    span = ["-f", str(first), "-l", str(last)] if first is not None and last is not None else []
    return subprocess.run(["pdftotext", "-bbox", *span, str(pdf), "-"], capture_output=True,
                          check=True, timeout=TIMEOUT).stdout.decode("utf-8", "replace")


def parse_pages(out: str) -> Iterator[Page]:
    """The pages of one pdftotext output, numbered from 1 in the order printed."""
    for number, chunk in enumerate(out.split("<page ")[1:], start=1):
        size = PAGE.match("<page " + chunk[:80])
        found = WORD.findall(chunk)
        # the words' text alone is looked at (a twentieth of the page's markup)
        texts = "\n".join(t for *_, t in found)
        if "&" in texts or ODD_SPACE.search(texts) or not unicodedata.is_normalized("NFC",
                                                                                   texts):
            words = [Word(float(a), float(b), float(c), float(d), _word_text(t))
                     for a, b, c, d, t in found]
        else:  # most pages: what `_word_text` would do, without a call per word
            words = [Word(float(a), float(b), float(c), float(d),
                          " ".join(t.split()) if " " in t or "\n" in t else t)
                     for a, b, c, d, t in found]
        READ.pages += 1
        yield Page(number, float(size.group(1)) if size else 595.3,
                   float(size.group(2)) if size else 841.9, words)


def read_pages(pdf: Path) -> list[Page]:
    """Every page's words with their boxes (points, origin top left)."""
    return list(parse_pages(pdftotext_words(pdf)))


def _chunks(ranges: Iterable[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    return [(at, min(at + size - 1, last)) for first, last in ranges
            for at in range(first, last + 1, size)]


def stream_pages(pdf: Path, ranges: list[tuple[int, int]], workers: int | None = None,
                 chunk: int = CHUNK_PAGES) -> Iterator[Page]:
    """The pages of `ranges` (first, last; from 1) of `pdf`, in order, numbered as in `pdf`.

    Read in ranges of at most `chunk` pages by up to `workers` pdftotext processes at once
    (default: one per processor), at most `workers + 1` ranges ahead of the reader: the
    memory held does not grow with the PDF's length, and pdftotext runs on the other cores
    while this process reads the words (pdftotext takes about twice the time this process
    does)."""
    chunks = _chunks(ranges, chunk)
    outputs = read_each([(pdf, first, last) for first, last in chunks], workers)
    for (first, _), out in zip(chunks, outputs, strict=True):
        for page in parse_pages(out):
            page.number += first - 1
            yield page


def read_each(calls: list[tuple[Path, int | None, int | None]],
           workers: int | None = None) -> Iterator[str]:
    """`pdftotext_words(*call)` of every call, in order, run by up to `workers` processes at once
    (default: one per processor) and at most `workers + 1` outputs ahead of the reader."""
    workers = max(1, min(workers or os.cpu_count() or 1, len(calls)))
    if not calls:
        return
    with ThreadPoolExecutor(workers) as pool:
        ahead: deque[Future[str]] = deque()
        queued = iter(calls)
        try:
            while True:
                while len(ahead) <= workers and (call := next(queued, None)) is not None:
                    ahead.append(pool.submit(pdftotext_words, *call))
                if not ahead:
                    return
                yield ahead.popleft().result()
        finally:
            for future in ahead:
                future.cancel()


def _earliest_near(ys: list[float], begun: dict[float, int], y: float) -> float | None:
    """The baseline of the earliest line begun within 1.5 pt of `y`, or None."""
    key = None
    for near in ys[bisect.bisect_left(ys, y - 1.6):bisect.bisect_right(ys, y + 1.6)]:
        if abs(near - y) <= 1.5 and (key is None or begun[near] < begun[key]):
            key = near
    return key


def lines(pages: list[Page], max_x: float | None = None) -> list[Line]:
    """Words grouped into printed lines (same baseline), in reading order; `max_x`: only the
    words that end left of it (the header's left column).

    A word joins the earliest line begun (in the order pdftotext prints) whose baseline is
    within 1.5 pt of its own; the lines found so far are kept sorted by baseline, so the
    candidates are found by bisection (lines are more than 1.5 pt apart: at most a few)."""
    out: list[Line] = []
    for page in pages:
        rows: dict[float, list[Word]] = {}
        begun: dict[float, int] = {}  # a line's baseline → the order it was begun in
        ys: list[float] = []  # the baselines, sorted
        last: tuple[float, float | None] = (math.nan, None)  # the last word's baseline, line
        for word in page.words:
            if max_x is not None and word.x1 > max_x:
                continue
            y = word.y1
            # a word on the last word's very baseline joins its line (no line begun since
            # could be earlier): most words, without a search
            key = last[1] if y == last[0] else _earliest_near(ys, begun, y)
            last = (y, key if key is not None else y)
            if key is None:
                rows[y] = [word]
                begun[y] = len(begun)
                bisect.insort(ys, y)
            else:
                rows[key].append(word)
        for y in ys:
            out.append(Line(page.number, y, sorted(rows[y], key=lambda w: w.x0)))
    return out
