"""One PDF, one signature: a PAdES signature (pyHanko) in a new signature field whose widget
shows what NĐ 30/2020 puts there.

- signer (người có thẩm quyền), main document: the signature image in the signature block;
- agency (cơ quan, tổ chức), main document: the seal at its real size over the left third of the
  signer's image (read from the signer's widget already in the file); the agency's name and the
  signing time are the signature's name and time (and its reason, as text);
- agency, attachment in its own file: no image; number and symbol of the main document, signing
  time and agency in the top right corner of the first page (Times New Roman 10, italic).

The signing time is now in Vietnam (+07:00), to the second, written in ISO 8601. Signatures are
added as incremental updates, so an earlier signature stays valid. A file that already has the
signature of a role is returned unchanged (`None`): signing twice adds no second signature.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import io
import logging
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pyhanko.pdf_utils import layout as hanko_layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.stamp import StaticStampStyle, TextStampStyle
from pypdf import PdfReader

from dossier.errors import InputError, ToolError
from dossier.sign.images import SignImage
from dossier.sign.keys import LoadedKey
from dossier.sign.layout import MM, Box, corner_box, fit_image, seal_box, signature_block
from dossier.sign.rules import rules

# fontTools says it drops a table it cannot subset (FFTM, FontForge's timestamps): not news
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

TEXT_BOX_MARGIN = 10  # pyHanko's text box keeps 10 pt around its text


@dataclass(frozen=True)
class Signed:
    data: bytes
    field: str
    box: Box
    page: int


class _TimedSigner(signers.PdfSigner):
    """pyHanko's signer with the signing time we chose (Vietnam time, whole seconds), so the
    time printed, the signature's /M and its signing-time attribute are one and the same."""

    def __init__(self, *args, system_time: dt.datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self._system_time = system_time

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._system_time
        return session


def iso_time(when: dt.datetime) -> str:
    return when.isoformat(timespec="seconds")


def signed_fields(data: bytes) -> dict[str, tuple[int, Box]]:
    """Signature fields that hold a signature: name → (0-based page, widget box)."""
    reader = PdfReader(io.BytesIO(data), strict=False)
    found: dict[str, tuple[int, Box]] = {}
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            widget = annot.get_object()
            field = widget.get("/Parent", widget).get_object() if "/T" not in widget else widget
            if field.get("/FT") != "/Sig" or field.get("/V") is None:
                continue
            x0, y0, x1, y1 = (float(v) for v in widget.get("/Rect", [0, 0, 0, 0]))
            found[str(field.get("/T"))] = (index, Box(min(x0, x1), min(y0, y1),
                                                      max(x0, x1), max(y0, y1)))
    return found


def sign_signer(path: Path, data: bytes, last_page: int, key: LoadedKey, image: SignImage,
                when: dt.datetime) -> Signed | None:
    """The signer's signature at the signature block on `last_page` (0-based)."""
    field = rules().fields["signer"]
    if field in signed_fields(data):
        return None
    block = signature_block(path, last_page, rules().min_gap_mm * MM)
    if block is None:
        raise InputError.single(path, f"không tìm thấy khối chữ ký ở trang {last_page + 1} "
                                "(chức vụ, khoảng trống, họ tên người ký)")  # no signature block
    centre = (block.title.cx + block.name.cx) / 2
    box = fit_image(block.space, centre, image.aspect, rules().padding_pt)
    style = StaticStampStyle(background=PdfImage(image.image), border_width=0,
                             background_opacity=1.0,
                             background_layout=_fill())
    out = _sign(data, key, when, field, last_page, box, style, {},
                reason="Người có thẩm quyền ký")  # the signer signs
    return Signed(out, field, box, last_page)


def sign_agency_main(path: Path, data: bytes, key: LoadedKey, seal: SignImage,
                     agency: str, when: dt.datetime) -> Signed | None:
    """The agency's signature with its seal over the left third of the signer's image."""
    present = signed_fields(data)
    field = rules().fields["agency"]
    if field in present:
        return None
    signer_field = rules().fields["signer"]
    if signer_field not in present:
        # the agency signs after the signer (the seal goes over the signer's signature)
        raise InputError.single(path, "chưa có chữ ký số của người có thẩm quyền: ký "
                                "`--role signer` trước, rồi mới ký số của cơ quan")
    if seal.width_pt is None or seal.height_pt is None:
        raise InputError.single(seal.path, "không biết kích thước thật của con dấu: ảnh PNG "
                                "không ghi độ phân giải (DPI); cho biết bằng --image-width-mm")
    page, signer_box = present[signer_field]
    box = seal_box(signer_box, seal.width_pt, seal.height_pt, rules().covers_fraction)
    style = StaticStampStyle(background=PdfImage(seal.image), border_width=0,
                             background_opacity=1.0, background_layout=_fill())
    out = _sign(data, key, when, field, page, box, style, {}, name=agency,
                reason=f"{agency}, {iso_time(when)}")
    return Signed(out, field, box, page)


def sign_agency_attachment(path: Path, data: bytes, key: LoadedKey, number: str, agency: str,
                           when: dt.datetime) -> Signed | None:
    """The agency's signature on an attachment in its own file: no image, the information in
    the top right corner of the first page."""
    field = rules().fields["agency"]
    if field in signed_fields(data):
        return None
    size = int(rules().attachment_font_size)  # pyHanko's text layout wants whole points
    values = {"number": number, "time": iso_time(when), "agency": agency}
    lines = [line.format(**values) for line in rules().attachment_lines]
    font = GlyphAccumulatorFactory(_font_1000(font_file(rules().attachment_font)), font_size=size)
    text_style = TextBoxStyle(font=font, font_size=size, leading=round(size * 1.2))
    width = _text_width(lines, font, size) + 4
    height = len(lines) * round(size * 1.2) + 4
    box = corner_box(path, width, height, margin=TEXT_BOX_MARGIN)
    style = TextStampStyle(stamp_text="\n".join(lines).replace("%", "%%"),
                           text_box_style=text_style, border_width=0, background=None,
                           inner_content_layout=hanko_layout.SimpleBoxLayoutRule(
                               x_align=hanko_layout.AxisAlignment.ALIGN_MAX,
                               y_align=hanko_layout.AxisAlignment.ALIGN_MAX,
                               inner_content_scaling=hanko_layout.InnerScaling.NO_SCALING))
    out = _sign(data, key, when, field, 0, box, style, {}, name=agency,
                reason=f"{agency}, {iso_time(when)}")
    return Signed(out, field, box, 0)


def _fill() -> hanko_layout.SimpleBoxLayoutRule:
    return hanko_layout.SimpleBoxLayoutRule(
        x_align=hanko_layout.AxisAlignment.ALIGN_MID,
        y_align=hanko_layout.AxisAlignment.ALIGN_MID,
        margins=hanko_layout.Margins.uniform(0),
        inner_content_scaling=hanko_layout.InnerScaling.STRETCH_FILL)


def _sign(data: bytes, key: LoadedKey, when: dt.datetime, field: str, page: int, box: Box,
          style, text_params: dict, reason: str, name: str | None = None) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    meta = signers.PdfSignatureMetadata(field_name=field, reason=reason, name=name,
                                        subfilter=fields.SigSeedSubFilter.PADES,
                                        md_algorithm="sha256")
    spec = fields.SigFieldSpec(sig_field_name=field, on_page=page, box=box.as_tuple())
    pdf_signer = _TimedSigner(meta, key.signer, stamp_style=style, new_field_spec=spec,
                              system_time=when)
    output = io.BytesIO()
    pdf_signer.sign_pdf(writer, output=output, appearance_text_params=text_params)
    return output.getvalue()


def font_file(pattern: str) -> str:
    """The font file fontconfig gives for `pattern` (Times New Roman, or its metric twin
    Liberation Serif)."""
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True,
                               text=True, check=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        raise ToolError(f"không tìm được phông chữ '{pattern}' (fc-match)") from exc
    if not found.lower().endswith((".ttf", ".otf")):
        raise ToolError(f"không tìm được phông chữ TrueType cho '{pattern}' (cài "
                        "fonts-liberation2)")  # no TrueType font for the pattern
    return found


@functools.cache
def _font_1000(path: str) -> str:
    """The font rescaled to 1000 units per em (pyHanko 0.38 writes glyph widths in the font's
    own units, which PDF reads as thousandths: a 2048-unit TrueType font would print spaced
    out). Written once per process to a temporary file."""
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    with TTFont(path) as font:
        if font["head"].unitsPerEm == 1000:
            return path
        scale_upem(font, 1000)
        handle, target = tempfile.mkstemp(prefix="dossier-font-", suffix=".ttf")
        os.close(handle)
        font.save(target)
    atexit.register(lambda: Path(target).unlink(missing_ok=True))
    return target


def _text_width(lines: list[str], font: GlyphAccumulatorFactory, size: float) -> float:
    from fontTools.ttLib import TTFont

    with TTFont(font.font_file) as tt:
        cmap, hmtx = tt.getBestCmap(), tt["hmtx"]
        units = tt["head"].unitsPerEm
        widths = []
        for line in lines:
            total = 0
            for char in line:
                glyph = cmap.get(ord(char))
                total += hmtx[glyph][0] if glyph else units // 2
            widths.append(total * size / units)
    return max(widths)
