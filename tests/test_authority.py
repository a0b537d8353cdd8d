"""Who decides each award (issue 15): one submission per deciding authority, the Quyết định
draft for the proposer's own head, the request to forward, the regime in force, and
organisations that no longer exist."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document

from dossier import law
from dossier.build import build
from dossier.checks.analysis import analyse
from dossier.cli.main import main
from dossier.errors import InputError
from dossier.law import authority
from dossier.review.diff import compare_folders
from dossier.vietnamese import format_amount, money_in_words

from .conftest import AS_OF, edit_campaign

QUYET_DINH = {
    "symbol": "QĐ-UBND",
    "date": "2024-12-23",
    "decider": "Chủ tịch Ủy ban nhân dân huyện Phong Điền",
    "proposed_by": "Trưởng phòng Nội vụ huyện",
    "budget": "Quỹ Thi đua, khen thưởng của huyện",
    "responsible": ["Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện",
                    "Trưởng phòng Nội vụ huyện"],
    "noi_nhan": ["Như Điều 3", "Lưu: VT, NV"],
    "signer": {"lines": ["CHỦ TỊCH"], "name": "Trần Văn A"},
}


def three_levels(data: dict) -> None:
    """A district proposes: the City's Bằng khen (collectives), the Prime Minister's Bằng khen
    (individuals) and the district Chairman's Giấy khen (two more individuals)."""
    data["proposer"]["level"] = "ubnd_huyen"
    data["quyet_dinh"] = dict(QUYET_DINH)
    individuals = data["awards"][1]
    individuals.update(form="bang_khen_thu_tuong", title="Bằng khen của Thủ tướng Chính phủ")
    data["awards"].append({**individuals, "id": "giay-khen", "form": "giay_khen",
                           "title": "Giấy khen của Chủ tịch Ủy ban nhân dân huyện",
                           "quotas": [{"group": "ca-nhan", "count": 2}], "total": 2})


@pytest.fixture
def three(campaign_dir: Path) -> Path:
    edit_campaign(campaign_dir, three_levels)
    return campaign_dir


def _text(path: Path) -> str:
    doc = Document(path)
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return " ".join(" ".join(parts).split())


def test_three_levels_give_three_submissions(three):
    analysis = analyse(three, AS_OF)
    subs = analysis.submissions
    assert [(s.id, s.mode) for s in subs] == [("chu-tich-ubnd-tinh", "propose"),
                                              ("thu-tuong", "forward"),
                                              ("chu-tich-ubnd-huyen", "decide")]
    assert [s.addressee_title for s in subs] == [
        "Chủ tịch Ủy ban nhân dân thành phố", "Chủ tịch Ủy ban nhân dân thành phố",
        "Chủ tịch Ủy ban nhân dân huyện Phong Điền"]
    assert subs[1].route.through == ("Ban Thi đua - Khen thưởng Trung ương (Bộ Nội vụ)",)
    # only the money each authority pays: 2,0 / 1,5 / 0,3 × 2.340.000 đồng
    assert [s.total for s in subs] == [3 * 4_680_000, 3 * 3_510_000, 2 * 710_000]
    assert sum(s.total for s in subs) == sum(a.amount for a in analysis.selection.awardees)
    leads = [p for p in analysis.plans if p.kind in ("to_trinh", "quyet_dinh")]
    assert [(p.submission, p.kind) for p in leads] == [
        ("chu-tich-ubnd-tinh", "to_trinh"), ("thu-tuong", "to_trinh"),
        ("chu-tich-ubnd-huyen", "quyet_dinh")]
    assert [p.amounts for p in leads] == [[(s.total, money_in_words(s.total))] for s in subs]
    for sub in subs:  # each submission has its own Biên bản (an extract) and reports
        mine = [p for p in analysis.plans if p.submission == sub.id]
        assert sum(p.kind == "bien_ban" for p in mine) == 1
        reports = {p.nominee_id for p in mine if p.kind == "bao_cao_thanh_tich"}
        assert reports == {a.nominee.id for a in sub.awardees}
    assert not [f for f in analysis.findings if f.code == "DOCUMENT_COUNT"]


