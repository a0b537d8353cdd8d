"""Narrative text a unit writes about its achievements: achievements/<nominee id>.md.

Plain text; paragraphs are separated by blank lines, lines inside a paragraph are joined.
The text is data: it is inserted as-is (escaped), never interpreted as markup.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from .errors import InputError
from .rankings import clean_text


def narrative_file(root: Path, nominee_id: str) -> Path:
    return root / "achievements" / f"{nominee_id}.md"


def load_narrative(root: Path, nominee_id: str) -> list[str]:
    path = narrative_file(root, nominee_id)
    if not path.is_file():
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.single(path, f"tệp không phải UTF-8 (byte {exc.start})") from None
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n")
    paragraphs = [" ".join(line.strip() for line in block.splitlines() if line.strip())
                  for block in text.split("\n\n")]
    return [clean_text(p) for p in paragraphs if p.strip()]
