"""Decode the text files units send (rankings.csv, achievements/*.md) whatever Excel or Notepad
saved them as, or refuse clearly.

Accepted, in this order:

1. UTF-8 with a byte-order mark (Excel's "CSV UTF-8"), UTF-16 with a byte-order mark (Excel's
   "Unicode Text"), UTF-16 without one (recognised by its zero bytes, when it then reads as
   Vietnamese);
2. UTF-8;
3. Windows-1258, the Vietnamese "ANSI" code page: what Excel writes for plain "CSV" on a
   Windows set to Vietnamese. It stores tone marks as separate combining characters, so the text
   is normalised to NFC afterwards. A byte string that is not UTF-8 decodes as *something* in any
   8-bit code page, so the result is accepted only when it reads as Vietnamese: every letter is
   ASCII or a letter of the Vietnamese alphabet and no tone mark is left dangling. Text in the
   legacy font encodings (TCVN3/ABC, VNI) or in another code page fails that test and is
   refused with a message telling how to re-save the file, rather than read as garbage.
"""

from __future__ import annotations

import codecs
import os
import stat
import unicodedata
from pathlib import Path

from dossier.errors import InputError

_VIETNAMESE_BASES = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
_VIETNAMESE_LETTERS = frozenset(
    unicodedata.normalize("NFC", base + tone)
    for vowel in _VIETNAMESE_BASES for base in (vowel, vowel.upper()) for tone in _TONES
) | frozenset("đĐ")
# Punctuation and signs Windows-1258 can hold that Vietnamese text really uses.
MAX_TEXT_BYTES = 200 * 1024 * 1024  # a ranking of tens of thousands of rows is a few MB
_PUNCTUATION = frozenset("“”‘’–—…•°«»§©®±×÷·€¢£¥¤¦¨¬¯´¸¹²³¼½¾¿¡ª º\u00a0")


def decode(data: bytes, path: Path) -> str:
    """The text of `data` (the bytes of `path`), or InputError naming the file."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return _strict(data, codec, path)
    utf16 = _utf16_without_bom(data)
    if utf16:
        return utf16
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    text = _windows_1258(data)
    if text is not None:
        return text
    line = data[: utf8_error.start].count(b"\n") + 1
    raise InputError.single(
        path,
        # "not UTF-8 (byte N, line L) nor Vietnamese Windows-1258 (perhaps TCVN3/VNI): open it
        # in Excel and save it as 'CSV UTF-8'"
        f"tệp không phải UTF-8 (byte {utf8_error.start}, dòng {line}) cũng không phải "
        "Windows-1258 tiếng Việt (có thể là TCVN3/VNI): mở bằng Excel và lưu lại dạng "
        "'CSV UTF-8 (Comma delimited)'",
    ) from None


def _strict(data: bytes, codec: str, path: Path) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        name = "UTF-8" if codec.startswith("utf-8") else "UTF-16"
        # "the file says it is <codec> but byte N is not"
        raise InputError.single(path, f"tệp {name} bị hỏng (byte {exc.start})") from None


def _utf16_without_bom(data: bytes) -> str | None:
    """A text file has no zero byte unless it is UTF-16, where every ASCII character (digits,
    commas, the header) brings one: on its odd bytes in little-endian, even ones in big. A
    UTF-8 file with a stray NUL in a cell is not mistaken for it: the UTF-16 reading must read
    as Vietnamese."""
    sample = data[:4000]
    if b"\x00" not in sample:
        return None
    codec = "utf-16-le" if sample[1::2].count(0) >= sample[0::2].count(0) else "utf-16-be"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    return text if reads_as_vietnamese(unicodedata.normalize("NFC", text)) else None


def _windows_1258(data: bytes) -> str | None:
    try:
        text = unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError:  # a byte Windows-1258 leaves undefined
        return None
    return text if reads_as_vietnamese(text) else None


def reads_as_vietnamese(text: str) -> bool:
    """Every character is ASCII, a Vietnamese letter or common punctuation; no loose mark."""
    return all(
        (ch.isascii() and (ch.isprintable() or ch in "\t\r\n"))
        or ch in _VIETNAMESE_LETTERS or ch in _PUNCTUATION for ch in text
    ) and not any(unicodedata.combining(ch) for ch in text)


def read_text(path: Path, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """Read and decode `path`, a regular file of at most `max_bytes`; InputError when it
    cannot be read."""
    regular_file(path, max_bytes)
    try:
        data = path.read_bytes()
    except OSError as exc:
        # "cannot read the file"
        raise InputError.single(path, f"không đọc được tệp: {exc.strerror}") from None
    return decode(data, path)


def regular_file(path: Path, max_bytes: int | None = None) -> os.stat_result:
    """The stat of `path` when it is a regular file (of at most `max_bytes`); InputError
    otherwise: a FIFO would hang a read, /dev/zero never ends. Symlinks are followed."""
    try:
        info = path.stat()
    except OSError as exc:
        raise InputError.single(path, f"không đọc được tệp: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        # "is not a regular file (a folder, a pipe or a device)"
        raise InputError.single(path, "không phải tệp thông thường (là thư mục, ống dẫn hoặc "
                                "thiết bị)")
    if max_bytes is not None and info.st_size > max_bytes:
        # "the file is too large (N MB, at most M MB)"
        raise InputError.single(path, f"tệp quá lớn ({_mb(info.st_size)} MB, tối đa "
                                f"{_mb(max_bytes)} MB)")
    return info


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",").removesuffix(",0")
