"""The bad-input corpus (tests/bad_inputs/cases.yaml) through the real command line.

Each case copies the Cần Thơ example, breaks it as the case says (tests/bad_inputs/breakers.py)
and runs `dossier build` over a previous output. Every case: the exit status it names (2 bad
input, 1 findings, 0 for inputs that must be read correctly), each expected fragment (file, row,
column, message) in the output, no traceback, and for a failure the previous output byte for
byte as it was, with nothing left beside it.
"""

from __future__ import annotations

import json
import traceback
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from docx import Document

from dossier.cli.main import main

from .bad_inputs.breakers import make_campaign

CASES = yaml.safe_load((Path(__file__).parent / "bad_inputs" / "cases.yaml")
                       .read_text(encoding="utf-8"))


def previous_output(out: Path, changes: dict | None = None) -> dict[str, bytes]:
    """A complete earlier output, changed as a case's `out` says (`files`: more files in it,
    `manifest`: the text of its manifest.json instead), and its snapshot."""
    (out / "docx").mkdir(parents=True)
    (out / "docx" / "01-to-trinh.docx").write_bytes(b"the previous Tto trinh")
    (out / "selection.md").write_text("# previous\n", encoding="utf-8")
    written = {"files": ["docx/01-to-trinh.docx", "manifest.json", "selection.md"],
               "folders": ["docx"]}  # dossier's own mark: the next build may replace it
    (out / "manifest.json").write_text(json.dumps(
        {"format": "dossier-output", "manifest_version": 2, "written": written}) + "\n",
        encoding="utf-8")
    for name, text in (changes or {}).get("files", {}).items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text, encoding="utf-8")
    if "manifest" in (changes or {}):
        (out / "manifest.json").write_text(changes["manifest"], encoding="utf-8")
    return snapshot(out)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def document_text(path: Path) -> str:
    doc = Document(path)
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def test_the_corpus_is_large_and_named_uniquely():
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids))
    assert len([c for c in CASES if c["exit"] != 0]) >= 40


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_case(case: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path / "cache"))
    root = make_campaign(tmp_path / "campaign", case.get("break", []))
    out = tmp_path / "out"
    before = previous_output(out, case.get("out"))
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(out), "--as-of",
                                       str(case.get("as_of", "2024-12-20")), "--no-pdf", "-q"])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail("".join(traceback.format_exception(result.exception)))
    assert "Traceback" not in result.output
    assert result.exit_code == case["exit"], result.output
    for fragment in case.get("expect", []):
        assert fragment in result.output, result.output
    if case["exit"]:
        assert snapshot(out) == before, "the previous output changed"
    else:
        assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["documents"]
        printed = document_text(out / "docx" / "01-to-trinh.docx")
        for text in case.get("prints", []):
            assert text in printed
    beside = {p.name for p in tmp_path.iterdir()} - {"campaign", "cache"}
    assert beside == {"out"}, "something was left beside the output"
