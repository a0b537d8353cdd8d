"""Bad campaign files and rankings: every problem reported with file, row/line and column."""

from __future__ import annotations

import unicodedata

import pandas as pd
import pytest

from dossier.campaign.load import load_campaign
from dossier.campaign.rankings import load_rankings
from dossier.errors import InputError

from .conftest import edit_campaign, edit_rankings, set_cell


def _problems(root) -> list:
    with pytest.raises(InputError) as raised:
        load_rankings(load_campaign(root))
    return raised.value.problems


def _campaign_problems(root) -> list:
    with pytest.raises(InputError) as raised:
        load_campaign(root)
    return raised.value.problems


def test_yaml_syntax_error_names_line_and_column(campaign_dir):
    path = campaign_dir / "campaign.yaml"
    path.write_text("id: x\nname: [unclosed\nregime: nd-98-2023\n", encoding="utf-8")
    [problem] = _campaign_problems(campaign_dir)
    assert problem.file.endswith("campaign.yaml")
    assert "lỗi cú pháp YAML" in problem.message and "dòng 3" in problem.message


def test_schema_errors_are_all_reported_with_field_and_line(campaign_dir):
    def break_it(data):
        data["regime"] = "ND 98"
        data["period"]["start"] = "10/10/2024"
        del data["to_trinh"]["signer"]
    edit_campaign(campaign_dir, break_it)
    problems = _campaign_problems(campaign_dir)
    fields = {p.column for p in problems}
    assert {"regime", "period.start", "to_trinh"} <= fields
    assert all("dòng" in p.message for p in problems)


def test_unknown_regime(campaign_dir):
    edit_campaign(campaign_dir, lambda d: d.__setitem__("regime", "nd-1-1999"))
    [problem] = _campaign_problems(campaign_dir)
    assert problem.column == "regime" and "nd-98-2023" in problem.message


def test_quotas_must_add_up_to_the_plans_total(campaign_dir):
    edit_campaign(campaign_dir, lambda d: d["awards"][0].__setitem__("total", 4))
    [problem] = _campaign_problems(campaign_dir)
    assert problem.column == "awards.0.total" and "3" in problem.message


def test_references_to_unknown_groups_and_columns(campaign_dir):
    def break_it(data):
        data["awards"][0]["quotas"][0]["group"] = "nhom-9"
        data["groups"][0]["order_by"][0]["column"] = "reuse_rat"
    edit_campaign(campaign_dir, break_it)
    messages = {p.column: p.message for p in _campaign_problems(campaign_dir)}
    assert "nhom-9" in messages["awards.0.quotas.0.group"]
    assert "reuse_rat" in messages["groups.0.order_by.0.column"]


def test_submission_deadline_before_the_period(campaign_dir):
    edit_campaign(campaign_dir, lambda d: d["deadlines"][0].__setitem__("date", "2024-01-01"))
    [problem] = _campaign_problems(campaign_dir)
    assert problem.column == "deadlines.0.date"


def test_misspelt_and_missing_columns(campaign_dir):
    edit_rankings(campaign_dir, lambda f: f.rename(columns={"reuse_rate": "reuse_rat"}))
    problems = {(p.row, p.column, p.message) for p in _problems(campaign_dir)}
    assert (1, "reuse_rat", "cột không được khai báo trong campaign.yaml "
                            "(có phải 'reuse_rate'?)") in problems
    assert (1, "reuse_rate", "thiếu cột bắt buộc") in problems


def test_cell_problems_name_row_and_column_all_at_once(campaign_dir):
    set_cell(campaign_dir, "TT01", "yearly_files", "nhiều")
    set_cell(campaign_dir, "TT02", "reuse_rate", "101")
    set_cell(campaign_dir, "TT03", "digitisation_met", "Có lẽ")
    set_cell(campaign_dir, "CN01", "kind", "Người")
    set_cell(campaign_dir, "CN02", "name", "")
    problems = {(p.row, p.column): p.message for p in _problems(campaign_dir)}
    assert problems[(2, "yearly_files")] == "'nhiều' không phải số nguyên"
    assert "lớn hơn giá trị tối đa 100" in problems[(3, "reuse_rate")]
    assert "Đạt, Không đạt" in problems[(4, "digitisation_met")]
    assert "Tập thể" in next(m for (r, c), m in problems.items() if c == "kind")
    assert any(c == "name" and m == "ô trống (bắt buộc)" for (r, c), m in problems.items())


def test_duplicate_ids_and_unknown_parent(campaign_dir):
    set_cell(campaign_dir, "TT02", "id", "TT01")
    set_cell(campaign_dir, "CN01", "parent_id", "TT99")
    problems = {(p.row, p.column): p.message for p in _problems(campaign_dir)}
    assert problems[(3, "id")] == "mã 'TT01' trùng với dòng 2"
    assert "TT99" in next(m for (r, c), m in problems.items() if c == "parent_id")


def test_thousands_separators_in_whole_numbers(campaign_dir):
    set_cell(campaign_dir, "TT01", "yearly_files", "68.540")
    set_cell(campaign_dir, "TT02", "yearly_files", "24,960")
    nominees = {n.id: n for n in load_rankings(load_campaign(campaign_dir))}
    assert nominees["TT01"].get("yearly_files") == 68540
    assert nominees["TT02"].get("yearly_files") == 24960


def test_decomposed_unicode_is_normalised(campaign_dir):
    decomposed = unicodedata.normalize("NFD", "Sở Tư pháp thành phố Cần Thơ")
    set_cell(campaign_dir, "TT01", "name", decomposed)
    nominees = {n.id: n for n in load_rankings(load_campaign(campaign_dir))}
    assert nominees["TT01"].name == unicodedata.normalize("NFC", decomposed)


def test_xlsx_ranking_reads_like_csv(campaign_dir):
    frame = pd.read_csv(campaign_dir / "rankings.csv", dtype=str, keep_default_na=False)
    frame.to_excel(campaign_dir / "rankings.xlsx", index=False)
    (campaign_dir / "rankings.csv").unlink()
    nominees = load_rankings(load_campaign(campaign_dir))
    assert len(nominees) == len(frame)


def test_empty_and_header_only_files(campaign_dir):
    path = campaign_dir / "rankings.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    path.write_text("", encoding="utf-8")
    assert _problems(campaign_dir)[0].message == "tệp rỗng"
    path.write_text(header + "\n", encoding="utf-8")
    assert "không có dòng dữ liệu" in _problems(campaign_dir)[0].message
