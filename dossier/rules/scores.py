"""Computed columns: a plan's scoring rules applied to the ranking's figures.

A points rule is the shape plans use ("tỷ lệ ≥ 90%: điểm tối đa; dưới 90%: tỷ lệ × điểm tối
đa"); a sum adds columns (60 points + 40 points). Points are kept to two decimals, rounded half
up, so the ranking order is what a person computing by hand would get.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from dossier.models import Campaign, ComputedColumn, Nominee, PointsRule
from dossier.rules.conditions import holds

CENT = Decimal("0.01")


def with_computed_columns(campaign: Campaign, nominees: list[Nominee]) -> list[Nominee]:
    if not campaign.computed:
        return nominees
    return [_compute(campaign.computed, n) for n in nominees]


def _compute(computed: tuple[ComputedColumn, ...], nominee: Nominee) -> Nominee:
    values = dict(nominee.values)
    current = replace(nominee, values=values)
    for column in computed:
        if nominee.kind not in column.spec.kinds:
            continue
        value = _sum(column, values) if column.sum else _points(column.rules, current)
        if value is not None:
            values[column.spec.name] = float(value)
    return current


def _sum(column: ComputedColumn, values: dict) -> Decimal | None:
    parts = [values.get(name) for name in column.sum]
    if any(p is None for p in parts):
        return None
    return sum((Decimal(str(p)) for p in parts), Decimal(0)).quantize(CENT, ROUND_HALF_UP)


def _points(rules: tuple[PointsRule, ...], nominee: Nominee) -> Decimal | None:
    rule = next((r for r in rules if all(holds(c, nominee) for c in r.when)), None)
    if rule is None or nominee.get(rule.column) is None:
        return None
    ratio = Decimal(str(nominee.get(rule.column)))
    maximum = Decimal(str(rule.max))
    if ratio >= Decimal(str(rule.full_at)):
        return maximum.quantize(CENT)
    return (ratio / 100 * maximum).quantize(CENT, ROUND_HALF_UP)
