"""`dossier check` as data: one report per campaign (and per round), in the versioned shape of
dossier/schemas/check-report.schema.json, for scheduled jobs that read JSON."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from dossier.campaign.load import CAMPAIGN_FILE, round_ids
from dossier.checks.analysis import Analysis, analyse
from dossier.checks.findings import page_limit_findings
from dossier.documents.layout_check import built_layout_findings
from dossier.errors import InputError, Problem
from dossier.models import Finding

REPORT_VERSION = 1
SEVERITY_ORDER = ("blocking", "warning", "info")


def campaign_dirs(paths: list[Path]) -> list[Path]:
    """Each path is a campaign, or a folder whose sub-folders are campaigns."""
    found: list[Path] = []
    for path in paths:
        if (path / CAMPAIGN_FILE).is_file() or not path.is_dir():
            found.append(path)
            continue
        children = sorted(p for p in path.iterdir() if (p / CAMPAIGN_FILE).is_file())
        found += children or [path]
    return found


def check_reports(paths: list[Path], as_of: dt.date, built: Path | None = None) -> dict:
    """`built`: a build's output folder, whose PDFs are checked against the plan's page limits
    (a campaign with rounds: its round sub-folders)."""
    campaigns = []
    for path in campaign_dirs(paths):
        campaigns += _reports_for(path, as_of, built)
    return {"report_version": REPORT_VERSION, "as_of": as_of.isoformat(),
            "status": overall_status(campaigns), "campaigns": campaigns}


def overall_status(campaigns: list[dict]) -> str:
    statuses = {c["status"] for c in campaigns}
    for status in ("error", "blocked", "warnings"):
        if status in statuses:
            return status
    return "ready"


def _reports_for(path: Path, as_of: dt.date, built: Path | None) -> list[dict]:
    try:
        rounds = round_ids(path)
    except InputError as exc:
        return [_error_report(path, None, exc.problems)]
    return [_one_report(path, as_of, round_id, built) for round_id in rounds]


def _one_report(path: Path, as_of: dt.date, round_id: str | None, built: Path | None) -> dict:
    try:
        analysis = analyse(path, as_of, round_id)
    except InputError as exc:
        return _error_report(path, round_id, exc.problems)
    extra = _built_findings(analysis, built / round_id if built and round_id else built)
    findings = sorted([*analysis.findings, *extra], key=_display_order)
    return {
        "path": str(path),
        "campaign": analysis.campaign.id,
        "round": round_id,
        "status": _status(findings),
        "awardees": len(analysis.selection.awardees),
        "deadlines": [_deadline(d, as_of) for d in analysis.campaign.deadlines],
        "errors": [],
        "findings": [_finding(f) for f in findings],
    }


def _built_findings(analysis: Analysis, out: Path | None) -> list[Finding]:
    """Page limits, read from a build's manifest (pages of the converted PDFs)."""
    if out is None:
        return []
    manifest_path = out / "manifest.json"
    if not manifest_path.is_file():
        # "no build output with a manifest at …: page limits not checked"
        return [Finding("NO_BUILD", "warning",
                        f"không có kết quả tạo hồ sơ (manifest.json) ở {out}: chưa kiểm tra "
                        "số trang", file=str(manifest_path))]
    documents = json.loads(manifest_path.read_text(encoding="utf-8"))["documents"]
    pages = {(d["kind"], d["nominee_id"]): d.get("pages") for d in documents}
    limited = [p for p in analysis.plans
               if p.max_pages and pages.get((p.kind, p.nominee_id)) is not None]
    findings = page_limit_findings(limited, [pages[(p.kind, p.nominee_id)] for p in limited])
    # the layout of every generated PDF (issue 14), matched to its plan by title and nominee
    pdfs = {(d["title"], d["nominee_id"]): out / d["pdf"] for d in documents
            if d.get("pdf") and d.get("docx")}
    return findings + built_layout_findings(
        analysis.plans, [pdfs.get((p.title, p.nominee_id)) for p in analysis.plans])


def _display_order(finding: Finding) -> tuple:
    """Deadline countdown first, then by severity."""
    return (not finding.code.startswith("DEADLINE"), SEVERITY_ORDER.index(finding.severity))


def _status(findings: list[Finding]) -> str:
    severities = {f.severity for f in findings}
    if "blocking" in severities:
        return "blocked"
    return "warnings" if "warning" in severities else "ready"


def _deadline(deadline, as_of: dt.date) -> dict:
    return {"id": deadline.id, "kind": deadline.kind, "label": deadline.label,
            "date": deadline.date.isoformat(), "inclusive": deadline.inclusive,
            "last_valid_day": deadline.last_valid_day.isoformat(),
            "days_left": (deadline.last_valid_day - as_of).days}


def _finding(finding: Finding) -> dict:
    return {"code": finding.code, "severity": finding.severity, "message": finding.message,
            "nominees": list(finding.nominees), "file": finding.file}


def _error_report(path: Path, round_id: str | None, problems: list[Problem]) -> dict:
    return {"path": str(path), "campaign": None, "round": round_id, "status": "error",
            "awardees": 0, "deadlines": [], "findings": [],
            "errors": [{"file": p.file, "row": p.row, "column": p.column, "message": p.message}
                       for p in problems]}
