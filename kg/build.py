"""From `data/` to a validated graph on disk: check, build, SHACL, serialise deterministically."""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from rdflib import Graph

from kg.load import DataInvalid, Problem
from kg.namespace import GRAPH_PREFIXES, SH_NS
from kg.paths import GRAPH_FILES, ontology_file, shapes_file
from kg.rdf import sorted_ntriples
from kg.yamlio import Loc

if TYPE_CHECKING:
    from kg.analysis.cache import AnalysisCache
    from kg.analysis.cache import Update as AnalysisUpdate
    from kg.filecache import FileCache
    from kg.fragments import Assembled, Fragment
    from kg.incremental import Counts, Folder
    from kg.store import Delta, Generation, StoreInfo

FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}
P = ParamSpec("P")
R = TypeVar("R")


def gc_paused(fn: Callable[P, R]) -> Callable[P, R]:
    """Run `fn` with Python's cyclic garbage collector paused (and restored after, whatever happens).

    A build allocates millions of objects that live until it ends (records, triples, analysis rows), and
    the collector traversed them again and again: a fifth of a rebuild at 1,741 municipalities, for
    nothing, since a whole build leaves only a few thousand objects in cycles (reference counting frees
    the rest as it goes; they are collected once it ends).
    """
    @functools.wraps(fn)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        was = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was:
                gc.enable()
    return paused


@dataclass
class CheckResult:
    """What checking a data folder found."""

    problems: list[Problem] = field(default_factory=list)
    quotes_checked: bool = False
    ntriples: bytes | None = None  # the whole graph (instances + ontology) as sorted N-Triples, once built
    triples: int = 0
    store: Any = None  # the in-memory Oxigraph store the SPARQL SHACL engine validated, when it ran
    counts: Counts = field(default_factory=lambda: _counts())

    @property
    def ok(self) -> bool:
        return not self.problems

    @cached_property
    def graph(self) -> Graph | None:
        """The graph as an rdflib Graph, parsed on demand (fine for small data, slow at national scale)."""
        return None if self.ntriples is None else rdflib_graph(self.ntriples)


@gc_paused
def check(data_dir: Path, sources_dir: Path | None = None, shacl: bool = True,
          progress: Callable[[str], None] | None = None, shacl_engine: str = "auto",
          build_dir: Path | None = None) -> CheckResult:
    """Run every check on a data folder; build the graph when the data allows it.

    The graph is made as `build` makes it, file by file; with `build_dir`, the files whose content a build
    there has already read and turned into triples are taken from its cache, which is only read: a check
    writes nothing anywhere.
    """
    from kg.filecache import FileCache
    from kg.fragments import assemble

    say = progress or (lambda _msg: None)
    cache = FileCache(build_dir) if build_dir is not None and FileCache(build_dir).root.is_dir() else None
    folder, problems = _read_and_check(data_dir, sources_dir, cache, say,
                                       f" (unchanged files from the cache of {build_dir})" if cache else "")
    result = CheckResult(problems, quotes_checked=sources_dir is not None, counts=folder.counts)
    if result.problems:
        return result
    say("building the graph")
    nt_only = ("nt",)
    out = assemble(_graph_parts(folder, say, write=False, formats=nt_only), nt_only)
    result.ntriples, result.triples = out.files["nt"], out.triples
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


def _read_and_check(data_dir: Path, sources_dir: Path | None, cache: FileCache | None,
                    say: Callable[[str], None], reading_note: str = "") -> tuple[Folder, list[Problem]]:
    """What build and check both do first: read each file (from `cache` where its content is known), then
    the checks across files and, with `sources_dir`, the quotes."""
    from kg.incremental import cross_checks, file_problems, quote_checks, read_folder

    say(f"reading {data_dir}{reading_note}")
    folder = read_folder(data_dir, cache)
    problems = file_problems(folder)
    say("checking ids and references")
    problems += cross_checks(folder)
    if sources_dir is not None:
        say(f"checking quotes against {sources_dir}")
        problems += quote_checks(folder, sources_dir)
    return folder, problems


def _graph_parts(folder: Folder, say: Callable[[str], None], *, write: bool,
                 formats: Sequence[str] | None = None) -> list[Fragment]:
    """The graph's fragments (in `formats`, else every one): the schemes' and the ontology's triples, then
    each file's (kg.incremental)."""
    from kg.fragments import FORMATS as ALL
    from kg.fragments import make
    from kg.incremental import fragments, used
    from kg.rdf import scheme_lines

    return [make(scheme_lines(used(folder)) | ontology_lines(), formats or ALL),
            *fragments(folder, say, write=write, formats=formats or ALL)]


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


def sparql_shacl_problems(store: Any, focus: set[str] | None = None, workers: int | None = None) -> list[Problem]:
    """SHACL violations of a loaded pyoxigraph Store, found by the shapes compiled to SPARQL (kg.shaclsparql);
    with `focus`, of those focus nodes only; on `workers` threads (kg.shaclsparql.run)."""
    from kg.shaclsparql import validate_store

    shapes = Graph().parse(shapes_file(), format="turtle")
    out = []
    for v in validate_store(store, shapes, workers=workers, focus=focus):
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


