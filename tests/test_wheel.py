"""The package as people install it: a wheel built from the sources, installed into a fresh
virtual environment outside the checkout, builds an example there (templates, schemas, law
data and the skeleton come from the installed package, not from the repository)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

PACKAGE_DATA = (
    "dossier/templates/to_trinh.docx", "dossier/templates/bien_ban.docx",
    "dossier/templates/bao_cao_tap_the.docx", "dossier/templates/bao_cao_ca_nhan.docx",
    "dossier/schemas/campaign.schema.json", "dossier/schemas/rankings.schema.json",
    "dossier/schemas/check-report.schema.json", "dossier/law/base_salary.yaml",
    "dossier/law/regimes/nd-98-2023.yaml", "dossier/campaign/skeleton.yaml",
    "dossier/sign/nd30.yaml",
)


def _run(args: list, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path, dict[str, str]]:
    """(the venv's bin folder, a working folder outside the checkout, the environment)."""
    base = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["DOSSIER_CACHE_DIR"] = str(base / "cache")
    # the sources alone, copied: no build/ left over from an earlier build, nothing written
    # into the checkout
    source = base / "source"
    source.mkdir()
    shutil.copy(ROOT / "pyproject.toml", source)
    shutil.copy(ROOT / "README.md", source)
    shutil.copytree(ROOT / "dossier", source / "dossier",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    wheels = base / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, source],
         base, env)
    [wheel] = wheels.glob("dossier-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert set(PACKAGE_DATA) <= names, sorted(set(PACKAGE_DATA) - names)
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", venv], base, env)
    _run([venv / "bin" / "python", "-m", "pip", "install", "-q", wheel], base, env)
    work = base / "work"
    work.mkdir()
    return venv / "bin", work, env


def test_the_installed_package_is_used(installed):
    bin_dir, work, env = installed
    where = _run([bin_dir / "python", "-c", "import dossier; print(dossier.__file__)"], work,
                 env).stdout.strip()
    assert "site-packages" in where and not Path(where).is_relative_to(ROOT)


def test_a_wheel_installed_elsewhere_builds_an_example(installed):
    bin_dir, work, env = installed
    example = work / "govap"
    shutil.copytree(ROOT / "examples" / "govap-2022-2025-cds", example)
    _run([bin_dir / "dossier", "check", example, "--as-of", "2025-06-16"], work, env)
    _run([bin_dir / "dossier", "build", example, "--out", "out", "--as-of", "2025-06-16",
          "--no-pdf", "--quiet"], work, env)
    for round_id in ("so-ket-2023", "tong-ket-2025"):  # the City's Tờ trình, the district's QĐ
        docx = work / "out" / round_id / "docx"
        assert (docx / "chu-tich-ubnd-tinh-01-to-trinh.docx").is_file()
        assert (docx / "chu-tich-ubnd-huyen-02-quyet-dinh.docx").is_file()
    _run([bin_dir / "dossier", "init", "moi"], work, env)
    assert (work / "moi" / "campaign.yaml").is_file()


def test_a_wheel_installed_elsewhere_builds_pdfs(installed):
    bin_dir, work, env = installed
    example = work / "cantho"
    shutil.copytree(ROOT / "examples" / "cantho-2024-so-hoa", example)
    _run([bin_dir / "dossier", "build", example, "--out", "pdf-out", "--as-of", "2024-12-20",
          "--jobs", "1", "--quiet"], work, env)
    assert (work / "pdf-out" / "cantho-2024-so-hoa-ho-so.pdf").stat().st_size > 0


def test_the_installed_package_reads_its_signing_rules(installed):
    bin_dir, work, env = installed
    fields = _run([bin_dir / "python", "-c",
                   "from dossier.sign.rules import rules; print(sorted(rules().fields.values()))"],
                  work, env).stdout.strip()
    assert fields == "['CoQuan', 'NguoiKy']"
