"""The Báo cáo thành tích: the regime's report form (collective, individual) and the
one-page summary some plans ask for."""

from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.shared import Pt

from nd30.docx_parts import loop, loop_table, par, rule, tag
from nd30.layout import closing_block, header_block, new_document
from nd30.rules import TEXT_WIDTH_CM

METRIC_COLUMNS = [("Chỉ tiêu", 11.0), ("Kết quả", 5.5)]
# The last paragraph of the narrative (if any) goes with the signatures.
LAST_NARRATIVE = ["{%p for item in narrative[-1:] %}", "{{ item }}", "{%p endfor %}"]


def bao_cao(individual: bool) -> DocumentObject:
    who = "cá nhân" if individual else "tập thể"
    doc = new_document(f"Báo cáo thành tích ({who})")
    header_block(doc, form_label=True)
    par(doc, "{{ doc_title }}", "ND30 Doc Title")
    par(doc, "{{ award_line }}", "ND30 Doc Summary")
    par(doc, "{{ theme_line }}", "ND30 Subtitle")
    nominee = par(doc, "{{ nominee_name }}", "ND30 Doc Summary")
    nominee.paragraph_format.space_before = Pt(6)
    if individual:
        tag(doc, "{%p if nominee_detail %}")
        par(doc, "{{ nominee_detail }}", "ND30 Centered").paragraph_format.keep_with_next = True
        tag(doc, "{%p endif %}")
    rule(doc, 4.0, TEXT_WIDTH_CM).paragraph_format.space_after = Pt(12)
    par(doc, "{{ general_heading }}", "ND30 Heading")
    loop(doc, "general")
    par(doc, "{{ achievement_heading }}", "ND30 Heading")
    par(doc, "{{ metrics_intro }}")
    loop_table(
        doc,
        METRIC_COLUMNS,
        "for m in metrics",
        [("{{ m.label }}", "ND30 Table Text"), ("{{ m.value }}", "ND30 Table Center")],
    )
    par(doc, "", "ND30 Sign Space")
    loop(doc, "narrative[:-1]")
    closing_block(doc, LAST_NARRATIVE, "right_sign", left="left_sign")
    return doc


def bao_cao_tom_tat() -> DocumentObject:
    """The one-page summary some plans ask for ("không quá 1 trang A4"): the report without
    its general-information part, the narrative before the figures, and the two signatures."""
    doc = new_document("Báo cáo tóm tắt thành tích")
    header_block(doc)
    par(doc, "{{ doc_title }}", "ND30 Doc Title")
    par(doc, "{{ award_line }}", "ND30 Doc Summary")
    par(doc, "{{ nominee_name }}", "ND30 Doc Summary")
    tag(doc, "{%p if nominee_detail %}")
    par(doc, "{{ nominee_detail }}", "ND30 Centered")
    tag(doc, "{%p endif %}")
    rule(doc, 4.0, TEXT_WIDTH_CM).paragraph_format.space_after = Pt(6)
    loop(doc, "narrative")
    loop_table(
        doc,
        METRIC_COLUMNS,
        "for m in metrics",
        [("{{ m.label }}", "ND30 Table Text"), ("{{ m.value }}", "ND30 Table Center")],
    )
    closing_block(doc, [], "right_sign", left="left_sign")
    return doc
