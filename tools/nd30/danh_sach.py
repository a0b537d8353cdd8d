"""The danh sách: the numbered list of awardees the Tờ trình and the Biên bản carry."""

from __future__ import annotations

from docx.document import Document as DocumentObject
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
    # the last row stays on the page of the total under it (its paragraphs keep with next)
    tag_row(table, "{%tr elif loop.last %}")
    awardee_row(table, keep=True)
    tag_row(table, "{%tr else %}")
    awardee_row(table, keep=False)
    tag_row(table, "{%tr endif %}")
    tag_row(table, "{%tr endfor %}")
    tag_row(table, "{%tr if danh_sach.has_money %}")
    total_row(table)
    tag_row(table, "{%tr endif %}")
    finish_table(table)


def awardee_row(table: Table, *, keep: bool) -> None:
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
    if keep:
        for cell in awardee.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def total_row(table: Table) -> None:
    """The table's last row, which cannot split: "Tổng cộng" and the sum in words over the
    first five columns, the sum in figures in the last one."""
    row = table.add_row()
    _set_widths(table, row)
    row.cells[0].merge(row.cells[-2])
    _clear_row(row)
    _row_props(row, header=False, cant_split=True)
    first, amount = row.cells[0], row.cells[-1]
    par(first, "Tổng cộng", "ND30 Table Center", bold=True)
    par(
        first,
        "Tổng số tiền thưởng: {{ danh_sach.total_figures }} đồng "
        "(Bằng chữ: {{ danh_sach.total_words }}).",
        "ND30 Table Text",
        italic=True,
    )
    par(amount, "{{ danh_sach.total_figures }}", "ND30 Table Right", bold=True)
