"""The NĐ 30/2020/NĐ-CP, Phụ lục I layout every document shares, in one place: the A4 page
and its margins, the page number, the header (agency beside Quốc hiệu and Tiêu ngữ, số and
place-date), the title and trích yếu, Nơi nhận and the signature blocks."""

from __future__ import annotations

from collections.abc import Callable

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from nd30.docx_parts import (
    _row_props,
    add_row,
    finish_table,
    loop,
    new_table,
    par,
    rule,
    setup_styles,
    tag,
)
from nd30.rules import (
    FIXED_TIME,
    HEADER_COLS_CM,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_H,
    PAGE_W,
    QUOC_HIEU,
    SIGN_COLS_CM,
    STYLES_WITH_EFFECTS,
    TEXT_WIDTH_CM,
    TIEU_NGU,
)

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
    props.comments = ""
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
    # no superior (an enterprise): the agency starts level with the Quốc hiệu
    tag(left, "{%p if header.superior %}")
    par(left, "{{ header.superior }}", "ND30 Header Superior")
    tag(left, "{%p endif %}")
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
    # NĐ 30: a third to a half of the trích yếu's line
    rule(doc, TEXT_WIDTH_CM / 3, TEXT_WIDTH_CM).paragraph_format.space_after = Pt(12)


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


def closing_block(
    doc: DocumentObject,
    lead: list[str | Callable[[_Cell], object]],
    right: str,
    left: str | None = None,
) -> None:
    """The end of a signed document, as one table row that cannot split across pages.

    ``lead`` are the paragraphs printed just before the signature (at least the last body
    paragraph and the closing one): a text, a ``{%p`` tag, or a function that writes into the
    cell; then the borderless two-column signature table, nested in
    the same cell: Nơi nhận (``left`` None) or the left signer, and the right signer. The row
    cannot split, so the closing, Nơi nhận and the whole signature block always share a page.
    Two signers' names stay level because the context pads both title lists to one length.
    """
    outer = new_table(doc, (TEXT_WIDTH_CM,), borders=False)
    _row_props(outer.rows[0], header=False, cant_split=True)
    cell = outer.rows[0].cells[0]
    for line in lead:
        if callable(line):
            line(cell)  # writes its own paragraphs
        elif line.startswith("{%p"):
            tag(cell, line)
        else:
            par(cell, line)
    par(cell, "", "ND30 Sign Space")
    inner = new_table(cell, SIGN_COLS_CM, borders=False)
    _row_props(inner.rows[0], header=False, cant_split=True)
    left_cell, right_cell = inner.rows[0].cells
    if left is None:
        noi_nhan_block(left_cell)
    for column, signer in ((left_cell, left), (right_cell, right)):
        if signer is not None:
            sign_titles(column, signer)
            sign_name(column, signer)
    finish_table(inner)
    finish_table(outer)


def labelled(doc: DocumentObject, label: str, expr: str, end: str = ".") -> Paragraph:
    """A body paragraph "label: value." (label and value in separate runs)."""
    p = par(doc, label)
    p.add_run(f"{{{{ {expr} }}}}")
    p.add_run(end)
    return p
