"""`dossier law` (what the tool assumes on a date), `dossier law --check DIR`, and
`check --strict --require-evidence`, through click's CliRunner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from dossier import law
from dossier.cli.main import main

from .conftest import edit_campaign

LAW = Path(law.__file__).parent



def test_law_json_on_a_date(runner):
    result = runner.invoke(main, ["law", "--on", "2025-12-15", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["on"] == "2025-12-15"
    salary = data["base_salary"]
    assert (salary["amount"], salary["evidence"]) == (2_340_000, "text")
    assert salary["source"]["act"].startswith("Nghị định số 73/2024/NĐ-CP")
    [regime] = data["regimes"]
    assert regime["id"] == "nd-152-2025" and regime["evidence"] == "secondary"
    form = next(f for f in regime["award_forms"] if f["key"] == "bang_khen_chu_tich_tinh")
    collective = next(c for c in form["coefficients"] if c["kind"] == "tap_the")
    assert (collective["value"], collective["amount"], collective["evidence"]) == (
        3.0, 7_020_000, "secondary")
    assert collective["source"]["article"] == "Điều 54" and collective["read_in"]
    person = next(c for c in form["coefficients"] if c["kind"] == "ca_nhan")
    assert person["evidence"] == "unconfirmed" and person["note"]


def test_law_table_follows_the_date(runner):
    after = runner.invoke(main, ["law", "--on", "15/07/2026"], env={"COLUMNS": "250"})
    assert after.exit_code == 0, after.output
    assert "2.530.000 đồng/tháng" in after.output and "161/2026" in after.output
    assert "văn bản gốc" in after.output and "tài liệu thứ cấp" in after.output
    assert "7.590.000" in after.output  # 3,0 × 2.530.000
    before = runner.invoke(main, ["law", "--on", "2024-12-20"], env={"COLUMNS": "250"})
    assert "Nghị định số 98/2023/NĐ-CP" in before.output
    assert "chưa xác nhận" in before.output and "2.340.000 đồng/tháng" in before.output


def _law_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "law"
    shutil.copytree(LAW, copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return copy


def test_law_check(runner, tmp_path):
    copy = _law_copy(tmp_path)
    good = runner.invoke(main, ["law", "--check", str(copy)])
    assert good.exit_code == 0, good.output
    assert "hợp lệ" in good.output
    path = copy / "regimes" / "nd-152-2025.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    evidence: secondary\n", "", 1),
                    encoding="utf-8")
    bad = runner.invoke(main, ["law", "--check", str(copy)])
    assert bad.exit_code == 2
    assert str(path) in bad.output and "thiếu trường bắt buộc 'evidence'" in bad.output
    assert "dòng" in bad.output and "Traceback" not in bad.output
    missing = runner.invoke(main, ["law", "--check", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "regimes" in missing.output


def test_law_with_bad_data_is_exit_2(runner, tmp_path):
    copy = _law_copy(tmp_path)
    path = copy / "base_salary.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    evidence: text\n",
                                                             "    evidence: txt\n", 1),
                    encoding="utf-8")
    result = runner.invoke(main, ["law", "--on", "2025-01-01"], env={"DOSSIER_LAW_DIR": str(copy)})
    assert result.exit_code == 2
    assert f"{path}, entries.2.evidence: 'txt' không hợp lệ" in result.output
    assert "Traceback" not in result.output


def test_strict_check_requires_the_grade_asked_for(runner, campaign_dir):
    """Secondary figures (collective awards under NĐ 152/2025) are information, and warnings
    only with `--require-evidence text`, which `--strict` then fails on."""
    def change(data: dict) -> None:
        data["regime"] = "nd-152-2025"
        data["to_trinh"]["date"] = "2025-12-10"
        data["awards"] = data["awards"][:1]
        data["deadlines"][0]["date"] = "2024-12-31"  # last valid day Monday 30/12/2024

    edit_campaign(campaign_dir, change)
    args = ["check", str(campaign_dir), "--as-of", "2024-11-01", "--strict"]
    relaxed = runner.invoke(main, args)
    assert "THÔNG TIN FIGURE_SECONDARY" in relaxed.output
    assert "CẢNH BÁO FIGURE_SECONDARY" not in relaxed.output
    strict = runner.invoke(main, [*args, "--require-evidence", "text"])
    assert strict.exit_code == 1, strict.output
    assert "CẢNH BÁO FIGURE_SECONDARY" in strict.output
