"""Working days and deadline readings, on both sides of a deadline, a weekend and Tết."""

from __future__ import annotations

import datetime as dt

import pytest

from dossier.checks.findings import deadline_findings
from dossier.models import Deadline
from dossier.rules.calendar import holiday_name, is_working_day, working_days_between

from .conftest import edit_campaign


def test_tet_and_weekends_are_not_working_days():
    assert holiday_name(dt.date(2025, 1, 29)) == "Tết Nguyên Đán"
    assert not is_working_day(dt.date(2025, 1, 29))
    assert not is_working_day(dt.date(2024, 12, 29))  # a Sunday
    assert is_working_day(dt.date(2024, 12, 27))
    assert working_days_between(dt.date(2025, 1, 24), dt.date(2025, 2, 7)) == 5


def _codes(deadline: Deadline, as_of: dt.date) -> dict[str, str]:
    from dossier.campaign.load import load_campaign

    from .conftest import EXAMPLE

    campaign = load_campaign(EXAMPLE)
    campaign.deadlines = (deadline,)
    return {f.code: f.severity for f in deadline_findings(campaign, as_of)}


BEFORE_30_12 = Deadline("d", "submission", "Nộp hồ sơ", dt.date(2024, 12, 30), inclusive=False)
UNTIL_15_01 = Deadline("d", "submission", "Nộp hồ sơ", dt.date(2025, 1, 15), inclusive=True)
BEFORE_TET = Deadline("d", "submission", "Nộp hồ sơ", dt.date(2025, 1, 30), inclusive=False)


@pytest.mark.parametrize("deadline, as_of, expected", [
    (BEFORE_30_12, dt.date(2024, 11, 1), {"DEADLINE_OPEN": "info"}),
    (BEFORE_30_12, dt.date(2024, 12, 20), {"DEADLINE_SOON": "warning"}),
    (BEFORE_30_12, dt.date(2024, 12, 29), {"DEADLINE_SOON": "warning"}),
    (BEFORE_30_12, dt.date(2024, 12, 30), {"DEADLINE_PASSED": "blocking"}),
    (UNTIL_15_01, dt.date(2025, 1, 15), {"DEADLINE_SOON": "warning"}),
    (UNTIL_15_01, dt.date(2025, 1, 16), {"DEADLINE_PASSED": "blocking"}),
    (BEFORE_TET, dt.date(2025, 1, 2), {"DEADLINE_OPEN": "info"}),
    (BEFORE_TET, dt.date(2025, 1, 20), {"DEADLINE_SOON": "warning"}),
])
def test_deadline_readings(deadline, as_of, expected):
    codes = _codes(deadline, as_of)
    codes.pop("DEADLINE_NOT_WORKING_DAY", None)
    assert codes == expected


@pytest.mark.parametrize("deadline, day_off", [
    (BEFORE_30_12, "Chủ nhật"),  # last valid day 29/12/2024
    (BEFORE_TET, "Tết Nguyên Đán"),  # last valid day 29/01/2025
])
def test_last_day_off_is_warned_not_moved(deadline, day_off):
    from dossier.campaign.load import load_campaign

    from .conftest import EXAMPLE

    campaign = load_campaign(EXAMPLE)
    campaign.deadlines = (deadline,)
    [warning] = [f for f in deadline_findings(campaign, dt.date(2024, 11, 1))
                 if f.code == "DEADLINE_NOT_WORKING_DAY"]
    assert warning.severity == "warning" and day_off in warning.message


def test_registration_deadline_past_is_not_blocking(campaign_dir):
    from dossier.checks.analysis import analyse

    edit_campaign(campaign_dir, lambda d: d["deadlines"].append({
        "id": "dang-ky", "kind": "registration", "label": "Đăng ký thi đua",
        "date": "2024-10-20", "inclusive": False}))
    findings = analyse(campaign_dir, dt.date(2024, 12, 20)).findings
    passed = [f for f in findings if f.code == "DEADLINE_PASSED"]
    assert [f.severity for f in passed] == ["info"]
