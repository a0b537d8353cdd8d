"""Findings about who decides: a campaign that does not say what kind of body proposes sends
every award in one Tờ trình, whoever decides it."""

from __future__ import annotations

from dossier.models import Campaign, Finding


def authority_findings(campaign: Campaign) -> list[Finding]:
    if campaign.proposer.get("level"):
        return []
    # "proposer.level not given: every award goes in one Tờ trình to <decider>; give it to
    # split the file by deciding authority"
    return [Finding("AUTHORITY_LEVEL_MISSING", "info",
                    "campaign.yaml không khai báo proposer.level: mọi hình thức được trình chung "
                    f"một Tờ trình tới {campaign.to_trinh['decider']}; khai báo cấp cơ quan để "
                    "tách hồ sơ theo cấp quyết định khen thưởng")]
