"""Selection: groups, eligibility, quotas, caps, parents, fixed prizes, ties, row order."""

from __future__ import annotations

import random

import pytest

from dossier.campaign.load import load_campaign
from dossier.campaign.rankings import load_rankings
from dossier.checks.analysis import analyse
from dossier.reports.selection import selection_markdown
from dossier.rules.selection import select

from .conftest import AS_OF, EXAMPLE, edit_campaign, edit_rankings, set_cell


def _awarded(root) -> list[str]:
    campaign = load_campaign(root)
    return [a.nominee.id for a in select(campaign, load_rankings(campaign)).awardees]


def test_example_winners_follow_the_plan():
    assert _awarded(EXAMPLE) == ["TT05", "TT01", "TT15", "CN05", "CN03", "CN06"]


def test_every_exclusion_names_its_rule():
    campaign = load_campaign(EXAMPLE)
    selection = select(campaign, load_rankings(campaign))
    reasons = {e.nominee.id: e.reason for e in selection.exclusions}
    assert "Mục III.2.a" in reasons["TT31"]  # a UBND quận is outside the plan's scope
    assert "Mục III.1.a" in reasons["TT20"]  # digitisation target not met
    assert "100 hồ sơ" in reasons["CN31"]  # 99 files, below the individual threshold
    not_chosen = {n.id: r for n, _, r in selection.not_chosen}
    assert "xếp thứ 2" in not_chosen["TT18"]


def test_selection_does_not_depend_on_row_order(campaign_dir):
    expected = _awarded(campaign_dir)
    for seed in range(3):
        edit_rankings(campaign_dir, lambda frame, s=seed: frame.sample(frac=1, random_state=s))
        assert _awarded(campaign_dir) == expected


def test_threshold_is_inclusive_as_written(campaign_dir):
    set_cell(campaign_dir, "CN05", "reused_files", "100")
    set_cell(campaign_dir, "CN03", "reused_files", "99")
    awarded = _awarded(campaign_dir)
    assert "CN03" not in awarded


def test_tie_at_boundary_is_blocking_and_names_everyone(campaign_dir):
    for column in ("reuse_rate", "reuse_rate_2024"):
        set_cell(campaign_dir, "TT14", column, "100" if column == "reuse_rate" else "99.6")
    analysis = analyse(campaign_dir, AS_OF)
    ties = [f for f in analysis.blocking if f.code == "TIE_AT_BOUNDARY"]
    assert len(ties) == 1
    assert set(ties[0].nominees) == {"TT14", "TT15"}
    assert "Nhóm 3" in ties[0].message


def test_tie_resolved_by_tie_break_is_not_a_finding():
    analysis = analyse(EXAMPLE, AS_OF)
    assert not [f for f in analysis.findings if f.code == "TIE_AT_BOUNDARY"]


def test_unfilled_quota_is_a_warning(campaign_dir):
    def nobody_reaches_100(frame):
        frame.loc[frame["kind"] == "Cá nhân", "reused_files"] = "50"
    edit_rankings(campaign_dir, nobody_reaches_100)
    analysis = analyse(campaign_dir, AS_OF)
    assert [f.severity for f in analysis.findings if f.code == "QUOTA_UNFILLED"] == ["warning"]
    assert not [a for a in analysis.selection.awardees if a.nominee.kind == "ca_nhan"]


def test_cap_per_value(campaign_dir):
    """At most one individual per unit (a cap like 003's 'at most 2 communes per district')."""
    def cap(data):
        data["awards"][1]["quotas"][0]["cap"] = {"column": "unit", "max": 1}
    edit_campaign(campaign_dir, cap)
    set_cell(campaign_dir, "CN03", "unit", "Văn phòng Đăng ký đất đai thành phố Cần Thơ")
    analysis = analyse(campaign_dir, AS_OF)
    people = [a.nominee.id for a in analysis.selection.awardees if a.nominee.kind == "ca_nhan"]
    assert "CN03" not in people and len(people) == 3
    reasons = {n.id: r for n, _, r in analysis.selection.not_chosen}
    assert reasons["CN03"] == ("đã đủ 01 cá nhân có đơn vị công tác là Văn phòng Đăng ký đất "
                               "đai thành phố Cần Thơ")


def test_cap_on_the_unit_names_the_unit(campaign_dir):
    def cap(data):
        data["awards"][1]["quotas"][0]["cap"] = {"column": "parent_id", "max": 1}
    edit_campaign(campaign_dir, cap)
    set_cell(campaign_dir, "CN03", "parent_id", "TT18")
    analysis = analyse(campaign_dir, AS_OF)
    reasons = {n.id: r for n, _, r in analysis.selection.not_chosen}
    assert reasons["CN03"] == ("đã đủ 01 cá nhân có đơn vị (tập thể) là Văn phòng Đăng ký đất "
                               "đai thành phố Cần Thơ (TT18)")


