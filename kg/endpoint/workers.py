"""The processes that evaluate queries: one store host, and the workers it forks.

The host is started fresh (multiprocessing's spawn), takes its network away (kg.sandbox) before it
does anything else, opens the store (and by default loads it into memory: Oxigraph answers several
times faster from memory than from RocksDB), then waits. On each request from the server it forks a
worker and hands the server that worker's end of a socket pair. A fork costs milliseconds and starts
with the store's pages shared copy-on-write, so a worker stopped for overrunning its time or memory is
replaced at once without loading anything, and the seccomp filter, inherited by every child, cannot be
missing from any of them. (Oxigraph's reads write to many of the store's pages, so a worker's first
queries copy them: at 1.7 M triples about 0.5 GB and 2 s; the pool keeps workers for reuse.)

Each worker caps its own memory (RLIMIT_AS: what it has after the fork plus the limit), then answers
jobs one at a time: the guard's check (cached by query text), the evaluation, content negotiation on
the kind of answer, and the written answer within the row and byte budgets. pyoxigraph has no query
timeout and holds its thread until a query ends: a process is the unit that can be stopped.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Job:
    query: str
    accept: str | None
    max_rows: int
    max_bytes: int
    default_graphs: tuple[str, ...] | None = None  # None: the store's default graph
    named_graphs: tuple[str, ...] | None = None  # None: every named graph in the store
    base_iri: str | None = None  # relative IRIs in the query resolve against the endpoint's URL


@dataclass(frozen=True)
class Outcome:
    status: int  # 200, or the HTTP status of the refusal
    message: str = ""
    body: bytes = b""
    content_type: str = ""
    rows: int = 0
    truncated: bool = False
    cut_by: str = ""


@dataclass(frozen=True)
class HostConfig:
    store_path: str
    in_memory: bool = True
    memory_mb: int = 2048  # per worker, beyond what it holds when forked


def _run(store: Any, graphs: frozenset[str], checked: dict[str, Any], job: Job) -> Outcome:
    import pyoxigraph

    from kg.endpoint.protocol import media_types, negotiate
    from kg.guard import Refused, check
    from kg.namespace import PREFIXES
    from kg.results import answer_kind, write_answer

    key = job.query
    if key not in checked:
        try:
            checked[key] = check(job.query, graphs, job.base_iri, PREFIXES)
        except Refused as exc:
            checked[key] = exc
        if len(checked) > 4096:  # a bounded memo: forget the oldest
            checked.pop(next(iter(checked)))
    done = checked[key]
    if isinstance(done, Refused):
        return Outcome(400, str(done))
    kwargs: dict[str, Any] = {}
    if job.default_graphs is not None:
        kwargs["default_graph"] = [pyoxigraph.NamedNode(g) for g in job.default_graphs]
    if job.named_graphs is not None:
        kwargs["named_graphs"] = [pyoxigraph.NamedNode(g) for g in job.named_graphs]
    try:
        answer = store.query(done.text, prefixes=PREFIXES, base_iri=job.base_iri, **kwargs)
        kind = answer_kind(answer)
        offered = media_types(kind)
        fmt = negotiate(job.accept, offered)
        if fmt is None:
            return Outcome(406, f"cannot answer this {kind.upper()} query as {job.accept}; "
                                f"available: {', '.join(offered)}")
        written = write_answer(answer, fmt, job.max_rows, job.max_bytes)
    except SyntaxError as exc:
        return Outcome(400, f"SPARQL syntax error: {exc}")
    except MemoryError:
        return Outcome(503, "the query needed more memory than a query may use and was stopped")
    except (OSError, ValueError, TypeError, RuntimeError) as exc:
        return Outcome(400, f"query failed: {exc}")
    return Outcome(200, body=written.body, content_type=written.content_type, rows=written.rows,
                   truncated=written.truncated, cut_by=written.cut_by)


def _cap_memory(megabytes: int) -> None:
    """Address space: what this process has now (the store it shares) plus `megabytes`."""
    import resource

    with open("/proc/self/statm", encoding="ascii") as fh:
        pages = int(fh.read().split()[0])
    limit = pages * os.sysconf("SC_PAGE_SIZE") + megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _serve_jobs(sock: socket.socket, store: Any, graphs: frozenset[str], memory_mb: int) -> None:
    from multiprocessing.connection import Connection

    conn = Connection(sock.detach())
    _cap_memory(memory_mb)
    checked: dict[str, Any] = {}
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send(_run(store, graphs, checked, job))


def _open(config: HostConfig) -> Any:
    """The store to query: the on-disk one, or a copy in memory, bulk-loaded from the N-Triples file of
    the same generation (kg.store: the store was loaded from exactly that file; a parallel parse takes
    10 s at 1.7 M triples, where copying quad by quad out of RocksDB takes 2 minutes)."""
    import pyoxigraph

    from kg.paths import GRAPH_FILES
    from kg.store import open_read_only

    path = Path(config.store_path)
    disk = open_read_only(path)
    if not config.in_memory:
        return disk
    memory = pyoxigraph.Store()
    nt = path.parent / GRAPH_FILES["nt"]
    if nt.is_file() and not any(True for _ in disk.named_graphs()):
        del disk
        memory.bulk_load(path=str(nt), format=pyoxigraph.RdfFormat.N_TRIPLES)
    else:
        memory.bulk_extend(disk.quads_for_pattern(None, None, None, None))
        del disk
    return memory


def host_main(config: HostConfig, control: socket.socket) -> None:
    """The store host: sandbox, open the store, then fork a worker for each message on `control` (a
    SOCK_SEQPACKET socket, so each reply, the worker's pid with its socket, stays one message)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the server stops us
    try:
        from kg.sandbox import deny_network

        deny_network()
        store = _open(config)
        graphs = frozenset(g.value for g in store.named_graphs())
        # Everything a job needs is imported and run once here, so a fresh worker starts warm: its first
        # query costs what any other does, not module imports and the engine's first-use set-up.
        _run(store, graphs, {}, Job("ASK { ?s ?p ?o }", None, 1, 1024))
    except Exception as exc:  # reported to the server, which fails to start with this message
        control.send(b"E" + str(exc).encode("utf-8", "replace")[:4000])
        return
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the kernel
    control.send(b"R")
    while True:
        try:
            request = control.recv(1)
        except OSError:
            return
        if not request:  # the server closed its end: stop (workers see their sockets close too)
            return
        ours, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            status = 0
            try:
                control.close()
                theirs.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _serve_jobs(ours, store, graphs, config.memory_mb)
            except BaseException:
                status = 1
            finally:
                os._exit(status)
        ours.close()
        socket.send_fds(control, [pid.to_bytes(8, "little")], [theirs.fileno()])
        theirs.close()
