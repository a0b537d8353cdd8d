"""Issue 19, first half: dossier never deletes, replaces, adopts or writes what it did not write.

An output folder is replaced only when it holds a dossier output and nothing else; the
campaign inside it, a foreign manifest.json, notes beside the documents, folders named like
dossier's leftovers, a lock file of another program: all are refused or left alone. The rounds
of a campaign are swapped in together or not at all."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.build import build
from dossier.cli.main import main
from dossier.errors import OutputError
from dossier.output import atomic as atomic_output
from dossier.output import marks

from .conftest import AS_OF, EXAMPLE

ROUNDS = EXAMPLE.parent / "govap-2022-2025-cds"
ROUNDS_AS_OF = dt.date(2025, 6, 16)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and symbolic link under `folder`, with its content's hash."""
    found = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[name] = "-> " + os.readlink(path)
        elif path.is_file():
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir():
            found[name + "/"] = ""
    return found


def cli(*args: str | Path) -> object:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert isinstance(result.exception, SystemExit | type(None)), result.exception
    assert "Traceback" not in result.output
    return result


def cli_build(root: Path, out: Path, *extra: str, as_of: dt.date = AS_OF) -> object:
    return cli("build", root, "--out", out, "--as-of", as_of.isoformat(), "--no-pdf", "-q",
               "--no-cache", *extra)


# --- 1. an output is recognised by dossier's own manifest, listing every file it wrote -----------

def test_the_manifest_names_its_format_and_lists_every_file_written(tmp_path):
    out = tmp_path / "output"
    build(EXAMPLE, out, AS_OF, pdf=False)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == "dossier-output" and manifest["manifest_version"] == 2
    files = {k for k, v in snapshot(out).items() if v}
    folders = {k.rstrip("/") for k, v in snapshot(out).items() if not v}
    assert set(manifest["written"]["files"]) == files
    assert set(manifest["written"]["folders"]) == folders
    assert marks.is_dossier_output(out)


def test_a_foreign_manifest_does_not_make_a_folder_replaceable(tmp_path):
    """A browser extension's folder: manifest.json and its files."""
    folder = tmp_path / "extension"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"manifest_version": 3, "name": "Ad blocker"}',
                                          encoding="utf-8")
    (folder / "background.js").write_text("chrome.runtime.onInstalled", encoding="utf-8")
    before = snapshot(folder)
    result = cli_build(EXAMPLE, folder)
    assert result.exit_code == 2 and "không phải do dossier tạo" in result.output
    assert snapshot(folder) == before


