"""What each document says: builds the template contexts described in
docs/template-context.md from the campaign and the selection. No formatting in templates."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from docxtpl import RichText

from dossier import law
from dossier.campaign.narratives import load_narrative
from dossier.campaign.safety import inside
from dossier.documents import quyet_dinh, wording
from dossier.documents.formatting import (
    clock,
    doc_number,
    fill_placeholders,
    format_value,
    person_title,
)
from dossier.models import KIND_LABELS, Awardee, Campaign, DocumentSpec, Member, Nominee, Selection
from dossier.rules.authority import Submission, submissions
from dossier.rules.conditions import holds
from dossier.vietnamese import (
    date_in_text,
    date_short,
    format_amount,
    money_in_words,
    place_date_line,
    two_digit_count,
)

SECTION_NUMERALS = ("I", "II", "III", "IV")


@dataclass
class DocumentPlan:
    """One document to render: which template, with what context, for which nominee."""

    kind: str
    template: str
    context: dict[str, Any]
    title: str  # bookmark title in the bundle
    stem: str  # file name without extension
    copies: int
    nominee_id: str | None = None
    amounts: list[tuple[int, str]] = field(default_factory=list)  # (figures, words) printed
    max_pages: int | None = None  # checked on the converted PDF
    attachment: Path | None = None  # a PDF the unit supplies, bundled as it is
    spec: DocumentSpec | None = None  # the plan's requirement this document meets
    submission: str = ""  # the id of the submission it belongs to
    date: dt.date | None = None  # the document's date, where its kind does not give it


def plan_documents(campaign: Campaign, selection: Selection) -> list[DocumentPlan]:
    """Every document the plan requires, submission by submission, in the plan's order."""
    subs = submissions(campaign, selection)
    plans: list[DocumentPlan] = []
    for sub in subs:
        plans += submission_documents(campaign, selection, sub, several=len(subs) > 1)
    return plans


def submission_documents(campaign: Campaign, full: Selection, sub: Submission,
                         several: bool) -> list[DocumentPlan]:
    """The documents of one submission: its lead document (the Tờ trình, or the head's
    Quyết định), the Biên bản (an extract when the round has several submissions) and the
    documents per awardee of its awards."""
    selection = sub.selection(full)
    danh_sach = _danh_sach(campaign, selection.awardees)
    plans: list[DocumentPlan] = []
    for spec in campaign.documents:
        if spec.kind == "to_trinh" and sub.mode == "decide":
            made = [_quyet_dinh(campaign, sub, danh_sach, spec.copies)]
            standing = _standing_to_trinh(campaign, selection, danh_sach, spec.copies, sub)
            if standing is not None:  # before the draft decision; the plan's count is the QĐ
                plans.append(standing)
        elif spec.kind == "to_trinh":
            made = [_to_trinh(campaign, selection, danh_sach, spec.copies, sub)]
        elif spec.kind == "bien_ban":
            made = [_bien_ban(campaign, selection, danh_sach, spec.copies, sub, several)]
        else:
            made = [_per_awardee(campaign, spec, a, full)
                    for a in _ordered(selection.awardees) if applies_to(spec, a)]
        for plan in made:
            plan.spec = spec
        plans += made
    prefix = f"{sub.id}-" if several else ""
    for index, plan in enumerate(plans, start=1):
        plan.stem = f"{prefix}{index:02d}-{plan.stem}"
        plan.submission = sub.id
    return plans


def applies_to(spec: DocumentSpec, awardee: Awardee) -> bool:
    if spec.awards and awardee.award.id not in spec.awards:
        return False
    return all(holds(c, awardee.nominee) for c in spec.when)


