"""SPARQL over the built graph with Oxigraph: saved queries, safety checks, result formats."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import DxkgError
from kg.namespace import PREFIXES
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


def refuse_outbound(query: str, known_graphs: Iterable[str] = ()) -> str:
    """Refuse clauses that reach beyond the store (SERVICE, LOAD, FROM naming a graph it does not hold);
    return the normalised text, the one to evaluate (see kg.guard; kg.sandbox is what keeps queries off
    the network)."""
    from kg.guard import Refused, check

    try:
        return check(query, known_graphs, prefixes=PREFIXES).text
    except Refused as exc:
        raise QueryError(str(exc)) from exc


@dataclass
class Result:
    """A query answer: a table (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE)."""

    kind: str  # select | ask | graph
    variables: list[str]
    rows: list[list[Any]]  # pyoxigraph terms or None
    boolean: bool | None = None
    raw: Any = None


def run(store: pyoxigraph.Store, query: str) -> Result:
    """Run one query on a store, after refusing clauses that reach beyond it (see refuse_outbound).

    A process that runs queries from others should also have called `kg.sandbox.deny_network()`."""
    import pyoxigraph

    text = refuse_outbound(query, (g.value for g in store.named_graphs()))
    try:
        answer = store.query(text, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from exc
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"query failed: {exc}") from exc
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
    """Render a result as a table, or in the SPARQL 1.1 results formats (csv, tsv, json; N-Triples for
    CONSTRUCT/DESCRIBE) with the writer the endpoint uses (kg.results)."""
    from kg import results

    if fmt not in RESULT_FORMATS:
        raise QueryError(f"unknown format {fmt!r} (known: {', '.join(RESULT_FORMATS)})")
    if result.kind == "ask":
        if fmt == "table":
            return "true" if result.boolean else "false"
        return results.write_boolean(bool(result.boolean), fmt).body.decode("utf-8")
    if fmt == "table":
        return _table(result)
    if result.kind == "graph":
        return results.write_triples(result.raw, "ntriples").body.decode("utf-8")
    return results.write_solutions(result.variables, result.rows, fmt).body.decode("utf-8")


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
