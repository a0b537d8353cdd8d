"""A long list edited in a few rows is converted again only around them (issue 17's d′): the
pieces, spliced into the PDF the cache kept, give the same pages as the edited document
converted alone (text and rasters: `fidelity.compare`), whatever the edit does to the page
breaks; and whatever cannot be cut is converted whole."""

from __future__ import annotations

import json
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from dossier.build import build
from dossier.convert import list_pdf
from dossier.convert.backends import make_converter
from dossier.convert.fidelity import compare
from dossier.convert.list_rows import ListDocument, ListShape, W
from dossier.convert.merged import compatibility
from dossier.documents import layout_check
from dossier.documents.pdf_words import Page, Word, read_pages
from dossier.output import list_pieces as pieces
from dossier.output.cache import Cache

from .conftest import AS_OF, ROOT, set_cell

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402

LISTS = ("01-to-trinh", "02-bien-ban")
# the lists of 70 nominees count as long (11 and 17 estimated pages), the reports (2) do not
SHORT_LISTS = 10
LONG_TEXT = ("Chuyên viên chính phụ trách công tác thi đua, khen thưởng và truyền thông, kiêm "
             "nhiệm công tác tổ chức cán bộ, văn thư lưu trữ, cải cách hành chính và chuyển "
             "đổi số của đơn vị trong giai đoạn 2021 - 2025")


def _records(cache_dir: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(cache_dir.rglob("lists/*/*.json"))]


def _assert_lists_as_converted_alone(out: Path, work: Path) -> None:
    """Each list's PDF equals its .docx converted alone by LibreOffice (no cache, no piece)."""
    work.mkdir()
    converter = make_converter(jobs=1)
    try:
        result = converter.convert([out / "docx" / f"{stem}.docx" for stem in LISTS], work)
    finally:
        converter.close()
    for stem in LISTS:
        assert compare(out / "pdf" / f"{stem}.pdf", result.pdfs[out / "docx" / f"{stem}.docx"]) \
            == [], stem


def _assert_pages_kept_as_read(out: Path, cache: Cache) -> None:
    """What the layout check kept of each list's pages (partly taken over from the PDF before
    the edit) is what reading the built PDF gives."""
    converter = make_converter(jobs=1)
    version = converter.version
    converter.close()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for document in manifest["documents"]:
        if Path(document["docx"]).stem in LISTS:
            key = layout_check.pages_key(Cache.pdf_key(document["sha256"], version))
            kept = layout_check._load_pages(cache.get_layout(key))
            assert kept == [layout_check.page_text(page)
                            for page in read_pages(out / document["pdf"])], document["docx"]


@pytest.fixture(scope="module")
def campaign(tmp_path_factory) -> Path:
    return generate(70, tmp_path_factory.mktemp("pieces") / "campaign")


def test_edits_to_a_long_list_convert_only_their_pieces(campaign, tmp_path, monkeypatch):
    monkeypatch.setattr(pieces, "MIN_PAGES", SHORT_LISTS)
    cache, out = Cache(tmp_path / "cache"), tmp_path / "out"
    build(campaign, out, AS_OF, cache=cache)
    assert [r["spliced"] for r in _records(tmp_path / "cache")] == [0, 0]
    assert not list(out.rglob("~*")) and not list(out.glob(".dossier-pieces-*"))

    # a field in the middle of the lists, same length: one piece each, the rest kept
    set_cell(campaign, "CN00030", "position", "Chuyên viên (đã sửa)")
    second = build(campaign, out, AS_OF, cache=cache)
    assert set(LISTS) <= set(second.stats.converted)
    assert [r["spliced"] for r in _records(tmp_path / "cache")] == [1, 1]
    _assert_lists_as_converted_alone(out, tmp_path / "alone-1")
    _assert_pages_kept_as_read(out, cache)

    # a field that grows by lines: the page breaks move; the piece reaches on until they meet
    # the old ones, or (reaching one page only) the rest of the list is converted
    set_cell(campaign, "CN00030", "position", LONG_TEXT)
    build(campaign, out, AS_OF, cache=cache)
    assert [r["spliced"] for r in _records(tmp_path / "cache")] == [2, 2]
    _assert_lists_as_converted_alone(out, tmp_path / "alone-2")
    _assert_pages_kept_as_read(out, cache)
    monkeypatch.setattr(pieces, "REACH", 1)
    set_cell(campaign, "CN00030", "position", "Chuyên viên")
    build(campaign, out, AS_OF, cache=cache)
    assert [r["spliced"] for r in _records(tmp_path / "cache")] == [3, 3]
    _assert_lists_as_converted_alone(out, tmp_path / "alone-3")
    _assert_pages_kept_as_read(out, cache)
    assert not list(out.rglob("~*")) and not list(out.glob(".dossier-pieces-*"))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert all(not d["pdf"].startswith("pdf/~") for d in manifest["documents"])

    again = build(campaign, out, AS_OF, cache=cache)  # nothing changed: nothing converted
    assert again.stats.converted == [] and not list(out.glob(".dossier-pieces-*"))


