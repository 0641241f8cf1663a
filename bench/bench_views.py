"""How long the HTML views take: writing them, opening them, and drawing "show all" in Chromium.

Usage: python bench/bench_views.py [BUILD_DIR] [MAX_NODES...]   (default: build, 300 1000)
Build a large graph first with `dxkg synth -n 1741 -o DIR` and `dxkg build --data DIR --no-sources`.
For each cap it prints how many nodes the overview carries (after folding past the page's limit) and
shows on open, the page's size, the time to write it (snapshot + view + render), the time headless
Chromium takes to open it laid out, and the time "show all" takes until physics has stopped.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def main() -> None:
    from playwright.sync_api import sync_playwright

    from kg.adapter import get_adapter
    from viz.site import ViewRequest, make_view, write_view
    from viz.snapshot import load

    build = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build")
    caps = [int(a) for a in sys.argv[2:]] or [300, 1000]
    graph = get_adapter(build)
    out_dir = Path(tempfile.mkdtemp(prefix="dxkg-bench-views-"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for cap in caps:
            t = time.perf_counter()
            view = make_view(graph, load(graph.store), ViewRequest("overview", lang="en", max_nodes=cap))
            path = write_view(view, out_dir / f"overview-{cap}.html")
            written = time.perf_counter() - t
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
            t = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_selector("body[data-settled]", state="attached", timeout=300_000)
            opened = time.perf_counter() - t
            t = time.perf_counter()
            page.click("#show-all")
            page.wait_for_timeout(50)
            page.wait_for_selector("body[data-settled]", state="attached", timeout=300_000)
            everything = time.perf_counter() - t
            drawn = page.evaluate("window.dxkg.nodes.length")
            page.close()
            notes = "; ".join(view.text(n) for n in view.notes) or "nothing folded"
            print(f"overview --max-nodes {cap:5d}: carries {len(view.nodes):5d} nodes {len(view.edges):6d} edges, "
                  f"{path.stat().st_size / 1e6:5.1f} MB; write {written:6.2f} s; open {view.shown} nodes "
                  f"{opened:6.2f} s; show all {drawn} nodes {everything:6.2f} s  ({notes})")
        browser.close()


if __name__ == "__main__":
    main()
