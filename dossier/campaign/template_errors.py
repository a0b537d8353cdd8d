"""Explain a broken .docx template to the person who edited it: which template, which part
(body, header, footer), which paragraph (its number and its text as Word shows it) and which
placeholder.

docxtpl gives Jinja the XML of a part with every paragraph on its own line, so a Jinja line
number is a paragraph. The sources are rebuilt here from the template file the same way
(`template_sources`), independent of how render.py caches its compiled templates.
"""

from __future__ import annotations

import html
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import jinja2
import jinja2.sandbox
from docxtpl import DocxTemplate

from dossier.campaign.safety import check_package
from dossier.campaign.template_sandbox import SandboxedEnvironment
from dossier.errors import InputError

TEMPLATED_PART = re.compile(r"word/(document|header\d*|footer\d*|footnotes)\.xml")
PART_LABELS = {"document": "thân văn bản", "header": "đầu trang", "footer": "chân trang",
               "footnotes": "chú thích"}  # body, header, footer, footnotes
_TAG = re.compile(r"<[^>]+>")
_TAGS_IN_TEXT = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_BLOCK = re.compile(r"\{%-?\s*(end)?(if|for|macro|call|filter|with|block|raw)\b")
_UNDEFINED_NAME = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'"
                             r"|has no element '?([^']+?)'?$")
MAX_SHOWN = 90
class RuntimeTemplateError(Exception):
    """A failure while Jinja rendered a part (`{{ 1/0 }}`, a sandbox refusal, a budget): the
    part's name, its Jinja source and the exception, for `explain` to locate."""

    def __init__(self, part: str, source: str, cause: BaseException):
        super().__init__(str(cause))
        self.part = part
        self.source = source
        self.cause = cause


def template_sources(path: Path) -> Iterator[tuple[str, str]]:
    """(part name, Jinja source) of each part docxtpl renders, paragraphs one per line."""
    with zipfile.ZipFile(path) as package:
        check_package(path, package)
        for name in package.namelist():
            if TEMPLATED_PART.fullmatch(name):
                xml = package.read(name).decode("utf-8")
                patched = DocxTemplate.patch_xml(None, xml)  # type: ignore[arg-type]
                yield name, re.sub(r"<w:p([ >])", r"\n<w:p\1", patched)


def check_syntax(path: Path) -> None:
    """InputError naming the paragraph when a part of `path` is not valid Jinja."""
    env = SandboxedEnvironment()  # the one documents render with: it computes nothing here
    try:
        sources = list(template_sources(path))
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, OSError, NotImplementedError,
            zlib.error, EOFError) as exc:
        # "not a valid .docx file"
        raise InputError.single(path, f"không phải tệp .docx hợp lệ: {exc}") from None
    for part, source in sources:
        try:
            env.compile_part(source)  # compiling also catches unknown filters and tests
        except jinja2.TemplateSyntaxError as exc:
            raise _syntax_error(path, part, source, exc) from None


def syntax_error(path: Path, exc: jinja2.TemplateSyntaxError) -> InputError:
    """The error to raise for `exc`, located by parsing the template's parts again."""
    try:
        check_syntax(path)
    except InputError as located:
        return located
    return InputError.single(path, f"lỗi cú pháp mẫu: {exc.message}")  # template syntax error


def _syntax_error(path: Path, part: str, source: str, exc: jinja2.TemplateSyntaxError):
    lines = source.splitlines()
    line = exc.lineno or len(lines)
    message = exc.message or ""
    if "end of template" in message:  # an unclosed {% if %} / {% for %}: point at it
        line = _unclosed_block_line(lines) or line
        # "a block is not closed (missing {% endif %} / {% endfor %})"
        message = f"khối lệnh chưa được đóng (thiếu {{% end… %}}): {message}"
    where = _where(part, lines, line)
    # "template syntax error in <part>, paragraph N «text»: …"
    return InputError.single(path, f"lỗi cú pháp mẫu ở {where}: {message}")


def _unclosed_block_line(lines: list[str]) -> int | None:
    stack: list[int] = []
    for number, line in enumerate(lines, start=1):
        for match in _BLOCK.finditer(_plain(line)):
            if match.group(1):
                if stack:
                    stack.pop()
            else:
                stack.append(number)
    return stack[-1] if stack else None


