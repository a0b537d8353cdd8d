"""The law as data: legal regimes (forms, coefficients) and the base-salary history.

The figures live in YAML files beside this module (`regimes/*.yaml`, `base_salary.yaml`), each
with its legal source and a `verified` flag. An office adds a regime or next year's base salary
by editing those files, or points `DOSSIER_LAW_DIR` at a folder laid out the same way.
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
from dossier.yamlio import load_yaml

ROUNDING_STEP = 10_000  # prize money is rounded up to the next ten thousand đồng


def law_dir() -> Path:
    return Path(os.environ.get("DOSSIER_LAW_DIR") or Path(__file__).parent)


@dataclass(frozen=True)
class Sourced:
    """A legal figure with where it comes from."""

    source: str
    verified: bool


@dataclass(frozen=True)
class ReportForm(Sourced):
    number: str | None
    title: str

    @property
    def label(self) -> str:
        return f"Mẫu số {self.number}" if self.number else ""


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
class AwardForm(Sourced):
    name: str
    coefficients: dict[str, Decimal]
    decided_by: DecidedBy | None = None  # None: the law data does not say (bad input)


@dataclass(frozen=True)
class Regime:
    id: str
    name: str
    short_name: str
    in_force_from: dt.date
    replaced_on: dt.date | None
    replaced_by: str | None
    report_forms: dict[str, ReportForm]
    award_forms: dict[str, AwardForm]
    law: str = ""  # the law the decree details, as a căn cứ names it


@dataclass(frozen=True)
class BaseSalary(Sourced):
    effective_from: dt.date
    amount: int


def available_regimes() -> list[str]:
    return sorted(p.stem for p in (law_dir() / "regimes").glob("*.yaml"))


@lru_cache(maxsize=32)
def _load_regime(path: Path) -> Regime:
    data, _ = load_yaml(path)
    try:
        return Regime(
            id=data["id"],
            name=data["name"],
            short_name=data["short_name"],
            in_force_from=dt.date.fromisoformat(data["in_force_from"]),
            replaced_on=_opt_date(data.get("replaced_on")),
            replaced_by=data.get("replaced_by"),
            report_forms={k: _report_form(v) for k, v in data.get("report_forms", {}).items()},
            award_forms={k: _award_form(v) for k, v in data.get("award_forms", {}).items()},
            law=data.get("law", ""),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError.single(path, f"tệp dữ liệu pháp lý sai cấu trúc: {exc!r}") from None


def load_regime(regime_id: str) -> Regime:
    path = law_dir() / "regimes" / f"{regime_id}.yaml"
    if not path.is_file():
        known = ", ".join(available_regimes())
        # "chế độ pháp lý không có" = unknown legal regime
        raise InputError.single(path, f"không có chế độ pháp lý '{regime_id}' (có: {known})")
    return _load_regime(path)


def _opt_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _report_form(data: dict) -> ReportForm:
    return ReportForm(
        source=data["source"], verified=bool(data["verified"]),
        number=data.get("number"), title=data["title"],
    )


def _award_form(data: dict) -> AwardForm:
    coefficients = {k: Decimal(str(v)) for k, v in data["coefficients"].items()}
    return AwardForm(
        source=data["source"], verified=bool(data["verified"]),
        name=data["name"], coefficients=coefficients,
        decided_by=_decided_by(data.get("decided_by")),
    )


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
    data, _ = load_yaml(path)
    entries = [
        BaseSalary(
            source=e["source"], verified=bool(e["verified"]),
            effective_from=dt.date.fromisoformat(e["effective_from"]), amount=int(e["amount"]),
        )
        for e in data["entries"]
    ]
    return tuple(sorted(entries, key=lambda e: e.effective_from))


def base_salary_on(day: dt.date) -> BaseSalary:
    """The base salary in force on `day`."""
    path = law_dir() / "base_salary.yaml"
    in_force = [e for e in _salary_history(path) if e.effective_from <= day]
    if not in_force:
        raise InputError.single(path, f"không có mức lương cơ sở áp dụng cho ngày {day:%d/%m/%Y}")
    return in_force[-1]


def prize_amount(coefficient: Decimal, salary: int) -> int:
    """coefficient × base salary, rounded up to the next ten thousand đồng."""
    exact = coefficient * salary
    return int(math.ceil(exact / ROUNDING_STEP)) * ROUNDING_STEP
