"""Incremental builds: a content-addressed cache serves every document whose inputs did not
change, and exactly the affected documents are rendered and converted again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.build import build
from dossier.cli.main import main
from dossier.output.cache import Cache, digest
from dossier.output.digest import file_sha256

from .conftest import AS_OF, set_cell

STEMS = ["01-to-trinh", "02-bien-ban", "03-bao-cao-TT05", "04-bao-cao-TT01", "05-bao-cao-TT15",
         "06-bao-cao-CN05", "07-bao-cao-CN03", "08-bao-cao-CN06"]


def _docx_bytes(out: Path) -> dict[str, bytes]:
    return {p.stem: p.read_bytes() for p in sorted((out / "docx").glob("*.docx"))}


def _changed(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    assert before.keys() == after.keys()
    return sorted(stem for stem in before if before[stem] != after[stem])


def _assert_manifest_hashes_are_the_files(out: Path) -> None:
    """Every sha256 the manifest records is its file's, whether the build converted the PDF,
    took it from the cache (whose check the manifest reuses) or bundled it."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    recorded = [(d["pdf"], d["pdf_sha256"]) for d in manifest["documents"]]
    recorded.append((manifest["bundle"]["path"], manifest["bundle"]["sha256"]))
    recorded += [(s["bundle"]["path"], s["bundle"]["sha256"]) for s in manifest["submissions"]]
    assert len(recorded) == len(STEMS) + 2
    for path, sha256 in recorded:
        assert file_sha256(out / path) == sha256, path


def test_one_row_changes_exactly_its_documents(campaign_dir, tmp_path):
    cache = Cache(tmp_path / "cache")
    first = build(campaign_dir, tmp_path / "out", AS_OF, cache=cache)
    assert first.stats.rendered == STEMS and first.stats.converted == STEMS
    _assert_manifest_hashes_are_the_files(tmp_path / "out")
    before = _docx_bytes(tmp_path / "out")
    pdf_before = {p.name: p.read_bytes() for p in (tmp_path / "out" / "pdf").iterdir()}

    # TT01's address is printed in its own report only
    set_cell(campaign_dir, "TT01", "address", "Số 1 đường Hòa Bình, quận Ninh Kiều")
    second = build(campaign_dir, tmp_path / "out", AS_OF, cache=cache)
    assert second.stats.rendered == ["04-bao-cao-TT01"]
    assert second.stats.converted == ["04-bao-cao-TT01"]
    after = _docx_bytes(tmp_path / "out")
    assert _changed(before, after) == ["04-bao-cao-TT01"]
    pdf_after = {p.name: p.read_bytes() for p in (tmp_path / "out" / "pdf").iterdir()}
    assert sorted(n for n in pdf_before if pdf_before[n] != pdf_after[n]) == [
        "04-bao-cao-TT01.pdf"]
    _assert_manifest_hashes_are_the_files(tmp_path / "out")

    # what the cache serves is what a build without it makes
    build(campaign_dir, tmp_path / "fresh", AS_OF, pdf=False)
    assert _docx_bytes(tmp_path / "fresh") == after
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    fresh_manifest = json.loads((tmp_path / "fresh" / "manifest.json").read_text("utf-8"))
    assert [d["sha256"] for d in manifest["documents"]] == [
        d["sha256"] for d in fresh_manifest["documents"]]
    assert all(d["pages"] >= 1 for d in manifest["documents"])


def test_an_awardees_row_changes_the_lists_and_their_report(campaign_dir, tmp_path):
    cache = Cache(tmp_path / "cache")
    build(campaign_dir, tmp_path / "out", AS_OF, pdf=False, cache=cache)
    before = _docx_bytes(tmp_path / "out")
    # CN03's position is printed in both lists (Tờ trình, Biên bản) and in its report
    set_cell(campaign_dir, "CN03", "position", "Phó Trưởng Bộ phận Một cửa")
    again = build(campaign_dir, tmp_path / "out", AS_OF, pdf=False, cache=cache)
    expected = ["01-to-trinh", "02-bien-ban", "07-bao-cao-CN03"]
    assert again.stats.rendered == expected
    assert _changed(before, _docx_bytes(tmp_path / "out")) == expected
    # an unchanged rebuild renders nothing
    assert build(campaign_dir, tmp_path / "out", AS_OF, pdf=False,
                 cache=cache).stats.rendered == []


def test_a_changed_template_renders_its_documents_again(campaign_dir, tmp_path):
    cache = Cache(tmp_path / "cache")
    build(campaign_dir, tmp_path / "out", AS_OF, pdf=False, cache=cache)
    from dossier.resources import TEMPLATE_DIR

    override = campaign_dir / "templates" / "bien_ban.docx"
    override.parent.mkdir(exist_ok=True)
    override.write_bytes((TEMPLATE_DIR / "bien_ban.docx").read_bytes() + b"\0")
    again = build(campaign_dir, tmp_path / "out", AS_OF, pdf=False, cache=cache)
    assert again.stats.rendered == ["02-bien-ban"]


def test_context_keys_see_every_value():
    from docxtpl import RichText

    base = {"rows": [{"name": RichText("A", bold=True), "n": 1}], "flag": True}
    assert digest(base) == digest({"rows": [{"name": RichText("A", bold=True), "n": 1}],
                                   "flag": True})
    for other in ({"rows": [{"name": RichText("A", bold=False), "n": 1}], "flag": True},
                  {"rows": [{"name": RichText("A", bold=True), "n": True}], "flag": True},
                  {"rows": [{"name": RichText("A", bold=True), "n": 1}], "flag": 1},
                  {"flag": True, "rows": [{"name": RichText("A", bold=True), "n": 1}]}):
        assert digest(other) != digest(base)
    with pytest.raises(TypeError):
        digest({"x": object()})


