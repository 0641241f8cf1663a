"""One writer of query answers for `dxkg query` and `dxkg serve`: SPARQL 1.1 JSON, XML, CSV and TSV
results, and Turtle, N-Triples, JSON-LD or RDF/XML for graphs, cut at a row and a byte budget.

pyoxigraph's own result serializers write a whole answer and cannot stop at a row or byte budget on a
row boundary, so rows are written here, one at a time, with the budget checked before each; the
tests parse what is written with `pyoxigraph.parse_query_results` and compare it with the engine's
answer. Graphs are cut by triples and serialised by pyoxigraph. A cut answer is always flagged
(`Written.truncated`, and in the body where the format has room for it), never silent.

ASK answers in CSV and TSV follow Apache Jena's convention (one column `_askResult`), since the
SPARQL 1.1 CSV/TSV note defines no boolean form.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kg.namespace import PREFIXES, XSD_STRING

SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
TABULAR_FORMATS = ("json", "xml", "csv", "tsv")
GRAPH_FORMATS = ("turtle", "ntriples", "jsonld", "rdfxml")
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


@dataclass(frozen=True)
class Written:
    body: bytes
    content_type: str
    rows: int  # rows, triples, or 1 for a boolean
    truncated: bool = False
    cut_by: str = ""  # "rows" or "bytes" when truncated


def write_answer(answer: Any, fmt: str, max_rows: int | None = None, max_bytes: int | None = None) -> Written:
    """Write a pyoxigraph answer (QuerySolutions, QueryBoolean or QueryTriples) in `fmt`."""
    import pyoxigraph

    if isinstance(answer, pyoxigraph.QueryBoolean):
        return write_boolean(bool(answer), fmt)
    if isinstance(answer, pyoxigraph.QuerySolutions):
        variables = [v.value for v in answer.variables]
        return write_solutions(variables, ([s[v] for v in variables] for s in answer), fmt, max_rows, max_bytes)
    return write_triples(answer, fmt, max_rows, max_bytes)


def answer_kind(answer: Any) -> str:
    """select, ask or graph, from a pyoxigraph answer's type."""
    import pyoxigraph

    if isinstance(answer, pyoxigraph.QueryBoolean):
        return "ask"
    if isinstance(answer, pyoxigraph.QuerySolutions):
        return "select"
    return "graph"


def write_boolean(value: bool, fmt: str) -> Written:
    word = "true" if value else "false"
    if fmt == "json":
        body = json.dumps({"head": {}, "boolean": value}).encode()
    elif fmt == "xml":
        body = (f'<?xml version="1.0"?>\n<sparql xmlns="{SPARQL_RESULTS_NS}"><head/>'
                f"<boolean>{word}</boolean></sparql>\n").encode()
    elif fmt == "csv":
        body = f"_askResult\r\n{word}\r\n".encode()
    elif fmt == "tsv":
        body = f"?_askResult\n{word}\n".encode()
    else:
        raise ValueError(f"an ASK answer cannot be written as {fmt}")
    return Written(body, CONTENT_TYPES[fmt], 1)


def write_solutions(variables: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str,
                    max_rows: int | None = None, max_bytes: int | None = None) -> Written:
    """Rows of terms (None where unbound) in a SPARQL results format, within the row and byte budgets."""
    if fmt not in TABULAR_FORMATS:
        raise ValueError(f"a SELECT answer cannot be written as {fmt}")
    head_of, row_of, sep, tail_of = _WRITERS[fmt](list(variables))
    parts = [head_of(None, None)]
    size = len(parts[0]) + len(tail_of(None, None))
    count = 0
    cut_by = ""
    for row in rows:
        if max_rows is not None and count >= max_rows:
            cut_by = "rows"
            break
        chunk = (sep if count else b"") + row_of(row)
        # room is kept for what a cut answer adds to its head or tail (it names the limit)
        if max_bytes is not None and size + len(chunk) + 96 > max_bytes:
            cut_by = "bytes"
            break
        parts.append(chunk)
        size += len(chunk)
        count += 1
    limit = max_rows if cut_by == "rows" else max_bytes
    parts[0] = head_of(cut_by or None, limit)
    parts.append(tail_of(cut_by or None, limit))
    return Written(b"".join(parts), CONTENT_TYPES[fmt], count, bool(cut_by), cut_by)


