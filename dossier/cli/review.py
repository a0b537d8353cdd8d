"""`dossier diff` and `dossier textconv`: what reviewers run. Parse, call dossier.review.diff and
dossier.review.redline, print, exit like diff(1): 0 same, 1 different, 2 trouble."""

from __future__ import annotations

import difflib
import itertools
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.text import Text

if TYPE_CHECKING:  # diff and redline load python-docx and lxml: only in the commands
    from dossier.review.diff import Comparison

STYLES = {"summary": "bold", "note": "bold yellow", "file": "bold", "hunk": "cyan", "-": "red",
          "+": "green", " ": ""}

err = Console(stderr=True, highlight=False, soft_wrap=True)


def _fail(message: str) -> None:
    err.print("[bold red]Lỗi:[/] ", end="")  # error
    err.print(message, markup=False)
    sys.exit(2)


@click.command("diff")
@click.argument("a", type=click.Path(path_type=Path))
@click.argument("b", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["unified", "json", "html"]),
              default="unified", show_default=True,
              help="unified: như diff -u; json: cho công cụ; html: báo cáo đọc trên trình duyệt "
                   "(tóm tắt, hai cột, các trang thay đổi).")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Ghi kết quả vào tệp này thay vì in ra màn hình.")
@click.option("-U", "--context", type=click.IntRange(min=0), default=3, show_default=True,
              help="Số dòng ngữ cảnh quanh mỗi thay đổi.")
@click.option("--redline", type=click.Path(path_type=Path),
              help="Ghi bản .docx của B với thay đổi so với A dưới dạng theo dõi thay đổi "
                   "(Track Changes); khi so sánh hai thư mục: một thư mục, mỗi văn bản thay "
                   "đổi một tệp.")
@click.option("--max-pages", type=click.IntRange(min=0), default=40, show_default=True,
              help="html: số trang PDF tối đa được vẽ để so sánh (0: không vẽ trang nào).")
def diff_command(a: Path, b: Path, fmt: str, out_file: Path | None, context: int,
                 redline: Path | None, max_pages: int) -> None:
    """So sánh hai tệp .docx hoặc hai thư mục kết quả của dossier build (A → B).

    Trạng thái thoát: 0 giống nhau, 1 khác nhau, 2 lỗi."""
    from dossier.review.changes import summarise, with_changes
    from dossier.review.diff import DiffError, compare, to_json
    from dossier.review.html_report import html_report

    try:
        comparison = compare(a, b, context)
        _refuse_inputs_as_outputs(comparison, out_file, redline)
        if redline is not None:
            _write_redlines(comparison, redline)
    except DiffError as exc:
        _fail(str(exc))
    except Exception as exc:  # exit status 1 would read as "different": report trouble instead
        # "unexpected error while comparing A and B"
        _fail(f"lỗi không mong đợi khi so sánh {a} và {b}: {type(exc).__name__}: {exc}")
    if fmt == "json":
        report = with_changes(to_json(comparison), summarise(comparison))
        _emit_text(json.dumps(report, ensure_ascii=False, indent=2), out_file)
    elif fmt == "html":
        _emit_text(html_report(comparison, context, pages=max_pages > 0, max_pages=max_pages),
                   out_file)
    else:
        _emit_unified(comparison, out_file)
    sys.exit(1 if comparison.different else 0)


def _refuse_inputs_as_outputs(comparison: Comparison, out_file: Path | None,
                              redline: Path | None) -> None:
    """Never write over a file being compared: an output that is one of the inputs (the same
    file, by device and inode: through a symbolic or hard link too) is refused."""
    from dossier.review.diff import DiffError

    inputs = [comparison.a, comparison.b]
    targets = [out_file] if out_file is not None else []
    if comparison.mode == "folder":
        inputs += [comparison.a / "manifest.json", comparison.b / "manifest.json"]
        inputs += [p for doc in comparison.documents for p in (doc.a, doc.b) if p is not None]
        if redline is not None:
            targets += [redline / doc.b.name for doc in comparison.documents
                        if doc.status == "changed" and doc.b is not None]
    elif redline is not None:
        targets.append(redline)
    identities = {_identity(path): path for path in inputs}
    for target in targets:
        identity = _identity(target)
        if identity is not None and identity in identities:
            source = identities[identity]
            # "is the input file …: it is not overwritten; choose another file"
            raise DiffError(f"{target}: là tệp đầu vào {source}: không ghi đè lên tệp đang so "
                            "sánh; chọn tệp khác")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        facts = path.stat()
    except OSError:
        return None
    return facts.st_dev, facts.st_ino


