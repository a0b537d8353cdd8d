"""What an officer of a Ban Thi đua - Khen thưởng checks before signing (issue 14): names
broken between word groups, the place of a report's date line, signature blocks derived from
the unit and its head, the council's rules stated and enforced, values marked as not yet known,
and the layout check that reads the built PDFs back (real docxtpl, LibreOffice, poppler)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_BREAK
from docx.shared import Cm

from dossier.build import BlockingFindings, build
from dossier.checks.analysis import analyse
from dossier.documents import council
from dossier.documents.agency_lines import break_lines, forbidden_breaks, word_groups
from dossier.documents.places import place_in_name, report_place
from dossier.documents.signers import head_lines
from dossier.models import Nominee
from dossier.reports.check import check_reports

from .conftest import AS_OF, edit_campaign, set_cell

# --------------------------------------------------------------------------------------------
# Names broken between word groups
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "width", "size", "bold", "lines"), [
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ", 6.3, 13, False,
     ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ CẦN THƠ"]),
    ("HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG", 6.3, 13, True, ["HỘI ĐỒNG", "THI ĐUA - KHEN THƯỞNG"]),
    ("SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG THÀNH PHỐ CẦN THƠ", 6.3, 13, True,
     ["SỞ TÀI NGUYÊN", "VÀ MÔI TRƯỜNG", "THÀNH PHỐ CẦN THƠ"]),
    ("VĂN PHÒNG ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ", 6.3, 13, False,
     ["VĂN PHÒNG", "ỦY BAN NHÂN DÂN", "THÀNH PHỐ CẦN THƠ"]),
    ("ỦY BAN NHÂN DÂN PHƯỜNG AN PHÚ, QUẬN NINH KIỀU", 6.3, 13, True,
     ["ỦY BAN NHÂN DÂN", "PHƯỜNG AN PHÚ,", "QUẬN NINH KIỀU"]),
    ("ĐỀ NGHỊ TẶNG BẰNG KHEN CỦA CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ", 16.5, 14, True,
     ["ĐỀ NGHỊ TẶNG BẰNG KHEN CỦA CHỦ TỊCH", "ỦY BAN NHÂN DÂN THÀNH PHỐ"]),
    ("CÔNG TY TNHH GIẢI PHÁP PHẦN MỀM HẠNH THÔNG", 6.3, 13, True,
     ["CÔNG TY TNHH", "GIẢI PHÁP PHẦN MỀM", "HẠNH THÔNG"]),
])
def test_names_break_between_word_groups(name, width, size, bold, lines):
    assert break_lines(name, width, size, bold=bold) == lines


def test_a_level_without_a_place_name_stays_with_its_body():
    assert word_groups("ỦY BAN NHÂN DÂN THÀNH PHỐ") == ["ỦY BAN NHÂN DÂN THÀNH PHỐ"]
    assert word_groups("CỦA ỦY BAN NHÂN DÂN QUẬN, BẰNG KHEN") == [
        "CỦA ỦY BAN NHÂN DÂN QUẬN,", "BẰNG KHEN"]


def test_campaign_lines_win_and_forbidden_breaks_name_the_cuts():
    given = {"Ủy ban nhân dân thành phố Cần Thơ": ["Ủy ban nhân dân", "thành phố Cần Thơ"]}
    assert break_lines("ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ", 16.5, 14, given=given) == [
        "ỦY BAN NHÂN DÂN", "THÀNH PHỐ CẦN THƠ"]
    # ỦY | BAN | NHÂN | DÂN | THÀNH | PHỐ | CẦN | THƠ: only after DÂN may a line break
    assert forbidden_breaks("ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ") == {1, 2, 3, 5, 6, 7}


# --------------------------------------------------------------------------------------------
# Place of a report's date line, signature blocks
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "place"), [
    ("Ủy ban nhân dân thành phố Vị Thanh", "Vị Thanh"),
    ("Ủy ban nhân dân phường Hưng Lợi", "Hưng Lợi"),
    ("Ủy ban nhân dân Phường 10", "Phường 10"),
    ("Ủy ban nhân dân phường VII", "Phường VII"),
    ("Ủy ban nhân dân thị xã Long Mỹ", "Long Mỹ"),
    ("Ủy ban nhân dân huyện Châu Thành A", "Châu Thành A"),
    ("Ủy ban nhân dân phường An Phú, quận Ninh Kiều", "An Phú"),
    ("Sở Tư pháp thành phố Cần Thơ", "Cần Thơ"),
    ("Trường Tiểu học Kim Đồng", None),
])
def test_place_of_the_unit(name, place):
    assert place_in_name(name) == place


def test_place_column_then_unit_then_campaign():
    school = Nominee("TT1", "tap_the", "Trường Tiểu học Kim Đồng", 2,
                     {"unit": "Ủy ban nhân dân quận Gò Vấp"})
    assert report_place(school, "Hồ Chí Minh") == "Gò Vấp"
    named = Nominee("TT2", "tap_the", "Ủy ban nhân dân phường Lê Bình", 3,
                    {"place": "Phường Lê Bình"})
    assert report_place(named, "Cần Thơ") == "Phường Lê Bình"
    company = Nominee("TT3", "tap_the", "Công ty Cổ phần An Nhơn Số", 4, {})
    assert report_place(company, "Gò Vấp") == "Gò Vấp"


@pytest.mark.parametrize(("unit", "title", "lines"), [
    ("Ủy ban nhân dân phường Hưng Lợi", "Chủ tịch", ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]),
    ("Ủy ban nhân dân quận Ninh Kiều", "Phó Chủ tịch",
     ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]),
    ("Sở Tư pháp thành phố Cần Thơ", "Giám đốc", ["GIÁM ĐỐC"]),
    ("Sở Tư pháp thành phố Cần Thơ", "Phó Giám đốc", ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]),
    ("Sở Nội vụ", "", ["THỦ TRƯỞNG ĐƠN VỊ"]),
])
def test_signature_from_unit_and_head_title(unit, title, lines):
    assert head_lines(unit, title) == lines


# --------------------------------------------------------------------------------------------
# The council's rules
# --------------------------------------------------------------------------------------------


def test_council_rules_count_against_the_whole_membership():
    rules = council.council_rules({"rules": {"quorum": "2/3", "approval": "1/2",
                                             "regulation": "Quy chế hoạt động của Hội đồng"}})
    assert rules.base == "members"
    assert rules.quorum_met(5, 7) and not rules.quorum_met(4, 7)
    assert rules.approved(4, 5, 7) and not rules.approved(3, 5, 7)  # 3/7 is not over half
    assert council.result_sentence(rules, 6, 6, 7) == (
        "Mỗi tập thể, cá nhân trong danh sách đề nghị được 06/07 thành viên, đạt 85,7% tổng "
        "số thành viên Hội đồng, đồng ý (trên một nửa tổng số thành viên Hội đồng, theo Quy chế "
        "hoạt động của Hội đồng).")
    assert council.validity_sentence(rules, 6, 7) == (
        "Cuộc họp đủ điều kiện tiến hành theo Quy chế hoạt động của Hội đồng (có ít nhất 2/3 "
        "tổng số thành viên Hội đồng tham dự).")
    assert council.vote_heading("biểu quyết giơ tay") == "Số thành viên đồng ý"
    assert council.vote_heading("bỏ phiếu kín") == "Số phiếu đồng ý"


def test_quorum_rule_blocks(campaign_dir):
    def change(data):
        data["bien_ban"]["rules"]["quorum"] = "1"  # everyone must attend
        data["bien_ban"]["members"][1]["present"] = False
    edit_campaign(campaign_dir, change)
    codes = {f.code for f in analyse(campaign_dir, AS_OF).blocking}
    assert "QUORUM" in codes


def test_bien_ban_states_validity_and_to_trinh_cites_its_number():
    analysis = analyse(Path("examples/cantho-2024-tthc"), dt.date(2025, 1, 9))
    to_trinh, bien_ban = analysis.plans[:2]
    assert "Căn cứ Biên bản số 03/BB-HĐTĐKT ngày 06 tháng 01 năm 2025" in (
        to_trinh.context["request"])
    assert "đủ điều kiện tiến hành theo Quy chế" in bien_ban.context["attendance"]
    assert bien_ban.context["conclusion"][0].startswith(
        "Mỗi tập thể, cá nhân trong danh sách đề nghị được 07/07 thành viên, đạt 100%")
    assert bien_ban.context["vote_heading"] == "Số phiếu đồng ý"
    assert bien_ban.context["header"]["superior"] == (
        "VĂN PHÒNG\nỦY BAN NHÂN DÂN\nTHÀNH PHỐ CẦN THƠ")
    reports = {p.nominee_id: p for p in analysis.plans if p.kind == "bao_cao_thanh_tich"}
    ward = next(p for p in reports.values()
                if p.context["nominee_name"] == "Ủy ban nhân dân phường Hưng Lợi")
    assert ward.context["header"]["place_date"].startswith("Hưng Lợi, ngày ")
    assert ward.context["right_sign"]["lines"] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]


# --------------------------------------------------------------------------------------------
# Findings: same signer, values not yet known, căn cứ, Thông tin chung
# --------------------------------------------------------------------------------------------


def test_a_report_confirmed_by_its_author_blocks(campaign_dir):
    analysis = analyse(campaign_dir, AS_OF)
    person = next(a.nominee for a in analysis.selection.awardees
                  if a.nominee.kind == "ca_nhan" and a.nominee.get("parent_id"))
    set_cell(campaign_dir, person.get("parent_id"), "head_name", person.name)
    set_cell(campaign_dir, person.get("parent_id"), "head_title", "Giám đốc")
    blocking = analyse(campaign_dir, AS_OF).blocking
    assert [f.nominees for f in blocking if f.code == "SAME_SIGNER"] == [(person.id,)]


def test_unconfirmed_values_and_incomplete_can_cu_warn(campaign_dir):
    def change(data):
        data["unconfirmed"] = ["plan.number"]
        data["to_trinh"]["can_cu"].append("Căn cứ Kế hoạch số 12/KH-VP của Văn phòng;")
    edit_campaign(campaign_dir, change)
    findings = analyse(campaign_dir, AS_OF).findings
    [unconfirmed] = [f for f in findings if f.code == "UNCONFIRMED_VALUE"]
    assert unconfirmed.severity == "warning" and "plan.number = '226/KH-UBND'" in (
        unconfirmed.message)
    [can_cu] = [f for f in findings if f.code == "CAN_CU_INCOMPLETE"]
    assert "to_trinh.can_cu[4]" in can_cu.message and "thiếu ngày" in can_cu.message
    report = check_reports([campaign_dir], AS_OF)
    assert report["status"] == "warnings"  # --strict makes it exit 1


def test_general_information_from_columns_or_dotted_lines(campaign_dir):
    analysis = analyse(campaign_dir, AS_OF)
    person = next(a.nominee for a in analysis.selection.awardees if a.nominee.kind == "ca_nhan")
    set_cell(campaign_dir, person.id, "birth_year", "1988")
    set_cell(campaign_dir, person.id, "hometown", "xã Mỹ Khánh, huyện Phong Điền")
    analysis = analyse(campaign_dir, AS_OF)
    plan = next(p for p in analysis.plans if p.nominee_id == person.id)
    assert "- Năm sinh: 1988." in plan.context["general"]
    assert "- Quê quán: xã Mỹ Khánh, huyện Phong Điền." in plan.context["general"]
    assert any(line.startswith("- Nơi thường trú: ....") for line in plan.context["general"])
    missing = [f for f in analysis.findings if f.code == "GENERAL_INFO_MISSING"]
    assert missing and all(f.severity == "warning" for f in missing)
    assert any(person.id in f.nominees and "Nơi thường trú" in f.message for f in missing)


# --------------------------------------------------------------------------------------------
# The layout check on built PDFs, provoked by campaign template overrides
# --------------------------------------------------------------------------------------------


def _override(campaign: Path, name: str, paragraphs: list[str | None],
              indent_cm: float = 0) -> None:
    """A campaign's own template `name`: one paragraph per string, None = a page break."""
    doc = Document()
    for text in paragraphs:
        if text is None:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        else:
            paragraph = doc.add_paragraph(text)
            paragraph.paragraph_format.left_indent = Cm(indent_cm)
    (campaign / "templates").mkdir(exist_ok=True)
    doc.save(campaign / "templates" / name)


