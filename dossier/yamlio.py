"""YAML reading that keeps line numbers, so errors can name the line of a field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import InputError, Problem


class _StringDateLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as strings: the schema checks them, we parse them."""


_StringDateLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(path: Path) -> tuple[Any, dict[tuple, int]]:
    """Parse `path`; return the data and a map from field path to its 1-based line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError.single(path, f"tệp không phải UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise InputError.single(path, f"không đọc được tệp: {exc.strerror}") from None
    try:
        node = yaml.compose(text, Loader=_StringDateLoader)
        data = yaml.load(text, Loader=_StringDateLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"dòng {mark.line + 1}, cột {mark.column + 1}" if mark else "không rõ vị trí"
        problem = getattr(exc, "problem", None) or str(exc)
        # "lỗi cú pháp YAML" = YAML syntax error
        raise InputError([Problem(str(path), f"lỗi cú pháp YAML ({where}): {problem}")]) from None
    lines: dict[tuple, int] = {}
    if node is not None:
        _collect_lines(node, (), lines)
    return data, lines


def _collect_lines(node: yaml.Node, path: tuple, lines: dict[tuple, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            _collect_lines(value_node, (*path, key_node.value), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_lines(item, (*path, index), lines)


def line_of(lines: dict[tuple, int], path: tuple) -> int | None:
    """The line of `path`, or of its nearest parent that has one."""
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())
