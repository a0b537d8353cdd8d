"""JSON Schema errors in the words of the person who wrote the YAML (campaign.yaml, the law data
files), in Vietnamese, with a hint where the usual slip is known (a value YAML read as a number,
a misspelt field name)."""

from __future__ import annotations

import difflib
from typing import Any

from jsonschema import ValidationError

TYPE_NAMES = {"string": "chữ", "integer": "số nguyên", "number": "số", "boolean": "true/false",
              "array": "danh sách", "object": "nhóm trường", "null": "để trống"}
IDENTIFIER = "^[a-z0-9][a-z0-9_-]{0,63}$"
DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def schema_message(error: ValidationError) -> str:
    """One Vietnamese sentence for `error` (the English meaning is in each comment)."""
    handler = _HANDLERS.get(str(error.validator))
    return handler(error) if handler else error.message


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:59] + "…"


def _required(error: ValidationError) -> str:
    missing = [name for name in error.validator_value if name not in (error.instance or {})]
    return f"thiếu trường bắt buộc '{missing[0]}'"  # required field missing


def _additional(error: ValidationError) -> str:
    known = sorted(error.schema.get("properties", {}))
    extra = [name for name in error.instance if name not in known]
    parts = []
    for name in extra:
        close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.6)
        hint = f" (có phải '{close[0]}'?)" if close else ""  # "did you mean …?"
        parts.append(f"'{name}'{hint}")
    # "field(s) not in the format"
    return f"trường không có trong định dạng: {', '.join(parts)}"


def _type(error: ValidationError) -> str:
    wanted = error.validator_value if isinstance(error.validator_value, list) else [
        error.validator_value]
    names = " hoặc ".join(TYPE_NAMES.get(t, t) for t in wanted)
    message = f"{_shown(error.instance)} phải là {names}"  # "must be <type>"
    if "string" in wanted and isinstance(error.instance, bool | int | float):
        # "YAML read it as a number or yes/no: put it in double quotes"
        message += " (YAML đọc giá trị này thành số hoặc có/không: đặt nó trong dấu ngoặc kép)"
    return message


def _enum(error: ValidationError) -> str:
    options = ", ".join(str(v) for v in error.validator_value)
    return f"{_shown(error.instance)} không hợp lệ: phải là một trong {options}"


def _const(error: ValidationError) -> str:
    return f"{_shown(error.instance)} không hợp lệ: phải là {error.validator_value!r}"


def _pattern(error: ValidationError) -> str:
    if error.validator_value == IDENTIFIER:
        # "must be lower-case letters without accents, digits, '-' or '_' (at most 64)"
        return (f"{_shown(error.instance)} không hợp lệ: chỉ dùng chữ thường không dấu, số, "
                "'-' và '_' (tối đa 64 ký tự)")
    if error.validator_value == DATE_PATTERN:
        return _date(error)
    return f"{_shown(error.instance)} không đúng dạng {error.validator_value}"  # wrong form


def _date(error: ValidationError) -> str:
    # "a date is written YYYY-MM-DD, e.g. 2024-12-30"
    return f"{_shown(error.instance)} không phải ngày dạng YYYY-MM-DD (ví dụ 2024-12-30)"


def _format(error: ValidationError) -> str:
    if error.validator_value == "date":
        return _date(error)
    return f"{_shown(error.instance)} không đúng định dạng {error.validator_value}"


def _bound(word: str):
    return lambda error: f"{_shown(error.instance)} phải {word} {error.validator_value}"


def _min_items(error: ValidationError) -> str:
    return f"cần ít nhất {error.validator_value} mục"  # at least N items


def _min_length(error: ValidationError) -> str:
    return "không được để trống"  # must not be empty


def _max_length(error: ValidationError) -> str:
    return f"quá dài (tối đa {error.validator_value} ký tự)"  # too long


def _one_of(error: ValidationError) -> str:
    """The branch whose `const` matched (e.g. prize.source: fixed) says what is missing."""
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context or []:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    for subs in branches.values():
        if subs and not any(s.validator == "const" for s in subs):
            return schema_message(subs[0])
    consts = [s.validator_value for s in error.context or [] if s.validator == "const"]
    if consts:
        return f"phải là một trong các dạng: {', '.join(map(str, consts))}"  # one of the forms
    return "không khớp dạng nào cho phép"  # matches none of the allowed forms


_HANDLERS = {
    "required": _required,
    "additionalProperties": _additional,
    "type": _type,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "format": _format,
    "minimum": _bound("≥"),
    "maximum": _bound("≤"),
    "exclusiveMinimum": _bound(">"),
    "exclusiveMaximum": _bound("<"),
    "minItems": _min_items,
    "minProperties": _min_items,
    "minLength": _min_length,
    "maxLength": _max_length,
    "oneOf": _one_of,
    "anyOf": _one_of,
}
