"""`dossier clean`: empty the cache of rendered documents and PDFs."""

from __future__ import annotations

from pathlib import Path

import click

from dossier.output.cache import Cache
from dossier.output.marks import MARK_FILE


@click.command("clean")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Thư mục bộ nhớ đệm (mặc định: $DOSSIER_CACHE_DIR, "
                   "$XDG_CACHE_HOME/dossier hoặc ~/.cache/dossier).")
def clean_command(cache_dir: Path | None) -> None:
    """Xoá bộ nhớ đệm (văn bản đã tạo, PDF đã chuyển) của các lần build trước."""
    cache = Cache(cache_dir)
    removed = cache.clear()
    # "cache emptied: N files, M MB"
    click.echo(f"Đã xoá bộ nhớ đệm {cache.root.parent}: {removed.files} tệp, "
               f"{removed.bytes / 1e6:.1f} MB")
    for folder in removed.kept:
        # "not removed: not made by dossier (no mark of dossier, holds other data)"
        click.echo(f"Không xoá {folder}: không phải do dossier tạo (không có dấu {MARK_FILE} "
                   "của dossier và chứa dữ liệu khác)")
