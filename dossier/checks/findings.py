"""Every rule that `check` and `build` enforce, as data-driven findings.

A finding has a code, a severity (blocking / warning / info) and a Vietnamese message. Blocking
findings stop a build before anything is written.
"""

from __future__ import annotations

import datetime as dt

from dossier import law
from dossier.campaign.attachments import validate_pdf
from dossier.campaign.narratives import narrative_file, near_misses
from dossier.documents.context import DocumentPlan, applies_to
from dossier.documents.verify import words_agree
from dossier.models import Campaign, Deadline, Finding, Selection
from dossier.rules.calendar import is_working_day, why_not_working, working_days_between
from dossier.vietnamese import date_short

DEADLINE_WINDOW_WORKING_DAYS = 10


def deadline_findings(campaign: Campaign, as_of: dt.date,
                      window: int = DEADLINE_WINDOW_WORKING_DAYS) -> list[Finding]:
    findings = []
    if not any(d.kind == "submission" for d in campaign.deadlines):
        # "the plan sets no submission deadline"
        findings.append(Finding("NO_DEADLINE", "info", "Kế hoạch không quy định hạn nộp hồ sơ"))
    for deadline in campaign.deadlines:
        findings += _one_deadline(deadline, as_of, window)
    return findings


def _reading(deadline: Deadline) -> str:
    wording = deadline.wording or f"ngày {date_short(deadline.date)}"
    rule = "tính cả ngày đó" if deadline.inclusive else "không tính ngày đó"
    return f"{wording} ({rule}; ngày cuối cùng hợp lệ: {date_short(deadline.last_valid_day)})"


def _one_deadline(deadline: Deadline, as_of: dt.date, window: int) -> list[Finding]:
    last = deadline.last_valid_day
    reading = _reading(deadline)
    findings = []
    if not is_working_day(last):
        findings.append(Finding(
            "DEADLINE_NOT_WORKING_DAY", "warning",
            f"{deadline.label}: ngày cuối cùng hợp lệ {date_short(last)} là "
            f"{why_not_working(last)}; hạn không được lùi – {reading}"))
    if as_of > last:
        severity = "blocking" if deadline.kind == "submission" else "info"
        findings.append(Finding("DEADLINE_PASSED", severity,
                                f"{deadline.label}: đã quá hạn {reading}"))  # deadline passed
        return findings
    days = (last - as_of).days
    working = working_days_between(as_of, last) + is_working_day(as_of)
    message = (f"{deadline.label}: còn {days} ngày, {working} ngày làm việc (tính đến hết "
               f"{date_short(last)}) – {reading}")
    soon = deadline.kind == "submission" and working <= window
    findings.append(Finding("DEADLINE_SOON" if soon else "DEADLINE_OPEN",
                            "warning" if soon else "info", message))
    return findings


def legal_findings(campaign: Campaign, selection: Selection) -> list[Finding]:
    regime = law.load_regime(campaign.regime)
    findings = []
    decided = campaign.to_trinh["date"]
    if regime.replaced_on and decided >= regime.replaced_on:
        findings.append(Finding(
            "REGIME_REPLACED", "warning",
            f"{regime.short_name} đã được thay thế từ ngày {date_short(regime.replaced_on)} "
            f"({regime.replaced_by}); Kế hoạch vẫn áp dụng chế độ này theo campaign.yaml"))
    sources = sorted({s for a in selection.awardees for s in a.unverified_sources})
    findings += [Finding("UNVERIFIED_FIGURE", "warning",
                         f"số tiền thưởng dựa trên số liệu chưa được kiểm chứng: {s}")
                 for s in sources]
    return findings


