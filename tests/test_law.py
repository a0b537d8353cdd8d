"""The law as data: base salaries, coefficients, rounding, and a new regime by data alone."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from dossier import law
from dossier.checks.analysis import analyse

from .conftest import AS_OF, edit_campaign


@pytest.mark.parametrize("day, amount", [
    (dt.date(2019, 7, 1), 1_490_000), (dt.date(2023, 6, 30), 1_490_000),
    (dt.date(2023, 7, 1), 1_800_000), (dt.date(2024, 6, 30), 1_800_000),
    (dt.date(2024, 7, 1), 2_340_000), (dt.date(2025, 1, 5), 2_340_000),
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


def test_every_figure_cites_its_source():
    for regime_id in law.available_regimes():
        regime = law.load_regime(regime_id)
        for item in (*regime.award_forms.values(), *regime.report_forms.values()):
            assert item.source.strip()
    assert law.load_regime("nd-98-2023").report_forms["chuyen_de"].number == "08"
    assert law.load_regime("nd-91-2017").report_forms["chuyen_de"].number == "07"


def test_new_regime_and_salary_by_data_only(campaign_dir, tmp_path, monkeypatch):
    """An office adds a regime and a base salary by editing data files: no code change."""
    law_copy = tmp_path / "law"
    shutil.copytree(Path(law.__file__).parent, law_copy, ignore=shutil.ignore_patterns("*.py"))
    regime = (law_copy / "regimes" / "nd-98-2023.yaml").read_text(encoding="utf-8")
    regime = regime.replace("id: nd-98-2023", "id: nd-test-2030").replace(
        "coefficients: {ca_nhan: 1.0, tap_the: 2.0}", "coefficients: {ca_nhan: 1.5, tap_the: 3.0}")
    (law_copy / "regimes" / "nd-test-2030.yaml").write_text(regime, encoding="utf-8")
    with (law_copy / "base_salary.yaml").open("a", encoding="utf-8") as handle:
        handle.write("  - effective_from: 2024-12-01\n    amount: 3000000\n"
                     "    source: \"Fixture salary for a test\"\n    verified: true\n")
    monkeypatch.setenv("DOSSIER_LAW_DIR", str(law_copy))
    edit_campaign(campaign_dir, lambda d: d.__setitem__("regime", "nd-test-2030"))
    amounts = {a.nominee.kind: a.amount for a in analyse(campaign_dir, AS_OF).selection.awardees}
    assert amounts == {"tap_the": 9_000_000, "ca_nhan": 4_500_000}


def test_unverified_figures_are_reported():
    from .conftest import EXAMPLE

    findings = analyse(EXAMPLE, AS_OF).findings
    unverified = [f for f in findings if f.code == "UNVERIFIED_FIGURE"]
    assert unverified and all(f.severity == "warning" for f in unverified)


def test_regime_replaced_before_the_submission_is_a_warning(campaign_dir):
    edit_campaign(campaign_dir, lambda d: d["to_trinh"].__setitem__("date", "2025-07-15"))
    findings = analyse(campaign_dir, dt.date(2024, 12, 20)).findings
    assert [f.severity for f in findings if f.code == "REGIME_REPLACED"] == ["warning"]