def _counts() -> Counts:
    from kg.incremental import Counts

    return Counts()


def shacl_record(engine: str) -> dict[str, str]:
    """What a generation's SHACL verdict was reached with: the engine, and a digest of the shapes and of the
    compiler (a change to either may change a verdict, so the next build validates everything again)."""
    import hashlib

    from kg import shaclsparql

    digest = hashlib.sha256(shapes_file().read_bytes())
    digest.update(Path(shaclsparql.__file__).read_bytes())
    return {"engine": engine, "shapes": digest.hexdigest()}


@dataclass
class BuildResult:
    files: dict[str, Path]
    triples: int
    quotes_checked: bool
    counts: Counts
    store: StoreInfo | None = None


@gc_paused
def build(data_dir: Path, out_dir: Path, sources_dir: Path | None = None,
          progress: Callable[[str], None] | None = None, shacl_engine: str = "auto") -> BuildResult:
    """Check the data and publish the graph in every format with its store (kg.store.publish).

    Each data file is read, checked and turned into triples once per content (kg.incremental, cached in
    the build folder by kg.filecache); the outputs are assembled from the files' fragments
    (kg.fragments), the same bytes as from scratch. When the previous generation conformed to the same
    shapes and little changed, SHACL runs on the updated store for the focus nodes the change can affect
    (kg.shaclsparql.affected_nodes). On problems raise DataInvalid and switch to nothing: the previous
    build stays whole and in use.
    """
    from kg.analysis.cache import AnalysisCache, begin_early, updatable
    from kg.filecache import FileCache
    from kg.store import current, locked

    say = progress or (lambda _msg: None)
    # The previous analysis rows are read by a second process while this one reads the data (a core would
    # wait otherwise): an edit's update of them then begins from rows already read.
    was = current(out_dir)
    early = begin_early(was)
    try:
        # Reading and checking only read the cache (its files are written whole): bad data writes nothing at all.
        cache = FileCache(out_dir)
        folder, problems = _read_and_check(data_dir, sources_dir, cache, say)
        if problems:
            raise DataInvalid(problems)
        counts = folder.counts
        with locked(out_dir):
            cache.clean()
            say("building the graph")
            frags = _graph_parts(folder, say, write=True)  # each new fragment written into the cache as it is made
            folder.save()  # then each file's entry, once, with the fragment it gave
            previous = current(out_dir)
            disjoint = _disjoint(frags)  # known before assembling, which the analysis child does not wait for
            change = _fragment_change(cache, previous.manifest if previous else None, frags, disjoint)
            update = change.analysis_update() if change is not None and updatable(previous) else None
            # lends its terms (tokenise what changed) and, with an update, its rows, made by a second process
            # from now on while this one writes the graph (nothing reads the new store for it)
            same = early is not None and previous is not None and was is not None and previous.path == was.path
            analysis = AnalysisCache(previous, say, update, early if same else None)
            analysis.start()
            try:
                info, out = _publish_parts(out_dir, frags, previous, change, analysis, shacl_engine, say)
            finally:
                analysis.close()
            cache.put_state(str(info.generation.manifest["sha256"]), [f.digest for f in frags], disjoint,
                            change.open_parts(frags) if change is not None else _open_parts(frags))
            cache.prune({r.key for r in folder.files}, {f.digest for f in frags}, folder.quote_keys)
    finally:
        if early is not None:
            early.close()
    files = {fmt: out_dir / GRAPH_FILES[fmt] for fmt in FORMATS}
    return BuildResult(files, out.triples, sources_dir is not None, counts, info)


