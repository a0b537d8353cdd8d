"""Signature title lines derived from a unit and its head's title (NĐ 30/2020, Phụ lục I,
mục I.8): a body that leads collectively signs "TM." for the body, a deputy "KT." for the head.

"Ủy ban nhân dân phường Hưng Lợi" + "Chủ tịch" → "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH";
+ "Phó Chủ tịch" → "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH";
"Sở Tư pháp thành phố Cần Thơ" + "Giám đốc" → "GIÁM ĐỐC";
+ "Phó Giám đốc" → "KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC".
"""

from __future__ import annotations

# Bodies whose documents are signed on behalf of the collective ("TM."), by the start of the
# unit's name (compared without case).
COLLECTIVE_BODIES = ("Ủy ban nhân dân", "Hội đồng nhân dân", "Ban Thường vụ", "Ban Chấp hành")
DEPUTY = "Phó "
ACTING = "Quyền "
# When the ranking gives no head's title.
UNKNOWN_HEAD = "THỦ TRƯỞNG ĐƠN VỊ"


def _collective_body(unit: str) -> str | None:
    return next((b for b in COLLECTIVE_BODIES if unit.casefold().startswith(b.casefold())), None)


def head_lines(unit: str, head_title: str) -> list[str]:
    """The title lines of the block the head of `unit` signs."""
    title = " ".join(head_title.split())
    if not title:
        return [UNKNOWN_HEAD]
    lines = []
    body = _collective_body(unit)
    if body:
        lines.append(f"TM. {body.upper()}")
    if title.startswith(DEPUTY):
        lines.append(f"KT. {title[len(DEPUTY):].upper()}")
    elif title.startswith(ACTING):
        title = f"Q. {title[len(ACTING):]}"
    lines.append(title.upper())
    return lines
