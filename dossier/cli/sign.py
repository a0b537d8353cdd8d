"""`dossier sign OUT` and `dossier verify PATH`: digital signatures as NĐ 30/2020 asks.

The PIN of a token, or the password of a PKCS#12 file, comes from the environment variable
DOSSIER_PIN or from a prompt on the terminal, never from an argument (arguments show in `ps`).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from dossier.cli.common import err, out, print_problems
from dossier.errors import InputError, OutputError, ToolError

PIN_VARIABLE = "DOSSIER_PIN"


def _pin() -> str:
    pin = os.environ.get(PIN_VARIABLE)
    if pin is not None:
        return pin
    if not sys.stdin.isatty():
        # no PIN: set DOSSIER_PIN or run on a terminal to be asked
        raise InputError.single(PIN_VARIABLE, "chưa có mã PIN/mật khẩu: đặt biến môi trường "
                                f"{PIN_VARIABLE} hoặc chạy trên terminal để nhập")
    return click.prompt("Mã PIN (hoặc mật khẩu tệp .p12)", hide_input=True, err=True)


@click.command("sign")
@click.argument("out_dir", metavar="OUT", type=click.Path(path_type=Path, file_okay=False))
@click.argument("only", metavar="[PDF]...", nargs=-1)
@click.option("--role", type=click.Choice(["signer", "agency"]), required=True,
              help="signer: người có thẩm quyền ký; agency: chữ ký số của cơ quan (văn thư).")
@click.option("--image", type=click.Path(path_type=Path, dir_okay=False),
              help="Ảnh chữ ký (signer) hoặc con dấu (agency): PNG nền trong suốt.")
@click.option("--image-width-mm", type=float,
              help="Chiều rộng thật của ảnh (mm), khi PNG không ghi độ phân giải.")
@click.option("--p12", type=click.Path(path_type=Path, dir_okay=False),
              help="Khóa và chứng thư trong tệp PKCS#12 (.p12/.pfx).")
@click.option("--pkcs11-lib", type=click.Path(path_type=Path, dir_okay=False),
              help="Thư viện PKCS#11 của token (.so/.dll).")
@click.option("--token-label", help="Nhãn token (PKCS#11).")
@click.option("--key-label", help="Nhãn khóa bí mật trên token.")
@click.option("--cert-label", help="Nhãn chứng thư trên token (mặc định: như --key-label).")
def sign_command(out_dir: Path, only: tuple[str, ...], role: str, image: Path | None,
                 image_width_mm: float | None, p12: Path | None, pkcs11_lib: Path | None,
                 token_label: str | None, key_label: str | None,
                 cert_label: str | None) -> None:
    """Ký số các PDF của bản dựng OUT (hoặc các PDF nêu tên) vào OUT/signed/."""
    from dossier.sign.folder import sign_output
    from dossier.sign.images import load_png
    from dossier.sign.keys import Pkcs11Key, Pkcs12Key

    try:
        if (p12 is None) == (pkcs11_lib is None):
            # exactly one key source: --p12 or --pkcs11-lib
            raise InputError.single("--p12/--pkcs11-lib", "chọn đúng một nguồn khóa: --p12 "
                                    "TỆP hoặc --pkcs11-lib THƯ_VIỆN --token-label --key-label")
        if p12 is not None:
            source = Pkcs12Key(p12)
        else:
            if not token_label or not key_label:
                raise InputError.single("--pkcs11-lib", "cần --token-label và --key-label")
            source = Pkcs11Key(pkcs11_lib, token_label, key_label, cert_label)
        picture = load_png(image, image_width_mm) if image else None
        report = sign_output(out_dir, role, source, _pin(), picture, list(only) or None)
    except InputError as exc:
        print_problems(exc)
        sys.exit(2)
    except OutputError as exc:
        err.print(f"[bold red]Không ghi được kết quả:[/] {exc}")  # cannot write the output
        sys.exit(2)
    except ToolError as exc:
        err.print(f"[bold red]Lỗi công cụ:[/] {exc}")  # a tool failed
        sys.exit(1)
    for path in report.signed:
        out.print(f"đã ký: {path}", markup=False)  # signed
    for path in report.unchanged:
        out.print(f"đã có chữ ký loại này, giữ nguyên: {path}", markup=False)  # already signed
    for path in report.skipped:
        out.print(f"không ký (văn bản kèm theo): {path}", markup=False)  # attachment: skipped


@click.command("verify")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--trust", "trust_files", multiple=True, type=click.Path(path_type=Path),
              help="Chứng thư gốc tin cậy (PEM/DER); lặp lại được.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def verify_command(path: Path, trust_files: tuple[Path, ...], fmt: str) -> None:
    """Kiểm tra chữ ký số của một PDF hoặc của thư mục kết quả đã ký."""
    from dossier.sign.verify import load_trust, verify_folder, verify_pdf

    try:
        trust = load_trust(list(trust_files))
        if path.is_dir():
            checks = verify_folder(path, trust)
        elif path.is_file():
            checks = [verify_pdf(path, trust)]
        else:
            raise InputError.single(path, "không tìm thấy tệp hoặc thư mục")  # not found
    except InputError as exc:
        print_problems(exc)
        sys.exit(2)
    except ToolError as exc:
        err.print(f"[bold red]Lỗi công cụ:[/] {exc}")
        sys.exit(2)
    ok = all(c.ok for c in checks)
    if fmt == "json":
        click.echo(json.dumps({"verify_version": 1, "path": str(path), "ok": ok,
                               "files": [c.as_dict() for c in checks]},
                              ensure_ascii=False, indent=2))
    else:
        for check in checks:
            _print_check(check)
    sys.exit(0 if ok else 1)


def _print_check(check) -> None:
    mark = "[green]HỢP LỆ[/]" if check.ok else "[bold red]KHÔNG HỢP LỆ[/]"  # valid / invalid
    out.print(f"{mark} ", end="")
    out.print(check.path, markup=False)
    for problem in check.problems:
        out.print(f"    • {problem}", markup=False)
    for sig in check.signatures:
        trust = {True: "tin cậy", False: "không tin cậy", None: "chưa kiểm tra chuỗi"}
        out.print(f"  {sig.field}: {sig.signer} (cấp bởi {sig.issuer}), ký lúc {sig.time}; "
                  f"{'nguyên vẹn' if sig.intact else 'BỊ SỬA'}; "
                  f"{'bao trùm tài liệu' if sig.covers_document else 'KHÔNG bao trùm'}; "
                  f"{trust[sig.trusted]}; "
                  f"{'đúng vị trí' if sig.position_ok else 'SAI vị trí'}", markup=False)
        for problem in sig.problems:
            out.print(f"    • {problem}", markup=False)
