"""`dossier build`: check, render, convert, bundle; a progress bar per stage; a summary."""

from __future__ import annotations

import atexit
import datetime as dt
import gc
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from dossier.cli.common import (
    STAGE_LABEL,
    DateParam,
    err,
    out,
    print_findings,
    print_problems,
    today_in_vietnam,
)
from dossier.errors import InputError, OutputError, ToolError
from dossier.vietnamese import format_amount

if TYPE_CHECKING:
    from dossier.convert.converter import Converter


def _converter_spec(ctx, param, value: str | None) -> str | None:
    if value is None:
        return None
    from dossier.convert.backends import validate_spec

    try:
        return validate_spec(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("build")
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
              help="Không dùng bộ nhớ đệm: tạo và chuyển lại mọi văn bản (cấu hình "
                   "LibreOffice vẫn giữ trong thư mục bộ nhớ đệm để khởi động nhanh).")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Thư mục bộ nhớ đệm (mặc định: $DOSSIER_CACHE_DIR, "
                   "$XDG_CACHE_HOME/dossier hoặc ~/.cache/dossier).")
@click.option("--round", "round_id", default=None, metavar="ID",
              help="Chỉ tạo một đợt (sơ kết, tổng kết…) của kế hoạch có nhiều đợt.")
@click.option("--quiet", "-q", is_flag=True, help="Không in tiến độ.")
@click.option("--pdf-a", is_flag=True, help="PDF theo chuẩn lưu trữ PDF/A-2b (phông nhúng).")
def build_command(campaign_dir: Path, out_dir: Path, as_of: dt.date | None, no_pdf: bool,
                  jobs: int | None, converter: str | None, no_cache: bool,
                  cache_dir: Path | None, round_id: str | None, quiet: bool,
                  pdf_a: bool) -> None:
    """Kiểm tra, tạo toàn bộ văn bản, chuyển PDF và đóng gói hồ sơ.

    A campaign with rounds builds each round (or the one named) into OUT/<round>/."""
    _no_final_collection()
    # LibreOffice starts first, while the rest of dossier loads and the campaign is read
    pdfs = None if no_pdf else _started_converter(converter, jobs, cache_dir, pdf_a)
    from dossier.output.cache import Cache

    try:
        _build(campaign_dir, out_dir, as_of or today_in_vietnam(), round_id, quiet,
               converter=pdfs, cache=None if no_cache else Cache(cache_dir), jobs=jobs,
               pdf_a=pdf_a)
    finally:
        if pdfs is not None:
            pdfs.close()


def _no_final_collection() -> None:
    """When the process ends, Python walks its whole heap once more for garbage before it
    exits: 0.15 s of the seed example's 1.3 s build, for nothing (every file is written and
    closed by then). `gc.freeze` at exit puts every object alive then out of that last
    collection's reach. Registered once; in tests, which run the command in their own process,
    it runs when they end."""
    global _FREEZE_AT_EXIT
    if not _FREEZE_AT_EXIT:
        _FREEZE_AT_EXIT = True
        atexit.register(gc.freeze)


_FREEZE_AT_EXIT = False


def _started_converter(spec: str | None, jobs: int | None, cache_dir: Path | None,
                       pdf_a: bool) -> Converter:
    """The build's converter, LibreOffice already starting. Its profile is kept in the cache's
    folder even with --no-cache: no document is reused from it, and LibreOffice starts on a
    profile it has set up in half the time (the seed example's cold build: 1.95 → 1.4 s)."""
    from dossier.convert.backends import make_converter
    from dossier.output.cache_folders import profile_root

    converter = make_converter(spec, jobs, profile_root(cache_dir), pdf_a)
    converter.warm_up()
    return converter


def _build(campaign_dir: Path, out_dir: Path, as_of: dt.date, round_id: str | None,
           quiet: bool, **options) -> None:
    from dossier.build import BlockingFindings, build_rounds

    try:
        with _progress(quiet) as report:
            results = build_rounds(campaign_dir, out_dir, as_of, round_id,
                                   pdf=options["converter"] is not None, progress=report,
                                   **options)
    except InputError as exc:
        print_problems(exc)
        sys.exit(2)
    except BlockingFindings as exc:
        err.print("[bold red]Không tạo hồ sơ: có lỗi chặn (không ghi gì ra thư mục kết quả).[/]")
        print_findings(exc.findings, err)
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
        print_findings([f for f in result.analysis.findings if f.severity != "info"], err)
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
        # the conversion reports from its workers' threads while the build still renders
        self._lock = threading.Lock()

    def __enter__(self):
        if self.mode == "bar":
            self.bar.start()
        return self.update

    def __exit__(self, *exc_info):
        if self.mode == "bar":
            self.bar.stop()

    def update(self, stage: str, done: int, total: int) -> None:
        with self._lock:
            self._update(stage, done, total)

    def _update(self, stage: str, done: int, total: int) -> None:
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
    _regime_line(campaign)
    out.print(f"  Thư mục: {result.out}", markup=False)
    if result.bundle:
        out.print(f"  Hồ sơ gộp: {result.bundle}", markup=False)
    subs = result.analysis.submissions
    if len(subs) > 1:
        # one line per submission: what it is, who, the money its authority pays, its bundle
        for number, sub in enumerate(subs, start=1):
            out.print(f"  Hồ sơ {number}: {sub.label} – {sub.counts}; tiền thưởng "
                      f"{format_amount(sub.total)} đồng", markup=False)
            if sub.id in result.bundles:
                out.print(f"    Hồ sơ gộp: {result.bundles[sub.id]}", markup=False)


def _regime_line(campaign) -> None:
    """Which decree the documents apply, and whether the plan's or the one in force."""
    from dossier import law

    regime = law.load_regime(campaign.regime)
    why = ("đang có hiệu lực ngày lập Tờ trình" if campaign.regime_choice == "in-force"
           else "theo Kế hoạch")  # in force on the Tờ trình's date / as the plan names
    out.print(f"  Chế độ áp dụng: {regime.short_name} ({why})", markup=False)