def _list_document(campaign: Path, out: Path, cache: Cache) -> Path:
    build(campaign, out, AS_OF, cache=cache, pdf=False)
    return out / "docx" / "02-bien-ban.docx"


def _convert(helper: pieces.ListPieces, document: Path, key: str, converter) -> Path:
    """What the build does with a list document missing from the cache, then its storing."""
    submitted = helper.prepare(document, key)
    result = helper.settle(converter.convert(submitted, helper.out_dir), converter.convert)
    assert result.failed == {}
    pdf = result.pdfs[document]
    helper.cache.put_pdf(key, pdf, list_pdf.page_count(pdf))
    helper.store(helper.cache.has_pdf)
    return pdf


def test_what_cannot_be_cut_is_converted_whole(campaign, tmp_path, monkeypatch):
    """Two runs of changed rows far apart (a name is in both of the Biên bản's lists): two
    pieces; a changed row on the list's first page, a damaged record or too many splices: the
    whole document, marked again (a changed frame has no record: `test_a_list_shape_…`)."""
    monkeypatch.setattr(pieces, "MIN_PAGES", SHORT_LISTS)
    cache = Cache(tmp_path / "cache")
    converter = make_converter(jobs=1)
    edits = [("CN00040", "name", "Nguyễn Thị Đã Sửa", 1),  # two pieces
             ("TT00001", "name", "Ban Quản lý đã sửa", 0),  # first rows: whole
             ("CN00041", "name", "Trần Văn Đã Sửa", 1)]
    try:
        document = _list_document(campaign, tmp_path / "out-0", cache)
        with pieces.ListPieces(cache, "v", tmp_path / "pdf-0", tmp_path) as helper:
            _convert(helper, document, "k0", converter)
        for number, (nominee, column, value, spliced) in enumerate(edits, start=1):
            set_cell(campaign, nominee, column, value)
            document = _list_document(campaign, tmp_path / f"out-{number}", cache)
            with pieces.ListPieces(cache, "v", tmp_path / f"pdf-{number}", tmp_path) as helper:
                pdf = _convert(helper, document, f"k{number}", converter)
                if number == 1:
                    assert len(helper.jobs[0].pieces) == 2
            assert [r["spliced"] for r in _records(tmp_path / "cache")] == [spliced]
            alone = converter.convert([document], tmp_path / f"alone-{number}").pdfs[document]
            assert compare(pdf, alone) == []
        (record_file,) = (tmp_path / "cache").rglob("lists/*/*.json")
        record = json.loads(record_file.read_text())
        for damaged in ({**record, "pages": record["pages"][::-1]}, {**record, "rows": []},
                        {**record, "spliced": pieces.MAX_SPLICES}, "not json"):
            record_file.write_text(damaged if isinstance(damaged, str) else json.dumps(damaged))
            with pieces.ListPieces(cache, "v", tmp_path / "pdf-d", tmp_path) as helper:
                helper.prepare(document, "kd")  # the same rows: nothing to cut anyway
                assert helper.jobs[0].whole is not None
    finally:
        converter.close()


def _shape(document: Path) -> ListShape | None:
    """The document's shape as the build asks for it (None also when it cannot be read)."""
    read = ListDocument.read(document)
    return read.shape() if read is not None else None


def _docx(tmp_path: Path, body: str, settings: str = "", styles: str = "") -> Path:
    path = tmp_path / "list.docx"
    namespace = f'xmlns:w="{W}"'
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", f"<w:document {namespace}><w:body>{body}"
                         "<w:sectPr><w:titlePg/></w:sectPr></w:body></w:document>")
        archive.writestr("word/settings.xml", f"<w:settings {namespace}>{settings}</w:settings>")
        archive.writestr("word/styles.xml", f"<w:styles {namespace}>{styles}</w:styles>")
    return path


def _table(rows: list[str], style: str = "") -> str:
    header = ("<w:tr><w:trPr><w:tblHeader/></w:trPr><w:tc><w:p><w:r><w:t>STT</w:t></w:r></w:p>"
              "</w:tc></w:tr>")
    cells = "".join(f'<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:p><w:r><w:t>{text}</w:t>'
                    "</w:r></w:p></w:tc></w:tr>" for text in rows)
    properties = f'<w:tblPr><w:tblStyle w:val="{style}"/></w:tblPr>' if style else ""
    return f"<w:tbl>{properties}{header}{cells}</w:tbl>"


def test_a_list_shape_tells_frame_from_rows(tmp_path):
    before = _shape(_docx(tmp_path, "<w:p/>" + _table(["1", "2", "3"])))
    after = _shape(_docx(tmp_path, "<w:p/>" + _table(["1", "two", "3"])))
    framed = _shape(_docx(tmp_path, "<w:p><w:r><w:t>x</w:t></w:r></w:p>"
                                   + _table(["1", "2", "3"])))
    assert isinstance(before, ListShape) and after is not None and framed is not None
    assert before.frame == after.frame != framed.frame
    assert [a == b for a, b in zip(before.rows, after.rows, strict=True)] == [True, False, True]
    assert [before.boundary(row) for row in range(3)] == [False, True, True]


