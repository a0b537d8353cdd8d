"""Faults: a build killed at any moment, a read-only output folder, a full disk, two builds at
once, an --out that is not a dossier output. The previous output is always complete and
unchanged, and the next build succeeds."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.build import build
from dossier.cli.main import main
from dossier.errors import OutputError
from dossier.output import atomic as atomic_output
from dossier.output import marks

from .conftest import AS_OF, EXAMPLE, edit_campaign

BUILD = [sys.executable, "-c", "from dossier.cli.main import main; main()", "build"]
SEED = int(os.environ.get("DOSSIER_KILL_SEED", "20241220"))


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def is_complete_output(folder: Path) -> bool:
    """Every document the manifest lists is there with its checksum, and nothing else."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    listed = {d["docx"]: d["sha256"] for d in manifest["documents"]}
    files = snapshot(folder)
    docx = {name: digest for name, digest in files.items() if name.startswith("docx/")}
    pdfs_ok = all((folder / d["pdf"]).is_file() for d in manifest["documents"] if "pdf" in d)
    return docx == listed and pdfs_ok and "selection.md" in files


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}"))


def _descendants(pid: int) -> list[int]:
    """Every process below `pid` (LibreOffice runs in its own session, so a process group kill
    would miss it)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def _kill_tree(process: subprocess.Popen) -> None:
    below = _descendants(process.pid)
    for pid in [process.pid, *below]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in below) and time.monotonic() < deadline:
        time.sleep(0.05)


def _run_build(root: Path, out: Path, cache: Path, pdf: bool) -> subprocess.Popen:
    args = [*BUILD, str(root), "--out", str(out), "--as-of", AS_OF.isoformat(), "-q"]
    env = {**os.environ, "DOSSIER_CACHE_DIR": str(cache)}
    return subprocess.Popen([*args] + ([] if pdf else ["--no-pdf"]), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.fixture
def two_versions(tmp_path: Path) -> tuple[Path, Path]:
    """Two campaigns whose outputs differ (the Tờ trình's number), to tell old from new."""
    first = tmp_path / "v1"
    shutil.copytree(EXAMPLE, first)
    second = tmp_path / "v2"
    shutil.copytree(EXAMPLE, second)
    edit_campaign(second, lambda data: data["to_trinh"].__setitem__("number", 513))
    return first, second


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc to find LibreOffice")
@pytest.mark.parametrize("pdf, kills", [(False, 6), (True, 1)], ids=["docx", "pdf"])
def test_sigkill_at_random_moments_never_mixes_outputs(two_versions, tmp_path, pdf, kills):
    rng = random.Random(SEED + pdf)
    out = tmp_path / "out" / "output"
    first = _run_build(two_versions[0], out, tmp_path / "cache-0", pdf)
    assert first.wait(timeout=300) == 0, first.stderr.read().decode()
    previous = snapshot(out)
    started = time.monotonic()
    timing = _run_build(two_versions[1], tmp_path / "timing" / "output", tmp_path / "cache-t", pdf)
    assert timing.wait(timeout=300) == 0
    duration = time.monotonic() - started
    for attempt in range(kills):
        root = two_versions[(attempt + 1) % 2]
        delay = rng.uniform(0.1, duration * 1.1)
        process = _run_build(root, out, tmp_path / f"cache-{attempt + 1}", pdf)
        time.sleep(delay)
        _kill_tree(process)
        now = snapshot(out)
        assert now == previous or is_complete_output(out), f"mixed output after {delay:.2f} s"
        previous = now
    final = _run_build(two_versions[0], out, tmp_path / "cache-final", pdf)
    assert final.wait(timeout=300) == 0, final.stderr.read().decode()
    assert is_complete_output(out)
    assert leftovers(out) == []


# --- the states a kill can leave, one by one -------------------------------------------------

@pytest.fixture
def built_once(tmp_path: Path) -> Path:
    out = tmp_path / "output"
    build(EXAMPLE, out, AS_OF, pdf=False)
    return out


def test_killed_between_the_two_renames_the_next_build_restores_the_old_output(built_once):
    out = built_once
    before = snapshot(out)
    out.rename(atomic_output.aside_path(out))  # the fallback's first rename, then SIGKILL
    assert not out.exists()
    atomic_output.recover(out)
    assert snapshot(out) == before and leftovers(out) == []


def test_killed_after_the_swap_the_old_copy_is_removed(built_once):
    out = built_once
    shutil.copytree(out, atomic_output.aside_path(out))
    before = snapshot(out)
    atomic_output.recover(out)
    assert snapshot(out) == before and leftovers(out) == []


def test_abandoned_staging_folders_are_removed_by_the_next_build(built_once):
    out = built_once
    stale = out.parent / f"{atomic_output.staging_prefix(out)}dead"
    (stale / "docx").mkdir(parents=True)
    marks.mark(stale)  # as `replacing` marks its staging folders
    build(EXAMPLE, out, AS_OF, pdf=False)
    assert leftovers(out) == []


@pytest.mark.parametrize("mark", [None, "", marks.MARK[:7]], ids=["empty", "empty-mark",
                                                               "half-mark"])
def test_a_staging_folder_killed_before_its_mark_was_written_is_removed(built_once, mark):
    """Killed between mkdtemp and the mark (or inside writing it): nothing in the folder to
    lose, so the next build removes it; a folder holding anything else stays."""
    out = built_once
    stale = out.parent / f"{atomic_output.staging_prefix(out)}unmarked"
    stale.mkdir()
    if mark is not None:
        (stale / marks.MARK_FILE).write_text(mark, encoding="utf-8")
    kept = out.parent / f"{atomic_output.staging_prefix(out)}photos"
    kept.mkdir()
    (kept / marks.MARK_FILE).write_text("not dossier's", encoding="utf-8")
    build(EXAMPLE, out, AS_OF, pdf=False)
    assert not stale.exists() and kept.exists()


def test_two_renames_when_the_exchange_is_not_available(built_once, monkeypatch):
    monkeypatch.setattr(atomic_output, "exchange", lambda a, b: False)
    out = built_once
    build(EXAMPLE, out, AS_OF, pdf=False)
    assert is_complete_output(out) and leftovers(out) == []


def test_the_exchange_is_atomic_on_this_file_system(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "from-a").touch()
    if not atomic_output.exchange(a, b):
        pytest.skip("renameat2(RENAME_EXCHANGE) not available here: the fallback is used")
    assert (b / "from-a").exists() and not (a / "from-a").exists()


# --- the output folder -----------------------------------------------------------------------

def _cli_build(root: Path, out: Path) -> object:
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(out), "--as-of",
                                       AS_OF.isoformat(), "--no-pdf", "-q"])
    assert isinstance(result.exception, SystemExit | type(None)), result.exception
    assert "Traceback" not in result.output
    return result


