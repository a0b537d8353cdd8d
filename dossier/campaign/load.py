"""Load and validate a campaign directory's campaign.yaml into a `Campaign`.

Validation has two layers: the JSON Schema (shape and types, every error with its field path and
line) and the cross-references the schema cannot express (groups named by quotas, columns named
by conditions, award forms known to the regime, quotas adding up to the plan's totals).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from dossier import law
from dossier.campaign.authority_checks import IN_FORCE, authority_problems, resolved_regime
from dossier.campaign.plan_checks import condition_problems, group_problems, template_problems
from dossier.errors import InputError, Problem
from dossier.models import (
    Award,
    Campaign,
    Cap,
    ColumnSpec,
    ComputedColumn,
    Condition,
    Deadline,
    DocumentSpec,
    Group,
    Member,
    OrderKey,
    PointsRule,
    Prize,
    Quota,
)
from dossier.resources import SCHEMA_DIR
from dossier.schema_messages import schema_message
from dossier.yamlio import line_of, load_yaml

CAMPAIGN_FILE = "campaign.yaml"

STANDARD_COLUMNS = (
    "id", "kind", "name", "gender", "position", "unit", "parent_id",
    "address", "head_name", "head_title",
    # optional, for the reports: the date line's place, and "Thông tin chung"
    "place", "birth_year", "hometown", "residence", "qualification", "phone", "email",
    "structure",
)


# `{column}` in an award's achievement text: filled from the ranking by documents.formatting
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def placeholders(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


@lru_cache(maxsize=4)
def load_schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def round_ids(root: Path) -> list[str | None]:
    """The campaign's rounds (sơ kết, tổng kết…), or [None] for a single-round campaign."""
    path = root / CAMPAIGN_FILE
    if not path.is_file():
        raise InputError.single(path, "không tìm thấy tệp kế hoạch thi đua (campaign.yaml)")
    data, _ = load_yaml(path)
    rounds = data.get("rounds") if isinstance(data, dict) else None
    if not isinstance(rounds, list):
        return [None]
    return [r.get("id") for r in rounds if isinstance(r, dict)] or [None]


def chosen_rounds(path: Path, round_id: str | None) -> list[str | None]:
    """Every round of the campaign, or the one named (InputError when it has no such round)."""
    rounds = round_ids(path)
    if round_id is None:
        return rounds
    if rounds == [None]:
        # "the plan has no rounds: leave out --round"
        raise InputError.single(path / CAMPAIGN_FILE,
                                f"kế hoạch không chia đợt: bỏ --round {round_id}")
    if round_id not in rounds:
        known = ", ".join(str(r) for r in rounds)
        # "the plan has no round X (it has: …)"
        raise InputError.single(path / CAMPAIGN_FILE,
                                f"kế hoạch không có đợt '{round_id}' (có: {known})")
    return [round_id]


def load_campaign(root: Path, round_id: str | None = None) -> Campaign:
    """Read `root/campaign.yaml` (one round of it); raise InputError listing every problem."""
    path = root / CAMPAIGN_FILE
    if not path.is_file():
        raise InputError.single(path, "không tìm thấy tệp kế hoạch thi đua (campaign.yaml)")
    data, lines = load_yaml(path)
    data, origin, round_info = _select_round(path, data, round_id)
    _validate_schema(path, data, lines, origin)
    data, from_regime = _with_documents(path, data)
    _validate_references(path, data, lines, origin)
    campaign = _build(root, data, round_info)
    campaign.documents_from_regime = from_regime
    return campaign


def _with_documents(path: Path, data: dict) -> tuple[dict, bool]:
    """A plan that lists no documents gets its regime's standard dossier (marked, so that
    `check` can say so)."""
    if "documents" in data:
        return data, False
    try:
        standard = law.load_regime(data["regime"]).standard_dossier
    except InputError:
        return {**data, "documents": []}, False  # the unknown regime is reported with the others
    if standard is None:
        # "the plan lists no documents and regime X has no standard dossier: declare them"
        raise InputError.single(path, f"Kế hoạch không quy định thành phần hồ sơ và chế độ "
                                f"'{data['regime']}' không có thành phần hồ sơ chuẩn: khai báo "
                                "'documents'", column="documents")
    return {**data, "documents": [dict(d) for d in standard.documents]}, True


ROUND_KEYS = ("id", "name", "ranking")
YEARS = (1945, 2199)  # dates of a campaign: deadlines are counted in days and working days


