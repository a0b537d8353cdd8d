"""Write the four docxtpl templates of the award dossier into ``docx_templates/``.

The layout follows NĐ 30/2020/NĐ-CP, Phụ lục I (A4 portrait, Times New Roman, margins 20/20/30/15
mm, header table with the agency on the left and the Quốc hiệu / Tiêu ngữ on the right, …). The
variables each template prints are described in ``docs/template-context.md``.

Every part of a document is built by small shared functions (header table, danh sách table,
signature table, styled paragraphs); a template function only lists what is specific to it.
The output is deterministic: the same script writes byte-identical files (the zip entries carry a
fixed timestamp), so the committed templates can be checked against a fresh build.

Jinja tags are always written with ONE ``add_run`` call so that Word never splits a tag across
runs, and every ``{%p``/``{%tr`` tag sits alone in its own paragraph / table row, as docxtpl needs.

Usage: python tools/build_templates.py [--out DIR]
"""

from __future__ import annotations

import argparse
import io
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor, Twips
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "docx_templates"

FONT = "Times New Roman"
BLACK = RGBColor(0, 0, 0)

# A4 portrait and the NĐ 30/2020 margins, in twips (1 cm = 567 twips).
PAGE_W, PAGE_H = Twips(11906), Twips(16838)
MARGIN_TOP = MARGIN_BOTTOM = Twips(1134)  # 20 mm
MARGIN_LEFT, MARGIN_RIGHT = Twips(1701), Twips(850)  # 30 mm, 15 mm
TEXT_WIDTH_CM = 16.5

# Header table: agency column on the left, Quốc hiệu column on the right.
HEADER_COLS_CM = (6.3, 10.2)
SIGN_COLS_CM = (7.5, 9.0)

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"

FIXED_TIME = datetime(2025, 1, 1)
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

# --------------------------------------------------------------------------------------------
# Styles
# --------------------------------------------------------------------------------------------

CENTER, LEFT, RIGHT, JUSTIFY = (
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.LEFT,
    WD_ALIGN_PARAGRAPH.RIGHT,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
)

# name: (size pt, bold, italic, alignment, extra paragraph settings)
STYLES: dict[str, tuple[float, bool, bool, WD_ALIGN_PARAGRAPH, dict]] = {
    "ND30 Body": (14, False, False, JUSTIFY, {"first_line": 1.27, "after": 6}),
    "ND30 Heading": (
        14,
        True,
        False,
        JUSTIFY,
        {"first_line": 1.27, "before": 6, "after": 6, "keep": True},
    ),
    "ND30 Centered": (14, False, False, CENTER, {}),
    "ND30 Form Label": (13, True, False, RIGHT, {"after": 6}),
    "ND30 Header Superior": (13, False, False, CENTER, {}),
    "ND30 Header Agency": (13, True, False, CENTER, {}),
    "ND30 Header Number": (13, False, False, CENTER, {"before": 6}),
    "ND30 Quoc Hieu": (13, True, False, CENTER, {}),
    "ND30 Tieu Ngu": (14, True, False, CENTER, {}),
    "ND30 Place Date": (14, False, True, CENTER, {"before": 6}),
    "ND30 Rule": (2, False, False, CENTER, {"before": 2, "exact": 2}),
    "ND30 Doc Title": (14, True, False, CENTER, {"before": 18, "keep": True}),
    "ND30 Doc Summary": (14, True, False, CENTER, {"keep": True}),
    "ND30 Subtitle": (14, False, True, CENTER, {"keep": True}),
    "ND30 Recipients": (14, False, False, CENTER, {"after": 12}),
    "ND30 Recipients Heading": (14, False, False, LEFT, {"left": 3.5}),
    "ND30 Recipients Item": (14, False, False, LEFT, {"left": 5.0, "after": 0}),
    "ND30 List Title": (14, True, False, CENTER, {"before": 12, "keep": True}),
    "ND30 Table Text": (12, False, False, LEFT, {"before": 2, "after": 2}),
    "ND30 Table Center": (12, False, False, CENTER, {"before": 2, "after": 2}),
    "ND30 Table Right": (12, False, False, RIGHT, {"before": 2, "after": 2}),
    "ND30 Table Header": (12, True, False, CENTER, {"before": 2, "after": 2}),
    "ND30 Receivers Heading": (12, True, True, LEFT, {}),
    "ND30 Receivers Item": (11, False, False, LEFT, {}),
    "ND30 Sign Title": (14, True, False, CENTER, {"keep": True}),
    "ND30 Sign Space": (14, False, False, CENTER, {"keep": True}),
    "ND30 Sign Name": (14, True, False, CENTER, {}),
}