def test_a_second_build_into_the_same_folder_stops_clearly(built_once):
    out = built_once
    before = snapshot(out)
    fd = os.open(atomic_output.lock_path(out), os.O_CREAT | os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        result = _cli_build(EXAMPLE, out)
    finally:
        os.close(fd)
    assert result.exit_code == 2
    assert "đang ghi vào" in result.output
    assert snapshot(out) == before


def test_out_that_is_not_a_dossier_output_is_never_replaced(tmp_path):
    precious = tmp_path / "my-documents"
    precious.mkdir()
    (precious / "thesis.docx").write_bytes(b"years of work")
    result = _cli_build(EXAMPLE, precious)
    assert result.exit_code == 2
    assert "không phải do dossier tạo" in result.output
    assert snapshot(precious) == {"thesis.docx": hashlib.sha256(b"years of work").hexdigest()}


def test_out_that_is_a_file(tmp_path):
    """The command line refuses it (click); the library too, for other callers."""
    target = tmp_path / "output"
    target.write_text("x", encoding="utf-8")
    assert _cli_build(EXAMPLE, target).exit_code == 2
    with pytest.raises(OutputError, match="là một tệp"):
        build(EXAMPLE, target, AS_OF, pdf=False)
    assert target.read_text(encoding="utf-8") == "x"


@contextlib.contextmanager
def _tmpfs(where: Path, size_kb: int, read_only: bool = False) -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    options = f"size={size_kb}k" + (",ro" if read_only else "")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a file system needs root")
def test_disk_full_is_a_clear_message_and_keeps_the_previous_output(tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path / "cache"))
    probe = tmp_path / "probe"
    build(EXAMPLE, probe, AS_OF, pdf=False)
    size = sum(p.stat().st_size for p in probe.rglob("*") if p.is_file())
    with _tmpfs(tmp_path / "small", size_kb=int(size * 1.4 / 1024) + 64) as disk:
        out = disk / "output"
        shutil.copytree(probe, out)  # the previous output fills most of the disk
        before = snapshot(out)
        result = _cli_build(EXAMPLE, out)
        assert result.exit_code == 2, result.output
        assert "ổ đĩa đầy" in result.output
        assert snapshot(out) == before and leftovers(out) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a file system needs root")
def test_read_only_output_folder_is_a_clear_message(tmp_path):
    with _tmpfs(tmp_path / "ro", size_kb=1024, read_only=True) as disk:
        result = _cli_build(EXAMPLE, disk / "output")
        assert result.exit_code == 2, result.output
        assert "chỉ đọc" in result.output


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "ổ đĩa đầy"),
                                         (errno.EROFS, "chỉ đọc"),
                                         (errno.EACCES, "không có quyền ghi")])
def test_write_errors_at_the_last_moment(built_once, monkeypatch, code, words):
    """fsync can report a full disk only at the end; the swap must not happen then."""
    out = built_once
    before = snapshot(out)

    def fail(folder):
        raise OSError(code, os.strerror(code), str(folder))
    monkeypatch.setattr(atomic_output, "_fsync_tree", fail)
    result = _cli_build(EXAMPLE, out)
    assert result.exit_code == 2 and words in result.output
    assert snapshot(out) == before and leftovers(out) == []
