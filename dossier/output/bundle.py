"""Bundle the submission: one PDF with a bookmark per document, in the plan's order.

The bundle is streamed. Each part is read with pypdf and turned into a *chunk*: the objects its
pages use, serialised once, with every reference to another object kept as a marker. Writing a
chunk is then only giving its objects numbers and joining bytes, and the part is dropped before
the next one is read: memory holds one part and the page numbers, never the whole bundle, so it
stays flat however many documents there are. Chunks can be kept (`ChunkStore`, the build's
cache) so an incremental build does not parse unchanged PDFs again. The page tree, the outline
(one bookmark per part, to its first page), the document information, the cross-reference
table and the trailer are written at the end.
"""

from __future__ import annotations

import io
import json
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

from dossier.output.pdf_raw import NotSimple, read_pages

CATALOG, PAGES, OUTLINES, INFO = 1, 2, 3, 4
HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
CHUNK_MAGIC = b"dossier-chunk-1\n"
PAGES_MARK = -1  # a reference to the bundle's page tree
BLOCK = 4096  # page references or xref entries written at a time
Segment = bytes | int  # bytes, or a reference: the index of an object of the same chunk


@dataclass(frozen=True)
class BundlePart:
    title: str
    pdf: Path
    key: str | None = None  # names the PDF's content, for a ChunkStore


class ChunkStore(Protocol):
    def get_chunk(self, key: str) -> bytes | None: ...

    def put_chunk(self, key: str, data: bytes) -> None: ...


def page_count(pdf: Path) -> int:
    return len(PdfReader(pdf).pages)


def bundle(parts: list[BundlePart], target: Path, title: str,
           progress: Callable[[int, int], None] | None = None,
           chunks: ChunkStore | None = None) -> list[int]:
    """Write `target`; return the page count of each part, in order."""
    with target.open("wb") as handle:
        writer = _StreamWriter(handle)
        counts = []
        for index, part in enumerate(parts, start=1):
            counts.append(writer.append(_chunk(part, chunks)))
            if progress:
                progress(index, len(parts))
        writer.finish([p.title for p in parts], title)
    return counts


def _chunk(part: BundlePart, store: ChunkStore | None) -> Chunk:
    if store is not None and part.key is not None:
        data = store.get_chunk(part.key)
        if data is not None:
            try:
                return Chunk.loads(data)
            except (ValueError, KeyError, TypeError):
                pass  # damaged: read the PDF again
    chunk = Chunk.read(part.pdf)
    if store is not None and part.key is not None:
        store.put_chunk(part.key, chunk.dumps())
    return chunk


@dataclass
class Chunk:
    """A PDF's pages and what they use: objects 0..pages-1 are the pages."""

    pages: int
    objects: list[list[Segment]]

    @classmethod
    def read(cls, pdf: Path) -> Chunk:
        """The fast raw reading for plain PDFs (LibreOffice's), else pypdf."""
        try:
            return cls(*read_pages(pdf.read_bytes(), PAGES_MARK))
        except (NotSimple, KeyError, ValueError, IndexError):
            return cls.read_with_pypdf(pdf)

    @classmethod
    def read_with_pypdf(cls, pdf: Path) -> Chunk:
        reader = PdfReader(pdf)
        try:
            return _Reader(reader).chunk()
        finally:
            # pypdf's objects point back to their reader: break the cycles now, so the part
            # is freed at once rather than by a later garbage collection
            reader.resolved_objects.clear()
            reader.__dict__.clear()

    def dumps(self) -> bytes:
        blob = io.BytesIO()
        index = []
        for obj in self.objects:
            spec = []
            for segment in obj:
                if isinstance(segment, int):
                    spec.append(segment)
                else:
                    spec.append([blob.tell(), len(segment)])
                    blob.write(segment)
            index.append(spec)
        head = json.dumps({"pages": self.pages, "objects": index}, separators=(",", ":"))
        return CHUNK_MAGIC + head.encode("ascii") + b"\n" + blob.getvalue()

    @classmethod
    def loads(cls, data: bytes) -> Chunk:
        if not data.startswith(CHUNK_MAGIC):
            raise ValueError("not a chunk")
        end = data.index(b"\n", len(CHUNK_MAGIC))
        head = json.loads(data[len(CHUNK_MAGIC):end])
        blob = memoryview(data)[end + 1:]
        objects = [[s if isinstance(s, int) else bytes(blob[s[0]:s[0] + s[1]]) for s in obj]
                   for obj in head["objects"]]
        return cls(int(head["pages"]), objects)


