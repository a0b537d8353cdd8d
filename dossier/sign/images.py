"""Signature and seal images: PNG with a transparent background, and their real size."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from dossier.errors import InputError

MM = 72 / 25.4


@dataclass(frozen=True)
class SignImage:
    path: Path
    image: Image.Image
    width_pt: float | None   # real size, when the PNG records its resolution or it is given
    height_pt: float | None

    @property
    def aspect(self) -> float:
        return self.image.width / self.image.height


def load_png(path: Path, width_mm: float | None = None) -> SignImage:
    """The image at `path`, checked: a PNG whose background is transparent. Its real size is
    `width_mm` wide if given, else what the PNG's resolution (pHYs) says, else unknown."""
    try:
        with Image.open(path) as opened:
            kind = opened.format
            image = opened.copy()
            dpi = opened.info.get("dpi")
    except FileNotFoundError:
        raise InputError.single(path, "không tìm thấy tệp ảnh") from None  # image not found
    except (UnidentifiedImageError, OSError):
        raise InputError.single(path, "không phải tệp ảnh PNG") from None  # not a PNG
    if kind != "PNG":
        raise InputError.single(path, f"ảnh phải là PNG (tệp này là {kind})")  # must be PNG
    if not _transparent(image):
        raise InputError.single(path, "ảnh PNG phải có nền trong suốt (không có kênh alpha "
                                "hoặc không có điểm ảnh trong suốt)")  # background not transparent
    image = image.convert("RGBA")
    if width_mm is not None:
        width = width_mm * MM
        return SignImage(path, image, width, width * image.height / image.width)
    if dpi and dpi[0] and dpi[1] and dpi[0] > 1:
        return SignImage(path, image, image.width / dpi[0] * 72, image.height / dpi[1] * 72)
    return SignImage(path, image, None, None)


def _transparent(image: Image.Image) -> bool:
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode not in ("RGBA", "LA", "PA"):
        return False
    low, _ = image.getchannel("A").getextrema()
    return low < 255
