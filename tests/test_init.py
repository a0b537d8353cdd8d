"""`dossier init`: a skeleton that validates once its ranking is filled in."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from click.testing import CliRunner

from dossier.checks.analysis import analyse
from dossier.cli.main import main


def test_init_writes_a_skeleton_that_works_once_filled(tmp_path):
    target = tmp_path / "new-campaign"
    result = CliRunner().invoke(main, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "campaign.yaml").is_file()
    csv = pd.read_csv(target / "rankings.csv", dtype=str)
    xlsx = pd.read_excel(target / "rankings-mau.xlsx", dtype=str)
    assert list(csv.columns) == list(xlsx.columns)
    assert list(csv.columns)[:3] == ["id", "kind", "name"] and "score" in csv.columns
    rows = [{"id": f"TT{i:02d}", "kind": "Tập thể", "name": f"Đơn vị số {i}",
             "score": str(80 + i)} for i in range(1, 6)]
    rows += [{"id": f"CN{i:02d}", "kind": "Cá nhân", "name": f"Nguyễn Văn {chr(64 + i)}",
              "gender": "Nam", "score": str(85 + i)} for i in range(1, 6)]
    pd.DataFrame(rows, columns=csv.columns).to_csv(target / "rankings.csv", index=False)
    analysis = analyse(target, dt.date(2025, 12, 1))
    assert len(analysis.selection.awardees) == 6
    assert not analysis.blocking


def test_init_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "x.txt").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert "không rỗng" in result.output


def test_init_needs_no_pandas(tmp_path):
    """pandas is not a dependency: `init` writes the CSV and the XLSX template without it."""
    import subprocess
    import sys

    target = tmp_path / "new"
    code = ("import sys; sys.modules['pandas'] = None\n"  # any `import pandas` now fails
            "from dossier.cli.main import main\n"
            f"main(['init', {str(target)!r}])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    from openpyxl import load_workbook

    sheet = load_workbook(target / "rankings-mau.xlsx").active
    header = [c.value for c in sheet[1]]
    assert sheet.title == "rankings" and header[:3] == ["id", "kind", "name"]
    assert (target / "rankings.csv").read_text(encoding="utf-8") == ",".join(header) + "\n"
