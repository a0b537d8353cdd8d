"""Merged conversion (issue 17): documents of one template converted as one LibreOffice
document and split at their marks give each document the PDF it has converted alone; what
cannot be merged, or does not split, is converted alone."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from dossier.build import build_rounds
from dossier.convert.fidelity import compare
from dossier.convert.local_pool import LocalPool
from dossier.convert.merged import (
    BODY_PART,
    MARK,
    MARKED_PDF_FILTER,
    MergingConverter,
    compatibility,
    merge,
    plan,
    split,
)

from .conftest import AS_OF, ROOT
from .test_convert import FAST, _documents, fake_soffice  # noqa: F401  (a fixture)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
EXAMPLES = ROOT / "examples"
BUILD_DAYS = {  # as tests/test_examples.py builds them
    "cantho-2024-so-hoa": AS_OF,
    "cantho-2024-tthc": dt.date(2025, 1, 9),
    "haugiang-2023-dvctt": dt.date(2024, 1, 15),
    "govap-2022-2025-cds": dt.date(2025, 6, 16),
}
SOFFICE = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                             reason="LibreOffice or poppler is not installed")


def _rendered(tmp_path: Path, name: str) -> list[Path]:
    """Every document of an example (every round), rendered as the build renders them."""
    return sorted(_kinds(tmp_path, name))


def _kinds(tmp_path: Path, name: str) -> dict[Path, str]:
    """The example's rendered documents and their kinds (from the manifests)."""
    out = tmp_path / "out" / name
    found = {}
    for result in build_rounds(EXAMPLES / name, out, BUILD_DAYS[name], pdf=False):
        manifest = json.loads((result.out / "manifest.json").read_text(encoding="utf-8"))
        found |= {result.out / d["docx"]: d["kind"] for d in manifest["documents"]
                  if d["docx"]}
    return found


# LibreOffice 7.4 does not lay out a document's pages the same when other pages come before
# them: a paragraph that keeps with the next one is sometimes left at a page's foot where, in
# the document alone, it goes to the next page (a report's empty spacer after its table of
# results: alone, the next page's text moves down by a line). Not a matter of sections: the
# report twice in one document with a plain page break between shows it too (measured). Merged
# conversion does not hide it. Known cases, by example; the test fails if one is fixed (remove
# it) or if any other document differs.
KNOWN_LAYOUT_DIFFERENCES = {"govap-2022-2025-cds": {"thu-tuong-04-bao-cao-TT27"}}


@SOFFICE
@pytest.mark.parametrize("name", sorted(BUILD_DAYS))
def test_every_document_merged_equals_it_converted_alone(tmp_path, name):
    kinds = _kinds(tmp_path, name)
    documents = sorted(kinds)
    # documents of several rounds may share a stem: one folder of PDFs per round
    by_round: dict[Path, list[Path]] = {}
    for document in documents:
        by_round.setdefault(document.parent, []).append(document)
    merged_kinds: set[str] = set()
    differing: dict[str, list[str]] = {}
    for index, docs in enumerate(by_round.values()):
        alone = LocalPool(jobs=2, export_filter=MARKED_PDF_FILTER)
        reference = alone.convert(docs, tmp_path / f"alone-{index}")
        converter = MergingConverter(LocalPool(jobs=2, export_filter=MARKED_PDF_FILTER))
        merged = converter.convert(docs, tmp_path / f"merged-{index}")
        assert not reference.failed and not merged.failed
        assert converter.stats.fell_back == []
        groups, _ = plan(docs)
        merged_kinds |= {kinds[d] for group in groups for d in group}
        for document in docs:
            differences = compare(merged.pdfs[document], reference.pdfs[document])
            if differences:
                differing[document.stem] = [str(d) for d in differences]
    assert set(differing) == KNOWN_LAYOUT_DIFFERENCES.get(name, set()), differing
    # every kind of document of the example went through a merged document
    assert merged_kinds == set(kinds.values())


