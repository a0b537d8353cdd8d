"""Long lists (issue 17): a danh sách of hundreds of awardees is rendered as tables of at most
a hundred rows, each with the header repeated, nothing lost, reordered or parted from what it
keeps with; short lists are left as one table."""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile

from lxml import etree

from dossier.checks.analysis import analyse
from dossier.documents import long_tables
from dossier.documents.long_tables import CHUNK_ROWS, MAX_ROWS, W, cut_long_tables
from dossier.documents.render import render_docx, template_path

from .conftest import AS_OF, EXAMPLE, ROOT

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402


def _body(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return etree.fromstring(archive.read("word/document.xml")).find(f"{W}body")


def _lists(body: etree._Element) -> list[etree._Element]:
    """The body's ruled tables with a repeated header (the danh sách)."""
    return [t for t in body.findall(f"{W}tbl")
            if t.find(f"{W}tr/{W}trPr/{W}tblHeader") is not None]


def _rows(table: etree._Element) -> list[str]:
    return ["|".join("".join(t.text or "" for t in cell.iter(f"{W}t"))
                     for cell in row.findall(f"{W}tc")) for row in table.findall(f"{W}tr")]


def _render(root, kind: str, as_of: dt.date) -> bytes:
    analysis = analyse(root, as_of)
    plan = next(p for p in analysis.plans if p.kind == kind)
    return render_docx(template_path(root, plan.template), plan.context, as_of, plan.title)


def test_a_long_list_is_cut_into_tables_with_the_header_repeated(tmp_path, monkeypatch):
    campaign = generate(320, tmp_path / "campaign")
    body = _body(_render(campaign, "to_trinh", AS_OF))
    monkeypatch.setattr(long_tables, "MAX_ROWS", 10**9)  # the same list, left whole
    (whole,) = _lists(_body(_render(campaign, "to_trinh", AS_OF)))
    tables = _lists(body)
    assert len(tables) >= 3
    rows = [_rows(t) for t in tables]
    header = rows[0][0]
    assert all(r[0] == header and len(r) - 1 <= CHUNK_ROWS + 1 for r in rows)
    listed = [row for r in rows for row in r[1:]]
    assert len(listed) > MAX_ROWS and len(set(listed)) == len(listed)  # each row once
    assert listed == _rows(whole)[1:]  # in order, none lost
    for table in tables[:-1]:  # a section heading (I., II.) never ends a table
        assert not table.findall(f"{W}tr")[-1].xpath("./w:tc/w:p/w:pPr/w:keepNext",
                                                     namespaces={"w": W[1:-1]})
        separator = table.getnext()
        assert separator.tag == f"{W}p" and separator.getnext().tag == f"{W}tbl"


def test_a_short_list_stays_one_table():
    body = _body(_render(EXAMPLE, "to_trinh", AS_OF))
    assert len(_lists(body)) == 1
    assert cut_long_tables(body) == 0


def test_a_vertically_merged_cell_is_never_parted():
    cells = []
    for index in range(2 * MAX_ROWS):
        # every other row continues a merged cell of the row above
        merge = ('<w:tcPr><w:vMerge w:val="restart"/></w:tcPr>' if index % 2 == 0
                 else "<w:tcPr><w:vMerge/></w:tcPr>")
        cells.append(f"<w:tr><w:tc>{merge}<w:p/></w:tc></w:tr>")
    body = etree.fromstring(f'<w:body xmlns:w="{W[1:-1]}"><w:tbl><w:tblPr/>'
                            f'{"".join(cells)}</w:tbl></w:body>')
    assert cut_long_tables(body) == 1
    for table in body.findall(f"{W}tbl"):
        first = table.find(f"{W}tr/{W}tc/{W}tcPr/{W}vMerge")
        assert first.get(f"{W}val") == "restart"  # every table opens a merged cell
