# syntax=docker/dockerfile:1
# The image of one service, chosen by build arguments. From the repository root:
#   docker build -f deploy/docker/service.Dockerfile --build-arg SERVICE=sla_svc \
#     --build-arg PACKAGE=sla-svc --build-arg PORT=8082 -t msc/sla_svc .
# Two stages: uv builds a virtual environment with the service, its workspace packages
# (installed, not linked to the sources) and their locked dependencies; the image keeps
# only that environment, runs as nobody and checks its own readiness.
ARG PYTHON=3.11

FROM python:${PYTHON}-slim AS build
ARG PACKAGE
COPY --from=ghcr.io/astral-sh/uv:0.13.8 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
WORKDIR /app
# The dependencies first, from the lock and the manifests alone: this layer is kept
# across code edits and rebuilt only when a dependency changes.
COPY uv.lock pyproject.toml ./
COPY shared/pyproject.toml shared/
COPY libs/msc_platform/pyproject.toml libs/msc_platform/
COPY services/customer_svc/pyproject.toml services/customer_svc/
COPY services/sla_svc/pyproject.toml services/sla_svc/
COPY services/gateway/pyproject.toml services/gateway/
COPY tools/simulator/pyproject.toml tools/simulator/
COPY tools/local/pyproject.toml tools/local/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package "${PACKAGE}" --no-install-workspace
# Then the code of the workspace packages the service is made of.
COPY shared shared
COPY libs libs
COPY services services
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package "${PACKAGE}" --no-editable

FROM python:${PYTHON}-slim
ARG SERVICE
ARG PORT
WORKDIR /app
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH SERVICE=${SERVICE} PORT=${PORT} PYTHONDONTWRITEBYTECODE=1
USER 65534:65534
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD python -c "import os,sys,urllib.request; sys.exit(urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/readyz', timeout=2).status != 200)"
CMD ["sh", "-c", "exec uvicorn --factory \"${SERVICE}.main:create_app\" --host 0.0.0.0 --port \"${PORT}\""]
