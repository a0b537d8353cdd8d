"""What every command shares: the consoles, the date type, today in Viet Nam, and how bad
input and findings are printed."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import click
from rich.console import Console

from dossier.errors import InputError
from dossier.models import Finding

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


def print_problems(error: InputError) -> None:
    err.print(f"[bold red]Dữ liệu đầu vào không hợp lệ ({len(error.problems)} lỗi):[/]")
    for problem in error.problems:
        err.print(f"  • {problem}", markup=False)


def print_findings(findings: list[Finding], console: Console) -> None:
    for finding in findings:
        label = SEVERITY_LABEL[finding.severity]
        console.print(f"[{SEVERITY_STYLE[finding.severity]}]{label:>9}[/] ", end="")
        console.print(f"{finding.code}: {finding.message}", markup=False)
