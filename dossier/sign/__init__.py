"""Signing and verifying a build's PDFs as NĐ 30/2020 asks (`dossier sign`, `dossier verify`).

Takes an output folder that `output` wrote (its manifest, PDFs and bundle) and a key (PKCS#12
file or PKCS#11 token); gives signed copies under OUT/signed/ (PAdES signatures, each visible
where Phụ lục I of NĐ 30/2020 puts it, positions read from the PDF itself), the manifest's
record of them, and the verification of any signed PDF. The rules are data (`nd30.yaml`).
"""
