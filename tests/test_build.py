"""End to end: the Cần Thơ example built by the real pipeline (docxtpl, LibreOffice, pypdf),
read back with python-docx and pypdf."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Mm, Pt
from pypdf import PdfReader

from dossier.build import BlockingFindings, build
from dossier.errors import InputError
from dossier.output.cache import Cache

from .conftest import AS_OF, EXAMPLE, set_cell

AWARDED_COLLECTIVES = {
    "TT05": "Sở Giao thông vận tải thành phố Cần Thơ",
    "TT01": "Sở Tư pháp thành phố Cần Thơ",
    "TT15": "Sở Khoa học và Công nghệ thành phố Cần Thơ",
}
AWARDED_PEOPLE = {"CN05": "Phạm Thị Ngọc Hân", "CN03": "Lê Thị Mỹ Duyên", "CN06": "Võ Thanh Sơn"}


def _text(doc) -> str:
    """Body paragraphs and every table cell, nested tables (the signature) included."""
    parts = [p.text for p in doc.paragraphs]
    tables = list(doc.tables)
    while tables:
        table = tables.pop(0)
        for row in table.rows:
            for cell in row.cells:
                parts.append(cell.text)
                tables += cell.tables
    return "\n".join(parts)


def _doc(built, stem: str):
    return Document(built.out / "docx" / f"{stem}.docx")


def _danh_sach_rows(doc) -> list[list[str]]:
    table = next(t for t in doc.tables
                 if "Hình thức khen thưởng" in " ".join(c.text for c in t.rows[0].cells)
                 and "Số tiền" in t.rows[0].cells[-1].text)
    return [[c.text.strip() for c in row.cells] for row in table.rows[1:]]


def test_output_layout(built):
    names = sorted(p.name for p in (built.out / "docx").iterdir())
    assert names == ["01-to-trinh.docx", "02-bien-ban.docx", "03-bao-cao-TT05.docx",
                     "04-bao-cao-TT01.docx", "05-bao-cao-TT15.docx", "06-bao-cao-CN05.docx",
                     "07-bao-cao-CN03.docx", "08-bao-cao-CN06.docx"]
    assert {p.stem for p in (built.out / "pdf").iterdir()} == {Path(n).stem for n in names}
    assert (built.out / "selection.md").is_file()
    assert built.bundle == built.out / "cantho-2024-so-hoa-ho-so.pdf"
    assert not list(built.out.parent.glob(".output.*")), "no staging folder left behind"


def test_to_trinh_content(built):
    doc = _doc(built, "01-to-trinh")
    text = _text(doc)
    assert "Số: 512/TTr-VP" in text
    assert "Cần Thơ, ngày 20 tháng 12 năm 2024" in text
    assert "TỜ TRÌNH" in text
    assert "Chủ tịch Ủy ban nhân dân thành phố Cần Thơ;" in text
    assert "cho 03 tập thể và 03 cá nhân" in text
    assert "Tổng số tiền thưởng: 21.060.000 đồng (Bằng chữ: Hai mươi mốt triệu không trăm sáu " \
           "mươi nghìn đồng)" in " ".join(text.split())
    assert "Lê Hoàng Phúc" in text
    rows = _danh_sach_rows(doc)
    assert rows[0][:2] == ["I", "TẬP THỂ"]
    collectives = rows[1:4]
    assert [r[1] for r in collectives] == list(AWARDED_COLLECTIVES.values())
    assert all(r[-1] == "4.680.000" for r in collectives)
    assert rows[4][:2] == ["II", "CÁ NHÂN"]
    people = rows[5:8]
    assert [r[0] for r in people] == ["1", "2", "3"]
    assert [r[1] for r in people] == ["Bà Phạm Thị Ngọc Hân", "Bà Lê Thị Mỹ Duyên",
                                      "Ông Võ Thanh Sơn"]
    assert all(r[-1] == "2.340.000" for r in people)
    assert "97,8%" in collectives[1][4]


def test_bien_ban_content(built):
    doc = _doc(built, "02-bien-ban")
    text = _text(doc)
    assert "BIÊN BẢN" in text
    assert "Vào lúc 14 giờ 00 phút, ngày 18 tháng 12 năm 2024" in text
    assert "Có 06/07 thành viên Hội đồng tham dự, vắng 01 thành viên" in text
    assert "Đ/c Trần Quốc Minh, Chánh Văn phòng, Chủ tịch Hội đồng" in text
    assert "Cuộc họp kết thúc vào lúc 16 giờ 00 phút cùng ngày./." in text
    # a show of hands counts members, over the whole council (its Quy chế)
    vote_table = next(t for t in doc.tables if "Số thành viên đồng ý" in t.rows[0].cells[-2].text)
    vote_rows = [[c.text.strip() for c in r.cells] for r in vote_table.rows[1:]]
    assert len(vote_rows) == 6
    assert all(r[-2:] == ["06/07", "85,7%"] for r in vote_rows)
    assert "đủ điều kiện tiến hành theo Quy chế" in text
    assert [r[1] for r in _danh_sach_rows(doc)[1:4]] == list(AWARDED_COLLECTIVES.values())


@pytest.mark.parametrize("stem, nominee_id", [("03-bao-cao-TT05", "TT05"),
                                              ("06-bao-cao-CN05", "CN05")])
def test_bao_cao_content(built, stem, nominee_id):
    doc = _doc(built, stem)
    text = _text(doc)
    assert "Mẫu số 08" in text
    assert "BÁO CÁO THÀNH TÍCH" in text
    assert "ĐỀ NGHỊ TẶNG BẰNG KHEN CỦA CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ" in " ".join(text.split())
    assert "Cần Thơ, ngày 16 tháng 12 năm 2024" in text
    name = {**AWARDED_COLLECTIVES, **AWARDED_PEOPLE}[nominee_id]
    assert name in text
    narrative = (EXAMPLE / "achievements" / f"{nominee_id}.md").read_text(encoding="utf-8")
    first_paragraph = " ".join(narrative.strip().split("\n\n")[0].split())
    assert first_paragraph in [" ".join(p.text.split()) for p in doc.paragraphs]


def test_collective_report_shows_its_figures(built):
    text = _text(_doc(built, "04-bao-cao-TT01"))
    assert "Tỷ lệ hồ sơ có khai thác, sử dụng lại thông tin, dữ liệu số hóa" in text
    assert "97,8%" in text
    assert "12.617" in text  # period files, thousands with a dot


def test_page_setup_and_fonts(built):
    for path in sorted((built.out / "docx").glob("*.docx")):
        doc = Document(path)
        for section in doc.sections:
            assert abs(section.page_width - Mm(210)) < Mm(1), path.name
            assert abs(section.page_height - Mm(297)) < Mm(1), path.name
            # margins are stored in twips: compare in millimetres to 0.1 mm
            assert 30 <= round(section.left_margin.mm, 1) <= 35, path.name
            assert 15 <= round(section.right_margin.mm, 1) <= 20, path.name
            assert 20 <= round(section.top_margin.mm, 1) <= 25, path.name
            assert 20 <= round(section.bottom_margin.mm, 1) <= 25, path.name
        normal = doc.styles["Normal"].font
        assert normal.name == "Times New Roman", path.name
        assert Pt(13) <= normal.size <= Pt(14), path.name
        fonts = {run.font.name for p in doc.paragraphs for run in p.runs}
        assert fonts <= {None, "Times New Roman"}, (path.name, fonts)


def test_pdfs_pages_and_bookmarks(built):
    manifest = json.loads((built.out / "manifest.json").read_text(encoding="utf-8"))
    documents = manifest["documents"]
    for entry in documents:
        reader = PdfReader(built.out / entry["pdf"])
        assert len(reader.pages) == entry["pages"] >= 1
        box = reader.pages[0].mediabox
        assert abs(float(box.width) - 595.3) < 2 and abs(float(box.height) - 841.9) < 2
    bundle = PdfReader(built.bundle)
    assert len(bundle.pages) == sum(e["pages"] for e in documents) == manifest["bundle"]["pages"]
    titles = [item.title for item in bundle.outline]
    assert titles == [e["title"] for e in documents]
    assert titles[:2] == ["Tờ trình", "Biên bản họp xét"]
    starts = [bundle.get_destination_page_number(item) for item in bundle.outline]
    expected, page = [], 0
    for entry in documents:
        expected.append(page)
        page += entry["pages"]
    assert starts == expected


def test_manifest(built):
    manifest = json.loads((built.out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["campaign"] == "cantho-2024-so-hoa"
    assert manifest["total_prize"] == 21_060_000
    kinds = [d["kind"] for d in manifest["documents"]]
    assert kinds == ["to_trinh", "bien_ban"] + ["bao_cao_thanh_tich"] * 6
    assert [d["nominee_id"] for d in manifest["documents"][2:]] == [
        *AWARDED_COLLECTIVES, *AWARDED_PEOPLE]
    for entry in manifest["documents"]:
        digest = hashlib.sha256((built.out / entry["docx"]).read_bytes()).hexdigest()
        assert entry["sha256"] == digest
        assert entry["required_copies"] == 1


def test_two_builds_are_byte_identical(built, tmp_path):
    again = build(EXAMPLE, tmp_path / "again", AS_OF, pdf=False)
    first = sorted((built.out / "docx").glob("*.docx"))
    second = sorted((again.out / "docx").glob("*.docx"))
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_rebuild_replaces_output_whole(campaign_dir, tmp_path):
    out = tmp_path / "out"
    build(campaign_dir, out, AS_OF, pdf=False)
    # a document an earlier build wrote (listed in its manifest) that this one does not make
    (out / "docx" / "99-old.docx").write_text("old", encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["written"]["files"].append("docx/99-old.docx")
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    build(campaign_dir, out, AS_OF, pdf=False)
    assert not (out / "docx" / "99-old.docx").exists()
    assert sorted(p.name for p in out.parent.iterdir()) == ["campaign", "out"]


def test_blocked_build_writes_nothing_and_keeps_previous_output(campaign_dir, tmp_path):
    out = tmp_path / "out"
    build(campaign_dir, out, AS_OF, pdf=False)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    # CN02 (4th) now equals CN06 (3rd) on both ranking keys: a tie the plan does not resolve.
    for column in ("reused_files", "reused_files_2024"):
        set_cell(campaign_dir, "CN02", column, _cell(campaign_dir, "CN06", column))
    with pytest.raises(BlockingFindings) as raised:
        build(campaign_dir, out, AS_OF, pdf=False)
    assert [f.code for f in raised.value.findings] == ["TIE_AT_BOUNDARY"]
    assert set(raised.value.findings[0].nominees) == {"CN02", "CN06"}
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["campaign", "out"]


def _cell(root: Path, nominee_id: str, column: str) -> str:
    import pandas as pd

    frame = pd.read_csv(root / "rankings.csv", dtype=str, keep_default_na=False)
    return frame.loc[frame["id"] == nominee_id, column].item()


def test_each_list_names_the_document_it_is_attached_to(built):
    to_trinh = " ".join(_text(_doc(built, "01-to-trinh")).split())
    bien_ban = " ".join(_text(_doc(built, "02-bien-ban")).split())
    assert ("(Kèm theo Tờ trình số 512/TTr-VP ngày 20 tháng 12 năm 2024 của Văn phòng Ủy ban "
            "nhân dân thành phố)") in to_trinh
    assert ("(Kèm theo Biên bản số 38/BB-HĐTĐKT ngày 18 tháng 12 năm 2024 của Hội đồng Thi đua - "
            "Khen thưởng Văn phòng Ủy ban nhân dân thành phố)") in bien_ban


def test_a_build_failing_while_documents_convert_stops_libreoffice(campaign_dir, tmp_path):
    """The conversion starts while the build still renders: a document that fails to render
    after the first ones were handed to the converter stops it, nothing is written and no
    LibreOffice is left (the pool's own test, test_convert.py, kills a running batch)."""
    doc = Document()
    doc.add_paragraph("{{ 1 / 0 }}")  # the reports (rendered after the Tờ trình, Biên bản)
    (campaign_dir / "templates").mkdir(exist_ok=True)
    doc.save(campaign_dir / "templates" / "bao_cao_tap_the.docx")
    out, cache = tmp_path / "out", Cache(tmp_path / "cache")
    with pytest.raises(InputError):
        build(campaign_dir, out, AS_OF, cache=cache)
    assert not out.exists()
    assert sorted(p.name for p in out.parent.iterdir()) == ["cache", "campaign"]
    running = subprocess.run(["pgrep", "-af", str(tmp_path / "cache")], capture_output=True,
                             text=True).stdout.splitlines()
    assert [line for line in running if "pgrep" not in line] == []
