"""Timings of the analyses on a built graph, as a command pays for them after start-up: median of N runs.

Usage: python bench/bench_analysis.py [BUILD_DIR] [N] [PLAN] [--cache-only]   (default: build, 7, the first plan)

Each run opens the graph afresh (kg.adapter.get_adapter, as a command does) and answers once, with the
libraries imported ("after start-up"). "cache" reads the analysis cache the build wrote beside the
store; "sparql" opens the store alone, so each run extracts the graph and builds the index (word
vectors included: the tokeniser runs) afresh: the fallback for a store built before the cache.
The baseline, measured in the same run, is the floor of any answer from the cache: load the index
file and score every initiative against one row of the word vectors (one sparse product).

For national scale: dxkg synth -n 1741 --seed 1 -o synth1741 && dxkg build --data synth1741
--no-sources --build-dir build1741, then python bench/bench_analysis.py build1741 5.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def median_ms(job: Callable[[], Any], n: int) -> float:
    job()  # warm-up: imports, file system cache
    times = []
    for _ in range(n):
        t = time.perf_counter()
        job()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    from kg.adapter import Adapter, get_adapter
    from kg.analysis.assessment import assess
    from kg.analysis.cache import INDEX_FILE
    from kg.analysis.cooccur import cooccurrence
    from kg.analysis.index import load_index
    from kg.analysis.network import driver_network
    from kg.analysis.similarity import similar
    from kg.analysis.words import cosine, query_of_row
    from kg.store import current, open_store

    build = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    graph = get_adapter(build)
    ids = graph.index["init_id"]
    first = str(ids[0])
    plans = sorted(p.id for p in graph.extract.plans.values())
    plan = (sys.argv[3] if len(sys.argv) > 3 else "") or (plans[0] if plans else None)
    measure = next((m.id for p in graph.extract.plans.values() if p.id == plan for m in p.measures), None)
    words = "高齢者の見守り"
    print(f"{build}: {len(ids):,} initiatives, {len(graph.index['words_vocab']):,} words; plan {plan}")

    def baseline() -> None:
        index = load_index(current(build).path / INDEX_FILE)
        cosine(index, "init", query_of_row(index, "init", 0))

    ways: list[tuple[str, Callable[[], Adapter]]] = [("cache", lambda: get_adapter(build))]
    if len(sys.argv) <= 4 or sys.argv[4] != "--cache-only":
        ways.append(("sparql", lambda: Adapter.of_store(open_store(build))))
    rows = [("baseline: load the index, one sparse product", median_ms(baseline, n))]
    for way, open_graph in ways:
        jobs: dict[str, Callable[[], Any]] = {
            "cooccur (driver, practice)": lambda o=open_graph: cooccurrence(o()),
            "cooccur --network": lambda o=open_graph: driver_network(o()),
            f"similar {first}": lambda o=open_graph: similar(o(), first, top=10),
            f"similar {words} (words: the tokeniser loads)": lambda o=open_graph: similar(o(), words, top=10),
        }
        if measure:
            jobs[f"similar {measure}"] = lambda o=open_graph: similar(o(), measure, top=10)
        if plan:
            jobs[f"assess {plan}"] = lambda o=open_graph: assess(o(), plan)
        for name, job in jobs.items():
            rows.append((f"{way:6s} {name}", median_ms(job, n)))
    base = rows[0][1]
    for name, ms in rows:
        print(f"{name:72s} median {ms:9.1f} ms  ({ms / base:6.1f}× baseline, n={n})")


if __name__ == "__main__":
    main()
