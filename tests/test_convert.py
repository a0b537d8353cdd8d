"""The conversion pool: a document that makes LibreOffice fail, crash or hang is reported by
name, every other document is converted, and no soffice process is left behind."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfWriter

from dossier.checks.analysis import analyse
from dossier.convert.backends import convert_to_pdf, make_converter, validate_spec
from dossier.convert.converter import BYTES_PER_PAGE, Timeouts, check_fonts, pdf_complete
from dossier.convert.local_pool import LocalPool
from dossier.convert.merged import MARKED_PDF_FILTER, MergingConverter
from dossier.documents.render import render_docx, template_path
from dossier.errors import ToolError

from .conftest import AS_OF, EXAMPLE

FAKE_SOFFICE = f"""#!{sys.executable}
# Stands in for soffice: "converts" by copying $FAKE_PDF, prints LibreOffice's progress line;
# hangs (with a child process in its group) on a file named *hang*, aborts on *crash*, cannot
# open *bad*, and silently ignores the files after the $FAKE_LIMIT-th.
import os, shutil, subprocess, sys
args = sys.argv[1:]
if "--version" in args:
    print("FakeOffice 1.0")
    sys.exit(0)
out = args[args.index("--outdir") + 1]
profile = next(a for a in args if a.startswith("-env:UserInstallation="))
limit = int(os.environ.get("FAKE_LIMIT", "1000"))  # like LibreOffice's ~247 files a call
for doc in [a for a in args if a.endswith(".docx")][:limit]:
    stem = os.path.splitext(os.path.basename(doc))[0]
    if "bad" in stem:
        print("Error: source file could not be loaded", flush=True)
        continue
    if "hang" in stem:
        subprocess.run(["sh", "-c", "sleep 300; true", profile])
    if "crash" in stem:
        os._exit(134)
    pdf = os.path.join(out, stem + ".pdf")
    print(f"convert {{doc}} -> {{pdf}} using filter : writer_pdf_Export", flush=True)
    shutil.copyfile(os.environ["FAKE_PDF"], pdf)
