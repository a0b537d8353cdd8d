"""The Quyết định khen thưởng (NĐ 30/2020/NĐ-CP, Phụ lục III, Mẫu 1.4, quyết định cá biệt):
the authority that decides, căn cứ in italics, "QUYẾT ĐỊNH:", the articles, Nơi nhận and
signature; the danh sách on a page of its own."""

from __future__ import annotations

from docx.document import Document as DocumentObject

from nd30.danh_sach import danh_sach_block
from nd30.docx_parts import Container, par, tag
from nd30.layout import closing_block, header_block, new_document, title_block


def quyet_dinh() -> DocumentObject:
    doc = new_document("Quyết định khen thưởng")
    header_block(doc)
    title_block(doc)
    par(doc, "{{ authority }}", "ND30 Doc Summary").paragraph_format.space_after = 12
    tag(doc, "{%p for item in can_cu %}")
    par(doc, "{{ item }}", italic=True)
    tag(doc, "{%p endfor %}")
    par(doc, "{{ proposal }}", italic=True)
    decides = par(doc, "QUYẾT ĐỊNH:", "ND30 Doc Summary")
    decides.paragraph_format.space_before = decides.paragraph_format.space_after = 12
    articles(doc, "articles[:-1]")
    # the last article stays with Nơi nhận and the signature (a row that cannot split); the
    # danh sách follows on a new page
    closing_block(doc, [lambda cell: articles(cell, "articles[-1:]")], "signer")
    danh_sach_block(doc)
    return doc


def articles(container: Container, seq: str) -> None:
    """One paragraph per article: its label in bold, then its text."""
    tag(container, f"{{%p for article in {seq} %}}")
    article = par(container, "{{ article.label }}", bold=True)
    article.add_run(" {{ article.text }}")
    tag(container, "{%p endfor %}")
