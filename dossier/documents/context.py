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
from dossier.documents import council, quyet_dinh, wording
from dossier.documents.agency_lines import (
    HEADER_AGENCY_CM,
    SIGN_COLS_CM,
    TEXT_WIDTH_CM,
    break_lines,
    joined,
)
from dossier.documents.formatting import (
    clock,
    doc_number,
    fill_placeholders,
    format_value,
    person_title,
)
from dossier.documents.places import report_place
from dossier.documents.signers import head_lines
from dossier.models import KIND_LABELS, Awardee, Campaign, DocumentSpec, Member, Nominee, Selection
from dossier.rules.authority import Submission, submissions
from dossier.rules.conditions import holds
from dossier.vietnamese import (
    date_in_text,
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
            form_label: str = "", given: dict[str, list[str]] | None = None) -> dict[str, str]:
    """The header; the superior and the agency are broken into lines between word groups
    (`agency_lines`), or as the campaign's `name_lines` give them."""
    return {"superior": joined(superior.upper(), HEADER_AGENCY_CM, 13, bold=False, given=given),
            "agency": joined(agency.upper(), HEADER_AGENCY_CM, 13, given=given),
            "so_ky_hieu": so_ky_hieu, "place_date": place_date, "form_label": form_label}


def _name_lines(campaign: Campaign) -> dict[str, list[str]]:
    """The lines a campaign gives for names that must break in a particular way."""
    return dict(campaign.raw.get("name_lines") or {})


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
    titles = _join(list(OrderedDict.fromkeys(a.award.title for a in ordered)))
    return {
        "rows": rows,
        "has_money": has_money,
        "total": total,
        "total_figures": format_amount(total),
        "total_words": money_in_words(total),
        "title": joined(f"DANH SÁCH {_kinds_phrase(kinds).upper()} ĐỀ NGHỊ TẶNG "
                        f"{titles.upper()}", TEXT_WIDTH_CM, 14, given=_name_lines(campaign)),
    }


def _attached_to(danh_sach: dict, document: str, spec: dict, issuer: str) -> dict:
    """The same list, with the line naming the document it is attached to."""
    number = ""
    if spec.get("symbol"):
        number = " số " + doc_number(spec.get("number"), spec["symbol"]).removeprefix("Số:").strip()
    return {**danh_sach, "subtitle": f"(Kèm theo {document}{number} "
                                     f"{date_in_text(spec['date'])} của {issuer})"}