"""
FAST = Timeouts(startup_s=1, per_document_s=0.5, per_page_s=0)


def _orphans(marker: Path) -> list[str]:
    found = subprocess.run(["pgrep", "-af", str(marker)], capture_output=True, text=True)
    return [line for line in found.stdout.splitlines() if "pgrep" not in line]


@pytest.fixture
def fake_soffice(tmp_path, monkeypatch) -> str:
    pdf = tmp_path / "blank.pdf"
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    with pdf.open("wb") as handle:
        writer.write(handle)
    monkeypatch.setenv("FAKE_PDF", str(pdf))
    script = tmp_path / "bin" / "soffice"
    script.parent.mkdir()
    script.write_text(FAKE_SOFFICE, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def _documents(folder: Path, names: list[str]) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = [folder / f"{name}.docx" for name in names]
    for path in paths:
        path.write_bytes(b"PK fake docx")
    return paths


@pytest.mark.parametrize("bad", ["07-hang", "07-crash"])
def test_bad_document_is_isolated_and_reported(tmp_path, fake_soffice, bad):
    names = [f"{i:02d}-ok" for i in range(1, 13) if i != 7]
    docs = _documents(tmp_path / "docx", [*names[:6], bad, *names[6:]])
    profiles = tmp_path / "profiles"
    pool = LocalPool(jobs=2, soffice=fake_soffice, profile_root=profiles, timeouts=FAST,
                     max_batch=4)
    pool._font = "Liberation Serif"  # the fake soffice needs no fonts
    result = pool.convert(docs, tmp_path / "pdf")
    assert [d.name for d in result.failed] == [f"{bad}.docx"]
    reason = result.failed[tmp_path / "docx" / f"{bad}.docx"]
    assert ("treo" in reason or "thời gian" in reason) if bad.endswith("hang") else (
        "mã 134" in reason), reason
    assert sorted(d.stem for d in result.pdfs) == sorted(names)
    assert all(pdf_complete(p) for p in result.pdfs.values())
    assert _orphans(profiles) == []


def test_skipped_files_are_converted_and_unreadable_ones_reported(tmp_path, fake_soffice,
                                                                 monkeypatch):
    monkeypatch.setenv("FAKE_LIMIT", "3")
    names = [f"{i:02d}-ok" for i in range(10)]
    names[4] = "04-bad"
    docs = _documents(tmp_path / "docx", names)
    pool = LocalPool(jobs=2, soffice=fake_soffice, profile_root=tmp_path / "p", timeouts=FAST,
                     max_batch=8)
    pool._font = "Liberation Serif"
    result = pool.convert(docs, tmp_path / "pdf")
    assert [d.name for d in result.failed] == ["04-bad.docx"]
    assert "không mở được" in result.failed[docs[4]]
    assert sorted(result.pdfs) == sorted(d for d in docs if d != docs[4])


def test_progress_counts_every_document(tmp_path, fake_soffice):
    docs = _documents(tmp_path / "docx", [f"{i:02d}" for i in range(10)])
    seen: list[tuple[int, int]] = []
    pool = LocalPool(jobs=2, soffice=fake_soffice, profile_root=tmp_path / "p", timeouts=FAST,
                     max_batch=3)
    pool._font = "Liberation Serif"
    pool.convert(docs, tmp_path / "pdf", lambda done, total: seen.append((done, total)))
    assert seen[-1] == (10, 10)
    assert all(total == 10 and 0 <= done <= 10 for done, total in seen)


def test_too_many_failures_stop_the_pool(tmp_path, fake_soffice):
    docs = _documents(tmp_path / "docx", [f"{i:02d}-crash" for i in range(5)])
    pool = LocalPool(jobs=1, soffice=fake_soffice, profile_root=tmp_path / "p", timeouts=FAST,
                     max_failures=2)
    pool._font = "Liberation Serif"
    with pytest.raises(ToolError, match="quá nhiều"):
        pool.convert(docs, tmp_path / "pdf")
    assert _orphans(tmp_path / "p") == []


def test_plan_shrinks_the_batches_so_the_workers_finish_together(tmp_path):
    docs = [tmp_path / f"{i}.docx" for i in range(1000)]  # unreadable: one page each
    batches = LocalPool(jobs=2).plan(docs)
    assert [len(b.documents) for b in batches] == [200, 200, 200, 200, 120, 80]
    assert [d for b in batches for d in b.documents] == docs  # in order, each once
    # few pages: one batch (an incremental build's few documents, for the warm instance)
    assert [len(b.documents) for b in LocalPool(jobs=2).plan(docs[:3])] == [3]
    assert [len(b.documents) for b in LocalPool(jobs=4, max_batch=50,
                                                min_batch_pages=10).plan(docs[:100])] == [
        25, 19, 14, 11, 10, 10, 11]


def test_plan_gives_two_long_documents_in_a_row_to_two_workers(tmp_path):
    """The Tờ trình and the Biên bản of a large campaign (~140 and ~225 pages) and one report:
    the lists must not be converted one after the other by the same worker."""
    import zipfile

    docs = []
    for name, pages in (("01-to-trinh", 140), ("02-bien-ban", 225), ("03-bao-cao", 2)):
        path = tmp_path / f"{name}.docx"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("word/document.xml", "x" * (pages * BYTES_PER_PAGE))
        docs.append(path)
    batches = LocalPool(jobs=2).plan(docs)
    assert [[d.name for d in b.documents] for b in batches][:2] == [["01-to-trinh.docx"],
                                                                     ["02-bien-ban.docx"]]


def _render_example(folder: Path, count: int) -> list[Path]:
    analysis = analyse(EXAMPLE, AS_OF)
    folder.mkdir()
    paths = []
    for plan in analysis.plans[:count]:
        path = folder / f"{plan.stem}.docx"
        path.write_bytes(render_docx(template_path(EXAMPLE, plan.template), plan.context,
                                     dt.date(2024, 12, 20), plan.title))
        paths.append(path)
    return paths


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_real_libreoffice_reports_a_corrupt_docx(tmp_path):
    docs = _render_example(tmp_path / "docx", 3)
    corrupt = tmp_path / "docx" / "02b-hong.docx"
    corrupt.write_bytes(docs[0].read_bytes()[:3000])  # a truncated zip
    docs.insert(2, corrupt)
    profiles = tmp_path / "profiles"
    pool = LocalPool(jobs=2, profile_root=profiles, max_batch=2)
    result = pool.convert(docs, tmp_path / "pdf")
    assert list(result.failed) == [corrupt]
    assert "không mở được" in result.failed[corrupt]
    assert sorted(result.pdfs) == sorted(d for d in docs if d != corrupt)
    assert all(pdf_complete(p) for p in result.pdfs.values())
    assert _orphans(profiles) == []
    with pytest.raises(ToolError, match="02b-hong.docx"):
        convert_to_pdf([docs[0], corrupt], tmp_path / "again",
                       LocalPool(jobs=1, profile_root=profiles))
    assert _orphans(profiles) == []


def test_missing_fonts_say_how_to_install(tmp_path, monkeypatch):
    fake = tmp_path / "fc-list"
    fake.write_text("#!/bin/sh\necho 'DejaVu Sans'\necho 'DejaVu Serif,DejaVu Serif Condensed'\n",
                    encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(ToolError, match="fonts-liberation2"):
        check_fonts()


def test_converter_specs():
    assert validate_spec("local") == "local"
    assert validate_spec("unoserver://10.0.0.5:2003,[::1]:2004")
    for bad in ("soffice", "unoserver://", "unoserver://host", "unoserver://h:99999"):
        with pytest.raises(ValueError):
            validate_spec(bad)
    local = make_converter(None, jobs=3)  # the pool, merging documents of one template
    assert isinstance(local, MergingConverter) and isinstance(local.inner, LocalPool)
    assert local.inner.export_filter == MARKED_PDF_FILTER
    assert make_converter("local", jobs=3).inner.jobs == 3


SOFFICE = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


@SOFFICE
def test_a_warm_instance_serves_the_batches_and_is_stopped(tmp_path):
    docs = _render_example(tmp_path / "docx", 3)
    profiles = tmp_path / "profiles"
    pool = LocalPool(jobs=1, profile_root=profiles)
    pool.warm_up()  # not on a new profile: LibreOffice restarts once while setting it up
    assert not pool._instances
    first = pool.convert(docs[:1], tmp_path / "pdf")  # as the builds before this one did
    assert not (profiles / "worker-0" / ".lock").exists()
    pool.warm_up()
    try:
        (instance,) = pool._instances.values()
        _wait_for(lambda: (instance.profile / ".lock").exists())  # it has taken its profile
        second = pool.convert(docs[1:], tmp_path / "pdf")
        assert instance.served == 2  # the batch was handed to it
        assert not instance.alive() and not pool._instances  # it serves one batch
        third = pool.convert(docs[:1], tmp_path / "pdf")  # as before: LibreOffice starts
        pdfs = {**first.pdfs, **second.pdfs, **third.pdfs}
        assert sorted(pdfs) == sorted(docs) and all(pdf_complete(p) for p in pdfs.values())
    finally:
        pool.close()
    assert _orphans(profiles) == []


def _wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@SOFFICE
def test_a_warm_instance_dies_with_dossier(tmp_path):
    """A killed build (SIGKILL: no clean-up runs) must not leave an idle LibreOffice behind."""
    profiles = tmp_path / "profiles"
    LocalPool(jobs=1, profile_root=profiles).convert(_render_example(tmp_path / "docx", 1),
                                                     tmp_path / "pdf")  # sets the profile up
    code = ("import sys, time; from pathlib import Path; from dossier.convert.local_pool import "
            "LocalPool; pool = LocalPool(jobs=1, profile_root=Path(sys.argv[1])); "
            "pool.warm_up(); print('up', flush=True); time.sleep(600)")
    child = subprocess.Popen([sys.executable, "-c", code, str(profiles)], stdout=subprocess.PIPE,
                             text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "up"
    _wait_for(lambda: (profiles / "worker-0" / ".lock").exists())  # LibreOffice is up
    assert any("soffice" in line for line in _orphans(profiles))
    child.kill()
    child.wait()
    _wait_for(lambda: not _orphans(profiles), 15)


def test_a_stream_converts_while_documents_are_still_coming(tmp_path, fake_soffice):
    """The build feeds the pool as it renders: a few pages submitted wait for more (a
    LibreOffice start pays off over many), until the build flushes the stream (it has given
    the last document it renders); they are then converted before the stream is finished, and
    the ones submitted later are converted too."""
    docs = _documents(tmp_path / "docx", [f"{i:02d}" for i in range(4)])
    pool = LocalPool(jobs=2, soffice=fake_soffice, profile_root=tmp_path / "p", timeouts=FAST)
    pool._font = "Liberation Serif"
    converted: list[Path] = []
    stream = pool.stream(tmp_path / "pdf", expected=len(docs),
                         on_file=lambda doc, pdf: converted.append(doc))
    stream.submit(docs[:2])
    time.sleep(1)
    assert converted == []  # a page or two: waiting for more
    stream.flush()
    _wait_for(lambda: sorted(converted) == docs[:2], seconds=10)  # before `finish`
    stream.submit(docs[2:])
    result = stream.finish()
    assert sorted(result.pdfs) == docs and sorted(converted) == docs
    assert all(pdf_complete(p) for p in result.pdfs.values())


def test_an_aborted_stream_kills_its_batch_at_once(tmp_path, fake_soffice):
    """A build that fails while LibreOffice converts (an amount in words that does not match)
    stops the conversion: the hanging batch's process group is killed, nothing is left."""
    docs = _documents(tmp_path / "docx", ["01-hang"])
    profiles = tmp_path / "profiles"
    slow = Timeouts(startup_s=60, per_document_s=60, per_page_s=0)
    pool = LocalPool(jobs=1, soffice=fake_soffice, profile_root=profiles, timeouts=slow)
    pool._font = "Liberation Serif"
    stream = pool.stream(tmp_path / "pdf", expected=1)
    stream.submit(docs)
    stream.flush()  # as the build does after the last document it renders
    _wait_for(lambda: _orphans(profiles) != [], seconds=10)  # the batch runs
    start = time.monotonic()
    stream.abort()
    assert time.monotonic() - start < 10  # not the 60 s the batch was allowed
    assert _orphans(profiles) == []


