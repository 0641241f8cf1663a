"""The endpoint's query page: its vendored editor is the pinned bundle, it is self-contained, and in headless
Chromium (only the endpoint itself reachable) it runs a saved query, shortens and links IRIs, completes our
terms, pages a large result and downloads CSV."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg.endpoint.page import CSP, EDITOR_BUNDLE, render
from kg.paths import endpoint_asset
from kg.query import saved_queries
from tests.conftest import REPO
from tests.pages import guarded_page

CHROMIUM = Path("/usr/bin/chromium")
BUNDLE_RECORD = REPO / "vendor" / "query-editor" / "bundle.json"


def saved() -> list[dict[str, str]]:
    return [{"name": q.name, "summary": q.summary, "text": q.text} for q in saved_queries()]


def test_vendored_editor_is_the_recorded_bundle() -> None:
    record = json.loads(BUNDLE_RECORD.read_text(encoding="utf-8"))
    bundle = endpoint_asset(EDITOR_BUNDLE).read_bytes()
    assert hashlib.sha256(bundle).hexdigest() == record["sha256"], \
        "query-editor.min.js differs from the bundle recorded in vendor/query-editor/bundle.json; rebuild it there"
    licences = endpoint_asset("query-editor.LICENSES.txt").read_text(encoding="utf-8")
    for package, version in record["versions"].items():
        assert f"==== {package} {version} " in licences, f"no licence for {package} {version}"
    lock = json.loads((BUNDLE_RECORD.parent / "package-lock.json").read_text(encoding="utf-8"))
    for package, version in record["versions"].items():
        assert lock["packages"][f"node_modules/{package}"]["version"] == version


def test_page_is_self_contained_and_embeds_terms_safely() -> None:
    hostile = {"name": "x</script><script>alert(1)</script>", "summary": "<b>", "text": "SELECT * {}"}
    page = render(saved() + [hostile], 10, 500).decode("utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.I)
    assert "<script src" not in page and "<link" not in page
    assert "</script><script>alert(1)" not in page, "saved queries cannot close their script element"
    data = json.loads(re.search(r'<script type="application/json" id="dxkg-page">(.*?)</script>', page, re.S).group(1))
    assert data["saved"][-1]["name"] == hostile["name"]
    terms = {t["local"]: t for t in data["terms"]}
    assert terms["Municipality"]["kind"] == "class" and terms["Municipality"]["label_ja"] == "市区町村"
    assert terms["localGovernmentCode"]["kind"] == "property"
    assert data["prefixes"]["dxid"] == "https://w3id.org/dxkg/id/"
    assert "default-src 'none'" in CSP and "connect-src 'self'" in CSP


if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (make test installs it)", allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")


@pytest.fixture(scope="module")
def served(real_build) -> Iterator[str]:
    from kg.endpoint.server import Endpoint, Settings
    from kg.store import store_path

    server = Endpoint(store_path(real_build[0]), "127.0.0.1", 0, Settings(timeout=20, max_rows=20_000))
    server.start_in_thread()
    yield server.url
    server.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def open_page(browser: Any, url: str) -> tuple[Any, Any, dict[str, list[str]]]:
    """The query page with every request outside the endpoint blocked and counted."""
    context, page, seen = guarded_page(browser, (url,), {"width": 1366, "height": 768})
    page.goto(url)
    page.wait_for_selector("body[data-ready]", state="attached")
    return context, page, seen


def test_saved_query_runs_with_short_linked_iris(browser, served: str) -> None:
    context, page, seen = open_page(browser, served)
    page.fill("#example-filter", "municipality-profiles")
    assert page.locator("#examples li").count() == 1
    page.click("#examples button.example")
    page.wait_for_selector("#results table")
    real = page.locator("#results tbody tr").count()
    assert real == 18 and "18 行 / rows" in page.inner_text("#status")
    assert "run=1" in page.evaluate("location.hash"), "the query is in the URL"
    # Sorting by a numeric column puts the largest population first.
    headers = page.locator("#results th").all_inner_texts()
    column = next(i for i, h in enumerate(headers) if h.startswith("population"))
    page.locator("#results th").nth(column).click()
    page.locator("#results th").nth(column).click()
    values = page.evaluate(f"Array.from(document.querySelectorAll('#results tbody tr')).map(r => r.cells[{column}]"
                           ".textContent)")
    numbers = [int(v) for v in values if v]
    assert len(numbers) >= 5 and numbers == sorted(numbers, reverse=True), "sorted numerically, largest first"
    assert values.index("") > values.index(str(numbers[-1])), "rows without a value come last"
    # An entity's IRI shows as dxid:… and links to the query that lists its links.
    page.evaluate("window.dxkgEditor.set('SELECT ?m WHERE { ?m dx:localGovernmentCode \"013439\" }')")
    page.click("#run")
    page.wait_for_selector("#results a.iri")
    link = page.locator("#results a.iri").first
    assert link.inner_text() == "dxid:municipality/013439"
    link.click()
    page.wait_for_selector("#results tbody tr:nth-child(11)")
    assert "<https://w3id.org/dxkg/id/municipality/013439>" in page.evaluate("window.dxkgEditor.get()")
    assert "森町" in page.inner_text("#results")
    assert page.locator("#history li").count() >= 3, "runs are kept in the local history"
    assert seen == {"requests": [], "errors": [], "dialogs": []}
    context.close()


def test_completion_offers_our_terms_and_entity_names(browser, served: str) -> None:
    context, page, seen = open_page(browser, served)

    def completions(text: str) -> list[str]:
        page.evaluate(f"window.dxkgEditor.set({json.dumps(text)})")
        page.evaluate("(() => { const v = window.dxkgEditor.view;"
                      " v.dispatch({selection: {anchor: v.state.doc.length}});"
                      " window.dxkgEditor.focus(); window.dxkgEditor.complete(); })()")
        page.wait_for_selector(".cm-tooltip-autocomplete li")
        return page.locator(".cm-tooltip-autocomplete li").all_inner_texts()

    assert any(c.startswith("dx:Municipality") and "市区町村" in c for c in completions("SELECT * { ?m a dx:Mu"))
    found = completions("SELECT * { ?m ?p 森町")
    assert any("dxid:municipality/013439" in c for c in found)
    page.locator(".cm-tooltip-autocomplete li", has_text="dxid:municipality/013439").first.click()
    assert page.evaluate("window.dxkgEditor.get()").endswith("<https://w3id.org/dxkg/id/municipality/013439>")
    assert seen == {"requests": [], "errors": [], "dialogs": []}
    context.close()


def test_large_result_is_paged_and_downloads_as_csv(browser, served: str, tmp_path: Path) -> None:
    context, page, seen = open_page(browser, served)
    page.evaluate("window.dxkgEditor.set('SELECT * WHERE { ?s ?p ?o }')")
    page.click("#run")
    page.wait_for_selector("#results table")
    total = int(re.search(r"(\d+) 行", page.inner_text("#status")).group(1))
    assert total > 7000
    assert page.locator("#results tbody tr").count() == 100, "only one page is drawn"
    assert page.inner_text("#page-info") == f"1 / {-(-total // 100)}"
    page.click("#next")
    assert page.inner_text("#page-info").startswith("2 / ")
    with page.expect_download() as info:
        page.click("#dl-csv")
    path = tmp_path / "out.csv"
    info.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[0] == [h.split(" ")[0] for h in page.locator("#results th").all_inner_texts()]
    assert sorted(rows[0]) == ["o", "p", "s"] and len(rows) == total + 1
    subject = rows[0].index("s")
    assert all(r[subject].startswith("http") for r in rows[1:]), "CSV holds full IRIs, as SPARQL CSV does"
    assert seen == {"requests": [], "errors": [], "dialogs": []}
    context.close()


def test_query_page_screenshot(browser, served: str) -> None:
    """A saved query's result as a chart, for the README."""
    context, page, seen = open_page(browser, served)
    page.fill("#example-filter", "cases-per-factor")
    page.click("#examples button.example")
    page.wait_for_selector("#results table")
    page.click("#chart-toggle")
    page.wait_for_selector("#results canvas")
    png = page.screenshot()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert seen == {"requests": [], "errors": [], "dialogs": []}
    if os.environ.get("DXKG_SCREENSHOTS"):
        (REPO / "docs" / "img" / "query.png").write_bytes(png)
    context.close()
