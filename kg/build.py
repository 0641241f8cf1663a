"""From `data/` to a validated graph on disk: check, build, SHACL, serialise deterministically."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph

from kg import model as m
from kg.checks import check_quotes, check_references, check_unique
from kg.load import DataInvalid, Problem, parse_data
from kg.namespace import GRAPH_PREFIXES, SH_NS
from kg.paths import GRAPH_FILES, ontology_file, shapes_file
from kg.rdf import data_lines, sorted_ntriples
from kg.yamlio import Loc

if TYPE_CHECKING:
    from kg.store import StoreInfo

FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}


@dataclass
class CheckResult:
    """What checking a data folder found."""

    dataset: m.Dataset
    problems: list[Problem] = field(default_factory=list)
    quotes_checked: bool = False
    ntriples: bytes | None = None  # the whole graph (instances + ontology) as sorted N-Triples, once built
    triples: int = 0
    store: Any = None  # the in-memory Oxigraph store the SPARQL SHACL engine validated, when it ran

    @property
    def ok(self) -> bool:
        return not self.problems

    @cached_property
    def graph(self) -> Graph | None:
        """The graph as an rdflib Graph, parsed on demand (fine for small data, slow at national scale)."""
        return None if self.ntriples is None else rdflib_graph(self.ntriples)


def check(data_dir: Path, sources_dir: Path | None = None, shacl: bool = True,
          progress: Callable[[str], None] | None = None, shacl_engine: str = "auto") -> CheckResult:
    """Run every check on a data folder; build the graph when the data allows it."""
    say = progress or (lambda _msg: None)
    say(f"reading {data_dir}")
    ds, problems = parse_data(data_dir)
    result = CheckResult(ds, problems)
    say("checking ids and references")
    result.problems += check_unique(ds) + check_references(ds)
    if sources_dir is not None:
        say(f"checking quotes against {sources_dir}")
        result.problems += check_quotes(ds, sources_dir)
        result.quotes_checked = True
    if result.problems:
        return result
    say("building the graph")
    result.ntriples, result.triples = graph_ntriples(ds)
    if shacl:
        engine = shacl_engine_for(result.triples, shacl_engine)
        say(f"validating with SHACL ({engine}, {result.triples} triples)")
        if engine == "pyshacl":
            result.problems += shacl_problems(result.graph)  # type: ignore[arg-type]
        else:
            from kg.shaclsparql import load_store

            result.store = load_store(result.ntriples)
            result.problems += sparql_shacl_problems(result.store)
    return result


def graph_ntriples(ds: m.Dataset) -> tuple[bytes, int]:
    """The instance graph together with the ontology, as researchers query it: sorted N-Triples and its size."""
    lines = data_lines(ds) | ontology_lines()
    return sorted_ntriples(lines), len(lines)


def ontology_lines() -> set[str]:
    """ontology/dxkg.ttl as N-Triples lines."""
    import pyoxigraph

    nt = pyoxigraph.serialize(pyoxigraph.parse(path=str(ontology_file()), format=pyoxigraph.RdfFormat.TURTLE),
                              format=pyoxigraph.RdfFormat.N_TRIPLES)
    lines = {line for line in (nt or b"").decode("utf-8").split("\n") if line}
    if any(line.startswith("_:") or " _:" in line for line in lines):
        raise ValueError(f"{ontology_file()}: blank nodes get a new label on every parse; name them with IRIs")
    return lines


def rdflib_graph(ntriples: bytes) -> Graph:
    """Sorted N-Triples as an rdflib Graph with our prefixes bound."""
    graph = Graph()
    for prefix, ns in GRAPH_PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph.parse(data=ntriples, format="nt")


def shacl_problems(graph: Graph) -> list[Problem]:
    """SHACL violations of the graph, one Problem each (located by focus node)."""
    from pyshacl import validate  # heavy import, only when validating

    shapes = Graph().parse(shapes_file(), format="turtle")
    conforms, report, _ = validate(graph, shacl_graph=shapes, inference="none", advanced=True)
    if conforms:
        return []
    q = f"""
    PREFIX sh: <{SH_NS}>
    SELECT ?focus ?path ?msg ?value WHERE {{
      ?r a sh:ValidationResult ; sh:focusNode ?focus .
      OPTIONAL {{ ?r sh:resultPath ?path }} OPTIONAL {{ ?r sh:resultMessage ?msg }} OPTIONAL {{ ?r sh:value ?value }}
    }} ORDER BY ?focus ?path ?msg"""
    out = []
    for row in report.query(q):
        path = row.path.n3(graph.namespace_manager) if row.path is not None else ""
        value = f" (value {row.value})" if row.value is not None else ""
        out.append(Problem(Loc("shacl", 0, f"<{row.focus}> {path}".strip()), f"{row.msg}{value}"))
    return out


SHACL_ENGINES = ("auto", "pyshacl", "sparql")
PYSHACL_MAX_TRIPLES = 50_000  # pyshacl took ~60 s at 174 k triples; the compiled SPARQL checks take ~5 s


def shacl_engine_for(triples: int, engine: str = "auto") -> str:
    """The SHACL engine to use: pyshacl for small graphs (the reference), compiled SPARQL for large ones."""
    if engine not in SHACL_ENGINES:
        raise ValueError(f"unknown SHACL engine {engine!r} (known: {', '.join(SHACL_ENGINES)})")
    if engine == "auto":
        return "pyshacl" if triples <= PYSHACL_MAX_TRIPLES else "sparql"
    return engine


def sparql_shacl_problems(store: Any) -> list[Problem]:
    """SHACL violations of a loaded pyoxigraph Store, found by the shapes compiled to SPARQL (kg.shaclsparql)."""
    from kg.shaclsparql import validate_store

    shapes = Graph().parse(shapes_file(), format="turtle")
    out = []
    for v in validate_store(store, shapes):
        path = f" {v.path}" if v.path else ""
        value = f" ({v.value})" if v.value else ""
        out.append(Problem(Loc("shacl", 0, f"<{v.focus}>{path}"), f"{v.message}{value}"))
    return out


def serialize(graph: Graph | bytes, fmt: str) -> bytes:
    """The graph (an rdflib Graph, or N-Triples) in `fmt` (ttl, nt, jsonld), byte-identical for the same graph."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    if isinstance(graph, Graph):
        graph = sorted_ntriples(graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines())
    if fmt == "nt":
        return graph
    from kg import writers

    if fmt == "ttl":  # instance IRIs stay whole: `dxid:municipality\/013439` is legal Turtle but hard to read
        return writers.turtle(graph, {p: ns for p, ns in GRAPH_PREFIXES.items() if p != "dxid"})
    return writers.jsonld(graph, GRAPH_PREFIXES)


@dataclass
class BuildResult:
    files: dict[str, Path]
    triples: int
    quotes_checked: bool
    dataset: m.Dataset
    store: StoreInfo | None = None


def build(data_dir: Path, out_dir: Path, sources_dir: Path | None = None,
          progress: Callable[[str], None] | None = None, shacl_engine: str = "auto") -> BuildResult:
    """Check the data and publish the graph in every format with its store (kg.store.publish).

    On problems raise DataInvalid and write nothing: the previous build stays whole and in use.
    """
    from kg.analysis.cache import AnalysisCache
    from kg.store import publish

    result = check(data_dir, sources_dir, progress=progress, shacl_engine=shacl_engine)
    if result.problems or result.ntriples is None:
        raise DataInvalid(result.problems)
    say = progress or (lambda _msg: None)
    payloads = {}
    for fmt in FORMATS:
        say(f"serialising {GRAPH_FILES[fmt]}")
        payloads[fmt] = serialize(result.ntriples, fmt)
    info = publish(out_dir, payloads, extras=[AnalysisCache()], same_graph=result.store, progress=say)
    files = {fmt: out_dir / GRAPH_FILES[fmt] for fmt in FORMATS}
    return BuildResult(files, result.triples, result.quotes_checked, result.dataset, info)
