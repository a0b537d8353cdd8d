"""The cache's folders, apart from the cache: where they are, whose they are, and the
LibreOffice profiles' folder. Light to import: `dossier build` asks it where LibreOffice's
profile is, to start LibreOffice before it loads the rest of the build (docxtpl, pypdf…).
See `cache` for what the folders hold and how the marks protect other programs' folders.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from dossier.output import marks

CACHE_ENV = "DOSSIER_CACHE_DIR"
LAYOUT = "v2"  # v1 stored copies and page counts in .pages files


def default_cache_dir() -> Path:
    """$DOSSIER_CACHE_DIR, else $XDG_CACHE_HOME/dossier, else ~/.cache/dossier."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dossier"


ENTRY = re.compile(r"[0-9a-f]{64}\.[a-z]+|\.tmp-.+")
SHARD = re.compile(r"[0-9a-f]{2}")
PROFILE = re.compile(r"worker-[0-9]+(\.lock)?")


def is_cache_layout(folder: Path) -> bool:
    """A folder holding only what the cache writes: docx/, pdf/ and lists/, shards of two hex
    digits, entries named by their key (and temporary names), no symbolic links."""
    for kind in folder.iterdir():
        if kind.name == marks.MARK_FILE:
            continue
        if kind.name not in ("docx", "pdf", "lists") or kind.is_symlink() or not kind.is_dir():
            return False
        for shard in kind.iterdir():
            if not SHARD.fullmatch(shard.name) or shard.is_symlink() or not shard.is_dir():
                return False
            for entry in shard.iterdir():
                if (not ENTRY.fullmatch(entry.name) or entry.is_symlink()
                        or not entry.is_file()):
                    return False
    return True


def is_profiles_layout(folder: Path) -> bool:
    """A folder holding only LibreOffice profiles of the workers and their lock files."""
    return all(PROFILE.fullmatch(p.name) and not p.is_symlink() for p in folder.iterdir()
               if p.name != marks.MARK_FILE)


def own_folder(folder: Path, layout=is_cache_layout) -> bool:
    """Make `folder` the cache's, or say it is: created with dossier's mark when missing,
    marked when it holds only what the cache writes there (`layout`); False for anything else
    (a file, a link, a folder of other data) and when it cannot be written."""
    try:
        if marks.is_marked(folder):
            return True
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            return False
        if folder.is_dir() and not layout(folder):
            return False
        folder.mkdir(parents=True, exist_ok=True)
        marks.mark(folder)
        return True
    except OSError:
        return False


def is_own_folder(folder: Path, layout=is_cache_layout) -> bool:
    """The same question, changing nothing."""
    try:
        return marks.is_marked(folder) or (
            not folder.is_symlink() and folder.is_dir() and layout(folder))
    except OSError:
        return False


def profiles_folder(cache_dir: Path | None) -> Path:
    """Where the local LibreOffice workers keep their profiles between builds."""
    return (cache_dir or default_cache_dir()) / "libreoffice"


def profile_root(cache_dir: Path | None) -> Path | None:
    """The profiles' folder, made dossier's if it is not yet; None (temporary profiles) when it
    is another program's folder or cannot be made."""
    folder = profiles_folder(cache_dir)
    return folder if own_folder(folder, is_profiles_layout) else None
