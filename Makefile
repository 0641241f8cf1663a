# Two entry points: `make demo` builds and queries the graph; `make test` lints and tests.
# Both create the virtual environment they need on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SOURCES ?= ../shared/seeds

.PHONY: demo test lint clean virtuoso chromium jena screenshots
$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/dxkg build
	$(BIN)/dxkg query cases-per-factor

lint: $(VENV)/.installed
	$(BIN)/ruff check .

# tests/test_virtuoso.py needs Debian's Virtuoso; install it only when missing (CI runs as root with apt).
# A fresh database in the test's temporary folder logs in as dba/dba, so no debconf password is preseeded.
virtuoso:
	@command -v virtuoso-t >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends virtuoso-opensource; } \
		|| echo "virtuoso-opensource could not be installed: tests/test_virtuoso.py will be skipped" >&2

# tests/test_clients.py runs Apache Jena's rsparql against `dxkg serve` (Debian's jars, run with java; see
# bench/jena). bench/bench_endpoint.py also compiles a Jena endpoint: it needs default-jdk-headless too.
jena:
	@test -f /usr/share/java/jena-arq.jar && command -v java >/dev/null || { apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libapache-jena-java \
		default-jre-headless; }

# tests/test_views_browser.py opens the HTML views in Debian's headless Chromium; install it only when missing.
chromium:
	@test -x /usr/bin/chromium || { apt-get update -q && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends chromium; }

test: lint virtuoso chromium jena
	$(BIN)/python -m pytest -q

# Refresh the README's pictures in docs/img/ from the real graph (needs Chromium).
screenshots: $(VENV)/.installed chromium
	DXKG_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/test_views_browser.py -k real_page

clean:
	rm -rf build .pytest_cache
