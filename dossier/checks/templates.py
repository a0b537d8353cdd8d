"""`check` renders a campaign's template overrides (templates/*.docx) with every document's
real context, in memory, so that a placeholder the data lacks is found before `build`: the
same message, naming the template, its paragraph and the placeholder."""

from __future__ import annotations

from dossier.checks.analysis import Analysis
from dossier.documents.render import render_docx, template_path
from dossier.errors import InputError, Problem
from dossier.resources import TEMPLATE_DIR


def override_problems(analysis: Analysis) -> list[Problem]:
    """One problem list per broken override (its first failing document); nothing written."""
    problems: list[Problem] = []
    broken: set[str] = set()
    campaign = analysis.campaign
    for plan in analysis.plans:
        if plan.attachment is not None or plan.template in broken:
            continue
        template = template_path(campaign.root, plan.template)
        if template.parent == TEMPLATE_DIR:
            continue  # the project's own templates are tested with the project
        try:
            render_docx(template, plan.context, campaign.bao_cao_date, plan.title)
        except InputError as exc:
            broken.add(plan.template)
            problems += exc.problems
    return problems