def test_merge_gives_each_document_its_section_and_mark(tmp_path):
    documents = _rendered(tmp_path, "cantho-2024-so-hoa")[:3]
    target = tmp_path / "merged.docx"
    merge(documents, target)
    with zipfile.ZipFile(target) as archive:
        body = etree.fromstring(archive.read(BODY_PART)).find(f"{W}body")
    sections = list(body.iter(f"{W}sectPr"))
    assert len(sections) == 3  # one per document, the last the body's own
    for section in sections:
        assert section.find(f"{W}type").get(f"{W}val") == "nextPage"
        assert section.find(f"{W}pgNumType").get(f"{W}start") == "1"
        assert section.find(f"{W}titlePg") is not None  # no number on each first page
    names = [b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")]
    assert [n for n in names if n.startswith(MARK)] == [f"{MARK}{i:04d}" for i in range(3)]


def test_documents_with_sections_of_their_own_are_converted_alone(tmp_path):
    documents = _rendered(tmp_path, "cantho-2024-so-hoa")[:4]
    assert len({compatibility(d) for d in documents}) == 1  # one template family
    two_sections = tmp_path / "two-sections.docx"
    merge(documents[:2], two_sections)  # a merged document has several sections
    assert compatibility(two_sections) is None
    groups, alone = plan([*documents, two_sections])
    assert two_sections in alone and [d for g in groups for d in g] == documents


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_real_merged_batch_is_split_into_each_documents_pages(tmp_path):
    documents = _rendered(tmp_path, "cantho-2024-so-hoa")[:5]
    converter = MergingConverter(LocalPool(jobs=1, export_filter=MARKED_PDF_FILTER))
    result = converter.convert(documents, tmp_path / "pdf")
    assert converter.stats.merged == 5 and converter.stats.merged_files == 1
    assert sorted(result.pdfs) == documents
    for document in documents:  # each PDF opens on its own first page, numbered from 1
        pages = PdfReader(result.pdfs[document]).pages
        assert len(pages) >= 1
        assert "Độc lập - Tự do - Hạnh phúc" in pages[0].extract_text()
    assert not list((tmp_path / "pdf").glob(".dossier-merge-*"))  # its work folder is gone


def test_a_merged_document_that_does_not_split_is_converted_document_by_document(
        tmp_path, fake_soffice):  # noqa: F811
    documents = _rendered(tmp_path, "cantho-2024-so-hoa")[:4]
    crash = documents[2].with_name(f"{documents[2].stem}-crash.docx")
    documents[2].rename(crash)  # the fake LibreOffice aborts on it when it comes alone
    documents[2] = crash
    pool = LocalPool(jobs=1, soffice=fake_soffice, profile_root=tmp_path / "p", timeouts=FAST)
    converter = MergingConverter(pool)
    # the fake "converts" to a blank page without the marks: the merged PDF does not split
    result = converter.convert(documents, tmp_path / "pdf")
    assert sorted(converter.stats.fell_back) == sorted(d.stem for d in documents)
    assert list(result.failed) == [crash]  # isolated and named, as without merging
    assert sorted(result.pdfs) == sorted(d for d in documents if d != crash)


def test_a_merged_pdf_that_cannot_be_read_does_not_cut(tmp_path):
    """A PDF neither pypdf nor pikepdf can read (written to its end, damaged inside) does not
    cut: its documents are converted one by one, no traceback reaches the user."""
    damaged = tmp_path / "merged.pdf"
    damaged.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\n"
                        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
    targets = [tmp_path / "a.pdf", tmp_path / "b.pdf"]
    assert split(damaged, targets) is False
    assert not any(t.exists() for t in targets)


def test_documents_that_are_not_word_files_are_not_merged(tmp_path):
    fakes = _documents(tmp_path / "docx", ["01-a", "02-b"])
    assert [compatibility(d) for d in fakes] == [None, None]
    assert plan(fakes) == ([], fakes)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_warm_instance_converts_merged_documents_with_their_marks(tmp_path):
    """The build starts LibreOffice ahead on a kept profile; the batch it serves is given the
    export filter with the marks, so the merged PDFs split (nothing falls back)."""
    from dossier.build import build

    pool = LocalPool(jobs=1, profile_root=tmp_path / "profiles",
                     export_filter=MARKED_PDF_FILTER)
    converter = MergingConverter(pool)
    build(EXAMPLES / "cantho-2024-so-hoa", tmp_path / "first", AS_OF, converter=converter)
    served = []
    original = pool.warm_up

    def warm_up() -> None:  # record that an instance was started ahead
        original()
        served.extend(pool._instances)

    pool.warm_up = warm_up
    build(EXAMPLES / "cantho-2024-so-hoa", tmp_path / "second", AS_OF, converter=converter)
    assert served  # the second build found the profile set up and started LibreOffice ahead
    assert converter.stats.merged >= 2 and converter.stats.fell_back == []


def test_documents_whose_styles_differ_are_not_merged_together(tmp_path):
    documents = _rendered(tmp_path, "cantho-2024-so-hoa")[:4]
    other = tmp_path / "other-styles.docx"
    with zipfile.ZipFile(documents[1]) as source, zipfile.ZipFile(other, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/styles.xml":  # another font size for the body
                data = data.replace(b'w:val="28"', b'w:val="26"', 1)
            target.writestr(info.filename, data)
    assert compatibility(other) not in (None, compatibility(documents[0]))
    groups, alone = plan([documents[0], other, *documents[2:]])
    assert other in alone and groups == [[documents[0], *documents[2:]]]
