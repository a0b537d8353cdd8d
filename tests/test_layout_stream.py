"""The layout check at scale (issue 17): the bundle read in bounded page ranges by parallel
pdftotext processes gives what reading the whole file at once gives; each document's findings
are cached, so a rebuild reads back only the documents that changed (real builds, real
LibreOffice and poppler; the pages read are counted by `pdf_words.READ`)."""

from __future__ import annotations

import html
import json
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

from dossier.build import BlockingFindings, build
from dossier.convert.backends import convert_to_pdf
from dossier.documents.layout_check import (
    built_layout_findings,
    bundle_layout_findings,
    page_findings,
)
from dossier.documents.pdf_words import READ, Line, Page, Word, lines, stream_pages
from dossier.output.cache import Cache

from .conftest import AS_OF, edit_campaign, set_cell
from .test_officer_reading import _override, split_signature_and_lone_pages


def _whole_file_pages(pdf: Path) -> list[Page]:
    """The reading before issue 17: pdftotext's whole output at once, split at each page."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         check=True).stdout.decode("utf-8", "replace")
    word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                      r"(.*?)</word>")
    size = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
    pages = []
    for number, chunk in enumerate(out.split("<page ")[1:], start=1):
        width, height = size.match("<page " + chunk).groups()
        words = [Word(float(a), float(b), float(c), float(d),
                      " ".join(unicodedata.normalize("NFC", html.unescape(t)).split()))
                 for a, b, c, d, t in word.findall(chunk)]
        pages.append(Page(number, float(width), float(height), words))
    return pages


def _scan_lines(pages: list[Page], max_x: float | None = None) -> list[Line]:
    """The grouping before issue 17: each word against every line begun on its page."""
    out = []
    for page in pages:
        rows: dict[float, list[Word]] = {}
        for w in page.words:
            if max_x is not None and w.x1 > max_x:
                continue
            key = next((y for y in rows if abs(y - w.y1) <= 1.5), w.y1)
            rows.setdefault(key, []).append(w)
        out += [Line(page.number, y, sorted(rows[y], key=lambda w: w.x0)) for y in sorted(rows)]
    return out


def _warned_campaign(campaign: Path) -> None:
    """The example with a superior's name broken inside a name and text outside the margins:
    a bundle with findings (warnings: a build stops on blocking ones)."""
    def change(data):
        data["name_lines"] = {"Ủy ban nhân dân thành phố Cần Thơ":
                              ["Ủy ban nhân dân thành", "phố Cần Thơ"]}
    edit_campaign(campaign, change)
    _override(campaign, "bao_cao_ca_nhan.docx", ["{{ doc_title }}", "{{ nominee_name }}"],
              indent_cm=-2.5)


def _counts(result) -> list[int]:
    manifest = (result.out / "manifest.json").read_text(encoding="utf-8")
    return [d["pages"] for d in json.loads(manifest)["documents"]]


def test_streamed_reading_equals_the_whole_file_reading(campaign_dir, tmp_path):
    _warned_campaign(campaign_dir)
    result = build(campaign_dir, tmp_path / "out", AS_OF)
    plans, counts = result.analysis.plans, _counts(result)
    whole = _whole_file_pages(result.bundle)
    assert len(whole) == sum(counts) > len(plans) > 2
    # in ranges of 1, 2, 3 pages, by 1 to 3 processes: the same pages, words and boxes
    for chunk, workers in ((1, 1), (2, 2), (3, 3), (1000, 2)):
        assert list(stream_pages(result.bundle, [(1, len(whole))], workers, chunk)) == whole
    # ranges that skip pages: the pages asked for, numbered as in the bundle
    got = list(stream_pages(result.bundle, [(2, 3), (5, len(whole))], 2, chunk=2))
    assert got == [whole[1], whole[2], *whole[4:]]
    # lines grouped by bisection: the lines of the scan over every line begun
    assert lines(whole) == _scan_lines(whole)
    assert lines(whole, max_x=300) == _scan_lines(whole, max_x=300)
    # the findings: those of the whole-file reading, and of each document's own PDF
    expected, start = [], 0
    for plan, count in zip(plans, counts, strict=True):
        own = [Page(i, p.width, p.height, p.words)
               for i, p in enumerate(whole[start:start + count], start=1)]
        start += count
        expected += page_findings(plan, own)
    found = bundle_layout_findings(plans, result.bundle, counts)
    assert {f.code for f in found} == {"NAME_BROKEN", "TEXT_OUTSIDE_MARGIN"}
    assert found == expected
    pdfs = [result.out / "pdf" / f"{plan.stem}.pdf" for plan in plans]
    assert built_layout_findings(plans, pdfs) == expected
    # blocking only: the same checks, the warnings not computed
    assert bundle_layout_findings(plans, result.bundle, counts, blocking_only=True) == [
        f for f in expected if f.severity == "blocking"] == []


def _layout_entries(cache: Cache) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(cache.root.rglob("*.layout"))}


def test_a_rebuild_reads_only_the_changed_documents_pages(campaign_dir, tmp_path):
    cache = Cache(tmp_path / "cache")
    before = READ.pages
    first = build(campaign_dir, tmp_path / "out", AS_OF, cache=cache)
    counts = _counts(first)
    assert READ.pages - before == sum(counts)  # a cold build reads every page once
    entries = _layout_entries(cache)
    assert len(entries) == len(first.analysis.plans)

    # TT01's address is printed in its own report only
    set_cell(campaign_dir, "TT01", "address", "Số 1 đường Hòa Bình, quận Ninh Kiều")
    before = READ.pages
    second = build(campaign_dir, tmp_path / "out", AS_OF, cache=cache)
    assert second.stats.converted == ["04-bao-cao-TT01"]
    changed = [plan.stem for plan in second.analysis.plans].index("04-bao-cao-TT01")
    assert READ.pages - before == counts[changed]
    after = _layout_entries(cache)
    assert len(after) == len(entries) + 1 and entries.items() <= after.items()

    # nothing changed: nothing read; without the cache: everything
    before = READ.pages
    build(campaign_dir, tmp_path / "out", AS_OF, cache=cache)
    assert READ.pages == before
    build(campaign_dir, tmp_path / "out", AS_OF)
    assert READ.pages - before == sum(counts)


@pytest.mark.parametrize("garbage", [b"\x00not json", b'{"findings": 1}', b'[["X", "fatal"]]',
                                     b'[["LONE_PAGE", "blocking", 3, []]]'])
def test_a_corrupted_cache_entry_is_read_again(campaign_dir, tmp_path, garbage):
    cache = Cache(tmp_path / "cache")
    first = build(campaign_dir, tmp_path / "out", AS_OF, cache=cache)
    entries = sorted(cache.root.rglob("*.layout"))
    good = {p: p.read_bytes() for p in entries}
    for path in entries:
        path.write_bytes(garbage)
    before = READ.pages
    build(campaign_dir, tmp_path / "out", AS_OF, cache=cache)  # no finding made up
    assert READ.pages - before == sum(_counts(first))
    assert {p: p.read_bytes() for p in entries} == good  # written again, as they were


def test_cached_blocking_findings_still_block(campaign_dir, tmp_path):
    """A document that cannot be signed stops every build of it, from the cache too."""
    _override(campaign_dir, "bien_ban.docx", [
        "{{ doc_title }}", "{{ closing }}", None, "{{ secretary_sign.lines[0] }}",
        "{{ chair_sign.lines[0] }}", "{{ secretary_sign.name }}", "{{ chair_sign.name }}"])
    cache = Cache(tmp_path / "cache")
    with pytest.raises(BlockingFindings) as cold:
        build(campaign_dir, tmp_path / "out", AS_OF, cache=cache)
    assert "Biên bản họp xét, trang 2: trang chỉ có khối chữ ký" in [
        f.message for f in cold.value.findings]
    before = READ.pages
    with pytest.raises(BlockingFindings) as warm:
        build(campaign_dir, tmp_path / "out", AS_OF, cache=cache)
    assert READ.pages == before  # every document's findings from the cache
    assert warm.value.findings == cold.value.findings
    assert not (tmp_path / "out").exists()


def test_the_blocking_checks_page_by_page_find_what_the_whole_check_blocks(campaign_dir,
                                                                           tmp_path):
    """A build reads a document's pages one at a time and keeps only its lines' text (a list
    of a thousand pages is never held word by word): it finds exactly the blocking findings
    of the whole check, in the same order, on a Tờ trình with a split signature and a lone
    total and a Biên bản with a lone signature page."""
    split_signature_and_lone_pages(campaign_dir)
    result = build(campaign_dir, tmp_path / "out", AS_OF, pdf=False)
    docx = sorted((result.out / "docx").glob("*.docx"))[:2]
    pdfs = convert_to_pdf(docx, tmp_path / "pdf")
    blocking = []
    for plan, pdf in zip(result.analysis.plans[:2], pdfs, strict=True):
        whole = page_findings(plan, _whole_file_pages(pdf))
        by_page = page_findings(plan, _whole_file_pages(pdf), blocking_only=True)
        assert by_page == [f for f in whole if f.severity == "blocking"]
        blocking += by_page
    assert {f.code for f in blocking} == {"SIGNATURE_SPLIT", "LONE_PAGE"}
