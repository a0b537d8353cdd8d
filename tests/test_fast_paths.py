"""The fast paths give the same results as the slow ones: compiled templates render what
docxtpl renders, the in-memory amount check finds what verify finds, the streamed bundle has
every page and a bookmark per document and does not grow in memory with the number of parts."""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docxtpl import DocxTemplate
from pypdf import PdfReader

from dossier.build import BlockingFindings, build
from dossier.checks.analysis import analyse
from dossier.documents import verify
from dossier.documents.fast_verify import amount_word_findings, docx_text
from dossier.documents.render import jinja_env, render_docx, render_docx_text, template_path
from dossier.output.bundle import BundlePart, bundle

from .conftest import AS_OF, EXAMPLE

DATE = dt.date(2024, 12, 20)


@pytest.fixture(scope="module")
def plans():
    return analyse(EXAMPLE, AS_OF).plans


def _docxtpl(template: Path, context: dict) -> bytes:
    doc = DocxTemplate(str(template))
    doc.render(context, jinja_env(), autoescape=True)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def test_compiled_templates_render_what_docxtpl_renders(plans):
    for plan in plans:
        template = template_path(EXAMPLE, plan.template)
        ours = zipfile.ZipFile(io.BytesIO(render_docx(template, plan.context, DATE, plan.title)))
        theirs = zipfile.ZipFile(io.BytesIO(_docxtpl(template, plan.context)))
        assert ours.testzip() is None
        assert ours.namelist() == theirs.namelist()
        for name in ours.namelist():
            if name != "docProps/core.xml":  # ours is dated by the document and titled
                assert ours.read(name) == theirs.read(name), (plan.stem, name)
        assert Document(io.BytesIO(ours.fp.getvalue())).core_properties.title == plan.title


def test_fast_amount_check_agrees_with_verify(plans, tmp_path):
    plan = plans[0]  # the Tờ trình: its total is printed in figures and in words
    good = render_docx(template_path(EXAMPLE, plan.template), plan.context, DATE, plan.title)
    context = {**plan.context, "danh_sach": {**plan.context["danh_sach"],
                                             "total_words": "Hai mươi triệu đồng"}}
    bad = render_docx(template_path(EXAMPLE, plan.template), context, DATE, plan.title)
    paths = [tmp_path / "good.docx", tmp_path / "bad.docx"]
    for path, data in zip(paths, (good, bad), strict=True):
        path.write_bytes(data)
    slow = verify.amount_word_findings(paths)
    fast = amount_word_findings(list(zip(paths, (good, bad), strict=True)))
    assert [f.message for f in fast] == [f.message for f in slow]
    assert len(fast) >= 1 and all("bad.docx" in f.message for f in fast)


def test_rendered_text_is_what_the_document_says(plans):
    """The build checks the amounts' words on the text read from the tree it renders: the
    same document, and the same text as reading the written .docx back."""
    for plan in plans:
        template = template_path(EXAMPLE, plan.template)
        data, text = render_docx_text(template, plan.context, DATE, plan.title)
        assert data == render_docx(template, plan.context, DATE, plan.title), plan.stem
        assert text == docx_text(data), plan.stem


def test_a_template_whose_words_disagree_stops_the_build(campaign_dir, tmp_path):
    doc = Document()
    doc.add_paragraph("Tổng số tiền: 1.500.000 đồng (Bằng chữ: Một triệu đồng)")
    (campaign_dir / "templates").mkdir(exist_ok=True)
    doc.save(campaign_dir / "templates" / "bao_cao_tap_the.docx")
    out = tmp_path / "out"
    with pytest.raises(BlockingFindings) as raised:
        build(campaign_dir, out, AS_OF, pdf=False)
    assert {f.code for f in raised.value.findings} == {"WORDS_MISMATCH"}
    assert all("1.500.000" in f.message for f in raised.value.findings)
    assert not out.exists()


