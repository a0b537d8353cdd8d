"""`dossier check` for scheduled jobs: JSON against its schema, many campaigns, exit statuses,
and the deadlines calendar."""

from __future__ import annotations

import json
import shutil

import jsonschema
import pytest
from click.testing import CliRunner
from icalendar import Calendar

from dossier.campaign.load import load_schema
from dossier.cli.main import main

from .conftest import EXAMPLE, set_cell


def _check(args: list[str]):
    result = CliRunner().invoke(main, ["check", *args, "--format", "json"])
    report = json.loads(result.output)
    jsonschema.validate(report, load_schema("check-report.schema.json"),
                        format_checker=jsonschema.FormatChecker())
    return result.exit_code, report


@pytest.mark.parametrize("as_of, status, exit_code, days_left", [
    ("2024-11-01", "warnings", 0, 58),      # open; warnings (a Sunday last day, unconfirmed figure)
    ("2024-12-29", "warnings", 0, 0),       # the last valid day itself
    ("2024-12-30", "blocked", 1, -1),       # the day the plan names is already too late
])
def test_report_matches_schema_and_reads_the_deadline(as_of, status, exit_code, days_left):
    code, report = _check([str(EXAMPLE), "--as-of", as_of])
    assert code == exit_code
    [campaign] = report["campaigns"]
    assert campaign["status"] == status == report["status"]
    [deadline] = campaign["deadlines"]
    assert deadline["last_valid_day"] == "2024-12-29" and deadline["inclusive"] is False
    assert deadline["days_left"] == days_left
    assert campaign["findings"][0]["code"].startswith("DEADLINE")  # the countdown comes first


def test_a_folder_of_campaigns_is_checked_one_by_one(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "a-good")
    shutil.copytree(EXAMPLE, tmp_path / "b-broken")
    set_cell(tmp_path / "b-broken", "TT01", "reuse_rate", "abc")
    code, report = _check([str(tmp_path), "--as-of", "2024-12-01"])
    assert code == 2  # one campaign's bad input
    good, broken = report["campaigns"]
    assert good["status"] == "warnings" and good["awardees"] == 6
    assert broken["status"] == "error"
    [error] = broken["errors"]
    assert error["row"] == 2 and error["column"] == "reuse_rate"
    assert error["file"].endswith("rankings.csv")


def test_check_writes_nothing(tmp_path):
    campaign = tmp_path / "campaign"
    shutil.copytree(EXAMPLE, campaign)
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    _check([str(campaign), "--as-of", "2024-12-01"])
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_text_output_is_grouped_and_readable():
    result = CliRunner().invoke(main, ["check", str(EXAMPLE), "--as-of", "2024-12-30"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "bị chặn" in lines[0]
    assert "DEADLINE_PASSED" in lines[1]


def test_calendar_has_every_deadline_with_reminders(tmp_path):
    out = tmp_path / "deadlines.ics"
    result = CliRunner().invoke(main, ["calendar", str(EXAMPLE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    calendar = Calendar.from_ical(out.read_bytes())
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart").isoformat() == "2024-12-29"
    assert "Văn phòng Ủy ban nhân dân thành phố" in str(event.get("summary"))
    assert "trước ngày 30 tháng 12 năm 2024" in str(event.get("description"))
    triggers = sorted(a.decoded("trigger").days for a in event.walk("VALARM"))
    assert triggers == [-14, -7, -3, -1]
    again = tmp_path / "again.ics"
    CliRunner().invoke(main, ["calendar", str(EXAMPLE), "--out", str(again)])
    assert again.read_bytes() == out.read_bytes()


def test_built_output_is_checked_against_page_limits(tmp_path):
    """A summary limited to one page, read from a build's manifest."""
    from .conftest import edit_campaign

    campaign = tmp_path / "campaign"
    shutil.copytree(EXAMPLE, campaign)
    edit_campaign(campaign, lambda d: d["documents"].append(
        {"kind": "bao_cao_tom_tat", "title": "Báo cáo tóm tắt", "per": "awardee",
         "copies": 1, "form": "chuyen_de", "max_pages": 1}))
    out = tmp_path / "out"
    out.mkdir()
    documents = [{"kind": "bao_cao_tom_tat", "nominee_id": "TT01", "pages": 2},
                 {"kind": "bao_cao_tom_tat", "nominee_id": "CN05", "pages": 1}]
    (out / "manifest.json").write_text(json.dumps({"documents": documents}), encoding="utf-8")
    code, report = _check([str(campaign), "--as-of", "2024-12-01", "--built", str(out)])
    assert code == 1
    [limit] = [f for f in report["campaigns"][0]["findings"] if f["code"] == "PAGE_LIMIT"]
    assert limit["nominees"] == ["TT01"] and "2 trang" in limit["message"]
    code, report = _check([str(campaign), "--as-of", "2024-12-01", "--built",
                           str(tmp_path / "nothing")])
    assert "NO_BUILD" in {f["code"] for f in report["campaigns"][0]["findings"]}


def test_calendar_without_out_prints_to_standard_output(tmp_path, monkeypatch):
    """No `--out`: the calendar goes to standard output, nothing is written in the folder."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["calendar", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert list(tmp_path.iterdir()) == []
    [event] = Calendar.from_ical(result.stdout_bytes).walk("VEVENT")
    assert event.decoded("dtstart").isoformat() == "2024-12-29"
    written = CliRunner().invoke(main, ["calendar", str(EXAMPLE), "--out", "lich.ics"])
    assert str(tmp_path / "lich.ics") in written.output  # says where it wrote


def test_round_option_checks_one_round():
    govap = EXAMPLE.parent / "govap-2022-2025-cds"
    _, every = _check([str(govap), "--as-of", "2025-06-16"])
    assert [c["round"] for c in every["campaigns"]] == ["so-ket-2023", "tong-ket-2025"]
    _, one = _check([str(govap), "--as-of", "2025-06-16", "--round", "tong-ket-2025"])
    assert [c["round"] for c in one["campaigns"]] == ["tong-ket-2025"]
    code, unknown = _check([str(govap), "--as-of", "2025-06-16", "--round", "nam-2024"])
    assert code == 2
    [error] = unknown["campaigns"][0]["errors"]
    assert "không có đợt 'nam-2024' (có: so-ket-2023, tong-ket-2025)" in error["message"]
    code, single = _check([str(EXAMPLE), "--as-of", "2024-12-01", "--round", "x"])
    assert code == 2 and "không chia đợt" in single["campaigns"][0]["errors"][0]["message"]


def test_check_renders_template_overrides(tmp_path):
    """A placeholder the data lacks, in an override, is found by `check`, not only by
    `build`: exit 2 with the same message."""
    from .bad_inputs.breakers import make_campaign

    root = make_campaign(tmp_path / "c", [{"template": {
        "name": "bien_ban.docx", "replace": ["{{ header.agency }}", "{{ header.agencyy }}"]}}])
    code, report = _check([str(root), "--as-of", "2024-12-01"])
    assert code == 2
    [error] = report["campaigns"][0]["errors"]
    assert error["file"].endswith("templates/bien_ban.docx")
    assert "mẫu dùng biến không có trong dữ liệu 'agencyy' (trong {{ header.agencyy }})" in (
        error["message"])
    good = make_campaign(tmp_path / "good", [{"template": {"name": "bien_ban.docx"}}])
    assert _check([str(good), "--as-of", "2024-12-01"])[0] == 0