class _StreamWriter:
    """Writes a PDF chunk by chunk; keeps only offsets and page numbers (8 and 4 bytes a
    piece: about 300 bytes per document of 2 pages)."""

    def __init__(self, stream):
        self.stream = stream
        self.offsets = array("Q", [0] * (INFO + 1))  # by object number
        self.position = 0
        self.pages = array("L")
        self.first_pages: list[int | None] = []
        self._emit(HEADER)

    @property
    def next_id(self) -> int:
        return len(self.offsets)

    def _emit(self, data: bytes) -> None:
        self.stream.write(data)
        self.position += len(data)

    def append(self, chunk: Chunk) -> int:
        """Write the chunk's objects under fresh numbers; return its page count."""
        base = self.next_id
        self.offsets.extend([0] * len(chunk.objects))
        numbers = range(base, base + len(chunk.objects))
        for number, segments in zip(numbers, chunk.objects, strict=True):
            parts = [f"{number} 0 obj\n".encode()]
            parts += [s if isinstance(s, bytes) else
                      (f"{PAGES if s == PAGES_MARK else base + s} 0 R".encode())
                      for s in segments]
            parts.append(b"\nendobj\n")
            self.offsets[number] = self.position
            self._emit(b"".join(parts))
        self.pages.extend(numbers[:chunk.pages])
        self.first_pages.append(base if chunk.pages else None)
        return chunk.pages

    def _write_object(self, number: int, obj: PdfObject) -> None:
        buffer = io.BytesIO()
        buffer.write(f"{number} 0 obj\n".encode())
        obj.write_to_stream(buffer)
        buffer.write(b"\nendobj\n")
        self.offsets[number] = self.position
        self._emit(buffer.getvalue())

    def finish(self, titles: list[str], title: str) -> None:
        items = [(t, p) for t, p in zip(titles, self.first_pages, strict=True) if p is not None]
        first = self.next_id
        numbers = list(range(first, first + len(items)))
        self.offsets.extend([0] * len(items))
        for index, ((text, page), number) in enumerate(zip(items, numbers, strict=True)):
            item = DictionaryObject({
                NameObject("/Title"): TextStringObject(text),
                NameObject("/Parent"): _ref(OUTLINES),
                NameObject("/Dest"): ArrayObject([_ref(page), NameObject("/Fit")]),
            })
            if index:
                item[NameObject("/Prev")] = _ref(numbers[index - 1])
            if index + 1 < len(numbers):
                item[NameObject("/Next")] = _ref(numbers[index + 1])
            self._write_object(number, item)
        self._write_pages()
        outlines = DictionaryObject({NameObject("/Type"): NameObject("/Outlines"),
                                     NameObject("/Count"): NumberObject(len(numbers))})
        if numbers:
            outlines[NameObject("/First")] = _ref(numbers[0])
            outlines[NameObject("/Last")] = _ref(numbers[-1])
        self._write_object(OUTLINES, outlines)
        self._write_object(CATALOG, DictionaryObject({
            NameObject("/Type"): NameObject("/Catalog"),
            NameObject("/Pages"): _ref(PAGES),
            NameObject("/Outlines"): _ref(OUTLINES),
            NameObject("/PageMode"): NameObject("/UseOutlines"),
        }))
        self._write_object(INFO, DictionaryObject({
            NameObject("/Title"): TextStringObject(title),
            NameObject("/Producer"): TextStringObject("dossier"),
        }))
        self._write_xref()

    def _write_pages(self) -> None:
        """The page tree, its /Kids written in blocks (never one huge string)."""
        self.offsets[PAGES] = self.position
        self._emit(f"{PAGES} 0 obj\n<< /Type /Pages /Count {len(self.pages)} /Kids [".encode())
        for start in range(0, len(self.pages), BLOCK):
            block = self.pages[start:start + BLOCK]
            self._emit("".join(f"{p} 0 R " for p in block).encode("ascii"))
        self._emit(b"] >>\nendobj\n")

    def _write_xref(self) -> None:
        """The cross-reference table, written in blocks of entries."""
        start = self.position
        self._emit(f"xref\n0 {self.next_id}\n0000000000 65535 f \n".encode("ascii"))
        for first in range(1, self.next_id, BLOCK):
            numbers = range(first, min(first + BLOCK, self.next_id))
            self._emit("".join(f"{self.offsets[n]:010d} 00000 n \n"
                               for n in numbers).encode("ascii"))
        self._emit(f"trailer\n<< /Size {self.next_id} /Root {CATALOG} 0 R /Info {INFO} 0 R >>"
                   f"\nstartxref\n{start}\n%%EOF\n".encode("ascii"))


