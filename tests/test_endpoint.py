"""`dxkg serve`: the SPARQL 1.1 Protocol over the fixture's store, and everything it refuses."""

from __future__ import annotations

import csv
import http.client
import io
import json
import socket
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.endpoint.server import Endpoint, Settings
from kg.query import saved_queries
from kg.store import store_path
from tests.conftest import FX_INITIATIVES, FX_MUNICIPALITIES, MORI_HOKKAIDO

MAX_ROWS = 5
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?i a dx:Initiative }"
MANY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def endpoint(fixture_build) -> Iterator[Endpoint]:
    out, _ = fixture_build
    server = Endpoint(store_path(out), "127.0.0.1", 0, Settings(timeout=2, max_rows=MAX_ROWS, max_query_bytes=2048))
    server.start_in_thread()
    yield server
    server.close()


def _request(server: Endpoint, method: str, path: str, body: bytes | str | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=30)
    try:
        conn.request(method, path, body=body.encode() if isinstance(body, str) else body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def _get(server: Endpoint, query: str, accept: str | None = None, **params: str) -> tuple[int, dict[str, str], bytes]:
    return _request(server, "GET", "/sparql?" + urlencode({"query": query, **params}),
                    headers={"Accept": accept} if accept else {})


def _json(body: bytes) -> dict:
    return json.loads(body.decode("utf-8"))


def test_get_post_form_and_post_direct_agree(endpoint: Endpoint) -> None:
    answers = [
        _get(endpoint, COUNT),
        _request(endpoint, "POST", "/sparql", urlencode({"query": COUNT}),
                 {"Content-Type": "application/x-www-form-urlencoded"}),
        _request(endpoint, "POST", "/sparql", COUNT, {"Content-Type": "application/sparql-query"}),
    ]
    for status, headers, body in answers:
        assert status == 200
        assert headers["content-type"] == "application/sparql-results+json"
        assert _json(body)["results"]["bindings"][0]["n"]["value"] == str(FX_INITIATIVES)


def test_select_in_every_results_format(endpoint: Endpoint) -> None:
    query = "SELECT ?code ?label WHERE { ?m a dx:Municipality ; dx:localGovernmentCode ?code ; rdfs:label ?label . " \
            "FILTER(LANG(?label) = 'ja') } ORDER BY ?code"
    status, _, body = _get(endpoint, query, "application/sparql-results+json")
    assert status == 200
    rows = _json(body)["results"]["bindings"]
    assert len(rows) == FX_MUNICIPALITIES
    assert {"type": "literal", "value": "森町", "xml:lang": "ja"} in [r["label"] for r in rows]

    status, headers, body = _get(endpoint, query, "text/csv")
    assert headers["content-type"].startswith("text/csv")
    assert body.endswith(b"\r\n")
    table = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert table[0] == ["code", "label"] and len(table) == FX_MUNICIPALITIES + 1
    assert [MORI_HOKKAIDO, "森町"] in table[1:]

    status, headers, body = _get(endpoint, query, "text/tab-separated-values")
    lines = body.decode("utf-8").splitlines()
    assert lines[0] == "?code\t?label" and '"森町"@ja' in body.decode("utf-8")

    status, headers, body = _get(endpoint, query, "application/sparql-results+xml")
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ET.fromstring(body)
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["code", "label"]
    assert len(root.findall("r:results/r:result", ns)) == FX_MUNICIPALITIES


def test_accept_quality_values_pick_the_format(endpoint: Endpoint) -> None:
    _, headers, _ = _get(endpoint, COUNT, "text/html;q=1, text/csv;q=0.5, application/sparql-results+json;q=0.4")
    assert headers["content-type"].startswith("text/csv")
    _, headers, _ = _get(endpoint, COUNT, "*/*")
    assert headers["content-type"] == "application/sparql-results+json"


def test_construct_and_describe_in_rdf_formats(endpoint: Endpoint) -> None:
    query = f"CONSTRUCT {{ ?m rdfs:label ?l }} WHERE {{ ?m dx:localGovernmentCode \"{MORI_HOKKAIDO}\" ; " \
            "rdfs:label ?l }"
    for accept, fmt in [("text/turtle", pyoxigraph.RdfFormat.TURTLE),
                        ("application/n-triples", pyoxigraph.RdfFormat.N_TRIPLES),
                        ("application/ld+json", pyoxigraph.RdfFormat.JSON_LD)]:
        status, headers, body = _get(endpoint, query, accept)
        assert status == 200 and headers["content-type"].startswith(accept)
        labels = {t.object.value for t in pyoxigraph.parse(body, format=fmt)}
        assert "森町" in labels, accept
    status, headers, body = _get(endpoint, f"DESCRIBE <https://w3id.org/dxkg/id/municipality/{MORI_HOKKAIDO}>")
    assert status == 200 and headers["content-type"].startswith("text/turtle")
    described = list(pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.TURTLE))
    assert len(described) == MAX_ROWS and headers["x-dxkg-truncated"] == "true"  # it has more triples than that


