"""Apply groups, eligibility, quotas and caps to the final ranking; detect unresolved ties.

The ranking is taken as final: within a group, nominees are ordered by the group's `order_by`
keys (the plan's criterion, then its tie-breaks). When the last nominee inside a quota and the
first one outside it are equal on every key, the plan's rules do not decide between them: that
is a blocking finding naming all of them. The result does not depend on the rows' order.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from dossier import law
from dossier.models import (
    KIND_LABELS,
    Award,
    Awardee,
    Campaign,
    Exclusion,
    Finding,
    Group,
    LegalFigure,
    Nominee,
    Quota,
    Selection,
)
from dossier.rules.conditions import failed, holds
from dossier.vietnamese import date_short, format_amount


@dataclass
class _Pool:
    """Eligible nominees of one group, best first."""

    group: Group
    ranked: list[Nominee]


def select(campaign: Campaign, nominees: list[Nominee]) -> Selection:
    exclusions: list[Exclusion] = []
    pools = _build_pools(campaign, nominees, exclusions)
    regime = law.load_regime(campaign.regime)
    decision_date = _decision_date(campaign)
    awardees: list[Awardee] = []
    findings: list[Finding] = []
    not_chosen: list[tuple[Nominee, Group, str]] = []
    taken: set[str] = set()
    for award in campaign.awards:
        for quota in award.quotas:
            pool = pools[quota.group]
            chosen, rest, quota_findings = _fill_quota(award, quota, pool, taken)
            findings += quota_findings
            for position, nominee in enumerate(chosen, start=1):
                awardees.append(_awardee(award, pool.group, position, nominee, regime,
                                         decision_date))
                taken.add(nominee.id)
            not_chosen += [(n, pool.group, reason) for n, reason in rest]
    awarded = {a.nominee.id for a in awardees}
    exclusions = [e for e in exclusions if e.nominee.id not in awarded]
    return Selection(awardees, exclusions, _unique_not_chosen(not_chosen, taken), findings)


def _decision_date(campaign: Campaign) -> dt.date:
    value = campaign.to_trinh.get("decision_date")
    return dt.date.fromisoformat(value) if value else campaign.to_trinh["date"]


def _build_pools(campaign: Campaign, nominees: list[Nominee],
                 exclusions: list[Exclusion]) -> dict[str, _Pool]:
    """A nominee competes in every group whose membership conditions it meets (groups may
    overlap, as 002's 'best advisory unit' among the Sở); it receives one award at most."""
    pools = {g.id: _Pool(g, []) for g in campaign.groups}
    for nominee in nominees:
        groups = [g for g in campaign.groups
                  if g.kind == nominee.kind and all(holds(c, nominee) for c in g.members)]
        if not groups:
            # "belongs to no group of the plan"
            exclusions.append(Exclusion(nominee, None, "không thuộc nhóm nào của Kế hoạch"))
        for group in groups:
            rules = (*campaign.eligibility.get(nominee.kind, ()), *group.eligibility)
            broken = failed(rules, nominee)
            if broken:
                reason = "; ".join(c.rule or f"{c.column} {c.op} {c.value}" for c in broken)
                exclusions.append(Exclusion(nominee, group, reason))
            else:
                pools[group.id].ranked.append(nominee)
    for pool in pools.values():
        pool.ranked.sort(key=lambda n, g=pool.group: (*sort_key(g, n), n.id))
    return pools


def sort_key(group: Group, nominee: Nominee) -> tuple:
    """Best first; a missing value sorts last whatever the direction."""
    key = []
    for order in group.order_by:
        value = nominee.get(order.column)
        if value is None:
            key.append((1, 0))
        elif order.direction == "desc":
            key.append((0, _negate(value)))
        else:
            key.append((0, value))
    return tuple(key)


def _negate(value):
    if isinstance(value, bool):
        return -int(value)
    if isinstance(value, int | float):
        return -value
    if isinstance(value, dt.date):
        return -value.toordinal()
    # text sorted descending: compare code points reversed
    return tuple(-ord(ch) for ch in value)


def _fill_quota(award: Award, quota: Quota, pool: _Pool, taken: set[str]):
    """`taken`: ids already awarded (by earlier quotas and awards)."""
    candidates: list[Nominee] = []
    rest: list[tuple[Nominee, str]] = []
    for nominee in pool.ranked:
        if nominee.id in taken:
            continue
        if award.require_awarded_parent and nominee.get("parent_id") not in taken:
            # "their collective is not awarded"
            rest.append((nominee, "tập thể nơi công tác không được đề nghị khen thưởng"))
            continue
        candidates.append(nominee)
    chosen, capped = _apply_cap(quota, candidates)
    rest += capped
    for position, nominee in enumerate(chosen[quota.count:], start=quota.count + 1):
        rest.append((nominee, f"{award.title}: xếp thứ {position}, ngoài chỉ tiêu "
                              f"{quota.count:02d} của nhóm"))
    findings = _tie_findings(award, quota, pool.group, chosen)
    if len(chosen) < quota.count:
        findings.append(Finding(
            "QUOTA_UNFILLED", "warning",
            f"{award.title} – {pool.group.name}: chỉ có {len(chosen)} đủ điều kiện, "
            f"chỉ tiêu {quota.count:02d}",
        ))
    return chosen[: quota.count], rest, findings


def _apply_cap(quota: Quota, candidates: list[Nominee]):
    """Keep candidates in order, skipping those whose cap value is already full."""
    if quota.cap is None:
        return candidates, []
    counts: Counter = Counter()
    kept, skipped = [], []
    for nominee in candidates:
        value = nominee.get(quota.cap.column)
        within_quota = len(kept) < quota.count
        if within_quota and counts[value] >= quota.cap.max:
            skipped.append((nominee, f"đã đủ {quota.cap.max:02d} đơn vị có "
                                     f"{quota.cap.column} = {value}"))
            continue
        counts[value] += 1
        kept.append(nominee)
    return kept, skipped


def _tie_findings(award: Award, quota: Quota, group: Group,
                  ranked: list[Nominee]) -> list[Finding]:
    findings = []
    if len(ranked) > quota.count:
        boundary = sort_key(group, ranked[quota.count - 1])
        tied = [n for n in ranked if sort_key(group, n) == boundary]
        if any(ranked.index(n) >= quota.count for n in tied):
            findings.append(_tie(award, group, tied, f"ở ranh giới chỉ tiêu {quota.count:02d}"))
    if award.prize.source == "fixed":
        chosen = ranked[: quota.count]
        for upper, lower in zip(chosen, chosen[1:], strict=False):
            same_key = sort_key(group, upper) == sort_key(group, lower)
            if same_key and _fixed(award, chosen.index(upper) + 1) != _fixed(
                    award, chosen.index(lower) + 1):
                findings.append(_tie(award, group, [upper, lower], "giữa hai mức thưởng khác nhau"))
    return findings


def _tie(award: Award, group: Group, tied: list[Nominee], where: str) -> Finding:
    names = ", ".join(f"{n.name} ({n.id})" for n in tied)
    keys = ", ".join(k.column for k in group.order_by)
    return Finding(
        "TIE_AT_BOUNDARY", "blocking",
        # "equal on every ranking key (...) <where>; the plan's rules do not decide"
        f"{award.title} – {group.name}: {names} bằng nhau trên mọi tiêu chí xếp hạng ({keys}) "
        f"{where}; các quy tắc của Kế hoạch không phân định được",
        nominees=tuple(n.id for n in tied),
    )


def _fixed(award: Award, position: int) -> int:
    amounts = award.prize.amounts
    return amounts[min(position, len(amounts)) - 1]


def _awardee(award: Award, group: Group, position: int, nominee: Nominee,
             regime: law.Regime, decision_date: dt.date) -> Awardee:
    if award.prize.source == "none":
        return Awardee(nominee, award, group, position, None, "không kèm tiền thưởng")
    if award.prize.source == "fixed":
        amount = _fixed(award, position)
        return Awardee(nominee, award, group, position, amount,
                       f"mức thưởng cố định theo Kế hoạch cho vị trí {position}")
    form = regime.award_forms[award.form]
    salary = law.base_salary_on(decision_date)
    coefficient = form.coefficients[nominee.kind]
    rule = regime.prize_rule
    amount = law.prize_amount(coefficient.value, salary.amount, rule.rounding_step)
    figures = (
        LegalFigure(f"hệ số {law.coefficient_text(coefficient.value)} của {form.name} cho "
                    f"{KIND_LABELS[nominee.kind].lower()}", coefficient.evidence),
        LegalFigure(f"mức lương cơ sở {format_amount(salary.amount)} đồng (áp dụng từ "
                    f"{date_short(salary.effective_from)})", salary.evidence),
        LegalFigure(f"cách tính tiền thưởng của {regime.short_name} (lương cơ sở tại ngày "
                    f"quyết định, làm tròn lên {format_amount(rule.rounding_step)} đồng)",
                    rule.evidence),
    )
    basis = (f"hệ số {law.coefficient_text(coefficient.value)} × mức lương cơ sở "
             f"{format_amount(salary.amount)} đồng (áp dụng từ "
             f"{date_short(salary.effective_from)})")
    return Awardee(nominee, award, group, position, amount, basis, figures)


def _unique_not_chosen(items, taken: set[str]):
    """One line per nominee and group: the last award that could have taken them says why."""
    last: dict[tuple[str, str], tuple] = {}
    for nominee, group, reason in items:
        if nominee.id not in taken:
            last[(nominee.id, group.id)] = (nominee, group, reason)
    return list(last.values())
