"""`dossier diff --format html`: one self-contained page a reviewer reads in a browser.

Top to bottom: the summary in the office's words (changes.summarise), a table of contents of
the documents that changed, then per document its changed pages side by side (pages.py, when
both folders have the PDFs) and its text A beside B. Long lines wrap inside their column (no
sideways scrolling at 1280 px), the words that differ inside a changed line are highlighted,
stretches of unchanged lines are folded (<details>), and print styles fit A4.

No script, no network: inline CSS and images as data: URIs. The work is linear in the size of
the documents: lines are compared once (diff.line_hunks); words only inside a pair of changed
lines that are both short, paired by position or by their "bảng …, hàng …, cột …" prefix.
"""

from __future__ import annotations

import difflib
import html
from collections.abc import Iterator

from dossier.review.changes import (
    Change,
    DocumentInfo,
    describe,
    headline,
    read_manifests,
    summarise_manifests,
)
from dossier.review.diff import Comparison, Hunk
from dossier.review.pages import PageBudget, PagePair, available, changed_pages
from dossier.review.redline import TOKEN

WORD_LIMIT = 3000  # characters of a line pair beyond which words are not compared
PAIRING_LIMIT = 250_000  # removed × added lines beyond which lines are paired only by position

CSS = """
*{box-sizing:border-box}
body{font-family:"Liberation Serif","Times New Roman",serif;color:#1a1a1a;line-height:1.45;
 max-width:1280px;margin:0 auto;padding:1.25rem 1.5rem}
h1{font-size:1.55rem;margin:.2rem 0 .6rem}
h2{font-size:1.2rem;margin:1.6rem 0 .4rem;overflow-wrap:anywhere}
h3{font-size:1rem;margin:1rem 0 .4rem}
p,li,summary,figcaption,.paths{overflow-wrap:anywhere}
.paths{color:#444;font-size:.9rem}
.summary{border:2px solid #444;background:#fffbe8;padding:.7rem 1.1rem;margin:.8rem 0}
.summary h2{margin-top:.2rem}
.summary .headline{font-weight:bold;font-size:1.08rem;margin:.2rem 0 .4rem}
.summary ul{margin:.2rem 0;padding-left:1.3rem}
.summary li{margin:.25rem 0}
.docs{font-size:.92rem;color:#333}
nav.toc ol{padding-left:1.6rem}
nav.toc li{break-inside:avoid;margin:.15rem 0}
.count-del{color:#a00000}.count-ins{color:#006000}
.note{background:#f2f2f2;border-left:4px solid #888;padding:.4rem .8rem}
section.doc{border-top:3px solid #444;margin-top:1.8rem}
table.diff{width:100%;table-layout:fixed;border-collapse:collapse;
 font-family:"Liberation Sans",Arial,sans-serif;font-size:.86rem;line-height:1.35}
table.diff col.no{width:3.2em}
table.diff td{vertical-align:top;padding:2px 6px;white-space:pre-wrap;overflow-wrap:anywhere;
 word-break:break-word;border-bottom:1px solid #eee}
table.diff td.no{color:#888;text-align:right;font-size:.78rem;padding-top:4px}
table.diff th{background:#e8e8e8;text-align:left;padding:3px 6px;font-weight:bold}
td.del{background:#fde4e4}td.ins{background:#ddf4e0}td.empty{background:#f6f6f6}
del{background:#f4a7a7;text-decoration:line-through;text-decoration-thickness:1px}
ins{background:#92d9a0;text-decoration:none}
tr.fold td{padding:0;border:0}
details>summary{cursor:pointer;color:#555;background:#f4f4f4;padding:2px 8px;font-size:.82rem;
 font-family:"Liberation Sans",Arial,sans-serif}
.pages{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1rem;margin:.6rem 0}
.pages figure{margin:0;min-width:0}
.pages img{width:100%;height:auto;border:1px solid #999;display:block}
.pages .missing{border:1px dashed #999;aspect-ratio:210/297;display:flex;align-items:center;
 justify-content:center;color:#777}
figcaption{font-size:.85rem;color:#444;margin-bottom:.2rem}
.legend span{padding:0 .35em}
@page{size:A4;margin:12mm}
@media print{
 body{max-width:none;padding:0;font-size:10pt}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 section.doc{break-before:page;border-top:0}
 tr,figure,.summary li{break-inside:avoid}
 a{color:inherit;text-decoration:none}
}
"""


