"""`dossier diff --redline`: real tracked changes that python-docx and LibreOffice open, whose
accepted text is B's and rejected text is A's, paragraph for paragraph."""

from __future__ import annotations

import copy
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.shared import Mm
from docx.text.paragraph import Paragraph
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from pypdf import PdfReader

from dossier.cli.main import main
from dossier.review.redline import AUTHOR, REVISION_DATE, write_redline

from .review_pairs import review_pairs

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MARKS = (W + "rPr", W + "trPr")  # where a revision marks a paragraph mark or a row


@pytest.fixture(scope="module")
def pairs(tmp_path_factory) -> dict[str, Path]:
    return review_pairs(tmp_path_factory)


def docx(folder: Path, stem: str) -> Path:
    return folder / "docx" / f"{stem}.docx"


def _marked(element: etree._Element, path: str) -> bool:
    return element.find(path) is not None


def resolve(body: etree._Element, accept: bool) -> etree._Element:
    """Accept (or reject) every tracked change as Word does: drop the rejected side's rows,
    runs and paragraph marks (a paragraph whose mark goes merges into the next one), keep the
    other side's content, remove the remaining marks."""
    gone, kept = ("del", "ins") if accept else ("ins", "del")
    for row in list(body.iter(W + "tr")):
        if _marked(row, f"{W}trPr/{W}{gone}"):
            row.getparent().remove(row)
    for table in list(body.iter(W + "tbl")):
        if table.find(W + "tr") is None:
            table.getparent().remove(table)
    for wrapper in list(body.iter(W + gone)):
        if wrapper.getparent().tag not in MARKS:
            wrapper.getparent().remove(wrapper)
    for paragraph in list(body.iter(W + "p")):
        following = paragraph.getnext()
        if _marked(paragraph, f"{W}pPr/{W}rPr/{W}{gone}") and following is not None \
                and following.tag == W + "p":
            start = 1 if following.find(W + "pPr") is not None else 0
            for child in reversed([c for c in paragraph if c.tag != W + "pPr"]):
                following.insert(start, child)
            paragraph.getparent().remove(paragraph)
    for wrapper in list(body.iter(W + kept)):
        if wrapper.getparent().tag not in MARKS:
            for child in list(wrapper):
                wrapper.addprevious(child)
            wrapper.getparent().remove(wrapper)
    for mark in list(body.iter(W + "ins", W + "del", W + "sectPrChange")):
        mark.getparent().remove(mark)
    for text in body.iter(W + "delText"):
        text.tag = W + "t"
    return body


def texts(body: etree._Element) -> list[str]:
    """Every paragraph of the body in order, table cells included, as python-docx reads it."""
    return [Paragraph(p, None).text for p in body.iter(W + "p")]


def body_of(path: Path) -> etree._Element:
    return copy.deepcopy(Document(str(path)).element.body)


CASES = [("amount", "01-to-trinh"), ("amount", "02-bien-ban"), ("quota", "01-to-trinh"),
         ("quota", "02-bien-ban"), ("reorder", "02-bien-ban"), ("rank", "01-to-trinh"),
         ("rank", "02-bien-ban"), ("reorder", "01-to-trinh")]


@pytest.mark.parametrize("variant, stem", CASES)
def test_accepting_gives_b_and_rejecting_gives_a(pairs, tmp_path, variant, stem):
    a, b = docx(pairs["base"], stem), docx(pairs[variant], stem)
    out = tmp_path / "redline.docx"
    summary = write_redline(a, b, out)
    redline = Document(str(out))  # python-docx opens it
    assert texts(resolve(body_of(out), accept=True)) == texts(body_of(b))
    assert texts(resolve(body_of(out), accept=False)) == texts(body_of(a))
    marks = list(redline.element.body.iter(W + "ins", W + "del"))
    assert len(marks) == summary.insertions + summary.deletions
    assert {(m.get(W + "author"), m.get(W + "date")) for m in marks} <= {(AUTHOR, REVISION_DATE)}
    ids = [m.get(W + "id") for m in marks]
    assert len(ids) == len(set(ids))
    if variant == "reorder" and stem == "01-to-trinh":
        assert not marks  # the Tờ trình does not list the council


def test_changed_amount_is_a_word_level_change(pairs, tmp_path):
    out = write_redline(docx(pairs["base"], "01-to-trinh"), docx(pairs["amount"], "01-to-trinh"),
                        tmp_path / "redline.docx").path
    body = Document(str(out)).element.body
    deleted, inserted = (["".join(t.text or "" for t in mark.iter(W + "t", W + "delText"))
                          for mark in body.iter(W + kind) if mark.getparent().tag not in MARKS]
                         for kind in ("del", "ins"))
    # the amount, then the total row: the sum in words (figures, two words), the figures
    assert deleted == ["2.340.000", "21.060.000", "không", "sáu", "21.060.000"]
    assert inserted == ["2.500.000", "21.220.000", "hai", "hai", "21.220.000"]


def test_removed_nominee_is_one_deleted_row(pairs, tmp_path):
    out = write_redline(docx(pairs["base"], "01-to-trinh"), docx(pairs["quota"], "01-to-trinh"),
                        tmp_path / "redline.docx").path
    body = Document(str(out)).element.body
    rows = [row for row in body.iter(W + "tr") if _marked(row, f"{W}trPr/{W}del")]
    assert len(rows) == 1
    assert [Paragraph(p, None).text for p in rows[0].iter(W + "p")] == [""] * 7  # all deleted
    deleted = "".join(t.text or "" for t in rows[0].iter(W + "delText"))
    assert deleted.startswith("3Ông Võ Thanh Sơn") and deleted.endswith("2.340.000")
    assert not [row for row in body.iter(W + "tr") if _marked(row, f"{W}trPr/{W}ins")]