def _join(items: list[str]) -> str:
    """"A", "A và B", "A, B và C": one "và", before the last item."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} và {items[-1]}"


def _position_unit(position: str, unit: str) -> tuple[str, str]:
    """The position without the unit it repeats: ("Chuyên viên Phòng Tư pháp", "Phòng Tư pháp
    quận Gò Vấp") → ("Chuyên viên", "Phòng Tư pháp quận Gò Vấp")."""
    words = position.split()
    for start in range(1, len(words)):
        tail = " ".join(words[start:])
        if len(words) - start >= 2 and unit.casefold().startswith(tail.casefold()):
            return " ".join(words[:start]), unit
    return position, unit


def _position_at(position: str, unit: str) -> str:
    """Position and unit in one phrase, the unit said once: "Chuyên viên Phòng Tư pháp quận Gò
    Vấp", "Phó Chủ tịch Ủy ban nhân dân Phường 10", "Chuyên viên, Sở Tư pháp"."""
    if not unit or unit.casefold() in position.casefold():
        return position
    head, unit = _position_unit(position, unit)
    if head != position:
        return f"{head} {unit}"
    return ", ".join(v for v in (position, unit) if v)


def _kinds_phrase(kinds: list[str]) -> str:
    return ", ".join(KIND_LABELS[k].lower() for k in kinds)


def _section_row(numeral: str, label: str) -> dict[str, Any]:
    return {"section": True, "stt": numeral, "name": RichText(label, bold=True),
            "position": "", "unit": "", "award": "", "achievement": "", "amount": ""}


def _awardee_row(campaign: Campaign, index: int, awardee: Awardee) -> dict[str, Any]:
    nominee = awardee.nominee
    individual = nominee.kind == "ca_nhan"
    position, unit = _position_unit(nominee.get("position") or "", nominee.get("unit") or "")
    return {
        "section": False,
        "stt": str(index),
        "name": person_title(nominee) if individual else nominee.name,
        "position": position,
        "unit": unit,
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
    number = (" số " + doc_number(bb.get("number"), bb["symbol"]).removeprefix("Số:").strip()
              if bb.get("symbol") else "")
    return (
        f"Căn cứ Biên bản{number} {date_in_text(bb['date'])} họp xét của {bb['council']}, "
        f"{campaign.proposer['full_name']} kính trình {campaign.to_trinh['decider']} xem xét, "
        f"{wording.forwarding(sub)}{'; '.join(parts)} đã có thành tích xuất sắc trong phong "
        "trào thi đua "
        f"“{campaign.name}” (có danh sách kèm theo)."
    )


def _to_trinh(campaign: Campaign, selection: Selection, danh_sach: dict, copies: int,
              sub: Submission):
    tt = {**campaign.to_trinh, "number": wording.to_trinh_number(campaign, sub)}
    proposer = campaign.proposer
    titles = _join(list(OrderedDict.fromkeys(a.award.title for a in selection.awardees)))
    kinds = list(OrderedDict.fromkeys(a.nominee.kind for a in _ordered(selection.awardees)))
    recipients = tt["recipients"]
    if len(recipients) == 1:
        recipients_lines = [f"{recipients[0]}."]
    else:
        recipients_lines = [f"- {r};" for r in recipients[:-1]] + [f"- {recipients[-1]}."]
    context = {
        "header": _header(proposer.get("superior", ""), proposer["agency"],
                          doc_number(tt.get("number"), tt["symbol"]),
                          place_date_line(campaign.place, tt["date"]),
                          given=_name_lines(campaign)),
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
                     place_date_line(campaign.place, qd["date"]), given=_name_lines(campaign))
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
    rules = council.council_rules(bb)
    votes = _votes(campaign, selection, len(present), rules)
    least = min((int(v["agree"]) for v in votes), default=len(present))
    parent = campaign.proposer.get("official_name") or campaign.proposer["full_name"]
    context = {
        "header": _header(parent, "Hội đồng Thi đua - Khen thưởng",
                          doc_number(bb.get("number"), bb["symbol"]) if bb.get("symbol") else "",
                          place_date_line(campaign.place, bb["date"]),
                          given=_name_lines(campaign)),
        "doc_title": "TRÍCH BIÊN BẢN" if several else "BIÊN BẢN",
        "trich_yeu": f"Họp xét, đề nghị khen thưởng phong trào thi đua “{campaign.name}”",
        "opening": [
            f"Vào lúc {clock(bb['start'])}, {date_in_text(bb['date'])}, tại {bb['place']}, "
            f"{bb['council']} họp xét, đề nghị khen thưởng các tập thể, cá nhân có thành tích "
            f"xuất sắc trong phong trào thi đua “{campaign.name}” theo Kế hoạch số "
            f"{campaign.plan['number']} {date_in_text(campaign.plan['date'])} của "
            f"{campaign.plan['issuer']}.",
        ],
        "chair": _member_line(chair),
        "secretary": _member_line(secretary),
        "attendance": _attendance(members, present, absent) + " " + council.validity_sentence(
            rules, len(present), len(members)),
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
        "vote_heading": council.vote_heading(bb["method"]),
        "ratio_heading": council.ratio_heading(rules),
        "votes": votes,
        "danh_sach": _attached_to(danh_sach, "Biên bản", bb, bb["council"]),
        "conclusion": [council.result_sentence(rules, least, len(present), len(members))]
        + wording.conclusions(bb.get("conclusion"), sub, several),
        "closing": f"Cuộc họp kết thúc vào lúc {clock(bb['end'])} cùng ngày./.",
        **_level("secretary_sign", _signer(["THƯ KÝ"], secretary.name),
                 "chair_sign", _signer([chair.role], chair.name)),
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


def _votes(campaign: Campaign, selection: Selection, present: int,
           rules: council.CouncilRules) -> list[dict[str, str]]:
    recorded = campaign.bien_ban.get("votes") or {}
    base = rules.base_count(present, len(campaign.members))
    rows = []
    for index, awardee in enumerate(_ordered(selection.awardees), start=1):
        agree = recorded.get(awardee.nominee.id, present)
        rows.append({"stt": str(index), "name": awardee.nominee.name,
                     "award": awardee.award_label, "agree": two_digit_count(agree),
                     "total": two_digit_count(base), "ratio": council.ratio(agree, base)})
    return rows


def _level(left_key: str, left: dict[str, Any], right_key: str,
           right: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Two signature blocks side by side: each title line broken as it will print in its
    column (between word groups), then both lists padded to one length so that the two names
    print on the same line."""
    for block, width in zip((left, right), SIGN_COLS_CM, strict=True):
        block["lines"] = [part for line in block["lines"]
                          for part in (break_lines(line, width, 14) if line else [""])]
    size = max(len(left["lines"]), len(right["lines"]))
    for block in (left, right):
        block["lines"] = block["lines"] + [""] * (size - len(block["lines"]))
    return {left_key: left, right_key: right}


def _bao_cao(campaign: Campaign, awardee: Awardee, selection: Selection, form_key: str,
             copies: int) -> DocumentPlan:
    nominee = awardee.nominee
    form = law.load_regime(campaign.regime).report_forms[form_key]
    collective = nominee.kind == "tap_the"
    parent = _parent(nominee, selection)
    header_superior = (nominee.get("unit") if collective
                       else (parent.get("unit") if parent else "")) or ""
    header_agency = nominee.name if collective else (nominee.get("unit") or "")
    given = _name_lines(campaign)
    context = {
        "header": _header(header_superior, header_agency, "",
                          place_date_line(report_place(nominee, campaign.place),
                                          campaign.bao_cao_date), form.label, given=given),
        "doc_title": "BÁO CÁO THÀNH TÍCH",
        "award_line": joined(f"ĐỀ NGHỊ TẶNG {awardee.award.title.upper()}", TEXT_WIDTH_CM, 14,
                             given=given),
        "theme_line": f"(Thành tích xuất sắc trong phong trào thi đua “{campaign.name}”)",
        "nominee_name": nominee.name,
        "nominee_detail": "" if collective else
        _position_at(nominee.get("position") or "", nominee.get("unit") or ""),
        "general_heading": "I. THÔNG TIN CHUNG",
        "general": _general(nominee),
        "achievement_heading": "II. THÀNH TÍCH ĐẠT ĐƯỢC",
        "metrics_intro": (
            "Kết quả thực hiện các chỉ tiêu của phong trào thi đua trong thời gian từ "
            f"{date_in_text(campaign.period_start)} đến {date_in_text(campaign.period_end)}:"),
        "metrics": [{"label": spec.label, "value": format_value(spec, nominee.get(spec.name))}
                    for spec in campaign.all_columns
                    if spec.report and nominee.kind in spec.kinds
                    and nominee.get(spec.name) is not None],
        "narrative": load_narrative(campaign.root, nominee.id),
        **_level("left_sign", _left_sign(collective, parent, nominee),
                 "right_sign", _right_sign(nominee)),
    }
    template = "bao_cao_tap_the.docx" if collective else "bao_cao_ca_nhan.docx"
    return DocumentPlan("bao_cao_thanh_tich", template, context,
                        f"Báo cáo thành tích – {nominee.name}", f"bao-cao-{nominee.id}",
                        copies, nominee_id=nominee.id)


def _parent(nominee: Nominee, selection: Selection) -> Nominee | None:
    parent_id = nominee.get("parent_id")
    if not parent_id:
        return None
    return selection.nominee(parent_id)


def _heads(nominee: Nominee | None, parent: Nominee | None) -> bool:
    """The individual is the head of its own collective: same name, and a position that is
    the head's title ("Chủ tịch Ủy ban nhân dân Phường 10" heads Phường 10, whose head is
    "Chủ tịch"). A same name with another position is left alone: `SAME_SIGNER` names it."""
    if nominee is None or parent is None or not parent.get("head_title"):
        return False
    same = (parent.get("head_name") or "").casefold() == nominee.name.casefold()
    title = (parent.get("head_title") or "").casefold()
    return same and (nominee.get("position") or "").casefold().startswith(title)


def _left_sign(collective: bool, parent: Nominee | None,
               nominee: Nominee | None = None) -> dict[str, Any]:
    """The confirming block: the superior for a collective, and for an individual who heads
    its own unit (the level above confirms); otherwise the head of the unit, with the block
    that head signs ("TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH")."""
    if collective or _heads(nominee, parent):
        return _signer(["XÁC NHẬN CỦA CẤP TRÌNH KHEN THƯỞNG"], "")
    lines = ["XÁC NHẬN CỦA THỦ TRƯỞNG ĐƠN VỊ"]
    if parent is not None and parent.get("head_title"):
        lines += head_lines(parent.name, parent.get("head_title") or "")
    return _signer(lines, (parent.get("head_name") if parent else "") or "")


def _right_sign(nominee: Nominee) -> dict[str, Any]:
    """The reporter: a collective's head, signing as its title and unit require; an individual
    in person."""
    if nominee.kind != "tap_the":
        return _signer(["NGƯỜI BÁO CÁO THÀNH TÍCH"], nominee.name)
    return _signer(head_lines(nominee.name, nominee.get("head_title") or ""),
                   nominee.get("head_name") or "")


# "Thông tin chung" of the report forms: (label, ranking column or None for a composed value).
# A value the ranking does not give prints as the form's dotted line, to be filled by hand.
GENERAL_FACTS = {
    "tap_the": (("Tên tập thể", "name"), ("Địa chỉ trụ sở", "address"), ("Điện thoại", "phone"),
                ("Email", "email"), ("Cơ quan cấp trên", "unit"),
                ("Thủ trưởng đơn vị", "head"), ("Cơ cấu tổ chức", "structure")),
    "ca_nhan": (("Họ và tên", "name"), ("Giới tính", "gender"), ("Năm sinh", "birth_year"),
                ("Quê quán", "hometown"), ("Nơi thường trú", "residence"),
                ("Chức vụ", "position"), ("Đơn vị công tác", "unit"),
                ("Trình độ chuyên môn, nghiệp vụ", "qualification")),
}
DOTTED = "." * 60


def _fact(nominee: Nominee, column: str) -> str:
    if column == "name":
        return nominee.name
    if column == "head":
        return " ".join(v for v in (nominee.get("head_title"), nominee.get("head_name")) if v)
    return str(nominee.get(column) or "").strip()


def general_missing(nominee: Nominee) -> list[str]:
    """The labels of "Thông tin chung" the ranking leaves empty (printed as dotted lines)."""
    return [label for label, column in GENERAL_FACTS[nominee.kind]
            if not _fact(nominee, column)]


def _general(nominee: Nominee) -> list[str]:
    lines = []
    for label, column in GENERAL_FACTS[nominee.kind]:
        value = _fact(nominee, column)
        lines.append(f"- {label}: {value}." if value else f"- {label}: {DOTTED}")
    return lines