def _replaceable() -> set[str]:
    """The top-level fields a round may replace: those its schema lists besides its own."""
    items = load_schema("campaign.schema.json")["properties"]["rounds"]["items"]
    return set(items["properties"]) - set(ROUND_KEYS)


@dataclass(frozen=True)
class _Origin:
    """Where a field of the merged data was written: a field the chosen round replaces lives
    under `rounds[index]`, every other one where its path says."""

    index: int | None = None
    replaced: frozenset[str] = frozenset()

    def __call__(self, field_path: tuple) -> tuple:
        if field_path and field_path[0] in self.replaced:
            return ("rounds", self.index, *field_path)
        return field_path

    def reports(self, field_path: tuple) -> bool:
        """Each problem once, with its round: a replaced field is validated where the round
        writes it (its top-level copy would repeat the error); another round's problems are
        that round's."""
        if field_path and field_path[0] in self.replaced:
            return False
        return not (self.index is not None and len(field_path) >= 2
                    and field_path[0] == "rounds" and field_path[1] != self.index)


def _select_round(path: Path, data: Any, round_id: str | None):
    """Overlay the chosen round's fields on the top-level ones (a round replaces what it
    names). Returns the merged data, where each of its fields was written, and the round's
    id, name and ranking."""
    rounds = data.get("rounds") if isinstance(data, dict) else None
    if not isinstance(rounds, list):
        return data, _Origin(), {}
    index = next((i for i, r in enumerate(rounds)
                  if isinstance(r, dict) and r.get("id") == round_id), None)
    if index is None:
        known = ", ".join(str(r.get("id")) for r in rounds if isinstance(r, dict))
        # "the campaign has no round X (it has: …)"
        raise InputError.single(path, f"kế hoạch không có đợt '{round_id}' (có: {known})")
    chosen = rounds[index]
    # unknown fields stay in the round, where the schema names them with their line
    overrides = {k: v for k, v in chosen.items() if k in _replaceable()}
    info = {"round_id": chosen.get("id"), "round_name": chosen.get("name"),
            "ranking_file": chosen.get("ranking") or data.get("ranking")}
    return {**data, **overrides}, _Origin(index, frozenset(overrides)), info


def _validate_schema(path: Path, data: Any, lines: dict[tuple, int], origin: _Origin) -> None:
    validator = jsonschema.Draft202012Validator(
        load_schema("campaign.schema.json"), format_checker=jsonschema.FormatChecker()
    )
    errors = [e for e in validator.iter_errors(data) if origin.reports(tuple(e.absolute_path))]
    errors.sort(key=lambda e: [str(p) for p in e.absolute_path])
    problems = list(dict.fromkeys(_schema_problem(path, e, lines) for e in errors))  # no repeats
    if problems:
        raise InputError(problems)


