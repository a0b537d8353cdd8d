"""YAML reading that keeps line numbers, so errors can name the line of a field.

Safe loading only, with three departures from plain YAML 1.1 that catch what people type:
dates stay strings (the schema checks them, we parse them); `14:00` stays the string "14:00"
(YAML 1.1 would read it as the base-60 number 840); a key written twice in one mapping is an
error naming both lines (YAML keeps the last one silently). Every string is normalised to NFC,
so a name typed in decomposed Unicode compares equal to the ranking's.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import yaml

from dossier.charset import read_text
from dossier.errors import InputError, Problem
from dossier.vietnamese import format_amount

_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
# Vietnamese readings of PyYAML's usual complaints.
_YAML_PROBLEMS = {
    "found character '\\t' that cannot start any token":
        "có ký tự TAB: YAML chỉ thụt lề bằng dấu cách",  # a TAB: indent with spaces only
    "mapping values are not allowed here":
        "dấu ':' không đúng chỗ (thiếu dấu ngoặc kép quanh giá trị có ':'?)",
    "could not find expected ':'": "thiếu dấu ':' sau tên trường",  # missing ':'
    "did not find expected key": "thụt lề sai hoặc thiếu tên trường",  # bad indentation
    "did not find expected ',' or ']'": "thiếu dấu ']' hoặc ',' trong danh sách",
    "did not find expected ',' or '}'": "thiếu dấu '}' hoặc ',' trong nhóm trường",
    "found unexpected end of stream": "tệp kết thúc khi chưa đóng dấu ngoặc kép",
}


def _without_base_60(regexp: re.Pattern) -> re.Pattern:
    return re.compile(r"(?![^\n]*:)" + regexp.pattern, regexp.flags)


MAX_DEPTH = 50  # nested mappings and lists; campaign.yaml needs about 8
MAX_NODES = 200_000  # values after aliases are expanded; a large plan has a few thousand
MAX_YAML_BYTES = 5 * 1024 * 1024


class BeyondBounds(yaml.MarkedYAMLError):
    """Valid YAML that nests or expands beyond what a campaign file can need."""


class _Loader(yaml.SafeLoader):
    """SafeLoader: dates and times stay strings; nesting is bounded while composing (a
    3.000-deep file would exhaust Python's recursion)."""

    _depth = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()
                raise BeyondBounds(None, None, f"lồng nhau quá {MAX_DEPTH} cấp",  # too deep
                                   event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.yaml_implicit_resolvers = {
    key: [(tag, _without_base_60(regexp) if tag in _NUMBER_TAGS else regexp)
          for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(path: Path) -> tuple[Any, dict[tuple, int]]:
    """Parse `path`; return the data and a map from field path to its 1-based line. Aliases
    (`*x`) are followed, but a file that expands beyond MAX_NODES values (a "billion laughs")
    or refers to itself (`loop: &x [*x]`) is refused before anything is built."""
    text = read_text(path, MAX_YAML_BYTES)
    loader = _Loader(text)
    lines: dict[tuple, int] = {}
    duplicates: list[Problem] = []
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError.single(path, "tệp rỗng")  # empty file
        # before constructing: construction flattens merge keys (<<) into the mappings
        _collect_lines(node, (), lines, duplicates, str(path), _Walk())
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise InputError([_syntax_problem(path, exc)]) from None
    finally:
        loader.dispose()
    if duplicates:
        raise InputError(duplicates)
    return _nfc(data), lines


def _syntax_problem(path: Path, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    where = f"dòng {mark.line + 1}, cột {mark.column + 1}" if mark else "không rõ vị trí"
    problem = getattr(exc, "problem", None) or str(exc)
    problem = _YAML_PROBLEMS.get(problem, problem)
    opened = getattr(exc, "context_mark", None)
    if opened is not None and mark is not None and opened.line != mark.line:
        # "in what opens at line L, column C" (an unclosed bracket or quote is found later)
        problem += f" – trong phần mở ở dòng {opened.line + 1}, cột {opened.column + 1}"
    # "lỗi cú pháp YAML" = YAML syntax error; "YAML vượt giới hạn" = YAML beyond the bounds
    label = "YAML vượt giới hạn" if isinstance(exc, BeyondBounds) else "lỗi cú pháp YAML"
    return Problem(str(path), f"{label} ({where}): {problem}")


class _Walk:
    """What the walk over the node graph has seen: values counted, collections open."""

    def __init__(self) -> None:
        self.count = 0
        self.open: set[int] = set()

    def enter(self, node: yaml.Node, depth: int) -> None:
        self.count += 1
        if self.count > MAX_NODES:
            limit = format_amount(MAX_NODES)
            # "more than N values once the aliases (*…) are replaced by what they name"
            raise _problem(node, f"tệp có quá {limit} giá trị sau khi thay các bí danh (*…) "
                           "bằng nội dung")
        if id(node) in self.open:
            # "an alias (*…) points at the value that contains it"
            raise _problem(node, "bí danh (*…) trỏ vào chính giá trị chứa nó")
        if depth > MAX_DEPTH:
            raise _problem(node, f"lồng nhau quá {MAX_DEPTH} cấp")  # nested too deeply


def _problem(node: yaml.Node, message: str) -> BeyondBounds:
    return BeyondBounds(None, None, message, node.start_mark)


def _collect_lines(node: yaml.Node, path: tuple, lines: dict[tuple, int],
                   duplicates: list[Problem], file: str, walk: _Walk) -> None:
    walk.enter(node, len(path))
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
        walk.open.add(id(node))
        try:
            _collect_children(node, path, lines, duplicates, file, walk)
        finally:
            walk.open.discard(id(node))


def _collect_children(node: yaml.Node, path: tuple, lines: dict[tuple, int],
                      duplicates: list[Problem], file: str, walk: _Walk) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen and key != "<<":
                dotted = ".".join(str(p) for p in (*path, key))
                # "field written twice (also on line N): YAML would keep only the last one"
                duplicates.append(Problem(file, f"trường bị viết hai lần (dòng {seen[key]} và "
                                          f"dòng {line}); YAML chỉ giữ lần sau", column=dotted))
            seen.setdefault(key, line)
            _collect_lines(value_node, (*path, key), lines, duplicates, file, walk)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_lines(item, (*path, index), lines, duplicates, file, walk)


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


def line_of(lines: dict[tuple, int], path: tuple) -> int | None:
    """The line of `path`, or of its nearest parent that has one."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())