BODY = "ND30 Body"
TAG = "Normal"  # paragraphs that only hold a {%p …%} tag; docxtpl removes them


def _set_rfonts(rpr) -> None:
    """Times New Roman for every script slot, without theme fonts (which would win in Word)."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{slot}"), FONT)


def _set_child(parent, tag: str, **attrs: str) -> None:
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        parent.append(el)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)


def setup_styles(doc: DocumentObject) -> None:
    # Document defaults: Times New Roman 14 pt, Vietnamese, single spacing, no space after.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_rfonts(rpr)
    _set_child(rpr, "w:sz", val="28")
    _set_child(rpr, "w:szCs", val="28")
    _set_child(rpr, "w:lang", val="vi-VN", eastAsia="en-US", bidi="ar-SA")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    _set_child(ppr, "w:spacing", after="0", line="240", lineRule="auto")

    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.font.color.rgb = BLACK
    _set_rfonts(normal.element.get_or_add_rPr())
    _set_child(normal.element.rPr, "w:szCs", val="28")  # after w:sz, the last child so far
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    normal.paragraph_format.widow_control = True

    for name, (size, bold, italic, align, extra) in STYLES.items():
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        style.font.size = Pt(size)
        if bold:
            style.font.bold = True
        if italic:
            style.font.italic = True
        pf = style.paragraph_format
        pf.alignment = align
        pf.space_before = Pt(extra.get("before", 0))
        pf.space_after = Pt(extra.get("after", 0))
        if "first_line" in extra:
            pf.first_line_indent = Cm(extra["first_line"])
        if "left" in extra:
            pf.left_indent = Cm(extra["left"])
        if "exact" in extra:
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = Pt(extra["exact"])
        if extra.get("keep"):
            pf.keep_with_next = True
    # The short rule under the agency, the Tiêu ngữ and the trích yếu: a thin top border on a
    # 2 pt paragraph whose indents make it short (set where it is used).
    border = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "0"), ("color", "000000")):
        top.set(qn(f"w:{key}"), value)
    border.append(top)
    rule_ppr = doc.styles["ND30 Rule"].element.get_or_add_pPr()
    rule_ppr.insert_element_before(
        border, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc"
    )


# --------------------------------------------------------------------------------------------
# Paragraph helpers (a container is the document or a table cell)
# --------------------------------------------------------------------------------------------

Container = DocumentObject | _Cell


def par(container: Container, text: str = "", style: str = BODY, **run_fmt: bool) -> Paragraph:
    """A paragraph with ``text`` written as ONE run (so a Jinja tag is never split)."""
    p = container.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        for attr, value in run_fmt.items():
            setattr(run.font, attr, value)
    return p


def tag(container: Container, text: str) -> Paragraph:
    """A paragraph holding only a ``{%p … %}`` tag."""
    return par(container, text, TAG)


def loop(
    container: Container, seq: str, style: str = BODY, var: str = "item", keep_last: bool = False
) -> None:
    """One paragraph per element of ``seq``.

    ``keep_last``: the last paragraph is kept on the same page as what follows (the signature
    block must not stand alone on a page).
    """
    tag(container, f"{{%p for {var} in {seq} %}}")
    if keep_last:
        tag(container, "{%p if loop.last %}")
        par(container, f"{{{{ {var} }}}}", style).paragraph_format.keep_with_next = True
        tag(container, "{%p else %}")
    par(container, f"{{{{ {var} }}}}", style)
    if keep_last:
        tag(container, "{%p endif %}")
    tag(container, "{%p endfor %}")


def rule(container: Container, length_cm: float, width_cm: float) -> Paragraph:
    """A short centred horizontal line of ``length_cm`` in a column ``width_cm`` wide."""
    p = par(container, "", "ND30 Rule")
    side = Cm((width_cm - length_cm) / 2)
    p.paragraph_format.left_indent = side
    p.paragraph_format.right_indent = side
    return p


def rich_or_plain(p: Paragraph, expr: str, bold: bool = False) -> None:
    """Print ``expr`` whether it is a plain string or a docxtpl RichText.

    A RichText must be printed with ``{{r …}}`` (it is a whole run), a plain string with
    ``{{ … }}`` (``{{r …}}`` would drop it outside any run and it would be lost).
    """
    p.add_run(f"{{%r if {expr} is string %}}")
    p.add_run(f"{{{{ {expr} }}}}").font.bold = bold or None
    p.add_run("{%r else %}")
    p.add_run(f"{{{{r {expr} }}}}")
    p.add_run("{%r endif %}")


# --------------------------------------------------------------------------------------------
# Table helpers
# --------------------------------------------------------------------------------------------


def _border_set(tag_name: str, val: str):
    el = OxmlElement(tag_name)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{side}")
        b.set(qn("w:val"), val)
        if val != "nil":
            b.set(qn("w:sz"), "4")
            b.set(qn("w:space"), "0")
            b.set(qn("w:color"), "000000")
        el.append(b)
    return el


def new_table(doc: DocumentObject, widths_cm: tuple[float, ...], *, borders: bool) -> Table:
    """A fixed-layout centred table of 1 row, ``sum(widths_cm)`` wide, with or without lines.

    Cells start without any paragraph: fill them with ``par``/``tag`` (``finish_row`` puts an
    empty paragraph in a cell left empty).
    """
    table = doc.add_table(rows=1, cols=len(widths_cm))
    tbl_pr = table._tbl.tblPr
    for child in list(tbl_pr):
        if child.tag in {qn("w:tblW"), qn("w:jc"), qn("w:tblLayout"), qn("w:tblLook")}:
            tbl_pr.remove(child)
    tbl_w = OxmlElement("w:tblW")
    tbl_w.set(qn("w:w"), str(round(sum(widths_cm) * 567)))
    tbl_w.set(qn("w:type"), "dxa")
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), "center")
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    margins = OxmlElement("w:tblCellMar")
    side_margin = "85" if borders else "0"  # 0.15 cm inside ruled tables
    for side, value in (
        ("top", "0"),
        ("left", side_margin),
        ("bottom", "0"),
        ("right", side_margin),
    ):
        m = OxmlElement(f"w:{side}")
        m.set(qn("w:w"), value)
        m.set(qn("w:type"), "dxa")
        margins.append(m)
    for child in (
        tbl_w,
        jc,
        _border_set("w:tblBorders", "single" if borders else "nil"),
        layout,
        margins,
    ):
        tbl_pr.append(child)
    for col, width in zip(table.columns, widths_cm, strict=True):
        col.width = Cm(width)
    table._widths_cm = widths_cm  # remembered for add_row
    _set_widths(table, table.rows[0])
    _clear_row(table.rows[0])
    return table


def _set_widths(table: Table, row) -> None:
    for cell, width in zip(row.cells, table._widths_cm, strict=True):
        cell.width = Cm(width)


def _clear_row(row) -> None:
    for tc in row._tr.findall(qn("w:tc")):
        for p in tc.findall(qn("w:p")):
            tc.remove(p)


def add_row(
    table: Table, *, header: bool = False, cant_split: bool = True, span: int | None = None
):
    """A new row with empty cells; ``header`` repeats it on every page; ``span`` merges the
    cells from that index to the last one."""
    row = table.add_row()
    _set_widths(table, row)
    if span is not None:
        row.cells[span].merge(row.cells[-1])
    _clear_row(row)
    _row_props(row, header=header, cant_split=cant_split)
    return row


def _row_props(row, *, header: bool, cant_split: bool) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    if cant_split:
        tr_pr.append(OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))


def finish_table(table: Table) -> None:
    """Every cell needs at least one paragraph."""
    for tc in table._tbl.iter(qn("w:tc")):
        if tc.find(qn("w:p")) is None:
            _Cell(tc, table).add_paragraph(style="ND30 Table Text")


def tag_row(table: Table, text: str) -> None:
    """A row holding only a ``{%tr … %}`` tag (docxtpl replaces the whole row by the tag)."""
    row = add_row(table, cant_split=False)
    par(row.cells[0], text, "ND30 Table Text")


def data_table(doc: DocumentObject, columns: list[tuple[str, float]]) -> Table:
    """A ruled table whose first row is the bold centred header, repeated on every page."""
    table = new_table(doc, tuple(width for _, width in columns), borders=True)
    row = table.rows[0]
    _row_props(row, header=True, cant_split=True)
    for cell, (title, _) in zip(row.cells, columns, strict=True):
        par(cell, title, "ND30 Table Header")
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return table


def loop_table(
    doc: DocumentObject,
    columns: list[tuple[str, float]],
    loop_head: str,
    cells: list[tuple[str, str]],
) -> Table:
    """A data table with one row per element: ``cells`` are (expression text, style)."""
    table = data_table(doc, columns)
    tag_row(table, f"{{%tr {loop_head} %}}")
    row = add_row(table)
    for cell, (text, style) in zip(row.cells, cells, strict=True):
        par(cell, text, style)
    tag_row(table, "{%tr endfor %}")
    finish_table(table)
    return table


# --------------------------------------------------------------------------------------------
# Document parts shared by the templates
# --------------------------------------------------------------------------------------------


def new_document(title: str) -> DocumentObject:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance = section.footer_distance = Cm(1.0)
    setup_styles(doc)
    page_numbers(section)
    # Drop python-docx's sample thumbnail and the stale Word 2010 copy of the styles (it still
    # names the theme fonts; Word and LibreOffice read styles.xml).
    for rels, reltype in (
        (doc.part.package.rels, RT.THUMBNAIL),
        (doc.part.rels, STYLES_WITH_EFFECTS),
    ):
        for rel_id, rel in list(rels.items()):
            if rel.reltype == reltype:
                del rels[rel_id]
    props = doc.core_properties
    props.title = title
    props.author = props.last_modified_by = "dossier (tools/build_templates.py)"
    props.comments = "Mẫu docxtpl; biến: xem docs/template-context.md"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    return doc


def page_numbers(section) -> None:
    """Page number centred in the top margin, 13 pt, not shown on the first page (NĐ 30)."""
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False
    p = section.header.paragraphs[0]
    p.style = "ND30 Centered"
    for kind, text in (
        ("begin", None),
        (None, " PAGE "),
        ("separate", None),
        (None, None),
        ("end", None),
    ):
        run = p.add_run()
        run.font.size = Pt(13)
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = "2"


def header_block(doc: DocumentObject, *, form_label: bool = False) -> None:
    """Agency (left) and Quốc hiệu / Tiêu ngữ (right); then Số (left) and place-date (right)."""
    if form_label:
        tag(doc, "{%p if header.form_label %}")
        par(doc, "{{ header.form_label }}", "ND30 Form Label")
        tag(doc, "{%p endif %}")
    left_w, right_w = HEADER_COLS_CM
    table = new_table(doc, HEADER_COLS_CM, borders=False)
    left, right = table.rows[0].cells
    par(left, "{{ header.superior }}", "ND30 Header Superior")
    par(left, "{{ header.agency }}", "ND30 Header Agency")
    rule(left, 2.2, left_w)
    par(right, QUOC_HIEU, "ND30 Quoc Hieu")
    par(right, TIEU_NGU, "ND30 Tieu Ngu")
    rule(right, 6.1, right_w)
    row = add_row(table)
    par(row.cells[0], "{{ header.so_ky_hieu }}", "ND30 Header Number")
    par(row.cells[1], "{{ header.place_date }}", "ND30 Place Date")


def title_block(doc: DocumentObject) -> None:
    par(doc, "{{ doc_title }}", "ND30 Doc Title")
    par(doc, "{{ trich_yeu }}", "ND30 Doc Summary")
    rule(doc, 4.0, TEXT_WIDTH_CM).paragraph_format.space_after = Pt(12)


def sign_titles(cell: _Cell, signer: str) -> None:
    """The title lines of a signature block (bold capitals)."""
    tag(cell, f"{{%p for line in {signer}.lines %}}")
    par(cell, "{{ line }}", "ND30 Sign Title")
    tag(cell, "{%p endfor %}")


def sign_name(cell: _Cell, signer: str) -> None:
    """Four empty lines (signature and seal), then the signer's name (bold)."""
    for _ in range(4):
        par(cell, "", "ND30 Sign Space")
    par(cell, f"{{{{ {signer}.name }}}}", "ND30 Sign Name")


