"""NĐ 30/2020/NĐ-CP, Phụ lục I as data: the A4 page and its margins, the font, the size and
style of every element (Quốc hiệu, Tiêu ngữ, agency, số, place-date, title, body, Nơi nhận,
signature), the header and signature column widths. Every other module takes them from here."""

from __future__ import annotations

from datetime import datetime

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import RGBColor, Twips

FONT = "Times New Roman"
BLACK = RGBColor(0, 0, 0)

# A4 portrait and the NĐ 30/2020 margins, in twips (1 cm = 567 twips).
PAGE_W, PAGE_H = Twips(11906), Twips(16838)
MARGIN_TOP = MARGIN_BOTTOM = Twips(1134)  # 20 mm
MARGIN_LEFT, MARGIN_RIGHT = Twips(1701), Twips(850)  # 30 mm, 15 mm
TEXT_WIDTH_CM = 16.5

# Header table: agency column on the left, Quốc hiệu column on the right.
HEADER_COLS_CM = (6.3, 10.2)
SIGN_COLS_CM = (7.5, 9.0)

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"

FIXED_TIME = datetime(2025, 1, 1)
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

# --------------------------------------------------------------------------------------------
# Styles
# --------------------------------------------------------------------------------------------

CENTER, LEFT, RIGHT, JUSTIFY = (
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.LEFT,
    WD_ALIGN_PARAGRAPH.RIGHT,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
)

# name: (size pt, bold, italic, alignment, extra paragraph settings)
STYLES: dict[str, tuple[float, bool, bool, WD_ALIGN_PARAGRAPH, dict]] = {
    "ND30 Body": (14, False, False, JUSTIFY, {"first_line": 1.27, "after": 6}),
    "ND30 Heading": (
        14,
        True,
        False,
        JUSTIFY,
        {"first_line": 1.27, "before": 6, "after": 6, "keep": True},
    ),
    "ND30 Centered": (14, False, False, CENTER, {}),
    "ND30 Form Label": (13, True, False, RIGHT, {"after": 6}),
    "ND30 Header Superior": (13, False, False, CENTER, {}),
    "ND30 Header Agency": (13, True, False, CENTER, {}),
    "ND30 Header Number": (13, False, False, CENTER, {"before": 6}),
    "ND30 Quoc Hieu": (13, True, False, CENTER, {}),
    "ND30 Tieu Ngu": (14, True, False, CENTER, {}),
    "ND30 Place Date": (14, False, True, CENTER, {"before": 6}),
    # the short rule sits clear of the descenders above it (NĐ 30 draws a separate line)
    "ND30 Rule": (2, False, False, CENTER, {"before": 6, "exact": 2}),
    "ND30 Doc Title": (14, True, False, CENTER, {"before": 18, "keep": True}),
    "ND30 Doc Summary": (14, True, False, CENTER, {"keep": True}),
    "ND30 Subtitle": (14, False, True, CENTER, {"keep": True}),
    "ND30 Recipients": (14, False, False, CENTER, {"after": 12}),
    "ND30 Recipients Heading": (14, False, False, LEFT, {"left": 3.5}),
    "ND30 Recipients Item": (14, False, False, LEFT, {"left": 5.0, "after": 0}),
    "ND30 List Title": (14, True, False, CENTER, {"before": 12, "keep": True}),
    "ND30 Table Text": (12, False, False, LEFT, {"before": 2, "after": 2}),
    "ND30 Table Center": (12, False, False, CENTER, {"before": 2, "after": 2}),
    "ND30 Table Right": (12, False, False, RIGHT, {"before": 2, "after": 2}),
    "ND30 Table Header": (12, True, False, CENTER, {"before": 2, "after": 2}),
    "ND30 Receivers Heading": (12, True, True, LEFT, {}),
    "ND30 Receivers Item": (11, False, False, LEFT, {}),
    "ND30 Sign Title": (14, True, False, CENTER, {"keep": True}),
    "ND30 Sign Space": (14, False, False, CENTER, {"keep": True}),
    "ND30 Sign Name": (14, True, False, CENTER, {}),
}

BODY = "ND30 Body"
TAG = "Normal"  # paragraphs that only hold a {%p …%} tag; docxtpl removes them
