"""The sha256 of a file, read in blocks: what the manifest, the cache and signing record."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class FileDigests:
    """The sha256 of the files one build writes, each read once: the manifest names every
    PDF's and every bundle's, and the build already knows many of them (the cache verified a
    placed PDF's and hashed a stored one's). A bundle of 55 MB (N = 1.000) was read twice."""

    def __init__(self) -> None:
        self._known: dict[Path, str] = {}

    def record(self, path: Path, sha256: str) -> None:
        """`path`'s sha256, computed on its final content by whoever wrote or verified it."""
        self._known[path] = sha256

    def of(self, path: Path) -> str:
        if path not in self._known:
            self._known[path] = file_sha256(path)
        return self._known[path]
