"""`dossier init DIR`: a commented campaign skeleton to fill in."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dossier.cli.common import out, print_problems
from dossier.errors import InputError


@click.command("init")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
def init_command(target: Path) -> None:
    """Tạo khung hồ sơ kế hoạch thi đua mới (campaign.yaml có chú thích, bảng xếp hạng trống)."""
    from dossier.campaign.skeleton import init_campaign

    try:
        written = init_campaign(target)
    except InputError as exc:
        print_problems(exc)
        sys.exit(2)
    for path in written:
        out.print(f"Đã tạo {path}", markup=False)
