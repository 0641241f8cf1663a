"""Turtle and JSON-LD from sorted N-Triples, fast and byte-deterministic.

rdflib's pretty Turtle writer and its JSON-LD compaction took most of a national-scale build
(minutes for 1.7 M triples). Both formats here are written straight from the sorted N-Triples
that the build already has: Oxigraph's streaming Turtle writer groups consecutive triples by
subject and predicate, so sorted input gives one block per subject; the JSON-LD is one node
object per subject, in the same order. The same N-Triples therefore always give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _triples(ntriples: bytes) -> Iterator[Any]:
    import pyoxigraph

    return pyoxigraph.parse(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES)


def turtle(ntriples: bytes, prefixes: Mapping[str, str]) -> bytes:
    """Sorted N-Triples as Turtle with `prefixes` declared (in name order), a blank line between subjects."""
    import pyoxigraph

    declared = {p: str(ns) for p, ns in sorted(prefixes.items())}
    out = (pyoxigraph.serialize(_triples(ntriples), format=pyoxigraph.RdfFormat.TURTLE, prefixes=declared)
           or b"").decode("utf-8")
    # Oxigraph writes the @prefix lines in an order of its own: write them ourselves, sorted.
    body = out.split("\n")
    start = next((n for n, line in enumerate(body) if not line.startswith("@prefix ")), len(body))
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in declared.items())
    # Literals come out with newlines escaped, so every " ." at a line end closes a statement.
    text = "\n".join(body[start:]).replace(" .\n", " .\n\n").rstrip("\n")
    return (header + "\n" + text + "\n").encode("utf-8")


class _Compactor:
    """Compact IRIs (prefix:local) for keys, @type values and datatypes, where a prefix covers the IRI."""

    def __init__(self, prefixes: Mapping[str, str]):
        # Longest namespace first, so dxid: (…/id/) is never shadowed by a shorter one.
        self.pairs = sorted(((str(ns), p) for p, ns in prefixes.items()), key=lambda x: -len(x[0]))
        self.memo: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        found = self.memo.get(iri)
        if found is None:
            found = iri
            for ns, prefix in self.pairs:
                local = iri[len(ns):]
                if iri.startswith(ns) and local and not local.startswith("//"):
                    found = f"{prefix}:{local}"
                    break
            self.memo[iri] = found
        return found


def _node_id(term: Any) -> str:
    return term.value if type(term).__name__ == "NamedNode" else f"_:{term.value}"


def jsonld(ntriples: bytes, prefixes: Mapping[str, str]) -> bytes:
    """Sorted N-Triples as JSON-LD: the prefixes as @context, one node object per subject in @graph."""
    import pyoxigraph

    compact = _Compactor(prefixes)
    nodes: list[dict[str, Any]] = []
    node: dict[str, Any] = {}
    subject = None
    for t in _triples(ntriples):
        if t.subject != subject:
            subject = t.subject
            node = {"@id": _node_id(subject)}
            nodes.append(node)
        p, o = t.predicate.value, t.object
        if isinstance(o, pyoxigraph.Literal):
            value: dict[str, str] = {"@value": o.value}
            if o.language:
                value["@language"] = o.language
            elif o.datatype.value != XSD_STRING:
                value["@type"] = compact(o.datatype.value)
            node.setdefault(compact(p), []).append(value)
        elif p == RDF_TYPE and isinstance(o, pyoxigraph.NamedNode):
            node.setdefault("@type", []).append(compact(o.value))
        else:
            node.setdefault(compact(p), []).append({"@id": _node_id(o)})
    context = json.dumps({p: str(ns) for p, ns in sorted(prefixes.items())}, ensure_ascii=False, sort_keys=True)
    # One node per line: json.dumps without indent runs in C, and the file still diffs line by line.
    body = ",\n".join(json.dumps(n, ensure_ascii=False, sort_keys=True) for n in nodes)
    return f'{{"@context": {context},\n"@graph": [\n{body}\n]}}\n'.encode()