def test_a_tie_settled_by_a_tie_break_says_which_tie_and_what_settled_it():
    analysis = analyse(EXAMPLE, AS_OF)
    reasons = {n.id: r for n, _, r in analysis.selection.not_chosen}
    assert reasons["TT14"].endswith(
        "xếp thứ 2, ngoài chỉ tiêu 01 của nhóm (bằng Sở Khoa học và Công nghệ thành phố Cần Thơ "
        "(TT15) về Tỷ lệ hồ sơ có khai thác, sử dụng lại thông tin, dữ liệu số hóa (100%); phân "
        "định bởi Tỷ lệ khai thác, sử dụng lại dữ liệu số hóa năm 2024: 99,2% so với 99,6%)")
    assert reasons["TT19"].endswith("xếp thứ 3, ngoài chỉ tiêu 01 của nhóm")  # no tie there


def test_an_unresolved_tie_names_the_columns_by_their_labels(campaign_dir):
    for column in ("reuse_rate", "reuse_rate_2024"):
        set_cell(campaign_dir, "TT14", column, "100" if column == "reuse_rate" else "99.6")
    [tie] = [f for f in analyse(campaign_dir, AS_OF).blocking if f.code == "TIE_AT_BOUNDARY"]
    assert ("(Tỷ lệ hồ sơ có khai thác, sử dụng lại thông tin, dữ liệu số hóa, Tỷ lệ khai thác, "
            "sử dụng lại dữ liệu số hóa năm 2024)") in tie.message
    assert "reuse_rate" not in tie.message


def test_individual_must_belong_to_an_awarded_collective(campaign_dir):
    edit_campaign(campaign_dir, lambda d: d["awards"][1].__setitem__(
        "require_awarded_parent", True))
    analysis = analyse(campaign_dir, AS_OF)
    awarded_units = {"TT05", "TT01", "TT15"}
    for awardee in analysis.selection.awardees:
        if awardee.nominee.kind == "ca_nhan":
            assert awardee.nominee.get("parent_id") in awarded_units
    excluded = {e.nominee.id: e.reason for e in analysis.selection.exclusions}
    assert excluded["CN05"] == (
        "chỉ xét cá nhân thuộc tập thể được khen thưởng: tập thể nơi công tác Văn phòng Đăng ký "
        "đất đai thành phố Cần Thơ (TT18) không được đề nghị khen thưởng")
    assert "CN05" not in {n.id for n, _, _ in analysis.selection.not_chosen}
    report = selection_markdown(analysis.campaign, analysis.selection)
    excluded_part = report.split("**Không đủ điều kiện**", 1)[1]
    assert "Phạm Thị Ngọc Hân (CN05): chỉ xét cá nhân thuộc tập thể" in excluded_part


def test_fixed_prizes_by_position_and_tie_between_prize_levels(campaign_dir):
    def fixed(data):
        data["awards"][1]["prize"] = {"source": "fixed",
                                      "amounts": [20_000_000, 15_000_000, 10_000_000]}
    edit_campaign(campaign_dir, fixed)
    analysis = analyse(campaign_dir, AS_OF)
    people = [a.amount for a in analysis.selection.awardees if a.nominee.kind == "ca_nhan"]
    assert people == [20_000_000, 15_000_000, 10_000_000]
    for column in ("reused_files", "reused_files_2024"):
        set_cell(campaign_dir, "CN03", column, {"reused_files": "1486",
                                                "reused_files_2024": "9999"}[column])
        set_cell(campaign_dir, "CN05", column, {"reused_files": "1486",
                                                "reused_files_2024": "9999"}[column])
    analysis = analyse(campaign_dir, AS_OF)
    ties = [f for f in analysis.blocking if f.code == "TIE_AT_BOUNDARY"]
    assert ties and set(ties[0].nominees) == {"CN03", "CN05"}
    assert "mức thưởng" in ties[0].message


@pytest.mark.parametrize("seed", range(5))
def test_quota_never_exceeded_and_awardees_eligible(campaign_dir, seed):
    rng = random.Random(seed)

    def scramble(frame):
        for index in frame.index:
            if frame.at[index, "kind"] == "Cá nhân":
                frame.at[index, "reused_files"] = str(rng.randint(50, 2000))
                frame.at[index, "reused_files_2024"] = str(rng.randint(0, 10**6))
            else:
                frame.at[index, "reuse_rate"] = str(rng.choice([55, 79.9, 80, 99, 100]))
                frame.at[index, "reuse_rate_2024"] = str(rng.randint(0, 1000) / 10)
    edit_rankings(campaign_dir, scramble)
    analysis = analyse(campaign_dir, AS_OF)
    campaign = analysis.campaign
    for award in campaign.awards:
        for quota in award.quotas:
            chosen = [a for a in analysis.selection.awardees
                      if a.award == award and a.group.id == quota.group]
            assert len(chosen) <= quota.count
    excluded = {e.nominee.id for e in analysis.selection.exclusions}
    assert not excluded & {a.nominee.id for a in analysis.selection.awardees}
    for awardee in analysis.selection.awardees:
        if awardee.nominee.kind == "ca_nhan":
            assert awardee.nominee.get("reused_files") >= 100


