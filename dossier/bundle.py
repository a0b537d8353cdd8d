"""Bundle the submission: one PDF with a bookmark per document, in the plan's order."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader, PdfWriter


@dataclass(frozen=True)
class BundlePart:
    title: str
    pdf: Path


def page_count(pdf: Path) -> int:
    return len(PdfReader(pdf).pages)


def bundle(parts: list[BundlePart], target: Path, title: str) -> int:
    """Write `target`; return its page count."""
    writer = PdfWriter()
    for part in parts:
        writer.append(str(part.pdf), outline_item=part.title)
    writer.add_metadata({"/Title": title, "/Producer": "dossier"})
    with target.open("wb") as handle:
        writer.write(handle)
    return len(writer.pages)