@pytest.mark.parametrize("body, settings, styles", [
    ("<w:p><w:fldSimple w:instr=' NUMPAGES '/></w:p>", "", ""),
    ("<w:p><w:r><w:instrText> PAGEREF x </w:instrText></w:r></w:p>", "", ""),
    (f'<w:p><x:fldSimple xmlns:x="{W}" x:instr="SECTIONPAGES"/></w:p>', "", ""),  # any prefix
    ("", "<w:evenAndOddHeaders/>", ""),
    ("", "<w:mirrorMargins/>", ""),
    ("", "", '<w:style w:type="table" w:styleId="Grid"><w:tblStylePr w:type="band1Horz"/>'
             "</w:style>"),
])
def test_what_a_piece_would_lay_out_otherwise_is_never_cut(tmp_path, body, settings, styles):
    document = _docx(tmp_path, body + _table(["1", "2"], "Grid"), settings, styles)
    assert _shape(document) is None


def test_a_document_that_cannot_be_read_is_converted_as_it_is(tmp_path):
    document = _docx(tmp_path, _table(["1", "2"]))
    with zipfile.ZipFile(document, "a") as archive:
        archive.writestr("word/header1.xml", "<w:hdr")  # not XML: LibreOffice will judge
    assert _shape(document) is None


def test_a_piece_keeps_the_header_and_numbers_pages_as_the_whole(tmp_path):
    document = _docx(tmp_path, "<w:p><w:r><w:t>before</w:t></w:r></w:p>"
                     + _table(["1", "2", "3"]) + "<w:p/>" + _table(["4", "5"])
                     + "<w:p><w:r><w:t>after</w:t></w:r></w:p>")
    target = tmp_path / "piece.docx"
    ListDocument(document).write_piece(target, 1, 3, 4)
    with zipfile.ZipFile(target) as archive:
        body = etree.fromstring(archive.read("word/document.xml")).find(f"{{{W}}}body")
    text = ["".join(row.itertext()) for table in body.findall(f"{{{W}}}tbl")
            for row in table.findall(f"{{{W}}}tr")]
    assert text == ["STT", "2", "3", "STT", "4"]
    assert "before" not in "".join(body.itertext()) and "after" not in "".join(body.itertext())
    section = body.find(f"{{{W}}}sectPr")
    assert section.find(f"{{{W}}}titlePg") is None
    assert section.find(f"{{{W}}}pgNumType").get(f"{{{W}}}start") == "5"
    marks = [m.get(f"{{{W}}}name") for m in body.iter(f"{{{W}}}bookmarkStart")]
    assert marks == ["dossier-row-00001", "dossier-row-00002", "dossier-row-00003"]
    assert compatibility(target) is None  # never merged: its marks must reach its PDF


def test_a_pdf_that_cannot_be_read_has_no_marks_and_no_pages(tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nnot a PDF")
    assert list_pdf.row_pages(broken) == {} and list_pdf.page_count(broken) == 0
    list_pdf.save_without_marks(broken)  # left as it is
    assert broken.read_bytes() == b"%PDF-1.7\nnot a PDF"


def test_kept_page_text_keeps_each_word_whole():
    """A word pdftotext reads with a space inside (a no-break space) stays one word when a
    page's text is kept: a page of such words is not taken for a lone signature page."""
    page = Page(2, 595.3, 841.9, [Word(100, 100, 140, 112, "Nguyễn Văn"),
                                  Word(150, 100, 170, 112, "A")])
    kept = layout_check.page_text(page)
    assert kept.word_list() == ["Nguyễn Văn", "A"]
    assert layout_check._load_pages(layout_check._dump_pages([kept])) == [kept]
    assert not layout_check._is_lone(kept.word_list(), Counter(["Nguyễn", "Văn", "A"]))


def test_a_piece_starts_before_a_changed_row_that_started_a_page(monkeypatch):
    """A changed row that started a page may now fit on the page before: the piece starts at
    the page start before it; overlapping pieces are one; a row with no start before it, the
    whole list."""
    monkeypatch.setattr(pieces, "REACH", 1)
    shape = ListShape("frame", tuple("abcdefgh"), (0,) * 8, frozenset({0}))
    job = pieces._Job(Path("list.docx"), shape, "f", "k", old_pages=[0, 0, 1, 1, 2, 2, 3, 3])
    assert pieces.ListPieces._spans(job, [4]) == [(2, 6, 4)]  # row 4 started page 2
    assert pieces.ListPieces._spans(job, [3]) == [(2, 4, 3)]
    assert pieces.ListPieces._spans(job, [3, 4]) == [(2, 6, 4)]  # one piece
    assert pieces.ListPieces._spans(job, [6]) == [(4, None, 6)]  # no page start after: tail
    assert pieces.ListPieces._spans(job, [2]) == []  # nothing to cut before it
