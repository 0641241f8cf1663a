"""The generated pages in headless Chromium with every non-file request blocked, as a planner opens them at
1366×768: they draw readable labels on first open, ask for nothing, log no error, show a hostile label as
text, open a side panel with quotes on click, search, switch language, restore a view from a link and
export. Screenshots of the real graph go to docs/img/ when DXKG_SCREENSHOTS=1 is set (make screenshots)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kg.cli import cli
from tests.conftest import FX_VIEW_DRIVERS, FX_VIEW_MORI_DEPTH2, FX_VIEW_SMART_FARM, HOSTILE_LABEL, MORI_HOKKAIDO, REPO
from tests.pages import guarded_page

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; `make test` installs it when missing
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SCREENSHOTS = REPO / "docs" / "img"
SCREEN = {"width": 1366, "height": 768}
MIN_LABEL_PX = 10.5  # labels under about 10 px do not read (see ../shared NOTES: OCR of screenshots)

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (make test installs it)", allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")

FIXTURE_VIEWS = {
    "overview": (["overview"], 11), "framework": (["framework"], 10),
    "municipality": (["municipality", MORI_HOKKAIDO, "--depth", "2"], FX_VIEW_MORI_DEPTH2),
    "initiative": (["initiative", "mori-h-smart-farm"], FX_VIEW_SMART_FARM), "factor": (["factor", "A"], None),
    "driver": (["driver", "3"], None), "cooccurrence": (["cooccurrence"], FX_VIEW_DRIVERS),
    "assessment": (["assessment"], 12),
}
# The real graph's views for the README's screenshots.
REAL_VIEWS = {
    "overview": ["overview"], "municipality": ["municipality", "013439", "--depth", "2"],
    "initiative": ["initiative", "higumap"], "factor": ["factor", "E"], "driver": ["driver", "3"],
    "framework": ["framework"], "cooccurrence": ["cooccurrence"], "assessment": ["assessment"],
}
# Where each shown node's label box is on screen, whether it is inside the drawing, and its font size.
LABELS = """(() => {
  const net = window.dxkg.network, g = document.getElementById('graph'), w = g.clientWidth, h = g.clientHeight;
  const boxes = window.dxkg.nodes.getIds().map(id => {
    const l = net.body.nodes[id].labelModule.size;
    const a = net.canvasToDOM({x: l.left, y: l.top}), b = net.canvasToDOM({x: l.left + l.width, y: l.top + l.height});
    return {id, x0: a.x, y0: a.y, x1: b.x, y1: b.y, inside: a.x >= 0 && a.y >= 0 && b.x <= w && b.y <= h};
  });
  const overlapping = boxes.filter(a => boxes.some(b => a !== b && a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1
    && b.y0 < a.y1)).length;
  return {px: 13 * net.getScale(), shown: boxes.length, inside: boxes.filter(b => b.inside).length, overlapping};
})()"""


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(driver) -> Iterator[Any]:
    b = driver.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
    yield b
    b.close()


def open_page(browser: Any, path: Path, fragment: str = "", settled: bool = True) -> tuple[Any, dict[str, list[str]]]:
    """Open a page at 1366×768 with every non-file request blocked and counted; wait until it is laid out."""
    _, page, seen = guarded_page(browser, ("file://",), SCREEN)
    page.goto(path.as_uri() + fragment)
    if settled:
        page.wait_for_selector("body[data-settled]", state="attached", timeout=60_000)
    return page, seen


def write(build_dir: Path, out: Path, args: list[str], lang: str = "ja") -> Path:
    result = CliRunner().invoke(cli, ["view", *args, "-o", str(out), "--build-dir", str(build_dir), "--lang", lang])
    assert result.exit_code == 0, result.output
    return out


def node_xy(page: Any, node_id: str) -> tuple[float, float]:
    """Where a node is drawn on the screen."""
    return tuple(page.evaluate(f"""(() => {{ const p = window.dxkg.network.getPositions(['{node_id}'])['{node_id}'];
        const d = window.dxkg.network.canvasToDOM(p); const r = document.getElementById('graph')
        .getBoundingClientRect(); return [d.x + r.left, d.y + r.top]; }})()"""))


def hash_has(page: Any, text: str) -> bool:
    """Whether the URL fragment comes to hold `text` (the page writes it a moment after a change)."""
    for _ in range(40):
        if text in page.evaluate("location.hash"):
            return True
        page.wait_for_timeout(50)
    return False


def drawn(page: Any) -> list[str]:
    return page.evaluate("window.dxkg.nodes.getIds()")


@pytest.fixture(scope="module")
def real_overview(real_build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(real_build[0], tmp_path_factory.mktemp("real") / "overview.html", ["overview"])


@pytest.mark.parametrize("name", list(FIXTURE_VIEWS))
def test_fixture_page_draws_offline(browser, fixture_build, tmp_path: Path, name: str) -> None:
    args, expected = FIXTURE_VIEWS[name]
    page, seen = open_page(browser, write(fixture_build[0], tmp_path / f"{name}.html", args))
    count = len(drawn(page))
    if expected is not None:
        assert count == expected
    positions = page.evaluate("Object.keys(window.dxkg.network.getPositions()).length")
    assert count > 0 and positions == count, "every node has been laid out"
    assert page.evaluate("window.dxkg.network.physics.physicsEnabled") is False, "physics is off once laid out"
    assert seen == {"requests": [], "errors": [], "dialogs": []}
    page.context.close()


def test_hostile_label_renders_as_text(browser, fixture_build, tmp_path: Path) -> None:
    path = write(fixture_build[0], tmp_path / "mori.html", ["municipality", MORI_HOKKAIDO, "--depth", "2"])
    page, seen = open_page(browser, path)
    acme = page.evaluate("window.dxkg.data.nodes.filter(n => n.l.ja.indexOf('アクメ') === 0).map(n => n.id)")
    assert len(acme) == 1 and acme[0] in drawn(page)
    x, y = node_xy(page, acme[0])
    page.mouse.move(x, y)
    page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
    assert HOSTILE_LABEL in page.locator("div.vis-tooltip").inner_text()
    page.mouse.click(x, y)
    assert page.locator("#panel h2").inner_text() == HOSTILE_LABEL
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    # The search lists it by its text, too.
    page.fill("#search", "onerror")
    page.press("#search", "Enter")
    page.wait_for_selector("#panel ul.results li")
    assert page.locator("#panel ul.results li").all_inner_texts()[0].startswith(HOSTILE_LABEL)
    assert seen == {"requests": [], "errors": [], "dialogs": []}
    page.context.close()


def test_real_overview_is_readable_on_first_open(browser, real_overview: Path) -> None:
    page, seen = open_page(browser, real_overview)
    labels = page.evaluate(LABELS)
    assert 20 <= labels["shown"] <= 80, "a bounded starting view"
    assert labels["inside"] == labels["shown"], "every label shown is inside the drawing"
    assert labels["px"] >= MIN_LABEL_PX, f"labels are drawn at {labels['px']:.1f} px"
    assert labels["overlapping"] <= labels["shown"] * 0.15, labels
    kinds = page.evaluate("window.dxkg.nodes.getIds().map(id => window.dxkg.data.nodes.find(n => n.id === id).kind)")
    assert kinds.count("SuccessFactor") == 6 and kinds.count("Driver") == 12 and kinds.count("Municipality") >= 10
    # Japanese is drawn with a Japanese font, not as empty boxes.
    assert page.evaluate("window.dxkg.fontOk()") is True
    assert page.evaluate("document.fonts.check('13px \"Noto Sans CJK JP\"', '日本語')") is True
    assert page.locator("#fontwarn").is_hidden()
    assert seen == {"requests": [], "errors": [], "dialogs": []}
    page.context.close()


def test_click_opens_the_panel_with_quotes_and_sources(browser, real_overview: Path) -> None:
    page, seen = open_page(browser, real_overview)
    x, y = node_xy(page, f"municipality/{MORI_HOKKAIDO}")
    page.mouse.click(x, y)
    assert page.locator("#panel h2").inner_text() == "森町"
    quotes = page.locator("#panel .quote")
    assert quotes.count() >= 3
    assert "「ひぐまっぷ」" in page.locator("#panel").inner_text()
    assert "出典: 地域DXの実現へ" in quotes.first.inner_text(), "each quote names its source by title"
    assert page.locator("#panel .quote button.copy").count() == quotes.count()
    # A neighbour in the panel is a link that shows and selects it.
    page.locator("#panel a.node-link", has_text="ひぐまっぷ").first.click()
    page.wait_for_selector("body[data-settled]", state="attached")
    assert page.locator("#panel h2").inner_text() == "ひぐまっぷ"
    assert "initiative/higumap" in drawn(page)
    assert hash_has(page, "sel=initiative/higumap")
    assert seen == {"requests": [], "errors": [], "dialogs": []}
    page.context.close()


def test_double_click_expands_and_collapses(browser, real_overview: Path) -> None:
    page, _ = open_page(browser, real_overview)
    before = set(drawn(page))
    x, y = node_xy(page, "municipality/212172")  # 飛騨市, with eight initiatives
    page.mouse.dblclick(x, y)
    page.wait_for_selector("body[data-settled]", state="attached")
    added = set(drawn(page)) - before
    parents = page.evaluate(f"window.dxkg.data.nodes.filter(n => {json.dumps(sorted(added))}.includes(n.id))"
                            ".map(n => n.parent)")
    assert len(added) >= 5 and set(parents) == {"municipality/212172"}
    assert page.evaluate(LABELS)["inside"] == len(drawn(page)), "the drawing keeps what it shows in view"
    x, y = node_xy(page, "municipality/212172")
    page.mouse.dblclick(x, y)
    page.wait_for_selector("body[data-settled]", state="attached")
    assert set(drawn(page)) == before
    page.context.close()


def test_search_lists_shows_and_zooms_to_matches(browser, real_overview: Path) -> None:
    page, seen = open_page(browser, real_overview)
    page.fill("#search", "幌加内")
    page.press("#search", "Enter")
    page.wait_for_selector("#panel ul.results li")
    page.wait_for_selector("body[data-settled]", state="attached")
    listed = page.locator("#panel ul.results li").all_inner_texts()
    assert len(listed) > 10 and listed[0].startswith("幌加内町")
    matched = page.evaluate("window.dxkg.nodes.get().filter(n => n.borderWidth === 4).map(n => n.id)")
    assert {"municipality/014729", "plan/horokanai-digital-plan"} <= set(matched)
    inside = page.evaluate(f"""(() => {{ const g = document.getElementById('graph');
        return {json.dumps(matched)}.filter(id => {{ const d = window.dxkg.network.canvasToDOM(
        window.dxkg.network.getPositions([id])[id]); return d.x >= 0 && d.y >= 0 && d.x <= g.clientWidth
        && d.y <= g.clientHeight; }}).length; }})()""")
    assert inside == len(matched), "the view zooms to the matches"
    assert hash_has(page, "q=%E5%B9%8C%E5%8A%A0%E5%86%85")
    # A filter hides what does not match and lists what remains.
    page.fill("#search", "")
    page.press("#search", "Enter")
    page.select_option("#f-prefecture", "prefecture/200000")
    page.wait_for_selector("body[data-settled]", state="attached")
    listed = page.locator("#panel ul.results li").all_inner_texts()
    assert listed and listed[0].startswith("伊那市")
    places = page.evaluate("window.dxkg.nodes.getIds().filter(id => id.startsWith('municipality/'))")
    assert places == ["municipality/202096"]
    assert seen == {"requests": [], "errors": [], "dialogs": []}
    page.context.close()


def test_language_switch_changes_labels(browser, real_overview: Path) -> None:
    page, _ = open_page(browser, real_overview)
    label = "window.dxkg.nodes.get('municipality/013439').label"
    assert page.evaluate(label).startswith("森町")
    page.click(".lang button[data-lang=en]")
    assert page.evaluate(label).startswith("Mori")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("#title").inner_text() == "dxkg overview"
    assert "Municipality" in page.locator("#legend").inner_text()
    assert hash_has(page, "lang=en")
    page.context.close()


def test_a_link_restores_the_view(browser, real_overview: Path) -> None:
    fragment = "#lang=en&sel=initiative/higumap&x=initiative/higumap,practice/mori-needs-hearing&z=1.100,120,-80"
    page, seen = open_page(browser, real_overview, fragment)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert {"initiative/higumap", "practice/mori-needs-hearing"} <= set(drawn(page))
    assert page.locator("#panel h2").inner_text() == "Higumap brown-bear sighting map"
    assert page.evaluate("window.dxkg.network.getSelectedNodes()") == ["initiative/higumap"]
    assert abs(page.evaluate("window.dxkg.network.getScale()") - 1.1) < 0.01
    view = page.evaluate("window.dxkg.network.getViewPosition()")
    assert abs(view["x"] - 120) < 2 and abs(view["y"] + 80) < 2
    assert seen == {"requests": [], "errors": [], "dialogs": []}
    page.context.close()


def test_export_png_and_csv(browser, real_overview: Path, tmp_path: Path) -> None:
    page, _ = open_page(browser, real_overview)
    with page.expect_download() as info:
        page.click("#export-png")
    png = tmp_path / "view.png"
    info.value.save_as(png)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == tuple(page.evaluate("[document.querySelector('#graph canvas').width, "
                                                  "document.querySelector('#graph canvas').height]"))
    with page.expect_download() as info:
        page.click("#export-nodes")
    nodes = tmp_path / "nodes.csv"
    info.value.save_as(nodes)
    rows = list(csv.DictReader(io.StringIO(nodes.read_text(encoding="utf-8-sig"))))
    assert sorted(r["id"] for r in rows) == sorted(drawn(page))
    mori = next(r for r in rows if r["id"] == f"municipality/{MORI_HOKKAIDO}")
    assert mori["label_ja"] == "森町" and mori["label_en"] == "Mori" and int(mori["folded_inside"]) >= 1
    with page.expect_download() as info:
        page.click("#export-edges")
    edges = tmp_path / "edges.csv"
    info.value.save_as(edges)
    erows = list(csv.DictReader(io.StringIO(edges.read_text(encoding="utf-8-sig"))))
    assert len(erows) == page.evaluate("window.dxkg.edges.length")
    assert any(r["relation"] == "factor" and int(r["count"]) > 1 for r in erows), "rolled-up links carry counts"
    page.context.close()


def test_site_pages_work_offline_and_search(browser, fixture_build, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(cli, ["site", "-o", str(out), "--build-dir", str(fixture_build[0]), "-q"])
    assert result.exit_code == 0, result.output
    for name in ("index.html", "initiative-mori-h-smart-farm.html", "ontology-en.html", "queries.html"):
        page, seen = open_page(browser, out / name, settled=False)
        assert seen == {"requests": [], "errors": [], "dialogs": []}, name
        page.context.close()
    page, seen = open_page(browser, out / "index.html", settled=False)
    page.fill("header input[name=q]", "森町")
    page.press("header input[name=q]", "Enter")
    page.wait_for_selector("#hits li")
    hits = page.locator("#hits li").all_inner_texts()
    assert sum(h.startswith("森町 · 市区町村") for h in hits) == 2, "both towns called 森町 are found"
    page.locator("#hits li a").first.click()
    assert page.locator("h1").inner_text() == "森町"
    assert seen == {"requests": [], "errors": [], "dialogs": []}
    page.context.close()
    # An entity page's graph link opens the overview with that node selected and its contents shown.
    farm = (out / "initiative-mori-h-smart-farm.html").read_text(encoding="utf-8")
    assert "overview.html#lang=ja&amp;sel=initiative/mori-h-smart-farm" in farm
    page, seen = open_page(browser, out / "overview.html", "#lang=ja&sel=initiative/mori-h-smart-farm&x="
                           "initiative/mori-h-smart-farm,practice/mori-h-planning-dept")
    assert page.locator("#panel h2").inner_text() == "スマート農業"
    assert page.locator("#panel a.page").get_attribute("href") == "initiative-mori-h-smart-farm.html"
    # The site's links beside the title follow the page's language switch.
    assert page.locator(".top nav a:visible").all_inner_texts()[:2] == ["トップ", "全体図"]
    page.click(".lang button[data-lang=en]")
    assert page.locator(".top nav a:visible").all_inner_texts()[:2] == ["Home", "Overview"]
    assert page.locator(".top nav a:visible", has_text="Ontology").get_attribute("href") == "ontology-en.html"
    assert seen == {"requests": [], "errors": [], "dialogs": []}
    page.context.close()


def test_the_page_says_when_no_japanese_font_is_installed(driver, fixture_build, tmp_path: Path) -> None:
    """Chromium with a font configuration that holds Latin fonts only draws Japanese as empty boxes."""
    latin = Path("/usr/share/fonts/truetype/dejavu")
    if not latin.is_dir():
        pytest.skip("Debian's DejaVu fonts are not installed")
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><dir>{latin}</dir>'
                    f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>", encoding="utf-8")
    path = write(fixture_build[0], tmp_path / "o.html", ["overview"])
    b = driver.chromium.launch(executable_path=str(CHROMIUM), args=ARGS,
                               env={**os.environ, "FONTCONFIG_FILE": str(conf)})
    page, seen = open_page(b, path)
    assert page.evaluate("window.dxkg.fontOk()") is False
    assert page.locator("#fontwarn").is_visible()
    assert "fonts-noto-cjk" in page.locator("#fontwarn").inner_text()
    assert seen["errors"] == []
    b.close()


@pytest.mark.parametrize("name", list(REAL_VIEWS))
def test_real_page_draws_offline_and_is_screenshotted(browser, real_build, tmp_path: Path, name: str) -> None:
    path = write(real_build[0], tmp_path / f"{name}.html", REAL_VIEWS[name])
    page, seen = open_page(browser, path)
    labels = page.evaluate(LABELS)
    assert labels["shown"] > 3 and labels["inside"] == labels["shown"]
    assert labels["px"] >= MIN_LABEL_PX, f"{name}: labels drawn at {labels['px']:.1f} px"
    assert seen == {"requests": [], "errors": [], "dialogs": []}
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("DXKG_SCREENSHOTS"):  # refresh the README's pictures only when asked
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, SCREENSHOTS / f"{name}.png")
    page.context.close()


def test_interaction_screenshots(browser, real_build, real_overview: Path, tmp_path: Path) -> None:
    """Pictures of what a planner does: a node's panel, a search, the English page, a site page."""
    shots = {}
    page, seen = open_page(browser, real_overview)
    page.mouse.click(*node_xy(page, f"municipality/{MORI_HOKKAIDO}"))
    page.mouse.dblclick(*node_xy(page, f"municipality/{MORI_HOKKAIDO}"))
    page.wait_for_selector("body[data-settled]", state="attached")
    shots["panel"] = page.screenshot()
    page.fill("#search", "幌加内")
    page.press("#search", "Enter")
    page.wait_for_selector("#panel ul.results li")
    page.wait_for_selector("body[data-settled]", state="attached")
    page.mouse.move(2, 300)  # no tooltip left over from the double-click
    page.wait_for_timeout(300)
    shots["search"] = page.screenshot()
    assert seen == {"requests": [], "errors": [], "dialogs": []}
    page.context.close()
    page, _ = open_page(browser, real_overview, "#lang=en")
    shots["overview-en"] = page.screenshot()
    page.context.close()
    out = tmp_path / "site"
    assert CliRunner().invoke(cli, ["site", "-o", str(out), "--build-dir", str(real_build[0]), "-q"]).exit_code == 0
    page, seen = open_page(browser, out / "initiative-higumap.html", settled=False)
    shots["site-page"] = page.screenshot()
    assert seen == {"requests": [], "errors": [], "dialogs": []}
    page.context.close()
    for name, png in shots.items():
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        if os.environ.get("DXKG_SCREENSHOTS"):
            (SCREENSHOTS / f"{name}.png").write_bytes(png)
