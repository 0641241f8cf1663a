"""What building the in-memory store on a heap of its own (kg.parallel.on_own_heap) saves the work after it.

    .venv/bin/python bench/bench_heap.py BUILD_DIR/dxkg.nt [--repeat 3] [--texts 20000]

Each round, in a fresh interpreter: load the N-Triples into an in-memory Oxigraph store (in the main
thread, as the build did, or by kg.parallel.on_own_heap, as it does now), then time what the analysis
files do after it: the extraction (kg.analysis.records.extract) and the tokenising of the graph's first
`--texts` literals (kg.text.tokens). Prints the medians of CPU seconds and their ratio.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def _round(nt: str, own_heap: bool, texts: int, send: Any) -> None:
    from pyoxigraph import RdfFormat, Store

    from kg.analysis.records import extract
    from kg.parallel import on_own_heap
    from kg.text.tokens import Tokeniser

    def load() -> Store:
        store = Store()
        store.bulk_load(path=nt, format=RdfFormat.N_TRIPLES, lenient=True)
        return store

    store = on_own_heap(load) if own_heap else load()
    literals = [q.object.value for q in store.quads_for_pattern(None, None, None)
                if type(q.object).__name__ == "Literal" and len(q.object.value) > 20][:texts]
    started = time.process_time()
    extract(store)
    extracted = time.process_time() - started
    tokeniser = Tokeniser()
    started = time.process_time()
    for text in literals:
        tokeniser.terms(text)
    send.send((extracted, time.process_time() - started))


def measure(nt: Path, own_heap: bool, texts: int) -> tuple[float, float]:
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_round, args=(str(nt), own_heap, texts, send))
    child.start()
    result: tuple[float, float] = receive.recv()
    child.join()
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("nt", type=Path, help="a build's dxkg.nt (e.g. of `dxkg synth -n 1741`)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--texts", type=int, default=20000)
    args = ap.parse_args(argv)
    if not args.nt.is_file():
        print(f"bench_heap: {args.nt}: no such file", file=sys.stderr)
        return 1
    rounds: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for _ in range(args.repeat):  # alternated, so that a noisy moment falls on both
        for own in (False, True):
            rounds[own].append(measure(args.nt, own, args.texts))
    print("| after loading the store | extract (CPU s) | tokenising (CPU s) |\n|---|---|---|")
    med = {own: [statistics.median(r[k] for r in rounds[own]) for k in (0, 1)] for own in rounds}
    for own, label in ((False, "in the main thread"), (True, "on its own heap")):
        print(f"| {label} | {med[own][0]:.2f} | {med[own][1]:.2f} |")
    print(f"| ratio (own heap / main thread) | {med[True][0] / med[False][0]:.2f}× | "
          f"{med[True][1] / med[False][1]:.2f}× |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
