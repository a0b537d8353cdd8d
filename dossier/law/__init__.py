"""The law as data: legal regimes (forms, coefficients, the prize rule) and the base-salary
history.

The figures live in YAML files beside this module (`regimes/*.yaml`, `base_salary.yaml`), each
graded by the evidence behind it (text, secondary, unconfirmed) with its source (act, article,
clause) and where its text was read. An office adds a regime or next year's base salary by
editing those files, or points `DOSSIER_LAW_DIR` at a folder laid out the same way. Each file
is validated against dossier/schemas/law.schema.json when it is read (`validate`).
"""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from dossier.errors import InputError
from dossier.law.validate import BASE_SALARY, REGIMES, read_law_file
from dossier.models import Evidence, Source
from dossier.vietnamese import format_decimal
from dossier.yamlio import line_of

ROUNDING_STEP = 10_000  # the usual rule: prize money rounded up to the next ten thousand đồng


def law_dir() -> Path:
    return Path(os.environ.get("DOSSIER_LAW_DIR") or Path(__file__).parent)


@dataclass(frozen=True)
class ReportForm:
    number: str | None
    title: str
    evidence: Evidence

    @property
    def label(self) -> str:
        return f"Mẫu số {self.number}" if self.number else ""


@dataclass(frozen=True)
class Coefficient:
    value: Decimal  # times the base salary
    evidence: Evidence


@dataclass(frozen=True)
class Graded:
    """A legal statement graded as the law data grades it: `evidence` is text (the act's
    wording was read), secondary (a page quoting it) or unconfirmed; `read_in`: where."""

    evidence: str
    source: str
    read_in: str


@dataclass(frozen=True)
class DecidedBy(Graded):
    """Who may decide an award form: authority levels (keys of authorities.yaml)."""

    levels: tuple[str, ...]


@dataclass(frozen=True)
class AwardForm:
    name: str
    coefficients: dict[str, Coefficient]  # by nominee kind (tap_the, ca_nhan)
    decided_by: DecidedBy | None = None  # None: the law data does not say (bad input)


@dataclass(frozen=True)
class PrizeRule:
    """prize = coefficient × base salary in force on `salary_on`, rounded up to
    `rounding_step` đồng."""

    salary_on: str
    rounding_step: int
    evidence: Evidence


@dataclass(frozen=True)
class StandardDossier:
    """The documents of a proposal under the regime, used when a plan lists none; each as
    campaign.yaml's `documents` writes it."""

    documents: tuple[dict, ...]
    evidence: Evidence


@dataclass(frozen=True)
class Regime:
    id: str
    name: str
    short_name: str
    in_force_from: dt.date
    replaced_on: dt.date | None
    replaced_by: str | None
    evidence: Evidence  # of the title, the dates and what replaced it
    prize_rule: PrizeRule
    report_forms: dict[str, ReportForm]
    award_forms: dict[str, AwardForm]
    standard_dossier: StandardDossier | None = None
    law: str = ""  # the law the decree details, as a căn cứ names it

    def in_force_on(self, day: dt.date) -> bool:
        return self.in_force_from <= day and (self.replaced_on is None or day < self.replaced_on)


@dataclass(frozen=True)
class BaseSalary:
    effective_from: dt.date
    amount: int
    evidence: Evidence


def available_regimes() -> list[str]:
    return sorted(p.stem for p in (law_dir() / REGIMES).glob("*.yaml"))


def _evidence(data: dict, path: Path, lines: dict[tuple, int], at: tuple) -> Evidence:
    source = data["source"]
    return Evidence(grade=data["evidence"],
                    source=Source(source["act"], source.get("article"), source.get("clause")),
                    read_in=data.get("read_in"), note=data.get("note"),
                    file=str(path), line=line_of(lines, at))


