"""Time every compiled SHACL query (kg.shaclsparql) on a loaded Oxigraph store, slowest first.

Run from the checkout on an N-Triples file written by `dxkg build` (e.g. of `dxkg synth -n 174` data):

    D=$(mktemp -d)
    .venv/bin/dxkg synth -n 174 --seed 1 --out "$D/s174"
    .venv/bin/dxkg build -q --no-sources --data "$D/s174" --build-dir "$D/b174"
    .venv/bin/python bench/shacl_queries.py "$D/b174/dxkg.nt" --top 20

It prints the bulk-load time, the compile time, each query's time (run one at a time) with its node
shape, path(s) and constraint kind(s), then the sum over queries and the wall time of `validate_store` (which may
run queries in parallel). --show N also prints the SPARQL text of the N slowest queries.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ntriples", type=Path, help="N-Triples file to validate (e.g. build/dxkg.nt)")
    parser.add_argument("--shapes", type=Path, default=None, help="shapes graph (default: ontology/shapes.ttl)")
    parser.add_argument("--top", type=int, default=0, help="print only the N slowest queries (default: all)")
    parser.add_argument("--show", type=int, default=0, help="print the SPARQL text of the N slowest queries")
    args = parser.parse_args(argv)

    from rdflib import Graph

    from kg import shaclsparql
    from kg.paths import shapes_file

    if not args.ntriples.is_file():
        print(f"error: {args.ntriples} is not a file", file=sys.stderr)
        return 1
    shapes = Graph().parse(args.shapes or shapes_file(), format="turtle")
    data = args.ntriples.read_bytes()

    t0 = time.perf_counter()
    store = shaclsparql.load_store(data)
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    queries = shaclsparql.compile_shapes(shapes, store)
    t_compile = time.perf_counter() - t0

    timings = []
    for i, cq in enumerate(queries, 1):
        print(f"\r{i}/{len(queries)} queries", end="", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        rows = len(list(store.query(cq.sparql)))
        timings.append((time.perf_counter() - t0, rows, cq))
    print(file=sys.stderr)
    t0 = time.perf_counter()
    violations = shaclsparql.validate_store(store, shapes)
    t_validate = time.perf_counter() - t0

    print(f"triples: {len(store)}  load: {t_load:.2f} s  compile: {t_compile:.2f} s  queries: {len(queries)}")
    print(f"{'seconds':>8} {'rows':>6}  {'kind':<20} {'path':<28} shape")
    timings.sort(key=lambda t: -t[0])
    for secs, rows, cq in timings[: args.top or None]:
        print(f"{secs:8.3f} {rows:6d}  {cq.kind:<20} {cq.path or '(node)':<28} {getattr(cq, 'shape', '')}")
    print(f"sum of queries: {sum(t[0] for t in timings):.2f} s")
    print(f"validate_store: {t_validate:.2f} s ({len(violations)} violations)")
    print(f"load + validate_store: {t_load + t_validate:.2f} s")
    for secs, _, cq in timings[: args.show]:
        print(f"\n-- {secs:.3f} s {cq.kind} {cq.path}\n{cq.sparql}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
