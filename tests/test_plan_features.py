"""Campaign-format features the seed plans need, each on a small edit of the Cần Thơ example:
computed scores, deadline-based eligibility, overlapping groups, ranks with points, documents
for some awardees only, attachments, page limits and rounds."""

from __future__ import annotations

import datetime as dt

import pytest

from dossier.campaign.load import load_campaign, round_ids
from dossier.checks.analysis import analyse
from dossier.checks.findings import page_limit_findings
from dossier.errors import InputError

from .conftest import AS_OF, edit_campaign, edit_rankings, set_cell


def _people(analysis) -> list[str]:
    return [a.nominee.id for a in analysis.selection.awardees if a.nominee.kind == "ca_nhan"]


def test_computed_points_follow_the_plans_caps(campaign_dir):
    """Hậu Giang's rule: ratio ≥ full_at gives the maximum; below it, ratio × maximum."""
    def scoring(data):
        data["computed"] = [
            {"name": "reuse_points", "label": "Điểm khai thác", "kinds": ["tap_the"],
             "report": True,
             "rules": [{"points": {"column": "reuse_rate", "max": 60, "full_at": 90}}]},
            {"name": "total", "label": "Tổng điểm", "kinds": ["tap_the"],
             "sum": ["reuse_points", "reuse_points"]},
        ]
        data["groups"][1]["order_by"] = [{"column": "total", "direction": "desc"},
                                         {"column": "reuse_rate_2024", "direction": "desc"}]
    edit_campaign(campaign_dir, scoring)
    analysis = analyse(campaign_dir, AS_OF)
    by_id = {n.id: n for n in (a.nominee for a in analysis.selection.awardees)}
    assert by_id["TT01"].get("reuse_points") == 60.0  # 97,8% ≥ 90%
    assert by_id["TT05"].get("reuse_points") == pytest.approx(49.92)  # 83,2% × 60
    assert by_id["TT01"].get("total") == 120.0


def test_registration_deadline_makes_late_units_ineligible(campaign_dir):
    def registration(data):
        data["deadlines"].append({"id": "dang-ky", "kind": "registration", "label": "Đăng ký",
                                  "date": "2024-10-20", "inclusive": False})
        data["columns"].append({"name": "registered_on", "label": "Ngày đăng ký",
                                "type": "date", "kinds": ["tap_the"], "required": False})
        data["eligibility"]["tap_the"].append(
            {"column": "registered_on", "op": "<=", "deadline": "dang-ky",
             "rule": "Đăng ký trước ngày 20/10/2024"})
    edit_campaign(campaign_dir, registration)
    edit_rankings(campaign_dir, lambda f: f.insert(len(f.columns), "registered_on", [
        "15/10/2024" if k == "Tập thể" else "" for k in f["kind"]]))
    set_cell(campaign_dir, "TT01", "registered_on", "20/10/2024")  # the day itself: too late
    set_cell(campaign_dir, "TT05", "registered_on", "")  # never registered
    set_cell(campaign_dir, "TT15", "registered_on", "19/10/2024")  # the last valid day
    analysis = analyse(campaign_dir, AS_OF)
    reasons = {e.nominee.id: e.reason for e in analysis.selection.exclusions}
    assert "Đăng ký trước ngày 20/10/2024" in reasons["TT01"]
    assert "Đăng ký trước ngày 20/10/2024" in reasons["TT05"]
    assert "TT15" in [a.nominee.id for a in analysis.selection.awardees]


def test_overlapping_groups_give_one_award_each(campaign_dir):
    """Two awards drawn from the same group: the second takes the next nominee."""
    def second_award(data):
        extra = {**data["awards"][1], "id": "giay-khen-ca-nhan", "form": "giay_khen",
                 "title": "Giấy khen", "quotas": [{"group": "ca-nhan", "count": 2}], "total": 2}
        data["awards"].append(extra)
        data["proposer"].pop("level")  # one Tờ trình for both, as before authorities
    edit_campaign(campaign_dir, second_award)
    analysis = analyse(campaign_dir, AS_OF)
    awards = [(a.nominee.id, a.award.id) for a in analysis.selection.awardees
              if a.nominee.kind == "ca_nhan"]
    assert awards == [("CN05", "bang-khen-ca-nhan"), ("CN03", "bang-khen-ca-nhan"),
                      ("CN06", "bang-khen-ca-nhan"), ("CN02", "giay-khen-ca-nhan"),
                      ("CN34", "giay-khen-ca-nhan")]
    assert [a.amount for a in analysis.selection.awardees if a.award.id == "giay-khen-ca-nhan"
            ] == [710_000, 710_000]  # 0,3 × 2.340.000 rounded up to 10.000


