"""Every rule that `check` and `build` enforce, as data-driven findings.

A finding has a code, a severity (blocking / warning / info) and a Vietnamese message. Blocking
findings stop a build before anything is written.
"""

from __future__ import annotations

import datetime as dt

from dossier import law
from dossier.campaign.attachments import validate_pdf
from dossier.campaign.narratives import narrative_file
from dossier.documents import council
from dossier.documents.context import DocumentPlan, applies_to, general_missing
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


def general_findings(selection: Selection, plans: list[DocumentPlan]) -> list[Finding]:
    """Reports whose "Thông tin chung" prints dotted lines (the ranking leaves those columns
    empty): one warning per set of missing facts, naming the nominees."""
    reported = {p.nominee_id for p in plans if p.kind == "bao_cao_thanh_tich"}
    by_missing: dict[tuple[str, ...], list[str]] = {}
    for awardee in selection.awardees:
        if awardee.nominee.id in reported:
            missing = tuple(general_missing(awardee.nominee))
            if missing:
                by_missing.setdefault(missing, []).append(awardee.nominee.id)
    return [Finding("GENERAL_INFO_MISSING", "warning",
                    # "N reports print a dotted line for …: fill in by hand or add the columns"
                    f"{len(ids)} báo cáo thành tích in dòng chấm cho: {', '.join(missing)} – "
                    "điền tay hoặc bổ sung cột tương ứng trong bảng xếp hạng",
                    nominees=tuple(ids))
            for missing, ids in by_missing.items()]


def unconfirmed_findings(campaign: Campaign) -> list[Finding]:
    """Values campaign.yaml marks as not yet known for certain (`unconfirmed`): a warning
    each, so that `check --strict` blocks until they are confirmed."""
    findings = []
    for path in campaign.raw.get("unconfirmed") or []:
        value: object = campaign.raw
        for key in path.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        shown = f"'{value}'" if value not in (None, "") else "(không có giá trị)"
        findings.append(Finding(
            "UNCONFIRMED_VALUE", "warning",
            # "campaign.yaml marks this value as not yet confirmed; the documents print it as
            # written: confirm it and remove it from `unconfirmed`"
            f"{path} = {shown}: campaign.yaml đánh dấu là chưa xác nhận (unconfirmed); văn bản "
            "đang in giá trị này – hãy xác nhận rồi bỏ khỏi danh sách unconfirmed",
            file=str(campaign.root / "campaign.yaml")))
    return findings


# A căn cứ names its document by number and date ("… số 98/2023/NĐ-CP ngày 31 tháng 12 năm
# 2023 …"); a law by its date only.
DATED_ONLY = ("Căn cứ Luật", "Căn cứ Bộ luật", "Căn cứ Hiến pháp")


def can_cu_findings(campaign: Campaign) -> list[Finding]:
    findings = []
    for index, line in enumerate(campaign.to_trinh.get("can_cu") or [], start=1):
        missing = [part for part, needed in (("ngày", True),
                                             ("số", not line.startswith(DATED_ONLY)))
                   if needed and f" {part} " not in f" {line} "]
        if missing:
            findings.append(Finding(
                "CAN_CU_INCOMPLETE", "warning",
                # "căn cứ N of the Tờ trình has no number / date"
                f"to_trinh.can_cu[{index}]: căn cứ thiếu {' và '.join(missing)} của văn bản – "
                f"“{line[:80]}”", file=str(campaign.root / "campaign.yaml")))
    return findings


def document_findings(campaign: Campaign, selection: Selection,
                      plans: list[DocumentPlan]) -> list[Finding]:
    findings = _words_findings(plans)
    findings += _count_findings(campaign, selection, plans)
    findings += attachment_findings(plans)
    findings += _vote_findings(campaign, selection)
    findings += signer_findings(plans)
    findings += unconfirmed_findings(campaign) + can_cu_findings(campaign)
    findings += general_findings(selection, plans)
    for awardee in selection.awardees:
        path = narrative_file(campaign.root, awardee.nominee.id)
        if not path.is_file():
            findings.append(Finding(
                "NARRATIVE_MISSING", "warning",
                f"{awardee.nominee.name}: chưa có nội dung thành tích ({path.name}); báo cáo chỉ "
                "có số liệu", nominees=(awardee.nominee.id,), file=str(path)))
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
    """The meeting and every decision are valid under the council's rules (`council`)."""
    rules = council.council_rules(campaign.bien_ban)
    present = sum(1 for m in campaign.members if m.present)
    members = len(campaign.members)
    votes = campaign.bien_ban.get("votes") or {}
    findings = []
    if not rules.quorum_met(present, members):
        findings.append(Finding(
            "QUORUM", "blocking",
            # "only N/M members attended; the rules require …"
            f"chỉ {present}/{members} thành viên Hội đồng dự họp; cần {rules.quorum_words()}"))
    base = rules.base_count(present, members)
    for awardee in selection.awardees:
        agree = votes.get(awardee.nominee.id, present)
        if not rules.approved(agree, present, members):
            findings.append(Finding(
                "VOTE_NOT_MAJORITY", "blocking",
                f"{awardee.nominee.name}: {agree}/{base} thành viên đồng ý – không đạt tỷ lệ "
                f"của Quy chế hoặc vượt số thành viên dự họp", nominees=(awardee.nominee.id,)))
    return findings


def signer_findings(plans: list[DocumentPlan]) -> list[Finding]:
    """A report is never confirmed by the person who wrote it (NĐ 98/2023: the head of the
    unit, or the superior, confirms)."""
    findings = []
    for plan in plans:
        left = (plan.context.get("left_sign") or {}).get("name", "")
        right = (plan.context.get("right_sign") or {}).get("name", "")
        if left and " ".join(left.split()).casefold() == " ".join(right.split()).casefold():
            findings.append(Finding(
                "SAME_SIGNER", "blocking",
                # "the same person writes and confirms the report: the confirmation must come
                # from the head of the unit or its superior"
                f"{plan.title}: {right} vừa là người báo cáo vừa là người xác nhận; việc xác "
                "nhận phải do thủ trưởng đơn vị hoặc cấp trên thực hiện",
                nominees=(plan.nominee_id,) if plan.nominee_id else ()))
    return findings


def is_blocking(findings: list[Finding]) -> bool:
    return any(f.severity == "blocking" for f in findings)
