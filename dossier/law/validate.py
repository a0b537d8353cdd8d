"""The shape of the law data: each file against dossier/schemas/law.schema.json, then what a
schema cannot say (the id is the file's name, the replacing regime exists, dates in order).

Every problem names its file, its field and its line, so an office that keeps its own copy
(`DOSSIER_LAW_DIR`) can correct it; `dossier law --check DIR` lists them all.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from dossier.errors import InputError, Problem
from dossier.resources import SCHEMA_DIR
from dossier.schema_messages import schema_message
from dossier.yamlio import line_of, load_yaml

SCHEMA_VERSION = 2
REGIMES = "regimes"
BASE_SALARY = "base_salary.yaml"


@lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads((SCHEMA_DIR / "law.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=2)
def _validator(definition: str) -> jsonschema.Draft202012Validator:
    schema = {"$defs": _schema()["$defs"], "$ref": f"#/$defs/{definition}"}
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def read_law_file(path: Path, definition: str) -> tuple[dict, dict[tuple, int]]:
    """Parse and validate one law file (`regime_file` or `base_salary_file`); raise InputError
    listing every problem with its line."""
    data, lines = load_yaml(path)
    problems = _old_format(path, data, lines) or _schema_problems(path, data, lines, definition)
    if not problems and definition == "regime_file":
        problems = _regime_problems(path, data, lines)
    if not problems and definition == "base_salary_file":
        problems = _salary_problems(path, data, lines)
    if problems:
        raise InputError(problems)
    return data, lines


def _old_format(path: Path, data: Any, lines: dict[tuple, int]) -> list[Problem]:
    if not isinstance(data, dict) or data.get("schema_version") != 1:
        return []
    # "old format (schema_version 1, field `verified`): replace verified by evidence (text,
    # secondary, unconfirmed), source by {act, article, clause}, add read_in; see the files
    # shipped with dossier"
    return [Problem(str(path), "định dạng cũ (schema_version 1, trường verified): thay verified "
                    "bằng evidence (text, secondary hoặc unconfirmed), source bằng {act, article, "
                    "clause}, thêm read_in (nơi đã đọc văn bản) rồi đặt schema_version: 2 – xem "
                    f"các tệp trong dossier/law/ (dòng {line_of(lines, ('schema_version',))})",
                    column="schema_version")]


def _schema_problems(path: Path, data: Any, lines: dict[tuple, int],
                     definition: str) -> list[Problem]:
    errors = sorted(_validator(definition).iter_errors(data),
                    key=lambda e: (line_of(lines, tuple(e.absolute_path)) or 0,
                                   [str(p) for p in e.absolute_path]))
    return list(dict.fromkeys(_problem(path, e, lines) for e in errors))  # no repeats


def _problem(path: Path, error: jsonschema.ValidationError, lines) -> Problem:
    field_path = tuple(error.absolute_path)
    message = schema_message(error)
    if "then" in error.relative_schema_path:
        message += " (bắt buộc khi evidence là text hoặc secondary)"  # required for these grades
    return _at(path, lines, field_path, message)


def _at(path: Path, lines: dict[tuple, int], field_path: tuple, message: str) -> Problem:
    dotted = ".".join(str(p) for p in field_path) or "(gốc)"
    return Problem(str(path), f"{message} (dòng {line_of(lines, field_path)})", column=dotted)


def _regime_problems(path: Path, data: dict, lines: dict[tuple, int]) -> list[Problem]:
    problems = []
    if data["id"] != path.stem:
        # "the id must be the file's name"
        problems.append(_at(path, lines, ("id",),
                            f"'{data['id']}' phải trùng tên tệp ('{path.stem}')"))
    replaced_on = data.get("replaced_on")
    if replaced_on and replaced_on <= data["in_force_from"]:
        # "replaced_on must come after in_force_from"
        problems.append(_at(path, lines, ("replaced_on",),
                            f"{replaced_on} phải sau in_force_from ({data['in_force_from']})"))
    if bool(replaced_on) != bool(data.get("replaced_by")):
        # "replaced_on and replaced_by go together"
        problems.append(_at(path, lines, ("replaced_by",),
                            "replaced_on và replaced_by phải ghi cùng nhau"))
    successor = data.get("replaced_by")
    if successor and not (path.parent / f"{successor}.yaml").is_file():
        known = ", ".join(sorted(p.stem for p in path.parent.glob("*.yaml")))
        # "no regime file <id> (there are: …)"
        problems.append(_at(path, lines, ("replaced_by",),
                            f"không có chế độ '{successor}' trong {path.parent} (có: {known})"))
    return problems


def _salary_problems(path: Path, data: dict, lines: dict[tuple, int]) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for index, entry in enumerate(data["entries"]):
        day = entry["effective_from"]
        if day in seen:
            # "two base salaries from the same day (also entry N)"
            problems.append(_at(path, lines, ("entries", index, "effective_from"),
                                f"hai mức lương cơ sở cùng áp dụng từ {day} (cùng mục "
                                f"{seen[day] + 1})"))
        seen.setdefault(day, index)
    return problems


def check_law_dir(root: Path) -> tuple[list[Problem], dict[str, int]]:
    """Every problem in a law folder laid out as `DOSSIER_LAW_DIR` (regimes/*.yaml,
    base_salary.yaml), and how many figures it holds per grade."""
    problems: list[Problem] = []
    grades: dict[str, int] = {}
    regimes = sorted((root / REGIMES).glob("*.yaml"))
    if not regimes:
        # "no regime file (regimes/*.yaml)"
        problems.append(Problem(str(root / REGIMES), "không có tệp chế độ nào (regimes/*.yaml)"))
    files = [(p, "regime_file") for p in regimes] + [(root / BASE_SALARY, "base_salary_file")]
    for path, definition in files:
        if not path.is_file():
            problems.append(Problem(str(path), "không tìm thấy tệp"))  # file not found
            continue
        try:
            data, _ = read_law_file(path, definition)
        except InputError as exc:
            problems += exc.problems
            continue
        for grade in _grades(data):
            grades[grade] = grades.get(grade, 0) + 1
    return problems, grades


def _grades(value: Any) -> list[str]:
    """The grade of every graded entry in a file's data."""
    if isinstance(value, list):
        return [g for item in value for g in _grades(item)]
    if not isinstance(value, dict):
        return []
    own = [value["evidence"]] if isinstance(value.get("evidence"), str) else []
    return own + [g for key, item in value.items() if key != "source" for g in _grades(item)]
