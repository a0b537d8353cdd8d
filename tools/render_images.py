"""Regenerate the pictures in docs/img/: the first page of each document kind for each example
(and each round), as the examples build today.

Usage: python tools/render_images.py [--out docs/img] [--layout tests/layout_expectations.json]

Every example is built with the day its test builds it on (tests/test_examples.py), into a
temporary folder; the first page of the first document of each kind is rendered with poppler
(`pdftoppm -r 60 -png`) to `<example>[-<round>]-<kind>.png`; the README shows them. Prints one
line per picture. `--layout` also writes, for those same documents, the first line of every
page (`layout_check.page_outline`): tests/test_examples.py compares each build against it, so a
template change that moves a signature or a list to another page fails a test until the
pictures and the expectation are regenerated together.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import tempfile
from pathlib import Path

from dossier.build import build_rounds
from dossier.documents.layout_check import page_outline

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = {  # the day each example is built on, as in tests/test_examples.py
    "cantho-2024-so-hoa": dt.date(2024, 12, 20),
    "cantho-2024-tthc": dt.date(2025, 1, 9),
    "haugiang-2023-dvctt": dt.date(2024, 1, 15),
    "govap-2022-2025-cds": dt.date(2025, 6, 16),
}
DPI = "60"


def _picture_kind(document: dict) -> str | None:
    kind = document["kind"]
    if kind == "bao_cao_thanh_tich":
        return "bao_cao_ca_nhan" if str(document["nominee_id"]).startswith("CN") else (
            "bao_cao_tap_the")
    return None if kind == "attachment" else kind


def _first_page(pdf: Path, target: Path) -> None:
    subprocess.run(["pdftoppm", "-r", DPI, "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(target.with_suffix(""))], check=True)


def picture_documents(manifest: dict) -> dict[str, dict]:
    """The first document of each kind: the ones pictured and outlined."""
    chosen: dict[str, dict] = {}
    for document in manifest["documents"]:
        kind = _picture_kind(document)
        if kind is not None and kind not in chosen and document.get("pdf"):
            chosen[kind] = document
    return chosen


def render(out: Path, layout: dict | None = None) -> list[tuple[str, str, Path]]:
    out.mkdir(parents=True, exist_ok=True)
    made = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, day in EXAMPLES.items():
            for result in build_rounds(ROOT / "examples" / name, Path(tmp) / name, day):
                label = name + (f"-{result.analysis.campaign.round_id}"
                                if result.analysis.campaign.round_id else "")
                manifest = json.loads((result.out / "manifest.json").read_text("utf-8"))
                for kind, document in picture_documents(manifest).items():
                    target = out / f"{label}-{kind}.png"
                    _first_page(result.out / document["pdf"], target)
                    made.append((label, kind, target))
                    if layout is not None:
                        layout.setdefault(label, {})[kind] = page_outline(
                            result.out / document["pdf"])
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    parser.add_argument("--layout", type=Path, default=None,
                        help="also write the pages' first lines (tests/layout_expectations.json)")
    args = parser.parse_args(argv)
    layout: dict | None = {} if args.layout else None
    made = render(args.out, layout)
    if args.layout:
        args.layout.write_text(json.dumps(layout, ensure_ascii=False, indent=1) + "\n",
                               encoding="utf-8")
    for label, kind, path in made:
        print(f"{label}\t{kind}\t{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
