"""Cells and encodings, one reading at a time (the corpus in tests/bad_inputs/ covers them
through the command line)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dossier.campaign.cells import parse_cell, parse_date
from dossier.charset import _VIETNAMESE_LETTERS, decode, reads_as_vietnamese
from dossier.errors import InputError
from dossier.models import ColumnSpec

from .bad_inputs.breakers import windows_1258


def spec(kind: str, **bounds) -> ColumnSpec:
    return ColumnSpec(name="x", label="x", type=kind, kinds=("tap_the",),
                      minimum=bounds.get("low"), maximum=bounds.get("high"))


@pytest.mark.parametrize("kind, raw, value", [
    ("integer", "68540", 68540), ("integer", "68.540", 68540), ("integer", "68,540", 68540),
    ("integer", "1 234 567", 1234567), ("integer", "-4", -4), ("integer", "\u22124", -4),
    ("percent", "97,8", 97.8), ("percent", "97.8%", 97.8), ("percent", "97,8 %", 97.8),
    ("percent", "1.234", 1.234), ("number", "1.234,5", 1234.5), ("number", "1,234.5", 1234.5),
    ("number", "0.125", 0.125), ("number", "12,5", 12.5), ("number", "1.234.567", 1234567),
])
def test_numbers_in_both_conventions(kind, raw, value):
    assert parse_cell(raw, spec(kind)) == pytest.approx(value)


@pytest.mark.parametrize("raw, low, high, value", [
    ("1.234", None, 10, 1.234),  # 1234 is above the maximum: the decimal reading
    ("1,500", 1000, None, 1500),  # 1,5 is below the minimum: the thousands reading
])
def test_bounds_decide_an_ambiguous_number(raw, low, high, value):
    assert parse_cell(raw, spec("number", low=low, high=high)) == value


@pytest.mark.parametrize("kind, raw, message", [
    ("number", "1.234", "không rõ là 1,234 hay 1234"),
    ("integer", "12.5", "không phải số nguyên"),
    ("integer", "1.23.456", "không phải số nguyên"),
    ("number", "1,2,3", "không phải số"),
    ("number", "1.234,5.6", "không phải số"),
    ("percent", "١٢", "không phải số"),  # digits of another script
])
def test_numbers_refused(kind, raw, message):
    with pytest.raises(ValueError, match=message):
        parse_cell(raw, spec(kind))


@pytest.mark.parametrize("raw, day", [
    ("31/12/2024", dt.date(2024, 12, 31)), ("1/2/2024", dt.date(2024, 2, 1)),
    ("31-12-2024", dt.date(2024, 12, 31)), ("31.12.2024", dt.date(2024, 12, 31)),
    ("2024-12-31", dt.date(2024, 12, 31)),
])
def test_dates(raw, day):
    assert parse_date(raw) == day


@pytest.mark.parametrize("raw", ["12/31/2024", "31/12/24", "30/02/2024", "31/12/2024 08:00",
                                 "45657", "2024/12/31"])
def test_dates_refused(raw):
    with pytest.raises(ValueError):
        parse_date(raw)


VIETNAMESE = st.text(alphabet=st.sampled_from(sorted(_VIETNAMESE_LETTERS) + list(" ,.-0123456789"
                                                                               "abcdghklmnpqrstvx")),
                     min_size=1, max_size=60)


@given(VIETNAMESE)
def test_every_vietnamese_text_survives_windows_1258(text):
    """Excel's Vietnamese code page stores tones as combining marks; read back it is NFC."""
    assert decode(windows_1258(text), Path("x.csv")) == unicodedata.normalize("NFC", text)


@given(VIETNAMESE)
def test_utf16_with_and_without_bom(text):
    for data in (text.encode("utf-16"), ("id," + text).encode("utf-16-le")):
        assert decode(data, Path("x.csv")).removeprefix("id,") == text


def test_text_in_a_legacy_font_encoding_is_refused():
    tcvn3 = bytes.fromhex("53d62054ad207068b870")  # "Sở Tư pháp" typed with a TCVN3 font
    with pytest.raises(InputError, match="TCVN3/VNI"):
        decode(tcvn3, Path("x.csv"))
    assert not reads_as_vietnamese(tcvn3.decode("cp1258"))


def test_a_stray_nul_in_a_utf8_file_is_not_utf16():
    data = "id,kind,name\nTT01,Tập thể,Sở\x00 Tư pháp\n".encode()
    assert decode(data, Path("x.csv")) == data.decode("utf-8")
