"""`dossier init DIR`: a commented campaign skeleton and an empty ranking with the right columns,
which passes validation as soon as it is filled in."""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from pathlib import Path

from dossier.campaign.load import STANDARD_COLUMNS, load_campaign
from dossier.errors import InputError

SKELETON = Path(__file__).with_suffix(".yaml")  # the commented campaign.yaml


def init_campaign(target: Path) -> list[Path]:
    """Write the skeleton into `target` (which must be missing or empty, and not a symbolic
    link): assembled in a folder beside it and renamed into place, so a failure (no such
    folder, a file in the way, a full disk) leaves nothing half-written."""
    if target.is_symlink():
        # "is a symbolic link: the skeleton is not written through it"
        raise InputError.single(target, "là liên kết tượng trưng: không ghi qua nó; chọn "
                                        "thư mục khác")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        # "the folder exists and is not empty"
        raise InputError.single(target, "thư mục đã tồn tại và không rỗng")
    blocking = next((p for p in target.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        # "… is a file, not a folder: the skeleton cannot be created under it"
        raise InputError.single(target, f"'{blocking}' là một tệp, không phải thư mục: không "
                                        "tạo được khung kế hoạch trong đó")
    staging: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.init-", dir=target.parent))
        _write_skeleton(staging)
        staging.chmod(0o755)  # mkdtemp made it private
        os.rename(staging, target)  # onto a missing or empty folder
    except OSError as exc:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        # "cannot create the folder: …"
        raise InputError.single(target, f"không tạo được thư mục ({exc.strerror or exc})"
                                ) from None
    return [target / name for name in ("campaign.yaml", "rankings.csv", "rankings-mau.xlsx")]


def _write_skeleton(target: Path) -> None:
    campaign_file = target / "campaign.yaml"
    shutil.copyfile(SKELETON, campaign_file)
    (target / "achievements").mkdir()
    (target / "attachments").mkdir()
    header = [*STANDARD_COLUMNS, *(c.name for c in load_campaign(target).columns)]
    # Only one ranking may exist: the Excel one is a template to fill and rename rankings.xlsx
    # (deleting rankings.csv) for offices that work in Excel.
    csv_path, xlsx_path = target / "rankings.csv", target / "rankings-mau.xlsx"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(header)
    _write_xlsx_header(xlsx_path, header)


def _write_xlsx_header(path: Path, header: list[str]) -> None:
    """A workbook with one sheet, `rankings`, holding the header row (bold, frozen)."""
    from openpyxl import Workbook  # a quarter of a second to import: only here
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "rankings"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    book.save(path)
