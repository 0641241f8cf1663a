"""The HTTP side of `dxkg serve`: a threaded stdlib server handing queries to the worker pool."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from kg.endpoint.protocol import ProtocolError, negotiate, query_params, the_query

SPARQL_PATHS = ("/sparql", "/sparql/")


@dataclass(frozen=True)
class Settings:
    timeout: float = 10.0  # seconds per query
    max_rows: int = 10_000
    max_query_bytes: int = 64 * 1024
    cors: bool = False
    workers: int = 2


class Endpoint(ThreadingHTTPServer):
    """A SPARQL endpoint over one store folder; `serve_forever()` to run, `close()` to stop everything."""

    daemon_threads = True

    def __init__(self, store_path: Path, host: str = "127.0.0.1", port: int = 7878,
                 settings: Settings | None = None, log: Callable[[str], None] | None = None) -> None:
        from kg.endpoint.page import render
        from kg.endpoint.workers import Pool
        from kg.query import saved_queries
        from kg.store import open_read_only

        self.settings = settings or Settings()
        self.log = log or (lambda _msg: None)
        store = open_read_only(store_path)  # also checks the store is complete before workers start
        self.graphs = frozenset(g.value for g in store.named_graphs())
        del store
        saved = [{"name": q.name, "summary": q.summary, "text": q.text} for q in saved_queries()]
        self.page = render(saved, self.settings.timeout, self.settings.max_rows)
        super().__init__((host, port), _Handler)  # bind first: a busy port fails before workers start
        try:
            self.pool = Pool(str(store_path), self.settings.workers)
        except BaseException:
            self.server_close()
            raise

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def close(self) -> None:
        self.shutdown_if_running()
        self.server_close()
        self.pool.close()

    def shutdown_if_running(self) -> None:
        if getattr(self, "_serving", False):
            self.shutdown()

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._serving = True
        try:
            super().serve_forever(poll_interval)
        finally:
            self._serving = False

    def start_in_thread(self) -> threading.Thread:
        """Serve from a background thread (for tests and embedding); stop with close()."""
        self._serving = True  # so close() waits for the loop even if it has not started yet
        thread = threading.Thread(target=self.serve_forever, daemon=True, name="dxkg-endpoint")
        thread.start()
        return thread


class _Handler(BaseHTTPRequestHandler):
    server: Endpoint
    server_version = "dxkg"
    protocol_version = "HTTP/1.1"

    # --- responses -------------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.server.settings.cors:  # never Access-Control-Allow-Credentials
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Expose-Headers", "X-DXKG-Truncated, X-DXKG-Max-Rows, X-DXKG-Rows")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, (message + "\n").encode("utf-8"), headers=headers)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's signature
        self.server.log(f"{self.address_string()} {format % args}")

    # --- methods ---------------------------------------------------------------------------------
    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            from kg.endpoint.page import CSP

            self._send(200, self.server.page, "text/html; charset=utf-8",
                       {"Content-Security-Policy": CSP, "Cache-Control": "no-cache"})
        elif url.path in SPARQL_PATHS:
            self._answer(lambda: query_params(url.query, None, None))
        else:
            self._error(404, f"not found: {url.path} (the endpoint is /sparql, the query page /)")

    do_HEAD = do_GET

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path not in SPARQL_PATHS:
            self._error(404, f"not found: {url.path} (the endpoint is /sparql)")
            return
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            self._error(411, "a POST needs a Content-Length")
            return
        try:
            length = int(length_header)
        except ValueError:
            self._error(400, "bad Content-Length")
            return
        limit = self.server.settings.max_query_bytes + 4096  # room for form encoding and parameters
        if length > limit or length < 0:
            self.close_connection = True  # the body is not read
            self._error(413, f"the request body is longer than the {limit}-byte limit")
            return
        body = self.rfile.read(length)
        self._answer(lambda: query_params(url.query, body, self.headers.get("Content-Type")))

    def _not_allowed(self) -> None:
        self._error(405, "this endpoint is read-only: use GET or POST with a query",
                    {"Allow": "GET, HEAD, POST" + (", OPTIONS" if self.server.settings.cors else "")})

    do_PUT = do_DELETE = do_PATCH = _not_allowed

    def do_OPTIONS(self) -> None:
        if not self.server.settings.cors:
            self._not_allowed()
            return
        self._send(204, b"", headers={"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                                      "Access-Control-Allow-Headers": "Content-Type, Accept",
                                      "Access-Control-Max-Age": "600"})

    # --- the query ---------------------------------------------------------------------------------
    def _answer(self, params_of: Callable[[], dict[str, list[str]]]) -> None:
        from kg.endpoint.results import media_types
        from kg.endpoint.safety import Refused, check_dataset, parse
        from kg.endpoint.workers import Job, Overrun, WorkerFailed

        settings = self.server.settings
        try:
            params = params_of()
            query = the_query(params, settings.max_query_bytes)
            default = params.get("default-graph-uri")
            named = params.get("named-graph-uri")
            check_dataset((default or []) + (named or []), self.server.graphs, "the dataset graph")
            parsed = parse(query)
            check_dataset(parsed.default_graphs + parsed.named_graphs, self.server.graphs, "FROM")
        except ProtocolError as exc:
            self._error(exc.status, str(exc))
            return
        except (Refused, SyntaxError) as exc:
            self._error(400, str(exc))
            return
        offered = media_types(parsed.kind)
        fmt = negotiate(self.headers.get("Accept"), offered)
        if fmt is None:
            self._error(406, f"cannot answer this {parsed.kind.upper()} query as {self.headers.get('Accept')}; "
                             f"available: {', '.join(offered)}")
            return
        dataset_given = default is not None or named is not None
        host = self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])
        job = Job(query, fmt, settings.max_rows,
                  tuple(default or []) if dataset_given else None, tuple(named or []) if dataset_given else None,
                  base_iri=f"http://{host}{urlsplit(self.path).path}")
        try:
            outcome = self.server.pool.run(job, settings.timeout)
        except Overrun as exc:
            self._error(503, str(exc), {"Retry-After": "1"})
            return
        except WorkerFailed as exc:
            self._error(500, str(exc))
            return
        if not outcome.ok:
            self._error(400, outcome.message)
            return
        headers = {"X-DXKG-Max-Rows": str(settings.max_rows), "X-DXKG-Rows": str(outcome.rows),
                   "Vary": "Accept"}
        if outcome.truncated:
            headers["X-DXKG-Truncated"] = "true"
            headers["Warning"] = f'199 dxkg "result truncated at {settings.max_rows} rows"'
        self._send(200, outcome.body, outcome.content_type, headers)
