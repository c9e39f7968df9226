"""The service image's Dockerfile, read as text (no Docker engine here): a build stage whose
dependency layer comes before the code, a final stage holding only the environment, run as
nobody, with a health check; and a .dockerignore that sends only the packages' sources."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINES = [
    line.strip()
    for line in (ROOT / "deploy/docker/service.Dockerfile").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]


def index(prefix: str, start: int = 0) -> int:
    return next(i for i, line in enumerate(LINES) if i >= start and line.startswith(prefix))


def test_dependencies_are_a_layer_of_their_own_before_the_code() -> None:
    dependencies = index("RUN", index("COPY uv.lock"))
    assert "--no-install-workspace" in " ".join(LINES[dependencies : dependencies + 2])
    assert all("src" not in line for line in LINES[:dependencies] if line.startswith("COPY")), (
        "no source file may be copied before the dependency layer"
    )
    assert index("COPY services services") > dependencies


def test_the_final_stage_holds_the_environment_only_and_runs_as_nobody() -> None:
    stages = [i for i, line in enumerate(LINES) if line.startswith("FROM ")]
    assert len(stages) == 2 and " AS build" in LINES[stages[0]]
    final = LINES[stages[1] :]
    copies = [line for line in final if line.startswith("COPY")]
    assert copies == ["COPY --from=build /app/.venv /app/.venv"]
    assert any(line.startswith("USER 65534") for line in final)
    assert any(line.startswith("HEALTHCHECK") for line in final)


def test_only_the_sources_go_to_the_build() -> None:
    rules = [r for r in (ROOT / ".dockerignore").read_text().splitlines() if r and r[0] != "#"]
    assert rules[0] == "*", "everything is left out unless named"
    assert "!services/*/src/" in rules and not any("tests" in r for r in rules if r[0] == "!")
