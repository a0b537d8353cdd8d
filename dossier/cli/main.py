"""Command line: the `dossier` group. Each command lives in its own module (parse, call the
library, print, set the exit status); this one only assembles them.

Exit statuses: 0 success / ready; 1 blocking findings or a failed tool; 2 bad input or usage.
The library is imported inside each command, so that `dossier textconv` (run by git for every
.docx) and `dossier words` start without loading the build pipeline.
"""

from __future__ import annotations

import click

from dossier.cli.build import build_command
from dossier.cli.check import calendar_command, check_command
from dossier.cli.clean import clean_command
from dossier.cli.init import init_command
from dossier.cli.law import law_command
from dossier.cli.review import diff_command, textconv_command
from dossier.cli.sign import sign_command, verify_command
from dossier.cli.words import words_command


@click.group()
@click.version_option(package_name="dossier")
def main() -> None:
    """Hồ sơ đề nghị khen thưởng phong trào thi đua (award dossiers)."""


for command in (build_command, check_command, calendar_command, init_command, words_command,
                diff_command, textconv_command, clean_command, law_command,
                sign_command, verify_command):
    main.add_command(command)
