"""The HTTP side of `dxkg serve`: uvicorn (with httptools) in front of a small ASGI application.

uvicorn is a kept production ASGI server; with httptools it parses HTTP with llhttp (Node.js's
parser), which refuses the request-smuggling shapes (Content-Length with Transfer-Encoding, two
differing Content-Lengths) and malformed requests with 400. It listens with a real backlog, sets
TCP_NODELAY (no delayed-ACK stall on keep-alive), closes idle keep-alive connections, and writes each
answer in one go. What uvicorn lacks, a deadline for receiving a whole request (a client trickling a
header a byte at a time), is added here by a small subclass of its protocol.

The application parses the protocol (kg.endpoint.protocol), answers from its cache when it can (the
graph never changes while the server runs, so an answer is keyed by the query text, the dataset and
the Accept header), and otherwise hands the job to the pool (kg.endpoint.pool) from a thread, so
that the event loop never waits on a query.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.endpoint.protocol import ProtocolError, query_params, the_query

SPARQL_PATHS = ("/sparql", "/sparql/")
Headers = list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class Settings:
    timeout: float = 10.0  # seconds per query, from its arrival to its last byte written
    max_rows: int = 10_000
    max_query_bytes: int = 64 * 1024
    cors: bool = False
    workers: int | None = None  # workers kept for new queries; None: one per core, at least two
    max_bytes: int = 64 * 1024 * 1024  # per answer
    memory_mb: int = 2048  # per worker
    slow_after: float = 0.5  # seconds before a query counts as long-running
    slow_slots: int | None = None  # long-running queries at once; None: as many as workers
    max_queue: int = 64
    max_parked: int = 8  # long-running queries paused while the slots are full
    cache_mb: int = 256  # answers kept; 0 turns the cache off
    in_memory: bool = True  # copy the store into memory at start
    request_timeout: float = 10.0  # seconds to receive a whole request
    keep_alive: float = 5.0  # seconds an idle connection stays open
    backlog: int = 2048


class _AnswerCache:
    """Answers by (query, dataset, base, Accept), least recently used out first, within a byte budget."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self._items: OrderedDict[tuple[Any, ...], tuple[int, Headers, bytes]] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> tuple[int, Headers, bytes] | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def put(self, key: tuple[Any, ...], item: tuple[int, Headers, bytes]) -> None:
        cost = len(item[2]) + 512
        if cost > self.budget // 4 or key in self._items:
            return
        self._items[key] = item
        self.size += cost
        while self.size > self.budget:
            _, old = self._items.popitem(last=False)
            self.size -= len(old[2]) + 512