def test_a_truncated_manifest_is_not_dossiers(tmp_path):
    out = tmp_path / "output"
    build(EXAMPLE, out, AS_OF, pdf=False)
    text = (out / "manifest.json").read_text(encoding="utf-8")
    (out / "manifest.json").write_text(text[:len(text) // 2], encoding="utf-8")
    before = snapshot(out)
    assert cli_build(EXAMPLE, out).exit_code == 2
    assert snapshot(out) == before


def test_notes_beside_a_previous_output_are_never_deleted(tmp_path):
    out = tmp_path / "output"
    build(EXAMPLE, out, AS_OF, pdf=False)
    (out / "ghi-chu.txt").write_text("ý kiến của lãnh đạo", encoding="utf-8")
    (out / "docx" / "ban-sua.docx").write_bytes(b"my edits")
    before = snapshot(out)
    result = cli_build(EXAMPLE, out)
    assert result.exit_code == 2, result.output
    assert "docx/ban-sua.docx" in result.output and "ghi-chu.txt" in result.output
    assert snapshot(out) == before


def test_a_symbolic_link_in_place_of_a_listed_file_is_refused(tmp_path):
    out = tmp_path / "output"
    build(EXAMPLE, out, AS_OF, pdf=False)
    (out / "selection.md").unlink()
    (out / "selection.md").symlink_to(tmp_path / "elsewhere.md")
    assert cli_build(EXAMPLE, out).exit_code == 2


def test_an_output_containing_the_campaign_is_refused(tmp_path):
    """A campaign folder placed inside a previous output, built with --out that output."""
    out = tmp_path / "output"
    build(EXAMPLE, out, AS_OF, pdf=False)
    campaign = out / "campaign"
    shutil.copytree(EXAMPLE, campaign)
    (out / "notes.md").write_text("beside the campaign", encoding="utf-8")
    before = snapshot(out)
    result = cli_build(campaign, out)
    assert result.exit_code == 2 and "chứa thư mục kế hoạch" in result.output, result.output
    assert snapshot(out) == before
    # the campaign itself as the output, even an empty one
    with pytest.raises(OutputError, match="chứa thư mục kế hoạch"):
        build(campaign, campaign, AS_OF, pdf=False)
    assert snapshot(out) == before


def test_an_output_of_an_earlier_version_is_still_replaced(tmp_path):
    """manifest_version 1 (no list of files): recognised by the files its manifest names."""
    out = tmp_path / "output"
    build(EXAMPLE, out, AS_OF, pdf=False)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for key in ("format", "written"):
        del manifest[key]
    manifest["manifest_version"] = 1
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (out / marks.MARK_FILE).unlink()
    assert cli_build(EXAMPLE, out).exit_code == 0
    (out / "mine.txt").write_text("x", encoding="utf-8")
    assert cli_build(EXAMPLE, out).exit_code == 2


# --- 3. leftovers beside OUT are removed or restored only when they are dossier's ----------------

def test_folders_named_like_leftovers_are_not_dossiers_and_stay(tmp_path):
    out = tmp_path / "output"
    build(EXAMPLE, out, AS_OF, pdf=False)
    aside = atomic_output.aside_path(out)
    staging = tmp_path / f"{atomic_output.staging_prefix(out)}photos"
    for folder in (aside, staging):
        folder.mkdir()
        (folder / "holiday.jpg").write_bytes(b"not dossier's")
    before = snapshot(tmp_path)
    atomic_output.recover(out)
    assert snapshot(tmp_path) == before
    out_files = {k for k in before if k.startswith("output/")}
    assert cli_build(EXAMPLE, out).exit_code == 0
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith("output/")} == {
        k: v for k, v in before.items() if k not in out_files}


def test_a_foreign_aside_folder_is_not_adopted_when_the_output_is_missing(tmp_path):
    out = tmp_path / "output"
    aside = atomic_output.aside_path(out)
    aside.mkdir()
    (aside / "manifest.json").write_text('{"name": "not dossier"}', encoding="utf-8")
    atomic_output.recover(out)
    assert not out.exists() and (aside / "manifest.json").is_file()


def test_the_fallback_swap_never_writes_over_a_foreign_aside_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic_output, "exchange", lambda a, b: False)
    out = tmp_path / "output"
    build(EXAMPLE, out, AS_OF, pdf=False)
    aside = atomic_output.aside_path(out)
    aside.mkdir()
    (aside / "keep.txt").write_text("mine", encoding="utf-8")
    before = snapshot(tmp_path)
    result = cli_build(EXAMPLE, out)
    assert result.exit_code == 2 and "không phải do dossier tạo" in result.output
    assert snapshot(tmp_path) == before


def test_a_lock_file_that_is_not_dossiers_is_neither_used_nor_removed(tmp_path):
    out = tmp_path / "output"
    lock = atomic_output.lock_path(out)
    lock.write_text("another program's data", encoding="utf-8")
    result = cli_build(EXAMPLE, out)
    assert result.exit_code == 2 and "không phải tệp khoá của dossier" in result.output
    assert lock.read_text(encoding="utf-8") == "another program's data" and not out.exists()
    lock.unlink()
    target = tmp_path / "precious.txt"
    target.write_text("", encoding="utf-8")
    lock.symlink_to(target)  # an empty file, through a link: never written
    assert cli_build(EXAMPLE, out).exit_code == 2
    assert target.read_text(encoding="utf-8") == "" and lock.is_symlink()