def test_ranks_print_in_the_list_and_carry_points(campaign_dir):
    def ranked(data):
        data["awards"][1]["prize"] = {"source": "fixed", "amounts": [3_000_000, 2_000_000,
                                                                     1_000_000]}
        data["awards"][1]["ranks"] = [{"title": "Hạng Nhất", "points": 3},
                                      {"title": "Hạng Nhì", "points": 2},
                                      {"title": "Hạng Ba", "points": 1}]
    edit_campaign(campaign_dir, ranked)
    analysis = analyse(campaign_dir, AS_OF)
    rows = analysis.plans[0].context["danh_sach"]["rows"]
    people = [r for r in rows if not r["section"]][3:]
    assert [r["award"] for r in people] == [
        "Bằng khen của Chủ tịch Ủy ban nhân dân thành phố (Hạng Nhất)",
        "Bằng khen của Chủ tịch Ủy ban nhân dân thành phố (Hạng Nhì)",
        "Bằng khen của Chủ tịch Ủy ban nhân dân thành phố (Hạng Ba)"]
    assert [r["amount"] for r in people] == ["3.000.000", "2.000.000", "1.000.000"]


def test_documents_for_some_awardees_and_attachments(campaign_dir):
    def documents(data):
        data["documents"].append({"kind": "bao_cao_tom_tat", "title": "Báo cáo tóm tắt",
                                  "per": "awardee", "copies": 1, "form": "chuyen_de",
                                  "max_pages": 1, "awards": ["bang-khen-ca-nhan"]})
        data["documents"].append({"id": "thue", "kind": "attachment", "title": "Xác nhận thuế",
                                  "per": "awardee", "copies": 1, "file": "attachments/{id}.pdf",
                                  "when": [{"column": "unit_type", "op": "=",
                                            "value": "Cơ quan chuyên môn"}]})
    edit_campaign(campaign_dir, documents)
    analysis = analyse(campaign_dir, AS_OF)
    summaries = [p.nominee_id for p in analysis.plans if p.kind == "bao_cao_tom_tat"]
    assert summaries == ["CN05", "CN03", "CN06"]
    attachments = [p for p in analysis.plans if p.kind == "attachment"]
    assert [p.nominee_id for p in attachments] == ["TT05", "TT01", "TT15"]
    missing = [f for f in analysis.blocking if f.code == "ATTACHMENT_MISSING"]
    assert len(missing) == 3 and "TT05.pdf" in missing[0].message
    (campaign_dir / "attachments").mkdir(exist_ok=True)
    (campaign_dir / "attachments" / "TT05.pdf").write_bytes(b"")
    (campaign_dir / "attachments" / "TT01.pdf").write_bytes(b"PK\x03\x04 not a pdf")
    codes = {f.nominees[0]: f.code for f in analyse(campaign_dir, AS_OF).blocking}
    assert codes["TT05"] == "ATTACHMENT_INVALID" and codes["TT01"] == "ATTACHMENT_INVALID"
    assert codes["TT15"] == "ATTACHMENT_MISSING"


def test_page_limit_names_the_document(campaign_dir):
    def summary(data):
        data["documents"].append({"kind": "bao_cao_tom_tat", "title": "Báo cáo tóm tắt",
                                  "per": "awardee", "copies": 1, "form": "chuyen_de",
                                  "max_pages": 1})
    edit_campaign(campaign_dir, summary)
    plans = [p for p in analyse(campaign_dir, AS_OF).plans if p.kind == "bao_cao_tom_tat"]
    pages = [1] * len(plans)
    pages[2] = 2
    [finding] = page_limit_findings(plans, pages)
    assert finding.severity == "blocking" and finding.nominees == ("TT15",)
    assert "2 trang, vượt giới hạn 1 trang A4" in finding.message


