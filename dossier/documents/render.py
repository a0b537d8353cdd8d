"""Render .docx documents with docxtpl's template language, deterministically and fast.

Jinja runs with autoescaping (text from spreadsheets is data, never markup: `&`, `<`, `{{ }}`
print literally) and StrictUndefined (a placeholder the context lacks is an error naming the
template). A template override is data from the campaign, never code: it runs in
`template_sandbox.SandboxedEnvironment` (Jinja's sandbox, no other files, budgets for loops and
sizes), a rendered part stops at MAX_PART_CHARS, and any error while rendering (a
`TemplateError`, `{{ 1/0 }}`) names the template, paragraph and placeholder.

docxtpl re-reads and re-parses the whole template for every document (styles.xml alone is
350 kB). Here a template is compiled once (`CompiledTemplate`): its XML parts go through
docxtpl's own `patch_xml` and are compiled by Jinja a single time, and the parts no document
changes are kept deflated. Rendering a document is then one Jinja render per templated part,
docxtpl's post-processing (`resolve_listing`, `fix_tables`, docPr ids), long tables cut into
tables of a hundred rows (`long_tables`), fixed core properties, and a zip written with fixed
timestamps and member order, so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import docx.oxml.ns
import jinja2
from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import parse_xml, serialize_part_xml
from docx.oxml.parser import parse_xml as parse_oxml
from docxtpl import DocxTemplate
from lxml import etree

from dossier.campaign.safety import check_package, inside
from dossier.campaign.template_errors import RuntimeTemplateError, explain
from dossier.campaign.template_sandbox import (
    MAX_PART_CHARS,
    BudgetExceeded,
    SandboxedEnvironment,
    start_budget,
)
from dossier.documents.fast_verify import element_text
from dossier.documents.literal import literal_context
from dossier.documents.long_tables import cut_long_tables
from dossier.errors import InputError
from dossier.resources import TEMPLATE_DIR

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
DOCUMENT_PART = "word/document.xml"
CORE_PART = "docProps/core.xml"
HEADER_FOOTER = re.compile(r"word/(header|footer)\d*\.xml|word/footnotes\.xml")
JINJA_MARK = re.compile(r"\{[{%]")
LISTING_CHARS = re.compile("[\t\a\n\f]")
PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)  # as docxtpl's resolve_listing
TEMPLATED_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
W_BODY = f"{{{docx.oxml.ns.nsmap['w']}}}body"
BODY_MARK = "dossier-body"  # where the body stands while the rest is serialised


def template_path(campaign_root: Path, name: str) -> Path:
    """A campaign's own templates/<name> wins over the project's default."""
    override = campaign_root / "templates" / name
    if override.is_file() or override.is_symlink():
        return inside(campaign_root, override, "mẫu")  # "the template" leads outside: refused
    return TEMPLATE_DIR / name


def jinja_env() -> SandboxedEnvironment:
    return SandboxedEnvironment()


class RenderedDocx(NamedTuple):
    data: bytes  # the normalised .docx
    text: str  # word/document.xml's paragraphs, one per line (`fast_verify.element_text`)


def render_docx(template: Path, context: dict[str, Any], doc_date: dt.date, title: str) -> bytes:
    """Render `template` with `context`; return normalised .docx bytes. Every text value prints
    literally (`literal.literal_context`); a broken template is reported with its paragraph and
    placeholder (`template_errors.explain`)."""
    return _rendering(template, lambda t: t.render(literal_context(context), doc_date, title))


def render_docx_text(template: Path, context: dict[str, Any], doc_date: dt.date,
                     title: str) -> RenderedDocx:
    """`render_docx` and the document's text, read from the tree before it is written (the
    amounts' words are checked on it without parsing the document again)."""
    return _rendering(template, lambda t: t.render(literal_context(context), doc_date, title,
                                                   with_text=True))


def _rendering(template: Path, render: Callable[[CompiledTemplate], Any]) -> Any:
    try:
        return render(compiled(template))
    except (InputError, RuntimeTemplateError) as exc:
        raise explain(template, exc) from None
    except OSError as exc:  # a template that is missing or unreadable
        raise InputError.single(template, f"không đọc được mẫu: {exc.strerror}") from None


_COMPILED: dict[tuple[str, int, int], CompiledTemplate] = {}
_COMPILED_LOCK = threading.Lock()