def test_each_submission_says_what_its_authority_does(three, tmp_path):
    result = build(three, tmp_path / "out", AS_OF, pdf=False)
    docx = result.out / "docx"
    propose = _text(docx / "chu-tich-ubnd-tinh-01-to-trinh.docx")
    forward = _text(docx / "thu-tuong-01-to-trinh.docx")
    decide = _text(docx / "chu-tich-ubnd-huyen-01-quyet-dinh.docx")
    assert "kính trình Chủ tịch Ủy ban nhân dân thành phố xem xét, tặng Bằng khen của Chủ " \
           "tịch Ủy ban nhân dân thành phố cho 03 tập thể" in propose
    assert "Thủ tướng" not in propose and "Giấy khen" not in propose
    assert ("xem xét, trình Thủ tướng Chính phủ tặng Bằng khen của Thủ tướng Chính phủ cho 03 "
            "cá nhân") in forward
    assert "Về việc đề nghị trình Thủ tướng Chính phủ tặng" in forward
    assert "Số: 512/TTr-VP" in propose and "512/TTr-VP" not in forward  # one number each
    assert "Giấy khen" not in forward
    assert "QUYẾT ĐỊNH" in decide and "CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN PHONG ĐIỀN" in decide
    assert "Điều 1. Tặng Giấy khen của Chủ tịch Ủy ban nhân dân huyện cho 02 cá nhân" in decide
    assert (f"Tổng số tiền thưởng: {format_amount(1_420_000)} đồng (Bằng chữ: "
            f"{money_in_words(1_420_000)}), chi từ Quỹ Thi đua, khen thưởng của huyện") in decide
    assert "Điều 3. Chánh Văn phòng" in decide and "DANH SÁCH CÁ NHÂN ĐƯỢC TẶNG" in decide
    assert "Xét đề nghị của Hội đồng Thi đua - Khen thưởng" in decide
    bien_ban = _text(docx / "thu-tuong-02-bien-ban.docx")
    assert "TRÍCH BIÊN BẢN" in bien_ban
    assert "xem xét, trình Thủ tướng Chính phủ khen thưởng" in bien_ban
    for sub, total in (("chu-tich-ubnd-tinh", 14_040_000), ("thu-tuong", 10_530_000)):
        text = _text(docx / f"{sub}-01-to-trinh.docx")
        assert (f"Tổng số tiền thưởng: {format_amount(total)} đồng (Bằng chữ: "
                f"{money_in_words(total)})") in text
    manifest = json.loads((result.out / "manifest.json").read_text(encoding="utf-8"))
    entries = {s["id"]: s for s in manifest["submissions"]}
    assert list(entries) == ["chu-tich-ubnd-tinh", "thu-tuong", "chu-tich-ubnd-huyen"]
    assert entries["thu-tuong"]["mode"] == "forward"
    assert entries["chu-tich-ubnd-huyen"]["total_words"] == money_in_words(1_420_000)
    assert entries["chu-tich-ubnd-huyen"]["documents"][0] == \
        "docx/chu-tich-ubnd-huyen-01-quyet-dinh.docx"
    assert {d["submission"] for d in manifest["documents"]} == set(entries)
    report = (result.out / "selection.md").read_text(encoding="utf-8")
    assert "## Hồ sơ theo cấp quyết định" in report
    assert "Quyết định của Chủ tịch Ủy ban nhân dân huyện Phong Điền" in report


def test_check_reports_each_submission(three):
    result = CliRunner().invoke(main, ["check", str(three), "--as-of", "2024-12-20",
                                       "--format", "json"])
    [campaign] = json.loads(result.stdout)["campaigns"]
    assert [(s["id"], s["mode"], s["total_prize"]) for s in campaign["submissions"]] == [
        ("chu-tich-ubnd-tinh", "propose", 14_040_000), ("thu-tuong", "forward", 10_530_000),
        ("chu-tich-ubnd-huyen", "decide", 1_420_000)]
    text = CliRunner().invoke(main, ["check", str(three), "--as-of", "2024-12-20"]).stdout
    assert "Hồ sơ 3: Quyết định của Chủ tịch Ủy ban nhân dân huyện Phong Điền" in text


