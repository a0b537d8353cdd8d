"""The remote converter: a farm of unoserver instances (`unoserver://HOST:PORT[,HOST:PORT…]`).

Each server converts one document at a time, so there is one client thread per server, all
taking documents from one queue. Documents travel as bytes over XML-RPC (the servers need not
see our files). A document the server cannot convert (an XML-RPC fault) is reported by name; a
server that stops answering or times out is dropped and its document goes back to the queue
for another server (twice at most, so one bad document cannot take the whole farm down).
"""

from __future__ import annotations

import http.client
import threading
import xmlrpc.client
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from dossier.convert.converter import (
    PDF_A_FILTER_OPTIONS,
    PDF_A_TAG,
    Conversion,
    Progress,
    Timeouts,
    estimate_pages,
    pdf_complete,
)
from dossier.errors import ToolError

CONNECT_TIMEOUT_S = 10.0
ATTEMPTS = 2
INSTALL_HINT = "pip install 'dossier[unoserver]'"


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def parse_endpoints(text: str) -> list[Endpoint]:
    """"h1:2003,h2:2003" → endpoints; ValueError naming the bad part."""
    endpoints = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        host, _, port = part.rpartition(":")
        host = host.strip("[]")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            # "not HOST:PORT"
            raise ValueError(f"'{part}' không có dạng HOST:PORT")
        endpoints.append(Endpoint(host, int(port)))
    if not endpoints:
        raise ValueError("không có máy chủ nào (HOST:PORT)")  # "no server given"
    return endpoints


class _Transport(xmlrpc.client.Transport):
    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host):
        connection = super().make_connection(host)
        connection.timeout = self.timeout
        return connection


def _proxy(endpoint: Endpoint, timeout: float) -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy(endpoint.url, transport=_Transport(timeout),
                                     allow_none=True)


def _api_version() -> str:
    try:
        from unoserver.client import API_VERSION
    except ImportError:
        # "the unoserver back-end needs the unoserver package"
        raise ToolError(f"bộ chuyển đổi unoserver cần gói unoserver: {INSTALL_HINT}") from None
    return str(API_VERSION)


TRANSPORT_ERRORS = (OSError, http.client.HTTPException, xmlrpc.client.ProtocolError)


@dataclass
class _Farm:
    total: int
    progress: Progress | None
    queue: deque[tuple[Path, int]] = field(default_factory=deque)
    active: int = 0
    alive: int = 0
    result: Conversion = field(default_factory=Conversion)
    lock: threading.Condition = field(default_factory=threading.Condition)


class UnoserverFarm:
    """Converter back-end: unoserver instances, one document at a time each."""

    def __init__(self, endpoints: list[Endpoint], timeouts: Timeouts | None = None,
                 pdf_a: bool = False):
        self.endpoints = endpoints
        self.pdf_a = pdf_a  # PDF/A-2b instead of plain PDF
        self.timeouts = timeouts or Timeouts(startup_s=0, per_document_s=60, per_page_s=10)
        self.live: list[Endpoint] = []
        self._version: str | None = None

    def warm_up(self) -> None:
        """The servers are already running."""

    def close(self) -> None:
        """Nothing to release: the servers are not ours."""

    def check(self) -> None:
        """Keep the servers that answer with our API version; fail when none does."""
        if self.live:
            return
        expected = _api_version()
        problems = []
        for endpoint in self.endpoints:
            try:
                info = _proxy(endpoint, CONNECT_TIMEOUT_S).info()
            except (*TRANSPORT_ERRORS, xmlrpc.client.Fault) as exc:
                problems.append(f"{endpoint}: {exc}")
                continue
            if str(info.get("api")) != expected:
                # "API version differs"
                problems.append(f"{endpoint}: phiên bản API {info.get('api')} ≠ {expected}")
                continue
            self.live.append(endpoint)
            self._version = self._version or (
                f"unoserver {info.get('unoserver')} api {expected}"
                + (f"; {PDF_A_TAG}" if self.pdf_a else ""))
        if not self.live:
            # "no unoserver server answered"
            raise ToolError("không kết nối được máy chủ unoserver nào: " + "; ".join(problems))

    @property
    def version(self) -> str:
        self.check()
        assert self._version is not None
        return self._version

    def convert(self, documents: list[Path], out_dir: Path,
                progress: Progress | None = None) -> Conversion:
        self.check()
        out_dir.mkdir(parents=True, exist_ok=True)
        farm = _Farm(len(documents), progress, deque((d, 0) for d in documents),
                     alive=len(self.live))
        threads = [threading.Thread(target=self._work, args=(farm, e, out_dir), daemon=True)
                   for e in self.live]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return farm.result

    def _work(self, farm: _Farm, endpoint: Endpoint, out_dir: Path) -> None:
        while (item := self._next(farm)) is not None:
            document, attempts = item
            try:
                outcome = self._convert_one(endpoint, document, out_dir)
            except TRANSPORT_ERRORS as exc:
                self._drop(farm, endpoint, document, attempts, exc)
                return
            with farm.lock:
                if isinstance(outcome, Path):
                    farm.result.pdfs[document] = outcome
                else:
                    farm.result.failed[document] = outcome
                farm.active -= 1
                if farm.progress:
                    farm.progress(len(farm.result.pdfs) + len(farm.result.failed), farm.total)
                farm.lock.notify_all()

    @staticmethod
    def _next(farm: _Farm) -> tuple[Path, int] | None:
        with farm.lock:
            while not farm.queue and farm.active:
                farm.lock.wait()
            if not farm.queue:
                return None
            farm.active += 1
            return farm.queue.popleft()

    def _convert_one(self, endpoint: Endpoint, document: Path, out_dir: Path) -> Path | str:
        timeout = self.timeouts.document(estimate_pages(document))
        try:
            result = _proxy(endpoint, timeout).convert(
                None, xmlrpc.client.Binary(document.read_bytes()), None, "pdf", None,
                PDF_A_FILTER_OPTIONS if self.pdf_a else [],
                False, None, None)
        except xmlrpc.client.Fault as fault:
            return f"unoserver {endpoint}: {fault.faultString.strip()[-300:]}"
        pdf = out_dir / f"{document.stem}.pdf"
        pdf.write_bytes(result.data if isinstance(result, xmlrpc.client.Binary) else b"")
        if not pdf_complete(pdf):
            pdf.unlink(missing_ok=True)
            return f"unoserver {endpoint}: không trả về PDF"  # "returned no PDF"
        return pdf

    @staticmethod
    def _drop(farm: _Farm, endpoint: Endpoint, document: Path, attempts: int,
              error: Exception) -> None:
        """The server failed: give its document to another one (or fail it), stop using it."""
        reason = f"unoserver {endpoint}: {error}"
        with farm.lock:
            farm.active -= 1
            farm.alive -= 1
            if attempts + 1 < ATTEMPTS and farm.alive:
                farm.queue.appendleft((document, attempts + 1))
            else:
                farm.result.failed[document] = reason
            if not farm.alive:
                while farm.queue:  # no server left for the rest
                    farm.result.failed[farm.queue.popleft()[0]] = reason
            farm.lock.notify_all()
