"""Everything short of writing: load, select, plan the documents, run the checks.

`check` stops here; `build` goes on to render, convert and bundle only when nothing blocks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from dossier.campaign.load import load_campaign
from dossier.campaign.rankings import load_rankings
from dossier.checks.files import stray_file_findings
from dossier.checks.findings import deadline_findings, document_findings, legal_findings
from dossier.documents.context import DocumentPlan, plan_documents
from dossier.models import Campaign, Finding, Grade, Nominee, Selection
from dossier.rules.scores import with_computed_columns
from dossier.rules.selection import select


@dataclass
class Analysis:
    campaign: Campaign
    nominees: list[Nominee]
    selection: Selection
    plans: list[DocumentPlan]
    findings: list[Finding]
    as_of: dt.date

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "blocking"]


def analyse(root: Path, as_of: dt.date, round_id: str | None = None,
            require_evidence: Grade = "secondary") -> Analysis:
    """`require_evidence`: legal figures graded below it are warnings, the others that are not
    the act's own text information lines."""
    campaign = load_campaign(root, round_id)
    nominees = with_computed_columns(campaign, load_rankings(campaign))
    selection = select(campaign, nominees)
    plans = plan_documents(campaign, selection)
    findings = (deadline_findings(campaign, as_of) + selection.findings
                + legal_findings(campaign, selection, require_evidence)
                + document_findings(campaign, selection, plans)
                + stray_file_findings(campaign, nominees))
    return Analysis(campaign, nominees, selection, plans, findings, as_of)
