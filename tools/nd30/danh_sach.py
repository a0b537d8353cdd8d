"""The danh sách: the numbered list of awardees the Tờ trình and the Biên bản carry."""

from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.shared import Pt
from docx.table import Table

from nd30.docx_parts import (
    _clear_row,
    _row_props,
    _set_widths,
    add_row,
    data_table,
    finish_table,
    par,
    rich_or_plain,
    tag,
    tag_row,
)
from nd30.rules import BODY

DANH_SACH_COLUMNS = [
    ("STT", 1.2),
    ("Tên tập thể, cá nhân", 3.0),
    ("Chức vụ, đơn vị", 3.0),
    ("Hình thức khen thưởng", 2.8),
    ("Thành tích", 4.2),  # the longest text
    ("Số tiền thưởng (đồng)", 2.3),  # fits "21.060.000" at 12 pt
]


def danh_sach_block(doc: DocumentObject) -> None:
    """On a new page after the signed text: title, "(Kèm theo …)", the numbered table
    (section rows I/II) whose last row is "Tổng cộng", then the total in words."""
    title = par(doc, "{{ danh_sach.title }}", "ND30 List Title")
    title.paragraph_format.page_break_before = True
    par(doc, "{{ danh_sach.subtitle }}", "ND30 Subtitle")
    table = data_table(doc, DANH_SACH_COLUMNS)
    tag_row(table, "{%tr for row in danh_sach.rows %}")
    tag_row(table, "{%tr if row.section %}")
    section = add_row(table, span=1)
    par(section.cells[0], "{{ row.stt }}", "ND30 Table Center", bold=True)
    rich_or_plain(par(section.cells[1], "", "ND30 Table Text"), "row.name", bold=True)
    for cell in section.cells[:2]:  # a section heading stays with its first row
        cell.paragraphs[0].paragraph_format.keep_with_next = True
    tag_row(table, "{%tr else %}")
    awardee = add_row(table)
    stt, name, position, award, achievement, amount = awardee.cells
    par(stt, "{{ row.stt }}", "ND30 Table Center")
    rich_or_plain(par(name, "", "ND30 Table Text"), "row.name")
    tag(position, "{%p if row.position %}")
    par(position, "{{ row.position }}", "ND30 Table Text")
    tag(position, "{%p endif %}")
    par(position, "{{ row.unit }}", "ND30 Table Text")
    par(award, "{{ row.award }}", "ND30 Table Text")
    par(achievement, "{{ row.achievement }}", "ND30 Table Text")
    par(amount, "{{ row.amount }}", "ND30 Table Right")
    tag_row(table, "{%tr endif %}")
    tag_row(table, "{%tr endfor %}")
    tag_row(table, "{%tr if danh_sach.has_money %}")
    total_row(table)
    tag_row(table, "{%tr endif %}")
    finish_table(table)
    tag(doc, "{%p if danh_sach.has_money %}")
    total = par(
        doc,
        "Tổng số tiền thưởng: {{ danh_sach.total_figures }} đồng "
        "(Bằng chữ: {{ danh_sach.total_words }}).",
        BODY,
        italic=True,
    )
    total.paragraph_format.space_before = Pt(6)
    tag(doc, "{%p endif %}")


def total_row(table: Table) -> None:
    """The table's last row: "Tổng cộng" over the first five columns, the sum in figures."""
    row = table.add_row()
    _set_widths(table, row)
    row.cells[0].merge(row.cells[-2])
    _clear_row(row)
    _row_props(row, header=False, cant_split=True)
    first, amount = row.cells[0], row.cells[-1]
    par(first, "Tổng cộng", "ND30 Table Center", bold=True)
    par(amount, "{{ danh_sach.total_figures }}", "ND30 Table Right", bold=True)