def html_report(comparison: Comparison, context: int = 3, *, pages: bool = True,
                max_pages: int = 40, seconds: float = 60.0) -> str:
    """The whole report as one HTML page (see the module docstring)."""
    manifests = read_manifests(comparison)
    docs = describe(comparison, *manifests)
    changes = summarise_manifests(comparison, *manifests)
    anchors = {doc.path: f"doc-{index}" for index, doc in enumerate(docs, start=1)
               if doc.diff.status == "changed"}
    budget = PageBudget(max_pages=max_pages, seconds=seconds)
    render_pages = pages and comparison.mode == "folder" and available()
    body = [
        "<h1>So sánh hồ sơ</h1>",  # comparing dossiers
        f'<p class="paths">A: {_e(comparison.a)}<br>B: {_e(comparison.b)}</p>',
        _summary(changes, anchors),
        _toc(docs, anchors),
    ]
    sections = [_document(comparison, doc, anchors[doc.path], context, budget, render_pages)
                for doc in docs if doc.path in anchors]
    if budget.left_out:
        # "pages not shown (limit of N pages / T seconds reached) for: …"
        body.append(f'<p class="note">Chưa hiển thị trang (đã đạt giới hạn {budget.max_pages} '
                    f"trang hoặc {budget.seconds:g} giây, hoặc không đọc được PDF) của: "
                    f"{_e(', '.join(budget.left_out))}.</p>")
    elif pages and comparison.mode == "folder" and not render_pages:
        # "pages not shown: pdftoppm (poppler-utils) or Pillow is not installed"
        body.append('<p class="note">Không hiển thị trang: chưa cài pdftoppm (poppler-utils) '
                    "hoặc Pillow.</p>")
    body += sections
    if not comparison.different:
        body.append("<p>Không có khác biệt.</p>")  # no differences
    return ("<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            "<title>So sánh hồ sơ</title>\n"
            f"<style>{CSS}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")


def _e(value: object) -> str:
    return html.escape(str(value), quote=False)  # text only: attributes hold no user data


# --- summary and table of contents ---------------------------------------------------------

def _summary(changes: list[Change], anchors: dict[str, str]) -> str:
    if not changes:
        return '<div class="summary"><h2>Tóm tắt</h2><p>Không có thay đổi.</p></div>'
    items = []
    for change in changes:
        links = [_link(path, title, anchors) for path, title in
                 zip(change.documents, change.titles, strict=False)]
        where = (f'<div class="docs">trong {len(links)} văn bản: {", ".join(links)}</div>'
                 if links else "")  # in N documents
        items.append(f'<li data-type="{change.type}">{_e(change.message)}{where}</li>')
    line = _upper_first(headline(changes).removeprefix("Tóm tắt: "))
    return ('<div class="summary" id="tom-tat"><h2>Tóm tắt</h2>'
            f'<p class="headline">{_e(line)}</p>'
            f"<ul>{''.join(items)}</ul></div>")


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _link(path: str, title: str, anchors: dict[str, str]) -> str:
    anchor = anchors.get(path)
    return f'<a href="#{anchor}">{_e(title)}</a>' if anchor else _e(title)


