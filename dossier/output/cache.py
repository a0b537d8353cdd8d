"""A content-addressed cache of rendered .docx and converted PDFs, for incremental builds.

- A .docx is keyed by what it is made of: the template's bytes, the document's context (every
  value, canonically serialised), its date and title, and the renderer (this package's version,
  docxtpl's, and the source of `render.py`). Same key, same bytes: rendering is deterministic.
- A PDF is keyed by the sha256 of its .docx and the converter's version (LibreOffice version
  and the serif font it prints with), and stored with its page count and the bundler's parsed
  form of it (a chunk), so an unchanged PDF is not parsed again either.
- An entry and an output share one file: the output folder gets a hard link to the entry
  (a copy where links cannot be made, e.g. across file systems), and a fresh document is linked
  into the cache. An incremental build thus copies, flushes and deletes almost no data. The
  entry's size and modification time are recorded beside it (`.meta`, with its sha256 or page
  count): a file edited in place in an output folder no longer matches, and is made again.

Entries are written to a temporary name and renamed, so a build that is killed leaves no half
entry and two builds may share the cache. Only documents that passed every check are stored.
`dossier clean` empties it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from docxtpl import RichText

from dossier import __version__
from dossier.documents import render

CACHE_ENV = "DOSSIER_CACHE_DIR"
LAYOUT = "v2"  # v1 stored copies and page counts in .pages files


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

    def place_docx(self, key: str | None, target: Path) -> str | None:
        """Put the cached .docx at `target`; its sha256, or None on a miss."""
        if key is None:
            return None
        return self._place(self._path("docx", key, ".docx"), target, "sha256", str)

    def put_docx(self, key: str | None, source: Path, sha256: str) -> None:
        if key is not None:
            self._store(source, self._path("docx", key, ".docx"), {"sha256": sha256})

    def place_pdf(self, key: str, target: Path) -> int | None:
        """Put the cached PDF at `target`; its page count, or None on a miss."""
        return self._place(self._path("pdf", key, ".pdf"), target, "pages", int)

    def put_pdf(self, key: str, source: Path, pages: int) -> None:
        self._store(source, self._path("pdf", key, ".pdf"), {"pages": pages})

    def get_chunk(self, key: str) -> bytes | None:
        """The bundler's parsed form of a cached PDF (see bundle.Chunk)."""
        try:
            return self._path("pdf", key, ".chunk").read_bytes()
        except OSError:
            return None

    def put_chunk(self, key: str, data: bytes) -> None:
        self._write(self._path("pdf", key, ".chunk"), data)

    def _place(self, entry: Path, target: Path, fact: str, kind: type) -> Any:
        """Link (else copy) `entry` to `target` if it is still the file the cache wrote; the
        `fact` recorded with it, or None (and nothing at `target`).

        Outputs share their files with the cache (a hard link costs no copy, no flush and no
        disk space); a file edited in place in an output folder edits the entry too, which its
        size and modification time then betray: such an entry is a miss, made again."""
        try:
            meta = json.loads(entry.with_suffix(".meta").read_text(encoding="utf-8"))
            facts = entry.stat()
        except (OSError, ValueError):
            return None
        if not (isinstance(meta, dict) and isinstance(meta.get(fact), kind)
                and meta.get("file") == [facts.st_size, facts.st_mtime_ns]):
            return None
        try:
            _link_or_copy(entry, target)
        except FileExistsError:
            raise
        except OSError:
            target.unlink(missing_ok=True)
            return None
        return meta[fact]

    def _store(self, source: Path, entry: Path, meta: dict[str, Any]) -> None:
        """Make `entry` the file `source` (linked, else copied) and record its facts. Best
        effort, as every write to the cache: a cache that cannot be written (full, read-only,
        broken) makes the next build slower, never this one fail."""
        temporary = entry.with_name(f".tmp-{os.getpid()}-{threading.get_ident()}-{entry.name}")
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            temporary.unlink(missing_ok=True)
            _link_or_copy(source, temporary)
            facts = temporary.stat()
            os.replace(temporary, entry)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            return
        meta = {**meta, "file": [facts.st_size, facts.st_mtime_ns]}
        self._write(entry.with_suffix(".meta"), json.dumps(meta).encode("utf-8"))

    def _write(self, path: Path, data: bytes) -> None:
        """Write `path` whole (temporary name, then rename); best effort, as `_store`."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        except OSError:
            return
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
        except OSError:
            with contextlib.suppress(OSError):
                Path(temporary).unlink(missing_ok=True)

    @property
    def profiles(self) -> Path:
        """Where the local LibreOffice workers keep their profiles between builds."""
        return self.root.parent / "libreoffice"

    def _folders(self) -> list[Path]:
        """This layout, older ones (v1, …) and the profiles."""
        return [*sorted(self.root.parent.glob("v[0-9]*")), self.profiles]

    def stats(self) -> CacheStats:
        files = [p for folder in self._folders() if folder.is_dir()
                 for p in folder.rglob("*") if p.is_file()]
        return CacheStats(len(files), sum(p.stat().st_size for p in files))

    def clear(self) -> CacheStats:
        """Remove every entry (of every layout) and the LibreOffice profiles; return what was
        removed. Outputs keep their files: they are links, not the only name of the data."""
        removed = self.stats()
        for folder in self._folders():
            shutil.rmtree(folder, ignore_errors=True)
        return removed


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link; a copy where the file system cannot link (another device, no support)."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise  # never write through a name that exists: it may be a link to an entry
    except OSError:
        shutil.copyfile(source, target)