def split_signature_and_lone_pages(campaign: Path) -> None:
    """Overrides that cannot be signed: the Tờ trình with the signer's titles on page 1, the
    name on page 2 and the total alone on page 3; the Biên bản with a page holding only the
    signature block."""
    _override(campaign, "to_trinh.docx", [
        "{{ doc_title }}", "{{ closing }}", "Nơi nhận:", "{{ signer.lines[0] }}",
        "{{ signer.lines[1] }}", None, "{{ signer.name }}", None,
        "Tổng cộng {{ danh_sach.total_figures }}"])
    _override(campaign, "bien_ban.docx", [
        "{{ doc_title }}", "{{ closing }}", None, "{{ secretary_sign.lines[0] }}",
        "{{ chair_sign.lines[0] }}", "{{ secretary_sign.name }}", "{{ chair_sign.name }}"])


def test_layout_check_blocks_a_split_signature_and_lone_pages(campaign_dir, tmp_path):
    split_signature_and_lone_pages(campaign_dir)
    out = tmp_path / "out"
    with pytest.raises(BlockingFindings) as raised:
        build(campaign_dir, out, AS_OF)
    found = {(f.code, f.message.split(",")[0]) for f in raised.value.findings}
    assert ("SIGNATURE_SPLIT", "Tờ trình") in found
    assert ("LONE_PAGE", "Biên bản họp xét") in found
    lone = [f.message for f in raised.value.findings if f.code == "LONE_PAGE"]
    assert "Tờ trình, trang 3: trang chỉ có dòng tổng cộng của bảng" in lone
    assert "Biên bản họp xét, trang 2: trang chỉ có khối chữ ký" in lone
    assert ("SIGNATURE_SPLIT", "Biên bản họp xét") in found  # the closing on page 1
    messages = [f.message for f in raised.value.findings if f.code == "SIGNATURE_SPLIT"]
    assert any("trang 1" in m and "trang 2" in m for m in messages)
    assert not out.exists()  # nothing swapped in


