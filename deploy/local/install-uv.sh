#!/usr/bin/env bash
# Installs uv for `make` when none is on PATH: into a virtual environment of its own
# (DEST, e.g. .tools/), which works where `pip install` is refused because the system's
# Python is externally managed (Debian 12+, Ubuntu 23.04+, PEP 668).
#   deploy/local/install-uv.sh VERSION DEST
set -euo pipefail
version="$1"
dest="$2"
if [[ -x "$dest/bin/uv" ]]; then exit 0; fi
echo "[install] uv $version into $dest (a virtual environment of its own)"
if ! python3 -m venv "$dest" >/dev/null 2>&1; then
  rm -rf "$dest"
  echo "python3 -m venv failed: install the venv module (Debian, Ubuntu: apt-get install" \
       "python3-venv), or install uv yourself: https://docs.astral.sh/uv/getting-started/installation/" >&2
  exit 1
fi
"$dest/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$version"
