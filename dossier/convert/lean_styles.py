"""The styles a merged document needs: its styles.xml without the styles nothing uses.

The templates carry python-docx's default styles: 191 of them and Word's latent-style table,
350 kB of XML that LibreOffice reads for every document it opens, for the 30-odd styles a
document uses. Read for every merged document, that was about a quarter of LibreOffice's time
on them (20 merged documents of 8 reports: 3.0 s → 2.2 s of conversion, the same PDFs,
bench/README.md). Only the copy LibreOffice converts is made lean: the .docx the build writes
keep their styles as the templates have them.

Kept: every style a part other than styles.xml names (`w:pStyle`, `w:rStyle`, `w:tblStyle`,
`w:numStyleLink`, `w:styleLink`, `w:defaultTableStyle`, `w:clickAndTypeStyle`), the styles
they are based on, link to or are followed by, the default styles, and the document defaults.
Dropped: the other styles and the latent-style table, which only tells Word how to show its
built-in styles in its menus.
"""

from __future__ import annotations

import functools
import html
import re

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
STYLES_PART = "word/styles.xml"
# a style named from another part (w:styleLink, w:numStyleLink: numbering.xml;
# w:defaultTableStyle, w:clickAndTypeStyle: settings.xml)
STYLE_REFERENCE = re.compile(
    rb'<w:(?:pStyle|rStyle|tblStyle|numStyleLink|styleLink|defaultTableStyle|clickAndTypeStyle)'
    rb'\s(?:[^>]*\s)?w:val="([^"]*)"')
# the prefixes a part binds to WordprocessingML's namespace (b"" for a default namespace)
W_PREFIX = re.compile(
    rb'xmlns(?::([A-Za-z_][\w.-]*))?="http://schemas\.openxmlformats\.org/'
    rb'wordprocessingml/2006/main"')
STYLE_CHAINS = ("basedOn", "link", "next")


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def referenced_styles(parts: list[bytes]) -> frozenset[str] | None:
    """The style ids the parts (every XML part but styles.xml) name; None when a part writes
    WordprocessingML with another prefix than `w:` (a template saved by another program):
    its references could be missed, so every style is kept."""
    if any(prefix != b"w" for part in parts for prefix in W_PREFIX.findall(part)):
        return None
    return frozenset(html.unescape(match.decode("utf-8")) for part in parts
                     for match in STYLE_REFERENCE.findall(part))


@functools.lru_cache(maxsize=16)
def lean_styles(styles_xml: bytes, used: frozenset[str]) -> bytes:
    """`styles_xml` with only the styles `used` needs (see the module); as it is when it
    cannot be read. The merged documents of one template share the same answer, kept."""
    try:
        root = etree.fromstring(styles_xml)
    except etree.XMLSyntaxError:
        return styles_xml
    styles = {style.get(_w("styleId")): style for style in root.iterfind(_w("style"))}
    kept = set(used) | {name for name, style in styles.items()
                        if style.get(_w("default")) in ("1", "true", "on")}
    pending = list(kept)
    while pending:
        style = styles.get(pending.pop())
        if style is None:
            continue
        for tag in STYLE_CHAINS:
            link = style.find(_w(tag))
            name = None if link is None else link.get(_w("val"))
            if name is not None and name not in kept:
                kept.add(name)
                pending.append(name)
    for name, style in styles.items():
        if name not in kept:
            root.remove(style)
    latent = root.find(_w("latentStyles"))
    if latent is not None:
        root.remove(latent)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
