"""`dossier check` as data: one report per campaign (and per round), in the versioned shape of
dossier/schemas/check-report.schema.json, for scheduled jobs that read JSON."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from dossier.campaign.load import CAMPAIGN_FILE, chosen_rounds
from dossier.checks.analysis import Analysis, analyse
from dossier.checks.findings import page_limit_findings
from dossier.checks.templates import override_problems
from dossier.documents.layout_check import built_layout_findings
from dossier.errors import InputError, Problem
from dossier.models import Finding, Grade
from dossier.rules.authority import Submission
from dossier.vietnamese import money_in_words

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


def check_reports(paths: list[Path], as_of: dt.date, built: Path | None = None,
                  require_evidence: Grade = "secondary", round_id: str | None = None) -> dict:
    """`built`: a build's output folder, whose PDFs are checked against the plan's page limits
    (a campaign with rounds: its round sub-folders). `require_evidence`: legal figures graded
    below it are warnings. `round_id`: check only that round."""
    campaigns = []
    for path in campaign_dirs(paths):
        try:
            campaigns += _reports_for(path, as_of, built, require_evidence, round_id)
        except (RecursionError, MemoryError, ValueError, OverflowError) as exc:
            # one broken campaign never stops the others: "could not check this campaign"
            campaigns.append(_error_report(path, None, [Problem(
                str(path), f"không kiểm tra được kế hoạch này ({type(exc).__name__}: {exc})")]))
    return {"report_version": REPORT_VERSION, "as_of": as_of.isoformat(),
            "status": overall_status(campaigns), "campaigns": campaigns}


def overall_status(campaigns: list[dict]) -> str:
    statuses = {c["status"] for c in campaigns}
    for status in ("error", "blocked", "warnings"):
        if status in statuses:
            return status
    return "ready"


def _reports_for(path: Path, as_of: dt.date, built: Path | None,
                 require_evidence: Grade, round_id: str | None) -> list[dict]:
    try:
        rounds = chosen_rounds(path, round_id)
    except InputError as exc:
        return [_error_report(path, round_id, exc.problems)]
    return [_one_report(path, as_of, r, built, require_evidence) for r in rounds]


def _one_report(path: Path, as_of: dt.date, round_id: str | None, built: Path | None,
                require_evidence: Grade) -> dict:
    try:
        analysis = analyse(path, as_of, round_id, require_evidence)
        broken_templates = override_problems(analysis)  # what `build` would stop on
        if broken_templates:
            return _error_report(path, round_id, broken_templates)
        extra = _built_findings(analysis, built / round_id if built and round_id else built)
    except InputError as exc:
        return _error_report(path, round_id, exc.problems)
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
        "submissions": [_submission(s) for s in analysis.submissions],
    }


def _submission(sub: Submission) -> dict:
    """One file per deciding authority: its route, who is in it and the money it pays."""
    return {"id": sub.id, "mode": sub.mode, "decider": sub.decider,
            "decider_title": sub.decider_title, "addressee_title": sub.addressee_title,
            "label": sub.label, "awardees": len(sub.awardees),
            "tap_the": sum(1 for a in sub.awardees if a.nominee.kind == "tap_the"),
            "ca_nhan": sum(1 for a in sub.awardees if a.nominee.kind == "ca_nhan"),
            "total_prize": sub.total, "total_words": money_in_words(sub.total)}


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
    pages = built_pages(manifest_path)
    limited = [p for p in analysis.plans
               if p.max_pages and pages.get((p.kind, p.nominee_id)) is not None]
    findings = page_limit_findings(limited, [pages[(p.kind, p.nominee_id)] for p in limited])
    # the layout of every generated PDF (issue 14), matched to its plan by title and nominee
    # (the manifest was validated by built_pages)
    documents = json.loads(manifest_path.read_text(encoding="utf-8"))["documents"]
    pdfs = {(d.get("title"), d.get("nominee_id")): out / d["pdf"] for d in documents
            if isinstance(d.get("pdf"), str) and d.get("docx")}
    findings += built_layout_findings(
        analysis.plans, [pdfs.get((p.title, p.nominee_id)) for p in analysis.plans])
    if analysis.campaign.electronic_submission:
        findings += unsigned_findings(out, manifest_path)
    return findings


def unsigned_findings(out: Path, manifest_path: Path) -> list[Finding]:
    """For a campaign sent electronically: the build's PDFs that lack a digital signature
    NĐ 30/2020 expects (which ones `dossier verify` expects: `sign.folder.missing_signatures`),
    one warning naming them all."""
    # here, not at the top: the signing code loads pyHanko (0.45 s), which only the
    # campaigns sent electronically need
    from dossier.sign.folder import ROLE_NAMES, SIGNED_DIR, missing_signatures

    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    try:
        missing = missing_signatures(out, manifest)
        has_pdf = any(isinstance(d, dict) and d.get("pdf") for d in manifest["documents"])
    except (AttributeError, KeyError, TypeError, ValueError):
        # "not a manifest of dossier build (its PDFs or their signatures cannot be read)"
        raise InputError.single(manifest_path, "không phải manifest.json của dossier build "
                                "(không đọc được danh sách PDF hoặc chữ ký số)") from None
    if not has_pdf:
        # "sent electronically but the build has no PDF to sign: build without --no-pdf"
        return [Finding("UNSIGNED", "warning", "hồ sơ gửi điện tử (electronic_submission) nhưng "
                        "bản dựng không có PDF để ký số: dựng lại không dùng --no-pdf rồi chạy "
                        "dossier sign", file=str(out))]
    if not missing:
        return []
    named = "; ".join(f"{target.source} (thiếu chữ ký số của "
                      f"{', '.join(ROLE_NAMES[role] for role in roles)})"
                      for target, roles in missing)
    # "sent electronically: N PDFs lack the digital signatures NĐ 30/2020 requires: …;
    # sign them with dossier sign (the signed copies go to signed/)"
    return [Finding("UNSIGNED", "warning",
                    f"hồ sơ gửi điện tử (electronic_submission): {len(missing)} tệp PDF chưa đủ "
                    f"chữ ký số theo Nghị định 30/2020/NĐ-CP: {named}; ký bằng dossier sign "
                    f"(bản đã ký nằm trong {SIGNED_DIR}/)", file=str(out / SIGNED_DIR))]


def built_pages(manifest_path: Path) -> dict[tuple[str, str | None], int | None]:
    """The page count of each document a build's manifest lists, by (kind, nominee); a
    manifest that is not JSON, not dossier's or malformed is an InputError naming it."""
    try:
        data = json.loads(manifest_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        # "not valid JSON (damaged or cut short) at line L, column C"
        raise InputError.single(manifest_path, f"không phải JSON hợp lệ (hỏng hoặc bị cắt "
                                f"ngắn) ở dòng {exc.lineno}, cột {exc.colno}") from None
    except UnicodeDecodeError as exc:
        # "not valid JSON: not UTF-8 text (byte … at position …)"
        raise InputError.single(manifest_path, "không phải JSON hợp lệ: không phải văn bản "
                                f"UTF-8 (byte 0x{exc.object[exc.start]:02x} ở vị trí "
                                f"{exc.start})") from None
    except OSError as exc:
        # "cannot be read (reason)"
        raise InputError.single(manifest_path, f"không đọc được ({exc.strerror or exc})"
                                ) from None
    documents = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(documents, list):
        # "not a manifest of dossier build (no 'documents' list)"
        raise InputError.single(manifest_path, "không phải manifest.json của dossier build "
                                "(thiếu danh sách 'documents')")
    pages: dict[tuple[str, str | None], int | None] = {}
    for number, item in enumerate(documents, start=1):
        if not (isinstance(item, dict) and isinstance(item.get("kind"), str)
                and isinstance(item.get("nominee_id"), str | None)
                and isinstance(item.get("pages"), int | None)
                and not isinstance(item.get("pages"), bool)):
            # "document N in 'documents': 'kind', 'nominee_id' or 'pages' missing or wrong"
            raise InputError.single(manifest_path, f"văn bản thứ {number} trong 'documents': "
                                    "thiếu hoặc sai 'kind', 'nominee_id' hay 'pages'")
        pages[(item["kind"], item.get("nominee_id"))] = item.get("pages")
    return pages


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