# --- 5. the rounds of a campaign are swapped in together -----------------------------------------

def test_rounds_are_replaced_all_together_or_not_at_all(tmp_path):
    out = tmp_path / "output"
    assert cli_build(ROUNDS, out, as_of=ROUNDS_AS_OF).exit_code == 0
    rounds = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert rounds == ["so-ket-2023", "tong-ket-2025"]
    assert marks.is_dossier_output(out) and all(marks.is_dossier_output(out / r)
                                                for r in rounds)
    (out / rounds[1] / "ghi-chu.txt").write_text("notes on the second round", encoding="utf-8")
    before = snapshot(out)
    result = cli_build(ROUNDS, out, as_of=ROUNDS_AS_OF)
    assert result.exit_code == 2 and "ghi-chu.txt" in result.output
    assert snapshot(out) == before  # the first round was not replaced either


def test_building_one_round_keeps_the_others_as_they_were(tmp_path):
    out = tmp_path / "output"
    assert cli_build(ROUNDS, out, as_of=ROUNDS_AS_OF).exit_code == 0
    before = snapshot(out / "so-ket-2023")
    result = cli_build(ROUNDS, out, "--round", "tong-ket-2025", as_of=ROUNDS_AS_OF)
    assert result.exit_code == 0, result.output
    assert snapshot(out / "so-ket-2023") == before
    assert marks.is_dossier_output(out)


