"""Shared fixtures: a writable copy of the example campaign, and one real build of it."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml

from dossier.build import BuildResult, build

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "cantho-2024-so-hoa"
AS_OF = dt.date(2024, 12, 20)


@pytest.fixture
def campaign_dir(tmp_path: Path) -> Path:
    """A private copy of the Cần Thơ example that a test may edit."""
    target = tmp_path / "campaign"
    shutil.copytree(EXAMPLE, target)
    return target


def edit_rankings(root: Path, change: Callable[[pd.DataFrame], pd.DataFrame | None]) -> None:
    """Change rankings.csv through a pandas frame of strings: `change` edits the frame in place
    or returns a new one."""
    path = root / "rankings.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    changed = change(frame)
    (frame if changed is None else changed).to_csv(path, index=False)


def set_cell(root: Path, nominee_id: str, column: str, value: str) -> None:
    def change(frame: pd.DataFrame) -> None:
        frame.loc[frame["id"] == nominee_id, column] = value

    edit_rankings(root, change)


def edit_campaign(root: Path, change: Callable[[dict], None]) -> None:
    """Load campaign.yaml as plain data (dates stay strings), change it, write it back."""
    from dossier.yamlio import load_yaml

    path = root / "campaign.yaml"
    data, _ = load_yaml(path)
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> BuildResult:
    """The example built once, with PDFs, by the real LibreOffice."""
    out = tmp_path_factory.mktemp("build") / "output"
    return build(EXAMPLE, out, AS_OF, pdf=True)


@pytest.fixture
def runner():
    """A click CliRunner for `dossier` commands."""
    from click.testing import CliRunner

    return CliRunner()


@pytest.fixture(scope="module")
def pairs(tmp_path_factory) -> dict[str, Path]:
    """Two builds of the example per kind of change (tests/review_pairs.py), for diff tests."""
    from .review_pairs import review_pairs  # it imports this module's helpers

    return review_pairs(tmp_path_factory)


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """A test CA and a signer's certificate and key (tests/signing_keys.py), shared by the
    signing tests of a module."""
    from .signing_keys import make_keys

    return make_keys(tmp_path_factory.mktemp("keys"))
