"""Make every text value of a template context print exactly as written.

Jinja's autoescaping already turns `&`, `<`, `>` and quotes into XML entities, and a value is
never rendered twice, so `{{ }}`, `{% %}` and `<w:p>` in a name print literally. Two steps of
docxtpl run on the rendered XML *after* Jinja and would still rewrite data:

- `{_{`, `}_}`, `{_%`, `%_}` become `{{`, `}}`, `{%`, `%}` (a docxtpl escape for template
  authors). In a value that contains one of them, the underscore is written as the character
  reference `&#95;`: the XML parser reads it back as `_`, and the textual replacement no longer
  matches.
- TAB, `\\n`, `\\a` and `\\f` become a tab, a line break, a new paragraph and a page break. Data
  from units arrives already cleaned by `rankings.clean_text` (one line, no control characters);
  here the characters XML forbids (`\\a`, `\\f` among them) become a space in every value, so the
  campaign file cannot break a page or a paragraph either. TAB and `\\n` written in campaign.yaml
  are kept: that file is the office's own formatting.

`literal_context` is applied to the whole context right before rendering; values that are not
strings (RichText, numbers, booleans) pass through unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape

DOCXTPL_ESCAPES = re.compile(r"\{_[{%]|[}%]_\}")
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def literal(text: str) -> str:
    """`text` ready for an autoescaping Jinja: itself, or Markup when docxtpl would alter it."""
    text = XML_ILLEGAL.sub(" ", text)
    if not DOCXTPL_ESCAPES.search(text):
        return text
    escaped = str(escape(text))
    return Markup(DOCXTPL_ESCAPES.sub(lambda m: m.group(0).replace("_", "&#95;"), escaped))


def literal_context(value: Any) -> Any:
    """A copy of a context (dicts, lists, tuples of values) with every string made literal."""
    if isinstance(value, Markup):
        return value  # already markup on purpose
    if isinstance(value, str):
        return literal(value)
    if isinstance(value, Mapping):
        return {key: literal_context(item) for key, item in value.items()}
    if isinstance(value, list):
        return [literal_context(item) for item in value]
    if type(value) is tuple:
        return tuple(literal_context(item) for item in value)
    return value
