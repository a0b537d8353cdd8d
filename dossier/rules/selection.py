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
from dossier.rules.labels import column_label, shown_value, unit_name
from dossier.vietnamese import date_short, format_amount


@dataclass
class _Pool:
    """Eligible nominees of one group, best first."""

    group: Group
    ranked: list[Nominee]


@dataclass
class _Context:
    """What the quotas consult besides their pool: the campaign (for labels), every nominee by
    id (units by name), who is taken, and who was awarded in which group."""

    campaign: Campaign
    by_id: dict[str, Nominee]
    taken: set[str]
    awarded_in: dict[str, set[str]]


def select(campaign: Campaign, nominees: list[Nominee]) -> Selection:
    exclusions: list[Exclusion] = []
    findings: list[Finding] = []
    by_id = {n.id: n for n in nominees}
    pools = _build_pools(campaign, nominees, exclusions, findings)
    regime = law.load_regime(campaign.regime)
    decision_date = _decision_date(campaign)
    awardees: list[Awardee] = []
    not_chosen: list[tuple[Nominee, Group, str, bool]] = []
    context = _Context(campaign, by_id, set(), {g.id: set() for g in campaign.groups})
    for award in campaign.awards:
        for quota in award.quotas:
            pool = pools[quota.group]
            chosen, rest, quota_findings = _fill_quota(award, quota, pool, context)
            findings += quota_findings
            for position, nominee in enumerate(chosen, start=1):
                awardees.append(_awardee(award, pool.group, position, nominee, regime,
                                         decision_date))
                context.taken.add(nominee.id)
                context.awarded_in[pool.group.id].add(nominee.id)
            not_chosen += [(n, pool.group, reason, excluded) for n, reason, excluded in rest]
    awarded = {a.nominee.id for a in awardees}
    exclusions = [e for e in exclusions if e.nominee.id not in awarded]
    passed, excluded = _unique_not_chosen(not_chosen, context.taken)
    return Selection(awardees, exclusions + excluded, passed, findings)


def _decision_date(campaign: Campaign) -> dt.date:
    value = campaign.to_trinh.get("decision_date")
    return dt.date.fromisoformat(value) if value else campaign.to_trinh["date"]


def _build_pools(campaign: Campaign, nominees: list[Nominee], exclusions: list[Exclusion],
                 findings: list[Finding]) -> dict[str, _Pool]:
    """A nominee competes in every group whose membership conditions it meets (groups may
    overlap, as 002's 'best advisory unit' among the Sở); it receives one award at most. A
    group of individuals with `parent_group` takes them from that group's collectives."""
    pools = {g.id: _Pool(g, []) for g in campaign.groups}
    by_id = {n.id: n for n in nominees}
    units_of = {g.id: {n.id for n in nominees if n.kind == g.kind
                       and all(holds(c, n) for c in g.members)} for g in campaign.groups}
    for nominee in nominees:
        groups = [g for g in campaign.groups
                  if g.kind == nominee.kind and all(holds(c, nominee) for c in g.members)]
        if not groups:
            # "belongs to no group of the plan"
            exclusions.append(Exclusion(nominee, None, "không thuộc nhóm nào của Kế hoạch"))
        for group in groups:
            unit_problem = _unit_outside_group(campaign, group, nominee, by_id, units_of)
            if unit_problem and nominee.get("parent_id"):
                findings.append(Finding("UNIT_IN_OTHER_GROUP", "warning",
                                        f"{group.name}: {nominee.name} ({nominee.id}) "
                                        f"{unit_problem}", nominees=(nominee.id,)))
            if unit_problem and group.parent_group:  # the plan's rule: the unit's group decides
                exclusions.append(Exclusion(nominee, group, unit_problem))
                continue
            rules = (*campaign.eligibility.get(nominee.kind, ()), *group.eligibility)
            broken = failed(rules, nominee)
            if broken:
                reason = "; ".join(c.rule or _condition_words(campaign, c) for c in broken)
                exclusions.append(Exclusion(nominee, group, reason))
            else:
                pools[group.id].ranked.append(nominee)
    for pool in pools.values():
        pool.ranked.sort(key=lambda n, g=pool.group: (*sort_key(g, n), n.id))
    return pools


