"""The Quyết định khen thưởng (NĐ 30/2020/NĐ-CP, Phụ lục III, Mẫu 1.4, quyết định cá biệt):
the authority that decides, căn cứ in italics, "QUYẾT ĐỊNH:", the articles, Nơi nhận and
signature; the danh sách on a page of its own."""

from __future__ import annotations

from docx.document import Document as DocumentObject

from nd30.danh_sach import danh_sach_block
from nd30.docx_parts import par, tag
from nd30.layout import bottom_table, header_block, new_document, title_block


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
    tag(doc, "{%p for article in articles %}")
    article = par(doc, "{{ article.label }}", bold=True)
    article.add_run(" {{ article.text }}")
    tag(doc, "{%p endfor %}")
    bottom_table(doc, "signer")
    doc.add_page_break()
    danh_sach_block(doc)
    return doc
