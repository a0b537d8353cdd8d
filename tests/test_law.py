"""The law as data: graded figures, base salaries by date, coefficients, rounding, findings by
grade, a new regime by data alone, and the shape of an office's own copy."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from dossier import law
from dossier.build import build
from dossier.checks.analysis import analyse
from dossier.errors import InputError
from dossier.law.validate import check_law_dir
from dossier.vietnamese import money_in_words

from .conftest import AS_OF, EXAMPLE, edit_campaign

LAW = Path(law.__file__).parent


@pytest.mark.parametrize("day, amount", [
    (dt.date(2019, 7, 1), 1_490_000), (dt.date(2023, 6, 30), 1_490_000),
    (dt.date(2023, 7, 1), 1_800_000), (dt.date(2024, 6, 30), 1_800_000),
    (dt.date(2024, 7, 1), 2_340_000), (dt.date(2025, 1, 5), 2_340_000),
    (dt.date(2026, 6, 30), 2_340_000), (dt.date(2026, 7, 1), 2_530_000),
])
def test_base_salary_in_force(day, amount):
    assert law.base_salary_on(day).amount == amount


@pytest.mark.parametrize("coefficient, salary, expected", [
    ("1.0", 2_340_000, 2_340_000), ("2.0", 2_340_000, 4_680_000),
    ("0.3", 2_340_000, 710_000),  # 702.000 rounded up to the next 10.000
    ("0.6", 2_340_000, 1_410_000),  # 1.404.000 → 1.410.000
    ("0.3", 1_490_000, 450_000),  # 447.000 → 450.000
    ("8.0", 1_800_000, 14_400_000),
])
def test_prize_rounds_up_to_ten_thousand(coefficient, salary, expected):
    assert law.prize_amount(Decimal(coefficient), salary) == expected


def _graded():
    for regime_id in law.available_regimes():
        regime = law.load_regime(regime_id)
        yield regime.evidence
        yield regime.prize_rule.evidence
        yield from (f.evidence for f in regime.report_forms.values())
        yield from (c.evidence for f in regime.award_forms.values()
                    for c in f.coefficients.values())
        if regime.standard_dossier:
            yield regime.standard_dossier.evidence
    yield from (s.evidence for s in law.salary_history())


def test_every_figure_has_a_grade_and_a_source():
    for evidence in _graded():
        assert evidence.grade in ("text", "secondary", "unconfirmed")
        assert evidence.source.act.strip()
        assert evidence.file and evidence.line
        if evidence.grade != "unconfirmed":
            assert evidence.read_in, f"{evidence.file}:{evidence.line}: where was it read?"
    assert law.load_regime("nd-98-2023").report_forms["chuyen_de"].number == "08"
    assert law.load_regime("nd-91-2017").report_forms["chuyen_de"].number == "07"


def _coefficient(regime_id: str, form: str, kind: str) -> law.Coefficient:
    return law.load_regime(regime_id).award_forms[form].coefficients[kind]


@pytest.mark.parametrize("form, kind, value, grade, article", [
    ("bang_khen_thu_tuong", "tap_the", "7.0", "secondary", "Điều 54"),
    ("bang_khen_chu_tich_tinh", "tap_the", "3.0", "secondary", "Điều 54"),
    ("giay_khen", "tap_the", "0.6", "secondary", "Điều 54"),
    ("co_thi_dua_tinh", "tap_the", "8.0", "secondary", "Điều 50"),
    ("bang_khen_thu_tuong", "ca_nhan", "1.5", "unconfirmed", "Điều 54"),
    ("bang_khen_chu_tich_tinh", "ca_nhan", "1.0", "unconfirmed", "Điều 54"),
    ("giay_khen", "ca_nhan", "0.3", "unconfirmed", "Điều 54"),
])
def test_nd_152_2025_figures_follow_law_sources(form, kind, value, grade, article):
    coefficient = _coefficient("nd-152-2025", form, kind)
    assert coefficient.value == Decimal(value)
    assert (coefficient.evidence.grade, coefficient.evidence.source.article) == (grade, article)


def test_grades_of_the_other_figures():
    nd152 = law.load_regime("nd-152-2025")
    assert (nd152.evidence.grade, nd152.evidence.source.article) == ("secondary", "Điều 59")
    assert (nd152.prize_rule.evidence.grade, nd152.prize_rule.evidence.source.article) == (
        "secondary", "Điều 49")
    assert nd152.in_force_from == dt.date(2025, 7, 1)
    salaries = {s.amount: s.evidence for s in law.salary_history()}
    assert salaries[2_340_000].grade == salaries[2_530_000].grade == "text"
    assert "73/2024" in salaries[2_340_000].source.act
    assert "161/2026" in salaries[2_530_000].source.act
    assert salaries[1_800_000].grade == salaries[1_490_000].grade == "unconfirmed"
    # NĐ 98/2023 and 91/2017: every coefficient unconfirmed, the doubtful ones say why
    for regime_id in ("nd-98-2023", "nd-91-2017"):
        for form in law.load_regime(regime_id).award_forms.values():
            assert {c.evidence.grade for c in form.coefficients.values()} == {"unconfirmed"}
    doubt = _coefficient("nd-98-2023", "bang_khen_chu_tich_tinh", "tap_the").evidence.note
    assert "Đáng ngờ" in doubt and "152/2025" in doubt


def _analyse_on(campaign_dir: Path, regime: str, decided: str, **kwargs):
    def change(data: dict) -> None:
        data["regime"] = regime
        data["to_trinh"]["date"] = decided
        data["to_trinh"].pop("decision_date", None)

    edit_campaign(campaign_dir, change)
    return analyse(campaign_dir, AS_OF, **kwargs)


@pytest.mark.parametrize("decided, salary", [("2026-06-30", 2_340_000),
                                             ("2026-07-15", 2_530_000)])
def test_the_decision_date_chooses_the_base_salary(campaign_dir, decided, salary):
    analysis = _analyse_on(campaign_dir, "nd-152-2025", decided)
    amounts = {a.nominee.kind: a.amount for a in analysis.selection.awardees}
    assert amounts == {"tap_the": law.prize_amount(Decimal("3.0"), salary), "ca_nhan": salary}
    text = [f.what for a in analysis.selection.awardees for f in a.figures]
    assert any(f"mức lương cơ sở {salary:,} đồng".replace(",", ".") in t for t in text)


def test_a_round_under_nd_152_2025_in_december_2025(campaign_dir, tmp_path):
    """The provincial Chairman's collective Bằng khen, decided in December 2025: 3,0 × 2.340.000,
    through a real build (one collective awardee, so the total is the prize)."""
    def change(data: dict) -> None:
        data["regime"] = "nd-152-2025"
        data["to_trinh"]["date"] = "2025-12-10"
        data["awards"] = data["awards"][:1]
        data["awards"][0]["quotas"] = data["awards"][0]["quotas"][:1]
        data["awards"][0]["total"] = 1

    edit_campaign(campaign_dir, change)
    result = build(campaign_dir, tmp_path / "out", AS_OF, pdf=False)
    [awardee] = result.analysis.selection.awardees
    assert awardee.amount == 7_020_000
    from dossier.documents.fast_verify import docx_text

    # every paragraph, the danh sách's total row included
    text = " ".join(docx_text((tmp_path / "out" / "docx" / "01-to-trinh.docx").read_bytes())
                    .split())
    assert money_in_words(7_020_000) == "Bảy triệu không trăm hai mươi nghìn đồng"
    assert ("Tổng số tiền thưởng: 7.020.000 đồng (Bằng chữ: Bảy triệu không trăm hai mươi nghìn "
            "đồng)") in text


def test_unconfirmed_figures_are_warnings_naming_figure_act_and_article():
    findings = analyse(EXAMPLE, AS_OF).findings
    unconfirmed = [f for f in findings if f.code == "FIGURE_UNCONFIRMED"]
    assert unconfirmed and all(f.severity == "warning" for f in unconfirmed)
    messages = " ".join(f.message for f in unconfirmed)
    # exactly the figures the dossier rests on: the two coefficients, the prize rule, Mẫu 08
    assert len(unconfirmed) == 4
    assert "hệ số 2,0 của Bằng khen của Chủ tịch Ủy ban nhân dân cấp tỉnh cho tập thể" in messages
    assert "hệ số 1,0 của Bằng khen của Chủ tịch Ủy ban nhân dân cấp tỉnh cho cá nhân" in messages
    assert "Mẫu số 08" in messages and "Thủ tướng" not in messages.split("Đáng ngờ")[0]
    assert all("Nghị định số 98/2023/NĐ-CP, mục 2 Chương V" in f.message or "Phụ lục I" in
               f.message for f in unconfirmed)
    assert all("Để xác nhận" in f.message for f in unconfirmed)
    collective = next(f for f in unconfirmed if "cho tập thể" in f.message)
    assert set(collective.nominees) == {"TT05", "TT01", "TT15"}
    # the base salary 2.340.000 is read in the decree's own text: no finding
    assert not any("2.340.000" in f.message for f in findings if f.code.startswith("FIGURE"))


ENGLISH = re.compile(r"\b(the|of|to|be|checked|cited|as|commonly|pending|verified)\b")


def test_legal_findings_are_in_vietnamese_only(campaign_dir):
    findings = _analyse_on(campaign_dir, "nd-152-2025", "2025-12-10").findings
    legal = [f for f in findings if f.code.startswith("FIGURE")]
    assert {f.code for f in legal} == {"FIGURE_UNCONFIRMED", "FIGURE_SECONDARY"}
    for finding in legal:
        assert not ENGLISH.search(finding.message.split(" trong /")[0]), finding.message


def test_secondary_figures_are_information_unless_text_is_required(campaign_dir):
    findings = _analyse_on(campaign_dir, "nd-152-2025", "2025-12-10").findings
    secondary = [f for f in findings if f.code == "FIGURE_SECONDARY"]
    assert secondary and {f.severity for f in secondary} == {"info"}
    assert any("hệ số 3,0" in f.message and "Điều 54" in f.message for f in secondary)
    strict = analyse(campaign_dir, AS_OF, require_evidence="text").findings
    assert {f.severity for f in strict if f.code == "FIGURE_SECONDARY"} == {"warning"}


def _law_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "law"
    shutil.copytree(LAW, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return copy


def test_new_regime_and_salary_by_data_only(campaign_dir, tmp_path, monkeypatch):
    """An office adds a regime and a base salary by editing data files: no code change."""
    law_copy = _law_copy(tmp_path)
    regime = (law_copy / "regimes" / "nd-98-2023.yaml").read_text(encoding="utf-8")
    regime = regime.replace("id: nd-98-2023", "id: nd-test-2030").replace(
        "value: 2.0", "value: 3.0").replace("value: 1.0", "value: 1.5")
    (law_copy / "regimes" / "nd-test-2030.yaml").write_text(regime, encoding="utf-8")
    with (law_copy / "base_salary.yaml").open("a", encoding="utf-8") as handle:
        handle.write("  - effective_from: 2024-12-01\n    amount: 3000000\n    evidence: text\n"
                     "    source: {act: \"Nghị định thử nghiệm\", article: \"Điều 3\"}\n"
                     "    read_in: \"bản lưu của cơ quan\"\n")
    monkeypatch.setenv("DOSSIER_LAW_DIR", str(law_copy))
    edit_campaign(campaign_dir, lambda d: d.__setitem__("regime", "nd-test-2030"))
    amounts = {a.nominee.kind: a.amount for a in analyse(campaign_dir, AS_OF).selection.awardees}
    assert amounts == {"tap_the": 9_000_000, "ca_nhan": 4_500_000}
    assert check_law_dir(law_copy)[0] == []


def test_a_missing_grade_is_an_error_naming_file_and_line(tmp_path, monkeypatch):
    law_copy = _law_copy(tmp_path)
    path = law_copy / "regimes" / "nd-152-2025.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.strip() == "evidence: secondary"
                 and lines[i - 1].strip() == "value: 7.0")
    del lines[index]
    path.write_text("".join(lines), encoding="utf-8")
    monkeypatch.setenv("DOSSIER_LAW_DIR", str(law_copy))
    with pytest.raises(InputError) as caught:
        law.load_regime("nd-152-2025")
    [problem] = caught.value.problems
    assert problem.file == str(path)
    assert problem.column == "award_forms.bang_khen_thu_tuong.coefficients.tap_the"
    assert "thiếu trường bắt buộc 'evidence'" in problem.message
    assert f"(dòng {index})" in problem.message  # the entry's first line, `value: 7.0`


def test_law_check_names_every_error(tmp_path):
    law_copy = _law_copy(tmp_path)
    regime = law_copy / "regimes" / "nd-91-2017.yaml"
    text = regime.read_text(encoding="utf-8")
    text = text.replace("evidence: unconfirmed", "evidence: maybe", 1)
    text = text.replace("        evidence: unconfirmed\n        source: {act: \"Nghị định số "
                        "91/2017/NĐ-CP\", article: \"Điều 70\"}\n",
                        "        evidence: secondary\n        source: {act: \"Nghị định số "
                        "91/2017/NĐ-CP\", article: \"Điều 70\"}\n")
    regime.write_text(text, encoding="utf-8")
    salary = law_copy / "base_salary.yaml"
    salary.write_text(salary.read_text(encoding="utf-8").replace("amount: 2530000",
                                                                 "amount: \"2.530.000\""),
                      encoding="utf-8")
    problems, _ = check_law_dir(law_copy)
    shown = [str(p) for p in problems]
    assert len(problems) == 3, shown
    assert any(p.column == "evidence" and "'maybe' không hợp lệ" in p.message
               and p.file == str(regime) for p in problems)
    assert any("read_in" in p.message and "khi evidence là text hoặc secondary" in p.message
               and p.column == "award_forms.co_thi_dua_tinh.coefficients.tap_the"
               for p in problems)
    assert any(p.file == str(salary) and p.column == "entries.3.amount" and "dòng" in p.message
               for p in problems)


def test_an_award_form_without_coefficients_is_named_in_vietnamese(tmp_path):
    law_copy = _law_copy(tmp_path)
    path = law_copy / "regimes" / "nd-152-2025.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  giay_khen:")
    path.write_text(text[:start] + "  giay_khen:\n    name: \"Giấy khen\"\n    coefficients: {}\n",
                    encoding="utf-8")
    problems, _ = check_law_dir(law_copy)
    assert [(p.column, p.message.split(" (dòng")[0]) for p in problems] == [
        ("award_forms.giay_khen.coefficients", "cần ít nhất 1 mục")]


def test_who_decides_is_graded_like_the_figures(tmp_path):
    """An award form may say who decides it (`decided_by`), graded like every figure."""
    law_copy = _law_copy(tmp_path)
    path = law_copy / "regimes" / "nd-152-2025.yaml"
    text = path.read_text(encoding="utf-8")
    block = text.index("    decided_by:\n", text.index("bang_khen_thu_tuong:"))
    read_in = text.index("      read_in:", block)
    # a secondary grade without where it was read
    text = text[:read_in] + text[text.index("\n", read_in) + 1:]
    path.write_text(text, encoding="utf-8")
    problems, _ = check_law_dir(law_copy)
    assert [p.column for p in problems] == ["award_forms.bang_khen_thu_tuong.decided_by"]
    assert "read_in" in problems[0].message


def test_old_format_is_explained(tmp_path):
    law_copy = _law_copy(tmp_path)
    path = law_copy / "base_salary.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("schema_version: 2",
                                                             "schema_version: 1"),
                    encoding="utf-8")
    problems, _ = check_law_dir(law_copy)
    assert len(problems) == 1 and "định dạng cũ" in problems[0].message
    assert "evidence" in problems[0].message


def test_regime_replaced_before_the_submission_is_a_warning(campaign_dir):
    edit_campaign(campaign_dir, lambda d: d["to_trinh"].__setitem__("date", "2025-07-15"))
    findings = analyse(campaign_dir, dt.date(2024, 12, 20)).findings
    assert [f.severity for f in findings if f.code == "REGIME_REPLACED"] == ["warning"]


def test_regimes_in_force():
    assert [r.id for r in law.regimes_in_force(dt.date(2025, 6, 30))] == ["nd-98-2023"]
    assert [r.id for r in law.regimes_in_force(dt.date(2025, 7, 1))] == ["nd-152-2025"]
    assert [r.id for r in law.regimes_in_force(dt.date(2023, 12, 31))] == ["nd-91-2017"]
