"""From `data/` to a validated graph on disk: check, build, SHACL, serialise deterministically."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from kg import model as m
from kg.checks import check_quotes, check_references, check_unique
from kg.load import DataInvalid, Problem, parse_data
from kg.paths import GRAPH_FILES
from kg.rdf import PREFIXES, data_graph, ontology_path, shapes_path
from kg.yamlio import Loc

FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}


@dataclass
class CheckResult:
    """What checking a data folder found."""

    dataset: m.Dataset
    problems: list[Problem] = field(default_factory=list)
    quotes_checked: bool = False
    graph: Graph | None = None
    ntriples: bytes | None = None  # the sorted N-Triples, when the SPARQL validator already made them

    @property
    def ok(self) -> bool:
        return not self.problems


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
    graph = full_graph(ds)
    if shacl:
        engine = shacl_engine_for(len(graph), shacl_engine)
        say(f"validating with SHACL ({engine}, {len(graph)} triples)")
        if engine == "pyshacl":
            result.problems += shacl_problems(graph)
        else:
            result.ntriples = serialize(graph, "nt")
            result.problems += sparql_shacl_problems(result.ntriples)
    result.graph = graph
    return result


def full_graph(ds: m.Dataset) -> Graph:
    """The instance graph together with the ontology, as researchers query it."""
    graph = data_graph(ds)
    graph.parse(ontology_path(), format="turtle")
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True)
    return graph


def shacl_problems(graph: Graph) -> list[Problem]:
    """SHACL violations of the graph, one Problem each (located by focus node)."""
    from pyshacl import validate  # heavy import, only when validating

    shapes = Graph().parse(shapes_path(), format="turtle")
    conforms, report, _ = validate(graph, shacl_graph=shapes, inference="none", advanced=True)
    if conforms:
        return []
    q = """
    PREFIX sh: <http://www.w3.org/ns/shacl#>
    SELECT ?focus ?path ?msg ?value WHERE {
      ?r a sh:ValidationResult ; sh:focusNode ?focus .
      OPTIONAL { ?r sh:resultPath ?path } OPTIONAL { ?r sh:resultMessage ?msg } OPTIONAL { ?r sh:value ?value }
    } ORDER BY ?focus ?path ?msg"""
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


def sparql_shacl_problems(ntriples: bytes) -> list[Problem]:
    """SHACL violations found by the shapes compiled to SPARQL and run on Oxigraph (kg.shaclsparql)."""
    from kg.shaclsparql import validate

    shapes = Graph().parse(shapes_path(), format="turtle")
    out = []
    for v in validate(ntriples, shapes):
        path = f" {v.path}" if v.path else ""
        value = f" ({v.value})" if v.value else ""
        out.append(Problem(Loc("shacl", 0, f"<{v.focus}>{path}"), f"{v.message}{value}"))
    return out


def serialize(graph: Graph, fmt: str) -> bytes:
    """The graph in `fmt` (ttl, nt, jsonld), byte-identical for the same graph."""
    if fmt == "nt":
        lines = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
        return ("\n".join(sorted(line for line in lines if line.strip())) + "\n").encode("utf-8")
    if fmt == "ttl":
        return graph.serialize(format="turtle", encoding="utf-8")
    if fmt == "jsonld":
        context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
        doc = json.loads(graph.serialize(format="json-ld", context=context, auto_compact=True))
        return (json.dumps(_canonical(doc), ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
    raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")


def _canonical(value: object) -> object:
    """JSON-LD with every unordered array sorted, so the output does not depend on hash order."""
    if isinstance(value, dict):
        return {k: (v if k == "@list" else _canonical(v)) for k, v in value.items()}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return value


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs are ordinary files others may read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class BuildResult:
    files: dict[str, Path]
    triples: int
    quotes_checked: bool
    dataset: m.Dataset


def build(data_dir: Path, out_dir: Path, sources_dir: Path | None = None,
          progress: Callable[[str], None] | None = None, shacl_engine: str = "auto") -> BuildResult:
    """Check the data and write the graph in every format; raise DataInvalid and write nothing on problems."""
    result = check(data_dir, sources_dir, progress=progress, shacl_engine=shacl_engine)
    if result.problems or result.graph is None:
        raise DataInvalid(result.problems)
    say = progress or (lambda _msg: None)
    # Serialise everything before writing anything, so a failure leaves the old build whole.
    payloads = {}
    for fmt in FORMATS:
        say(f"serialising {GRAPH_FILES[fmt]}")
        payloads[fmt] = result.ntriples if fmt == "nt" and result.ntriples else serialize(result.graph, fmt)
    files = {}
    for fmt, data in payloads.items():
        files[fmt] = out_dir / GRAPH_FILES[fmt]
        write_atomic(files[fmt], data)
    from kg.store import ensure_store  # queries answer from the persistent store, rebuilt only on change

    ensure_store(out_dir, progress=say)
    return BuildResult(files, len(result.graph), result.quotes_checked, result.dataset)
