"""How a submission's route shows in the words of its documents: the request to forward, the
Tờ trình's number, the Biên bản's conclusion."""

from __future__ import annotations

from dossier import law
from dossier.models import Campaign
from dossier.rules.authority import Submission, award_routes


def forwarding(sub: Submission) -> str:
    """"trình Thủ tướng Chính phủ " when the next level is asked to forward the file."""
    return f"trình {sub.decider_title} " if sub.mode == "forward" else ""


def to_trinh_number(campaign: Campaign, sub: Submission) -> int | None:
    """`to_trinh.numbers[<decider level>]`; else `to_trinh.number` for the Tờ trình to the next
    level (or the only Tờ trình); else blank, to be filled when it is issued."""
    tt = campaign.to_trinh
    numbers = tt.get("numbers") or {}
    if sub.decider in numbers:
        return numbers[sub.decider]
    if sub.mode in ("propose", "decide"):  # decide: the standing body's own Tờ trình
        return tt.get("number")
    to_next_level = any(r.mode == "propose" for r in award_routes(campaign).values())
    return None if to_next_level else tt.get("number")


def conclusion(sub: Submission) -> str:
    """The Biên bản's closing resolution: whom the council asks, for this submission."""
    if sub.mode == "forward":
        whom = f"{sub.addressee_title} xem xét, trình {sub.decider_title}"
    else:
        whom = sub.decider_title
    return (f"Hội đồng thống nhất đề nghị {whom} khen thưởng các tập thể, cá nhân có tên trong "
            "danh sách kèm theo Biên bản này.")


def can_cu(campaign: Campaign, lines: list[str]) -> list[str]:
    """The căn cứ as written, `{nghi_dinh}` replaced by the applied decree's full name; with
    `regime: in-force`, a line citing another regime's decree cites the one in force instead."""
    regime = law.load_regime(campaign.regime)
    others = [law.load_regime(r).short_name for r in law.available_regimes()
              if r != regime.id] if campaign.regime_choice == "in-force" else []
    out = []
    for line in lines:
        if any(name in line for name in others):
            line = f"Căn cứ {regime.name};"
        out.append(line.replace("{nghi_dinh}", regime.name))
    return out


def conclusions(written: list[str] | None, sub: Submission, several: bool) -> list[str]:
    """The plan's own conclusion when the round has one submission; with several, each
    extract says whom the council asks for its awards."""
    if written and not several:
        return list(written)
    return [conclusion(sub)]
