# The image of one service; which one is chosen by build arguments. From the repository root:
#   docker build -f deploy/docker/service.Dockerfile --build-arg SERVICE=sla_svc \
#     --build-arg PACKAGE=sla-svc --build-arg PORT=8082 -t msc/sla_svc .
FROM python:3.11-slim
ARG SERVICE
ARG PACKAGE
ARG PORT
COPY --from=ghcr.io/astral-sh/uv:0.13.8 /uv /usr/local/bin/uv
WORKDIR /app
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
COPY pyproject.toml uv.lock ./
COPY shared shared
COPY libs libs
COPY services services
RUN uv sync --frozen --no-dev --package "${PACKAGE}"
ENV PATH=/app/.venv/bin:$PATH SERVICE=${SERVICE} PORT=${PORT}
USER nobody
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=5 \
  CMD python -c "import os,sys,urllib.request; sys.exit(urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/readyz', timeout=2).status != 200)"
CMD ["sh", "-c", "exec uvicorn --factory \"${SERVICE}.main:create_app\" --host 0.0.0.0 --port \"${PORT}\""]
