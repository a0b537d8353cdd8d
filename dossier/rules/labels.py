"""Columns and values in the office's words, for messages and selection.md: a column by the
`label` campaign.yaml gives it (standard columns by a fixed Vietnamese name), a unit id by the
unit's name, numbers and dates written the Vietnamese way."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dossier.models import Campaign, Nominee
from dossier.vietnamese import date_short, format_decimal

# The ranking's standard columns (rankings.schema.json), as a reader calls them.
STANDARD_LABELS: dict[str, str] = {
    "id": "mã", "kind": "loại", "name": "tên", "gender": "giới tính", "position": "chức vụ",
    "unit": "đơn vị công tác", "parent_id": "đơn vị (tập thể)", "address": "địa chỉ",
    "head_name": "thủ trưởng", "head_title": "chức vụ thủ trưởng",
}


def column_label(campaign: Campaign, column: str) -> str:
    spec = campaign.column(column)
    if spec is not None:
        return spec.label
    return STANDARD_LABELS.get(column, column)


def unit_name(unit_id: str, nominees: dict[str, Nominee]) -> str:
    """'Sở Tư pháp (TT23)' for a unit's id; the id alone when the ranking lacks it."""
    unit = nominees.get(unit_id)
    return f"{unit.name} ({unit_id})" if unit else unit_id


def shown_value(campaign: Campaign, column: str, value: Any,
                nominees: dict[str, Nominee] | None = None) -> str:
    """A cell's value as a message shows it: a unit by its name, 97.8 as 97,8 (%), a date as
    dd/mm/yyyy, true/false as Có/Không."""
    if value is None:
        return "(trống)"  # empty
    if column == "parent_id" and nominees is not None:
        return unit_name(str(value), nominees)
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, dt.date):
        return date_short(value)
    if isinstance(value, int | float):
        text = format_decimal(value, 2).rstrip("0").rstrip(",")
        spec = campaign.column(column)
        return text + ("%" if spec is not None and spec.type == "percent" else "")
    return str(value)
