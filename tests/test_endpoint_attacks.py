"""`dxkg serve` and `dxkg query` attacked: network evasions, smuggling and malformed HTTP, slow and greedy
queries, crowds. Everything runs against loopback addresses only."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pyoxigraph
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.endpoint.server import Endpoint, Settings
from kg.sandbox import SandboxError, isolated, network_denied
from kg.store import store_path
from tests.test_endpoint import _get, _json, _Listener, _request

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def server(fixture_build) -> Iterator[Endpoint]:
    out, _ = fixture_build
    endpoint = Endpoint(store_path(out), "127.0.0.1", 0,
                        Settings(timeout=10, workers=2, slow_slots=2, request_timeout=1, keep_alive=1, cache_mb=0))
    endpoint.start_in_thread()
    yield endpoint
    endpoint.close()


def _evasions(url: str) -> list[str]:
    """Ways to make an engine fetch `url`: every one must be refused or fail, and none may connect."""
    service = f"SERVICE <{url}> {{ ?s ?p ?o }}"
    escaped = url.replace("/", "\\u002F")
    built = f'BIND(IRI(CONCAT("{url}", STR(?c))) AS ?x) SERVICE ?x {{ ?s ?p ?o }}'
    return [
        f"ASK {{ # x\r {service}\n }}",  # Oxigraph ends a comment at CR, rdflib only at LF
        f"ASK {{ # x\r\n{service} }}",
        f"ASK {{ # x\r{service} }}",
        f"SELECT * WHERE {{ # \r\n ?a ?b ?c . #\r SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"ASK {{ SERVICE <{escaped}> {{ ?s ?p ?o }} }}",  # unicode escapes inside the IRI
        f"ASK {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",  # and in place of a keyword
        f"ASK {{ service <{url}> {{ ?s ?p ?o }} }}",
        f"ASK {{ SeRvIcE SiLeNt <{url}> {{ }} }}",
        f"ASK{{?s ?p ?o.SERVICE<{url}>{{}}}}",
        f"SELECT * WHERE {{ ?m dx:localGovernmentCode ?c . LATERAL {{ {built} }} }}",
        f"SELECT * WHERE {{ ?m dx:localGovernmentCode ?c . {built} }}",
        f"SELECT * WHERE {{ VALUES ?x {{ <{url}> }} SERVICE ?x {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ OPTIONAL {{ {service} }} }}",
        f"SELECT * WHERE {{ {{ ?a ?b ?c }} UNION {{ {service} }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c MINUS {{ {service} }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c FILTER EXISTS {{ {service} }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c FILTER NOT EXISTS {{ {service} }} }}",
        f"SELECT * WHERE {{ GRAPH ?g {{ {service} }} }}",
        f"SELECT * WHERE {{ {{ SELECT * WHERE {{ {service} }} }} }}",
        f"SELECT (EXISTS {{ {service} }} AS ?e) WHERE {{ }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {service} }}",
        f"DESCRIBE ?s WHERE {{ {service} }}",
        f"SELECT * WHERE {{ {{ {{ {{ OPTIONAL {{ {{ {service} }} }} }} }} }} }}",
        f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT * # \rFROM <{url}>\n WHERE {{ ?s ?p ?o }}",
        f"PREFIX g: <{url.rsplit('/', 1)[0]}/> SELECT * FROM g:data.ttl WHERE {{ ?s ?p ?o }}",
        f"BASE <{url.rsplit('/', 1)[0]}/> SELECT * FROM <data.ttl> WHERE {{ ?s ?p ?o }}",
        f"LOAD <{url}>",
    ]


def test_no_evasion_reaches_the_network_from_the_endpoint_or_dxkg_query(server: Endpoint, fixture_build) -> None:
    listener = _Listener()
    try:
        queries = _evasions(listener.url)
        for query in queries:
            status, _, body = _get(server, query)
            assert status == 400, (query, body)
        for param in ("default-graph-uri", "named-graph-uri"):
            status, _, body = _request(server, "GET", "/sparql?" + urlencode({"query": "ASK {}", param: listener.url}))
            assert status == 400 and b"not a graph in this store" in body
        out, _ = fixture_build
        for query in queries:
            result = CliRunner().invoke(cli, ["query", "--build-dir", str(out), query])
            assert result.exit_code == 1, (query, result.output)
        assert listener.connections == 0
    finally:
        listener.close()


def test_the_sandbox_holds_even_without_the_check(fixture_build) -> None:
    """The check is only the first line: an engine given SERVICE directly still cannot connect."""
    listener = _Listener()
    out, _ = fixture_build

    def raw_service(path: str, url: str) -> str:
        store = pyoxigraph.Store.read_only(path)
        try:
            list(store.query(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"))
        except OSError as exc:
            return str(exc)
        return "answered"

    try:
        message = isolated(raw_service, str(store_path(out)), listener.url)
        assert message != "answered" and "denied" in message.lower()
        with pytest.raises(PermissionError):
            isolated(socket.create_connection, ("127.0.0.1", listener.sock.getsockname()[1]))
        assert listener.connections == 0
        assert not network_denied()  # the calling process keeps its network
    finally:
        listener.close()


def test_every_query_process_runs_under_the_filter(server: Endpoint) -> None:
    pids = server.pool.pids
    assert len(pids) >= 3  # the store host and its workers
    for pid in pids:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            status = dict(line.split(":", 1) for line in fh if ":" in line)
        assert status["Seccomp"].strip() == "2", pid  # 2: a filter is in force


def test_a_failing_isolated_call_hands_back_its_error() -> None:
    def boom() -> None:
        raise ValueError("from the child")

    with pytest.raises(ValueError, match="from the child"):
        isolated(boom)
    assert isinstance(SandboxError("x"), Exception)


# --- HTTP ------------------------------------------------------------------------------------------
def _raw(server: Endpoint, data: bytes, wait: float = 3.0) -> bytes:
    """Send raw bytes, then read until the server closes or goes quiet for `wait` seconds."""
    host, port = server.server_address[:2]
    with socket.create_connection((host, port), timeout=wait) as conn:
        conn.sendall(data)
        chunks = []
        try:
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
    return b"".join(chunks)


ASK_BODY = b"ASK {}"
SMUGGLED = b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n"


@pytest.mark.parametrize("request_bytes", [
    # Content-Length with Transfer-Encoding: the classic CL.TE / TE.CL smuggling shapes
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 6\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED,
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n"
    b"Content-Length: 41\r\n\r\n6\r\nASK {}\r\n0\r\n\r\n" + SMUGGLED,
    # two differing Content-Lengths
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 6\r\n"
    b"Content-Length: 40\r\n\r\nASK {}" + SMUGGLED,
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 6, 40\r\n\r\n"
    b"ASK {}" + SMUGGLED,
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n" + SMUGGLED,
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length : 6\r\n\r\nASK {}",  # space before the colon
    b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n folded: header\r\n\r\n",  # obsolete line folding
    b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost x\r\n\r\n",  # a header without a colon
    b"GET /sparql?query=ASK%7B%7D HTTP/9.9\r\nHost: x\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40,  # a TLS hello
    b"GET /sparql?query=ASK%7B%7D HTTP/1.1\nHost: x\r\n\r\n\x00\x01garbage",
])
def test_smuggling_shaped_and_malformed_requests_get_one_400(server: Endpoint, request_bytes: bytes) -> None:
    reply = _raw(server, request_bytes)
    assert reply.startswith(b"HTTP/1.1 400"), reply[:200]
    assert reply.count(b"HTTP/1.1 ") == 1  # never a second response smuggled in behind the first


def test_a_well_formed_chunked_post_is_answered(server: Endpoint) -> None:
    reply = _raw(server, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                         b"Accept: text/csv\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                         b"6\r\nASK {}\r\n0\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200") and reply.endswith(b"_askResult\r\ntrue\r\n")


def test_idle_and_half_sent_connections_are_closed(server: Endpoint) -> None:
    host, port = server.server_address[:2]
    for first in (b"", b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHo"):
        with socket.create_connection((host, port), timeout=10) as conn:
            t0 = time.monotonic()
            conn.sendall(first)
            closed = False
            while time.monotonic() - t0 < 8:
                try:
                    conn.sendall(b"s")  # a byte every 0.2 s: trickling never keeps a request alive
                    conn.settimeout(0.2)
                    if conn.recv(1024) == b"":
                        closed = True
                        break
                except TimeoutError:
                    continue
                except OSError:
                    closed = True
                    break
            assert closed and time.monotonic() - t0 < 5  # request_timeout is 1 s


def test_32_clients_at_once_are_all_answered(server: Endpoint) -> None:
    failures: list[str] = []
    statuses: list[int] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        for j in range(5):
            try:
                status, _, _ = _get(server, f"ASK {{ ?s ?p ?o }} # {i}.{j}")
                with lock:
                    statuses.append(status)
            except OSError as exc:
                with lock:
                    failures.append(repr(exc))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failures == [] and statuses == [200] * 160


# --- queries that cost -----------------------------------------------------------------------------
def _wait_until_long_running(endpoint: Endpoint, count: int) -> None:
    """Until `count` queries count as long-running (by CPU time used, so a busy machine takes longer)."""
    deadline = time.monotonic() + 20
    while endpoint.pool.sizes["slow"] < count:
        assert time.monotonic() < deadline, endpoint.pool.sizes
        time.sleep(0.05)


def test_two_slow_queries_leave_fast_ones_answered(fixture_build) -> None:
    out, _ = fixture_build
    endpoint = Endpoint(store_path(out), "127.0.0.1", 0, Settings(timeout=10, workers=2, slow_slots=2, cache_mb=0))
    endpoint.start_in_thread()
    try:
        slow: list[tuple[int, bytes]] = []
        threads = [threading.Thread(target=lambda i=i: slow.append(_get(endpoint, f"{SLOW} # {i}")[::2]))
                   for i in range(2)]
        for t in threads:
            t.start()
        _wait_until_long_running(endpoint, 2)
        answered = []
        for i in range(10):
            t0 = time.monotonic()
            status, _, body = _get(endpoint, f"ASK {{ ?i a dx:Initiative }} # {i}")
            answered.append((status, _json(body)["boolean"], time.monotonic() - t0))
        assert all(t.is_alive() for t in threads), (slow, answered)  # answered while both slow ones ran
        assert all(status == 200 and value is True for status, value, _ in answered)
        assert max(seconds for *_, seconds in answered) < 2  # none waited for a slow query (10 s limit)
        for t in threads:
            t.join(30)
        assert [status for status, _ in slow] == [503, 503] and all(b"limit" in body for _, body in slow)
    finally:
        endpoint.close()


def test_long_running_queries_past_the_slots_and_queue_get_503_retry_after(fixture_build) -> None:
    out, _ = fixture_build
    endpoint = Endpoint(store_path(out), "127.0.0.1", 0,
                        Settings(timeout=8, workers=1, slow_slots=1, max_parked=0, max_queue=0, slow_after=0.5,
                                 cache_mb=0))
    endpoint.start_in_thread()
    try:
        first: list[tuple[int, dict[str, str], bytes]] = []
        runner = threading.Thread(target=lambda: first.append(_get(endpoint, SLOW + " # 1")))
        runner.start()
        while endpoint.pool.sizes["busy"] < 1:  # the only worker is busy and nothing may wait: refused at once
            time.sleep(0.01)
        status, headers, body = _get(endpoint, "ASK {}")
        assert status == 503 and headers["retry-after"] == "1" and b"waiting" in body
        _wait_until_long_running(endpoint, 1)  # the first holds the only slot; a second one is stopped
        status, headers, body = _get(endpoint, SLOW + " # 2")
        assert status == 503 and headers["retry-after"] == "1" and b"long-running" in body
        ask = _get(endpoint, "ASK {}")
        assert ask[0] == 200, ask  # a fresh worker answers meanwhile
        runner.join(30)
        assert first[0][0] == 503 and b"limit" in first[0][2]
    finally:
        endpoint.close()


def test_memory_and_byte_limits(fixture_build) -> None:
    out, _ = fixture_build
    endpoint = Endpoint(store_path(out), "127.0.0.1", 0,
                        Settings(timeout=60, workers=1, memory_mb=200, max_bytes=3000, cache_mb=0))
    endpoint.start_in_thread()
    try:
        greedy = ("SELECT ?a ?b ?c ?d WHERE { ?a ?p1 ?b . ?c ?p2 ?d . ?e ?p3 ?f } "
                  "ORDER BY ?a ?b ?c ?d ?e ?f LIMIT 1")  # sorting every row of a cartesian product
        t0 = time.monotonic()
        status, headers, body = _get(endpoint, greedy)
        assert status == 503 and b"200 MB" in body and time.monotonic() - t0 < 50
        assert headers["retry-after"] == "1"
        status, headers, body = _get(endpoint, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
        doc = _json(body)
        assert status == 200 and len(body) <= 3000 and 0 < len(doc["results"]["bindings"]) < 1000
        assert headers["x-dxkg-truncated"] == "true" and doc["truncated"] is True and doc["maxBytes"] == 3000
        assert "3000 bytes" in headers["warning"]
        status, headers, body = _get(endpoint, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "text/csv")
        assert len(body) <= 3000 and headers["x-dxkg-truncated"] == "true"
        assert body.endswith(b"\r\n") and int(headers["x-dxkg-rows"]) == len(body.splitlines()) - 1
    finally:
        endpoint.close()


# --- what it accepts -------------------------------------------------------------------------------
def test_accepts_what_oxigraph_accepts(server: Endpoint) -> None:
    nested = "SELECT * WHERE " + "{ " * 150 + "?s a dx:Municipality" + " }" * 150
    lateral = ("SELECT ?m ?c WHERE { ?m a dx:Municipality . "
               "LATERAL { SELECT ?c WHERE { ?m dx:localGovernmentCode ?c } } }")
    star = "SELECT * WHERE { << ?s ?p ?o >> ?q ?r }"
    for query in (nested, lateral, star):
        status, _, body = _get(server, query)
        assert status == 200, (query[:60], body)
    assert len(_json(_get(server, nested)[2])["results"]["bindings"]) == 3
    # a query that declares dcterms: keeps the predefined dct: (rdflib's parser lost it)
    both = "PREFIX dcterms: <http://purl.org/dc/terms/> SELECT (COUNT(*) AS ?n) WHERE { ?s dct:title ?t }"
    assert _get(server, both)[0] == 200


def test_ask_in_every_results_format(server: Endpoint) -> None:
    expected = {"text/csv": b"_askResult\r\ntrue\r\n", "text/tab-separated-values": b"?_askResult\ntrue\n"}
    for accept, body in expected.items():
        status, headers, got = _get(server, "ASK { ?s ?p ?o }", accept)
        assert status == 200 and headers["content-type"].startswith(accept) and got == body
    assert json.loads(_get(server, "ASK { ?s ?p ?o }", "application/sparql-results+json")[2])["boolean"] is True
    assert b"<boolean>true</boolean>" in _get(server, "ASK { ?s ?p ?o }", "application/sparql-results+xml")[2]
