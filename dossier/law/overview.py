"""What the tool assumes on a date: the regimes in force, the base salary, the award forms and
report forms, each figure with its grade and source (`dossier law`), as plain data."""

from __future__ import annotations

import datetime as dt

from dossier import law
from dossier.models import Evidence

OVERVIEW_VERSION = 1


def evidence_data(evidence: Evidence) -> dict:
    source = evidence.source
    return {"evidence": evidence.grade,
            "source": {"act": source.act, "article": source.article, "clause": source.clause},
            "read_in": evidence.read_in, "note": evidence.note,
            "file": evidence.file, "line": evidence.line}


def law_on(day: dt.date) -> dict:
    """The law data in force on `day`: base salary, regimes, their forms and prize amounts."""
    in_force = [s for s in law.salary_history() if s.effective_from <= day]  # bad data raises
    salary = in_force[-1] if in_force else None
    return {
        "overview_version": OVERVIEW_VERSION,
        "on": day.isoformat(),
        "law_dir": str(law.law_dir()),
        "base_salary": salary and {"effective_from": salary.effective_from.isoformat(),
                                   "amount": salary.amount, **evidence_data(salary.evidence)},
        "regimes": [_regime(r, salary) for r in law.regimes_in_force(day)],
    }


def _regime(regime: law.Regime, salary: law.BaseSalary | None) -> dict:
    rule = regime.prize_rule
    return {
        "id": regime.id, "name": regime.name, "short_name": regime.short_name,
        "in_force_from": regime.in_force_from.isoformat(),
        "replaced_on": regime.replaced_on and regime.replaced_on.isoformat(),
        "replaced_by": regime.replaced_by,
        **evidence_data(regime.evidence),
        "prize_rule": {"salary_on": rule.salary_on, "rounding_step": rule.rounding_step,
                       **evidence_data(rule.evidence)},
        "award_forms": [
            {"key": key, "name": form.name, "coefficients": [
                {"kind": kind, "value": float(c.value),
                 "amount": salary and law.prize_amount(c.value, salary.amount,
                                                       rule.rounding_step),
                 **evidence_data(c.evidence)}
                for kind, c in form.coefficients.items()]}
            for key, form in regime.award_forms.items()],
        "report_forms": [
            {"key": key, "number": form.number, "title": form.title,
             **evidence_data(form.evidence)}
            for key, form in regime.report_forms.items()],
    }
