"""Render .docx documents with docxtpl, deterministically.

Jinja runs with autoescaping (text from spreadsheets is data, never markup: `&`, `<`, `{{ }}`
print literally) and StrictUndefined (a placeholder the context lacks is an error naming the
template). The saved file is then normalised so the same input gives the same bytes: fixed zip
timestamps and order, fixed core properties.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate

from .errors import InputError
from .paths import TEMPLATE_DIR

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def template_path(campaign_root: Path, name: str) -> Path:
    """A campaign's own templates/<name> wins over the project's default."""
    override = campaign_root / "templates" / name
    return override if override.is_file() else TEMPLATE_DIR / name


def jinja_env() -> jinja2.Environment:
    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)


def render_docx(template: Path, context: dict[str, Any], doc_date: dt.date, title: str) -> bytes:
    """Render `template` with `context`; return normalised .docx bytes."""
    try:
        doc = DocxTemplate(str(template))
        doc.render(context, jinja_env(), autoescape=True)
    except jinja2.UndefinedError as exc:
        # "the template uses a placeholder the context does not have"
        raise InputError.single(template, f"mẫu dùng biến không có: {exc.message}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise InputError.single(template, f"lỗi cú pháp mẫu: {exc.message}") from None
    except (zipfile.BadZipFile, KeyError) as exc:
        raise InputError.single(template, f"không phải tệp .docx hợp lệ: {exc}") from None
    _set_core_properties(doc, doc_date, title)
    buffer = io.BytesIO()
    doc.save(buffer)
    return normalise_zip(buffer.getvalue())


def _set_core_properties(doc: DocxTemplate, doc_date: dt.date, title: str) -> None:
    props = doc.docx.core_properties  # not get_docx(): it reloads the unrendered template
    stamp = dt.datetime.combine(doc_date, dt.time(0, 0))
    props.author = "dossier"
    props.last_modified_by = "dossier"
    props.title = title
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed timestamps and attributes, members in their original order."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            fixed.create_system = 0
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
