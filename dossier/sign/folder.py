"""`dossier sign OUT`: sign a build's PDFs into OUT/signed/, whole or not at all.

Every PDF to sign is first checked against the manifest (sha256 of the build's PDF; a file
already signed against the manifest's record of it), so a PDF changed after the build is
refused. The signed copies and the new manifest are assembled in a staging folder beside OUT
(the unchanged files hard-linked into it) and swapped in with the build's own atomic swap
(`output.atomic`): a failure at any point, a wrong PIN, a missing token, leaves OUT as it was.

Which signatures a file gets (NĐ 30/2020, Phụ lục I; `nd30.yaml`):

- a main document (Tờ trình) and the bundle that holds it: the signer's, then the agency's
  with the seal, at the main document's signature block;
- every other document (an attachment in its own file): the agency's only, information in the
  top right corner of its first page. The signer does not sign attachments.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from dossier.errors import InputError, Problem
from dossier.output import marks
from dossier.output.atomic import MANIFEST, replacing
from dossier.sign import pades
from dossier.sign.images import SignImage
from dossier.sign.keys import KeySource, LoadedKey, open_key
from dossier.sign.layout import MM, first_page_text, signature_page
from dossier.sign.rules import rules

SIGNED_DIR = "signed"
ROLES = ("signer", "agency")
# who each role's signature is, as the decree names them: the signer, the agency
ROLE_NAMES = {"signer": "người có thẩm quyền", "agency": "cơ quan, tổ chức"}


@dataclass(frozen=True)
class Target:
    source: str             # the unsigned PDF, relative to OUT
    kind: str               # the document's kind, or "bundle"
    main: bool              # a main document, or a bundle that holds one
    last_page: int          # 0-based last page of the main document in the file
    sha256: str | None      # the build's hash of the unsigned PDF
    submission: str | None = None  # the submission (deciding authority) it belongs to
    first_page: int = 0     # 0-based first page of the main document in the file

    @property
    def signed(self) -> str:
        return f"{SIGNED_DIR}/{self.source}"

    @property
    def expects(self) -> list[str]:
        return list(ROLES) if self.main else ["agency"]


@dataclass
class SignReport:
    signed: list[str] = field(default_factory=list)      # files that got a new signature
    unchanged: list[str] = field(default_factory=list)   # already had this kind of signature
    skipped: list[str] = field(default_factory=list)     # this role does not sign them


def now_in_vietnam() -> dt.datetime:
    return dt.datetime.now(ZoneInfo(rules().timezone)).replace(microsecond=0)


def read_manifest(out: Path) -> dict:
    path = out / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        # "not a dossier output folder: no manifest.json"
        raise InputError.single(out, f"không phải thư mục kết quả của dossier (không có "
                                f"{MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise InputError.single(path, f"không đọc được: {exc}") from None


def targets(manifest: dict) -> list[Target]:
    """Every PDF of the build that can be signed: each document's, then each submission's
    bundle (a build with one submission: the bundle)."""
    main_kinds = rules().main_kinds
    documents = [d for d in manifest.get("documents", []) if d.get("pdf")]
    found = [Target(d["pdf"], d["kind"], d["kind"] in main_kinds, int(d.get("pages") or 0) - 1,
                    d.get("pdf_sha256"), d.get("submission")) for d in documents]
    bundles = [(s["bundle"], s.get("id")) for s in manifest.get("submissions") or []
               if s.get("bundle")]
    if not bundles and manifest.get("bundle"):
        bundles = [(manifest["bundle"], None)]
    for bundle, submission in bundles:
        members = [d for d in documents if submission is None or d.get("submission") == submission]
        page, first_page, last_page = 0, 0, None
        for doc in members:  # a bundle holds its documents in this order
            first_page = page
            page += int(doc.get("pages") or 0)
            if doc["kind"] in main_kinds:
                last_page = page - 1
                break
        found.append(Target(bundle["path"], "bundle", last_page is not None, last_page or 0,
                            bundle.get("sha256"), submission,
                            first_page if last_page is not None else 0))
    return found


def signing_records(manifest: dict) -> dict[str, dict]:
    """The manifest's `signatures` records, by the unsigned PDF they were made from."""
    records = manifest.get("signatures")
    if not isinstance(records, list):
        return {}
    return {r["source"]: r for r in records
            if isinstance(r, dict) and isinstance(r.get("source"), str)}