def document_findings(campaign: Campaign, selection: Selection,
                      plans: list[DocumentPlan]) -> list[Finding]:
    findings = _words_findings(plans)
    findings += _count_findings(campaign, selection, plans)
    findings += attachment_findings(plans)
    findings += _vote_findings(campaign, selection)
    misses = near_misses(campaign.root)
    for awardee in selection.awardees:
        path = narrative_file(campaign.root, awardee.nominee.id)
        if not path.is_file():
            near = misses.get(awardee.nominee.id.casefold())
            near = near if near != path.name else None  # a dangling link of the right name
            # "there is a file X: rename it to ID.md?"
            hint = f"; có tệp {near}: đổi tên thành {path.name}?" if near else ""
            findings.append(Finding(
                "NARRATIVE_MISSING", "warning",
                f"{awardee.nominee.name}: chưa có nội dung thành tích ({path.name}){hint}; báo cáo "
                "chỉ có số liệu", nominees=(awardee.nominee.id,), file=str(path)))
    return findings


def _words_findings(plans: list[DocumentPlan]) -> list[Finding]:
    findings = []
    for plan in plans:
        for figures, words in plan.amounts:
            if not words_agree(figures, words):
                findings.append(Finding("WORDS_MISMATCH", "blocking",
                                        f"{plan.title}: số tiền {figures} không khớp bằng chữ "
                                        f"'{words}'"))
    return findings


def _count_findings(campaign: Campaign, selection: Selection,
                    plans: list[DocumentPlan]) -> list[Finding]:
    findings = []
    for spec in campaign.documents:
        expected = 1 if spec.per == "submission" else sum(
            1 for a in selection.awardees if applies_to(spec, a))
        made = sum(1 for p in plans if p.spec is spec)
        if made != expected:
            findings.append(Finding("DOCUMENT_COUNT", "blocking",
                                    f"{spec.title}: cần {expected}, có {made}"))
    return findings


def attachment_findings(plans: list[DocumentPlan]) -> list[Finding]:
    """Every PDF the units must supply is there, opens, is not encrypted and not empty."""
    findings = []
    for plan in plans:
        if plan.attachment is None:
            continue
        if not plan.attachment.is_file():
            findings.append(Finding(
                "ATTACHMENT_MISSING", "blocking",
                f"{plan.title}: thiếu tệp {plan.attachment.name}",  # missing file
                nominees=(plan.nominee_id,) if plan.nominee_id else (), file=str(plan.attachment)))
            continue
        problem = validate_pdf(plan.attachment)
        if problem:
            findings.append(Finding("ATTACHMENT_INVALID", "blocking", f"{plan.title}: {problem}",
                                    nominees=(plan.nominee_id,) if plan.nominee_id else (),
                                    file=str(plan.attachment)))
    return findings


def page_limit_findings(plans: list[DocumentPlan], pages: list[int]) -> list[Finding]:
    """Documents longer than the plan allows (e.g. a summary 'không quá 1 trang A4')."""
    return [
        Finding("PAGE_LIMIT", "blocking",
                f"{plan.title}: {count} trang, vượt giới hạn {plan.max_pages} trang A4",
                nominees=(plan.nominee_id,) if plan.nominee_id else ())
        for plan, count in zip(plans, pages, strict=True)
        if plan.max_pages and count > plan.max_pages
    ]


def _vote_findings(campaign: Campaign, selection: Selection) -> list[Finding]:
    present = sum(1 for m in campaign.members if m.present)
    votes = campaign.bien_ban.get("votes") or {}
    findings = []
    if 2 * present <= len(campaign.members):
        findings.append(Finding(
            "QUORUM", "blocking",
            f"chỉ {present}/{len(campaign.members)} thành viên Hội đồng dự họp"))
    for awardee in selection.awardees:
        agree = votes.get(awardee.nominee.id, present)
        if agree > present or 2 * agree <= present:
            findings.append(Finding(
                "VOTE_NOT_MAJORITY", "blocking",
                f"{awardee.nominee.name}: {agree}/{present} phiếu đồng ý – không đạt quá bán "
                "hoặc vượt số thành viên dự họp", nominees=(awardee.nominee.id,)))
    return findings


def is_blocking(findings: list[Finding]) -> bool:
    return any(f.severity == "blocking" for f in findings)
