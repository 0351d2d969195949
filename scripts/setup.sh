#!/usr/bin/env bash
# Set up danvan_survey on a fresh Debian 12 machine: system packages, then a virtual
# environment in .venv with the package and its test extras. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
# chromium: static chart export (kaleido) and PDF printing; fonts-noto-core: Vietnamese glyphs;
# openjdk: ODK Validate inside pyxform; r-base-core + r-cran-survey: reference for estimates;
# libreoffice-calc-nogui + poppler-utils: render workbooks/PDFs to images for checks.
PKGS="chromium fonts-noto-core openjdk-17-jre-headless r-base-core r-cran-survey libreoffice-calc-nogui libreoffice-writer-nogui poppler-utils"
missing=""
for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  echo "Installing system packages:$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then "$PY" -m venv .venv; fi
.venv/bin/python -m pip install -q --upgrade pip
# constraints.txt pins every package: the same libraries give the same output bytes.
.venv/bin/python -m pip install -q -c constraints.txt -e ".[test]"
.venv/bin/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (danvan)" >/dev/null
echo "Set-up complete: .venv is ready."
