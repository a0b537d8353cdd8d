"""Type one ranking cell by its column declaration (campaign.yaml `columns`).

Every function takes the cell's text (already NFC and trimmed) and returns the typed value or
raises ValueError with a Vietnamese message naming the value; the caller adds file, row, column.

Numbers are written by hand in two conventions: Vietnamese (`68.540`, `97,8`) and English
(`68,540`, `97.8`). Whole numbers accept either thousands separator, used consistently.
Decimals accept either decimal separator; with both present the last one is the decimal
separator. A single separator followed by exactly three digits (`1.234`) reads either way: a
percent is always the decimal reading (the other is above 100); for other numbers the column's
min/max decide when they exclude one reading, and otherwise the cell is refused as ambiguous
rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from dossier.models import ColumnSpec

DEFAULT_TRUE = ("Có", "Đạt", "x", "true", "1")
DEFAULT_FALSE = ("Không", "Không đạt", "false", "0")
_SPACES = re.compile("[ \u00a0\u202f\u2009]")  # a space may group thousands: "68 540"
_SIGNS = ("-", "\u2212")  # hyphen-minus and the minus sign
_GROUPED = {sep: re.compile(rf"\d{{1,3}}(?:{re.escape(sep)}\d{{3}})+") for sep in ".,"}
MAX_DIGITS = 18  # beyond this a float loses the figure, and int() refuses 4.300 digits
MAX_SHOWN = 40
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d+)")


def parse_cell(raw: str, spec: ColumnSpec) -> Any:
    """Type one cell by its column declaration; ValueError with a Vietnamese message."""
    if spec.type == "text":
        return parse_text(raw, spec)
    if spec.type == "boolean":
        return parse_boolean(raw, spec)
    if spec.type == "date":
        return parse_date(raw)
    if spec.type == "integer":
        return _within_bounds(raw, [parse_integer(raw)], spec)
    return _within_bounds(raw, parse_decimal(raw, percent=spec.type == "percent"), spec)


def parse_text(raw: str, spec: ColumnSpec) -> str:
    if not spec.allowed:
        return raw
    for allowed in spec.allowed:
        if raw.casefold() == allowed.casefold():
            return allowed  # the campaign's spelling
    # "'x' is not valid: must be one of …"
    raise ValueError(f"'{raw}' không hợp lệ: phải là một trong {', '.join(spec.allowed)}")


def parse_boolean(raw: str, spec: ColumnSpec) -> bool:
    trues = spec.true_values or DEFAULT_TRUE
    falses = spec.false_values or DEFAULT_FALSE
    folded = raw.casefold()
    if folded in (v.casefold() for v in trues):
        return True
    if folded in (v.casefold() for v in falses):
        return False
    raise ValueError(f"'{raw}' không hợp lệ: phải là một trong {', '.join((*trues, *falses))}")


def _signed(raw: str) -> tuple[int, str]:
    text = _SPACES.sub("", raw)
    if sum(ch.isdigit() for ch in text) > MAX_DIGITS:
        # "has too many digits (at most N): no figure of a ranking is that large"
        raise ValueError(f"'{_shown(raw)}' có quá nhiều chữ số (tối đa {MAX_DIGITS}): không số "
                         "liệu nào của bảng xếp hạng lớn như vậy")
    if text.startswith(_SIGNS):
        return -1, text[1:]
    return 1, text.removeprefix("+")


def _shown(raw: str) -> str:
    return raw if len(raw) <= MAX_SHOWN else f"{raw[:MAX_SHOWN - 1]}…"


def parse_integer(raw: str) -> int:
    sign, text = _signed(raw)
    if text.isdigit() and text.isascii():
        return sign * int(text)
    for sep, pattern in _GROUPED.items():
        if pattern.fullmatch(text):
            return sign * int(text.replace(sep, ""))
    if re.fullmatch(r"\d+[.,]\d+", text):
        # "is not a whole number (it has a decimal part, or its thousands are not grouped by 3)"
        raise ValueError(f"'{raw}' không phải số nguyên (có phần thập phân hoặc nhóm hàng nghìn "
                         "không đủ 3 chữ số)")
    raise ValueError(f"'{raw}' không phải số nguyên")  # not a whole number


def parse_decimal(raw: str, *, percent: bool = False) -> list[float]:
    """The possible readings of a decimal, most likely first (see the module's docstring)."""
    sign, text = _signed(raw)
    text = text.removesuffix("%")
    if text.isdigit() and text.isascii():
        return [sign * float(text)]
    readings = _decimal_readings(text)
    if not readings:
        raise ValueError(f"'{raw}' không phải số")  # not a number
    if percent:
        readings = readings[:1]
    return [sign * r for r in readings]


def _decimal_readings(text: str) -> list[float]:
    if "." in text and "," in text:
        decimal = "." if text.rfind(".") > text.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        whole, _, fraction = text.rpartition(decimal)
        if _GROUPED[thousands].fullmatch(whole) and fraction.isdigit():
            return [float(f"{whole.replace(thousands, '')}.{fraction}")]
        return []
    sep = "." if "." in text else ","
    if text.count(sep) > 1:
        return [float(text.replace(sep, ""))] if _GROUPED[sep].fullmatch(text) else []
    whole, _, fraction = text.partition(sep)
    if not (whole.isdigit() and fraction.isdigit() and whole.isascii() and fraction.isascii()):
        return []
    decimal = float(f"{whole}.{fraction}")
    if len(fraction) == 3 and len(whole) <= 3 and not whole.startswith("0"):
        return [decimal, float(whole + fraction)]  # "1.234": 1,234 or 1234
    return [decimal]


def _within_bounds(raw: str, readings: list[float], spec: ColumnSpec) -> float:
    low = 0 if spec.type == "percent" and spec.minimum is None else spec.minimum
    high = 100 if spec.type == "percent" and spec.maximum is None else spec.maximum
    fitting = [r for r in readings if (low is None or r >= low) and (high is None or r <= high)]
    if len(readings) > 1 and len(fitting) != 1:
        a, b = readings
        # "'1.234' is ambiguous: 1,234 or 1234? write it without a thousands separator (1234)
        # or with both separators (1.234,0)"
        raise ValueError(f"'{raw}' không rõ là {_plain(a)} hay {_plain(b)}: viết không có dấu "
                         f"phân cách hàng nghìn ({_plain(b)}) hoặc ghi rõ phần thập phân "
                         f"({raw}0)")
    if fitting:
        return fitting[0]
    value = readings[0]
    if low is not None and value < low:
        raise ValueError(f"{raw} nhỏ hơn giá trị tối thiểu {low:g}")  # below minimum
    raise ValueError(f"{raw} lớn hơn giá trị tối đa {high:g}")  # above maximum


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


def parse_date(raw: str) -> dt.date:
    """dd/mm/yyyy (also d/m/yyyy, with - or .) or yyyy-mm-dd; nothing that must be guessed."""
    iso = _ISO_DATE.fullmatch(raw)
    dmy = _DMY_DATE.fullmatch(raw)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif dmy:
        day, month, year = int(dmy.group(1)), int(dmy.group(3)), int(dmy.group(4))
        if len(dmy.group(4)) != 4:
            # "the year must have 4 digits"
            raise ValueError(f"'{raw}': năm phải đủ 4 chữ số (dd/mm/yyyy)")
    else:
        raise ValueError(f"'{raw}' không phải ngày dạng dd/mm/yyyy")  # not a dd/mm/yyyy date
    try:
        return dt.date(year, month, day)
    except ValueError:
        if dmy and month > 12 and day <= 12:
            # "looks like month/day/year; write day/month/year"
            raise ValueError(f"'{raw}' có vẻ là tháng/ngày/năm; hãy viết ngày/tháng/năm "
                             "(dd/mm/yyyy)") from None
        raise ValueError(f"'{raw}' không phải ngày có thật") from None  # no such day