class _RecordingPool(LocalPool):
    """The real pool, noting the documents of each batch it runs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.batches: list[list[str]] = []

    def _run(self, batch, profile, out_dir, state):
        self.batches.append([d.name for d in batch.documents])
        return super()._run(batch, profile, out_dir, state)


@SOFFICE
def test_an_edit_converts_its_documents_as_one_batch(campaign_dir, tmp_path):
    """A rebuild after an edit that changes the lists and a report: the documents it renders
    are given to LibreOffice together once the last of them is rendered, as one batch (one
    LibreOffice start, the one made ahead), not as they come."""
    from dossier.build import build
    from dossier.output.cache import Cache

    from .conftest import set_cell

    cache = Cache(tmp_path / "cache")
    pool = _RecordingPool(jobs=2, profile_root=cache.profile_root(),
                          export_filter=MARKED_PDF_FILTER)
    converter = MergingConverter(pool)
    build(campaign_dir, tmp_path / "out", AS_OF, cache=cache, converter=converter)
    set_cell(campaign_dir, "CN06", "position", "Chuyên viên chính Bộ phận Một cửa")
    pool.batches.clear()
    result = build(campaign_dir, tmp_path / "out", AS_OF, cache=cache, converter=converter)
    assert sorted(result.stats.converted) == sorted(result.stats.rendered)
    assert len(result.stats.rendered) == 3  # the Tờ trình, the Biên bản and CN06's report
    assert len(pool.batches) == 1 and len(pool.batches[0]) <= 3  # (reports may be merged)


@SOFFICE
def test_one_document_goes_to_the_warm_instance_not_to_a_second_libreoffice(tmp_path):
    """A rebuild that converts one document: with two workers, the LibreOffice started ahead
    converts it; no second LibreOffice is started for the other worker's profile."""
    docs = _render_example(tmp_path / "docx", 2)
    profiles = tmp_path / "profiles"
    pool = LocalPool(jobs=2, profile_root=profiles)
    pool.convert(docs[:1], tmp_path / "first")  # sets worker-0's profile up
    assert not (profiles / "worker-1" / "user").exists()
    pool.warm_up()
    try:
        (instance,) = pool._instances.values()
        _wait_for(lambda: (instance.profile / ".lock").exists())
        result = pool.convert(docs[1:], tmp_path / "pdf")
        assert instance.served == 1 and list(result.pdfs) == docs[1:]
        assert not (profiles / "worker-1" / "user").exists()  # never started there
    finally:
        pool.close()
    assert _orphans(profiles) == []


