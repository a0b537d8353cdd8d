"""The copy of a .docx that LibreOffice converts (a merged document, a list's marked copy or
piece): bookmarks that mark places for the PDF's named destinations, and the parts written
with lean styles (`lean_styles`) and fast compression; the .docx the build writes are never
changed."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from dossier.convert.lean_styles import STYLES_PART, lean_styles, referenced_styles

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
BODY_PART = "word/document.xml"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def read_parts(document: Path) -> tuple[list[zipfile.ZipInfo], dict[str, bytes]]:
    """The .docx's members, in order, and every part's bytes by name."""
    with zipfile.ZipFile(document) as archive:
        infos = archive.infolist()
        return infos, {info.filename: archive.read(info.filename) for info in infos}


def section_child_index(section: etree._Element, before: tuple[str, ...]) -> int:
    """Where a child goes in a sectPr: after the last of `before` (and the header and footer
    references, which come first)."""
    names = {_w(n) for n in ("headerReference", "footerReference", *before)}
    index = 0
    for position, child in enumerate(section):
        if child.tag in names:
            index = position + 1
    return index


def page_numbering(section: etree._Element) -> etree._Element:
    """The section's `w:pgNumType`, added in its place in CT_SectPr's sequence if missing."""
    numbering = section.find(_w("pgNumType"))
    if numbering is None:
        numbering = etree.Element(_w("pgNumType"))
        section.insert(section_child_index(section, (
            "footnotePr", "endnotePr", "type", "pgSz", "pgMar", "paperSrc", "pgBorders",
            "lnNumType")), numbering)
    return numbering


def bookmark(paragraph: etree._Element, identifier: int, name: str) -> None:
    """An empty bookmark at the start of the paragraph's content (after its properties)."""
    start = etree.Element(_w("bookmarkStart"))
    start.set(_w("id"), str(identifier))
    start.set(_w("name"), name)
    end = etree.Element(_w("bookmarkEnd"))
    end.set(_w("id"), str(identifier))
    properties = paragraph.find(_w("pPr"))
    at = 0 if properties is None else list(paragraph).index(properties) + 1
    paragraph.insert(at, start)
    paragraph.insert(at + 1, end)


def write(infos: list[zipfile.ZipInfo], parts: dict[str, bytes], root: etree._Element,
          target: Path) -> None:
    """`target`: the parts (in the order of `infos`) with `root` as the body part, its styles
    lean (LibreOffice reads less: see lean_styles)."""
    parts = {**parts, BODY_PART: etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                                standalone=True)}
    used = referenced_styles([data for name, data in parts.items()
                              if name.endswith(".xml") and name != STYLES_PART])
    if STYLES_PART in parts and used is not None:
        parts[STYLES_PART] = lean_styles(parts[STYLES_PART], used)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        for info in infos:
            out.writestr(info, parts[info.filename], compress_type=zipfile.ZIP_DEFLATED,
                         compresslevel=1)