def test_diff_pairs_by_submission_kind_and_nominee(three, tmp_path):
    before = build(three, tmp_path / "a", AS_OF, pdf=False).out
    edit_campaign(three, lambda d: d["awards"].pop(0))  # no more City award
    after = build(three, tmp_path / "b", AS_OF, pdf=False).out
    docs = {(d.submission, d.kind, d.nominee_id): d.status
            for d in compare_folders(before, after).documents}
    assert docs[("chu-tich-ubnd-tinh", "to_trinh", None)] == "removed"
    assert docs[("chu-tich-ubnd-tinh", "bien_ban", None)] == "removed"
    # each Biên bản pairs with its own submission's, not by order
    assert docs[("chu-tich-ubnd-huyen", "bien_ban", None)] == "same"
    assert docs[("thu-tuong", "bien_ban", None)] == "same"
    assert docs[("chu-tich-ubnd-huyen", "quyet_dinh", None)] == "same"


def test_one_authority_keeps_one_submission(campaign_dir):
    analysis = analyse(campaign_dir, AS_OF)
    [sub] = analysis.submissions
    assert (sub.id, sub.mode) == ("chu-tich-ubnd-tinh", "propose")
    assert [p.stem for p in analysis.plans][:2] == ["01-to-trinh", "02-bien-ban"]


def test_head_deciding_needs_the_quyet_dinh_section(three):
    edit_campaign(three, lambda d: d.pop("quyet_dinh"))
    with pytest.raises(InputError) as caught:
        analyse(three, AS_OF)
    [problem] = caught.value.problems
    assert problem.column == "proposer.level" and "quyet_dinh" in problem.message


def test_unknown_level_is_bad_input(campaign_dir):
    edit_campaign(campaign_dir, lambda d: d["proposer"].__setitem__("level", "ubnd_thon"))
    result = CliRunner().invoke(main, ["check", str(campaign_dir), "--as-of", "2024-12-20"])
    assert result.exit_code == 2
    assert "proposer.level" in result.stdout and "ubnd_thon" in result.stdout


def _law_copy(tmp_path: Path, monkeypatch) -> Path:
    copy = tmp_path / "law"
    shutil.copytree(Path(law.__file__).parent, copy, ignore=shutil.ignore_patterns("*.py"))
    monkeypatch.setenv("DOSSIER_LAW_DIR", str(copy))
    return copy


def test_award_form_without_authority_is_bad_input(campaign_dir, tmp_path, monkeypatch):
    path = _law_copy(tmp_path, monkeypatch) / "regimes" / "nd-98-2023.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  bang_khen_chu_tich_tinh:")
    block_start = text.index("    decided_by:", start)
    block_end = text.index("    coefficients:", block_start)
    path.write_text(text[:block_start] + text[block_end:], encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(campaign_dir), "--as-of", "2024-12-20"])
    assert result.exit_code == 2
    assert "awards.0.form" in result.stdout and "bang_khen_chu_tich_tinh" in result.stdout
    assert "decided_by" in result.stdout and "Traceback" not in result.output


def test_routes_follow_the_law_data():
    data = authority.load_authorities()
    day = dt.date(2024, 12, 20)
    assert authority.route(data, "ubnd_huyen", ("chu_tich_ubnd_huyen",), day).mode == "decide"
    forward = authority.route(data, "ubnd_xa", ("thu_tuong",), day)
    assert forward.path == ("chu_tich_ubnd_xa", "chu_tich_ubnd_huyen", "chu_tich_ubnd_tinh",
                            "thu_tuong")
    # from 01/7/2025 a commune proposes to the province directly
    after = authority.route(data, "ubnd_xa", ("chu_tich_ubnd_tinh",), dt.date(2025, 7, 1))
    assert after.mode == "propose"
    assert authority.route(data, "co_quan_chuyen_mon_tinh", ("chu_tich_ubnd_xa",), day) is None
    for regime_id in law.available_regimes():
        for form in law.load_regime(regime_id).award_forms.values():
            graded = form.decided_by
            assert graded and graded.levels and graded.source.strip()
            assert graded.evidence in ("text", "secondary", "unconfirmed")
            assert set(graded.levels) <= set(data.authorities)


def _late(data: dict, day: str = "2025-12-01") -> None:
    data["to_trinh"]["date"] = day
    data["bien_ban"]["date"] = day


def test_replaced_regime_names_the_decree_in_force(campaign_dir):
    def plan_91(data):
        _late(data)
        data["regime"] = "nd-91-2017"
    edit_campaign(campaign_dir, plan_91)
    [finding] = [f for f in analyse(campaign_dir, AS_OF).findings if f.code == "REGIME_REPLACED"]
    assert "Nghị định số 152/2025/NĐ-CP" in finding.message
    assert "nd-" not in finding.message and "98/2023" not in finding.message


