"""Print-ready text for values from the ranking, and the small phrases documents repeat."""

from __future__ import annotations

from typing import Any

from dossier.campaign.load import PLACEHOLDER
from dossier.models import Campaign, ColumnSpec, Nominee
from dossier.vietnamese import date_short, format_amount, format_decimal, format_percent


def format_value(spec: ColumnSpec | None, value: Any) -> str:
    if value is None:
        return ""
    if spec is None or spec.type == "text":
        return str(value)
    if spec.type == "boolean":
        return (spec.true_values or ("Có",))[0] if value else (spec.false_values or ("Không",))[0]
    if spec.type == "date":
        return date_short(value)
    if spec.type == "integer":
        return format_amount(int(value))
    places = _places(value)  # "100%", "97,8%", "57,48"
    if spec.type == "percent":
        return format_percent(value, places)
    return format_decimal(value, places)


def _places(value: float) -> int:
    """As many decimals as the value has, at most two: no trailing zeros, and two different
    scores never print alike (57,48 and 57,5)."""
    for places in (0, 1):
        if round(float(value), places) == round(float(value), 2):
            return places
    return 2


def fill_placeholders(text: str, campaign: Campaign, nominee: Nominee) -> str:
    """Replace `{column}` with the nominee's formatted value. The text is the campaign's own;
    the values are data and are never parsed again."""
    return PLACEHOLDER.sub(
        lambda m: format_value(campaign.column(m.group(1)), nominee.get(m.group(1))), text
    )


def doc_number(number: int | None, symbol: str) -> str:
    """"Số: 05/TTr-VP": numbers below 10 take a leading zero; unassigned stays blank."""
    if number is None:
        return f"Số:        /{symbol}"
    return f"Số: {number:02d}/{symbol}"


def clock(hhmm: str) -> str:
    hours, minutes = hhmm.split(":")
    return f"{hours} giờ {minutes} phút"


def person_title(nominee: Nominee) -> str:
    """"Ông Nguyễn Văn A" / "Bà Nguyễn Thị B" for individuals whose gender is known."""
    prefix = {"Nam": "Ông", "Nữ": "Bà"}.get(nominee.get("gender") or "")
    return f"{prefix} {nominee.name}" if prefix else nominee.name

