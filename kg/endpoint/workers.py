"""Queries run in worker processes, each with the store open read-only, so a slow one can be killed.

pyoxigraph has no query timeout and holds its thread until a query ends; a process is the unit
that can be stopped. The HTTP threads hand a job to an idle worker and wait at most the time
limit; a worker that overruns is killed and replaced in the background, and the others keep
answering meanwhile.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any


class Overrun(Exception):
    """The query did not finish within the time limit (or no worker was free in time)."""


class WorkerFailed(Exception):
    """The worker died or could not start."""


@dataclass(frozen=True)
class Job:
    query: str
    fmt: str
    max_rows: int
    default_graphs: tuple[str, ...] | None = None  # None: the store's default graph
    named_graphs: tuple[str, ...] | None = None  # None: every named graph in the store
    base_iri: str | None = None  # relative IRIs in the query resolve against the endpoint's URL


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str = ""
    body: bytes = b""
    content_type: str = ""
    rows: int = 0
    truncated: bool = False


def _run(store: Any, job: Job) -> Outcome:
    import pyoxigraph

    from kg.endpoint.results import serialize
    from kg.namespace import PREFIXES

    kwargs: dict[str, Any] = {}
    if job.default_graphs is not None:
        kwargs["default_graph"] = [pyoxigraph.NamedNode(g) for g in job.default_graphs]
    if job.named_graphs is not None:
        kwargs["named_graphs"] = [pyoxigraph.NamedNode(g) for g in job.named_graphs]
    try:
        answer = store.query(job.query, prefixes=PREFIXES, base_iri=job.base_iri, **kwargs)
        result = serialize(answer, job.fmt, job.max_rows)
    except SyntaxError as exc:
        return Outcome(False, f"SPARQL syntax error: {exc}")
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        return Outcome(False, f"query failed: {exc}")
    return Outcome(True, body=result.body, content_type=result.content_type, rows=result.rows,
                   truncated=result.truncated)


def _main(store_path: str, conn: Any) -> None:
    """A worker: open the store read-only, then answer jobs until told to stop (None) or killed."""
    import signal

    import pyoxigraph

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the server stops its workers

    try:
        store = pyoxigraph.Store.read_only(store_path)
    except OSError as exc:
        conn.send(("failed", str(exc)))
        return
    conn.send(("ready", ""))
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        conn.send(_run(store, job))


class _Worker:
    def __init__(self, ctx: Any, store_path: str) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_main, args=(store_path, child), daemon=True, name="dxkg-query")
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            self.kill()
            raise WorkerFailed("a query worker did not start in time")
        try:
            status, message = self.conn.recv()
        except EOFError as exc:
            raise WorkerFailed("a query worker exited while starting") from exc
        if status != "ready":
            self.kill()
            raise WorkerFailed(f"a query worker cannot open the store: {message}")

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(2)
        if self.process.is_alive():
            self.kill()


class Pool:
    """A fixed number of query workers over one store folder."""

    def __init__(self, store_path: str, size: int = 2, start_timeout: float = 60.0) -> None:
        self._ctx = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._store_path = store_path
        self._start_timeout = start_timeout
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        workers = [self._spawn() for _ in range(max(1, size))]
        try:
            for w in workers:
                w.wait_ready(start_timeout)
        except WorkerFailed:
            self.close()
            raise
        for w in workers:
            self._idle.put(w)

    def _spawn(self) -> _Worker:
        w = _Worker(self._ctx, self._store_path)
        with self._lock:
            self._all.add(w)
        return w

    def _retire(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            self._all.discard(w)

    def _replace(self, w: _Worker) -> None:
        """Kill a worker and start another in the background (starting takes a moment)."""
        self._retire(w)

        def start() -> None:
            if self._closed:
                return
            fresh = self._spawn()
            try:
                fresh.wait_ready(self._start_timeout)
            except WorkerFailed:
                with self._lock:
                    self._all.discard(fresh)
                return
            self._idle.put(fresh)

        threading.Thread(target=start, daemon=True, name="dxkg-respawn").start()

    def run(self, job: Job, timeout: float) -> Outcome:
        """Run a job on an idle worker; raise Overrun when it (with the wait for a worker) exceeds `timeout`."""
        deadline = time.monotonic() + timeout
        try:
            w = self._idle.get(timeout=timeout)
        except queue.Empty as exc:
            raise Overrun(f"every query worker stayed busy for {timeout:g} s") from exc
        try:
            w.conn.send(job)
            if not w.conn.poll(max(0.0, deadline - time.monotonic())):
                self._replace(w)
                raise Overrun(f"the query ran longer than the {timeout:g} s limit and was stopped")
            outcome = w.conn.recv()
        except (EOFError, OSError) as exc:
            self._replace(w)
            raise WorkerFailed(f"the query worker failed: {exc}") from exc
        self._idle.put(w)
        return outcome

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            w.stop()
