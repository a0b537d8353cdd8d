"""A content-addressed cache of rendered .docx and converted PDFs, for incremental builds.

- A .docx is keyed by what it is made of: the template's bytes, the document's context (every
  value, canonically serialised), its date and title, and the renderer (this package's version,
  docxtpl's, and the source of `render.py`). Same key, same bytes: rendering is deterministic.
- A PDF is keyed by the sha256 of its .docx and the converter's version (LibreOffice version
  and the serif font it prints with), and stored with its page count and the bundler's parsed
  form of it (a chunk), so an unchanged PDF is not parsed again either.

Entries are written to a temporary name and renamed, so a build that is killed leaves no half
entry and two builds may share the cache. Only documents that passed every check are stored.
`dossier clean` empties it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from docxtpl import RichText

from . import __version__, render

CACHE_ENV = "DOSSIER_CACHE_DIR"
LAYOUT = "v1"


def default_cache_dir() -> Path:
    """$DOSSIER_CACHE_DIR, else $XDG_CACHE_HOME/dossier, else ~/.cache/dossier."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dossier"


RENDERER_SOURCES = ("render.py", "literal.py")  # what turns a context into .docx bytes


def _renderer_id() -> str:
    folder = Path(render.__file__).parent
    sources = hashlib.sha256()
    for name in RENDERER_SOURCES:
        if (folder / name).is_file():
            sources.update((folder / name).read_bytes())
    return "|".join((__version__, metadata.version("docxtpl"), sources.hexdigest()[:16]))


class Uncacheable(TypeError):
    """The context holds a value whose content we cannot serialise: render it every time."""


def _encode(value: Any) -> Any:
    """JSON for the values json does not know; dicts keep their order (a template that loops
    over a dict prints it in that order), true and 1 stay apart."""
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, RichText):
        return {"RichText": value.xml}
    raise Uncacheable(type(value).__name__)


def digest(*parts: Any) -> str:
    """sha256 of the parts' content; Uncacheable when a value's content cannot be read."""
    try:
        payload = json.dumps(parts, default=_encode, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:  # also: dict keys that are not strings or numbers
        raise Uncacheable(str(exc)) from None
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CacheStats:
    files: int
    bytes: int


class Cache:
    """A cache directory shared by every build of this user (see `default_cache_dir`)."""

    def __init__(self, root: Path | None = None):
        self.root = (root or default_cache_dir()) / LAYOUT
        self._renderer = _renderer_id()
        self._templates: dict[Path, str] = {}

    def docx_key(self, template: Path, context: dict[str, Any], doc_date: dt.date,
                 title: str) -> str | None:
        """None when the context cannot be keyed (the document is then always rendered)."""
        if template not in self._templates:
            self._templates[template] = hashlib.sha256(template.read_bytes()).hexdigest()
        try:
            return digest(self._renderer, self._templates[template], context, doc_date, title)
        except Uncacheable:
            return None

    @staticmethod
    def pdf_key(docx_sha256: str, converter_version: str) -> str:
        return digest(docx_sha256, converter_version)

    def _path(self, kind: str, key: str, suffix: str) -> Path:
        return self.root / kind / key[:2] / f"{key}{suffix}"

    def get_docx(self, key: str | None) -> bytes | None:
        if key is None:
            return None
        try:
            return self._path("docx", key, ".docx").read_bytes()
        except OSError:
            return None

    def put_docx(self, key: str | None, data: bytes) -> None:
        if key is not None:
            self._write(self._path("docx", key, ".docx"), data)

    def get_pdf(self, key: str, target: Path) -> int | None:
        """Copy the cached PDF to `target`; return its page count, or None on a miss."""
        path = self._path("pdf", key, ".pdf")
        try:
            pages = int(self._path("pdf", key, ".pages").read_text(encoding="ascii"))
            shutil.copyfile(path, target)
        except (OSError, ValueError):
            return None
        return pages

    def put_pdf(self, key: str, source: Path, pages: int) -> None:
        self._write(self._path("pdf", key, ".pdf"), source.read_bytes())
        self._write(self._path("pdf", key, ".pages"), str(pages).encode("ascii"))

    def get_chunk(self, key: str) -> bytes | None:
        """The bundler's parsed form of a cached PDF (see bundle.Chunk)."""
        try:
            return self._path("pdf", key, ".chunk").read_bytes()
        except OSError:
            return None

    def put_chunk(self, key: str, data: bytes) -> None:
        self._write(self._path("pdf", key, ".chunk"), data)

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @property
    def profiles(self) -> Path:
        """Where the local LibreOffice workers keep their profiles between builds."""
        return self.root.parent / "libreoffice"

    def stats(self) -> CacheStats:
        files = [p for folder in (self.root, self.profiles) if folder.is_dir()
                 for p in folder.rglob("*") if p.is_file()]
        return CacheStats(len(files), sum(p.stat().st_size for p in files))

    def clear(self) -> CacheStats:
        """Remove every entry and the LibreOffice profiles; return what was removed."""
        removed = self.stats()
        shutil.rmtree(self.root, ignore_errors=True)
        shutil.rmtree(self.profiles, ignore_errors=True)
        return removed