def signed_roles(record: dict | None) -> set[str]:
    """The roles a signing record holds a signature of."""
    listed = record.get("signatures") if isinstance(record, dict) else None
    return {s["role"] for s in listed or [] if isinstance(s, dict) and isinstance(s.get("role"),
                                                                               str)}


def missing_signatures(out: Path, manifest: dict) -> list[tuple[Target, tuple[str, ...]]]:
    """Each PDF of the build that lacks a signature NĐ 30/2020 expects of it (`Target.expects`),
    with the roles it lacks, as the manifest records them: a PDF without a signed copy in
    `signed/` lacks them all. Whether the signatures hold is `dossier verify`'s question."""
    records = signing_records(manifest)
    found = []
    for target in targets(manifest):
        record = records.get(target.source)
        have = signed_roles(record) if (out / target.signed).is_file() else set()
        missing = tuple(role for role in target.expects if role not in have)
        if missing:
            found.append((target, missing))
    return found



def sign_output(out: Path, role: str, source: KeySource, pin: str, image: SignImage | None,
                only: list[str] | None = None) -> SignReport:
    """Sign the build in `out` as `role` ("signer" or "agency"); see the module docstring."""
    manifest = read_manifest(out)
    chosen = _choose(out, targets(manifest), only)
    records = {r["source"]: r for r in manifest.get("signatures", [])}
    inputs = {t.source: _checked_input(out, t, records.get(t.source)) for t in chosen}
    if role == "signer" and image is None:
        raise InputError.single("--image", "cần ảnh chữ ký (PNG nền trong suốt)"
                                )  # the signer's signature image is required
    if role == "agency" and image is None and any(t.main for t in chosen):
        raise InputError.single("--image", "cần ảnh con dấu (PNG nền trong suốt) cho văn bản "
                                "chính")  # the seal image is required for the main document
    numbers = _main_numbers(out, manifest, chosen) if role == "agency" else {}
    report = SignReport()
    when = now_in_vietnam()
    results: dict[str, tuple[Target, bytes, dict]] = {}
    with open_key(source, pin, when.astimezone(dt.UTC)) as key:
        for target in chosen:
            path, data = inputs[target.source]
            if role == "signer" and not target.main:
                report.skipped.append(target.source)
                continue
            when = now_in_vietnam()
            signed = _sign_one(target, path, data, role, key, image,
                               numbers.get(target.submission, ""), when)
            if signed is None:
                report.unchanged.append(target.signed)
                continue
            entry = {"role": role, "field": signed.field, "signer": key.subject_name,
                     "issuer": key.issuer_name, "time": pades.iso_time(when)}
            results[target.source] = (target, signed.data, entry)
            report.signed.append(target.signed)
    if results:
        _write(out, manifest, records, results)
    return report


def _choose(out: Path, every: list[Target], only: list[str] | None) -> list[Target]:
    if not only:
        return every
    by_name = {}
    for target in every:
        by_name[target.source] = target
        by_name[Path(target.source).name] = target
    unknown = [name for name in only if name not in by_name]
    if unknown:
        # "not one of the build's PDFs (see manifest.json)"
        raise InputError([Problem(str(out), f"'{name}' không phải một PDF của bản dựng (xem "
                                  f"{MANIFEST})") for name in unknown])
    return list(dict.fromkeys(by_name[name] for name in only))


def _checked_input(out: Path, target: Target, record: dict | None) -> tuple[Path, bytes]:
    """The file to sign over: the signed copy if there is one, else the build's PDF; checked
    against the manifest."""
    signed = out / target.signed
    if record and signed.is_file():
        data = signed.read_bytes()
        if hashlib.sha256(data).hexdigest() != record.get("sha256"):
            # the signed copy was changed after it was signed
            raise InputError.single(signed, "tệp đã ký bị thay đổi sau khi ký (sha256 khác "
                                    "manifest.json): dựng và ký lại")
        return signed, data
    path = out / target.source
    if target.sha256 is None:
        # built by a dossier that did not record PDF hashes
        raise InputError.single(out / MANIFEST, f"không có sha256 của {target.source}: dựng "
                                "lại bằng dossier build rồi ký")
    try:
        data = path.read_bytes()
    except OSError:
        raise InputError.single(path, "không đọc được PDF của bản dựng") from None
    if hashlib.sha256(data).hexdigest() != target.sha256:
        # the PDF was changed after the build
        raise InputError.single(path, "PDF đã bị thay đổi sau khi dựng (sha256 khác "
                                "manifest.json): dựng lại rồi ký")
    return path, data


