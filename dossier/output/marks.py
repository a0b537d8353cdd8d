"""How dossier recognises what it wrote, before it deletes, replaces or adopts anything.

An output folder is dossier's when its `manifest.json` names dossier's format and a version it
knows, and lists every file and folder the build wrote (`written`); the folder must then hold
nothing else. A folder holding anything dossier did not write (a `manifest.json` of another
program, notes beside the documents, the campaign itself) is never replaced. Outputs of the
versions before the list (manifest_version 1) are recognised by the files their manifest names.

Folders dossier makes for itself and deletes later (staging folders beside OUT, the cache's
folders, LibreOffice profiles) carry a small file `.dossier` holding `MARK`; they are deleted
or adopted only with it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
FORMAT = "dossier-output"
MANIFEST_VERSION = 2
MARK_FILE = ".dossier"
MARK = "dossier: this folder was made by dossier, which may delete it\n"
_V1_FOLDERS = ("docx", "pdf", "attachments")


def mark(folder: Path) -> None:
    """Write dossier's mark into `folder` (which dossier has just made)."""
    (folder / MARK_FILE).write_text(MARK, encoding="utf-8")


def is_marked(folder: Path) -> bool:
    """A real folder (not a symbolic link) holding dossier's mark."""
    path = folder / MARK_FILE
    try:
        if folder.is_symlink() or not folder.is_dir() or path.is_symlink():
            return False
        with path.open("rb") as stream:
            return stream.read(len(MARK) + 1) == MARK.encode("utf-8")
    except OSError:
        return False


def written(root: Path) -> dict[str, list[str]]:
    """Every file and folder under `root` (what a build wrote), for its manifest."""
    files, folders = [], []
    for folder, subfolders, names in os.walk(root):
        base = Path(folder).relative_to(root)
        folders += [(base / name).as_posix() for name in subfolders]
        files += [(base / name).as_posix() for name in names]
    return {"files": sorted([*files, MANIFEST]), "folders": sorted(folders)}


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The folder's manifest.json as a dict, or None when it is missing or not JSON."""
    path = folder / MANIFEST
    try:
        if path.is_symlink() or not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def listed(manifest: dict[str, Any]) -> tuple[set[str], set[str]] | None:
    """The files and folders a dossier manifest says its build wrote; None when the manifest
    is not dossier's."""
    version = manifest.get("manifest_version")
    if manifest.get("format") == FORMAT and version == MANIFEST_VERSION:
        record = manifest.get("written")
        if not isinstance(record, dict):
            return None
        files, folders = record.get("files"), record.get("folders")
        if not (_strings(files) and _strings(folders)):
            return None
        return set(files), set(folders)
    if version == 1 and str(manifest.get("generator", "")).startswith("dossier "):
        return _listed_v1(manifest)
    return None


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _listed_v1(manifest: dict[str, Any]) -> tuple[set[str], set[str]] | None:
    documents = manifest.get("documents")
    if not isinstance(documents, list):
        return None
    files = {MANIFEST, "selection.md"}
    for document in documents:
        if not isinstance(document, dict):
            return None
        files |= {document[k] for k in ("docx", "pdf") if isinstance(document.get(k), str)}
    bundle = manifest.get("bundle")
    if isinstance(bundle, dict) and isinstance(bundle.get("path"), str):
        files.add(bundle["path"])
    return files, set(_V1_FOLDERS)


def foreign_entries(folder: Path) -> list[str] | None:
    """What in `folder` dossier did not write, as paths relative to it (empty: every entry is
    listed in its manifest); None when the folder holds no dossier manifest at all."""
    manifest = read_manifest(folder)
    expected = listed(manifest) if manifest is not None else None
    if expected is None:
        return None
    files, folders = expected
    foreign: list[str] = []
    pending = [(folder, "")]
    while pending:  # os.scandir: an entry's kind comes with its name, no stat per file
        current, prefix = pending.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:  # what cannot be looked into is not known to be ours
            foreign.append(prefix.rstrip("/") or ".")
            continue
        for entry in entries:
            relative = prefix + entry.name
            kind = _kind(entry)
            if kind == "folder" and relative in folders:
                pending.append((Path(entry.path), relative + "/"))
            elif kind == "folder" or relative not in files or kind != "file":
                foreign.append(relative)  # a folder not ours is not looked into either
    return sorted(foreign)


def _kind(entry: os.DirEntry) -> str:
    """"folder", "file" (regular) or "other" (a symbolic link, a device…), links not followed."""
    try:
        if entry.is_dir(follow_symlinks=False):
            return "folder"
        return "file" if entry.is_file(follow_symlinks=False) else "other"
    except OSError:
        return "other"


def is_dossier_output(folder: Path) -> bool:
    """`folder` is a real folder holding a dossier output and nothing else."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    return foreign_entries(folder) == []
