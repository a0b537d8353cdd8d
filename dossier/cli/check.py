"""`dossier check` and `dossier calendar`: what scheduled jobs run before a deadline."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

import click
from rich.markup import escape

from dossier.cli.common import (
    DateParam,
    err,
    out,
    print_findings,
    print_problems,
    today_in_vietnam,
)
from dossier.errors import InputError
from dossier.models import Finding
from dossier.vietnamese import format_amount


@click.command("check")
@click.argument("campaign_dirs", nargs=-1, required=True,
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--as-of", type=DateParam(), default=None,
              help="Ngày dùng để kiểm tra thời hạn (mặc định: hôm nay, giờ Việt Nam).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--strict", is_flag=True, help="Cảnh báo cũng tính là chưa sẵn sàng.")
@click.option("--require-evidence", type=click.Choice(["secondary", "text"]), default="secondary",
              show_default=True,
              help="Mức chứng cứ tối thiểu của số liệu pháp lý: số liệu dưới mức này là cảnh "
                   "báo (với --strict: chưa sẵn sàng).")
@click.option("--built", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Thư mục kết quả đã tạo: kiểm tra số trang PDF theo giới hạn của Kế hoạch.")
@click.option("--round", "round_id", default=None, metavar="ID",
              help="Chỉ kiểm tra một đợt (sơ kết, tổng kết…) của kế hoạch có nhiều đợt.")
def check_command(campaign_dirs: tuple[Path, ...], as_of: dt.date | None, fmt: str,
                  strict: bool, require_evidence: str, built: Path | None,
                  round_id: str | None) -> None:
    """Kiểm tra mọi quy tắc mà không ghi gì (a folder of campaigns is checked one by one)."""
    from dossier.reports.check import check_reports

    if built and len(campaign_dirs) > 1:
        raise click.UsageError("--built chỉ dùng với một kế hoạch")  # one campaign only
    report = check_reports(list(campaign_dirs), as_of or today_in_vietnam(), built,
                           require_evidence, round_id)  # type: ignore[arg-type]
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
    submissions = report.get("submissions") or []
    if len(submissions) > 1:
        for number, sub in enumerate(submissions, start=1):
            # "file N: what it is – who; the money its authority pays"
            out.print(f"  Hồ sơ {number}: {sub['label']} – {sub['tap_the']} tập thể, "
                      f"{sub['ca_nhan']} cá nhân; tiền thưởng {format_amount(sub['total_prize'])}"
                      " đồng", markup=False)
    print_findings([Finding(f["code"], f["severity"], f["message"])
                     for f in report["findings"]], out)


@click.command("calendar")
@click.argument("campaign_dirs", nargs=-1, required=True,
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None,
              help="Ghi lịch vào tệp này (mặc định: in ra đầu ra chuẩn).")
def calendar_command(campaign_dirs: tuple[Path, ...], out_file: Path | None) -> None:
    """Ghi mọi thời hạn thành sự kiện lịch (.ics) có nhắc việc; không có --out: in ra đầu
    ra chuẩn (dossier calendar DIR > lich.ics)."""
    from dossier.reports.calendar import deadlines_calendar

    try:
        calendar = deadlines_calendar(list(campaign_dirs))
    except InputError as exc:
        print_problems(exc)
        sys.exit(2)
    if out_file is None:  # as Unix tools do: the calendar itself on standard output
        click.echo(calendar.to_ical(), nl=False)
        return
    try:
        write_whole(out_file, calendar.to_ical())
    except OSError as exc:
        # "cannot write the file (reason)"
        err.print(f"{out_file}: không ghi được tệp ({exc.strerror or exc})", markup=False)
        sys.exit(2)
    events = len(calendar.walk("VEVENT"))
    # "wrote N deadlines to FILE" (the full path: no guessing where it went)
    out.print(f"Đã ghi {events} thời hạn vào {out_file.resolve()}", markup=False)


def write_whole(path: Path, data: bytes) -> None:
    """Write `path` under a temporary name beside it, then rename: never half a file, and a
    symbolic link at `path` is replaced, not written through."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
