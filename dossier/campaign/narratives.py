"""Narrative text a unit writes about its achievements: achievements/<nominee id>.md.

Plain text in UTF-8, UTF-16 or Windows-1258 (see `charset`); paragraphs are separated by blank
lines, lines inside a paragraph are joined. The text is data: it is inserted as-is (escaped),
never interpreted as markup, and control characters (tabs, page breaks) become spaces.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from dossier.campaign.rankings import bidi_problem, clean_text
from dossier.campaign.safety import inside
from dossier.charset import read_text
from dossier.errors import InputError

NEAR_SUFFIXES = ("md", "txt", "text", "markdown")
MAX_NARRATIVE_BYTES = 2 * 1024 * 1024  # a Báo cáo thành tích runs to a few pages
_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")


def narrative_file(root: Path, nominee_id: str) -> Path:
    return root / "achievements" / f"{nominee_id}.md"


def load_narrative(root: Path, nominee_id: str) -> list[str]:
    path = narrative_file(root, nominee_id)
    if not path.exists() and not path.is_symlink():
        return []
    inside(root, path, "nội dung thành tích")  # "the narrative" leads outside: refused
    # then read_text refuses what is not a regular file (a folder, a FIFO, a device)
    text = read_text(path, MAX_NARRATIVE_BYTES)
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    for number, line in enumerate(text.split("\n"), start=1):
        message = bidi_problem(line)
        if message:
            raise InputError.single(path, message, row=number)
    paragraphs = [" ".join(line.strip() for line in block.splitlines() if line.strip())
                  for block in _BLANK_LINE.split(text)]
    return [p for p in (clean_text(p) for p in paragraphs) if p]


def near_misses(root: Path) -> dict[str, str]:
    """Files in achievements/ probably meant as a narrative but not named exactly <id>.md
    (`cn05.md`, `CN05.MD`, `CN05.txt`, `CN05.md.txt`), by the id they would name, casefolded."""
    try:
        names = sorted(entry.name for entry in (root / "achievements").iterdir())
    except OSError:
        return {}
    found: dict[str, str] = {}
    for name in names:
        stem, dot, suffix = name.rpartition(".")
        if dot and stem and suffix.casefold() in NEAR_SUFFIXES:
            stem = stem.removesuffix(".md").removesuffix(".MD")  # Windows hid ".txt"
            found.setdefault(unicodedata.normalize("NFC", stem).casefold(), name)
    return found
