"""Group a round's awardees by who decides their award: one submission per deciding authority.

The proposer's level (campaign.yaml `proposer.level`) and each award form's `decided_by` (law
data) give each award a route: the proposer's own head decides it (a Quyết định), the next
level decides it (a Tờ trình), or a level above it does (a Tờ trình asking the next level to
forward it). A campaign without `proposer.level` keeps one Tờ trình to `to_trinh.decider`.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace

from dossier import law
from dossier.law import authority
from dossier.law.authority import Mode, Route
from dossier.models import Awardee, Campaign, Selection

LEGACY_ID = "de-nghi"  # the one submission of a campaign without `proposer.level`


@dataclass(frozen=True)
class Submission:
    """The awards one authority decides, and the file that goes to it."""

    id: str  # file-name part, from the deciding authority's level
    route: Route | None  # None: the proposer's level is not given
    awardees: tuple[Awardee, ...]
    decider_title: str  # who decides, as the documents name them
    addressee_title: str  # who the file is addressed to (the decider itself for `decide`)

    @property
    def mode(self) -> Mode:
        return self.route.mode if self.route else "propose"

    @property
    def decider(self) -> str | None:
        """The deciding authority's level (a key of authorities.yaml)."""
        return self.route.decider if self.route else None

    @property
    def total(self) -> int:
        return sum(a.amount or 0 for a in self.awardees)

    def selection(self, full: Selection) -> Selection:
        return replace(full, awardees=list(self.awardees))

    @property
    def label(self) -> str:
        """What the file is, in Vietnamese: "Quyết định của …", "Tờ trình … quyết định",
        "Tờ trình … xem xét, trình … quyết định"."""
        if self.mode == "decide":
            return f"Quyết định của {self.decider_title}"  # the head's own decision
        if self.mode == "forward":
            return (f"Tờ trình {self.addressee_title} xem xét, trình {self.decider_title} "
                    "quyết định")
        return f"Tờ trình {self.decider_title} quyết định"

    @property
    def counts(self) -> str:
        collectives = sum(1 for a in self.awardees if a.nominee.kind == "tap_the")
        individuals = len(self.awardees) - collectives
        parts = [f"{n} {label}" for n, label in ((collectives, "tập thể"), (individuals, "cá nhân"))
                 if n]
        return ", ".join(parts) or "không có ai"  # nobody


def award_routes(campaign: Campaign) -> dict[str, Route]:
    """Each award's route (empty without `proposer.level`); the loader has checked that each
    exists."""
    level = campaign.proposer.get("level")
    if not level:
        return {}
    data = authority.load_authorities()
    regime = law.load_regime(campaign.regime)
    day = campaign.to_trinh["date"]
    routes = {}
    for award in campaign.awards:
        decided_by = regime.award_forms[award.form].decided_by
        found = authority.route(data, level, decided_by.levels, day) if decided_by else None
        if found is not None:
            routes[award.id] = found
    return routes


def submissions(campaign: Campaign, selection: Selection) -> list[Submission]:
    """In the order the plan lists the awards; an authority with nobody chosen has none."""
    routes = award_routes(campaign)
    if not routes:
        return [Submission(LEGACY_ID, None, tuple(selection.awardees),
                           campaign.to_trinh["decider"], campaign.to_trinh["decider"])]
    groups: OrderedDict[str, list[Awardee]] = OrderedDict()
    by_decider: dict[str, Route] = {}
    for award in campaign.awards:
        route = routes[award.id]
        by_decider.setdefault(route.decider, route)
        groups.setdefault(route.decider, []).extend(
            a for a in selection.awardees if a.award.id == award.id)
    made = [_submission(campaign, by_decider[d], members) for d, members in groups.items()
            if members]
    if not made:  # nobody chosen: the file of the first award, empty
        first = routes[campaign.awards[0].id]
        made = [_submission(campaign, first, [])]
    return made


def _submission(campaign: Campaign, route: Route, awardees: list[Awardee]) -> Submission:
    titles = authority.load_authorities().authorities
    next_level = campaign.to_trinh["decider"]
    if route.mode == "decide":
        decider = (campaign.quyet_dinh or {}).get("decider") or titles[route.decider].title
        addressee = decider
    elif route.mode == "propose":
        decider = addressee = next_level
    else:
        decider, addressee = titles[route.decider].title, next_level
    return Submission(route.decider.replace("_", "-"), route, tuple(awardees), decider,
                      addressee)
