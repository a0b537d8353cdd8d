"""`verify.amount_word_findings` for documents still in memory, about 50 times faster.

python-docx parses every part of a .docx (styles.xml alone is 350 kB) to read its text back;
here only word/document.xml is parsed, with lxml. The text is the same paragraphs (body and
table cells, in document order), and the rule is verify's own pattern and reading of words.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from lxml import etree

from dossier.documents.verify import text_findings
from dossier.models import Finding

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SPACES = {f"{W}tab", f"{W}br", f"{W}cr"}


def document_xml_text(document_xml: bytes) -> str:
    """Every paragraph's text, one per line; tabs and line breaks read as spaces."""
    return element_text(etree.fromstring(document_xml))


def element_text(root: etree._Element) -> str:
    """`document_xml_text` of a tree already parsed (a document being rendered)."""
    lines = []
    for paragraph in root.iter(f"{W}p"):
        parts = [" " if node.tag in SPACES else node.text or ""
                 for node in paragraph.iter(f"{W}t", *SPACES)]
        lines.append("".join(parts))
    return "\n".join(lines)


def docx_text(data: bytes) -> str:
    return document_xml_text(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))


def amount_word_findings(documents: list[tuple[Path, bytes]]) -> list[Finding]:
    """(path, .docx bytes) → a blocking finding per amount whose words disagree."""
    return [f for path, data in documents for f in text_findings(path, docx_text(data))]
