"""Convert .docx to PDF with headless LibreOffice, every file in one batch call.

A private profile directory (-env:UserInstallation) lets several conversions run side by side
and keeps the user's own LibreOffice settings out of it. The process runs in its own session so a
hang is ended with its whole process group, leaving no orphan soffice behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from .errors import ToolError

BASE_TIMEOUT_S = 120
PER_FILE_TIMEOUT_S = 5
INSTALL_HINT = ("cài LibreOffice: apt-get install -y --no-install-recommends "
                "libreoffice-writer-nogui fonts-liberation2")


def find_soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise ToolError(f"không tìm thấy LibreOffice (soffice); {INSTALL_HINT}")
    return found


def convert_to_pdf(documents: list[Path], out_dir: Path) -> list[Path]:
    """Convert all `documents` into `out_dir`; return the PDFs in the same order."""
    if not documents:
        return []
    soffice = find_soffice()
    out_dir.mkdir(parents=True, exist_ok=True)
    timeout = BASE_TIMEOUT_S + PER_FILE_TIMEOUT_S * len(documents)
    with tempfile.TemporaryDirectory(prefix="dossier-lo-") as profile:
        command = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                   "--norestore", "--nolockcheck", "--convert-to", "pdf",
                   "--outdir", str(out_dir), *map(str, documents)]
        _run(command, timeout)
    pdfs = [out_dir / f"{doc.stem}.pdf" for doc in documents]
    missing = [doc.name for doc, pdf in zip(documents, pdfs, strict=True) if not pdf.is_file()]
    if missing:
        # "LibreOffice did not convert: …"
        raise ToolError(f"LibreOffice không chuyển được sang PDF: {', '.join(missing)}")
    return pdfs


def _run(command: list[str], timeout: float) -> None:
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise ToolError(f"LibreOffice quá thời gian ({timeout:.0f} giây) khi chuyển PDF") from None
    if process.returncode != 0:
        detail = stderr.decode(errors="replace").strip()[-500:]
        raise ToolError(f"LibreOffice lỗi (mã {process.returncode}): {detail}")


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