def noi_nhan_block(cell: _Cell) -> None:
    par(cell, "Nơi nhận:", "ND30 Receivers Heading")
    loop(cell, "noi_nhan", "ND30 Receivers Item")


def _v_merge(top: _Cell, bottom: _Cell) -> None:
    """Merge two cells of a column (python-docx's merge needs cells with content)."""
    for cell, value in ((top, "restart"), (bottom, None)):
        v_merge = OxmlElement("w:vMerge")
        if value:
            v_merge.set(qn("w:val"), value)
        cell._tc.get_or_add_tcPr().append(v_merge)  # after w:tcW, as the schema wants


def bottom_table(doc: DocumentObject, right: str, left: str | None = None) -> None:
    """Borderless two-column table at the end of a document.

    Row 1 holds the signature titles, row 2 the space for the signature and the names, so that
    two signers' names stay level whatever the number of title lines. With ``left`` None the
    left column is the "Nơi nhận" list, over both rows (it may be longer than the titles).
    """
    par(doc, "", "ND30 Sign Space")
    table = new_table(doc, SIGN_COLS_CM, borders=False)
    titles = table.rows[0]
    _row_props(titles, header=False, cant_split=True)
    names = add_row(table)
    if left is None:
        noi_nhan_block(titles.cells[0])
        _v_merge(titles.cells[0], names.cells[0])
    for column, signer in ((0, left), (1, right)):
        if signer is not None:
            sign_titles(titles.cells[column], signer)
            sign_name(names.cells[column], signer)
    finish_table(table)