def test_unsupported_accept_is_406(endpoint: Endpoint) -> None:
    status, _, body = _get(endpoint, COUNT, "image/png")
    assert status == 406 and b"application/sparql-results+json" in body
    assert _get(endpoint, "CONSTRUCT WHERE { ?s ?p ?o }", "text/csv")[0] == 406


def test_row_cap_is_signalled_never_silent(endpoint: Endpoint) -> None:
    status, headers, body = _get(endpoint, MANY)
    doc = _json(body)
    assert status == 200 and len(doc["results"]["bindings"]) == MAX_ROWS
    assert doc["truncated"] is True and doc["maxRows"] == MAX_ROWS
    assert headers["x-dxkg-truncated"] == "true" and str(MAX_ROWS) in headers["warning"]
    _, headers, body = _get(endpoint, MANY, "text/csv")
    assert headers["x-dxkg-truncated"] == "true" and len(body.decode().splitlines()) == MAX_ROWS + 1
    _, headers, body = _get(endpoint, COUNT)
    assert "x-dxkg-truncated" not in headers and "truncated" not in _json(body)
    assert headers["x-dxkg-max-rows"] == str(MAX_ROWS)


def test_updates_are_refused_and_change_nothing(endpoint: Endpoint) -> None:
    update = "INSERT DATA { <urn:x> <urn:y> <urn:z> }"
    assert _request(endpoint, "GET", "/sparql?" + urlencode({"update": update}))[0] == 403
    assert _request(endpoint, "POST", "/sparql", urlencode({"update": update}),
                    {"Content-Type": "application/x-www-form-urlencoded"})[0] == 403
    status, _, body = _request(endpoint, "POST", "/sparql", update, {"Content-Type": "application/sparql-update"})
    assert status == 403 and b"read-only" in body
    status, headers, _ = _request(endpoint, "PUT", "/sparql", update, {"Content-Type": "text/turtle"})
    assert status == 405 and "POST" in headers["allow"]
    assert _json(_get(endpoint, "ASK { <urn:x> ?p ?o }")[2])["boolean"] is False


def test_bad_requests(endpoint: Endpoint) -> None:
    status, _, body = _get(endpoint, "SELECT * WHERE { ?s ?p ")
    assert status == 400 and b"syntax" in body
    assert _request(endpoint, "GET", "/sparql")[0] == 400
    assert _request(endpoint, "GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D")[0] == 400
    assert _request(endpoint, "POST", "/sparql", "ASK {}", {"Content-Type": "text/plain"})[0] == 415
    assert _request(endpoint, "GET", "/nowhere")[0] == 404


def test_oversized_query_is_413(endpoint: Endpoint) -> None:
    big = "ASK { }" + " " * 4000
    assert _get(endpoint, big)[0] == 413
    assert _request(endpoint, "POST", "/sparql", big, {"Content-Type": "application/sparql-query"})[0] == 413
    huge = "ASK { }" + " " * 20000  # beyond what the server reads at all
    assert _request(endpoint, "POST", "/sparql", huge, {"Content-Type": "application/sparql-query"})[0] == 413


def test_slow_query_is_stopped_and_others_keep_answering(endpoint: Endpoint) -> None:
    slow: dict[str, object] = {}

    def run_slow() -> None:
        slow["status"], _, slow["body"] = _get(endpoint, SLOW)

    thread = threading.Thread(target=run_slow)
    thread.start()
    status, _, body = _get(endpoint, "ASK { ?s a dx:Initiative }")
    assert status == 200 and _json(body)["boolean"] is True
    assert thread.is_alive()  # the ASK was answered while the slow query still ran
    thread.join(30)
    assert slow["status"] == 503 and b"limit" in slow["body"]
    assert _get(endpoint, COUNT)[0] == 200  # the stopped worker was replaced


