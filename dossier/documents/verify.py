"""Read generated documents back and verify what they print: every amount written in words
must be the amount written in figures beside it ("… đồng (Bằng chữ: …)")."""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document

from dossier.models import Finding
from dossier.vietnamese import words_to_amount

AMOUNT_WITH_WORDS = re.compile(r"(\d{1,3}(?:\.\d{3})*) đồng \(Bằng chữ: ([^)]+?)\.?\)")


def document_text(path: Path) -> str:
    """The text a reader sees: body paragraphs and every table cell, in order."""
    doc = Document(path)
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        seen = set()  # a merged cell (the danh sách's total row) is read once
        for row in table.rows:
            for cell in row.cells:
                if cell._tc not in seen:
                    seen.add(cell._tc)
                    parts.append(cell.text)
    return "\n".join(parts)


def amount_word_findings(paths: list[Path]) -> list[Finding]:
    return [f for path in paths for f in text_findings(path, document_text(path))]


def words_agree(amount: int, words: str) -> bool:
    """The words read back as exactly `amount` (text that cannot be read does not agree)."""
    try:
        return words_to_amount(words) == amount
    except ValueError:
        return False


def text_findings(path: Path, text: str) -> list[Finding]:
    """A blocking finding per amount in `text` whose words disagree with its figures."""
    findings = []
    for figures, words in AMOUNT_WITH_WORDS.findall(" ".join(text.split())):
        if not words_agree(int(figures.replace(".", "")), words):
            findings.append(Finding(
                "WORDS_MISMATCH", "blocking",
                # "amount in figures does not match the amount in words"
                f"{path.name}: số tiền {figures} đồng không khớp với bằng chữ '{words}'",
                file=str(path)))
    return findings