def _condition_words(campaign: Campaign, condition) -> str:
    return (f"{column_label(campaign, condition.column)} {condition.op} "
            f"{shown_value(campaign, condition.column, condition.value)}")


def _unit_outside_group(campaign: Campaign, group: Group, nominee: Nominee,
                        by_id: dict[str, Nominee], units_of: dict[str, set[str]]) -> str | None:
    """Why an individual's unit (parent_id) does not belong where the individual competes:
    not a collective of the group's `parent_group`, or (without one) failing a membership
    condition of the group on a column the unit fills too (a Khối 2 officer of a Khối 1 unit).
    None when nothing says so."""
    parent_id = nominee.get("parent_id")
    if group.parent_group:
        parents = campaign.group(group.parent_group)
        if parent_id in units_of[parents.id]:
            return None
        if not parent_id:
            # "has no unit (parent_id): individuals of this group come from <group>"
            return (f"không có đơn vị (parent_id): cá nhân của nhóm này phải thuộc một đơn vị "
                    f"của {parents.name}")
        return (f"thuộc đơn vị {unit_name(parent_id, by_id)}, không thuộc {parents.name}"
                + _unit_groups(campaign, parent_id, units_of))
    unit = by_id.get(parent_id) if parent_id else None
    if unit is None or group.kind != "ca_nhan":
        return None
    for condition in group.members:
        if unit.get(condition.column) is not None and not holds(condition, unit):
            column = condition.column
            label = column_label(campaign, column)
            # "has <label> X but their unit U has <label> Y"
            return (f"có {label} là {shown_value(campaign, column, nominee.get(column))} "
                    f"nhưng đơn vị {unit_name(parent_id, by_id)} có {label} là "
                    f"{shown_value(campaign, column, unit.get(column))}")
    return None


def _unit_groups(campaign: Campaign, unit_id: str, units_of: dict[str, set[str]]) -> str:
    names = [g.name for g in campaign.groups if g.kind == "tap_the" and unit_id in units_of[g.id]]
    return f" (đơn vị thuộc {', '.join(names)})" if names else ""


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


def _fill_quota(award: Award, quota: Quota, pool: _Pool, context: _Context):
    """Returns (chosen, rest, findings); rest: (nominee, reason, excluded), `excluded` when a
    rule of the plan (not the ranking) kept them out."""
    candidates: list[Nominee] = []
    rest: list[tuple[Nominee, str, bool]] = []
    for nominee in pool.ranked:
        if nominee.id in context.taken:
            continue
        reason = _parent_not_awarded(award, pool.group, nominee, context)
        if reason:
            rest.append((nominee, reason, True))
            continue
        candidates.append(nominee)
    chosen, capped = _apply_cap(quota, candidates, context)
    rest += [(n, r, False) for n, r in capped]
    last = chosen[quota.count - 1] if len(chosen) >= quota.count else None
    for position, nominee in enumerate(chosen[quota.count:], start=quota.count + 1):
        reason = f"{award.title}: xếp thứ {position}, ngoài chỉ tiêu {quota.count:02d} của nhóm"
        rest.append((nominee, reason + _settled_by(context.campaign, pool.group, last, nominee),
                     False))
    findings = _tie_findings(award, quota, pool.group, chosen, context.campaign)
    if len(chosen) < quota.count:
        findings.append(Finding(
            "QUOTA_UNFILLED", "warning",
            f"{award.title} – {pool.group.name}: chỉ có {len(chosen)} đủ điều kiện, "
            f"chỉ tiêu {quota.count:02d}",
        ))
    return chosen[: quota.count], rest, findings


def _parent_not_awarded(award: Award, group: Group, nominee: Nominee,
                        context: _Context) -> str | None:
    """`require_awarded_parent`: the individual's unit must be awarded (in the group's
    `parent_group` where it names one). The reason names the unit."""
    if not award.require_awarded_parent:
        return None
    parent_id = nominee.get("parent_id")
    if group.parent_group:
        parents = context.campaign.group(group.parent_group)
        if parent_id in context.awarded_in[parents.id]:
            return None
        where = f" trong {parents.name}"
    elif parent_id in context.taken:
        return None
    else:
        where = ""
    unit = unit_name(parent_id, context.by_id) if parent_id else "(không có parent_id)"
    # "excluded by the rule 'individuals of awarded collectives only': their unit X is not
    # proposed for an award (in group G)"
    return (f"chỉ xét cá nhân thuộc tập thể được khen thưởng: tập thể nơi công tác {unit} "
            f"không được đề nghị khen thưởng{where}")