def compiled(template: Path) -> CompiledTemplate:
    """The compiled form of `template`, compiled again only when the file changes."""
    stat = template.stat()
    key = (str(template.resolve()), stat.st_mtime_ns, stat.st_size)
    with _COMPILED_LOCK:
        found = _COMPILED.get(key)
        if found is None:
            found = _COMPILED[key] = CompiledTemplate(template)
    return found


@dataclass(frozen=True)
class _Member:
    """A zip member kept as the template has it: name, deflated bytes, CRC, size."""

    name: str
    deflated: bytes
    crc: int
    size: int

    @classmethod
    def of(cls, name: str, data: bytes) -> _Member:
        return cls(name, _deflate(data), zlib.crc32(data), len(data))


class CompiledTemplate:
    """A .docx template parsed and compiled once, rendered many times."""

    def __init__(self, path: Path):
        self.path = path
        self.data = path.read_bytes()
        self.env = jinja_env()
        try:
            self._compile()
        except jinja2.TemplateSyntaxError as exc:
            raise InputError.single(path, f"lỗi cú pháp mẫu: {exc.message}") from None
        except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, NotImplementedError,
                zlib.error, EOFError, UnicodeDecodeError) as exc:
            # "not a valid .docx file"
            raise InputError.single(path, f"không phải tệp .docx hợp lệ: {exc}") from None

    def _compile(self) -> None:
        source = zipfile.ZipFile(io.BytesIO(self.data))
        check_package(self.path, source)
        self.order = [info.filename for info in source.infolist()]
        self.fixed: dict[str, _Member] = {}
        self.parts: dict[str, jinja2.Template] = {}
        self.sources: dict[jinja2.Template, str] = {}
        for name in self.order:
            data = source.read(name)
            if name == DOCUMENT_PART:
                self._compile_document(data)
            elif name == CORE_PART:
                self._compile_core(data)
            elif HEADER_FOOTER.fullmatch(name) and JINJA_MARK.search(data.decode("utf-8")):
                self.parts[name] = self._jinja(_xml_string(parse_xml(data)))
            else:
                self.fixed[name] = _Member.of(name, data)

    def _compile_document(self, data: bytes) -> None:
        """The body is compiled as it prints inside the document (no namespace declarations of
        its own) and rendered between the document's text before and after it: the rendered
        part is parsed once, as a whole. Parsing the body alone and inserting it into the
        document made lxml visit every node again to move it (1.5 s for two lists of 5.000)."""
        root = parse_xml(data)
        body = root.find(W_BODY)
        whole = _xml_string(root)
        mark = etree.ProcessingInstruction(BODY_MARK)
        body.getparent().replace(body, mark)
        self.before, marker, self.after = _xml_string(root).partition(_xml_string(mark))
        if not marker:
            raise NotImplementedError("the body's place is not found")
        self.body = self._jinja(whole[len(self.before):len(whole) - len(self.after)])

    def _compile_core(self, data: bytes) -> None:
        """docxtpl renders the template's string properties as Jinja too."""
        self.core = data
        props = CoreProperties(parse_oxml(data))
        self.core_templates = {name: self.env.compile_part(value)
                               for name in TEMPLATED_PROPERTIES
                               if JINJA_MARK.search(value := getattr(props, name) or "")}

    def _jinja(self, xml: str) -> jinja2.Template:
        patched = DocxTemplate.patch_xml(None, xml)  # type: ignore[arg-type]
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)
        template = self.env.compile_part(source)
        self.sources[template] = source
        return template

    def render(self, context: dict[str, Any], doc_date: dt.date, title: str,
               with_text: bool = False) -> Any:
        """The .docx bytes; with `with_text`, a `RenderedDocx`."""
        start_budget()
        rendered = {name: serialize_part_xml(parse_xml(self._part(name, t, context).encode()))
                    for name, t in self.parts.items()}
        document = self._render_document(context)
        rendered[DOCUMENT_PART] = serialize_part_xml(document)
        rendered[CORE_PART] = self._core_properties(context, doc_date, title)
        data = self._zip(rendered)
        return RenderedDocx(data, element_text(document)) if with_text else data

    def _part(self, name: str, template: jinja2.Template, context: dict[str, Any],
              render: Any = None) -> str:
        """The rendered part; any failure inside Jinja located in the part's source."""
        try:
            return (render or _render_part)(template, context)
        except Exception as exc:  # noqa: BLE001 - {{ 1/0 }}, SecurityError…: all the template's
            raise RuntimeTemplateError(name, self.sources.get(template, ""), exc) from exc

    def _render_document(self, context: dict[str, Any]) -> etree._Element:
        body = self._part(DOCUMENT_PART, self.body, context)
        root = DocxTemplate.fix_tables(None, self.before + body + self.after)  # type: ignore[arg-type]
        cut_long_tables(root.find(W_BODY))  # LibreOffice lays out thousands of rows in linear time
        for number, element in enumerate(
                root.xpath("//wp:docPr", namespaces=docx.oxml.ns.nsmap), start=1001):
            element.attrib["id"] = str(number)
        return root

    def _core_properties(self, context: dict[str, Any], doc_date: dt.date, title: str) -> bytes:
        element = parse_oxml(self.core)
        props = CoreProperties(element)
        for name, template in self.core_templates.items():
            setattr(props, name, self._part(CORE_PART, template, context, _stream))
        stamp = dt.datetime.combine(doc_date, dt.time(0, 0))
        props.author = "dossier"
        props.last_modified_by = "dossier"
        props.title = title
        props.created = stamp
        props.modified = stamp
        props.last_printed = stamp
        props.revision = 1
        return serialize_part_xml(element)

    def _zip(self, rendered: dict[str, bytes]) -> bytes:
        members = [self.fixed.get(name) or _Member.of(name, rendered[name])
                   for name in self.order]
        return write_zip(members)


