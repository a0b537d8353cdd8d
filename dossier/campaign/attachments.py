"""PDFs a unit supplies (signed scans, a tax authority's confirmation): validated before they
are bundled, so a broken attachment is reported by name instead of breaking the submission.

`validate_pdf` reads the file the way the bundler will (pypdf), so what passes here also
bundles: it opens, is not encrypted, has pages, and every page can be copied into a new PDF.
Files that are something else under a .pdf name (a Word file, an image, a zip) are named as
what they are, so the unit knows what to re-export.
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from pathlib import Path

from pypdf import PdfReader, PdfWriter

# Signatures of files that are often sent under a .pdf name by mistake.
SIGNATURES = (
    (b"PK\x03\x04", "tệp nén/Office (.docx, .xlsx, .zip)"),  # zip-based: Word, Excel, zip
    (b"\xd0\xcf\x11\xe0", "tệp Office cũ (.doc, .xls)"),  # old Office
    (b"\xff\xd8\xff", "ảnh JPEG"),  # JPEG image
    (b"\x89PNG", "ảnh PNG"),  # PNG image
    (b"{\\rtf", "tệp RTF"),
)
HEAD_BYTES = 1024


def validate_pdf(path: Path) -> str | None:
    """None when `path` is a readable, unencrypted PDF with at least one page; otherwise the
    problem in Vietnamese, starting with the file's name."""
    try:
        head = _head(path)
    except OSError as exc:
        return f"{path.name}: không đọc được tệp ({exc.strerror})"  # cannot read the file
    problem = _not_a_pdf(path, head)
    if problem:
        return f"{path.name}: {problem}"
    with _quiet_pypdf():
        problem = _pdf_problem(path)
    return f"{path.name}: {problem}" if problem else None


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES)


def _not_a_pdf(path: Path, head: bytes) -> str | None:
    if not head:
        return "tệp rỗng (0 byte)"  # empty file
    if b"%PDF-" in head:
        return None
    for signature, what in SIGNATURES:
        if head.startswith(signature):
            if signature == b"PK\x03\x04" and _is_docx(path):
                what = "tệp Word (.docx)"
            # "is a <what> renamed to .pdf: export it as PDF again"
            return f"là {what} đổi tên thành .pdf, không phải PDF: xuất lại sang PDF"
    return "không phải tệp PDF"  # not a PDF


def _is_docx(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as package:
            return any(name.startswith("word/") for name in package.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def _pdf_problem(path: Path) -> str | None:
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            return _encryption_problem(reader)
        if len(reader.pages) == 0:
            return "PDF không có trang nào"  # no pages
        writer = PdfWriter()
        writer.append(reader)  # what the bundler does
        writer.write(io.BytesIO())
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on a broken file
        return f"PDF hỏng, không đọc được ({type(exc).__name__}: {exc})"[:300]  # corrupt
    return None


def _encryption_problem(reader: PdfReader) -> str:
    try:
        opens_without_password = bool(reader.decrypt(""))
    except Exception:  # noqa: BLE001 - unsupported encryption: same answer
        opens_without_password = False
    if opens_without_password:
        # "encrypted (opens without a password but restricts printing/copying): save an
        # unprotected copy"
        return ("PDF được mã hóa (mở được nhưng bị hạn chế in/sao chép): lưu một bản không "
                "bảo vệ")
    return "PDF có mật khẩu: gửi bản không đặt mật khẩu"  # password-protected


@contextlib.contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs every repair it makes; the verdict is ours to report."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)