def _settled_by(campaign: Campaign, group: Group, last: Nominee | None,
                nominee: Nominee) -> str:
    """When the last one inside the quota and this one are equal on the leading keys, the
    key that settled it, with both values."""
    if last is None:
        return ""
    for index, order in enumerate(group.order_by):
        ours, theirs = nominee.get(order.column), last.get(order.column)
        if ours == theirs:
            continue
        if index == 0:
            return ""  # not a tie: the first key decided
        equal = ", ".join(f"{column_label(campaign, k.column)} "
                          f"({shown_value(campaign, k.column, last.get(k.column))})"
                          for k in group.order_by[:index])
        label = column_label(campaign, order.column)
        # "tied with X on <keys>; settled by <key>: v1 against v2"
        return (f" (bằng {last.name} ({last.id}) về {equal}; phân định bởi {label}: "
                f"{shown_value(campaign, order.column, ours)} so với "
                f"{shown_value(campaign, order.column, theirs)})")
    return ""


def _apply_cap(quota: Quota, candidates: list[Nominee], context: _Context):
    """Keep candidates in order, skipping those whose cap value is already full."""
    if quota.cap is None:
        return candidates, []
    counts: Counter = Counter()
    kept, skipped = [], []
    column = quota.cap.column
    for nominee in candidates:
        value = nominee.get(column)
        within_quota = len(kept) < quota.count
        if within_quota and counts[value] >= quota.cap.max:
            shown = shown_value(context.campaign, column, value, context.by_id)
            # "the quota already has N with <label> = <value>"
            who = "cá nhân" if nominee.kind == "ca_nhan" else "đơn vị"
            skipped.append((nominee, f"đã đủ {quota.cap.max:02d} {who} có "
                                     f"{column_label(context.campaign, column)} là {shown}"))
            continue
        counts[value] += 1
        kept.append(nominee)
    return kept, skipped


def _tie_findings(award: Award, quota: Quota, group: Group, ranked: list[Nominee],
                  campaign: Campaign) -> list[Finding]:
    findings = []
    if len(ranked) > quota.count:
        boundary = sort_key(group, ranked[quota.count - 1])
        tied = [n for n in ranked if sort_key(group, n) == boundary]
        if any(ranked.index(n) >= quota.count for n in tied):
            findings.append(_tie(award, group, tied, f"ở ranh giới chỉ tiêu {quota.count:02d}",
                                 campaign))
    if award.prize.source == "fixed":
        chosen = ranked[: quota.count]
        for upper, lower in zip(chosen, chosen[1:], strict=False):
            same_key = sort_key(group, upper) == sort_key(group, lower)
            if same_key and _fixed(award, chosen.index(upper) + 1) != _fixed(
                    award, chosen.index(lower) + 1):
                findings.append(_tie(award, group, [upper, lower],
                                     "giữa hai mức thưởng khác nhau", campaign))
    return findings


def _tie(award: Award, group: Group, tied: list[Nominee], where: str,
         campaign: Campaign) -> Finding:
    names = ", ".join(f"{n.name} ({n.id})" for n in tied)
    keys = ", ".join(column_label(campaign, k.column) for k in group.order_by)
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
    """One line per nominee and group: the last award that could have taken them says why.
    Returns (eligible but not chosen, excluded by a rule of the plan)."""
    last: dict[tuple[str, str], tuple] = {}
    for nominee, group, reason, excluded in items:
        if nominee.id not in taken:
            last[(nominee.id, group.id)] = (nominee, group, reason, excluded)
    passed = [(n, g, r) for n, g, r, excluded in last.values() if not excluded]
    excluded = [Exclusion(n, g, r) for n, g, r, excluded in last.values() if excluded]
    return passed, excluded