def test_regime_in_force_applies_the_decree_of_the_date(campaign_dir):
    def in_force(data):
        _late(data)
        data["regime"] = "in-force"
        data["plan"]["regime"] = "nd-98-2023"
    edit_campaign(campaign_dir, in_force)
    analysis = analyse(campaign_dir, AS_OF)
    assert analysis.campaign.regime == "nd-152-2025"
    [finding] = [f for f in analysis.findings if f.code == "REGIME_IN_FORCE"]
    assert "Kế hoạch áp dụng Nghị định số 98/2023/NĐ-CP" in finding.message
    assert "Nghị định số 152/2025/NĐ-CP" in finding.message
    can_cu = analysis.plans[0].context["can_cu"]
    assert not any("98/2023" in line for line in can_cu)
    assert any(line.startswith("Căn cứ Nghị định số 152/2025/NĐ-CP") for line in can_cu)
    result = CliRunner().invoke(main, ["build", str(campaign_dir), "--out",
                                       str(campaign_dir.parent / "out"), "--no-pdf",
                                       "--as-of", "2024-12-20"])
    assert "Chế độ áp dụng: Nghị định số 152/2025/NĐ-CP (đang có hiệu lực" in result.stdout


def test_abolished_organisations_are_named_after_the_change(campaign_dir):
    def district_after_july(data):
        three_levels(data)
        _late(data, "2025-07-15")
    edit_campaign(campaign_dir, district_after_july)
    rankings = campaign_dir / "rankings.csv"
    text = rankings.read_text(encoding="utf-8")
    first_collective = next(line for line in text.splitlines() if line.startswith("TT01,"))
    name = first_collective.split(",")[2]
    rankings.write_text(text.replace(name, "Sở Thông tin và Truyền thông", 1), encoding="utf-8")
    findings = [f for f in analyse(campaign_dir, AS_OF).findings
                if f.code == "ORGANISATION_ABOLISHED"]
    messages = " | ".join(f.message for f in findings)
    assert "cơ quan đề nghị" in messages and "cấp huyện" in messages
    assert "Sở Thông tin và Truyền thông (TT01)" in messages
    assert all(f.severity == "warning" for f in findings)


def test_before_the_change_no_warning(three):
    findings = analyse(three, AS_OF).findings
    assert not [f for f in findings if f.code == "ORGANISATION_ABOLISHED"]


def test_standing_body_proposal_precedes_the_decision(three):
    def standing(data):
        data["quyet_dinh"]["to_trinh"] = {
            "agency": "Phòng Nội vụ", "full_name": "Phòng Nội vụ huyện Phong Điền",
            "symbol": "TTr-NV", "number": 7, "date": "2024-12-21",
            "signer": {"lines": ["TRƯỞNG PHÒNG"], "name": "Lê Thị B"}}
    edit_campaign(three, standing)
    analysis = analyse(three, AS_OF)
    mine = [p for p in analysis.plans if p.submission == "chu-tich-ubnd-huyen"]
    assert [p.kind for p in mine[:2]] == ["to_trinh", "quyet_dinh"]
    proposal, decision = mine[0].context, mine[1].context
    assert proposal["recipients"] == ["Chủ tịch Ủy ban nhân dân huyện Phong Điền"]
    assert proposal["header"]["agency"] == "PHÒNG NỘI VỤ"
    assert "Phòng Nội vụ huyện Phong Điền kính trình Chủ tịch Ủy ban nhân dân huyện Phong " \
           "Điền xem xét, tặng Giấy khen" in proposal["request"]
    assert mine[0].date == dt.date(2024, 12, 21) and mine[0].amounts == mine[1].amounts
    assert "tại Tờ trình số 07/TTr-NV ngày 21/12/2024" in decision["proposal"]
    assert not [f for f in analysis.findings if f.code == "DOCUMENT_COUNT"]


def test_without_a_level_one_proposal_and_a_note(campaign_dir):
    edit_campaign(campaign_dir, lambda d: d["proposer"].pop("level"))
    analysis = analyse(campaign_dir, AS_OF)
    [sub] = analysis.submissions
    assert sub.route is None and sub.mode == "propose"
    [note] = [f for f in analysis.findings if f.code == "AUTHORITY_LEVEL_MISSING"]
    assert note.severity == "info" and "proposer.level" in note.message
