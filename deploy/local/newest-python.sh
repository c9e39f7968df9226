#!/usr/bin/env bash
# Prints the newest Python this project supports (3.14, else 3.13, else 3.12) that runs on
# this machine: on PATH, or installed by pyenv without being its global version. Prints
# nothing when only the oldest supported one is here.
set -uo pipefail
for version in 3.14 3.13 3.12; do
  for candidate in "python$version" "$HOME"/.pyenv/versions/"$version"*/bin/"python$version"; do
    if path="$("$candidate" -c 'import sys; print(sys.executable)' 2>/dev/null)"; then
      echo "$path"
      exit 0
    fi
  done
done
