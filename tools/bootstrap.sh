#!/usr/bin/env bash
# Set up a fresh machine for dossier: LibreOffice (if missing), a virtualenv in .venv, and the
# package in it. `--test` also installs the test extras (pytest, hypothesis, ruff).
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
[ "${1:-}" = "--test" ] && extras="[test]"

# softhsm2: the PKCS#11 token the signing tests use (only needed with --test)
need_softhsm=false
[ -n "$extras" ] && ! command -v softhsm2-util >/dev/null 2>&1 && need_softhsm=true
if ! command -v soffice >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1 \
    || [ "$need_softhsm" = true ]; then
  echo "Installing LibreOffice Writer, Liberation fonts, poppler-utils and SoftHSM2 (Debian packages)..."
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    libreoffice-writer-nogui fonts-liberation2 poppler-utils python3-uno softhsm2 >/dev/null
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".${extras}"
echo "Ready: .venv/bin/dossier ($(.venv/bin/dossier --version))"
