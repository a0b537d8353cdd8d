"""The repository keeps its promises: the README's commands, CI, the schema's documentation."""

from __future__ import annotations

import re

import pytest

from .conftest import ROOT


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```(?:bash|sh)?\n(.*?)```", readme, re.S).group(1)
    return [line for line in first_block.splitlines() if line and not line.startswith("#")]


def test_readme_starts_with_the_two_setup_commands():
    build, test = _readme_commands()
    assert "dossier build examples/cantho-2024-so-hoa" in build and "--out output" in build
    assert "pytest" in test


def test_ci_runs_the_readmes_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    _, test = _readme_commands()
    assert test in ci.splitlines()


def test_campaign_format_doc_describes_every_schema_field():
    from dossier.campaign.schema_doc import reference_markdown

    doc = (ROOT / "docs" / "campaign-format.md").read_text(encoding="utf-8")
    assert reference_markdown() in doc, "regenerate with: python -m dossier.campaign.schema_doc"


@pytest.mark.parametrize("package", [
    "chromium",  # tests/test_review_report.py opens the HTML report in headless Chromium
    "softhsm2",  # tests/test_sign.py signs with keys on a SoftHSM2 token (PKCS#11)
])
def test_ci_and_bootstrap_install_what_the_tests_use(package):
    """The packages some tests need besides LibreOffice: in CI they must run."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install = next(line for line in ci.splitlines() if "apt-get install" in line)
    assert package in install.split()
    bootstrap = (ROOT / "tools" / "bootstrap.sh").read_text(encoding="utf-8")
    assert f'packages="$packages {package}"' in bootstrap
