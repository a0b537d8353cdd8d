"""Selection as properties (hypothesis), over random rankings of the Cần Thơ plan and of
variants with a cap per value and with individuals limited to awarded collectives:

- no quota is ever exceeded (nor a cap), nobody is awarded twice;
- every awardee meets every condition of its kind and group (and has an awarded parent when
  the award requires it);
- the result (awardees, positions, amounts, findings) does not depend on the rows' order.

tests/test_selection.py has the example-based versions.
"""

from __future__ import annotations

import copy
import dataclasses
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from dossier.campaign.load import load_campaign
from dossier.models import Campaign, Cap, Nominee
from dossier.rules.conditions import holds
from dossier.rules.selection import select

from .conftest import EXAMPLE

PLAN = load_campaign(EXAMPLE)
UNIT_TYPES = next(c for c in PLAN.columns if c.name == "unit_type").allowed
UNITS = ("Sở Tư pháp", "Sở Y tế", "Văn phòng Đăng ký đất đai")
# values on and around the plan's thresholds, so that boundaries and ties are common
RATES = st.one_of(st.sampled_from([0.0, 54.9, 55.0, 79.9, 80.0, 99.9, 100.0]),
                  st.floats(0, 100, allow_nan=False))
FILES = st.one_of(st.sampled_from([0, 99, 100, 9_999, 10_000, 90_000, 90_001]),
                  st.integers(0, 200_000))


@st.composite
def collectives(draw, index: int) -> Nominee:
    values = {
        "id": f"TT{index:02d}", "kind": "tap_the", "name": f"Đơn vị {index}",
        "unit": draw(st.sampled_from(UNITS)),
        "unit_type": draw(st.sampled_from(UNIT_TYPES)),
        "yearly_files": draw(FILES), "period_files": draw(FILES),
        "digitisation_met": draw(st.booleans()),
        "reuse_rate": draw(RATES), "reuse_rate_2024": draw(RATES),
    }
    return Nominee(values["id"], "tap_the", values["name"], index + 2, values)


@st.composite
def individuals(draw, index: int, parents: list[str]) -> Nominee:
    values = {
        "id": f"CN{index:02d}", "kind": "ca_nhan", "name": f"Người {index}",
        "unit": draw(st.sampled_from(UNITS)),
        "reused_files": draw(st.one_of(st.sampled_from([99, 100, 1208]),
                                       st.integers(0, 3_000))),
        "reused_files_2024": draw(st.integers(0, 3)),  # few values: ties are frequent
    }
    parent = draw(st.sampled_from([None, *parents]))
    if parent:
        values["parent_id"] = parent
    return Nominee(values["id"], "ca_nhan", values["name"], 100 + index, values)


@st.composite
def rankings(draw) -> list[Nominee]:
    units = [draw(collectives(i)) for i in range(draw(st.integers(0, 14)))]
    people = [draw(individuals(i, [u.id for u in units])) for i in range(draw(st.integers(0, 12)))]
    return units + people


def _variant(kind: str) -> Campaign:
    if kind == "plan":
        return PLAN
    campaign = copy.copy(PLAN)
    people = campaign.awards[1]
    if kind == "cap":
        quota = dataclasses.replace(people.quotas[0], cap=Cap("unit", 1))
        people = dataclasses.replace(people, quotas=(quota,))
    else:
        people = dataclasses.replace(people, require_awarded_parent=True)
    campaign.awards = (campaign.awards[0], people)
    return campaign


VARIANTS = st.sampled_from(["plan", "cap", "parent"])


def _outcome(selection) -> tuple:
    awardees = [(a.nominee.id, a.award.id, a.group.id, a.position, a.amount)
                for a in selection.awardees]
    findings = sorted((f.code, f.severity, f.message, tuple(sorted(f.nominees)))
                      for f in selection.findings)
    return awardees, findings


@settings(max_examples=100, deadline=None)
@given(rankings(), VARIANTS)
def test_quotas_and_caps_are_never_exceeded(nominees, variant):
    campaign = _variant(variant)
    selection = select(campaign, nominees)
    chosen = Counter((a.award.id, a.group.id) for a in selection.awardees)
    for award in campaign.awards:
        for quota in award.quotas:
            assert chosen[(award.id, quota.group)] <= quota.count
            if quota.cap:
                per_value = Counter(a.nominee.get(quota.cap.column) for a in selection.awardees
                                    if a.award.id == award.id and a.group.id == quota.group)
                assert max(per_value.values(), default=0) <= quota.cap.max
    ids = [a.nominee.id for a in selection.awardees]
    assert len(ids) == len(set(ids)), "a nominee awarded twice"


@settings(max_examples=100, deadline=None)
@given(rankings(), VARIANTS)
def test_every_awardee_is_eligible(nominees, variant):
    campaign = _variant(variant)
    selection = select(campaign, nominees)
    awarded = {a.nominee.id for a in selection.awardees}
    excluded = {e.nominee.id for e in selection.exclusions}
    for awardee in selection.awardees:
        nominee, group = awardee.nominee, awardee.group
        assert nominee.kind == group.kind and nominee.id not in excluded
        rules = (*campaign.eligibility.get(nominee.kind, ()), *group.members, *group.eligibility)
        assert all(holds(rule, nominee) for rule in rules), nominee
        if awardee.award.require_awarded_parent:
            assert nominee.get("parent_id") in awarded


@settings(max_examples=100, deadline=None)
@given(rankings(), VARIANTS, st.randoms(use_true_random=False))
def test_row_order_does_not_matter(nominees, variant, rng):
    campaign = _variant(variant)
    shuffled = list(nominees)
    rng.shuffle(shuffled)
    assert _outcome(select(campaign, shuffled)) == _outcome(select(campaign, nominees))
