"""`check` and `diff` know digital signatures: a campaign sent electronically is warned about
its unsigned PDFs, and `diff` of two output folders tells which PDFs were signed, re-signed or
lost their signatures, never counting signing as a change of text. Real builds, real keys (a
small CA made here, PKCS#12 files), real pyHanko signatures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from dossier.campaign.load import load_campaign, load_schema
from dossier.cli.main import main
from tests.conftest import AS_OF, EXAMPLE, edit_campaign
from tests.signing_keys import PIN, Keys

MAIN = "pdf/01-to-trinh.pdf"
ATTACHMENT = "pdf/03-bao-cao-TT05.pdf"
BUNDLE = "cantho-2024-so-hoa-ho-so.pdf"


def copy_of(folder: Path, target: Path) -> Path:
    shutil.copytree(folder, target)
    return target


def sign(out: Path, keys: Keys, role: str) -> None:
    party, image = ((keys.signer, keys.signature_png) if role == "signer"
                    else (keys.agency, keys.seal_png))
    result = CliRunner().invoke(main, ["sign", str(out), "--role", role, "--p12",
                                       str(party.p12), "--image", str(image)],
                                env={"DOSSIER_PIN": PIN})
    assert result.exit_code == 0, result.output


def unsigned(campaign: Path, out: Path) -> list[dict]:
    result = CliRunner().invoke(main, ["check", str(campaign), "--as-of", AS_OF.isoformat(),
                                       "--built", str(out), "--format", "json"])
    report = json.loads(result.output)
    jsonschema.validate(report, load_schema("check-report.schema.json"))
    [campaign_report] = report["campaigns"]
    assert campaign_report["status"] != "error", campaign_report["errors"]
    return [f for f in campaign_report["findings"] if f["code"] == "UNSIGNED"]


# --- check --built ------------------------------------------------------------------------


def test_check_built_warns_about_unsigned_pdfs_of_an_electronic_submission(
        built, tmp_path, campaign_dir, keys):
    out = copy_of(built.out, tmp_path / "output")
    documents = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["documents"]
    # a campaign sent on paper is never asked for signatures
    assert unsigned(EXAMPLE, out) == []

    edit_campaign(campaign_dir, lambda data: data.update(electronic_submission=True))
    [finding] = unsigned(campaign_dir, out)
    assert finding["severity"] == "warning"  # blocking with --strict, as every warning
    message = finding["message"]
    # every document and the bundle, each with the signatures it lacks
    assert f"{len(documents) + 1} tệp PDF chưa đủ chữ ký số" in message
    assert (f"{MAIN} (thiếu chữ ký số của người có thẩm quyền, cơ quan, tổ chức)"
            in message)
    assert f"{ATTACHMENT} (thiếu chữ ký số của cơ quan, tổ chức)" in message
    assert f"{BUNDLE} (thiếu chữ ký số của người có thẩm quyền, cơ quan, tổ chức)" in message

    sign(out, keys, "signer")  # the signer has signed; the agency has not yet
    [finding] = unsigned(campaign_dir, out)
    assert f"{MAIN} (thiếu chữ ký số của cơ quan, tổ chức)" in finding["message"]
    assert f"{len(documents) + 1} tệp PDF" in finding["message"]

    sign(out, keys, "agency")
    assert unsigned(campaign_dir, out) == []

    # a signed copy deleted by hand is unsigned again
    (out / "signed" / ATTACHMENT).unlink()
    [finding] = unsigned(campaign_dir, out)
    assert f"1 tệp PDF chưa đủ chữ ký số theo Nghị định 30/2020/NĐ-CP: {ATTACHMENT} (" \
        in finding["message"]


def test_check_built_without_pdfs_of_an_electronic_submission(tmp_path, campaign_dir):
    edit_campaign(campaign_dir, lambda data: data.update(electronic_submission=True))
    out = tmp_path / "docx-only"
    result = CliRunner().invoke(main, ["build", str(campaign_dir), "--out", str(out),
                                       "--as-of", AS_OF.isoformat(), "--no-pdf"])
    assert result.exit_code == 0, result.output
    [finding] = unsigned(campaign_dir, out)
    assert "không có PDF để ký số" in finding["message"]


def test_a_round_may_set_electronic_submission(tmp_path):
    campaign = copy_of(EXAMPLE.parent / "govap-2022-2025-cds", tmp_path / "govap")
    edit_campaign(campaign, lambda data: data["rounds"][1].update(electronic_submission=True))
    assert load_campaign(campaign, "so-ket-2023").electronic_submission is False
    assert load_campaign(campaign, "tong-ket-2025").electronic_submission is True


# --- diff ------------------------------------------------------------------------------------


def diff(a: Path, b: Path, *extra: str):
    return CliRunner().invoke(main, ["diff", str(a), str(b), *extra])


def test_diff_tells_signatures_apart_from_text(built, tmp_path, keys):
    base = copy_of(built.out, tmp_path / "base")
    documents = json.loads((base / "manifest.json").read_text(encoding="utf-8"))["documents"]
    both = copy_of(base, tmp_path / "both")
    sign(both, keys, "signer")
    sign(both, keys, "agency")

    # built, copied, the copy signed: only the signing is reported; exit 1, "different"
    result = diff(base, both, "--format", "json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["different"] is True
    assert report["summary"] == {"same": len(documents), "changed": 0, "added": 0,
                                 "removed": 0, "moved": 0}  # no text changed
    assert {c["type"] for c in report["changes"]} == {"signed"}
    assert len(report["changes"]) == len(documents) + 1
    by_document = {c["documents"][0]: c for c in report["changes"]}
    to_trinh = by_document["docx/01-to-trinh.docx"]
    assert [s[0] for s in to_trinh["new"]] == ["signer", "agency"] and to_trinh["old"] == []
    assert ["signer", "Lê Hoàng Phúc"] in [s[:2] for s in to_trinh["new"]]
    assert to_trinh["message"].startswith(f"Được ký số: Tờ trình (signed/{MAIN}) — ")
    assert f"signed/{BUNDLE}" in by_document
    assert {s["status"] for s in report["signatures"]} == {"signed"}

    unified = diff(base, both)
    assert unified.exit_code == 1
    lines = unified.stdout.splitlines()
    assert lines[0] == (f"Tóm tắt: {len(documents) + 1} tệp được ký số; chỉ chữ ký số thay "
                        f"đổi, nội dung văn bản giữ nguyên — {len(documents) + 1} văn bản bị "
                        "ảnh hưởng")
    assert len(lines) == len(documents) + 2  # the headline and one line per PDF: no text diff
    assert lines[1].startswith(f"- Được ký số: Tờ trình (signed/{MAIN}) — Lê Hoàng Phúc "
                               "(người có thẩm quyền, ")

    # signed again by the signer only: the main document and bundle re-signed (another time,
    # no agency), the attachments without their agency's signature
    signer_only = copy_of(base, tmp_path / "signer-only")
    sign(signer_only, keys, "signer")
    report = json.loads(diff(both, signer_only, "--format", "json").stdout)
    kinds = {c["documents"][0]: c["type"] for c in report["changes"]}
    assert kinds["docx/01-to-trinh.docx"] == "resigned"
    assert kinds[f"signed/{BUNDLE}"] == "resigned"
    assert kinds["docx/03-bao-cao-TT05.docx"] == "unsigned"
    assert set(kinds.values()) == {"resigned", "unsigned"}
    resigned = next(c for c in report["changes"] if c["type"] == "resigned")
    assert resigned["message"].startswith("Ký số lại: ")
    assert [s[0] for s in resigned["old"]] == ["signer", "agency"]
    assert [s[0] for s in resigned["new"]] == ["signer"]

    # two copies of one signed folder: the same, exit 0
    same = diff(both, copy_of(both, tmp_path / "both-again"))
    assert same.exit_code == 0, same.output
    assert same.stdout == ""
