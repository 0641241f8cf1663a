"""Each generated page in headless Chromium with the network blocked: it draws, asks for nothing,
logs no error, and a hostile label shows as text. Screenshots of the real graph go to docs/img/ when
DXKG_SCREENSHOTS=1 is set (make screenshots)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg.cli import cli
from tests.conftest import (
    FX_VIEW_ASSESSMENT,
    FX_VIEW_DRIVERS,
    FX_VIEW_FRAMEWORK,
    FX_VIEW_MORI_DEPTH2,
    FX_VIEW_OVERVIEW,
    FX_VIEW_SMART_FARM,
    HOSTILE_LABEL,
    MORI_HOKKAIDO,
    REPO,
)

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; `make test` installs it when missing
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SCREENSHOTS = REPO / "docs" / "img"

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (make test installs it)", allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")

FIXTURE_VIEWS = {
    "overview": (["overview"], FX_VIEW_OVERVIEW),
    "framework": (["framework"], FX_VIEW_FRAMEWORK),
    "municipality": (["municipality", MORI_HOKKAIDO, "--depth", "2"], FX_VIEW_MORI_DEPTH2),
    "initiative": (["initiative", "mori-h-smart-farm"], FX_VIEW_SMART_FARM),
    "factor": (["factor", "A"], None),
    "driver": (["driver", "3"], None),
    "cooccurrence": (["cooccurrence"], FX_VIEW_DRIVERS),
    "assessment": (["assessment"], FX_VIEW_ASSESSMENT),
}
# The real graph's views for the README's screenshots.
REAL_VIEWS = {
    "overview": ["overview"], "municipality": ["municipality", "013439", "--depth", "2"],
    "initiative": ["initiative", "higumap"], "factor": ["factor", "E"], "driver": ["driver", "3"],
    "framework": ["framework"], "cooccurrence": ["cooccurrence"], "assessment": ["assessment"],
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def open_page(browser: Any, path: Path) -> tuple[Any, dict[str, list[str]]]:
    """Open a page with every non-file request blocked and counted; wait until the layout has settled."""
    seen: dict[str, list[str]] = {"requests": [], "errors": [], "dialogs": []}
    page = browser.new_page(viewport={"width": 960, "height": 640})

    def route(r: Any) -> None:
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            seen["requests"].append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-settled]", state="attached", timeout=60_000)
    return page, seen


def write(build_dir: Path, out: Path, args: list[str], lang: str = "ja") -> Path:
    result = CliRunner().invoke(cli, ["view", *args, "-o", str(out), "--build-dir", str(build_dir), "--lang", lang])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("name", list(FIXTURE_VIEWS))
def test_fixture_page_draws_offline(browser, fixture_build, tmp_path: Path, name: str) -> None:
    args, expected = FIXTURE_VIEWS[name]
    page, seen = open_page(browser, write(fixture_build[0], tmp_path / f"{name}.html", args))
    count = page.evaluate("window.dxkg.nodes.length")
    if expected is not None:
        assert count == expected
    positions = page.evaluate("Object.keys(window.dxkg.network.getPositions()).length")
    assert count > 0 and positions == count, "every node has been laid out"
    assert page.evaluate("window.dxkg.network.physics.physicsEnabled") is False, "physics stops once settled"
    assert seen == {"requests": [], "errors": [], "dialogs": []}
    page.close()


def test_hostile_label_renders_as_text(browser, fixture_build, tmp_path: Path) -> None:
    path = write(fixture_build[0], tmp_path / "mori.html", ["municipality", MORI_HOKKAIDO, "--depth", "2"])
    page, seen = open_page(browser, path)
    acme = page.evaluate("window.dxkg.nodes.get().filter(n => n.full.indexOf('アクメ') === 0).map(n => n.id)")
    assert len(acme) == 1
    # Hover the node so vis-network shows its tooltip, then read what the tooltip holds.
    x, y = page.evaluate(f"""(() => {{ const p = window.dxkg.network.getPositions(['{acme[0]}'])['{acme[0]}'];
        const d = window.dxkg.network.canvasToDOM(p); const r = document.getElementById('graph')
        .getBoundingClientRect(); return [d.x + r.left, d.y + r.top]; }})()""")
    page.mouse.move(x, y)
    page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
    tooltip = page.locator("div.vis-tooltip")
    assert HOSTILE_LABEL in tooltip.inner_text()
    assert tooltip.locator("img").count() == 0
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    # The search menu matches the label as text, too.
    page.fill("#search", "onerror")
    assert page.evaluate("window.dxkg.nodes.get({filter: n => !n.hidden}).length") == 1
    assert seen["dialogs"] == [] and seen["errors"] == [] and seen["requests"] == []
    page.close()


def test_filters_hide_what_does_not_match(browser, fixture_build, tmp_path: Path) -> None:
    page, _ = open_page(browser, write(fixture_build[0], tmp_path / "o.html", ["overview"], "en"))
    page.select_option("#f-prefecture", "Nagano")
    shown = page.evaluate("window.dxkg.nodes.get({filter: n => !n.hidden}).map(n => n.full)")
    assert "Ina" in shown and "Drone logistics" in shown and "Smart agriculture" not in shown
    page.select_option("#f-prefecture", "")
    page.select_option("#f-type", "Municipality")
    assert page.evaluate("window.dxkg.nodes.get({filter: n => !n.hidden}).length") == 3
    page.close()


@pytest.mark.parametrize("name", list(REAL_VIEWS))
def test_real_page_draws_offline_and_is_screenshotted(browser, real_build, tmp_path: Path, name: str) -> None:
    path = write(real_build[0], tmp_path / f"{name}.html", REAL_VIEWS[name], "en")
    page, seen = open_page(browser, path)
    assert page.evaluate("window.dxkg.nodes.length") > 3
    assert seen == {"requests": [], "errors": [], "dialogs": []}
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("DXKG_SCREENSHOTS"):  # refresh the README's pictures only when asked
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOTS / f"{name}.png")
    page.close()