def test_cli_no_cache_and_clean(tmp_path):
    from .conftest import EXAMPLE

    runner = CliRunner()
    cache_dir = tmp_path / "cache"
    args = ["build", str(EXAMPLE), "--as-of", "2024-12-20", "--no-pdf", "--quiet"]
    result = runner.invoke(main, [*args, "--out", str(tmp_path / "a"), "--no-cache",
                                  "--cache-dir", str(cache_dir)])
    assert result.exit_code == 0, result.output
    assert not cache_dir.exists()
    result = runner.invoke(main, [*args, "--out", str(tmp_path / "b"), "--cache-dir",
                                  str(cache_dir)])
    assert result.exit_code == 0, result.output
    assert len(list(cache_dir.rglob("*.docx"))) == 8
    # each .docx with its .meta; --no-pdf: no LibreOffice profiles
    result = runner.invoke(main, ["clean", "--cache-dir", str(cache_dir)])
    assert result.exit_code == 0 and "16 tệp" in result.output, result.output
    assert not list(cache_dir.rglob("*.docx"))
    assert len(list((tmp_path / "b" / "docx").glob("*.docx"))) == 8  # outputs keep theirs


def test_cli_rejects_bad_converter_and_jobs(tmp_path):
    from .conftest import EXAMPLE

    runner = CliRunner()
    base = ["build", str(EXAMPLE), "--out", str(tmp_path / "o"), "--as-of", "2024-12-20"]
    for extra in (["--converter", "soffice://x"], ["--converter", "unoserver://nohost"],
                  ["--jobs", "0"]):
        result = runner.invoke(main, [*base, *extra])
        assert result.exit_code == 2, (extra, result.output)
    assert not (tmp_path / "o").exists()


def test_plain_progress_lines_when_not_a_terminal(tmp_path):
    from .conftest import EXAMPLE

    result = CliRunner().invoke(main, ["build", str(EXAMPLE), "--out", str(tmp_path / "o"),
                                       "--as-of", "2024-12-20", "--no-pdf", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert "Tạo .docx: 8/8 (100%)" in result.output
    assert result.output.count("Tạo .docx: 8/8") == 1


def _inodes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_ino for p in folder.iterdir()}


def test_outputs_link_to_the_cache_and_an_edited_output_is_not_served(campaign_dir, tmp_path):
    cache = Cache(tmp_path / "cache")
    out = tmp_path / "out"
    build(campaign_dir, out, AS_OF, cache=cache)
    cached = {p.name: p.stat().st_ino for p in cache.root.rglob("*") if p.suffix in (".docx",
                                                                                     ".pdf")}
    # every document shares its file with its cache entry: nothing was copied
    assert set(_inodes(out / "docx").values()) | set(_inodes(out / "pdf").values()) == set(
        cached.values())
    again = build(campaign_dir, out, AS_OF, cache=cache)
    assert again.stats.rendered == [] and again.stats.converted == []

    # someone edits an output in place (the same file as the cache entry)
    edited = out / "docx" / "04-bao-cao-TT01.docx"
    with edited.open("r+b") as stream:
        stream.seek(0, 2)
        stream.write(b"edited in place")
    third = build(campaign_dir, out, AS_OF, cache=cache)
    assert third.stats.rendered == ["04-bao-cao-TT01"]
    assert third.stats.converted == []  # the same .docx bytes: its PDF is still good
    build(campaign_dir, tmp_path / "fresh", AS_OF, pdf=False)
    assert _docx_bytes(out) == _docx_bytes(tmp_path / "fresh")


def test_a_cache_on_another_file_system_is_copied(campaign_dir, tmp_path):
    shm = Path("/dev/shm")
    if not shm.is_dir() or shm.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("needs /dev/shm on a file system of its own")
    import tempfile

    with tempfile.TemporaryDirectory(dir=shm) as elsewhere:
        cache = Cache(Path(elsewhere))
        build(campaign_dir, tmp_path / "out", AS_OF, pdf=False, cache=cache)
        again = build(campaign_dir, tmp_path / "out", AS_OF, pdf=False, cache=cache)
        assert again.stats.rendered == []
        assert all(p.stat().st_nlink == 1 for p in (tmp_path / "out" / "docx").iterdir())
    build(campaign_dir, tmp_path / "fresh", AS_OF, pdf=False)
    assert _docx_bytes(tmp_path / "out") == _docx_bytes(tmp_path / "fresh")


def test_a_cache_that_cannot_be_written_slows_the_build_but_never_fails_it(tmp_path):
    from .conftest import EXAMPLE

    broken = tmp_path / "cache"
    broken.mkdir()
    for name in ("v2", "libreoffice"):  # files where the cache needs folders
        (broken / name).write_text("not a folder", encoding="utf-8")
    args = ["build", str(EXAMPLE), "--as-of", "2024-12-20", "--quiet", "--cache-dir",
            str(broken)]
    for out in ("a", "b"):
        result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / out)])
        assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "b" / "pdf").glob("*.pdf"))) == 8
    build(EXAMPLE, tmp_path / "fresh", AS_OF, pdf=False)
    assert _docx_bytes(tmp_path / "b") == _docx_bytes(tmp_path / "fresh")
