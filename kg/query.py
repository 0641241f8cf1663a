"""SPARQL over the built graph with Oxigraph: saved queries, safety checks, result formats."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import DxkgError
from kg.namespace import PREFIXES
from kg.namespace import compact as compact_iri

if TYPE_CHECKING:
    import pyoxigraph

RESULT_FORMATS = ("table", "csv", "tsv", "json", "ttl", "nt", "jsonld")
ROW_FORMATS = ("csv", "tsv", "json")  # the SPARQL 1.1 results formats: rows (SELECT) and booleans (ASK)
GRAPH_FORMATS = {"ttl": "turtle", "nt": "ntriples", "jsonld": "jsonld"}  # graphs (CONSTRUCT, DESCRIBE)


class QueryError(DxkgError):
    """A query that cannot be run: bad syntax, refused clause, unknown saved query (exit status 1)."""


RELIABILITIES = {"primary": ("primary",), "secondary": ("primary", "secondary")}


@dataclass(frozen=True)
class SavedQuery:
    """A `.rq` file with its KG-Hub style `#+ key: value` header lines."""

    name: str
    summary: str
    text: str
    path: Path
    summary_ja: str = ""
    reliability: str = ""  # the variable of its `VALUES ?var { … }` block of reliabilities, when it counts cases
    columns_ja: dict[str, str] = field(default_factory=dict)  # its variables' names in Japanese, for tables

    def describe(self, lang: str = "ja") -> str:
        return (self.summary_ja or self.summary) if lang == "ja" else (self.summary or self.summary_ja)


def _header(text: str, key: str) -> str:
    match = re.search(rf"^#\+\s*{key}:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else ""


def saved_queries(folder: Path | None = None) -> list[SavedQuery]:
    """The named `.rq` files (the packaged ones by default), with their `#+ summary:` (and `summary_ja:`)."""
    from kg.paths import queries_dir

    folder = folder or queries_dir()
    out = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        variable = _header(text, "reliability").split(" ")[0] if _header(text, "reliability") else ""
        columns = dict(pair.split("=", 1) for pair in _header(text, "columns_ja").split() if "=" in pair)
        out.append(SavedQuery(path.stem, _header(text, "summary"), text, path, _header(text, "summary_ja"),
                              variable, columns))
    return out


def with_reliability(query: SavedQuery, min_reliability: str) -> str:
    """The saved query's text counting the sources at least as reliable as `min_reliability`: its
    `VALUES ?var { … }` block rewritten (a query run as it is elsewhere counts primary sources only)."""
    if not query.reliability:
        return query.text
    if min_reliability not in RELIABILITIES:
        raise QueryError(f"unknown reliability {min_reliability!r} (known: {', '.join(RELIABILITIES)})")
    values = " ".join(f'"{r}"' for r in RELIABILITIES[min_reliability])
    pattern = re.compile(rf"VALUES\s+{re.escape(query.reliability)}\s*\{{[^}}]*\}}")
    if not pattern.search(query.text):
        raise QueryError(f"saved query {query.name} declares {query.reliability} but has no VALUES block for it")
    return pattern.sub(lambda _m: f"VALUES {query.reliability} {{ {values} }}", query.text)


_LABEL_LANG = re.compile(r'(LANG\(\?(\w+)\)\s*=\s*)"(ja|en)"', re.IGNORECASE)


def in_language(text: str, lang: str) -> str:
    """A saved query's labels in `lang`: each `LANG(?x) = "ja"` or `"en"` filter asks for `lang`, except a
    column that names its language (?labelEn, ?nameJa), which a query keeps beside the other on purpose."""
    def ask(m: re.Match[str]) -> str:
        keep = m.group(2).endswith(("En", "Ja"))
        return m.group(0) if keep else f'{m.group(1)}"{lang}"'
    return _LABEL_LANG.sub(ask, text)


def resolve_query(arg: str, min_reliability: str = "primary", lang: str | None = None) -> tuple[str, str | None]:
    """Query text for a saved query name, a .rq file path, or inline SPARQL; and the saved name if any.

    A saved query that counts cases counts the sources at least as reliable as `min_reliability`; with
    `lang`, its labels are in that language (in_language). Files and inline text run as written."""
    for q in saved_queries():
        if q.name == arg:
            text = with_reliability(q, min_reliability)
            return (in_language(text, lang) if lang else text), q.name
    if "\n" not in arg and len(arg) < 4096 and arg.endswith((".rq", ".sparql")):
        path = Path(arg)
        if not path.is_file():
            raise QueryError(f"query file not found: {arg}")
        data = path.read_bytes()
        try:
            return data.decode("utf-8"), None
        except UnicodeDecodeError as exc:
            from kg.yamlio import line_of  # lines counted as the data files' are

            raise QueryError(f"{arg}:{line_of(data, exc.start)}: not UTF-8 text (byte 0x{data[exc.start]:02x})") \
                from None
    if re.fullmatch(r"[A-Za-z0-9_-]+", arg):
        import difflib

        names = [q.name for q in saved_queries()]
        close = difflib.get_close_matches(arg, names, n=3, cutoff=0.6)
        hint = f"did you mean {', '.join(close)}?" if close else f"saved: {', '.join(names)}"
        raise QueryError(f"no saved query named {arg!r} ({hint})")
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


_UPDATE = re.compile(r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
_PROLOGUE = re.compile(r"\s*((#[^\n]*\n\s*)|(PREFIX\s+[^\s:]*:\s*<[^>]*>\s*)|(BASE\s*<[^>]*>\s*))*", re.IGNORECASE)


def _without_prologue(text: str) -> str:
    """The query after its comments, PREFIX and BASE declarations: where its form (SELECT, INSERT …) begins."""
    match = _PROLOGUE.match(text)
    return text[match.end():] if match else text


def run(store: pyoxigraph.Store, query: str, fmt: str | None = None) -> Result:
    """Run one query on a store, after refusing clauses that reach beyond it (see refuse_outbound); with
    `fmt`, refuse a format the answer's kind has not before reading the answer (check_format).

    A process that runs queries from others should also have called `kg.sandbox.deny_network()`."""
    import pyoxigraph

    text = refuse_outbound(query, (g.value for g in store.named_graphs()))
    try:
        answer = store.query(text, prefixes=PREFIXES)
    except SyntaxError as exc:
        if _UPDATE.match(_without_prologue(text)):
            raise QueryError("SPARQL updates (INSERT, DELETE, LOAD, CLEAR …) are not run: the graph is read-only; "
                             "change the data in data/ and run dxkg build") from None
        raise QueryError(f"SPARQL syntax error: {exc}") from exc
    except (OSError, ValueError, RuntimeError) as exc:
        raise QueryError(f"query failed: {exc}") from exc
    if fmt is not None:
        from kg.results import answer_kind

        check_format(answer_kind(answer), fmt)
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


def check_format(kind: str, fmt: str) -> None:
    """QueryError when an answer of `kind` (select, ask, graph) cannot be written in `fmt`: rows are not
    triples, and a graph written as rows would be another format than the one asked for."""
    if fmt not in RESULT_FORMATS:
        raise QueryError(f"unknown format {fmt!r} (known: {', '.join(RESULT_FORMATS)})")
    if kind == "graph" and fmt in ROW_FORMATS:
        raise QueryError(f"a CONSTRUCT or DESCRIBE query answers with a graph, and {fmt} is a format for rows "
                         "(SELECT, ASK): use --format ttl, nt or jsonld (or table)")
    if kind != "graph" and fmt in GRAPH_FORMATS:
        raise QueryError(f"{fmt} is a format for graphs (CONSTRUCT, DESCRIBE), and this {kind.upper()} query answers "
                         "with rows: use --format table, csv, tsv or json")


def format_result(result: Result, fmt: str, headers: dict[str, str] | None = None) -> str:
    """Render a result as a table (`headers` renames its columns), in the SPARQL 1.1 results formats (csv, tsv,
    json) for SELECT and ASK, or in an RDF syntax (ttl, nt, jsonld) for CONSTRUCT and DESCRIBE, with the
    writers the endpoint uses (kg.results); QueryError for a format the answer's kind has not (check_format)."""
    from kg import results

    check_format(result.kind, fmt)
    if fmt == "table":
        return ("true" if result.boolean else "false") if result.kind == "ask" else _table(result, headers)
    if result.kind == "ask":
        return results.write_boolean(bool(result.boolean), fmt).body.decode("utf-8")
    if result.kind == "graph":
        return results.write_triples(result.raw, GRAPH_FORMATS[fmt]).body.decode("utf-8")
    return results.write_solutions(result.variables, result.rows, fmt).body.decode("utf-8")


def _table(result: Result, headers: dict[str, str] | None = None) -> str:
    from kg.tables import table

    names = [(headers or {}).get(v, v) for v in result.variables]
    return table(names, [[compact(t) for t in row] for row in result.rows])
