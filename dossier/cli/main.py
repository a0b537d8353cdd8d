"""Command line: the `dossier` group. Each command lives in its own module (parse, call the
library, print, set the exit status); this one only assembles them.

Exit statuses: 0 success / ready; 1 blocking findings or a failed tool; 2 bad input or usage.
A command's module is imported only when that command runs (click's lazily loaded
subcommands), and the library inside each command, so that `dossier textconv` (run by git for
every .docx) and `dossier words` start without loading the build pipeline, and `dossier build`
starts LibreOffice before it loads the rest (`cli.build`).
"""

from __future__ import annotations

import importlib

import click

# command name → "module:function" (`dossier --help` lists them in alphabetical order)
COMMANDS = {
    "build": "dossier.cli.build:build_command",
    "check": "dossier.cli.check:check_command",
    "calendar": "dossier.cli.check:calendar_command",
    "init": "dossier.cli.init:init_command",
    "words": "dossier.cli.words:words_command",
    "diff": "dossier.cli.review:diff_command",
    "textconv": "dossier.cli.review:textconv_command",
    "clean": "dossier.cli.clean:clean_command",
    "law": "dossier.cli.law:law_command",
    "sign": "dossier.cli.sign:sign_command",
    "verify": "dossier.cli.sign:verify_command",
}


class LazyGroup(click.Group):
    """A group whose commands are imported when they are asked for (click's documented
    pattern for lazily loaded subcommands)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, name = COMMANDS[cmd_name].split(":")
        command = getattr(importlib.import_module(module), name)
        assert command.name == cmd_name, (cmd_name, command.name)
        return command


@click.group(cls=LazyGroup)
@click.version_option(package_name="dossier")
def main() -> None:
    """Hồ sơ đề nghị khen thưởng phong trào thi đua (award dossiers)."""
