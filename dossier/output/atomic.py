"""Replace an output folder whole or not at all, even when the build is killed (SIGKILL, power
cut) at any instant.

The new output is assembled in a staging folder beside OUT (`.OUT.tmp-XXXX`, same file system)
and swapped in only when complete:

- **Linux, renameat2(RENAME_EXCHANGE)** (via ctypes; ext4, xfs, btrfs, tmpfs): one system call
  exchanges the two names atomically. At every instant OUT is either the complete old output or
  the complete new one; after the exchange the staging name holds the old output, which is then
  deleted. No symbolic link is involved, so OUT stays a real folder.
- **Elsewhere, or where the file system refuses the flag**: two renames, OUT → `.OUT.old`, then
  staging → OUT. Between them OUT does not exist, but the previous output is complete under the
  fixed name `.OUT.old`; the next build, before anything else, renames it back when OUT is
  missing, and deletes it when OUT is there (the swap had finished).

Every build takes an exclusive lock (`.OUT-lock` beside OUT, flock) for its whole run, so two
builds never write the same OUT; a second one stops at once with a message. Holding the lock, a
build first recovers as above and removes staging folders that killed builds left behind.
Files and folders are flushed to disk (fsync) before the swap so a power cut cannot leave a
renamed but empty file.

Nothing that dossier did not write is ever deleted or adopted (see `marks`): OUT is replaced
only when it is missing, empty, or holds a previous dossier output and nothing else (checked
before the build and again just before the swap), and never when it contains a folder to
protect (the campaign); `.OUT.old` and staging folders are restored or removed only when they
carry dossier's mark or are dossier outputs; the lock file is dossier's own (empty or holding
its mark, never followed through a symbolic link). OS errors while writing (disk full,
read-only folder, no permission) become `OutputError` with a Vietnamese message; the previous
output is untouched.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from dossier.errors import OutputError
from dossier.output import marks

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; builds must not run concurrently there
    fcntl = None  # type: ignore[assignment]

AT_FDCWD = -100
RENAME_EXCHANGE = 2
MANIFEST = marks.MANIFEST
SHOWN = 5  # foreign entries named in a refusal
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV}


def staging_prefix(out: Path) -> str:
    return f".{out.name}.tmp-"


def aside_path(out: Path) -> Path:
    return out.parent / f".{out.name}.old"


def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}-lock"


@contextlib.contextmanager
def replacing(out: Path, protect: tuple[Path, ...] = ()) -> Iterator[Path]:
    """Yield an empty staging folder; when the block ends normally, it becomes `out`. On any
    exception the staging folder is removed and `out` is left as it was. `protect`: folders
    that `out` must not contain (the campaign): such an `out` is refused."""
    out = _real(out)
    with _os_errors(out):
        out.parent.mkdir(parents=True, exist_ok=True)
        check_replaceable(out, protect)
    with _locked(out):
        with _os_errors(out):
            recover(out)
            check_replaceable(out, protect)
            staging = Path(tempfile.mkdtemp(prefix=staging_prefix(out), dir=out.parent))
        try:
            with _os_errors(out):
                marks.mark(staging)
            yield staging
            with _os_errors(out):
                check_replaceable(out, protect)  # nothing was added to it meanwhile
                swap_into_place(staging, out)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            if not _about_output(exc, out):
                raise
            raise output_error(exc, out) from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _real(out: Path) -> Path:
    """`out` with a symbolic link resolved: the folder it points to is the one replaced."""
    return out.resolve() if out.is_symlink() else out.absolute()


def check_replaceable(out: Path, protect: tuple[Path, ...] = ()) -> None:
    """Refuse (OutputError) an `out` that is a file, contains a protected folder, or holds
    anything a dossier build did not write."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        # "the output path is a file, not a folder"
        raise OutputError(f"'{out}' là một tệp, không phải thư mục kết quả")
    resolved = out.resolve()
    for folder in protect:
        if folder.resolve().is_relative_to(resolved):
            # "the output folder contains the campaign folder: building would delete it"
            raise OutputError(f"thư mục kết quả '{out}' chứa thư mục kế hoạch '{folder}': ghi "
                              "vào đó sẽ xoá kế hoạch; chọn --out ở chỗ khác")
    if not out.is_dir() or not any(out.iterdir()):
        return
    foreign = foreign_entries(out)
    if foreign is None:
        # "the folder holds files dossier did not write (no manifest.json of dossier): it is
        # not replaced; choose another folder or empty it"
        raise OutputError(f"thư mục '{out}' đã có dữ liệu không phải do dossier tạo (không có "
                          f"{MANIFEST} của dossier): không ghi đè; chọn thư mục khác hoặc làm "
                          "trống nó")
    if foreign:
        shown = ", ".join(foreign[:SHOWN]) + (f" và {len(foreign) - SHOWN} mục khác"
                                              if len(foreign) > SHOWN else "")
        # "the folder holds what dossier did not write: …; it is not replaced"
        raise OutputError(f"thư mục '{out}' có dữ liệu không phải do dossier tạo ({shown}): "
                          "không ghi đè; chuyển chúng đi hoặc chọn thư mục khác")


