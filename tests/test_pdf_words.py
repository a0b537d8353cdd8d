"""Reading pdftotext's word boxes (documents/pdf_words): each word's text as the checks compare
it (entities decoded, NFC, inner white space one space), whether its page takes the fast path
(nothing to decode) or not; and read from a real PDF."""

from __future__ import annotations

import random
import shutil

import pytest

from dossier.documents.pdf_words import Page, Word, lines, parse_pages, read_pages

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


def _lines_by_the_rule(words: list[Word]) -> list[list[str]]:
    """The rule `lines` implements, word by word: a word joins the earliest line begun whose
    baseline (its first word's) is within 1.5 pt of its own; lines by baseline, words by x."""
    begun: list[tuple[float, list[Word]]] = []
    for word in words:
        line = next((line for line in begun if abs(line[0] - word.y1) <= 1.5), None)
        if line is None:
            begun.append((word.y1, [word]))
        else:
            line[1].append(word)
    return [[w.text for w in sorted(ws, key=lambda w: w.x0)]
            for _, ws in sorted(begun, key=lambda line: line[0])]


def test_words_join_the_earliest_line_within_reach():
    """Baselines a little apart (a superscript, a taller font, rounding) and runs of words on
    one baseline (which `lines` does not search again) group as the rule says."""
    generator = random.Random(17)
    for _ in range(200):
        words = []
        for index in range(generator.randint(1, 40)):
            y = generator.choice([100.0, 101.2, 102.5, 103.9, 120.0, 121.4, 140.0])
            for repeat in range(generator.randint(1, 3)):  # runs on the same baseline
                x = generator.uniform(0, 500)
                words.append(Word(x, y - 10, x + 5, y, f"w{index}.{repeat}"))
        found = [[w.text for w in line.words] for line in lines([Page(1, 595, 842, words)])]
        assert found == _lines_by_the_rule(words)
