"""Narrative text a unit writes about its achievements: achievements/<nominee id>.md.

Plain text in UTF-8, UTF-16 or Windows-1258 (see `charset`); paragraphs are separated by blank
lines, lines inside a paragraph are joined. The text is data: it is inserted as-is (escaped),
never interpreted as markup, and control characters (tabs, page breaks) become spaces.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from dossier.campaign.rankings import clean_text
from dossier.campaign.safety import inside, regular_file
from dossier.charset import read_text

MAX_NARRATIVE_BYTES = 2 * 1024 * 1024  # a Báo cáo thành tích runs to a few pages
_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")


def narrative_file(root: Path, nominee_id: str) -> Path:
    return root / "achievements" / f"{nominee_id}.md"


def load_narrative(root: Path, nominee_id: str) -> list[str]:
    path = narrative_file(root, nominee_id)
    if not path.is_file():
        return []
    inside(root, path, "nội dung thành tích")  # "the narrative" leads outside: refused
    regular_file(path, MAX_NARRATIVE_BYTES)
    text = read_text(path)
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [" ".join(line.strip() for line in block.splitlines() if line.strip())
                  for block in _BLANK_LINE.split(text)]
    return [p for p in (clean_text(p) for p in paragraphs) if p]