class _App:
    """The ASGI application: `/` the query page, `/sparql` the SPARQL 1.1 Protocol."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.settings = endpoint.settings
        self.cache = _AnswerCache(self.settings.cache_mb * 1024 * 1024) if self.settings.cache_mb > 0 else None
        self.inflight: dict[tuple[Any, ...], asyncio.Future[tuple[int, Headers, bytes]]] = {}
        self.executor = ThreadPoolExecutor(max_workers=self.settings.max_queue + 2 * endpoint.limits.fast_size
                                           + endpoint.limits.slow_slots + 4, thread_name_prefix="dxkg-query")

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] != "http":
            return
        status, headers, body = await self._handle(scope, receive)
        base: Headers = [(b"content-length", str(len(body)).encode()), (b"x-content-type-options", b"nosniff")]
        if self.settings.cors:  # never Access-Control-Allow-Credentials
            base += [(b"access-control-allow-origin", b"*"),
                     (b"access-control-expose-headers",
                      b"X-DXKG-Truncated, X-DXKG-Max-Rows, X-DXKG-Max-Bytes, X-DXKG-Rows")]
        await send({"type": "http.response.start", "status": status, "headers": base + headers})
        await send({"type": "http.response.body", "body": body})
        client = scope.get("client") or ("-", 0)
        self.endpoint.log(f'{client[0]} "{scope["method"]} {scope["path"]}" {status} {len(body)}')

    @staticmethod
    def _text(status: int, message: str, extra: Headers | None = None) -> tuple[int, Headers, bytes]:
        return status, [(b"content-type", b"text/plain; charset=utf-8"), *(extra or [])], (message + "\n").encode()

    async def _handle(self, scope: dict[str, Any], receive: Callable[..., Any]) -> tuple[int, Headers, bytes]:
        method, path = scope["method"], scope["path"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        url_query = scope.get("query_string", b"").decode("latin-1")
        allow = "GET, HEAD, POST" + (", OPTIONS" if self.settings.cors else "")
        if method == "OPTIONS" and self.settings.cors:
            return 204, [(b"access-control-allow-methods", b"GET, POST, OPTIONS"),
                         (b"access-control-allow-headers", b"Content-Type, Accept"),
                         (b"access-control-max-age", b"600")], b""
        if method not in ("GET", "HEAD", "POST"):
            return self._text(405, "this endpoint is read-only: use GET or POST with a query",
                              [(b"allow", allow.encode())])
        if method in ("GET", "HEAD") and path in ("/", "/index.html"):
            from kg.endpoint.page import CSP

            return 200, [(b"content-type", b"text/html; charset=utf-8"),
                         (b"content-security-policy", CSP.encode()), (b"cache-control", b"no-cache")], \
                self.endpoint.page
        if path not in SPARQL_PATHS:
            return self._text(404, f"not found: {path} (the endpoint is /sparql, the query page /)")
        body = None
        if method == "POST":
            limit = self.settings.max_query_bytes + 4096  # room for form encoding and parameters
            declared = headers.get("content-length")
            if declared is None and "chunked" not in headers.get("transfer-encoding", "").lower():
                return self._text(411, "a POST needs a Content-Length")
            if declared is not None and (not declared.isdigit() or int(declared) > limit):
                return self._text(413, f"the request body is longer than the {limit}-byte limit",
                                  [(b"connection", b"close")])
            chunks: list[bytes] = []
            size = 0
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return self._text(400, "the client went away")
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    return self._text(413, f"the request body is longer than the {limit}-byte limit",
                                      [(b"connection", b"close")])
                chunks.append(chunk)
                if not message.get("more_body"):
                    break
            body = b"".join(chunks)
        try:
            params = query_params(url_query, body, headers.get("content-type"))
            query = the_query(params, self.settings.max_query_bytes)
        except ProtocolError as exc:
            return self._text(exc.status, str(exc))
        return await self._query(query, params, headers, path)

    async def _query(self, query: str, params: dict[str, list[str]], headers: dict[str, str],
                     path: str) -> tuple[int, Headers, bytes]:
        from kg.endpoint.workers import Job
        from kg.guard import Refused, check_dataset

        arrived = time.monotonic()
        settings = self.settings
        default = params.get("default-graph-uri")
        named = params.get("named-graph-uri")
        try:
            check_dataset((default or []) + (named or []), self.endpoint.graphs, "the dataset graph")
        except Refused as exc:
            return self._text(400, str(exc))
        dataset_given = default is not None or named is not None
        host = headers.get("host") or "{}:{}".format(*self.endpoint.server_address[:2])
        job = Job(query, headers.get("accept"), settings.max_rows, settings.max_bytes,
                  tuple(default or []) if dataset_given else None, tuple(named or []) if dataset_given else None,
                  base_iri=f"http://{host}{path}")
        if self.cache is None:
            return await self._evaluate(job, arrived)
        key = (job.query, job.default_graphs, job.named_graphs, job.base_iri, job.accept)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        running = self.inflight.get(key)
        if running is not None:  # the same question is being answered: share that answer
            return await asyncio.shield(running)
        future: asyncio.Future[tuple[int, Headers, bytes]] = asyncio.get_running_loop().create_future()
        self.inflight[key] = future
        try:
            answer = await self._evaluate(job, arrived)
            if answer[0] in (200, 400, 406):
                self.cache.put(key, answer)
            future.set_result(answer)
            return answer
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # marked retrieved: followers, if any, get it from their await
            raise
        finally:
            del self.inflight[key]

    async def _evaluate(self, job: Any, arrived: float) -> tuple[int, Headers, bytes]:
        from kg.endpoint.pool import Busy, Stopped, WorkerFailed

        settings = self.settings
        loop = asyncio.get_running_loop()
        retry = [(b"retry-after", b"1")]
        try:
            outcome = await loop.run_in_executor(self.executor, self.endpoint.pool.run, job, settings.timeout,
                                                 arrived)
        except (Busy, Stopped) as exc:
            return self._text(503, str(exc), retry)
        except WorkerFailed as exc:
            return self._text(500, str(exc))
        if outcome.status != 200:
            return self._text(outcome.status, outcome.message)
        extra: Headers = [(b"content-type", outcome.content_type.encode()),
                          (b"x-dxkg-max-rows", str(settings.max_rows).encode()),
                          (b"x-dxkg-max-bytes", str(settings.max_bytes).encode()),
                          (b"x-dxkg-rows", str(outcome.rows).encode()), (b"vary", b"Accept")]
        if outcome.truncated:
            limit = f"{settings.max_rows} rows" if outcome.cut_by == "rows" else f"{settings.max_bytes} bytes"
            extra += [(b"x-dxkg-truncated", b"true"),
                      (b"warning", f'199 dxkg "result truncated at {limit}"'.encode())]
        return 200, extra, outcome.body


_UPGRADE_HEADER = re.compile(rb"\r\nupgrade[ \t]*:", re.IGNORECASE)
_MAX_HEAD = 80 * 1024  # past this a head is handed on as it is, to be refused by llhttp's own limit
_METHOD = re.compile(rb"[A-Z]{1,12}( |$)")  # how a request's head begins (a TLS hello or noise does not)


def _protocol_class(request_timeout: float) -> type:
    """uvicorn's httptools protocol with a deadline for receiving each whole request: armed when a connection
    opens and after each response, disarmed when a request is complete; at the deadline the connection closes."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class DeadlineProtocol(HttpToolsProtocol):
        _receipt: asyncio.TimerHandle | None = None
        # A request's head is held until it is whole, and an `Upgrade` offer in it renamed before llhttp sees
        # it: the endpoint upgrades to nothing, and llhttp took any offer as a switch of protocol, dropped the
        # body and answered 400 (uvicorn #2722). Every JDK HttpClient offers h2c on each POST (Jena's too).
        _head: bytes = b""
        _at_head: bool = True

        def data_received(self, data: bytes) -> None:
            if not self._at_head:
                super().data_received(data)
                return
            self._head += data
            end = self._head.find(b"\r\n\r\n")
            if end < 0 and len(self._head) <= _MAX_HEAD and _METHOD.match(self._head):
                return  # the head is not whole yet (anything not shaped like one goes to llhttp to refuse now)
            head, rest = (self._head[:end], self._head[end:]) if end >= 0 else (self._head, b"")
            self._head, self._at_head = b"", False
            super().data_received(_UPGRADE_HEADER.sub(rb"\r\nx-ignored-upgrade:", head) + rest)

        def _arm(self) -> None:
            self._disarm()
            self._receipt = self.loop.call_later(request_timeout, self._expire)

        def _disarm(self) -> None:
            if self._receipt is not None:
                self._receipt.cancel()
                self._receipt = None

        def _expire(self) -> None:
            self._receipt = None
            if not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def on_message_complete(self) -> None:
            self._disarm()
            self._at_head = True  # what comes next on the connection is the next request's head
            super().on_message_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

    return DeadlineProtocol


