"""Legal Vietnamese amounts, numbers and dates.

Amounts in words
----------------
Award decisions and lists state every sum twice, in figures and in words ("Bằng chữ: ..."),
and the words must follow the official reading: groups of three digits, every group after the
first non-zero one read in full ("không trăm", "linh"), and "tỷ" repeated above 10^12.

num2words is *not* used for this: it was checked (num2words 0.5.14, ``num2words(n, lang="vi")``)
and gets the legal reading wrong in ways that matter on a signed document::

    n         num2words prints                       official reading
    1005      'một nghìn lẻ năm'                     một nghìn không trăm linh năm
    1015      'một nghìn lẻ mười lăm'                một nghìn không trăm mười lăm
    1050      'một nghìn lẻ năm mươi'                một nghìn không trăm năm mươi
    1000001   'một triệu lẻ một'                     một triệu không trăm linh một
    1001000   'một triệu một nghìn'                  một triệu không trăm linh một nghìn
    21060000  'hai mươi mốt triệu sáu mươi nghìn'    hai mươi mốt triệu không trăm sáu mươi nghìn
    10**15    'một trăm nghìn tỷ'  (that is 10**14)  một triệu tỷ
    10**18    'một Quintillion'                      một tỷ tỷ

Wrapping it would mean re-parsing and patching its output, which is more code than reading the
digits directly, so this module replaces it with a small table-driven reader (and a matching
parser, :func:`words_to_amount`, used to check that figures and words in a document agree).

Dates
-----
NĐ 30/2020/NĐ-CP: in the place-and-date line, days below 10 and the months 1 and 2 take a
leading zero ("ngày 05 tháng 02 năm 2025"), months 3 to 12 do not ("ngày 05 tháng 3 năm 2024").
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from typing import NoReturn

__all__ = [
    "amount_in_words",
    "date_in_text",
    "date_short",
    "format_amount",
    "format_decimal",
    "format_percent",
    "money_in_words",
    "parse_amount",
    "place_date_line",
    "two_digit_count",
    "words_to_amount",
]

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_BILLION = 10**9
_LIMIT = 10**21  # exclusive upper bound for amounts ("một nghìn tỷ tỷ")
_ZERO_TENS = ("linh", "lẻ")  # official, southern
_THOUSANDS = ("nghìn", "ngàn")  # official, southern


# --------------------------------------------------------------------------- amounts in words


def _check_amount(amount: object) -> int:
    # bool is an int subclass; True must not silently read as "một".
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValueError(f"amount must be an int, got {type(amount).__name__}")
    if amount < 0:
        raise ValueError(f"amount must not be negative: {amount}")
    if amount >= _LIMIT:
        raise ValueError(f"amount must be below 10^21: {amount}")
    return amount


def _unit_word(tens: int, units: int) -> str:
    """The unit digit read after a tens digit: 1 is "mốt" after "mươi", 5 is "lăm" after any."""
    if units == 1 and tens >= 2:
        return "mốt"
    if units == 5 and tens >= 1:
        return "lăm"
    return _DIGITS[units]


def _read_group(group: int, *, full: bool, zero_tens: str) -> list[str]:
    """Read a group 1..999; ``full`` says "không trăm" when the hundreds digit is zero."""
    hundreds, rest = divmod(group, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if full or hundreds:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:  # "linh" only when something was said before it
            words += [zero_tens, _DIGITS[units]] if words else [_DIGITS[units]]
    else:
        words += ["mười"] if tens == 1 else [_DIGITS[tens], "mươi"]
        if units:
            words.append(_unit_word(tens, units))
    return words


def _read_below_billion(n: int, *, leading: bool, zero_tens: str, thousand: str) -> list[str]:
    groups = ((n // 10**6, "triệu"), (n // 1000 % 1000, thousand), (n % 1000, ""))
    words: list[str] = []
    for value, unit in groups:
        if value == 0:  # all-zero groups are skipped entirely
            continue
        words += _read_group(value, full=bool(words) or not leading, zero_tens=zero_tens)
        if unit:
            words.append(unit)
    return words


def _read(n: int, *, zero_tens: str, thousand: str) -> list[str]:
    """Read n > 0 as the leading part of an amount.

    "tỷ" applies to everything above 10^9, so the part above is read recursively and followed
    by "tỷ"; this gives "một nghìn tỷ" (10^12), "một triệu tỷ" (10^15), "một tỷ tỷ" (10^18).
    """
    if n >= _BILLION:
        high, rest = divmod(n, _BILLION)
        words = [*_read(high, zero_tens=zero_tens, thousand=thousand), "tỷ"]
        if rest:
            words += _read_below_billion(
                rest, leading=False, zero_tens=zero_tens, thousand=thousand
            )
        return words
    return _read_below_billion(n, leading=True, zero_tens=zero_tens, thousand=thousand)


def amount_in_words(amount: int, *, zero_tens: str = "linh", thousand: str = "nghìn") -> str:
    """Official Vietnamese reading of ``amount`` (0 <= amount < 10^21), lower case, no "đồng".

    ``zero_tens="lẻ"`` and ``thousand="ngàn"`` give the southern variants.
    """
    _check_amount(amount)
    if zero_tens not in _ZERO_TENS:
        raise ValueError(f"zero_tens must be one of {_ZERO_TENS}, got {zero_tens!r}")
    if thousand not in _THOUSANDS:
        raise ValueError(f"thousand must be one of {_THOUSANDS}, got {thousand!r}")
    if amount == 0:
        return _DIGITS[0]
    return " ".join(_read(amount, zero_tens=zero_tens, thousand=thousand))


def money_in_words(amount: int, **variants: str) -> str:
    """Amount in words as written after "Bằng chữ:": capital first letter, then " đồng"."""
    words = amount_in_words(amount, **variants)
    return f"{words[0].upper()}{words[1:]} đồng"


# --------------------------------------------------------------------------- words to amount

_DIGIT_VALUES = {word: value for value, word in enumerate(_DIGITS)}


def _digit(word: str, *, low: int = 0) -> int:
    value = _DIGIT_VALUES.get(word)
    if value is None or value < low:
        raise ValueError(f"unexpected word {word!r}")
    return value


def _unit_after_tens(word: str, *, tens: int) -> int:
    """Unit after "mười"/"mươi": a digit, or "mốt" (after mươi), "tư", "lăm"."""
    if word == "mốt" and tens >= 2:
        return 1
    if word == "tư":
        return 4
    if word == "lăm":
        return 5
    return _digit(word, low=1)


def _unit_after_zero(word: str) -> int:
    """Unit after "linh"/"lẻ": a digit 1..9, or "tư"."""
    return 4 if word == "tư" else _digit(word, low=1)


def _parse_tens(tokens: list[str]) -> int:
    """Read the last two digits of a group: "mười [u]", "d mươi [u]" or a single digit."""
    match tokens:
        case ["mười"]:
            return 10
        case ["mười", unit]:
            return 10 + _unit_after_tens(unit, tens=1)
        case [tens, "mươi"]:
            return 10 * _digit(tens, low=2)
        case [tens, "mươi", unit]:
            tens_value = _digit(tens, low=2)
            return 10 * tens_value + _unit_after_tens(unit, tens=tens_value)
        case [digit]:
            return _digit(digit)
    _fail(tokens)


def _parse_group(tokens: list[str], *, full: bool) -> int:
    """Read one group 1..999; a ``full`` group must start with "<digit> trăm".

    Only a full group may start with "không" ("không trăm ..."); a leading one never does.
    """
    if not full and tokens[:1] == ["không"]:
        _fail(tokens)
    match tokens:
        case [digit, "trăm"]:
            value = 100 * _digit(digit)
        case [digit, "trăm", zero, unit] if zero in _ZERO_TENS:
            value = 100 * _digit(digit) + _unit_after_zero(unit)
        case [digit, "trăm", *rest]:
            tens = _parse_tens(rest)
            if tens < 10:  # "một trăm năm" is ambiguous; the official form says "linh"
                _fail(tokens)
            value = 100 * _digit(digit) + tens
        case _ if full:
            _fail(tokens)
        case _:
            value = _parse_tens(tokens)
    if value == 0:  # all-zero groups are never spoken
        _fail(tokens)
    return value


def _fail(tokens: list[str]) -> NoReturn:
    raise ValueError(f"cannot read {' '.join(tokens)!r}")


def _parse_below_billion(tokens: list[str], *, leading: bool) -> int:
    total = 0
    for scale_words, scale in ((("triệu",), 10**6), (_THOUSANDS, 1000)):
        positions = [i for i, token in enumerate(tokens) if token in scale_words]
        if len(positions) > 1:
            _fail(tokens)
        if positions:
            cut = positions[0]
            total += scale * _parse_group(tokens[:cut], full=not leading or total > 0)
            tokens = tokens[cut + 1 :]
    if tokens:
        total += _parse_group(tokens, full=not leading or total > 0)
    return total


def _parse(tokens: list[str]) -> int:
    """Read a leading part: everything before the last "tỷ" is itself a leading part."""
    if "tỷ" not in tokens:
        if not tokens:
            raise ValueError("nothing to read")
        return _parse_below_billion(tokens, leading=True)
    last = len(tokens) - 1 - tokens[::-1].index("tỷ")
    high = _parse(tokens[:last])
    rest = tokens[last + 1 :]
    return high * _BILLION + (_parse_below_billion(rest, leading=False) if rest else 0)


def words_to_amount(words: str) -> int:
    """Number read back from its Vietnamese reading (the inverse of :func:`amount_in_words`).

    Accepts the official reading and the variants "lẻ", "ngàn", "tỉ", "tư", "lăm", "mốt",
    any capitalisation and a trailing "đồng", for amounts below 10^21. It is deliberately
    strict about structure: groups after the first must be read in full ("không trăm",
    "linh"), because shortened forms such as "một nghìn năm" are ambiguous, and num2words'
    "một nghìn lẻ mười lăm" is rejected too; such text raises ValueError.
    """
    if not isinstance(words, str):
        raise ValueError(f"words must be a str, got {type(words).__name__}")
    tokens = unicodedata.normalize("NFC", words).lower().split()
    tokens = ["tỷ" if token == "tỉ" else token for token in tokens]
    if tokens and tokens[-1] == "đồng":
        tokens.pop()
    if tokens == ["không"]:
        return 0
    if not tokens:
        raise ValueError(f"no number in {words!r}")
    amount = _parse(tokens)
    if amount >= _LIMIT:  # same range as amount_in_words
        raise ValueError(f"amount must be below 10^21: {words!r}")
    return amount


# --------------------------------------------------------------------------- figures

_SPACES = re.compile(r"[ \u00a0\u202f\u2009]+")  # space, no-break, narrow no-break, thin
_CURRENCY = re.compile(r"\s*(?:đồng|vnđ|vnd|đ)$", re.IGNORECASE)
_PLAIN = re.compile(r"0|[1-9][0-9]*")
_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?P<sep>[., ])[0-9]{3}(?:(?P=sep)[0-9]{3})*")
_DECIMAL_LIKE = re.compile(r"[0-9]+[.,][0-9]{1,2}")


def format_amount(amount: int) -> str:
    """Figures with dots between thousands: 20000000 -> "20.000.000"."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValueError(f"amount must be an int, got {type(amount).__name__}")
    return f"{amount:,}".replace(",", ".")