def _xml_string(element) -> str:
    return etree.tostring(element, encoding="unicode", pretty_print=False)


def _render_part(template: jinja2.Template, context: dict[str, Any]) -> str:
    """docxtpl's render_xml_part, without re-parsing the template."""
    xml = _stream(template, context)
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    if not LISTING_CHARS.search(xml):
        return xml  # resolve_listing only rewrites these characters
    # resolve_listing rewrites each paragraph on its own: only those holding such a character
    # are given to it (a thousand reports: 70.000 paragraphs, a few hundred with a line break)
    return PARAGRAPH.sub(_resolve_paragraph, xml)


def _resolve_paragraph(match: re.Match) -> str:
    paragraph = match.group(0)
    if not LISTING_CHARS.search(paragraph):
        return paragraph
    return DocxTemplate.resolve_listing(None, paragraph)  # type: ignore[arg-type]


def _stream(template: jinja2.Template, context: dict[str, Any]) -> str:
    """`template.render(context)`, the output counted as Jinja produces it, so a template that
    writes without end stops at MAX_PART_CHARS."""
    chunks, size = [], 0
    try:
        for chunk in template.root_render_func(template.new_context(context)):
            size += len(chunk)
            if size > MAX_PART_CHARS:
                # "the template writes more than N characters"
                raise BudgetExceeded(f"mẫu tạo văn bản quá {MAX_PART_CHARS // 1_000_000} triệu "
                                     "ký tự")
            chunks.append(chunk)
    except Exception:  # noqa: BLE001 - Jinja's own handler points the traceback at the template
        template.environment.handle_exception()
    return "".join(chunks)


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def write_zip(members: list[_Member]) -> bytes:
    """A zip with already deflated members, fixed time (1980-01-01) and attributes: what
    `normalise_zip` writes, without deflating unchanged members again."""
    out = io.BytesIO()
    central = []
    for member in members:
        name = member.name.encode("utf-8")
        offset = out.tell()
        out.write(b"PK\x03\x04" + _entry_fields(member, name) + name + member.deflated)
        central.append(b"PK\x01\x02\x14\x00" + _entry_fields(member, name)
                       + (0).to_bytes(2, "little") * 3 + (0o644 << 16).to_bytes(4, "little")
                       + offset.to_bytes(4, "little") + name)
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    count = len(members).to_bytes(2, "little")
    out.write(b"PK\x05\x06" + b"\x00" * 4 + count + count + len(directory).to_bytes(4, "little")
              + start.to_bytes(4, "little") + b"\x00\x00")
    return out.getvalue()


def _entry_fields(member: _Member, name: bytes) -> bytes:
    """version needed, flags, method, DOS time and date, CRC, sizes, name and extra lengths."""
    return (b"\x14\x00" + b"\x00\x00" + b"\x08\x00" + b"\x00\x00" + b"\x21\x00"
            + member.crc.to_bytes(4, "little") + len(member.deflated).to_bytes(4, "little")
            + member.size.to_bytes(4, "little") + len(name).to_bytes(2, "little") + b"\x00\x00")


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and attributes, members in their original order."""
    source = zipfile.ZipFile(io.BytesIO(data))
    return write_zip([_Member.of(info.filename, source.read(info.filename))
                      for info in source.infolist()])
