"""The review report people read: the summary in the office's words (unified, JSON, HTML), the
HTML page (self-contained, wrapped, folded, word highlights, print styles), the changed pages
side by side, its cost on a large document, and a real browser at 1280 px."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.shared import Mm

from dossier.build import build
from dossier.cli.main import main
from dossier.review.changes import summarise, summarise_manifests
from dossier.review.diff import Comparison, DocumentDiff, Hunk, compare
from dossier.review.html_report import html_report

from .conftest import AS_OF, EXAMPLE, ROOT, set_cell
from .review_pairs import RENAMED

SON = "Võ Thanh Sơn"
RENAME_DOCUMENTS = ["docx/01-to-trinh.docx", "docx/02-bien-ban.docx", "docx/08-bao-cao-CN06.docx"]
SCREENSHOT = ROOT / "docs" / "img" / "review-report.png"




@pytest.fixture(scope="module")
def renamed_with_pdf(tmp_path_factory) -> Path:
    """The Cần Thơ example with CN06 renamed, built with PDFs (only its 3 changed documents
    are converted; the rest come from the cache the session's `built` filled)."""
    root = tmp_path_factory.mktemp("renamed")
    source = root / "campaign"
    shutil.copytree(EXAMPLE, source)
    set_cell(source, "CN06", "name", RENAMED)
    build(source, root / "output", AS_OF, pdf=True)
    return root / "output"


def _json(runner: CliRunner, a: Path, b: Path) -> dict:
    result = runner.invoke(main, ["diff", str(a), str(b), "--format", "json"])
    assert result.exit_code == 1, result.output
    return json.loads(result.stdout)


# --- the summary -------------------------------------------------------------------------------

def test_rename_first_lines_say_who_and_where(pairs, runner):
    """The issue's test: one person renamed; the report's first lines say so, and in which
    three documents."""
    result = runner.invoke(main, ["diff", str(pairs["base"]), str(pairs["rename"])])
    assert result.exit_code == 1
    first, second = result.stdout.splitlines()[:2]
    assert first == "Tóm tắt: đổi tên 1 cá nhân — 3 văn bản bị ảnh hưởng"
    assert second == (
        f'- Đổi tên cá nhân CN06: "{SON}" → "{RENAMED}" — trong 3 văn bản: '
        "Tờ trình (docx/01-to-trinh.docx), Biên bản họp xét (docx/02-bien-ban.docx), "
        f"Báo cáo thành tích – {RENAMED} (docx/08-bao-cao-CN06.docx)")
    assert result.stdout.splitlines()[3] == f"--- {pairs['base'] / 'docx' / '01-to-trinh.docx'}"


def test_rename_json_changes(pairs, runner):
    report = _json(runner, pairs["base"], pairs["rename"])
    assert report["diff_version"] == 1
    assert list(report)[:7] == ["diff_version", "mode", "a", "b", "different", "summary",
                                "changes"]
    [change] = report["changes"]
    assert change == {
        "type": "nominee_renamed", "nominee_id": "CN06", "name": RENAMED, "property": "name",
        "old": SON, "new": RENAMED, "documents": RENAME_DOCUMENTS,
        "message": change["message"]}
    assert change["message"].startswith(f'Đổi tên cá nhân CN06: "{SON}" → "{RENAMED}"')


def test_amount_and_total(pairs, runner):
    changes = _json(runner, pairs["base"], pairs["amount"])["changes"]
    assert [(c["type"], c["nominee_id"], c["old"], c["new"], c["documents"]) for c in changes] == [
        ("amount_changed", "CN06", 2_340_000, 2_500_000, RENAME_DOCUMENTS[:2]),
        ("total_changed", None, 21_060_000, 21_220_000, RENAME_DOCUMENTS[:2]),
    ]
    assert changes[0]["message"].startswith(
        f'Số tiền thưởng của cá nhân CN06 "{SON}": 2.340.000 đồng → 2.500.000 đồng')


def test_removed_nominee(pairs, runner):
    changes = _json(runner, pairs["base"], pairs["quota"])["changes"]
    assert [(c["type"], c["nominee_id"], c["documents"]) for c in changes] == [
        ("nominee_removed", "CN06", RENAME_DOCUMENTS),
        ("total_changed", None, RENAME_DOCUMENTS[:2]),
        ("document_removed", None, ["docx/08-bao-cao-CN06.docx"]),
    ]
    added = _json(runner, pairs["quota"], pairs["base"])["changes"]
    assert [c["type"] for c in added] == ["nominee_added", "total_changed", "document_added"]
    assert added[0]["message"].startswith(f'Thêm cá nhân CN06 "{SON}" (Bằng khen')


def test_nominee_moving_up_the_list(pairs, runner):
    """CN06 overtakes the two others: it is the one reported, not everyone it passed."""
    changes = _json(runner, pairs["base"], pairs["rank"])["changes"]
    assert [(c["type"], c["nominee_id"], c["old"], c["new"]) for c in changes] == [
        ("nominee_reordered", "CN06", 3, 1), ("document_moved", None, None, None)]
    assert changes[0]["documents"] == ["docx/01-to-trinh.docx", "docx/02-bien-ban.docx",
                                       "docx/06-bao-cao-CN06.docx"]


def test_other_text_is_named(pairs, runner):
    [change] = _json(runner, pairs["base"], pairs["reorder"])["changes"]
    assert change["type"] == "content_changed"
    assert change["documents"] == ["docx/02-bien-ban.docx"]


def test_layout_change_in_file_mode(built, tmp_path, runner):
    original = built.out / "docx" / "01-to-trinh.docx"
    doc = Document(str(original))
    doc.sections[0].left_margin = Mm(35)
    doc.save(str(tmp_path / "edited.docx"))
    changes = _json(runner, original, tmp_path / "edited.docx")["changes"]
    assert [(c["type"], c["property"], c["old"], c["new"], c["documents"]) for c in changes] == [
        ("layout_changed", "lề trái", "30 mm", "35 mm", ["edited.docx"])]
    assert changes[0]["message"] == "Lề trái: 30 mm → 35 mm — trong 1 văn bản: edited.docx"


def test_manifest_lists_the_nominees(built):
    """What the summary compares: who is in the dossier, in the danh sách's order."""
    manifest = json.loads((built.out / "manifest.json").read_text(encoding="utf-8"))
    assert [n["id"] for n in manifest["nominees"]] == ["TT05", "TT01", "TT15", "CN05", "CN03",
                                                       "CN06"]
    assert manifest["nominees"][-1] == {
        "id": "CN06", "name": SON, "kind": "ca_nhan", "group": "Cá nhân",
        "award": "Bằng khen của Chủ tịch Ủy ban nhân dân thành phố", "amount": 2_340_000}
    assert sum(n["amount"] for n in manifest["nominees"]) == manifest["total_prize"]


def _copy_with_manifest(source: Path, target: Path, edit) -> Path:
    shutil.copytree(source, target)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    edit(manifest)
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False),
                                          encoding="utf-8")
    return target