def parse_amount(text: str) -> int:
    """Whole number of đồng from figures as people type them.

    Thousands may be separated by dots, commas or spaces (one kind per number, groups of
    three); a trailing "đ", "đồng", "VND" or "VNĐ" is allowed. "1.234" and "1,234" are both
    1234: Vietnamese amounts have no decimals, so a separator always means thousands.
    """
    if not isinstance(text, str):
        # "Số tiền phải là chuỗi ký tự" = the amount must be a string
        raise ValueError(f"Số tiền phải là chuỗi ký tự, nhận được {type(text).__name__}")
    cleaned = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    cleaned = _CURRENCY.sub("", cleaned)
    if not cleaned:
        # "Chưa nhập số tiền" = no amount given
        raise ValueError(f"Chưa nhập số tiền: {text!r}")
    if cleaned[0] in "-−":
        # "Số tiền không được âm" = the amount must not be negative
        raise ValueError(f"Số tiền không được âm: {text!r}")
    if _PLAIN.fullmatch(cleaned) or _GROUPED.fullmatch(cleaned):
        digits = re.sub(r"[., ]", "", cleaned).lstrip("0") or "0"
        if len(digits) > 21:  # int() of thousands of digits would fail in English
            shown = cleaned if len(cleaned) <= 40 else f"{cleaned[:39]}…"
            # "the amount is above the limit (below 10^21)"
            raise ValueError(f"Số tiền vượt quá giới hạn (phải nhỏ hơn 10^21): {shown!r}")
        amount = int(digits)
    elif _DECIMAL_LIKE.fullmatch(cleaned):
        # "Số tiền phải là số nguyên đồng, không có phần thập phân"
        # = the amount must be a whole number of đồng, without decimals
        raise ValueError(f"Số tiền phải là số nguyên đồng, không có phần thập phân: {text!r}")
    else:
        # "Số tiền không hợp lệ ... chỉ chấp nhận số nguyên, phân cách hàng nghìn bằng dấu chấm,
        # dấu phẩy hoặc khoảng trắng" = invalid amount: only whole numbers, with thousands
        # separated by dots, commas or spaces (one kind, groups of three)
        raise ValueError(
            f"Số tiền không hợp lệ: {text!r}; chỉ chấp nhận số nguyên, phân cách hàng nghìn "
            "bằng dấu chấm, dấu phẩy hoặc khoảng trắng (ví dụ 20.000.000)"
        )
    if amount >= _LIMIT:
        # "Số tiền vượt quá giới hạn" = the amount is above the supported limit
        raise ValueError(f"Số tiền vượt quá giới hạn (phải nhỏ hơn 10^21): {text!r}")
    return amount


