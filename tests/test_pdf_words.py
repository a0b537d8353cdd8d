"""Reading pdftotext's word boxes (documents/pdf_words): each word's text as the checks compare
it (entities decoded, NFC, inner white space one space), whether its page takes the fast path
(nothing to decode) or not; and read from a real PDF."""

from __future__ import annotations

import shutil

import pytest

from dossier.documents.pdf_words import Word, parse_pages, read_pages

PAGE = '<page width="595.3" height="841.9">\n{}\n</page>\n'
WORD = '<word xMin="{0}" yMin="10.0" xMax="{1}" yMax="20.5">{2}</word>'


def _output(*pages: list[str]) -> str:
    return "<doc>\n" + "".join(
        PAGE.format("\n".join(WORD.format(10 * i, 10 * i + 8, text) for i, text in
                              enumerate(texts))) for texts in pages) + "</doc>"


def test_words_read_the_same_on_plain_and_other_pages():
    plain = ["Nguyễn", "Văn", "An", "10"]
    odd = ["Nguy\u00a0ễn", "Tra\u0300n", "A&amp;B", "&lt;/word&gt;", "x\u2003y"]
    pages = list(parse_pages(_output(plain, odd)))
    assert [p.number for p in pages] == [1, 2] and pages[0].width == 595.3
    assert [w.text for w in pages[0].words] == plain
    assert [w.text for w in pages[1].words] == ["Nguy ễn", "Tràn", "A&B", "</word>", "x y"]
    assert pages[0].words[1] == Word(10.0, 10.0, 18.0, 20.5, "Văn")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler is not installed")
def test_words_of_a_real_pdf(tmp_path):
    from dossier.build import build

    from .conftest import AS_OF, EXAMPLE

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    result = build(EXAMPLE, tmp_path / "out", AS_OF)
    pages = read_pages(next((result.out / "pdf").glob("*to-trinh.pdf")))
    text = " ".join(w.text for page in pages for w in page.words)
    assert "TỜ TRÌNH" in text and pages[0].number == 1
