"""The command line through click's CliRunner: exit statuses, messages, JSON, hostile text."""

from __future__ import annotations

import json

import pytest
from docx import Document

from dossier.cli.main import main

from .conftest import EXAMPLE, set_cell


@pytest.mark.parametrize("text, words", [
    ("20000000", "Hai mươi triệu đồng"),
    ("20.000.000", "Hai mươi triệu đồng"),
    ("20,000,000", "Hai mươi triệu đồng"),
    ("21060000", "Hai mươi mốt triệu không trăm sáu mươi nghìn đồng"),
    ("1005", "Một nghìn không trăm linh năm đồng"),
])
def test_words(runner, text, words):
    result = runner.invoke(main, ["words", text])
    assert result.exit_code == 0
    assert result.output == words + "\n"


@pytest.mark.parametrize("text", ["abc", "20.5", "1.00.000", "", "--", "-5"])
def test_words_rejects_bad_amounts(runner, text):
    result = runner.invoke(main, ["words", "--", text] if text.startswith("-") else
                           ["words", text])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_check_json_ready_with_warnings(runner):
    result = runner.invoke(main, ["check", str(EXAMPLE), "--as-of", "2024-12-01",
                                  "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    [campaign] = report["campaigns"]
    assert campaign["status"] == "warnings" and campaign["awardees"] == 6
    codes = {f["code"] for f in campaign["findings"]}
    assert "DEADLINE_OPEN" in codes and "DEADLINE_NOT_WORKING_DAY" in codes


def test_check_strict_fails_on_warnings(runner):
    result = runner.invoke(main, ["check", str(EXAMPLE), "--as-of", "2024-12-01", "--strict"])
    assert result.exit_code == 1


@pytest.mark.parametrize("as_of, code, exit_code", [
    ("2024-12-29", "DEADLINE_SOON", 0),  # the last valid day of "trước ngày 30/12/2024"
    ("2024-12-30", "DEADLINE_PASSED", 1),  # the day named in the plan is already too late
])
def test_check_deadline_reading(runner, as_of, code, exit_code):
    result = runner.invoke(main, ["check", str(EXAMPLE), "--as-of", as_of, "--format", "json"])
    assert result.exit_code == exit_code
    findings = json.loads(result.output)["campaigns"][0]["findings"]
    assert code in {f["code"] for f in findings}
    assert any("29/12/2024" in f["message"] for f in findings)


def test_build_bad_input_exits_2_naming_file_row_column(runner, campaign_dir, tmp_path):
    set_cell(campaign_dir, "TT03", "period_files", "-4")
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(campaign_dir), "--out", str(out),
                                  "--as-of", "2024-12-20", "--no-pdf"])
    assert result.exit_code == 2
    assert "rankings.csv, dòng 4, cột period_files" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_build_blocked_exits_1_and_writes_nothing(runner, campaign_dir, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(campaign_dir), "--out", str(out),
                                  "--as-of", "2025-01-02", "--no-pdf"])
    assert result.exit_code == 1
    assert "DEADLINE_PASSED" in result.output
    assert not out.exists()


def test_build_summary(runner, campaign_dir, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(campaign_dir), "--out", str(out),
                                  "--as-of", "2024-12-20", "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert "3 tập thể, 3 cá nhân; tổng tiền thưởng 21.060.000 đồng" in result.output
    assert "Văn bản: 8" in result.output


def test_hostile_text_renders_literally(runner, campaign_dir, tmp_path):
    hostile = "Sở {{ header.agency }} {% if 1 %}x{% endif %} <w:p>&amp; & < > \x07 “Tư pháp”"
    set_cell(campaign_dir, "TT01", "name", hostile)
    (campaign_dir / "achievements" / "TT01.md").write_text(
        "Đoạn có {{ 7*7 }} và </w:t></w:r><w:r><w:t>chèn", encoding="utf-8")
    out = tmp_path / "out"
    result = runner.invoke(main, ["build", str(campaign_dir), "--out", str(out),
                                  "--as-of", "2024-12-20", "--no-pdf"])
    assert result.exit_code == 0, result.output
    expected = " ".join(hostile.replace("\x07", " ").split(" "))  # a control char is a space
    expected = expected.replace("  ", " ").replace("  ", " ")  # and runs of spaces collapse
    to_trinh = Document(out / "docx" / "01-to-trinh.docx")
    cells = [c.text for t in to_trinh.tables for row in t.rows for c in row.cells]
    assert expected in cells
    from dossier.documents.fast_verify import docx_text

    report = next((out / "docx").glob("*-bao-cao-TT01.docx"))
    paragraphs = docx_text(report.read_bytes()).split("\n")  # the closing block's too
    assert "Đoạn có {{ 7*7 }} và </w:t></w:r><w:r><w:t>chèn" in paragraphs


@pytest.mark.parametrize("options, words", [
    (["--zero-tens", "lẻ"], "Một nghìn không trăm lẻ năm đồng"),
    (["--thousand", "ngàn"], "Một ngàn không trăm linh năm đồng"),
])
def test_words_regional_variants(runner, options, words):
    result = runner.invoke(main, ["words", "1005", *options])
    assert result.exit_code == 0
    assert result.output == words + "\n"


def test_build_with_a_relative_cache_dir(runner, tmp_path, monkeypatch):
    """LibreOffice's profiles under a relative --cache-dir are passed to it as absolute URIs."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["build", str(EXAMPLE), "--out", "out", "--as-of", "2024-12-20",
                                  "--cache-dir", "cache", "-q"])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out" / "pdf").glob("*.pdf"))) == 8
    assert (tmp_path / "cache" / "libreoffice").is_dir()
