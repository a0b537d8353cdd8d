"""Evaluate a campaign's conditions (eligibility rules, group membership) on a nominee."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from dossier.models import Condition, Nominee

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "in": lambda value, allowed: value in allowed,
    "not in": lambda value, allowed: value not in allowed,
}


def holds(condition: Condition, nominee: Nominee) -> bool:
    """True when the nominee's value satisfies the condition; a missing value never does."""
    value = nominee.get(condition.column)
    if value is None:
        return False
    try:
        return _COMPARE[condition.op](value, condition.value)
    except TypeError:  # e.g. comparing text with a number: the campaign file is wrong
        return False


def failed(conditions: tuple[Condition, ...], nominee: Nominee) -> list[Condition]:
    return [c for c in conditions if not holds(c, nominee)]