def test_rounds_overlay_their_fields(campaign_dir):
    def two_rounds(data):
        first = {"id": "dot-1", "name": "Đợt 1", "to_trinh": {**data["to_trinh"], "number": 1}}
        second = {"id": "dot-2", "name": "Đợt 2", "ranking": "rankings-2.csv",
                  "awards": [data["awards"][1]]}
        data["rounds"] = [first, second]
    edit_campaign(campaign_dir, two_rounds)
    (campaign_dir / "rankings-2.csv").write_bytes((campaign_dir / "rankings.csv").read_bytes())
    assert round_ids(campaign_dir) == ["dot-1", "dot-2"]
    first = load_campaign(campaign_dir, "dot-1")
    assert first.to_trinh["number"] == 1 and len(first.awards) == 2
    second = analyse(campaign_dir, AS_OF, "dot-2")
    assert second.campaign.round_name == "Đợt 2"
    assert [a.nominee.kind for a in second.selection.awardees] == ["ca_nhan"] * 3
    with pytest.raises(InputError) as raised:
        load_campaign(campaign_dir, "dot-9")
    assert "dot-1, dot-2" in raised.value.problems[0].message


def test_round_field_errors_point_into_the_round(campaign_dir):
    def bad_round(data):
        data["rounds"] = [{"id": "dot-1", "name": "Đợt 1",
                           "awards": [{**data["awards"][0], "total": 5}]}]
    edit_campaign(campaign_dir, bad_round)
    with pytest.raises(InputError) as raised:
        load_campaign(campaign_dir, "dot-1")
    [problem] = raised.value.problems
    assert problem.column == "rounds.0.awards.0.total"
    assert "total: 5" in _line_of(campaign_dir, problem)


def _line_of(campaign_dir, problem) -> str:
    lines = (campaign_dir / "campaign.yaml").read_text(encoding="utf-8").splitlines()
    return lines[int(problem.message.rsplit("dòng ", 1)[1].rstrip(")")) - 1]


def test_round_schema_errors_name_the_rounds_line_once(campaign_dir):
    """A misspelt or invalid field inside a round points to its own line (not the top of the
    file), once; another round's problems belong to that round."""
    def bad_rounds(data):
        awards = [{**data["awards"][0], "title": ""}]  # too short: checked inside the round
        data["rounds"] = [{"id": "dot-1", "name": "Đợt 1", "awardz": 3, "awards": awards},
                          {"id": "dot-2", "name": "Đợt 2", "period": {"start": "x"}}]
    edit_campaign(campaign_dir, bad_rounds)
    with pytest.raises(InputError) as raised:
        load_campaign(campaign_dir, "dot-1")
    problems = {p.column: p for p in raised.value.problems}
    assert set(problems) == {"rounds.0", "rounds.0.awards.0.title"}
    assert "'awardz' (có phải 'awards'?)" in problems["rounds.0"].message
    assert "awardz: 3" in _line_of(campaign_dir, problems["rounds.0"])
    assert "title: ''" in _line_of(campaign_dir, problems["rounds.0.awards.0.title"])
    with pytest.raises(InputError) as raised:
        load_campaign(campaign_dir, "dot-2")
    assert {p.column for p in raised.value.problems} == {"rounds.1.period",
                                                         "rounds.1.period.start"}


def test_every_top_level_field_but_a_rounds_own_is_replaceable_and_documented():
    from dossier.campaign.load import load_schema

    schema = load_schema("campaign.schema.json")
    own = {"schema_version", "id", "name", "rounds", "ranking"}
    listed = schema["properties"]["rounds"]["items"]["properties"]
    assert set(schema["properties"]) - own <= set(listed)
    assert all(listed[k]["$ref"] == f"#/properties/{k}" for k in set(listed) - {"id", "name",
                                                                               "ranking"})


def test_no_deadline_in_the_plan_is_said(campaign_dir):
    edit_campaign(campaign_dir, lambda d: d.__setitem__("deadlines", []))
    codes = [f.code for f in analyse(campaign_dir, dt.date(2030, 1, 1)).findings]
    assert "NO_DEADLINE" in codes and "DEADLINE_PASSED" not in codes


