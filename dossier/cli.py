"""Command line: parse, call the library, print, set the exit status. Nothing else.

Exit statuses: 0 success / ready; 1 blocking findings or a failed tool; 2 bad input or usage.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from .analysis import analyse
from .build import BlockingFindings, build
from .errors import InputError, ToolError
from .models import Finding
from .vietnamese import format_amount, money_in_words, parse_amount

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
SEVERITY_STYLE = {"blocking": "bold red", "warning": "yellow", "info": "cyan"}
SEVERITY_LABEL = {"blocking": "CHẶN", "warning": "CẢNH BÁO", "info": "THÔNG TIN"}
STAGE_LABEL = {"render": "Tạo .docx", "convert": "Chuyển PDF", "bundle": "Đóng gói"}

# soft_wrap: long messages stay on one line, so a path or a row number is never split
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


def today_in_vietnam() -> dt.date:
    return dt.datetime.now(TIMEZONE).date()


class DateParam(click.ParamType):
    name = "DATE"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(value, pattern).date()
            except ValueError:
                continue
        self.fail(f"'{value}' không phải ngày (YYYY-MM-DD hoặc dd/mm/yyyy)", param, ctx)


@click.group()
@click.version_option(package_name="dossier")
def main() -> None:
    """Hồ sơ đề nghị khen thưởng phong trào thi đua (award dossiers)."""


def _print_problems(error: InputError) -> None:
    err.print(f"[bold red]Dữ liệu đầu vào không hợp lệ ({len(error.problems)} lỗi):[/]")
    for problem in error.problems:
        err.print(f"  • {problem}", markup=False)


def _print_findings(findings: list[Finding], console: Console) -> None:
    for finding in findings:
        label = SEVERITY_LABEL[finding.severity]
        console.print(f"[{SEVERITY_STYLE[finding.severity]}]{label:>9}[/] ", end="")
        console.print(f"{finding.code}: {finding.message}", markup=False)


@main.command("build")
@click.argument("campaign_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), show_default=True, help="Thư mục kết quả.")
@click.option("--as-of", type=DateParam(), default=None,
              help="Ngày dùng để kiểm tra thời hạn (mặc định: hôm nay, giờ Việt Nam).")
@click.option("--no-pdf", is_flag=True, help="Chỉ tạo .docx, không chuyển PDF.")
@click.option("--quiet", "-q", is_flag=True, help="Không in tiến độ.")
def build_command(campaign_dir: Path, out_dir: Path, as_of: dt.date | None, no_pdf: bool,
                  quiet: bool) -> None:
    """Kiểm tra, tạo toàn bộ văn bản, chuyển PDF và đóng gói hồ sơ."""
    as_of = as_of or today_in_vietnam()
    try:
        with _progress(quiet) as report:
            result = build(campaign_dir, out_dir, as_of, pdf=not no_pdf, progress=report)
    except InputError as exc:
        _print_problems(exc)
        sys.exit(2)
    except BlockingFindings as exc:
        err.print("[bold red]Không tạo hồ sơ: có lỗi chặn (không ghi gì ra thư mục kết quả).[/]")
        _print_findings(exc.findings, err)
        sys.exit(1)
    except ToolError as exc:
        err.print(f"[bold red]Lỗi công cụ:[/] {exc}", markup=True)
        sys.exit(1)
    _print_findings([f for f in result.analysis.findings if f.severity != "info"], err)
    if not quiet:
        _summary(result)


class _progress:
    """A rich progress bar on a terminal; plain silence otherwise or with --quiet."""

    def __init__(self, quiet: bool):
        self.enabled = not quiet and err.is_terminal
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            console=err, transient=True)
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        if self.enabled:
            self.bar.start()
        return self.update

    def __exit__(self, *exc_info):
        if self.enabled:
            self.bar.stop()

    def update(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(STAGE_LABEL.get(stage, stage), total=total)
        self.bar.update(self.tasks[stage], completed=done, total=total)


def _summary(result) -> None:
    selection = result.analysis.selection
    total = sum(a.amount or 0 for a in selection.awardees)
    collectives = sum(1 for a in selection.awardees if a.nominee.kind == "tap_the")
    out.print(f"[bold green]Đã tạo hồ sơ[/] {result.analysis.campaign.name}", markup=True)
    out.print(f"  Khen thưởng: {collectives} tập thể, {len(selection.awardees) - collectives} "
              f"cá nhân; tổng tiền thưởng {format_amount(total)} đồng", markup=False)
    out.print(f"  Văn bản: {result.documents}; số trang: {result.pages}", markup=False)
    out.print(f"  Thư mục: {result.out}", markup=False)
    if result.bundle:
        out.print(f"  Hồ sơ gộp: {result.bundle}", markup=False)


@main.command("check")
@click.argument("campaign_dirs", nargs=-1, required=True,
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--as-of", type=DateParam(), default=None,
              help="Ngày dùng để kiểm tra thời hạn (mặc định: hôm nay, giờ Việt Nam).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--strict", is_flag=True, help="Cảnh báo cũng tính là chưa sẵn sàng.")
def check_command(campaign_dirs: tuple[Path, ...], as_of: dt.date | None, fmt: str,
                  strict: bool) -> None:
    """Kiểm tra mọi quy tắc mà không ghi gì."""
    as_of = as_of or today_in_vietnam()
    reports = [_check_one(path, as_of) for path in campaign_dirs]
    if fmt == "json":
        click.echo(json.dumps({"report_version": 1, "as_of": as_of.isoformat(),
                               "campaigns": reports}, ensure_ascii=False, indent=2))
    else:
        for report in reports:
            _print_check_text(report)
    statuses = [r["status"] for r in reports]
    if "error" in statuses:
        sys.exit(2)
    if "blocked" in statuses or (strict and "warnings" in statuses):
        sys.exit(1)


def _check_one(path: Path, as_of: dt.date) -> dict:
    try:
        analysis = analyse(path, as_of)
    except InputError as exc:
        return {"path": str(path), "status": "error",
                "errors": [{"file": p.file, "row": p.row, "column": p.column,
                            "message": p.message} for p in exc.problems], "findings": []}
    findings = analysis.findings
    status = ("blocked" if analysis.blocking else
              "warnings" if any(f.severity == "warning" for f in findings) else "ready")
    return {
        "path": str(path), "campaign": analysis.campaign.id, "status": status,
        "awardees": len(analysis.selection.awardees),
        "findings": [{"code": f.code, "severity": f.severity, "message": f.message,
                      "nominees": list(f.nominees), "file": f.file} for f in findings],
    }


def _print_check_text(report: dict) -> None:
    out.print(f"[bold]{report['path']}[/] – {report['status']}")
    for error in report.get("errors", []):
        parts = (error["file"], error["row"] and f"dòng {error['row']}",
                 error["column"] and f"cột {error['column']}")
        location = ", ".join(str(v) for v in parts if v)
        out.print(f"  • {location}: {error['message']}", markup=False)
    ordered = sorted(report["findings"], key=lambda f: (not f["code"].startswith("DEADLINE"),
                                                        ["blocking", "warning", "info"]
                                                        .index(f["severity"])))
    _print_findings([Finding(f["code"], f["severity"], f["message"]) for f in ordered], out)


@main.command("words")
@click.argument("amount")
@click.option("--zero-tens", type=click.Choice(["linh", "lẻ"]), default="linh", show_default=True,
              help="Cách đọc hàng chục bằng 0 (official: linh).")
@click.option("--thousand", type=click.Choice(["nghìn", "ngàn"]), default="nghìn",
              show_default=True, help="Cách đọc hàng nghìn (official: nghìn).")
def words_command(amount: str, zero_tens: str, thousand: str) -> None:
    """In số tiền bằng chữ, ví dụ: dossier words 20000000."""
    try:
        value = parse_amount(amount)
        click.echo(money_in_words(value, zero_tens=zero_tens, thousand=thousand))
    except ValueError as exc:
        err.print(f"[bold red]Số tiền không hợp lệ:[/] {exc}")
        sys.exit(2)


# Commands defined in their own modules are registered below, one line each.