def _per_awardee(campaign: Campaign, spec: DocumentSpec, awardee: Awardee,
                 selection: Selection) -> DocumentPlan:
    nominee = awardee.nominee
    if spec.kind == "attachment":
        relative = (spec.file or "").format(id=nominee.id)
        return DocumentPlan("attachment", "", {}, f"{spec.title} – {nominee.name}",
                            f"{spec.id or 'kem-theo'}-{nominee.id}", spec.copies,
                            nominee_id=nominee.id,
                            attachment=inside(campaign.root, campaign.root / relative,
                                              "tài liệu kèm theo"))  # "the attachment"
    plan = _bao_cao(campaign, awardee, selection, spec.form or "", spec.copies)
    if spec.kind == "bao_cao_tom_tat":
        plan.kind = "bao_cao_tom_tat"
        plan.template = "bao_cao_tom_tat.docx"
        plan.title = f"Báo cáo tóm tắt thành tích – {nominee.name}"
        plan.stem = f"tom-tat-{nominee.id}"
        plan.context["doc_title"] = "BÁO CÁO TÓM TẮT THÀNH TÍCH"
        plan.context["header"]["form_label"] = ""
        plan.context["narrative"] = (load_narrative(campaign.root, f"{nominee.id}.tom-tat")
                                     or plan.context["narrative"])
    plan.max_pages = spec.max_pages
    return plan


def _ordered(awardees: list[Awardee]) -> list[Awardee]:
    """Collectives first, then individuals; each in award and quota order."""
    return sorted(awardees, key=lambda a: 0 if a.nominee.kind == "tap_the" else 1)


def _header(superior: str, agency: str, so_ky_hieu: str, place_date: str,
            form_label: str = "") -> dict[str, str]:
    return {"superior": superior.upper(), "agency": agency.upper(), "so_ky_hieu": so_ky_hieu,
            "place_date": place_date, "form_label": form_label}


def _danh_sach(campaign: Campaign, awardees: list[Awardee]) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    ordered = _ordered(awardees)
    kinds = list(OrderedDict.fromkeys(a.nominee.kind for a in ordered))
    for numeral, kind in zip(SECTION_NUMERALS, kinds, strict=False):
        rows.append(_section_row(numeral, KIND_LABELS[kind].upper()))
        members = [a for a in ordered if a.nominee.kind == kind]
        rows += [_awardee_row(campaign, index, a) for index, a in enumerate(members, start=1)]
    total = sum(a.amount or 0 for a in awardees)
    has_money = any(a.amount is not None for a in awardees)
    titles = " và ".join(OrderedDict.fromkeys(a.award.title for a in ordered))
    return {
        "rows": rows,
        "has_money": has_money,
        "total": total,
        "total_figures": format_amount(total),
        "total_words": money_in_words(total),
        "title": f"DANH SÁCH {_kinds_phrase(kinds).upper()} ĐỀ NGHỊ TẶNG {titles.upper()}",
    }


def _attached_to(danh_sach: dict, document: str, spec: dict, issuer: str) -> dict:
    """The same list, with the line naming the document it is attached to."""
    number = ""
    if spec.get("symbol"):
        number = " số " + doc_number(spec.get("number"), spec["symbol"]).removeprefix("Số:").strip()
    return {**danh_sach, "subtitle": f"(Kèm theo {document}{number} ngày "
                                     f"{date_short(spec['date'])} của {issuer})"}


def _kinds_phrase(kinds: list[str]) -> str:
    return ", ".join(KIND_LABELS[k].lower() for k in kinds)


def _section_row(numeral: str, label: str) -> dict[str, Any]:
    return {"section": True, "stt": numeral, "name": RichText(label, bold=True),
            "position": "", "unit": "", "award": "", "achievement": "", "amount": ""}


def _awardee_row(campaign: Campaign, index: int, awardee: Awardee) -> dict[str, Any]:
    nominee = awardee.nominee
    individual = nominee.kind == "ca_nhan"
    return {
        "section": False,
        "stt": str(index),
        "name": person_title(nominee) if individual else nominee.name,
        "position": nominee.get("position") or "",
        "unit": nominee.get("unit") or "",
        "award": awardee.award_label,
        "achievement": fill_placeholders(awardee.award.achievement, campaign, nominee),
        "amount": format_amount(awardee.amount) if awardee.amount is not None else "",
    }


def _signer(lines, name: str) -> dict[str, Any]:
    return {"lines": [line.upper() for line in lines], "name": name}