DANH_SACH_COLUMNS = [
    ("STT", 1.2),
    ("Tên tập thể, cá nhân", 3.0),
    ("Chức vụ, đơn vị", 3.0),
    ("Hình thức khen thưởng", 2.8),
    ("Thành tích", 4.2),  # the longest text
    ("Số tiền thưởng (đồng)", 2.3),  # fits "21.060.000" at 12 pt
]


def danh_sach_block(doc: DocumentObject) -> None:
    """Title, subtitle, the numbered table (section rows I/II), then the total in words."""
    par(doc, "{{ danh_sach.title }}", "ND30 List Title")
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
    finish_table(table)
    tag(doc, "{%p if danh_sach.has_money %}")
    total = par(
        doc,
        "Tổng cộng: {{ danh_sach.total_figures }} đồng (Bằng chữ: {{ danh_sach.total_words }}).",
        BODY,
        bold=True,
    )
    total.paragraph_format.space_before = Pt(6)
    tag(doc, "{%p endif %}")


def labelled(doc: DocumentObject, label: str, expr: str, end: str = ".") -> None:
    """A body paragraph "label: value." (label and value in separate runs)."""
    p = par(doc, label)
    p.add_run(f"{{{{ {expr} }}}}")
    p.add_run(end)


# --------------------------------------------------------------------------------------------
# The templates
# --------------------------------------------------------------------------------------------


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
    danh_sach_block(doc)
    par(doc, "{{ attachments_note }}", italic=True)
    par(doc, "{{ closing }}").paragraph_format.keep_with_next = True
    bottom_table(doc, "signer")
    return doc


