"""selection.md: who was chosen, who was not, and the rule that decided, per group.

Reviewers ask "why is unit X not on the list?" first; this answers it."""

from __future__ import annotations

from dossier.models import Awardee, Campaign, Group, Selection
from dossier.rules.authority import Submission
from dossier.rules.selection import sort_key
from dossier.vietnamese import format_amount, format_decimal, money_in_words


def _chosen_line(number: int, awardee: Awardee) -> str:
    line = f"{number}. {awardee.nominee.name} ({awardee.nominee.id}) – {awardee.award_label}"
    if awardee.rank and awardee.rank[1] is not None:
        line += f", cộng {format_decimal(awardee.rank[1], 0)} điểm thi đua"  # emulation points
    if awardee.amount is not None:
        line += f" – {format_amount(awardee.amount)} đồng ({awardee.amount_basis})"
    return line


def selection_markdown(campaign: Campaign, selection: Selection,
                       submissions: list[Submission] | None = None) -> str:
    title = campaign.name + (f" – {campaign.round_name}" if campaign.round_name else "")
    lines = [f"# Kết quả xét chọn – {title}", ""]
    if submissions and len(submissions) > 1:
        lines += submissions_section(submissions)
    award_order = {award.id: index for index, award in enumerate(campaign.awards)}
    for group in campaign.groups:
        lines += _group_section(group, selection, award_order)
    outside = [e for e in selection.exclusions if e.group is None]
    if outside:
        lines += ["## Không thuộc nhóm nào", ""]
        lines += [f"- {e.nominee.name} ({e.nominee.id}): {e.reason}" for e in outside]
        lines.append("")
    return "\n".join(lines)


def _group_section(group: Group, selection: Selection, award_order: dict[str, int]) -> list[str]:
    chosen = sorted((a for a in selection.awardees if a.group == group),
                    key=lambda a: (award_order[a.award.id], a.position))
    passed = sorted(((n, r) for n, g, r in selection.not_chosen if g == group),
                    key=lambda item: sort_key(group, item[0]))
    excluded = [e for e in selection.exclusions if e.group == group]
    if not (chosen or passed or excluded):
        return []
    lines = [f"## {group.name}", "", "**Được đề nghị khen thưởng**", ""]
    lines += [_chosen_line(i, a) for i, a in enumerate(chosen, start=1)] or ["(không có)"]
    if passed:
        lines += ["", "**Đủ điều kiện nhưng không được chọn**", ""]
        lines += [f"- {n.name} ({n.id}): {r}" for n, r in passed]
    if excluded:
        lines += ["", "**Không đủ điều kiện**", ""]
        lines += [f"- {e.nominee.name} ({e.nominee.id}): {e.reason}" for e in excluded]
    return [*lines, ""]


def submissions_section(submissions: list[Submission]) -> list[str]:
    """One line per submission: what it is, who is in it, the money its authority pays."""
    lines = ["## Hồ sơ theo cấp quyết định", ""]  # files by deciding authority
    for number, sub in enumerate(submissions, start=1):
        money = ""
        if any(a.amount is not None for a in sub.awardees):
            money = (f"; tổng tiền thưởng {format_amount(sub.total)} đồng "
                     f"({money_in_words(sub.total)})")
        lines.append(f"{number}. {sub.label} ({sub.id}): {sub.counts}{money}")
        awards = dict.fromkeys(a.award_label for a in sub.awardees)
        lines += [f"   - {label}" for label in awards]
    return [*lines, ""]