def _request(campaign: Campaign, awardees: list[Awardee], sub: Submission) -> str:
    parts = []
    for title in OrderedDict.fromkeys(a.award.title for a in _ordered(awardees)):
        counts = OrderedDict()
        for a in _ordered(awardees):
            if a.award.title == title:
                counts[a.nominee.kind] = counts.get(a.nominee.kind, 0) + 1
        who = " và ".join(f"{two_digit_count(n)} {KIND_LABELS[k].lower()}"
                          for k, n in counts.items())
        parts.append(f"tặng {title} cho {who}")
    bb = campaign.bien_ban
    return (
        f"Căn cứ kết quả họp xét của {bb['council']} ngày {date_short(bb['date'])}, "
        f"{campaign.proposer['full_name']} kính trình {campaign.to_trinh['decider']} xem xét, "
        f"{wording.forwarding(sub)}{'; '.join(parts)} đã có thành tích xuất sắc trong phong "
        "trào thi đua "
        f"“{campaign.name}” (có danh sách kèm theo)."
    )


def _to_trinh(campaign: Campaign, selection: Selection, danh_sach: dict, copies: int,
              sub: Submission):
    tt = {**campaign.to_trinh, "number": wording.to_trinh_number(campaign, sub)}
    proposer = campaign.proposer
    titles = " và ".join(OrderedDict.fromkeys(a.award.title for a in selection.awardees))
    kinds = list(OrderedDict.fromkeys(a.nominee.kind for a in _ordered(selection.awardees)))
    recipients = tt["recipients"]
    if len(recipients) == 1:
        recipients_lines = [f"{recipients[0]}."]
    else:
        recipients_lines = [f"- {r};" for r in recipients[:-1]] + [f"- {recipients[-1]}."]
    context = {
        "header": _header(proposer.get("superior", ""), proposer["agency"],
                          doc_number(tt.get("number"), tt["symbol"]),
                          place_date_line(campaign.place, tt["date"])),
        "doc_title": "TỜ TRÌNH",
        "trich_yeu": (f"Về việc đề nghị {wording.forwarding(sub)}tặng {titles} cho "
                      f"{_kinds_phrase(kinds)} có thành tích xuất sắc trong phong trào thi đua "
                      f"“{campaign.name}”"),
        "recipients": recipients,
        "recipients_lines": recipients_lines,
        "can_cu": wording.can_cu(campaign, tt.get("can_cu", [])),
        "body": list(tt.get("body", [])),
        "request": _request(campaign, selection.awardees, sub),
        "danh_sach": _attached_to(danh_sach, "Tờ trình", tt, proposer["full_name"]),
        "attachments_note": "(Có biên bản, danh sách, báo cáo thành tích kèm theo)",
        "closing": (f"{proposer['full_name']} kính trình {tt['decider']} xem xét, "
                    f"{wording.forwarding(sub) or ''}quyết định./."),
        "noi_nhan": [f"- {item};" for item in tt["noi_nhan"][:-1]] + [f"- {tt['noi_nhan'][-1]}."],
        "signer": _signer(tt["signer"]["lines"], tt["signer"]["name"]),
    }
    return DocumentPlan("to_trinh", "to_trinh.docx", context, "Tờ trình", "to-trinh", copies,
                        amounts=_total_amount(danh_sach))


def _standing_to_trinh(campaign: Campaign, selection: Selection, danh_sach: dict, copies: int,
                       sub: Submission) -> DocumentPlan | None:
    """The Tờ trình of the council's standing body (Phòng Nội vụ, Văn phòng) to its own head,
    where `quyet_dinh.to_trinh` asks for it; the round's căn cứ and body."""
    qd = campaign.quyet_dinh or {}
    section = qd.get("to_trinh")
    if section is None:
        return None
    standing = replace(
        campaign,
        proposer={"superior": section.get("superior", campaign.proposer["agency"]),
                  "agency": section["agency"], "full_name": section["full_name"]},
        to_trinh={**campaign.to_trinh, "number": section.get("number"),
                  "symbol": section["symbol"], "date": section["date"],
                  "decider": qd["decider"], "recipients": [qd["decider"]],
                  "noi_nhan": section["noi_nhan"], "signer": section["signer"], "numbers": {}})
    plan = _to_trinh(standing, selection, danh_sach, copies, sub)
    plan.title = f"Tờ trình của {section['full_name']}"
    plan.date = section["date"]
    return plan


