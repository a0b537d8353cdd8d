"""Write the docxtpl templates of the award dossier into ``dossier/templates/``.

The layout follows NĐ 30/2020/NĐ-CP, Phụ lục I (A4 portrait, Times New Roman, margins 20/20/30/15
mm, header table with the agency on the left and the Quốc hiệu / Tiêu ngữ on the right, …). The
variables each template prints are described in ``docs/template-context.md``.

Every part of a document is built by small shared functions (header table, danh sách table,
signature table, styled paragraphs); a template function only lists what is specific to it.
The output is deterministic: the same script writes byte-identical files (the zip entries carry a
fixed timestamp), so the committed templates can be checked against a fresh build.

Jinja tags are always written with ONE ``add_run`` call so that Word never splits a tag across
runs, and every ``{%p``/``{%tr`` tag sits alone in its own paragraph / table row, as docxtpl needs.

Usage: python tools/build_templates.py [--out DIR]
"""

from __future__ import annotations

import argparse
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from docx.document import Document as DocumentObject
from nd30.bao_cao import bao_cao, bao_cao_tom_tat
from nd30.bien_ban import bien_ban
from nd30.quyet_dinh import quyet_dinh
from nd30.to_trinh import to_trinh

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "dossier" / "templates"

TEMPLATES: dict[str, Callable[[], DocumentObject]] = {
    "to_trinh.docx": to_trinh,
    "bien_ban.docx": bien_ban,
    "bao_cao_tap_the.docx": lambda: bao_cao(individual=False),
    "bao_cao_ca_nhan.docx": lambda: bao_cao(individual=True),
    "bao_cao_tom_tat.docx": bao_cao_tom_tat,
    "quyet_dinh.docx": quyet_dinh,
}

# --------------------------------------------------------------------------------------------
# Deterministic saving
# --------------------------------------------------------------------------------------------


def save_deterministic(doc: DocumentObject, path: Path) -> None:
    """Save with a fixed timestamp on every zip entry, so that a rebuild is byte-identical."""
    buffer = io.BytesIO()
    doc.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(out.getvalue())
    tmp.replace(path)


def build(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in TEMPLATES.items():
        path = out_dir / name
        save_deterministic(make(), path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
