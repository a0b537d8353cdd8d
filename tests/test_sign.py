"""`dossier sign` and `dossier verify` on the Cần Thơ example, with real keys: a small CA made
here, PKCS#12 files and a SoftHSM2 token (the PKCS#11 module offices' USB tokens speak)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from click.testing import CliRunner
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from dossier.cli.main import main
from dossier.sign import pades
from dossier.sign.layout import MM, read_pages
from dossier.sign.verify import verify_pdf
from tests.conftest import EXAMPLE
from tests.signing_keys import PIN, SOFTHSM_LIB, TOKEN, Keys, make_keys, make_token

MAIN = "signed/pdf/01-to-trinh.pdf"
ATTACHMENT = "signed/pdf/03-bao-cao-TT05.pdf"
BUNDLE = "signed/cantho-2024-so-hoa-ho-so.pdf"


@pytest.fixture(scope="module")
def token(tmp_path_factory, keys) -> dict[str, str]:
    assert SOFTHSM_LIB, "SoftHSM2 is not installed (Debian: apt-get install softhsm2)"
    return make_token(tmp_path_factory.mktemp("softhsm"), keys)


@pytest.fixture
def out(built, tmp_path) -> Path:
    target = tmp_path / "output"
    shutil.copytree(built.out, target)
    return target


def run(args: list[str], pin: str = PIN, env: dict | None = None):
    result = CliRunner().invoke(main, args, env={"DOSSIER_PIN": pin, **(env or {})})
    return result


def sign_p12(out: Path, keys: Keys, role: str, p12: Path | None = None,
             image: Path | None = None, pin: str = PIN, extra: list[str] = ()):
    party = keys.signer if role == "signer" else keys.agency
    picture = image or (keys.signature_png if role == "signer" else keys.seal_png)
    return run(["sign", str(out), "--role", role, "--p12", str(p12 or party.p12),
                "--image", str(picture), *extra], pin=pin)


def sign_token(out: Path, keys: Keys, role: str, env: dict, key_label: str | None = None,
               token_label: str = TOKEN, pin: str = PIN, extra: list[str] = ()):
    picture = keys.signature_png if role == "signer" else keys.seal_png
    return run(["sign", str(out), "--role", role, "--pkcs11-lib", SOFTHSM_LIB,
                "--token-label", token_label, "--key-label", key_label or role,
                "--image", str(picture), *extra], pin=pin, env=env)


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def ca(keys: Keys) -> asn1_x509.Certificate:
    _, _, der = pem.unarmor(keys.ca_cert.read_bytes())
    return asn1_x509.Certificate.load(der)


def signatures(path: Path):
    return PdfFileReader(io.BytesIO(path.read_bytes()), strict=False).embedded_signatures


# --- signing and verifying ---------------------------------------------------------------


def test_sign_with_pkcs12_then_verify(out, keys):
    first = sign_p12(out, keys, "signer")
    assert first.exit_code == 0, first.output
    assert f"đã ký: {MAIN}" in first.output and f"đã ký: {BUNDLE}" in first.output
    second = sign_p12(out, keys, "agency")
    assert second.exit_code == 0, second.output

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    records = {r["source"]: r for r in manifest["signatures"]}
    assert len(records) == len(manifest["documents"]) + 1  # every document and the bundle
    main_record = records["pdf/01-to-trinh.pdf"]
    assert main_record["expects"] == ["signer", "agency"]
    assert [s["role"] for s in main_record["signatures"]] == ["signer", "agency"]
    assert main_record["signatures"][0]["signer"] == "Lê Hoàng Phúc"
    assert main_record["signatures"][1]["time"].endswith("+07:00")
    assert main_record["sha256"] == hashlib.sha256((out / MAIN).read_bytes()).hexdigest()
    assert records["pdf/03-bao-cao-TT05.pdf"]["expects"] == ["agency"]
    # the unsigned build is untouched
    for doc in manifest["documents"]:
        assert hashlib.sha256((out / doc["pdf"]).read_bytes()).hexdigest() == doc["pdf_sha256"]

    verified = run(["verify", str(out), "--trust", str(keys.ca_cert), "--format", "json"])
    assert verified.exit_code == 0, verified.output
    report = json.loads(verified.output)
    assert report["ok"] and len(report["files"]) == len(records)
    by_path = {f["path"]: f for f in report["files"]}
    main_sigs = by_path[MAIN]["signatures"]
    assert [s["field"] for s in main_sigs] == ["NguoiKy", "CoQuan"]
    assert all(s["intact"] and s["covers_document"] and s["trusted"] and s["position_ok"]
               for f in report["files"] for s in f["signatures"])
    assert main_sigs[1]["signer"] == "Văn phòng Ủy ban nhân dân thành phố Cần Thơ"
    assert main_sigs[1]["issuer"] == "Dossier Test Root CA"


def test_pyhanko_own_validator_accepts_the_signatures(out, keys):
    assert sign_p12(out, keys, "signer").exit_code == 0
    assert sign_p12(out, keys, "agency").exit_code == 0
    context = ValidationContext(trust_roots=[ca(keys)], allow_fetching=False,
                                revocation_mode="soft-fail")
    for name in (MAIN, ATTACHMENT, BUNDLE):
        found = signatures(out / name)
        assert found
        for sig in found:
            status = validate_pdf_signature(sig, signer_validation_context=context)
            assert status.bottom_line, (name, status.pretty_print_details())
            assert status.docmdp_ok is not False
        last = validate_pdf_signature(found[-1], signer_validation_context=context)
        assert last.coverage.name == "ENTIRE_FILE"


def test_sign_with_a_softhsm_token(out, keys, token):
    signer = sign_token(out, keys, "signer", token)
    assert signer.exit_code == 0, signer.output
    agency = sign_token(out, keys, "agency", token)
    assert agency.exit_code == 0, agency.output
    verified = run(["verify", str(out), "--trust", str(keys.ca_cert)])
    assert verified.exit_code == 0, verified.output
    assert "HỢP LỆ" in verified.output and "KHÔNG HỢP LỆ" not in verified.output
    # and pyHanko's own validator agrees
    context = ValidationContext(trust_roots=[ca(keys)], allow_fetching=False,
                                revocation_mode="soft-fail")
    for name in (MAIN, BUNDLE):
        for sig in signatures(out / name):
            assert validate_pdf_signature(sig, signer_validation_context=context).bottom_line


def test_signing_twice_adds_no_second_signature(out, keys):
    assert sign_p12(out, keys, "signer").exit_code == 0
    again = sign_p12(out, keys, "signer")
    assert again.exit_code == 0
    assert f"đã có chữ ký loại này, giữ nguyên: {MAIN}" in again.output
    assert len(signatures(out / MAIN)) == 1
    assert sign_p12(out, keys, "agency").exit_code == 0
    before = tree(out)
    assert sign_p12(out, keys, "agency").exit_code == 0
    assert tree(out) == before
    assert [s.field_name for s in signatures(out / MAIN)] == ["NguoiKy", "CoQuan"]


def test_sign_only_the_named_pdfs(out, keys):
    result = sign_p12(out, keys, "agency", image=keys.seal_png,
                      extra=["03-bao-cao-TT05.pdf"])
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(out).as_posix() for p in (out / "signed").rglob("*.pdf")) == [
        ATTACHMENT]
    unknown = sign_p12(out, keys, "agency", extra=["99-khong-co.pdf"])
    assert unknown.exit_code == 2 and "99-khong-co.pdf" in unknown.output


# --- where the signatures show -------------------------------------------------------------


def _render(pdf: Path, page: int, dpi: int) -> Image.Image:
    root = pdf.parent / f"{pdf.stem}-render-{page}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", str(page + 1), "-l",
                    str(page + 1), "-singlefile", str(pdf), str(root)],
                   capture_output=True, check=True)
    with Image.open(root.with_suffix(".png")) as image:
        rendered = image.convert("RGB")
    root.with_suffix(".png").unlink()
    return rendered


def _bbox(image: Image.Image, test) -> tuple[int, int, int, int] | None:
    """Bounding box (left, top, right, bottom) of the pixels `test` picks from the r, g, b
    arrays, or None."""
    pixels = np.asarray(image).astype(int)
    rows, cols = np.nonzero(test(pixels[..., 0], pixels[..., 1], pixels[..., 2]))
    if not len(rows):
        return None
    return int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1


def _blue(r, g, b):
    return (b > 150) & (r < 80) & (g < 80)


def _red(r, g, b):
    return (r > 150) & (g < 80) & (b < 80)


def _dark(r, g, b):
    return (r + g + b) < 300


def _closing_page(pdf: Path, pages: int) -> int:
    """The 0-based page that holds Nơi nhận (and the signature block beside it)."""
    return next(i for i, page in enumerate(read_pages(pdf, 0, pages - 1))
                if any("Nơi nhận" in line.text for line in page.lines))


def test_rendered_page_shows_signature_and_seal_where_nd30_puts_them(out, keys):
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    # the page of the signature block: the danh sách follows it on pages of its own
    last = _closing_page(out / manifest["documents"][0]["pdf"], manifest["documents"][0]["pages"])
    dpi = 72  # one pixel per point: page coordinates are pixel coordinates
    assert sign_p12(out, keys, "signer").exit_code == 0
    image = _render(out / MAIN, last, dpi)
    height = image.height
    blue = _bbox(image, _blue)
    assert sign_p12(out, keys, "agency").exit_code == 0
    red = _bbox(_render(out / MAIN, last, dpi), _red)
    assert blue and red

    # the unsigned page's own text: the signer's title lines and name
    (page,) = read_pages(out / manifest["documents"][0]["pdf"], last, last)
    right = [line for line in page.lines if line.box.cx > 300]
    name = min(right, key=lambda line: line.box.y0).box
    title = min((line for line in right if line.box.y0 > name.y1 + 20),
                key=lambda line: line.box.y0).box
    # signature image: between the title (above) and the name (below), centred on them
    top, bottom = height - title.y0, height - name.y1  # in image rows
    assert top - 2 <= blue[1] and blue[3] <= bottom + 2
    assert abs((blue[0] + blue[2]) / 2 - (title.cx + name.cx) / 2) <= 4
    # seal: its real size (36 mm), over the left third of the signature image
    assert abs((red[2] - red[0]) - 36 * MM) <= 3
    signature_width = blue[2] - blue[0]
    assert abs(red[2] - (blue[0] + signature_width / 3)) <= 4
    assert red[0] < blue[0] < red[2]

    # an attachment: information in the top right corner of the first page, no image
    attachment = _render(out / ATTACHMENT, 0, dpi)
    unsigned = _render(out / "pdf/03-bao-cao-TT05.pdf", 0, dpi)
    (first,) = read_pages(out / "pdf/03-bao-cao-TT05.pdf", 0, 0)
    text_top = height - max(line.box.y1 for line in first.lines)
    text_right = max(line.box.x1 for line in first.lines)
    corner = (int(text_right) - 220, 0, int(text_right) + 2, int(text_top))
    assert _bbox(unsigned.crop(corner), _dark) is None
    added = _bbox(attachment.crop(corner), _dark)
    assert added is not None
    assert abs(corner[0] + added[2] - text_right) <= 25  # right-aligned block near the edge
    assert _bbox(attachment, _red) is None


def test_attachment_information_names_number_time_and_agency(out, keys):
    assert sign_p12(out, keys, "signer").exit_code == 0
    assert sign_p12(out, keys, "agency").exit_code == 0
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(out / ATTACHMENT), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "512/TTr-VP" in text  # the Tờ trình's number and symbol
    assert "Văn phòng Ủy ban nhân dân thành phố Cần Thơ" in text
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    time = next(r for r in manifest["signatures"]
                if r["source"] == "pdf/03-bao-cao-TT05.pdf")["signatures"][0]["time"]
    assert time in text and time.endswith("+07:00") and len(time) == 25


# --- bad input: exit 2, a Vietnamese message, OUT as it was -----------------------------------


@pytest.mark.parametrize("case", ["wrong_password", "expired", "not_yet_valid", "not_png",
                                  "opaque", "changed_pdf", "agency_first", "no_pin",
                                  "no_pin_source"])
def test_bad_input_signs_nothing(out, keys, case):
    before = tree(out)
    if case == "wrong_password":
        result = sign_p12(out, keys, "signer", pin="sai-mat-khau")
        message = "sai mật khẩu"
    elif case == "expired":
        result = sign_p12(out, keys, "signer", p12=keys.expired.p12)
        message = "chứng thư số đã hết hạn"
    elif case == "not_yet_valid":
        result = sign_p12(out, keys, "signer", p12=keys.future.p12)
        message = "chứng thư số chưa có hiệu lực"
    elif case == "not_png":
        result = sign_p12(out, keys, "agency", image=keys.jpeg)
        message = "ảnh phải là PNG"
    elif case == "opaque":
        result = sign_p12(out, keys, "signer", image=keys.opaque_png)
        message = "nền trong suốt"
    elif case == "changed_pdf":
        path = out / "pdf/03-bao-cao-TT05.pdf"
        data = path.read_bytes()
        path.unlink()  # the build's files may be hard links to the cache: never edit in place
        path.write_bytes(data + b"\n% sua sau khi dung\n")
        before = tree(out)
        result = sign_p12(out, keys, "agency")
        message = "PDF đã bị thay đổi sau khi dựng"
    elif case == "agency_first":
        result = sign_p12(out, keys, "agency")
        message = "chưa có chữ ký số của người có thẩm quyền"
    elif case == "no_pin":  # no DOSSIER_PIN and no terminal to ask on: never a default
        result = CliRunner().invoke(main, ["sign", str(out), "--role", "signer", "--p12",
                                           str(keys.signer.p12), "--image",
                                           str(keys.signature_png)], env={"DOSSIER_PIN": None})
        message = "chưa có mã PIN/mật khẩu"
    else:
        result = run(["sign", str(out), "--role", "signer", "--image",
                      str(keys.signature_png)])
        message = "chọn đúng một nguồn khóa"
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert tree(out) == before
    assert not (out / "signed").exists()


@pytest.mark.parametrize("case", ["wrong_pin", "no_token", "key_not_matching", "expired"])
def test_bad_token_signs_nothing(out, keys, token, case):
    before = tree(out)
    if case == "wrong_pin":
        result = sign_token(out, keys, "signer", token, pin="000000")
        message = "sai mã PIN"
    elif case == "no_token":
        result = sign_token(out, keys, "signer", token, token_label="khong-co")
        message = "không tìm thấy token"
    elif case == "key_not_matching":
        result = sign_token(out, keys, "signer", token, extra=["--cert-label", "agency"])
        message = "khóa bí mật không khớp với chứng thư số"
    else:
        result = sign_token(out, keys, "signer", token, key_label="expired")
        message = "chứng thư số đã hết hạn"
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert tree(out) == before


def test_signed_file_changed_after_signing_is_refused(out, keys):
    assert sign_p12(out, keys, "signer").exit_code == 0
    path = out / MAIN
    data = path.read_bytes()
    path.write_bytes(data + b"\n")
    result = sign_p12(out, keys, "agency")
    assert result.exit_code == 2 and "tệp đã ký bị thay đổi sau khi ký" in result.output


# --- verify's answers ----------------------------------------------------------------------


def test_verify_finds_missing_and_broken_signatures(out, keys):
    unsigned = run(["verify", str(out)])
    assert unsigned.exit_code == 1 and "chưa được ký số" in unsigned.output

    assert sign_p12(out, keys, "signer").exit_code == 0
    half = run(["verify", str(out), "--trust", str(keys.ca_cert)])
    assert half.exit_code == 1
    assert "thiếu chữ ký số của cơ quan, tổ chức" in half.output

    assert sign_p12(out, keys, "agency").exit_code == 0
    assert run(["verify", str(out), "--trust", str(keys.ca_cert)]).exit_code == 0

    # another CA: the chain does not reach the trust roots given
    other = make_keys(out.parent / "other-keys")
    untrusted = run(["verify", str(out / MAIN), "--trust", str(other.ca_cert)])
    assert untrusted.exit_code == 1 and "không dẫn tới chứng thư tin cậy" in untrusted.output

    # one byte of the signed content changed
    path = out / ATTACHMENT
    data = bytearray(path.read_bytes())
    index = data.index(b"/MediaBox")
    data[index + 1:index + 9] = b"Mediabox"
    path.write_bytes(bytes(data))
    broken = run(["verify", str(out), "--format", "json"])
    assert broken.exit_code == 1
    report = json.loads(broken.output)
    bad = next(f for f in report["files"] if f["path"] == ATTACHMENT)
    assert not bad["ok"]


def test_verify_bad_input(tmp_path):
    missing = run(["verify", str(tmp_path / "khong-co")])
    assert missing.exit_code == 2 and "không tìm thấy" in missing.output
    not_pdf = tmp_path / "a.pdf"
    not_pdf.write_text("không phải PDF")
    result = run(["verify", str(not_pdf)])
    assert result.exit_code == 2 and "không phải tệp PDF" in result.output
    bad_trust = run(["verify", str(not_pdf), "--trust", str(not_pdf)])
    assert bad_trust.exit_code == 2 and "không phải chứng thư số" in bad_trust.output


def test_a_scanned_attachment_gets_its_information_inside_the_page_margins(tmp_path, keys):
    """A first page without text (a scan): the corner of the text area NĐ 30/2020's margins
    leave (top 20 mm, right 15 mm)."""
    import datetime as dt

    from dossier.sign.keys import Pkcs12Key, open_key
    from dossier.sign.pades import sign_agency_attachment
    from dossier.sign.verify import verify_pdf

    scan = tmp_path / "scan.pdf"
    Image.new("RGB", (827, 1170), (235, 235, 235)).save(scan, resolution=100.0)  # A4
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).replace(microsecond=0)
    with open_key(Pkcs12Key(keys.agency.p12), PIN, now) as key:
        signed = sign_agency_attachment(scan, scan.read_bytes(), key, "512/TTr-VP",
                                        key.organisation, now)
    width, height = 827 * 72 / 100, 1170 * 72 / 100
    assert abs(signed.box.x1 - 10 - (width - 15 * MM)) < 0.5  # 10: the text box's padding
    assert signed.box.y0 + 10 >= height - 20 * MM
    assert signed.box.y1 <= height
    target = tmp_path / "scan-signed.pdf"
    target.write_bytes(signed.data)
    check = verify_pdf(target, [ca(keys)])
    assert check.ok, check.as_dict()


# --- rounds and several submissions ---------------------------------------------------------


def _rounds_folder(built, tmp_path: Path) -> Path:
    """A folder of rounds as `build` writes it: round 'r1' (the example's output) and 'r2'
    (another copy), and the top manifest listing every file."""
    from dossier.output import marks

    root = tmp_path / "rounds"
    root.mkdir()
    marks.mark(root)
    for round_id in ("r1", "r2"):
        shutil.copytree(built.out, root / round_id)
    (root / "manifest.json").write_text(json.dumps({
        "format": marks.FORMAT, "manifest_version": marks.MANIFEST_VERSION,
        "generator": "dossier test", "campaign": "cantho-2024-so-hoa", "rounds": ["r1", "r2"],
        "written": marks.written(root)}), encoding="utf-8")
    assert marks.is_dossier_output(root)
    return root


def test_signing_a_round_keeps_the_folder_of_rounds_dossiers_own(built, tmp_path, keys):
    from dossier.output import marks

    root = _rounds_folder(built, tmp_path)
    assert sign_p12(root / "r1", keys, "signer").exit_code == 0
    assert sign_p12(root / "r1", keys, "agency").exit_code == 0
    # the next build may replace it: every signed file is listed in both manifests
    assert marks.is_dossier_output(root) and marks.is_dossier_output(root / "r1")
    one = run(["verify", str(root / "r1"), "--trust", str(keys.ca_cert)])
    assert one.exit_code == 0, one.output
    every = run(["verify", str(root), "--trust", str(keys.ca_cert), "--format", "json"])
    assert every.exit_code == 1  # r2 is not signed
    files = {f["path"]: f for f in json.loads(every.output)["files"]}
    assert files[f"r1/{MAIN}"]["ok"] and not files[f"r2/{MAIN}"]["ok"]


def test_several_submissions_each_sign_at_their_own_to_trinh(tmp_path, keys):
    """Gò Vấp's last round: three deciding authorities, a Tờ trình and a bundle each."""
    import datetime as dt

    from dossier.build import build_rounds

    (result,) = build_rounds(EXAMPLE.parent / "govap-2022-2025-cds", tmp_path / "out",
                             dt.date(2025, 6, 16), "tong-ket-2025")
    out = Path(result.out)
    signer = sign_p12(out, keys, "signer")
    assert signer.exit_code == 0, signer.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    submissions = manifest["submissions"]
    assert len(submissions) == 3
    for submission in submissions:
        bundle = out / "signed" / submission["bundle"]["path"]
        check = verify_pdf(bundle, [ca(keys)])
        assert check.ok, check.as_dict()
        # the signature stands on the page of the Tờ trình's signature block (with Nơi nhận),
        # before its danh sách
        to_trinh = next(d for d in manifest["documents"]
                        if d["kind"] == "to_trinh" and d["submission"] == submission["id"])
        assert len(signatures(bundle)) == 1
        assert pades.signed_fields(bundle.read_bytes())["NguoiKy"][0] == _closing_page(
            out / to_trinh["pdf"], to_trinh["pages"]) < to_trinh["pages"] - 1
    # an attachment shows the number of its own submission's Tờ trình
    draft = next(d for d in manifest["documents"] if d["kind"] == "quyet_dinh")
    own = next(d for d in manifest["documents"]
               if d["kind"] == "to_trinh" and d["submission"] == draft["submission"])
    number = re.search(r"Số:\s*(\S+)", subprocess.run(
        ["pdftotext", "-l", "1", str(out / own["pdf"]), "-"], capture_output=True, text=True,
        check=True).stdout).group(1)
    agency = sign_p12(out, keys, "agency", extra=[Path(draft["pdf"]).name])
    assert agency.exit_code == 0, agency.output
    text = subprocess.run(["pdftotext", "-l", "1", str(out / "signed" / draft["pdf"]), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert number in text