def foreign_entries(folder: Path) -> list[str] | None:
    """What in `folder` a dossier build did not write; None when it is no dossier output. A
    folder without a manifest whose every entry is a dossier output (the rounds of a campaign,
    as versions before the rounds' own manifest wrote them) is one."""
    foreign = marks.foreign_entries(folder)
    if foreign is not None or marks.read_manifest(folder) is not None:
        return foreign
    children = list(folder.iterdir())
    if children and all(marks.is_dossier_output(child) for child in children):
        return []
    return None


def is_ours(folder: Path) -> bool:
    """A folder dossier may delete: it carries dossier's mark, or is a dossier output."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    return marks.is_marked(folder) or foreign_entries(folder) == []


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    if fcntl is None:
        yield
        return
    path = lock_path(out)
    with _os_errors(out):
        fd = _acquire(path, out)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()  # still ours: _acquire checked the name points at the locked file
        os.close(fd)


def _acquire(path: Path, out: Path) -> int:
    while True:
        fd = _open_lock(path, out)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            # "another dossier build is writing this output folder"
            raise OutputError(f"một lần chạy dossier build khác đang ghi vào '{out}': chờ nó "
                              "xong rồi chạy lại") from None
        try:
            same = os.stat(path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the holder removed the file as we opened it: lock the new one


def _open_lock(path: Path, out: Path) -> int:
    """The lock file, created with dossier's mark; an existing one only if it is dossier's
    (its mark, or empty as older versions left it), never through a symbolic link."""
    flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, marks.MARK.encode("utf-8"))
        return fd
    except FileExistsError:
        pass
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno not in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
            raise
        fd = -1
    if fd >= 0:
        facts = os.fstat(fd)
        if stat.S_ISREG(facts.st_mode) and os.pread(fd, 4096, 0) in (
                b"", marks.MARK.encode("utf-8")):
            return fd
        os.close(fd)
    # "… exists and was not made by dossier: move it away"
    raise OutputError(f"'{path}' đã có và không phải tệp khoá của dossier: không dùng, không "
                      "xoá; chuyển nó đi rồi chạy lại")


def recover(out: Path) -> None:
    """Undo what a killed build left: restore `.OUT.old` when OUT is missing, remove it when OUT
    is there, and remove abandoned staging folders; only what is dossier's (`is_ours`)."""
    aside = aside_path(out)
    if is_ours(aside):
        if out.exists() or out.is_symlink():
            shutil.rmtree(aside)
        else:
            aside.rename(out)
            _fsync_dir(out.parent)
    for leftover in out.parent.glob(f"{staging_prefix(out)}*"):
        if is_ours(leftover) or _killed_before_marking(leftover):
            shutil.rmtree(leftover, ignore_errors=True)


def _killed_before_marking(folder: Path) -> bool:
    """A staging folder a build was killed in between creating and marking it: empty, or
    holding only a mark file that is a beginning of dossier's mark. Removing it loses nothing."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    entries = list(folder.iterdir())
    if not entries:
        return True
    if [e.name for e in entries] != [marks.MARK_FILE]:
        return False
    mark = entries[0]
    if mark.is_symlink() or not mark.is_file():
        return False
    return marks.MARK.encode("utf-8").startswith(mark.read_bytes()[: len(marks.MARK) + 1])


def swap_into_place(staging: Path, out: Path) -> None:
    """Make `staging` the folder `out`; see the module's docstring for why this is safe."""
    staging.chmod(0o755)  # mkdtemp made it private
    _fsync_tree(staging)
    if not out.exists():
        staging.rename(out)
    elif exchange(staging, out):
        _fsync_dir(out.parent)
        shutil.rmtree(staging)  # now the previous output
        return
    else:
        aside = aside_path(out)
        if aside.exists() or aside.is_symlink():
            # "… is in the way and is not dossier's: move it away"
            raise OutputError(f"'{aside}' đã có và không phải do dossier tạo: không ghi đè; "
                              "chuyển nó đi rồi chạy lại")
        out.rename(aside)
        staging.rename(out)
        _fsync_dir(out.parent)
        shutil.rmtree(aside)
        return
    _fsync_dir(out.parent)


def exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths with renameat2(RENAME_EXCHANGE); False when this system
    or file system cannot, so the caller falls back to two renames."""
    function = _renameat2()
    if function is None:
        return False
    if function(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(b))


def _renameat2():
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # glibc before 2.28, musl
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _fsync_tree(root: Path) -> None:
    for folder, _, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(folder))


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a folder be fsynced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _os_errors(out: Path) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise output_error(exc, out) from None


def _about_output(exc: OSError, out: Path) -> bool:
    """An error met while writing the output (rather than, say, reading an input)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS):
        return True
    return bool(exc.filename) and Path(os.fsdecode(exc.filename)).absolute().is_relative_to(
        out.parent)


def output_error(exc: OSError, out: Path) -> OutputError:
    """A clear message for an OS error met while writing the output."""
    where = exc.filename or out
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        # "the disk is full: nothing was written, the previous output is unchanged"
        return OutputError(f"ổ đĩa đầy khi ghi '{where}': không ghi gì, kết quả cũ (nếu có) giữ "
                           "nguyên; giải phóng dung lượng rồi chạy lại")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        # "no permission to write / read-only: choose another --out"
        return OutputError(f"không ghi được vào '{where}' ({exc.strerror}): thư mục chỉ đọc "
                           "hoặc không có quyền ghi; chọn thư mục khác bằng --out")
    return OutputError(f"lỗi khi ghi '{where}': {exc.strerror or exc}")  # error while writing