def test_a_plan_without_documents_uses_the_regimes_standard_dossier(campaign_dir, tmp_path):
    """KH 140 lists no dossier documents: the regime's standard dossier applies, and `check`
    says so; nothing has to be invented."""
    from dossier.build import build

    edit_campaign(campaign_dir, lambda d: d.pop("documents"))
    analysis = analyse(campaign_dir, AS_OF)
    assert [d.kind for d in analysis.campaign.documents] == [
        "to_trinh", "bien_ban", "bao_cao_thanh_tich"]
    [finding] = [f for f in analysis.findings if f.code == "DOCUMENTS_FROM_REGIME"]
    assert finding.severity == "info"
    assert finding.message.startswith("Kế hoạch không quy định thành phần hồ sơ; dùng thành "
                                      "phần hồ sơ theo Nghị định số 98/2023/NĐ-CP: Tờ trình")
    assert "Mẫu số 08" in finding.message
    reports = [p for p in analysis.plans if p.kind == "bao_cao_thanh_tich"]
    assert len(reports) == len(analysis.selection.awardees) == 6
    result = build(campaign_dir, tmp_path / "out", AS_OF, pdf=False, cache=None)
    assert result.documents == 8


def test_a_plan_with_documents_gets_no_standard_dossier_finding(campaign_dir):
    codes = {f.code for f in analyse(campaign_dir, AS_OF).findings}
    assert "DOCUMENTS_FROM_REGIME" not in codes


def test_files_named_after_the_unit_or_nearly_by_id_are_named(campaign_dir):
    """Narratives and attachments are keyed by id: a file named after the unit, or with the
    id in another case or extension, is not read, and `check` says which file it should be."""
    def attachment(data):
        data["documents"].append({"id": "thue", "kind": "attachment", "title": "Xác nhận thuế",
                                  "per": "awardee", "copies": 1,
                                  "file": "attachments/{id}-thue.pdf",
                                  "when": [{"column": "unit_type", "op": "=",
                                            "value": "Cơ quan chuyên môn"}]})
    edit_campaign(campaign_dir, attachment)
    narratives = campaign_dir / "achievements"
    (narratives / "TT05.md").rename(narratives / "Sở Giao thông vận tải.md")
    (narratives / "TT01.md").rename(narratives / "tt01.MD")
    (narratives / "CN03.md").rename(narratives / "CN03.docx")
    (narratives / "ghi-chu.md").write_text("việc của văn phòng", encoding="utf-8")
    (campaign_dir / "attachments").mkdir(exist_ok=True)
    (campaign_dir / "attachments" / "TT15 - thue.pdf").write_bytes(b"%PDF-1.4")
    messages = {f.file.rsplit("/", 1)[1]: f.message for f in analyse(campaign_dir, AS_OF).findings
                if f.code == "FILE_NOT_USED"}
    assert messages == {
        "Sở Giao thông vận tải.md": "achievements/Sở Giao thông vận tải.md: tên tệp không phải "
        "mã nên không được dùng (tệp đặt tên theo mã); có phải của Sở Giao thông vận tải thành "
        "phố Cần Thơ (TT05)? Đổi tên thành achievements/TT05.md",
        "tt01.MD": "achievements/tt01.MD: tên tệp không phải mã nên không được dùng (tệp đặt "
        "tên theo mã); có phải của Sở Tư pháp thành phố Cần Thơ (TT01)? Đổi tên thành "
        "achievements/TT01.md",
        "CN03.docx": "achievements/CN03.docx: tên tệp không phải mã nên không được dùng (tệp "
        "đặt tên theo mã); có phải của Lê Thị Mỹ Duyên (CN03)? Đổi tên thành "
        "achievements/CN03.md và lưu nội dung dạng văn bản thuần (UTF-8), không phải tệp "
        "Word/PDF",
        "TT15 - thue.pdf": "attachments/TT15 - thue.pdf: tên tệp không phải mã nên không được "
        "dùng (tệp đặt tên theo mã); có phải của Sở Khoa học và Công nghệ thành phố Cần Thơ "
        "(TT15)? Đổi tên thành attachments/TT15-thue.pdf",
    }