def test_group_award_and_page_count_from_the_manifests(built, tmp_path):
    def edit(manifest: dict) -> None:
        cn06 = next(n for n in manifest["nominees"] if n["id"] == "CN06")
        cn06["group"], cn06["award"] = "Nhóm khác", "Giấy khen"
        manifest["documents"][0]["pages"] += 1
        manifest["documents"][0]["sha256"] = "changed"

    a = built.out
    b = _copy_with_manifest(a, tmp_path / "b", edit)
    changes = summarise(compare(a, b))
    assert [(c.type, c.prop, c.old, c.new) for c in changes] == [
        ("nominee_moved", "group", "Cá nhân", "Nhóm khác"),
        ("nominee_moved", "award", "Bằng khen của Chủ tịch Ủy ban nhân dân thành phố",
         "Giấy khen"),
        ("pages_changed", "số trang", 4, 5),  # the Tờ trình: 4 pages, the list on its own
    ]
    assert changes[2].documents == ("docx/01-to-trinh.docx",)


def test_manifest_without_nominees_still_finds_a_rename(pairs, tmp_path):
    """Outputs built before the manifest listed its nominees: names come from the titles."""
    def forget(manifest: dict) -> None:
        del manifest["nominees"]

    a = _copy_with_manifest(pairs["base"], tmp_path / "a", forget)
    b = _copy_with_manifest(pairs["rename"], tmp_path / "b", forget)
    [change] = summarise(compare(a, b))
    assert (change.type, change.old, change.new) == ("nominee_renamed", SON, RENAMED)
    assert change.documents == tuple(RENAME_DOCUMENTS)