class Endpoint:
    """A SPARQL endpoint over one store folder: `serve_forever()` or `start_in_thread()`, then `close()`."""

    def __init__(self, store_path: Path, host: str = "127.0.0.1", port: int = 7878,
                 settings: Settings | None = None, log: Callable[[str], None] | None = None) -> None:
        import uvicorn

        from kg.endpoint.page import render
        from kg.endpoint.pool import Limits, Pool, default_workers
        from kg.query import saved_queries
        from kg.store import open_read_only

        self.settings = settings or Settings()
        self.log = log or (lambda _msg: None)
        store = open_read_only(store_path)  # also checks the store is complete before anything starts
        self.graphs = frozenset(g.value for g in store.named_graphs())
        del store
        saved = [{"name": q.name, "summary": q.summary, "text": q.text} for q in saved_queries()]
        self.page = render(saved, self.settings.timeout, self.settings.max_rows)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # bound first: a busy port fails before the store is loaded
        self._sock = socket.create_server((host, port), family=family, backlog=self.settings.backlog)
        self.server_address = self._sock.getsockname()
        fast = self.settings.workers or default_workers()
        self.limits = Limits(fast_size=fast, slow_slots=self.settings.slow_slots or fast,
                             slow_after=self.settings.slow_after, max_queue=self.settings.max_queue,
                             max_parked=self.settings.max_parked,
                             memory_mb=self.settings.memory_mb, in_memory=self.settings.in_memory)
        try:
            self.pool = Pool(str(store_path), self.limits)
        except BaseException:
            self._sock.close()
            raise
        self.app = _App(self)
        config = uvicorn.Config(self.app, http=_protocol_class(self.settings.request_timeout), lifespan="off",
                                log_level="warning", access_log=False, timeout_keep_alive=int(self.settings.keep_alive),
                                backlog=self.settings.backlog, timeout_graceful_shutdown=2, server_header=False)
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"

    def serve_forever(self) -> None:
        """Serve until SIGINT/SIGTERM (in the main thread) or close()."""
        self._server.run(sockets=[self._sock])

    def start_in_thread(self) -> threading.Thread:
        """Serve from a background thread (for tests and embedding); stop with close()."""
        self._thread = threading.Thread(target=self.serve_forever, daemon=True, name="dxkg-endpoint")
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        return self._thread

    def close(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self.server_close()

    def server_close(self) -> None:
        """Close the socket, the workers and the store host (again: nothing)."""
        self._sock.close()
        self.pool.close()
        self.app.executor.shutdown(wait=False, cancel_futures=True)
