"""Command line: parse, call the library, print, set the exit status. Nothing else.

Exit statuses: 0 success / ready; 1 blocking findings or a failed tool; 2 bad input or usage.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

# The library is imported inside each command, so that `dossier textconv` (run by git for
# every .docx) and `dossier words` start without loading the build pipeline.
from .errors import InputError, OutputError, ToolError
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


def _converter_spec(ctx, param, value: str | None) -> str | None:
    if value is None:
        return None
    from .convert import validate_spec

    try:
        return validate_spec(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command("build")
@click.argument("campaign_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("output"), show_default=True, help="Thư mục kết quả.")
@click.option("--as-of", type=DateParam(), default=None,
              help="Ngày dùng để kiểm tra thời hạn (mặc định: hôm nay, giờ Việt Nam).")
@click.option("--no-pdf", is_flag=True, help="Chỉ tạo .docx, không chuyển PDF.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Số tiến trình LibreOffice chạy song song (mặc định: số lõi CPU).")
@click.option("--converter", default=None, callback=_converter_spec,
              metavar="local|unoserver://HOST:PORT[,HOST:PORT…]",
              help="Bộ chuyển PDF: LibreOffice trên máy này (mặc định) hoặc các máy chủ "
                   "unoserver.")
@click.option("--no-cache", is_flag=True,
              help="Không dùng bộ nhớ đệm: tạo và chuyển lại mọi văn bản.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Thư mục bộ nhớ đệm (mặc định: $DOSSIER_CACHE_DIR, "
                   "$XDG_CACHE_HOME/dossier hoặc ~/.cache/dossier).")
@click.option("--round", "round_id", default=None, metavar="ID",
              help="Chỉ tạo một đợt (sơ kết, tổng kết…) của kế hoạch có nhiều đợt.")
@click.option("--quiet", "-q", is_flag=True, help="Không in tiến độ.")
def build_command(campaign_dir: Path, out_dir: Path, as_of: dt.date | None, no_pdf: bool,
                  jobs: int | None, converter: str | None, no_cache: bool,
                  cache_dir: Path | None, round_id: str | None, quiet: bool) -> None:
    """Kiểm tra, tạo toàn bộ văn bản, chuyển PDF và đóng gói hồ sơ.

    A campaign with rounds builds each round (or the one named) into OUT/<round>/."""
    from .build import BlockingFindings, build_rounds
    from .cache import Cache

    as_of = as_of or today_in_vietnam()
    cache = None if no_cache else Cache(cache_dir)
    try:
        with _progress(quiet) as report:
            results = build_rounds(campaign_dir, out_dir, as_of, round_id, pdf=not no_pdf,
                                   progress=report, jobs=jobs, converter=converter,
                                   cache=cache)
    except InputError as exc:
        _print_problems(exc)
        sys.exit(2)
    except BlockingFindings as exc:
        err.print("[bold red]Không tạo hồ sơ: có lỗi chặn (không ghi gì ra thư mục kết quả).[/]")
        _print_findings(exc.findings, err)
        sys.exit(1)
    except ToolError as exc:
        err.print("[bold red]Lỗi công cụ:[/] ", end="")
        err.print(str(exc), markup=False)
        sys.exit(1)
    except OutputError as exc:  # read-only folder, disk full, not a dossier output, locked
        err.print("[bold red]Không ghi được kết quả:[/] ", end="")  # "cannot write the output"
        err.print(str(exc), markup=False)
        sys.exit(2)
    for result in results:
        _print_findings([f for f in result.analysis.findings if f.severity != "info"], err)
        if not quiet:
            _summary(result)


class _progress:
    """Per stage: a rich progress bar with counts and ETA on a terminal; plain lines (at most
    one per 10 % or per 5 seconds) otherwise; nothing with --quiet."""

    LINE_EVERY_S = 5.0

    def __init__(self, quiet: bool):
        self.mode = "off" if quiet else "bar" if err.is_terminal else "lines"
        self.bar = Progress(TextColumn("{task.description:<12}"), BarColumn(),
                            MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("còn"),
                            TimeRemainingColumn(), console=err)
        self.tasks: dict[str, int] = {}
        self.lines: dict[str, tuple[float, int, float]] = {}  # stage: start, last %, last time

    def __enter__(self):
        if self.mode == "bar":
            self.bar.start()
        return self.update

    def __exit__(self, *exc_info):
        if self.mode == "bar":
            self.bar.stop()

    def update(self, stage: str, done: int, total: int) -> None:
        if self.mode == "bar":
            if stage not in self.tasks:
                self.tasks[stage] = self.bar.add_task(STAGE_LABEL.get(stage, stage),
                                                      total=total)
            self.bar.update(self.tasks[stage], completed=done, total=total)
        elif self.mode == "lines":
            self._line(stage, done, total)

    def _line(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        start, last_percent, last_time = self.lines.get(stage, (now, -10, 0.0))
        percent = 100 * done // max(total, 1)
        if last_percent >= 100 or not (done >= total or percent >= last_percent + 10
                or now - last_time >= self.LINE_EVERY_S):
            return
        self.lines[stage] = (start, percent, now)
        eta = ""
        if 0 < done < total:
            # "about N s left"
            eta = f", còn khoảng {(now - start) / done * (total - done):.0f} giây"
        err.print(f"{STAGE_LABEL.get(stage, stage)}: {done}/{total} ({percent}%){eta}",
                  markup=False, highlight=False)


def _summary(result) -> None:
    selection = result.analysis.selection
    total = sum(a.amount or 0 for a in selection.awardees)
    collectives = sum(1 for a in selection.awardees if a.nominee.kind == "tap_the")
    campaign = result.analysis.campaign
    name = campaign.name + (f" – {campaign.round_name}" if campaign.round_name else "")
    out.print(f"[bold green]Đã tạo hồ sơ[/] {escape(name)}")
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
@click.option("--built", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Thư mục kết quả đã tạo: kiểm tra số trang PDF theo giới hạn của Kế hoạch.")
def check_command(campaign_dirs: tuple[Path, ...], as_of: dt.date | None, fmt: str,
                  strict: bool, built: Path | None) -> None:
    """Kiểm tra mọi quy tắc mà không ghi gì (a folder of campaigns is checked one by one)."""
    from .check_report import check_reports

    if built and len(campaign_dirs) > 1:
        raise click.UsageError("--built chỉ dùng với một kế hoạch")  # one campaign only
    report = check_reports(list(campaign_dirs), as_of or today_in_vietnam(), built)
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for campaign in report["campaigns"]:
            _print_check_text(campaign)
    status = report["status"]
    if status == "error":
        sys.exit(2)
    if status == "blocked" or (strict and status == "warnings"):
        sys.exit(1)


STATUS_LABEL = {"ready": "[green]sẵn sàng[/]", "warnings": "[yellow]có cảnh báo[/]",
                "blocked": "[bold red]bị chặn[/]", "error": "[bold red]dữ liệu lỗi[/]"}


def _print_check_text(report: dict) -> None:
    title = report["path"] + (f" – {report['round']}" if report["round"] else "")
    out.print(f"[bold]{escape(title)}[/] – {STATUS_LABEL[report['status']]}")
    for error in report["errors"]:
        parts = (error["file"], error["row"] and f"dòng {error['row']}",
                 error["column"] and f"cột {error['column']}")
        location = ", ".join(str(v) for v in parts if v)
        out.print(f"  • {location}: {error['message']}", markup=False)
    _print_findings([Finding(f["code"], f["severity"], f["message"])
                     for f in report["findings"]], out)


@main.command("calendar")
@click.argument("campaign_dirs", nargs=-1, required=True,
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("deadlines.ics"), show_default=True)
def calendar_command(campaign_dirs: tuple[Path, ...], out_file: Path) -> None:
    """Ghi mọi thời hạn thành sự kiện lịch (.ics) có nhắc việc."""
    from .calendar_ics import deadlines_calendar

    try:
        calendar = deadlines_calendar(list(campaign_dirs))
    except InputError as exc:
        _print_problems(exc)
        sys.exit(2)
    out_file.write_bytes(calendar.to_ical())
    events = len(calendar.walk("VEVENT"))
    out.print(f"Đã ghi {events} thời hạn vào {out_file}", markup=False)


@main.command("init")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
def init_command(target: Path) -> None:
    """Tạo khung hồ sơ kế hoạch thi đua mới (campaign.yaml có chú thích, bảng xếp hạng trống)."""
    from .skeleton import init_campaign

    try:
        written = init_campaign(target)
    except InputError as exc:
        _print_problems(exc)
        sys.exit(2)
    for path in written:
        out.print(f"Đã tạo {path}", markup=False)


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
from .cli_review import diff_command, textconv_command  # noqa: E402

main.add_command(diff_command)
main.add_command(textconv_command)
from .cli_clean import clean_command  # noqa: E402

main.add_command(clean_command)
