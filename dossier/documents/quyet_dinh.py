"""The Quyết định khen thưởng drafted for the proposer's own head (NĐ 30/2020/NĐ-CP, Phụ lục
III, Mẫu 1.4: căn cứ; "Xét đề nghị của …"; Điều 1 tặng …; Điều 2 tiền thưởng and its budget
source; Điều 3 trách nhiệm thi hành; Nơi nhận; signature), its danh sách attached."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from dossier import law
from dossier.documents.formatting import doc_number
from dossier.models import KIND_LABELS, Awardee, Campaign
from dossier.rules.authority import Submission
from dossier.vietnamese import date_in_text, date_short, two_digit_count


def context(campaign: Campaign, sub: Submission, danh_sach: dict[str, Any],
            header: dict[str, str], signer: dict[str, Any]) -> dict[str, Any]:
    qd = campaign.quyet_dinh or {}
    regime = law.load_regime(campaign.regime)
    awardees = list(sub.awardees)
    titles = " và ".join(OrderedDict.fromkeys(a.award.title for a in _ordered(awardees)))
    kinds = list(OrderedDict.fromkeys(a.nominee.kind for a in _ordered(awardees)))
    theme = f"phong trào thi đua “{campaign.name}”"
    who = ", ".join(KIND_LABELS[k].lower() for k in kinds)
    return {
        "header": header,
        "doc_title": "QUYẾT ĐỊNH",
        "trich_yeu": f"Về việc tặng {titles} cho {who} có thành tích xuất sắc trong {theme}",
        "authority": qd["decider"].upper(),
        "can_cu": can_cu(campaign, regime),
        "proposal": _proposal(campaign, qd),
        "articles": [
            {"label": "Điều 1.", "text": f"{_grants(awardees)} (có danh sách kèm theo) đã có "
                                         f"thành tích xuất sắc trong {theme}."},
            {"label": "Điều 2.", "text": _money(danh_sach, regime, qd)},
            {"label": "Điều 3.", "text": f"{', '.join(qd['responsible'])} và các tập thể, cá "
                                         "nhân có tên tại Điều 1 chịu trách nhiệm thi hành "
                                         "Quyết định này./."},
        ],
        "danh_sach": {**danh_sach,
                      "title": danh_sach["title"].replace("ĐỀ NGHỊ TẶNG", "ĐƯỢC TẶNG")},
        "noi_nhan": [f"- {item};" for item in qd["noi_nhan"][:-1]] + [f"- {qd['noi_nhan'][-1]}."],
        "signer": signer,
    }


def can_cu(campaign: Campaign, regime: law.Regime) -> list[str]:
    """The campaign's căn cứ ({nghi_dinh}: the decree applied), else the law, the decree and
    the plan."""
    given = (campaign.quyet_dinh or {}).get("can_cu")
    if given:
        return [line.replace("{nghi_dinh}", regime.name) for line in given]
    plan = campaign.plan
    title = plan["title"]
    about = title[len("Kế hoạch "):] if title.startswith("Kế hoạch ") else f"về {title}"
    lines = [f"Căn cứ {regime.law};"] if regime.law else []
    return [*lines, f"Căn cứ {regime.name};",
            f"Căn cứ Kế hoạch số {plan['number']} {date_in_text(plan['date'])} của "
            f"{plan['issuer']} {about};"]


def _proposal(campaign: Campaign, qd: dict) -> str:
    bb = campaign.bien_ban
    minutes = ""
    if bb.get("symbol"):
        number = doc_number(bb.get("number"), bb["symbol"]).removeprefix("Số:").strip()
        minutes = f" tại Biên bản số {number}"
    text = f"Xét đề nghị của {bb['council']}{minutes} ngày {date_short(bb['date'])}"
    standing = qd.get("to_trinh")
    if qd.get("proposed_by") or standing:
        text += f" và của {qd.get('proposed_by') or standing['full_name']}"
    if standing:
        number = doc_number(standing.get("number"), standing["symbol"]).removeprefix("Số:")
        text += f" tại Tờ trình số {number.strip()} ngày {date_short(standing['date'])}"
    return text + "."


def _ordered(awardees: list[Awardee]) -> list[Awardee]:
    return sorted(awardees, key=lambda a: 0 if a.nominee.kind == "tap_the" else 1)


def _grants(awardees: list[Awardee]) -> str:
    """"Tặng Giấy khen … cho 05 tập thể và 06 cá nhân", one clause per award."""
    parts = []
    ordered = _ordered(awardees)
    for title in OrderedDict.fromkeys(a.award.title for a in ordered):
        counts: OrderedDict[str, int] = OrderedDict()
        for a in ordered:
            if a.award.title == title:
                counts[a.nominee.kind] = counts.get(a.nominee.kind, 0) + 1
        who = " và ".join(f"{two_digit_count(n)} {KIND_LABELS[k].lower()}"
                          for k, n in counts.items())
        parts.append(f"tặng {title} cho {who}")
    return "; ".join(parts)[:1].upper() + "; ".join(parts)[1:]


def _money(danh_sach: dict, regime: law.Regime, qd: dict) -> str:
    if not danh_sach["has_money"]:
        return ("Các hình thức khen thưởng tại Điều 1 không kèm tiền thưởng; kinh phí in ấn, "
                f"khung từ {qd['budget']}.")
    return (f"Kèm theo hình thức khen thưởng, các tập thể, cá nhân có tên tại Điều 1 được "
            f"thưởng theo quy định tại {regime.short_name}. Tổng số tiền thưởng: "
            f"{danh_sach['total_figures']} đồng (Bằng chữ: {danh_sach['total_words']}), chi từ "
            f"{qd['budget']}.")
