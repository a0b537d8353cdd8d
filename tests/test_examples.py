"""Every seed plan's example builds end to end (real LibreOffice), and what makes each plan
special shows in its documents."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from dossier.build import BuildResult, build_rounds

from .conftest import ROOT

EXAMPLES = ROOT / "examples"
BUILD_DAYS = {
    "cantho-2024-so-hoa": dt.date(2024, 12, 20),
    "cantho-2024-tthc": dt.date(2025, 1, 9),
    "haugiang-2023-dvctt": dt.date(2024, 1, 15),
    "govap-2022-2025-cds": dt.date(2025, 6, 16),
}


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, list[BuildResult]]:
    out = tmp_path_factory.mktemp("examples")
    return {name: build_rounds(EXAMPLES / name, out / name, day)
            for name, day in BUILD_DAYS.items()}


def _manifest(result: BuildResult) -> dict:
    return json.loads((result.out / "manifest.json").read_text(encoding="utf-8"))


def _text(path: Path) -> str:
    doc = Document(path)
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return " ".join(" ".join(parts).split())


@pytest.mark.parametrize("name", sorted(BUILD_DAYS))
def test_every_example_builds_with_a_complete_bundle(builds, name):
    for result in builds[name]:
        manifest = _manifest(result)
        assert all(d["pages"] >= 1 for d in manifest["documents"])
        for entry in manifest["submissions"]:  # one bundle per deciding authority
            bundle = PdfReader(result.out / entry["bundle"]["path"])
            assert len(bundle.pages) == entry["bundle"]["pages"] > 0
            titles = [d["title"] for d in manifest["documents"]
                      if d["submission"] == entry["id"]]
            assert [o.title for o in bundle.outline] == titles
        if len(manifest["submissions"]) == 1:  # the manifest keys of one submission
            assert manifest["bundle"] == manifest["submissions"][0]["bundle"]


@pytest.mark.parametrize("name", ["cantho-2024-tthc", "haugiang-2023-dvctt"])
def test_one_authority_one_submission(builds, name):
    [result] = builds[name]
    [entry] = _manifest(result)["submissions"]
    assert entry["mode"] == "propose" and entry["decider"] == "chu_tich_ubnd_tinh"
    assert result.bundle == result.out / f"{name}-ho-so.pdf"
    assert (result.out / "docx" / "01-to-trinh.docx").is_file()


def test_govap_one_submission_per_deciding_authority(builds):
    so_ket, tong_ket = builds["govap-2022-2025-cds"]
    expected = [
        (so_ket, [("chu-tich-ubnd-tinh", "propose", 16_200_000),
                  ("chu-tich-ubnd-huyen", "decide", 8_640_000)]),
        (tong_ket, [("chu-tich-ubnd-tinh", "propose", 46_800_000),
                    ("thu-tuong", "forward", 7_020_000),
                    ("chu-tich-ubnd-huyen", "decide", 12_720_000)]),
    ]
    for result, submissions in expected:
        manifest = _manifest(result)
        assert [(s["id"], s["mode"], s["total_prize"]) for s in manifest["submissions"]] == \
            submissions
        assert sum(s["total_prize"] for s in manifest["submissions"]) == manifest["total_prize"]
        docx = result.out / "docx"
        city = _text(docx / "chu-tich-ubnd-tinh-01-to-trinh.docx")
        assert "Giấy khen" not in city and "Thủ tướng" not in city
        standing = _text(docx / "chu-tich-ubnd-huyen-01-to-trinh.docx")
        assert "Kính gửi: Chủ tịch Ủy ban nhân dân quận Gò Vấp." in standing
        decision = _text(docx / "chu-tich-ubnd-huyen-02-quyet-dinh.docx")
        assert "CHỦ TỊCH ỦY BAN NHÂN DÂN QUẬN GÒ VẤP" in decision
        assert "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân quận cho" in decision
        assert "Bằng khen" not in decision
    forward = _text(tong_ket.out / "docx" / "thu-tuong-01-to-trinh.docx")
    assert "Số: 1876/TTr-UBND" in forward
    assert "kính trình Chủ tịch Ủy ban nhân dân Thành phố xem xét, trình Thủ tướng Chính phủ " \
           "tặng Bằng khen của Thủ tướng Chính phủ cho 01 tập thể" in forward


LAYOUT_CODES = {"SIGNATURE_SPLIT", "LONE_PAGE", "NAME_BROKEN", "TEXT_OUTSIDE_MARGIN"}


@pytest.mark.parametrize("name", sorted(BUILD_DAYS))
def test_every_example_passes_the_layout_check(builds, name):
    """Read back as an officer would (issue 14): no split signature, no page holding only a
    total or a signature, no name broken inside a name, nothing outside the margins."""
    from dossier.documents.layout_check import built_layout_findings

    for result in builds[name]:
        manifest = _manifest(result)
        pdfs = [result.out / d["pdf"] if d.get("docx") else None for d in manifest["documents"]]
        findings = built_layout_findings(result.analysis.plans, pdfs)
        assert not [f.message for f in findings if f.code in LAYOUT_CODES]


def test_tthc_blocks_registration_and_parents(builds):
    [result] = builds["cantho-2024-tthc"]
    awardees = result.analysis.selection.awardees
    assert sum(a.nominee.kind == "tap_the" for a in awardees) == 10
    assert sum(a.nominee.kind == "ca_nhan" for a in awardees) == 10
    collectives = {a.nominee.id for a in awardees if a.nominee.kind == "tap_the"}
    assert all(a.nominee.get("parent_id") in collectives
               for a in awardees if a.nominee.kind == "ca_nhan")
    report = (result.out / "selection.md").read_text(encoding="utf-8")
    assert "Không thuộc nhóm nào" in report and "TT41" in report  # exactly 2.000 files
    assert "trước ngày 15/4/2024" in report  # late or missing registration, by name
    assert "TT03" not in collectives


def test_haugiang_ranks_fixed_prizes_and_district_cap(builds):
    [result] = builds["haugiang-2023-dvctt"]
    districts = [a for a in result.analysis.selection.awardees
                 if a.award.id == "bang-khen-cap-huyen"]
    assert [a.amount for a in districts] == [20_000_000, 15_000_000, 10_000_000]
    text = _text(result.out / "docx" / "01-to-trinh.docx")
    assert "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh (Hạng Nhất)" in text
    assert "20.000.000" in text
    communes = [a.nominee.get("district") for a in result.analysis.selection.awardees
                if a.award.id == "bang-khen-cap-xa"]
    assert len(communes) == 7 and max(communes.count(d) for d in communes) <= 2
    people = [a.nominee.get("district") for a in result.analysis.selection.awardees
              if a.nominee.kind == "ca_nhan"]
    assert len(people) == 16 and people.count("huyện Phụng Hiệp") == 3
    assert people.count("thành phố Ngã Bảy") == 1
    report = (result.out / "selection.md").read_text(encoding="utf-8")
    assert "cộng 3 điểm thi đua" in report
    # the report's place is the unit's own, its signature the head's block (issue 14)
    [vi_thanh] = [d for d in _manifest(result)["documents"] if d["nominee_id"] == "TT01"]
    from dossier.documents.fast_verify import docx_text

    report_text = " ".join(docx_text((result.out / vi_thanh["docx"]).read_bytes()).split())
    assert "Vị Thanh, ngày 05 tháng 01 năm 2024" in report_text
    assert "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH" in report_text


def test_govap_rounds_summaries_state_report_and_tax_attachments(builds):
    so_ket, tong_ket = builds["govap-2022-2025-cds"]
    assert so_ket.out.name == "so-ket-2023" and tong_ket.out.name == "tong-ket-2025"
    manifest = _manifest(tong_ket)
    kinds = [d["kind"] for d in manifest["documents"]]
    assert kinds[:2] == ["to_trinh", "bien_ban"]
    assert manifest["bundle"] is None  # three submissions: three bundles
    summaries = [d for d in manifest["documents"] if d["kind"] == "bao_cao_tom_tat"]
    assert summaries and all(d["pages"] == 1 for d in summaries)
    [state] = [d for d in manifest["documents"] if d["kind"] == "bao_cao_thanh_tich"]
    assert "Mẫu số 07" in _text(tong_ket.out / state["docx"])
    attachments = [d for d in manifest["documents"] if d["kind"] == "attachment"]
    assert {d["nominee_id"] for d in attachments} == {"TT50", "TT51", "CN17", "CN22"}
    for entry in attachments:
        source = EXAMPLES / "govap-2022-2025-cds" / "attachments" / (
            f"{entry['nominee_id']}-xac-nhan-thue.pdf")
        assert (tong_ket.out / entry["pdf"]).read_bytes() == source.read_bytes()
    bundle_path = tong_ket.bundles["chu-tich-ubnd-huyen"]
    # named by round and submission
    assert bundle_path.name == "govap-2022-2025-cds-tong-ket-2025-chu-tich-ubnd-huyen-ho-so.pdf"
    bundle = PdfReader(bundle_path)
    titles = [o.title for o in bundle.outline]
    assert titles[:2] == ["Tờ trình của Phòng Nội vụ quận Gò Vấp", "Quyết định khen thưởng"]
    assert titles[-1].startswith("Xác nhận của cơ quan quản lý thuế")
    assert manifest["round"] == "tong-ket-2025"
    codes = {f["code"] for f in manifest["findings"]}
    assert "REGIME_REPLACED" in codes  # NĐ 91/2017 named by the plan, replaced on 01/01/2024


def test_a_summary_over_one_page_is_named_and_nothing_is_written(tmp_path):
    import shutil

    from dossier.build import BlockingFindings

    campaign = tmp_path / "govap"
    shutil.copytree(EXAMPLES / "govap-2022-2025-cds", campaign)
    paragraph = ("Phường triển khai đồng bộ các nền tảng số, hướng dẫn người dân sử dụng dịch vụ "
                 "công trực tuyến và thanh toán không dùng tiền mặt tại từng khu phố. ") * 12
    (campaign / "achievements" / "TT26.tom-tat.md").write_text(
        "\n\n".join([paragraph] * 4), encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(BlockingFindings) as raised:
        build_rounds(campaign, out, BUILD_DAYS["govap-2022-2025-cds"], "tong-ket-2025")
    [finding] = raised.value.findings
    assert finding.code == "PAGE_LIMIT" and finding.nominees == ("TT26",)
    assert "Ủy ban nhân dân Phường 10" in finding.message
    assert not (out / "tong-ket-2025").exists()


def _render_images_tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location("render_images",
                                                  ROOT / "tools" / "render_images.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(BUILD_DAYS))
def test_pages_break_where_the_committed_expectation_says(builds, name):
    """The first line of every page of each pictured document (docs/img/) matches
    tests/layout_expectations.json: a template change that moves a signature or the list to
    another page fails here. Regenerate both with `python tools/render_images.py --layout
    tests/layout_expectations.json` after looking at the new pages."""
    from dossier.documents.layout_check import page_outline

    tool = _render_images_tool()
    expected = json.loads((ROOT / "tests" / "layout_expectations.json").read_text("utf-8"))
    for result in builds[name]:
        round_id = result.analysis.campaign.round_id
        label = name + (f"-{round_id}" if round_id else "")
        documents = tool.picture_documents(_manifest(result))
        assert {kind: page_outline(result.out / d["pdf"]) for kind, d in documents.items()} == (
            expected[label])