def test_no_change_no_summary(pairs, runner):
    result = runner.invoke(main, ["diff", str(pairs["base"]), str(pairs["base"]),
                                  "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["changes"] == []


def test_thousands_of_renames_summarised_in_seconds():
    """3.000 nominees renamed, each in a shared list of 42.000 changed lines and in a report of
    its own: each found in exactly its two documents, without comparing every name with every
    line (that took 20 s; the word index makes it well under one)."""
    count = 3000
    names = {f"N{i}": (f"Người {i:05d} Cũ", f"Người {i:05d} Mới") for i in range(count)}
    listed = tuple((op, f'bảng 2, hàng "Ông {pair[index]}", cột "{column}": x')
                   for pair in names.values() for op, index in (("-", 0), ("+", 1))
                   for column in range(7))
    documents = [DocumentDiff(Path("/a/01.docx"), Path("/b/01.docx"), "to_trinh", None,
                              ("a",), ("b",), (Hunk(1, 1, 1, 1, "", listed),))]
    documents += [DocumentDiff(Path(f"/a/{i}.docx"), Path(f"/b/{i}.docx"), "bao_cao", i,
                               ("a",), ("b",), (Hunk(1, 1, 1, 1, "", (("-", old), ("+", new))),))
                  for i, (old, new) in names.items()]
    comparison = Comparison("folder", Path("/a"), Path("/b"), tuple(documents))
    manifests = [{"nominees": [{"id": i, "name": pair[side]} for i, pair in names.items()]}
                 for side in (0, 1)]
    started = time.monotonic()
    changes = summarise_manifests(comparison, *manifests)
    assert time.monotonic() - started < 30
    assert len(changes) == count and {c.type for c in changes} == {"nominee_renamed"}
    assert all(c.documents == ("01.docx", f"{c.nominee_id}.docx") for c in changes)


# --- the HTML page -----------------------------------------------------------------------------

def test_html_report_reads_as_a_report(pairs, runner, tmp_path):
    out = tmp_path / "report.html"
    result = runner.invoke(main, ["diff", str(pairs["base"]), str(pairs["rename"]),
                                  "--format", "html", "--out", str(out)])
    assert result.exit_code == 1 and result.stdout == ""
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    # self-contained: no script, no stylesheet or image fetched from anywhere
    assert "<script" not in page and "<link" not in page
    assert not re.search(r"""(?:src|href)=["'](?!#|data:)""", page)
    # the summary comes first, then the table of contents of the three documents
    summary = page.index('class="summary"')
    assert summary < page.index('class="toc"') < page.index('class="doc"')
    assert "Đổi tên 1 cá nhân — 3 văn bản bị ảnh hưởng" in page
    toc = page[page.index('class="toc"'):page.index("</nav>")]
    assert toc.count('<li><a href="#doc-') == 3
    # word-level highlights, unchanged lines folded, print styles for A4
    assert 'bảng 3, hàng "Ông Võ Thanh <del>Sơn</del>", cột "STT": 3' in page
    assert 'bảng 3, hàng "Ông Võ Thanh <ins>Sang</ins>", cột "STT": 3' in page
    assert "<details><summary>72 dòng không đổi</summary>" in page
    assert "@page{size:A4" in page and "@media print" in page
    # wrapping, not scrolling: fixed columns that break long words
    assert "table-layout:fixed" in page and "overflow-wrap:anywhere" in page


def test_html_line_numbers_follow_both_sides(pairs):
    """A removed nominee: B's line numbers after the gap are A's minus the lines removed."""
    page = html_report(compare(pairs["base"], pairs["quota"]), pages=False)
    to_trinh = page[page.index('id="doc-1"'):page.index('id="doc-2"')]
    numbers = re.findall(r'<tr><td class="no">(\d*)</td><td[^>]*>(.*?)</td>'
                         r'<td class="no">(\d*)</td>', to_trinh)
    total = next(n for n in numbers if 'hàng "Tổng cộng"' in n[1] and n[0] and n[2])
    assert int(total[0]) - int(total[2]) == 7  # the 7 lines of Võ Thanh Sơn's row


def test_changed_pages_side_by_side(built, renamed_with_pdf):
    comparison = compare(built.out, renamed_with_pdf)
    page = html_report(comparison)
    shown = re.findall(r'<figcaption>([AB]), trang (\d+)</figcaption><img src="data:image/png;'
                       r'base64,', page)
    # the Tờ trình's list (its second page, page 4 of 4), the Biên bản's votes and list (pages
    # 2 and 4), the report on CN06 (its heading, and the signature on page 2); no page that did
    # not change
    assert shown == [("A", "4"), ("B", "4"), ("A", "2"), ("B", "2"), ("A", "4"), ("B", "4"),
                     ("A", "1"), ("B", "1"), ("A", "2"), ("B", "2")]
    assert "Chưa hiển thị trang" not in page
    assert page.count('<div class="pages">') == 5


def test_changed_pages_are_marked(built, renamed_with_pdf):
    from dossier.review.pages import PageBudget, changed_pages

    budget = PageBudget()
    pairs = changed_pages(built.out / "pdf" / "08-bao-cao-CN06.pdf",
                          renamed_with_pdf / "pdf" / "08-bao-cao-CN06.pdf", budget, "x")
    assert [pair.number for pair in pairs] == [1, 2] and all(pair.regions for pair in pairs)
    assert budget.rendered == 4 and budget.left_out == []
    assert changed_pages(built.out / "pdf" / "01-to-trinh.pdf",
                         built.out / "pdf" / "01-to-trinh.pdf", PageBudget(), "x") == []


def test_pages_that_print_the_same_are_said_to(built, tmp_path):
    """A changed .docx whose PDF prints the same pixels (here the PDF is the build's, as a
    font swap LibreOffice renders alike would leave it): no pages shown, and the reader told."""
    def edit(manifest: dict) -> None:
        manifest["documents"][0]["sha256"] = "edited"

    b = _copy_with_manifest(built.out, tmp_path / "b", edit)
    to_trinh = b / "docx" / "01-to-trinh.docx"
    doc = Document(str(built.out / "docx" / "01-to-trinh.docx"))
    doc.paragraphs[0].runs[0].font.name = "Liberation Serif"  # Times New Roman's metric twin
    doc.save(str(to_trinh))
    page = html_report(compare(built.out, b))
    assert "Phông chữ đặt trực tiếp: không có → Liberation Serif" in page
    assert '<div class="pages">' not in page
    assert "Các trang in ra giống hệt nhau" in page


def test_page_rendering_is_bounded(built, renamed_with_pdf, runner, tmp_path):
    out = tmp_path / "report.html"
    result = runner.invoke(main, ["diff", str(built.out), str(renamed_with_pdf),
                                  "--format", "html", "--out", str(out), "--max-pages", "8"])
    assert result.exit_code == 1
    page = out.read_text(encoding="utf-8")
    assert page.count('<div class="pages">') == 1  # the Tờ trình's 4 + 4 pages, then no more
    assert "Chưa hiển thị trang (đã đạt giới hạn 8 trang" in page
    assert "Biên bản họp xét (docx/02-bien-ban.docx)" in page.split("Chưa hiển thị trang")[1]
    out_of_time = html_report(compare(built.out, renamed_with_pdf), seconds=0)
    assert '<div class="pages">' not in out_of_time
    assert "hoặc 0 giây" in out_of_time and "Tờ trình (docx/01-to-trinh.docx)" in \
        out_of_time.split("Chưa hiển thị trang")[1]


def test_large_document_takes_seconds(tmp_path):
    """3.000 changed paragraphs (and 3.000 unchanged): the whole HTML report in a subprocess
    well under a minute (difflib.HtmlDiff took minutes)."""
    old, new = Document(), Document()
    for number in range(3000):
        text = f"Đoạn {number}: hồ sơ số hóa của đơn vị thứ {number} " * 3
        old.add_paragraph(f"Không đổi {number}")
        new.add_paragraph(f"Không đổi {number}")
        old.add_paragraph(text)
        new.add_paragraph(text.replace(f"thứ {number}", f"thứ {number + 1}", 1))
    old.save(str(tmp_path / "a.docx"))
    new.save(str(tmp_path / "b.docx"))
    out = tmp_path / "report.html"
    result = subprocess.run(
        [sys.executable, "-c", "from dossier.cli.main import main; main()", "diff",
         str(tmp_path / "a.docx"), str(tmp_path / "b.docx"), "--format", "html", "--out",
         str(out)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count("<ins>") == 3000 + 1  # each changed paragraph, and the legend
    assert len(page) < 40 * (tmp_path / "a.docx").stat().st_size + 4_000_000


# --- in a real browser ---------------------------------------------------------------------------

MEASURE = """<script>
addEventListener("load", () => {
  const root = document.documentElement;
  const wide = [...document.querySelectorAll("body *")].filter(
    e => e.getBoundingClientRect().right > root.clientWidth + 1).length;
  document.body.setAttribute("data-measure", JSON.stringify({
    scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide: wide,
    summary: (document.querySelector(".summary") || {innerText: ""}).innerText}));
});
</script>"""


def _chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.environ.get("CI"):
        pytest.fail("chromium is not installed; .ci/run installs it (apt-get install chromium)")
    return found


def _headless(chromium: str, height: int, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([chromium, "--headless", "--disable-gpu", "--no-sandbox",
                           "--hide-scrollbars", f"--window-size=1280,{height}", *args],
                          capture_output=True, text=True, timeout=120)


def _browser() -> str:
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium); CI runs this test")
    return chromium


def _measure(chromium: str, page: str, folder: Path) -> dict:
    """Load the page at 1280 × 900 and read what the script above wrote into the DOM."""
    measured = folder / "measured.html"
    measured.write_text(page.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    dom = _headless(chromium, 900, "--virtual-time-budget=5000", "--dump-dom",
                    measured.as_uri()).stdout
    found = re.search(r'data-measure="([^"]*)"', dom)
    assert found, dom[:2000]
    return json.loads(html.unescape(found.group(1)))


def test_report_in_a_browser_at_1280_px(built, renamed_with_pdf, tmp_path, monkeypatch):
    chromium = _browser()
    shutil.copytree(built.out, tmp_path / "ho-so-da-duyet")  # the approved dossier
    shutil.copytree(renamed_with_pdf, tmp_path / "ho-so-moi")  # the regenerated one
    monkeypatch.chdir(tmp_path)  # the report shows the paths as the reviewer typed them
    page = html_report(compare(Path("ho-so-da-duyet"), Path("ho-so-moi")))
    facts = _measure(chromium, page, tmp_path)
    assert facts["scrollWidth"] <= facts["clientWidth"] == 1280, facts
    assert facts["wide"] == 0, facts
    assert f'Đổi tên cá nhân CN06: "{SON}" → "{RENAMED}"' in facts["summary"]
    assert "trong 3 văn bản" in facts["summary"]
    report = tmp_path / "report.html"
    report.write_text(page, encoding="utf-8")
    screenshot = tmp_path / "report.png"
    _headless(chromium, 1800, f"--screenshot={screenshot}", report.as_uri())
    assert screenshot.stat().st_size > 10_000
    if os.environ.get("DOSSIER_UPDATE_DOCS"):  # refresh the picture the README shows
        shutil.copy(screenshot, SCREENSHOT)
    printed = tmp_path / "report.pdf"
    _headless(chromium, 900, "--no-pdf-header-footer", f"--print-to-pdf={printed}",
              report.as_uri())
    from pypdf import PdfReader

    first = PdfReader(str(printed)).pages[0].mediabox
    assert (round(float(first.width)), round(float(first.height))) == (595, 842)  # A4 in pt


def test_long_unbroken_text_wraps_in_a_browser(built, tmp_path):
    """A paragraph with no place to break a line (a long code, a digest) wraps inside
    its column instead of widening the page."""
    chromium = _browser()
    original = built.out / "docx" / "01-to-trinh.docx"
    doc = Document(str(original))
    doc.add_paragraph("Mã hồ sơ: " + "0123456789ABCDEF" * 40)  # no place to break a line
    doc.save(str(tmp_path / "long.docx"))
    page = html_report(compare(original, tmp_path / "long.docx"))
    facts = _measure(chromium, page, tmp_path)
    assert facts["scrollWidth"] <= facts["clientWidth"] == 1280, facts
    assert facts["wide"] == 0, facts


def test_readme_shows_the_report():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Reviewing changes", 1)[1].split("\n## ", 1)[0]
    assert "docs/img/review-report.png" in section and SCREENSHOT.is_file()
