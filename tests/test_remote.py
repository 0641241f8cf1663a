"""`dxkg push` and `dxkg query --endpoint` against a small Graph Store server on loopback.

The server keeps its graphs in a real Oxigraph store, asks for Basic credentials on writes, and can be told to
lose triples or to flag its answers the way Virtuoso flags a cut-short result.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from kg import remote
from kg.build import BuildResult
from kg.cli import cli
from kg.query import saved_queries

USER, PASSWORD = "loader", "s3cret-パス"
GRAPH = "https://w3id.org/dxkg/graph"
ENV = {"DXKG_USER": USER, "DXKG_PASSWORD": PASSWORD, "DXKG_AUTH": None}
FORMATS = {"application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES, "text/turtle": pyoxigraph.RdfFormat.TURTLE}


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *_args: object) -> None:  # keep pytest's output clean
        pass

    def _reply(self, code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _authorised(self) -> bool:
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if self.headers.get("Authorization") == f"Basic {token}":
            return True
        self._reply(401, b"who are you?", {"WWW-Authenticate": 'Basic realm="store"'})
        return False

    def do_HEAD(self) -> None:
        if self._authorised():
            self._reply(200)

    def do_PUT(self) -> None:
        self._write(replace=True)

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/sparql":
            self._query(self.rfile.read(int(self.headers["Content-Length"])))
        else:
            self._write(replace=False)

    def _write(self, replace: bool) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if not self._authorised():
            return
        graph = pyoxigraph.NamedNode(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)["graph"][0])
        store = self.server.store
        if replace:
            store.clear_graph(graph)
        triples = list(pyoxigraph.parse(body, format=FORMATS[self.headers["Content-Type"].split(";")[0]]))
        for t in triples[: len(triples) - self.server.lose]:
            store.add(pyoxigraph.Quad(t.subject, t.predicate, t.object, graph))
        self.server.writes.append(self.command)
        self._reply(201 if replace else 204)

    def _query(self, form: bytes) -> None:
        fields = urllib.parse.parse_qs(form.decode("utf-8"))
        options = {"use_default_graph_as_union": True}
        if "default-graph-uri" in fields:
            options = {"default_graph": pyoxigraph.NamedNode(fields["default-graph-uri"][0])}
        answer = self.server.store.query(fields["query"][0], **options)
        if isinstance(answer, pyoxigraph.QueryTriples):
            self._reply(200, pyoxigraph.serialize(answer, format=pyoxigraph.RdfFormat.N_TRIPLES),
                        {"Content-Type": "application/n-triples"})
            return
        body = answer.serialize(format=pyoxigraph.QueryResultsFormat.JSON)
        self._reply(200, body, {"Content-Type": "application/sparql-results+json", **self.server.flags})


class _Server(http.server.ThreadingHTTPServer):
    store: pyoxigraph.Store
    writes: list[str]
    lose: int
    flags: dict[str, str]


@contextlib.contextmanager
def graph_store(lose: int = 0, flags: dict[str, str] | None = None) -> Iterator[_Server]:
    """A Graph Store server on a free loopback port, stopped on exit."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.store, server.writes, server.lose, server.flags = pyoxigraph.Store(), [], lose, flags or {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _url(server: _Server, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def _push(server: _Server, build_dir: Path, *args: str, env: dict[str, str | None] = ENV):
    return CliRunner().invoke(cli, ["push", "--endpoint", _url(server, "/data"), "--graph", GRAPH,
                                    "--build-dir", str(build_dir), *args], env=env)


def _distinct_triples(build_dir: Path) -> int:
    return len(set((build_dir / "dxkg.nt").read_text(encoding="utf-8").splitlines()))


def _in_graph(server: _Server) -> int:
    return len(list(server.store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(GRAPH))))


def test_push_sends_the_graph_and_counts_it_back(fixture_build: tuple[Path, BuildResult]) -> None:
    build_dir, _ = fixture_build
    expected = _distinct_triples(build_dir)
    with graph_store() as server:
        result = _push(server, build_dir)
        assert result.exit_code == 0, result.output
        assert _in_graph(server) == expected
        assert f"pushed {expected} triples to <{GRAPH}>" in result.stdout
        assert f"the store counts {expected}" in result.stdout
        assert "counting the triples back at " + _url(server, "/sparql") in result.stderr
        again = _push(server, build_dir, "--format", "ttl")  # replacing, not adding
        assert again.exit_code == 0, again.output
        assert _in_graph(server) == expected
        assert server.writes == ["PUT", "PUT"]