def _toc(docs: list[DocumentInfo], anchors: dict[str, str]) -> str:
    items = []
    for doc in docs:
        if doc.path in anchors:
            removed = sum(1 for h in doc.diff.hunks for op, _ in h.lines if op == "-")
            added = sum(1 for h in doc.diff.hunks for op, _ in h.lines if op == "+")
            items.append(f'<li><a href="#{anchors[doc.path]}">{_e(doc.shown)}</a> '
                         f'<span class="count-del">−{removed}</span> '
                         f'<span class="count-ins">+{added}</span></li>')
        elif doc.diff.status in ("added", "removed"):
            # new / dropped
            label = "mới" if doc.diff.status == "added" else "bị bỏ"
            items.append(f"<li>{_e(doc.shown)} ({label})</li>")
    if not items:
        return ""
    return ('<nav class="toc"><h2>Văn bản thay đổi</h2>'  # changed documents
            '<p class="legend">Chú thích: <del>chữ bị xóa</del> <ins>chữ thêm</ins>; '
            "khung đỏ trên trang: vùng khác nhau</p>"  # legend: removed, added, red frame
            f"<ol>{''.join(items)}</ol></nav>")


# --- one document ------------------------------------------------------------------------------

def _document(comparison: Comparison, doc: DocumentInfo, anchor: str, context: int,
              budget: PageBudget, render_pages: bool) -> str:
    diff = doc.diff
    parts = [f'<section class="doc" id="{anchor}"><h2>{_e(doc.shown)}</h2>',
             f'<p class="paths">A: {_e(diff.a)}<br>B: {_e(diff.b)}</p>']
    if render_pages:
        pdf_a, pdf_b = doc.entry_a.get("pdf"), doc.entry_b.get("pdf")
        if isinstance(pdf_a, str) and isinstance(pdf_b, str):
            a, b = comparison.a / pdf_a, comparison.b / pdf_b
            if a.is_file() and b.is_file():
                left_out = len(budget.left_out)
                pairs = changed_pages(a, b, budget, doc.shown)
                if pairs or len(budget.left_out) > left_out:
                    parts.append(_pages(pairs))
                else:  # "the printed pages are identical: the change does not show on paper"
                    parts.append('<p class="note">Các trang in ra giống hệt nhau: thay đổi '
                                 "không thấy được trên giấy.</p>")
    parts.append(_text_table(diff.a_lines, diff.hunks))
    parts.append("</section>")
    return "\n".join(parts)


def _pages(pairs: list[PagePair]) -> str:
    if not pairs:
        return ""
    out = ["<h3>Trang thay đổi</h3>"]  # changed pages
    for pair in pairs:
        out.append('<div class="pages">')
        for side, uri in (("A", pair.a), ("B", pair.b)):
            caption = f"<figcaption>{side}, trang {pair.number}</figcaption>"  # page N
            shown = (f'<img src="{uri}" alt="{side}, trang {pair.number}">' if uri else
                     '<div class="missing">không có trang này</div>')  # no such page
            out.append(f"<figure>{caption}{shown}</figure>")
        out.append("</div>")
    return "\n".join(out)


def _text_table(a_lines: tuple[str, ...], hunks: tuple[Hunk, ...]) -> str:
    rows = ['<table class="diff"><colgroup><col class="no"><col><col class="no"><col>'
            "</colgroup><tr><th></th><th>A</th><th></th><th>B</th></tr>"]
    a_next, offset = 1, 0  # next line of A not shown yet; B's line number minus A's
    for hunk in hunks:
        rows.append(_fold(a_lines, a_next, hunk.a_start, offset))
        rows += _hunk_rows(hunk)
        a_next = hunk.a_start + hunk.a_count
        offset = hunk.b_start + hunk.b_count - a_next
    rows.append(_fold(a_lines, a_next, len(a_lines) + 1, offset))
    rows.append("</table>")
    return "".join(rows)


