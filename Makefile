# The two commands: `make run` (the whole system) and `make test` (the whole suite).
# Everything else here is what they are made of.
SHELL := /bin/bash
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test unit-newest-python install browser provision lint typecheck unit infra-start infra-stop schemas bench bench-customer bench-sla-ingest bench-sla-read bench-gateway

run: install ## start Kafka, FerretDB, Keycloak, the three services and the portal, in the foreground
	$(UV) run --frozen --no-sync python -m msc_local.run

test: install browser lint typecheck unit-newest-python ## the whole suite on real Kafka and a real MongoDB-wire server
	$(UV) run --frozen --no-sync python -m pytest

unit-newest-python: install ## the unit tests again on the newest supported Python found here
	@newest="$$(deploy/local/newest-python.sh)"; \
	if [ -z "$$newest" ]; then echo "[test] no Python 3.12-3.14 here: the suite runs on $$(.venv/bin/python -V) only"; \
	else echo "[test] unit tests on $$newest"; \
	  UV_PROJECT_ENVIRONMENT=.venv-newest $(UV) sync --frozen --all-packages --quiet --python "$$newest" && \
	  UV_PROJECT_ENVIRONMENT=.venv-newest $(UV) run --frozen --no-sync --python "$$newest" \
	    python -m pytest -q -m "not integration" -p no:cacheprovider; fi

install: ## the Python environment from uv.lock (installs uv itself into .tools/ if missing)
	@command -v uv >/dev/null 2>&1 || deploy/local/install-uv.sh $(UV_VERSION) .tools
	$(UV) sync --frozen --all-packages

browser: ## Debian's Chromium for the portal's browser tests (Playwright's own download cannot work here)
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Install Chromium first: sudo apt-get install chromium" >&2; exit 1; fi; }

provision: ## download Kafka and Keycloak and build FerretDB into the cache (make run/test do it when needed)
	deploy/local/infra.sh provision

lint:
	$(UV) run --frozen --no-sync ruff check .
	$(UV) run --frozen --no-sync ruff format --check .

typecheck:
	$(UV) run --frozen --no-sync mypy

unit: install ## unit tests only: no infrastructure
	$(UV) run --frozen --no-sync python -m pytest -m "not integration"

infra-start: install
	MSC_PYTHON=.venv/bin/python deploy/local/infra.sh start

infra-stop:
	deploy/local/infra.sh stop

schemas: install ## write docs/asyncapi.yaml and docs/schemas/ from the event models (commit them)
	$(UV) run --frozen --no-sync python -m msc_contracts.schemas docs

bench: bench-customer bench-sla-ingest bench-sla-read bench-gateway ## every benchmark, then bench/results.md (how long: README, "Benchmarks")

# Each benchmark keeps its JSON line in bench/results/ (only when it ran to the end) and
# rewrites bench/results.md, the table of every figure against its baseline and target.
BENCH_PY = PYTHONPATH=bench $(UV) run --frozen --no-sync python
define run_bench
	@mkdir -p bench/results
	$(BENCH_PY) bench/$(1).py $(2) > bench/results/$(1).json.part
	mv bench/results/$(1).json.part bench/results/$(1).json
	$(BENCH_PY) bench/report.py
endef

bench-customer: install
	$(call run_bench,customer_api)

bench-sla-ingest: install
	$(call run_bench,sla_ingest)

bench-sla-read: install
	$(call run_bench,sla_read)

bench-gateway: install ## at concurrency 1: the gateway's own cost, not the 2 cores it shares
	$(call run_bench,gateway_details,--concurrency 1)
