"""The Jinja environment templates run in: a template override is data from the campaign,
never code.

- Jinja's sandbox refuses attributes like `__globals__` and `__class__` (`{{ cycler.__init__.
  __globals__.os.popen('id') }}` is a SecurityError, not a shell).
- No loader, and `{% include %}`, `{% import %}`, `{% extends %}` refused when compiling: a
  template reads no other file. `{% autoescape %}` is refused too: text from spreadsheets is
  always escaped.
- Nothing is computed while compiling (Jinja folds constant expressions such as
  `{{ 10 ** 100000000 }}` or `{{ 'x'|center(10**9) }}` at compile time otherwise).
- Budgets: every `{% for %}` counts against MAX_LOOP_ITERATIONS per document; `*`, `**` and
  `%` formatting, and any filter given a huge number, are refused beyond MAX_SEQUENCE;
  render.py stops a part whose output passes MAX_PART_CHARS.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from typing import Any

import jinja2
import jinja2.compiler
import jinja2.nodes
import jinja2.sandbox

from dossier.vietnamese import format_amount

MAX_LOOP_ITERATIONS = 2_000_000  # per document: thousands of rows × a few loops each
MAX_PART_CHARS = 100_000_000  # rendered XML of one part (a 5.000-row table is ~25 MB)
MAX_SEQUENCE = 10_000_000  # a string or list made by `*`, `%` or a filter
MAX_POWER_BITS = 4096  # an integer made by `**`
BOUNDED = "_dossier_bounded"
# Tags that would read other files, or turn escaping off: a template is one file of data.
_FORBIDDEN_TAGS = {jinja2.nodes.Include: "include", jinja2.nodes.Import: "import",
                   jinja2.nodes.FromImport: "import", jinja2.nodes.Extends: "extends",
                   jinja2.nodes.EvalContextModifier: "autoescape",
                   jinja2.nodes.ScopedEvalContextModifier: "autoescape"}
_FORMAT_WIDTH = re.compile(r"%[-+ #0*]*(\d+)?(?:\.(\d+))?")


class BudgetExceeded(jinja2.sandbox.SecurityError):
    """A template that would loop, repeat or write without end."""


class _Budget(threading.local):
    iterations = 0


_BUDGET = _Budget()


def start_budget() -> None:
    """A new document: its loops start counting from zero."""
    _BUDGET.iterations = 0


def _bounded(iterable: Any) -> Any:
    """Every `{% for %}` iterates through this."""
    for item in iterable:
        _BUDGET.iterations += 1
        if _BUDGET.iterations > MAX_LOOP_ITERATIONS:
            # "the template loops more than N times"
            raise BudgetExceeded(f"mẫu lặp quá {format_amount(MAX_LOOP_ITERATIONS)} lần")
        yield item


def _too_long() -> BudgetExceeded:
    return BudgetExceeded("mẫu tạo chuỗi quá dài")  # "the template makes too long a string"


def _guarded(filter_function: Any) -> Any:
    """A filter refusing a huge number argument (`center(10**9)`) or a huge result."""
    @functools.wraps(filter_function)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and value > MAX_SEQUENCE:
                raise _too_long()
        result = filter_function(*args, **kwargs)
        if isinstance(result, str) and len(result) > MAX_SEQUENCE:
            raise _too_long()
        return result
    return guarded


class _NoFolding(jinja2.compiler.CodeGenerator):
    """Never evaluate an output expression while compiling: a check must not be what runs."""

    def _output_child_to_const(self, node, frame, finalize):  # type: ignore[no-untyped-def]
        raise jinja2.nodes.Impossible()


@dataclass(frozen=True)
class Refused:
    message: str
    lineno: int


def forbidden_tag(tree: jinja2.nodes.Template) -> Refused | None:
    """The first include/import/extends/autoescape in `tree`."""
    for node in tree.find_all(tuple(_FORBIDDEN_TAGS)):
        tag = _FORBIDDEN_TAGS[type(node)]
        # "{% tag %} is not allowed: a template reads no other file and escapes all text"
        return Refused(f"không được dùng {{% {tag} %}}: mẫu không được đọc tệp khác hay tắt "
                       "thoát ký tự", node.lineno)
    return None


class SandboxedEnvironment(jinja2.sandbox.SandboxedEnvironment):
    """Jinja's sandbox with autoescaping, strict undefined, no loader and the budgets above."""

    intercepted_binops = frozenset(["*", "**", "%"])
    code_generator_class = _NoFolding

    def __init__(self) -> None:
        super().__init__(undefined=jinja2.StrictUndefined, autoescape=True, optimized=False)
        self.filters = {name: _guarded(f) for name, f in self.filters.items()}
        self.filters[BOUNDED] = _bounded

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if (isinstance(seq, str | list | tuple) and isinstance(times, int)
                        and len(seq) * times > MAX_SEQUENCE):
                    raise _too_long()
        if (operator == "**" and isinstance(left, int) and isinstance(right, int)
                and abs(left) > 1 and right * max(abs(left).bit_length(), 1) > MAX_POWER_BITS):
            raise BudgetExceeded("mẫu tạo số quá lớn")  # "the template makes too large a number"
        if operator == "%" and isinstance(left, str) and any(
                int(n or 0) > MAX_SEQUENCE for m in _FORMAT_WIDTH.finditer(left)
                for n in m.groups()):
            raise _too_long()
        return super().call_binop(context, operator, left, right)

    def compile_part(self, source: str) -> jinja2.Template:
        """Parse, refuse the forbidden tags, bound every loop, compile."""
        tree = self.parse(source)
        refused = forbidden_tag(tree)
        if refused:
            raise jinja2.TemplateSyntaxError(refused.message, refused.lineno)
        for loop in tree.find_all(jinja2.nodes.For):
            loop.iter = jinja2.nodes.Filter(loop.iter, BOUNDED, [], [], None, None,
                                            lineno=loop.lineno)
        return self.from_string(tree)