BLOCK_1 = {"TT01", "TT02", "TT03", "TT04", "TT05", "TT06", "TT07", "TT08", "TT09", "TT10"}


def _blocks(campaign_dir, parent_group: bool) -> None:
    """Two blocks (khối), each with its collectives and its individuals; individuals only from
    awarded units. CN03 works at TT01 (Khối 1) but her own cell says Khối 2."""
    def plan(data):
        data["columns"].append({"name": "khoi", "label": "Khối thi đua", "type": "text",
                                "kinds": ["tap_the", "ca_nhan"]})
        units, people = data["groups"][0]["order_by"], data["groups"][3]["order_by"]
        data["groups"] = []
        for number in (1, 2):
            member = [{"column": "khoi", "op": "=", "value": f"Khối {number}"}]
            data["groups"].append({"id": f"k{number}", "name": f"Khối {number}",
                                   "kind": "tap_the", "members": member, "order_by": units})
            data["groups"].append({"id": f"cn-k{number}", "name": f"Cá nhân Khối {number}",
                                   "kind": "ca_nhan", "members": member, "order_by": people,
                                   **({"parent_group": f"k{number}"} if parent_group else {})})
        data["awards"][0]["quotas"] = [{"group": "k1", "count": 2}, {"group": "k2", "count": 1}]
        data["awards"][1]["quotas"] = [{"group": "cn-k1", "count": 1},
                                       {"group": "cn-k2", "count": 2}]
        for award in data["awards"]:
            award.pop("total", None)
        data["awards"][1]["require_awarded_parent"] = True
    edit_campaign(campaign_dir, plan)

    def blocks(frame):
        units = frame.set_index("id")
        for index in frame.index:
            unit = frame.at[index, "parent_id"] or frame.at[index, "id"]
            frame.at[index, "khoi"] = "Khối 1" if unit in BLOCK_1 else "Khối 2"
        frame.loc[frame["id"] == "CN03", "khoi"] = "Khối 2"
        assert units.at["CN03", "parent_id"] == "TT01"
    edit_rankings(campaign_dir, blocks)


def test_an_individual_in_another_group_than_their_unit_is_reported(campaign_dir):
    _blocks(campaign_dir, parent_group=False)
    analysis = analyse(campaign_dir, AS_OF)
    [finding] = [f for f in analysis.findings if f.code == "UNIT_IN_OTHER_GROUP"]
    assert finding.severity == "warning" and finding.nominees == ("CN03",)
    assert finding.message == (
        "Cá nhân Khối 2: Lê Thị Mỹ Duyên (CN03) có Khối thi đua là Khối 2 nhưng đơn vị Sở Tư "
        "pháp thành phố Cần Thơ (TT01) có Khối thi đua là Khối 1")


def test_a_group_takes_its_individuals_from_its_own_awarded_collectives(campaign_dir):
    _blocks(campaign_dir, parent_group=True)
    analysis = analyse(campaign_dir, AS_OF)
    units = {a.nominee.id: a.group.id for a in analysis.selection.awardees
             if a.nominee.kind == "tap_the"}
    for awardee in analysis.selection.awardees:
        if awardee.nominee.kind == "ca_nhan":
            parent = awardee.nominee.get("parent_id")
            assert units[parent] == {"cn-k1": "k1", "cn-k2": "k2"}[awardee.group.id]
    assert "CN03" not in {a.nominee.id for a in analysis.selection.awardees}
    excluded = {(e.nominee.id, e.group.id): e.reason for e in analysis.selection.exclusions
                if e.group}
    assert excluded[("CN03", "cn-k2")] == (
        "thuộc đơn vị Sở Tư pháp thành phố Cần Thơ (TT01), không thuộc Khối 2 (đơn vị thuộc "
        "Khối 1)")
    assert [f.nominees for f in analysis.findings if f.code == "UNIT_IN_OTHER_GROUP"] == [
        ("CN03",)]
    no_unit = [e for e in analysis.selection.exclusions if e.nominee.id == "CN36"]
    assert [e.reason for e in no_unit] == [
        "không có đơn vị (parent_id): cá nhân của nhóm này phải thuộc một đơn vị của Khối 2"]


def test_a_selection_finds_every_nominee_by_id_as_a_scan_would():
    """`Selection.nominee` (an index built once: a report per awardee asks for its parent)
    gives what a scan over awardees, exclusions and those not chosen gives."""
    import datetime as dt

    from dossier.campaign.load import chosen_rounds

    from .conftest import ROOT

    for example, day in (("govap-2022-2025-cds", dt.date(2025, 6, 16)),
                         ("cantho-2024-so-hoa", dt.date(2024, 12, 20))):
        folder = ROOT / "examples" / example
        selection = analyse(folder, day, chosen_rounds(folder, None)[-1]).selection
        everyone = [*(a.nominee for a in selection.awardees),
                    *(e.nominee for e in selection.exclusions),
                    *(n for n, _, _ in selection.not_chosen)]
        assert everyone
        for person in everyone:
            assert selection.nominee(person.id) is next(n for n in everyone if n.id == person.id)
        assert selection.nominee("no-such-id") is None
