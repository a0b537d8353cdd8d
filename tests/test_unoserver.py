"""The unoserver back-end against real unoserver instances started here on 127.0.0.1.

unoserver's server runs under a Python that has LibreOffice's `uno` module (on Debian:
apt-get install python3-uno); our client only needs the `unoserver` package (the `unoserver`
and `test` extras). Without them these tests are skipped, and the skip says why."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from dossier.build import build
from dossier.checks.analysis import analyse
from dossier.convert.converter import pdf_complete
from dossier.convert.unoserver import Endpoint, UnoserverFarm
from dossier.documents.render import render_docx, template_path
from dossier.errors import ToolError

from .conftest import AS_OF, EXAMPLE

UNO_PYTHONS = (sys.executable, "/usr/bin/python3", "/usr/lib/libreoffice/program/python")


def _uno_python() -> str | None:
    for candidate in UNO_PYTHONS:
        if Path(candidate).exists() and subprocess.run(
                [candidate, "-c", "import uno"], capture_output=True).returncode == 0:
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _unoserver_path(tmp: Path) -> Path:
    """A folder holding only the unoserver package (and its metadata), for the server's
    Python: the rest of our virtualenv stays out of it."""
    spec = importlib.util.find_spec("unoserver")
    assert spec and spec.origin
    package = Path(spec.origin).parent
    folder = tmp / "pythonpath"
    folder.mkdir()
    (folder / "unoserver").symlink_to(package)
    for info in package.parent.glob("unoserver-*.dist-info"):
        (folder / info.name).symlink_to(info)
    return folder


def _wait_ready(endpoint: Endpoint, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"unoserver stopped: {log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(ToolError):
            UnoserverFarm([endpoint]).check()
            return
        time.sleep(0.3)
    pytest.fail(f"unoserver {endpoint} did not answer in 90 s")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    if importlib.util.find_spec("unoserver") is None:
        pytest.skip("the unoserver client package is not installed: "
                    "pip install -e '.[unoserver]' (or '.[test]')")
    python = _uno_python()
    if python is None:
        pytest.skip("no Python with LibreOffice's uno module here (tried "
                    f"{', '.join(UNO_PYTHONS)}): on Debian, apt-get install python3-uno")
    tmp = tmp_path_factory.mktemp("unoserver")
    env = {**os.environ, "PYTHONPATH": str(_unoserver_path(tmp))}
    started = []
    for index in range(2):
        endpoint = Endpoint("127.0.0.1", _free_port())
        profile = tmp / f"profile-{index}"
        log = tmp / f"server-{index}.log"
        command = [python, "-m", "unoserver.server", "--interface", "127.0.0.1",
                   "--port", str(endpoint.port), "--uno-port", str(_free_port()),
                   "--user-installation", str(profile)]
        with log.open("wb") as handle:
            process = subprocess.Popen(command, env=env, stdout=handle, stderr=handle,
                                       start_new_session=True)
        started.append((endpoint, process, log))
    try:
        for endpoint, process, log in started:
            _wait_ready(endpoint, process, log)
        yield [endpoint for endpoint, _, _ in started]
    finally:
        for _, process, _ in started:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        left = subprocess.run(["pgrep", "-af", str(tmp)], capture_output=True, text=True)
        assert [line for line in left.stdout.splitlines() if "pgrep" not in line] == []


@pytest.fixture(scope="module")
def documents(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("docs")
    analysis = analyse(EXAMPLE, AS_OF)
    paths = []
    for plan in analysis.plans[:4]:
        path = folder / f"{plan.stem}.docx"
        path.write_bytes(render_docx(template_path(EXAMPLE, plan.template), plan.context,
                                     dt.date(2024, 12, 20), plan.title))
        paths.append(path)
    return paths


def test_farm_converts_and_reports_a_corrupt_document(servers, documents, tmp_path):
    corrupt = tmp_path / "02b-hong.docx"
    corrupt.write_bytes(documents[0].read_bytes()[:3000])
    docs = [*documents[:2], corrupt, *documents[2:]]
    seen = []
    result = UnoserverFarm(servers).convert(docs, tmp_path / "pdf",
                                           lambda done, total: seen.append(done))
    assert list(result.failed) == [corrupt]
    assert "02b-hong" not in " ".join(p.name for p in (tmp_path / "pdf").iterdir())
    assert sorted(result.pdfs) == sorted(documents)
    for pdf in result.pdfs.values():
        assert pdf_complete(pdf) and len(PdfReader(pdf).pages) >= 1
    assert sorted(seen) == [1, 2, 3, 4, 5]


def test_a_dead_server_is_skipped(servers, documents, tmp_path):
    dead = Endpoint("127.0.0.1", _free_port())
    farm = UnoserverFarm([dead, servers[0]])
    result = farm.convert(documents, tmp_path / "pdf")
    assert farm.live == [servers[0]]
    assert sorted(result.pdfs) == sorted(documents) and not result.failed


def test_no_server_answering_is_a_tool_error(tmp_path):
    farm = UnoserverFarm([Endpoint("127.0.0.1", _free_port())])
    with pytest.raises(ToolError, match="unoserver"):
        farm.check()


def test_build_through_the_farm(servers, tmp_path):
    spec = "unoserver://" + ",".join(str(e) for e in servers)
    result = build(EXAMPLE, tmp_path / "out", AS_OF, converter=spec)
    reader = PdfReader(result.bundle)
    assert [item.title for item in reader.outline][:2] == ["Tờ trình", "Biên bản họp xét"]
    assert len(reader.pages) == result.pages
