"""One small invented data set (tests/fixtures) reused by every test, and the real data built once."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.build import BuildResult, build

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
FIXTURE_DATA = HERE / "fixtures" / "data"
FIXTURE_SOURCES = HERE / "fixtures" / "sources"
GOLDEN_TTL = HERE / "fixtures" / "golden.ttl"
REAL_DATA = REPO / "data"
SHARED_SEEDS = REPO.parent / "shared" / "seeds"
NO_SHARED = "../shared/seeds (the source texts) is not beside the checkout"

# What the fixture holds, counted by hand from tests/fixtures/data.
FX_MUNICIPALITIES = 3  # two towns called 森町 (Hokkaido 013439, Shizuoka 224618) and 伊那市
FX_INITIATIVES = 4
FX_PRACTICES = 6
FX_OUTCOMES = 3
FX_STAKEHOLDERS = 2
FX_MEASURES = 2
MORI_HOKKAIDO = "013439"
MORI_SHIZUOKA = "224618"
INA = "202096"
HOSTILE_LABEL = "アクメ技研<img src=x onerror=alert(1)>"
# Nodes of the HTML views of the fixture, counted by hand (viz: dxkg view ...).
FX_VIEW_OVERVIEW = 46  # every linked entity: 3 municipalities, 3 prefectures, 4 initiatives, 6 practices, ...
FX_VIEW_FRAMEWORK = 18  # 3 principles, 3 factors, 4 drivers, 2 value groups, 3 pitfalls, 3 countermeasures
FX_VIEW_MORI_DEPTH2 = 9  # 森町 013439, 北海道, its initiative, 2 practices, outcome, アクメ技研, domain, technology
FX_VIEW_SMART_FARM = 8  # the initiative, 森町, 2 practices, 1 outcome, アクメ技研, 1 domain, 1 technology
FX_VIEW_DRIVERS = 4
# 森町 (Shizuoka) plan: the plan, 2 measures, 3 principles, 4 drivers, the pitfall of missing principle 3,
# and the practices tagged with the missing drivers 2 (two) and 4 (one).
FX_VIEW_ASSESSMENT = 14


def assert_same_as_cold(data: Path, build_dir: Path, tmp_path: Path, sources: Path | None,
                        engine: str = "auto") -> None:
    """The outputs, the store and the analysis files of `build_dir` are those of a build from scratch (made
    here, in `tmp_path`): what an incremental build or one in two processes must give."""
    from kg.analysis.cache import CORE_FILE, INDEX_FILE, TERMS_FILE, TEXT_FILE
    from kg.paths import GRAPH_FILES
    from kg.store import current, open_store

    cold = tmp_path / f"cold-{len(list(tmp_path.glob('cold-*')))}"
    build(data, cold, sources, shacl_engine=engine)
    for name in GRAPH_FILES.values():
        assert (build_dir / name).read_bytes() == (cold / name).read_bytes(), name
    assert set(open_store(build_dir)) == set(open_store(cold))
    # The analysis files too, though their word vectors reused the terms of texts the last build had.
    here, there = current(build_dir), current(cold)
    assert here is not None and there is not None
    for name in (CORE_FILE, TEXT_FILE, INDEX_FILE, TERMS_FILE):
        assert (here.path / name).read_bytes() == (there.path / name).read_bytes(), name


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    """The fixture built once: (build folder, result)."""
    out = tmp_path_factory.mktemp("fixture-build")
    return out, build(FIXTURE_DATA, out, FIXTURE_SOURCES)


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    """The real data built once, with quotes checked when the source texts are at hand."""
    out = tmp_path_factory.mktemp("real-build")
    return out, build(REAL_DATA, out, SHARED_SEEDS if SHARED_SEEDS.is_dir() else None)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture data, for tests that break it."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, target)
    return target


# Tests that need a browser, a triple store or the W3C suites beside the checkout: `make test` runs them,
# `make test-fast` leaves them out (pytest -m "not integration").
INTEGRATION_MODULES = ("test_views_browser", "test_query_page", "test_virtuoso", "test_w3c", "test_clients",
                       "test_packaging", "test_crash")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.module is not None and item.module.__name__.rsplit(".", 1)[-1] in INTEGRATION_MODULES:
            item.add_marker(pytest.mark.integration)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """With CI=true a test that would skip (no Chromium, Virtuoso, ../shared …) fails instead:
    CI never passes by skipping what it was meant to check."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if _in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which must run every test: {report.longrepr}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    """The same for a whole module skipped while it is collected."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if _in_ci() and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which must run every test: {report.longrepr}"
