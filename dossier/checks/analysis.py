"""Everything short of writing: load, select, plan the documents, run the checks.

`check` stops here; `build` goes on to render, convert and bundle only when nothing blocks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from dossier.campaign.load import load_campaign
from dossier.campaign.rankings import load_rankings
from dossier.checks.authority import authority_findings
from dossier.checks.files import stray_file_findings
from dossier.checks.findings import deadline_findings, document_findings, legal_findings
from dossier.checks.organisations import organisation_findings
from dossier.documents.context import DocumentPlan, plan_documents
from dossier.models import Campaign, Finding, Grade, Nominee, Selection
from dossier.rules.authority import Submission, submissions
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
    submissions: list[Submission] = field(default_factory=list)

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
    subs = submissions(campaign, selection)
    findings = (deadline_findings(campaign, as_of) + selection.findings
                + legal_findings(campaign, selection, require_evidence)
                + organisation_findings(campaign, nominees) + authority_findings(campaign)
                + document_findings(campaign, selection, plans, subs)
                + stray_file_findings(campaign, nominees))
    return Analysis(campaign, nominees, selection, plans, findings, as_of, subs)