@lru_cache(maxsize=32)
def _load_regime(path: Path) -> Regime:
    data, lines = read_law_file(path, "regime_file")

    def evidence(item: dict, at: tuple) -> Evidence:
        return _evidence(item, path, lines, at)

    rule = data["prize_rule"]
    return Regime(
        id=data["id"], name=data["name"], short_name=data["short_name"],
        in_force_from=dt.date.fromisoformat(data["in_force_from"]),
        replaced_on=_opt_date(data.get("replaced_on")), replaced_by=data.get("replaced_by"),
        evidence=evidence(data, ("evidence",)),
        prize_rule=PrizeRule(rule["salary_on"], rule["rounding_step"],
                             evidence(rule, ("prize_rule",))),
        report_forms={
            key: ReportForm(form["number"], form["title"],
                            evidence(form, ("report_forms", key)))
            for key, form in data["report_forms"].items()},
        award_forms={
            key: AwardForm(form["name"], {
                kind: Coefficient(Decimal(str(c["value"])),
                                  evidence(c, ("award_forms", key, "coefficients", kind)))
                for kind, c in form["coefficients"].items()},
                decided_by=_decided_by(form.get("decided_by")))
            for key, form in data["award_forms"].items()},
        standard_dossier=StandardDossier(
            tuple(dict(d) for d in data["standard_dossier"]["documents"]),
            evidence(data["standard_dossier"], ("standard_dossier",)),
        ) if "standard_dossier" in data else None,
        law=data.get("law", ""),
    )


def load_regime(regime_id: str) -> Regime:
    path = law_dir() / REGIMES / f"{regime_id}.yaml"
    if not path.is_file():
        known = ", ".join(available_regimes())
        # "chế độ pháp lý không có" = unknown legal regime
        raise InputError.single(path, f"không có chế độ pháp lý '{regime_id}' (có: {known})")
    return _load_regime(path)


def regimes_in_force(day: dt.date) -> list[Regime]:
    """The regimes in force on `day` (normally one)."""
    return [r for r in map(load_regime, available_regimes()) if r.in_force_on(day)]


def _opt_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _decided_by(data: dict | None) -> DecidedBy | None:
    if not data:
        return None
    return DecidedBy(evidence=data["evidence"], source=data["source"],
                     read_in=data.get("read_in", ""), levels=tuple(data["levels"]))


def in_force_on(day: dt.date) -> Regime | None:
    """The regime in force on `day` (in force from that day or before, not yet replaced)."""
    regimes = [load_regime(r) for r in available_regimes()]
    current = [r for r in regimes
               if r.in_force_from <= day and (r.replaced_on is None or day < r.replaced_on)]
    return max(current, key=lambda r: r.in_force_from, default=None)


@lru_cache(maxsize=4)
def _salary_history(path: Path) -> tuple[BaseSalary, ...]:
    data, lines = read_law_file(path, "base_salary_file")
    entries = [
        BaseSalary(effective_from=dt.date.fromisoformat(e["effective_from"]),
                   amount=int(e["amount"]),
                   evidence=_evidence(e, path, lines, ("entries", index)))
        for index, e in enumerate(data["entries"])
    ]
    return tuple(sorted(entries, key=lambda e: e.effective_from))


def salary_history() -> tuple[BaseSalary, ...]:
    return _salary_history(law_dir() / BASE_SALARY)


def base_salary_on(day: dt.date) -> BaseSalary:
    """The base salary in force on `day`."""
    in_force = [e for e in salary_history() if e.effective_from <= day]
    if not in_force:
        raise InputError.single(law_dir() / BASE_SALARY,
                                f"không có mức lương cơ sở áp dụng cho ngày {day:%d/%m/%Y}")
    return in_force[-1]


def coefficient_text(value: Decimal) -> str:
    """A coefficient as the law writes it: "3,0", "0,6", "0,25"."""
    exponent = value.as_tuple().exponent
    return format_decimal(value, max(1, -exponent if isinstance(exponent, int) else 1))


def prize_amount(coefficient: Decimal, salary: int, step: int = ROUNDING_STEP) -> int:
    """coefficient × base salary, rounded up to the next multiple of `step` đồng."""
    exact = coefficient * salary
    return int(math.ceil(exact / step)) * step
