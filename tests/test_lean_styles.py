"""The merged copy LibreOffice reads keeps only the styles its parts use (convert/lean_styles):
every style named, the styles those are based on, link to or are followed by, and the defaults;
not the latent-style table. Whether the PDFs stay the same is the fidelity test's
(tests/test_merged.py: merged documents against each converted alone)."""

from __future__ import annotations

import zipfile

from lxml import etree

from dossier.convert.lean_styles import STYLES_PART, lean_styles, referenced_styles
from dossier.convert.merged import BODY_PART, merge

from .test_merged import _rendered

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W}">
  <w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val="28"/></w:rPr></w:rPrDefault></w:docDefaults>
  <w:latentStyles w:count="1"><w:lsdException w:name="Title"/></w:latentStyles>
  <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
  <w:style w:type="paragraph" w:styleId="Base"><w:name w:val="Base"/></w:style>
  <w:style w:type="paragraph" w:styleId="Used"><w:name w:val="Used"/>
    <w:basedOn w:val="Base"/><w:next w:val="After"/><w:link w:val="UsedChar"/></w:style>
  <w:style w:type="paragraph" w:styleId="After"><w:name w:val="After"/></w:style>
  <w:style w:type="character" w:styleId="UsedChar"><w:name w:val="Used Char"/></w:style>
  <w:style w:type="table" w:styleId="Grid"><w:name w:val="Grid"/></w:style>
  <w:style w:type="paragraph" w:styleId="Unused"><w:name w:val="Unused"/>
    <w:basedOn w:val="Base"/></w:style>
</w:styles>""".encode()
BODY = f"""<w:document xmlns:w="{W}"><w:body>
  <w:p><w:pPr><w:pStyle w:val="Used"/></w:pPr></w:p>
  <w:tbl><w:tblPr><w:tblStyle w:val="Grid"/></w:tblPr></w:tbl>
</w:body></w:document>""".encode()


def _style_ids(styles_xml: bytes) -> set[str]:
    root = etree.fromstring(styles_xml)
    return {s.get(f"{{{W}}}styleId") for s in root.iter(f"{{{W}}}style")}


def test_only_the_styles_named_and_their_chains_are_kept():
    used = referenced_styles([BODY])
    assert used == {"Used", "Grid"}
    lean = lean_styles(STYLES, used)
    assert _style_ids(lean) == {"Normal", "Base", "Used", "After", "UsedChar", "Grid"}
    root = etree.fromstring(lean)
    assert root.find(f"{{{W}}}latentStyles") is None
    assert root.find(f"{{{W}}}docDefaults") is not None


def test_references_are_read_as_xml_says_them():
    """Attributes before w:val, a line break inside the tag, an entity in the id: found; a
    part that writes WordprocessingML under another prefix: every style kept (None)."""
    body = (f'<w:document xmlns:w="{W}"><w:body><w:p><w:pPr><w:pStyle\n  xmlns:x="urn:x" '
            'w:val="A&amp;B"/></w:pPr></w:p></w:body></w:document>').encode()
    assert referenced_styles([body]) == {"A&B"}
    settings = (f'<w:settings xmlns:w="{W}"><w:defaultTableStyle w:val="Grid"/>'
                '</w:settings>').encode()
    assert referenced_styles([settings]) == {"Grid"}
    other = f'<d:document xmlns:d="{W}"><d:body/></d:document>'.encode()
    default = f'<document xmlns="{W}"><body/></document>'.encode()
    assert referenced_styles([BODY, other]) is None
    assert referenced_styles([default]) is None


def test_styles_that_cannot_be_read_are_left_as_they_are():
    assert lean_styles(b"<w:styles", frozenset({"Used"})) == b"<w:styles"


def test_a_merged_document_defines_every_style_it_names(tmp_path):
    documents = _rendered(tmp_path, "cantho-2024-so-hoa")[:4]
    target = tmp_path / "merged.docx"
    merge(documents, target)
    with zipfile.ZipFile(documents[0]) as archive:
        original = archive.read(STYLES_PART)
    with zipfile.ZipFile(target) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    defined = _style_ids(parts[STYLES_PART])
    named = referenced_styles([data for name, data in parts.items()
                               if name.endswith(".xml") and name != STYLES_PART])
    assert named and named <= defined
    assert len(parts[STYLES_PART]) < len(original) / 5  # python-docx's 191 styles are gone
    assert b"latentStyles" not in parts[STYLES_PART]
    # the body is what the documents hold, the .docx the build wrote untouched
    assert parts[BODY_PART].count(b"<w:sectPr") == 4
    with zipfile.ZipFile(documents[0]) as archive:
        assert archive.read(STYLES_PART) == original