def _main_numbers(out: Path, manifest: dict, chosen: list[Target]) -> dict[str | None, str]:
    """Per submission, the number and symbol of its main document, as its first page prints
    them (what an attachment's signature shows)."""
    numbers: dict[str | None, str] = {}
    for target in chosen:
        if target.main or target.submission in numbers:
            continue
        main = next((t for t in targets(manifest) if t.main and t.kind != "bundle"
                     and t.submission == target.submission), None)
        if main is None:
            # "the build has no main document (Tờ trình) to take the number and symbol from"
            raise InputError.single(out / MANIFEST, "bản dựng không có văn bản chính (Tờ trình) "
                                    "để lấy số, ký hiệu")
        match = re.search(rules().number_pattern, first_page_text(out / main.source))
        if not match:
            raise InputError.single(out / main.source, "không tìm thấy số, ký hiệu văn bản "
                                    "(\"Số: …\") ở trang đầu")  # no "Số: …" on the first page
        numbers[target.submission] = match.group(1)
    return numbers


def _sign_one(target: Target, path: Path, data: bytes, role: str, key: LoadedKey,
              image: SignImage | None, number: str, when: dt.datetime) -> pades.Signed | None:
    if role == "signer":
        # the signature block's page: the danh sách may follow it (issue 14)
        page = signature_page(path, target.first_page, target.last_page,
                              rules().min_gap_mm * MM)
        return pades.sign_signer(path, data, page, key, image, when)
    if target.main:
        return pades.sign_agency_main(path, data, key, image, key.organisation, when)
    return pades.sign_agency_attachment(path, data, key, number, key.organisation, when)


def _write(out: Path, manifest: dict, records: dict[str, dict],
           results: dict[str, tuple[Target, bytes, dict]]) -> None:
    for source, (target, data, entry) in results.items():
        record = records.get(source) or {"source": source, "path": target.signed,
                                         "kind": target.kind, "expects": target.expects,
                                         "signatures": []}
        record["sha256"] = hashlib.sha256(data).hexdigest()
        record["signatures"] = [s for s in record["signatures"] if s["role"] != entry["role"]]
        record["signatures"].append(entry)
        records[source] = record
    order = [t.source for t in targets(manifest)]
    manifest["signatures"] = sorted(records.values(), key=lambda r: order.index(r["source"])
                                    if r["source"] in order else len(order))
    # a round's output lives in the folder of rounds, whose manifest lists every file too:
    # that whole folder is replaced, so both manifests stay true
    root = _rounds_folder(out) or out
    inside = "" if root == out else f"{out.name}/"
    rewritten = {f"{inside}{MANIFEST}", MANIFEST} | {
        f"{inside}{target.signed}" for target, _, _ in results.values()}
    with replacing(root) as staging:
        _link_tree(root, staging, rewritten)
        folder = staging / inside if inside else staging
        for target, data, _ in results.values():
            path = folder / target.signed
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        _write_manifest(folder, manifest)
        if inside:
            top = marks.read_manifest(root) or {}
            _write_manifest(staging, top)


def _rounds_folder(out: Path) -> Path | None:
    """The folder of a campaign's rounds when `out` is one round's output in it."""
    parent = out.absolute().parent
    top = marks.read_manifest(parent)
    return parent if top and out.name in (top.get("rounds") or []) else None


def _write_manifest(folder: Path, manifest: dict) -> None:
    if "written" in manifest:  # the list of what dossier wrote, now with the signed files
        manifest["written"] = marks.written(folder)
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                   encoding="utf-8")


def _link_tree(out: Path, staging: Path, skip: set[str]) -> None:
    """Every file of `out` but those in `skip`, hard-linked (copied where links fail)."""
    for folder, _, files in os.walk(out):
        for name in files:
            source = Path(folder) / name
            relative = source.relative_to(out).as_posix()
            if relative in skip:
                continue
            target = staging / relative
            if target.exists():  # the staging folder's own mark
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, target)
            except OSError:
                shutil.copy2(source, target)
