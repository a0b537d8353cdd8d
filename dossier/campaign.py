"""Load and validate a campaign directory's campaign.yaml into a `Campaign`.

Validation has two layers: the JSON Schema (shape and types, every error with its field path and
line) and the cross-references the schema cannot express (groups named by quotas, columns named
by conditions, award forms known to the regime, quotas adding up to the plan's totals).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from . import law
from .errors import InputError, Problem
from .models import (
    Award,
    Campaign,
    Cap,
    ColumnSpec,
    Condition,
    Deadline,
    DocumentSpec,
    Group,
    Member,
    OrderKey,
    Prize,
    Quota,
)
from .paths import SCHEMA_DIR
from .yamlio import line_of, load_yaml

CAMPAIGN_FILE = "campaign.yaml"
STANDARD_COLUMNS = (
    "id", "kind", "name", "gender", "position", "unit", "parent_id",
    "address", "head_name", "head_title",
)


@lru_cache(maxsize=4)
def load_schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def load_campaign(root: Path) -> Campaign:
    """Read `root/campaign.yaml`; raise InputError listing every problem found."""
    path = root / CAMPAIGN_FILE
    if not path.is_file():
        raise InputError.single(path, "không tìm thấy tệp kế hoạch thi đua (campaign.yaml)")
    data, lines = load_yaml(path)
    _validate_schema(path, data, lines)
    _validate_references(path, data, lines)
    return _build(root, data)


def _validate_schema(path: Path, data: Any, lines: dict[tuple, int]) -> None:
    validator = jsonschema.Draft202012Validator(
        load_schema("campaign.schema.json"), format_checker=jsonschema.FormatChecker()
    )
    errors = sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        raise InputError([_schema_problem(path, e, lines) for e in errors])


def _schema_problem(path: Path, error: jsonschema.ValidationError, lines) -> Problem:
    field_path = tuple(error.absolute_path)
    dotted = ".".join(str(p) for p in field_path) or "(gốc)"
    line = line_of(lines, field_path)
    return Problem(str(path), f"{error.message} (dòng {line})", column=dotted)


def _validate_references(path: Path, data: dict, lines: dict[tuple, int]) -> None:
    problems: list[str] = []
    known_columns = set(STANDARD_COLUMNS) | {c["name"] for c in data.get("columns", [])}
    groups = {g["id"]: g for g in data["groups"]}
    problems += _duplicate_ids("groups", data["groups"])
    problems += _duplicate_ids("awards", data["awards"])
    problems += _duplicate_ids("deadlines", data["deadlines"])
    for where, column in _referenced_columns(data):
        if column not in known_columns:
            problems.append((where, f"cột '{column}' không được khai báo trong 'columns'"))
    problems += _check_awards(data, groups)
    problems += _check_regime(data, groups)
    problems += _check_dates(data)
    problems += _check_members(data)
    if problems:
        raise InputError([
            Problem(str(path), f"{msg} (dòng {line_of(lines, where)})",
                    column=".".join(str(p) for p in where))
            for where, msg in problems
        ])


def _duplicate_ids(section: str, items: list[dict]) -> list:
    seen: set[str] = set()
    out = []
    for index, item in enumerate(items):
        if item["id"] in seen:
            out.append(((section, index, "id"), f"mã '{item['id']}' bị trùng"))  # duplicate id
        seen.add(item["id"])
    return out


def _referenced_columns(data: dict):
    for kind, rules in data.get("eligibility", {}).items():
        for i, rule in enumerate(rules):
            yield ("eligibility", kind, i, "column"), rule["column"]
    for gi, group in enumerate(data["groups"]):
        for section in ("members", "eligibility", "order_by"):
            for i, item in enumerate(group.get(section, [])):
                yield ("groups", gi, section, i, "column"), item["column"]
    for ai, award in enumerate(data["awards"]):
        for qi, quota in enumerate(award["quotas"]):
            if "cap" in quota:
                yield ("awards", ai, "quotas", qi, "cap", "column"), quota["cap"]["column"]


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
        regime = law.load_regime(data["regime"])
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
    for where, value in dates.items():
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            out.append((where, f"ngày '{value}' không hợp lệ"))  # invalid date
    if out:
        return out
    start = dt.date.fromisoformat(data["period"]["start"])
    if dt.date.fromisoformat(data["period"]["end"]) < start:
        out.append((("period", "end"), "ngày kết thúc trước ngày bắt đầu"))
    for i, deadline in enumerate(data["deadlines"]):
        if deadline["kind"] == "submission" and dt.date.fromisoformat(deadline["date"]) < start:
            out.append((("deadlines", i, "date"), "hạn nộp hồ sơ trước ngày bắt đầu đợt thi đua"))
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


def _build(root: Path, data: dict) -> Campaign:
    bien_ban = data["bien_ban"]
    return Campaign(
        root=root,
        id=data["id"],
        name=data["name"],
        regime=data["regime"],
        place=data["place"],
        plan={**data["plan"], "date": dt.date.fromisoformat(data["plan"]["date"])},
        period_start=dt.date.fromisoformat(data["period"]["start"]),
        period_end=dt.date.fromisoformat(data["period"]["end"]),
        deadlines=tuple(_deadline(d) for d in data["deadlines"]),
        columns=tuple(_column(c) for c in data.get("columns", [])),
        eligibility={k: tuple(_condition(c) for c in v)
                     for k, v in data.get("eligibility", {}).items()},
        groups=tuple(_group(g) for g in data["groups"]),
        awards=tuple(_award(a) for a in data["awards"]),
        documents=tuple(DocumentSpec(**d) for d in data["documents"]),
        proposer=data["proposer"],
        to_trinh={**data["to_trinh"], "date": dt.date.fromisoformat(data["to_trinh"]["date"])},
        bien_ban={**bien_ban, "date": dt.date.fromisoformat(bien_ban["date"])},
        members=tuple(Member(**m) for m in bien_ban["members"]),
        bao_cao_date=dt.date.fromisoformat(
            data.get("bao_cao", {}).get("date") or bien_ban["date"]),
        raw=data,
    )


def _deadline(d: dict) -> Deadline:
    return Deadline(id=d["id"], kind=d["kind"], label=d["label"],
                    date=dt.date.fromisoformat(d["date"]), inclusive=d["inclusive"],
                    wording=d.get("wording", ""))


def _column(c: dict) -> ColumnSpec:
    return ColumnSpec(
        name=c["name"], label=c["label"], type=c["type"], kinds=tuple(c["kinds"]),
        minimum=c.get("min"), maximum=c.get("max"), allowed=tuple(c.get("allowed", ())),
        true_values=tuple(c.get("true_values", ())), false_values=tuple(c.get("false_values", ())),
        report=bool(c.get("report", False)),
    )


def _condition(c: dict) -> Condition:
    value = c["value"]
    if isinstance(value, list):
        value = tuple(value)
    return Condition(column=c["column"], op=c["op"], value=value, rule=c.get("rule", ""))


def _group(g: dict) -> Group:
    return Group(
        id=g["id"], name=g["name"], kind=g["kind"],
        members=tuple(_condition(c) for c in g.get("members", [])),
        eligibility=tuple(_condition(c) for c in g.get("eligibility", [])),
        order_by=tuple(OrderKey(**k) for k in g["order_by"]),
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
    )