@SOFFICE
def test_no_cache_reuses_no_document_but_keeps_libreoffices_profile(tmp_path):
    """`build --no-cache`: every document rendered and converted anew, LibreOffice started on
    the profile kept in the cache's folder (it starts in half the time on a profile it has
    set up), and no LibreOffice left once the build has ended, nor after a build refused."""
    from click.testing import CliRunner

    from dossier.cli.main import main

    cache_dir = tmp_path / "cache"
    args = ["build", str(EXAMPLE), "--as-of", AS_OF.isoformat(), "--quiet", "--no-cache",
            "--cache-dir", str(cache_dir)]
    runner = CliRunner()
    for out in ("a", "b"):  # the second starts LibreOffice ahead, on the profile set up
        result = runner.invoke(main, [*args, "--out", str(tmp_path / out)])
        assert result.exit_code == 0, result.output
        assert len(list((tmp_path / out / "pdf").glob("*.pdf"))) == 8
    profiles = cache_dir / "libreoffice"
    assert (profiles / "worker-0" / "user" / "registrymodifications.xcu").is_file()
    assert not [p for p in cache_dir.rglob("*") if p.suffix in (".docx", ".pdf", ".meta")]
    assert _orphans(profiles) == []
    refused = runner.invoke(main, ["build", str(tmp_path / "missing"), "--out",
                                   str(tmp_path / "c"), "--cache-dir", str(cache_dir)])
    assert refused.exit_code == 2, refused.output
    assert _orphans(profiles) == []


@SOFFICE
def test_missing_fonts_stop_a_build_whose_libreoffice_started_ahead(tmp_path, monkeypatch):
    """LibreOffice starts before the fonts are checked (beside its start): a machine without a
    serif font still gets the message saying how to install one, exit status 1, nothing
    written, and no LibreOffice left running."""
    from click.testing import CliRunner

    from dossier.cli.main import main

    cache_dir = tmp_path / "cache"
    args = ["build", str(EXAMPLE), "--as-of", AS_OF.isoformat(), "--quiet",
            "--cache-dir", str(cache_dir)]
    runner = CliRunner()
    first = runner.invoke(main, [*args, "--out", str(tmp_path / "a")])  # sets the profile up
    assert first.exit_code == 0, first.output
    fake = tmp_path / "bin" / "fc-list"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'DejaVu Serif'\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    refused = runner.invoke(main, [*args, "--no-cache", "--out", str(tmp_path / "b")])
    assert refused.exit_code == 1, refused.output
    assert "fonts-liberation2" in refused.output
    assert not (tmp_path / "b").exists()
    assert _orphans(cache_dir / "libreoffice") == []
