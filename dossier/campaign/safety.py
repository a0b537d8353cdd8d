"""Files a campaign names are data from outside: they must stay inside the campaign folder, and
what they hold must be of a size a ranking, a narrative or a template can have.

`inside` resolves a path (symlinks included) and refuses one that leads out of its folder:
`achievements/CN05.md → /etc/passwd` would print the file into a report. `regular_file`
refuses what is not a plain file (a FIFO would hang a read, /dev/zero never ends).
`check_zip_sizes` refuses an .xlsx or .docx whose members would expand beyond a bound (a zip
bomb, a 1 GB cell) before anything is decompressed: a zip member never expands past the size
its header declares.
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

from dossier.errors import InputError, Problem

MAX_ZIP_MEMBER = 100 * 1024 * 1024  # one part of an .xlsx or .docx, uncompressed
MAX_ZIP_TOTAL = 300 * 1024 * 1024  # all of them
MAX_ZIP_MEMBERS = 10_000


def is_inside(root: Path, path: Path) -> bool:
    """Whether `path`, symlinks resolved, lies in `root` (resolved too)."""
    try:
        resolved = path.resolve()
        base = root.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return False
    return resolved == base or base in resolved.parents


def outside_problem(root: Path, path: Path, what: str = "tệp") -> Problem:
    # "<what> leads outside the folder (symbolic link or ..): copy the file into the folder"
    return Problem(str(path), f"{what} nằm ngoài thư mục {root.name} (liên kết tượng trưng "
                   "hoặc đường dẫn ra ngoài): chép tệp vào trong thư mục")


def inside(root: Path, path: Path, what: str = "tệp") -> Path:
    """`path` when it stays in `root` after symlinks; InputError naming it otherwise."""
    if not is_inside(root, path):
        raise InputError([outside_problem(root, path, what)])
    return path


def regular_file(path: Path, max_bytes: int | None = None) -> os.stat_result:
    """The stat of `path` when it is a regular file (of at most `max_bytes`); InputError
    otherwise. Symlinks are followed: check `inside` first where it matters."""
    try:
        info = path.stat()
    except OSError as exc:
        raise InputError.single(path, f"không đọc được tệp: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        # "is not a regular file (a folder, a pipe or a device)"
        raise InputError.single(path, "không phải tệp thông thường (là thư mục, ống dẫn hoặc "
                                "thiết bị)")
    if max_bytes is not None and info.st_size > max_bytes:
        raise too_large(path, info.st_size, max_bytes)
    return info


def too_large(path: Path, size: int, limit: int) -> InputError:
    # "the file is too large (N MB, at most M MB)"
    return InputError.single(path, f"tệp quá lớn ({_mb(size)} MB, tối đa {_mb(limit)} MB)")


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f}" if size >= 1024 * 1024 else f"{size / 1024 / 1024:.2f}"


def check_zip_sizes(path: Path, package: zipfile.ZipFile) -> None:
    """InputError when the zip's members would expand beyond the bounds."""
    infos = package.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        # "the file holds too many parts"
        raise InputError.single(path, f"tệp có quá nhiều thành phần ({len(infos)})")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_ZIP_MEMBER or total > MAX_ZIP_TOTAL:
            # "part X expands to N MB (at most M MB): the file is damaged or not a real
            # spreadsheet/document"
            raise InputError.single(path, f"thành phần {info.filename} giải nén ra "
                                    f"{_mb(info.file_size)} MB (tối đa {_mb(MAX_ZIP_MEMBER)} MB "
                                    "mỗi thành phần): tệp hỏng hoặc quá lớn")


def open_zip_checked(path: Path) -> zipfile.ZipFile:
    """A ZipFile for `path` whose sizes passed `check_zip_sizes` (BadZipFile as zipfile)."""
    package = zipfile.ZipFile(path)
    try:
        check_zip_sizes(path, package)
    except InputError:
        package.close()
        raise
    return package
