"""Tests for dossier.vietnamese: legal readings of amounts, figures, dates and decimals.

The expected readings below are written by hand from the rules of the official reading,
never produced by the code under test.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dossier.vietnamese import (
    amount_in_words,
    date_in_text,
    date_short,
    format_amount,
    format_decimal,
    format_percent,
    money_in_words,
    parse_amount,
    place_date_line,
    two_digit_count,
    words_to_amount,
)

# (amount, official reading)
OFFICIAL_READINGS: list[tuple[int, str]] = [
    (0, "không"),
    # 1-25: "mười" for 10-19, "lăm" after a tens digit, "mốt" only after "mươi", "bốn" not "tư"
    (1, "một"),
    (2, "hai"),
    (3, "ba"),
    (4, "bốn"),
    (5, "năm"),
    (6, "sáu"),
    (7, "bảy"),
    (8, "tám"),
    (9, "chín"),
    (10, "mười"),
    (11, "mười một"),
    (12, "mười hai"),
    (13, "mười ba"),
    (14, "mười bốn"),
    (15, "mười lăm"),
    (16, "mười sáu"),
    (17, "mười bảy"),
    (18, "mười tám"),
    (19, "mười chín"),
    (20, "hai mươi"),
    (21, "hai mươi mốt"),
    (22, "hai mươi hai"),
    (23, "hai mươi ba"),
    (24, "hai mươi bốn"),
    (25, "hai mươi lăm"),
    (30, "ba mươi"),
    (31, "ba mươi mốt"),
    (35, "ba mươi lăm"),
    (41, "bốn mươi mốt"),
    (44, "bốn mươi bốn"),
    (45, "bốn mươi lăm"),
    (50, "năm mươi"),
    (55, "năm mươi lăm"),
    (99, "chín mươi chín"),
    # hundreds: zero tens before a unit is "linh"; 5 after "linh" stays "năm"
    (100, "một trăm"),
    (101, "một trăm linh một"),
    (104, "một trăm linh bốn"),
    (105, "một trăm linh năm"),
    (110, "một trăm mười"),
    (111, "một trăm mười một"),
    (115, "một trăm mười lăm"),
    (121, "một trăm hai mươi mốt"),
    (125, "một trăm hai mươi lăm"),
    (200, "hai trăm"),
    (999, "chín trăm chín mươi chín"),
    # thousands: groups after the first are read in full ("không trăm", "linh")
    (1_000, "một nghìn"),
    (1_001, "một nghìn không trăm linh một"),
    (1_005, "một nghìn không trăm linh năm"),
    (1_010, "một nghìn không trăm mười"),
    (1_015, "một nghìn không trăm mười lăm"),
    (1_021, "một nghìn không trăm hai mươi mốt"),
    (1_050, "một nghìn không trăm năm mươi"),
    (1_100, "một nghìn một trăm"),
    (10_000, "mười nghìn"),
    (10_005, "mười nghìn không trăm linh năm"),
    (12_345, "mười hai nghìn ba trăm bốn mươi lăm"),
    (15_000, "mười lăm nghìn"),
    (21_000, "hai mươi mốt nghìn"),
    (45_000, "bốn mươi lăm nghìn"),
    (100_000, "một trăm nghìn"),
    (105_000, "một trăm linh năm nghìn"),
    (110_000, "một trăm mười nghìn"),
    (500_000, "năm trăm nghìn"),
    (750_000, "bảy trăm năm mươi nghìn"),
    # millions: all-zero groups are skipped entirely
    (1_000_000, "một triệu"),
    (1_000_001, "một triệu không trăm linh một"),
    (1_000_010, "một triệu không trăm mười"),
    (1_000_100, "một triệu một trăm"),
    (1_001_000, "một triệu không trăm linh một nghìn"),
    (1_004_000, "một triệu không trăm linh bốn nghìn"),
    (1_010_000, "một triệu không trăm mười nghìn"),
    (1_050_000, "một triệu không trăm năm mươi nghìn"),
    (1_490_000, "một triệu bốn trăm chín mươi nghìn"),
    (1_800_000, "một triệu tám trăm nghìn"),
    (2_340_000, "hai triệu ba trăm bốn mươi nghìn"),
    (3_500_000, "ba triệu năm trăm nghìn"),
    (4_680_000, "bốn triệu sáu trăm tám mươi nghìn"),
    (10_000_000, "mười triệu"),
    (15_000_000, "mười lăm triệu"),
    (20_000_000, "hai mươi triệu"),
    (21_060_000, "hai mươi mốt triệu không trăm sáu mươi nghìn"),
    # tỷ
    (1_000_000_000, "một tỷ"),
    (1_000_000_001, "một tỷ không trăm linh một"),
    (1_015_000_000, "một tỷ không trăm mười lăm triệu"),
    (1_500_000_000, "một tỷ năm trăm triệu"),
    (
        1_234_567_891,
        "một tỷ hai trăm ba mươi bốn triệu năm trăm sáu mươi bảy nghìn tám trăm chín mươi mốt",
    ),
    (5_000_000_005, "năm tỷ không trăm linh năm"),
    (21_000_000_000, "hai mươi mốt tỷ"),
    (100_000_000_000, "một trăm tỷ"),
    # beyond tỷ the cycle repeats with "tỷ" repeated
    (10**12, "một nghìn tỷ"),
    (2 * 10**12, "hai nghìn tỷ"),
    (10**12 + 1, "một nghìn tỷ không trăm linh một"),
    (10**12 + 5_000, "một nghìn tỷ không trăm linh năm nghìn"),
    (10**12 + 10**6, "một nghìn tỷ không trăm linh một triệu"),
    (1_001_000_000_000, "một nghìn không trăm linh một tỷ"),
    (10**15, "một triệu tỷ"),
    (10**15 + 10_000, "một triệu tỷ không trăm mười nghìn"),
    (10**18, "một tỷ tỷ"),
    (2_000_000_005_000_000_000, "hai tỷ không trăm linh năm tỷ"),
    (10**20, "một trăm tỷ tỷ"),
    (
        10**21 - 1,
        "chín trăm chín mươi chín tỷ chín trăm chín mươi chín triệu chín trăm chín mươi chín"
        " nghìn chín trăm chín mươi chín tỷ chín trăm chín mươi chín triệu chín trăm chín"
        " mươi chín nghìn chín trăm chín mươi chín",
    ),
]

VARIANTS = st.sampled_from(["linh", "lẻ"]), st.sampled_from(["nghìn", "ngàn"])


def test_table_is_large_enough() -> None:
    assert len(OFFICIAL_READINGS) >= 80
    amounts = [amount for amount, _ in OFFICIAL_READINGS]
    assert len(set(amounts)) == len(amounts)


@pytest.mark.parametrize(("amount", "reading"), OFFICIAL_READINGS)
def test_official_reading(amount: int, reading: str) -> None:
    assert amount_in_words(amount) == reading


@pytest.mark.parametrize(("amount", "reading"), OFFICIAL_READINGS)
def test_official_reading_reads_back(amount: int, reading: str) -> None:
    assert words_to_amount(reading) == amount


@pytest.mark.parametrize(("amount", "reading"), OFFICIAL_READINGS)
def test_never_chan_nor_tu_nor_le(amount: int, reading: str) -> None:
    words = amount_in_words(amount).split()
    assert "chẵn" not in words
    assert "tư" not in words  # official reading says "bốn"
    assert "lẻ" not in words and "ngàn" not in words  # variants only on request


@pytest.mark.parametrize(
    ("amount", "zero_tens", "thousand", "reading"),
    [
        (105, "lẻ", "nghìn", "một trăm lẻ năm"),
        (1_005, "lẻ", "nghìn", "một nghìn không trăm lẻ năm"),
        (1_005, "lẻ", "ngàn", "một ngàn không trăm lẻ năm"),
        (1_015, "lẻ", "ngàn", "một ngàn không trăm mười lăm"),
        (1_001_000, "lẻ", "ngàn", "một triệu không trăm lẻ một ngàn"),
        (21_060_000, "linh", "ngàn", "hai mươi mốt triệu không trăm sáu mươi ngàn"),
        (1_000_000_001, "lẻ", "nghìn", "một tỷ không trăm lẻ một"),
        (10**12, "linh", "ngàn", "một ngàn tỷ"),
        (0, "lẻ", "ngàn", "không"),
    ],
)
def test_variants(amount: int, zero_tens: str, thousand: str, reading: str) -> None:
    assert amount_in_words(amount, zero_tens=zero_tens, thousand=thousand) == reading
    assert words_to_amount(reading) == amount


@pytest.mark.parametrize("bad", [-1, 10**21, 10**30, True, False, 1.0, "5", None, Decimal(5)])
def test_amount_in_words_rejects(bad: object) -> None:
    with pytest.raises(ValueError):
        amount_in_words(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(("option", "value"), [("zero_tens", "le"), ("thousand", "ngan")])
def test_amount_in_words_rejects_unknown_variant(option: str, value: str) -> None:
    with pytest.raises(ValueError):
        amount_in_words(5, **{option: value})


@pytest.mark.parametrize(
    ("amount", "variants", "expected"),
    [
        (20_000_000, {}, "Hai mươi triệu đồng"),
        (21_060_000, {}, "Hai mươi mốt triệu không trăm sáu mươi nghìn đồng"),
        (4_680_000, {}, "Bốn triệu sáu trăm tám mươi nghìn đồng"),
        (0, {}, "Không đồng"),
        (1_005, {"zero_tens": "lẻ"}, "Một nghìn không trăm lẻ năm đồng"),
        (1_000, {"thousand": "ngàn"}, "Một ngàn đồng"),
    ],
)
def test_money_in_words(amount: int, variants: dict[str, str], expected: str) -> None:
    money = money_in_words(amount, **variants)
    assert money == expected
    assert "chẵn" not in money
    assert words_to_amount(money) == amount


# --------------------------------------------------------------------------- properties


@settings(max_examples=1_000)
@given(st.integers(min_value=0, max_value=10**15))
def test_round_trip_official(n: int) -> None:
    assert words_to_amount(amount_in_words(n)) == n


def test_round_trip_exhaustive_below_twenty_thousand() -> None:
    for n in range(20_000):
        assert words_to_amount(amount_in_words(n)) == n, n


@given(st.integers(min_value=0, max_value=10**15), *VARIANTS)
def test_round_trip_variants(n: int, zero_tens: str, thousand: str) -> None:
    words = amount_in_words(n, zero_tens=zero_tens, thousand=thousand)
    assert words_to_amount(words) == n
    assert words_to_amount(money_in_words(n, zero_tens=zero_tens, thousand=thousand)) == n


@given(st.integers(min_value=0, max_value=10**21 - 1), *VARIANTS)
def test_reading_is_well_spaced(n: int, zero_tens: str, thousand: str) -> None:
    words = amount_in_words(n, zero_tens=zero_tens, thousand=thousand)
    assert "  " not in words
    assert words == words.strip()
    assert words and words == words.lower()
    assert "chẵn" not in words
    assert words_to_amount(words) == n


@given(st.integers(min_value=0, max_value=10**21 - 1))
def test_figures_round_trip(n: int) -> None:
    assert parse_amount(format_amount(n)) == n
    assert parse_amount(format_amount(n).replace(".", ",")) == n
    assert parse_amount(format_amount(n).replace(".", "\u00a0") + " đồng") == n


# --------------------------------------------------------------------------- words_to_amount


@pytest.mark.parametrize(
    ("words", "amount"),
    [
        ("Hai mươi triệu đồng", 20_000_000),
        ("  hai mươi triệu  ", 20_000_000),
        ("HAI MƯƠI TRIỆU ĐỒNG", 20_000_000),
        ("không đồng", 0),
        ("hai mươi tư", 24),
        ("một trăm linh tư", 104),
        ("một trăm lẻ tư", 104),
        ("mười tư", 14),
        ("hai mươi một", 21),
        ("một tỉ", 10**9),
        ("một ngàn tỷ", 10**12),
        ("Một triệu không trăm lẻ một ngàn đồng", 1_001_000),
    ],
)
def test_words_to_amount_tolerates(words: str, amount: int) -> None:
    assert words_to_amount(words) == amount


@pytest.mark.parametrize(
    "words",
    [
        "",
        "   ",
        "đồng",
        "abc",
        "hai mươi triệu đô",
        "nghìn",
        "tỷ",
        "một tỷ tỷ tỷ tỷ",  # 10^36: outside the range of amount_in_words
        "một nghìn tỷ tỷ",  # 10^21
        "không trăm",
        "không tỷ",
        "một nghìn năm",  # ambiguous short form: must be "một nghìn không trăm linh năm"
        "một trăm năm",  # ambiguous: must be "một trăm linh năm"
        "một nghìn nghìn",
        "một triệu nghìn",
        "một nghìn triệu",
        "mười mốt",
        "một mươi",
        "lăm",
        "mốt",
        "một trăm linh",
        "một trăm linh mười",
        "một nghìn lẻ mười lăm",  # what num2words prints for 1015
        "một triệu lẻ một",  # what num2words prints for 1000001
        "mười hai mươi",
        "không trăm linh năm",  # a leading group is read without leading zeros
        "không trăm linh năm nghìn",
        "một tỷ không trăm linh năm tỷ tỷ",  # 10^27 + 5 * 10^18: out of range
    ],
)
def test_words_to_amount_rejects(words: str) -> None:
    with pytest.raises(ValueError):
        words_to_amount(words)


def test_words_to_amount_rejects_non_str() -> None:
    with pytest.raises(ValueError):
        words_to_amount(5)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- figures


@pytest.mark.parametrize(
    ("amount", "figures"),
    [
        (0, "0"),
        (5, "5"),
        (999, "999"),
        (1_000, "1.000"),
        (12_345, "12.345"),
        (4_680_000, "4.680.000"),
        (20_000_000, "20.000.000"),
        (21_060_000, "21.060.000"),
        (10**18, "1.000.000.000.000.000.000"),
    ],
)
def test_format_amount(amount: int, figures: str) -> None:
    assert format_amount(amount) == figures


@pytest.mark.parametrize("bad", [True, 1.5, "5", None])
def test_format_amount_rejects(bad: object) -> None:
    with pytest.raises(ValueError):
        format_amount(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("20000000", 20_000_000),
        ("20.000.000", 20_000_000),
        ("20,000,000", 20_000_000),
        ("20 000 000", 20_000_000),
        ("20\u00a0000\u00a0000", 20_000_000),
        ("20\u202f000\u202f000", 20_000_000),
        ("  4.680.000  ", 4_680_000),
        ("20.000.000đ", 20_000_000),
        ("20.000.000 đ", 20_000_000),
        ("20.000.000 Đ", 20_000_000),
        ("20.000.000 đồng", 20_000_000),
        ("20.000.000 Đồng", 20_000_000),
        ("20.000.000\u00a0đồng", 20_000_000),
        ("20.000.000 VND", 20_000_000),
        ("20.000.000 vnd", 20_000_000),
        ("20000000VND", 20_000_000),
        ("20.000.000 VNĐ", 20_000_000),
        ("1.234", 1_234),
        ("1,234", 1_234),
        ("1 000", 1_000),
        ("0", 0),
        ("999", 999),
        ("999.999.999.999.999.999.999", 10**21 - 1),
    ],
)
def test_parse_amount_accepts(text: str, amount: int) -> None:
    assert parse_amount(text) == amount


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Chưa nhập"),
        ("   ", "Chưa nhập"),
        ("đồng", "Chưa nhập"),
        ("-1", "không được âm"),
        ("-20.000.000", "không được âm"),
        ("\u22125", "không được âm"),
        ("20.5", "thập phân"),
        ("1,5", "thập phân"),
        ("20.00", "thập phân"),
        ("1.000,000", "không hợp lệ"),
        ("1,000.000", "không hợp lệ"),
        ("20 000.000", "không hợp lệ"),
        ("1.00.000", "không hợp lệ"),
        ("10.00.000", "không hợp lệ"),
        ("1.0000", "không hợp lệ"),
        ("1..000", "không hợp lệ"),
        ("1.000.", "không hợp lệ"),
        (".1000", "không hợp lệ"),
        ("01.000", "không hợp lệ"),
        ("007", "không hợp lệ"),
        ("+5", "không hợp lệ"),
        ("abc", "không hợp lệ"),
        ("hai mươi triệu", "không hợp lệ"),
        ("1e6", "không hợp lệ"),
        ("1_000", "không hợp lệ"),
        ("\u0661\u0662\u0663", "không hợp lệ"),  # Arabic-Indic digits, which int() accepts
        ("20.000.000 USD", "không hợp lệ"),
        ("20.000.000 đồng đồng", "không hợp lệ"),
        ("1.000.000.000.000.000.000.000", "vượt quá"),
        ("1000000000000000000000", "vượt quá"),
    ],
)
def test_parse_amount_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_amount(text)


def test_parse_amount_rejects_non_str() -> None:
    with pytest.raises(ValueError):
        parse_amount(20_000_000)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- dates and counts


@pytest.mark.parametrize(
    ("day", "in_text", "short"),
    [
        (datetime.date(2025, 1, 5), "ngày 05 tháng 01 năm 2025", "05/01/2025"),
        (datetime.date(2024, 12, 20), "ngày 20 tháng 12 năm 2024", "20/12/2024"),
        (datetime.date(2025, 2, 10), "ngày 10 tháng 02 năm 2025", "10/02/2025"),
        (datetime.date(2024, 3, 5), "ngày 05 tháng 3 năm 2024", "05/03/2024"),
        (datetime.date(2024, 11, 9), "ngày 09 tháng 11 năm 2024", "09/11/2024"),
        (datetime.date(2024, 10, 31), "ngày 31 tháng 10 năm 2024", "31/10/2024"),
        (datetime.date(2024, 9, 1), "ngày 01 tháng 9 năm 2024", "01/09/2024"),
        (datetime.datetime(2025, 1, 5, 14, 30), "ngày 05 tháng 01 năm 2025", "05/01/2025"),
    ],
)
def test_dates(day: datetime.date, in_text: str, short: str) -> None:
    assert date_in_text(day) == in_text
    assert date_short(day) == short
    assert place_date_line("Cần Thơ", day) == f"Cần Thơ, {in_text}"


def test_place_date_line_examples() -> None:
    assert (
        place_date_line("Cần Thơ", datetime.date(2025, 1, 5))
        == "Cần Thơ, ngày 05 tháng 01 năm 2025"
    )
    assert (
        place_date_line(" Hà Nội ", datetime.date(2024, 12, 20))
        == "Hà Nội, ngày 20 tháng 12 năm 2024"
    )


def test_place_date_line_needs_a_place() -> None:
    with pytest.raises(ValueError):
        place_date_line("  ", datetime.date(2025, 1, 5))


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "00"), (1, "01"), (3, "03"), (9, "09"), (10, "10"), (25, "25"), (100, "100")],
)
def test_two_digit_count(n: int, text: str) -> None:
    assert two_digit_count(n) == text


@pytest.mark.parametrize("bad", [-1, True, 3.0, "3"])
def test_two_digit_count_rejects(bad: object) -> None:
    with pytest.raises(ValueError):
        two_digit_count(bad)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- decimals


@pytest.mark.parametrize(
    ("x", "places", "text"),
    [
        (97.8, 1, "97,8"),
        (1234.5, 1, "1.234,5"),
        (97.85, 1, "97,9"),  # half-up on the number as written, not on 97.8499999...
        (97.84, 1, "97,8"),
        (0.05, 1, "0,1"),
        (0.04, 1, "0,0"),
        (-0.04, 1, "0,0"),  # no "-0,0"
        (97, 1, "97,0"),
        (100, 1, "100,0"),
        (2.5, 0, "3"),  # half-up, not banker's rounding
        (3.5, 0, "4"),
        (1_000_000, 0, "1.000.000"),
        (1234567.891, 2, "1.234.567,89"),
        (2.675, 2, "2,68"),
        (Decimal("2.675"), 2, "2,68"),
        (-1234.56, 1, "-1.234,6"),
    ],
)
def test_format_decimal(x: float | int | Decimal, places: int, text: str) -> None:
    assert format_decimal(x, places) == text


def test_format_decimal_default_places() -> None:
    assert format_decimal(97.8) == "97,8"


@pytest.mark.parametrize(
    ("x", "places", "text"),
    [(97.8, 1, "97,8%"), (100, 1, "100,0%"), (33.333, 2, "33,33%"), (12.25, 1, "12,3%")],
)
def test_format_percent(x: float | int, places: int, text: str) -> None:
    assert format_percent(x, places) == text
    assert format_percent(x) == format_percent(x, 1)


@pytest.mark.parametrize(
    ("x", "places"),
    [(float("nan"), 1), (float("inf"), 1), (True, 1), ("97.8", 1), (None, 1), (97.8, -1)],
)
def test_format_decimal_rejects(x: object, places: int) -> None:
    with pytest.raises(ValueError):
        format_decimal(x, places)  # type: ignore[arg-type]