def test_an_unrelated_folder_is_refused_for_rounds_as_for_one(tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.docx").write_bytes(b"years of work")
    before = snapshot(folder)
    result = cli_build(ROUNDS, folder, as_of=ROUNDS_AS_OF)
    assert result.exit_code == 2 and "không phải do dossier tạo" in result.output
    assert snapshot(folder) == before


# --- 2. `dossier clean` deletes only the cache's own folders -------------------------------------

def test_clean_deletes_only_what_carries_dossiers_mark(tmp_path):
    cache = tmp_path / "cache"
    result = cli("build", EXAMPLE, "--out", tmp_path / "out", "--as-of", AS_OF.isoformat(),
                 "--no-pdf", "-q", "--cache-dir", cache)
    assert result.exit_code == 0, result.output
    assert marks.is_marked(cache / "v2")
    for name in ("v7-holiday", "libreoffice"):  # named like the cache's folders, not dossier's
        (cache / name).mkdir()
        (cache / name / "photo.jpg").write_bytes(b"not dossier's")
    (cache / "notes.txt").write_text("beside the cache", encoding="utf-8")
    result = cli("clean", "--cache-dir", cache)
    assert result.exit_code == 0, result.output
    assert "16 tệp" in result.output
    assert f"Không xoá {cache / 'libreoffice'}" in result.output
    assert f"Không xoá {cache / 'v7-holiday'}" in result.output
    assert not (cache / "v2").exists()
    assert snapshot(cache) == {
        "libreoffice/": "", "libreoffice/photo.jpg": hashlib.sha256(b"not dossier's").hexdigest(),
        "notes.txt": hashlib.sha256(b"beside the cache").hexdigest(),
        "v7-holiday/": "", "v7-holiday/photo.jpg": hashlib.sha256(b"not dossier's").hexdigest()}


def test_a_cache_of_an_earlier_version_is_adopted_and_cleaned(tmp_path):
    """Before the mark, the cache's folders held only entries named by their key."""
    from dossier.output.cache import Cache

    cache = Cache(tmp_path / "cache")
    build(EXAMPLE, tmp_path / "out", AS_OF, pdf=False, cache=cache)
    (cache.root / marks.MARK_FILE).unlink()
    again = build(EXAMPLE, tmp_path / "out", AS_OF, pdf=False, cache=Cache(tmp_path / "cache"))
    assert again.stats.rendered == [] and marks.is_marked(cache.root)
    (cache.root / marks.MARK_FILE).unlink()
    (cache.root / "docx" / "mine.txt").write_text("x", encoding="utf-8")  # no longer only ours
    other = Cache(tmp_path / "cache")
    third = build(EXAMPLE, tmp_path / "out", AS_OF, pdf=False, cache=other)
    assert len(third.stats.rendered) == 8  # not used
    assert other.clear().kept == (cache.root,) and (cache.root / "docx" / "mine.txt").exists()


def test_a_cache_folder_that_is_another_programs_is_not_written(tmp_path):
    cache = tmp_path / "cache"
    (cache / "v2").mkdir(parents=True)
    (cache / "v2" / "data.db").write_bytes(b"another program")
    (cache / "libreoffice").mkdir()
    (cache / "libreoffice" / "settings.ini").write_bytes(b"another program")
    before = snapshot(cache)
    result = cli("build", EXAMPLE, "--out", tmp_path / "out", "--as-of", AS_OF.isoformat(),
                 "-q", "--cache-dir", cache)
    assert result.exit_code == 0, result.output
    assert snapshot(cache) == before


# --- 6. a cache entry is served only with the content it was stored with -------------------------

def _edit_in_place_keeping_size_and_time(path: Path) -> None:
    """What `dd conv=notrunc` then `touch -r` do."""
    facts = path.stat()
    with path.open("r+b") as stream:
        stream.seek(facts.st_size // 2)
        byte = stream.read(1)
        stream.seek(facts.st_size // 2)
        stream.write(bytes([byte[0] ^ 0xFF]))
    os.utime(path, ns=(facts.st_atime_ns, facts.st_mtime_ns))
    assert path.stat().st_size == facts.st_size and path.stat().st_mtime_ns == facts.st_mtime_ns


def test_an_output_edited_in_place_keeping_size_and_time_is_not_served(campaign_dir, tmp_path):
    from dossier.output.cache import Cache
    from dossier.output.digest import file_sha256

    cache = Cache(tmp_path / "cache")
    out = tmp_path / "out"
    build(campaign_dir, out, AS_OF, cache=cache)
    _edit_in_place_keeping_size_and_time(out / "docx" / "04-bao-cao-TT01.docx")
    _edit_in_place_keeping_size_and_time(out / "pdf" / "06-bao-cao-CN05.pdf")
    again = build(campaign_dir, out, AS_OF, cache=cache)
    assert again.stats.rendered == ["04-bao-cao-TT01"]
    assert again.stats.converted == ["06-bao-cao-CN05"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for document in manifest["documents"]:
        assert file_sha256(out / document["docx"]) == document["sha256"]
    fresh = tmp_path / "fresh"
    build(campaign_dir, fresh, AS_OF, pdf=False)
    for name in os.listdir(fresh / "docx"):
        assert (out / "docx" / name).read_bytes() == (fresh / "docx" / name).read_bytes()


# --- 4. diff never writes over what it compares --------------------------------------------------

@pytest.fixture(scope="module")
def two_outputs(tmp_path_factory) -> tuple[Path, Path]:
    from .conftest import edit_campaign

    base = tmp_path_factory.mktemp("diff")
    campaign = base / "campaign"
    shutil.copytree(EXAMPLE, campaign)
    build(campaign, base / "a", AS_OF, pdf=False)
    edit_campaign(campaign, lambda data: data["to_trinh"].__setitem__("number", 513))
    build(campaign, base / "b", AS_OF, pdf=False)
    return base / "a", base / "b"


@pytest.mark.parametrize("option", ["--out", "--redline"])
def test_diff_refuses_to_write_over_an_input(two_outputs, tmp_path, option):
    a_dir, b_dir = two_outputs
    a, b = tmp_path / "a.docx", tmp_path / "b.docx"
    shutil.copyfile(a_dir / "docx" / "01-to-trinh.docx", a)
    shutil.copyfile(b_dir / "docx" / "01-to-trinh.docx", b)
    os.link(b, tmp_path / "b-link.docx")
    (tmp_path / "a-symlink.docx").symlink_to(a)
    before = snapshot(tmp_path)
    for target in (a, b, tmp_path / "b-link.docx", tmp_path / "a-symlink.docx"):
        result = cli("diff", a, b, option, target)
        assert result.exit_code == 2 and "là tệp đầu vào" in result.output, result.output
    assert snapshot(tmp_path) == before
    assert cli("diff", a, b, option, tmp_path / "new.docx").exit_code == 1


def test_diff_of_two_folders_refuses_a_redline_over_their_documents(two_outputs):
    a_dir, b_dir = two_outputs
    before = snapshot(a_dir.parent)
    for target in (b_dir / "docx", a_dir / "docx"):
        result = cli("diff", a_dir, b_dir, "--redline", target)
        assert result.exit_code == 2 and "là tệp đầu vào" in result.output, result.output
    result = cli("diff", a_dir, b_dir, "--out", b_dir / "manifest.json")
    assert result.exit_code == 2
    assert snapshot(a_dir.parent) == before


# --- 16, 18. what comes from outside is a message, never a traceback ----------------------------

@pytest.mark.parametrize("content, words", [
    ('{"manifest_version": 3, "name": "Ad blocker"}', "không phải manifest.json của dossier"),
    ('{"format": "dossier-output", "documents": [{"kind": ', "không phải JSON hợp lệ"),
    ('{"documents": [{"kind": 1}]}', "văn bản thứ 1 trong 'documents'"),
    ('[1, 2]', "không phải manifest.json của dossier"),
    ('\xff', "không phải JSON hợp lệ")])
def test_check_built_with_a_foreign_or_truncated_manifest(tmp_path, content, words):
    (tmp_path / "manifest.json").write_text(content, encoding="latin-1")
    result = cli("check", EXAMPLE, "--as-of", "2024-12-01", "--built", tmp_path)
    assert result.exit_code == 2 and words in result.output, result.output
    assert str(tmp_path / "manifest.json") in result.output
    result = cli("check", EXAMPLE, "--as-of", "2024-12-01", "--built", tmp_path,
                 "--format", "json")
    report = json.loads(result.output)
    assert result.exit_code == 2 and report["campaigns"][0]["status"] == "error"


def test_calendar_into_a_missing_folder(tmp_path):
    result = cli("calendar", EXAMPLE, "--out", tmp_path / "missing" / "x.ics")
    assert result.exit_code == 2 and "không ghi được tệp" in result.output
    assert not (tmp_path / "missing").exists()


def test_init_under_a_file_or_on_a_dangling_link(tmp_path):
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    result = cli("init", tmp_path / "afile" / "sub")
    assert result.exit_code == 2 and "là một tệp, không phải thư mục" in result.output
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    result = cli("init", tmp_path / "dangling")
    assert result.exit_code == 2 and "liên kết tượng trưng" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "dangling"]
    assert not (tmp_path / "nowhere").exists()


# --- 17, 19. LibreOffice: stopped whatever happens to dossier ------------------------------------

def test_closing_the_pool_while_a_worker_hands_back_its_instance():
    """Ctrl-C during a conversion: `close` runs while a worker takes its warm instance out."""
    from dossier.convert.local_pool import LocalPool

    pool = LocalPool(jobs=2)

    class Instance:  # stands in for a warm LibreOffice whose worker finishes meanwhile
        def __init__(self, other: Path):
            self.other = other

        def stop(self, grace_s: float = 0) -> None:
            pool._instances.pop(self.other, None)  # as the worker's thread does

    pool._instances = {Path("a"): Instance(Path("b")), Path("b"): Instance(Path("a"))}
    pool.close()
    assert not pool._instances


def _processes_naming(marker: Path) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and entry.name != str(os.getpid()):
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if str(marker) in command:
                found.append(f"{entry.name} {command[:120]}")
    return found


def _wait_until(condition, seconds: float) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc")
def test_nothing_dossier_started_outlives_a_sigkilled_conversion(tmp_path):
    """A new profile makes oosplash restart soffice.bin; dossier is killed mid-batch: no
    LibreOffice process may go on writing into the folder it was converting to."""
    import subprocess
    import sys

    from dossier.checks.analysis import analyse
    from dossier.documents.render import render_docx, template_path

    docs = tmp_path / "docx"
    docs.mkdir()
    analysis = analyse(EXAMPLE, AS_OF)
    rendered = [render_docx(template_path(EXAMPLE, plan.template), plan.context, AS_OF,
                            plan.title) for plan in analysis.plans]
    for copy in range(12):
        for index, data in enumerate(rendered):
            (docs / f"{copy:02d}-{index}.docx").write_bytes(data)
    staging = tmp_path / "staging-pdf"
    code = ("import sys; from pathlib import Path; from dossier.convert.local_pool import "
            "LocalPool; docs = sorted(Path(sys.argv[1]).glob('*.docx')); "
            "LocalPool(jobs=1).convert(docs, Path(sys.argv[2]))")
    child = subprocess.Popen([sys.executable, "-c", code, str(docs), str(staging)])
    try:
        assert _wait_until(lambda: staging.is_dir() and any(staging.glob("*.pdf")), 120), (
            "LibreOffice never started converting")
    finally:
        child.kill()  # SIGKILL: no clean-up of dossier's runs
        child.wait()
    assert _wait_until(lambda: not _processes_naming(staging), 5), _processes_naming(staging)
    written = snapshot(staging)
    assert len(written) < len(rendered) * 12  # it was stopped mid-way
    import time

    time.sleep(2)
    assert snapshot(staging) == written  # and nothing wrote into it afterwards


# --- 20. a full disk: said so for the output, avoided for the cache ------------------------------

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a file system needs root")


@ROOT_ONLY
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_full_output_disk_during_conversion_is_a_full_disk(tmp_path):
    from .test_faults import _tmpfs

    probe = tmp_path / "probe"
    build(EXAMPLE, probe, AS_OF, pdf=False)
    size = sum(p.stat().st_size for p in probe.rglob("*") if p.is_file())
    # room for the .docx, not for their PDFs
    with _tmpfs(tmp_path / "small", size_kb=size // 1024 + 160) as disk:
        result = cli("build", EXAMPLE, "--out", disk / "output", "--as-of", AS_OF.isoformat(),
                     "-q", "--cache-dir", tmp_path / "cache")
        assert result.exit_code == 2, result.output
        assert "ổ đĩa đầy" in result.output and "LibreOffice" not in result.output
        assert list(disk.iterdir()) == []  # nothing half-written, nothing left beside


@ROOT_ONLY
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_cache_on_a_full_disk_slows_the_build_but_never_fails_it(tmp_path):
    from .test_faults import _tmpfs

    with _tmpfs(tmp_path / "full", size_kb=256) as disk:
        (disk / "filler").write_bytes(b"\0" * (200 * 1024))
        result = cli("build", EXAMPLE, "--out", tmp_path / "out", "--as-of", AS_OF.isoformat(),
                     "-q", "--cache-dir", disk / "cache")
        assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out" / "pdf").glob("*.pdf"))) == 8


# --- done when: nothing outside OUT, the cache's own entries and the temporary folder -----------

def _world(root: Path, allowed: list[Path]) -> dict[str, tuple]:
    """Every entry under `root` outside the `allowed` folders, with what would betray a write:
    content, mode, modification time (not of folders: an allowed entry in them changes it),
    inode."""
    found = {}
    for folder, subfolders, names in os.walk(root):
        here = Path(folder)
        subfolders[:] = [n for n in subfolders if here / n not in allowed]
        for name in [*subfolders, *names]:
            path = here / name
            if path in allowed:
                continue
            facts = path.lstat()
            content = (hashlib.sha256(path.read_bytes()).hexdigest()
                       if path.is_file() and not path.is_symlink() else None)
            found[path.relative_to(root).as_posix()] = (
                content, facts.st_mode, None if path.is_dir() else facts.st_mtime_ns,
                facts.st_ino)
    return found


def test_no_file_outside_out_the_cache_and_the_temporary_folder_is_ever_touched(
        tmp_path, monkeypatch):
    import tempfile

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    work = tmp_path / "work"
    campaign = work / "campaign"
    shutil.copytree(EXAMPLE, campaign)
    rounds = work / "rounds"
    shutil.copytree(ROUNDS, rounds)
    out, rounds_out = work / "output", work / "rounds-output"
    cache = work / "cache"
    # bystanders: named like what dossier writes, beside and inside what it writes
    for path in (f".{out.name}.old/keep.txt", f".{out.name}.tmp-notes/keep.txt",
                 f".{rounds_out.name}.tmp-x/keep.txt", "notes.txt", "cache/v9/keep.txt",
                 "cache/README", "campaign/output-notes.md", "deadlines.ics.txt"):
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_text(f"bystander {path}", encoding="utf-8")
    (work / "link-to-campaign").symlink_to(campaign)
    allowed = [out, rounds_out, cache / "v2", cache / "libreoffice", work / "deadlines.ics",
               work / "diff.html", work / "redline.docx", work / "redlines"]
    before = _world(tmp_path, [*allowed, temporary])

    def run(*args: str | Path, expect: int | tuple[int, ...] = 0) -> None:
        result = cli(*args)
        assert result.exit_code in ((expect,) if isinstance(expect, int) else expect), (
            args, result.output)
        assert _world(tmp_path, [*allowed, temporary]) == before, args

    common = ("--as-of", AS_OF.isoformat(), "-q", "--cache-dir", cache)
    run("build", campaign, "--out", out, *common)
    build(campaign, work / "first", AS_OF, pdf=False)  # a copy to compare with, then gone
    shutil.move(work / "first", temporary / "first")
    run("build", campaign, "--out", out, *common)  # served from the cache
    run("build", rounds, "--out", rounds_out, "--no-pdf", "--as-of", "2025-06-16", "-q",
        "--cache-dir", cache)
    run("build", rounds, "--out", rounds_out, "--no-pdf", "--as-of", "2025-06-16", "-q",
        "--cache-dir", cache, "--round", "tong-ket-2025")
    run("build", campaign, "--out", campaign, *common, expect=2)  # the campaign itself
    run("build", campaign, "--out", work, *common, expect=2)  # the folder around everything
    run("build", campaign, "--out", work / "link-to-campaign", *common, expect=2)
    run("check", campaign, "--as-of", "2024-12-01", "--built", out)
    run("calendar", campaign, "--out", work / "deadlines.ics")
    run("diff", temporary / "first", out, "--format", "html", "--out", work / "diff.html",
        expect=(0, 1))
    run("diff", temporary / "first", out, "--redline", work / "redlines", expect=(0, 1))
    run("diff", out / "docx" / "01-to-trinh.docx", out / "docx" / "02-bien-ban.docx",
        "--redline", work / "redline.docx", expect=1)
    run("clean", "--cache-dir", cache)


def test_a_cache_entry_that_is_a_symbolic_link_is_never_served(tmp_path):
    from dossier.output.cache import Cache

    cache = Cache(tmp_path / "cache")
    build(EXAMPLE, tmp_path / "out", AS_OF, pdf=False, cache=cache)
    entry = next(cache.root.rglob("*.docx"))
    secret = tmp_path / "secret.docx"
    entry.rename(secret)
    entry.symlink_to(secret)
    os.utime(entry, follow_symlinks=False)
    again = build(EXAMPLE, tmp_path / "out", AS_OF, pdf=False, cache=cache)
    assert len(again.stats.rendered) == 1
    assert not any(p.is_symlink() for p in (tmp_path / "out").rglob("*"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_a_folder_that_cannot_be_read_is_not_known_to_be_dossiers(tmp_path):
    out = tmp_path / "output"
    build(EXAMPLE, out, AS_OF, pdf=False)
    (out / "docx").chmod(0)
    try:
        assert marks.foreign_entries(out) == ["docx"]
    finally:
        (out / "docx").chmod(0o755)