def test_large_graphs_go_in_chunks_put_then_post(fixture_build: tuple[Path, BuildResult]) -> None:
    build_dir, _ = fixture_build
    data = (build_dir / "dxkg.nt").read_bytes()
    with graph_store() as server:
        result = remote.push(data, _url(server, "/data"), GRAPH, remote.Auth(USER, PASSWORD, "basic"),
                             chunk_bytes=len(data) // 5)
        assert result.requests >= 5
        assert server.writes == ["PUT"] + ["POST"] * (result.requests - 1)
        assert result.sent == result.counted == _in_graph(server) == _distinct_triples(build_dir)
        appended = _push(server, build_dir, "--append")  # the same triples again: nothing new, still whole
        assert appended.exit_code == 0, appended.output
        assert server.writes[-1] == "POST" and _in_graph(server) == result.sent


@pytest.mark.parametrize(("env", "message"), [
    ({**ENV, "DXKG_PASSWORD": "wrong"}, f"refused the credentials of user '{USER}'"),
    ({"DXKG_USER": None, "DXKG_PASSWORD": None}, "HTTP 401 Unauthorized (set DXKG_USER and DXKG_PASSWORD"),
    ({**ENV, "DXKG_AUTH": "kerberos"}, "DXKG_AUTH must be basic or digest, not 'kerberos'"),
])
def test_refused_credentials_exit_1_with_the_reason(fixture_build: tuple[Path, BuildResult], env: dict[str, str | None],
                                                    message: str) -> None:
    with graph_store() as server:
        result = _push(server, fixture_build[0], env=env)
        assert result.exit_code == 1
        assert message in result.stderr
        assert "Traceback" not in result.output
        assert _in_graph(server) == 0


def test_a_store_that_loses_triples_fails_the_count(fixture_build: tuple[Path, BuildResult]) -> None:
    build_dir, _ = fixture_build
    expected = _distinct_triples(build_dir)
    with graph_store(lose=3) as server:
        result = _push(server, build_dir)
    assert result.exit_code == 1
    assert f"the store holds {expected - 3} triples in <{GRAPH}> but {expected} were expected" in result.stderr


def test_an_unreachable_store_exits_2(fixture_build: tuple[Path, BuildResult]) -> None:
    with graph_store() as server:
        url = _url(server, "/data")
    result = CliRunner().invoke(cli, ["push", "--endpoint", url, "--build-dir", str(fixture_build[0])], env=ENV)
    assert result.exit_code == 2
    assert "cannot reach http://127.0.0.1:" in result.stderr
    query = CliRunner().invoke(cli, ["query", "cases-per-factor", "--endpoint", url.replace("/data", "/sparql")])
    assert query.exit_code == 2 and "cannot reach" in query.stderr


def test_a_missing_build_is_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["push", "--endpoint", "http://127.0.0.1:9/data", "--build-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert f"no built graph in {tmp_path}: run `dxkg build` first" in result.stderr


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_remote_answers_print_exactly_like_the_embedded_store(fixture_build: tuple[Path, BuildResult],
                                                              fmt: str) -> None:
    build_dir, _ = fixture_build
    runner = CliRunner()
    with graph_store() as server:
        assert _push(server, build_dir).exit_code == 0
        for q in saved_queries():
            local = runner.invoke(cli, ["query", q.name, "-f", fmt, "--build-dir", str(build_dir)])
            far = runner.invoke(cli, ["query", q.name, "-f", fmt, "--endpoint", _url(server, "/sparql"),
                                      "--graph", GRAPH])
            assert local.exit_code == far.exit_code == 0, far.output
            assert far.stdout == local.stdout, q.name
        ask = runner.invoke(cli, ["query", "ASK { ?s a dx:Municipality }", "--endpoint", _url(server, "/sparql"),
                                  "--graph", GRAPH])
        assert ask.stdout.strip() == "true"
        construct = runner.invoke(cli, ["query", "CONSTRUCT { ?s a dx:Municipality } WHERE { ?s a dx:Municipality }",
                                        "-f", "nt", "--endpoint", _url(server, "/sparql"), "--graph", GRAPH])
        assert construct.exit_code == 0 and len(construct.stdout.splitlines()) == 3  # FX_MUNICIPALITIES


@pytest.mark.parametrize(("flags", "message"), [
    ({"X-SQL-State": "S1TAT"}, "returned a partial result (X-SQL-State: S1TAT"),
    ({"X-SPARQL-MaxRows": "10"}, "cut the result at 10 rows (X-SPARQL-MaxRows)"),
])
def test_partial_answers_are_errors(fixture_build: tuple[Path, BuildResult], flags: dict[str, str],
                                    message: str) -> None:
    with graph_store(flags=flags) as server:
        pushed = _push(server, fixture_build[0])
        assert pushed.exit_code == 1 and message in pushed.stderr  # the count check refuses it too
        result = CliRunner().invoke(cli, ["query", "cases-per-factor", "--endpoint", _url(server, "/sparql")])
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stdout == ""


def test_network_clauses_are_refused_before_sending() -> None:
    with graph_store() as server:
        result = CliRunner().invoke(cli, ["query", "SELECT * WHERE { SERVICE <http://example.org/s> { ?s ?p ?o } }",
                                          "--endpoint", _url(server, "/sparql")])
    assert result.exit_code == 1 and "SERVICE is refused" in result.stderr


@pytest.mark.parametrize(("gsp", "query"), [
    ("http://h:8890/sparql-graph-crud-auth", "http://h:8890/sparql"),
    ("http://h:8890/sparql-auth", "http://h:8890/sparql"),
    ("http://h:3030/ds/data", "http://h:3030/ds/sparql"),
    ("http://h:7878/store", "http://h:7878/query"),
    ("http://h/other/gsp", "http://h/other/gsp"),
])
def test_the_query_endpoint_is_found_beside_the_graph_store(gsp: str, query: str) -> None:
    assert remote.default_query_endpoint(gsp) == query