def _quyet_dinh(campaign: Campaign, sub: Submission, danh_sach: dict,
                copies: int) -> DocumentPlan:
    qd = campaign.quyet_dinh or {}
    header = _header(qd.get("superior", campaign.proposer.get("superior", "")),
                     qd.get("agency", campaign.proposer["agency"]),
                     doc_number(qd.get("number"), qd["symbol"]),
                     place_date_line(campaign.place, qd["date"]))
    attached = _attached_to(danh_sach, "Quyết định", qd, qd["decider"])
    context = quyet_dinh.context(campaign, sub, attached, header,
                                 _signer(qd["signer"]["lines"], qd["signer"]["name"]))
    return DocumentPlan("quyet_dinh", "quyet_dinh.docx", context, "Quyết định khen thưởng",
                        "quyet-dinh", copies, amounts=_total_amount(danh_sach), date=qd["date"])


def _total_amount(danh_sach: dict) -> list[tuple[int, str]]:
    if not danh_sach["has_money"]:
        return []
    return [(danh_sach["total"], danh_sach["total_words"])]


def _member_line(member: Member) -> str:
    return f"Đ/c {member.name}, {member.position}, {member.role}"


def _bien_ban(campaign: Campaign, selection: Selection, danh_sach: dict, copies: int,
              sub: Submission, several: bool = False):
    bb = campaign.bien_ban
    members = campaign.members
    present = [m for m in members if m.present]
    absent = [m for m in members if not m.present]
    chair = next(m for m in members if m.chair)
    secretary = next(m for m in members if m.secretary)
    context = {
        "header": _header(campaign.proposer["full_name"], "Hội đồng Thi đua - Khen thưởng",
                          doc_number(bb.get("number"), bb["symbol"]) if bb.get("symbol") else "",
                          place_date_line(campaign.place, bb["date"])),
        "doc_title": "TRÍCH BIÊN BẢN" if several else "BIÊN BẢN",
        "trich_yeu": f"Họp xét, đề nghị khen thưởng phong trào thi đua “{campaign.name}”",
        "opening": [
            f"Vào lúc {clock(bb['start'])}, {date_in_text(bb['date'])}, tại {bb['place']}, "
            f"{bb['council']} họp xét, đề nghị khen thưởng các tập thể, cá nhân có thành tích "
            f"xuất sắc trong phong trào thi đua “{campaign.name}” theo Kế hoạch số "
            f"{campaign.plan['number']} ngày {date_short(campaign.plan['date'])} của "
            f"{campaign.plan['issuer']}.",
        ],
        "chair": _member_line(chair),
        "secretary": _member_line(secretary),
        "attendance": _attendance(members, present, absent),
        "members": [{"stt": str(i), "name": m.name,
                     "role": f"{m.position}, {m.role}" + ("" if m.present else " (vắng)")}
                    for i, m in enumerate(members, start=1)],
        "content": [
            "Hội đồng đã nghe Thư ký Hội đồng báo cáo kết quả thực hiện phong trào thi đua, "
            "bảng xếp hạng cuối cùng và danh sách tập thể, cá nhân đủ điều kiện đề nghị khen "
            "thưởng theo tiêu chuẩn, số lượng của Kế hoạch; Hội đồng đã thảo luận và xét từng "
            "trường hợp.",
        ],
        "method": bb["method"],
        "votes": _votes(campaign, selection, len(present)),
        "danh_sach": _attached_to(danh_sach, "Biên bản", bb, bb["council"]),
        "conclusion": wording.conclusions(bb.get("conclusion"), sub, several),
        "closing": f"Cuộc họp kết thúc vào lúc {clock(bb['end'])} cùng ngày./.",
        "secretary_sign": _signer(["THƯ KÝ"], secretary.name),
        "chair_sign": _signer([chair.role], chair.name),
    }
    return DocumentPlan("bien_ban", "bien_ban.docx", context, "Biên bản họp xét", "bien-ban",
                        copies, amounts=_total_amount(danh_sach))


def _attendance(members, present, absent) -> str:
    text = (f"Có {two_digit_count(len(present))}/{two_digit_count(len(members))} thành viên "
            "Hội đồng tham dự")
    if not absent:
        return text + "."
    reasons = "; ".join(f"Đ/c {m.name}" + (f", {m.absence}" if m.absence else "")
                        for m in absent)
    return f"{text}, vắng {two_digit_count(len(absent))} thành viên ({reasons})."


