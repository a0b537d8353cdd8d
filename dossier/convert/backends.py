"""Pick a converter back-end from `--converter` and convert a list of documents with it.

- the local pool (default): `--jobs N` headless LibreOffice workers on this machine, each with
  its own profile, converting batches (`local_pool.LocalPool`), documents of one template
  merged into one LibreOffice document per batch (`merged.MergingConverter`);
- a farm of unoserver instances: `--converter unoserver://HOST:PORT[,HOST:PORT…]`
  (`unoserver.UnoserverFarm`).
"""

from __future__ import annotations

from pathlib import Path

from dossier.convert.converter import UNOSERVER_SCHEME, Converter, raise_for_failures
from dossier.errors import ToolError


def make_converter(spec: str | None = None, jobs: int | None = None,
                   profile_root: Path | None = None, pdf_a: bool = False) -> Converter:
    """`None` or "local": the local pool (LibreOffice profiles kept under `profile_root` if
    given); "unoserver://h:p[,h:p…]": a unoserver farm. `pdf_a`: PDF/A-2b."""
    if spec in (None, "", "local"):
        from dossier.convert.local_pool import LocalPool
        from dossier.convert.merged import MARKED_PDF_FILTER, MergingConverter

        if pdf_a:  # PDF/A's metadata is the whole file's: documents are converted alone
            return LocalPool(jobs=jobs, profile_root=profile_root, pdf_a=True)
        pool = LocalPool(jobs=jobs, profile_root=profile_root, export_filter=MARKED_PDF_FILTER)
        return MergingConverter(pool)
    if spec.startswith(UNOSERVER_SCHEME):
        from dossier.convert.unoserver import UnoserverFarm, parse_endpoints

        return UnoserverFarm(parse_endpoints(spec.removeprefix(UNOSERVER_SCHEME)), pdf_a=pdf_a)
    # "unknown converter; use local or unoserver://HOST:PORT[,HOST:PORT…]"
    raise ToolError(f"bộ chuyển đổi không hợp lệ '{spec}': dùng 'local' hoặc "
                    "'unoserver://HOST:PORT[,HOST:PORT…]'")


def validate_spec(spec: str) -> str:
    """The spec if `make_converter` accepts it; ValueError saying what is wrong otherwise."""
    if spec == "local":
        return spec
    if not spec.startswith(UNOSERVER_SCHEME):
        # "use local or unoserver://HOST:PORT[,HOST:PORT…]"
        raise ValueError("dùng 'local' hoặc 'unoserver://HOST:PORT[,HOST:PORT…]'")
    from dossier.convert.unoserver import parse_endpoints

    parse_endpoints(spec.removeprefix(UNOSERVER_SCHEME))
    return spec


def convert_to_pdf(documents: list[Path], out_dir: Path,
                   converter: Converter | None = None) -> list[Path]:
    """Convert all `documents` into `out_dir`; return the PDFs in the same order, or raise
    ToolError naming every document that failed."""
    if not documents:
        return []
    converter = converter or make_converter()
    converter.check()
    result = converter.convert(documents, out_dir)
    raise_for_failures(result)
    return [result.pdfs[doc] for doc in documents]
