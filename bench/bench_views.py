"""How long the HTML views take: writing them, and drawing them until the layout settles in Chromium.

Usage: python bench/bench_views.py [BUILD_DIR] [MAX_NODES...]   (default: build, 300 1000)
Build a large graph first with `dxkg synth -n 1741 -o DIR` and `dxkg build --data DIR --no-sources`.
For each cap it prints the overview's size (after folding and the cap), the time to write the page
(snapshot + view + render) and the time headless Chromium takes until physics has stopped.
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

    from kg.store import open_store
    from viz.site import ViewRequest, make_view, write_view
    from viz.snapshot import load

    build = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build")
    caps = [int(a) for a in sys.argv[2:]] or [300, 1000]
    store = open_store(build)
    out_dir = Path(tempfile.mkdtemp(prefix="dxkg-bench-views-"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for cap in caps:
            t = time.perf_counter()
            view = make_view(store, load(store), ViewRequest("overview", lang="en", max_nodes=cap))
            path = write_view(view, out_dir / f"overview-{cap}.html")
            written = time.perf_counter() - t
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort())
            t = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_selector("body[data-settled]", state="attached", timeout=300_000)
            drawn = time.perf_counter() - t
            page.close()
            print(f"overview --max-nodes {cap:5d}: {len(view.nodes):5d} nodes {len(view.edges):6d} edges  "
                  f"write {written:6.2f} s  draw+settle {drawn:6.2f} s  ({'; '.join(view.notes) or 'nothing folded'})")
        browser.close()


if __name__ == "__main__":
    main()
