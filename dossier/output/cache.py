"""A content-addressed cache of rendered .docx and converted PDFs, for incremental builds.

- A .docx is keyed by what it is made of: the template's bytes, the document's context (every
  value, canonically serialised), its date and title, and the renderer (this package's version,
  docxtpl's, and the source of `render.py`). Same key, same bytes: rendering is deterministic.
- A PDF is keyed by the sha256 of its .docx and the converter's version (LibreOffice version
  and the serif font it prints with), and stored with its page count and the bundler's parsed
  form of it (a chunk), so an unchanged PDF is not parsed again either; and the layout
  check's findings on it (`.layout`, keyed by the PDF's key and what the check reads), so an
  unchanged document is not read back either.
- An entry and an output share one file: the output folder gets a hard link to the entry
  (a copy where links cannot be made, e.g. across file systems), and a fresh document is linked
  into the cache. An incremental build thus copies, flushes and deletes almost no data. The
  entry's sha256, size and modification time are recorded beside it (`.meta`, with its page
  count for a PDF): a file edited in place in an output folder no longer matches, and is made
  again. The content is hashed on every hit (cheap next to rendering or converting), so an
  edit that keeps size and modification time (`dd conv=notrunc; touch -r`) is caught too.

Entries are written to a temporary name and renamed, so a build that is killed leaves no half
entry and two builds may share the cache. Only documents that passed every check are stored.

The cache's folders (this layout `v2`, older ones, LibreOffice's profiles `libreoffice`) carry
dossier's mark (`marks`); a folder of those names without it is used, and deleted by
`dossier clean`, only when it holds nothing but what the cache writes there (folders of an
earlier version, before the mark); any other is left alone: no cache (or temporary profiles)
for the build, kept and named by `clean`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import stat
import tempfile
import threading
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from docxtpl import RichText

from dossier import __version__
from dossier.documents import render
from dossier.output import marks
from dossier.output.cache_folders import (
    LAYOUT,
    default_cache_dir,
    is_cache_layout,
    is_own_folder,
    is_profiles_layout,
    own_folder,
    profile_root,
    profiles_folder,
)
from dossier.output.digest import file_sha256

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
    kept: tuple[Path, ...] = ()  # folders named like the cache's but not dossier's


@dataclass(frozen=True)
class CachedPdf:
    pages: int
    sha256: str


class Cache:
    """A cache directory shared by every build of this user (see `default_cache_dir`)."""

    def __init__(self, root: Path | None = None):
        self.root = (root or default_cache_dir()) / LAYOUT
        self._renderer = _renderer_id()
        self._templates: dict[Path, str] = {}
        self._usable: bool | None = None

    def usable(self) -> bool:
        """The cache's folder is dossier's (made so if missing): else no cache this build."""
        if self._usable is None:
            self._usable = own_folder(self.root)
        return self._usable

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
        meta = self._place(self._path("docx", key, ".docx"), target, "sha256")
        return meta["sha256"] if meta is not None else None

    def put_docx(self, key: str | None, source: Path, sha256: str) -> None:
        if key is not None:
            self._store(source, self._path("docx", key, ".docx"), {"sha256": sha256})

    def place_pdf(self, key: str, target: Path) -> CachedPdf | None:
        """Put the cached PDF at `target`; its page count and sha256, or None on a miss."""
        meta = self._place(self._path("pdf", key, ".pdf"), target, "pages")
        return CachedPdf(meta["pages"], meta["sha256"]) if meta is not None else None

    def put_pdf(self, key: str, source: Path, pages: int) -> str | None:
        """Store `source` under `key`; its sha256 (None if it could not be read)."""
        try:
            sha256 = file_sha256(source)
        except OSError:
            return None
        self._store(source, self._path("pdf", key, ".pdf"), {"sha256": sha256, "pages": pages})
        return sha256

    def get_chunk(self, key: str) -> bytes | None:
        """The bundler's parsed form of a cached PDF (see bundle.Chunk)."""
        return self._read(self._path("pdf", key, ".chunk"))

    def put_chunk(self, key: str, data: bytes) -> None:
        self._write(self._path("pdf", key, ".chunk"), data)

    def get_layout(self, key: str) -> bytes | None:
        """A document's layout findings (layout_check.result_key: its PDF's key and what the
        check reads)."""
        return self._read(self._path("pdf", key, ".layout"))

    def put_layout(self, key: str, data: bytes) -> None:
        self._write(self._path("pdf", key, ".layout"), data)

    def get_list(self, key: str) -> bytes | None:
        """A list document's rows and their pages (output/list_pieces: the record by its frame)."""
        return self._read(self._path("lists", key, ".json"))

    def put_list(self, key: str, data: bytes) -> None:
        self._write(self._path("lists", key, ".json"), data)

    def has_docx(self, key: str) -> bool:
        """A .docx is stored under `key` (not verified: `place_docx` verifies what it places)."""
        return self._has("docx", key)

    def has_pdf(self, key: str) -> bool:
        """A PDF is stored under `key` (not verified: `place_pdf` verifies what it places)."""
        return self._has("pdf", key)

    def _has(self, kind: str, key: str) -> bool:
        return self.usable() and self._path(kind, key, ".meta").is_file()

    def _place(self, entry: Path, target: Path, fact: str) -> dict[str, Any] | None:
        """Link (else copy) `entry` to `target` if it is still the file the cache wrote; what
        was recorded with it (its sha256, verified on `target`, and `fact`), or None (and
        nothing at `target`).

        Outputs share their files with the cache (a hard link costs no copy, no flush and no
        disk space); a file edited in place in an output folder edits the entry too, which its
        size and modification time, else its sha256 (computed on what was linked), betray:
        such an entry is a miss, made again."""
        if not self.usable():
            return None
        try:
            meta = json.loads(entry.with_suffix(".meta").read_text(encoding="utf-8"))
            facts = entry.lstat()  # an entry is a regular file, never a link to elsewhere
        except (OSError, ValueError):
            return None
        kinds = {"sha256": str, "pages": int}
        if not (stat.S_ISREG(facts.st_mode) and isinstance(meta, dict)
                and isinstance(meta.get("sha256"), str)
                and isinstance(meta.get(fact), kinds[fact])
                and meta.get("file") == [facts.st_size, facts.st_mtime_ns]):
            return None
        try:
            link_or_copy(entry, target)
        except FileExistsError:
            raise
        except OSError:
            target.unlink(missing_ok=True)
            return None
        try:
            same = file_sha256(target) == meta["sha256"]
        except OSError:
            same = False
        if not same:
            target.unlink(missing_ok=True)
            return None
        return meta

    def _store(self, source: Path, entry: Path, meta: dict[str, Any]) -> None:
        """Make `entry` the file `source` (linked, else copied) and record its facts. Best
        effort, as every write to the cache: a cache that cannot be written (full, read-only,
        broken) makes the next build slower, never this one fail."""
        if not self.usable():
            return
        temporary = entry.with_name(f".tmp-{os.getpid()}-{threading.get_ident()}-{entry.name}")
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            temporary.unlink(missing_ok=True)
            link_or_copy(source, temporary)
            facts = temporary.stat()
            os.replace(temporary, entry)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            return
        meta = {**meta, "file": [facts.st_size, facts.st_mtime_ns]}
        self._write(entry.with_suffix(".meta"), json.dumps(meta).encode("utf-8"))

    def _read(self, path: Path) -> bytes | None:
        """`path`'s bytes, or None (a miss) when the cache is unusable or the file unreadable."""
        if not self.usable():
            return None
        try:
            return path.read_bytes()
        except OSError:
            return None

    def _write(self, path: Path, data: bytes) -> None:
        """Write `path` whole (temporary name, then rename); best effort, as `_store`."""
        if not self.usable():
            return
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
        return profiles_folder(self.root.parent)

    def profile_root(self) -> Path | None:
        """`profiles`, made dossier's if it is not yet; None (temporary profiles) when it is
        another program's folder or cannot be made."""
        return profile_root(self.root.parent)

    def _folders(self) -> list[tuple[Path, Any]]:
        """This layout, older ones (v1, …) and the profiles, each with its layout."""
        return [*((p, is_cache_layout) for p in sorted(self.root.parent.glob("v[0-9]*"))),
                (self.profiles, is_profiles_layout)]

    def _owned(self) -> tuple[list[Path], list[Path]]:
        """The cache's folders that are dossier's, and those that exist but are not."""
        owned, kept = [], []
        for folder, layout in self._folders():
            if is_own_folder(folder, layout):
                owned.append(folder)
            elif folder.exists() or folder.is_symlink():
                kept.append(folder)
        return owned, kept

    def stats(self) -> CacheStats:
        owned, kept = self._owned()
        files = [p for folder in owned for p in folder.rglob("*")
                 if p.is_file() and p.name != marks.MARK_FILE]
        return CacheStats(len(files), sum(p.stat().st_size for p in files), tuple(kept))

    def clear(self) -> CacheStats:
        """Remove every entry (of every layout) and the LibreOffice profiles; return what was
        removed, and the folders kept because they are not dossier's. Outputs keep their
        files: they are links, not the only name of the data."""
        removed = self.stats()
        for folder in self._owned()[0]:
            shutil.rmtree(folder, ignore_errors=True)
        self._usable = None
        return removed



def link_or_copy(source: str | Path, target: str | Path) -> None:
    """A hard link; a copy where the file system cannot link (another device, no support)."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise  # never write through a name that exists: it may be a link to an entry
    except OSError:
        shutil.copyfile(source, target)
