"""`dossier init DIR`: a commented campaign skeleton and an empty ranking with the right columns,
which passes validation as soon as it is filled in."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from dossier.campaign.load import STANDARD_COLUMNS, load_campaign
from dossier.errors import InputError

SKELETON = Path(__file__).with_suffix(".yaml")  # the commented campaign.yaml


def init_campaign(target: Path) -> list[Path]:
    """Write the skeleton into `target` (which must be missing or empty)."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        # "the folder exists and is not empty"
        raise InputError.single(target, "thư mục đã tồn tại và không rỗng")
    target.mkdir(parents=True, exist_ok=True)
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
    return [campaign_file, csv_path, xlsx_path]


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