def _schema_problem(path: Path, error: jsonschema.ValidationError, lines) -> Problem:
    field_path = tuple(error.absolute_path)
    dotted = ".".join(str(p) for p in field_path) or "(gốc)"
    line = line_of(lines, field_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        extra = [k for k in error.instance if k not in error.schema.get("properties", {})]
        line = line_of(lines, (*field_path, extra[0])) if extra else line  # the first one's
    return Problem(str(path), f"{schema_message(error)} (dòng {line})", column=dotted)


def _validate_references(path: Path, data: dict, lines: dict[tuple, int],
                         origin: _Origin) -> None:
    problems: list[str] = []
    known_columns = (set(STANDARD_COLUMNS) | {c["name"] for c in data.get("columns", [])}
                     | {c["name"] for c in data.get("computed", [])})
    groups = {g["id"]: g for g in data["groups"]}
    problems += _duplicate_ids("groups", data["groups"])
    problems += _duplicate_ids("awards", data["awards"])
    problems += _duplicate_ids("deadlines", data["deadlines"])
    for where, column in _referenced_columns(data):
        if column not in known_columns:
            problems.append((where, f"cột '{column}' không được khai báo trong 'columns'"))
    problems += _check_awards(data, groups)
    problems += _check_regime(data, groups)
    problems += authority_problems(data)
    problems += _check_dates(data)
    problems += _check_members(data)
    problems += _check_deadline_refs(data)
    problems += _check_award_refs(data)
    problems += condition_problems(_all_conditions(data), data)
    problems += group_problems(data)
    found = [Problem(str(path), f"{msg} (dòng {line_of(lines, origin(where))})",
                     column=".".join(str(p) for p in origin(where)))
             for where, msg in problems]
    found += template_problems(path.parent)
    if found:
        raise InputError(found)


def _duplicate_ids(section: str, items: list[dict]) -> list:
    seen: set[str] = set()
    out = []
    for index, item in enumerate(items):
        if item["id"] in seen:
            out.append(((section, index, "id"), f"mã '{item['id']}' bị trùng"))  # duplicate id
        seen.add(item["id"])
    return out


def _referenced_columns(data: dict):
    for where, condition in _all_conditions(data):
        yield (*where, "column"), condition["column"]
    for gi, group in enumerate(data["groups"]):
        for i, item in enumerate(group.get("order_by", [])):
            yield ("groups", gi, "order_by", i, "column"), item["column"]
    for ai, award in enumerate(data["awards"]):
        for qi, quota in enumerate(award["quotas"]):
            if "cap" in quota:
                yield ("awards", ai, "quotas", qi, "cap", "column"), quota["cap"]["column"]
        for name in placeholders(award.get("achievement", "")):
            yield ("awards", ai, "achievement"), name
    for ci, computed in enumerate(data.get("computed", [])):
        for name in computed.get("sum", []):
            yield ("computed", ci, "sum"), name
        for ri, rule in enumerate(computed.get("rules", [])):
            yield ("computed", ci, "rules", ri, "points", "column"), rule["points"]["column"]


def _check_deadline_refs(data: dict) -> list:
    known = {d["id"] for d in data["deadlines"]}
    return [(where[:-1] + ("deadline",), f"hạn '{name}' không có trong 'deadlines'")
            for where, name in _deadline_refs(data) if name not in known]


def _deadline_refs(data: dict):
    for where, condition in _all_conditions(data):
        if "deadline" in condition:
            yield (*where, "column"), condition["deadline"]


def _all_conditions(data: dict):
    for kind, rules in data.get("eligibility", {}).items():
        for i, rule in enumerate(rules):
            yield ("eligibility", kind, i), rule
    for gi, group in enumerate(data["groups"]):
        for section in ("members", "eligibility"):
            for i, item in enumerate(group.get(section, [])):
                yield ("groups", gi, section, i), item
    for ci, computed in enumerate(data.get("computed", [])):
        for ri, rule in enumerate(computed.get("rules", [])):
            for i, item in enumerate(rule.get("when", [])):
                yield ("computed", ci, "rules", ri, "when", i), item
    for di, doc in enumerate(data["documents"]):
        for i, item in enumerate(doc.get("when", [])):
            yield ("documents", di, "when", i), item


def _check_award_refs(data: dict) -> list:
    known = {a["id"] for a in data["awards"]}
    out = []
    for di, doc in enumerate(data["documents"]):
        out += [(("documents", di, "awards"), f"hình thức '{a}' không có trong 'awards'")
                for a in doc.get("awards", []) if a not in known]
        if doc["kind"] == "attachment" and not doc.get("file"):
            out.append((("documents", di, "file"), "tài liệu kèm theo cần 'file'"))
    return out


def _check_awards(data: dict, groups: dict[str, dict]) -> list:
    out = []
    for ai, award in enumerate(data["awards"]):
        for qi, quota in enumerate(award["quotas"]):
            if quota["group"] not in groups:
                out.append((("awards", ai, "quotas", qi, "group"),
                            f"nhóm '{quota['group']}' không có trong 'groups'"))
        counted = sum(q["count"] for q in award["quotas"])
        if "total" in award and counted != award["total"]:
            # "quotas add up to N, the plan's total is M"
            out.append((("awards", ai, "total"),
                        f"tổng chỉ tiêu các nhóm là {counted}, khác tổng số {award['total']}"))
    return out


def _check_regime(data: dict, groups: dict[str, dict]) -> list:
    try:
        regime = law.load_regime(resolved_regime(data))
    except InputError as exc:
        return [(("regime",), exc.problems[0].message)]
    out = []
    for ai, award in enumerate(data["awards"]):
        form = regime.award_forms.get(award["form"])
        if form is None:
            known = ", ".join(regime.award_forms)
            out.append((("awards", ai, "form"),
                        f"hình thức '{award['form']}' không có trong {regime.id} (có: {known})"))
            continue
        if award["prize"]["source"] != "regime":
            continue
        for qi, quota in enumerate(award["quotas"]):
            kind = groups.get(quota["group"], {}).get("kind")
            if kind and kind not in form.coefficients:
                out.append((("awards", ai, "quotas", qi),
                            f"{form.name} không có hệ số tiền thưởng cho {kind}"))
    for di, doc in enumerate(data["documents"]):
        if doc["kind"] == "bao_cao_thanh_tich" and doc.get("form") not in regime.report_forms:
            out.append((("documents", di, "form"),
                        f"mẫu báo cáo '{doc.get('form')}' không có trong {regime.id}"))
    return out


def _check_dates(data: dict) -> list:
    out = []
    dates = {("period", "start"): data["period"]["start"], ("period", "end"): data["period"]["end"]}
    for i, deadline in enumerate(data["deadlines"]):
        dates[("deadlines", i, "date")] = deadline["date"]
    for section in ("plan", "to_trinh", "bien_ban", "bao_cao"):
        if isinstance(data.get(section), dict) and isinstance(data[section].get("date"), str):
            dates[(section, "date")] = data[section]["date"]
    for where, value in dates.items():
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            out.append((where, f"ngày '{value}' không hợp lệ"))  # invalid date
            continue
        if not YEARS[0] <= day.year <= YEARS[1]:
            # "the year must be between … and …" (9999-12-31 is a typing slip, and no day
            # follows it to count to)
            out.append((where, f"ngày '{value}': năm phải trong khoảng {YEARS[0]}–{YEARS[1]}"))
    if out:
        return out
    start = dt.date.fromisoformat(data["period"]["start"])
    if dt.date.fromisoformat(data["period"]["end"]) < start:
        out.append((("period", "end"), "ngày kết thúc trước ngày bắt đầu"))
    end = dt.date.fromisoformat(data["period"]["end"])
    for i, deadline in enumerate(data["deadlines"]):
        day = dt.date.fromisoformat(deadline["date"])
        if deadline["kind"] == "submission" and day < start:
            out.append((("deadlines", i, "date"), "hạn nộp hồ sơ trước ngày bắt đầu đợt thi đua"))
        elif deadline["kind"] == "submission" and day <= end:
            # "the submission deadline is not after the campaign's last day: the final ranking
            # does not exist yet"
            out.append((("deadlines", i, "date"), "hạn nộp hồ sơ không sau ngày kết thúc đợt "
                        f"thi đua ({end:%d/%m/%Y}): khi đó chưa có kết quả cuối cùng"))
    return out


def _check_members(data: dict) -> list:
    members = data["bien_ban"]["members"]
    out = []
    for role, label in (("chair", "chủ trì"), ("secretary", "thư ký")):
        count = sum(1 for m in members if m.get(role))
        if count != 1:
            # "the meeting needs exactly one chair / secretary"
            out.append((("bien_ban", "members"), f"cần đúng một người {label} ({role}: true)"))
    return out


def _build(root: Path, data: dict, round_info: dict) -> Campaign:
    bien_ban = data["bien_ban"]
    deadlines = tuple(_deadline(d) for d in data["deadlines"])
    columns = tuple(_column(c) for c in data.get("columns", []))
    conditions = _Conditions(deadlines, columns)
    return Campaign(
        root=root,
        id=data["id"],
        name=data["name"],
        regime=resolved_regime(data),
        place=data["place"],
        plan={**data["plan"], "date": dt.date.fromisoformat(data["plan"]["date"])},
        period_start=dt.date.fromisoformat(data["period"]["start"]),
        period_end=dt.date.fromisoformat(data["period"]["end"]),
        deadlines=deadlines,
        columns=columns,
        eligibility={k: conditions.many(v) for k, v in data.get("eligibility", {}).items()},
        groups=tuple(_group(g, conditions) for g in data["groups"]),
        awards=tuple(_award(a) for a in data["awards"]),
        documents=tuple(_document(d, conditions) for d in data["documents"]),
        proposer=data["proposer"],
        to_trinh={**data["to_trinh"], "date": dt.date.fromisoformat(data["to_trinh"]["date"])},
        bien_ban={**bien_ban, "date": dt.date.fromisoformat(bien_ban["date"])},
        members=tuple(Member(**m) for m in bien_ban["members"]),
        bao_cao_date=dt.date.fromisoformat(
            data.get("bao_cao", {}).get("date") or bien_ban["date"]),
        computed=tuple(_computed(c, conditions) for c in data.get("computed", [])),
        ranking_file=round_info.get("ranking_file") or data.get("ranking"),
        round_id=round_info.get("round_id"),
        round_name=round_info.get("round_name"),
        raw=data,
        regime_choice="in-force" if data["regime"] == IN_FORCE else "plan",
        plan_regime=data["plan"].get("regime") or (
            None if data["regime"] == IN_FORCE else data["regime"]),
        quyet_dinh=_quyet_dinh(data),
        electronic_submission=bool(data.get("electronic_submission", False)),
    )


def _quyet_dinh(data: dict) -> dict | None:
    section = data.get("quyet_dinh")
    if section is None:
        return None
    date = section.get("date")
    made = {"symbol": "QĐ-UBND", **section,
            "date": dt.date.fromisoformat(date) if date else
            dt.date.fromisoformat(data["to_trinh"]["date"])}
    standing = section.get("to_trinh")
    if standing is not None:  # the standing body's Tờ trình to its head
        made["to_trinh"] = {"noi_nhan": ["Như trên", "Lưu: VT"], **standing,
                            "date": dt.date.fromisoformat(standing.get("date")
                                                          or data["to_trinh"]["date"])}
    return made


def _deadline(d: dict) -> Deadline:
    return Deadline(id=d["id"], kind=d["kind"], label=d["label"],
                    date=dt.date.fromisoformat(d["date"]), inclusive=d["inclusive"],
                    wording=d.get("wording", ""))


def _column(c: dict) -> ColumnSpec:
    return ColumnSpec(
        name=c["name"], label=c["label"], type=c.get("type", "number"), kinds=tuple(c["kinds"]),
        minimum=c.get("min"), maximum=c.get("max"), allowed=tuple(c.get("allowed", ())),
        true_values=tuple(c.get("true_values", ())), false_values=tuple(c.get("false_values", ())),
        report=bool(c.get("report", False)), required=bool(c.get("required", True)),
    )


class _Conditions:
    """Builds conditions, typing their values like the column they compare (a date column is
    compared with a date) and resolving `deadline:` to that deadline's last valid day."""

    def __init__(self, deadlines: tuple[Deadline, ...], columns: tuple[ColumnSpec, ...]):
        self.deadlines = {d.id: d for d in deadlines}
        self.types = {c.name: c.type for c in columns}

    def one(self, c: dict) -> Condition:
        value = self.deadlines[c["deadline"]].last_valid_day if "deadline" in c else c["value"]
        if isinstance(value, list):
            value = tuple(self._typed(c["column"], v) for v in value)
        else:
            value = self._typed(c["column"], value)
        return Condition(column=c["column"], op=c["op"], value=value, rule=c.get("rule", ""))

    def many(self, items: list[dict]) -> tuple[Condition, ...]:
        return tuple(self.one(c) for c in items)

    def _typed(self, column: str, value: Any) -> Any:
        if self.types.get(column) == "date" and isinstance(value, str):
            return dt.date.fromisoformat(value)
        return value


def _group(g: dict, conditions: _Conditions) -> Group:
    return Group(
        id=g["id"], name=g["name"], kind=g["kind"],
        members=conditions.many(g.get("members", [])),
        eligibility=conditions.many(g.get("eligibility", [])),
        order_by=tuple(OrderKey(**k) for k in g["order_by"]),
        parent_group=g.get("parent_group"),
    )


def _award(a: dict) -> Award:
    prize = a["prize"]
    return Award(
        id=a["id"], form=a["form"], title=a["title"],
        quotas=tuple(
            Quota(group=q["group"], count=q["count"],
                  cap=Cap(**q["cap"]) if "cap" in q else None)
            for q in a["quotas"]
        ),
        prize=Prize(source=prize["source"], amounts=tuple(prize.get("amounts", ()))),
        total=a.get("total"),
        require_awarded_parent=bool(a.get("require_awarded_parent", False)),
        achievement=a.get("achievement", ""),
        ranks=tuple((r["title"], r.get("points")) for r in a.get("ranks", [])),
    )


def _document(d: dict, conditions: _Conditions) -> DocumentSpec:
    return DocumentSpec(
        kind=d["kind"], title=d["title"], per=d["per"], copies=d["copies"], form=d.get("form"),
        id=d.get("id"), max_pages=d.get("max_pages"), awards=tuple(d.get("awards", ())),
        when=conditions.many(d.get("when", [])), file=d.get("file"),
    )


def _computed(c: dict, conditions: _Conditions) -> ComputedColumn:
    spec = _column({**c, "type": "number"})
    rules = tuple(
        PointsRule(when=conditions.many(r.get("when", [])), column=r["points"]["column"],
                   max=r["points"]["max"], full_at=r["points"]["full_at"])
        for r in c.get("rules", [])
    )
    return ComputedColumn(spec=spec, rules=rules, sum=tuple(c.get("sum", ())))
