"""The docxtpl templates in ``dossier/templates/``: render realistic contexts, read them back.

The contexts below follow ``docs/template-context.md``; the templates are written by
``tools/build_templates.py``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace as NS

import jinja2
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docxtpl import DocxTemplate, RichText

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "dossier" / "templates"
NAMES = ["to_trinh", "bien_ban", "bao_cao_tap_the", "bao_cao_ca_nhan"]

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"
# A name from a unit's spreadsheet that looks like Jinja and like XML: it must print as is.
TRICKY = "Hợp tác xã {{ x }} <w:p> & Cộng sự"
THEME = "“Đẩy mạnh chuyển đổi số trong giải quyết thủ tục hành chính” năm 2024"
AWARD = "Bằng khen của Chủ tịch Ủy ban nhân dân thành phố"

# --------------------------------------------------------------------------------------------
# Sample contexts
# --------------------------------------------------------------------------------------------


def _awardee(stt, name, position, unit, achievement, amount):
    return NS(
        section=False,
        stt=stt,
        name=name,
        position=position,
        unit=unit,
        award=AWARD,
        achievement=achievement,
        amount=amount,
    )


def _danh_sach(subtitle: str) -> NS:
    rows = [
        NS(section=True, stt="I", name=RichText("TẬP THỂ", bold=True)),
        _awardee(
            "1",
            "Sở Tư pháp",
            "",
            "Ủy ban nhân dân thành phố Cần Thơ",
            "Tỷ lệ hồ sơ khai thác, sử dụng lại dữ liệu số hóa đạt 97,8%",
            "4.680.000",
        ),
        _awardee(
            "2",
            "Phòng Kiểm soát thủ tục hành chính",
            "",
            "Văn phòng Ủy ban nhân dân thành phố",
            "100% hồ sơ được số hóa ngay khi tiếp nhận",
            "4.680.000",
        ),
        _awardee("3", TRICKY, "", "", "Hoàn thành xuất sắc nhiệm vụ số hóa hồ sơ", "4.680.000"),
        NS(section=True, stt="II", name=RichText("CÁ NHÂN", bold=True)),
        _awardee(
            "1",
            "Bà Nguyễn Thị Lan",
            "Chuyên viên Bộ phận Một cửa",
            "Sở Tư pháp thành phố Cần Thơ",
            "Tiếp nhận, số hóa 2.150 hồ sơ, không có hồ sơ trễ hạn",
            "2.340.000",
        ),
        _awardee(
            "2",
            "Ông Trần Quốc Bảo",
            "Phó Trưởng phòng Hành chính tư pháp",
            "Sở Tư pháp thành phố Cần Thơ",
            "Triển khai dịch vụ công trực tuyến toàn trình cho 12 thủ tục",
            "2.340.000",
        ),
        _awardee(
            "3",
            "Bà Lê Thị Mỹ Duyên",
            "Chuyên viên Phòng Kiểm soát thủ tục hành chính",
            "Văn phòng Ủy ban nhân dân thành phố",
            "Mức độ hài lòng của người dân đạt 98,1%",
            "2.340.000",
        ),
    ]
    return NS(
        rows=rows,
        has_money=True,
        total_figures="21.060.000",
        total_words="Hai mươi mốt triệu không trăm sáu mươi nghìn đồng",
        title="DANH SÁCH TẬP THỂ, CÁ NHÂN ĐỀ NGHỊ TẶNG BẰNG KHEN CỦA CHỦ TỊCH "
        "ỦY BAN NHÂN DÂN THÀNH PHỐ",
        subtitle=subtitle,
    )


def _header(superior, agency, so_ky_hieu, place_date, form_label=""):
    return NS(
        superior=superior,
        agency=agency,
        so_ky_hieu=so_ky_hieu,
        place_date=place_date,
        form_label=form_label,
    )


def to_trinh_context() -> dict:
    recipients = ["Chủ tịch Ủy ban nhân dân thành phố", "Sở Nội vụ thành phố Cần Thơ"]
    return {
        "header": _header(
            "ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ",
            "VĂN PHÒNG",
            "Số: 512/TTr-VP",
            "Cần Thơ, ngày 20 tháng 12 năm 2024",
        ),
        "doc_title": "TỜ TRÌNH",
        "trich_yeu": "Về việc đề nghị tặng Bằng khen của Chủ tịch Ủy ban nhân dân thành phố cho "
        f"tập thể, cá nhân có thành tích xuất sắc trong phong trào thi đua {THEME}",
        "recipients": recipients,
        "recipients_lines": [f"- {recipients[0]};", f"- {recipients[1]}."],
        "can_cu": [
            "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
            "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023 của Chính phủ quy định "
            "chi tiết thi hành một số điều của Luật Thi đua, khen thưởng;",
            "Căn cứ Kế hoạch số 45/KH-UBND ngày 05 tháng 3 năm 2024 của Ủy ban nhân dân thành "
            f"phố về phát động phong trào thi đua {THEME};",
            "Căn cứ Biên bản họp Hội đồng Thi đua - Khen thưởng Văn phòng ngày 18 tháng 12 năm "
            "2024,",
        ],
        "body": [
            "Qua 09 tháng triển khai phong trào thi đua, các cơ quan, đơn vị đã tích cực số hóa "
            "hồ sơ, kết quả giải quyết thủ tục hành chính; tỷ lệ hồ sơ giải quyết trước và đúng "
            "hạn đạt 99,6%, mức độ hài lòng của người dân, doanh nghiệp đạt 98,1%.",
        ],
        "request": "Văn phòng Ủy ban nhân dân thành phố kính đề nghị Chủ tịch Ủy ban nhân dân "
        "thành phố xem xét, tặng Bằng khen cho 03 tập thể và 03 cá nhân có thành tích "
        "xuất sắc trong phong trào thi đua, cụ thể như sau:",
        "danh_sach": _danh_sach(
            "(Kèm theo Tờ trình số 512/TTr-VP ngày 20/12/2024 của Văn phòng "
            "Ủy ban nhân dân thành phố)"
        ),
        "attachments_note": "(Có biên bản, danh sách, báo cáo thành tích kèm theo)",
        "closing": "Văn phòng Ủy ban nhân dân thành phố kính trình Chủ tịch Ủy ban nhân dân "
        "thành phố xem xét, quyết định./.",
        "noi_nhan": ["- Như trên;", "- Sở Nội vụ (Ban Thi đua - Khen thưởng);", "- Lưu: VT, HCTC."],
        "signer": NS(lines=["KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG"], name="Nguyễn Văn Hùng"),
    }


MEMBERS = [
    ("Trần Văn Minh", "Chánh Văn phòng, Chủ tịch Hội đồng"),
    ("Nguyễn Văn Hùng", "Phó Chánh Văn phòng, Phó Chủ tịch Hội đồng"),
    ("Võ Thanh Tùng", "Trưởng phòng Kiểm soát thủ tục hành chính, Ủy viên"),
    ("Huỳnh Ngọc Ánh", "Trưởng phòng Hành chính - Tổ chức, Ủy viên"),
    ("Đặng Quốc Việt", "Chủ tịch Công đoàn cơ sở, Ủy viên"),
    ("Lâm Thị Kiều Oanh", "Bí thư Chi đoàn, Ủy viên"),
    ("Phạm Thị Thu Hà", "Chuyên viên Phòng Hành chính - Tổ chức, Thư ký Hội đồng"),
]


def bien_ban_context() -> dict:
    ds = _danh_sach(
        "(Kèm theo Biên bản số 15/BB-HĐTĐKT ngày 18/12/2024 của Hội đồng Thi đua - "
        "Khen thưởng Văn phòng)"
    )
    awardees = [row for row in ds.rows if not row.section]
    return {
        "header": _header(
            "VĂN PHÒNG ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ",
            "HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG",
            "Số: 15/BB-HĐTĐKT",
            "Cần Thơ, ngày 18 tháng 12 năm 2024",
        ),
        "doc_title": "BIÊN BẢN",
        "trich_yeu": f"Họp xét, đề nghị khen thưởng phong trào thi đua {THEME}",
        "opening": [
            "Vào lúc 14 giờ 00 phút, ngày 18 tháng 12 năm 2024, tại Phòng họp số 2, Văn phòng Ủy "
            "ban nhân dân thành phố, Hội đồng Thi đua - Khen thưởng Văn phòng tổ chức họp xét, "
            f"đề nghị khen thưởng phong trào thi đua {THEME}.",
        ],
        "chair": "Đ/c Trần Văn Minh, Chánh Văn phòng, Chủ tịch Hội đồng",
        "secretary": "Đ/c Phạm Thị Thu Hà, Chuyên viên Phòng Hành chính - Tổ chức",
        "attendance": "Có 07/09 thành viên Hội đồng tham dự, vắng 02 thành viên (có lý do).",
        "members": [NS(stt=str(i), name=n, role=r) for i, (n, r) in enumerate(MEMBERS, 1)],
        "content": [
            "Thư ký Hội đồng báo cáo kết quả chấm điểm, xếp hạng phong trào thi đua và danh sách "
            "tập thể, cá nhân đủ tiêu chuẩn đề nghị khen thưởng.",
            "Các thành viên Hội đồng thảo luận, thống nhất danh sách đề nghị.",
        ],
        "method": "biểu quyết giơ tay",
        "vote_heading": "Số thành viên đồng ý",
        "ratio_heading": "Tỷ lệ so với tổng số thành viên Hội đồng",
        "votes": [
            NS(stt=str(i), name=r.name, award=AWARD, agree="07", total="07", ratio="100%")
            for i, r in enumerate(awardees, 1)
        ],
        "danh_sach": ds,
        "conclusion": [
            "Hội đồng thống nhất 100% đề nghị Chủ tịch Ủy ban nhân dân thành phố tặng Bằng khen "
            "cho 03 tập thể và 03 cá nhân theo danh sách sau:",
        ],
        "closing": "Cuộc họp kết thúc vào lúc 16 giờ 00 phút cùng ngày./.",
        "secretary_sign": NS(lines=["THƯ KÝ"], name="Phạm Thị Thu Hà"),
        "chair_sign": NS(lines=["CHỦ TỊCH HỘI ĐỒNG"], name="Trần Văn Minh"),
    }


def _bao_cao_common() -> dict:
    return {
        "doc_title": "BÁO CÁO THÀNH TÍCH",
        "award_line": "ĐỀ NGHỊ TẶNG BẰNG KHEN CỦA CHỦ TỊCH ỦY BAN NHÂN DÂN THÀNH PHỐ",
        "theme_line": f"(Thành tích xuất sắc trong phong trào thi đua {THEME})",
        "achievement_heading": "II. THÀNH TÍCH ĐẠT ĐƯỢC",
        "metrics_intro": "Kết quả thực hiện các chỉ tiêu của phong trào thi đua năm 2024 như sau:",
    }


def bao_cao_tap_the_context() -> dict:
    return _bao_cao_common() | {
        "header": _header(
            "ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ",
            "SỞ TƯ PHÁP",
            "Số: 87/BC-STP",
            "Cần Thơ, ngày 10 tháng 12 năm 2024",
            "Mẫu số 08",
        ),
        "nominee_name": "Sở Tư pháp thành phố Cần Thơ",
        "nominee_detail": "",
        "general_heading": "I. THÔNG TIN CHUNG",
        "general": [
            "Trụ sở: số 132 đường Trần Hưng Đạo, phường An Nghiệp, quận Ninh Kiều, thành phố Cần "
            "Thơ.",
            "Cơ cấu tổ chức: Ban Giám đốc, 05 phòng chuyên môn và 03 đơn vị sự nghiệp trực thuộc; "
            "tổng số 86 công chức, viên chức và người lao động.",
            "Chức năng, nhiệm vụ: tham mưu, giúp Ủy ban nhân dân thành phố quản lý nhà nước về "
            "công tác tư pháp trên địa bàn thành phố.",
        ],
        "metrics": [
            NS(label="Tỷ lệ hồ sơ khai thác, sử dụng lại dữ liệu số hóa", value="97,8%"),
            NS(label="Tỷ lệ hồ sơ giải quyết trước và đúng hạn", value="99,6%"),
            NS(
                label="Tỷ lệ thủ tục hành chính cung cấp dịch vụ công trực tuyến toàn trình",
                value="85,2%",
            ),
            NS(label="Mức độ hài lòng của người dân, doanh nghiệp", value="98,1%"),
        ],
        "narrative": [
            "Sở đã ban hành Kế hoạch số 12/KH-STP triển khai phong trào thi đua, giao chỉ tiêu "
            "cụ thể cho từng phòng, đơn vị và kiểm tra tiến độ hằng tháng.",
            f"Phối hợp với {TRICKY} triển khai số hóa 100% hồ sơ lý lịch tư pháp.",
        ],
        "left_sign": NS(lines=["XÁC NHẬN CỦA CẤP TRÌNH KHEN THƯỞNG"], name=""),
        "right_sign": NS(lines=["GIÁM ĐỐC"], name="Lê Hoàng Phúc"),
    }


def bao_cao_ca_nhan_context() -> dict:
    return _bao_cao_common() | {
        "header": _header(
            "",
            "SỞ TƯ PHÁP THÀNH PHỐ CẦN THƠ",
            "",
            "Cần Thơ, ngày 10 tháng 12 năm 2024",
            "Mẫu số 08",
        ),
        "nominee_name": "Nguyễn Thị Lan",
        "nominee_detail": "Chuyên viên Bộ phận Một cửa, Sở Tư pháp thành phố Cần Thơ",
        "general_heading": "I. SƠ LƯỢC LÝ LỊCH",
        "general": [
            "Họ và tên: Nguyễn Thị Lan. Giới tính: Nữ.",
            "Ngày, tháng, năm sinh: 12/5/1988.",
            "Chức vụ, đơn vị công tác: Chuyên viên Bộ phận Một cửa, Sở Tư pháp thành phố Cần Thơ.",
            "Trình độ chuyên môn, nghiệp vụ: Cử nhân Luật.",
        ],
        "metrics": [
            NS(label="Số hồ sơ tiếp nhận và số hóa", value="2.150"),
            NS(label="Tỷ lệ hồ sơ trả kết quả trước và đúng hạn", value="100%"),
            NS(label=TRICKY, value="0"),
        ],
        "narrative": [],
        "left_sign": NS(lines=["XÁC NHẬN CỦA THỦ TRƯỞNG ĐƠN VỊ"], name="Lê Hoàng Phúc"),
        "right_sign": NS(lines=["NGƯỜI BÁO CÁO THÀNH TÍCH"], name="Nguyễn Thị Lan"),
    }


CONTEXTS = {
    "to_trinh": to_trinh_context,
    "bien_ban": bien_ban_context,
    "bao_cao_tap_the": bao_cao_tap_the_context,
    "bao_cao_ca_nhan": bao_cao_ca_nhan_context,
}

# The variables each template reads (docs/template-context.md); the renderer must provide them.
EXPECTED_VARIABLES = {
    "to_trinh": {
        "header",
        "doc_title",
        "trich_yeu",
        "recipients_lines",
        "can_cu",
        "body",
        "request",
        "danh_sach",
        "attachments_note",
        "closing",
        "noi_nhan",
        "signer",
    },
    "bien_ban": {
        "header",
        "doc_title",
        "trich_yeu",
        "opening",
        "chair",
        "secretary",
        "attendance",
        "members",
        "content",
        "method",
        "vote_heading",
        "ratio_heading",
        "votes",
        "danh_sach",
        "conclusion",
        "closing",
        "secretary_sign",
        "chair_sign",
    },
    "bao_cao_tap_the": {
        "header",
        "doc_title",
        "award_line",
        "theme_line",
        "nominee_name",
        "general_heading",
        "general",
        "achievement_heading",
        "metrics_intro",
        "metrics",
        "narrative",
        "left_sign",
        "right_sign",
    },
}
EXPECTED_VARIABLES["bao_cao_ca_nhan"] = EXPECTED_VARIABLES["bao_cao_tap_the"] | {"nominee_detail"}

# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def jinja_env() -> jinja2.Environment:
    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)


def render(name: str, context: dict, out: Path) -> Path:
    tpl = DocxTemplate(TEMPLATES / f"{name}.docx")
    tpl.render(context, jinja_env(), autoescape=True)
    tpl.save(out)
    return out


def paragraph_texts(element) -> list[str]:
    """Text of every paragraph under ``element`` (tables included), in document order."""
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in element.iter(qn("w:p"))]


def cell_texts(row) -> list[str]:
    return [cell.text for cell in row.cells]


DANH_SACH_HEADER = [
    "STT",
    "Tên tập thể, cá nhân",
    "Chức vụ, đơn vị",
    "Hình thức khen thưởng",
    "Thành tích",
    "Số tiền thưởng (đồng)",
]


def find_table(doc, *header: str):
    """The first table whose header row starts with ``header``."""
    for table in doc.tables:
        if cell_texts(table.rows[0])[: len(header)] == list(header):
            return table
    raise AssertionError(f"no table with header {header}")


def expected_danh_sach_rows(ds) -> list[list[str]]:
    rows = []
    for r in ds.rows:
        if r.section:
            label = "TẬP THỂ" if r.stt == "I" else "CÁ NHÂN"
            rows.append([r.stt] + [label] * 5)  # the name cell spans the five other columns
        else:
            # the cell holds the position (if any) then the unit, one paragraph each
            position_unit = f"{r.position}\n{r.unit}" if r.position else r.unit
            rows.append([r.stt, r.name, position_unit, r.award, r.achievement, r.amount])
    return rows


def closing_row(doc):
    """The row of the closing block: the table whose cell holds the signature table."""
    [inner] = [t for t in doc.element.body.iter(qn("w:tbl")) if t.getparent().tag == qn("w:tc")]
    return inner.getparent().getparent()


def signature(doc, column: int) -> list[str]:
    """Paragraph texts of one column of the signature table (nested in the closing block)."""
    [inner] = [t for t in doc.element.body.iter(qn("w:tbl")) if t.getparent().tag == qn("w:tc")]
    cell = inner.findall(qn("w:tr"))[0].findall(qn("w:tc"))[column]
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in cell.findall(qn("w:p"))]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("rendered")
    return {name: render(name, CONTEXTS[name](), out / f"{name}.docx") for name in NAMES}


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


def test_templates_are_up_to_date(tmp_path):
    """The committed templates are exactly what tools/build_templates.py writes."""
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_templates.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    written = sorted(p.name for p in tmp_path.glob("*.docx"))
    assert written == sorted(p.name for p in TEMPLATES.glob("*.docx"))
    for name in written:
        fresh = (tmp_path / name).read_bytes()
        assert fresh == (TEMPLATES / name).read_bytes(), (
            f"{name} differs from a fresh build: run tools/build_templates.py"
        )


def test_summary_template_variables_match_contract():
    tpl = DocxTemplate(TEMPLATES / "bao_cao_tom_tat.docx")
    assert tpl.get_undeclared_template_variables(jinja_env()) == {
        "header", "doc_title", "award_line", "nominee_name", "nominee_detail", "narrative",
        "metrics", "left_sign", "right_sign"}


@pytest.mark.parametrize("name", NAMES)
def test_template_variables_match_contract(name):
    tpl = DocxTemplate(TEMPLATES / f"{name}.docx")
    assert tpl.get_undeclared_template_variables(jinja_env()) == EXPECTED_VARIABLES[name]


@pytest.mark.parametrize("name", NAMES)
def test_page_and_fonts(rendered, name):
    doc = Document(rendered[name])
    section = doc.sections[0]
    tolerance = Cm(0.02)
    for actual, expected in [
        (section.page_width, Cm(21)),
        (section.page_height, Cm(29.7)),
        (section.top_margin, Cm(2)),
        (section.bottom_margin, Cm(2)),
        (section.left_margin, Cm(3)),
        (section.right_margin, Cm(1.5)),
    ]:
        assert abs(actual - expected) < tolerance
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size == Pt(14)
    rfonts = normal.element.rPr.find(qn("w:rFonts"))
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        assert rfonts.get(qn(f"w:{slot}")) == "Times New Roman"
    body = doc.styles["ND30 Body"].paragraph_format
    assert body.first_line_indent == Cm(1.27)
    assert body.space_after == Pt(6)


@pytest.mark.parametrize("name", NAMES)
def test_header(rendered, name):
    doc = Document(rendered[name])
    header = CONTEXTS[name]()["header"]
    table = doc.tables[0]
    left, right = table.rows[0].cells
    assert [p.text for p in left.paragraphs if p.text] == [
        x for x in (header.superior, header.agency) if x
    ]
    assert [p.text for p in right.paragraphs if p.text] == [QUOC_HIEU, TIEU_NGU]
    assert cell_texts(table.rows[1]) == [header.so_ky_hieu, header.place_date]
    first = doc.paragraphs[0]
    if name.startswith("bao_cao"):
        assert first.text == header.form_label == "Mẫu số 08"
        assert first.style.name == "ND30 Form Label"
    else:
        # the document starts with the header table
        assert doc.element.body[0].tag == qn("w:tbl")


@pytest.mark.parametrize("name", ["to_trinh", "bien_ban"])
def test_danh_sach(rendered, name):
    doc = Document(rendered[name])
    ds = CONTEXTS[name]()["danh_sach"]
    table = find_table(doc, *DANH_SACH_HEADER)
    header = table.rows[0]
    assert cell_texts(header) == DANH_SACH_HEADER
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    # the total is the table's last row
    words = ("Tổng số tiền thưởng: 21.060.000 đồng (Bằng chữ: Hai mươi mốt triệu không trăm sáu "
             "mươi nghìn đồng).")
    assert [cell_texts(r) for r in table.rows[1:]] == expected_danh_sach_rows(ds) + [
        [f"Tổng cộng\n{words}"] * 5 + ["21.060.000"]]
    # the last awardee row keeps with the total row, which cannot split
    last, total = table.rows[-2], table.rows[-1]
    assert all(p.paragraph_format.keep_with_next for c in last.cells for p in c.paragraphs)
    assert total._tr.trPr.find(qn("w:cantSplit")) is not None
    section_runs = [r for r in table.rows[1].cells[1].paragraphs[0].runs if r.text]
    assert [(r.text, r.bold) for r in section_runs] == [("TẬP THỂ", True)]
    texts = paragraph_texts(doc.element.body)
    assert ds.title in texts and ds.subtitle in texts
    # the list follows the signed text, on a new page
    title = next(p for p in doc.paragraphs if p.text == ds.title)
    assert title.paragraph_format.page_break_before
    body = list(doc.element.body)
    assert body.index(closing_row(doc).getparent()) < body.index(title._p)


@pytest.mark.parametrize("name", NAMES)
def test_closing_and_signature_share_one_unsplittable_row(rendered, name):
    """The closing paragraph, Nơi nhận and the signature block sit in one table row that cannot
    split, so they are always on the same page."""
    doc = Document(rendered[name])
    row = closing_row(doc)
    assert row.find(qn("w:trPr")).find(qn("w:cantSplit")) is not None
    texts = paragraph_texts(row)
    ctx = CONTEXTS[name]()
    expected = {"to_trinh": [ctx.get("closing"), "Nơi nhận:"],
                "bien_ban": [ctx.get("closing"), (ctx.get("conclusion") or [""])[-1]]}.get(
        name, [(ctx.get("narrative") or [""])[-1]])
    assert all(text in texts for text in expected)


def test_to_trinh_text(rendered):
    ctx = to_trinh_context()
    doc = Document(rendered["to_trinh"])
    texts = paragraph_texts(doc.element.body)
    for expected in [
        ctx["doc_title"],
        ctx["trich_yeu"],
        "Kính gửi:",
        *ctx["recipients_lines"],
        *ctx["can_cu"],
        *ctx["body"],
        ctx["request"],
        ctx["attachments_note"],
        ctx["closing"],
    ]:
        assert expected in texts
    assert signature(doc, 0) == ["Nơi nhận:", *ctx["noi_nhan"]]
    assert signature(doc, 1) == [*ctx["signer"].lines, "", "", "", "", ctx["signer"].name]


def test_to_trinh_single_recipient_and_no_money(tmp_path):
    ctx = to_trinh_context()
    ctx["recipients"] = ctx["recipients"][:1]
    ctx["recipients_lines"] = ["Chủ tịch Ủy ban nhân dân thành phố."]
    ctx["danh_sach"].has_money = False
    del ctx["danh_sach"].total_figures, ctx["danh_sach"].total_words
    for row in ctx["danh_sach"].rows:
        if not row.section:
            row.amount = ""
    doc = Document(render("to_trinh", ctx, tmp_path / "t.docx"))
    texts = paragraph_texts(doc.element.body)
    assert "Kính gửi: Chủ tịch Ủy ban nhân dân thành phố." in texts
    assert "Kính gửi:" not in texts
    assert not any(t.startswith("Tổng cộng") for t in texts)


def test_bien_ban_text(rendered):
    ctx = bien_ban_context()
    doc = Document(rendered["bien_ban"])
    texts = paragraph_texts(doc.element.body)
    for expected in [
        ctx["doc_title"],
        ctx["trich_yeu"],
        *ctx["opening"],
        f"Chủ trì cuộc họp: {ctx['chair']}.",
        f"Thư ký cuộc họp: {ctx['secretary']}.",
        ctx["attendance"],
        *ctx["content"],
        *ctx["conclusion"],
        ctx["closing"],
        "Hình thức xét chọn: biểu quyết giơ tay; kết quả như sau:",
    ]:
        assert expected in texts
    members = find_table(doc, "STT", "Họ và tên")
    assert [cell_texts(r) for r in members.rows[1:]] == [
        [m.stt, m.name, m.role] for m in ctx["members"]
    ]
    votes = find_table(doc, "STT", "Tên tập thể, cá nhân", "Hình thức khen thưởng",
                       ctx["vote_heading"], ctx["ratio_heading"])
    assert [cell_texts(r) for r in votes.rows[1:]] == [
        [v.stt, v.name, v.award, "07/07", "100%"] for v in ctx["votes"]
    ]
    assert signature(doc, 0) == ["THƯ KÝ", "", "", "", "", "Phạm Thị Thu Hà"]
    assert signature(doc, 1) == ["CHỦ TỊCH HỘI ĐỒNG", "", "", "", "", "Trần Văn Minh"]


@pytest.mark.parametrize("name", ["bao_cao_tap_the", "bao_cao_ca_nhan"])
def test_bao_cao_text(rendered, name):
    ctx = CONTEXTS[name]()
    doc = Document(rendered[name])
    texts = paragraph_texts(doc.element.body)
    expected = [
        ctx["doc_title"],
        ctx["award_line"],
        ctx["theme_line"],
        ctx["nominee_name"],
        ctx["general_heading"],
        *ctx["general"],
        ctx["achievement_heading"],
        ctx["metrics_intro"],
        *ctx["narrative"],
    ]
    if ctx["nominee_detail"]:
        expected.append(ctx["nominee_detail"])
    for text in expected:
        assert text in texts
    positions = [texts.index(t) for t in expected[:9]]
    assert positions == sorted(positions)
    metrics = find_table(doc, "Chỉ tiêu", "Kết quả")
    assert [cell_texts(r) for r in metrics.rows[1:]] == [[m.label, m.value] for m in ctx["metrics"]]
    for column, sign in ((0, ctx["left_sign"]), (1, ctx["right_sign"])):
        assert signature(doc, column) == [*sign.lines, "", "", "", "", sign.name]


@pytest.mark.parametrize("name", NAMES)
def test_values_print_literally(rendered, name):
    """Jinja and XML in a value print as text; no template tag is left over."""
    doc = Document(rendered[name])
    texts = paragraph_texts(doc.element.body)
    assert any(TRICKY in t for t in texts)
    for text in texts:
        rest = text.replace(TRICKY, "")
        assert "{{" not in rest and "{%" not in rest and "}}" not in rest and "%}" not in rest
    if name in ("to_trinh", "bien_ban"):
        assert find_table(doc, *DANH_SACH_HEADER).rows[4].cells[1].text == TRICKY


def test_names_may_be_plain_or_rich_text(tmp_path):
    """docxtpl prints a RichText only with {{r …}} and a str only with {{ … }} (either one in
    the wrong tag is silently lost); the name cells accept both."""
    ctx = to_trinh_context()
    rows = ctx["danh_sach"].rows
    rows[0].name = "TẬP THỂ"
    rows[1].name = RichText("Sở Tư pháp", italic=True)
    doc = Document(render("to_trinh", ctx, tmp_path / "t.docx"))
    table = find_table(doc, *DANH_SACH_HEADER)
    assert table.rows[1].cells[1].text == "TẬP THỂ"
    runs = [r for r in table.rows[1].cells[1].paragraphs[0].runs if r.text]
    assert [(r.text, r.bold) for r in runs] == [("TẬP THỂ", True)]
    assert table.rows[2].cells[1].text == "Sở Tư pháp"


@pytest.mark.parametrize("name", NAMES)
def test_missing_variable_raises(tmp_path, name):
    ctx = CONTEXTS[name]()
    del ctx["header"]
    with pytest.raises(jinja2.UndefinedError):
        render(name, ctx, tmp_path / "x.docx")


def test_missing_attribute_raises(tmp_path):
    ctx = to_trinh_context()
    del ctx["danh_sach"].rows[1].achievement
    with pytest.raises(jinja2.UndefinedError, match="achievement"):
        render("to_trinh", ctx, tmp_path / "x.docx")


def test_pdf_conversion(rendered, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    from pypdf import PdfReader

    profile = (tmp_path / f"lo-profile-{uuid.uuid4().hex}").as_uri()
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation={profile}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *(str(rendered[n]) for n in NAMES),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    for name in NAMES:
        reader = PdfReader(tmp_path / f"{name}.pdf")
        assert len(reader.pages) >= 1
        box = reader.pages[0].mediabox
        assert abs(float(box.width) - 595) <= 2 and abs(float(box.height) - 842) <= 2
