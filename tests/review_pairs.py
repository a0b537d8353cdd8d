"""Pairs of real builds with known edits, for the diff and redline tests: built once per test
session (without PDFs, about half a second each) from copies of the Cần Thơ example."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from dossier.build import build

from .conftest import AS_OF, EXAMPLE, edit_campaign, set_cell

_BUILT: dict[str, Path] = {}
RENAMED = "Võ Thanh Sang"


def _award(data: dict, award_id: str) -> dict:
    return next(a for a in data["awards"] if a["id"] == award_id)


def _fixed_prizes(root: Path) -> None:
    """The third individual's prize becomes 2.500.000 instead of 2.340.000."""
    def change(data: dict) -> None:
        _award(data, "bang-khen-ca-nhan")["prize"] = {
            "source": "fixed", "amounts": [2_340_000, 2_340_000, 2_500_000]}

    edit_campaign(root, change)


def _smaller_quota(root: Path) -> None:
    """Two individuals instead of three: Võ Thanh Sơn (CN06) drops out."""
    def change(data: dict) -> None:
        award = _award(data, "bang-khen-ca-nhan")
        award["quotas"][0]["count"] = 2
        award["total"] = 2

    edit_campaign(root, change)


def _swapped_members(root: Path) -> None:
    """The council's 3rd and 4th members listed the other way round."""
    def change(data: dict) -> None:
        members = data["bien_ban"]["members"]
        members[2], members[3] = members[3], members[2]

    edit_campaign(root, change)


def _renamed(root: Path) -> None:
    """CN06's name corrected in the ranking: Võ Thanh Sơn becomes Võ Thanh Sang."""
    set_cell(root, "CN06", "name", RENAMED)


def _new_leader(root: Path) -> None:
    """CN06 overtakes the other two individuals: his report moves to the front."""
    set_cell(root, "CN06", "reused_files", "1500")


VARIANTS: dict[str, Callable[[Path], None]] = {
    "base": lambda root: None,
    "amount": _fixed_prizes,
    "quota": _smaller_quota,
    "reorder": _swapped_members,
    "rank": _new_leader,
    "rename": _renamed,
}


def review_pairs(tmp_path_factory) -> dict[str, Path]:
    """Output folder of each variant (docx/ and manifest.json), built on first use."""
    if not _BUILT:
        root = tmp_path_factory.mktemp("review")
        for name, change in VARIANTS.items():
            source = root / "campaigns" / name
            shutil.copytree(EXAMPLE, source)
            change(source)
            build(source, root / name, AS_OF, pdf=False)
            _BUILT[name] = root / name
    return _BUILT
