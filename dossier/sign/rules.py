"""NĐ 30/2020's signature rules (`nd30.yaml`), loaded once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

RULES_FILE = Path(__file__).with_name("nd30.yaml")


@dataclass(frozen=True)
class SigningRules:
    source: str
    main_kinds: frozenset[str]
    fields: dict[str, str]          # role → signature field name
    min_gap_mm: float
    padding_pt: float
    covers_fraction: float
    timezone: str
    attachment_font: str
    attachment_font_size: float
    attachment_lines: list[str]
    number_pattern: str
    margin_top_mm: float
    margin_right_mm: float

    def role_of_field(self, field: str) -> str | None:
        return next((role for role, name in self.fields.items() if name == field), None)


@cache
def rules() -> SigningRules:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return SigningRules(
        source=data["source"],
        main_kinds=frozenset(data["main_document_kinds"]),
        fields=dict(data["fields"]),
        min_gap_mm=float(data["signer"]["min_gap_mm"]),
        padding_pt=float(data["signer"]["padding_pt"]),
        covers_fraction=float(data["agency"]["covers_fraction"]),
        timezone=data["agency"]["timezone"],
        attachment_font=data["attachment"]["font"],
        attachment_font_size=float(data["attachment"]["font_size"]),
        attachment_lines=list(data["attachment"]["lines"]),
        number_pattern=data["attachment"]["number_pattern"],
        margin_top_mm=float(data["attachment"]["page_margins_mm"]["top"]),
        margin_right_mm=float(data["attachment"]["page_margins_mm"]["right"]),
    )
