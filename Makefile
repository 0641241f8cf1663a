# Two entry points: `make demo` builds and queries the graph; `make test` lints and tests (what CI runs).
# Each creates the virtual environment it needs on first use and installs the system packages its
# tests need (libseccomp2, Chromium, Virtuoso, Jena) when they are missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLOORS_VENV ?= .venv-floors
SOURCES ?= ../shared/seeds

.PHONY: demo test test-fast lint floors clean seccomp virtuoso chromium jena screenshots
$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

# Queries run in a process without network (kg.sandbox), through libseccomp; Debian's apt already
# depends on it, so this installs it only on systems that lack it.
seccomp:
	@{ ldconfig -p 2>/dev/null | grep -q "libseccomp.so.2"; } || { apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libseccomp2; } \
		|| echo "libseccomp2 could not be installed: queries will refuse to run" >&2

demo: $(VENV)/.installed seccomp
	$(BIN)/dxkg build
	$(BIN)/dxkg query cases-per-factor

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy

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

# tests/test_views_browser.py opens the HTML views in Debian's headless Chromium and checks that Japanese
# is drawn with a Japanese font (fonts-noto-cjk); install both only when missing.
chromium:
	@{ test -x /usr/bin/chromium && fc-list 2>/dev/null | grep -q "Noto Sans CJK JP"; } || { apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk; }

# Every test: the fast tier, the browser, Virtuoso, W3C and wheel tests, and the fast tier again on the
# lowest versions of every dependency that setup.cfg allows (constraints/floors.txt).
test: lint seccomp virtuoso chromium jena
	$(BIN)/python -m pytest -q
	$(MAKE) --no-print-directory floors

# The tests a developer runs often (about a minute): no browser, triple store, W3C suites or wheel.
test-fast: $(VENV)/.installed seccomp
	$(BIN)/python -m pytest -q -m "not integration"

$(FLOORS_VENV)/.installed: setup.cfg pyproject.toml constraints/floors.txt
	$(PYTHON) -m venv $(FLOORS_VENV)
	$(FLOORS_VENV)/bin/python -m pip install -q --disable-pip-version-check -c constraints/floors.txt -e '.[test]'
	touch $@

floors: $(FLOORS_VENV)/.installed
	$(FLOORS_VENV)/bin/python -m pytest -q -p no:cacheprovider -m "not integration"

# Refresh the README's pictures in docs/img/ from the real graph at 1366×768 (needs Chromium).
screenshots: $(VENV)/.installed chromium
	DXKG_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/test_views_browser.py tests/test_query_page.py \
		-k "real_page or screenshot"

clean:
	rm -rf build .pytest_cache