def test_margin_change_is_a_tracked_section_change(built, tmp_path):
    original = docx(built.out, "01-to-trinh")
    doc = Document(str(original))
    doc.sections[0].left_margin = Mm(35)
    edited = tmp_path / "edited.docx"
    doc.save(str(edited))
    out = write_redline(original, edited, tmp_path / "redline.docx").path
    section = Document(str(out)).element.body.find(W + "sectPr")
    change = section.find(W + "sectPrChange")
    assert change is not None and change.get(W + "author") == AUTHOR
    assert change.find(f"{W}sectPr/{W}pgMar").get(W + "left") == "1701"  # 30 mm before
    assert section.find(W + "pgMar").get(W + "left") == "1984"  # 35 mm now


def test_redline_is_deterministic(pairs, tmp_path):
    a, b = docx(pairs["base"], "02-bien-ban"), docx(pairs["quota"], "02-bien-ban")
    first = write_redline(a, b, tmp_path / "1.docx").path.read_bytes()
    assert write_redline(a, b, tmp_path / "2.docx").path.read_bytes() == first


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_the_redline(pairs, tmp_path):
    out = write_redline(docx(pairs["base"], "01-to-trinh"), docx(pairs["amount"], "01-to-trinh"),
                        tmp_path / "redline.docx").path
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=180)
    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "redline.pdf").pages)
    assert "21.220.000" in text and "21.060.000" in text  # shown as inserted and as deleted


def test_cli_redline_for_files_and_folders(pairs, tmp_path):
    runner = CliRunner()
    single = tmp_path / "to-trinh-redline.docx"
    result = runner.invoke(main, ["diff", str(docx(pairs["base"], "01-to-trinh")),
                                  str(docx(pairs["quota"], "01-to-trinh")), "--redline",
                                  str(single)])
    assert result.exit_code == 1 and single.is_file()
    folder = tmp_path / "redlines"
    result = runner.invoke(main, ["diff", str(pairs["base"]), str(pairs["quota"]), "--redline",
                                  str(folder)])
    assert result.exit_code == 1
    assert sorted(p.name for p in folder.iterdir()) == ["01-to-trinh.docx", "02-bien-ban.docx"]
    assert (folder / "01-to-trinh.docx").read_bytes() == single.read_bytes()


WORDS = st.sampled_from(["một", "hai", "ba", "bốn", "năm", "2.340.000", "Tổng cộng:"])
PARAGRAPH = st.lists(WORDS, max_size=4).map(" ".join)
PARAGRAPHS = st.lists(PARAGRAPH, min_size=1, max_size=6)


def _write(path: Path, cell: list[str], paragraphs: list[str]) -> Path:
    """A table of one cell, then body paragraphs: the last paragraph of a cell and of the body
    are where Word cannot delete a paragraph mark."""
    doc = Document()
    target = doc.add_table(rows=1, cols=1).cell(0, 0)
    target.paragraphs[0].text = cell[0]
    for text in cell[1:]:
        target.add_paragraph(text)
    for text in paragraphs:
        doc.add_paragraph(text)
    doc.save(str(path))
    return path


@settings(max_examples=30, deadline=None)
@given(a_cell=PARAGRAPHS, a_body=PARAGRAPHS, b_cell=PARAGRAPHS, b_body=PARAGRAPHS)
def test_any_paragraph_edit_round_trips(a_cell, a_body, b_cell, b_body):
    with tempfile.TemporaryDirectory() as folder:
        a = _write(Path(folder) / "a.docx", a_cell, a_body)
        b = _write(Path(folder) / "b.docx", b_cell, b_body)
        out = write_redline(a, b, Path(folder) / "redline.docx").path
        assert texts(resolve(body_of(out), accept=True)) == texts(body_of(b))
        assert texts(resolve(body_of(out), accept=False)) == texts(body_of(a))


def test_what_the_redline_does_not_mark_is_said(built, pairs, tmp_path):
    """Headers, footers, fonts and tables' properties are not tracked changes: the summary
    names them and the command says so; a change of text alone gets no such note."""
    from docx.shared import Pt

    original = docx(built.out, "01-to-trinh")
    doc = Document(str(original))
    doc.sections[0].footer.paragraphs[0].text = "Chân trang mới"
    doc.tables[-1].columns[0].width = Mm(40)
    doc.styles["Normal"].font.size = Pt(13)
    edited = tmp_path / "edited.docx"
    doc.save(str(edited))
    summary = write_redline(original, edited, tmp_path / "redline.docx")
    assert summary.untracked == ("chân trang", "phông chữ, cỡ chữ",
                                 "thuộc tính bảng (độ rộng, đường viền, căn lề)")
    result = CliRunner().invoke(main, ["diff", str(original), str(edited), "--redline",
                                       str(tmp_path / "cli.docx")])
    assert "thay đổi ở chân trang, phông chữ, cỡ chữ, thuộc tính bảng" in result.output
    for variant, stem in CASES:
        quiet = write_redline(docx(pairs["base"], stem), docx(pairs[variant], stem),
                              tmp_path / f"{variant}-{stem}.docx")
        assert quiet.untracked == (), (variant, stem)