class _Reader:
    """Serialises the objects a PDF's pages use, numbering them in the order reached."""

    def __init__(self, reader: PdfReader):
        if reader.is_encrypted:
            raise ValueError("PDF được mã hóa, không gộp được")  # "encrypted PDF"
        self.reader = reader
        self.index: dict[tuple[int, int], int] = {}
        self.objects: list[list[Segment]] = []
        self.pending: list[tuple[int, tuple[int, int]]] = []

    def chunk(self) -> Chunk:
        root = self.reader.trailer["/Root"].get_object()
        pages_root = root.raw_get("/Pages")
        if isinstance(pages_root, IndirectObject):
            self.index[(pages_root.idnum, pages_root.generation)] = PAGES_MARK
        pages = list(self.reader.pages)
        for page in pages:  # pages first: other objects (annotations) may point to them
            self.objects.append([])
            ref = page.indirect_reference
            if ref is not None:
                self.index[(ref.idnum, ref.generation)] = len(self.objects) - 1
        for number, page in enumerate(pages):
            segments: list[Segment] = []
            self._dict(page, segments, skip="/Parent", tail=[b"\n/Parent ", PAGES_MARK])
            self.objects[number] = _merged(segments)
        while self.pending:
            number, key = self.pending.pop()
            obj = self.reader.get_object(IndirectObject(key[0], key[1], self.reader))
            segments = []
            self._value(obj, segments)
            self.objects[number] = _merged(segments)
        return Chunk(len(pages), self.objects)

    def _ref(self, ref: IndirectObject) -> int:
        key = (ref.idnum, ref.generation)
        if key not in self.index:
            self.index[key] = len(self.objects)
            self.objects.append([])
            self.pending.append((self.index[key], key))
        return self.index[key]

    def _value(self, obj: PdfObject | None, out: list[Segment]) -> None:
        if obj is None:
            obj = NullObject()
        if isinstance(obj, IndirectObject):
            out.append(self._ref(obj))
        elif isinstance(obj, StreamObject):
            data = obj._data
            self._dict(obj, out, skip="/Length", tail=[f"\n/Length {len(data)}".encode()])
            out.append(b"\nstream\n" + data + b"\nendstream")
        elif isinstance(obj, DictionaryObject):
            self._dict(obj, out)
        elif isinstance(obj, ArrayObject):
            out.append(b"[")
            for item in obj:
                self._value(item, out)
                out.append(b" ")
            out.append(b"]")
        else:
            buffer = io.BytesIO()
            obj.write_to_stream(buffer)
            out.append(buffer.getvalue())

    def _dict(self, obj: DictionaryObject, out: list[Segment], skip: str = "",
              tail: list[Segment] | None = None) -> None:
        out.append(b"<<")
        for key in obj:
            if key == skip:
                continue
            out.append(b"\n" + _name(key) + b" ")
            self._value(obj.raw_get(key), out)
        out += tail or []
        out.append(b"\n>>")


def _name(key: str) -> bytes:
    buffer = io.BytesIO()
    NameObject(key).write_to_stream(buffer)
    return buffer.getvalue()


def _merged(segments: list[Segment]) -> list[Segment]:
    """Adjacent bytes joined: fewer pieces to store and to write."""
    merged: list[Segment] = []
    for segment in segments:
        if isinstance(segment, bytes) and merged and isinstance(merged[-1], bytes):
            merged[-1] += segment
        else:
            merged.append(segment)
    return merged


def _ref(number: int) -> IndirectObject:
    return IndirectObject(number, 0, None)  # type: ignore[arg-type]
