"""Working days in Viet Nam: Monday to Friday, less public holidays (Tết included), from the
`holidays` package so that next year's lunar dates need no code change here."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=16)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year, language="vi")


def holiday_name(day: dt.date) -> str | None:
    return _holidays(day.year).get(day)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and holiday_name(day) is None


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: how many working days remain after `start` up to `end`."""
    count = 0
    day = start + dt.timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += dt.timedelta(days=1)
    return count


def why_not_working(day: dt.date) -> str:
    if holiday_name(day):
        return f"ngày nghỉ lễ ({holiday_name(day)})"  # public holiday
    return "thứ Bảy" if day.weekday() == 5 else "Chủ nhật"
