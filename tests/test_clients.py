"""Standard SPARQL clients against `dxkg serve` on the real graph: every saved query, as a researcher's own
tool would send it, gives the rows `dxkg query` prints. Jena's `rsparql` parses a query before sending
it, so it also proves the saved queries are portable (they declare their own prefixes)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from bench import jena
from kg.cli import cli
from kg.endpoint.server import Endpoint, Settings
from kg.query import saved_queries
from kg.store import store_path

QUERIES = saved_queries()
Rows = list[tuple[str | None, ...]]


def _sorted(rows: Rows) -> Rows:
    return sorted(rows, key=lambda r: tuple("" if v is None else v for v in r))


@pytest.fixture(scope="module")
def real_server(real_build) -> Iterator[Endpoint]:
    endpoint = Endpoint(store_path(real_build[0]), "127.0.0.1", 0, Settings(timeout=30, max_rows=100_000))
    endpoint.start_in_thread()
    yield endpoint
    endpoint.close()


@pytest.fixture(scope="module")
def expected(real_build) -> dict[str, tuple[list[str], Rows]]:
    """Each saved query's variables and rows (values only) as `dxkg query --format json` prints them."""
    out = {}
    for q in QUERIES:
        result = CliRunner().invoke(cli, ["query", q.name, "--build-dir", str(real_build[0]), "-f", "json"])
        assert result.exit_code == 0, result.output
        doc = json.loads(result.stdout)
        variables = doc["head"]["vars"]
        rows = [tuple(b[v]["value"] if v in b else None for v in variables) for b in doc["results"]["bindings"]]
        out[q.name] = (variables, _sorted(rows))
    assert sum(len(rows) for _, rows in out.values()) > 100  # real answers, not empty ones, are compared
    return out


def test_saved_queries_declare_their_prefixes() -> None:
    store = pyoxigraph.Store()
    for q in QUERIES:
        store.query(q.text)  # no predefined prefixes: a SyntaxError here means an undeclared one


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_rdflib_sparqlstore(query, real_server: Endpoint, expected) -> None:
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(store=SPARQLStore(f"{real_server.url}sparql", returnFormat="json"))
    answer = graph.query(query.text)
    variables, rows = expected[query.name]
    assert [str(v) for v in answer.vars] == variables
    got = [tuple(None if t is None else str(t) for t in row) for row in answer]
    assert _sorted(got) == rows


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_sparqlwrapper(query, real_server: Endpoint, expected) -> None:
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    client = SPARQLWrapper(f"{real_server.url}sparql")
    client.setQuery(query.text)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    doc = client.query().convert()
    variables, rows = expected[query.name]
    assert doc["head"]["vars"] == variables
    got = [tuple(b[v]["value"] if v in b else None for v in variables) for b in doc["results"]["bindings"]]
    assert _sorted(got) == rows


@pytest.fixture(scope="module")
def jena_classpath(tmp_path_factory: pytest.TempPathFactory) -> str:
    if not jena.installed():
        message = "Apache Jena is not installed (Debian libapache-jena-java; `make test` installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return jena.classpath(tmp_path_factory.mktemp("jena"))


def test_jena_rsparql_runs_every_saved_query(real_server: Endpoint, expected, jena_classpath: str,
                                             tmp_path: Path) -> None:
    for query in QUERIES:
        path = tmp_path / f"{query.name}.rq"
        path.write_text(query.text, encoding="utf-8")
        done = subprocess.run(["java", "-cp", jena_classpath, "arq.rsparql", "--service", f"{real_server.url}sparql",
                               "--query", str(path), "--results", "json"],
                              capture_output=True, timeout=120, check=False)
        assert done.returncode == 0, (query.name, done.stderr.decode(errors="replace")[-2000:])
        answer = pyoxigraph.parse_query_results(done.stdout, format=pyoxigraph.QueryResultsFormat.JSON)
        variables, rows = expected[query.name]
        assert [v.value for v in answer.variables] == variables, query.name
        got = [tuple(None if s[v] is None else s[v].value for v in variables) for s in answer]
        assert _sorted(got) == rows, query.name
