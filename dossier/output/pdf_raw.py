"""Read a simple PDF's pages as raw object bytes, about ten times faster than pypdf.

LibreOffice writes plain PDFs: one classic cross-reference table, no object streams, no
encryption, no incremental update, every page with its own /Resources and /MediaBox directly
under one page tree node. For such a file the objects the pages use are sliced out of the file
as they are, and only their references ("12 0 R", outside strings and stream data) are turned
into markers for the bundle to renumber. Anything else raises `NotSimple`, and the bundler
reads the file with pypdf instead.
"""

from __future__ import annotations

import re

Segment = bytes | int

STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
SUBSECTION = re.compile(rb"(\d+) (\d+)\s*$")
REFERENCE = re.compile(rb"\(|<[0-9A-Fa-f\s]*>|(\d+)\s+(\d+)\s+R(?![A-Za-z0-9])")
OBJECT_HEAD = re.compile(rb"\s*(\d+)\s+(\d+)\s+obj\b")
STREAM = re.compile(rb">>\s*stream(\r\n|\n)")
INHERITED = (b"/Rotate", b"/CropBox")


class NotSimple(ValueError):
    """The file needs a real PDF parser."""


def read_pages(data: bytes, pages_mark: int) -> tuple[int, list[list[Segment]]]:
    """(page count, objects): objects 0..pages-1 are the pages; a segment is bytes or the
    index of another object (`pages_mark` for the page tree)."""
    if not data.startswith(b"%PDF-") or b"/Encrypt" in data[-2048:]:
        raise NotSimple("not a plain PDF")
    bodies = _objects(data)
    trailer = data[data.rindex(b"trailer"):]
    if b"/Prev" in trailer:
        raise NotSimple("incremental update")
    catalog = bodies[_ref(trailer, b"/Root")]
    root = _ref(catalog, b"/Pages")
    tree = bodies[root]
    if any(key in tree for key in INHERITED):
        raise NotSimple("inherited page attributes")
    kids = [int(m.group(1)) for m in re.finditer(rb"(\d+)\s+\d+\s+R", _array(tree, b"/Kids"))]
    return _Collector(bodies, root, pages_mark).collect(kids)


def _objects(data: bytes) -> dict[int, bytes]:
    """Object number → its bytes between `obj` and `endobj`, sliced by the xref offsets."""
    found = STARTXREF.search(data[-64:])
    if not found:
        raise NotSimple("no startxref")
    start = int(found.group(1))
    if data[start:start + 4] != b"xref":
        raise NotSimple("cross-reference stream")
    end = data.index(b"trailer", start)
    offsets: dict[int, int] = {}
    number = 0
    for line in data[start + 4:end].splitlines():
        if subsection := SUBSECTION.match(line.strip()):
            number = int(subsection.group(1))
        elif entry := XREF_ENTRY.match(line):
            if entry.group(3) == b"n":
                offsets[number] = int(entry.group(1))
            number += 1
    ordered = sorted(offsets.items(), key=lambda item: item[1])
    limits = [offset for _, offset in ordered[1:]] + [start]
    bodies = {}
    for (number, offset), limit in zip(ordered, limits, strict=True):
        head = OBJECT_HEAD.match(data, offset)
        if not head or int(head.group(1)) != number or head.group(2) != b"0":
            raise NotSimple(f"object {number} not where the table says")
        body = data[head.end():limit].rstrip()
        bodies[number] = body[:-6] if body.endswith(b"endobj") else body
    return bodies


def _ref(text: bytes, key: bytes) -> int:
    found = re.search(re.escape(key) + rb"\s*(\d+)\s+0\s+R", text)
    if not found:
        raise NotSimple(f"no {key.decode()} reference")
    return int(found.group(1))


def _array(text: bytes, key: bytes) -> bytes:
    found = re.search(re.escape(key) + rb"\s*\[([^\]]*)\]", text)
    if not found:
        raise NotSimple(f"no {key.decode()} array")
    return found.group(1)


class _Collector:
    def __init__(self, bodies: dict[int, bytes], tree: int, pages_mark: int):
        self.bodies = bodies
        self.index = {tree: pages_mark}
        self.objects: list[list[Segment]] = []
        self.pending: list[int] = []

    def collect(self, kids: list[int]) -> tuple[int, list[list[Segment]]]:
        for kid in kids:
            page = self.bodies[kid]
            if b"/Type/Pages" in page.replace(b" ", b"") or not (
                    b"/Resources" in page and b"/MediaBox" in page):
                raise NotSimple("nested page tree or inherited resources")
            self.index[kid] = len(self.objects)
            self.objects.append([])
        for kid in kids:
            self.objects[self.index[kid]] = self._segments(self.bodies[kid])
        while self.pending:
            number = self.pending.pop()
            self.objects[self.index[number]] = self._segments(self.bodies[number])
        return len(kids), self.objects

    def _number(self, number: int) -> int:
        if number not in self.index:
            if number not in self.bodies:
                raise NotSimple(f"reference to missing object {number}")
            self.index[number] = len(self.objects)
            self.objects.append([])
            self.pending.append(number)
        return self.index[number]

    def _segments(self, body: bytes) -> list[Segment]:
        stream = STREAM.search(body)
        text, data = (body[:stream.start() + 2], body[stream.start() + 2:]) if stream else (
            body, b"")
        segments: list[Segment] = []
        copied = skip_until = 0
        for match in REFERENCE.finditer(text):
            if match.start() < skip_until:
                continue  # inside a literal string
            if match.group(0) == b"(":
                skip_until = self._skip_string(text, match.start())
            elif match.group(1) is not None:  # not a hex string: a reference
                segments += [text[copied:match.start()], self._number(int(match.group(1)))]
                copied = match.end()
        segments.append(text[copied:] + data)
        return [s for s in segments if s != b""]

    @staticmethod
    def _skip_string(text: bytes, start: int) -> int:
        """The end of the literal string opening at `start` (balanced parentheses)."""
        depth, position = 0, start
        while position < len(text):
            char = text[position]
            if char == 0x5C:  # backslash: the next byte is escaped
                position += 2
                continue
            depth += (char == 0x28) - (char == 0x29)
            position += 1
            if depth == 0:
                return position
        raise NotSimple("unterminated string")