def undefined_error(path: Path, exc: jinja2.UndefinedError) -> InputError:
    """The error to raise when the template uses a placeholder the context does not have."""
    name = _undefined_name(exc.message or "")
    found = _find_placeholder(path, name) if name else None
    if found is None:
        # "the template uses a placeholder the data does not have"
        return InputError.single(path, f"mẫu dùng biến không có trong dữ liệu: {exc.message}")
    where, expression = found
    return InputError.single(path, f"mẫu dùng biến không có trong dữ liệu '{name}' "
                             f"(trong {expression}) ở {where}")


def _undefined_name(message: str) -> str | None:
    match = _UNDEFINED_NAME.search(message)
    return next((g for g in match.groups() if g), None) if match else None


def _find_placeholder(path: Path, name: str) -> tuple[str, str] | None:
    identifier = re.compile(rf"(?<![\w.'\"]){re.escape(name)}\b|\.{re.escape(name)}\b"
                            rf"|\[['\"]{re.escape(name)}['\"]\]")
    try:
        sources = list(template_sources(path))
    except (zipfile.BadZipFile, KeyError, UnicodeDecodeError, OSError):
        return None
    for part, source in sources:
        lines = source.splitlines()
        for number, line in enumerate(lines, start=1):
            for tag in _TAGS_IN_TEXT.findall(_plain(line)):
                if identifier.search(tag):
                    return _where(part, lines, number), tag
    return None


def _where(part: str, lines: list[str], line: int) -> str:
    kind = re.sub(r"\d+$", "", part.removeprefix("word/").removesuffix(".xml"))
    text = _plain(lines[line - 1]) if 0 < line <= len(lines) else ""
    if len(text) > MAX_SHOWN:
        text = text[: MAX_SHOWN - 1] + "…"
    # "body, paragraph N «text»"; line 1 holds what comes before the first paragraph
    return f"{PART_LABELS.get(kind, part)}, đoạn {max(line - 1, 1)} «{text}»"


def _plain(xml_line: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", xml_line)).split())


def runtime_error(path: Path, error: RuntimeTemplateError) -> InputError:
    """A failure while rendering, located: template, part, paragraph and placeholder."""
    cause = error.cause
    if isinstance(cause, jinja2.UndefinedError) and not isinstance(
            cause, jinja2.sandbox.SecurityError):
        return undefined_error(path, cause)
    lines = error.source.splitlines()
    line = _template_line(cause)
    what = cause.message if isinstance(cause, jinja2.TemplateError) and cause.message else (
        f"{type(cause).__name__}: {cause}")
    if isinstance(cause, jinja2.sandbox.SecurityError) and "unsafe" in what:
        what = f"mẫu làm việc không được phép ({what})"  # "the template does what is not allowed"
    elif isinstance(cause, RecursionError):
        what = "mẫu gọi lồng nhau quá sâu"  # "the template nests calls too deeply"
    if line is None or not 0 < line <= len(lines):
        # "error while filling in the template (<part>)"
        return InputError.single(path, f"lỗi khi điền mẫu ({_part_label(error.part)}): {what}")
    tag = next(iter(_TAGS_IN_TEXT.findall(_plain(lines[line - 1]))), None)
    # numbered as `template_sources` numbers the file's part: one line more in front (the XML
    # declaration), so a paragraph has the same number as in a syntax error
    where = _where(error.part, ["", *lines], line + 1)
    inside = f" (trong {tag})" if tag else ""
    # "error while filling in the template at <where> (in {{ … }}): …"
    return InputError.single(path, f"lỗi khi điền mẫu ở {where}{inside}: {what}")


def _part_label(part: str) -> str:
    kind = re.sub(r"\d+$", "", part.removeprefix("word/").removesuffix(".xml"))
    return PART_LABELS.get(kind, part)


def _template_line(exc: BaseException) -> int | None:
    """The template line Jinja's rewritten traceback points at (its last template frame)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def explain(template: Path, error: InputError | RuntimeTemplateError) -> InputError:
    """`error` located in the template when it came from Jinja (render.py keeps the Jinja
    exception as the InputError's context); otherwise `error` itself."""
    if isinstance(error, RuntimeTemplateError):
        return runtime_error(template, error)
    cause = error.__context__
    if isinstance(cause, jinja2.TemplateSyntaxError):
        return syntax_error(template, cause)
    if isinstance(cause, jinja2.UndefinedError):
        return undefined_error(template, cause)
    return error
