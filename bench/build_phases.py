"""Where `dxkg build` spends its time on a data folder: one line per phase, slowest first.

    .venv/bin/python bench/build_phases.py synth174          # after `dxkg synth -n 174 -o synth174`
"""

from __future__ import annotations

import argparse
import sys
import tempfile
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
    from kg.analysis.cache import AnalysisCache
    from kg.build import graph_ntriples, rdflib_graph, serialize, shacl_problems, sparql_shacl_problems
    from kg.checks import check_references, check_unique
    from kg.load import parse_data
    from kg.store import publish

    times: list[tuple[str, float]] = []

    def timed(name: str, fn):  # type: ignore[no-untyped-def]
        print(f"… {name}", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        value = fn()
        times.append((name, time.perf_counter() - t0))
        return value

    ds, problems = timed("YAML parsing (kg.load.parse_data)", lambda: parse_data(args.data))
    timed("id and reference checks", lambda: check_unique(ds) + check_references(ds))
    nt, triples = timed("sorted N-Triples (kg.rdf.data_lines + ontology)", lambda: graph_ntriples(ds))
    from kg.shaclsparql import load_store

    memory = timed("in-memory Oxigraph store for SHACL", lambda: load_store(nt))
    timed("SHACL compiled to SPARQL (Oxigraph)", lambda: sparql_shacl_problems(memory))
    if args.pyshacl:
        timed("SHACL with pyshacl (incl. rdflib parse)", lambda: shacl_problems(rdflib_graph(nt)))
    timed("Turtle (kg.writers)", lambda: serialize(nt, "ttl"))
    timed("JSON-LD (kg.writers)", lambda: serialize(nt, "jsonld"))
    with tempfile.TemporaryDirectory() as tmp:
        timed("persistent store + analysis cache (kg.store.publish)",
              lambda: publish(Path(tmp), {"nt": nt}, extras=[AnalysisCache()], same_graph=memory))
    total = sum(t for _, t in times)
    print(f"{triples:,} triples, {len(problems)} parse problems; {total:.2f} s in all; phases, slowest first:")
    for name, t in sorted(times, key=lambda x: -x[1]):
        print(f"  {t:8.2f} s  {100 * t / total:5.1f}%  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
