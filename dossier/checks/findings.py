"""Every rule that `check` and `build` enforce, as data-driven findings.

A finding has a code, a severity (blocking / warning / info) and a Vietnamese message. Blocking
findings stop a build before anything is written.
"""

from __future__ import annotations

import datetime as dt

from dossier import law
from dossier.campaign.attachments import validate_pdf
from dossier.campaign.narratives import narrative_file, near_misses
from dossier.documents import council
from dossier.documents.context import DocumentPlan, applies_to, general_missing
from dossier.documents.verify import words_agree
from dossier.models import GRADES, Campaign, Deadline, Finding, Grade, LegalFigure, Selection
from dossier.rules.authority import Submission
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


FIGURE_CODES = {"secondary": "FIGURE_SECONDARY", "unconfirmed": "FIGURE_UNCONFIRMED"}


def legal_findings(campaign: Campaign, selection: Selection,
                   require_evidence: Grade = "secondary") -> list[Finding]:
    """The regime's replacement, and every figure of the law data the dossier rests on whose
    evidence is not the act's own text: below `require_evidence` a warning, else information."""
    regime = law.load_regime(campaign.regime)
    findings = []
    decided = campaign.to_trinh["date"]
    findings += regime_findings(campaign, regime, decided)
    resting: dict[LegalFigure, list[str]] = {}
    standard = regime.standard_dossier
    if campaign.documents_from_regime and standard:
        titles = "; ".join(d.title for d in campaign.documents)
        # "the plan sets out no dossier documents; using the dossier of <regime>: …"
        findings.append(Finding(
            "DOCUMENTS_FROM_REGIME", "info",
            f"Kế hoạch không quy định thành phần hồ sơ; dùng thành phần hồ sơ theo "
            f"{regime.short_name}: {titles} ({standard.evidence.source})"))
        resting[LegalFigure("thành phần hồ sơ đề nghị khen thưởng", standard.evidence)] = []
    for awardee in selection.awardees:
        for figure in awardee.figures:
            resting.setdefault(figure, []).append(awardee.nominee.id)
    for figure in _report_form_figures(campaign, selection, regime):
        resting.setdefault(figure, [])
    required = GRADES.index(require_evidence)
    for figure, nominees in resting.items():
        grade = figure.evidence.grade
        if grade == "text":
            continue
        severity = "warning" if GRADES.index(grade) > required else "info"
        findings.append(Finding(FIGURE_CODES[grade], severity, figure_message(figure),
                                nominees=tuple(nominees), file=figure.evidence.file))
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


def _report_form_figures(campaign: Campaign, selection: Selection,
                         regime: law.Regime) -> list[LegalFigure]:
    """The report forms the campaign's documents follow, where some awardee receives one."""
    figures = []
    for spec in campaign.documents:
        form = regime.report_forms.get(spec.form) if spec.form else None
        if form and any(applies_to(spec, a) for a in selection.awardees):
            label = f"{form.label} " if form.label else ""
            figures.append(LegalFigure(f"mẫu báo cáo {label}“{form.title}”", form.evidence))
    return list(dict.fromkeys(figures))


def figure_message(figure: LegalFigure) -> str:
    """What the figure is, how sure the law data is of it and why, and what would confirm it."""
    evidence = figure.evidence
    where = f" (dòng {evidence.line})" if evidence.line else ""
    note = f" {evidence.note}" if evidence.note else ""
    if evidence.grade == "unconfirmed":
        source = evidence.source
        # the article (and clause) to read, or "the article that sets this figure"
        article = ", ".join(p for p in (source.article, source.clause) if p) or \
            "điều quy định số liệu này"
        cited = f"; nơi trích dẫn: {evidence.read_in}" if evidence.read_in else ""
        # "the dossier rests on an unconfirmed figure: … To confirm: read <article> in the
        # official text of <act> (Công báo, national legal database), then set evidence: text
        # and read_in in <file> (line N)"
        return (f"hồ sơ dựa trên số liệu chưa được xác nhận: {figure.what} – "
                f"{evidence.source}{cited}.{note} "
                f"Để xác nhận: đọc {article} trong văn bản chính thức của {evidence.source.act} "
                "(Công báo, Cơ sở dữ liệu quốc gia về văn bản pháp luật) rồi ghi evidence: text "
                f"và read_in trong {evidence.file}{where}")
    # "figure from a secondary source (an article quoting the act), not yet checked against
    # the act's own text"
    return (f"hồ sơ dựa trên số liệu theo tài liệu thứ cấp, chưa đối chiếu văn bản gốc: "
            f"{figure.what} – {evidence.source}; đã đọc tại {evidence.read_in}.{note}")


def regime_findings(campaign: Campaign, regime: law.Regime, day: dt.date) -> list[Finding]:
    """The plan's regime replaced before the Tờ trình's date (naming the decree in force on
    that date), or the regime in force applied instead of the plan's."""
    current = law.in_force_on(day)
    in_force = (f"văn bản có hiệu lực ngày {date_short(day)} là {current.name}" if current
                else f"không có văn bản nào trong dữ liệu pháp lý có hiệu lực ngày "
                     f"{date_short(day)}")
    if campaign.regime_choice == "in-force":
        named = campaign.plan_regime
        if named is None or named == regime.id:
            return [Finding("REGIME_IN_FORCE", "info",
                            f"hồ sơ áp dụng {regime.short_name}, {in_force} (regime: in-force)")]
        plan = law.load_regime(named).short_name if named in law.available_regimes() else named
        # "the plan names X; the dossier applies the decree in force on the date"
        return [Finding("REGIME_IN_FORCE", "warning",
                        f"Kế hoạch áp dụng {plan}; hồ sơ áp dụng {regime.short_name} vì {in_force} "
                        "(regime: in-force): mức thưởng, hình thức và căn cứ theo văn bản này")]
    if regime.replaced_on and day >= regime.replaced_on:
        # "X was replaced on D; on the Tờ trình's date the decree in force is Y; the plan's
        # regime is still applied (regime: in-force follows Y)"
        return [Finding(
            "REGIME_REPLACED", "warning",
            f"{regime.short_name} đã được thay thế từ ngày {date_short(regime.replaced_on)}; "
            f"{in_force}. Hồ sơ vẫn áp dụng {regime.short_name} theo Kế hoạch (đặt "
            "'regime: in-force' trong campaign.yaml để áp dụng văn bản đang có hiệu lực)")]
    return []


def document_findings(campaign: Campaign, selection: Selection,
                      plans: list[DocumentPlan], subs: list[Submission] | None = None
                      ) -> list[Finding]:
    findings = _words_findings(plans)
    for sub in subs or [None]:
        findings += _count_findings(campaign, sub.selection(selection) if sub else selection,
                                    [p for p in plans if sub is None or p.submission == sub.id],
                                    f"{sub.addressee_title}: " if subs and len(subs) > 1 else "")
    findings += attachment_findings(plans)
    findings += _vote_findings(campaign, selection)
    findings += signer_findings(plans)
    findings += unconfirmed_findings(campaign) + can_cu_findings(campaign)
    findings += general_findings(selection, plans)
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
                    plans: list[DocumentPlan], where: str = "") -> list[Finding]:
    findings = []
    for spec in campaign.documents:
        expected = 1 if spec.per == "submission" else sum(
            1 for a in selection.awardees if applies_to(spec, a))
        made = sum(1 for p in plans if p.spec is spec)
        if made != expected:
            findings.append(Finding("DOCUMENT_COUNT", "blocking",
                                    f"{where}{spec.title}: cần {expected}, có {made}"))
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
