"""Organisations that no longer exist on the round's date: a proposer of an abolished kind of
body, or a plan issuer, proposer or nominee whose name is of an abolished kind (data:
dossier/law/reorganisations.yaml, with sources)."""

from __future__ import annotations

from dossier.law.authority import Reorganisation, load_reorganisations
from dossier.models import Campaign, Finding, Nominee
from dossier.vietnamese import date_short

SHOWN = 5  # nominees named in a finding; the rest are counted


def organisation_findings(campaign: Campaign, nominees: list[Nominee]) -> list[Finding]:
    day = campaign.to_trinh["date"]
    findings = []
    for change in load_reorganisations():
        if day < change.effective:
            continue
        findings += _bodies(campaign, change) + _nominees(change, nominees)
    return findings


def _warning(change: Reorganisation, who: str, nominees: tuple[str, ...] = ()) -> Finding:
    return Finding(
        "ORGANISATION_ABOLISHED", "warning",
        # "<who>: from <date> <what changed> (<act>); the round is dated after it"
        f"{who}: từ ngày {date_short(change.effective)} {change.summary} ({change.title}); "
        "đợt này có ngày sau thời điểm đó – kiểm tra tên và thẩm quyền",
        nominees=nominees)


def _bodies(campaign: Campaign, change: Reorganisation) -> list[Finding]:
    found = []
    if campaign.proposer.get("level") in change.bodies:
        found.append(_warning(change, f"cơ quan đề nghị {campaign.proposer['full_name']}"))
    named = {"cơ quan đề nghị": campaign.proposer["full_name"],
             "cơ quan ban hành Kế hoạch": campaign.plan["issuer"]}
    for role, name in named.items():
        if found and role == "cơ quan đề nghị":
            continue
        if any(p.search(name) for p in change.names):
            found.append(_warning(change, f"{role} {name}"))
    return found


def _nominees(change: Reorganisation, nominees: list[Nominee]) -> list[Finding]:
    hit = [n for n in nominees
           if any(p.search(text) for p in change.names
                  for text in (n.name, n.get("unit") or ""))]
    if not hit:
        return []
    names = ", ".join(f"{n.name} ({n.id})" for n in hit[:SHOWN])
    more = f" và {len(hit) - SHOWN} đối tượng khác" if len(hit) > SHOWN else ""
    return [_warning(change, f"đối tượng đề nghị {names}{more}", tuple(n.id for n in hit))]
