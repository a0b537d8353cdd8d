"""Test keys, made fresh: a small CA, a signer and an agency certificate, PKCS#12 files, a
SoftHSM2 token holding the keys, and the signature and seal images (PNG, transparent)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from PIL import Image, ImageDraw

PIN = "123456"
SO_PIN = "654321"
TOKEN = "dossier-test"
SOFTHSM_LIB = next((p for p in ("/usr/lib/softhsm/libsofthsm2.so",
                                "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
                                "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so")
                    if Path(p).exists()), None)
NOW = dt.datetime.now(dt.UTC)


@dataclass
class Party:
    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    p12: Path


@dataclass
class Keys:
    ca_cert: Path
    signer: Party
    agency: Party
    expired: Party
    future: Party
    signature_png: Path
    seal_png: Path
    opaque_png: Path
    jpeg: Path


def _name(cn: str, org: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _cert(subject: x509.Name, key, issuer: x509.Name, issuer_key, *, ca: bool,
          start: dt.datetime, end: dt.datetime) -> x509.Certificate:
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(end)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _p12(path: Path, key, cert, ca_cert) -> Path:
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"test", key, cert, [ca_cert],
        serialization.BestAvailableEncryption(PIN.encode())))
    return path


def _png(path: Path, colour: tuple[int, int, int], size: tuple[int, int], dpi: int,
         *, seal: bool, transparent: bool = True) -> Path:
    image = Image.new("RGBA", size, (*colour, 0) if transparent else (255, 255, 255, 255))
    draw = ImageDraw.Draw(image)
    w, h = size
    if seal:
        draw.ellipse((4, 4, w - 5, h - 5), outline=(*colour, 255), width=max(3, w // 25))
        draw.ellipse((w // 4, h // 4, 3 * w // 4, 3 * h // 4), fill=(*colour, 255))
    else:
        points = [(int(w * x / 20), int(h * (0.5 + 0.35 * ((-1) ** x)))) for x in range(1, 20)]
        draw.line(points, fill=(*colour, 255), width=max(3, h // 12))
    image.save(path, dpi=(dpi, dpi))
    return path


def make_keys(folder: Path) -> Keys:
    folder.mkdir(parents=True, exist_ok=True)
    day = dt.timedelta(days=1)
    ca_key = _key()
    ca_name = _name("Dossier Test Root CA", "Dossier Test")
    ca = _cert(ca_name, ca_key, ca_name, ca_key, ca=True, start=NOW - 30 * day,
               end=NOW + 3650 * day)
    (folder / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))

    def party(stem: str, subject: x509.Name, start, end) -> Party:
        key = _key()
        cert = _cert(subject, key, ca_name, ca_key, ca=False, start=start, end=end)
        return Party(key, cert, _p12(folder / f"{stem}.p12", key, cert, ca))

    signer = party("signer", _name("Lê Hoàng Phúc", "Văn phòng UBND thành phố Cần Thơ"),
                   NOW - day, NOW + 365 * day)
    agency = party("agency", _name("Văn phòng Ủy ban nhân dân thành phố Cần Thơ"),
                   NOW - day, NOW + 365 * day)
    expired = party("expired", _name("Hết Hạn"), NOW - 400 * day, NOW - 35 * day)
    future = party("future", _name("Chưa Hiệu Lực"), NOW + 10 * day, NOW + 400 * day)
    jpeg = folder / "seal.jpg"
    Image.new("RGB", (50, 50), (200, 0, 0)).save(jpeg)
    return Keys(
        ca_cert=folder / "ca.pem", signer=signer, agency=agency, expired=expired,
        future=future,
        signature_png=_png(folder / "chu-ky.png", (0, 0, 200), (400, 160), 300, seal=False),
        # 36 mm across: 425 px at 300 dpi
        seal_png=_png(folder / "con-dau.png", (220, 0, 0), (425, 425), 300, seal=True),
        opaque_png=_png(folder / "opaque.png", (220, 0, 0), (200, 200), 300, seal=True,
                        transparent=False),
        jpeg=jpeg,
    )


def _der_integer(value: int) -> bytes:
    body = value.to_bytes((value.bit_length() + 8) // 8, "big")
    return bytes([0x02, len(body)]) + body


def make_token(folder: Path, keys: Keys) -> dict[str, str]:
    """A SoftHSM2 token labelled TOKEN with the signer's and the agency's keys and certificates
    (labels 'signer', 'agency'); returns the environment that finds it."""
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    tokens = folder / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n"
                    "log.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run([shutil.which("softhsm2-util") or "softhsm2-util", "--init-token", "--free",
                    "--label", TOKEN, "--pin", PIN, "--so-pin", SO_PIN],
                   check=True, capture_output=True, env=env)
    for index, (label, party) in enumerate((("signer", keys.signer), ("agency", keys.agency),
                                            ("expired", keys.expired))):
        pem = folder / f"{label}.key.pem"
        pem.write_bytes(party.key.private_bytes(serialization.Encoding.PEM,
                                                serialization.PrivateFormat.PKCS8,
                                                serialization.NoEncryption()))
        subprocess.run(["softhsm2-util", "--import", str(pem), "--token", TOKEN, "--label",
                        label, "--id", f"{index + 1:02x}", "--pin", PIN],
                       check=True, capture_output=True, env=env)
        pem.unlink()
    lib = pkcs11.lib(SOFTHSM_LIB)
    token = lib.get_token(token_label=TOKEN)
    with token.open(rw=True, user_pin=PIN) as session:
        for index, (label, party) in enumerate((("signer", keys.signer), ("agency", keys.agency),
                                                ("expired", keys.expired))):
            session.create_object({
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: label,
                Attribute.ID: bytes([index + 1]),
                Attribute.VALUE: party.cert.public_bytes(serialization.Encoding.DER),
                Attribute.SUBJECT: party.cert.subject.public_bytes(),
                Attribute.ISSUER: party.cert.issuer.public_bytes(),
                Attribute.SERIAL_NUMBER: _der_integer(party.cert.serial_number),
            })
    return {"SOFTHSM2_CONF": str(conf)}
