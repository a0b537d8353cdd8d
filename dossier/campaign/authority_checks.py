"""campaign.yaml against the law's authorities: every award form names who decides it, the
proposer's level is a known kind of body, a proposal can reach each decider, and a head that
decides some awards itself has its Quyết định section."""

from __future__ import annotations

import datetime as dt

from dossier import law
from dossier.errors import InputError
from dossier.law import authority

IN_FORCE = "in-force"


def resolved_regime(data: dict) -> str:
    """The regime id the campaign applies: `regime`, or with `regime: in-force` the one in
    force on the Tờ trình's date (left as 'in-force' when there is none, which then fails to
    load with a message naming the field)."""
    if data.get("regime") != IN_FORCE:
        return data["regime"]
    try:
        day = dt.date.fromisoformat(data["to_trinh"]["date"])
    except (KeyError, TypeError, ValueError):
        return IN_FORCE
    regime = law.in_force_on(day)
    return regime.id if regime else IN_FORCE


def authority_problems(data: dict) -> list[tuple[tuple, str]]:
    try:
        regime = law.load_regime(resolved_regime(data))
        authorities = authority.load_authorities()
    except InputError:
        return []  # reported by the regime check (or a broken law file: reported on use)
    out: list[tuple[tuple, str]] = []
    named = data["plan"].get("regime")
    if named is not None and named not in law.available_regimes():
        known = ", ".join(law.available_regimes())
        out.append((("plan", "regime"), f"không có chế độ pháp lý '{named}' (có: {known})"))
    level = data["proposer"].get("level")
    if level is not None and level not in authorities.bodies:
        known = ", ".join(authorities.bodies)
        # "unknown kind of body (known: …)"
        out.append((("proposer", "level"), f"cấp cơ quan '{level}' không có trong dữ liệu "
                                           f"pháp lý (có: {known})"))
        level = None
    day = dt.date.fromisoformat(data["to_trinh"]["date"])
    own: list[str] = []
    for index, award in enumerate(data["awards"]):
        form = regime.award_forms.get(award["form"])
        if form is None:
            continue  # reported by the regime check
        if form.decided_by is None:
            # "the law data does not say who decides form X: nobody to submit it to"
            out.append((("awards", index, "form"),
                        f"hình thức '{award['form']}' ({form.name}) trong dữ liệu pháp lý "
                        f"{regime.id} không có cấp quyết định (decided_by): không xác định được "
                        "trình ai"))
            continue
        if level is None:
            continue
        found = authority.route(authorities, level, form.decided_by.levels, day)
        if found is None:
            titles = ", ".join(authorities.authorities[a].title for a in form.decided_by.levels
                               if a in authorities.authorities)
            # "no route from <body> to <deciders> on <date>"
            out.append((("awards", index, "form"),
                        f"{form.name}: không có đường trình từ "
                        f"{authorities.bodies[level].name} đến {titles} vào ngày "
                        f"{day:%d/%m/%Y}"))
        elif found.mode == "decide":
            own.append(award["title"])
    if own and data.get("quyet_dinh") is None:
        head = authorities.authorities[authorities.bodies[level].head].title
        # "X is decided by the proposer's own head: campaign.yaml needs a 'quyet_dinh' section"
        titles = "; ".join(dict.fromkeys(own))
        out.append((("proposer", "level"),
                    f"{titles} do {head} quyết định: cần mục 'quyet_dinh' (Quyết định khen "
                    "thưởng) trong campaign.yaml"))
    return out
