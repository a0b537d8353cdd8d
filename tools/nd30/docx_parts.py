"""Word building blocks for the templates: page, styles, one-run paragraphs, Jinja tag
paragraphs, tables with repeated headers and rows that do not split, deterministic output."""

from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from nd30.rules import BLACK, BODY, FONT, STYLES, TAG


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
