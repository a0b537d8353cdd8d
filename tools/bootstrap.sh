#!/usr/bin/env bash
# Set up a fresh machine for dossier: LibreOffice (if missing), a virtualenv in .venv, and the
# package in it. `--test` also installs the test extras (pytest, hypothesis, ruff) and Chromium
# (the review report's browser test) and SoftHSM2 (the signing tests' PKCS#11 token).
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
packages="libreoffice-writer-nogui fonts-liberation2 poppler-utils python3-uno"
missing=""
command -v soffice >/dev/null 2>&1 || missing=yes
command -v pdftoppm >/dev/null 2>&1 || missing=yes
if [ "${1:-}" = "--test" ]; then
  extras="[test]"
  # the review report's test opens it in a real browser (headless Chromium)
  packages="$packages chromium"
  command -v chromium >/dev/null 2>&1 || missing=yes
  # the signing tests keep their keys on a SoftHSM2 token (PKCS#11)
  packages="$packages softhsm2"
  command -v softhsm2-util >/dev/null 2>&1 || missing=yes
fi

if [ -n "$missing" ]; then
  echo "Installing $packages (Debian packages)..."
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  # shellcheck disable=SC2086  # the package list is meant to split into words
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    $packages >/dev/null
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".${extras}"
echo "Ready: .venv/bin/dossier ($(.venv/bin/dossier --version))"