def test_layout_check_warns_of_a_broken_name_and_text_outside_the_margins(campaign_dir, tmp_path):
    def change(data):  # an office that writes the superior's lines badly
        data["name_lines"] = {"Ủy ban nhân dân thành phố Cần Thơ":
                              ["Ủy ban nhân dân thành", "phố Cần Thơ"]}
    edit_campaign(campaign_dir, change)
    _override(campaign_dir, "bao_cao_ca_nhan.docx", ["{{ doc_title }}", "{{ nominee_name }}"],
              indent_cm=-2.5)
    out = tmp_path / "out"
    build(campaign_dir, out, AS_OF)
    report = check_reports([campaign_dir], AS_OF, out)
    [campaign] = report["campaigns"]
    codes = {f["code"] for f in campaign["findings"]}
    assert {"NAME_BROKEN", "TEXT_OUTSIDE_MARGIN"} <= codes
    assert not codes & {"SIGNATURE_SPLIT", "LONE_PAGE"}
    [broken] = [f for f in campaign["findings"] if f["code"] == "NAME_BROKEN"][:1]
    assert "THÀNH / PHỐ CẦN THƠ" in broken["message"] and "trang 1" in broken["message"]


def test_line_widths_match_the_templates_columns():
    """agency_lines measures against the columns tools/nd30/rules.py draws."""
    import ast

    from dossier.documents.agency_lines import HEADER_AGENCY_CM, SIGN_COLS_CM, TEXT_WIDTH_CM

    source = (Path(__file__).resolve().parents[1] / "tools" / "nd30" / "rules.py").read_text(
        encoding="utf-8")
    values = {node.targets[0].id: ast.literal_eval(node.value) for node in ast.parse(source).body
              if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
              and node.targets[0].id in ("HEADER_COLS_CM", "TEXT_WIDTH_CM", "SIGN_COLS_CM")}
    assert values == {"HEADER_COLS_CM": (HEADER_AGENCY_CM, values["HEADER_COLS_CM"][1]),
                      "TEXT_WIDTH_CM": TEXT_WIDTH_CM, "SIGN_COLS_CM": SIGN_COLS_CM}
