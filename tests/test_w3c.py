"""The W3C SPARQL 1.1 Protocol and result-format tests, run over HTTP against `dxkg serve`.

The suites are read from ../shared/w3c-rdf-tests (never copied into the repo). Each suite's data
is loaded into a temporary store, served, and every request of the manifest is sent as written.
The README lists the tests that do not apply to a read-only endpoint that never fetches, and why.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyoxigraph
import pytest
from rdflib import RDF, Graph, Namespace
from rdflib.collection import Collection

from kg.endpoint.server import Endpoint, Settings
from kg.store import MANIFEST
from tests.conftest import REPO

W3C = REPO.parent / "shared" / "w3c-rdf-tests"
NO_W3C = "../shared/w3c-rdf-tests (the W3C test suites) is not beside the checkout"
pytestmark = pytest.mark.skipif(not W3C.is_dir() and not os.environ.get("CI"), reason=NO_W3C)


def test_the_w3c_suites_are_there() -> None:
    """Under CI a missing suite fails here rather than leaving the parametrised tests empty."""
    assert W3C.is_dir(), NO_W3C

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")

# Protocol tests that expect an update to succeed: this endpoint is read-only, so each is run
# expecting the update to be refused with 403 instead (the follow-up ASK, which checks the
# update's effect, is not sent). See the README.
UPDATE_TESTS = {"update_dataset_default_graph", "update_dataset_default_graphs", "update_dataset_named_graphs",
                "update_dataset_full", "update_post_form", "update_post_direct", "update_base_uri"}


def _manifest(suite: str) -> tuple[Graph, list[Any]]:
    graph = Graph().parse(W3C / suite / "manifest.ttl", format="turtle", publicID=(W3C / suite).as_uri() + "/")
    root = next(graph.subjects(RDF.type, MF.Manifest))
    return graph, list(Collection(graph, graph.value(root, MF.entries)))


def _name(test: Any) -> str:
    return str(test).rsplit("#", 1)[-1]


def _serve(store_dir: Path, fill: Any) -> Endpoint:
    store = pyoxigraph.Store(str(store_dir))
    fill(store)
    store.flush()
    del store
    (store_dir / MANIFEST).write_text("{}", encoding="utf-8")  # marks the folder as a complete store
    server = Endpoint(store_dir, "127.0.0.1", 0, Settings(workers=1))
    server.start_in_thread()
    return server


def _request(server: Endpoint, method: str, path: str, body: bytes | None,
             headers: dict[str, str]) -> tuple[int, str, bytes]:
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type") or "", resp.read()
    finally:
        conn.close()


# --- Protocol ------------------------------------------------------------------------------------

def _protocol_tests() -> list[Any]:
    if not W3C.is_dir():
        return []
    return [pytest.param(t, id=_name(t)) for t in _manifest("sparql11-protocol")[1]]


@pytest.fixture(scope="module")
def protocol_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    graph, tests = _manifest("sparql11-protocol")
    data = {str(graph.value(gd, RDFS.label)): Path(urlsplit(str(graph.value(gd, UT.graph))).path)
            for t in tests for gd in graph.objects(t, UT.graphData)}
    # Graphs the requests name without data (data0.rdf): declared empty, since this endpoint
    # refuses a dataset naming a graph it does not hold instead of fetching it.
    paths = [str(o) for o in graph.objects(None, HT.absolutePath)]
    named = {g for p in paths for k in ("default-graph-uri", "named-graph-uri")
             for g in parse_qs(urlsplit(p).query).get(k, [])}

    def fill(store: pyoxigraph.Store) -> None:
        for label, path in data.items():
            store.load(path=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=pyoxigraph.NamedNode(label))
        for label in named - set(data):
            store.add_graph(pyoxigraph.NamedNode(label))

    server = _serve(tmp_path_factory.mktemp("w3c-protocol") / "store", fill)
    yield server
    server.close()


def _boolean(content_type: str, body: bytes) -> bool:
    fmt = pyoxigraph.QueryResultsFormat.XML if "xml" in content_type else pyoxigraph.QueryResultsFormat.JSON
    return bool(pyoxigraph.parse_query_results(body, fmt))


@pytest.mark.parametrize("test", _protocol_tests())
def test_protocol(test: Any, protocol_server: Endpoint) -> None:
    graph, _ = _manifest("sparql11-protocol")
    action = graph.value(test, MF.action)
    update_test = _name(test) in UPDATE_TESTS
    for req in Collection(graph, graph.value(action, HT.requests)):
        path = str(graph.value(req, HT.absolutePath))
        method = str(graph.value(req, HT.methodName))
        chars = graph.value(graph.value(req, HT.body), CNT.chars) if graph.value(req, HT.body) else None
        headers = {}
        if graph.value(req, HT.headers) is not None:
            for h in Collection(graph, graph.value(req, HT.headers)):
                headers[str(graph.value(h, HT.fieldName))] = str(graph.value(h, HT.fieldValue))
        resp = graph.value(req, HT.resp)
        expected = {int(re.search(r"StatusCode(\d)xx", str(s)).group(1))
                    for s in graph.objects(resp, MF.expectedStatus)}
        if update_test:
            expected = {4}
        body = str(chars).encode("utf-8") if chars is not None else None
        status, ctype, payload = _request(protocol_server, method, path, body, headers)
        assert status // 100 in expected, (status, payload[:300])
        if update_test:
            assert status == 403 and b"read-only" in payload
            return
        fmt = graph.value(resp, MF.expectedFormat)
        if fmt is not None and str(fmt) == "boolean":
            assert ctype.startswith("application/sparql-results+")
        elif fmt is not None and str(fmt) == "tabular":
            assert ctype.split(";")[0] in ("application/sparql-results+json", "application/sparql-results+xml",
                                           "text/csv", "text/tab-separated-values")
        elif fmt is not None and str(fmt) == "RDF":
            assert ctype.startswith("text/turtle")
            pyoxigraph.parse(payload, format=pyoxigraph.RdfFormat.TURTLE)
        boolean = graph.value(resp, MF.expectedBoolean)
        if boolean is not None:
            assert _boolean(ctype, payload) is boolean.toPython()


# --- Result formats --------------------------------------------------------------------------------

def _format_tests(suite: str) -> list[Any]:
    if not W3C.is_dir():
        return []
    graph, tests = _manifest(suite)
    out = []
    for t in tests:
        action = graph.value(t, MF.action)
        files = [Path(urlsplit(str(x)).path) for x in
                 (graph.value(action, QT.query), graph.value(action, QT.data), graph.value(t, MF.result))]
        out.append(pytest.param(*files, id=_name(t)))
    return out


@pytest.fixture(scope="module")
def format_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Path, Endpoint]]:
    """One server per data file the result-format tests use."""
    servers: dict[Path, Endpoint] = {}
    data_files = {p.values[1] for suite in ("sparql11-json-res", "sparql11-csv-tsv-res")
                  for p in _format_tests(suite)}
    try:
        for data in sorted(data_files):
            def fill(store: pyoxigraph.Store, data: Path = data) -> None:
                store.load(path=str(data), format=pyoxigraph.RdfFormat.TURTLE, base_iri=data.as_uri())
            servers[data] = _serve(tmp_path_factory.mktemp("w3c-results") / "store", fill)
        yield servers
    finally:
        for server in servers.values():
            server.close()


def _bnodes_out(value: str) -> str:
    return re.sub(r"_:[A-Za-z0-9_.-]+", "_:b", value)


XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "negativeInteger", "positiveInteger",
                             "nonNegativeInteger", "nonPositiveInteger", "long", "int", "short", "byte")}


def _term(term: Any) -> str:
    """A term to compare. Oxigraph stores numbers by value (\"1.0E6\"^^xsd:double comes back as \"1000000\",
    xsd:negativeInteger as xsd:integer), so numeric literals are compared by value (see the README)."""
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.Literal) and term.datatype.value in NUMERIC:
        return f"number {float(term.value)!r}"
    return _bnodes_out(str(term))


def _cell(value: str) -> str:
    try:
        return f"number {float(value)!r}"
    except ValueError:
        return _bnodes_out(value)


def _solutions(body: bytes, fmt: pyoxigraph.QueryResultsFormat) -> Any:
    """A result set as a comparable value: a boolean, or (variables, multiset of rows); blank node labels dropped."""
    parsed = pyoxigraph.parse_query_results(body, fmt)
    if isinstance(parsed, pyoxigraph.QueryBoolean):
        return bool(parsed)
    variables = sorted(v.value for v in parsed.variables)
    rows = Counter(tuple(_term(s[v]) for v in variables) for s in parsed)
    return variables, rows


def _csv_rows(body: bytes) -> tuple[list[str], Counter]:
    table = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    header = table[0]
    order = sorted(range(len(header)), key=lambda i: header[i])
    return sorted(header), Counter(tuple(_cell(row[i]) for i in order) for row in table[1:])


def _run(servers: dict[Path, Endpoint], query: Path, data: Path, accept: str) -> tuple[int, str, bytes]:
    return _request(servers[data], "POST", "/sparql", query.read_bytes(),
                    {"Content-Type": "application/sparql-query", "Accept": accept})


@pytest.mark.parametrize(("query", "data", "result"), _format_tests("sparql11-json-res"))
def test_json_results(query: Path, data: Path, result: Path, format_servers: dict[Path, Endpoint]) -> None:
    status, ctype, body = _run(format_servers, query, data, "application/sparql-results+json")
    assert status == 200 and ctype == "application/sparql-results+json"
    json.loads(body)
    fmt = pyoxigraph.QueryResultsFormat.JSON
    assert _solutions(body, fmt) == _solutions(result.read_bytes(), fmt)


@pytest.mark.parametrize(("query", "data", "result"), _format_tests("sparql11-csv-tsv-res"))
def test_csv_tsv_results(query: Path, data: Path, result: Path, format_servers: dict[Path, Endpoint]) -> None:
    if result.suffix == ".csv":
        status, ctype, body = _run(format_servers, query, data, "text/csv")
        assert status == 200 and ctype.startswith("text/csv")
        assert _csv_rows(body) == _csv_rows(result.read_bytes())
    else:
        status, ctype, body = _run(format_servers, query, data, "text/tab-separated-values")
        assert status == 200 and ctype.startswith("text/tab-separated-values")
        fmt = pyoxigraph.QueryResultsFormat.TSV
        assert _solutions(body, fmt) == _solutions(result.read_bytes(), fmt)