def _write_redlines(comparison: Comparison, target: Path) -> None:
    from dossier.review.diff import DiffError
    from dossier.review.redline import write_redline

    if comparison.mode == "file":
        _note_untracked(write_redline(comparison.a, comparison.b, target))
        return
    if target.exists() and not target.is_dir():
        # "must be a folder when comparing two folders"
        raise DiffError(f"{target}: phải là thư mục khi so sánh hai thư mục")
    for doc in comparison.documents:
        if doc.status == "changed" and doc.a is not None and doc.b is not None:
            _note_untracked(write_redline(doc.a, doc.b, target / doc.b.name))


def _note_untracked(summary) -> None:
    """Say, when it matters, what the redline does not show."""
    if summary.untracked:
        err.print("[bold yellow]Lưu ý:[/] ", end="")  # note
        # "changes in <parts> are not marked in the redline; see the diff"
        err.print(f"{summary.path}: thay đổi ở {', '.join(summary.untracked)} không được đánh "
                  "dấu trong bản theo dõi thay đổi (chỉ thân văn bản, khổ giấy và lề); xem kết "
                  "quả dossier diff", markup=False)


def _emit_text(text: str, out_file: Path | None) -> None:
    if out_file is None:
        click.echo(text)
        return
    try:
        out_file.write_text(text + "\n" if text else "", encoding="utf-8")
    except OSError as exc:
        _fail(f"{out_file}: không ghi được tệp ({exc.strerror})")  # cannot write the file


def _emit_unified(comparison: Comparison, out_file: Path | None) -> None:
    from dossier.review.changes import summarise, summary_lines
    from dossier.review.diff import unified

    summary = summary_lines(summarise(comparison))
    text_lines = unified(comparison)  # none when only the signatures changed
    lines = [("summary", line) for line in summary]
    lines += ([("summary", "")] if summary and text_lines else []) + text_lines
    console = Console(highlight=False, soft_wrap=True)
    if out_file is None and console.is_terminal:
        for text in _coloured(lines):
            console.print(text, emoji=False)
        return
    text = "\n".join(line for _, line in lines)
    if text or out_file is not None:
        _emit_text(text, out_file)


def _coloured(lines: list[tuple[str, str]]) -> list[Text]:
    """Rich lines; where n removed lines are followed by n added ones, the words that differ
    between each pair are shown reversed, so a changed figure in a long paragraph stands out."""
    texts = [Text(line, style=STYLES[style]) for style, line in lines]
    index = 0
    while index < len(lines):
        removed = _stretch(lines, index, "-")
        added = _stretch(lines, index + removed, "+")
        if removed and removed == added:
            for offset in range(removed):
                _mark_words(texts[index + offset], texts[index + removed + offset])
        index += max(removed + added, 1)
    return texts


def _stretch(lines: list[tuple[str, str]], start: int, style: str) -> int:
    end = start
    while end < len(lines) and lines[end][0] == style:
        end += 1
    return end - start


def _mark_words(old: Text, new: Text) -> None:
    from dossier.review.redline import TOKEN

    old_words, new_words = TOKEN.findall(old.plain[1:]), TOKEN.findall(new.plain[1:])
    old_at, new_at = _offsets(old_words), _offsets(new_words)
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            old.stylize("reverse", 1 + old_at[i1], 1 + old_at[i2])
            new.stylize("reverse", 1 + new_at[j1], 1 + new_at[j2])


def _offsets(words: list[str]) -> list[int]:
    return [0, *itertools.accumulate(len(word) for word in words)]


@click.command("textconv")
@click.argument("path", type=click.Path(path_type=Path))
def textconv_command(path: Path) -> None:
    """In văn bản chuẩn hóa của một tệp .docx (cho git diff: diff.docx.textconv)."""
    from dossier.review.diff import DiffError, document_lines

    try:
        lines = document_lines(path)
    except DiffError as exc:
        _fail(str(exc))
    click.echo("\n".join(lines))
