"""selection.md: who was chosen, who was not, and the rule that decided, per group.

Reviewers ask "why is unit X not on the list?" first; this answers it."""

from __future__ import annotations

from .models import Selection
from .selection import sort_key
from .vietnamese import format_amount


def selection_markdown(campaign_name: str, selection: Selection) -> str:
    lines = [f"# Kết quả xét chọn – {campaign_name}", ""]
    groups = []
    for item in (*[(a.group) for a in selection.awardees],
                 *[e.group for e in selection.exclusions if e.group],
                 *[g for _, g, _ in selection.not_chosen]):
        if item not in groups:
            groups.append(item)
    for group in groups:
        lines += [f"## {group.name}", ""]
        chosen = sorted((a for a in selection.awardees if a.group == group),
                        key=lambda a: (a.award.id, a.position))
        lines += ["**Được đề nghị khen thưởng**", ""]
        lines += [f"{a.position}. {a.nominee.name} ({a.nominee.id}) – {a.award.title}"
                  + (f" – {format_amount(a.amount)} đồng ({a.amount_basis})"
                     if a.amount is not None else "")
                  for a in chosen] or ["(không có)"]
        passed = [(n, r) for n, g, r in selection.not_chosen if g == group]
        passed.sort(key=lambda item: sort_key(group, item[0]))
        if passed:
            lines += ["", "**Đủ điều kiện nhưng không được chọn**", ""]
            lines += [f"- {n.name} ({n.id}): {r}" for n, r in passed]
        excluded = [e for e in selection.exclusions if e.group == group]
        if excluded:
            lines += ["", "**Không đủ điều kiện**", ""]
            lines += [f"- {e.nominee.name} ({e.nominee.id}): {e.reason}" for e in excluded]
        lines.append("")
    outside = [e for e in selection.exclusions if e.group is None]
    if outside:
        lines += ["## Không thuộc nhóm nào", ""]
        lines += [f"- {e.nominee.name} ({e.nominee.id}): {e.reason}" for e in outside]
        lines.append("")
    return "\n".join(lines)
