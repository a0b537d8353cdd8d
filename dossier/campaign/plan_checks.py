"""Checks of campaign.yaml that need more than the schema and are about the plan making sense:
conditions that compare a column with a value of the wrong type or one it can never hold,
groups whose conditions contradict each other (nobody can ever fill their quota), and template
overrides that replace nothing or do not parse.

Each check returns `(field path, message)` pairs; campaign.py adds the file and the line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dossier.campaign.safety import is_inside, outside_problem
from dossier.campaign.template_errors import check_syntax
from dossier.errors import InputError, Problem
from dossier.resources import TEMPLATE_DIR

NUMERIC = ("integer", "number", "percent")
Where = tuple
Found = list[tuple[Where, str]]


def column_types(data: dict) -> dict[str, dict]:
    """Every declared column (and computed one, a number) by name."""
    columns = {c["name"]: c for c in data.get("columns", [])}
    columns.update({c["name"]: {**c, "type": "number"} for c in data.get("computed", [])})
    return columns


def condition_problems(conditions: Iterable[tuple[Where, dict]], data: dict) -> Found:
    """Each condition compares its column with a value the column can hold."""
    columns = column_types(data)
    found: Found = []
    for where, condition in conditions:
        spec = columns.get(condition.get("column", ""))
        if spec is None or "value" not in condition:
            continue  # unknown columns are reported elsewhere; `deadline:` is a date
        message = _condition_problem(condition, spec)
        if message:
            found.append(((*where, "value"), message))
    return found


def _condition_problem(condition: dict, spec: dict) -> str | None:
    op, value = condition["op"], condition["value"]
    if op in ("in", "not in"):
        if not isinstance(value, list):
            # "'in' needs a list of values"
            return f"toán tử '{op}' cần một danh sách giá trị, ví dụ [A, B]"
        values = value
    elif isinstance(value, list):
        return f"toán tử '{op}' so sánh với một giá trị, không phải danh sách"  # not a list
    else:
        values = [value]
    for item in values:
        message = _value_problem(op, item, spec)
        if message:
            return message
    return None


def _value_problem(op: str, value: Any, spec: dict) -> str | None:
    kind = spec.get("type", "number")
    name = spec["name"]
    if kind in NUMERIC:
        if isinstance(value, bool) or not isinstance(value, int | float):
            # "column X holds numbers; 'v' is not a number, so the condition never holds"
            return (f"cột '{name}' chứa số, giá trị so sánh '{value}' không phải số: điều kiện "
                    "không bao giờ đúng")
        return _out_of_range(op, value, spec)
    if kind == "boolean":
        if not isinstance(value, bool) or op not in ("=", "!="):
            # "column X is yes/no: compare it with = true / = false"
            return f"cột '{name}' là có/không: so sánh bằng '= true' hoặc '= false'"
        return None
    if kind == "date":
        return _date_problem(name, value)
    return _text_problem(op, value, spec)


def _out_of_range(op: str, value: float, spec: dict) -> str | None:
    low = spec.get("min", 0 if spec.get("type") == "percent" else None)
    high = spec.get("max", 100 if spec.get("type") == "percent" else None)
    never = ((op == ">" and high is not None and value >= high)
             or (op == ">=" and high is not None and value > high)
             or (op == "<" and low is not None and value <= low)
             or (op == "<=" and low is not None and value < low)
             or (op in ("=", "in") and ((high is not None and value > high)
                                        or (low is not None and value < low))))
    if not never:
        return None
    bounds = f"{low if low is not None else '…'}–{high if high is not None else '…'}"
    # "never true: the column's values lie in [low, high]; nobody can meet it"
    return (f"điều kiện '{spec['name']} {op} {value}' không bao giờ đúng: giá trị của cột nằm "
            f"trong {bounds}, nên không ai đáp ứng được")


def _date_problem(name: str, value: Any) -> str | None:
    try:
        dt.date.fromisoformat(str(value))
    except ValueError:
        return f"cột '{name}' là ngày: giá trị so sánh '{value}' phải có dạng YYYY-MM-DD"
    return None


def _text_problem(op: str, value: Any, spec: dict) -> str | None:
    name = spec["name"]
    if op in (">", ">=", "<", "<="):
        # "column X holds text: compare it with =, !=, in, not in"
        return f"cột '{name}' chứa chữ: chỉ so sánh bằng =, !=, in, not in"
    allowed = spec.get("allowed")
    if allowed and str(value).casefold() not in {a.casefold() for a in allowed}:
        # "'v' is not one of the column's allowed values: the condition never holds"
        return (f"'{value}' không phải giá trị cho phép của cột '{name}' "
                f"({', '.join(allowed)}): điều kiện không bao giờ đúng")
    return None


def group_problems(data: dict) -> Found:
    """A group whose conditions (the kind's eligibility, its membership and its own
    eligibility) no value can satisfy together: its quotas can never be met."""
    columns = column_types(data)
    found: Found = []
    for gi, group in enumerate(data.get("groups", [])):
        conditions = [*data.get("eligibility", {}).get(group.get("kind"), []),
                      *group.get("members", []), *group.get("eligibility", [])]
        for column, text in _contradictions(conditions, columns):
            # "nobody can meet every condition of the group (col: …): its quota cannot be met"
            found.append((("groups", gi), f"không ai có thể thỏa mọi điều kiện của nhóm "
                          f"(cột '{column}': {text}): chỉ tiêu của nhóm không thể đạt"))
        found += _parent_group_problems(gi, group, data)
    return found


def _parent_group_problems(index: int, group: dict, data: dict) -> Found:
    """`parent_group`: a group of individuals names a group of collectives."""
    name = group.get("parent_group")
    if name is None:
        return []
    where = ("groups", index, "parent_group")
    kinds = {g.get("id"): g.get("kind") for g in data.get("groups", [])}
    if group.get("kind") != "ca_nhan":
        # "only a group of individuals takes them from a group of collectives"
        return [(where, "chỉ nhóm cá nhân mới lấy cá nhân từ một nhóm tập thể")]
    if name not in kinds:
        return [(where, f"nhóm '{name}' không có trong 'groups'")]  # no such group
    if kinds[name] != "tap_the":
        return [(where, f"nhóm '{name}' không phải nhóm tập thể")]  # not a group of collectives
    return []


def _contradictions(conditions: list[dict], columns: dict[str, dict]):
    bounds: dict[str, list[tuple[str, float]]] = {}
    for condition in conditions:
        spec = columns.get(condition.get("column", ""))
        value = condition.get("value")
        if (spec is None or spec.get("type", "number") not in NUMERIC
                or condition.get("op") not in (">", ">=", "<", "<=", "=")
                or isinstance(value, bool) or not isinstance(value, int | float)):
            continue
        bounds.setdefault(spec["name"], []).append((condition["op"], value))
    for column, items in bounds.items():
        if _empty_interval(items):
            yield column, " và ".join(f"{op} {value}" for op, value in items)


def _empty_interval(items: list[tuple[str, float]]) -> bool:
    low, low_open, high, high_open = float("-inf"), False, float("inf"), False
    for op, value in items:
        if op in (">", ">=", "=") and (value > low or (value == low and op == ">")):
            low, low_open = value, op == ">"
        if op in ("<", "<=", "=") and (value < high or (value == high and op == "<")):
            high, high_open = value, op == "<"
    return low > high or (low == high and (low_open or high_open))


def template_problems(root: Path) -> list[Problem]:
    """Files in the campaign's templates/ must replace a default template and parse."""
    folder = root / "templates"
    if not folder.is_dir():
        return []
    defaults = sorted(p.name for p in TEMPLATE_DIR.glob("*.docx"))
    found: list[Problem] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(("~$", ".")):  # Word's lock file, hidden files
            continue
        if not is_inside(root, path):
            found.append(outside_problem(root, path, "mẫu"))
            continue
        if path.name not in defaults:
            # "X replaces no template (the names are: …)"
            found.append(Problem(str(path), "mẫu này không thay thế mẫu nào (tên phải là một "
                                 f"trong: {', '.join(defaults)})"))
            continue
        try:
            check_syntax(path)
        except InputError as exc:
            found += exc.problems
    return found
