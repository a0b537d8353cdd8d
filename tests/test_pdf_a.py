"""`build --pdf-a`: every document's PDF is PDF/A-2b (LibreOffice's PDF/A export), its fonts
embedded; a plain PDF in the cache is never taken for one; signing keeps the identification."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from pypdf import PdfReader

from dossier.build import build
from dossier.cli.main import main
from dossier.convert.local_pool import LocalPool
from dossier.output.cache import Cache
from tests.conftest import AS_OF, EXAMPLE
from tests.signing_keys import PIN, make_keys

PART = re.compile(rb"pdfaid:part(?:>|=\")\s*2")
CONFORMANCE = re.compile(rb"pdfaid:conformance(?:>|=\")\s*B", re.I)


def pdf_a_identification(path: Path) -> bytes:
    reader = PdfReader(path)
    return reader.trailer["/Root"]["/Metadata"].get_object().get_data()


def unembedded_fonts(path: Path) -> list[str]:
    missing = []
    for page in PdfReader(path).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            for part in [font, *[f.get_object() for f in font.get("/DescendantFonts", [])]]:
                descriptor = part.get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    missing.append(str(part.get("/BaseFont")))
    return missing


def test_pdf_a_build_writes_pdf_a_2b_with_embedded_fonts(built, tmp_path):
    plain = Path(built.out) / "pdf" / "01-to-trinh.pdf"
    assert not PART.search(pdf_a_identification(plain) if "/Metadata" in
                           PdfReader(plain).trailer["/Root"] else b"")

    out = tmp_path / "output"
    result = build(EXAMPLE, out, AS_OF, pdf=True, cache=Cache(tmp_path / "cache"), pdf_a=True)
    pdfs = sorted((Path(result.out) / "pdf").glob("*.pdf"))
    assert len(pdfs) == 8
    for pdf in pdfs:
        xmp = pdf_a_identification(pdf)
        assert PART.search(xmp) and CONFORMANCE.search(xmp), pdf.name
        assert unembedded_fonts(pdf) == [], pdf.name

    # signing keeps the PDF/A identification (an incremental update keeps the catalog's XMP)
    keys = make_keys(tmp_path / "keys")
    runner = CliRunner()
    signed = runner.invoke(main, ["sign", str(out), "--role", "signer", "--p12",
                                  str(keys.signer.p12), "--image", str(keys.signature_png)],
                           env={"DOSSIER_PIN": PIN})
    assert signed.exit_code == 0, signed.output
    assert PART.search(pdf_a_identification(out / "signed" / "pdf" / "01-to-trinh.pdf"))


def test_pdf_a_is_part_of_the_converters_version_so_the_cache_keeps_them_apart():
    assert LocalPool(pdf_a=True).version != LocalPool().version
    assert LocalPool(pdf_a=True).version.endswith("PDF/A-2b")


def test_build_command_offers_pdf_a():
    help_text = CliRunner().invoke(main, ["build", "--help"]).output
    assert "--pdf-a" in help_text and "PDF/A-2b" in help_text