# --- JSON ------------------------------------------------------------------------------------------
def json_term(term: Any) -> dict[str, Any]:
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, pyoxigraph.Triple):
        return {"type": "triple", "value": {"subject": json_term(term.subject),
                                            "predicate": json_term(term.predicate),
                                            "object": json_term(term.object)}}
    out: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _json_writer(variables: list[str]) -> tuple[Any, Any, bytes, Any]:
    def head_of(cut_by: str | None, limit: int | None) -> bytes:
        # The flags are not part of the SPARQL format; clients that do not know them ignore them. They come
        # before "results": some parsers (Oxigraph's) refuse anything after the bindings.
        flags = "" if not cut_by else f',"truncated":true,"{"maxRows" if cut_by == "rows" else "maxBytes"}":{limit}'
        return ('{"head":{"vars":' + json.dumps(variables, ensure_ascii=False) + "}" + flags
                + ',"results":{"bindings":[').encode()

    def row_of(row: Sequence[Any]) -> bytes:
        binding = {v: json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
        return json.dumps(binding, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    return head_of, row_of, b",", lambda *_a: b"]}}"


# --- XML -------------------------------------------------------------------------------------------
def _xml_term(term: Any) -> str:
    from xml.sax.saxutils import escape, quoteattr  # here, not at the top: it costs ~15 ms of every start-up

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


def _xml_writer(variables: list[str]) -> tuple[Any, Any, bytes, Any]:
    from xml.sax.saxutils import quoteattr

    head = "\n".join(['<?xml version="1.0"?>', f'<sparql xmlns="{SPARQL_RESULTS_NS}">', "<head>",
                      *(f"<variable name={quoteattr(v)}/>" for v in variables), "</head>", "<results>", ""])

    def row_of(row: Sequence[Any]) -> bytes:
        cells = "".join(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                        for v, t in zip(variables, row, strict=True) if t is not None)
        return f"<result>{cells}</result>\n".encode()

    def tail_of(cut_by: str | None, limit: int | None) -> bytes:
        note = f"<!-- truncated at {limit} {cut_by} -->\n" if cut_by else ""
        return f"</results>\n{note}</sparql>\n".encode()

    return lambda *_a: head.encode(), row_of, b"", tail_of


# --- CSV and TSV ----------------------------------------------------------------------------------
def _csv_value(term: Any) -> str:
    import pyoxigraph

    if term is None:
        return ""
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, pyoxigraph.Triple):
        return str(term)
    return term.value


def _csv_line(values: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(values)  # SPARQL 1.1 CSV: CRLF, RFC 4180 quoting
    return out.getvalue().encode("utf-8")


def _csv_writer(variables: list[str]) -> tuple[Any, Any, bytes, Any]:
    head = _csv_line(variables)
    return lambda *_a: head, lambda row: _csv_line([_csv_value(t) for t in row]), b"", lambda *_a: b""


def _tsv_writer(variables: list[str]) -> tuple[Any, Any, bytes, Any]:
    # SPARQL 1.1 TSV: terms in Turtle/N-Triples syntax, which pyoxigraph's str() gives.
    head = ("\t".join(f"?{v}" for v in variables) + "\n").encode("utf-8")

    def row_of(row: Sequence[Any]) -> bytes:
        return ("\t".join("" if t is None else str(t) for t in row) + "\n").encode("utf-8")

    return lambda *_a: head, row_of, b"", lambda *_a: b""


_WRITERS = {"json": _json_writer, "xml": _xml_writer, "csv": _csv_writer, "tsv": _tsv_writer}


# --- graphs ---------------------------------------------------------------------------------------
def write_triples(triples: Iterable[Any], fmt: str, max_rows: int | None = None,
                  max_bytes: int | None = None) -> Written:
    """Triples in an RDF syntax; at most `max_rows` of them and about `max_bytes` (measured as N-Triples,
    then checked on the written body)."""
    import pyoxigraph

    formats = {"turtle": pyoxigraph.RdfFormat.TURTLE, "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
               "jsonld": pyoxigraph.RdfFormat.JSON_LD, "rdfxml": pyoxigraph.RdfFormat.RDF_XML}
    if fmt not in formats:
        raise ValueError(f"a graph cannot be written as {fmt}")
    kept: list[Any] = []
    size = 0
    cut_by = ""
    for t in triples:
        if max_rows is not None and len(kept) >= max_rows:
            cut_by = "rows"
            break
        size += len(str(t).encode("utf-8")) + 3
        if max_bytes is not None and size > max_bytes:
            cut_by = "bytes"
            break
        kept.append(t)
    prefixes = PREFIXES if fmt in ("turtle", "rdfxml") else None
    while True:
        body = pyoxigraph.serialize(kept, format=formats[fmt], prefixes=prefixes) or b""
        if max_bytes is None or len(body) <= max_bytes or not kept:
            break
        kept = kept[: len(kept) // 2]  # a syntax more verbose than N-Triples: halve until it fits
        cut_by = "bytes"
    return Written(body, CONTENT_TYPES[fmt], len(kept), bool(cut_by), cut_by)
