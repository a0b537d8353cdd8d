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

import re
import zipfile
from pathlib import Path

from dossier.charset import regular_file
from dossier.errors import InputError, Problem

__all__ = ["check_package", "check_zip", "check_zip_sizes", "inside", "is_inside",
           "outside_problem", "regular_file"]

MAX_ZIP_MEMBER = 100 * 1024 * 1024  # one part of an .xlsx or .docx, uncompressed
MAX_ZIP_TOTAL = 300 * 1024 * 1024  # all of them
MAX_ZIP_MEMBERS = 10_000
PROLOG_BYTES = 1024 * 1024
_ROOT_ELEMENT = re.compile(rb"<[A-Za-z_]")
_COMMENTS = re.compile(rb"<!--.*?-->|<\?.*?\?>", re.S)


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


def check_zip_sizes(path: Path, package: zipfile.ZipFile, member_limit: int = MAX_ZIP_MEMBER,
                    total_limit: int = MAX_ZIP_TOTAL) -> None:
    """InputError when the zip's members would expand beyond the bounds."""
    infos = package.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        # "the file holds too many parts"
        raise InputError.single(path, f"tệp có quá nhiều thành phần ({len(infos)})")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > member_limit or total > total_limit:
            # "part X expands to N MB (at most M MB): the file is damaged or not a real
            # spreadsheet/document"
            raise InputError.single(path, f"thành phần {info.filename} giải nén ra "
                                    f"{info.file_size // 2**20} MB (tối đa "
                                    f"{member_limit // 2**20} MB "
                                    "mỗi thành phần): tệp hỏng hoặc quá lớn")


def check_zip(path: Path, member_limit: int = MAX_ZIP_MEMBER,
              total_limit: int = MAX_ZIP_TOTAL) -> None:
    """Open `path` as a zip and check it before a library parses it: sizes within bounds,
    compression methods Office uses (a corrupt deflate stream is the reader's to catch), no
    DOCTYPE in an XML part (Office never writes one; it is how entity bombs and external
    entities come in). InputError naming the file otherwise; BadZipFile when not a zip."""
    with zipfile.ZipFile(path) as package:
        check_package(path, package, member_limit, total_limit)


def check_package(path: Path, package: zipfile.ZipFile, member_limit: int = MAX_ZIP_MEMBER,
                  total_limit: int = MAX_ZIP_TOTAL) -> None:
    """`check_zip` for a zip already open."""
    check_zip_sizes(path, package, member_limit, total_limit)
    for info in package.infolist():
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # "part X is compressed with a method Office does not use"
            raise InputError.single(path, f"thành phần {info.filename} nén bằng phương "
                                    "pháp Office không dùng: tệp hỏng hoặc không phải tệp "
                                    "Office")
        if info.filename.endswith((".xml", ".rels")) and _has_doctype(package, info):
            # "part X declares a DOCTYPE, which Office never writes"
            raise InputError.single(path, f"thành phần {info.filename} có khai báo "
                                    "<!DOCTYPE>, điều Office không bao giờ ghi: tệp hỏng "
                                    "hoặc bị sửa tay")


def _has_doctype(package: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """A DOCTYPE sits in the prolog, before the root element: read up to the root element
    (a prolog longer than PROLOG_BYTES counts as suspect too)."""
    head = b""
    with package.open(info) as member:
        while len(head) < PROLOG_BYTES:
            chunk = member.read(4096)
            if not chunk:
                break
            head += chunk
            prolog = _COMMENTS.sub(b"", head)
            for opening in (b"<!--", b"<?"):  # one not closed yet: the root is further on
                prolog = prolog.split(opening, 1)[0]
            root = _ROOT_ELEMENT.search(prolog)
            if root:
                return b"<!DOCTYPE" in prolog[:root.start()].upper()
    return len(head) >= PROLOG_BYTES or b"<!DOCTYPE" in head.upper()
