"""The Tờ trình đề nghị khen thưởng."""

from __future__ import annotations

from docx.document import Document as DocumentObject

from nd30.danh_sach import danh_sach_block
from nd30.docx_parts import loop, par, tag
from nd30.layout import closing_block, header_block, new_document, title_block


def to_trinh() -> DocumentObject:
    doc = new_document("Tờ trình đề nghị khen thưởng")
    header_block(doc)
    title_block(doc)
    # Kính gửi: one recipient on the same line, several on their own lines.
    tag(doc, "{%p if recipients_lines|length == 1 %}")
    par(doc, "Kính gửi: {{ recipients_lines[0] }}", "ND30 Recipients")
    tag(doc, "{%p else %}")
    par(doc, "Kính gửi:", "ND30 Recipients Heading")
    loop(doc, "recipients_lines", "ND30 Recipients Item", var="line")
    par(doc, "", "ND30 Sign Space")
    tag(doc, "{%p endif %}")
    loop(doc, "can_cu")
    loop(doc, "body")
    par(doc, "{{ request }}")
    # The last body paragraph (the note) and the closing stay with Nơi nhận and the signature
    # (one row that cannot split); the danh sách follows the signed text on a new page.
    closing_block(doc, ["{{ attachments_note }}", "{{ closing }}"], "signer")
    danh_sach_block(doc)
    return doc
