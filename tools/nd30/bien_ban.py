"""The Biên bản họp xét of the Hội đồng Thi đua - Khen thưởng."""

from __future__ import annotations

from docx.document import Document as DocumentObject

from nd30.danh_sach import danh_sach_block
from nd30.docx_parts import loop, loop_table, par
from nd30.layout import closing_block, header_block, labelled, new_document, title_block

MEMBER_COLUMNS = [("STT", 1.2), ("Họ và tên", 5.5), ("Chức vụ, vai trò trong Hội đồng", 9.8)]
VOTE_COLUMNS = [
    ("STT", 1.2),
    ("Tên tập thể, cá nhân", 5.1),
    ("Hình thức khen thưởng", 5.2),
    ("{{ vote_heading }}", 2.5),  # ballots or members, by the voting method
    ("{{ ratio_heading }}", 2.5),  # over the whole council or the members present
]


def bien_ban() -> DocumentObject:
    doc = new_document("Biên bản họp xét khen thưởng")
    header_block(doc)
    title_block(doc)
    loop(doc, "opening")
    labelled(doc, "Chủ trì cuộc họp: ", "chair")
    labelled(doc, "Thư ký cuộc họp: ", "secretary")
    par(doc, "{{ attendance }}")
    loop_table(
        doc,
        MEMBER_COLUMNS,
        "for m in members",
        [
            ("{{ m.stt }}", "ND30 Table Center"),
            ("{{ m.name }}", "ND30 Table Text"),
            ("{{ m.role }}", "ND30 Table Text"),
        ],
    )
    par(doc, "Nội dung cuộc họp:", "ND30 Heading")
    loop(doc, "content")
    method = labelled(doc, "Hình thức xét chọn: ", "method", "; kết quả như sau:")
    method.paragraph_format.keep_with_next = True  # stays with the votes table
    loop_table(
        doc,
        VOTE_COLUMNS,
        "for v in votes",
        [
            ("{{ v.stt }}", "ND30 Table Center"),
            ("{{ v.name }}", "ND30 Table Text"),
            ("{{ v.award }}", "ND30 Table Text"),
            ("{{ v.agree }}/{{ v.total }}", "ND30 Table Center"),
            ("{{ v.ratio }}", "ND30 Table Center"),
        ],
    )
    par(doc, "Kết luận:", "ND30 Heading")
    loop(doc, "conclusion[:-1]")
    # The last conclusion and the closing stay with both signatures; the danh sách follows
    # the signed text on a new page.
    closing_block(
        doc,
        ["{%p for item in conclusion[-1:] %}", "{{ item }}", "{%p endfor %}", "{{ closing }}"],
        "chair_sign",
        left="secretary_sign",
    )
    danh_sach_block(doc)
    return doc
