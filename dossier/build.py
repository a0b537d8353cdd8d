"""`dossier build`: analyse, then render, convert, bundle and write the output atomically.

The output is assembled in a temporary sibling folder and swapped into place only when complete,
so a failed or interrupted build leaves the previous output as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .analysis import Analysis, analyse
from .bundle import BundlePart, bundle, page_count
from .convert import convert_to_pdf
from .models import Finding
from .render import render_docx, template_path
from .selection_report import selection_markdown
from .verify import amount_word_findings

Progress = Callable[[str, int, int], None]


class BlockingFindings(Exception):
    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__(f"{len(findings)} blocking findings")


@dataclass
class BuildResult:
    analysis: Analysis
    out: Path
    bundle: Path | None
    documents: int
    pages: int


def build(root: Path, out: Path, as_of: dt.date, *, pdf: bool = True,
          progress: Progress | None = None) -> BuildResult:
    analysis = analyse(root, as_of)
    if analysis.blocking:
        raise BlockingFindings(analysis.blocking)
    report = progress or (lambda stage, done, total: None)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        result = _assemble(analysis, staging, pdf, report)
        _swap_into_place(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result.out = out
    result.bundle = out / result.bundle.name if result.bundle else None
    return result


def _assemble(analysis: Analysis, staging: Path, pdf: bool, report: Progress) -> BuildResult:
    campaign = analysis.campaign
    docx_dir = staging / "docx"
    docx_dir.mkdir()
    docx_paths = []
    for index, plan in enumerate(analysis.plans, start=1):
        data = render_docx(template_path(campaign.root, plan.template), plan.context,
                           _doc_date(analysis, plan.kind), plan.title)
        path = docx_dir / f"{plan.stem}.docx"
        path.write_bytes(data)
        docx_paths.append(path)
        report("render", index, len(analysis.plans))
    mismatches = amount_word_findings(docx_paths)
    if mismatches:
        raise BlockingFindings(mismatches)
    pdf_paths: list[Path] = []
    bundle_path = None
    pages = 0
    if pdf:
        report("convert", 0, 1)
        pdf_paths = convert_to_pdf(docx_paths, staging / "pdf")
        report("convert", 1, 1)
        bundle_path = staging / f"{campaign.id}-ho-so.pdf"
        parts = [BundlePart(p.title, pdf) for p, pdf in zip(analysis.plans, pdf_paths, strict=True)]
        pages = bundle(parts, bundle_path, f"Hồ sơ đề nghị khen thưởng – {campaign.name}")
        report("bundle", 1, 1)
    (staging / "selection.md").write_text(
        selection_markdown(campaign.name, analysis.selection), encoding="utf-8")
    manifest = _manifest(analysis, staging, docx_paths, pdf_paths, bundle_path, pages)
    (staging / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return BuildResult(analysis, staging, bundle_path, len(docx_paths), pages)


def _doc_date(analysis: Analysis, kind: str) -> dt.date:
    campaign = analysis.campaign
    return {"to_trinh": campaign.to_trinh["date"], "bien_ban": campaign.bien_ban["date"]}.get(
        kind, campaign.bao_cao_date)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _manifest(analysis: Analysis, staging: Path, docx_paths: list[Path], pdf_paths: list[Path],
              bundle_path: Path | None, pages: int) -> dict:
    campaign = analysis.campaign
    documents = []
    for index, (plan, docx) in enumerate(zip(analysis.plans, docx_paths, strict=True)):
        entry = {
            "kind": plan.kind,
            "title": plan.title,
            "nominee_id": plan.nominee_id,
            "template": plan.template,
            "docx": docx.relative_to(staging).as_posix(),
            "sha256": _sha256(docx),
            "required_copies": plan.copies,
        }
        if pdf_paths:
            entry["pdf"] = pdf_paths[index].relative_to(staging).as_posix()
            entry["pages"] = page_count(pdf_paths[index])
        documents.append(entry)
    return {
        "manifest_version": 1,
        "generator": f"dossier {__version__}",
        "campaign": campaign.id,
        "regime": campaign.regime,
        "as_of": analysis.as_of.isoformat(),
        "required_documents": [
            {"kind": d.kind, "title": d.title, "per": d.per, "copies": d.copies}
            for d in campaign.documents
        ],
        "awardees": len(analysis.selection.awardees),
        "total_prize": sum(a.amount or 0 for a in analysis.selection.awardees),
        "documents": documents,
        "bundle": ({"path": bundle_path.name, "sha256": _sha256(bundle_path), "pages": pages}
                   if bundle_path else None),
        "findings": [{"code": f.code, "severity": f.severity, "message": f.message}
                     for f in analysis.findings],
    }


def _swap_into_place(staging: Path, out: Path) -> None:
    """Replace `out` by `staging`. Between the two renames the old output is kept aside, never
    mixed with the new one; a leftover `.old` folder is removed on the next build."""
    for leftover in out.parent.glob(f".{out.name}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    if out.exists():
        aside = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        aside.rmdir()
        out.rename(aside)
        staging.rename(out)
        shutil.rmtree(aside, ignore_errors=True)
    else:
        staging.rename(out)
    out.chmod(0o755)