def _publish_parts(out_dir: Path, frags: list[Fragment], previous: Generation | None, change: Change | None,
                   analysis: AnalysisCache, shacl_engine: str,
                   say: Callable[[str], None]) -> tuple[StoreInfo, Assembled]:
    """Assemble the outputs, validate them (on the nodes a small change can affect), publish them."""
    from concurrent.futures import ThreadPoolExecutor

    from kg.fragments import Assembled, Assembly
    from kg.store import INCREMENTAL_MAX_CHANGE, begin, publish, sha256

    say("serialising dxkg.nt")
    made = Assembly(frags)
    files = {"nt": made.document("nt")}
    out = Assembled(files, files["nt"].count(b"\n"))

    engine = shacl_engine_for(out.triples, shacl_engine)
    record = {"shacl": shacl_record(engine)}
    delta = change.delta if change is not None else None
    small = delta is not None and \
        len(delta.added) + len(delta.removed) <= INCREMENTAL_MAX_CHANGE * max(1, out.triples)
    same_graph = None
    check_store = None
    with contextlib.ExitStack() as cleanup:
        if engine == "sparql" and small and previous is not None and \
                previous.manifest.get("shacl") == record["shacl"]:
            begun = None
            if analysis.update is None:  # the analysis files are made from the whole graph
                from kg.shaclsparql import load_store

                # The analysis files are then written from the whole graph, 3-4 times faster from memory.
                same_graph = load_store(files["nt"])
                analysis.start(same_graph)

            def check_store(store: Any, applied: Any) -> None:
                from kg.shaclsparql import affected_nodes

                focus = affected_nodes(applied.ntriples(), store) if applied is not None else None
                what = "every focus node" if focus is None else f"{len(focus)} focus nodes the change can affect"
                say(f"validating with SHACL ({engine}, {out.triples} triples; {what})")
                found = sparql_shacl_problems(store, focus) if focus is None or focus else []
                if found:
                    raise DataInvalid(found)
        else:
            # With no store to reuse or update (a first build), a second process bulk-loads it from now on
            # while the graph is validated here (kg.store.begin; None otherwise, and publish makes the store).
            begun = begin(out_dir, files["nt"], say)
            if begun is not None:
                cleanup.callback(begun.close)  # whatever happens: stopped, and its folder gone unless published
            say(f"validating with SHACL ({engine}, {out.triples} triples)")
            if engine == "pyshacl":
                problems = shacl_problems(rdflib_graph(files["nt"]))
            else:
                from kg.shaclsparql import load_store

                same_graph = load_store(files["nt"])
                analysis.start(same_graph)  # the analysis files, by a second process, while SHACL runs here
                # One thread: the store's and the analysis' processes already keep both cores busy, and two
                # threads on one in-memory store cost 40% more CPU for the same queries (contention).
                problems = sparql_shacl_problems(same_graph, workers=1 if begun is not None else None)
            if problems:
                raise DataInvalid(problems)
        # The N-Triples' digest, which publish needs, hashed by a thread (hashlib releases the GIL) while Turtle and
        # JSON-LD are assembled; begun only now, when no process is forked any more (kg.parallel forks only while
        # a process runs one thread). A generation begun early has it already.
        nt_digest = None
        if begun is None:
            hashing = ThreadPoolExecutor(1)
            cleanup.callback(hashing.shutdown)
            nt_digest = hashing.submit(sha256, files["nt"]).result
        # Turtle and JSON-LD, which only publish needs, once the store and the analysis have begun (the analysis
        # process is the last to finish a build from scratch: what comes before its start delays it).
        files.update((fmt, made.document(fmt)) for fmt in ("ttl", "jsonld"))
        info = publish(out_dir, files, extras=[analysis], same_graph=same_graph, progress=say,
                       delta=delta, check=check_store, record=record, lock=False, begun=begun,
                       nt_sha256=nt_digest)
    return info, out


def _disjoint(frags: Sequence[Fragment]) -> bool:
    """Whether no subject is in two fragments."""
    return len({s for f in frags for s in f.subjects}) == sum(len(f.subjects) for f in frags)


def _open_parts(frags: Sequence[Fragment]) -> list[str]:
    """The digests of the fragments with a link the analysis follows out of them (Fragment.closed)."""
    return sorted({f.digest for f in frags if not f.closed})


@dataclass
class Change:
    """The current generation's graph to the new one, by fragments (which share no subject)."""

    delta: Delta
    came: list[Fragment]
    gone: list[Fragment]
    was_open: list[str]  # the current generation's fragments with links out of them (_open_parts)

    @cached_property
    def came_open(self) -> list[str]:
        """The new fragments with links out of them (checked once: the update and the next state ask)."""
        return _open_parts(self.came)

    def open_parts(self, frags: Sequence[Fragment]) -> list[str]:
        """The new graph's open fragments, from the current ones' and the new ones'."""
        there = {f.digest for f in frags}
        return sorted({d for d in self.was_open if d in there} | set(self.came_open))

    def analysis_update(self) -> AnalysisUpdate | None:
        """The change as the analysis cache takes it, when it is exact: every fragment's links closed."""
        from kg.analysis.cache import Update

        gone = {f.digest for f in self.gone}
        if any(d not in gone for d in self.was_open) or self.came_open:
            return None
        return Update(frozenset(s[1:-1] for f in self.gone for s in f.subjects),
                      b"".join(f.data["nt"] for f in self.came))


def _fragment_change(cache: FileCache, manifest: dict[str, Any] | None, frags: list[Fragment],
                     disjoint: bool) -> Change | None:
    """The change from the current generation's graph, from the fragments that left and came: exact when no
    subject is in two fragments (then each triple is in one fragment); None when that is not known."""
    from collections import Counter

    from kg.store import Delta

    state = cache.state()
    if manifest is None or state is None or state.get("nt") != manifest.get("sha256") or \
            not state.get("disjoint") or not disjoint or not isinstance(state.get("open"), list):
        return None
    new = {f.digest: f for f in frags}
    gone = Counter(str(d) for d in state["fragments"]) - Counter(f.digest for f in frags)
    came = Counter(f.digest for f in frags) - Counter(str(d) for d in state["fragments"])
    removed: set[bytes] = set()
    old_frags = []
    for digest in gone:
        old = cache.fragment(digest)
        if old is None:
            return None
        old_frags.append(old)
        removed.update(old.lines())
    added: set[bytes] = set()
    for digest in came:
        added.update(new[digest].lines())
    return Change(Delta(str(state["nt"]), added - removed, removed - added), [new[d] for d in came], old_frags,
                  [str(d) for d in state["open"]])