# --------------------------------------------------------------------------- dates and counts


def _day(d: datetime.date) -> str:
    return f"{d.day:02d}"


def _month(d: datetime.date) -> str:
    """NĐ 30/2020: only months 1 and 2 are padded (so "tháng 01" is never misread as 10-12)."""
    return f"{d.month:02d}" if d.month < 3 else str(d.month)


def date_in_text(d: datetime.date) -> str:
    """Date as written in running text: "ngày 05 tháng 01 năm 2025"."""
    return f"ngày {_day(d)} tháng {_month(d)} năm {d.year}"


def place_date_line(place: str, d: datetime.date) -> str:
    """Place-and-date line under the national motto: "Cần Thơ, ngày 05 tháng 01 năm 2025"."""
    if not place.strip():
        raise ValueError("place must not be empty")
    return f"{place.strip()}, {date_in_text(d)}"


def date_short(d: datetime.date) -> str:
    """dd/mm/yyyy, always padded, for tables: "05/01/2025"."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def two_digit_count(n: int) -> str:
    """Counts below 10 take a leading zero, as in "03 tập thể"; 10 and above are unchanged."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"count must be a non-negative int, got {n!r}")
    return f"{n:02d}"


# --------------------------------------------------------------------------- decimals


def _to_decimal(x: float | int | Decimal) -> Decimal:
    if isinstance(x, bool) or not isinstance(x, float | int | Decimal):
        raise ValueError(f"expected a number, got {type(x).__name__}")
    # repr() of a float is the shortest string that round-trips, so 97.85 rounds as written
    # (to 97,9) instead of as its binary value 97.8499999...
    value = Decimal(repr(x)) if isinstance(x, float) else Decimal(x)
    if not value.is_finite():
        raise ValueError(f"expected a finite number, got {x!r}")
    return value


def format_decimal(x: float | int | Decimal, places: int = 1) -> str:
    """Vietnamese decimal: comma for decimals, dots for thousands: 1234.5 -> "1.234,5".

    Rounds half-up to ``places`` decimals and keeps trailing zeros ("97,0").
    """
    if isinstance(places, bool) or not isinstance(places, int) or places < 0:
        raise ValueError(f"places must be a non-negative int, got {places!r}")
    value = _to_decimal(x).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if value == 0:
        value = abs(value)  # no "-0,0"
    english = f"{value:,.{places}f}"
    return english.translate(str.maketrans({",": ".", ".": ","}))


def format_percent(x: float | int | Decimal, places: int = 1) -> str:
    """Percentage with a decimal comma: 97.8 -> "97,8%"."""
    return f"{format_decimal(x, places)}%"
