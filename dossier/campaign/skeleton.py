"""`dossier init DIR`: a commented campaign skeleton and an empty ranking with the right columns,
which passes validation as soon as it is filled in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

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
    empty = pd.DataFrame(columns=header)
    # Only one ranking may exist: the Excel one is a template to fill and rename rankings.xlsx
    # (deleting rankings.csv) for offices that work in Excel.
    csv_path, xlsx_path = target / "rankings.csv", target / "rankings-mau.xlsx"
    empty.to_csv(csv_path, index=False)
    empty.to_excel(xlsx_path, index=False, sheet_name="rankings")
    return [campaign_file, csv_path, xlsx_path]
