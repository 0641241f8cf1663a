"""Warm-start timings of the three analyses on a built graph: median of N runs each, both ways in.

Usage: python bench/bench_analysis.py [BUILD_DIR] [N]   (default: build, 7)
"Warm" means the libraries are imported. "cache" passes the build folder, as the CLI does, so each
run reads the analysis cache beside the store; "sparql" passes the open store, so each run extracts
from it afresh (the fallback for a store built before the cache).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path


def main() -> None:
    from kg.analysis import assess, cooccurrence, driver_network, similar
    from kg.store import open_store

    build = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    store = open_store(build)
    plan = sys.argv[3] if len(sys.argv) > 3 else "horokanai-digital-plan"
    first = next(iter(store.query("SELECT ?id WHERE { ?i a dx:Initiative ; dct:identifier ?id } ORDER BY ?id LIMIT 1",
                                  prefixes={"dx": "https://w3id.org/dxkg/ontology#",
                                            "dct": "http://purl.org/dc/terms/"})))["id"].value
    jobs = {}
    for way, src in (("cache", build), ("sparql", store)):
        jobs[f"{way:6s} cooccur (driver, practice)"] = lambda src=src: cooccurrence(src)
        jobs[f"{way:6s} cooccur --network"] = lambda src=src: driver_network(src)
        jobs[f"{way:6s} similar {first}"] = lambda src=src: similar(src, first, top=5)
        jobs[f"{way:6s} assess {plan}"] = lambda src=src: assess(src, plan)
    for name, job in jobs.items():
        job()  # warm-up: imports, caches
        times = []
        for _ in range(n):
            t = time.perf_counter()
            job()
            times.append(time.perf_counter() - t)
        print(f"{name:48s} median {statistics.median(times) * 1000:7.1f} ms  (n={n})")


if __name__ == "__main__":
    main()
