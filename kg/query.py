"""SPARQL over the built graph with Oxigraph: saved queries, safety checks, result formats."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import DxkgError
from kg.namespace import PREFIXES, XSD_STRING
from kg.namespace import compact as compact_iri

if TYPE_CHECKING:
    import pyoxigraph

RESULT_FORMATS = ("table", "csv", "tsv", "json")


class QueryError(DxkgError):
    """A query that cannot be run: bad syntax, refused clause, unknown saved query (exit status 1)."""


@dataclass(frozen=True)
class SavedQuery:
    name: str
    summary: str
    text: str
    path: Path


def saved_queries(folder: Path | None = None) -> list[SavedQuery]:
    """The named `.rq` files (the packaged ones by default), each with the summary from its `#+ summary:` header."""
    from kg.paths import queries_dir

    folder = folder or queries_dir()
    out = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        match = re.search(r"^#\+\s*summary:\s*(.+)$", text, re.MULTILINE)
        out.append(SavedQuery(path.stem, match.group(1).strip() if match else "", text, path))
    return out


def resolve_query(arg: str) -> tuple[str, str | None]:
    """Query text for a saved query name, a .rq file path, or inline SPARQL; and the saved name if any."""
    for q in saved_queries():
        if q.name == arg:
            return q.text, q.name
    if "\n" not in arg and len(arg) < 4096 and arg.endswith((".rq", ".sparql")):
        path = Path(arg)
        if not path.is_file():
            raise QueryError(f"query file not found: {arg}")
        return path.read_text(encoding="utf-8"), None
    if re.fullmatch(r"[A-Za-z0-9_-]+", arg):
        names = ", ".join(q.name for q in saved_queries())
        raise QueryError(f"no saved query named {arg!r} (saved: {names})")
    return arg, None


# Tokens that could hide a keyword: comments, strings (long and short), IRIs.
_LEXEMES = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|"(?:[^"\\\n]|\\.)*"|'
    r"'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>|#[^\n]*",
)
_FORBIDDEN = re.compile(r"(?<![\w:?$])(SERVICE|FROM|LOAD)(?![\w:])", re.IGNORECASE)


def refuse_outbound(query: str) -> None:
    """Refuse clauses that make an engine fetch from the network (SERVICE, FROM, FROM NAMED, LOAD).

    Comments, strings and IRIs are blanked first, so a keyword inside them does not count.
    """
    bare = _LEXEMES.sub(lambda mt: " " if mt.group(0).startswith("#") else '""', query)
    match = _FORBIDDEN.search(bare)
    if match:
        word = match.group(1).upper()
        raise QueryError(f"{word} is refused: queries run on the local graph only and never fetch from the network")


@dataclass
class Result:
    """A query answer: a table (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE)."""

    kind: str  # select | ask | graph
    variables: list[str]
    rows: list[list[Any]]  # pyoxigraph terms or None
    boolean: bool | None = None
    raw: Any = None


def run(store: pyoxigraph.Store, query: str) -> Result:
    """Run one query on a store, after refusing network clauses."""
    import pyoxigraph

    refuse_outbound(query)
    try:
        answer = store.query(query, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from exc
    if isinstance(answer, pyoxigraph.QueryBoolean):
        return Result("ask", [], [], boolean=bool(answer))
    if isinstance(answer, pyoxigraph.QuerySolutions):
        variables = [v.value for v in answer.variables]
        rows = [[sol[v] for v in variables] for sol in answer]
        return Result("select", variables, rows)
    triples = list(answer)
    return Result("graph", ["subject", "predicate", "object"],
                  [[t.subject, t.predicate, t.object] for t in triples], raw=triples)


def compact(term: Any) -> str:
    """A term as a short human string: prefixed IRIs, literal values."""
    import pyoxigraph

    if term is None:
        return ""
    if isinstance(term, pyoxigraph.NamedNode):
        return compact_iri(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    return term.value


def format_result(result: Result, fmt: str) -> str:
    """Render a result as table, csv, tsv or json (SPARQL 1.1 results formats for the latter three)."""
    if fmt not in RESULT_FORMATS:
        raise QueryError(f"unknown format {fmt!r} (known: {', '.join(RESULT_FORMATS)})")
    if result.kind == "ask":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result.boolean})
        return "true" if result.boolean else "false"
    if result.kind == "graph" and fmt != "table":
        import pyoxigraph

        rdf_format = pyoxigraph.RdfFormat.N_TRIPLES
        return pyoxigraph.serialize(result.raw, format=rdf_format).decode("utf-8")
    if fmt == "table":
        return _table(result)
    if fmt == "json":
        return json.dumps(_json(result), ensure_ascii=False, indent=1)
    return _delimited(result, fmt)


def _table(result: Result) -> str:
    header = result.variables
    body = [[compact(t) for t in row] for row in result.rows]
    widths = [min(60, max([_width(h)] + [_width(r[i]) for r in body])) for i, h in enumerate(header)]
    lines = [" | ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)),
             "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(_pad(_clip(c, w), w) for c, w in zip(row, widths, strict=True)) for row in body]
    lines.append(f"({len(body)} row{'s' if len(body) != 1 else ''})")
    return "\n".join(lines)


def _width(text: str) -> int:
    """Display width: East Asian wide characters take two columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _clip(text: str, width: int) -> str:
    text = text.replace("\n", " ")
    if _width(text) <= width:
        return text
    out = ""
    for c in text:
        if _width(out + c) > width - 1:
            break
        out += c
    return out + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _json_term(term: Any) -> dict[str, str] | None:
    import pyoxigraph

    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype and term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _json(result: Result) -> dict[str, Any]:
    bindings = []
    for row in result.rows:
        b = {v: _json_term(t) for v, t in zip(result.variables, row, strict=True) if t is not None}
        bindings.append(b)
    return {"head": {"vars": result.variables}, "results": {"bindings": bindings}}


def _delimited(result: Result, fmt: str) -> str:
    out = io.StringIO()
    if fmt == "csv":  # SPARQL 1.1 CSV: plain values, CRLF line ends
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow(["" if t is None else t.value for t in row])
        return out.getvalue()
    lines = ["\t".join(f"?{v}" for v in result.variables)]  # SPARQL 1.1 TSV: terms in Turtle syntax
    for row in result.rows:
        lines.append("\t".join("" if t is None else str(t) for t in row))
    return "\n".join(lines) + "\n"
