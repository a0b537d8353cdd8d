"""The signing key: a PKCS#11 token (the USB tokens Vietnamese CAs issue) or a PKCS#12 file.

The PIN or password is given by the caller (the CLI reads it from a prompt or an environment
variable, never from an argument). Before anything is signed the key is checked: the token is
there and the PIN opens it, the certificate is valid now, and the key matches the certificate
(a probe signature verified with the certificate's public key). Each failure is an
`InputError` with a Vietnamese message naming the file or token.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign.signers import Signer, SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from dossier.errors import InputError


@dataclass(frozen=True)
class Pkcs12Key:
    path: Path


@dataclass(frozen=True)
class Pkcs11Key:
    library: Path
    token_label: str
    key_label: str
    cert_label: str | None = None


KeySource = Pkcs12Key | Pkcs11Key


@dataclass(frozen=True)
class LoadedKey:
    signer: Signer
    certificate: asn1_x509.Certificate
    where: str        # what to name in messages: the file or the token and key

    @property
    def subject_name(self) -> str:
        return common_name(self.certificate.subject)

    @property
    def issuer_name(self) -> str:
        return common_name(self.certificate.issuer)

    @property
    def organisation(self) -> str:
        native = self.certificate.subject.native
        return native.get("organization_name") or self.subject_name


def common_name(name: asn1_x509.Name) -> str:
    native = name.native
    return native.get("common_name") or name.human_friendly


@contextlib.contextmanager
def open_key(source: KeySource, pin: str, now: dt.datetime) -> Iterator[LoadedKey]:
    """The key, checked, for the length of the block (a token's session stays open)."""
    if isinstance(source, Pkcs12Key):
        key = _load_pkcs12(source.path, pin)
        _check(key, now)
        yield key
        return
    session = _open_token(source, pin)
    try:
        key = _load_from_token(session, source)
        _check(key, now)
        yield key
    finally:
        with contextlib.suppress(Exception):
            session.close()


def _load_pkcs12(path: Path, password: str) -> LoadedKey:
    try:
        data = path.read_bytes()
    except OSError:
        raise InputError.single(path, "không đọc được tệp khóa PKCS#12") from None  # unreadable
    try:
        private_key, cert, others = pkcs12.load_key_and_certificates(data, password.encode())
    except ValueError:
        # wrong password, or not a PKCS#12 file
        raise InputError.single(path, "sai mật khẩu hoặc không phải tệp PKCS#12 (.p12/.pfx)"
                                ) from None
    if private_key is None or cert is None:
        raise InputError.single(path, "tệp PKCS#12 không có khóa bí mật hoặc chứng thư số"
                                )  # no key or no certificate inside
    key_der = private_key.private_bytes(serialization.Encoding.DER,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
    signing_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    chain = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
             for c in others]
    signer = SimpleSigner(signing_cert=signing_cert,
                          signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
                          cert_registry=SimpleCertificateStore.from_certs(chain))
    return LoadedKey(signer, signing_cert, str(path))


def _open_token(source: Pkcs11Key, pin: str):
    import pkcs11
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.pkcs11 import open_pkcs11_session

    where = f"{source.library} (token '{source.token_label}')"
    if not source.library.is_file():
        raise InputError.single(source.library, "không tìm thấy thư viện PKCS#11"
                                )  # PKCS#11 module not found
    try:
        return open_pkcs11_session(str(source.library),
                                   token_criteria=TokenCriteria(label=source.token_label),
                                   user_pin=pin)
    except (pkcs11.PinIncorrect, pkcs11.PinLenRange, pkcs11.PinInvalid):
        raise InputError.single(where, "sai mã PIN của token") from None  # wrong PIN
    except pkcs11.PinLocked:
        raise InputError.single(where, "token đã bị khóa PIN") from None  # PIN locked
    except (SigningError, pkcs11.PKCS11Error, OSError, RuntimeError):
        # no token with that label is plugged in, or the module cannot be loaded
        raise InputError.single(where, "không tìm thấy token (chưa cắm token, sai nhãn token "
                                "hoặc thư viện PKCS#11 không dùng được)") from None


def _load_from_token(session, source: Pkcs11Key) -> LoadedKey:
    from pyhanko.sign.pkcs11 import PKCS11Signer

    where = f"token '{source.token_label}', khóa '{source.key_label}'"
    signer = PKCS11Signer(session, key_label=source.key_label,
                          cert_label=source.cert_label or source.key_label)
    try:
        cert = signer.signing_cert
    except Exception as exc:  # the token has no certificate of that label
        raise InputError.single(where, "không tìm thấy chứng thư số trên token: "
                                f"{type(exc).__name__} {exc}") from None
    if cert is None:
        raise InputError.single(where, "không tìm thấy chứng thư số trên token")
    return LoadedKey(signer, cert, where)


def _check(key: LoadedKey, now: dt.datetime) -> None:
    cert = x509.load_der_x509_certificate(key.certificate.dump())
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    if now < start:
        raise InputError.single(key.where, "chứng thư số chưa có hiệu lực (hiệu lực từ "
                                f"{start:%d/%m/%Y %H:%M:%S} UTC)")  # not yet valid
    if now > end:
        raise InputError.single(key.where, "chứng thư số đã hết hạn (hết hạn "
                                f"{end:%d/%m/%Y %H:%M:%S} UTC)")  # expired
    probe = b"dossier: kiem tra khoa va chung thu"
    try:
        signature = asyncio.run(key.signer.async_sign_raw(probe, "sha256"))
    except Exception as exc:  # the key is missing on the token, or refuses to sign
        raise InputError.single(key.where, "không ký được bằng khóa bí mật: "
                                f"{type(exc).__name__} {exc}") from None
    public = cert.public_key()
    try:
        if isinstance(public, rsa.RSAPublicKey):
            public.verify(signature, probe, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(signature, probe, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        # the private key is not the one the certificate was issued for
        raise InputError.single(key.where, "khóa bí mật không khớp với chứng thư số") from None
