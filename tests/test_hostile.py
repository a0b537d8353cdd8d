"""Hostile text is data: names, narratives and campaign text that look like Jinja, XML, docxtpl
escapes or control characters print literally; the .docx stays valid for python-docx and
LibreOffice; nominee ids that name files cannot leave the output folder."""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from pypdf import PdfReader

from dossier.build import build
from dossier.campaign.load import load_campaign, load_schema
from dossier.campaign.rankings import clean_text, load_rankings
from dossier.documents.fast_verify import docx_text
from dossier.documents.literal import literal, literal_context
from dossier.errors import InputError

from .bad_inputs.breakers import read_rows, write_rows
from .conftest import AS_OF, EXAMPLE, edit_campaign, set_cell

LONG_WORD = "Sốhóa" * 1000  # 5000 characters without a space
HOSTILE_NAME = ("Sở {{ header.agency }} {% if 1 %}x{% endif %} <w:p>&amp; & < > "
                "{_{ a }_} {_% b %_} “Tư pháp”")
HOSTILE_NARRATIVE = ("Đoạn {{ 7*7 }} </w:t></w:r><w:r><w:t>chèn {_{ x }_} {_%p y %_} "
                     "&lt;b&gt; \x07chuông\x0ctrang\ttab")


def _text(path: Path) -> str:
    doc = Document(path)
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def _every_part_is_xml(path: Path) -> None:
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(package.read(name))  # raises on a broken part


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    """The example with hostile text everywhere a unit or an office writes, built with PDFs."""
    root = tmp_path_factory.mktemp("hostile") / "campaign"
    shutil.copytree(EXAMPLE, root)
    set_cell(root, "TT01", "name", HOSTILE_NAME + " \x07\x0b")
    set_cell(root, "TT05", "address", "Số 1 <w:br/> & {{ address }}\tđường\nmới")
    set_cell(root, "CN05", "position", "Chuyên viên " + "Đ" * 250)
    (root / "achievements" / "TT01.md").write_text(
        HOSTILE_NARRATIVE + "\n\n" + LONG_WORD + "\n", encoding="utf-8")

    def office_text(data):
        data["to_trinh"]["body"].append("Văn bản {_{ x }_} và {% raw %} \f ngắt trang?")
    edit_campaign(root, office_text)
    out = tmp_path_factory.mktemp("out") / "output"
    result = build(root, out, AS_OF, pdf=True)
    return root, out, result


def test_names_print_literally_everywhere(hostile_build):
    _, out, _ = hostile_build
    expected = clean_text(HOSTILE_NAME)
    assert expected == HOSTILE_NAME  # nothing in it is a control character
    assert expected in _text(out / "docx" / "01-to-trinh.docx")
    assert expected in _text(out / "docx" / "02-bien-ban.docx")
    report = next((out / "docx").glob("*-bao-cao-TT01.docx"))
    assert expected in _text(report)


def test_narratives_print_literally_and_control_characters_become_spaces(hostile_build):
    _, out, _ = hostile_build
    report = next((out / "docx").glob("*-bao-cao-TT01.docx"))
    # every paragraph, those of the closing block (the last narrative paragraph) included
    paragraphs = docx_text(report.read_bytes()).split("\n")
    assert ("Đoạn {{ 7*7 }} </w:t></w:r><w:r><w:t>chèn {_{ x }_} {_%p y %_} &lt;b&gt; "
            "chuông trang tab") in paragraphs
    assert LONG_WORD in paragraphs


def test_cells_with_breaks_stay_one_line(hostile_build):
    _, out, _ = hostile_build
    text = _text(next((out / "docx").glob("*-bao-cao-TT05.docx")))
    assert "Số 1 <w:br/> & {{ address }} đường mới" in text


def test_campaign_text_cannot_break_a_page(hostile_build):
    _, out, _ = hostile_build
    path = out / "docx" / "01-to-trinh.docx"
    assert "Văn bản {_{ x }_} và {% raw %}   ngắt trang?" in _text(path)
    with zipfile.ZipFile(path) as package:
        body = package.read("word/document.xml").decode("utf-8")
    assert 'w:type="page"' not in body


def test_documents_stay_valid_for_python_docx_and_libreoffice(hostile_build):
    _, out, result = hostile_build
    docx_files = sorted((out / "docx").glob("*.docx"))
    assert len(docx_files) == result.documents == 8
    for path in docx_files:
        _every_part_is_xml(path)
        Document(path)
        pdf = out / "pdf" / f"{path.stem}.pdf"
        assert len(PdfReader(pdf).pages) >= 1
    first_page = PdfReader(out / "pdf" / "01-to-trinh.pdf")
    printed = " ".join(" ".join(page.extract_text() for page in first_page.pages).split())
    # a narrow table cell may break a long word; these pieces fit on a line
    for piece in ("{% if 1 %}x{% endif %}", "<w:p>&amp; & < >", "{_{ a }_} {_% b %_}"):
        assert piece in printed


