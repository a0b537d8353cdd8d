"""`dossier build` starts LibreOffice before it loads the build: the command line imports each
command's module only when that command runs, and what the build needs to start LibreOffice
(the converter and the cache's folders) loads without docxtpl, pypdf or pikepdf."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

from dossier.cli.main import COMMANDS, main

HEAVY = ("docxtpl", "pypdf", "pikepdf", "openpyxl", "dossier.build")


def _imported_after(code: str, heavy: tuple[str, ...] = HEAVY) -> set[str]:
    probe = (f"import sys\n{code}\nimport json\n"
             f"print(json.dumps([m for m in {list(heavy)!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_what_starts_libreoffice_loads_nothing_heavy():
    assert _imported_after(
        "import dossier.cli.main, dossier.cli.build\n"
        "from dossier.convert.backends import make_converter\n"
        "from dossier.output.cache_folders import profile_root\n"
        "make_converter(None, 1, None)") == set()


def test_checking_loads_no_signing_library():
    """`dossier check` (scheduled before a deadline, on every campaign of a folder) loads
    pyHanko only for a campaign sent electronically, whose signatures it looks at."""
    assert _imported_after("import dossier.cli.check, dossier.reports.check",
                           ("pyhanko", "dossier.sign.pades")) == set()


def test_every_command_is_found_and_listed():
    runner = CliRunner()
    listed = runner.invoke(main, ["--help"])
    assert listed.exit_code == 0, listed.output
    for name in COMMANDS:
        assert f"  {name} " in listed.output
        shown = runner.invoke(main, [name, "--help"])
        assert shown.exit_code == 0 and "Usage: main " + name in shown.output, shown.output
    unknown = runner.invoke(main, ["buidl"])
    assert unknown.exit_code == 2 and "No such command" in unknown.output

