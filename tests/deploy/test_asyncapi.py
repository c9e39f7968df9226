"""docs/asyncapi.yaml is valid AsyncAPI, as the official parser (`@asyncapi/parser`, from
the npm registry, cached like Kafka and FerretDB) reads it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PARSER = "@asyncapi/parser@3.6.6"


def parser_dir() -> Path:
    cache = Path(os.environ.get("MSC_CACHE_DIR", Path.home() / ".cache" / "msc"))
    target = cache / "asyncapi-parser-3.6.6"
    if not (target / "node_modules" / "@asyncapi" / "parser").is_dir():
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--silent",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(target),
                PARSER,
            ],
            check=True,
            timeout=600,
        )
    shutil.copy(ROOT / "deploy/local/asyncapi-check.mjs", target / "check.mjs")
    return target


def test_the_asyncapi_document_is_valid_asyncapi() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail(
            "Node.js and npm are needed to validate docs/asyncapi.yaml: apt-get install nodejs npm"
        )
    where = parser_dir()
    checked = subprocess.run(
        ["node", "check.mjs", str(ROOT / "docs" / "asyncapi.yaml")],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
