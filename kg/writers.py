"""Turtle and JSON-LD from sorted N-Triples, fast and byte-deterministic.

rdflib's pretty Turtle writer and its JSON-LD compaction took most of a national-scale build
(minutes for 1.7 M triples). Both formats here are written straight from the sorted N-Triples
that the build already has: Oxigraph's streaming Turtle writer groups consecutive triples by
subject and predicate, so sorted input gives one block per subject; the JSON-LD is one node
object per subject, in the same order. The same N-Triples therefore always give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from kg.namespace import RDF_TYPE, XSD_STRING, compact


def _triples(ntriples: bytes) -> Iterator[Any]:
    import pyoxigraph

    return pyoxigraph.parse(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES)


def turtle_blocks(ntriples: bytes, prefixes: Mapping[str, str]) -> list[str]:
    """Sorted N-Triples as Turtle statements, one per subject in order (`<s> p o ;\n\tp2 o2 .`), no prefixes.

    Every graph this project writes names its nodes with IRIs (no blank nodes), so a subject's statement
    depends on its own triples only: the statements of the parts of a graph are those of the whole.
    """
    import pyoxigraph

    declared = {p: str(ns) for p, ns in sorted(prefixes.items())}
    out = (pyoxigraph.serialize(_triples(ntriples), format=pyoxigraph.RdfFormat.TURTLE, prefixes=declared)
           or b"").decode("utf-8")
    body = out.split("\n")
    start = next((n for n, line in enumerate(body) if not line.startswith("@prefix ")), len(body))
    text = "\n".join(body[start:]).rstrip("\n")
    if not text:
        return []
    # Literals come out with newlines escaped, so every " ." at a line end closes a statement.
    parts = text.split(" .\n")
    return [part + " ." for part in parts[:-1]] + [parts[-1]]


def turtle_document(blocks: Iterable[str], prefixes: Mapping[str, str]) -> bytes:
    """Turtle statements (turtle_blocks) as one document."""
    return turtle_join([b.encode("utf-8") for b in blocks], prefixes)


def turtle_frame(prefixes: Mapping[str, str]) -> tuple[bytes, bytes]:
    """What comes before and after the statements of a Turtle document: `prefixes` declared in name order
    (Oxigraph writes them in an order of its own) and a blank line; a final newline."""
    header = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted((p, str(ns)) for p, ns in prefixes.items()))
    return header.encode("utf-8") + b"\n", b"\n"


def turtle_join(blocks: Sequence[bytes | memoryview], prefixes: Mapping[str, str]) -> bytes:
    """Encoded Turtle statements as one document (turtle_frame), a blank line between subjects."""
    return _framed(turtle_frame(prefixes), blocks, b"\n\n")


def _framed(frame: tuple[bytes, bytes], parts: Sequence[bytes | memoryview], separator: bytes) -> bytes:
    """head, the parts with `separator` between them, tail: copied once (a document can be 100 MB and more)."""
    pieces: list[bytes | memoryview] = [frame[0]]
    for n, part in enumerate(parts):
        if n:
            pieces.append(separator)
        pieces.append(part)
    pieces.append(frame[1])
    return b"".join(pieces)


def turtle(ntriples: bytes, prefixes: Mapping[str, str]) -> bytes:
    """Sorted N-Triples as Turtle with `prefixes` declared (in name order), a blank line between subjects."""
    return turtle_document(turtle_blocks(ntriples, prefixes), prefixes)


class _Compactor:
    """kg.namespace.compact with a memo: a national-scale graph repeats the same few hundred IRIs millions of times."""

    def __init__(self, prefixes: Mapping[str, str]):
        self.prefixes = {p: str(ns) for p, ns in prefixes.items()}
        self.memo: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        found = self.memo.get(iri)
        if found is None:
            found = self.memo[iri] = compact(iri, self.prefixes)
        return found


def _json_string(nt_escaped: str) -> str:
    """An N-Triples string body as a JSON string: the two share their escapes (\\" \\\\ \\n \\t \\uXXXX …).

    N-Triples also has \\UXXXXXXXX and \\', which JSON lacks; those are decoded and re-encoded.
    """
    if "\\U" in nt_escaped or "\\'" in nt_escaped:
        import pyoxigraph

        decoded = next(iter(pyoxigraph.parse(f'<x:s> <x:p> "{nt_escaped}" .', format=pyoxigraph.RdfFormat.N_TRIPLES)))
        return json.dumps(decoded.object.value, ensure_ascii=False)
    return f'"{nt_escaped}"'


def _object(term: str, compact: _Compactor) -> str:
    """One N-Triples object term as a JSON-LD value object (as JSON text)."""
    if term[0] == "<":
        return f'{{"@id": "{term[1:-1]}"}}'
    if term[0] == "_":
        return f'{{"@id": "{term}"}}'
    end = term.rindex('"')
    value = _json_string(term[1:end])
    rest = term[end + 1:]
    if rest.startswith("@"):
        return f'{{"@language": "{rest[1:]}", "@value": {value}}}'
    if rest.startswith("^^<") and rest[3:-1] != XSD_STRING:
        return f'{{"@type": "{compact(rest[3:-1])}", "@value": {value}}}'
    return f'{{"@value": {value}}}'


def jsonld_nodes(ntriples: bytes, prefixes: Mapping[str, str]) -> list[str]:
    """Sorted N-Triples as JSON-LD node objects (as JSON text), one per subject in order.

    The JSON is written as text straight from the N-Triples lines (IRIs cannot hold " or \\, and a
    literal's N-Triples escapes are JSON escapes): half the time of going through parsed terms.
    Keys are in sorted order, as json.dumps(sort_keys=True) would write them.
    """
    compact = _Compactor(prefixes)
    nodes: list[str] = []
    subject = ""
    props: dict[str, list[str]] = {}

    def flush() -> None:
        if subject:
            body = ", ".join(f'"{key}": [{", ".join(props[key])}]' for key in sorted(props))
            node_id = subject[1:-1] if subject[0] == "<" else subject
            nodes.append(f'{{"@id": "{node_id}", {body}}}')

    for line in ntriples.decode("utf-8").split("\n"):
        if not line:
            continue
        s_end = line.index(" ")
        p_end = line.index(" ", s_end + 1)
        s, p, o = line[:s_end], line[s_end + 2:p_end - 1], line[p_end + 1:-2]
        if s != subject:
            flush()
            subject, props = s, {}
        if p == RDF_TYPE and o[0] == "<":
            props.setdefault("@type", []).append(f'"{compact(o[1:-1])}"')
        else:
            props.setdefault(compact(p), []).append(_object(o, compact))
    flush()
    return nodes


def jsonld_document(nodes: Iterable[str], prefixes: Mapping[str, str]) -> bytes:
    """Node objects (jsonld_nodes) as one JSON-LD document."""
    return jsonld_join([n.encode("utf-8") for n in nodes], prefixes)


def jsonld_frame(prefixes: Mapping[str, str]) -> tuple[bytes, bytes]:
    """What comes before and after the node objects of a JSON-LD document: the prefixes as @context, @graph."""
    context = json.dumps({p: str(ns) for p, ns in sorted(prefixes.items())}, ensure_ascii=False, sort_keys=True)
    return f'{{"@context": {context},\n"@graph": [\n'.encode(), b"\n]}\n"


def jsonld_join(nodes: Sequence[bytes | memoryview], prefixes: Mapping[str, str]) -> bytes:
    """Encoded node objects as one JSON-LD document (jsonld_frame), one node per line."""
    return _framed(jsonld_frame(prefixes), nodes, b",\n")


def jsonld(ntriples: bytes, prefixes: Mapping[str, str]) -> bytes:
    """Sorted N-Triples as JSON-LD: the prefixes as @context, one node object per subject in @graph."""
    return jsonld_document(jsonld_nodes(ntriples, prefixes), prefixes)
