"""`dossier law`: what the tool assumes on a date (regimes, base salary, award forms, each
figure with its grade and source), and `--check DIR` for an office's own copy of the law data."""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from dossier.cli.common import DateParam, out, print_problems, today_in_vietnam
from dossier.errors import InputError
from dossier.models import GRADE_LABELS, GRADES
from dossier.vietnamese import date_short, format_amount

GRADE_STYLE = {"text": "green", "secondary": "cyan", "unconfirmed": "yellow"}
KIND = {"tap_the": "tập thể", "ca_nhan": "cá nhân"}


@click.command("law")
@click.option("--on", "day", type=DateParam(), default=None,
              help="Ngày xem (mặc định: hôm nay, giờ Việt Nam).")  # the date (default: today)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.option("--check", "check_dir", type=click.Path(path_type=Path), default=None,
              help="Kiểm tra một bản dữ liệu pháp lý (bố cục như DOSSIER_LAW_DIR).")
def law_command(day: dt.date | None, fmt: str, check_dir: Path | None) -> None:
    """Chế độ, mức lương cơ sở và hình thức khen thưởng áp dụng vào một ngày, kèm mức chứng cứ
    và nguồn của từng số liệu."""
    if check_dir is not None:
        _check(check_dir)
        return
    from dossier.law.overview import law_on

    try:
        data = law_on(day or today_in_vietnam())
    except InputError as exc:
        print_problems(exc)
        sys.exit(2)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_table(data)


def _check(root: Path) -> None:
    from dossier.law.validate import check_law_dir

    problems, grades = check_law_dir(root)
    if problems:
        print_problems(InputError(problems))
        sys.exit(2)
    counts = ", ".join(f"{grades.get(g, 0)} {GRADE_LABELS[g]}" for g in GRADES)
    # "law data valid: N figures (… text, … secondary, … unconfirmed)"
    out.print(f"Dữ liệu pháp lý hợp lệ: {root} – {sum(grades.values())} số liệu ({counts})",
              markup=False)


def _grade(item: dict) -> str:
    grade = item["evidence"]
    return f"[{GRADE_STYLE[grade]}]{GRADE_LABELS[grade]}[/]"


def _article(item: dict, act: str | None = None) -> str:
    """act, article, clause; the act left out when it is the regime's own."""
    source = item["source"]
    parts = (None if source["act"] == act else source["act"], source["article"], source["clause"])
    return ", ".join(p for p in parts if p) or source["act"]


class _Notes:
    """Where each figure was read and why it is doubtful, as numbered notes under a table."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def ref(self, item: dict) -> str:
        parts = []
        if item["read_in"]:
            parts.append(f"đọc tại: {item['read_in']}")  # read in
        if item["note"]:
            parts.append(item["note"])
        if not parts:
            return ""
        text = "; ".join(parts)
        if text not in self.texts:
            self.texts.append(text)
        return f"[{self.texts.index(text) + 1}]"

    def print(self) -> None:
        for number, text in enumerate(self.texts, start=1):
            out.print(f"  [{number}] {text}", markup=False)


def _print_table(data: dict) -> None:
    day = dt.date.fromisoformat(data["on"])
    # "law data in force on <day> (<folder>)"
    out.print(f"[bold]Dữ liệu pháp lý áp dụng ngày {date_short(day)}[/] "
              f"({escape(data['law_dir'])})")
    salary = data["base_salary"]
    if salary:
        notes = _Notes()
        ref = notes.ref(salary)
        out.print(f"Mức lương cơ sở: {format_amount(salary['amount'])} đồng/tháng (từ "
                  f"{date_short(dt.date.fromisoformat(salary['effective_from']))}) – "
                  f"{_grade(salary)} – {escape(_article(salary))} {escape(ref)}")
        notes.print()
    else:
        out.print("[yellow]Không có mức lương cơ sở áp dụng cho ngày này[/]")  # none on that day
    if not data["regimes"]:
        out.print("[yellow]Không có chế độ pháp lý nào áp dụng vào ngày này[/]")  # no regime
    for regime in data["regimes"]:
        _print_regime(regime)


def _print_regime(regime: dict) -> None:
    from dossier import law

    act = regime["short_name"]
    notes = _Notes()
    since = date_short(dt.date.fromisoformat(regime["in_force_from"]))
    until = (f", được thay thế từ {date_short(dt.date.fromisoformat(regime['replaced_on']))}"
             if regime["replaced_on"] else "")  # replaced from
    out.print(f"\n[bold]{escape(act)}[/] ({regime['id']}), áp dụng từ {since}{until} – "
              f"{_grade(regime)} – {escape(_article(regime))} {escape(notes.ref(regime))}")
    rule = regime["prize_rule"]
    # "prize = coefficient × base salary on the decision date, rounded up to N đồng"
    out.print(f"Tiền thưởng = hệ số × mức lương cơ sở tại ngày quyết định, làm tròn lên "
              f"{format_amount(rule['rounding_step'])} đồng – {_grade(rule)} – "
              f"{escape(_article(rule, act))} {escape(notes.ref(rule))}")
    table = Table(title="Hình thức khen thưởng", title_justify="left")
    table.add_column("Hình thức")
    table.add_column("Đối tượng")
    for header in ("Hệ số", "Tiền thưởng\n(đồng)"):  # numbers are never wrapped or cut
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("Chứng cứ")
    table.add_column("Nguồn")
    table.add_column("Ghi chú", no_wrap=True)
    for form in regime["award_forms"]:
        for c in form["coefficients"]:
            amount = format_amount(c["amount"]) if c["amount"] is not None else "–"
            table.add_row(escape(form["name"]), KIND[c["kind"]],
                          law.coefficient_text(Decimal(str(c["value"]))), amount, _grade(c),
                          escape(_article(c, act)), escape(notes.ref(c)))
    out.print(table)
    forms = Table(title="Mẫu báo cáo thành tích", title_justify="left")
    for header in ("Khóa", "Số mẫu", "Tên mẫu", "Chứng cứ", "Nguồn", "Ghi chú"):
        forms.add_column(header)
    for form in regime["report_forms"]:
        forms.add_row(form["key"], form["number"] or "–", escape(form["title"]), _grade(form),
                      escape(_article(form, act)), escape(notes.ref(form)))
    out.print(forms)
    notes.print()