def _fold(a_lines: tuple[str, ...], start: int, stop: int, offset: int) -> str:
    """Unchanged lines start..stop-1 (1-based, A's numbering) folded under a <details>."""
    if stop <= start:
        return ""
    inner = "".join(_row(n, text, n + offset, text) for n, text in
                    zip(range(start, stop), a_lines[start - 1:stop - 1], strict=True))
    count = stop - start
    # "N unchanged lines"
    return (f'<tr class="fold"><td colspan="4"><details><summary>{count} dòng không đổi'
            f'</summary><table class="diff"><colgroup><col class="no"><col><col class="no">'
            f"<col></colgroup>{inner}</table></details></td></tr>")


def _row(a_no: int | None, a_html_or_text: str | None, b_no: int | None,
         b_text: str | None, a_class: str = "", b_class: str = "", raw: bool = False) -> str:
    def cell(text: str | None, css: str) -> str:
        if text is None:
            return '<td class="empty"></td>'
        shown = text if raw else _e(text)
        return f'<td class="{css}">{shown}</td>' if css else f"<td>{shown}</td>"

    return (f'<tr><td class="no">{a_no or ""}</td>{cell(a_html_or_text, a_class)}'
            f'<td class="no">{b_no or ""}</td>{cell(b_text, b_class)}</tr>')


def _hunk_rows(hunk: Hunk) -> Iterator[str]:
    a_no, b_no = hunk.a_start, hunk.b_start  # 1-based; diff.line_hunks keeps them so when empty
    lines = hunk.lines
    index = 0
    while index < len(lines):
        op, text = lines[index]
        if op == " ":
            yield _row(a_no, text, b_no, text)
            a_no, b_no, index = a_no + 1, b_no + 1, index + 1
            continue
        removed, added = [], []
        while index < len(lines) and lines[index][0] == "-":
            removed.append(lines[index][1])
            index += 1
        while index < len(lines) and lines[index][0] == "+":
            added.append(lines[index][1])
            index += 1
        for old, new in _pair(removed, added):
            old_html = new_html = None
            if old is not None and new is not None:
                old_html, new_html = _words(removed[old], added[new])
            elif old is not None:
                old_html = _e(removed[old])
            elif new is not None:
                new_html = _e(added[new])
            yield _row(a_no if old is not None else None, old_html,
                       b_no if new is not None else None, new_html, "del", "ins", raw=True)
            a_no += old is not None
            b_no += new is not None


def _key(line: str) -> str:
    """What a line is about: 'bảng 2, hàng "X", cột "Y"' of 'bảng 2, hàng "X", cột "Y": 3'."""
    return line.split(": ", 1)[0]


def _pair(removed: list[str], added: list[str]) -> list[tuple[int | None, int | None]]:
    """Rows of a changed block: (index in removed or None, index in added or None), in order.
    Equal counts pair by position; otherwise lines about the same thing pair, the rest stand
    alone."""
    if len(removed) == len(added):
        return [(i, i) for i in range(len(removed))]
    if len(removed) * len(added) > PAIRING_LIMIT:
        return [(i, None) for i in range(len(removed))] + [(None, j) for j in range(len(added))]
    matcher = difflib.SequenceMatcher(None, [_key(x) for x in removed],
                                      [_key(x) for x in added], autojunk=False)
    rows: list[tuple[int | None, int | None]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            rows += list(zip(range(i1, i2), range(j1, j2), strict=True))
        else:
            rows += [(i, None) for i in range(i1, i2)] + [(None, j) for j in range(j1, j2)]
    return rows


def _words(old: str, new: str) -> tuple[str, str]:
    """Both lines as HTML, the words that differ wrapped in <del> / <ins>."""
    if len(old) + len(new) > WORD_LIMIT:
        return _e(old), _e(new)
    old_words, new_words = TOKEN.findall(old), TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    a_out, b_out = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a_text, b_text = _e("".join(old_words[i1:i2])), _e("".join(new_words[j1:j2]))
        if tag == "equal":
            a_out.append(a_text)
            b_out.append(b_text)
            continue
        if a_text:
            a_out.append(f"<del>{a_text}</del>")
        if b_text:
            b_out.append(f"<ins>{b_text}</ins>")
    return "".join(a_out), "".join(b_out)

