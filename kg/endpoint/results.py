"""Query answers in the SPARQL 1.1 result formats and RDF syntaxes, cut at a row cap that is always signalled."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from kg.namespace import PREFIXES, XSD_STRING

SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"

# Media type -> format name, per query kind; the first entry of each is the default.
TABULAR = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
BOOLEAN = {k: v for k, v in TABULAR.items() if v in ("json", "xml")}
GRAPH = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "text/plain": "ntriples",
}
CONTENT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}


def media_types(kind: str) -> dict[str, str]:
    """The media types offered for a query kind (select, ask, construct, describe)."""
    return {"select": TABULAR, "ask": BOOLEAN}.get(kind, GRAPH)


@dataclass
class Answer:
    body: bytes
    content_type: str
    rows: int
    truncated: bool


def _cap(items: Any, max_rows: int) -> tuple[list[Any], bool]:
    out = []
    for item in items:
        if len(out) == max_rows:
            return out, True
        out.append(item)
    return out, False


def serialize(answer: Any, fmt: str, max_rows: int) -> Answer:
    """Serialise a pyoxigraph query answer; at most `max_rows` rows or triples, flagged when cut."""
    import pyoxigraph

    if isinstance(answer, pyoxigraph.QueryBoolean):
        value = bool(answer)
        if fmt == "json":
            body = json.dumps({"head": {}, "boolean": value}).encode()
        else:
            body = (f'<?xml version="1.0"?>\n<sparql xmlns="{SPARQL_RESULTS_NS}"><head/>'
                    f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
        return Answer(body, CONTENT_TYPES[fmt], 1, False)
    if isinstance(answer, pyoxigraph.QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows, truncated = _cap(([s[v] for v in variables] for s in answer), max_rows)
        writer = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}[fmt]
        return Answer(writer(variables, rows, truncated, max_rows), CONTENT_TYPES[fmt], len(rows), truncated)
    triples, truncated = _cap(answer, max_rows)
    return Answer(_rdf(triples, fmt), CONTENT_TYPES[fmt], len(triples), truncated)


def _json_term(term: Any) -> dict[str, Any]:
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, pyoxigraph.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    out: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _json(variables: list[str], rows: list[list[Any]], truncated: bool, max_rows: int) -> bytes:
    bindings = [{v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
    doc: dict[str, Any] = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    if truncated:  # not part of the SPARQL format; clients that do not know it still get valid results
        doc["truncated"] = True
        doc["maxRows"] = max_rows
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def _xml_term(term: Any) -> str:
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, pyoxigraph.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, pyoxigraph.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _xml(variables: list[str], rows: list[list[Any]], truncated: bool, max_rows: int) -> bytes:
    out = ['<?xml version="1.0"?>', f'<sparql xmlns="{SPARQL_RESULTS_NS}">', "<head>"]
    out += [f"<variable name={quoteattr(v)}/>" for v in variables]
    out.append("</head>")
    if truncated:
        out.append(f"<!-- truncated at {max_rows} rows -->")
    out.append("<results>")
    for row in rows:
        cells = "".join(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                        for v, t in zip(variables, row, strict=True) if t is not None)
        out.append(f"<result>{cells}</result>")
    out += ["</results>", "</sparql>", ""]
    return "\n".join(out).encode("utf-8")


def _csv_value(term: Any) -> str:
    import pyoxigraph

    if term is None:
        return ""
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, pyoxigraph.Triple):
        return str(term)
    return term.value


def _csv(variables: list[str], rows: list[list[Any]], truncated: bool, max_rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # SPARQL 1.1 CSV: CRLF, RFC 4180 quoting
    writer.writerow(variables)
    for row in rows:
        writer.writerow([_csv_value(t) for t in row])
    return out.getvalue().encode("utf-8")


def _tsv(variables: list[str], rows: list[list[Any]], truncated: bool, max_rows: int) -> bytes:
    # SPARQL 1.1 TSV: terms in Turtle/N-Triples syntax, which pyoxigraph's str() gives.
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _rdf(triples: list[Any], fmt: str) -> bytes:
    import pyoxigraph


    formats = {"turtle": pyoxigraph.RdfFormat.TURTLE, "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
               "jsonld": pyoxigraph.RdfFormat.JSON_LD, "rdfxml": pyoxigraph.RdfFormat.RDF_XML}
    prefixes = PREFIXES if fmt in ("turtle", "rdfxml") else None
    return pyoxigraph.serialize(triples, format=formats[fmt], prefixes=prefixes) or b""
