"""Hostile text is data: names, narratives and campaign text that look like Jinja, XML, docxtpl
escapes or control characters print literally; the .docx stays valid for python-docx and
LibreOffice; nominee ids that name files cannot leave the output folder."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from pypdf import PdfReader

from dossier.build import build
from dossier.campaign.load import load_campaign, load_schema
from dossier.campaign.rankings import clean_text, load_rankings
from dossier.cli.main import main
from dossier.documents.fast_verify import docx_text
from dossier.documents.literal import literal, literal_context
from dossier.errors import InputError

from .bad_inputs.breakers import TEMPLATES, make_campaign, read_rows, write_rows
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


# --- issue 19b: inputs built to exhaust time or memory, run in a process with a memory limit ---

MEMORY_LIMIT = 1536 * 2**20  # the address space a check of the example needs is ~0.6 GB
BOMB_TIMEOUT = 120  # seconds; each of these ran for minutes (or used 7-9 GB) before


def run_bounded(*args: str, timeout: float = BOMB_TIMEOUT) -> subprocess.CompletedProcess:
    """`dossier ARGS` in a child process limited to MEMORY_LIMIT of address space."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run(
        [sys.executable, "-c", "from dossier.cli.main import main; main()", *args],
        preexec_fn=limit, capture_output=True, text=True, timeout=timeout, check=False)


def _no_traceback(result: subprocess.CompletedProcess) -> str:
    output = result.stdout + result.stderr
    assert "Traceback" not in output and "MemoryError" not in output, output
    return output


@pytest.mark.parametrize(("coordinate", "value", "status", "message"), [
    ("XFD1048576", " ", 0, ""),
    ("R1048576", " ", 0, ""),
    ("XFD1048576", "x", 2, "ô XFD1048576 có dữ liệu, vượt quá giới hạn của một bảng xếp hạng"),
])
def test_xlsx_far_cells_read_only_what_exists(tmp_path, coordinate, value, status, message):
    root = make_campaign(tmp_path / "campaign", [{"to_xlsx": {"cells": {coordinate: value}}}])
    result = run_bounded("check", str(root), "--as-of", AS_OF.isoformat())
    output = _no_traceback(result)
    assert result.returncode == status, output
    assert message in output


def test_xlsx_gigabyte_cell_is_refused_before_it_is_read(tmp_path):
    root = make_campaign(tmp_path / "campaign", [{"to_xlsx": {}}])
    path = root / "rankings.xlsx"
    with zipfile.ZipFile(path) as source:
        members = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for name, data in members:
            if name != "xl/worksheets/sheet1.xml":
                target.writestr(name, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with target.open(name, "w", force_zip64=True) as member:
                member.write(head + b'<row r="90"><c r="C90" t="inlineStr"><is><t>')
                for _ in range(1024):
                    member.write(b"x" * 2**20)
                member.write(b"</t></is></c></row></sheetData>" + tail)
    assert path.stat().st_size < 10 * 2**20
    result = run_bounded("check", str(root), "--as-of", AS_OF.isoformat())
    output = _no_traceback(result)
    assert result.returncode == 2, output
    assert "rankings.xlsx: thành phần xl/worksheets/sheet1.xml giải nén ra 1024 MB" in output


LAUGHS = "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi",
                                                                              strict=True))
YAML_BOMBS = {
    "billion-laughs": ("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + LAUGHS,
                       "tệp có quá 200.000 giá trị sau khi thay các bí danh"),
    "self-reference": ("loop: &x [*x]\n", "bí danh (*…) trỏ vào chính giá trị chứa nó"),
    "deep-nesting": ("a: " + "[" * 3000 + "]" * 3000 + "\n", "lồng nhau quá 50 cấp"),
}


@pytest.mark.parametrize("name", YAML_BOMBS)
def test_yaml_bombs_are_refused(tmp_path, name):
    text, message = YAML_BOMBS[name]
    root = make_campaign(tmp_path / "campaign", [{"campaign_text": text}])
    result = run_bounded("check", str(root), "--as-of", AS_OF.isoformat())
    output = _no_traceback(result)
    assert result.returncode == 2, output
    assert "campaign.yaml: YAML vượt giới hạn (dòng 1, cột" in output and message in output


def test_one_bomb_never_stops_a_folder_check(tmp_path):
    folder = tmp_path / "campaigns"
    for name, (text, _) in YAML_BOMBS.items():
        make_campaign(folder / name, [{"campaign_text": text}])
    shutil.copytree(EXAMPLE, folder / "z-good")
    result = run_bounded("check", str(folder), "--as-of", AS_OF.isoformat(), "--format", "json")
    report = json.loads(result.stdout)
    statuses = {Path(c["path"]).name: c["status"] for c in report["campaigns"]}
    assert statuses == {**dict.fromkeys(YAML_BOMBS, "error"), "z-good": "warnings"}
    assert result.returncode == 2


