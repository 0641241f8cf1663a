"""Where `dxkg build` spends its time on a data folder: one line per phase, slowest first.

    .venv/bin/python bench/build_phases.py synth174          # after `dxkg synth -n 174 -o synth174`
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path, help="a data folder (e.g. written by `dxkg synth`)")
    ap.add_argument("--pyshacl", action="store_true", help="also time pyshacl (minutes above ~100 k triples)")
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        print(f"build_phases: not a folder: {args.data}", file=sys.stderr)
        return 1
    from kg.build import full_graph, serialize, shacl_problems, sparql_shacl_problems
    from kg.checks import check_references, check_unique
    from kg.load import parse_data

    times: list[tuple[str, float]] = []

    def timed(name: str, fn):  # type: ignore[no-untyped-def]
        print(f"… {name}", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        value = fn()
        times.append((name, time.perf_counter() - t0))
        return value

    ds, problems = timed("YAML parsing (kg.load.parse_data)", lambda: parse_data(args.data))
    timed("id and reference checks", lambda: check_unique(ds) + check_references(ds))
    graph = timed("rdflib graph (kg.rdf.data_graph + ontology)", lambda: full_graph(ds))
    nt = timed("N-Triples serialisation (sorted)", lambda: serialize(graph, "nt"))
    timed("SHACL compiled to SPARQL (Oxigraph)", lambda: sparql_shacl_problems(nt))
    if args.pyshacl:
        timed("SHACL with pyshacl", lambda: shacl_problems(graph))
    timed("Turtle serialisation (rdflib)", lambda: serialize(graph, "ttl"))
    timed("JSON-LD serialisation (rdflib + canonical sort)", lambda: serialize(graph, "jsonld"))
    total = sum(t for _, t in times)
    print(f"{len(graph):,} triples, {len(problems)} parse problems; phases, slowest first:")
    for name, t in sorted(times, key=lambda x: -x[1]):
        print(f"  {t:8.2f} s  {100 * t / total:5.1f}%  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