def _votes(campaign: Campaign, selection: Selection, present: int) -> list[dict[str, str]]:
    recorded = campaign.bien_ban.get("votes") or {}
    rows = []
    for index, awardee in enumerate(_ordered(selection.awardees), start=1):
        agree = recorded.get(awardee.nominee.id, present)
        ratio = round(100 * agree / present) if present else 0
        rows.append({"stt": str(index), "name": awardee.nominee.name,
                     "award": awardee.award_label, "agree": two_digit_count(agree),
                     "total": two_digit_count(present), "ratio": f"{ratio}%"})
    return rows


def _bao_cao(campaign: Campaign, awardee: Awardee, selection: Selection, form_key: str,
             copies: int) -> DocumentPlan:
    nominee = awardee.nominee
    form = law.load_regime(campaign.regime).report_forms[form_key]
    collective = nominee.kind == "tap_the"
    parent = _parent(nominee, selection)
    header_superior = (nominee.get("unit") if collective
                       else (parent.get("unit") if parent else "")) or ""
    header_agency = nominee.name if collective else (nominee.get("unit") or "")
    context = {
        "header": _header(header_superior, header_agency, "",
                          place_date_line(campaign.place, campaign.bao_cao_date), form.label),
        "doc_title": "BÁO CÁO THÀNH TÍCH",
        "award_line": f"ĐỀ NGHỊ TẶNG {awardee.award.title.upper()}",
        "theme_line": f"(Thành tích xuất sắc trong phong trào thi đua “{campaign.name}”)",
        "nominee_name": nominee.name,
        "nominee_detail": "" if collective else
        ", ".join(v for v in (nominee.get("position"), nominee.get("unit")) if v),
        "general_heading": "I. THÔNG TIN CHUNG",
        "general": _general(nominee),
        "achievement_heading": "II. THÀNH TÍCH ĐẠT ĐƯỢC",
        "metrics_intro": (
            "Kết quả thực hiện các chỉ tiêu của phong trào thi đua trong thời gian từ ngày "
            f"{date_short(campaign.period_start)} đến ngày {date_short(campaign.period_end)}:"),
        "metrics": [{"label": spec.label, "value": format_value(spec, nominee.get(spec.name))}
                    for spec in campaign.all_columns
                    if spec.report and nominee.kind in spec.kinds
                    and nominee.get(spec.name) is not None],
        "narrative": load_narrative(campaign.root, nominee.id),
        "left_sign": _left_sign(collective, parent),
        "right_sign": (_signer(["THỦ TRƯỞNG ĐƠN VỊ"], nominee.get("head_name") or "")
                       if collective else _signer(["NGƯỜI BÁO CÁO THÀNH TÍCH"], nominee.name)),
    }
    template = "bao_cao_tap_the.docx" if collective else "bao_cao_ca_nhan.docx"
    return DocumentPlan("bao_cao_thanh_tich", template, context,
                        f"Báo cáo thành tích – {nominee.name}", f"bao-cao-{nominee.id}",
                        copies, nominee_id=nominee.id)


def _parent(nominee: Nominee, selection: Selection) -> Nominee | None:
    parent_id = nominee.get("parent_id")
    if not parent_id:
        return None
    everyone = [a.nominee for a in selection.awardees] + [e.nominee for e in selection.exclusions]
    everyone += [n for n, _, _ in selection.not_chosen]
    return next((n for n in everyone if n.id == parent_id), None)


def _left_sign(collective: bool, parent: Nominee | None) -> dict[str, Any]:
    if collective:
        return _signer(["XÁC NHẬN CỦA CẤP TRÌNH KHEN THƯỞNG"], "")
    return _signer(["XÁC NHẬN CỦA THỦ TRƯỞNG ĐƠN VỊ"],
                   (parent.get("head_name") if parent else "") or "")


def _general(nominee: Nominee) -> list[str]:
    if nominee.kind == "tap_the":
        facts = (("Tên tập thể", nominee.name), ("Trụ sở", nominee.get("address")),
                 ("Cơ quan cấp trên", nominee.get("unit")),
                 ("Thủ trưởng đơn vị", " ".join(v for v in (nominee.get("head_title"),
                                                            nominee.get("head_name")) if v)))
    else:
        facts = (("Họ và tên", nominee.name), ("Giới tính", nominee.get("gender")),
                 ("Chức vụ", nominee.get("position")), ("Đơn vị công tác", nominee.get("unit")))
    return [f"- {label}: {value}." for label, value in facts if value]

