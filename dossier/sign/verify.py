"""`dossier verify`: every signature of a PDF, or of a signed output folder, checked.

For each signature: who signed (certificate subject) and who issued the certificate, the
signing time, whether the signed bytes are intact, whether the signature covers the whole
document (the last one the whole file; an earlier one its revision, with only form filling
(later signatures) after it), whether the certificate chains to the trust roots given, and
whether its visible part stands where NĐ 30/2020 puts it (`layout`, `nd30.yaml`). For a folder,
also whether every signature the manifest expects is there and the signed file is the one
recorded.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from dossier.errors import InputError
from dossier.output.atomic import MANIFEST
from dossier.sign import pades
from dossier.sign.folder import ROLE_NAMES, read_manifest, signing_records, targets
from dossier.sign.keys import common_name
from dossier.sign.layout import MM, Box, read_pages, signature_block, text_corner
from dossier.sign.rules import rules

# pyHanko logs a traceback for every chain it cannot build: the result says it already
logging.getLogger("pyhanko.sign.validation").setLevel(logging.CRITICAL)

TOLERANCE = 3.0  # points a widget may stand off the place computed for it


@dataclass
class SignatureCheck:
    field: str
    role: str | None
    signer: str
    issuer: str
    time: str | None
    intact: bool
    covers_document: bool
    trusted: bool | None     # None: no trust roots given
    position_ok: bool
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class FileCheck:
    path: str
    signatures: list[SignatureCheck] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and all(s.ok for s in self.signatures)

    def as_dict(self) -> dict:
        return {"path": self.path, "ok": self.ok, "problems": self.problems,
                "signatures": [{**asdict(s), "ok": s.ok} for s in self.signatures]}


def load_trust(paths: list[Path]) -> list[asn1_x509.Certificate]:
    certs = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            raise InputError.single(path, "không đọc được chứng thư tin cậy") from None
        try:
            if pem.detect(data):
                certs.extend(asn1_x509.Certificate.load(der)
                             for _, _, der in pem.unarmor(data, multiple=True))
            else:
                certs.append(asn1_x509.Certificate.load(data))
                certs[-1].native  # noqa: B018 - parse now, so a bad file fails here
        except (ValueError, TypeError):
            raise InputError.single(path, "không phải chứng thư số X.509 (PEM hoặc DER)"
                                    ) from None  # not an X.509 certificate
    return certs


def verify_pdf(path: Path, trust: list[asn1_x509.Certificate], expects: list[str] | None = None,
               shown_as: str | None = None) -> FileCheck:
    check = FileCheck(shown_as or str(path))
    try:
        data = path.read_bytes()
    except OSError:
        raise InputError.single(path, "không đọc được tệp") from None
    if not data.startswith(b"%PDF"):
        raise InputError.single(path, "không phải tệp PDF")  # not a PDF
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = reader.embedded_signatures
    except Exception as exc:  # noqa: BLE001 - any parse failure is bad input
        raise InputError.single(path, f"không đọc được PDF: {exc}") from None
    widgets = pades.signed_fields(data)
    context = ValidationContext(trust_roots=trust, allow_fetching=False,
                                revocation_mode="soft-fail")
    for sig in embedded:
        check.signatures.append(_check_signature(path, sig, context, bool(trust), widgets))
    if not embedded:
        check.problems.append("không có chữ ký số")  # no signature
    for role in expects or []:
        if not any(s.role == role for s in check.signatures):
            check.problems.append(f"thiếu chữ ký số của {ROLE_NAMES[role]}")  # missing
    return check


def _check_signature(path: Path, sig, context: ValidationContext, trust_given: bool,
                     widgets: dict[str, tuple[int, Box]]) -> SignatureCheck:
    name = sig.field_name
    role = rules().role_of_field(name)
    try:
        status = validate_pdf_signature(sig, signer_validation_context=context)
    except Exception as exc:  # noqa: BLE001 - a malformed signature is an invalid one
        return SignatureCheck(name, role, "", "", None, False, False, None, False,
                              [f"không kiểm tra được chữ ký: {exc}"])
    cert = status.signing_cert
    time = status.signer_reported_dt
    covers = (status.coverage == SignatureCoverageLevel.ENTIRE_FILE
              or (status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
                  and status.modification_level is not None
                  and status.modification_level <= ModificationLevel.FORM_FILLING))
    trusted = bool(status.trusted) if trust_given else None
    problems = []
    if not (status.intact and status.valid):
        problems.append("chữ ký không còn nguyên vẹn: tài liệu đã bị sửa sau khi ký")
    if not covers:
        problems.append("chữ ký không bao trùm toàn bộ tài liệu")  # does not cover the document
    if trusted is False:
        problems.append("chứng thư số không dẫn tới chứng thư tin cậy đã cho (--trust)")
    position = _position_problem(path, name, role, widgets)
    if position:
        problems.append(position)
    return SignatureCheck(
        field=name, role=role, signer=common_name(cert.subject),
        issuer=common_name(cert.issuer), time=time.isoformat() if time else None,
        intact=bool(status.intact and status.valid), covers_document=covers, trusted=trusted,
        position_ok=position is None, problems=problems)


def _position_problem(path: Path, name: str, role: str | None,
                      widgets: dict[str, tuple[int, Box]]) -> str | None:
    """None when the visible signature stands where NĐ 30/2020 puts it, else why not."""
    if role is None or name not in widgets:
        return None  # a signature dossier did not make: its place is not ours to judge
    page, box = widgets[name]
    signer_field = rules().fields["signer"]
    if role == "signer":
        block = signature_block(path, page, rules().min_gap_mm * MM)
        if block is None:
            return f"trang {page + 1} không có khối chữ ký cho chữ ký của người có thẩm quyền"
        centre = (block.title.cx + block.name.cx) / 2
        inside = (box.y0 >= block.space.y0 - TOLERANCE and box.y1 <= block.space.y1 + TOLERANCE)
        if not inside or abs(box.cx - centre) > TOLERANCE:
            # not between the title and the name, centred on them
            return "hình chữ ký không nằm giữa chức vụ và họ tên người ký"
        return None
    if signer_field in widgets and widgets[signer_field][0] == page:
        signer = widgets[signer_field][1]
        right = signer.x0 + signer.width * rules().covers_fraction
        if abs(box.x1 - right) > TOLERANCE or abs(box.cy - signer.cy) > TOLERANCE:
            # the seal does not cover the left third of the signer's image
            return "hình con dấu không trùm khoảng 1/3 bên trái hình chữ ký"
        return None
    if page != 0:
        return "chữ ký của cơ quan trên văn bản kèm theo phải ở trang đầu"  # must be on page 1
    (content,) = read_pages(path, 0, 0)
    # the page's own text, without what the signature widgets print
    text_right, text_top = text_corner(content, [w for _, w in widgets.values()])
    if box.x1 < text_right - TOLERANCE or box.x1 > text_right + 2 * pades.TEXT_BOX_MARGIN \
            or box.y0 < text_top - pades.TEXT_BOX_MARGIN - TOLERANCE:
        return "thông tin chữ ký của cơ quan không ở góc trên, bên phải trang đầu"
    return None


def verify_output(out: Path, trust: list[asn1_x509.Certificate]) -> list[FileCheck]:
    manifest = read_manifest(out)
    records = signing_records(manifest)
    checks = []
    for target in targets(manifest):
        record = records.get(target.source)
        signed = out / target.signed
        if record is None or not signed.is_file():
            checks.append(FileCheck(target.signed, problems=["chưa được ký số"]))  # not signed
            continue
        check = verify_pdf(signed, trust, expects=target.expects, shown_as=target.signed)
        if hashlib.sha256(signed.read_bytes()).hexdigest() != record.get("sha256"):
            # the signed file is not the one `dossier sign` recorded
            check.problems.append(f"sha256 khác bản ghi trong {MANIFEST}")
        checks.append(check)
    return checks


def verify_folder(path: Path, trust: list[asn1_x509.Certificate]) -> list[FileCheck]:
    """An output folder, or the folder of a campaign's rounds (each round's output)."""
    top = read_manifest(path)
    rounds = top.get("rounds")
    if not isinstance(rounds, list):
        return verify_output(path, trust)
    checks = []
    for round_id in rounds:
        for check in verify_output(path / round_id, trust):
            check.path = f"{round_id}/{check.path}"
            checks.append(check)
    return checks
