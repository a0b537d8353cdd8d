"""Typed objects that the pipeline's stages exchange. Nothing here reads files."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Kind = Literal["tap_the", "ca_nhan"]
KIND_LABELS: dict[str, str] = {"tap_the": "Tập thể", "ca_nhan": "Cá nhân"}


@dataclass(frozen=True)
class Condition:
    column: str
    op: str
    value: Any
    rule: str = ""


@dataclass(frozen=True)
class OrderKey:
    column: str
    direction: Literal["asc", "desc"]


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    label: str
    type: str
    kinds: tuple[str, ...]
    minimum: float | None = None
    maximum: float | None = None
    allowed: tuple[str, ...] = ()
    true_values: tuple[str, ...] = ()
    false_values: tuple[str, ...] = ()
    report: bool = False
    required: bool = True  # every nominee of `kinds` must fill it


@dataclass(frozen=True)
class PointsRule:
    """ratio ≥ full_at gives `max` points; below it, ratio/100 × max (a plan's scoring row)."""

    when: tuple[Condition, ...]
    column: str
    max: float
    full_at: float


@dataclass(frozen=True)
class ComputedColumn:
    spec: ColumnSpec
    rules: tuple[PointsRule, ...] = ()
    sum: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    kind: Kind
    members: tuple[Condition, ...]
    eligibility: tuple[Condition, ...]
    order_by: tuple[OrderKey, ...]
    parent_group: str | None = None  # individuals: from this group's collectives (parent_id)


@dataclass(frozen=True)
class Cap:
    column: str
    max: int


@dataclass(frozen=True)
class Quota:
    group: str
    count: int
    cap: Cap | None = None


@dataclass(frozen=True)
class Prize:
    source: Literal["regime", "fixed", "none"]
    amounts: tuple[int, ...] = ()


@dataclass(frozen=True)
class Award:
    id: str
    form: str
    title: str
    quotas: tuple[Quota, ...]
    prize: Prize
    total: int | None = None
    require_awarded_parent: bool = False
    achievement: str = ""
    ranks: tuple[tuple[str, float | None], ...] = ()  # (title, emulation points) by position


@dataclass(frozen=True)
class Deadline:
    id: str
    kind: str
    label: str
    date: dt.date
    inclusive: bool
    wording: str = ""

    @property
    def last_valid_day(self) -> dt.date:
        """"trước ngày D" excludes D itself; an inclusive deadline keeps it."""
        return self.date if self.inclusive else self.date - dt.timedelta(days=1)


@dataclass(frozen=True)
class DocumentSpec:
    kind: str
    title: str
    per: Literal["submission", "awardee"]
    copies: int
    form: str | None = None
    id: str | None = None
    max_pages: int | None = None
    awards: tuple[str, ...] = ()  # only for awardees of these awards; empty: all
    when: tuple[Condition, ...] = ()  # only for awardees meeting these
    file: str | None = None  # attachments: "attachments/{id}-….pdf"


@dataclass(frozen=True)
class Signer:
    lines: tuple[str, ...]
    name: str


@dataclass(frozen=True)
class Member:
    name: str
    position: str
    role: str
    chair: bool = False
    secretary: bool = False
    present: bool = True
    absence: str = ""


@dataclass
class Campaign:
    """A validated campaign directory: campaign.yaml plus where its other files are."""

    root: Path
    id: str
    name: str
    regime: str
    place: str
    plan: dict[str, Any]
    period_start: dt.date
    period_end: dt.date
    deadlines: tuple[Deadline, ...]
    columns: tuple[ColumnSpec, ...]
    eligibility: dict[str, tuple[Condition, ...]]
    groups: tuple[Group, ...]
    awards: tuple[Award, ...]
    documents: tuple[DocumentSpec, ...]
    proposer: dict[str, str]
    to_trinh: dict[str, Any]
    bien_ban: dict[str, Any]
    members: tuple[Member, ...]
    bao_cao_date: dt.date
    computed: tuple[ComputedColumn, ...] = ()
    ranking_file: str | None = None
    round_id: str | None = None
    round_name: str | None = None
    raw: dict[str, Any] = field(repr=False, default_factory=dict)
    documents_from_regime: bool = False  # the plan lists no documents: the regime's standard
    regime_choice: Literal["plan", "in-force"] = "plan"  # `regime: in-force` in campaign.yaml
    plan_regime: str | None = None  # the regime the plan names (plan.regime, or regime)
    quyet_dinh: dict[str, Any] | None = None  # the head's own Quyết định, when it decides some
    electronic_submission: bool = False  # sent electronically: documents must be signed (NĐ 30)

    def group(self, group_id: str) -> Group:
        return next(g for g in self.groups if g.id == group_id)

    def column(self, name: str) -> ColumnSpec | None:
        """A ranking column or a computed one, by name."""
        specs = (*self.columns, *(c.spec for c in self.computed))
        return next((c for c in specs if c.name == name), None)

    @property
    def all_columns(self) -> tuple[ColumnSpec, ...]:
        return (*self.columns, *(c.spec for c in self.computed))


@dataclass(frozen=True)
class Nominee:
    """One row of the ranking, values already typed."""

    id: str
    kind: Kind
    name: str
    row: int
    values: dict[str, Any]

    def get(self, column: str) -> Any:
        return self.values.get(column)


Grade = Literal["text", "secondary", "unconfirmed"]
GRADES: tuple[Grade, ...] = ("text", "secondary", "unconfirmed")  # strongest first
GRADE_LABELS: dict[str, str] = {  # how sure the law data is of a figure
    "text": "văn bản gốc",  # read in the act's own text
    "secondary": "tài liệu thứ cấp",  # read in an article quoting or tabulating the act
    "unconfirmed": "chưa xác nhận",  # from memory, or from a plan that cites it
}


@dataclass(frozen=True)
class Source:
    """Where the law says it: act, article, clause (article and clause may be unknown)."""

    act: str
    article: str | None = None
    clause: str | None = None

    def __str__(self) -> str:
        return ", ".join(p for p in (self.act, self.article, self.clause) if p)


@dataclass(frozen=True)
class Evidence:
    """How sure the law data is of one figure, and why: its grade, its legal source, where
    its text was read, a note on doubts; `file` and `line` locate it in the law data."""

    grade: Grade
    source: Source
    read_in: str | None = None
    note: str | None = None
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class LegalFigure:
    """A figure of the law data that a prize or a document rests on, described in Vietnamese
    ("hệ số 3,0 của Bằng khen … cho tập thể")."""

    what: str
    evidence: Evidence


@dataclass(frozen=True)
class Awardee:
    nominee: Nominee
    award: Award
    group: Group
    position: int  # 1-based position inside its quota
    amount: int | None  # prize money in đồng, None when the award carries none
    amount_basis: str  # how the amount was obtained, for the selection report
    figures: tuple[LegalFigure, ...] = ()  # the law data the amount rests on

    @property
    def rank(self) -> tuple[str, float | None] | None:
        """(title, emulation points) of this position, where the award names ranks."""
        ranks = self.award.ranks
        return ranks[self.position - 1] if self.position <= len(ranks) else None

    @property
    def award_label(self) -> str:
        """The award as the danh sách prints it, with the rank where there is one."""
        return f"{self.award.title} ({self.rank[0]})" if self.rank else self.award.title


@dataclass(frozen=True)
class Exclusion:
    nominee: Nominee
    group: Group | None
    reason: str


@dataclass(frozen=True)
class Finding:
    """A rule's verdict. `blocking` findings stop a build; warnings do not (unless --strict)."""

    code: str
    severity: Literal["blocking", "warning", "info"]
    message: str
    nominees: tuple[str, ...] = ()
    file: str | None = None


@dataclass
class Selection:
    awardees: list[Awardee]
    exclusions: list[Exclusion]
    not_chosen: list[tuple[Nominee, Group, str]]
    findings: list[Finding]

    def nominee(self, nominee_id: str) -> Nominee | None:
        """The nominee with this id, awarded or not (the first, as a scan in that order would
        find it). Indexed once: a report per awardee asks for its parent collective."""
        return self._nominees_by_id.get(nominee_id)

    @functools.cached_property
    def _nominees_by_id(self) -> dict[str, Nominee]:
        index: dict[str, Nominee] = {}
        for person in [*(a.nominee for a in self.awardees),
                       *(e.nominee for e in self.exclusions),
                       *(n for n, _, _ in self.not_chosen)]:
            index.setdefault(person.id, person)
        return index