def _paragraphs_docx(path: Path, texts: list[str]) -> Path:
    doc = Document()
    for text in texts:
        doc.add_paragraph(text)
    doc.save(str(path))
    return path


def test_html_diff_of_thousands_of_changed_paragraphs_is_quick(tmp_path):
    a = [f"Đoạn {i}: đơn vị {i % 7} hoàn thành số hóa {i * 37 % 101} hồ sơ thủ tục hành chính"
         for i in range(3000)]
    b = [f"{text} đã sửa {i % 13}" if i % 2 else text.upper() for i, text in enumerate(a)]
    old, new = _paragraphs_docx(tmp_path / "a.docx", a), _paragraphs_docx(tmp_path / "b.docx", b)
    report = tmp_path / "report.html"
    result = run_bounded("diff", str(old), str(new), "--format", "html", "--out", str(report),
                         timeout=60)
    assert result.returncode == 1, result.stderr
    page = report.read_text(encoding="utf-8")
    assert page.count("<ins>") >= 1500  # every changed pair is marked word by word


def test_textconv_refuses_what_is_not_a_regular_file(tmp_path):
    fifo = tmp_path / "pipe.docx"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        result = run_bounded("textconv", str(path), timeout=30)
        assert result.returncode == 2
        assert f"{path}: không phải tệp thông thường" in _no_traceback(result)


def _broken_docx(tmp_path: Path, how: str) -> Path:
    """The Tờ trình template with word/document.xml's deflate stream damaged, or marked as
    compressed with Deflate64 (method 9), which zipfile cannot read."""
    source = TEMPLATES / "to_trinh.docx"
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as package:
        info = package.getinfo("word/document.xml")
    local = info.header_offset
    if how == "deflate":
        start = local + 30 + len(info.filename) + int.from_bytes(data[local + 28:local + 30],
                                                                 "little")
        data[start + 100:start + 140] = b"\xff" * 40
    else:
        central = data.find(b"PK\x01\x02" + (20).to_bytes(2, "little"))
        while data[central + 46:central + 46 + len(info.filename)] != info.filename.encode():
            central = data.find(b"PK\x01\x02", central + 4)
        data[local + 8:local + 10] = data[central + 10:central + 12] = (9).to_bytes(2, "little")
    path = tmp_path / f"{how}.docx"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(("how", "message"), [
    ("deflate", "không phải tệp .docx (văn bản Word) hoặc tệp bị hỏng"),
    ("method", "thành phần word/document.xml nén bằng phương pháp Office không dùng"),
])
def test_textconv_of_a_broken_zip_is_a_message(tmp_path, how, message):
    result = run_bounded("textconv", str(_broken_docx(tmp_path, how)), timeout=60)
    assert result.returncode == 2
    assert message in _no_traceback(result)


@pytest.mark.parametrize("target", ["../../../../etc/passwd", "/etc/passwd"])
def test_diff_reads_no_manifest_path_outside_its_folder(tmp_path, target):
    folders = []
    for name, docx in (("a", "docx/01-to-trinh.docx"), ("b", target)):
        folder = tmp_path / name
        (folder / "docx").mkdir(parents=True)
        shutil.copy(TEMPLATES / "to_trinh.docx", folder / "docx" / "01-to-trinh.docx")
        (folder / "manifest.json").write_text(json.dumps(
            {"manifest_version": 1, "documents": [{"kind": "to_trinh", "docx": docx}]}),
            encoding="utf-8")
        folders.append(str(folder))
    result = run_bounded("diff", *folders, "--format", "json", timeout=60)
    output = _no_traceback(result)
    assert result.returncode == 2, output
    assert f"văn bản thứ 1 trong 'documents' trỏ ra ngoài thư mục ({target}): không đọc" in output


def test_words_of_a_5000_digit_number_is_a_message():
    result = CliRunner().invoke(main, ["words", "1" * 5000])
    assert result.exit_code == 2
    assert "Số tiền vượt quá giới hạn (phải nhỏ hơn 10^21)" in result.output


def test_clean_text_drops_format_characters_wherever_they_are():
    """Format characters print nothing and are dropped, in the Basic Multilingual Plane and
    beyond it (a language tag); text without any is left as it is; the controls that reorder
    text are kept for `bidi_problem` to refuse."""
    assert clean_text("Nguyễn\u200b Văn\u00ad An\U000e0001") == "Nguyễn Văn An"
    assert clean_text("Trần Thị Bích Ngọc") == "Trần Thị Bích Ngọc"
    assert clean_text("Lê\u202e Văn") == "Lê\u202e Văn"