def test_cors_is_off_by_default(endpoint: Endpoint) -> None:
    _, headers, _ = _get(endpoint, COUNT)
    assert "access-control-allow-origin" not in headers
    assert _request(endpoint, "OPTIONS", "/sparql")[0] == 405


def test_cors_when_asked_never_with_credentials(fixture_build) -> None:
    out, _ = fixture_build
    server = Endpoint(store_path(out), "127.0.0.1", 0, Settings(cors=True, workers=1))
    server.start_in_thread()
    try:
        _, headers, _ = _get(server, COUNT)
        assert headers["access-control-allow-origin"] == "*"
        status, headers, _ = _request(server, "OPTIONS", "/sparql", headers={"Origin": "http://example.org"})
        assert status == 204 and "POST" in headers["access-control-allow-methods"]
        assert "access-control-allow-credentials" not in headers
    finally:
        server.close()


def test_query_page_is_self_contained(endpoint: Endpoint) -> None:
    status, headers, body = _request(endpoint, "GET", "/")
    page = body.decode("utf-8")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in headers["content-security-policy"]
    for q in saved_queries():
        assert json.dumps(q.name) in page
    assert "<script src" not in page and "<link" not in page and "innerHTML" not in page
    assert "textContent" in page


def test_binds_loopback_by_default(fixture_build) -> None:
    help_text = CliRunner().invoke(cli, ["serve", "--help"]).output
    assert "127.0.0.1" in help_text and "--max-rows" in help_text and "--cors" in help_text


def test_serve_without_a_build_fails_cleanly(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--build-dir", str(tmp_path), "--port", "0"])
    assert result.exit_code == 2
    assert "run `dxkg build` first" in result.stderr


class _Listener:
    """A loopback TCP listener that counts the connections it gets (any fetch would be one)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/data.ttl"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


def test_nothing_is_ever_fetched(endpoint: Endpoint, fixture_build) -> None:
    listener = _Listener()
    try:
        url = listener.url
        refused = [
            f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ ?x ?y ?z FILTER EXISTS {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }}",
            f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
            f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
            f"ASK FROM <{url}> {{ }}",
        ]
        for query in refused:
            status, _, body = _get(endpoint, query)
            assert status == 400, query
            assert b"network" in body
        for param in ("default-graph-uri", "named-graph-uri"):
            status, _, body = _request(endpoint, "GET", "/sparql?" + urlencode({"query": "ASK {}", param: url}))
            assert status == 400 and b"not a graph in this store" in body
        assert _request(endpoint, "POST", "/sparql", f"LOAD <{url}>",
                        {"Content-Type": "application/sparql-update"})[0] == 403
        assert _get(endpoint, f"LOAD <{url}>")[0] == 400
        out, _ = fixture_build
        for query in refused + [f"LOAD <{url}>"]:
            result = CliRunner().invoke(cli, ["query", "--build-dir", str(out), query])
            assert result.exit_code == 1, query
        assert listener.connections == 0
    finally:
        listener.close()


def test_busy_port_fails_cleanly(fixture_build) -> None:
    out, _ = fixture_build
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--build-dir", str(out), "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot start the endpoint on 127.0.0.1:{port}" in result.stderr


def test_a_request_offering_h2c_is_answered_as_http11_body_and_all(endpoint: Endpoint) -> None:
    """Every JDK HttpClient offers an upgrade to h2c on each POST (Jena's rsparql for a long query): the
    endpoint upgrades to nothing, so it must answer over HTTP/1.1 with the body read, whatever the packets,
    and the connection must go on serving (uvicorn with httptools dropped the body and answered 400)."""
    import time

    host, port = endpoint.server_address[:2]
    query = b"SELECT (COUNT(*) AS ?n) WHERE { ?m a <https://w3id.org/dxkg/ontology#Municipality> }"
    head = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
            b"HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\nAccept: text/csv\r\n"
            b"Content-Type: application/sparql-query\r\nContent-Length: " + str(len(query)).encode() + b"\r\n\r\n")
    with socket.create_connection((host, port), timeout=30) as conn:
        for split in (20, len(head) - 3):  # the head cut in two packets, at two places, on one connection
            conn.sendall(head[:split])
            time.sleep(0.05)
            conn.sendall(head[split:] + query)
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(str(FX_MUNICIPALITIES).encode()):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
            assert answer.split(b"\r\n\r\n", 1)[1].split() == [b"n", str(FX_MUNICIPALITIES).encode()]
