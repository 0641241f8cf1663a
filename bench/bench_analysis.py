"""Warm-start timings of the three analyses on a built graph: median of N runs each.

Usage: python bench/bench_analysis.py [BUILD_DIR] [N]   (default: build, 7)
"Warm" means the store is open and the libraries imported; each run extracts from the store afresh,
as one command invocation would.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path


def main() -> None:
    from kg.analysis import assess, cooccurrence, driver_network, similar
    from kg.query import open_store

    build = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    store = open_store(build)
    plan = sys.argv[3] if len(sys.argv) > 3 else "horokanai-digital-plan"
    first = next(iter(store.query("SELECT ?id WHERE { ?i a dx:Initiative ; dct:identifier ?id } ORDER BY ?id LIMIT 1",
                                  prefixes={"dx": "https://w3id.org/dxkg/ontology#",
                                            "dct": "http://purl.org/dc/terms/"})))["id"].value
    jobs = {
        "cooccur (driver, practice)": lambda: cooccurrence(store),
        "cooccur --network": lambda: driver_network(store),
        f"similar {first}": lambda: similar(store, first, top=5),
        f"assess {plan}": lambda: assess(store, plan),
    }
    for name, job in jobs.items():
        job()  # warm-up: imports, caches
        times = []
        for _ in range(n):
            t = time.perf_counter()
            job()
            times.append(time.perf_counter() - t)
        print(f"{name:40s} median {statistics.median(times) * 1000:7.1f} ms  (n={n})")


if __name__ == "__main__":
    main()
