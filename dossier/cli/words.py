"""`dossier words AMOUNT`: an amount in words as documents write it."""

from __future__ import annotations

import sys

import click

from dossier.cli.common import err
from dossier.vietnamese import money_in_words, parse_amount


@click.command("words")
@click.argument("amount")
@click.option("--zero-tens", type=click.Choice(["linh", "lẻ"]), default="linh", show_default=True,
              help="Cách đọc hàng chục bằng 0 (official: linh).")
@click.option("--thousand", type=click.Choice(["nghìn", "ngàn"]), default="nghìn",
              show_default=True, help="Cách đọc hàng nghìn (official: nghìn).")
def words_command(amount: str, zero_tens: str, thousand: str) -> None:
    """In số tiền bằng chữ, ví dụ: dossier words 20000000."""
    try:
        value = parse_amount(amount)
        click.echo(money_in_words(value, zero_tens=zero_tens, thousand=thousand))
    except ValueError as exc:
        err.print(f"[bold red]Số tiền không hợp lệ:[/] {exc}")
        sys.exit(2)
