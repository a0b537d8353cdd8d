"""The figures-and-words check reads real generated documents back."""

from __future__ import annotations

from docx import Document

from dossier.documents.verify import amount_word_findings


def test_generated_documents_agree(built):
    paths = sorted((built.out / "docx").glob("*.docx"))
    assert amount_word_findings(paths) == []


def test_a_tampered_document_is_caught(built, tmp_path):
    doc = Document(built.out / "docx" / "01-to-trinh.docx")
    cells = [c for t in doc.tables for row in t.rows for c in row.cells]
    paragraph = next(p for c in cells for p in c.paragraphs if "Bằng chữ" in p.text)  # total row
    for run in paragraph.runs:
        run.text = run.text.replace("21.060.000", "21.600.000")
    tampered = tmp_path / "to-trinh.docx"
    doc.save(tampered)
    [finding] = amount_word_findings([tampered])
    assert finding.code == "WORDS_MISMATCH" and finding.severity == "blocking"
    assert "21.600.000" in finding.message