@pytest.mark.parametrize("text", ["{_{ x }_}", "a {_% if %_} b", "}_} alone", "%_}", "{_%"])
def test_docxtpl_escapes_are_hidden_from_docxtpl(text):
    value = literal(text)
    assert "{_{" not in value and "}_}" not in value
    assert "{_%" not in value and "%_}" not in value
    assert etree.fromstring(f"<t>{value}</t>").text == text


def test_literal_context_keeps_structure_and_non_text():
    context = {"a": ["x", ("{_{", 3)], "b": {"c": None, "d": True}, "e": "\x0c"}
    assert literal_context(context) == {"a": ["x", ("{&#95;{", 3)], "b": {"c": None, "d": True},
                                        "e": " "}


# --- nominee ids name files ------------------------------------------------------------------

ID_PATTERN = load_schema("rankings.schema.json")["properties"]["id"]["pattern"]


@pytest.fixture(scope="module")
def two_row_campaign(tmp_path_factory):
    """The example with a ranking of one collective and one individual, ids to be replaced."""
    root = tmp_path_factory.mktemp("ids") / "campaign"
    shutil.copytree(EXAMPLE, root)
    rows = read_rows(root)
    person = next(r for r in rows if r[0] == "CN05")
    person[rows[0].index("parent_id")] = ""
    pristine = [rows[0], next(r for r in rows if r[0] == "TT05"), person]
    return root, load_campaign(root), pristine


def _with_id(root: Path, campaign, pristine: list[list[str]], nominee_id: str):
    rows = [list(row) for row in pristine]
    rows[2][0] = nominee_id
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    (root / "rankings.csv").write_text(buffer.getvalue(), encoding="utf-8")
    return load_rankings(campaign)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(min_size=1, max_size=80),
                 st.from_regex(ID_PATTERN, fullmatch=True),
                 st.sampled_from(["..", "../x", "/etc/passwd", "a/b", "a\\b", "C:x", "CON",
                                  "nul.txt", "Com1", "x" * 65, " TT01", "TT01\x00", "."])))
def test_accepted_ids_always_name_a_file_inside_the_output(two_row_campaign, tmp_path_factory,
                                                          nominee_id):
    root, campaign, pristine = two_row_campaign
    try:
        nominees = _with_id(root, campaign, pristine, nominee_id)
    except InputError as exc:
        assert any(p.column == "id" and p.row == 3 for p in exc.problems) or clean_text(
            nominee_id) == "", exc.problems
        return
    accepted = nominees[1].id
    assert re.fullmatch(ID_PATTERN, accepted) and len(accepted) <= 64
    assert accepted.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL"}
    folder = Path("/output/docx")
    for stem in (f"03-bao-cao-{accepted}", f"tom-tat-{accepted}"):
        target = (folder / f"{stem}.docx").resolve()
        assert target.parent == folder and target.name == f"{stem}.docx"
    narrative = (root / "achievements" / f"{accepted}.md").resolve()
    assert narrative.parent == (root / "achievements").resolve()


def test_unusual_but_valid_ids_build_inside_the_output(tmp_path):
    root = tmp_path / "campaign"
    shutil.copytree(EXAMPLE, root)
    long_id = "Z" * 64
    for old, new in (("TT05", "a..b"), ("TT01", "x.-_"), ("CN05", long_id)):
        rows = read_rows(root)
        for row in rows[1:]:
            row[:] = [new if cell == old else cell for cell in row]
        write_rows(root, rows)
        narrative = root / "achievements" / f"{old}.md"
        if narrative.exists():
            narrative.rename(root / "achievements" / f"{new}.md")
    out = tmp_path / "out"
    build(root, out, AS_OF, pdf=False)
    names = sorted(p.name for p in (out / "docx").iterdir())
    assert "03-bao-cao-a..b.docx" in names and "04-bao-cao-x.-_.docx" in names
    assert f"06-bao-cao-{long_id}.docx" in names
    assert sorted(p.name for p in tmp_path.iterdir()) == ["campaign", "out"]
    every = [p.resolve() for p in out.rglob("*")]
    assert all(p.is_relative_to(out.resolve()) for p in every)