MEMBER_COLUMNS = [("STT", 1.2), ("Họ và tên", 5.5), ("Chức vụ, vai trò trong Hội đồng", 9.8)]
VOTE_COLUMNS = [
    ("STT", 1.2),
    ("Tên tập thể, cá nhân", 5.1),
    ("Hình thức khen thưởng", 5.2),
    ("Số phiếu đồng ý", 2.5),
    ("Tỷ lệ", 2.5),
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
    labelled(doc, "Hình thức xét chọn: ", "method", "; kết quả như sau:")
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
    loop(doc, "conclusion")
    danh_sach_block(doc)
    par(doc, "{{ closing }}").paragraph_format.keep_with_next = True
    bottom_table(doc, "chair_sign", left="secretary_sign")
    return doc


METRIC_COLUMNS = [("Chỉ tiêu", 11.0), ("Kết quả", 5.5)]


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
    loop(doc, "narrative", keep_last=True)
    bottom_table(doc, "right_sign", left="left_sign")
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
    bottom_table(doc, "right_sign", left="left_sign")
    return doc


TEMPLATES: dict[str, Callable[[], DocumentObject]] = {
    "to_trinh.docx": to_trinh,
    "bien_ban.docx": bien_ban,
    "bao_cao_tap_the.docx": lambda: bao_cao(individual=False),
    "bao_cao_ca_nhan.docx": lambda: bao_cao(individual=True),
    "bao_cao_tom_tat.docx": bao_cao_tom_tat,
}


# --------------------------------------------------------------------------------------------
# Deterministic saving
# --------------------------------------------------------------------------------------------


def save_deterministic(doc: DocumentObject, path: Path) -> None:
    """Save with a fixed timestamp on every zip entry, so that a rebuild is byte-identical."""
    buffer = io.BytesIO()
    doc.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(out.getvalue())
    tmp.replace(path)


def build(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in TEMPLATES.items():
        path = out_dir / name
        save_deterministic(make(), path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