def test_streamed_bundle_pages_and_bookmarks(built, tmp_path):
    pdfs = sorted((built.out / "pdf").glob("*.pdf"))
    parts = [BundlePart(f"Văn bản {i} – “{p.stem}”", p) for i, p in enumerate(pdfs * 3)]
    target = tmp_path / "bundle.pdf"
    counts = bundle(parts, target, "Hồ sơ")
    reader = PdfReader(target)
    assert counts == [len(PdfReader(p.pdf).pages) for p in parts]
    assert len(reader.pages) == sum(counts)
    assert [item.title for item in reader.outline] == [p.title for p in parts]
    starts = [reader.get_destination_page_number(item) for item in reader.outline]
    assert starts == [sum(counts[:i]) for i in range(len(counts))]
    assert reader.metadata.title == "Hồ sơ"
    # every page keeps its text
    first = PdfReader(pdfs[0]).pages[0].extract_text()
    assert reader.pages[0].extract_text() == first


def test_streamed_bundle_memory_does_not_grow_with_parts(built, tmp_path):
    pdf = sorted((built.out / "pdf").glob("*.pdf"))[2]

    def peak(count: int) -> int:
        tracemalloc.start()
        bundle([BundlePart(str(i), pdf) for i in range(count)], tmp_path / "b.pdf", "x")
        result = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return result

    small, large = peak(5), peak(60)
    assert large < small * 1.5 + 200_000, (small, large)


def test_raw_and_pypdf_readings_give_the_same_pages(built, tmp_path):
    from dossier.output.bundle import Chunk

    class Store:
        def __init__(self, read):
            self.read = read

        def get_chunk(self, key):
            return self.read(Path(key)).dumps()

        def put_chunk(self, key, data):
            pass

    pdfs = sorted((built.out / "pdf").glob("*.pdf"))
    parts = [BundlePart(p.stem, p, key=str(p)) for p in pdfs]
    bundle(parts, tmp_path / "raw.pdf", "x", chunks=Store(Chunk.read))
    bundle(parts, tmp_path / "pypdf.pdf", "x", chunks=Store(Chunk.read_with_pypdf))
    raw, slow = PdfReader(tmp_path / "raw.pdf"), PdfReader(tmp_path / "pypdf.pdf")
    assert len(raw.pages) == len(slow.pages) == sum(len(PdfReader(p).pages) for p in pdfs)
    for a, b in zip(raw.pages, slow.pages, strict=True):
        assert a.extract_text() == b.extract_text()
        assert [round(float(v), 3) for v in a.mediabox] == [
            round(float(v), 3) for v in b.mediabox]  # pypdf rounds to 6 decimals


def test_a_pdf_that_is_not_plain_is_read_with_pypdf(built, tmp_path):
    """Pages that inherit /Resources from the page tree: the raw reading refuses, pypdf
    copies the inherited resources onto each page."""
    import re

    from dossier.convert.local_pool import LocalPool
    from dossier.output.pdf_raw import NotSimple, read_pages

    # as LibreOffice writes it (the build's PDFs of merged documents are cut by pypdf)
    docx = sorted((built.out / "docx").glob("*.docx"))[0]
    source = LocalPool(jobs=1).convert([docx], tmp_path / "lo").pdfs[docx]
    data = source.read_bytes()
    # blank out each page's own /Resources (same length: the offsets stay right)
    data = re.sub(rb"(/Type/Page/Parent \d+ 0 R)(/Resources \d+ 0 R)",
                  lambda m: m.group(1) + b" " * len(m.group(2)), data)
    inherited = tmp_path / "inherited.pdf"
    inherited.write_bytes(data)
    with pytest.raises(NotSimple):
        read_pages(data, -1)
    counts = bundle([BundlePart("a", inherited)], tmp_path / "b.pdf", "x")
    reader = PdfReader(tmp_path / "b.pdf")
    assert counts == [len(PdfReader(source).pages)]
    assert reader.pages[0].extract_text() == PdfReader(source).pages[0].extract_text()
